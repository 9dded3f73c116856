package io.gfs.client.internal;

import com.google.protobuf.ByteString;
import io.gfs.client.GfsException;
import io.gfs.client.GfsOutcomeUnknownException;
import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.MasterAdminServiceGrpc;
import io.gfs.proto.MasterServiceGrpc;
import io.gfs.proto.RequestId;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Talks to the master leader, wherever it is. Starts from any of the configured masters, follows
 * "not the leader" hints (the {@code gfs-leader} trailer), rotates through the masters with
 * jittered backoff when none answers, and gives up at the operation deadline.
 *
 * <p>Mutations carry a {@link RequestId} that stays the same across retries, so the master's
 * retry cache answers a retry of an applied mutation instead of applying it twice. When a mutation
 * may have reached a master but no answer came back before the deadline, the caller gets
 * {@link GfsOutcomeUnknownException}, never a plain failure.
 */
public final class MasterClient implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MasterClient.class);

  /** The trailers a follower sets on its UNAVAILABLE answer. */
  public static final Metadata.Key<String> LEADER_ADDRESS =
      Metadata.Key.of("gfs-leader", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> NOT_PROPOSED =
      Metadata.Key.of("gfs-not-proposed", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> LEADER_ID =
      Metadata.Key.of("gfs-leader-id", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Back-off between rounds when no master answers as leader. Short on purpose: after a leader
   * dies a new one is elected within about an election timeout, and a refused or "not the
   * leader" answer costs a master next to nothing; a long back-off only adds to the outage.
   */
  private static final long BACKOFF_INITIAL_MS = 10;
  private static final long BACKOFF_MAX_MS = 200;
  /** Hints followed in a row without backoff before treating the group as unsettled. */
  private static final int HINTS_IN_A_ROW_MAX = 3;

  private final List<String> masters;
  private final Duration attemptTimeout;
  private final Duration operationDeadline;
  private final ByteString clientId;
  private final AtomicLong callIds = new AtomicLong();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Random jitter;
  private volatile String leaderGuess;
  private volatile boolean closed;

  public MasterClient(List<String> masters, Duration attemptTimeout, Duration operationDeadline) {
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("at least one master address is needed");
    }
    for (String m : masters) {
      HostPorts.parse(m); // validates
    }
    this.masters = List.copyOf(masters);
    this.attemptTimeout = attemptTimeout;
    this.operationDeadline = operationDeadline;
    UUID id = UUID.randomUUID();
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    this.clientId = ByteString.copyFrom(bytes.array());
    this.jitter = new Random(id.getLeastSignificantBits());
  }

  public List<String> masters() {
    return masters;
  }

  public Duration operationDeadline() {
    return operationDeadline;
  }

  /** A fresh id for one logical mutation; reuse it for every retry of that mutation. */
  public RequestId newRequestId() {
    return RequestId.newBuilder().setClientId(clientId).setCallId(callIds.incrementAndGet()).build();
  }

  /** Calls the leader's MasterService; {@code mutation} says whether an unknown outcome is possible. */
  public <T> T call(
      String operation, boolean mutation, Function<MasterServiceGrpc.MasterServiceBlockingStub, T> rpc) {
    return callLeader(operation, mutation, channel -> rpc.apply(
        MasterServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)));
  }

  /** Calls the leader's ChunkserverControlService (clients use it only to report bad replicas). */
  public <T> T callControl(
      String operation,
      Function<io.gfs.proto.ChunkserverControlServiceGrpc.ChunkserverControlServiceBlockingStub, T> rpc) {
    return callLeader(operation, false, channel -> rpc.apply(
        io.gfs.proto.ChunkserverControlServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)));
  }

  /** Calls one given master's admin service (Raft status is answered by every master). */
  public <T> T callAdmin(
      String address, Function<MasterAdminServiceGrpc.MasterAdminServiceBlockingStub, T> rpc) {
    try {
      return rpc.apply(MasterAdminServiceGrpc.newBlockingStub(channel(address))
          .withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      throw StatusErrors.toGfs(e, "master " + address);
    }
  }

  /** The master currently believed to lead, or null when unknown. */
  public String leaderGuess() {
    return leaderGuess;
  }

  private <T> T callLeader(String operation, boolean mutation, Function<ManagedChannel, T> rpc) {
    long deadlineNanos = System.nanoTime() + operationDeadline.toNanos();
    long backoffMs = BACKOFF_INITIAL_MS;
    int next = jitter.nextInt(masters.size());
    int hintsInARow = 0;
    boolean maybeExecuted = false;
    StatusRuntimeException last = null;
    while (!closed) {
      String address = leaderGuess;
      if (address == null) {
        address = masters.get(next++ % masters.size());
      }
      try {
        T result = rpc.apply(channel(address));
        leaderGuess = address;
        return result;
      } catch (StatusRuntimeException e) {
        last = e;
        Status.Code code = e.getStatus().getCode();
        if (mutation && mayHaveExecuted(e)) {
          maybeExecuted = true;
        }
        String hint = e.getTrailers() == null ? null : e.getTrailers().get(LEADER_ADDRESS);
        if (code == Status.Code.UNAVAILABLE && hint != null && !hint.isEmpty()
            && !hint.equals(address) && hintsInARow < HINTS_IN_A_ROW_MAX) {
          LOG.debug("following leader hint op={} from={} to={}", operation, address, hint);
          leaderGuess = hint;
          hintsInARow++;
          continue;
        }
        if (!isRetryable(code)) {
          throw StatusErrors.toGfs(e, operation);
        }
        leaderGuess = null;
        hintsInARow = 0;
      }
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remainingMs <= 0) {
        break;
      }
      long sleepMs = Math.min(remainingMs, backoffMs / 2 + jitter.nextInt((int) backoffMs / 2 + 1));
      try {
        Thread.sleep(sleepMs); // backoff between attempts, not a wait for a condition
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException(operation + ": interrupted", ie);
      }
      backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
    }
    String why = last == null ? "client closed" : StatusErrors.describe(last);
    if (maybeExecuted) {
      throw new GfsOutcomeUnknownException(operation + ": no answer from the master leader within "
          + operationDeadline.toMillis() + " ms; the operation may or may not have happened ("
          + why + ")", last);
    }
    throw new GfsUnavailableException(operation + ": no master leader reachable within "
        + operationDeadline.toMillis() + " ms (masters " + String.join(",", masters) + "; last error: "
        + why + ")", last);
  }

  private static boolean isRetryable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.CANCELLED
        || code == Status.Code.UNKNOWN;
  }

  /** False only when the request surely never reached a master's state machine. */
  private static boolean mayHaveExecuted(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return true;
    }
    Metadata trailers = e.getTrailers();
    if (trailers != null && trailers.containsKey(NOT_PROPOSED)) {
      // "not the leader" before proposing. A leader hint alone does not say that: a leader that
      // steps down fails its pending, already logged, commands with the same answer.
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return false; // never connected
      }
    }
    return true;
  }

  private ManagedChannel channel(String address) {
    ManagedChannel channel = channels.computeIfAbsent(address, a -> {
      HostPorts.HostPort hp = HostPorts.parse(a);
      return NettyChannelBuilder.forAddress(hp.host(), hp.port())
          .usePlaintext()
          .maxInboundMessageSize(64 * 1024 * 1024)
          .build();
    });
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // A master that was down (killed, restarting) would otherwise stay unreachable through
      // this channel for gRPC's reconnect back-off (up to minutes) after it is back, even once
      // it leads. Our own back-off above already bounds how often we try.
      channel.resetConnectBackoff();
    }
    return channel;
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    channels.clear();
    for (ManagedChannel c : all) {
      c.shutdownNow();
    }
    for (ManagedChannel c : all) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Maps a status of the master to the SDK's exception family, in one place. */
  public static GfsException toGfs(StatusRuntimeException e, String operation) {
    return StatusErrors.toGfs(e, operation);
  }
}

package io.gfs.master.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gfs.master.MasterException;
import io.gfs.master.server.PeerSpec;
import io.gfs.master.statemachine.AppliedRequests;
import io.gfs.master.statemachine.QueryMessages;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.gfs.proto.RequestId;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Puts commands into the local Raft server and reads through Ratis's linearizable read path.
 * No RaftClient: requests go straight into the group's division ({@link #submitter}). Writes go
 * through a {@link WritePipeline}, which puts the commands that arrive while earlier entries are
 * in flight into one entry; each client command carries its request id, and every replica
 * records its result in {@link AppliedRequests}, so a resent mutation is answered, not applied
 * again (Ratis's retry cache works per entry and so no longer can). A request still pending
 * after submit completes on the gRPC event loop that submitted it, or else on {@code executor}
 * ({@link #continuation}), never on the Ratis thread that finishes it: a
 * continuation may submit again (a lease after a read), and a submit needs the monitor the
 * applying thread holds while it completes reads - run inline through Ratis's own submit, which
 * waited for its client thread, that deadlocked the leader (MasterFaultTest caught it). A
 * request already answered when submit returns completes on the submitting thread, which is
 * never a Ratis thread.
 */
public final class RaftGateway {

  private final String nodeId;
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final Map<String, PeerSpec> peers;
  private final Executor executor;
  private final Deadlines deadlines;
  private final Duration requestTimeout;
  private final InstantSource clock;
  // The Ratis client id of every request (client ids travel inside the commands).
  private final ClientId internalClientId = ClientId.randomId();
  private final AtomicLong internalCallIds = new AtomicLong();
  private final AppliedRequests appliedRequests;
  private final WritePipeline pipeline;

  public RaftGateway(String nodeId, RaftServer server, RaftGroupId groupId,
      Map<String, PeerSpec> peers, AppliedRequests appliedRequests, int writesInFlight,
      Executor executor, ScheduledExecutorService timer, Duration requestTimeout,
      InstantSource clock) {
    this.nodeId = nodeId;
    this.server = server;
    this.groupId = groupId;
    this.peers = Map.copyOf(peers);
    this.executor = executor;
    this.deadlines = new Deadlines(requestTimeout, System::nanoTime).start(timer);
    this.requestTimeout = requestTimeout;
    this.clock = clock;
    this.appliedRequests = appliedRequests;
    this.pipeline = new WritePipeline(writesInFlight, this::proposeEntry, clock::millis);
  }

  public String nodeId() {
    return nodeId;
  }

  public RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      throw new MasterException(Status.Code.UNAVAILABLE, "master " + nodeId
          + " has no Raft group: " + e.getMessage());
    }
  }

  /**
   * Throws {@link NotLeaderException} unless this master is the leader and ready to serve;
   * returns the group's division it checked.
   */
  public RaftServer.Division checkLeader() {
    RaftServer.Division d = division();
    if (!d.getInfo().isLeader() || !d.getInfo().isLeaderReady()) {
      throw notLeader();
    }
    return d;
  }

  public boolean isLeader() {
    try {
      RaftServer.Division d = division();
      return d.getInfo().isLeader() && d.getInfo().isLeaderReady();
    } catch (MasterException e) {
      return false;
    }
  }

  public NotLeaderException notLeader() {
    return notLeader(false);
  }

  private NotLeaderException notLeader(boolean proposed) {
    String leader = leaderId();
    if (leader.equals(nodeId)) {
      leader = "";  // leader but not ready yet: no better hint than "retry"
    }
    PeerSpec p = peers.get(leader);
    return new NotLeaderException(nodeId, p == null ? "" : leader, p == null ? "" : p.apiAddress(),
        proposed);
  }

  /** The leader this master knows of; empty when none. */
  public String leaderId() {
    RaftPeerId id = division().getInfo().getLeaderId();
    return id == null ? "" : id.toString();
  }

  public long currentTerm() {
    return division().getInfo().getCurrentTerm();
  }

  /**
   * Proposes a client's mutation; a resend with the same request id is applied once: answered
   * from the result applied before, or joined to the proposal still in flight.
   */
  public CompletableFuture<MasterResult> submit(RequestId requestId, MasterCommand command) {
    checkLeader();
    if (requestId.getClientId().isEmpty()) {
      return withDeadline(write(command.toBuilder().clearRequestId()), "write");
    }
    toUuid(requestId.getClientId().toByteArray());  // a clear error for a malformed id
    AppliedRequests.Key key = AppliedRequests.Key.of(requestId);
    CompletableFuture<MasterResult> known = appliedRequests.get(key);
    if (known != null) {
      return withDeadline(known, "write");
    }
    CompletableFuture<MasterResult> mine = new CompletableFuture<>();
    CompletableFuture<MasterResult> first = appliedRequests.propose(key, mine);
    if (first != mine) {
      return withDeadline(first, "write");
    }
    mine.whenComplete((r, failure) -> {
      if (failure != null) {
        appliedRequests.proposalFailed(key, mine);
      }
    });
    pipeline.add(stamped(command.toBuilder().setRequestId(requestId)), mine);
    return withDeadline(mine, "write");
  }

  /** Proposes a command chosen by this master itself. */
  public CompletableFuture<MasterResult> submitInternal(MasterCommand command) {
    checkLeader();
    return withDeadline(write(command.toBuilder().clearRequestId()), "write");
  }

  private CompletableFuture<MasterResult> write(MasterCommand.Builder command) {
    CompletableFuture<MasterResult> result = new CompletableFuture<>();
    pipeline.add(stamped(command), result);
    return result;
  }

  private MasterCommand stamped(MasterCommand.Builder command) {
    return command.getTimestampMs() != 0 ? command.build()
        : command.setTimestampMs(clock.millis()).build();
  }

  /**
   * Puts one log entry (a command, or a batch of them) into Raft; completes with its result on
   * {@link #continuation}, with no deadline of its own (the outcome is what the retry bookkeeping
   * needs; callers wait with {@link #withDeadline}).
   */
  private CompletableFuture<MasterResult> proposeEntry(MasterCommand entry) {
    RaftServer.Division division = checkLeader();
    RaftClientRequest request = request(
        Message.valueOf(ByteString.copyFrom(entry.toByteArray())),
        RaftClientRequest.writeRequestType());
    CompletableFuture<MasterResult> result = new CompletableFuture<>();
    submit(division, request, "write").whenCompleteAsync((reply, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
        return;
      }
      try {
        result.complete(MasterResult.parseFrom(reply.getMessage().getContent().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        result.completeExceptionally(
            new IllegalStateException("unparseable result from the state machine", e));
      }
    }, continuation());
    return result;
  }

  /** {@code result}, failed with UNAVAILABLE if not done within the request timeout. */
  private <T> CompletableFuture<T> withDeadline(CompletableFuture<T> result, String kind) {
    if (result.isDone()) {
      return result;
    }
    CompletableFuture<T> bounded = new CompletableFuture<>();
    result.whenComplete((value, failure) -> relay(bounded, value, failure));
    deadlines.add(bounded, () -> new MasterException(Status.Code.UNAVAILABLE, "master " + nodeId
        + " " + kind + " not done within " + requestTimeout.toMillis() + " ms (outcome unknown;"
        + " retry with the same request id)"));
    return bounded;
  }

  private static <T> void relay(CompletableFuture<T> to, T value, Throwable failure) {
    if (failure != null) {
      to.completeExceptionally(failure);
    } else {
      to.complete(value);
    }
  }

  /** A linearizable read on the leader (ReadIndex / leader lease inside Ratis). */
  public CompletableFuture<MasterQueryResult> query(MasterQuery query) {
    RaftServer.Division division = checkLeader();
    RaftClientRequest request = request(
        QueryMessages.request(query), RaftClientRequest.readRequestType());
    return send(division, request, "read").thenApply(reply -> {
      try {
        return QueryMessages.result(reply.getMessage());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("unparseable query result", e);
      }
    });
  }

  private RaftClientRequest request(Message body, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(internalClientId)
        .setServerId(server.getId())
        .setGroupId(groupId)
        .setCallId(internalCallIds.incrementAndGet())
        .setMessage(body)
        .setType(type)
        .setTimeoutMs(requestTimeout.toMillis())
        .build();
  }

  /**
   * Submits to Ratis and returns its mapped reply. The submit runs on the caller's thread and
   * returns once the request is queued; a read it could admit at once (leader lease valid,
   * already applied up to the read index) is then finished. Such a reply is handled right here,
   * on the caller's thread - which is not a Ratis thread, since it just submitted - with no
   * hand-off and no deadline. Only a request still pending gets the deadline and continues on
   * {@link #continuation}.
   */
  private CompletableFuture<RaftClientReply> send(RaftServer.Division division,
      RaftClientRequest request, String kind) {
    CompletableFuture<RaftClientReply> submitted = submit(division, request, kind);
    if (submitted.isDone()) {
      return submitted;
    }
    CompletableFuture<RaftClientReply> onExecutor = new CompletableFuture<>();
    submitted.whenCompleteAsync((reply, failure) -> relay(onExecutor, reply, failure),
        continuation());
    return withDeadline(onExecutor, kind);
  }

  /**
   * Where a request still pending after submit continues once Ratis answers: the gRPC event loop
   * it was submitted from, if any - its reply is written from there anyway, so continuing there
   * saves waking a pool thread that would only hand the reply on (two context switches per
   * request on the leader) - else {@code executor}; if the loop is shut down, {@code executor}.
   * Never a Ratis thread either way.
   */
  private Executor continuation() {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    if (loop == null) {
      return executor;
    }
    return task -> {
      try {
        loop.execute(task);
      } catch (RejectedExecutionException e) {
        executor.execute(task);
      }
    };
  }

  /** Ratis's answer to {@code request}, failures mapped; completes on whichever thread. */
  private CompletableFuture<RaftClientReply> submit(RaftServer.Division division,
      RaftClientRequest request, String kind) {
    CompletableFuture<RaftClientReply> submitted;
    try {
      submitted = submitter(division).submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new MasterException(Status.Code.UNAVAILABLE, "master " + nodeId + ": " + e));
    }
    CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
    submitted.whenComplete((reply, failure) -> finish(result, reply, failure, kind));
    return result;
  }

  /**
   * Where requests go in. The server's own {@link RaftServer#submitClientRequestAsync} hands each
   * request to a Ratis client thread and blocks the caller until that thread has queued it (two
   * thread wake-ups per request, for no work of its own); the group's division takes the same
   * request directly on the calling thread, which here is always one of this master's own
   * threads (gRPC handlers, its executor), never a Ratis or transport thread. Falls back to the
   * server's entry when the division does not take client requests.
   */
  private RaftClientAsynchronousProtocol submitter(RaftServer.Division division) {
    return division instanceof RaftClientAsynchronousProtocol direct ? direct : server;
  }

  private void finish(CompletableFuture<RaftClientReply> result, RaftClientReply reply,
      Throwable failure, String kind) {
    if (failure != null) {
      result.completeExceptionally(new MasterException(Status.Code.UNAVAILABLE,
          "master " + nodeId + " " + kind + " failed: " + StatusMapping.unwrap(failure)));
    } else if (!reply.isSuccess()) {
      result.completeExceptionally(mapRaftFailure(reply.getException()));
    } else {
      result.complete(reply);
    }
  }

  private MasterException mapRaftFailure(RaftException e) {
    if (e instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException
        || e instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException) {
      return notLeader(false);
    }
    if (e instanceof org.apache.ratis.protocol.exceptions.NotLeaderException) {
      // Ratis also fails requests still pending when a leader steps down with this exception;
      // such an entry may be in the log and commit under the next leader.
      return notLeader(true);
    }
    if (e instanceof org.apache.ratis.protocol.exceptions.StateMachineException) {
      return new MasterException(Status.Code.INTERNAL,
          "master " + nodeId + " rejected the command: " + e.getMessage());
    }
    return new MasterException(Status.Code.UNAVAILABLE,
        "master " + nodeId + " could not complete the request: " + e);
  }

  static UUID toUuid(byte[] bytes) {
    if (bytes.length != 16) {
      throw MasterException.invalidArgument(
          "request_id.client_id must be 16 bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new UUID(b.getLong(), b.getLong());
  }
}

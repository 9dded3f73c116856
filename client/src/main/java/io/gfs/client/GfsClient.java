package io.gfs.client;

import io.gfs.client.internal.ChunkIo;
import io.gfs.client.internal.ChunkReads;
import io.gfs.client.internal.ChunkWrites;
import io.gfs.client.internal.DefaultChunkIo;
import io.gfs.client.internal.FileStreams;
import io.gfs.client.internal.HostPorts;
import io.gfs.client.internal.LazyChunkIo;
import io.gfs.client.internal.LocationCache;
import io.gfs.client.internal.MasterClient;
import io.gfs.client.internal.MasterOps;
import io.gfs.proto.FileInfo;
import io.gfs.proto.GetClusterPressureResponse;
import io.gfs.proto.GetClusterStatusResponse;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.GetRaftStatusResponse;
import io.gfs.proto.ListFilesResponse;
import io.gfs.proto.TransferLeadershipRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A client of a GFS cluster. Thread-safe; create one per application and close it at the end.
 *
 * <pre>{@code
 * try (GfsClient gfs = GfsClient.builder().masters("m1:9000,m2:9000,m3:9000").build()) {
 *   gfs.writeFile("/logs/app.txt", "hello\n".getBytes(UTF_8));
 *   long offset = gfs.appendFile("/logs/app.txt", "world\n".getBytes(UTF_8));
 *   byte[] all = gfs.readFile("/logs/app.txt");
 *   for (FileStatus f : gfs.list("/logs")) System.out.println(f.path() + " " + f.length());
 *   GfsClient other = gfs.withNamespace("analytics"); // same connections, another namespace
 * }
 * }</pre>
 *
 * <p>Any one reachable master is enough: the client finds the leader, follows its hints, and
 * re-discovers it after a failover. Failures are {@link GfsException}s; a mutation whose outcome
 * could not be learned throws {@link GfsOutcomeUnknownException}.
 */
public final class GfsClient implements AutoCloseable {
  /** The namespace used when none is given. */
  public static final String DEFAULT_NAMESPACE = "default";

  private final Shared shared;
  private final String namespace;

  private GfsClient(Shared shared, String namespace) {
    this.shared = shared;
    this.namespace = namespace;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A view of this client on another namespace; it shares connections and needs no close. */
  public GfsClient withNamespace(String namespace) {
    return new GfsClient(shared, namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE
        : namespace);
  }

  public String namespace() {
    return namespace;
  }

  // ------------------------------------------------------------------ whole files

  /** Creates {@code path} with {@code data}, or atomically replaces its whole content. */
  public void writeFile(String path, byte[] data) {
    shared.streams.writeFile(namespace, path, ByteBuffer.wrap(data));
  }

  /**
   * The whole content of a file, read with several chunks in parallel. Files over 2 GiB need
   * {@link #openInputStream}.
   */
  public byte[] readFile(String path) {
    try (InputStream in = openInputStream(path)) {
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      if (e.getCause() instanceof GfsException g) {
        throw g;
      }
      throw new GfsException(GfsException.Code.INTERNAL, "read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Up to {@code length} bytes at {@code offset}; fewer at the end of the file. */
  public byte[] read(String path, long offset, int length) {
    ByteBuffer out = ByteBuffer.allocate(length);
    shared.reads.read(namespace, path, offset, length, out::put);
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  /**
   * Appends {@code record} atomically at an offset the system picks, and returns that offset.
   * The file is created if missing. At least once: a retry after {@link GfsOutcomeUnknownException}
   * may store the record twice. Records are at most a quarter chunk (16 MiB by default).
   */
  public long appendFile(String path, byte[] record) {
    try {
      return shared.writes.append(namespace, path, ByteBuffer.wrap(record));
    } catch (GfsNotFoundException e) {
      try {
        shared.master.createFile(namespace, path);
      } catch (GfsAlreadyExistsException raced) {
        // another appender created it first
      }
      return shared.writes.append(namespace, path, ByteBuffer.wrap(record));
    }
  }

  /** A stream that writes a new file (replacing any existing one atomically on close). */
  public OutputStream openOutputStream(String path) {
    return shared.streams.outputStream(namespace, path);
  }

  /** A stream over the file's bytes, read chunk by chunk with bounded memory. */
  public InputStream openInputStream(String path) {
    return shared.streams.inputStream(namespace, path);
  }

  /** A read-only, seekable channel over the file. */
  public SeekableByteChannel openChannel(String path) {
    return shared.streams.channel(namespace, path);
  }

  // ------------------------------------------------------------------ namespace

  public FileStatus stat(String path) {
    return toStatus(shared.master.getFile(namespace, path));
  }

  public boolean exists(String path) {
    try {
      stat(path);
      return true;
    } catch (GfsNotFoundException e) {
      return false;
    }
  }

  /** Creates a directory; with {@code parents}, also its missing parents (and accepts an existing one). */
  public FileStatus mkdir(String path, boolean parents) {
    return toStatus(shared.master.mkdir(namespace, path, parents));
  }

  /** Creates an empty file (missing parent directories are created). */
  public FileStatus createFile(String path) {
    return toStatus(shared.master.createFile(namespace, path));
  }

  /** Deletes a file or an empty directory. */
  public void deleteFile(String path) {
    delete(path, false);
  }

  /** Deletes a file or directory; a non-empty directory only with {@code recursive}. */
  public long delete(String path, boolean recursive) {
    long n = shared.master.delete(namespace, path, recursive);
    shared.writes.forget(namespace, path);
    shared.cache.invalidate(namespace, path);
    return n;
  }

  /** Renames a file or a whole directory atomically; fails if the destination exists. */
  public FileStatus rename(String source, String destination) {
    return rename(source, destination, false);
  }

  /** Renames; with {@code overwrite}, an existing destination file is replaced. */
  public FileStatus rename(String source, String destination, boolean overwrite) {
    FileInfo f = shared.master.rename(namespace, source, destination, overwrite);
    shared.writes.forget(namespace, source);
    shared.writes.forget(namespace, destination);
    shared.cache.invalidate(namespace, source);
    shared.cache.invalidate(namespace, destination);
    return toStatus(f);
  }

  /** The direct children of a directory (or the file itself), sorted by path. */
  public List<FileStatus> list(String directory) {
    return list(directory, false);
  }

  /** Everything under {@code path} when {@code recursive}, else its direct children; sorted. */
  public List<FileStatus> list(String path, boolean recursive) {
    List<FileStatus> out = new ArrayList<>();
    String token = "";
    do {
      ListFilesResponse page = shared.master.list(namespace, path, recursive, 1000, token);
      page.getEntriesList().forEach(f -> out.add(toStatus(f)));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  public List<String> listNamespaces() {
    return shared.master.listNamespaces();
  }

  /** Deletes a namespace and everything in it; "default" cannot be deleted. */
  public long deleteNamespace(String name) {
    shared.cache.clear();
    return shared.master.deleteNamespace(name);
  }

  // ------------------------------------------------------------------ operations

  public GetClusterStatusResponse clusterStatus() {
    return shared.master.clusterStatus();
  }

  public GetClusterPressureResponse clusterPressure() {
    return shared.master.clusterPressure();
  }

  /** Each master's own view of the Raft group; an unreachable master is absent from the map. */
  public java.util.Map<String, GetRaftStatusResponse> raftStatus() {
    java.util.Map<String, GetRaftStatusResponse> out = new java.util.LinkedHashMap<>();
    for (String m : shared.masterClient.masters()) {
      try {
        out.put(m, shared.masterClient.callAdmin(m,
            s -> s.getRaftStatus(GetRaftStatusRequest.getDefaultInstance())));
      } catch (GfsException e) {
        // unreachable: the caller shows it as such
      }
    }
    return out;
  }

  /** Asks the current leader to hand leadership to {@code targetId}; returns the new leader's id. */
  public String transferLeadership(String targetId, Duration timeout) {
    String leader = shared.masterClient.leaderGuess();
    if (leader == null) {
      clusterStatus(); // finds the leader
      leader = shared.masterClient.leaderGuess();
    }
    TransferLeadershipRequest req = TransferLeadershipRequest.newBuilder()
        .setTargetId(targetId == null ? "" : targetId).setTimeoutMs(timeout.toMillis()).build();
    return shared.masterClient.callAdmin(Objects.requireNonNull(leader, "no leader"),
        s -> s.withDeadlineAfter(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)
            .transferLeadership(req)).getNewLeaderId();
  }

  static FileStatus toStatus(FileInfo f) {
    return new FileStatus(f.getNamespace(), f.getPath(),
        f.getType() == io.gfs.proto.EntryType.DIRECTORY, f.getLength(), f.getChunkCount(),
        Instant.ofEpochMilli(f.getCreatedMs()), Instant.ofEpochMilli(f.getModifiedMs()));
  }

  /** Closes connections and threads. A view made by {@link #withNamespace} closes its parent too. */
  @Override
  public void close() {
    shared.close();
  }

  /** Immutable settings for a {@link GfsClient}. */
  public static final class Builder {
    private List<String> masters = List.of();
    private String namespace = DEFAULT_NAMESPACE;
    private Duration operationTimeout = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(5);
    private Duration dataTimeout = Duration.ofSeconds(60);
    private Duration locationCacheTtl = Duration.ofSeconds(2);
    private Function<Duration, ChunkIo> chunkIoFactory;

    /** Master API addresses as "host:port,host:port"; any one reachable master is enough. */
    public Builder masters(String commaSeparated) {
      this.masters = HostPorts.parseList(commaSeparated);
      return this;
    }

    public Builder masters(List<String> addresses) {
      this.masters = HostPorts.parseList(String.join(",", addresses));
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
      return this;
    }

    /** Overall deadline of one metadata operation, across retries and leader changes. */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = timeout;
      return this;
    }

    /** Deadline of one attempt at one master. */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = timeout;
      return this;
    }

    /** Deadline of one data-plane request (a chunk read or write). */
    public Builder dataTimeout(Duration timeout) {
      this.dataTimeout = timeout;
      return this;
    }

    /** How long chunk locations are reused before asking the master again (0 = never cache). */
    public Builder locationCacheTtl(Duration ttl) {
      this.locationCacheTtl = ttl;
      return this;
    }

    /** Replaces the data-plane transport (for tests of the file logic). */
    public Builder chunkIo(Function<Duration, ChunkIo> factory) {
      this.chunkIoFactory = factory;
      return this;
    }

    public GfsClient build() {
      if (masters.isEmpty()) {
        throw new GfsInvalidArgumentException("no master addresses: call masters(...)");
      }
      return new GfsClient(new Shared(this), namespace);
    }
  }

  /** Resources shared by a client and its namespace views. */
  private static final class Shared {
    final MasterClient masterClient;
    final MasterOps master;
    final ChunkIo chunkIo;
    final ExecutorService executor;
    final LocationCache cache;
    final ChunkReads reads;
    final ChunkWrites writes;
    final FileStreams streams;

    Shared(Builder b) {
      masterClient = new MasterClient(b.masters, b.attemptTimeout, b.operationTimeout);
      master = new MasterOps(masterClient, "client-" + UUID.randomUUID());
      Function<Duration, ChunkIo> factory =
          b.chunkIoFactory != null ? b.chunkIoFactory : DefaultChunkIo::create;
      chunkIo = new LazyChunkIo(() -> factory.apply(b.dataTimeout));
      AtomicInteger n = new AtomicInteger();
      executor = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "gfs-client-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      cache = new LocationCache(b.locationCacheTtl);
      reads = new ChunkReads(master, chunkIo, cache, b.dataTimeout, b.operationTimeout);
      writes = new ChunkWrites(master, chunkIo, executor, b.dataTimeout);
      streams = new FileStreams(master, reads, writes, cache, executor);
    }

    void close() {
      executor.shutdownNow();
      chunkIo.close();
      masterClient.close();
    }
  }
}

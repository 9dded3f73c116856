package io.gfs.it.fault;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import io.gfs.client.GfsOutcomeUnknownException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Concurrent SDK clients doing record appends of self-validating records to a few files, reads of
 * those files, and creates, renames and deletes of empty files of their own, each logged in a
 * {@link History}. Reproducible choices from a seed (timing, of course, is not).
 */
final class Workload implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(Workload.class);

  private final WorkloadSpec spec;
  private final Supplier<GfsClient> clients;
  private final History history;
  private final long seed;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger okAppends = new AtomicInteger();
  private final ExecutorService pool;
  private final List<Future<?>> workers = new ArrayList<>();

  Workload(WorkloadSpec spec, Supplier<GfsClient> clients, long seed) {
    this.spec = spec;
    this.clients = clients;
    this.seed = seed;
    this.history = new History(spec.clients() * Math.min(spec.opsPerClient(), 50_000));
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(spec.clients(),
        r -> new Thread(r, "fault-workload-" + n.incrementAndGet()));
  }

  History history() {
    return history;
  }

  int okAppends() {
    return okAppends.get();
  }

  void start() {
    for (int c = 1; c <= spec.clients(); c++) {
      int client = c;
      workers.add(pool.submit(() -> runClient(client)));
    }
  }

  /** Stops every client after its current operation and waits for them. */
  void stopAndJoin() {
    stop.set(true);
    long end = System.nanoTime() + spec.operationTimeout().multipliedBy(3).toNanos();
    for (Future<?> f : workers) {
      try {
        f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("workload client did not stop: " + e, e);
      }
    }
  }

  private void runClient(int client) {
    Random random = new Random(seed * 1000 + client);
    ClientState state = new ClientState(client);
    long end = System.nanoTime() + spec.durationMax().toNanos();
    try (GfsClient gfs = clients.get()) {
      for (int i = 0; i < spec.opsPerClient() && !stop.get() && System.nanoTime() < end; i++) {
        int pick = random.nextInt(100);
        if (pick < spec.readPercent()) {
          read(gfs, state, random);
        } else if (pick < spec.readPercent() + spec.metaPercent()) {
          meta(gfs, state, random);
        } else {
          append(gfs, state, random);
        }
        LockSupport.parkNanos(spec.thinkTime().toNanos());
      }
    } catch (RuntimeException e) {
      LOG.error("fault workload client failed client={}", client, e);
      throw e;
    }
  }

  /** A client's own view: its next sequence, its files' names, what it last saw acknowledged. */
  private static final class ClientState {
    final int client;
    long sequence;
    int nameCounter;
    final List<String> names = new ArrayList<>();
    final long[] ackedEnd = new long[16];

    ClientState(int client) {
      this.client = client;
    }

    String newName() {
      return WorkloadSpec.META_DIR + "/c" + client + "/f" + (++nameCounter);
    }
  }

  private void append(GfsClient gfs, ClientState s, Random random) {
    int file = random.nextInt(spec.files());
    String path = spec.appendPath(file);
    AppendRecord r = AppendRecord.random(s.client, ++s.sequence,
        1 + random.nextInt(spec.payloadBytesMax()), random);
    int op = history.invoke(Op.append(s.client, path, r.sequence(), Op.Outcome.UNKNOWN, 0),
        System.nanoTime());
    try {
      long offset = gfs.appendFile(path, r.encode());
      history.complete(op, Op.Outcome.OK, offset, null, System.nanoTime(), null);
      okAppends.incrementAndGet();
      s.ackedEnd[file] = Math.max(s.ackedEnd[file], offset + r.encodedLength());
    } catch (RuntimeException e) {
      history.complete(op, outcome(e), 0, null, System.nanoTime(), e.toString());
    }
  }

  private void read(GfsClient gfs, ClientState s, Random random) {
    int file = random.nextInt(spec.files());
    String path = spec.appendPath(file);
    long known = s.ackedEnd[file];
    long offset = known == 0 ? 0 : (long) (random.nextDouble() * known);
    int op = history.invoke(Op.read(s.client, path, offset, null), System.nanoTime());
    try {
      byte[] data = gfs.read(path, offset, 16 * 1024);
      history.complete(op, Op.Outcome.OK, offset, data, System.nanoTime(), null);
    } catch (RuntimeException e) {
      history.complete(op, Op.Outcome.FAIL, offset, null, System.nanoTime(), e.toString());
    }
  }

  private void meta(GfsClient gfs, ClientState s, Random random) {
    int choice = s.names.isEmpty() ? 0 : random.nextInt(3);
    if (choice == 0) {
      String name = s.newName();
      int op = history.invoke(Op.meta(s.client, Op.Type.CREATE, name, null, Op.Outcome.UNKNOWN),
          System.nanoTime());
      Op.Outcome how = run(op, () -> gfs.createFile(name));
      if (how == Op.Outcome.OK) {
        s.names.add(name);
      }
    } else {
      String name = s.names.remove(random.nextInt(s.names.size()));
      if (choice == 1) {
        String to = s.newName();
        int op = history.invoke(Op.meta(s.client, Op.Type.RENAME, name, to, Op.Outcome.UNKNOWN),
            System.nanoTime());
        if (run(op, () -> gfs.rename(name, to)) == Op.Outcome.OK) {
          s.names.add(to);
        }
      } else {
        int op = history.invoke(Op.meta(s.client, Op.Type.DELETE, name, null, Op.Outcome.UNKNOWN),
            System.nanoTime());
        run(op, () -> gfs.delete(name, false));
      }
      // A name whose operation failed or is unknown is not touched again: its state stays
      // whatever the history allows.
    }
  }

  private Op.Outcome run(int op, Runnable call) {
    try {
      call.run();
      history.complete(op, Op.Outcome.OK, 0, null, System.nanoTime(), null);
      return Op.Outcome.OK;
    } catch (RuntimeException e) {
      Op.Outcome how = outcome(e);
      history.complete(op, how, 0, null, System.nanoTime(), e.toString());
      return how;
    }
  }

  /** Only an error the SDK says is definite counts as a failure; anything else is unknown. */
  static Op.Outcome outcome(RuntimeException e) {
    if (e instanceof GfsOutcomeUnknownException || !(e instanceof GfsException)) {
      return Op.Outcome.UNKNOWN;
    }
    return Op.Outcome.FAIL;
  }

  @Override
  public void close() {
    stop.set(true);
    pool.shutdownNow();
  }
}

package io.gfs.master.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.BatchOp;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.EntryType;
import io.gfs.proto.FileInfo;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workload + checker: a seeded random command stream over a small path universe (so commands
 * collide often), with every invariant checked after every step. A failure names the seed.
 */
class RandomizedInvariantsTest {
  private static final int STEPS = 5_000;
  private static final String[] NAMESPACES = {"", "ns1", "ns2"};
  private static final String[] NAMES = {"a", "b", "c"};
  private static final List<String> SERVERS = List.of("cs1", "cs2", "cs3", "cs4");

  private Random random;
  private long nextHandle = 1;
  private final List<String> handles = new ArrayList<>();  // live ones, from the last check
  private final List<String[]> files = new ArrayList<>();   // {namespace, path}, likewise
  private final Map<String, ChunkInfo> lastSeen = new HashMap<>();

  @ParameterizedTest
  @ValueSource(longs = {1L, 20260101L, 987654321L})
  void invariantsHoldAfterEveryStep(long seed) {
    random = new Random(seed);
    Fixture f = new Fixture();
    List<MasterCommand> log = new ArrayList<>();
    List<MasterResult> results = new ArrayList<>();
    int errors = 0;
    Map<MasterCommand.OpCase, Integer> successes = new java.util.EnumMap<>(
        MasterCommand.OpCase.class);
    for (int step = 0; step < STEPS; step++) {
      MasterCommand command = randomCommand(f);
      try {
        byte[] before = f.checkpoint();
        MasterResult result = f.apply(command);
        log.add(command.toBuilder().setTimestampMs(f.clockMs).build());
        results.add(result);
        if (result.getCode() == 0) {
          successes.merge(command.getOpCase(), 1, Integer::sum);
        }
        if (result.getCode() != 0) {
          errors++;
          assertThat(f.checkpoint()).as("an error result changed the state").isEqualTo(before);
        }
        checkInvariants(f.state);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed=" + seed + " step=" + step + " command=" + command, e);
      }
    }
    for (MasterCommand.OpCase op : MasterCommand.OpCase.values()) {
      if (op != MasterCommand.OpCase.OP_NOT_SET && op != MasterCommand.OpCase.BATCH) {
        assertThat(successes.getOrDefault(op, 0)).as("seed=%d successful %s", seed, op)
            .isGreaterThanOrEqualTo(5);
      }
    }
    assertThat(errors).as("the workload should mix successes and errors")
        .isBetween(STEPS / 20, STEPS * 19 / 20);
    // Replaying the same log elsewhere gives the same bytes.
    MasterState replica = new MasterState();
    for (int i = 0; i < log.size(); i++) {
      replica.apply(i + 1, log.get(i));
    }
    assertThat(Fixture.checkpointOf(replica)).as("seed=%d replay", seed)
        .isEqualTo(f.checkpoint());
    // The same log in batches of 1-8 commands per entry (the leader's group commit): every
    // command gets the result it got alone, and the state ends byte for byte the same.
    MasterState batched = new MasterState();
    long index = 0;
    for (int i = 0; i < log.size(); ) {
      int n = Math.min(1 + random.nextInt(8), log.size() - i);
      MasterCommand entry = MasterCommand.newBuilder().setBatch(
          BatchOp.newBuilder().addAllCommands(log.subList(i, i + n))).build();
      MasterResult r = batched.apply(++index, entry);
      assertThat(r.getBatchList()).as("seed=%d batch at %d", seed, i)
          .isEqualTo(results.subList(i, i + n));
      i += n;
    }
    assertThat(Fixture.checkpointOf(batched)).as("seed=%d batched replay", seed)
        .isEqualTo(f.checkpoint());
  }

  private String randomPath() {
    int depth = 1 + random.nextInt(3);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      b.append('/').append(NAMES[random.nextInt(NAMES.length)]);
    }
    return b.toString();
  }

  private String randomHandle() {
    if (handles.isEmpty() || random.nextInt(15) == 0) {
      return Ops.handle(nextHandle + 1000);  // unknown
    }
    return handles.get(random.nextInt(handles.size()));
  }

  private List<String> randomReplicas(String mustHave) {
    List<String> r = new ArrayList<>(List.of(mustHave));
    for (String s : SERVERS) {
      if (!s.equals(mustHave) && random.nextBoolean()) {
        r.add(s);
      }
    }
    return r;
  }

  private MasterCommand randomCommand(Fixture f) {
    String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
    String server = SERVERS.get(random.nextInt(SERVERS.size()));
    int kind = random.nextInt(100);
    if (kind < 18) {
      return Ops.create(ns, randomPath());
    } else if (kind < 28) {
      return Ops.mkdir(ns, randomPath(), random.nextBoolean());
    } else if (kind < 36) {
      return Ops.delete(ns, random.nextInt(20) == 0 ? "/" : randomPath(), random.nextBoolean());
    } else if (kind < 46) {
      return Ops.rename(ns, randomPath(), randomPath(), random.nextBoolean());
    } else if (kind < 47) {
      return random.nextInt(4) == 0 ? Ops.deleteNamespace(ns) : Ops.create(ns, randomPath());
    } else if (kind < 62) {
      String path = randomPath();
      if (!files.isEmpty() && random.nextInt(4) != 0) {
        String[] file = files.get(random.nextInt(files.size()));
        ns = file[0];
        path = file[1];
      }
      MasterQueryResult loc = f.query(Ops.locations(ns, path, 0, 0));
      int count = loc.getCode() == 0 ? loc.getChunkLocations().getChunksCount() : 0;
      int index = Math.max(0, count + random.nextInt(3) - 1);
      String handle = random.nextInt(15) == 0 && !handles.isEmpty()
          ? handles.get(random.nextInt(handles.size()))  // duplicate handle
          : Ops.handle(nextHandle++);
      return Ops.allocate(ns, path, index, handle, randomReplicas(server), server,
          f.clockMs + 60_000);
    } else if (kind < 80) {
      String handle = randomHandle();
      long version = f.state.chunk(handle).map(ChunkInfo::getVersion).orElse(1L);
      return Ops.commit(handle, Math.max(0, version + random.nextInt(3) - 1),
          random.nextInt(1 << 20), random.nextInt(8) == 0);
    } else if (kind < 90) {
      String handle = randomHandle();
      ChunkInfo c = f.state.chunk(handle).orElse(null);
      long version = c == null ? 1 : c.getVersion();
      String primary = c != null && random.nextBoolean() ? c.getPrimary() : server;
      return Ops.grant(handle, primary, version + random.nextInt(3) - 1 + (primary.isEmpty()
          ? 1 : 0), f.clockMs + 60_000, randomReplicas(primary.isEmpty() ? server : primary));
    } else if (kind < 95) {
      String handle = randomHandle();
      long version = f.state.chunk(handle).map(ChunkInfo::getVersion).orElse(1L);
      return Ops.markStale(handle, server, Math.max(0, version + random.nextInt(3) - 1));
    } else if (kind < 98) {
      String handle = randomHandle();
      long version = f.state.chunk(handle).map(ChunkInfo::getVersion).orElse(1L);
      return Ops.addReplica(handle, server, version - random.nextInt(2));
    } else {
      return Ops.removeReplica(randomHandle(), server);
    }
  }

  private void checkInvariants(MasterState state) {
    Set<String> chunkHandles = new java.util.TreeSet<>();
    files.clear();
    long fileCount = 0;
    long dirs = 0;
    List<String> namespaces =
        state.query(Ops.namespaces()).getListNamespaces().getNamespacesList();
    assertThat(namespaces).contains("default").isSorted();
    for (String ns : namespaces) {
      MasterQueryResult listed = state.query(Ops.list(ns, "/", true, 10_000, ""));
      assertThat(listed.getCode()).isZero();
      assertThat(listed.getListFiles().getNextPageToken()).isEmpty();
      Map<String, EntryType> types = new HashMap<>();
      types.put("/", EntryType.DIRECTORY);
      for (FileInfo e : listed.getListFiles().getEntriesList()) {
        types.put(e.getPath(), e.getType());
      }
      for (FileInfo e : listed.getListFiles().getEntriesList()) {
        String parent = e.getPath().substring(0, Math.max(1, e.getPath().lastIndexOf('/')));
        assertThat(types.get(parent)).as("parent of %s in %s", e.getPath(), ns)
            .isEqualTo(EntryType.DIRECTORY);
        if (e.getType() == EntryType.DIRECTORY) {
          dirs++;
          continue;
        }
        fileCount++;
        this.files.add(new String[] {ns, e.getPath()});
        var loc = state.query(Ops.locations(ns, e.getPath(), 0, 0)).getChunkLocations();
        long length = 0;
        for (int i = 0; i < loc.getChunksCount(); i++) {
          ChunkInfo c = loc.getChunks(i);
          assertThat(c.getIndex()).isEqualTo(i);
          assertThat(chunkHandles.add(c.getHandle())).as("handle %s in two files", c.getHandle())
              .isTrue();
          assertThat(state.chunk(c.getHandle())).contains(c);
          checkMonotonic(c);
          length += c.getCommittedLength();
        }
        assertThat(loc.getFile().getLength()).isEqualTo(length);
        assertThat(loc.getFile().getChunkCount()).isEqualTo(loc.getChunksCount());
      }
    }
    var stats = state.query(Ops.stats()).getStats();
    assertThat(stats.getChunkCount()).as("every chunk in the table belongs to one file")
        .isEqualTo(chunkHandles.size());
    assertThat(stats.getFileCount()).isEqualTo(fileCount);
    assertThat(stats.getDirectoryCount()).isEqualTo(dirs);
    assertThat(stats.getNamespaceCount()).isEqualTo(namespaces.size());
    lastSeen.keySet().retainAll(chunkHandles);
    handles.clear();
    handles.addAll(chunkHandles);
  }

  private void checkMonotonic(ChunkInfo now) {
    ChunkInfo before = lastSeen.put(now.getHandle(), now);
    if (before != null) {
      assertThat(now.getVersion()).as("version of %s", now.getHandle())
          .isGreaterThanOrEqualTo(before.getVersion());
      assertThat(now.getCommittedLength()).as("committed length of %s", now.getHandle())
          .isGreaterThanOrEqualTo(before.getCommittedLength());
      if (before.getSealed()) {
        assertThat(now.getSealed()).isTrue();
      }
    }
    assertThat(now.getVersion()).isPositive();
  }
}

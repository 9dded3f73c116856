package io.gfs.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.it.fault.Op.Outcome;
import io.gfs.it.fault.Op.Type;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker catches each kind of violation in hand-made histories, and passes a good one. */
class CheckerTest {
  private static final String LOG = "/w/log0";
  private final Random random = new Random(42);

  /** Two acknowledged records back to back, with 7 bytes of padding before the second. */
  private final AppendRecord first = AppendRecord.random(1, 1, 100, random);
  private final AppendRecord second = AppendRecord.random(2, 1, 50, random);
  private final long secondOffset = first.encodedLength() + 7;

  private byte[] file() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(first.encode());
    out.writeBytes(new byte[7]);
    out.writeBytes(second.encode());
    return out.toByteArray();
  }

  private List<Op> goodHistory() {
    List<Op> h = new ArrayList<>();
    h.add(Op.append(1, LOG, 1, Outcome.OK, 0));
    h.add(Op.append(2, LOG, 1, Outcome.OK, secondOffset));
    h.add(Op.read(3, LOG, 0, java.util.Arrays.copyOf(file(), 60)));
    h.add(Op.meta(1, Type.CREATE, "/m/a", null, Outcome.OK));
    h.add(Op.meta(1, Type.RENAME, "/m/a", "/m/b", Outcome.OK));
    h.add(Op.meta(1, Type.CREATE, "/m/c", null, Outcome.OK));
    h.add(Op.meta(1, Type.DELETE, "/m/c", null, Outcome.OK));
    return ordered(h);
  }

  private static List<Op> ordered(List<Op> ops) {
    List<Op> out = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      out.add(new Op(op.client(), op.type(), op.path(), op.target(), op.sequence(), op.offset(),
          op.data(), op.outcome(), i + 1, i + 2, null));
    }
    return out;
  }

  private FinalState state(byte[] file, Set<String> meta) {
    byte[] replica = file;
    return new FinalState(Map.of(LOG, file), meta,
        List.of(new FinalState.ChunkReplicas(LOG, "h1", file.length,
            Map.of("cs1", replica, "cs2", replica.clone()))),
        Set.of("h1"), Set.of("h1"));
  }

  @Test
  void goodHistoryPasses() {
    CheckReport r = Checker.check(goodHistory(), state(file(), Set.of("/m/b")));
    assertThat(r.violations()).isEmpty();
    assertThat(r.acked()).isEqualTo(2);
  }

  @Test
  void catchesLostAcknowledgedAppend() {
    byte[] truncated = java.util.Arrays.copyOf(file(), first.encodedLength());
    List<Op> h = goodHistory();
    h.removeIf(op -> op.type() == Type.READ);
    CheckReport r = Checker.check(h, state(truncated, Set.of("/m/b")));
    assertThat(r.lost()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void catchesRecordAtWrongOffsetAsLost() {
    List<Op> h = new ArrayList<>(goodHistory());
    h.set(1, Op.append(2, LOG, 1, Outcome.OK, secondOffset - 1));
    assertThat(Checker.check(ordered(h), state(file(), Set.of("/m/b"))).lost()).isEqualTo(1);
  }

  @Test
  void catchesPhantomRecord() {
    List<Op> h = new ArrayList<>(goodHistory());
    h.remove(1);
    assertThat(Checker.check(h, state(file(), Set.of("/m/b"))).phantom()).isEqualTo(1);
  }

  @Test
  void catchesDefinitelyFailedAppendThatIsPresent() {
    List<Op> h = new ArrayList<>(goodHistory());
    h.set(1, Op.append(2, LOG, 1, Outcome.FAIL, 0));
    CheckReport r = Checker.check(ordered(h), state(file(), Set.of("/m/b")));
    assertThat(r.failedPresent()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void unknownAppendMayBePresentOrAbsent() {
    List<Op> h = new ArrayList<>(goodHistory());
    h.set(1, Op.append(2, LOG, 1, Outcome.UNKNOWN, 0));
    h.add(Op.append(2, LOG, 2, Outcome.UNKNOWN, 0));
    assertThat(Checker.check(ordered(h), state(file(), Set.of("/m/b"))).ok()).isTrue();
  }

  @Test
  void countsDuplicatesWithoutFailing() {
    byte[] f = file();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(f);
    out.writeBytes(second.encode());
    CheckReport r = Checker.check(goodHistory(), state(out.toByteArray(), Set.of("/m/b")));
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.ok()).isTrue();
  }

  @Test
  void catchesReadThatIsNotPrefixOfFinalFile() {
    List<Op> h = new ArrayList<>(goodHistory());
    byte[] bad = java.util.Arrays.copyOf(file(), 60);
    bad[30] ^= 1;
    h.add(Op.read(3, LOG, 0, bad));
    assertThat(Checker.check(ordered(h), state(file(), Set.of("/m/b"))).staleReads())
        .isEqualTo(1);
  }

  @Test
  void catchesDifferingReplicas() {
    byte[] f = file();
    byte[] flipped = f.clone();
    flipped[10] ^= 0x40;
    FinalState s = new FinalState(Map.of(LOG, f), Set.of("/m/b"),
        List.of(new FinalState.ChunkReplicas(LOG, "h1", f.length,
            Map.of("cs1", f, "cs2", flipped, "cs3", java.util.Arrays.copyOf(f, 5)))),
        Set.of("h1"), Set.of("h1"));
    assertThat(Checker.check(goodHistory(), s).replicaMismatches()).isEqualTo(2);
  }

  @Test
  void catchesOrphanChunkHandle() {
    byte[] f = file();
    FinalState s = new FinalState(Map.of(LOG, f), Set.of("/m/b"), List.of(), Set.of("h1"),
        Set.of("h1", "h2"));
    assertThat(Checker.check(goodHistory(), s).orphanHandles()).isEqualTo(1);
  }

  @Test
  void catchesLostCreateRenameAndDelete() {
    assertThat(Checker.check(goodHistory(), state(file(), Set.of())).metaLost())
        .as("rename lost").isEqualTo(1);
    assertThat(Checker.check(goodHistory(), state(file(), Set.of("/m/a"))).metaLost())
        .as("rename undone").isEqualTo(2);
    assertThat(Checker.check(goodHistory(), state(file(), Set.of("/m/b", "/m/c"))).metaLost())
        .as("delete lost").isEqualTo(1);
  }

  @Test
  void catchesPhantomFile() {
    CheckReport r = Checker.check(goodHistory(), state(file(), Set.of("/m/b", "/m/zzz")));
    assertThat(r.phantom()).isEqualTo(1);
  }

  @Test
  void unknownMetadataOperationsAllowEitherOutcome() {
    List<Op> h = new ArrayList<>();
    h.add(Op.meta(1, Type.CREATE, "/m/x", null, Outcome.UNKNOWN));
    h.add(Op.meta(1, Type.CREATE, "/m/y", null, Outcome.OK));
    h.add(Op.meta(1, Type.DELETE, "/m/y", null, Outcome.UNKNOWN));
    FinalState empty = new FinalState(Map.of(), Set.of(), List.of(), Set.of(), Set.of());
    assertThat(Checker.check(ordered(h), empty).ok()).isTrue();
    FinalState both = new FinalState(Map.of(), Set.of("/m/x", "/m/y"), List.of(), Set.of(),
        Set.of());
    assertThat(Checker.check(ordered(h), both).ok()).isTrue();
  }

  @Test
  void scanSkipsGarbageAndFindsRecords() {
    byte[] f = file();
    f[first.encodedLength() + 2] = 0x52; // garbage that starts like a magic
    assertThat(AppendRecord.scan(f)).extracting(AppendRecord.Found::offset)
        .containsExactly(0L, secondOffset);
  }
}

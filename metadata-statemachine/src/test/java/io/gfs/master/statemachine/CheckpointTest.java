package io.gfs.master.statemachine;

import static io.gfs.master.statemachine.Ops.handle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  private static final List<String> THREE = List.of("cs1", "cs2", "cs3");

  /** A command sequence touching every kind of state: namespaces, dirs, files, chunks. */
  static List<MasterCommand> script() {
    List<MasterCommand> s = new ArrayList<>();
    s.add(Ops.mkdir("", "/empty/dir", true));
    s.add(Ops.create("", "/logs/2024/a.log"));
    s.add(Ops.create("", "/logs/2024/b.log"));
    s.add(Ops.create("", "/\u00e9t\u00e9/\ud83d\ude00"));
    s.add(Ops.create("tenant-1", "/data/x"));
    s.add(Ops.mkdir("tenant-2", "/only-dir", false));
    s.add(Ops.allocate("", "/logs/2024/a.log", 0, handle(1), THREE, "cs1", 60_000));
    s.add(Ops.allocate("", "/logs/2024/a.log", 1, handle(2), THREE, "cs2", 60_000));
    s.add(Ops.allocate("tenant-1", "/data/x", 0, handle(3), List.of("cs3"), "cs3", 61_000));
    s.add(Ops.commit(handle(1), 1, 64, true));
    s.add(Ops.commit(handle(2), 1, 17, false));
    s.add(Ops.grant(handle(2), "cs3", 2, 70_000, List.of("cs3", "cs1")));
    s.add(Ops.markStale(handle(3), "cs3", 1));
    s.add(Ops.addReplica(handle(1), "cs4", 1));
    s.add(Ops.rename("", "/logs/2024", "/archive/2024", false));
    s.add(Ops.create("", "/gone"));
    s.add(Ops.delete("", "/gone", false));
    s.add(Ops.create("", "/archive/2024/a.log"));  // ALREADY_EXISTS: an error in the log
    return s;
  }

  private static Fixture run(List<MasterCommand> commands) {
    Fixture f = new Fixture();
    for (MasterCommand c : commands) {
      f.apply(c);
    }
    return f;
  }

  private static List<Object> answers(MasterState s) {
    List<Object> out = new ArrayList<>();
    out.add(s.query(Ops.namespaces()));
    out.add(s.query(Ops.stats()));
    for (String ns : s.query(Ops.namespaces()).getListNamespaces().getNamespacesList()) {
      var listing = s.query(Ops.list(ns, "/", true, 0, "")).getListFiles();
      out.add(listing);
      for (var e : listing.getEntriesList()) {
        out.add(s.query(Ops.getFile(ns, e.getPath())));
        out.add(s.query(Ops.locations(ns, e.getPath(), 0, 0)));
      }
    }
    for (int i = 1; i <= 3; i++) {
      out.add(s.query(MasterQuery.newBuilder()
          .setChunk(io.gfs.proto.ChunkQuery.newBuilder().setHandle(handle(i))).build()));
    }
    return out;
  }

  @Test
  void theSameCommandsGiveByteIdenticalCheckpoints() {
    byte[] a = run(script()).checkpoint();
    byte[] b = run(script()).checkpoint();
    assertThat(a).isEqualTo(b);
    byte[] shorter = run(script().subList(0, script().size() - 3)).checkpoint();
    assertThat(shorter).isNotEqualTo(a);
  }

  @Test
  void restoreGivesAnEqualStateThatKeepsEvolvingIdentically() throws IOException {
    Fixture original = run(script());
    byte[] bytes = original.checkpoint();
    MasterState.LoadedCheckpoint loaded = Fixture.restore(bytes);
    assertThat(loaded.term()).isEqualTo(3);
    assertThat(loaded.index()).isEqualTo(42);
    assertThat(loaded.state().lastAppliedIndex()).isEqualTo(42);
    assertThat(Fixture.checkpointOf(loaded.state())).isEqualTo(bytes);
    assertThat(answers(loaded.state())).isEqualTo(answers(original.state));

    original.index = loaded.index();  // the checkpoint claims index 42: continue after it
    Fixture restored = new Fixture(loaded.state(), loaded.index());
    restored.clockMs = original.clockMs;
    List<MasterCommand> more = List.of(
        Ops.commit(handle(2), 2, 99, false),
        Ops.create("tenant-2", "/only-dir/f"),
        Ops.allocate("", "/archive/2024/a.log", 2, handle(4), THREE, "cs1", 80_000),
        Ops.deleteNamespace("tenant-1"));
    for (MasterCommand c : more) {
      assertThat(restored.apply(c)).isEqualTo(original.apply(c));
    }
    assertThat(restored.checkpoint()).isEqualTo(original.checkpoint());
  }

  @Test
  void anEmptyStateRoundTrips() throws IOException {
    byte[] bytes = Fixture.checkpointOf(new MasterState());
    assertThat(Fixture.checkpointOf(Fixture.restore(bytes).state())).isEqualTo(bytes);
  }

  @Test
  void aLargeStateStreamsAndRestores() throws IOException {
    Fixture f = new Fixture();
    for (int i = 0; i < 20_000; i++) {
      f.ok(Ops.create("", String.format("/d%02d/file-%05d", i % 50, i)));
    }
    byte[] bytes = f.checkpoint();
    MasterState restored = Fixture.restore(bytes).state();
    assertThat(restored.stats().getFileCount()).isEqualTo(20_000);
    assertThat(restored.stats().getDirectoryCount()).isEqualTo(50);
    assertThat(Fixture.checkpointOf(restored)).isEqualTo(bytes);
  }

  @Test
  void everyFlippedByteIsRejected() {
    byte[] good = run(script()).checkpoint();
    assertThat(good.length).isLessThan(10_000);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      int at = i;
      assertThatThrownBy(() -> Fixture.restore(bad)).as("flip at byte %d", at)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] good = run(script()).checkpoint();
    for (int len = 0; len < good.length; len++) {
      byte[] bad = Arrays.copyOf(good, len);
      int at = len;
      assertThatThrownBy(() -> Fixture.restore(bad)).as("truncated to %d", at)
          .isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> Fixture.restore(Arrays.copyOf(good, good.length - 2)))
        .hasMessageContaining("trailer");
  }

  @Test
  void wrongMagicVersionAndTrailingBytesAreNamed() throws IOException {
    byte[] good = run(script()).checkpoint();
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> Fixture.restore(magic)).hasMessageContaining("bad magic");
    byte[] version = good.clone();
    version[11] = 2;
    assertThatThrownBy(() -> Fixture.restore(version))
        .hasMessageContaining("unsupported checkpoint format version 2");
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x40;
    assertThatThrownBy(() -> Fixture.restore(flipped)).isInstanceOf(IOException.class)
        .hasMessageContaining("checkpoint");
    ByteArrayOutputStream longer = new ByteArrayOutputStream();
    longer.write(good);
    longer.write(0);
    assertThatThrownBy(() -> MasterState.readCheckpoint(
        new ByteArrayInputStream(longer.toByteArray())))
        .hasMessageContaining("after its checksum trailer");
  }
}

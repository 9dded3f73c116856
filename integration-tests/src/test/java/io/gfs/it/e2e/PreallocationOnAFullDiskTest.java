package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.storage.StageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small commit extends the chunk file a preallocation step ahead with zeros; on a disk with
 * room for the commit but not for the step, the commit still goes through (a real full disk: a
 * small tmpfs).
 */
class PreallocationOnAFullDiskTest {
  private static final int STEP = ChunkStore.PREALLOCATE_STEP;
  private Tmpfs tmpfs;

  @AfterEach
  void tearDown() throws IOException {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @Test
  void aCommitThatFitsIsTakenWhenTheStepDoesNot(@TempDir Path dir) throws IOException {
    Object m = Tmpfs.tryMount(dir.resolve("tmpfs"), 2L << 20);
    Assumptions.assumeTrue(m instanceof Tmpfs,
        () -> "this test needs a tmpfs mount (root and mount(8)): " + m);
    tmpfs = (Tmpfs) m;
    ChunkStore store = ChunkStore.open("cs1", tmpfs.dir().resolve("cs1"));
    String handle = UUID.randomUUID().toString();
    store.createIfAbsent(handle, 1);
    byte[] first = bytes(4096, 1);
    byte[] rest = bytes(STEP - first.length, 2); // fills the first step exactly
    commit(store, handle, 1, 0, first);
    commit(store, handle, 2, first.length, rest);
    Path data = tmpfs.dir().resolve("cs1").resolve("chunks").resolve(handle + ".chunk");
    assertThat(Files.size(data)).isEqualTo(STEP);

    tmpfs.fill();
    int free = 64 * 1024; // room for the next commit, not for the step after it
    Path filler = tmpfs.dir().resolve("filler");
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - free);
    }
    byte[] next = bytes(16 * 1024, 3);
    assertThat(commit(store, handle, 3, STEP, next)).isEqualTo(STEP + next.length);
    assertThat(Files.size(data)).as("no zeros left behind").isEqualTo(STEP + next.length);

    byte[] all = Files.readAllBytes(data);
    assertThat(Arrays.copyOfRange(all, 0, first.length)).isEqualTo(first);
    assertThat(Arrays.copyOfRange(all, first.length, STEP)).isEqualTo(rest);
    assertThat(Arrays.copyOfRange(all, STEP, all.length)).isEqualTo(next);
  }

  private static long commit(ChunkStore store, String handle, long seq, long offset,
      byte[] bytes) {
    try (StageFile stage = store.openStage(handle, 1, seq, bytes.length,
        Crc32cBlocks.crc(bytes, 0, bytes.length))) {
      stage.write(ByteBuffer.wrap(bytes));
      stage.complete();
      return store.commitStage(stage, offset, seq).committedLength();
    }
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}

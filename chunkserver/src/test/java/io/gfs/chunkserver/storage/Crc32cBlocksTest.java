package io.gfs.chunkserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.dataplane.ChunkException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Crc32cBlocksTest {
  private static final int BLOCK = Crc32cBlocks.BLOCK;

  @TempDir
  Path dir;

  /** A file longer than one read-back buffer, not ending on a block boundary. */
  private byte[] file(Path path) throws Exception {
    byte[] bytes = new byte[37 * BLOCK + 1234];
    new Random(7).nextBytes(bytes);
    Files.write(path, bytes);
    return bytes;
  }

  private static int[] blockCrcs(byte[] bytes, int length) {
    int[] out = new int[Crc32cBlocks.blockCount(length)];
    for (int b = 0; b < out.length; b++) {
      out[b] = Crc32cBlocks.crc(bytes, b * BLOCK, Math.min(BLOCK, length - b * BLOCK));
    }
    return out;
  }

  @Test
  void extendsFromAnOffsetInsideABlockAndChecksTheRange() throws Exception {
    Path path = dir.resolve("data");
    byte[] bytes = file(path);
    int from = 3 * BLOCK + 100;
    int[] before = blockCrcs(bytes, from);
    int[] garbled = before.clone();
    garbled[3] = ~garbled[3]; // the partial block is recomputed from the file, not kept
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      int[] got = Crc32cBlocks.extend(garbled, from, bytes.length, ch,
          Crc32cBlocks.crc(bytes, from, bytes.length - from));
      assertThat(got).isEqualTo(blockCrcs(bytes, bytes.length));
      assertThat(Arrays.copyOf(got, 3)).isEqualTo(Arrays.copyOf(garbled, 3));
    }
  }

  @Test
  void aRangeThatDoesNotMatchItsChecksumIsRefused() throws Exception {
    Path path = dir.resolve("data");
    byte[] bytes = file(path);
    int from = 20 * BLOCK;
    int wrong = Crc32cBlocks.crc(bytes, from, bytes.length - from) ^ 1;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      assertThatThrownBy(() -> Crc32cBlocks.extend(blockCrcs(bytes, from), from, bytes.length,
          ch, wrong))
          .isInstanceOf(ChunkException.class)
          .hasMessageContaining("do not match");
    }
  }

  @Test
  void aFileShorterThanTheNewLengthFails() throws Exception {
    Path path = dir.resolve("data");
    Files.write(path, new byte[BLOCK]);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      assertThatThrownBy(() -> Crc32cBlocks.extend(new int[0], 0, 2 * BLOCK, ch, null))
          .hasMessageContaining("unexpected end");
    }
  }

  @Test
  void readFullyFillsADirectBuffer() throws Exception {
    Path path = dir.resolve("data");
    byte[] bytes = file(path);
    ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      FileChannels.readFully(ch, buf, 5);
    }
    byte[] got = new byte[BLOCK];
    buf.flip().get(got);
    assertThat(got).isEqualTo(Arrays.copyOfRange(bytes, 5, 5 + BLOCK));
  }
}

package io.gfs.chunkserver.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.gfs.client.internal.dataplane.DataPlaneStatus;
import io.gfs.client.internal.dataplane.Reply;
import io.gfs.client.internal.dataplane.ReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the server pipeline (decoder + connection handler over the fake engine):
 * random bytes, and valid request streams with flipped bytes, truncations and inserted garbage.
 * Whatever comes in, the server's output is a clean sequence of protocol frames, nothing escapes
 * the pipeline, and a connection the server closes always got an error frame first.
 * A failing case prints its seed; rerun with that seed to reproduce.
 */
class DecoderFuzzTest {
  private static final long BASE_SEED = 0x5EEDL;
  private static final int CASES = 400;
  private static final UUID CHUNK = UUID.fromString("11111111-2222-3333-4444-555555555555");

  @TempDir Path dir;
  private FakeChunkOperations ops;
  private int closedCases;
  private int repliesSeen;
  private final DataPlaneConfig config = new DataPlaneConfig("127.0.0.1", 0, 10, 4096, 1 << 20,
      1 << 20, 8, Duration.ofSeconds(60), Duration.ofSeconds(60), 1, 1, 16);

  @BeforeEach
  void setUp() {
    ops = new FakeChunkOperations(dir, 1 << 20);
    ops.create(CHUNK.toString(), 1);
  }

  @Test
  void serverAnswersEveryInputWithFramesOrAnErrorAndClose() throws IOException {
    // Case seeds come from a master generator: consecutive seeds would give java.util.Random
    // nearly identical first outputs, and every case would take the same branch.
    Random master = new Random(BASE_SEED);
    for (int i = 0; i < CASES; i++) {
      long seed = master.nextLong();
      Random random = new Random(seed);
      byte[] input = input(random);
      try {
        runCase(random, input);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("fuzz case failed, seed=" + seed + " inputBytes=" + input.length,
            e);
      }
    }
    assertThat(ops.openRegions).hasValue(0);
    System.out.printf("DecoderFuzzTest cases=%d closedByServer=%d replies=%d appended=%d%n",
        CASES, closedCases, repliesSeen, ops.committedLength(CHUNK.toString(), 1));
    // The generator must reach both outcomes, or the test proves little.
    assertThat(closedCases).isBetween(CASES / 10, CASES - CASES / 10);
  }

  private void runCase(Random random, byte[] input) throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(config.dataFrameBytesMax()),
        new ConnectionHandler("fuzz", ops, Runnable::run, config,
            new DataPlaneMetrics(new MetricRegistry(), () -> 0), new RequestGate()));
    int at = 0;
    while (at < input.length && ch.isOpen()) {
      int n = Math.min(input.length - at, 1 + random.nextInt(64));
      ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
      at += n;
      for (int round = 0; round < 8; round++) {
        ch.runPendingTasks();
      }
    }
    ch.checkException(); // nothing reached the end of the pipeline
    boolean closedByServer = !ch.isOpen();
    List<Reply> replies = drainReplies(ch);
    repliesSeen += replies.size();
    if (closedByServer) {
      closedCases++;
      assertThat(replies).isNotEmpty();
      assertThat(replies.get(replies.size() - 1)).isInstanceOf(Reply.Error.class);
    }
    ch.finishAndReleaseAll();
  }

  /** Decodes everything the server wrote with the real client decoder. */
  private static List<Reply> drainReplies(EmbeddedChannel server) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    WritableByteChannel sink = Channels.newChannel(bytes);
    for (Object o; (o = server.readOutbound()) != null; ) {
      if (o instanceof ByteBuf b) {
        b.readBytes(bytes, b.readableBytes());
        b.release();
      } else if (o instanceof FileRegion r) {
        while (r.transferred() < r.count()) {
          r.transferTo(sink, r.transferred());
        }
        r.release();
      } else {
        throw new AssertionError("unexpected outbound message " + o);
      }
    }
    EmbeddedChannel client = new EmbeddedChannel(new ReplyDecoder(2 << 20));
    client.writeInbound(Unpooled.wrappedBuffer(bytes.toByteArray()));
    List<Reply> replies = new ArrayList<>();
    for (Object o; (o = client.readInbound()) != null; ) {
      Reply r = (Reply) o;
      if (r instanceof Reply.Error e && e.requestId() == 0) {
        assertThat(e.status()).as("server output broke the protocol: %s", e.message())
            .isNotEqualTo(DataPlaneStatus.MALFORMED);
      }
      if (r instanceof Reply.ReadData d) {
        d.data().release(); // the receiver owns a read's bytes; only the reply's kind matters here
      }
      replies.add(r);
    }
    client.finishAndReleaseAll();
    return replies;
  }

  private static byte[] input(Random random) {
    int kind = random.nextInt(4);
    if (kind == 0) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      return noise;
    }
    byte[] valid = validStream(random);
    return switch (kind) {
      case 1 -> {
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          valid[random.nextInt(valid.length)] = (byte) random.nextInt(256);
        }
        yield valid;
      }
      case 2 -> Arrays.copyOf(valid, random.nextInt(valid.length));
      default -> {
        byte[] junk = new byte[1 + random.nextInt(20)];
        random.nextBytes(junk);
        int cut = random.nextInt(valid.length);
        yield HostileInputTest.concat(Arrays.copyOf(valid, cut), junk,
            Arrays.copyOfRange(valid, cut, valid.length));
      }
    };
  }

  /** A well-formed stream of 1-6 requests, reads and writes on a real (fake) chunk. */
  private static byte[] validStream(Random random) {
    List<byte[]> frames = new ArrayList<>();
    long id = 1;
    for (int n = 1 + random.nextInt(6); n > 0; n--, id++) {
      UUID handle = random.nextInt(4) == 0 ? UUID.randomUUID() : CHUNK;
      switch (random.nextInt(4)) {
        case 0 -> frames.add(RawFrames.ping(id));
        case 1 -> frames.add(RawFrames.read(id, handle, 1, random.nextInt(200_000),
            random.nextInt(200_000)));
        default -> {
          byte[] data = new byte[1 + random.nextInt(9000)];
          random.nextBytes(data);
          CRC32C crc = new CRC32C();
          crc.update(data);
          frames.add(RawFrames.beginWrite(id, true, handle, 1, -1, data.length,
              (int) crc.getValue()));
          for (int off = 0; off < data.length; off += 4096) {
            frames.add(RawFrames.data(id, Arrays.copyOfRange(data, off,
                Math.min(data.length, off + 4096))));
          }
        }
      }
    }
    return HostileInputTest.concat(frames.toArray(byte[][]::new));
  }
}

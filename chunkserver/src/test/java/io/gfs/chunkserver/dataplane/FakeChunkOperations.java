package io.gfs.chunkserver.dataplane;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * A real, file-backed ChunkOperations for data-plane tests: one file per chunk in a temp dir,
 * committed length = file size, a single "primary" for every chunk. No replication. Knobs let
 * tests corrupt checksums, slow down write sessions and watch aborts and region releases.
 */
final class FakeChunkOperations implements ChunkOperations {
  private static final int BLOCK = CHECKSUM_BLOCK_BYTES;

  private final Path dir;
  private final long chunkBytesMax;
  private final Map<String, Long> versions = new HashMap<>(); // guarded by this
  private final Map<String, Long> committed = new HashMap<>(); // guarded by this

  final List<String> aborts = new CopyOnWriteArrayList<>();
  final AtomicInteger openRegions = new AtomicInteger();
  final AtomicInteger piecesReceived = new AtomicInteger();
  final AtomicInteger piecesInFlight = new AtomicInteger();
  final AtomicInteger piecesInFlightMax = new AtomicInteger();
  volatile boolean corruptChecksums;
  volatile String notPrimaryHandle;
  /** Hand reads back as bytes already read into a buffer (as direct reads are), not a file. */
  volatile boolean readIntoBuffers;
  /** Begin writes on the event loop (ChunkOperations.tryBeginWriteQuickly). */
  volatile boolean quickBegin;
  final AtomicInteger quickBegins = new AtomicInteger();
  /** Supplies the stage onData returns; tests swap in stages they complete later. */
  volatile Supplier<CompletableFuture<Void>> pieceGate = FakeChunkOperations::done;
  /** Supplies the stage finish() waits for before committing. */
  volatile Supplier<CompletableFuture<Void>> finishGate = FakeChunkOperations::done;

  static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  FakeChunkOperations(Path dir, long chunkBytesMax) {
    this.dir = dir;
    this.chunkBytesMax = chunkBytesMax;
  }

  synchronized void create(String handle, long version) {
    versions.put(handle, version);
    committed.put(handle, 0L);
    try {
      Files.write(file(handle), new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes committed so far, straight from the file. */
  byte[] contents(String handle) throws IOException {
    return Files.readAllBytes(file(handle));
  }

  @Override
  public ReadRegion read(String handle, long version, long offset, long length) {
    long length0;
    synchronized (this) {
      check(handle, version);
      length0 = committed.get(handle);
    }
    if (offset < 0 || length < 0) {
      throw new ChunkException(ChunkException.Code.INVALID_ARGUMENT, "negative range");
    }
    long start = Math.min(offset, length0) / BLOCK * BLOCK;
    long end = offset >= length0 ? start
        : Math.min((offset + length + BLOCK - 1) / BLOCK * BLOCK, length0);
    try {
      FileChannel channel = FileChannel.open(file(handle), StandardOpenOption.READ);
      int[] crcs = blockCrcs(channel, start, end);
      if (corruptChecksums && crcs.length > 0) {
        crcs[crcs.length - 1] ^= 0x5a5a;
      }
      ByteBuffer bytes = null;
      if (readIntoBuffers) {
        bytes = ByteBuffer.allocateDirect((int) (end - start));
        while (bytes.hasRemaining()) {
          channel.read(bytes, start + bytes.position());
        }
        bytes.flip();
      }
      openRegions.incrementAndGet();
      AtomicInteger releases = new AtomicInteger();
      return new ReadRegion(bytes == null ? channel : null, start, end - start, start, crcs,
          length0, bytes, () -> {
            if (releases.incrementAndGet() != 1) {
              throw new IllegalStateException("region released twice");
            }
            openRegions.decrementAndGet();
            try {
              channel.close();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (IOException e) {
      throw new ChunkException(ChunkException.Code.INTERNAL, e.toString(), e);
    }
  }

  @Override
  public synchronized long committedLength(String handle, long version) {
    check(handle, version);
    return committed.get(handle);
  }

  @Override
  public WriteSession tryBeginWriteQuickly(String handle, long version, long offset,
      long length, int crc32c) {
    if (!quickBegin) {
      return null;
    }
    quickBegins.incrementAndGet();
    return beginWrite(handle, version, offset, length, crc32c);
  }

  @Override
  public synchronized WriteSession beginWrite(String handle, long version, long offset,
      long length, int crc32c) {
    check(handle, version);
    if (handle.equals(notPrimaryHandle)) {
      throw new ChunkException(ChunkException.Code.NOT_PRIMARY, "not the primary of " + handle);
    }
    long now = committed.get(handle);
    if (offset == -1 && now + length > chunkBytesMax) {
      throw new ChunkException(ChunkException.Code.CHUNK_FULL, "chunk sealed at " + now);
    }
    if (offset >= 0 && offset != now) {
      throw new ChunkException(ChunkException.Code.INVALID_ARGUMENT,
          "write at " + offset + " but committed length is " + now);
    }
    return new Session(handle, offset, length, crc32c);
  }

  private void check(String handle, long version) {
    Long v = versions.get(handle);
    if (v == null) {
      throw new ChunkException(ChunkException.Code.NOT_FOUND, "no chunk " + handle);
    }
    if (v != version) {
      throw new ChunkException(ChunkException.Code.STALE_VERSION,
          "chunk " + handle + " is at version " + v + ", not " + version);
    }
  }

  private Path file(String handle) {
    return dir.resolve(handle);
  }

  private static int[] blockCrcs(FileChannel channel, long start, long end) throws IOException {
    int[] crcs = new int[(int) ((end - start + BLOCK - 1) / BLOCK)];
    ByteBuffer buf = ByteBuffer.allocate(BLOCK);
    for (int i = 0; i < crcs.length; i++) {
      buf.clear().limit((int) Math.min(BLOCK, end - start - (long) i * BLOCK));
      long at = start + (long) i * BLOCK;
      while (buf.hasRemaining()) {
        if (channel.read(buf, at + buf.position()) < 0) {
          throw new IOException("short chunk file");
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(buf.flip());
      crcs[i] = (int) crc.getValue();
    }
    return crcs;
  }

  private final class Session implements WriteSession {
    private final String handle;
    private final long offset;
    private final long length;
    private final int crc32c;
    private final ByteArrayOutputStream staged = new ByteArrayOutputStream();
    private volatile CompletableFuture<Void> lastPiece = done();

    Session(String handle, long offset, long length, int crc32c) {
      this.handle = handle;
      this.offset = offset;
      this.length = length;
      this.crc32c = crc32c;
    }

    @Override
    public CompletionStage<Void> onData(ByteBuf piece) {
      try {
        byte[] bytes = new byte[piece.readableBytes()];
        piece.readBytes(bytes);
        synchronized (staged) {
          staged.writeBytes(bytes);
        }
      } finally {
        piece.release();
      }
      piecesReceived.incrementAndGet();
      int inFlight = piecesInFlight.incrementAndGet();
      piecesInFlightMax.accumulateAndGet(inFlight, Math::max);
      CompletableFuture<Void> taken = pieceGate.get()
          .whenComplete((v, t) -> piecesInFlight.decrementAndGet());
      lastPiece = taken;
      return taken;
    }

    @Override
    public CompletionStage<WriteOutcome> finish() {
      // finish may come before the last piece was taken: the session orders the two
      return lastPiece.thenCompose(v -> finishGate.get()).thenApply(v -> commit());
    }

    private WriteOutcome commit() {
      byte[] bytes;
      synchronized (staged) {
        bytes = staged.toByteArray();
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      if (bytes.length != length || (int) crc.getValue() != crc32c) {
        throw new ChunkException(ChunkException.Code.CHECKSUM_MISMATCH,
            "staged " + bytes.length + " bytes, crc " + (int) crc.getValue());
      }
      synchronized (FakeChunkOperations.this) {
        long at = committed.get(handle);
        if (offset != -1 && offset != at) {
          throw new ChunkException(ChunkException.Code.INVALID_ARGUMENT, "raced: at " + at);
        }
        if (offset == -1 && at + length > chunkBytesMax) {
          throw new ChunkException(ChunkException.Code.CHUNK_FULL, "chunk sealed at " + at);
        }
        try (FileChannel ch = FileChannel.open(file(handle), StandardOpenOption.WRITE)) {
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) {
            ch.write(buf, at + buf.position());
          }
          ch.force(true);
        } catch (IOException e) {
          throw new ChunkException(ChunkException.Code.INTERNAL, e.toString(), e);
        }
        committed.put(handle, at + length);
        return new WriteOutcome(at, at + length);
      }
    }

    @Override
    public void abort(String reason) {
      aborts.add(reason);
    }
  }
}

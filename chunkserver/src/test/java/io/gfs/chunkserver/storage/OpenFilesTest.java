package io.gfs.chunkserver.storage;

import static io.gfs.chunkserver.storage.ChunkStoreTest.bytes;
import static io.gfs.chunkserver.storage.ChunkStoreTest.commit;
import static io.gfs.chunkserver.storage.CommitTailTest.assertHolds;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk keeps its data and metadata files open between commits (a durable small append would
 * otherwise open and close both every time), within a bound on how many chunks do so. Counted
 * from this process's open descriptors in /proc/self/fd, so a leak shows.
 */
class OpenFilesTest {
  private static final int RECORD = 4096;
  @TempDir Path dir;

  private Path data(String handle) {
    return dir.resolve("chunks").resolve(handle + ".chunk");
  }

  private Path meta(String handle) {
    return dir.resolve("chunks").resolve(handle + ".meta");
  }

  /** Descriptors of this process open on {@code file} (also once it was deleted). */
  private static int descriptorsOn(Path file) throws IOException {
    String target = file.toAbsolutePath().toString();
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.equals(target) || link.equals(target + " (deleted)")) {
            n++;
          }
        } catch (NoSuchFileException closedMeanwhile) {
          // another thread's descriptor, gone since the listing
        }
      }
    }
    return n;
  }

  private static void append(ChunkStore store, String handle, ByteArrayOutputStream written,
      int count) {
    for (int i = 0; i < count; i++) {
      byte[] r = bytes(RECORD, written.size() + handle.hashCode());
      commit(store, handle, written.size() / RECORD + 1, written.size(), r);
      written.writeBytes(r);
    }
  }

  @Test
  void aChunkTakingAppendsKeepsOneDescriptorPerFileUntilItIsSealed() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    String handle = UUID.randomUUID().toString();
    store.createIfAbsent(handle, 1);
    assertThat(descriptorsOn(data(handle))).isZero();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    append(store, handle, written, 40); // past several tails: data-file syncs and tail commits
    assertThat(descriptorsOn(data(handle))).isEqualTo(1);
    assertThat(descriptorsOn(meta(handle))).isEqualTo(1);
    assertHolds(store, handle, written.toByteArray());

    store.setVersion(handle, 2); // a metadata-only change uses the same files
    assertThat(descriptorsOn(data(handle))).isEqualTo(1);
    assertThat(descriptorsOn(meta(handle))).isEqualTo(1);

    store.seal(handle);
    assertThat(descriptorsOn(data(handle))).isZero();
    assertThat(descriptorsOn(meta(handle))).isZero();
    assertThat(store.state(handle).orElseThrow().sealed()).isTrue();
    assertHolds(ChunkStore.open("cs1", dir), handle, written.toByteArray());
  }

  @Test
  void pastTheBoundTheLeastRecentlyWrittenChunksCloseTheirFilesAndReopenThemOnTheNextCommit()
      throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    int extra = 5;
    List<String> handles = new ArrayList<>();
    List<ByteArrayOutputStream> written = new ArrayList<>();
    for (int i = 0; i < ChunkStore.OPEN_CHUNKS_MAX + extra; i++) {
      String handle = UUID.randomUUID().toString();
      store.createIfAbsent(handle, 1);
      handles.add(handle);
      written.add(new ByteArrayOutputStream());
      append(store, handle, written.get(i), 2);
    }
    assertThat(store.chunksWithOpenFiles()).isEqualTo(ChunkStore.OPEN_CHUNKS_MAX);
    for (int i = 0; i < handles.size(); i++) {
      int expected = i < extra ? 0 : 1; // the first ones written are the least recent
      assertThat(descriptorsOn(data(handles.get(i)))).as("chunk %d", i).isEqualTo(expected);
      assertThat(descriptorsOn(meta(handles.get(i)))).as("chunk %d", i).isEqualTo(expected);
    }

    append(store, handles.get(0), written.get(0), 3); // reopened, and another one closed
    assertThat(descriptorsOn(data(handles.get(0)))).isEqualTo(1);
    assertThat(descriptorsOn(data(handles.get(extra)))).isZero();
    assertThat(store.chunksWithOpenFiles()).isEqualTo(ChunkStore.OPEN_CHUNKS_MAX);

    store.close();
    assertThat(store.chunksWithOpenFiles()).isZero();
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    for (int i = 0; i < handles.size(); i++) {
      assertHolds(reopened, handles.get(i), written.get(i).toByteArray());
    }
  }

  @Test
  void deletingAChunkClosesItsFilesAndTheHandleCanBeCreatedAgain() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    String handle = UUID.randomUUID().toString();
    store.createIfAbsent(handle, 1);
    append(store, handle, new ByteArrayOutputStream(), 3);
    assertThat(descriptorsOn(data(handle))).isEqualTo(1);

    store.delete(handle);
    assertThat(descriptorsOn(data(handle))).isZero();
    assertThat(descriptorsOn(meta(handle))).isZero();
    assertThat(data(handle)).doesNotExist();

    store.createIfAbsent(handle, 3);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    byte[] r = bytes(RECORD, 99);
    try (StageFile stage = store.openStage(handle, 3, 1, r.length,
        Crc32cBlocks.crc(r, 0, r.length))) {
      stage.write(ByteBuffer.wrap(r));
      stage.complete();
      store.commitStage(stage, 0, 1);
    }
    again.writeBytes(r);
    assertHolds(store, handle, again.toByteArray());
    assertHolds(ChunkStore.open("cs1", dir), handle, again.toByteArray());
  }
}

package io.gfs.master.statemachine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Writes and reads checkpoint files in the Ratis state machine directory
 * ({@code snapshot.<term>_<index>} plus an MD5 sidecar). A checkpoint becomes visible only
 * complete: temp file, fsync, atomic rename, directory fsync, then the MD5 sidecar, which is
 * written last so a file without one is never trusted as the newest.
 */
final class CheckpointFiles {

  private static final String TEMP_SUFFIX = ".writing";

  private final SimpleStateMachineStorage storage;
  /**
   * The directory is known to hold no checkpoint: a load found none, and since then neither did
   * this write one nor did Ratis pause the state machine to install one from the leader. Ratis
   * asks for the latest checkpoint on every append to every follower (and on heartbeats); the
   * storage remembers one it found, but without one it lists the directory every time: on a
   * master's leader that was half of its log appenders' CPU until the first checkpoint.
   */
  private volatile boolean knownEmpty;

  CheckpointFiles(SimpleStateMachineStorage storage) {
    this.storage = storage;
  }

  /** Writes {@code state} as the checkpoint at {@code at}; returns its description. */
  SingleFileSnapshotInfo write(MasterState state, TermIndex at) throws IOException {
    File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
    Path dir = target.toPath().getParent();
    Path tmp = dir.resolve(target.getName() + TEMP_SUFFIX);
    try (FileOutputStream fileOut = new FileOutputStream(tmp.toFile());
         OutputStream out = new BufferedOutputStream(fileOut, 1 << 16)) {
      state.writeCheckpoint(out, at.getTerm(), at.getIndex());
      out.flush();
      fileOut.getChannel().force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(dir);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    fsyncDirectory(dir);
    SingleFileSnapshotInfo info =
        new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at);
    storage.updateLatestSnapshot(info);
    knownEmpty = false;
    return info;
  }

  /** The newest checkpoint, or null when there is none. */
  SingleFileSnapshotInfo latest() {
    return knownEmpty ? null : storage.getLatestSnapshot();
  }

  /** Checkpoints may appear without this writing them (Ratis installs one): look again. */
  void forgetEmpty() {
    knownEmpty = false;
  }

  /** Deletes temp files of checkpoints that a crash interrupted; returns how many. */
  int deleteUnfinished(Path stateMachineDir) throws IOException {
    if (!Files.isDirectory(stateMachineDir)) {
      return 0;
    }
    int deleted = 0;
    try (var files = Files.newDirectoryStream(stateMachineDir, "*" + TEMP_SUFFIX)) {
      for (Path p : files) {
        Files.deleteIfExists(p);
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Loads the newest checkpoint, verifying its own checksum; null when none. The MD5 sidecar is
   * for Ratis (it sends the digest with a checkpoint it installs on a follower) and is not
   * checked here: the CRC32C trailer already covers every byte, and a second pass over the file
   * with MD5, which a starting JVM still runs interpreted, was half of a master's load time
   * (about 300 ms for 60,000 files).
   */
  MasterState.LoadedCheckpoint loadLatest() throws IOException {
    SingleFileSnapshotInfo info = storage.loadLatestSnapshot();
    knownEmpty = info == null;
    if (info == null) {
      return null;
    }
    File file = info.getFile().getPath().toFile();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16)) {
      MasterState.LoadedCheckpoint loaded = MasterState.readCheckpoint(in);
      if (loaded.index() != info.getIndex() || loaded.term() != info.getTerm()) {
        throw new IOException("checkpoint " + file + " header says " + loaded.term() + "_"
            + loaded.index() + ", the file name says " + info.getTermIndex());
      }
      return loaded;
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}

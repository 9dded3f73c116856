package io.gfs.it.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory for a disk-full test (needs root and mount(8)); unmounted
 * on close. {@link #tryMount} says why when mounting is not possible here.
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code sizeBytes} on {@code dir}; returns the reason on failure. */
  static Object tryMount(Path dir, long sizeBytes) {
    try {
      Files.createDirectories(dir);
      String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs",
          dir.toString()));
      return out == null ? new Tmpfs(dir) : "mount -t tmpfs failed: " + out;
    } catch (IOException e) {
      return "mount -t tmpfs is not available: " + e.getMessage();
    }
  }

  /** Runs a command with a bounded wait; null on success, else its output. */
  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return command + " did not finish within 30 s";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return "interrupted";
    }
  }

  Path dir() {
    return dir;
  }

  /** Fills the file system with one file until it reports ENOSPC; returns the bytes written. */
  long fill() throws IOException {
    ByteBuffer block = ByteBuffer.allocate(16 * 1024);
    long written = 0;
    long max = Files.getFileStore(dir).getTotalSpace() + (1 << 20);
    try (FileChannel ch = FileChannel.open(dir.resolve("filler"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (written < max) {
        block.clear();
        written += ch.write(block);
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
      return written;
    }
    throw new IllegalStateException("wrote " + written + " bytes without filling " + dir);
  }

  /** Deletes the filler file again. */
  void drain() throws IOException {
    Files.deleteIfExists(dir.resolve("filler"));
  }

  @Override
  public void close() throws IOException {
    String err = run(List.of("umount", dir.toString()));
    if (err != null) {
      err = run(List.of("umount", "-l", dir.toString()));
    }
    if (err != null) {
      throw new IOException("could not unmount " + dir + ": " + err);
    }
  }
}

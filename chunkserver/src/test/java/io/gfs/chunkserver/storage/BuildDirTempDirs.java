package io.gfs.chunkserver.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temporary directories under the build directory rather than the system's temporary directory,
 * which may be a tmpfs (no direct I/O there): for tests whose direct-I/O path must really run.
 */
public final class BuildDirTempDirs implements TempDirFactory {
  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
      throws IOException {
    Path parent = Files.createDirectories(Path.of("target", "direct-io-tests"));
    return Files.createTempDirectory(parent.toAbsolutePath(), "junit");
  }
}

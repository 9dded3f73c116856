package io.gfs.master.statemachine;

import java.nio.charset.StandardCharsets;

/** Constants of the checkpoint layout described in gfs_checkpoint.proto. */
final class CheckpointFormat {
  static final byte[] MAGIC = "GFSCKPT\n".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int BUFFER_BYTES = 64 * 1024;

  private CheckpointFormat() {
  }
}

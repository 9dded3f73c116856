package io.gfs.client.internal.dataplane;

/**
 * Frame constants of the data-plane protocol, version 1 (docs/protocol.md). The chunkserver keeps
 * its own copy; a round-trip test between the two modules keeps them in agreement.
 */
final class WireFormat {
  static final int MAGIC = 0x4746; // "GF"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 12;

  static final int PING = 0x01;
  static final int READ = 0x02;
  static final int COMMITTED_LENGTH = 0x03;
  static final int WRITE = 0x04;
  static final int APPEND = 0x05;
  static final int DATA = 0x06;

  static final int REPLY_BIT = 0x80;
  static final int ERROR = 0xFF;

  static final int BLOCK_BYTES = 64 * 1024;
  static final long CONNECTION_REQUEST_ID = 0;

  private WireFormat() {
  }
}

package io.gfs.chunkserver.dataplane;

/**
 * Frame constants of the data-plane protocol, version 1. docs/protocol.md is the specification;
 * the client keeps its own copy of these numbers (the modules do not depend on each other) and a
 * cross-module test checks that both agree.
 */
final class WireFormat {
  /** "GF" in ASCII: the first two bytes of every frame, in both directions. */
  static final int MAGIC = 0x4746;

  static final int VERSION = 1;

  /** magic u16, version u8, type u8, request id u32, body length u32. */
  static final int HEADER_BYTES = 12;

  // Request types (client → server).
  static final int PING = 0x01;
  static final int READ = 0x02;
  static final int COMMITTED_LENGTH = 0x03;
  static final int WRITE = 0x04;
  static final int APPEND = 0x05;
  static final int DATA = 0x06;
  /**
   * A primary streams a mutation to a secondary replica (instead of the replication plane's
   * gRPC Stage): body = timeout u32, then the MutationHeader (protobuf); DATA frames follow, and
   * the reply means READY. An empty header is a probe: a server that takes stages answers it.
   */
  static final int STAGE = 0x07;
  static final int STAGE_HEADER_BYTES_MAX = 4096;
  /**
   * A primary commits a staged mutation on a secondary (instead of the replication plane's gRPC
   * Commit): body = timeout u32, then the ordered MutationHeader (protobuf, at most
   * STAGE_HEADER_BYTES_MAX); no DATA. The reply carries the replica's committed length and
   * sequence once the mutation is applied and fsynced there.
   */
  static final int COMMIT = 0x08;
  /**
   * A feature bit in the answer to a STAGE probe (its first i64 field; older servers answer 0):
   * a COMMIT may follow its STAGE's data before the READY, and the server applies it once the
   * stage is complete (or answers NOT_FOUND if the stage fails).
   */
  static final long FEATURE_COMMIT_BEFORE_READY = 1;

  // Reply types (server → client): 0x80 | request type on success, ERROR otherwise.
  static final int REPLY_BIT = 0x80;
  static final int ERROR = 0xFF;

  static final int HANDLE_BYTES = 16;
  static final int READ_BODY_BYTES = HANDLE_BYTES + 8 + 8 + 8 + 4;
  static final int COMMITTED_LENGTH_BODY_BYTES = HANDLE_BYTES + 8 + 4;
  static final int WRITE_BODY_BYTES = HANDLE_BYTES + 8 + 8 + 8 + 4 + 4;

  /** Error messages are cut to this many UTF-8 bytes so an error frame stays small. */
  static final int ERROR_MESSAGE_BYTES_MAX = 1024;

  /** Request id used for connection-level errors that belong to no request. */
  static final long CONNECTION_REQUEST_ID = 0;

  private WireFormat() {
  }
}

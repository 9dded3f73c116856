package io.gfs.chunkserver.primary;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Data-plane frames (docs/protocol.md) as the tests' hand-written fake servers read and write
 * them: written out here, not taken from the server's classes, so a fake is another
 * implementation of the protocol and not the code under test.
 */
final class FakeFrames {
  static final int MAGIC = 0x4746;
  static final int STAGE = 0x07;
  static final int REPLY_BIT = 0x80;
  static final int ERROR = 0xFF;
  static final int UNKNOWN_OPERATION = 67;

  private FakeFrames() {
  }

  /** A frame's header; its body was skipped. */
  record Frame(int magic, int type, int requestId, int bodyLength) {
    /** A STAGE without a mutation: asks whether the server takes stages. */
    boolean isProbe() {
      return magic == MAGIC && type == STAGE && bodyLength == 4;
    }
  }

  /** Reads the next frame and skips its body. */
  static Frame read(DataInputStream in) throws IOException {
    int magic = in.readUnsignedShort();
    in.readUnsignedByte(); // version
    int type = in.readUnsignedByte();
    int requestId = in.readInt();
    int bodyLength = in.readInt();
    in.skipNBytes(bodyLength);
    return new Frame(magic, type, requestId, bodyLength);
  }

  /** STAGE_OK (READY, or the answer to a probe). */
  static void stageOk(DataOutputStream out, int requestId) throws IOException {
    header(out, REPLY_BIT | STAGE, requestId, 16);
    out.writeLong(0);
    out.writeLong(0);
    out.flush();
  }

  static void error(DataOutputStream out, int requestId, int status, String message)
      throws IOException {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    header(out, ERROR, requestId, 3 + m.length);
    out.writeByte(status);
    out.writeShort(m.length);
    out.write(m);
    out.flush();
  }

  private static void header(DataOutputStream out, int type, int requestId, int bodyLength)
      throws IOException {
    out.writeShort(MAGIC);
    out.writeByte(1);
    out.writeByte(type);
    out.writeInt(requestId);
    out.writeInt(bodyLength);
  }
}

package io.gfs.chunkserver.dataplane;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket speaking (or abusing) the protocol byte by byte, for hostile tests. */
final class RawConnection implements AutoCloseable {
  /** One reply frame; for ERROR frames, status and message are filled in. */
  record Frame(int type, long requestId, int status, String message, byte[] body) {
  }

  private final Socket socket;
  private final DataInputStream in;

  RawConnection(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 10_000);
    socket.setSoTimeout(30_000); // generous: only to keep a broken test from hanging forever
    in = new DataInputStream(socket.getInputStream());
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  static byte[] header(int magic, int version, int type, long requestId, long bodyLength) {
    return ByteBuffer.allocate(12).putShort((short) magic).put((byte) version).put((byte) type)
        .putInt((int) requestId).putInt((int) bodyLength).array();
  }

  static byte[] frame(int type, long requestId, byte[] body) {
    return ByteBuffer.allocate(12 + body.length)
        .put(header(WireFormat.MAGIC, WireFormat.VERSION, type, requestId, body.length))
        .put(body).array();
  }

  Frame readFrame() throws IOException {
    byte[] header = new byte[12];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header);
    int magic = h.getShort() & 0xFFFF;
    if (magic != WireFormat.MAGIC) {
      throw new IOException("bad magic from server: " + magic);
    }
    h.get();
    int type = h.get() & 0xFF;
    long requestId = h.getInt() & 0xFFFF_FFFFL;
    int bodyLength = h.getInt();
    byte[] body = new byte[bodyLength];
    in.readFully(body);
    if (type != WireFormat.ERROR) {
      return new Frame(type, requestId, 0, null, body);
    }
    ByteBuffer b = ByteBuffer.wrap(body);
    int status = b.get() & 0xFF;
    byte[] text = new byte[b.getShort() & 0xFFFF];
    b.get(text);
    return new Frame(type, requestId, status, new String(text, StandardCharsets.UTF_8), body);
  }

  /** True once the server has closed the connection (end of stream after any pending bytes). */
  boolean closedByServer() throws IOException {
    InputStream s = socket.getInputStream();
    try {
      while (true) {
        if (s.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException e) {
      return true;
    } catch (IOException e) {
      return true; // connection reset: closed as well
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

package io.gfs.master.testing;

import com.google.protobuf.ByteString;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.RequestId;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Builds requests the way an SDK client would: one client id, increasing call ids. */
public final class TestRequests {

  private final ByteString clientId;
  private final AtomicLong callIds = new AtomicLong();

  public TestRequests(UUID clientId) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(clientId.getMostSignificantBits()).putLong(clientId.getLeastSignificantBits());
    this.clientId = ByteString.copyFrom(b.array());
  }

  public RequestId nextId() {
    return RequestId.newBuilder().setClientId(clientId).setCallId(callIds.incrementAndGet())
        .build();
  }

  public CreateFileRequest createFile(String path) {
    return CreateFileRequest.newBuilder().setRequestId(nextId()).setPath(path).build();
  }

  public static GetFileRequest getFile(String path) {
    return GetFileRequest.newBuilder().setPath(path).build();
  }
}

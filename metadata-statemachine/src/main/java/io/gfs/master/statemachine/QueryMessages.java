package io.gfs.master.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import java.util.Objects;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Ratis messages for reads that carry the query and its answer as objects. A read the leader
 * admits locally never leaves the process, so the state machine takes the query as is and the
 * gateway takes the answer as is: no parse of the query, no serialization and parse of the
 * answer. The bytes are still there for anything that asks (Ratis compares a read's content with
 * its dummy read, and would send it if it forwarded the read), built from the object.
 */
public final class QueryMessages {

  private QueryMessages() {
  }

  /** A read request: the query and its serialized form. */
  public static Message request(MasterQuery query) {
    return new Request(query, UnsafeByteOperations.unsafeWrap(query.toByteArray()));
  }

  /** The query of a read request, from the object when it is one of ours. */
  static MasterQuery query(Message message) throws InvalidProtocolBufferException {
    return message instanceof Request r ? r.query()
        : MasterQuery.parseFrom(message.getContent().asReadOnlyByteBuffer());
  }

  /** The answer to a read; its bytes are built only if something asks for them. */
  static Message answer(MasterQueryResult result) {
    return new Answer(result);
  }

  /** The answer in a read's reply, from the object when it is one of ours. */
  public static MasterQueryResult result(Message message) throws InvalidProtocolBufferException {
    return message instanceof Answer a ? a.result
        : MasterQueryResult.parseFrom(message.getContent().asReadOnlyByteBuffer());
  }

  private record Request(MasterQuery query, ByteString content) implements Message {
    @Override
    public ByteString getContent() {
      return content;
    }
  }

  private static final class Answer implements Message {
    private final MasterQueryResult result;
    private volatile ByteString content;

    Answer(MasterQueryResult result) {
      this.result = Objects.requireNonNull(result, "result");
    }

    @Override
    public ByteString getContent() {
      ByteString c = content;
      if (c == null) {
        c = UnsafeByteOperations.unsafeWrap(result.toByteArray());
        content = c;  // racing builders produce equal bytes
      }
      return c;
    }

    @Override
    public String toString() {
      return "Answer:" + result.getResultCase();
    }
  }
}

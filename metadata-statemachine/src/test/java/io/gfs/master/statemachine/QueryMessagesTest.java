package io.gfs.master.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.GetFileRequest;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.StatsResult;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Reads carry objects in process and the same bytes for anything that asks for bytes. */
class QueryMessagesTest {

  private static final MasterQuery QUERY = MasterQuery.newBuilder()
      .setGetFile(GetFileRequest.newBuilder().setNamespace("default").setPath("/a/b")).build();
  private static final MasterQueryResult RESULT = MasterQueryResult.newBuilder()
      .setStats(StatsResult.newBuilder().setFileCount(7).setChunkCount(3)).build();

  @Test
  void requestCarriesTheQueryAndItsBytes() throws Exception {
    Message m = QueryMessages.request(QUERY);
    assertThat(QueryMessages.query(m)).isSameAs(QUERY);
    assertThat(m.getContent().toByteArray()).isEqualTo(QUERY.toByteArray());
    // Never Ratis's dummy read (its content is empty).
    assertThat(m.getContent().isEmpty()).isFalse();
  }

  @Test
  void plainMessagesAreParsed() throws Exception {
    Message query = Message.valueOf(ByteString.copyFrom(QUERY.toByteArray()));
    assertThat(QueryMessages.query(query)).isEqualTo(QUERY);
    Message answer = Message.valueOf(ByteString.copyFrom(RESULT.toByteArray()));
    assertThat(QueryMessages.result(answer)).isEqualTo(RESULT);
  }

  @Test
  void answerCarriesTheResultAndBuildsItsBytesOnDemand() throws Exception {
    Message m = QueryMessages.answer(RESULT);
    assertThat(QueryMessages.result(m)).isSameAs(RESULT);
    assertThat(m.getContent().toByteArray()).isEqualTo(RESULT.toByteArray());
    assertThat(m.getContent()).isSameAs(m.getContent());
    assertThat(m.size()).isEqualTo(RESULT.getSerializedSize());
  }
}

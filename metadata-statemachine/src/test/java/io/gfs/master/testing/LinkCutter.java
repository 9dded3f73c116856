package io.gfs.master.testing;

import java.util.EnumSet;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;

/**
 * Cuts Raft links in the real traffic path: installed through Ratis's public
 * {@link GrpcServices.Customizer} hook on a master's Raft gRPC server, it drops every
 * server-to-server request whose requestor is cut off from this master, as a lost packet
 * would be (the sender sees timeouts; no response goes back because the request never arrives).
 */
public final class LinkCutter implements GrpcServices.Customizer {

  private final String selfId;
  private final NetworkPartition partition;

  public LinkCutter(String selfId, NetworkPartition partition) {
    this.selfId = selfId;
    this.partition = partition;
  }

  @Override
  public NettyServerBuilder customize(NettyServerBuilder builder,
      EnumSet<GrpcServices.Type> types) {
    if (types.contains(GrpcServices.Type.SERVER)) {
      builder.intercept(new Interceptor());
    }
    return builder;
  }

  private final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
          next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          String from = requestor(message);
          if (from != null && partition.isCut(from, selfId)) {
            call.request(1);  // dropped: keep the stream flowing for later messages
            return;
          }
          super.onMessage(message);
        }
      };
    }
  }

  static String requestor(Object message) {
    RaftRpcRequestProto rpc = null;
    if (message instanceof AppendEntriesRequestProto m) {
      rpc = m.getServerRequest();
    } else if (message instanceof RequestVoteRequestProto m) {
      rpc = m.getServerRequest();
    } else if (message instanceof InstallSnapshotRequestProto m) {
      rpc = m.getServerRequest();
    } else if (message instanceof StartLeaderElectionRequestProto m) {
      rpc = m.getServerRequest();
    } else if (message instanceof ReadIndexRequestProto m) {
      rpc = m.getServerRequest();
    }
    return rpc == null ? null : RaftPeerId.valueOf(rpc.getRequestorId()).toString();
  }
}

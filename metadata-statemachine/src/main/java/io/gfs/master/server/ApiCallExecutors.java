package io.gfs.master.server;

import io.gfs.proto.MasterServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.concurrent.Executor;

/**
 * Where the master's API calls run. The client API ({@code MasterService}) runs on the gRPC
 * transport thread: its handlers only validate, hand the request to Ratis and chain on the
 * future, so a pool in between only added thread wake-ups to every metadata operation's
 * latency. Chunkserver control and admin calls (full chunk reports, snapshots, leadership
 * transfer) may take longer and run on a bounded pool, so they never hold a transport thread.
 */
final class ApiCallExecutors implements ServerCallExecutorSupplier {

  private final Executor pool;

  ApiCallExecutors(Executor pool) {
    this.pool = pool;
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    boolean clientApi = MasterServiceGrpc.SERVICE_NAME.equals(
        call.getMethodDescriptor().getServiceName());
    return clientApi ? null : pool;  // null: stay on the server's direct executor
  }
}

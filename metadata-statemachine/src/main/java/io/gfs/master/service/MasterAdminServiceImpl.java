package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.gfs.master.server.MasterConfig;
import io.gfs.master.server.PeerSpec;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.GetRaftStatusResponse;
import io.gfs.proto.MasterAdminServiceGrpc;
import io.gfs.proto.RaftPeerStatus;
import io.gfs.proto.TransferLeadershipRequest;
import io.gfs.proto.TransferLeadershipResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.SnapshotInfo;

/** Operator calls, answered by every master about itself. */
public final class MasterAdminServiceImpl extends MasterAdminServiceGrpc.MasterAdminServiceImplBase {

  static final long TRANSFER_TIMEOUT_DEFAULT_MS = 10_000;
  static final long TRANSFER_TIMEOUT_MAX_MS = 120_000;

  private final MasterConfig config;
  private final RaftGateway gateway;
  private final Replies replies;
  private final ClientId adminClientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  public MasterAdminServiceImpl(ServiceContext ctx) {
    this.config = ctx.config();
    this.gateway = ctx.gateway();
    this.replies = ctx.replies();
  }

  @Override
  public void getRaftStatus(GetRaftStatusRequest req, StreamObserver<GetRaftStatusResponse> obs) {
    replies.reply(obs, () -> CompletableFuture.completedFuture(status()));
  }

  GetRaftStatusResponse status() {
    RaftServer.Division d = gateway.division();
    PeerSpec self = config.self();
    TermIndex last = d.getRaftLog().getLastEntryTermIndex();
    SnapshotInfo snapshot = d.getStateMachine().getLatestSnapshot();
    RaftPeerStatus.Builder me = RaftPeerStatus.newBuilder()
        .setId(self.id())
        .setRaftAddress(self.raftAddress())
        .setApiAddress(self.apiAddress())
        .setRole(d.getInfo().getCurrentRole().name())
        .setTerm(d.getInfo().getCurrentTerm())
        .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()))
        .setAppliedIndex(Math.max(0, d.getInfo().getLastAppliedIndex()))
        .setLastLogIndex(last == null ? 0 : Math.max(0, last.getIndex()))
        .setLeaderId(gateway.leaderId())
        .setSnapshotIndex(snapshot == null ? 0 : Math.max(0, snapshot.getIndex()));
    GetRaftStatusResponse.Builder b = GetRaftStatusResponse.newBuilder()
        .setSelf(me)
        .setGroupId(d.getGroup().getGroupId().getUuid().toString());
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (d.getInfo().isLeader() && role.hasLeaderInfo()) {
      List<ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
      long[] match = d.getInfo().getFollowerMatchIndices();
      for (int i = 0; i < followers.size(); i++) {
        String id = RaftPeerId.valueOf(followers.get(i).getId().getId()).toString();
        PeerSpec p = config.peer(id).orElse(null);
        RaftPeerStatus.Builder f = RaftPeerStatus.newBuilder()
            .setId(id)
            .setRole("FOLLOWER")
            .setLastContactMsAgo(followers.get(i).getLastRpcElapsedTimeMs());
        if (p != null) {
          f.setRaftAddress(p.raftAddress()).setApiAddress(p.apiAddress());
        }
        if (i < match.length) {
          f.setMatchIndex(Math.max(0, match[i]));
        }
        b.addFollowers(f);
      }
    }
    return b.build();
  }

  @Override
  public void transferLeadership(TransferLeadershipRequest req,
      StreamObserver<TransferLeadershipResponse> obs) {
    replies.reply(obs, () -> {
      if (req.getTimeoutMs() < 0 || req.getTimeoutMs() > TRANSFER_TIMEOUT_MAX_MS) {
        throw MasterException.invalidArgument("timeout_ms must be 0.." + TRANSFER_TIMEOUT_MAX_MS);
      }
      long timeoutMs = req.getTimeoutMs() == 0 ? TRANSFER_TIMEOUT_DEFAULT_MS : req.getTimeoutMs();
      gateway.checkLeader();
      String target = req.getTargetId().isEmpty() ? bestFollower() : req.getTargetId();
      if (config.peer(target).isEmpty() || target.equals(config.nodeId())) {
        throw MasterException.invalidArgument("target '" + target
            + "' is not another master of the group");
      }
      RaftServer.Division d = gateway.division();
      org.apache.ratis.protocol.TransferLeadershipRequest r =
          new org.apache.ratis.protocol.TransferLeadershipRequest(adminClientId,
              d.getRaftServer().getId(), d.getGroup().getGroupId(), callIds.incrementAndGet(),
              RaftPeerId.valueOf(target), timeoutMs);
      try {
        return d.getRaftServer().transferLeadershipAsync(r).thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new MasterException(Status.Code.UNAVAILABLE,
                "leadership transfer to " + target + " failed: " + reply.getException());
          }
          return TransferLeadershipResponse.newBuilder().setNewLeaderId(target).build();
        });
      } catch (IOException e) {
        throw new MasterException(Status.Code.UNAVAILABLE, "leadership transfer failed: " + e);
      }
    });
  }

  private String bestFollower() {
    GetRaftStatusResponse s = status();
    return s.getFollowersList().stream()
        .max(java.util.Comparator.comparingLong(RaftPeerStatus::getMatchIndex))
        .map(RaftPeerStatus::getId)
        .orElseThrow(() -> new MasterException(Status.Code.UNAVAILABLE, "no follower known"));
  }
}

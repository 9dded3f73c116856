package io.gfs.master.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;

/**
 * The Ratis adapter around {@link MasterState}. Commands and queries travel as our own
 * (unshaded) protobuf bytes inside Ratis messages.
 *
 * <p>Threads: Ratis calls {@link #applyTransaction} and {@link #takeSnapshot} from its single
 * state-machine updater thread, one after the other, so a checkpoint always pairs the state with
 * exactly the last applied term-index it reflects. {@link #query} runs on Ratis server threads
 * against the thread-safe state.
 */
public final class GfsStateMachine extends BaseStateMachine {
  private static final Logger LOG = LogManager.getLogger(GfsStateMachine.class);

  /** Longer than any client's whole retry window, so a late resend is still answered. */
  public static final Duration APPLIED_REQUESTS_EXPIRY = Duration.ofMinutes(10);

  private final String nodeId;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final CheckpointFiles checkpoints = new CheckpointFiles(storage);
  private final LeadershipListener leadership;
  private final Consumer<Throwable> fatalErrorHandler;

  // Replaced only by initialize/reinitialize (on the updater thread, no applies running).
  private volatile MasterState state = new MasterState();
  private final AppliedRequests appliedRequests =
      new AppliedRequests(APPLIED_REQUESTS_EXPIRY, System::nanoTime);
  private final long checkpointEveryCommands;
  private final AtomicLong commandsSinceCheckpoint = new AtomicLong();
  private final AtomicBoolean checkpointAsked = new AtomicBoolean();
  private final ClientId checkpointClientId = ClientId.randomId();
  private final AtomicLong checkpointCalls = new AtomicLong();

  /**
   * @param fatalErrorHandler told when an apply breaks an invariant; it must stop this master
   *     (the replicas would diverge otherwise)
   * @param checkpointEveryCommands a checkpoint is asked for once this many commands were
   *     applied since the last one (Ratis counts log entries, and an entry may hold many)
   */
  public GfsStateMachine(String nodeId, LeadershipListener leadership,
      Consumer<Throwable> fatalErrorHandler, long checkpointEveryCommands) {
    this.checkpointEveryCommands = checkpointEveryCommands;
    this.nodeId = nodeId;
    this.leadership = leadership;
    this.fatalErrorHandler = fatalErrorHandler;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    int unfinished = checkpoints.deleteUnfinished(
        raftStorage.getStorageDir().getStateMachineDir().toPath());
    if (unfinished > 0) {
      LOG.warn("{} deleted unfinished checkpoint files count={}", nodeId, unfinished);
    }
    loadLatestCheckpoint();
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /**
   * Ratis pauses the state machine before it publishes a checkpoint installed from the leader
   * (a replica too far behind the leader's purged log, or one re-synced from an empty raft
   * directory), and its updater then insists on PAUSED before it calls {@link #reinitialize}.
   * The base class's pause does nothing, so the updater failed and Ratis closed the replica's
   * Raft server for good, with its process still up: the group was left with two masters.
   */
  @Override
  public void pause() {
    checkpoints.forgetEmpty(); // an installed checkpoint is about to appear
    if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return checkpoints.latest();
  }

  @Override
  public void reinitialize() throws IOException {
    // Called after a checkpoint was installed from the leader (paused, no applies running).
    loadLatestCheckpoint();
    if (getLifeCycle().compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING)) {
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  private void loadLatestCheckpoint() throws IOException {
    long started = System.nanoTime();
    MasterState.LoadedCheckpoint loaded = checkpoints.loadLatest();
    if (loaded == null) {
      LOG.info("{} no checkpoint found, starting from an empty state", nodeId);
      return;
    }
    state = loaded.state();
    commandsSinceCheckpoint.set(0);
    setLastAppliedTermIndex(TermIndex.valueOf(loaded.term(), loaded.index()));
    LOG.info("{} checkpoint loaded term={} index={} ms={}", nodeId, loaded.term(), loaded.index(),
        (System.nanoTime() - started) / 1_000_000);
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    ByteString content = request.getMessage().getContent();
    TransactionContext.Builder tx = TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setLogData(content);
    try {
      for (MasterCommand c : commandsOf(MasterCommand.parseFrom(content.toByteArray()))) {
        if (c.getOpCase() == MasterCommand.OpCase.OP_NOT_SET) {
          throw new IOException("command has no operation");
        }
        if (c.getOpCase() == MasterCommand.OpCase.BATCH) {
          throw new IOException("a batch inside a batch");
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("command does not parse: " + e.getMessage(), e);
    }
    return tx.build();
  }

  /** The commands an entry carries: a batch's, or the entry itself. */
  private static List<MasterCommand> commandsOf(MasterCommand entry) {
    return entry.getOpCase() == MasterCommand.OpCase.BATCH
        ? entry.getBatch().getCommandsList() : List.of(entry);
  }

  /** The results of {@link #commandsOf}'s commands, in the same order. */
  private static List<MasterResult> resultsOf(MasterCommand entry, MasterResult result) {
    return entry.getOpCase() == MasterCommand.OpCase.BATCH
        ? result.getBatchList() : List.of(result);
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    MasterResult result;
    try {
      MasterCommand command = MasterCommand.parseFrom(
          entry.getStateMachineLogEntry().getLogData().toByteArray());
      result = state.apply(index, command);
      List<MasterCommand> commands = commandsOf(command);
      remember(commands, resultsOf(command, result));
      countTowardsCheckpoint(commands.size());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // The entry passed startTransaction on the leader, so this is a broken invariant or a
      // corrupt log: stop rather than let this replica diverge. The applied index stays behind.
      LOG.fatal("{} apply failed, stopping the master index={} term={}", nodeId, index,
          entry.getTerm(), e);
      fatalErrorHandler.accept(e);
      return CompletableFuture.failedFuture(e);
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(
        Message.valueOf(ByteString.copyFrom(result.toByteArray())));
  }

  /**
   * Ratis takes a checkpoint every {@code checkpoint-threshold} log entries; with group commit
   * an entry holds up to hundreds of commands, so that alone would let a restart replay far more
   * commands than the threshold promises. This asks for one by commands as well.
   */
  private void countTowardsCheckpoint(int commands) {
    if (commandsSinceCheckpoint.addAndGet(commands) < checkpointEveryCommands
        || !checkpointAsked.compareAndSet(false, true)) {
      return;
    }
    RaftServer server = getServer().getNow(null);
    if (server == null) {
      checkpointAsked.set(false);
      return;
    }
    // Only queues the request: the checkpoint is taken later by this (the updater) thread.
    server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(checkpointClientId,
            server.getId(), getGroupId(), checkpointCalls.incrementAndGet(), 60_000, 1))
        .whenComplete((reply, failure) -> {
          if (failure != null || !reply.isSuccess()) {
            LOG.warn("{} checkpoint request failed: {}", nodeId,
                failure != null ? failure.toString() : reply.getException());
          }
          // Also after a success: Ratis answers one at once, without a checkpoint, while its
          // applied index has not yet passed the last checkpoint's (a request made during the
          // first entry after it). The next command applied then asks again.
          checkpointAsked.set(false);
        });
  }

  /** Commands applied since the last checkpoint was written or loaded. */
  public long commandsSinceCheckpoint() {
    return commandsSinceCheckpoint.get();
  }

  private void remember(List<MasterCommand> commands, List<MasterResult> results) {
    for (int i = 0; i < commands.size(); i++) {
      MasterCommand c = commands.get(i);
      if (c.hasRequestId()
          && !appliedRequests.applied(AppliedRequests.Key.of(c.getRequestId()), results.get(i))) {
        LOG.warn("{} request applied a second time (resent after its result expired?) request={}",
            nodeId, c.getRequestId());
      }
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      MasterQuery query = QueryMessages.query(request);
      return CompletableFuture.completedFuture(QueryMessages.answer(state.query(query)));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    commandsSinceCheckpoint.set(0);  // applies wait while this runs (same thread)
    checkpointAsked.set(false);
    SingleFileSnapshotInfo latest = checkpoints.latest();
    if (latest != null && latest.getIndex() >= last.getIndex()) {
      return latest.getIndex();
    }
    long started = System.nanoTime();
    checkpoints.write(state, last);
    // Applies wait while this runs (same thread): the duration says what a checkpoint costs.
    LOG.info("{} checkpoint written term={} index={} ms={}", nodeId, last.getTerm(),
        last.getIndex(), (System.nanoTime() - started) / 1_000_000);
    return last.getIndex();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
    long term = getServer().thenApply(s -> currentTerm(s, member)).getNow(0L);
    leadership.leaderChanged(newLeaderId == null ? "" : newLeaderId.toString(), term);
  }

  @Override
  public void notifyLeaderReady() {
    long term = getServer().thenApply(s -> currentTerm(s, null)).getNow(0L);
    leadership.leaderReady(term);
  }

  private long currentTerm(RaftServer server, RaftGroupMemberId member) {
    try {
      return server.getDivision(member == null ? getGroupId() : member.getGroupId())
          .getInfo().getCurrentTerm();
    } catch (IOException e) {
      return 0L;
    }
  }

  /** Results of the client requests applied here, by request id (see {@link AppliedRequests}). */
  public AppliedRequests appliedRequests() {
    return appliedRequests;
  }

  /** The live state, for in-process inspection (tests, status). */
  public MasterState state() {
    return state;
  }
}

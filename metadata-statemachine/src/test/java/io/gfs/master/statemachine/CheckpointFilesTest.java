package io.gfs.master.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageImpl;
import org.apache.ratis.server.storage.StorageImplUtils;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newest checkpoint as Ratis asks for it (on every append to every follower): without one
 * the answer is remembered rather than looked up in the directory each time, until this writes
 * one or the state machine is paused for one that Ratis installs from the leader.
 */
class CheckpointFilesTest {
  @TempDir
  Path dir;
  private RaftStorageImpl raftStorage;

  @BeforeEach
  void openStorage() throws IOException {
    raftStorage = StorageImplUtils.newRaftStorage(dir.toFile(), SizeInBytes.valueOf("64KB"),
        RaftStorage.StartupOption.FORMAT, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
    raftStorage.initialize();
  }

  @AfterEach
  void closeStorage() throws IOException {
    raftStorage.close();
  }

  private CheckpointFiles files() throws IOException {
    SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    storage.init(raftStorage);
    return new CheckpointFiles(storage);
  }

  @Test
  void noCheckpointIsRememberedUntilOneIsWrittenOrMayBeInstalled() throws IOException {
    CheckpointFiles files = files();
    assertThat(files.loadLatest()).isNull();
    assertThat(files.latest()).isNull();

    // A checkpoint appears behind its back, as one Ratis installs from the leader does.
    files().write(new MasterState(), TermIndex.valueOf(1, 10));
    assertThat(files.latest()).as("not looked for again while none was found").isNull();
    files.forgetEmpty(); // what pausing the state machine for an installation does
    assertThat(files.latest().getTermIndex()).isEqualTo(TermIndex.valueOf(1, 10));

    CheckpointFiles empty = files();
    assertThat(empty.loadLatest()).isNotNull();
    assertThat(empty.latest().getIndex()).isEqualTo(10);
    empty.write(new MasterState(), TermIndex.valueOf(2, 30));
    assertThat(empty.latest().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 30));
  }

  @Test
  void aWrittenCheckpointIsTheLatestAtOnce() throws IOException {
    CheckpointFiles files = files();
    assertThat(files.loadLatest()).isNull();
    files.write(new MasterState(), TermIndex.valueOf(3, 7));
    assertThat(files.latest().getTermIndex()).isEqualTo(TermIndex.valueOf(3, 7));
    assertThat(files().loadLatest().index()).isEqualTo(7);
  }
}

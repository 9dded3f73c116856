package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gfs.client.FileStatus;
import io.gfs.client.GfsClient;
import io.gfs.client.GfsOutcomeUnknownException;
import io.gfs.client.GfsUnavailableException;
import io.gfs.it.cluster.MiniCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Issue 4: the SDK across master leader failures. The leader is stopped while a sequence of
 * creates, writes, appends, reads, renames and lists runs; every call either succeeds (after the
 * client re-discovers the leader) or fails with GfsUnavailableException /
 * GfsOutcomeUnknownException, and none outlives the client's deadlines.
 */
class MasterFailoverSdkTest {
  private static final int CHUNK = 256 * 1024;
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration DATA_TIMEOUT = Duration.ofSeconds(10);
  /** The longest one SDK call may take: its metadata deadline plus a few data-plane deadlines. */
  private static final Duration CALL_BOUND = OPERATION_TIMEOUT.plus(DATA_TIMEOUT.multipliedBy(4));
  private static final int STEPS = 24;

  private int succeeded;
  private final List<String> failures = new ArrayList<>();

  private <T> T call(String what, ThrowingSupplier<T> op) {
    return assertTimeoutPreemptively(CALL_BOUND, () -> {
      try {
        T r = op.get();
        succeeded++;
        return r;
      } catch (GfsUnavailableException | GfsOutcomeUnknownException e) {
        failures.add(what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        return null;
      }
    }, () -> what + " did not return within " + CALL_BOUND);
  }

  private void step(GfsClient gfs, int i) {
    String dir = "/fo/s" + i;
    byte[] data = DataPathRoundTripTest.randomBytes(i, CHUNK + 100 * i);
    call("create " + i, () -> gfs.createFile(dir + "/created"));
    Boolean written = call("write " + i, () -> {
      gfs.writeFile(dir + "/data", data);
      return true;
    });
    call("append " + i, () -> gfs.appendFile("/fo/log", ("step " + i + "\n").getBytes()));
    byte[] read = call("read " + i, () -> gfs.readFile(dir + "/data"));
    if (written != null && read != null) {
      assertThat(read).as("read after write %d", i).isEqualTo(data);
    }
    call("rename " + i, () -> gfs.rename(dir + "/created", dir + "/renamed"));
    call("list " + i, () -> gfs.list("/fo", true));
  }

  @Test
  void everyCallSucceedsOrFailsCleanlyWhileLeadersAreStopped(@TempDir Path dir)
      throws Exception {
    ExecutorService chaos = Executors.newSingleThreadExecutor(r -> new Thread(r, "leader-killer"));
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start();
        GfsClient gfs = cluster.clientBuilder().operationTimeout(OPERATION_TIMEOUT)
            .attemptTimeout(Duration.ofSeconds(2)).dataTimeout(DATA_TIMEOUT).build()) {
      List<String> stopped = new ArrayList<>();
      Future<?> kill = null;
      for (int i = 0; i < STEPS; i++) {
        if (i == 4 || i == 14) {
          // stop the leader from another thread so that it dies in the middle of this step
          String leader = cluster.awaitLeader();
          stopped.add(leader);
          kill = chaos.submit(() -> cluster.stopMaster(leader));
        }
        if (i == 10) {
          kill.get(60, TimeUnit.SECONDS);
          cluster.startMaster(stopped.get(0)); // back, so that a second failover has a quorum
        }
        step(gfs, i);
      }
      kill.get(60, TimeUnit.SECONDS);
      assertThat(stopped).hasSize(2).doesNotHaveDuplicates();

      // after the failovers the cluster and the client are fully usable again
      String leader = cluster.awaitLeader();
      assertThat(stopped.get(1)).isNotEqualTo(leader);
      int before = failures.size();
      step(gfs, 100);
      assertThat(failures.subList(before, failures.size())).as("calls after recovery").isEmpty();
      assertThat(succeeded).as("successful calls; failures: %s", failures)
          .isGreaterThan((STEPS * 6) / 2);
      List<FileStatus> all = gfs.list("/fo", true);
      assertThat(all).extracting(FileStatus::path).contains("/fo/log", "/fo/s100/data");
      System.out.printf("master failover: %d calls succeeded, %d failed cleanly: %s%n", succeeded,
          failures.size(), failures);
    } finally {
      chaos.shutdownNow();
      chaos.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}

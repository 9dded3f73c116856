package io.gfs.master.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.MasterQueryResult;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Queries and checkpoints running beside apply see consistent states and never fail. */
class ConcurrentReadsTest {
  @Test
  void readersRunSafelyBesideTheWriter() throws Exception {
    MasterState state = new MasterState();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService readers = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "test-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        results.add(readers.submit(() -> {
          int reads = 0;
          while (!done.get() && reads < 100_000) {
            MasterQueryResult listed = state.query(Ops.list("", "/d", true, 0, ""));
            if (listed.getCode() == 0) {
              // Files are created in pairs under one write lock: never see half a pair.
              assertThat(listed.getListFiles().getEntriesCount() % 2).isZero();
            }
            state.writeCheckpoint(new ByteArrayOutputStream(), 1, 1);
            reads++;
          }
          return reads;
        }));
      }
      long index = 0;
      for (int i = 0; i < 2_000; i++) {
        // One command creating /d/pI (a directory) and /d/pI/f: two entries at once.
        state.apply(++index, Ops.create("", "/d/p" + i + "/f").toBuilder()
            .setTimestampMs(i).build());
        if (i % 100 == 99) {
          state.apply(++index, Ops.delete("", "/d", true));
        }
      }
      done.set(true);
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      readers.shutdownNow();
    }
  }
}

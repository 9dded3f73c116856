package io.gfs.master.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final Deadlines deadlines = new Deadlines(Duration.ofNanos(100), now::get);

  @Test
  void failsWhatIsNotDoneByItsDeadlineAndNothingEarlier() {
    CompletableFuture<String> f = new CompletableFuture<>();
    deadlines.add(f, () -> new IllegalStateException("late"));
    now.addAndGet(99);
    deadlines.sweep();
    assertThat(f).isNotDone();
    now.addAndGet(1);
    deadlines.sweep();
    assertThat(f).isCompletedExceptionally();
    Assertions.assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("late");
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void leavesDoneFuturesAloneAndForgetsThem() {
    CompletableFuture<String> done = new CompletableFuture<>();
    CompletableFuture<String> later = new CompletableFuture<>();
    deadlines.add(done, () -> new IllegalStateException("late"));
    now.addAndGet(50);
    deadlines.add(later, () -> new IllegalStateException("late"));
    done.complete("answer");
    deadlines.sweep();
    assertThat(deadlines.size()).as("the done head is dropped at once").isEqualTo(1);
    now.addAndGet(60);  // past the first deadline, not the second
    deadlines.sweep();
    assertThat(done.join()).isEqualTo("answer");
    assertThat(later).isNotDone();
    now.addAndGet(40);
    deadlines.sweep();
    assertThat(later).isCompletedExceptionally();
  }

  @Test
  void anAlreadyDoneFutureIsNotKept() {
    deadlines.add(CompletableFuture.completedFuture("x"), () -> new IllegalStateException());
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void theTimerSweepFailsALateFuture() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      Deadlines real = new Deadlines(Duration.ofMillis(200), System::nanoTime).start(timer);
      CompletableFuture<String> f = new CompletableFuture<>();
      real.add(f, () -> new IllegalStateException("late"));
      Assertions.assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void sweepsOftenEnoughForShortTimeoutsAndNotTooOftenForLongOnes() {
    assertThat(Deadlines.sweepPeriod(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(50));
    assertThat(Deadlines.sweepPeriod(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(20));
    assertThat(Deadlines.sweepPeriod(Duration.ofMillis(5))).isEqualTo(Duration.ofMillis(1));
  }
}

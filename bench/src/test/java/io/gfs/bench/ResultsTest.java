package io.gfs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-operation latencies written in operation order, one file per repetition. */
class ResultsTest {
  @TempDir Path dir;

  private static Parallel.Result result(long... inOrder) {
    long[] sorted = inOrder.clone();
    Arrays.sort(sorted);
    return new Parallel.Result(100, sorted, inOrder);
  }

  @Test
  void latenciesGoToOneFilePerRepetitionInOperationOrder() throws IOException {
    Path out = dir.resolve("latencies");
    Results results = new Results(out);
    results.add("W3/8", result(3_000_000, 1_000_000, 2_000_000));
    results.add("W3/8", result(5, 4));

    assertThat(Files.readAllLines(out.resolve("W3-8-1.txt")))
        .containsExactly("3000000", "1000000", "2000000");
    assertThat(Files.readAllLines(out.resolve("W3-8-2.txt"))).containsExactly("5", "4");
    // the table still gets the percentiles of the sorted latencies
    List<Run> runs = results.runs.get("W3/8");
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).p50Ms()).isEqualTo(2.0);
  }

  @Test
  void withoutALatencyDirectoryNothingIsWritten() throws IOException {
    Results results = new Results(null);
    results.add("W5", result(7, 8, 9));
    assertThat(results.runs.get("W5")).hasSize(1);
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}

package io.gfs.it.fault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a history against the final state (RELIABILITY.md, "Checks over a history"): no
 * acknowledged append lost, no phantom record, definite failures absent, every read a byte-prefix
 * of the final file, up-to-date replicas identical, no orphan chunk handle, no acknowledged
 * metadata operation lost. Duplicates are counted, not failed: appends are at-least-once.
 */
final class Checker {
  private static final int VIOLATIONS_SHOWN_MAX = 20;

  private final List<String> violations = new ArrayList<>();
  private int shownOmitted;

  static CheckReport check(List<Op> history, FinalState state) {
    return new Checker().run(history, state);
  }

  private CheckReport run(List<Op> history, FinalState state) {
    int acked = 0;
    int lost = 0;
    int failedPresent = 0;
    int staleReads = 0;
    Map<String, Map<Long, Integer>> found = new HashMap<>(); // path -> client<<40|seq -> count
    Set<String> invoked = new HashSet<>();
    for (Map.Entry<String, byte[]> f : state.files().entrySet()) {
      Map<Long, Integer> counts = new HashMap<>();
      for (AppendRecord.Found r : AppendRecord.scan(f.getValue())) {
        counts.merge(key(r.client(), r.sequence()), 1, Integer::sum);
      }
      found.put(f.getKey(), counts);
    }
    for (Op op : history) {
      if (op.type() == Op.Type.APPEND) {
        invoked.add(op.path() + "#" + key(op.client(), op.sequence()));
        byte[] file = state.files().getOrDefault(op.path(), new byte[0]);
        int copies = found.getOrDefault(op.path(), Map.of())
            .getOrDefault(key(op.client(), op.sequence()), 0);
        if (op.outcome() == Op.Outcome.OK) {
          acked++;
          AppendRecord.Found at = AppendRecord.parseAt(file, op.offset());
          if (at == null || at.client() != op.client() || at.sequence() != op.sequence()) {
            lost++;
            violate("lost: acknowledged append client=%d seq=%d path=%s offset=%d is not there",
                op.client(), op.sequence(), op.path(), op.offset());
          }
        } else if (op.outcome() == Op.Outcome.FAIL && copies > 0) {
          failedPresent++;
          violate("failed append present: client=%d seq=%d path=%s error=%s", op.client(),
              op.sequence(), op.path(), op.error());
        }
      } else if (op.type() == Op.Type.READ && op.outcome() == Op.Outcome.OK) {
        byte[] file = state.files().getOrDefault(op.path(), new byte[0]);
        if (!isSlice(file, op.offset(), op.data())) {
          staleReads++;
          violate("stale read: client=%d path=%s offset=%d length=%d is not in the final file",
              op.client(), op.path(), op.offset(), op.data().length);
        }
      }
    }
    int phantom = 0;
    int duplicates = 0;
    for (Map.Entry<String, Map<Long, Integer>> f : found.entrySet()) {
      for (Map.Entry<Long, Integer> r : f.getValue().entrySet()) {
        if (!invoked.contains(f.getKey() + "#" + r.getKey())) {
          phantom++;
          violate("phantom record: path=%s client=%d seq=%d was never appended", f.getKey(),
              r.getKey() >>> 40, r.getKey() & ((1L << 40) - 1));
        }
        duplicates += r.getValue() - 1;
      }
    }
    int mismatches = checkReplicas(state);
    int orphans = 0;
    for (String h : new TreeSet<>(state.diskHandles())) {
      if (!state.metadataHandles().contains(h)) {
        orphans++;
        violate("orphan chunk handle %s is on disk but not in the final metadata", h);
      }
    }
    MetaCheck meta = checkMetadata(history, state.metaNames());
    if (shownOmitted > 0) {
      violations.add("... and " + shownOmitted + " more");
    }
    return new CheckReport(acked, lost, phantom + meta.phantom, duplicates, staleReads,
        failedPresent, mismatches, orphans, meta.lost, List.copyOf(violations));
  }

  private int checkReplicas(FinalState state) {
    int mismatches = 0;
    for (FinalState.ChunkReplicas c : state.chunks()) {
      byte[] reference = null;
      String referenceId = null;
      for (Map.Entry<String, byte[]> r : c.replicaBytes().entrySet()) {
        byte[] b = r.getValue();
        if (b.length < c.committedLength()) {
          mismatches++;
          violate("short replica: chunk=%s server=%s has %d of %d committed bytes", c.handle(),
              r.getKey(), b.length, c.committedLength());
          continue;
        }
        byte[] committed = Arrays.copyOf(b, (int) c.committedLength());
        if (reference == null) {
          reference = committed;
          referenceId = r.getKey();
        } else if (!Arrays.equals(reference, committed)) {
          mismatches++;
          violate("replicas differ: chunk=%s servers=%s,%s over %d committed bytes", c.handle(),
              referenceId, r.getKey(), c.committedLength());
        }
      }
    }
    return mismatches;
  }

  private record MetaCheck(int lost, int phantom) {}

  /**
   * Each client works on names of its own, in sequence, so the possible final existence of each
   * name follows from its own operations: an unknown outcome allows both.
   */
  private MetaCheck checkMetadata(List<Op> history, Set<String> metaNames) {
    Map<String, EnumSet<Exists>> possible = new HashMap<>();
    List<Op> ordered = new ArrayList<>(history);
    ordered.sort(Comparator.comparingLong(Op::invokeNanos));
    for (Op op : ordered) {
      boolean ok = op.outcome() == Op.Outcome.OK;
      boolean unknown = op.outcome() == Op.Outcome.UNKNOWN;
      if (!ok && !unknown) {
        continue;
      }
      switch (op.type()) {
        case CREATE -> becomes(possible, op.path(), Exists.YES, ok);
        case DELETE -> becomes(possible, op.path(), Exists.NO, ok);
        case RENAME -> {
          becomes(possible, op.path(), Exists.NO, ok);
          becomes(possible, op.target(), Exists.YES, ok);
        }
        default -> { }
      }
    }
    int lost = 0;
    int phantom = 0;
    for (Map.Entry<String, EnumSet<Exists>> e : new java.util.TreeMap<>(possible).entrySet()) {
      Exists actual = metaNames.contains(e.getKey()) ? Exists.YES : Exists.NO;
      if (!e.getValue().contains(actual)) {
        lost++;
        violate("metadata operation lost: %s %s but the history allows only %s", e.getKey(),
            actual == Exists.YES ? "exists" : "is absent", e.getValue());
      }
    }
    for (String name : new TreeSet<>(metaNames)) {
      if (!possible.containsKey(name)) {
        phantom++;
        violate("phantom file %s: no operation created it", name);
      }
    }
    return new MetaCheck(lost, phantom);
  }

  private enum Exists { YES, NO }

  private static void becomes(Map<String, EnumSet<Exists>> possible, String name, Exists now,
      boolean certain) {
    EnumSet<Exists> before = possible.getOrDefault(name, EnumSet.of(Exists.NO));
    EnumSet<Exists> after = certain ? EnumSet.of(now) : EnumSet.copyOf(before);
    after.add(now);
    possible.put(name, after);
  }

  private static boolean isSlice(byte[] file, long offset, byte[] data) {
    if (offset < 0 || offset + data.length > file.length) {
      return false;
    }
    return Arrays.equals(file, (int) offset, (int) offset + data.length, data, 0, data.length);
  }

  private static long key(int client, long sequence) {
    return ((long) client << 40) | sequence;
  }

  private void violate(String format, Object... args) {
    if (violations.size() < VIOLATIONS_SHOWN_MAX) {
      violations.add(String.format(format, args));
    } else {
      shownOmitted++;
    }
  }
}

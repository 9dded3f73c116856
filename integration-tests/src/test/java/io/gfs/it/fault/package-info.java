/**
 * Multi-process fault tests: every master and chunkserver is its own JVM
 * ({@link io.gfs.it.fault.ProcessCluster}), a {@link io.gfs.it.fault.Workload} of concurrent SDK
 * clients logs each operation in a {@link io.gfs.it.fault.History}, and after the faults heal the
 * {@link io.gfs.it.fault.Checker} proves the promises of RELIABILITY.md over that history and the
 * final state. Each scenario prints one line
 * {@code scenario=... seed=... acked=... lost=... phantom=... duplicates=... stale_reads=...
 * max_unavailable_s=... elections=...}.
 *
 * <p>Runs: the bounded selection is part of the default build
 * ({@code mvn -o -B -pl integration-tests -am verify}); every scenario, including those tagged
 * {@code fault-full}, with {@code mvn -o -B -pl integration-tests -am verify -Pfault-full}.
 * {@code -Dgfs.fault.seed=N} changes the seed. The partition scenario needs root and iproute2
 * (Debian package {@code iproute2}: network namespaces, veth, a bridge and blackhole routes); it is
 * skipped elsewhere. Node logs and data dirs stay in {@code integration-tests/target/fault-runs}.
 */
package io.gfs.it.fault;

#!/usr/bin/env bash
# Builds the distribution and the bench module, then runs the workload harness (W0-W8 against a
# real 3-master, 3-chunkserver cluster of separate processes on 127.0.0.1) and prints one table.
#
#   scripts/bench.sh [--quick] [--reps N] [--only W1,W3] [--json FILE] [--work-dir DIR]
#                    [--server-java-opts "JVM FLAGS"] [--keep] [--latencies DIR]
#                    ("{id}" in the server flags becomes m1, cs2, ...)
#   scripts/bench.sh jmh [JMH ARGS]      the microbenchmarks (e.g. jmh -f 1 -wi 2 -i 3 Crc32c)
#   scripts/bench.sh heap [FILES]        the master's heap per file at 1,000,000 files
#
# Environment: BENCH_SKIP_BUILD=1 reuses the last build; MVN_OFFLINE=-o builds offline;
# BENCH_JAVA_OPTS adds JVM flags to the harness (the client side), e.g. a flight recording.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -B ${MVN_OFFLINE:-} -DskipTests package -pl distribution,bench -am
fi
dist="$(ls -d "$root"/distribution/target/gfs-*/gfs-*/ | head -n 1)"
cp="$root/bench/target/gfs-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
if [[ "${1:-}" == jmh ]]; then
  shift
  exec java -cp "$cp" org.openjdk.jmh.Main "$@"
fi
if [[ "${1:-}" == heap ]]; then
  shift
  exec java -Xmx4g -XX:+UseG1GC -cp "$cp" io.gfs.bench.HeapPerFile "$@"
fi
# The servers' class-data sharing archive, as an install would make it (no-op when up to date).
"$dist/bin/gfs" cds-archive >&2 || echo "bench: no class-data sharing archive" >&2
# shellcheck disable=SC2086
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.gfs.bench.BenchMain --dist "$dist" "$@"

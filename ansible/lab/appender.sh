#!/usr/bin/env bash
# A client that keeps appending: one `gfs append` of the record "seq=N" per step until the stop
# file appears or the bounds (count, seconds) are reached. Every call's exit status is logged as
# "N rc" in the result file; the caller checks that every append succeeded.
# Usage: appender.sh GFS_CLI REMOTE STOP_FILE RESULT_FILE MAX_COUNT MAX_SECONDS
set -uo pipefail
cli="$1" remote="$2" stop="$3" result="$4" max_count="$5" max_seconds="$6"
: >"$result"
n=0
end=$((SECONDS + max_seconds))
while [ ! -e "$stop" ] && [ "$n" -lt "$max_count" ] && [ "$SECONDS" -lt "$end" ]; do
  n=$((n + 1))
  printf 'seq=%06d\n' "$n" | $cli append "$remote" - >/dev/null 2>>"$result.err"
  echo "$n $?" >>"$result"
done

#!/usr/bin/env bash
# The Ansible lab test, for CI: boots 3 master and 3 chunkserver hosts (systemd-nspawn, real
# systemd and sshd, own addresses on a private bridge), then
#   1. site.yml converges the cluster (its health checks must pass),
#   2. the CLI writes a file and reads it back identical,
#   3. site.yml again changes nothing,
#   4. rolling.yml restarts every node, one at a time, while a client keeps appending,
#   5. every append succeeded, every record is in the file, and the first file is intact.
# Prints one summary line at the end; exits non-zero on any failure. Needs root (apt-get, nspawn,
# a bridge). Environment: GFS_DIST_TARBALL (default: the repo's distribution/target tarball,
# built when missing), LAB_KEEP=1 to leave the nodes running, LAB_DATA_CHECKS=0 to test only the
# deployment (no CLI writes, no appender; for debugging, never in CI), LAB_* of lab-lib.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ansible_dir="$(cd "$here/.." && pwd)"
repo="$(cd "$ansible_dir/.." && pwd)"
# shellcheck source=lab-lib.sh
. "$here/lab-lib.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root"

step="setup"
started=$SECONDS
appender=""
report() {
  local rc=$?
  if [ -n "$appender" ]; then kill "$appender" 2>/dev/null || true; fi
  if [ "${LAB_KEEP:-0}" = 1 ]; then
    log "LAB_KEEP=1: nodes left running; stop them with $here/lab.sh down"
  else
    lab_down || true
  fi
  if [ "$rc" -eq 0 ]; then
    echo "LAB TEST PASSED in $((SECONDS - started)) s: ${summary:-}"
  else
    echo "LAB TEST FAILED at step '$step' (exit $rc) after $((SECONDS - started)) s; logs in $LAB_STATE/logs"
  fi
  exit "$rc"
}
trap report EXIT
trap 'exit 130' INT TERM

install_host_packages
logs="$LAB_STATE/logs"
safe_rm "$logs"
mkdir -p "$logs"

step="lint"
(cd "$ansible_dir" && ansible-playbook --syntax-check site.yml rolling.yml >"$logs/syntax.log" 2>&1) \
  || die "syntax check failed: $logs/syntax.log"
(cd "$ansible_dir" && ansible-lint --offline >"$logs/lint.log" 2>&1) || die "ansible-lint failed: $logs/lint.log"

step="distribution"
tarball="${GFS_DIST_TARBALL:-}"
if [ -z "$tarball" ]; then
  tarball="$(ls "$repo"/distribution/target/gfs-*.tar.gz 2>/dev/null | head -n 1 || true)"
  if [ -z "$tarball" ]; then
    log "building the distribution"
    (cd "$repo" && ./mvnw -q -B ${LAB_MVN_OPTS:-} -DskipTests package -pl distribution -am) >"$logs/build.log" 2>&1 \
      || die "build failed: $logs/build.log"
    tarball="$(ls "$repo"/distribution/target/gfs-*.tar.gz | head -n 1)"
  fi
fi
version="$(basename "$tarball" .tar.gz)"
version="${version#gfs-}"
log "distribution $tarball (version $version)"
# The client side of the test runs on this machine, as an operator's workstation would.
client_dir="$LAB_STATE/client"
safe_rm "$client_dir"
mkdir -p "$client_dir"
tar -xzf "$tarball" -C "$client_dir" --strip-components=1
masters="$(for n in "${LAB_MASTERS[@]}"; do printf '%s:9000,' "$(node_ip "$n")"; done)"
gfs=(env GFS_HEAP=128m "$client_dir/bin/gfs" --masters "${masters%,}")

step="boot"
lab_up

playbook() {
  local name="$1" out="$2"
  shift 2
  (cd "$ansible_dir" && ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 ansible-playbook \
    -i "$LAB_STATE/inventory/hosts.yml" -e gfs_dist_tarball="$tarball" -e gfs_version="$version" \
    "$@" "$name") >"$out" 2>&1
}
# "changed=N" of every host in the PLAY RECAP, summed.
changed_total() { sed -n '/PLAY RECAP/,$p' "$1" | grep -o 'changed=[0-9]*' | awk -F= '{s += $2} END {print s + 0}'; }

step="site.yml (converge)"
t=$SECONDS
playbook site.yml "$logs/site-1.log" || die "site.yml failed; tail of $logs/site-1.log:
$(tail -n 30 "$logs/site-1.log")"
converge_s=$((SECONDS - t))
log "converged in $converge_s s"

data_checks="${LAB_DATA_CHECKS:-1}"
step="write and read a file"
if [ "$data_checks" = 1 ]; then
  head -c $((12 * 1024 * 1024 + 12345)) /dev/urandom >"$LAB_STATE/blob.in"
  "${gfs[@]}" mkdir -p /lab >"$logs/cli.log" 2>&1 || die "gfs mkdir failed: $(tail -n 5 "$logs/cli.log")"
  "${gfs[@]}" put "$LAB_STATE/blob.in" /lab/blob >>"$logs/cli.log" 2>&1 || die "gfs put failed: $(tail -n 5 "$logs/cli.log")"
  "${gfs[@]}" get /lab/blob "$LAB_STATE/blob.out" >>"$logs/cli.log" 2>&1 || die "gfs get failed: $(tail -n 5 "$logs/cli.log")"
  cmp -s "$LAB_STATE/blob.in" "$LAB_STATE/blob.out" || die "the file read back differs from the one written"
  log "wrote and read back a $(stat -c %s "$LAB_STATE/blob.in")-byte file"
fi

step="site.yml (idempotent rerun)"
playbook site.yml "$logs/site-2.log" || die "second site.yml failed: $(tail -n 30 "$logs/site-2.log")"
changed="$(changed_total "$logs/site-2.log")"
[ "$changed" = 0 ] || die "second site.yml changed $changed things:
$(grep -E '^(changed|TASK)' "$logs/site-2.log" | grep -B1 '^changed' || true)"
log "second site.yml: changed=0 on every host"

step="rolling.yml under appends"
# The roll is an upgrade: the same build repacked with a marker file, so its digest and thus its
# release directory differ from the installed one.
upgrade_dir="$LAB_STATE/upgrade"
safe_rm "$upgrade_dir"
mkdir -p "$upgrade_dir/x"
tar -xzf "$tarball" -C "$upgrade_dir/x"
top="$(ls "$upgrade_dir/x")"
echo "lab upgrade $(date -u +%FT%TZ)" >"$upgrade_dir/x/$top/conf/lab-upgrade-marker"
upgrade_tarball="$upgrade_dir/gfs-$version.tar.gz"
tar -czf "$upgrade_tarball" -C "$upgrade_dir/x" "$top"
new_release="/opt/gfs/releases/gfs-$version-$(sha256sum "$upgrade_tarball" | cut -c1-12)"
if [ "$data_checks" = 1 ]; then
  printf 'header\n' | "${gfs[@]}" put - /lab/appends >>"$logs/cli.log" 2>&1 || die "gfs put of the append file failed"
  rm -f "$LAB_STATE/appender.stop"
  : >"$logs/appends.txt"
  "$here/appender.sh" "${gfs[*]}" /lab/appends "$LAB_STATE/appender.stop" "$logs/appends.txt" \
    "${LAB_MAX_APPENDS:-5000}" "${LAB_MAX_APPEND_SECONDS:-1800}" &
  appender=$!
  # Let a few appends land before the first restart.
  deadline=$((SECONDS + 120))
  until [ "$(wc -l <"$logs/appends.txt" 2>/dev/null || echo 0)" -ge 3 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { kill "$appender"; die "the appender made no progress"; }
    sleep 1
  done
fi
t=$SECONDS
rolling_rc=0
playbook rolling.yml "$logs/rolling.log" -e gfs_dist_tarball="$upgrade_tarball" || rolling_rc=$?
rolling_s=$((SECONDS - t))
touch "$LAB_STATE/appender.stop"
[ "$data_checks" != 1 ] || wait "$appender" || true
appender=""
[ "$rolling_rc" -eq 0 ] || die "rolling.yml failed; tail of $logs/rolling.log:
$(tail -n 30 "$logs/rolling.log")"
log "rolling.yml took $rolling_s s"

step="verify appends and data"
if [ "$data_checks" = 1 ]; then
  total="$(wc -l <"$logs/appends.txt")"
  [ "$total" -gt 0 ] || die "no append was attempted"
  problems=()
  failed="$(awk '$2 != 0' "$logs/appends.txt" | wc -l)"
  if [ "$failed" -gt 0 ]; then
    problems+=("$failed of $total appends failed (seq $(awk '$2 != 0 {print $1}' "$logs/appends.txt" | head -n 20 | paste -sd' '); errors in $logs/appends.txt.err)")
  fi
  if "${gfs[@]}" get /lab/appends "$LAB_STATE/appends.out" >>"$logs/cli.log" 2>&1; then
    # Every acknowledged record must be there whole; GFS record append may repeat a record after
    # a retry, so repeats are counted, not failed.
    lost=0
    for i in $(awk '$2 == 0 {print $1}' "$logs/appends.txt"); do
      grep -qx "$(printf 'seq=%06d' "$i")" "$LAB_STATE/appends.out" || lost=$((lost + 1))
    done
    foreign="$(grep -cvxE 'header|seq=[0-9]{6}' "$LAB_STATE/appends.out" || true)"
    repeats=$(( $(grep -c '^seq=' "$LAB_STATE/appends.out") - $(sort -u "$LAB_STATE/appends.out" | grep -c '^seq=') ))
    [ "$lost" -eq 0 ] || problems+=("$lost acknowledged records are missing from the file")
    [ "$foreign" -eq 0 ] || problems+=("the appended file holds $foreign lines that no client wrote")
  else
    problems+=("gfs get of the append file failed")
  fi
  if ! "${gfs[@]}" get /lab/blob "$LAB_STATE/blob.after" >>"$logs/cli.log" 2>&1; then
    problems+=("gfs get of the first file after the roll failed")
  elif ! cmp -s "$LAB_STATE/blob.in" "$LAB_STATE/blob.after"; then
    problems+=("the first file changed during the roll")
  fi
  if [ "${#problems[@]}" -gt 0 ]; then
    die "$(printf '%s; ' "${problems[@]}")"
  fi
  data_summary="$total appends all acknowledged and present ($repeats repeats), file intact"
else
  data_summary="DATA CHECKS SKIPPED (LAB_DATA_CHECKS=0)"
fi
# Every service must run from the new release (the link is resolved when a service starts).
for n in "${LAB_NODES[@]}"; do
  unit="gfs-chunkserver"
  case " ${LAB_MASTERS[*]} " in *" $n "*) unit="gfs-master" ;; esac
  running="$(lab_ssh "$n" "tr '\\0' ' ' </proc/\$(systemctl show -p MainPID --value $unit)/cmdline")" \
    || die "cannot read the command line of $unit on $n"
  case "$running" in
    *"$new_release/"*) ;;
    *) die "$unit on $n does not run from $new_release: $running" ;;
  esac
done
log "every service runs from $new_release"
summary="converge ${converge_s}s, rerun changed=0, rolling upgrade ${rolling_s}s; $data_summary"
step="done"

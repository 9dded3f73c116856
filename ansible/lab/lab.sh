#!/usr/bin/env bash
# The Ansible lab by hand: six Debian hosts (m1-m3, cs1-cs3) booted with systemd-nspawn.
#   lab.sh up       boot the nodes (builds or restores the base image first) and write the inventory
#   lab.sh down     stop every node, also those of a crashed run, and remove bridge and state
#   lab.sh ssh m1   a shell on a node
#   lab.sh status   what runs
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lab-lib.sh
. "$here/lab-lib.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root"
case "${1:-}" in
  up) lab_up ;;
  down) lab_down ;;
  image) install_host_packages; mkdir -p "$LAB_STATE"; ensure_base_image ;;
  ssh) shift; node="$1"; shift; lab_ssh "$node" "$@" ;;
  status)
    for n in $(nodes_with_cgroups); do echo "$n: $(node_pids "$n" | wc -l) processes"; done
    ip -br addr show "$LAB_BRIDGE" 2>/dev/null || echo "no bridge $LAB_BRIDGE" ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac

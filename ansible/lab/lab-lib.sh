# shellcheck shell=bash
# Shared functions of the Ansible lab: six Debian hosts booted with systemd-nspawn on a bridge the
# lab creates. Sourced by lab.sh and run-lab-test.sh; every setting can be overridden by the
# environment. Nothing here touches an interface or address the lab did not create: no routes off
# the bridge, ip_forward untouched, no NAT.

LAB_NAME="${LAB_NAME:-gfslab}"
LAB_CACHE="${LAB_CACHE:-/var/cache/gfs-lab}"
LAB_STATE="${LAB_STATE:-/var/tmp/gfs-lab-$LAB_NAME}"
LAB_BRIDGE="${LAB_BRIDGE:-gfslab0}"
# A /24 out of the benchmark range (RFC 2544) so it clashes with no real network.
LAB_NET="${LAB_NET:-198.18.77}"
LAB_MIRROR="${LAB_MIRROR:-http://deb.debian.org/debian}"
LAB_SUITE="${LAB_SUITE:-bookworm}"
LAB_BASE_TARBALL="$LAB_CACHE/base-$LAB_SUITE-v2.tar.zst"
LAB_MASTERS=(m1 m2 m3)
LAB_CHUNKSERVERS=(cs1 cs2 cs3)
LAB_NODES=("${LAB_MASTERS[@]}" "${LAB_CHUNKSERVERS[@]}")
# Packages baked into the base: the nodes have no route to a mirror during the test.
LAB_PACKAGES="systemd,systemd-sysv,dbus,openssh-server,python3,python3-apt,iproute2,openjdk-17-jre-headless,procps,less"

log() { printf '%s lab: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# The host address of node i (1-based position in LAB_NODES); .1 is the controller's.
node_ip() {
  local name="$1" i
  for i in "${!LAB_NODES[@]}"; do
    if [ "${LAB_NODES[$i]}" = "$name" ]; then
      echo "$LAB_NET.$((i + 11))"
      return 0
    fi
  done
  die "unknown node $name"
}
controller_ip() { echo "$LAB_NET.1"; }

install_host_packages() {
  local missing=()
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v ansible-playbook >/dev/null || missing+=(ansible-core)
  command -v ansible-lint >/dev/null || missing+=(ansible-lint)
  command -v ssh >/dev/null || missing+=(openssh-client)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v jq >/dev/null || missing+=(jq)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null
    # --no-install-recommends: ansible-core would otherwise pull a ~500 MB collections bundle.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Builds the shared read-only root once (debootstrap, ~1 min) and caches it as a zstd tarball.
ensure_base_image() {
  local base="$LAB_STATE/base"
  if [ -f "$base/.lab-base-ok" ]; then
    return 0
  fi
  rm -rf "$base"
  mkdir -p "$base" "$LAB_CACHE"
  if [ -f "$LAB_BASE_TARBALL" ]; then
    log "restoring base image from $LAB_BASE_TARBALL"
    tar --zstd -xpf "$LAB_BASE_TARBALL" -C "$base"
  else
    log "building base image with debootstrap (once; cached in $LAB_CACHE)"
    debootstrap --variant=minbase --include="$LAB_PACKAGES" "$LAB_SUITE" "$base" "$LAB_MIRROR" \
      >"$LAB_STATE/debootstrap.log" 2>&1 || die "debootstrap failed, see $LAB_STATE/debootstrap.log"
    prepare_base "$base"
    local tmp="$LAB_BASE_TARBALL.tmp.$$"
    tar --zstd -cpf "$tmp" -C "$base" . && mv "$tmp" "$LAB_BASE_TARBALL"
  fi
  touch "$base/.lab-base-ok"
}

# What every node shares: networkd and sshd on, root login by key only, no host keys and no
# machine-id (each node gets its own in its upper directory).
prepare_base() {
  local base="$1"
  chroot "$base" systemctl enable systemd-networkd ssh >/dev/null 2>&1
  chroot "$base" systemctl mask systemd-resolved apt-daily.timer apt-daily-upgrade.timer \
    >/dev/null 2>&1 || true
  rm -f "$base"/etc/ssh/ssh_host_*
  cat >"$base/etc/ssh/sshd_config.d/lab.conf" <<'SSHD'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
SSHD
  : >"$base/etc/machine-id"
  rm -rf "$base"/var/cache/apt/archives/*.deb "$base"/var/lib/apt/lists/*
}

# rm -rf that first unmounts anything mounted below the path (a debootstrap killed half-way
# leaves /proc mounted inside its target).
safe_rm() {
  local dir="$1" m
  [ -e "$dir" ] || return 0
  { findmnt -rn -o TARGET | grep -F "$dir/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$dir"
}

LAB_CGROUP_ROOTS=(/sys/fs/cgroup/systemd /sys/fs/cgroup/unified)
cgroup_dir_of() { echo "$1/$LAB_NAME-$2"; }

# The PIDs of every process in a node's cgroups (the launcher, nspawn and the whole container).
node_pids() {
  local node="$1" root
  for root in "${LAB_CGROUP_ROOTS[@]}"; do
    [ -d "$(cgroup_dir_of "$root" "$node")" ] || continue
    find "$(cgroup_dir_of "$root" "$node")" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
}

# Every node of this lab that has cgroups, including those of a run that crashed.
nodes_with_cgroups() {
  local root d
  for root in "${LAB_CGROUP_ROOTS[@]}"; do
    for d in "$root/$LAB_NAME"-*; do
      [ -d "$d" ] && basename "$d" | sed "s/^$LAB_NAME-//"
    done
  done | sort -u
}

write_node_files() {
  local node="$1" upper="$2" ip n
  ip="$(node_ip "$node")"
  mkdir -p "$upper/etc/systemd/network" "$upper/root/.ssh"
  echo "$node" >"$upper/etc/hostname"
  # Without a name for the host name, Java's InetAddress.getLocalHost() fails.
  {
    echo "127.0.0.1 localhost"
    echo "127.0.1.1 $node"
    for n in "${LAB_NODES[@]}"; do echo "$(node_ip "$n") $n.lab $n"; done
  } >"$upper/etc/hosts"
  tr -d '-' </proc/sys/kernel/random/uuid >"$upper/etc/machine-id"
  mkdir -p "$upper/etc/ssh"
  ssh-keygen -q -A -f "$upper" >/dev/null
  cat >"$upper/etc/systemd/network/10-lab.network" <<NET
[Match]
Name=host0

[Network]
Address=$ip/24
LinkLocalAddressing=no
IPv6AcceptRA=no
NET
  install -m 0600 "$LAB_STATE/ssh/id_ed25519.pub" "$upper/root/.ssh/authorized_keys"
  chmod 0700 "$upper/root/.ssh"
}

# Boots one node in the background. The launcher moves itself into cgroups of its own (the host's
# PID 1 is not systemd, so nspawn cannot make them) and boots again when the node reboots (133).
boot_node() {
  local node="$1" dir
  dir="$LAB_STATE/nodes/$node"
  mkdir -p "$dir/upper"
  write_node_files "$node" "$dir/upper"
  setsid bash -c '
    node="$1"; base="$2"; upper="$3"; bridge="$4"; log="$5"; shift 5
    for cg in "$@"; do mkdir -p "$cg" && echo $$ >"$cg/cgroup.procs"; done
    while :; do
      rc=0
      systemd-nspawn -D "$base" -b --register=no --keep-unit -M "$node" \
        --network-bridge="$bridge" --overlay="$base:$upper:/" \
        --console=passive >>"$log" 2>&1 </dev/null || rc=$?
      [ "$rc" -eq 133 ] || exit "$rc"
      echo "lab: $node rebooting" >>"$log"
    done' launcher "$node" "$LAB_STATE/base" "$dir/upper" "$LAB_BRIDGE" "$dir/console.log" \
    "$(cgroup_dir_of "${LAB_CGROUP_ROOTS[0]}" "$node")" \
    "$(cgroup_dir_of "${LAB_CGROUP_ROOTS[1]}" "$node")" >/dev/null 2>&1 &
  echo $! >"$dir/launcher.pid"
}

lab_ssh() {
  local node="$1"
  shift
  ssh -i "$LAB_STATE/ssh/id_ed25519" -o BatchMode=yes -o ConnectTimeout=5 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "root@$(node_ip "$node")" "$@"
}

lab_up() {
  lab_down
  install_host_packages
  mkdir -p "$LAB_STATE/ssh"
  ensure_base_image
  [ -f "$LAB_STATE/ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$LAB_STATE/ssh/id_ed25519"
  ip link add "$LAB_BRIDGE" type bridge
  ip addr add "$(controller_ip)/24" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  local node deadline
  for node in "${LAB_NODES[@]}"; do boot_node "$node"; done
  deadline=$((SECONDS + ${LAB_BOOT_TIMEOUT:-180}))
  for node in "${LAB_NODES[@]}"; do
    until lab_ssh "$node" systemctl is-system-running --wait >/dev/null 2>&1; do
      [ "$SECONDS" -lt "$deadline" ] || die "node $node did not boot; see $LAB_STATE/nodes/$node/console.log"
      sleep 1
    done
  done
  write_inventory
  log "${#LAB_NODES[@]} nodes up on $LAB_BRIDGE ($LAB_NET.0/24); inventory $LAB_STATE/inventory/hosts.yml"
}

# Stops every node (also those of a crashed earlier run) and removes what the lab created.
lab_down() {
  local node pids root waited
  for node in $(nodes_with_cgroups); do
    pids="$(node_pids "$node")"
    # TERM the nspawn processes: they halt their container cleanly.
    for pid in $pids; do
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd-nspawn ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
  done
  waited=0
  while [ -n "$(for n in $(nodes_with_cgroups); do node_pids "$n"; done)" ] && [ "$waited" -lt 20 ]; do
    sleep 1
    waited=$((waited + 1))
    [ "$waited" -ne 10 ] || for n in $(nodes_with_cgroups); do
      for pid in $(node_pids "$n"); do kill -KILL "$pid" 2>/dev/null || true; done
    done
  done
  for node in $(nodes_with_cgroups); do
    for root in "${LAB_CGROUP_ROOTS[@]}"; do
      [ -d "$(cgroup_dir_of "$root" "$node")" ] || continue
      find "$(cgroup_dir_of "$root" "$node")" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  done
  if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then ip link del "$LAB_BRIDGE"; fi
  safe_rm "$LAB_STATE/nodes"
  safe_rm "$LAB_STATE/inventory"
}

write_inventory() {
  local inv="$LAB_STATE/inventory" n
  mkdir -p "$inv/group_vars"
  {
    echo "---"
    echo "all:"
    echo "  vars:"
    echo "    ansible_user: root"
    echo "    ansible_ssh_private_key_file: $LAB_STATE/ssh/id_ed25519"
    echo "    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    echo "  children:"
    echo "    masters:"
    echo "      hosts:"
    for n in "${LAB_MASTERS[@]}"; do
      echo "        $n: {ansible_host: $(node_ip "$n"), gfs_master_node_id: $n}"
    done
    echo "    chunkservers:"
    echo "      hosts:"
    for n in "${LAB_CHUNKSERVERS[@]}"; do
      echo "        $n: {ansible_host: $(node_ip "$n"), gfs_chunkserver_id: $n}"
    done
  } >"$inv/hosts.yml"
  cat >"$inv/group_vars/all.yml" <<VARS
---
# Lab settings: small JVMs (the nodes see all of the host's memory), small chunks.
gfs_master_heap: 256m
gfs_chunkserver_heap: 256m
gfs_chunkserver_direct_memory: 256m
gfs_master_chunk_size: 8MiB
gfs_health_timeout: ${LAB_HEALTH_TIMEOUT:-300}
VARS
}

"""Filters of the GFS playbooks: cluster addresses from the inventory, and health verdicts over the
JSON that `gfs raft status --json` and `gfs cluster status --json` print.

The health filters take the registered result of a command task and return a list of problems in
plain words; an empty list means healthy. They never raise on bad input (a CLI that failed, or
printed something that is not JSON): that is itself reported as a problem.
"""

import json

DOCUMENTATION = ""


def _address(hostvars, host):
    hv = hostvars[host]
    return str(hv.get("gfs_address") or hv.get("ansible_host") or host)


def _short(host):
    return str(host).split(".")[0]


def gfs_master_id(hostvars, host):
    return str(hostvars[host].get("gfs_master_node_id") or _short(host))


def gfs_chunkserver_id(hostvars, host):
    return str(hostvars[host].get("gfs_chunkserver_id") or _short(host))


def gfs_master_ids(hosts, hostvars):
    return [gfs_master_id(hostvars, h) for h in hosts]


def gfs_chunkserver_ids(hosts, hostvars):
    return [gfs_chunkserver_id(hostvars, h) for h in hosts]


def gfs_master_hosts_with_id(hosts, hostvars, node_id):
    """The inventory hosts (0 or 1) of the master with this id."""
    return [h for h in hosts if gfs_master_id(hostvars, h) == str(node_id)]


def gfs_master_peers(hosts, hostvars, raft_port, api_port):
    """The masters' `peers` setting: id=host:raftPort:apiPort, comma separated."""
    return ",".join("%s=%s:%s:%s" % (gfs_master_id(hostvars, h), _address(hostvars, h),
                                     raft_port, api_port) for h in hosts)


def gfs_master_api_list(hosts, hostvars, api_port):
    """host:apiPort of every master, comma separated (the CLI's --masters)."""
    return ",".join("%s:%s" % (_address(hostvars, h), api_port) for h in hosts)


def _json(result, what):
    """(parsed JSON, problem) from a registered command result."""
    if not isinstance(result, dict):
        return None, "%s: no result" % what
    out = str(result.get("stdout", ""))
    if result.get("rc", 0) != 0 and not out.strip():
        err = str(result.get("stderr", "")).strip().splitlines()
        return None, "%s failed (exit %s): %s" % (what, result.get("rc"), err[-1] if err else "")
    try:
        return json.loads(out), None
    except ValueError:
        return None, "%s printed no JSON: %s" % (what, out.strip()[:200])


def gfs_raft_leader(result):
    """The leader id every reachable master agrees on, or an empty string."""
    rows, problem = _json(result, "gfs raft status")
    if problem or not isinstance(rows, list):
        return ""
    leaders = {r.get("leader") for r in rows if r.get("reachable")}
    if len(leaders) != 1:
        return ""
    leader = leaders.pop() or ""
    roles = {r.get("id"): r.get("role") for r in rows if r.get("reachable")}
    return leader if roles.get(leader) == "LEADER" else ""


def gfs_raft_problems(result, expected_ids, max_lag=0):
    """Problems with the Raft group: a master unreachable, not one agreed leader, or lagging."""
    rows, problem = _json(result, "gfs raft status")
    if problem:
        return [problem]
    if not isinstance(rows, list):
        return ["gfs raft status: expected a JSON array"]
    problems = []
    seen = {r.get("id") for r in rows if r.get("reachable")}
    for r in rows:
        if not r.get("reachable"):
            problems.append("master at %s is unreachable" % r.get("address"))
    for node in expected_ids:
        if node not in seen and not any(not r.get("reachable") for r in rows):
            problems.append("master %s is not in the Raft status" % node)
    if not any(r.get("reachable") for r in rows):
        problems.append("no master is reachable")
    elif not gfs_raft_leader(result):
        views = ", ".join("%s sees leader %r as %s" % (r.get("id"), r.get("leader"), r.get("role"))
                          for r in rows if r.get("reachable"))
        problems.append("the masters do not agree on one leader (%s)" % views)
    for r in rows:
        if r.get("reachable") and int(r.get("lag", 0)) > int(max_lag):
            problems.append("master %s lags the leader by %s entries (allowed %s)"
                            % (r.get("id"), r.get("lag"), max_lag))
    return problems


def gfs_raft_transfer_target(result, self_id, max_lag=0):
    """A reachable, caught-up master other than self_id to hand leadership to, or ''."""
    rows, problem = _json(result, "gfs raft status")
    if problem or not isinstance(rows, list):
        return ""
    for r in sorted(rows, key=lambda r: int(r.get("lag", 0) or 0)):
        if (r.get("reachable") and r.get("id") != self_id
                and int(r.get("lag", 0)) <= int(max_lag)):
            return r.get("id")
    return ""


def _absent(value):
    return value is None or str(value).strip() in ("", "None")


def _true(value):
    return str(value).strip().lower() in ("true", "yes", "1", "on")


def gfs_cluster_problems(result, expected_ids, require_full_replication=False,
                         restarted_id=None, restarted_at_ms=None):
    """Problems with the chunkservers: missing, dead, or (for one just restarted) not yet heard
    from since its restart. For that check the command prints the caller's clock in ms on the
    first line, before asking the master: the heartbeat then happened at or after
    (that time - lastHeartbeatMsAgo), an estimate that is never later than the truth."""
    restarted_id = None if _absent(restarted_id) else str(restarted_id)
    restarted_at_ms = None if _absent(restarted_at_ms) else int(restarted_at_ms)
    asked_at_ms = None
    if isinstance(result, dict):
        lines = str(result.get("stdout", "")).split("\n", 1)
        if lines[0].strip().isdigit():
            asked_at_ms = int(lines[0].strip())
            result = dict(result, stdout=lines[1] if len(lines) > 1 else "")
    status, problem = _json(result, "gfs cluster status")
    if problem:
        return [problem]
    if not isinstance(status, dict):
        return ["gfs cluster status: expected a JSON object"]
    problems = []
    if not status.get("leader"):
        problems.append("no master leader")
    if status.get("safeMode"):
        problems.append("the master is in safe mode")
    servers = {s.get("id"): s for s in status.get("chunkservers", [])}
    for cs in expected_ids:
        s = servers.get(cs)
        if s is None:
            problems.append("chunkserver %s has not registered" % cs)
        elif not s.get("alive"):
            problems.append("chunkserver %s is not alive" % cs)
        elif cs == restarted_id and restarted_at_ms is not None:
            if asked_at_ms is None:
                problems.append("no timestamp before the cluster status")
                continue
            heard_at = asked_at_ms - int(s.get("lastHeartbeatMsAgo", 0))
            if heard_at < restarted_at_ms:
                problems.append("chunkserver %s has not re-registered since its restart" % cs)
    if _true(require_full_replication) and int(status.get("underReplicatedChunks", 0)) > 0:
        problems.append("%s chunks are under-replicated" % status.get("underReplicatedChunks"))
    return problems


class FilterModule(object):
    def filters(self):
        return {
            "gfs_master_ids": gfs_master_ids,
            "gfs_chunkserver_ids": gfs_chunkserver_ids,
            "gfs_master_peers": gfs_master_peers,
            "gfs_master_hosts_with_id": gfs_master_hosts_with_id,
            "gfs_master_api_list": gfs_master_api_list,
            "gfs_raft_leader": gfs_raft_leader,
            "gfs_raft_problems": gfs_raft_problems,
            "gfs_raft_transfer_target": gfs_raft_transfer_target,
            "gfs_cluster_problems": gfs_cluster_problems,
        }

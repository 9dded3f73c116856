"""Unit tests of filter_plugins/gfs.py: `python3 -m unittest discover -s ansible/tests`."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "filter_plugins"))
import gfs  # noqa: E402


def raft(rows, rc=0):
    return {"rc": rc, "stdout": json.dumps(rows), "stderr": ""}


def row(node, role, leader, applied=10, lag=0, reachable=True):
    return {"id": node, "address": node + ":9000", "reachable": reachable, "role": role,
            "term": 2, "leader": leader, "commitIndex": 10, "appliedIndex": applied,
            "lastLogIndex": 10, "lag": lag}


HEALTHY = [row("m1", "FOLLOWER", "m2"), row("m2", "LEADER", "m2"), row("m3", "FOLLOWER", "m2")]
IDS = ["m1", "m2", "m3"]


class RaftTest(unittest.TestCase):
    def test_healthy_group_has_no_problems_and_one_leader(self):
        self.assertEqual(gfs.gfs_raft_problems(raft(HEALTHY), IDS, 0), [])
        self.assertEqual(gfs.gfs_raft_leader(raft(HEALTHY)), "m2")

    def test_unreachable_master_is_reported(self):
        rows = HEALTHY[:2] + [{"id": "?", "address": "m3:9000", "reachable": False}]
        self.assertEqual(gfs.gfs_raft_problems(raft(rows), IDS, 0),
                         ["master at m3:9000 is unreachable"])

    def test_disagreeing_leaders_mean_no_leader(self):
        rows = [row("m1", "LEADER", "m1"), row("m2", "FOLLOWER", "m2"), row("m3", "FOLLOWER", "m2")]
        self.assertEqual(gfs.gfs_raft_leader(raft(rows)), "")
        self.assertIn("do not agree", gfs.gfs_raft_problems(raft(rows), IDS, 0)[0])

    def test_lag_over_the_limit_is_reported(self):
        rows = HEALTHY[:2] + [row("m3", "FOLLOWER", "m2", applied=2, lag=8)]
        self.assertEqual(gfs.gfs_raft_problems(raft(rows), IDS, 10), [])
        self.assertEqual(gfs.gfs_raft_problems(raft(rows), IDS, 5),
                         ["master m3 lags the leader by 8 entries (allowed 5)"])

    def test_failed_cli_and_garbage_are_problems_not_errors(self):
        self.assertIn("failed (exit 1)", gfs.gfs_raft_problems(
            {"rc": 1, "stdout": "", "stderr": "boom\nno master reachable"}, IDS)[0])
        self.assertIn("no JSON", gfs.gfs_raft_problems({"rc": 0, "stdout": "hello"}, IDS)[0])
        self.assertEqual(gfs.gfs_raft_leader({"rc": 0, "stdout": "hello"}), "")

    def test_transfer_target_is_a_caught_up_other_master(self):
        rows = [row("m1", "FOLLOWER", "m2", lag=50), row("m2", "LEADER", "m2"),
                row("m3", "FOLLOWER", "m2", lag=1)]
        self.assertEqual(gfs.gfs_raft_transfer_target(raft(rows), "m2", 5), "m3")
        self.assertEqual(gfs.gfs_raft_transfer_target(raft(rows), "m2", 0), "")


def cluster(servers, asked_at=None, under=0, leader="m1"):
    out = json.dumps({"leader": leader, "files": 1, "chunks": 3, "underReplicatedChunks": under,
                      "safeMode": False, "chunkservers": servers})
    if asked_at is not None:
        out = "%d\n%s" % (asked_at, out)
    return {"rc": 0, "stdout": out, "stderr": ""}


def server(node, alive=True, ago=100):
    return {"id": node, "address": node + ":8080", "alive": alive, "chunks": 3,
            "lastHeartbeatMsAgo": ago}


class ClusterTest(unittest.TestCase):
    def test_all_alive_is_healthy(self):
        result = cluster([server("cs1"), server("cs2"), server("cs3")])
        self.assertEqual(gfs.gfs_cluster_problems(result, ["cs1", "cs2", "cs3"]), [])

    def test_missing_and_dead_chunkservers_are_reported(self):
        result = cluster([server("cs1"), server("cs2", alive=False)])
        self.assertEqual(gfs.gfs_cluster_problems(result, ["cs1", "cs2", "cs3"]),
                         ["chunkserver cs2 is not alive", "chunkserver cs3 has not registered"])

    def test_restarted_chunkserver_needs_a_heartbeat_after_the_restart(self):
        before = cluster([server("cs1", ago=3000)], asked_at=10_000)
        self.assertEqual(gfs.gfs_cluster_problems(before, ["cs1"], False, "cs1", "8000"),
                         ["chunkserver cs1 has not re-registered since its restart"])
        after = cluster([server("cs1", ago=500)], asked_at=10_000)
        self.assertEqual(gfs.gfs_cluster_problems(after, ["cs1"], False, "cs1", "8000"), [])

    def test_no_restart_given_accepts_the_timestamp_line_and_none_strings(self):
        result = cluster([server("cs1")], asked_at=10_000)
        self.assertEqual(gfs.gfs_cluster_problems(result, ["cs1"], "False", "None", ""), [])

    def test_under_replication_only_counts_when_required(self):
        result = cluster([server("cs1")], under=2)
        self.assertEqual(gfs.gfs_cluster_problems(result, ["cs1"], "False"), [])
        self.assertEqual(gfs.gfs_cluster_problems(result, ["cs1"], "True"),
                         ["2 chunks are under-replicated"])


class InventoryTest(unittest.TestCase):
    HOSTVARS = {"a.example": {"ansible_host": "10.0.0.1", "gfs_master_node_id": "m1"},
                "b.example": {"gfs_address": "10.1.0.2"},
                "c.example": {}}

    def test_peers_and_api_list_use_address_then_ansible_host_then_name(self):
        hosts = ["a.example", "b.example", "c.example"]
        self.assertEqual(gfs.gfs_master_peers(hosts, self.HOSTVARS, 9010, 9000),
                         "m1=10.0.0.1:9010:9000,b=10.1.0.2:9010:9000,c=c.example:9010:9000")
        self.assertEqual(gfs.gfs_master_api_list(hosts, self.HOSTVARS, 9000),
                         "10.0.0.1:9000,10.1.0.2:9000,c.example:9000")
        self.assertEqual(gfs.gfs_master_hosts_with_id(hosts, self.HOSTVARS, "m1"), ["a.example"])


if __name__ == "__main__":
    unittest.main()

"""The identity graph from the command line: idr ingest into SQLite, then
clusters, resolve, profile, explain, forget and stats, on shared data with
ground truth (truth only for scoring).

Also the issue's quality bar: ingesting splink_fake_20000 record by record
(file order) must score a pairwise F1 within 0.02 of `idr dedup` on the same
file, measured in the same run.
"""

import json
import os
import sqlite3
import sys
import unittest

import e2e_util

e2e_util.IDR = os.path.abspath(sys.argv.pop(1))


def datasets_dir():
    env = os.environ.get("IDR_SHARED_DATASETS")
    if env and os.path.isdir(env):
        return env
    source = os.path.dirname(os.path.realpath(__file__))
    candidate = os.path.join(source, "..", "..", "..", "shared", "datasets")
    return os.path.normpath(candidate) if os.path.isdir(candidate) else None


DATASETS = datasets_dir()


def f1(clusters, truth, cluster_column):
    scored = e2e_util.run_idr("eval", "--clusters", clusters, "--truth", truth,
                              "--cluster-column", cluster_column, "--json")
    assert scored.returncode == 0, scored.stderr
    return json.loads(scored.stdout)["f1"]


@unittest.skipIf(DATASETS is None, "shared datasets not found")
class GraphTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = os.path.join(DATASETS, "splink_fake_20000.csv")
        cls.db = os.path.join(e2e_util.tmpdir(), "graph.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(cls.db + suffix):
                os.remove(cls.db + suffix)
        cls.ingest = e2e_util.run_idr("ingest", "--db", cls.db, "--input",
                                      cls.data, "--ignore-column", "truth_id",
                                      timeout=600)

    def run_ok(self, *args):
        result = e2e_util.run_idr(*args, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def clusters(self, name):
        out = os.path.join(e2e_util.tmpdir(), name)
        self.run_ok("clusters", "--db", self.db, "--output", out)
        return out

    def test_1_ingest_quality_within_002_of_dedup(self):
        self.assertEqual(self.ingest.returncode, 0, self.ingest.stderr)
        self.assertIn("20000 records", self.ingest.stderr)
        dedup_out = os.path.join(e2e_util.tmpdir(), "dedup.csv")
        self.run_ok("dedup", "--input", self.data, "--output", dedup_out,
                    "--ignore-column", "truth_id", "--quiet")
        batch = f1(dedup_out, self.data, "cluster_id")
        incremental = f1(self.clusters("ingest.csv"), self.data,
                         "customer_key")
        print("fake_20000: idr dedup F1 %.4f, idr ingest F1 %.4f" %
              (batch, incremental))
        self.assertGreaterEqual(incremental, batch - 0.02)

    def test_2_replay_is_idempotent(self):
        before = open(self.clusters("before.csv")).read()
        again = self.run_ok("ingest", "--db", self.db, "--input", self.data,
                            "--ignore-column", "truth_id")
        self.assertIn("20000 unchanged", again.stderr)
        self.assertEqual(open(self.clusters("after.csv")).read(), before)

    def test_3_resolve_profile_explain(self):
        # The customer of record 0 by its e-mail, then its profile.
        with open(self.data) as f:
            header = f.readline().strip().split(",")
            row = dict(zip(header, f.readline().strip().split(",")))
        found = json.loads(self.run_ok("resolve", "--db", self.db,
                                       "--record", row["record_id"]).stdout)
        key = found["customer_key"]
        self.assertTrue(key.startswith("C"))
        if row.get("email"):
            by_email = json.loads(self.run_ok("resolve", "--db", self.db,
                                              "--email", row["email"]).stdout)
            self.assertEqual(by_email["customer_key"], key)
        profile = json.loads(self.run_ok("profile", "--db", self.db,
                                         key).stdout)
        self.assertEqual(profile["customer_key"], key)
        self.assertGreaterEqual(profile["records"], 1)
        explained = json.loads(self.run_ok("explain", "--db", self.db,
                                           key).stdout)
        self.assertEqual(len(explained["records"]), profile["records"])
        fields = [f for r in explained["records"] for l in r["links"]
                  for f in l["fields"]]
        self.assertTrue(all("value" not in f for f in fields))
        # --values adds the compared values: for an e-mail that agreed
        # exactly, the record's normalised e-mail on both sides.
        shown = json.loads(self.run_ok("explain", "--db", self.db, key,
                                       "--values").stdout)
        fields = [f for r in shown["records"] for l in r["links"]
                  for f in l["fields"]]
        self.assertEqual(len(fields) > 0, profile["records"] > 1)
        for f in fields:
            self.assertIn("other_value", f)
            if f["field"] == "email" and f["level"].startswith("exact"):
                self.assertEqual(f["value"], f["other_value"])
                self.assertIn("@", f["value"])

    def test_3b_manual_changes_say_who_asked(self):
        members = {}
        with open(self.clusters("who.csv")) as f:
            next(f)
            for line in f:
                record, key = line.strip().split(",")
                members.setdefault(key, []).append(record)
        key, records = next((k, r) for k, r in sorted(members.items())
                            if len(r) >= 3)
        self.run_ok("unmerge", "--db", self.db, key, "--record", records[0],
                    "--reason", "twins", "--actor", "agent:e2e")
        env = dict(os.environ, USER="dpo")
        run = e2e_util.run_idr("unmerge", "--db", self.db, key, "--record",
                               records[1], "--reason", "twins", env=env)
        self.assertEqual(run.returncode, 0, run.stderr)
        history = json.loads(self.run_ok("explain", "--db", self.db,
                                         key).stdout)["history"]
        self.assertEqual(
            [(h["action"], h["reason"], h["actor"]) for h in history
             if h["action"] == "unmerge"],
            [("unmerge", "manual: twins", "agent:e2e"),
             ("unmerge", "manual: twins", "cli:dpo")])

    def test_4_forget_erases_from_the_file(self):
        with open(self.data) as f:
            header = f.readline().strip().split(",")
            rows = [dict(zip(header, line.strip().split(",")))
                    for line in f]
        row = next(r for r in rows if r.get("email"))
        key = json.loads(self.run_ok("resolve", "--db", self.db, "--record",
                                     row["record_id"]).stdout)["customer_key"]
        profile = json.loads(self.run_ok("profile", "--db", self.db,
                                         key).stdout)
        emails = [v["value"] for v in
                  profile["fields"].get("email", {}).get("values", [])]
        stats = json.loads(self.run_ok("stats", "--db", self.db).stdout)
        forgot = json.loads(self.run_ok("forget", "--db", self.db, key,
                                        "--reason", "test").stdout)
        self.assertEqual(forgot["records_erased"], profile["records"])
        after = json.loads(self.run_ok("stats", "--db", self.db).stdout)
        self.assertEqual(after["records"],
                         stats["records"] - profile["records"])
        missing = e2e_util.run_idr("profile", "--db", self.db, key)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no customer", missing.stderr)
        # The e-mails only this customer had are gone from the files.
        raw = b""
        for suffix in ("", "-wal"):
            if os.path.exists(self.db + suffix):
                raw += open(self.db + suffix, "rb").read()
        con = sqlite3.connect(self.db)
        for email in emails:
            shared = con.execute("SELECT count(*) FROM value WHERE value = ?",
                                 (email,)).fetchone()[0]
            if shared == 0:
                self.assertNotIn(email.encode(), raw)
        con.close()
        # Replaying the whole file does not bring the customer back.
        replay = self.run_ok("ingest", "--db", self.db, "--input", self.data,
                             "--ignore-column", "truth_id")
        self.assertIn("%d forgotten" % profile["records"], replay.stderr)

    def test_5_bad_input(self):
        bad = e2e_util.run_idr("ingest", "--db", self.db, "--input", self.data,
                               "--field", "nope=email")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("nope", bad.stderr)
        unknown = e2e_util.run_idr("explain", "--db", self.db, "Cnothere")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("no customer", unknown.stderr)
        missing = e2e_util.run_idr("stats", "--db",
                                   os.path.join(e2e_util.tmpdir(), "no.db"))
        self.assertEqual(missing.returncode, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""64 concurrent gRPC callers mixing reads (90% Resolve) and writes (10%
Ingest) against `idr serve` for a bounded time: no call fails, no
acknowledged write is lost, and the graph passes `idr check` afterwards."""

import csv
import os
import subprocess
import sys
import unittest

LOAD_GEN = os.path.abspath(sys.argv.pop(1))
IDR = os.path.abspath(sys.argv.pop(1))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(
    __file__)), "..", "e2e"))
import e2e_util  # noqa: E402

e2e_util.IDR = IDR
TMP = e2e_util.tmpdir()


def run(*args, timeout=600):
    result = subprocess.run([IDR, *args], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


class ConcurrencyTest(unittest.TestCase):
    def test_64_callers_lose_nothing(self):
        data = os.path.join(TMP, "base.csv")
        run("gen", "--records", "5000", "--out", data, "--seed", "11")
        db = os.path.join(TMP, "load.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        # The graph with the file's fields and model, then served.
        run("ingest", "--db", db, "--input", data, "--ignore-column",
            "truth_id", "--quiet")
        server = e2e_util.Server(db)
        acks = os.path.join(TMP, "acks.csv")
        try:
            load = subprocess.run(
                [LOAD_GEN, "--address", server.address, "--records", data,
                 "--mix", "mixed", "--concurrency", "64", "--seconds", "5",
                 "--acks", acks], capture_output=True, text=True, timeout=120)
        finally:
            code, err = server.stop()
        print(load.stdout, load.stderr)
        self.assertEqual(load.returncode, 0, load.stderr)
        self.assertIn(" 0 errors", load.stdout)
        self.assertEqual(code, 0, err)
        run("check", "--db", db)
        with open(acks) as f:
            acked = dict(line.strip().split(",") for line in f if line.strip())
        self.assertGreater(len(acked), 0)
        clusters = os.path.join(TMP, "clusters.csv")
        run("clusters", "--db", db, "--output", clusters)
        with open(clusters) as f:
            present = {row["record_id"]: row["customer_key"]
                       for row in csv.DictReader(f)}
        missing = [r for r in acked if r not in present]
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The Python example client (examples/python/idr_client.py) runs against a
fresh `idr serve` and tells the story it promises."""

import os
import subprocess
import sys
import unittest

import e2e_util

EXAMPLE = os.path.abspath(sys.argv.pop(1))
PROTO = os.path.abspath(sys.argv.pop(1))
e2e_util.IDR = os.path.abspath(sys.argv.pop(1))
PROTO_ROOT = PROTO[: -len("idr/v1/identity_service.proto")]


class ExampleClientTest(unittest.TestCase):
    def test_the_walkthrough(self):
        db = os.path.join(e2e_util.tmpdir(), "example.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        server = e2e_util.Server(db)
        try:
            result = subprocess.run(
                ["/usr/bin/python3", EXAMPLE, "--address", server.address,
                 "--proto-root", PROTO_ROOT],
                capture_output=True, text=True, timeout=120)
        finally:
            code, err = server.stop()
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        print(out)
        self.assertIn("OUTCOME_CREATED", out)
        self.assertIn("OUTCOME_ATTACHED", out)
        self.assertIn("MATCH_KIND_EXACT_IDENTIFIER", out)
        self.assertIn("profile: 2 records", out)
        self.assertIn("CHANNEL_STORE", out)
        self.assertIn("forget: 2 records erased", out)
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)

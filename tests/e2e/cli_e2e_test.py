"""End to end: the `idr` command line on bad input fails in one line with a
non-zero exit, never a crash; --help tells what the binary does."""

import os
import socket
import sys
import unittest

import e2e_util

e2e_util.IDR = os.path.abspath(sys.argv.pop(1))


def one_line(text):
    return len(text.strip().splitlines()) == 1


class CliTest(unittest.TestCase):
    def assertFailsInOneLine(self, result, code, fragment):
        self.assertEqual(result.returncode, code, result.stderr)
        self.assertTrue(one_line(result.stderr), repr(result.stderr))
        self.assertIn(fragment, result.stderr)
        self.assertEqual(result.stdout, "")

    def test_help_lists_the_subcommands(self):
        result = e2e_util.run_idr("--help")
        self.assertEqual(result.returncode, 0)
        for word in ("serve", "gen"):
            self.assertIn(word, result.stdout)
        serve_help = e2e_util.run_idr("serve", "--help")
        self.assertEqual(serve_help.returncode, 0)
        self.assertIn("--db", serve_help.stdout)
        self.assertIn("--listen", serve_help.stdout)
        gen_help = e2e_util.run_idr("gen", "--help")
        for flag in ("--records", "--out", "--seed"):
            self.assertIn(flag, gen_help.stdout)

    def test_no_subcommand_is_a_usage_error(self):
        self.assertFailsInOneLine(e2e_util.run_idr(), 2, "idr:")

    def test_unknown_flag_is_a_usage_error(self):
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", "x.db", "--bogus"), 2, "--bogus")

    def test_missing_required_flag_is_a_usage_error(self):
        self.assertFailsInOneLine(e2e_util.run_idr("serve"), 2, "--db")

    def test_bad_listen_address(self):
        db = os.path.join(e2e_util.tmpdir(), "addr.db")
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", db, "--listen", "localhost"), 1,
            "HOST:PORT")

    def test_unwritable_database_path(self):
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", "/proc/idr-test/x.db",
                             "--listen", "127.0.0.1:0"), 1, "/proc/idr-test")

    def test_port_in_use(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            db = os.path.join(e2e_util.tmpdir(), "busy.db")
            self.assertFailsInOneLine(
                e2e_util.run_idr("serve", "--db", db, "--listen",
                                 "127.0.0.1:%d" % port), 1, str(port))

    def test_gen_to_unwritable_path(self):
        self.assertFailsInOneLine(
            e2e_util.run_idr("gen", "--records", "10", "--out",
                             "/proc/idr-test/out.csv"), 1, "/proc/idr-test")

    def test_gen_rejects_non_positive_count(self):
        result = e2e_util.run_idr("gen", "--records", "0", "--out", "x.csv")
        self.assertEqual(result.returncode, 2)
        self.assertTrue(one_line(result.stderr), result.stderr)

    def test_gen_writes_exactly_n_records_atomically(self):
        out = os.path.join(e2e_util.tmpdir(), "gen.csv")
        result = e2e_util.run_idr("gen", "--records", "250", "--out", out,
                                  "--seed", "7")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("record_id,truth_id,channel,"))
        self.assertEqual(len(lines), 251)
        leftovers = [n for n in os.listdir(os.path.dirname(out))
                     if n.startswith("gen.csv") and n != "gen.csv"]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)

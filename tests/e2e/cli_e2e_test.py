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
                             "--listen", "127.0.0.1:0", "--insecure"), 1,
            "/proc/idr-test")

    def test_port_in_use(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            db = os.path.join(e2e_util.tmpdir(), "busy.db")
            self.assertFailsInOneLine(
                e2e_util.run_idr("serve", "--db", db, "--listen",
                                 "127.0.0.1:%d" % port, "--insecure"), 1,
                str(port))

    def test_plaintext_needs_insecure_and_loopback(self):
        db = os.path.join(e2e_util.tmpdir(), "plain.db")
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", db, "--listen", "127.0.0.1:0"),
            1, "--insecure")
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", db, "--listen", "0.0.0.0:0",
                             "--insecure"), 1, "loopback")
        self.assertFailsInOneLine(
            e2e_util.run_idr("serve", "--db", db, "--listen", "127.0.0.1:0",
                             "--tls-cert", "/nonexistent.pem"), 1,
            "--tls-key")

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


    def write(self, name, data):
        path = os.path.join(e2e_util.tmpdir(), name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def dedup(self, data, *flags):
        path = self.write("in.csv", data)
        out = os.path.join(e2e_util.tmpdir(), "clusters.csv")
        return e2e_util.run_idr("dedup", "--input", path, "--output", out,
                                *flags), out

    GOOD = (b"record_id,first_name,surname,dob,email\n"
            b"1,Ann,Lee,1980-01-02,ann@x.com\n"
            b"2,Anne,Lee,1980-01-02,ann@x.com\n"
            b"3,Bob,Chan,1975-05-06,bob@y.com\n"
            b"4,Robert,Chan,1975-05-06,bob@y.com\n"
            b"5,Cy,Wu,1990-09-09,cy@z.com\n")

    def test_dedup_bad_input_fails_in_one_line_naming_the_place(self):
        cases = [
            (b"", [], "is empty"),
            (b"record_id,first_name\n1,a,b\n", [], "in.csv:2: row has 3 fields"),
            (b"record_id,first_name\n1,a\"b\n", [], "in.csv:2: column 2: quote"),
            (b"record_id,first_name\n1,\"open\n", [], "not terminated"),
            (b"record_id,first_name\n1,\xff\n", [], "in.csv:2: column 2: invalid UTF-8"),
            (b"id,first_name\n1,a\n", [], "no id column 'record_id'"),
            (b"record_id,first_name\n1,a\n1,b\n", [],
             "in.csv:3: record_id '1' already appeared on line 2"),
            (self.GOOD, ["--field", "first_name=nickname"], "unknown field type 'nickname'"),
            (self.GOOD, ["--field", "middle=given_name"], "column 'middle'"),
            (b"record_id,colour\n1,red\n", [], "no column of"),
            (self.GOOD, ["--threshold", "1.5"], "--threshold"),
            (self.GOOD, ["--link-only"], "--source-column"),
        ]
        for data, flags, fragment in cases:
            with self.subTest(fragment=fragment):
                result, out = self.dedup(data, *flags)
                self.assertFailsInOneLine(result, 1, fragment)

    def test_dedup_links_and_eval_scores(self):
        result, out = self.dedup(self.GOOD, "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, encoding="utf-8") as f:
            rows = [line.split(",") for line in f.read().splitlines()]
        self.assertEqual(rows[0], ["record_id", "cluster_id"])
        cluster = {r[0]: r[1] for r in rows[1:]}
        self.assertEqual(len(cluster), 5)
        self.assertEqual(cluster["1"], cluster["2"])
        self.assertEqual(cluster["3"], cluster["4"])
        self.assertNotEqual(cluster["1"], cluster["3"])
        self.assertNotEqual(cluster["5"], cluster["1"])
        truth = self.write("truth.csv", b"record_id,truth_id\n1,a\n2,a\n3,b\n4,b\n5,c\n")
        scored = e2e_util.run_idr("eval", "--clusters", out, "--truth", truth, "--json")
        self.assertEqual(scored.returncode, 0, scored.stderr)
        self.assertIn('"f1":1.000000', scored.stdout)

    def test_dedup_combines_split_year_month_day_into_a_birth_date(self):
        data = (b"record_id,given_name,surname,year,month,day\n"
                b"1,ann,lee,1980,01,02\n2,ann,lee,1980,1,2\n"
                b"3,ann,lee,1961,05,06\n4,bob,wu,1990,,\n")
        pairs = os.path.join(e2e_util.tmpdir(), "split-pairs.csv")
        result, out = self.dedup(data, "--threads", "1", "--pairs", pairs)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("year+month+day=birth_date", result.stderr)
        with open(pairs, encoding="utf-8") as f:
            rows = {(r[0], r[1]): r for r in (l.split(",") for l in f.read().splitlines()[1:])}
        # 1980-01-02 written two ways is one date: blocked on, and exact.
        self.assertEqual(rows[("1", "2")][4], "exact year+month+day")
        self.assertEqual(rows[("1", "2")][-2], "exact")
        # A different date is a disagreement, not a missing value.
        self.assertEqual(rows[("1", "3")][-2], "else")

    def test_eval_missing_record_is_an_error(self):
        clusters = self.write("c.csv", b"record_id,cluster_id\n1,x\n")
        truth = self.write("t.csv", b"record_id,truth_id\n1,a\n2,a\n")
        self.assertFailsInOneLine(
            e2e_util.run_idr("eval", "--clusters", clusters, "--truth", truth), 1,
            "'2'")


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""Quality floors: `idr dedup` + `idr eval` on shared data sets with ground
truth, so matching quality cannot silently regress. Truth is used only for
scoring (idr dedup never sees the truth column here).

The data sets are read from $IDR_SHARED_DATASETS, else from ../shared/datasets
beside the source tree (found through this script's runfile symlink). The test
is skipped, loudly, when they are absent.
"""

import json
import os
import sys
import unittest

import e2e_util

e2e_util.IDR = os.path.abspath(sys.argv.pop(1))


def datasets_dir():
    env = os.environ.get("IDR_SHARED_DATASETS")
    if env and os.path.isdir(env):
        return env
    source = os.path.dirname(os.path.realpath(__file__))  # tests/e2e in the tree
    candidate = os.path.join(source, "..", "..", "..", "shared", "datasets")
    return os.path.normpath(candidate) if os.path.isdir(candidate) else None


DATASETS = datasets_dir()

# name: (extra dedup flags, F1 floor). Floors sit a little under what the
# default settings measure (docs/quality.md).
CASES = {
    "febrl4": (["--source-column", "source", "--link-only"], 0.999),
    "splink_fake_1000": ([], 0.95),
    "splink_fake_20000": ([], 0.915),
    "hk_cjk_dev": (["--phone-region", "HK"], 0.94),
    "febrl3": ([], 0.998),
}


@unittest.skipIf(DATASETS is None, "shared datasets not found")
class QualityTest(unittest.TestCase):
    def check(self, name):
        flags, floor = CASES[name]
        data = os.path.join(DATASETS, name + ".csv")
        out = os.path.join(e2e_util.tmpdir(), name + "-clusters.csv")
        result = e2e_util.run_idr("dedup", "--input", data, "--output", out,
                                  "--ignore-column", "truth_id", "--quiet",
                                  *flags, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        scored = e2e_util.run_idr("eval", "--clusters", out, "--truth", data,
                                  "--json")
        self.assertEqual(scored.returncode, 0, scored.stderr)
        scores = json.loads(scored.stdout)
        print("%s: precision %.4f recall %.4f F1 %.4f (floor %.3f)" %
              (name, scores["precision"], scores["recall"], scores["f1"],
               floor))
        self.assertGreaterEqual(scores["f1"], floor)

    def test_febrl4_link_only(self):
        self.check("febrl4")

    def test_splink_fake_1000(self):
        self.check("splink_fake_1000")

    def test_hk_cjk_dev_chinese_and_cantonese(self):
        self.check("hk_cjk_dev")

    def test_splink_fake_20000(self):
        self.check("splink_fake_20000")

    def test_febrl3(self):
        self.check("febrl3")


if __name__ == "__main__":
    unittest.main(verbosity=2)

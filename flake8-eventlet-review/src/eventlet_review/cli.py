"""The `eventlet-review` console script: the bundled analyzer's own command line."""

import os
import subprocess
import sys

from eventlet_review.analyzer import AnalyzerUnavailable, command


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    try:
        cmd = command(args)
    except AnalyzerUnavailable as error:
        sys.stderr.write("eventlet-review: %s\n" % error)
        return 2
    if os.name == "posix" and argv is None:
        os.execv(cmd[0], cmd)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())

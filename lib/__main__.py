"""`python -m lib ...`: the command-line interface (see lib/cli/main.py).

This is the one place where a process-wide setting is made, and only for a command's own
short-lived, single-threaded process: the cyclic garbage collector is switched off at its
start. Building a million rows or a 30,000-indicator plan creates millions of containers,
and the collector re-scans the growing heap again and again (parsing such a plan took 5.2 s
of CPU with it and 2.0 s without; reading a province's CSV rows 2.8 s and 0.7 s).
Reference counting still frees everything; only reference cycles wait for the process to
end. The library never touches the collector: the app is a long-lived threaded server.
"""

import gc
import sys

from lib.cli.main import main


def run_command() -> int:
    """Run the command named on the command line with the cyclic collector off."""
    gc.disable()
    return main()


if __name__ == "__main__":
    sys.exit(run_command())

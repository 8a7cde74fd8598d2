"""`python -m lib ...`: the command-line interface (see lib/cli/main.py)."""

import sys

from lib.cli.main import main

sys.exit(main())

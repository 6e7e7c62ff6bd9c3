"""Allow ``python -m planpress``."""

import sys

from planpress.cli import main

sys.exit(main())

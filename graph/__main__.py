"""`python -m graph extract FILE… [--json]`: the same CLI as `vanban`."""

import sys

from .cli import main

sys.exit(main())

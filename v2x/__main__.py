"""``python -m v2x`` runs the ``v2x`` command."""

import sys

from v2x.cli import main

sys.exit(main())

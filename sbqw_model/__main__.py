"""``python -m sbqw_model`` runs the command line."""

import sys

from sbqw_model.cli import main

sys.exit(main())

"""``python -m sbqw_model`` runs the command line."""

from sbqw_model.cli import run

run()

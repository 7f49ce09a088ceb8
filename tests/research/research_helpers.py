"""Shared by the research tests: fixture paths and the command line run in-process."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = HERE / "scenarios"
ONE_DRIVER = SCENARIOS / "one_driver.yaml"
DEGENERATE = SCENARIOS / "degenerate.yaml"
LEVERS = SCENARIOS / "levers.yaml"
BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"


def sbqw(*args: object) -> tuple[int, str, str]:
    """``sbqw ARGS`` in this process (the same code as the console script, without start-up)."""
    from sbqw_model import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path

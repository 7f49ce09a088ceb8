"""The research benchmark script runs (tiny sizes) and prints every figure the issue asks for.

Only a smoke test: no timing is asserted, machines differ.
"""

from __future__ import annotations

import subprocess
import sys

from research_helpers import ROOT


def test_bench_research_quick_runs_and_prints_every_label() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_research.py"), "--quick"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for label in (
        "end to end:",
        "(goal < 180 s)",
        "sweep + SALib overhead:",
        "(wall × 2 workers ÷ engine seconds − 1; goal ≤ 10 %)",
        "speed-up with 2 workers:",
        "(goal ≥ 1.7×)",
        "--- README performance section (paste) ---",
        "--- end ---",
    ):
        assert label in done.stdout, (label, done.stdout)

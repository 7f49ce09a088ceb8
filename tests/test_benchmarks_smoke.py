"""The engine benchmark script runs (tiny sizes) and prints every figure the issue asks for.

Only a smoke test: no timing is asserted, machines differ.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run_script(name: str, *args: str) -> str:
    """A benchmark script's output; it must succeed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bench_engine_quick_runs_and_prints_every_label() -> None:
    out = run_script("bench_engine.py", "--quick")
    for label in (
        "draws/s",
        "best of",
        "peak memory at",
        "MiB",
        "faster than one-by-one costing (goal ≥ 100×)",
        "totals agree with the engine: yes",
        "engine / RNG floor =",
        "(goal ≤ 3×)",
        "conditioning on 3 figures at",
        "(goal < +20 %)",
        "--- README performance section (paste) ---",
        "--- end ---",
    ):
        assert label in out, (label, out)


def test_bench_outlay_runs_and_prints_its_figures() -> None:
    """Smoke test of benchmarks/bench_outlay.py at a tiny size (no timing asserted)."""
    out = run_script("bench_outlay.py", "--draws", "50", "--repeat", "1")
    assert out.count("outlay 50 draws") == 2
    assert "best CPU" in out


def test_bench_charts_runs_and_prints_every_chart() -> None:
    """Smoke test of benchmarks/bench_charts.py at a tiny size (no timing asserted)."""
    out = run_script("bench_charts.py", "--draws", "50", "--repeat", "1", "--lang", "en")
    for label in ("fan_chart", "prefecture_chart", "compare_budgets", "report charts, total"):
        assert label in out, (label, out)

"""The report benchmark script runs (tiny sizes) and prints every figure the issue asks for.

Only a smoke test: no timing is asserted, machines differ.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

pytest.importorskip("papermill")


def test_bench_reports_quick_runs_and_prints_every_label(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_reports.py"), "--quick"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "without encryption" not in done.stderr, "the floor's kernels say nothing"
    out = done.stdout
    for label in (
        "floor: papermill, empty notebook",
        "--jobs 1:",
        "--jobs 2:",
        "speed-up --jobs 2 over --jobs 1:",
        "(goal ≥ 1.7×:",
        "its ceiling: --jobs 2 needs CPU",
        "this machine now: two independent --jobs 1 runs",
        "the most two processes sharing the work could reach; --jobs 2's median round reached",
        "each round's:",
        "× floor",
        "report cost beyond its simulation:",
        "(goal ≤ 2×:",
        "where a report's time goes",
        "papermill and the engine",
        "the same as sbqw report runs it (in-process)",
        "charts",
        "render: HTML",
        "render: Excel workbook",
        "scenarios + comparison, --jobs 2:",
        "explorer, 500 worlds: drawn once in",
        "lever change to new numbers",
        "(goal < 150 ms:",
    ):
        assert label in out, (label, out)

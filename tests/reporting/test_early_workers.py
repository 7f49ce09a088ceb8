"""``sbqw report --jobs 2`` starts its workers before it checks the input.

So an invalid run must still leave nothing behind: exit 2, no output folder, no worker process
(a forked worker's command line is its parent's, naming ``--out``) and nothing in the temporary
folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

pytest.importorskip("papermill")

FIXTURES = ROOT / "tests" / "report_fixtures"


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="walks /proc")
def test_invalid_input_with_two_jobs_leaves_no_worker_and_no_file(tmp_path: Path) -> None:
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    args = ["report", "baseline", FIXTURES / "invalid.yaml", "--jobs", 2, "--out", out]
    done = subprocess.run(
        [sys.executable, "-m", "sbqw_model", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "invalid.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists(), "nothing written"
    deadline = time.monotonic() + 5
    while _processes_mentioning(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(out)) == [], "the workers were shut down"
    assert sorted(p.name for p in temp.rglob("*")) == [], "and nothing left in the temporary folder"

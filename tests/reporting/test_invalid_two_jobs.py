"""``sbqw report --jobs 2`` with an invalid input leaves nothing behind: exit 2, no output
folder, no process of the run (its fork server and workers, had any started, inherit the
command's environment, marked here) and nothing in the temporary folder.
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


def _processes_marked(mark: str) -> list[int]:
    """Processes whose environment holds ``SBQW_TEST_RUN=mark`` (the run's descendants)."""
    found = []
    needle = f"SBQW_TEST_RUN={mark}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if needle in environ.split(b"\0"):
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
        env={
            **os.environ,
            "TMPDIR": str(temp),
            "PYTHONPATH": str(ROOT),
            "SBQW_TEST_RUN": str(tmp_path),
        },
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "invalid.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists(), "nothing written"
    deadline = time.monotonic() + 5
    while _processes_marked(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_marked(str(tmp_path)) == [], "the fork server and workers ended"
    assert sorted(p.name for p in temp.rglob("*")) == [], "and nothing left in the temporary folder"

"""A sweep's local workers each hold a point's worlds at once: the memory estimate is checked
against each worker's share of the limit before anything runs or is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from research_helpers import BASELINE, sbqw, write

from sbqw_model.research import cluster
from sbqw_model.research.sweep import _check_memory, load_sweep

#: Under a 1 GiB limit the baseline's 500,000 worlds (~665 MiB) fit one process, not two.
DRAWS = 500_000


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SBQW_MEMORY_LIMIT", "1G")
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # two workers, whatever the machine
    return write(
        tmp_path / "big.yaml",
        f"name: big\nbase: {BASELINE.as_posix()}\nmode: grid\ndraws: {DRAWS}\n"
        "factors:\n  assumptions.payout_share: {values: [0.5, 0.6, 0.7, 0.8]}\n",
    )


def test_local_processes_are_the_workers_that_run_at_once(big: Path) -> None:
    assert cluster.local_processes(4, DRAWS, 2) == 2
    assert cluster.local_processes(4, DRAWS, 1) == 1
    assert cluster.local_processes(1, DRAWS, 2) == 1  # one point: one worker
    assert cluster.local_processes(4, 500, 2) == 1  # tiny: in this process


def test_two_workers_share_the_limit(big: Path, tmp_path: Path) -> None:
    sweep = load_sweep(big)  # one process at a time fits: the file itself is fine
    _check_memory(sweep, str(big), 1)
    out = tmp_path / "out"
    code, _, err = sbqw("sweep", big, "--out", out, "--workers", "2")
    assert code == 2
    (line,) = err.strip().splitlines()
    assert f"draws {DRAWS:,} needs ~" in line and "per worker" in line
    assert "shared by 2 worker processes" in line and "fewer --workers" in line
    assert not out.exists(), "refused before anything is written"


def test_sensitivity_workers_share_the_limit(big: Path) -> None:
    args = ("sensitivity", BASELINE, "--method", "morris", "--n", "2", "--draws", str(DRAWS))
    code, _, err = sbqw(*args, "--workers", "2")
    assert code == 2 and "shared by 2 worker processes" in err, err
    assert len(err.strip().splitlines()) == 1

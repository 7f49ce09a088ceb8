"""Shared fixtures: the shipped parameters, default assumptions, CSV writing, the CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from sbqw_model.assumptions import Assumptions
from sbqw_model.parameters import Parameters, default_parameters

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

WAN = 10_000  # 1 万元 in yuan: tests write hand-computed amounts as "300 * WAN"
YI = 100_000_000  # 1 亿元 in yuan

RECOGNITION_HEADER = ("unit_id", "category", "prefecture", "year")
SALES_HEADER = (
    "unit_id",
    "prefecture",
    "year",
    "annual_sales_yuan",
    "online_retail_yuan",
    "above_scale",
    "cross_border",
)


@pytest.fixture(scope="session")
def params() -> Parameters:
    return default_parameters()


@pytest.fixture
def assume() -> Assumptions:
    return Assumptions()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv("r.csv", header, rows) -> path of a UTF-8 CSV in tmp_path."""

    def write(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sbqw_model ARGS`` as a user would, capturing stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "sbqw_model", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        timeout=120,
        check=False,
    )

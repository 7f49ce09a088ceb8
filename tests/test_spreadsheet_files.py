"""The CSV files and workbooks an analyst opens in (Chinese) Excel, command by command.

Excel takes a CSV for UTF-8 only when it starts with the byte-order mark; without one, Chinese
Excel reads it as GB18030 and 贵阳市 shows as 璐甸槼甯. Every CSV *file* sbqw writes has the mark;
standard output has none (a pipe's reader is a program).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from inprocess import sbqw

BOM = b"\xef\xbb\xbf"
DEGENERATE = ROOT / "tests" / "research" / "scenarios" / "degenerate.yaml"


def _opens_in_excel(path: Path) -> list[dict[str, str]]:
    """The file starts with the mark, once, and reads as UTF-8 with its header intact."""
    data = path.read_bytes()
    assert data.startswith(BOM) and not data[3:].startswith(BOM), path.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_simulate_out_and_export_draw_csvs_have_the_mark(tmp_path: Path) -> None:
    done = sbqw("simulate", "baseline", "--draws", 200, "--out", tmp_path / "s")
    assert done.returncode == 0, done.stderr
    targets = _opens_in_excel(tmp_path / "s" / "targets.csv")
    assert targets[0]["indicator"] == "parks" and targets[0]["label"] == "省级电商产业园区"
    assert _opens_in_excel(tmp_path / "s" / "budget.csv")[0]["dimension"] == "total"
    assert [r["payment_year"] for r in _opens_in_excel(tmp_path / "s" / "appropriation.csv")] == [
        "2023",
        "2024",
        "2025",
    ]
    done = sbqw("simulate", "baseline", "--draws", 200, "--export-draw", 3, "--out", tmp_path / "w")
    assert done.returncode == 0, done.stderr
    for name in ("recognitions.csv", "sales.csv"):
        rows = _opens_in_excel(tmp_path / "w" / name)
        assert rows and "unit_id" in rows[0]
    # and sbqw reads its own files back: the same world costs the same
    cost = sbqw(
        "cost",
        "--recognitions",
        tmp_path / "w" / "recognitions.csv",
        "--sales",
        tmp_path / "w" / "sales.csv",
        "--format",
        "json",
    )
    assert cost.returncode == 0, cost.stderr


def test_cost_out_csv_has_the_mark_and_standard_output_has_none(tmp_path: Path) -> None:
    ledger = EXAMPLES / "recognitions.csv"
    done = sbqw("cost", "--recognitions", ledger, "--out", tmp_path / "c.csv")
    assert done.returncode == 0, done.stderr
    rows = _opens_in_excel(tmp_path / "c.csv")
    assert rows[0]["unit_id"] == "P-GY-01" and rows[0]["prefecture"] == "贵阳市"
    printed = sbqw("cost", "--recognitions", ledger, "--format", "csv")
    assert printed.stdout.startswith("unit_id,")
    assert (tmp_path / "c.csv").read_bytes() == BOM + printed.stdout.encode("utf-8")


def test_backtest_out_csv_has_the_mark(tmp_path: Path) -> None:
    obs = tmp_path / "obs.csv"
    obs.write_text("year,indicator,value,source\n2023,online_retail,7.5e10,统计局\n", "utf-8")
    target = tmp_path / "bt.csv"
    done = sbqw("backtest", DEGENERATE, "--observed", obs, "--draws", 200, "--out", target)
    assert done.returncode == 0, done.stderr
    (row,) = _opens_in_excel(target)
    assert row["source"] == "统计局" and float(row["value"]) == 7.5e10


def test_sweep_csv_results_have_the_mark_and_resume_reads_them(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        f"name: s\nbase: {DEGENERATE}\nmode: grid\n"
        "factors:\n  assumptions.payout_share: {values: [0.5, 1.0]}\ndraws: 50\nseed: 0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("sweep", sweep, "--format", "csv", "--workers", 1, "--out", out)
    done = sbqw(*args)
    assert done.returncode == 0, done.stderr
    rows = _opens_in_excel(out / "results.csv")
    assert [r["assumptions.payout_share"] for r in rows] == ["0.5", "1.0"]
    again = sbqw(*args, "--resume")
    assert again.returncode == 0, again.stderr
    assert "damaged" not in again.stderr
    assert _opens_in_excel(out / "results.csv") == rows

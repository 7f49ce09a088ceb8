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


def test_cost_workbook_is_formatted_as_an_analyst_reads_it(tmp_path: Path) -> None:
    """``sbqw cost --out x.xlsx`` had no frozen header, default widths (the basis text cut at
    8 characters) and amounts as 3000000 without separators; now as the report workbooks."""
    import openpyxl

    target = tmp_path / "c.xlsx"
    done = sbqw("cost", "--recognitions", EXAMPLES / "recognitions.csv", "--out", target)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(target)
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        for j, head in enumerate(ws[1], start=1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
            assert width >= len(head.value) + 2, (ws.title, head.value)
    lines = book["明细 lines"]
    header = [c.value for c in lines[1]]
    first = {h: c for h, c in zip(header, lines[2], strict=True)}
    assert first["unit_id"].value == "P-GY-01"
    assert (
        first["amount_yuan"].value == 3_000_000 and first["amount_yuan"].number_format == "#,##0.00"
    )
    assert first["payment_year"].value == 2023 and first["payment_year"].number_format == "0"
    basis = lines.column_dimensions[openpyxl.utils.get_column_letter(header.index("basis") + 1)]
    assert basis.width >= 40  # 园区一次性奖励上限 300.00 万元 = 300.00 万元 (CJK counts 2)
    years = book["按支付年度 by_year"]
    assert [c.number_format for c in years["A"][1:]] == ["0"] * (years.max_row - 1)
    assert {c.number_format for c in years["B"][1:]} == {"#,##0.00"}
    total = book["合计 total"]
    assert total["A2"].value == "total_yuan" and total["B2"].number_format == "#,##0.00"
    share = next(r for r in total.iter_rows(min_row=3) if r[0].value == "assume.payout_share")
    assert share[1].value == 1 and share[1].number_format == "General"  # a share, not yuan

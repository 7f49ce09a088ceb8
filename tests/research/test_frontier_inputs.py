"""Bad results tables given to ``sbqw frontier`` and ``sbqw discover``: one line per problem
naming the file, the row (a CSV's header is row 1) and the column, exit status 2, never a
traceback, and never nonsense (inf yuan, P = 150 %) printed as a result."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from research_helpers import sbqw, write

HEADER = "point,assumptions.payout_share,budget.total.p95,p_all_met,p_all_met_se\n"
GOOD = "0,0.5,100000000,0.6,0.01\n1,0.7,150000000,0.85,0.01\n2,0.9,200000000,0.9,0.01\n"


def errors(*args: object) -> list[str]:
    """The error lines of a run that must fail as a user error (exit 2, no traceback)."""
    code, out, err = sbqw(*args)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and out == ""
    return [line.removeprefix("sbqw: error: ") for line in err.splitlines()]


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", HEADER)
    assert errors("frontier", path) == [
        f"{path}: no rows (expected one row per sweep point under the header)"
    ]


def test_text_in_a_budget_cell_names_file_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", HEADER + "0,0.5,1e8,0.6,0.01\n1,0.7,abc,0.85,0.01\n")
    assert errors("frontier", path) == [
        f"{path} row 3, column budget.total.p95: expected a number"
        " (a finite amount in yuan ≥ 0), got 'abc'"
    ]


def test_nonsense_numbers_are_all_refused_at_once(tmp_path: Path) -> None:
    rows = [
        "0,0.5,inf,0.6,0.01",  # row 2
        "1,0.6,nan,0.6,0.01",  # row 3
        "2,0.7,,0.6,0.01",  # row 4
        "3,0.8,-5,0.6,0.01",  # row 5
        "4,0.9,1e8,1.5,0.01",  # row 6
        "5,1.0,1e8,-0.1,2",  # row 7
    ]
    path = write(tmp_path / "t.csv", HEADER + "\n".join(rows) + "\n")
    cost = "column budget.total.p95: expected a finite amount in yuan ≥ 0, got"
    assert errors("frontier", path) == [
        f"{path} row 2, {cost} inf",
        f"{path} row 3, {cost} an empty cell or NaN",
        f"{path} row 4, {cost} an empty cell or NaN",
        f"{path} row 5, {cost} -5.0",
        f"{path} row 6, column p_all_met: expected a probability from 0 to 1, got 1.5",
        f"{path} row 7, column p_all_met: expected a probability from 0 to 1, got -0.1",
        f"{path} row 7, column p_all_met_se: expected a standard error from 0 to 1, got 2.0",
    ]


def test_point_ids_are_whole_and_unique(tmp_path: Path) -> None:
    rows = ["0,0.5,1,0.6,0.01", "1,0.6,2,0.6,0.01", "0,0.7,3,0.6,0.01", "2.5,0.8,4,0.6,0.01"]
    path = write(tmp_path / "t.csv", HEADER + "\n".join(rows) + "\n")
    assert errors("frontier", path) == [
        f"{path} row 4, column point: point 0 appears twice (first at row 2);"
        " point ids must be unique",
        f"{path} row 5, column point: expected a whole-number point id ≥ 0, got 2.5",
    ]


def test_a_long_list_of_problems_is_cut_after_twenty(tmp_path: Path) -> None:
    rows = [f"{i},0.5,-1,0.6,0.01" for i in range(30)]
    path = write(tmp_path / "t.csv", HEADER + "\n".join(rows) + "\n")
    found = errors("frontier", path)
    assert len(found) == 21
    assert found[19].startswith(f"{path} row 21, column budget.total.p95:")
    assert found[20] == f"{path}: … and 10 more problems"


def test_parquet_rows_are_counted_from_one(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.parquet"
    pd.DataFrame(
        {
            "point": [0, 1],
            "assumptions.payout_share": [0.5, 1.0],
            "budget.total.p95": [1e8, 2e8],
            "p_all_met": [0.5, 1.5],
        }
    ).to_parquet(path, index=False)
    assert errors("frontier", path) == [
        f"{path} row 2, column p_all_met: expected a probability from 0 to 1, got 1.5"
    ]


@pytest.mark.parametrize(
    ("flag", "column", "kind", "expected"),
    [
        ("--cost", "point", "cost", "a budget amount in yuan (budget.*, e.g. budget.total.p95)"),
        (
            "--cost",
            "p_all_met",
            "cost",
            "a budget amount in yuan (budget.*, e.g. budget.total.p95)",
        ),
        (
            "--probability",
            "assumptions.payout_share",
            "probability",
            "a probability of meeting targets (p_all_met, targets.<target>.p_met, …)",
        ),
        (
            "--probability",
            "p_all_met_se",
            "probability",
            "a probability of meeting targets (p_all_met, targets.<target>.p_met, …)",
        ),
    ],
    ids=["cost-point", "cost-probability", "probability-lever", "probability-se"],
)
def test_a_column_of_the_wrong_kind_is_refused(
    flag: str, column: str, kind: str, expected: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "ok.csv", HEADER + GOOD)
    assert errors("frontier", path, flag, column) == [
        f"{path}: `{column}` is not a {kind} column; expected {expected}"
    ]


def test_a_missing_column_names_the_file_and_a_close_spelling(tmp_path: Path) -> None:
    path = write(tmp_path / "g.csv", HEADER.replace("point", "pt", 1) + GOOD)
    assert errors("frontier", path) == [
        f"{path}: no column `point` (is this a sweep's results table?)"
    ]
    path = write(tmp_path / "ok.csv", HEADER + GOOD)
    assert errors("frontier", path, "--cost", "budget.total.p90") == [
        f"{path}: no column `budget.total.p90` (did you mean `budget.total.p95`?)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_a_pipe_is_not_a_table(tmp_path: Path) -> None:
    pipe = tmp_path / "results.csv"
    os.mkfifo(pipe)
    assert errors("frontier", pipe) == [
        f"{pipe}: not a regular file (a device or pipe), expected a .parquet or .csv table"
    ]


def test_the_budget_header_is_whole(tmp_path: Path) -> None:
    code, out, err = sbqw("frontier", write(tmp_path / "ok.csv", HEADER + GOOD))
    assert code == 0, err
    assert "预算（万元） Budget p95 (10,000 yuan)" in out.splitlines()[3]


@pytest.mark.parametrize("word", ["baselin", "Baseline"])
def test_discover_suggests_the_shipped_scenario_meant(
    word: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    (line,) = errors("discover", word)
    assert line.startswith(
        f"{word}: no such scenario file or sweep results folder, and not a shipped scenario"
        " (did you mean `baseline`?); shipped: baseline, "
    )


def test_discover_takes_a_shipped_scenario_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The usage the docs show (``sbqw discover baseline``), from a folder with no such file."""
    pytest.importorskip("sklearn")
    from sbqw_model import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["discover", "baseline", "--draws", "400", "--outcome", "all"]) == 0
    assert "Meeting every target at once" in capsys.readouterr().out


def test_discover_names_a_text_probability_cell(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    path = write(
        tmp_path / "t.csv",
        "point,uncertainties.x,targets.online_retail.p_met,p_all_met\n"
        "0,1,abc,0.3\n1,2,0.4,0.6\n2,3,0.8,0.9\n",
    )
    assert errors("discover", path) == [
        f"{path} row 2, column targets.online_retail.p_met: expected a number"
        " (a probability from 0 to 1), got 'abc'"
    ]


@pytest.mark.parametrize(("cell", "shown"), [("x", "'x'"), ("", "an empty cell or NaN")])
def test_discover_names_a_stray_cell_in_a_factor_column(
    tmp_path: Path, cell: str, shown: str
) -> None:
    """A factor column of numbers with one text or empty cell was read as text and dropped,
    and the boxes changed completely; a column of words (a categorical factor) is its own kind."""
    pytest.importorskip("sklearn")
    path = write(
        tmp_path / "t.csv",
        "point,uncertainties.x,assumptions.sales_award_mode,p_all_met\n"
        f"0,1,highest,0.3\n1,{cell},top_up,0.6\n2,3,highest,0.8\n",
    )
    assert errors("discover", path) == [
        f"{path} row 3, column uncertainties.x: expected a number (a factor's value), got {shown}"
    ]


def test_a_results_table_too_large_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sbqw_model.research import frontier

    path = write(tmp_path / "big.csv", HEADER + GOOD)
    monkeypatch.setattr(frontier, "MAX_RESULTS_BYTES", 100)  # the real cap is 2 GiB
    assert errors("frontier", path) == [
        f"{path}: {path.stat().st_size:,} bytes, more than the 0 MiB a .parquet or .csv table"
        " may have"
    ]

"""Scenario names and titles that look like formulas or mathtext, through ``sbqw report --compare``.

One report run (small draws) shared by the tests: the workbooks keep the names as quoted text,
and the charts render with ``$`` in the titles (matplotlib would otherwise read mathtext).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT

from sbqw_model.outputs import safe_name

pytest.importorskip("papermill")

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
SCENARIOS = {
    # name, title_zh, title_en: the Chinese titles head the comparison workbook's columns
    "a.yaml": ('=HYPERLINK("http://x","click")', r"=1+$\foo$ 情景", "$x^2$ cost"),
    "b.yaml": ("@SUM(A1)", "@成本 $5 与 $", "_hidden"),
}

#: the comparison's file: named after the scenarios it compares, made a safe file name
COMPARE = safe_name("-".join(["compare", *(name for name, _, _ in SCENARIOS.values())]))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = []
    for file, (name, zh, en) in SCENARIOS.items():
        path = folder / file
        path.write_text(
            f"name: '{name}'\ntitle_zh: '{zh}'\ntitle_en: '{en}'\nextends: {BASELINE}\n",
            encoding="utf-8",
        )
        files.append(path)
    out = folder / "reports"
    command = [sys.executable, "-m", "sbqw_model", "report", *files, "--compare"]
    done = subprocess.run(
        [*command, "--draws", "300", "--out", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(folder / "runtime")},
        timeout=600,
        check=False,
    )
    return done, out


def test_reports_with_mathtext_titles_render(reports) -> None:
    done, out = reports
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / f"{COMPARE}.html").is_file()
    assert len(list(out.glob("*.xlsx"))) == 3
    assert not list(out.glob("*.failed.ipynb"))


def test_compare_workbook_keeps_names_as_quoted_text(reports) -> None:
    done, out = reports
    assert done.returncode == 0, done.stderr[-3000:]
    book = openpyxl.load_workbook(out / f"{COMPARE}.xlsx")
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    quoted = {"'" + zh for _, zh, _ in SCENARIOS.values()}
    odds, outlay = book.worksheets[0], book.worksheets[1]
    assert {c.value for c in odds[1][1:]} == quoted  # one column of odds per scenario
    values = [c.value for row in odds.iter_rows(min_row=2, min_col=2) for c in row]
    assert values and all(isinstance(v, float) and 0 <= v <= 1 for v in values)
    assert {outlay.cell(r, 1).value for r in range(2, outlay.max_row + 1)} == quoted
    # column 2 says what the amounts are (上限 …), the rest are amounts
    spending = [c.value for row in outlay.iter_rows(min_row=2, min_col=3) for c in row]
    assert spending and all(isinstance(v, int | float) for v in spending)


def test_scenario_workbooks_have_no_formula_cells(reports) -> None:
    done, out = reports
    assert done.returncode == 0, done.stderr[-3000:]
    for path in out.glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row), path

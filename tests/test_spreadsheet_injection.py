"""Formula injection: user text in every CSV and xlsx we write stays text; numbers stay numbers.

Payloads are the OWASP list (= + - @, tab, carriage return) and the full-width forms a Chinese
input method types; each command is run as a user runs it (variants in-process, for speed).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import RECOGNITION_HEADER, ROOT, WAN, run_cli
from hypothesis import given
from hypothesis import strategies as st
from inprocess import sbqw

from sbqw_model.spreadsheet import FORMULA_START, QUOTE, neutralise, restore

# Unit ids as typed into a ledger (the ledger strips outer spaces, so the payload is inside).
PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "=\t1",  # a formula with a tab inside
    "\uff1dHYPERLINK(1)",  # ＝
    "\uff0b1",  # ＋
    "\uff0d1",  # －
    "\uff20x",  # ＠
]
# Cells that start with a tab or carriage return (kept inside quotes by the writer).
RAW_PAYLOADS = ["\t=1+1", "\r=1+1", "\n@x", " =1+1", "\u3000=1"]
NUMBERS = ["-5", "+3.5", "-1e3", "0", "-.5"]


def _dangerous(cell: str) -> bool:
    head = cell.lstrip(" \u3000")
    return bool(head) and head[0] in FORMULA_START


@pytest.mark.parametrize("text", PAYLOADS + RAW_PAYLOADS)
def test_formula_text_gets_a_quote(text: str) -> None:
    assert neutralise(text) == QUOTE + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", [*NUMBERS, -5, -5.25, 0, None, "abc", "贵阳市", "", "'abc"])
def test_numbers_and_plain_text_are_untouched(value: object) -> None:
    assert neutralise(value) == value


def test_text_already_quoted_reads_back_exactly() -> None:
    assert neutralise("'=x") == "''=x" and restore("''=x") == "'=x"
    many = "'" * 5000 + "=x"  # no recursion limit on a hostile cell
    assert restore(neutralise(many)) == many


PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


@given(st.text(alphabet=st.sampled_from("=+-@\t\r\n '0123.eE a\uff1d\uff0d\u3000"), max_size=8))
def test_no_cell_starts_a_formula(text: str) -> None:
    shown = neutralise(text)
    assert shown.startswith(QUOTE) or not _dangerous(shown) or PLAIN_NUMBER.fullmatch(text)
    assert restore(shown) == text


@given(st.text(max_size=12))
def test_any_text_reads_back_exactly(text: str) -> None:
    assert restore(neutralise(text)) == text


# -------------------------------------------------------------------------- sbqw cost


def _ledger(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "rec.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECOGNITION_HEADER)
        writer.writerows([unit, "enterprise", "贵阳市", 2023] for unit in ids)
    return path


@pytest.fixture(scope="module")
def hostile_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ledger(tmp_path_factory.mktemp("ledger"), PAYLOADS + NUMBERS + ["plain"])


def test_cost_csv_quotes_every_formula(hostile_ledger: Path) -> None:
    done = run_cli("cost", "--recognitions", hostile_ledger, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["unit_id"] for r in rows] == [QUOTE + p for p in PAYLOADS] + NUMBERS + ["plain"]
    for row in rows:
        assert not any(_dangerous(c) for c in row.values() if not re.fullmatch(r"[-+.0-9e]+", c))
        assert float(row["amount_yuan"]) == 5 * WAN  # an enterprise's one-time award


@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX"])
def test_cost_out_xlsx_is_a_real_workbook(hostile_ledger: Path, tmp_path: Path, suffix: str):
    target = tmp_path / f"cost{suffix}"
    done = run_cli("cost", "--recognitions", hostile_ledger, "--out", target)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(target)
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    lines = book.worksheets[0]
    header = [c.value for c in lines[1]]
    unit, amount = header.index("unit_id") + 1, header.index("amount_yuan") + 1
    units = [lines.cell(r, unit).value for r in range(2, lines.max_row + 1)]
    assert units == [QUOTE + p for p in PAYLOADS] + NUMBERS + ["plain"]
    for r in range(2, lines.max_row + 1):
        assert lines.cell(r, unit).data_type == "s"
        value = lines.cell(r, amount).value
        assert isinstance(value, (int, float)) and value == 5 * WAN
    totals = {ws.title: ws for ws in book}["合计 total"]
    assert totals["A2"].value == "total_yuan" and totals["B2"].value == len(units) * 5 * WAN


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out.csv", lambda text: text.startswith("unit_id,")),
        ("out.json", lambda text: json.loads(text)["total_yuan"] == 5 * WAN),
        ("out.txt", lambda text: text.startswith("十百千万工程奖补测算")),
    ],
)
def test_cost_out_format_follows_the_suffix(tmp_path: Path, name: str, check) -> None:
    ledger = _ledger(tmp_path, ["E1"])
    done = sbqw("cost", "--recognitions", ledger, "--out", tmp_path / name)
    assert done.returncode == 0, done.stderr
    assert check((tmp_path / name).read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize(
    ("name", "extra", "words"),
    [
        ("out.xls", [], "unknown suffix '.xls' (expected .txt, .json, .csv, .xlsx)"),
        ("out", [], "unknown suffix '(none)'"),
        ("out.ods", [], "unknown suffix '.ods'"),
        ("out.csv", ["--format", "json"], "a .csv file gets csv, not --format json"),
        ("out.xlsx", ["--format", "csv"], "a .xlsx file gets xlsx, not --format csv"),
    ],
)
def test_cost_out_refuses_unknown_or_mismatched_suffix(
    tmp_path: Path, name: str, extra: list[str], words: str
) -> None:
    ledger = _ledger(tmp_path, ["E1"])
    done = sbqw("cost", "--recognitions", ledger, "--out", tmp_path / name, *extra)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert words in line and "Traceback" not in done.stderr
    assert not (tmp_path / name).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv"]


# -------------------------------------------------------------------------- simulate --out


def test_simulate_tables_have_no_formula_and_numbers_stay_numbers(tmp_path: Path) -> None:
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(
        "name: evil\ntitle_zh: '=HYPERLINK(\"http://x\",\"c\")'\ntitle_en: '@SUM(A1)'\n"
        f"extends: {ROOT / 'sbqw_model' / 'scenarios' / 'baseline.yaml'}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = run_cli("simulate", scenario, "--draws", 200, "--out", out)
    assert done.returncode == 0, done.stderr
    for table in out.glob("*.csv"):
        for row in csv.reader(table.open(encoding="utf-8-sig")):
            assert not any(_dangerous(c) for c in row if not re.fullmatch(r"[-+.0-9e]+", c))
    book = openpyxl.load_workbook(out / "summary.xlsx")
    cells = [c for ws in book for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    budget = book["分年度支出"]
    numbers = [c.value for row in budget.iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, float) and v > 0 for v in numbers)


# -------------------------------------------------------------------------- research outputs


@pytest.mark.parametrize("source", ["=cmd|' /C calc'!A0", "@x", "+1+1", "\uff1d1", "-x"])
def test_backtest_csv_quotes_observation_sources(tmp_path: Path, source: str) -> None:
    obs = tmp_path / "obs.csv"
    with obs.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["year", "indicator", "value", "source"], [2023, "online_retail", "8.0e10", source]]
        )
    scenario = ROOT / "tests" / "research" / "scenarios" / "degenerate.yaml"
    target = tmp_path / "bt.csv"
    done = sbqw(
        "backtest", scenario, "--observed", obs, "--draws", 200, "--format", "csv", "--out", target
    )
    assert done.returncode == 0, done.stderr
    (row,) = csv.DictReader(target.open(encoding="utf-8-sig"))
    assert row["source"] == QUOTE + source
    assert float(row["value"]) == 8.0e10


def test_every_table_writer_goes_through_the_spreadsheet_module() -> None:
    """A new writer calling pandas or openpyxl directly would bypass the quoting."""
    package = ROOT / "sbqw_model"
    pattern = re.compile(
        r"\.to_csv\(|\.to_excel\(|csv\.writer|csv\.DictWriter|ExcelWriter|Workbook\("
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in package.rglob("*.py")
        if path.name != "spreadsheet.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_writers_quote_text_and_keep_numbers_in_csv_and_xlsx(tmp_path: Path) -> None:
    """Payloads a ledger would strip (leading tab, CR, LF, spaces) reach the writers directly."""
    import pandas as pd

    from sbqw_model.spreadsheet import write_csv, write_xlsx

    texts = PAYLOADS + RAW_PAYLOADS
    frame = pd.DataFrame(
        {"=name": texts, "amount": [-1.5 * (i + 1) for i in range(len(texts))], "n": -3}
    )
    write_csv(frame, tmp_path / "t.csv")
    rows = list(csv.reader((tmp_path / "t.csv").open(encoding="utf-8-sig", newline="")))
    assert rows[0] == ["'=name", "amount", "n"]
    assert [r[0] for r in rows[1:]] == [QUOTE + t for t in texts]
    assert [float(r[1]) for r in rows[1:]] == list(frame["amount"])
    write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert sheet["A1"].value == "'=name"
    for r, text in enumerate(texts, start=2):
        assert sheet.cell(r, 1).data_type == "s"
        # XML reads a bare carriage return back as a line feed; the quote is what matters
        assert sheet.cell(r, 1).value == QUOTE + text.replace("\r", "\n")
        assert sheet.cell(r, 2).data_type == "n" and sheet.cell(r, 2).value < 0
        assert sheet.cell(r, 3).value == -3

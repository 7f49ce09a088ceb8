"""More careless tables: decimal commas, formulas without values, controls, misspelt columns,
fractional counts, sizes that count every line and row, long cells, which sheet, invisible header
characters, official prefecture names.

A good file reads as the user meant it; a bad one gets one line naming the file (and a
workbook's sheet), the row or cell and what was expected, exit 2, nothing written.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import RECOGNITION_HEADER, SALES_HEADER, WAN
from inprocess import sbqw

from sbqw_model import tablefile
from sbqw_model.errors import InputError
from sbqw_model.ledger import load_ledger
from sbqw_model.research.observations import read_observations

REC = ",".join(RECOGNITION_HEADER)
SALE_ROW = ["S1", "贵阳市", "2023", "1200000000", "300000000", "true", "false"]


def _one_error(*args: object) -> str:
    done = sbqw(*args)
    assert done.returncode == 2, done.stdout
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    return line


def _sales_file(path: Path, separator: str, cells: dict[str, str], first: str = "") -> Path:
    row = dict(zip(SALES_HEADER, SALE_ROW, strict=True)) | cells
    lines = [separator.join(SALES_HEADER), separator.join(row.values())]
    path.write_text(first + "\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------- decimal commas


@pytest.mark.parametrize("first", ["", "sep=;\n"], ids=["semicolon-header", "excel-sep-line"])
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1200000000,50", 1_200_000_000.5),
        ("1.200.000.000,50", 1_200_000_000.5),
        ("1,2E+09", 1.2e9),
        ("3,00", 3.0),
    ],
)
def test_a_semicolon_file_reads_the_comma_as_the_decimal_mark(
    tmp_path: Path, params, first: str, cell: str, expected: float
) -> None:
    path = _sales_file(tmp_path / "s.csv", ";", {"annual_sales_yuan": cell}, first)
    sales = load_ledger(None, path, params).sales
    assert sales["annual_sales_yuan"].tolist() == [expected]


@pytest.mark.parametrize(
    ("separator", "cell"),
    [
        (";", "1.500"),  # 1500 or 1,5
        (";", "1.5"),  # a decimal dot where the comma is the mark
        (";", "1,200,000"),
        (";", "3.0E+08"),
        ("\t", "1,500"),  # tabs: no decimal mark known, 1500 or 1.5
        ("\t", "1.500"),
    ],
)
def test_a_number_that_reads_two_ways_is_refused(tmp_path: Path, separator: str, cell: str) -> None:
    path = _sales_file(tmp_path / "s.csv", separator, {"online_retail_yuan": cell})
    line = _one_error("cost", "--sales", path)
    assert f"{path} row 2, column online_retail_yuan: expected an amount in yuan, got" in line


@pytest.mark.parametrize(("cell", "expected"), [("1200000000,50", 1_200_000_000.5)])
def test_a_tab_file_reads_an_unambiguous_decimal_comma(
    tmp_path: Path, params, cell: str, expected: float
) -> None:
    path = _sales_file(tmp_path / "s.csv", "\t", {"annual_sales_yuan": cell})
    assert load_ledger(None, path, params).sales["annual_sales_yuan"].tolist() == [expected]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["2023;online_retail;7,2E+10;x"], [7.2e10]),
        (["2023;recognized.park;3,0;y"], [3.0]),
        (["2023;online_retail;72.000.000.000,5;x"], [72_000_000_000.5]),
    ],
)
def test_semicolon_observations_read_the_decimal_comma(
    tmp_path: Path, params, rows: list[str], expected: list[float]
) -> None:
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(["year;indicator;value;source", *rows]) + "\n", "utf-8")
    assert [o.value for o in read_observations(path, params)] == expected


@pytest.mark.parametrize("indicator", ["recognized.park", "recognized.team", "products"])
@pytest.mark.parametrize("value", ["3.5", "0.25", "1e-3"])
def test_a_fractional_count_is_refused(tmp_path: Path, params, indicator: str, value: str) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(f"year,indicator,value,source\n2023,{indicator},{value},x\n", "utf-8")
    with pytest.raises(InputError) as caught:
        read_observations(path, params)
    (line,) = caught.value.problems
    assert f"{path} row 2, column value: expected a whole number" in line


# --------------------------------------------------------------------- workbooks


def _book(path: Path, sheets: dict[str, list[list[object]]], active: int = 0) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.active = active
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("formulas", "cell", "more"),
    [
        (['="E9"', '="park"', '="贵阳市"', "=2023"], "A3", " (and 3 more)"),
        (['="E9"', None, "=TRUE()", None], "A3", " (and 1 more)"),
        ([None, None, None, "=2020+3"], "D3", ""),
    ],
)
def test_a_row_of_formulas_without_values_is_refused_not_dropped(
    tmp_path: Path, formulas: list[object], cell: str, more: str
) -> None:
    good = ["R1", "park", "贵阳市", 2023]
    path = _book(tmp_path / "fr.xlsx", {"Sheet": [list(RECOGNITION_HEADER), good, formulas]})
    line = _one_error("cost", "--recognitions", path, "--out", tmp_path / "o.csv")
    assert f"{path} sheet Sheet cell {cell}{more}: formulas without saved values" in line
    assert not (tmp_path / "o.csv").exists()


def test_the_active_visible_sheet_is_read_and_named(tmp_path: Path) -> None:
    good = [list(RECOGNITION_HEADER), ["R1", "park", "贵阳市", 2023], ["RX", "park", "火星", 2023]]
    sheets = {"lookup": [["x"], ["1"]], "销售": good}
    path = _book(tmp_path / "rec.xlsx", sheets, active=1)
    assert f"{path} sheet 销售 row 3, column prefecture" in _one_error(
        "cost", "--recognitions", path
    )


def test_a_hidden_first_sheet_is_not_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "hidden"
    book.active.append(["x"])
    book.active.sheet_state = "hidden"
    shown = book.create_sheet("rec")
    for row in [list(RECOGNITION_HEADER), ["R1", "park", "贵阳市", 2023]]:
        shown.append(row)
    book.active = 1
    book.save(tmp_path / "rec.xlsx")
    done = sbqw("cost", "--recognitions", tmp_path / "rec.xlsx", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_yuan"] == 300 * WAN


def test_an_empty_active_sheet_is_named_with_the_others(tmp_path: Path) -> None:
    sheets = {"Sheet1": [], "data": [list(RECOGNITION_HEADER), ["R1", "park", "贵阳市", 2023]]}
    path = _book(tmp_path / "rec.xlsx", sheets)
    line = _one_error("cost", "--recognitions", path)
    assert f"{path} sheet Sheet1: the sheet is empty" in line and "data" in line


# --------------------------------------------------------------------- controls in output


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x1b", "\x1f"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_control_character_is_written_as_its_escape(
    tmp_path: Path, control: str, suffix: str
) -> None:
    ledger = tmp_path / "ctl.csv"
    ledger.write_text(f'{REC}\n"A{control}B",park,贵阳市,2023\n', encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    done = sbqw("cost", "--recognitions", ledger, "--out", out)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    escaped = f"A\\x{ord(control):02x}B"
    if suffix == ".csv":
        assert escaped in out.read_text("utf-8") and control not in out.read_text("utf-8")
    else:
        ids = [row[0] for row in openpyxl.load_workbook(out).worksheets[0].values]
        assert escaped in ids


# --------------------------------------------------------------------- columns and headers


@pytest.mark.parametrize(
    ("flag", "header", "row", "column", "suggest"),
    [
        ("--recognitions", [*RECOGNITION_HEADER, "revoke_year"], "R1,park,贵阳市,2023,2024",
         "revoke_year", "revoked_year"),
        ("--recognitions", [*RECOGNITION_HEADER, "Revoked_Year"], "R1,park,贵阳市,2023,2024",
         "Revoked_Year", "revoked_year"),
        ("--recognitions", [*RECOGNITION_HEADER, "Year"], "R1,park,贵阳市,2023,2024",
         "Year", "year"),
        ("--sales", [*SALES_HEADER, "cross_border_retail"], ",".join([*SALE_ROW, "5"]),
         "cross_border_retail", "cross_border_retail_yuan"),
    ],
)  # fmt: skip
def test_a_misspelt_optional_column_is_refused_with_a_suggestion(
    tmp_path: Path, flag: str, header: list[str], row: str, column: str, suggest: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(",".join(header) + "\n" + row + "\n", encoding="utf-8")
    line = _one_error("cost", flag, path)
    assert f"{path}: unknown column `{column}` (did you mean `{suggest}`?)" in line


@pytest.mark.parametrize("notes", ["备注", "name", "comment from the prefecture"])
def test_an_analysts_own_column_in_a_ledger_is_left_alone(tmp_path: Path, notes: str) -> None:
    """Analysts annotate ledgers in Excel: a column like no known one is theirs (only a near
    miss of a known column is refused, above)."""
    path = tmp_path / "rec.csv"
    header = ",".join([*RECOGNITION_HEADER, notes])
    path.write_text(f"{header}\nR1,park,贵阳市,2023,新认定\n", encoding="utf-8")
    done = sbqw("cost", "--recognitions", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_yuan"] == 3_000_000


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_invisible_characters_in_a_header_are_ignored(tmp_path: Path, invisible: str) -> None:
    path = tmp_path / "rec.csv"
    header = f"unit_id,category,prefecture,{invisible}year"
    path.write_text(f"{header}\nR1,park,贵阳市,2023\n", encoding="utf-8")
    done = sbqw("cost", "--recognitions", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_yuan"] == 300 * WAN


@pytest.mark.parametrize(
    ("official", "short"),
    [
        ("黔东南苗族侗族自治州", "黔东南州"),
        ("黔南布依族苗族自治州", "黔南州"),
        ("黔西南布依族苗族自治州", "黔西南州"),
    ],
)
def test_official_full_prefecture_names_are_accepted(
    tmp_path: Path, official: str, short: str
) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{REC}\nR1,park,{official},2023\n", encoding="utf-8")
    done = sbqw("cost", "--recognitions", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["by_prefecture"][short] == 300 * WAN


# --------------------------------------------------------------------- sizes


@pytest.mark.parametrize("tail", ["\r" * 6, "\r\n" + "\r" * 5], ids=["cr", "mixed"])
def test_every_line_ending_counts_against_the_line_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: str
) -> None:
    monkeypatch.setattr(tablefile, "MAX_TABLE_LINES", 5)  # the class, at a size a test writes
    path = tmp_path / "rec.csv"
    path.write_text(REC + "\r" + "R1,park,贵阳市,2023" + tail, encoding="utf-8", newline="")
    with pytest.raises(InputError, match=r"lines, more than the 5 a table may have"):
        tablefile.read_table(path)


@pytest.mark.parametrize("blank", [" ", None], ids=["space-cells", "empty-rows"])
def test_blank_workbook_rows_count_against_the_row_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str | None
) -> None:
    monkeypatch.setattr(tablefile, "MAX_TABLE_LINES", 5)
    book = openpyxl.Workbook()
    book.active.append(list(RECOGNITION_HEADER))
    book.active.append(["R1", "park", "贵阳市", 2023])
    for number in range(3, 12):
        cell = book.active.cell(number, 1, blank)
        if blank is None:  # a row element holding only a styled empty cell
            cell.number_format = "0.00"
    book.save(tmp_path / "rec.xlsx")
    with pytest.raises(InputError, match=r"sheet Sheet row 6: more than 5 rows, blank ones"):
        tablefile.read_table(tmp_path / "rec.xlsx")


@pytest.mark.parametrize(
    ("limit", "part"),
    [
        ("MAX_XLSX_SHARED_STRINGS", "xl/sharedStrings.xml"),
        ("MAX_XLSX_SHEET_PART", "xl/worksheets/"),
    ],
)
def test_a_workbook_part_over_its_own_cap_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, part: str
) -> None:
    """openpyxl holds every shared string in memory: measured ~9 bytes of RSS a byte."""
    from sbqw_model import limits

    monkeypatch.setattr(limits, limit, 500)
    path = _book(tmp_path / "rec.xlsx", {"Sheet": [list(RECOGNITION_HEADER), ["R1", "park"]]})
    with zipfile.ZipFile(path, "a") as book:  # openpyxl writes inline strings: add the part
        strings = "".join(f"<si><t>{n}</t></si>" for n in range(100))
        book.writestr("xl/sharedStrings.xml", f"<sst>{strings}</sst>")
    line = _one_error("cost", "--recognitions", path)
    assert f"{path}: the workbook's {part}" in line and "bytes, more than the" in line


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("length", [1_001, 40_000])
def test_an_overlong_cell_is_refused_naming_its_row(
    tmp_path: Path, suffix: str, length: int
) -> None:
    rows = [list(RECOGNITION_HEADER), ["R" * length, "park", "贵阳市", 2023]]
    if suffix == ".csv":
        path = tmp_path / "rec.csv"
        path.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", "utf-8")
    else:
        path = _book(tmp_path / "rec.xlsx", {"Sheet": rows})
    line = _one_error("cost", "--recognitions", path)
    kept = length if suffix == ".csv" else min(length, 32_767)  # openpyxl cuts what it saves
    assert f"row 2, column unit_id: {kept:,} characters, more than the 1,000" in line


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_password_protected_workbook_is_said_to_be_one(tmp_path: Path, suffix: str) -> None:
    """Excel keeps an encrypted workbook in its old OLE2 container: "File is not a zip file"
    told the user nothing they could act on."""
    path = tmp_path / f"locked{suffix}"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096))
    line = _one_error("cost", "--sales", path)
    assert "password-protected or in Excel's old .xls format" in line, line


def _empty_text_formulas(path: Path, refs: list[str]) -> None:
    """Each cell ``ref`` becomes what Excel saves for ``=IF(…,"")``: the formula and its saved
    value, the empty text (``t="str"``, ``<v></v>``); openpyxl cannot write saved values."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {n: book.read(n) for n in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref in refs:
        cell = f'<c r="{ref}" t="str"><f>IF(A1="x",1,"")</f><v></v></c>'
        sheet, n = re.subn(rf'<c r="{ref}"[^>]*>.*?</c>', cell, sheet)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_formulas_excel_saved_as_empty_text_are_empty_cells(tmp_path: Path) -> None:
    """``=IF(…,"")`` filled down a column is common; Excel saves its value, the empty text.
    It was refused as "formulas without saved values"; a row of nothing else is blank."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit_id", "category", "prefecture", "year", "revoked_year"])
    sheet.append(["P1", "park", "贵阳市", 2023, "x"])
    sheet.append(["P2", "park", "贵阳市", 2023, "x"])
    sheet.append(["x", "x", "x", "x", "x"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    _empty_text_formulas(path, ["E2", "E3", "A4", "B4", "C4", "D4", "E4"])
    done = sbqw("cost", "--recognitions", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_yuan"] == 2 * 3_000_000  # two parks, none revoked


def test_an_observation_error_quotes_the_cell_as_written(tmp_path: Path) -> None:
    """A semicolon file's ``3,5`` was quoted back as '3.5', a number the user never wrote."""
    path = tmp_path / "o.csv"
    path.write_text("year;indicator;value;source\n2023;recognized.park;3,5;x\n", encoding="utf-8")
    line = _one_error("backtest", "baseline", "--observed", path, "--draws", "50")
    assert line.endswith("expected a whole number (a count of recognized.park), got '3,5'"), line

"""Ledgers as hurried analysts save them: encodings, blank rows, uncalculated formulas.

Everything runs through ``sbqw cost`` (and ``sbqw backtest`` for observation files) as a user
runs it (in-process for speed; ``run_cli`` where the shell's view matters): a good file costs
correctly whatever its encoding; a bad one gets one line naming the file, the row or cell and
what was expected, exit 2, nothing written.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import RECOGNITION_HEADER, ROOT, SALES_HEADER, WAN, run_cli
from inprocess import sbqw

from sbqw_model.errors import InputError

REC_HEADER = ",".join(RECOGNITION_HEADER)
GOOD_ROWS = ["R1,park,贵阳市,2023", "R2,base,遵义市,2024", "R3,enterprise,黔东南州,2024"]
GOOD_TOTAL = (300 + 50 + 5) * WAN  # one-time awards: park, base, enterprise


def _cost_json(path: Path, flag: str = "--recognitions") -> dict:
    done = sbqw("cost", flag, path, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _one_error(path: Path, *extra: object, flag: str = "--recognitions", run=sbqw) -> str:
    done = run("cost", flag, path, *extra)
    assert done.returncode == 2, done.stdout
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"sbqw: error: {path}"), line
    return line


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chinese_ledger_costs_the_same_in_any_excel_encoding(
    tmp_path: Path, encoding: str, newline: str
) -> None:
    path = tmp_path / "rec.csv"
    path.write_bytes(newline.join([REC_HEADER, *GOOD_ROWS, ""]).encode(encoding))
    result = _cost_json(path)
    assert result["total_yuan"] == GOOD_TOTAL
    assert result["by_prefecture"]["贵阳市"] == 300 * WAN
    assert result["by_prefecture"]["黔东南州"] == 5 * WAN


def test_gb18030_sales_ledger_with_chinese_booleans(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    text = ",".join(SALES_HEADER) + "\nS1,六盘水市,2023,1200000000,300000000,是,否\n"
    path.write_bytes(text.encode("gb18030"))
    expected = _cost_json(path, "--sales")
    utf8 = tmp_path / "sales8.csv"
    utf8.write_text(text, encoding="utf-8")
    assert expected == _cost_json(utf8, "--sales")
    assert expected["by_prefecture"]["六盘水市"] > 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (f"{REC_HEADER}\nR1,park,Guiyang,2023,café\n".encode("latin-1"), "neither UTF-8 nor"),
        (f"{REC_HEADER}\nR1,park,贵阳市,2023\n".encode("utf-16"), "not a text CSV"),
        (f"{REC_HEADER}\nR1,park,贵阳市,2023\n".encode("utf-16-le"), "not a text CSV"),
        (b"unit_id,category\n\xff\xfe\xfa,park\n", "neither UTF-8 nor"),
    ],
)
def test_unknown_encoding_says_how_to_save_as_utf8(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "rec.csv"
    path.write_bytes(content)
    line = _one_error(path, "--out", tmp_path / "out.json", run=run_cli)
    assert words in line and "CSV UTF-8" in line
    assert not (tmp_path / "out.json").exists()


# --------------------------------------------------------------------------- row numbers

BAD = "RX,park,火星,2023"  # unknown prefecture: the error names its row


@pytest.mark.parametrize(
    ("lines", "row"),
    [
        ([REC_HEADER, BAD], 2),
        ([REC_HEADER, "", BAD], 3),
        ([REC_HEADER, GOOD_ROWS[0], "", "", BAD], 5),
        ([REC_HEADER, "   ", GOOD_ROWS[0], ",,,", BAD], 5),  # spaces / empty cells: blank rows
        (["", REC_HEADER, GOOD_ROWS[0], BAD], 4),  # a blank row above the header
        ([REC_HEADER, '"R\n1",park,贵阳市,2023', BAD], 3),  # a cell spanning two lines: one row
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(
    tmp_path: Path, lines: list[str], row: int, newline: str
) -> None:
    path = tmp_path / "rec.csv"
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    line = _one_error(path)
    assert f"{path} row {row}, column prefecture: unknown prefecture '火星'" in line


def test_sales_duplicate_names_both_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    row = "S1,贵阳市,2023,100,100,false,false"
    path.write_text(",".join(SALES_HEADER) + f"\n\n{row}\n\n\n{row}\n", encoding="utf-8-sig")
    line = _one_error(path, flag="--sales")
    assert f"{path} row 6: unit 'S1' appears twice in 2023 (first at row 3)" in line


def test_stray_comma_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{REC_HEADER}\n{GOOD_ROWS[0]}\n\n{GOOD_ROWS[1]},oops\n", encoding="utf-8")
    assert f"{path} row 4: more cells than the header" in _one_error(path)


@pytest.mark.parametrize("separator", ["\t", ";"], ids=["tabs", "semicolons"])
def test_a_ledger_split_by_tabs_or_semicolons_costs_the_same(
    tmp_path: Path, separator: str
) -> None:
    """Excel's "Text (Tab delimited)" saved as .csv, or its CSV where the decimal mark is a
    comma: read as Excel shows them (before: every column named "missing")."""
    path = tmp_path / "rec.csv"
    lines = [REC_HEADER, *GOOD_ROWS]
    path.write_text("\n".join(line.replace(",", separator) for line in lines), encoding="utf-8")
    result = _cost_json(path)
    assert result["total_yuan"] == GOOD_TOTAL
    assert result["by_prefecture"]["黔东南州"] == 5 * WAN


def test_a_tsv_file_is_read_by_its_tabs(tmp_path: Path) -> None:
    """Tab-separated text is often saved as .tsv (it was refused for its suffix); a comma in
    a cell is then the cell's, not a separator."""
    path = tmp_path / "rec.tsv"
    lines = [REC_HEADER, *GOOD_ROWS]
    path.write_text("\n".join(line.replace(",", "\t") for line in lines), encoding="utf-8")
    result = _cost_json(path)
    assert result["total_yuan"] == GOOD_TOTAL


def test_a_comma_header_keeps_a_semicolon_inside_a_cell(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{REC_HEADER}\nR1;x,park,贵阳市,2023\n", encoding="utf-8")
    assert _cost_json(path)["total_yuan"] == 300 * WAN


def test_trailing_empty_cells_are_not_a_stray_comma(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{REC_HEADER},,\n{GOOD_ROWS[0]},,\n", encoding="utf-8")
    assert _cost_json(path)["total_yuan"] == 300 * WAN


# --------------------------------------------------------------------------- workbooks


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_rows_count_empty_rows(tmp_path: Path) -> None:
    rows = [
        list(RECOGNITION_HEADER),
        [],
        ["R1", "park", "贵阳市", 2023],
        [],
        ["RX", "park", "火星", 2023],
    ]
    path = _workbook(tmp_path / "rec.xlsx", rows)
    assert f"{path} sheet Sheet row 5, column prefecture" in _one_error(path)


@pytest.mark.parametrize(
    ("rows", "cell", "more"),
    [
        ([["R1", "park", "贵阳市", "=2020+3"]], "D2", ""),
        ([[], ["R1", "park", '=CONCAT("贵阳","市")', 2023]], "C3", ""),
        (
            [["=A1", "park", "贵阳市", "=2020+3"], ["R2", "base", "贵阳市", "=D2"]],
            "A2",
            " (and 2 more)",
        ),
    ],
)
def test_xlsx_formulas_without_saved_values_are_refused(
    tmp_path: Path, rows: list[list[object]], cell: str, more: str
) -> None:
    path = _workbook(tmp_path / "rec.xlsx", [list(RECOGNITION_HEADER), *rows])
    line = _one_error(path, "--out", tmp_path / "out.csv", run=run_cli)
    assert (
        f"{path} sheet Sheet cell {cell}{more}: formulas without saved values; open and save"
        in line
    )
    assert not (tmp_path / "out.csv").exists()


def test_xlsx_formulas_with_saved_values_are_read(tmp_path: Path) -> None:
    """What Excel writes: the formula and its last value; the value is what we cost."""
    plain = _workbook(
        tmp_path / "plain.xlsx", [list(RECOGNITION_HEADER), ["R1", "park", "贵阳市", "=2020+3"]]
    )
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(saved, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>2020+3</f><v />" in data
                data = data.replace(b"<f>2020+3</f><v />", b"<f>2020+3</f><v>2023</v>")
            dst.writestr(item, data)
    result = _cost_json(saved)
    assert result["total_yuan"] == 300 * WAN and result["lines"][0]["achievement_year"] == 2023


# --------------------------------------------------------------------------- observations


def test_gb18030_observations_with_blank_rows(tmp_path: Path) -> None:
    obs = tmp_path / "obs.csv"
    text = (
        "year,indicator,value,source\n\n2023,online_retail,8.0e10,国家统计局\n"
        "\n2024,bogus,1,省商务厅\n"
    )
    obs.write_bytes(text.encode("gb18030"))
    scenario = ROOT / "tests" / "research" / "scenarios" / "degenerate.yaml"
    done = sbqw("backtest", scenario, "--observed", obs, "--draws", 100)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert f"{obs} row 5, column indicator: unknown indicator 'bogus'" in line
    obs.write_bytes(text.split("\n\n2024")[0].encode("gb18030") + b"\n")
    done = sbqw("backtest", scenario, "--observed", obs, "--draws", 100, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["figures"][0]["source"] == "国家统计局"


# --- tables that are small on disk and huge in memory, and ambiguous headers ---------------


def test_a_file_of_blank_lines_is_refused_by_its_line_count(tmp_path: Path) -> None:
    from sbqw_model.limits import MAX_TABLE_LINES

    path = tmp_path / "blank.csv"
    path.write_text(REC_HEADER + "\n" * (MAX_TABLE_LINES + 1), encoding="utf-8")
    assert "lines, more than the" in _one_error(path)


def test_too_many_rows_are_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sbqw_model import tablefile

    monkeypatch.setattr(tablefile, "MAX_TABLE_ROWS", 3)  # the class, at a size a test can write
    path = tmp_path / "rec.csv"
    path.write_text("\n".join([REC_HEADER, *GOOD_ROWS, "R4,team,贵阳市,2024"]), encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4: more than 3 rows"):  # the header counts
        tablefile.read_table(path)


def test_a_workbook_that_declares_a_huge_sheet_is_read_by_its_cells(tmp_path: Path) -> None:
    """A 5 KB workbook whose sheet says A1:XFD1048576 (one cell at XFD1048576) reads as the
    cells it holds: openpyxl no longer pads a million rows of 16 384 cells."""
    from sbqw_model import tablefile

    book = openpyxl.Workbook()
    for row in [list(RECOGNITION_HEADER), ["R1", "park", "贵阳市", 2023]]:
        book.active.append(row)
    book.active["XFD1048576"] = "far away"
    path = tmp_path / "huge.xlsx"
    book.save(path)
    assert path.stat().st_size < 20_000
    frame = tablefile.read_table(path)
    assert list(frame.columns) == list(RECOGNITION_HEADER)
    assert list(frame.index) == [2], "the far cell is beyond the columns kept: a blank row"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_column_named_twice_is_refused(tmp_path: Path, suffix: str) -> None:
    header = [*RECOGNITION_HEADER, "category"]
    row = ["P1", "park", "贵阳市", 2023, "team"]
    if suffix == ".csv":
        path = tmp_path / "rec.csv"
        path.write_text(",".join(header) + "\n" + ",".join(map(str, row)) + "\n", "utf-8")
    else:
        path = _workbook(tmp_path / "rec.xlsx", [header, row])
    assert "column 'category' appears twice in the header" in _one_error(path)


def test_a_unit_listed_twice_in_one_year_is_refused_a_later_listing_is_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{REC_HEADER}\n{GOOD_ROWS[0]}\n{GOOD_ROWS[0]}\n", encoding="utf-8")
    assert "row 3: unit 'R1' is listed as park twice in 2023 (first at row 2)" in _one_error(path)
    path.write_text(f"{REC_HEADER}\n{GOOD_ROWS[0]}\nR1,park,贵阳市,2024\n", encoding="utf-8")
    assert _cost_json(path)["total_yuan"] == 300 * WAN, "listed again: paid once"


def test_control_characters_from_a_file_never_reach_the_terminal(tmp_path: Path) -> None:
    """A unit id holding an escape sequence (recolour, retitle the terminal) prints escaped."""
    path = tmp_path / "rec.csv"
    path.write_text(f'{REC_HEADER}\n"R1\x1b[31m\x1b]0;pwned\x07",park,贵阳市,2023\n', "utf-8")
    done = sbqw("cost", "--recognitions", path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "R1\\x1b[31m" in done.stdout


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_observations_that_are_not_a_file_say_what_they_are(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "obs.csv"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    done = sbqw("simulate", "baseline", "--observed", path, "--draws", 100)
    assert done.returncode == 2 and "not found" not in done.stderr
    assert ("is a folder" if kind == "folder" else "a device or pipe") in done.stderr

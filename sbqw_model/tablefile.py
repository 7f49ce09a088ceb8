"""Reading a user's table (a CSV file or an xlsx workbook's first sheet) as the user sees it.

Ledgers and observation files come from Excel, saved in a hurry. So:

* every cell is read as text, so validation sees what was typed;
* the frame's index is the row number a spreadsheet shows (header normally row 1, blank rows
  counted, then dropped), so "row 6" in an error is the row the analyst scrolls to;
* a CSV's encoding is detected: UTF-8 with or without a byte-order mark, then GB18030 (what
  Chinese Excel writes for "CSV (逗号分隔)"); anything else gets one line on how to save as UTF-8;
* a CSV whose header is split by semicolons or tabs, not commas, is read with that separator;
* a workbook whose formulas were never calculated (written by a program, not saved by Excel)
  reads as empty cells through openpyxl; that is refused, naming the cell, rather than read as
  blanks.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from sbqw_model.errors import InputError
from sbqw_model.limits import (
    MAX_TABLE_COLUMNS,
    MAX_TABLE_LINES,
    MAX_TABLE_ROWS,
    check_table_file,
)

#: Tried in this order; UTF-8 is strict, so a GB18030 file never decodes as UTF-8 by accident.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
SAVE_AS_UTF8 = "in Excel choose Save As → 'CSV UTF-8 (Comma delimited)', or save as .xlsx"
XLSX_SUFFIXES = (".xlsx", ".xlsm")

Row = tuple[int, list[str]]  # (spreadsheet row number, cells)


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as text; the index holds spreadsheet row numbers; blank rows dropped."""
    name = str(path)
    if not path.is_file():  # never opened: a pipe would block
        what = (
            "file not found"
            if not path.exists()
            else "is a folder, expected a .csv or .xlsx file"
            if path.is_dir()
            else "not a regular file (a device or pipe), expected a .csv or .xlsx file"
        )
        raise InputError([f"{name}: {what}"])
    check_table_file(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError([f"{name}: cannot read the file ({exc.strerror})"]) from None
        rows, strict = _csv_rows(decode(data, name), name), True
    elif suffix in XLSX_SUFFIXES:
        rows, strict = _xlsx_rows(path, name), False
    else:
        raise InputError([f"{name}: expected a .csv or .xlsx file, got '{path.suffix}'"])
    return _frame(rows, name, strict)


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else GB18030, else one line saying what to do."""
    if b"\x00" in data:
        raise InputError([f"{name}: not a text CSV (UTF-16 or binary); {SAVE_AS_UTF8}"])
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError([f"{name}: text is neither UTF-8 nor GB18030; {SAVE_AS_UTF8}"])


def _csv_rows(text: str, name: str) -> list[Row]:
    """Records as a spreadsheet numbers them: a quoted cell spanning lines is still one row."""
    lines = text.count("\n")
    if lines > MAX_TABLE_LINES:  # blank lines included: each costs the reader time
        raise InputError(
            [f"{name}: {lines:,} lines, more than the {MAX_TABLE_LINES:,} a table may have"]
        )
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text), skipinitialspace=True
    )
    rows: list[Row] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            _keep(rows, number, cells, name)
    except csv.Error as exc:
        raise InputError([f"{name} row {number + 1}: cannot read the row ({exc})"]) from None
    return rows


def _delimiter(text: str) -> str:
    """A comma, unless the header line has none but semicolons (Excel's CSV where a comma is the
    decimal mark) or tabs (Excel's "Text (Tab delimited)" saved as .csv): read as Excel shows
    them, not refused as a single column missing every name."""
    header = next((line for line in io.StringIO(text) if line.strip()), "")  # not every line
    if "," not in header:
        for other in ("\t", ";"):
            if other in header:
                return other
    return ","


def _blank(cell: object) -> bool:
    return cell is None or not str(cell).strip()


def _keep(rows: list[tuple[int, list[Any]]], number: int, cells: list[Any], name: str) -> None:
    """Store a non-blank row (blank ones cost nothing), up to ``MAX_TABLE_ROWS`` rows and
    ``MAX_TABLE_COLUMNS`` cells (one more is kept, so a CSV row too long for its header is
    still caught): a 60 MB file of blank lines, or a sheet that declares a million rows, stops
    here in one line instead of filling memory."""
    if all(_blank(c) for c in cells):
        return
    if len(rows) >= MAX_TABLE_ROWS:
        raise InputError(
            [f"{name} row {number}: more than {MAX_TABLE_ROWS:,} rows; split the table"]
        )
    if not rows and not all(_blank(c) for c in cells[MAX_TABLE_COLUMNS:]):
        raise InputError(
            [f"{name} row {number}: more than {MAX_TABLE_COLUMNS} columns in the header"]
        )
    rows.append((number, cells[: MAX_TABLE_COLUMNS + 1]))


def _xlsx_rows(path: Path, name: str) -> list[Row]:
    values = _sheet(path, name, data_only=True)
    if any(c is None for _, cells in values for c in cells):
        _refuse_uncached_formulas(values, _sheet(path, name, data_only=False), name)
    return [(number, [_cell_text(c) for c in cells]) for number, cells in values]


def _sheet(path: Path, name: str, data_only: bool) -> list[tuple[int, list[object]]]:
    """The first sheet's non-blank rows (``_keep``'s bounds), by their own row numbers. The
    sheet's declared size is ignored (``reset_dimensions``): a 5 KB file may declare
    A1:XFD1048576, which openpyxl would otherwise pad cell by cell."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # only the rows and cells the file holds
            rows: list[tuple[int, list[object]]] = []
            for row in sheet.iter_rows(min_row=1):  # a missing row comes as () and costs ~nothing
                cells = row[: MAX_TABLE_COLUMNS + 1]
                numbered = [c.row for c in cells if getattr(c, "row", None) is not None]
                if numbered:
                    _keep(rows, numbered[0], [getattr(c, "value", None) for c in cells], name)
            return rows
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([f"{name}: cannot read the workbook ({reason})"]) from None


def _refuse_uncached_formulas(
    values: list[tuple[int, list[object]]], formulas: list[tuple[int, list[object]]], name: str
) -> None:
    """A formula cell with no saved value reads as None with data_only: say so, naming it."""
    from openpyxl.utils import get_column_letter

    cells = [
        f"{get_column_letter(col)}{number}"
        for (number, shown), (_, written) in zip(values, formulas, strict=False)
        for col, (value, formula) in enumerate(zip(shown, written, strict=False), start=1)
        if value is None and formula is not None
    ]
    if cells:
        more = f" (and {len(cells) - 1} more)" if len(cells) > 1 else ""
        raise InputError(
            [
                f"{name} cell {cells[0]}{more}: formulas without saved values;"
                " open and save in Excel, then retry"
            ]
        )


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _frame(rows: list[Row], name: str, strict: bool) -> pd.DataFrame:
    """Header = first non-blank row. ``strict`` (CSV): a row longer than the header is an error,
    since a stray comma shifts every later value; in a workbook, notes beside the table are kept
    out silently."""
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise InputError([f"{name}: the file is empty (expected a header row)"])
    header = [c.strip() for c in rows[0][1]]
    while header and not header[-1]:
        header.pop()
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:  # a reader would take the first, or the last: neither is what was meant
        raise InputError(
            [f"{name} row {rows[0][0]}: column {twice[0]!r} appears twice in the header; keep one"]
        )
    width = len(header)
    body, index = [], []
    for number, cells in rows[1:]:
        if strict and any(c.strip() for c in cells[width:]):
            raise InputError(
                [f"{name} row {number}: more cells than the header has columns (a stray comma?)"]
            )
        body.append(cells[:width] + [""] * (width - len(cells)))
        index.append(number)
    return pd.DataFrame(body, columns=header, index=pd.Index(index, dtype="int64"), dtype=object)

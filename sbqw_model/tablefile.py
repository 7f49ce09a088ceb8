"""Reading a user's table (a CSV file or an xlsx workbook's active sheet) as the user sees it.

Ledgers and observation files come from Excel, saved in a hurry. So:

* every cell is read as text, so validation sees what was typed;
* the frame's index is the row number a spreadsheet shows (header normally row 1, blank rows
  counted, then dropped), so "row 6" in an error is the row the analyst scrolls to;
* a CSV's encoding is detected: UTF-8 with or without a byte-order mark, then GB18030 (what
  Chinese Excel writes for "CSV (逗号分隔)"); anything else gets one line on how to save as UTF-8;
* a CSV whose header is split by semicolons or tabs, not commas, is read with that separator,
  and Excel's ``sep=;`` first line is honoured; in a semicolon file the comma is the decimal
  mark (``number``), so ``1200000000,50`` is never read as 120000000050;
* a workbook is read from its active sheet (else the first visible one), named in every message;
  formulas never calculated (written by a program, not saved by Excel) read as empty cells
  through openpyxl: that is refused, naming the cell, rather than read as blanks.

``frame.attrs`` carries ``label`` (the file, and the sheet of a workbook, for messages) and
``decimal`` (``number``'s mode) to the callers that validate the cells.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.limits import (
    MAX_TABLE_CELL_CHARS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_LINES,
    MAX_TABLE_ROWS,
    check_table_file,
)

#: Tried in this order; UTF-8 is strict, so a GB18030 file never decodes as UTF-8 by accident.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
SAVE_AS_UTF8 = "in Excel choose Save As → 'CSV UTF-8 (Comma delimited)', or save as .xlsx"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
EXCEL_ROWS = 1_048_576  # the format's last row: a row numbered beyond it is no sheet's
#: Invisible characters a header name may carry from a copy and paste (zero-width space,
#: joiners, word joiner, a byte-order mark mid-file): removed, so ``\u200byear`` is ``year``.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
#: Excel's first line naming the separator (it writes and honours it, and does not show it).
_SEP_LINE = re.compile(r"sep=([^\"\r\n])[ \t]*(?:\r\n|\r|\n|$)")
#: ``number``'s mode per separator: "." the comma file's (commas group thousands), "," a
#: semicolon file's (Excel where the comma is the decimal mark), "" unknown (tabs): both read,
#: only unambiguous numbers accepted.
_DECIMAL = {",": ".", ";": ","}
_NUMBER = re.compile(r"([+-]?)([\d.,]*)([eE][+-]?\d+)?")

Row = tuple[int, list[str]]  # (spreadsheet row number, cells)


class NumberError(ValueError):
    """A cell that reads as two different numbers; ``hint`` says how to write it."""

    def __init__(self, hint: str):
        super().__init__(hint)
        self.hint = hint


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as text; the index holds spreadsheet row numbers; blank rows dropped."""
    name = str(path)
    if not path.exists():
        raise InputError([f"{name}: file not found"])
    check_table_file(path)  # a folder, a pipe (never opened: it would block), the sizes
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):  # .tsv: Excel's and many tools' tab-separated text
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError([f"{name}: cannot read the file ({exc.strerror})"]) from None
        rows, delimiter = _csv_rows(decode(data, name), name, tabs=suffix == ".tsv")
        frame = _frame(rows, name, strict=True)
        frame.attrs.update(label=name, decimal=_DECIMAL.get(delimiter, ""))
        return frame
    if suffix in XLSX_SUFFIXES:
        rows, label = _xlsx_rows(path, name)
        frame = _frame(rows, label, strict=False)
        frame.attrs.update(label=label, decimal=".")
        return frame
    raise InputError([f"{name}: expected a .csv, .tsv or .xlsx file, got '{path.suffix}'"])


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


def number(text: str, decimal: str = ".") -> float:
    """A cell's number by the file's convention (``read_table``'s ``attrs["decimal"]``).

    "." (comma files, workbooks): commas group thousands, as always. "," (semicolon files):
    the comma is the decimal mark and dots only group thousands (``1.200.000,50``). "" (tabs):
    either, when only one reading exists. A number that reads two ways (``1.500``: 1500 or
    1,5) raises ``NumberError``; one that is no number raises ``ValueError``.
    """
    text = text.strip()
    if decimal == ".":
        return float(text.replace(",", "").replace("_", ""))
    match = _NUMBER.fullmatch(text)
    if match is None or not {",", "."} & set(match.group(2)):
        return float(text)  # plain digits, an exponent, "nan": float decides
    sign, body, exponent = match.groups()
    mark = _decimal_mark(body, decimal)
    group = {",": ".", ".": ","}.get(mark) or ("," if "," in body else ".")
    whole, _, fraction = body.partition(mark) if mark else (body, "", "")
    grouped = re.fullmatch(rf"[1-9]\d{{0,2}}(?:\{group}\d{{3}})+", whole)
    if (
        (mark and mark in fraction)
        or group in fraction
        or (group in whole and not grouped)
        or not (whole or fraction)
    ):
        how = (
            "a comma is the decimal mark in a file separated by semicolons, and a dot only"
            " groups thousands: 1200000000,5 or 1.200.000.000,5"
            if decimal == ","
            else "write it without thousands separators, e.g. 1200000000.5"
        )
        raise NumberError(how)
    if decimal == "," and not fraction and whole.count(".") == 1:
        digits, small = whole.replace(".", ""), f"{float(whole):g}"
        raise NumberError(
            f"{text} reads as {digits} (a dot grouping thousands) or as {small}:"
            f" write {digits}, or {small.replace('.', ',')} with the decimal comma"
        )
    return float(f"{sign}{whole.replace(group, '') or 0}.{fraction or 0}{exponent or ''}")


def _decimal_mark(body: str, decimal: str) -> str:
    """The decimal mark of ``body`` ("" when it only groups thousands)."""
    if decimal:
        return decimal
    if "," in body and "." in body:
        return max(",", ".", key=body.rfind)  # the last one: 1,200.5 and 1.200,5
    mark = "," if "," in body else "."
    if body.count(mark) > 1:
        return ""  # 1,200,000: grouping
    if re.fullmatch(rf"[1-9]\d{{0,2}}\{mark}\d{{3}}", body):
        other = float(body.replace(mark, "."))
        raise NumberError(
            f"{body} reads as {body.replace(mark, '')} or as {other:g}: write it without"
            " thousands separators"
        )
    return mark


def check_columns(
    frame: pd.DataFrame,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    name: str,
    notes_allowed: bool = False,
) -> list[str]:
    """Unknown columns (with a did-you-mean: ``revoke_year``, ``Year`` beside ``year``) and
    missing ones: an optional column misspelt would be ignored, silently changing a total.
    ``notes_allowed`` (a ledger, which analysts annotate): a column like no known one (备注,
    name) is the analyst's own and left alone; only a near miss of a known one is refused."""
    known = (*required, *optional)
    listed = ", ".join(required) + (f"; optional: {', '.join(optional)}" if optional else "")
    problems = [
        f"{name}: unknown column `{c}`{hint} (expected columns: {listed})"
        for c in frame.columns
        if c and c not in known
        for hint in [did_you_mean(c, known) or _case_of(c, known)]
        if hint or not notes_allowed
    ]
    problems += [
        f"{name}: missing column `{c}` (expected columns: {listed})"
        for c in required
        if c not in frame.columns
    ]
    return problems


def _case_of(column: str, known: tuple[str, ...]) -> str:
    """A did-you-mean for a known column in other letter case or spacing (``Year``)."""
    folded = {k.casefold().replace(" ", "_"): k for k in known}
    match = folded.get(column.strip().casefold().replace(" ", "_"))
    return did_you_mean(match, [match]) if match else ""


def _csv_rows(text: str, name: str, tabs: bool = False) -> tuple[list[Row], str]:
    """Records as a spreadsheet numbers them (a quoted cell spanning lines is still one row),
    and the separator (``tabs``: a .tsv file's, whatever its header holds)."""
    sep_line = _SEP_LINE.match(text)
    if sep_line:  # Excel hides it: the header is still row 1
        text = text[sep_line.end() :]
    # any line ending counts: a file of carriage returns alone is as many lines
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if lines > MAX_TABLE_LINES:  # blank lines included: each costs the reader time
        raise InputError(
            [f"{name}: {lines:,} lines, more than the {MAX_TABLE_LINES:,} a table may have"]
        )
    delimiter = "\t" if tabs else sep_line.group(1) if sep_line else _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows: list[Row] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            _keep(rows, number, cells, name)
    except csv.Error as exc:
        raise InputError([f"{name} row {number + 1}: cannot read the row ({exc})"]) from None
    return rows, delimiter


def _delimiter(text: str) -> str:
    """A comma, unless the header line has none but semicolons (Excel's CSV where a comma is the
    decimal mark) or tabs (Excel's "Text (Tab delimited)" saved as .csv): read as Excel shows
    them, not refused as a single column missing every name."""
    lines = io.StringIO(text, newline="")  # any line ending
    header = next((line for line in lines if line.strip()), "")  # not every line
    if "," not in header:
        for other in ("\t", ";"):
            if other in header:
                return other
    return ","


def _keep(rows: list[Row], number: int, cells: list[str], name: str) -> None:
    """Store a non-blank row (blank ones cost nothing), up to ``MAX_TABLE_ROWS`` rows and
    ``MAX_TABLE_COLUMNS`` cells (one more is kept, so a CSV row too long for its header is
    still caught): a 60 MB file of blank lines, or a sheet that declares a million rows, stops
    here in one line instead of filling memory. A cell longer than ``MAX_TABLE_CELL_CHARS``
    is refused: Excel would cut it in the workbooks we write."""
    if not any(c.strip() for c in cells):
        return
    if len(rows) >= MAX_TABLE_ROWS:
        raise InputError(
            [f"{name} row {number}: more than {MAX_TABLE_ROWS:,} rows; split the table"]
        )
    if not rows and any(c.strip() for c in cells[MAX_TABLE_COLUMNS:]):
        raise InputError(
            [f"{name} row {number}: more than {MAX_TABLE_COLUMNS} columns in the header"]
        )
    cells = cells[: MAX_TABLE_COLUMNS + 1]
    if max(map(len, cells)) > MAX_TABLE_CELL_CHARS:
        at = next(i for i, c in enumerate(cells) if len(c) > MAX_TABLE_CELL_CHARS)
        header = rows[0][1] if rows else []
        column = header[at].strip() if at < len(header) and header[at].strip() else f"{at + 1}"
        raise InputError(
            [
                f"{name} row {number}, column {column}: {len(cells[at]):,} characters, more than"
                f" the {MAX_TABLE_CELL_CHARS:,} a cell may have"
            ]
        )
    rows.append((number, cells))


def _xlsx_rows(path: Path, name: str) -> tuple[list[Row], str]:
    """The chosen sheet's non-blank rows, and the label naming file and sheet."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            sheet = _chosen_sheet(book)
            label = f"{name} sheet {sheet.title}"
            others = [s.title for s in book.worksheets if s is not sheet]
            rows, formulas = _sheet_rows(sheet, label)
        finally:
            book.close()
        if formulas:  # a second pass for what Excel saved with them
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                _use_saved_values(rows, formulas, book[sheet.title], label)
            finally:
                book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if _is_ole2(path):  # Excel keeps a password-protected workbook in the old container
            reason = "it is password-protected or in Excel's old .xls format; save it as .xlsx"
            reason += " without a password, or as CSV"
        raise InputError([f"{name}: cannot read the workbook ({reason})"]) from None

    if not rows:
        where = f"; the other sheets: {', '.join(others)}" if others else ""
        raise InputError(
            [
                f"{label}: the sheet is empty (expected a header row); sbqw reads the active"
                f" sheet: select the table's sheet and save{where}"
            ]
        )
    return rows, label


#: The first bytes of an OLE2 compound file: an encrypted .xlsx, or an old .xls renamed.
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")


def _is_ole2(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(_OLE2)) == _OLE2
    except OSError:
        return False


def _chosen_sheet(book: Any) -> Any:
    """The sheet Excel opens on (the active one) if it is visible, else the first visible one:
    never a hidden sheet of lookups while the table the user sees is ignored."""
    sheets = book.worksheets
    active = book.active
    if any(active is s for s in sheets) and active.sheet_state == "visible":
        return active
    return next((s for s in sheets if s.sheet_state == "visible"), sheets[0])


def _sheet_rows(sheet: Any, label: str) -> tuple[list[Row], dict[tuple[int, int], str]]:
    """Non-blank rows by their own row numbers (``_keep``'s bounds) and the cells holding
    formulas. Every row the file holds counts, blank or not, up to ``MAX_TABLE_LINES`` (a
    sheet of millions of blank rows took minutes); a row it skips comes as () and costs ~nothing
    up to Excel's last row. The sheet's declared size is ignored (``reset_dimensions``): a 5 KB
    file may declare A1:XFD1048576."""
    sheet.reset_dimensions()  # only the rows and cells the file holds
    rows: list[Row] = []
    formulas: dict[tuple[int, int], str] = {}
    held = 0
    for passed, row in enumerate(sheet.iter_rows(min_row=1), start=1):
        held += bool(row)
        if held > MAX_TABLE_LINES or passed > EXCEL_ROWS:
            what = (
                f"more than {MAX_TABLE_LINES:,} rows, blank ones included; split the table"
                if held > MAX_TABLE_LINES
                else f"beyond Excel's last row ({EXCEL_ROWS:,}): not a workbook Excel saved"
            )
            raise InputError([f"{label} row {passed}: {what}"])
        cells = row[: MAX_TABLE_COLUMNS + 1]
        number = next((c.row for c in cells if getattr(c, "row", None) is not None), None)
        if number is None:
            continue  # a cell beyond the columns kept only
        texts = []
        for col, cell in enumerate(cells, start=1):
            if getattr(cell, "data_type", None) == "f":
                formulas[(number, col)] = str(cell.value)
            texts.append(_cell_text(getattr(cell, "value", None)))
        _keep(rows, number, texts, label)
    return rows, formulas


def _use_saved_values(
    rows: list[Row], formulas: dict[tuple[int, int], str], sheet: Any, label: str
) -> None:
    """Each formula cell takes the value Excel saved; one without (a program wrote the formula,
    nothing calculated it) is refused, naming it, whether or not its row has other cells. An
    empty text Excel saved (``=IF(…,"")``, typed ``str``) is a value: the empty cell; a row
    left with nothing but such cells is a blank row, and goes like one."""
    from openpyxl.utils import get_column_letter

    sheet.reset_dimensions()
    wanted = {number for number, _ in formulas}
    saved: dict[tuple[int, int], object] = {}
    for row in sheet.iter_rows(min_row=1):
        cells = row[: MAX_TABLE_COLUMNS + 1]
        for col, cell in enumerate(cells, start=1):
            if getattr(cell, "row", None) in wanted and (cell.row, col) in formulas:
                empty_text = cell.value is None and getattr(cell, "data_type", None) == "str"
                saved[(cell.row, col)] = "" if empty_text else cell.value
    missing = sorted(at for at in formulas if saved.get(at) is None)
    if missing:
        (number, col), more = missing[0], len(missing) - 1
        also = f" (and {more} more)" if more else ""
        raise InputError(
            [
                f"{label} cell {get_column_letter(col)}{number}{also}: formulas without saved"
                " values; open and save in Excel, then retry"
            ]
        )
    for number, cells in rows:
        for col in range(1, len(cells) + 1):
            if (number, col) in saved:
                cells[col - 1] = _cell_text(saved[(number, col)])
    rows[:] = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _frame(rows: list[Row], name: str, strict: bool) -> pd.DataFrame:
    """Header = first non-blank row, its names stripped of spaces and invisible characters.
    ``strict`` (CSV): a row longer than the header is an error, since a stray comma shifts
    every later value; in a workbook, notes beside the table are kept out silently."""
    if not rows:
        raise InputError([f"{name}: the file is empty (expected a header row)"])
    header = [c.translate(_INVISIBLE).strip() for c in rows[0][1]]
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

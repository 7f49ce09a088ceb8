"""Every CSV and Excel table sbqw writes goes through here, so user text never becomes a formula.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and some
importers strip a leading tab or carriage return first; Chinese input methods type the full-width
forms ``＝＋－＠``). A unit id, scenario title or observation source such as
``=HYPERLINK("http://x","click")`` would then run when an analyst opens our output: "CSV
injection" (OWASP). The rule applied here is OWASP's: such a *text* cell gets a leading single
quote, the same in CSV and xlsx. Numbers are never touched (a negative amount stays a number), and
text that is exactly a plain number (``-5``, ``+1.5e3``) is left alone because it cannot be a
formula. Header cells are text too and get the same treatment.

A control character XML forbids (``\x01``, ``\x1b``: openpyxl raised on it, failing the whole
workbook) is written as the visible escape the terminal shows (``errors.UNSEEN``), in CSV and
xlsx alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

from sbqw_model.errors import UNSEEN
from sbqw_model.fileio import CSV_ENCODING

#: First characters (after any leading spaces) that make a spreadsheet start a formula.
FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31  # Excel's limit
#: Characters XML 1.0 forbids in a cell (C0 controls but tab, line feed and carriage return;
#: U+FFFE, U+FFFF), as visible escapes spelt as the terminal shows them.
_NOT_XML = {
    **{c: UNSEEN[c] for c in range(32) if c not in (9, 10, 13)},
    0xFFFE: "\\ufffe",
    0xFFFF: "\\uffff",
}


def _formula_like(text: str) -> bool:
    """Would a spreadsheet start a formula here (or is it our quote before such text)?"""
    text = text.lstrip(QUOTE)  # quoted already: quote again, so reading back restores it exactly
    head = text.lstrip(" \u3000")
    return bool(head) and head[0] in FORMULA_START and not _NUMBER.fullmatch(text.strip())


def neutralise(value: Any) -> Any:
    """``value`` with a leading quote if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and _formula_like(value):
        return QUOTE + value
    return value


def _written(value: Any) -> Any:
    """A cell as every table writes it: controls a workbook cannot hold shown as escapes
    (the same in CSV, so the two agree), then neutralised."""
    if isinstance(value, str):
        value = value.translate(_NOT_XML)
    return neutralise(value)


def restore(value: Any) -> Any:
    """Undo :func:`neutralise` when reading back a table we wrote (e.g. a sweep's CSV parts)."""
    if isinstance(value, str) and value.startswith(QUOTE) and _formula_like(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[int]:
    return [
        i
        for i, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    ]


def _apply(frame: pd.DataFrame, fn: Any) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [fn(c) for c in out.columns]
    for i in _text_columns(out):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        out.isetitem(i, column.map(fn))
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) neutralised; numbers untouched."""
    return _apply(frame, _written)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`safe_frame` for tables read back from our own CSV files."""
    return _apply(frame, restore)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    cells = [*frame.columns, *(v for i in _text_columns(frame) for v in frame.iloc[:, i])]
    return any(isinstance(v, str) and "\r" in v for v in cells)


def write_csv(frame: pd.DataFrame, target: Path | IO[str], **options: Any) -> None:
    """``frame`` as CSV (no index) with user text neutralised: a file in UTF-8 with the
    byte-order mark Excel needs (``fileio.CSV_ENCODING``), a stream as it is.

    Python's csv module leaves a lone carriage return unquoted when lines end in ``\n``, and a
    reader then splits the row; a table holding one has every text field quoted instead.
    """
    safe = safe_frame(frame)
    options.setdefault("index", False)
    if isinstance(target, str | Path):
        options.setdefault("encoding", CSV_ENCODING)
    if "quoting" not in options and _has_carriage_return(safe):
        options["quoting"] = csv.QUOTE_NONNUMERIC
    safe.to_csv(target, **options)


def csv_text(frame: pd.DataFrame, **options: Any) -> str:
    buffer = io.StringIO()
    write_csv(frame, buffer, **options)
    return buffer.getvalue()


def sheet_name(name: str) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = _SHEET_FORBIDDEN.sub("_", name.translate(_NOT_XML)).strip("'") or "sheet"
    return cleaned[:SHEET_NAME_MAX]


def write_xlsx(
    tables: Mapping[str, pd.DataFrame],
    path: Path | IO[bytes],
    on_sheet: Callable[[str, Any], None] | None = None,
) -> None:
    """One sheet per table (sheet name: the key), user text neutralised, numbers numeric.

    ``on_sheet(key, worksheet)`` may then format each sheet (number formats, widths, freeze).
    """
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            title = sheet_name(name)
            safe_frame(frame).to_excel(writer, sheet_name=title, index=False)
            if on_sheet is not None:
                on_sheet(name, writer.sheets[title])

"""Reading and validating ledgers: recognitions and firm-year sales, from CSV or Excel.

A ledger is what the department actually holds: which units were recognized in which year, and
what each firm sold, in the plan years and, optionally, in the year before the plan (the base
year, 2022: it pays nothing, and tells which sales tiers a unit had already reached, assumption
``milestone_pre_plan_tiers``). Validation reports every problem at once, by file, row and
column, so an analyst fixes the sheet in one pass. Row numbers are spreadsheet rows (the header
is row 1, blank rows counted; see ``tablefile``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sbqw_model import prefectures
from sbqw_model.errors import InputError, Problems
from sbqw_model.limits import MAX_YUAN
from sbqw_model.parameters import Parameters
from sbqw_model.rules import CATEGORIES
from sbqw_model.tablefile import NumberError, check_columns, number, read_table

RECOGNITION_COLUMNS = ("unit_id", "category", "prefecture", "year")
#: Optional: the year a unit lost its recognition at the yearly review (§三(三)); blank if never.
REVOKED_COLUMN = "revoked_year"
SALES_COLUMNS = (
    "unit_id",
    "prefecture",
    "year",
    "annual_sales_yuan",
    "online_retail_yuan",
    "above_scale",
    "cross_border",
)
#: Optional: the cross-border part of a firm-year's online retail (assumption
#: cross_border_exclusion = cross_border_part); blank or absent: all of it, for a cross-border firm.
CROSS_BORDER_RETAIL_COLUMN = "cross_border_retail_yuan"
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


@dataclass(frozen=True)
class Ledger:
    """Validated recognitions and sales, typed, in file order."""

    recognitions: pd.DataFrame
    sales: pd.DataFrame

    @staticmethod
    def empty() -> Ledger:
        return Ledger(_empty_recognitions(), _empty_sales())


def _empty_recognitions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "prefecture": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            REVOKED_COLUMN: pd.Series(dtype="Int64"),
        }
    )


def _empty_sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": pd.Series(dtype=object),
            "prefecture": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "annual_sales_yuan": pd.Series(dtype=float),
            "online_retail_yuan": pd.Series(dtype=float),
            "above_scale": pd.Series(dtype=bool),
            "cross_border": pd.Series(dtype=bool),
            CROSS_BORDER_RETAIL_COLUMN: pd.Series(dtype=float),
        }
    )


def _year(
    text: str, where: str, first: int, last: int, problems: Problems, plan_first: int | None = None
) -> int | None:
    """A year from ``first`` to ``last``; ``plan_first`` is the plan's first year when the range
    starts before it (the base year), for the message."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value):
        problems.add(f"{where}: expected a year such as {first}, got {text!r}")
        return None
    if not first <= value <= last:
        plan = f"the plan ({plan_first if plan_first is not None else first}–{last})"
        if plan_first is not None:
            plan += f" and the year before it ({first}, the base year)"
        problems.add(f"{where}: year {int(value)} is outside {plan}")
        return None
    return int(value)


def _amount(text: str, where: str, problems: Problems, decimal: str) -> float | None:
    """A yuan amount read by the file's decimal mark (``tablefile.number``)."""
    try:
        value = number(text, decimal)
    except NumberError as exc:
        problems.add(f"{where}: expected an amount in yuan, got {text!r} ({exc.hint})")
        return None
    except ValueError:
        problems.add(f"{where}: expected an amount in yuan, got {text!r}")
        return None
    if not math.isfinite(value):
        problems.add(f"{where}: expected a finite amount in yuan, got {text!r}")
        return None
    if value < 0:
        problems.add(f"{where}: expected a non-negative amount in yuan, got {text!r}")
        return None
    if value > MAX_YUAN:
        problems.add(f"{where}: expected an amount of at most {MAX_YUAN:g} yuan, got {text!r}")
        return None
    return value


def _boolean(text: str, where: str, problems: Problems) -> bool | None:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problems.add(f"{where}: expected true or false, got {text!r}")
    return None


def _prefecture(text: str, where: str, problems: Problems) -> str | None:
    zh = prefectures.normalize(text)
    if zh is None:
        problems.add(f"{where}: unknown prefecture {text!r} (valid: {prefectures.valid_names()})")
    return zh


def _unit(text: str, where: str, problems: Problems) -> str | None:
    value = text.strip()
    if not value:
        problems.add(f"{where}: expected a unit id, got an empty cell")
        return None
    return value


def parse_recognitions(frame: pd.DataFrame, name: str, params: Parameters) -> pd.DataFrame:
    """Validate a recognitions table (one row per unit recognized in a year)."""
    name = frame.attrs.get("label", name)  # a workbook's sheet too
    problems = Problems()
    problems.extend(
        check_columns(frame, RECOGNITION_COLUMNS, (REVOKED_COLUMN,), name, notes_allowed=True)
    )
    problems.raise_if_any()
    first, last = int(params.value("plan.first_year")), int(params.value("plan.target_year"))
    rows = []
    seen: dict[tuple[str, str, int], int] = {}
    revoked_column = REVOKED_COLUMN in frame.columns
    columns = [*RECOGNITION_COLUMNS, *([REVOKED_COLUMN] if revoked_column else [])]
    for i, rec in zip(frame.index, frame[columns].itertuples(index=False), strict=True):
        at = f"{name} row {i}, column"
        unit = _unit(rec.unit_id, f"{at} unit_id", problems)
        category = rec.category.strip().lower()
        if category not in CATEGORIES:
            problems.add(
                f"{at} category: unknown category {rec.category!r} (valid: {', '.join(CATEGORIES)})"
            )
        pref = _prefecture(rec.prefecture, f"{at} prefecture", problems)
        year = _year(rec.year, f"{at} year", first, last, problems)
        revoked = None
        if revoked_column and str(rec.revoked_year).strip():
            revoked = _year(rec.revoked_year, f"{at} {REVOKED_COLUMN}", first, last, problems)
            if revoked is not None and year is not None and revoked <= year:
                problems.add(
                    f"{at} {REVOKED_COLUMN}: {revoked} is not after the recognition year {year}"
                    " (reviews revoke units recognized in earlier years)"
                )
        # listed again in a later year: paid once (``costing``); twice in one year: a slip
        if unit is not None and category in CATEGORIES and year is not None:
            if (unit, category, year) in seen:
                problems.add(
                    f"{name} row {i}: unit {unit!r} is listed as {category} twice in {year}"
                    f" (first at row {seen[(unit, category, year)]}); one row per unit,"
                    " category and year"
                )
            else:
                seen[(unit, category, year)] = i
        rows.append((unit, category, pref, year, revoked))
    problems.raise_if_any()
    if not rows:
        return _empty_recognitions()
    out = pd.DataFrame(rows, columns=[*RECOGNITION_COLUMNS, REVOKED_COLUMN])
    out["year"] = out["year"].astype("int64")
    out[REVOKED_COLUMN] = out[REVOKED_COLUMN].astype("Int64")
    return out


def parse_sales(frame: pd.DataFrame, name: str, params: Parameters) -> pd.DataFrame:
    """Validate a firm-year sales table (one row per unit and year, plan years and the base
    year before them; ``costing.plan_rows`` and ``costing.base_year_rows`` split them)."""
    name = frame.attrs.get("label", name)  # a workbook's sheet too
    decimal = frame.attrs.get("decimal", ".")
    problems = Problems()
    optional = (CROSS_BORDER_RETAIL_COLUMN,)
    problems.extend(check_columns(frame, SALES_COLUMNS, optional, name, notes_allowed=True))
    problems.raise_if_any()
    first, last = int(params.value("plan.first_year")), int(params.value("plan.target_year"))
    rows = []
    seen: dict[tuple[str, int], int] = {}
    has_part = CROSS_BORDER_RETAIL_COLUMN in frame.columns
    columns = [*SALES_COLUMNS, *([CROSS_BORDER_RETAIL_COLUMN] if has_part else [])]
    for i, rec in zip(frame.index, frame[columns].itertuples(index=False), strict=True):
        at = f"{name} row {i}, column"
        unit = _unit(rec.unit_id, f"{at} unit_id", problems)
        pref = _prefecture(rec.prefecture, f"{at} prefecture", problems)
        year = _year(rec.year, f"{at} year", first - 1, last, problems, first)
        sales = _amount(rec.annual_sales_yuan, f"{at} annual_sales_yuan", problems, decimal)
        retail = _amount(rec.online_retail_yuan, f"{at} online_retail_yuan", problems, decimal)
        above = _boolean(rec.above_scale, f"{at} above_scale", problems)
        cross = _boolean(rec.cross_border, f"{at} cross_border", problems)
        part = math.nan
        if has_part and str(rec.cross_border_retail_yuan).strip():
            where = f"{at} {CROSS_BORDER_RETAIL_COLUMN}"
            part = _amount(rec.cross_border_retail_yuan, where, problems, decimal)
            if part is not None and retail is not None and part > retail:
                problems.add(f"{where}: {part:,.0f} is more than online_retail_yuan {retail:,.0f}")
        if unit is not None and year is not None:
            if (unit, year) in seen:
                problems.add(
                    f"{name} row {i}: unit {unit!r} appears twice in {year}"
                    f" (first at row {seen[(unit, year)]}); one row per unit and year"
                )
            else:
                seen[(unit, year)] = i
        rows.append((unit, pref, year, sales, retail, above, cross, part))
    problems.raise_if_any()
    if not rows:
        return _empty_sales()
    out = pd.DataFrame(rows, columns=[*SALES_COLUMNS, CROSS_BORDER_RETAIL_COLUMN])
    return out.astype(
        {
            "year": "int64",
            "annual_sales_yuan": float,
            "online_retail_yuan": float,
            "above_scale": bool,
            "cross_border": bool,
            CROSS_BORDER_RETAIL_COLUMN: float,
        }
    )


def load_ledger(recognitions: Path | None, sales: Path | None, params: Parameters) -> Ledger:
    """Read and validate both files; problems from both are reported together."""
    problems = Problems()
    rec, sal = _empty_recognitions(), _empty_sales()
    for path, parse, slot in (
        (recognitions, parse_recognitions, "rec"),
        (sales, parse_sales, "sal"),
    ):
        if path is None:
            continue
        try:
            table = parse(read_table(path), str(path), params)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if slot == "rec":
            rec = table
        else:
            sal = table
    problems.raise_if_any()
    return Ledger(rec, sal)

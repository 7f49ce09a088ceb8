"""Excel workbooks an analyst can use: one sheet per question, formatted as they would.

Money in 万元 (outlay) or 亿元 (online retail) with the unit in the header, probabilities as
percentages, years as numbers, thousands separators, the header row frozen and columns wide
enough to read — in Chinese (sheet names and headers) for ``lang="zh"``. The tidy CSVs and
JSON keep yuan and English names for programs; the workbook is for people.

``write_workbook`` is the one place a workbook is written (cell escaping belongs there).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbqw_model import prefectures
from sbqw_model.catalogue import group, label, pair
from sbqw_model.instruments import REGISTRY
from sbqw_model.labels import (
    AT_RISK_FROM,
    ON_COURSE_FROM,
    bracketed,
    distinct_titles,
    outlay_note,
    percent,
)
from sbqw_model.spreadsheet import write_xlsx
from sbqw_model.summary import TARGET_LABELS, Band, Summary, coerce, params_in_force
from sbqw_model.units import WAN, YI, whole_wan

if TYPE_CHECKING:
    import pandas as pd

PERCENT, WAN_FMT, YI_FMT, COUNT, YEAR = "0.0%", "#,##0", "#,##0.00", "#,##0", "0"
YUAN_FMT = "#,##0.00"  # a ledger's amounts in yuan, to the fen: its lines add up as shown
MIN_WIDTH, MAX_WIDTH = 8, 48

#: Column headers (zh, en), each once, from the label catalogue: the report's words where a
#: report says the same thing, the ``workbook`` group for what only a workbook says.
H: dict[str, tuple[str, str]] = {
    **{
        k: pair(f"report.{k}")
        for k in ("indicator", "mean", "p5", "p90", "p95", "payment_year", "appropriation")
    },
    "p50": pair("report.median"),
    "scenario": pair("report.scenario"),
    "all": pair("report.all_targets"),
    "wan": pair("report.wan_yuan"),
    "units": pair("report.count"),
    **group("workbook"),
}
#: Sheet names (zh, en).
SHEETS: dict[str, tuple[str, str]] = group("sheet")


def h(key: str, lang: str, unit: str | None = None, note: str = "") -> str:
    """A header in ``lang``, with its unit (and a note: 上限, 示例) in brackets when it has one:
    均值（万元，上限）, Mean (10,000 yuan, upper bound)."""
    i = 0 if lang == "zh" else 1
    return bracketed(H[key][i], [H[unit][i] if unit is not None else "", note], lang)


@dataclass
class Sheet:
    """A table as shown: display headers, a number format per column (by header) and per
    cell (``cells``, by reference: a mixed column's one amount), and its sheet's name (the
    catalogue's for ``key``, unless ``name`` gives one)."""

    key: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    freeze: str = "A2"  # the header row (and, for wide tables, the label column)
    name: str = ""
    cells: dict[str, str] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.name or SHEETS[self.key][0 if lang == "zh" else 1]


#: The statistics of every table, in the reports' order: the median and the 90 % range
#: (5th–95th percentile), then the mean (the one that adds up across rows).
STATS = ("p50", "p5", "p95", "mean")


def _money_columns(lang: str, note: str) -> list[tuple[str, str]]:
    return [(k, h(k, lang, "wan", note)) for k in STATS]


def _band_rows(items: Mapping[str, Band], label: Any, lang: str, note: str) -> list[dict[str, Any]]:
    columns = _money_columns(lang, note)
    return [
        {label[0]: label[1](k), **{col: getattr(v, k2) / WAN for k2, col in columns}}
        for k, v in items.items()
    ]


def _targets_sheet(summary: Summary, lang: str) -> Sheet:
    import pandas as pd

    i = 0 if lang == "zh" else 1
    rows = []
    for key, s in summary.targets.items():
        money = key == "online_retail"
        scale = YI if money else 1
        rows.append(
            {
                h("indicator", lang): TARGET_LABELS[key][i],
                h("unit", lang): H["yi" if money else "units"][i],
                h("target", lang): s.target / scale,
                h("p_met", lang): s.p_met,
                h("p_met_se", lang): s.p_met_se,
                **{h(k, lang): getattr(s, k) / scale for k in STATS},
            }
        )
    rows.append(
        {
            h("indicator", lang): H["all"][i],
            h("p_met", lang): summary.p_all_met,
            h("p_met_se", lang): summary.p_all_met_se,
        }
    )
    frame = pd.DataFrame(rows)
    # counts are whole; online retail in 亿元 reads whole too (1,012亿 against 1,000亿)
    formats = {h(k, lang): COUNT for k in ("target", *STATS)}
    formats |= {h("p_met", lang): PERCENT, h("p_met_se", lang): PERCENT}
    return Sheet("targets", frame, formats)


def _outlay_sheets(summary: Summary, lang: str) -> list[Sheet]:
    import pandas as pd

    b = summary.budget
    note = outlay_note(summary, lang)
    money = {col: WAN_FMT for _, col in _money_columns(lang, note)}
    params = params_in_force(summary)
    instruments = {k: REGISTRY.get(k).label(lang, params) for k in b.by_instrument}
    specs = [
        ("total", {"total": b.total}, ("item", lambda k: H["total"][0 if lang == "zh" else 1])),
        ("by_year", b.by_year, ("payment_year", int)),
        ("by_instrument", b.by_instrument, ("item", instruments.__getitem__)),
        ("by_prefecture", b.by_prefecture, ("prefecture", lambda p: prefectures.label(p, lang))),
    ]
    sheets = []
    for key, items, (row_label, fn) in specs:
        frame = pd.DataFrame(_band_rows(items, (h(row_label, lang), fn), lang, note))
        formats = dict(money)
        if row_label == "payment_year":
            formats[h(row_label, lang)] = YEAR
        sheets.append(Sheet(key, frame, formats))
    if b.appropriation is not None and b.p_over_appropriation is not None:
        sheets.append(_appropriation_sheet(summary, lang))
    return sheets


def _appropriation_sheet(summary: Summary, lang: str) -> Sheet:
    """The appropriation by year and the odds of overrunning it; an appropriation the scenario
    only illustrates says so in the sheet's name and its header (示例)."""
    import pandas as pd

    b = summary.budget
    assert b.appropriation is not None and b.p_over_appropriation is not None
    illustrative = bool(b.appropriation_illustrative)
    note = label("report.illustrative", lang) if illustrative else ""
    amount = h("appropriation", lang, "wan", note)
    frame = pd.DataFrame(
        [
            {
                h("payment_year", lang): int(y),
                amount: a / WAN,
                h("p_over", lang): b.p_over_appropriation[y],
            }
            for y, a in b.appropriation.items()
        ]
    )
    formats = {h("payment_year", lang): YEAR, amount: WAN_FMT, h("p_over", lang): PERCENT}
    return Sheet("appropriation_illustrative" if illustrative else "appropriation", frame, formats)


def scenario_sheets(summary: Summary | Mapping[str, Any], lang: str = "zh") -> list[Sheet]:
    """The sheets of one scenario's workbook (``sbqw report``, ``sbqw simulate --out``); the
    summary typed or as the JSON mapping a report notebook hands the runner."""
    summary = coerce(summary)
    return [_targets_sheet(summary, lang), *_outlay_sheets(summary, lang)]


def comparison_sheets(
    summaries: Sequence[Summary | Mapping[str, Any]], lang: str = "zh"
) -> list[Sheet]:
    """Odds (targets × scenarios) and outlay (scenarios × total and years) side by side."""
    import pandas as pd

    typed = [coerce(s) for s in summaries]
    i = 0 if lang == "zh" else 1
    titles = _distinct_titles(typed, lang)
    odds = pd.DataFrame(
        [
            {
                h("indicator", lang): TARGET_LABELS[k][i],
                **{t: s.targets[k].p_met for t, s in zip(titles, typed, strict=True)},
            }
            for k in typed[0].targets
        ]
        + [
            {
                h("indicator", lang): H["all"][i],
                **{t: s.p_all_met for t, s in zip(titles, typed, strict=True)},
            }
        ]
    )
    return [
        Sheet("compare_odds", odds, {t: PERCENT for t in titles}, freeze="B2"),
        _compare_outlay_sheet(typed, titles, lang),
    ]


def _distinct_titles(typed: Sequence[Summary], lang: str) -> list[str]:
    """Each scenario's title, as its column of the odds sheet (keyed by title) and its row of
    the outlay sheet: a repeated title, or one equal to the sheet's own headers, gets the
    scenario's name in brackets (``labels.distinct_titles``)."""
    titles = [s.title_zh if lang == "zh" else s.title_en for s in typed]
    taken = (h("indicator", lang), h("scenario", lang))
    return distinct_titles(titles, [s.scenario for s in typed], lang, taken)


def _compare_outlay_sheet(typed: Sequence[Summary], titles: list[str], lang: str) -> Sheet:
    """Each scenario's outlay as the reports show it (median and 90 % range of the total, the
    median of each payment year), what its amounts are (上限, 按上限的50%支付), and its median
    against the first scenario's, named."""
    import pandas as pd

    first = typed[0].budget.total.p50
    sep, year_sep = ("", "") if lang == "zh" else (", ", " ")
    diff = h("diff_p50", lang, "wan").format(first=titles[0])
    rows = []
    for title, s in zip(titles, typed, strict=True):
        total = s.budget.total
        row: dict[str, Any] = {h("scenario", lang): title, h("kind", lang): outlay_note(s, lang)}
        row |= {
            f"{h('total', lang)}{sep}{h(k, lang, 'wan')}": getattr(total, k) / WAN
            for k in ("p50", "p5", "p95")
        }
        row[diff] = whole_wan(total.p50) - whole_wan(first)  # of the medians as shown
        for year, band in s.budget.by_year.items():
            row[f"{year}{year_sep}{h('year_median', lang, 'wan')}"] = band.p50 / WAN
        rows.append(row)
    outlay = pd.DataFrame(rows)
    return Sheet("compare_outlay", outlay, {c: WAN_FMT for c in outlay.columns[2:]}, freeze="B2")


def _cell_format(fmt: str, value: float) -> str:
    """A probability's format with the decimals the reports show it with: a nonzero 0.04 %
    would read 0.0 % (and 99.96 % 100.0 %) under ``PERCENT``; ``percent`` adds decimals
    until it reads neither 0 nor 100 % nor across a status band's edge (79.96 %, not 80.0 %),
    and the cell keeps the number itself."""
    if fmt != PERCENT:
        return fmt
    shown = percent(float(value), (AT_RISK_FROM, ON_COURSE_FROM), decimals=1).rstrip("%")
    places = len(shown.partition(".")[2])
    return "0." + "0" * places + "%" if places else "0%"


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _format(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = sheet.freeze
    for j, column in enumerate(sheet.frame.columns, start=1):
        letter = get_column_letter(j)
        fmt = sheet.formats.get(column)
        for cell in ws[letter][1:]:
            if fmt and isinstance(cell.value, int | float):
                cell.number_format = _cell_format(fmt, cell.value)
        values = [column, *sheet.frame[column].dropna().tolist()]
        ws.column_dimensions[letter].width = min(
            MAX_WIDTH, max(MIN_WIDTH, *map(_width, values)) + 2
        )
        head = ws[f"{letter}1"]
        head.font = Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="top")
    for ref, fmt in sheet.cells.items():
        ws[ref].number_format = fmt


def write_workbook(sheets: Sequence[Sheet], path: Path, lang: str = "zh") -> None:
    """The one workbook writer: each sheet's table (escaped by ``spreadsheet``), then its
    number formats, frozen header and column widths."""
    by_title = {sheet.title(lang): sheet for sheet in sheets}
    write_xlsx(
        {title: sheet.frame for title, sheet in by_title.items()},
        path,
        lambda title, ws: _format(ws, by_title[title]),
    )


__all__ = ["YUAN_FMT", "Sheet", "comparison_sheets", "scenario_sheets", "write_workbook"]

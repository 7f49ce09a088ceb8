"""Rendering a costing result for people (table, Excel) and programs (JSON, CSV)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sbqw_model import prefectures, spreadsheet, textable, units
from sbqw_model.assumptions import shown_value
from sbqw_model.catalogue import both, label
from sbqw_model.costing import LINE_COLUMNS, CostResult
from sbqw_model.instruments import REGISTRY

if TYPE_CHECKING:
    from sbqw_model.workbook import Sheet

#: ``sbqw cost --out FILE``: the file's suffix chooses what is written into it.
OUT_FORMATS = {".txt": "table", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}


def to_json(result: CostResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def to_csv(result: CostResult) -> str:
    return spreadsheet.csv_text(result.lines[list(LINE_COLUMNS)], lineterminator="\n")


def to_xlsx(result: CostResult, path: Path) -> None:
    """A workbook an analyst opens: the lines, then totals by instrument, year and prefecture."""
    from sbqw_model.workbook import write_workbook  # only here: sbqw cost's start stays light

    t = result.totals
    instruments = pd.DataFrame(
        [
            {
                "instrument": k,
                "label": REGISTRY.get(k).label("zh", result.params),
                "clause": REGISTRY.get(k).clause(result.params),
                "amount_yuan": v,
            }
            for k, v in t.by_instrument.items()
        ]
    )
    assumptions = [
        {"item": f"assume.{k}", "value": v} for k, v in result.assumptions.as_dict().items()
    ]
    # Sheet names: the Chinese heading and the JSON key of the same table.
    tables = {
        f"{label('cli.lines')} lines": result.lines[list(LINE_COLUMNS)],
        f"{label('report.by_instrument')} by_instrument": instruments,
        f"{label('report.by_year')} by_year": pd.DataFrame(
            {"payment_year": [int(y) for y in t.by_year], "amount_yuan": list(t.by_year.values())}
        ),
        f"{label('report.by_prefecture')} by_prefecture": pd.DataFrame(
            {"prefecture": list(t.by_prefecture), "amount_yuan": list(t.by_prefecture.values())}
        ),
        f"{label('cli.total')} total": pd.DataFrame(
            [{"item": "total_yuan", "value": t.total}, *assumptions]
        ),
    }
    write_workbook([_sheet(name, frame) for name, frame in tables.items()], path)


def _sheet(name: str, frame: pd.DataFrame) -> Sheet:
    """A cost table as an analyst reads it: amounts in yuan with thousands separators and fen,
    years as years, the header frozen, columns as wide as their text. Its headers stay the
    JSON's and the CSV's names, so a formula or a script finds the same column in each."""
    from sbqw_model.workbook import YEAR, YUAN_FMT, Sheet

    formats = {c: YUAN_FMT for c in frame.columns if c.endswith("_yuan")}
    formats |= {c: YEAR for c in frame.columns if c.endswith("year")}
    total = {"B2": YUAN_FMT} if list(frame.columns) == ["item", "value"] else {}  # total_yuan
    return Sheet(name, frame, formats, name=name, cells=total)


def to_table(result: CostResult) -> str:
    """Chinese-first, amounts in 万元: what an analyst reads."""
    t = result.totals
    # as --assume and a scenario file write them (revoked_repay=false), so a line can be reused
    assume = ", ".join(f"{k}={shown_value(v)}" for k, v in result.assumptions.as_dict().items())
    amount_head = both("cli.amount_wan")
    out = [
        both("cli.cost_title"),
        f"{both('cli.assumptions')}: {assume}",
        f"{both('cli.total')}: {units.wan(t.total)} ({units.yi(t.total, 4)})",
        "",
        both("report.by_instrument"),
        textable.render(
            [both("cli.instrument"), both("report.clause"), amount_head],
            [
                [
                    f"{REGISTRY.get(k).label('zh', result.params)} {k}",
                    REGISTRY.get(k).clause(result.params),
                    units.wan_number(v),
                ]
                for k, v in t.by_instrument.items()
            ],
            right=[2],
        ),
        "",
        both("report.by_year"),
        textable.render(
            [both("report.year"), amount_head],
            [[y, units.wan_number(v)] for y, v in t.by_year.items()],
            right=[1],
        ),
        "",
        both("report.by_prefecture"),
        textable.render(
            [both("workbook.prefecture"), amount_head],
            [
                [f"{p} {prefectures.label(p, 'en')}", units.wan_number(v)]
                for p, v in t.by_prefecture.items()
            ],
            right=[1],
        ),
        "",
        f"{both('cli.lines')} ({len(result.lines)})",
    ]
    if len(result.lines):
        out.append(
            textable.render(
                [
                    both("cli.unit"),
                    label("workbook.prefecture"),
                    label("cli.achieved_in"),
                    label("cli.paid_in"),
                    both("cli.instrument"),
                    label("cli.amount_wan"),
                    label("report.clause"),
                    both("report.basis"),
                ],
                [
                    [
                        r.unit_id,
                        r.prefecture,
                        r.achievement_year,
                        r.payment_year,
                        r.instrument,
                        units.wan_number(r.amount_yuan),
                        r.clause,
                        r.basis,
                    ]
                    for r in result.lines.itertuples(index=False)
                ],
                right=[5],
            )
        )
    else:
        out.append(f"({both('cli.none')})")
    return "\n".join(out) + "\n"

"""Rendering a costing result for people (table, Excel) and programs (JSON, CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sbqw_model import prefectures, spreadsheet, textable, units
from sbqw_model.costing import LINE_COLUMNS, CostResult
from sbqw_model.errors import InputError
from sbqw_model.instruments import REGISTRY

#: ``sbqw cost --out FILE``: the file's suffix chooses what is written into it.
OUT_FORMATS = {".txt": "table", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}


def out_format(out: Path | None, requested: str | None) -> str:
    """The format to write: ``--format``, else the suffix of ``--out``; refuse a mismatch."""
    if out is None:
        return requested or "table"
    by_suffix = OUT_FORMATS.get(out.suffix.lower())
    if by_suffix is None:
        raise InputError(
            [
                f"--out {out}: unknown suffix {out.suffix or '(none)'!r}"
                f" (expected {', '.join(OUT_FORMATS)})"
            ]
        )
    if requested is not None and requested != by_suffix:
        raise InputError(
            [
                f"--out {out}: a {out.suffix} file gets {by_suffix}, not --format {requested};"
                " drop --format or change the suffix"
            ]
        )
    return by_suffix


def to_json(result: CostResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def to_csv(result: CostResult) -> str:
    return spreadsheet.csv_text(result.lines[list(LINE_COLUMNS)], lineterminator="\n")


def to_xlsx(result: CostResult, path: Path) -> None:
    """A workbook an analyst opens: the lines, then totals by instrument, year and prefecture."""
    t = result.totals
    instruments = pd.DataFrame(
        [
            {
                "instrument": k,
                "label": REGISTRY.get(k).label("zh"),
                "clause": REGISTRY.get(k).clause(result.params),
                "amount_yuan": v,
            }
            for k, v in t.by_instrument.items()
        ]
    )
    assumptions = [
        {"item": f"assume.{k}", "value": v} for k, v in result.assumptions.as_dict().items()
    ]
    tables = {
        "明细 lines": result.lines[list(LINE_COLUMNS)],
        "按项目 by_instrument": instruments,
        "按年度 by_year": pd.DataFrame(
            {"payment_year": [int(y) for y in t.by_year], "amount_yuan": list(t.by_year.values())}
        ),
        "按市州 by_prefecture": pd.DataFrame(
            {"prefecture": list(t.by_prefecture), "amount_yuan": list(t.by_prefecture.values())}
        ),
        "合计 total": pd.DataFrame([{"item": "total_yuan", "value": t.total}, *assumptions]),
    }
    spreadsheet.write_xlsx(tables, path)


def to_table(result: CostResult) -> str:
    """Chinese-first, amounts in 万元: what an analyst reads."""
    t = result.totals
    assume = ", ".join(f"{k}={v}" for k, v in result.assumptions.as_dict().items())
    out = [
        "十百千万工程奖补测算 Costing of awards and subsidies (黔商发〔2023〕1号)",
        f"假设 Assumptions: {assume}",
        f"合计 Total: {units.wan(t.total)} ({units.yi(t.total, 4)})",
        "",
        "按项目 By instrument",
        textable.render(
            ["项目 Instrument", "条款 Clause", "金额(万元) 10k yuan"],
            [
                [
                    f"{REGISTRY.get(k).label('zh')} {k}",
                    REGISTRY.get(k).clause(result.params),
                    units.wan_number(v),
                ]
                for k, v in t.by_instrument.items()
            ],
            right=[2],
        ),
        "",
        "按支付年度 By payment year",
        textable.render(
            ["年度 Year", "金额(万元) 10k yuan"],
            [[y, units.wan_number(v)] for y, v in t.by_year.items()],
            right=[1],
        ),
        "",
        "按市(州) By prefecture",
        textable.render(
            ["市(州) Prefecture", "金额(万元) 10k yuan"],
            [
                [f"{p} {prefectures.label(p, 'en')}", units.wan_number(v)]
                for p, v in t.by_prefecture.items()
            ],
            right=[1],
        ),
        "",
        f"明细 Lines ({len(result.lines)})",
    ]
    if len(result.lines):
        out.append(
            textable.render(
                [
                    "单位 Unit",
                    "市(州)",
                    "达成年",
                    "支付年",
                    "项目 Instrument",
                    "金额(万元)",
                    "条款",
                    "依据 Basis",
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
        out.append("(无 none)")
    return "\n".join(out) + "\n"

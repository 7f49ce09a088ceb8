"""Rendering a costing result for people (table) and programs (JSON, CSV)."""

from __future__ import annotations

import io
import json

from sbqw_model import prefectures, rules, textable, units
from sbqw_model.costing import LINE_COLUMNS, CostResult, instrument_clause


def to_json(result: CostResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def to_csv(result: CostResult) -> str:
    buffer = io.StringIO()
    result.lines[list(LINE_COLUMNS)].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


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
                    f"{rules.INSTRUMENT_LABELS[k][0]} {k}",
                    instrument_clause(result.params, k),
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

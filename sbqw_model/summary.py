"""Summaries of a simulation run: target odds with Monte Carlo error, budget bands.

Numbers a leader reads (probabilities, medians, 90 % bands) and the tidy tables an analyst takes
to Excel come from here, and nowhere else.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model import prefectures, rules, textable, units
from sbqw_model.engine import TARGETS, Results, target_levels

if TYPE_CHECKING:  # pandas is imported where tables are made: report kernels never need it
    import pandas as pd

QUANTILES = {"p5": 5, "p50": 50, "p90": 90, "p95": 95}

TARGET_LABELS: dict[str, tuple[str, str]] = {
    "parks": ("省级电商产业园区", "Provincial e-commerce parks"),
    "bases": ("省级电商直播基地", "Livestream bases"),
    "enterprises": ("电商龙头企业", "Leading enterprises"),
    "teams": ("电商直播团队", "Livestream teams"),
    "enterprises_and_teams": ("企业及团队合计", "Enterprises and teams"),
    "products": ("网络畅销产品", "Best-selling products"),
    "online_retail": ("网络零售额", "Online retail"),
}


def band(values: np.ndarray) -> dict[str, float]:
    """Mean and the 5th, 50th and 95th percentiles."""
    q = np.percentile(values, list(QUANTILES.values()))
    return {
        "mean": float(np.mean(values)),
        **{k: float(v) for k, v in zip(QUANTILES, q, strict=True)},
    }


def probability(hits: np.ndarray, effective: float | None = None) -> tuple[float, float]:
    """Share of worlds and its Monte Carlo standard error sqrt(p(1-p)/n).

    After conditioning by weighting, n is the effective number of draws (resampled worlds
    repeat, so they carry less information than as many independent ones).
    """
    p = float(np.mean(hits))
    n = min(hits.size, effective) if effective else hits.size
    return p, math.sqrt(p * (1 - p) / n)


def summarize(results: Results) -> dict[str, Any]:
    """The JSON-ready summary documented for ``sbqw simulate --format json``."""
    sc = results.scenario
    levels = target_levels(sc.params)
    met = results.met()
    targets = {}
    conditioning = results.conditioning or {"method": "none", "effective_draws": results.draws}
    ess = float(conditioning["effective_draws"])
    for t in TARGETS:
        p, se = probability(met[t], ess)
        targets[t] = {"target": levels[t], "p_met": p, "p_met_se": se, **band(results.targets[t])}
    p_all, p_all_se = probability(np.logical_and.reduce([met[t] for t in TARGETS]), ess)
    o = results.outlay
    pay_years = [str(y) for y in results.payment_years]
    budget: dict[str, Any] = {
        "total": band(o.total),
        "by_year": {y: band(o.by_year[:, i]) for i, y in enumerate(pay_years)},
        "by_instrument": {k: band(o.by_instrument[:, i]) for i, k in enumerate(rules.INSTRUMENTS)},
        "by_prefecture": {
            p: band(o.by_prefecture[:, i]) for i, p in enumerate(prefectures.NAMES_ZH)
        },
    }
    if sc.appropriation:
        budget["appropriation"] = {str(y): v for y, v in sorted(sc.appropriation.items())}
        budget["p_over_appropriation"] = {
            str(y): float(np.mean(_paid_in(results, y) > amount))
            for y, amount in sorted(sc.appropriation.items())
        }
    return {
        "scenario": sc.name,
        "title_zh": sc.title_zh,
        "title_en": sc.title_en,
        "draws": results.draws,
        "seed": results.seed,
        "assumptions": sc.assumptions.as_dict(),
        "parameter_overrides": sc.parameter_overrides,
        "targets": targets,
        "p_all_met": p_all,
        "p_all_met_se": p_all_se,
        "budget": budget,
        "conditioning": conditioning,
    }


def _paid_in(results: Results, year: int) -> np.ndarray:
    years = results.payment_years
    if year in years:
        return results.outlay.by_year[:, years.index(year)]
    return np.zeros(results.draws)


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)


def target_table(summary: dict[str, Any], lang: str = "zh") -> pd.DataFrame:
    import pandas as pd

    rows = []
    for t, s in summary["targets"].items():
        rows.append(
            {
                "indicator": t,
                "label": TARGET_LABELS[t][0 if lang == "zh" else 1],
                **{k: s[k] for k in ("target", "p_met", "p_met_se", "mean", "p5", "p50", "p95")},
            }
        )
    p_all = summary["p_all_met"]
    rows.append(
        {
            "indicator": "all",
            "label": "全部目标同时达成" if lang == "zh" else "All targets together",
            "target": math.nan,
            "p_met": p_all,
            "p_met_se": summary["p_all_met_se"],
        }
    )
    return pd.DataFrame(rows)


def budget_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Tidy: one row per (dimension, key) with mean and percentiles, in yuan."""
    import pandas as pd

    b = summary["budget"]
    rows = [{"dimension": "total", "key": "total", **b["total"]}]
    for dim in ("by_year", "by_instrument", "by_prefecture"):
        rows += [{"dimension": dim, "key": k, **v} for k, v in b[dim].items()]
    return pd.DataFrame(rows)


def appropriation_table(summary: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    b = summary["budget"]
    if "appropriation" not in b:
        return pd.DataFrame(columns=["payment_year", "appropriation_yuan", "p_over_appropriation"])
    return pd.DataFrame(
        [
            {
                "payment_year": y,
                "appropriation_yuan": a,
                "p_over_appropriation": b["p_over_appropriation"][y],
            }
            for y, a in b["appropriation"].items()
        ]
    )


ZH_HEADERS = {
    "indicator": "指标代码",
    "label": "指标",
    "target": "目标值",
    "p_met": "达成概率",
    "p_met_se": "概率标准误",
    "mean": "均值",
    "p5": "第5百分位",
    "p50": "中位数",
    "p90": "第90百分位",
    "p95": "第95百分位",
    "scenario": "情景",
    "dimension": "维度",
    "key": "分项",
    "payment_year": "支付年度",
    "appropriation_yuan": "预算安排(元)",
    "p_over_appropriation": "超预算概率",
}


def summary_tables(summary: dict[str, Any], lang: str = "zh") -> dict[str, pd.DataFrame]:
    return {
        "targets": target_table(summary, lang),
        "budget": budget_table(summary),
        "appropriation": appropriation_table(summary),
    }


SHEET_NAMES_ZH = {
    "targets": "目标",
    "budget": "预算",
    "appropriation": "预算安排",
    "compare": "情景比较",
}


def write_workbook(tables: dict[str, pd.DataFrame], path: Path, lang: str = "zh") -> None:
    """One sheet per table, Chinese headers and sheet names when ``lang`` is zh."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            shown = frame.rename(columns=ZH_HEADERS) if lang == "zh" else frame
            sheet = SHEET_NAMES_ZH.get(name, name) if lang == "zh" else name
            shown.to_excel(writer, sheet_name=sheet[:31], index=False)


def write_tables(summary: dict[str, Any], out_dir: Path, lang: str = "zh") -> list[Path]:
    """Tidy CSVs, the JSON summary and one .xlsx workbook, written atomically into ``out_dir``."""
    from sbqw_model.fileio import atomic_dir

    tables = summary_tables(summary, lang)
    with atomic_dir(out_dir) as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False)
        (tmp / "summary.json").write_text(to_json(summary), encoding="utf-8")
        write_workbook(tables, tmp / "summary.xlsx", lang)
        written = sorted(p.name for p in tmp.iterdir())
    return [out_dir / n for n in written]


def to_table(summary: dict[str, Any]) -> str:
    """Chinese-first text for a person: odds, then money in 亿元 / 万元."""
    out = [
        f"情景 Scenario: {summary['title_zh']} / {summary['title_en']} ({summary['scenario']})",
        f"模拟次数 Draws: {summary['draws']:,}  随机种子 Seed: {summary['seed']}",
        "假设 Assumptions: " + ", ".join(f"{k}={v}" for k, v in summary["assumptions"].items()),
    ]
    if summary["parameter_overrides"]:
        out.append(
            "参数调整 Reform: "
            + ", ".join(f"{k}={v:g}" for k, v in summary["parameter_overrides"].items())
        )
    rows = []
    for t, s in summary["targets"].items():
        fmt = units.yi if t == "online_retail" else (lambda v: f"{v:,.0f}")
        rows.append(
            [
                f"{TARGET_LABELS[t][0]} {t}",
                fmt(s["target"]),
                f"{s['p_met']:.1%} ± {s['p_met_se']:.1%}",
                fmt(s["p50"]),
                f"{fmt(s['p5'])} – {fmt(s['p95'])}",
            ]
        )
    rows.append(
        ["全部目标 all", "", f"{summary['p_all_met']:.1%} ± {summary['p_all_met_se']:.1%}", "", ""]
    )
    out += [
        "",
        "2025年目标 Targets in 2025",
        textable.render(
            [
                "指标 Indicator",
                "目标 Target",
                "达成概率 P(met)",
                "中位数 Median",
                "90%区间 90% band",
            ],
            rows,
            right=[1, 2, 3, 4],
        ),
    ]
    b = summary["budget"]

    def money_row(label: str, s: dict[str, float]) -> list[str]:
        return [
            label,
            units.wan_number(s["p50"]),
            units.wan_number(s["mean"]),
            f"{units.wan_number(s['p5'])} – {units.wan_number(s['p95'])}",
        ]

    header = ["项目 Item", "中位数(万元) Median", "均值(万元) Mean", "90%区间(万元) 90% band"]
    out += [
        "",
        f"财政支出 Outlay: 中位数 median {units.yi(b['total']['p50'])},"
        f" 第95百分位 p95 {units.yi(b['total']['p95'])}",
        "",
        "按支付年度 By payment year",
        textable.render(
            header, [money_row(y, s) for y, s in b["by_year"].items()], right=[1, 2, 3]
        ),
        "",
        "按项目 By instrument",
        textable.render(
            header,
            [
                money_row(f"{rules.INSTRUMENT_LABELS[k][0]} {k}", s)
                for k, s in b["by_instrument"].items()
            ],
            right=[1, 2, 3],
        ),
        "",
        "按市(州) By prefecture",
        textable.render(
            header,
            [
                money_row(f"{p} {prefectures.label(p, 'en')}", s)
                for p, s in b["by_prefecture"].items()
            ],
            right=[1, 2, 3],
        ),
    ]
    if "appropriation" in b:
        out += [
            "",
            "预算安排 Appropriation",
            textable.render(
                ["年度 Year", "预算(万元) Budget", "超预算概率 P(over)"],
                [
                    [y, units.wan_number(a), f"{b['p_over_appropriation'][y]:.1%}"]
                    for y, a in b["appropriation"].items()
                ],
                right=[1, 2],
            ),
        ]
    return "\n".join(out) + "\n"


def csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()

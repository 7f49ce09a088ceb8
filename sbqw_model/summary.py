"""Summaries of a simulation run: target odds with Monte Carlo error, budget bands.

Numbers a leader reads (probabilities, medians, 90 % bands) and the tidy tables an analyst takes
to Excel come from here, and nowhere else.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model import prefectures, rules, textable, units
from sbqw_model.catalogue import group as catalogue_group
from sbqw_model.catalogue import label as catalogue_label
from sbqw_model.engine import TARGETS, Results, target_levels
from sbqw_model.recognition import KINDS

if TYPE_CHECKING:  # pandas is imported where tables are made: report kernels never need it
    import pandas as pd

QUANTILES = {"p5": 5, "p50": 50, "p90": 90, "p95": 95}

#: The one statistic reports, charts, the index and ``sbqw simulate``'s table show: the median
#: and the 90 % range from the 5th to the 95th percentile (its top end is the "high" outlay).
CENTRAL = "p50"
BAND = ("p5", "p95")
BAND_PERCENTILES = (QUANTILES[BAND[0]], QUANTILES[BAND[1]])

TARGET_LABELS: dict[str, tuple[str, str]] = catalogue_group("target")


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
    recognitions: dict[str, Any] = {}
    if results.new_units is not None and results.supply_bound is not None:
        recognitions = recognition_summary(results)
        for t, kinds in SUPPLY_KINDS.items():
            bound = np.logical_or.reduce([results.supply_bound[:, KIND_INDEX[k]] for k in kinds])
            targets[t]["p_supply_short"] = float(np.mean(~met[t] & bound))
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
        budget["appropriation_illustrative"] = sc.appropriation_illustrative
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
        "p_all_met_if_independent": math.prod(targets[t]["p_met"] for t in DISTINCT_TARGETS),
        **recognition_odds(met),
        "budget": budget,
        "recognitions": recognitions,
        "recognition_levers": sc.recognition.as_dict(),
        "conditioning": conditioning,
    }


#: The six targets that are not sums of others: the product of their odds is P(all met) as if
#: they were independent (what the common drivers change).
DISTINCT_TARGETS = ("parks", "bases", "enterprises", "teams", "products", "online_retail")

#: The targets the recognition rounds decide (products have their own list, §二.7).
RECOGNITION_TARGETS = ("parks", "bases", "enterprises", "teams", "enterprises_and_teams")


def recognition_odds(met: dict[str, np.ndarray]) -> dict[str, float]:
    """P(every recognition target met) with its standard error, and the lowest single odds:
    ``recognition_min_p_met ≥ 0.9`` reads "each recognition target with P ≥ 0.9"."""
    p, se = probability(np.logical_and.reduce([met[t] for t in RECOGNITION_TARGETS]))
    lowest = min(float(np.mean(met[t])) for t in RECOGNITION_TARGETS)
    return {"p_recognition_met": p, "p_recognition_met_se": se, "recognition_min_p_met": lowest}


#: Count targets → the kinds whose qualified supply they depend on.
SUPPLY_KINDS: dict[str, tuple[str, ...]] = {
    "parks": ("park",),
    "bases": ("base",),
    "enterprises": ("enterprise",),
    "teams": ("team",),
    "enterprises_and_teams": ("enterprise", "team"),
    "products": ("product",),
}
KIND_INDEX = {k: i for i, k in enumerate(KINDS)}


def recognition_summary(results: Results) -> dict[str, Any]:
    """New units per kind and plan year (mean and band), and P(supply limited some round)."""
    assert results.new_units is not None and results.supply_bound is not None
    out = {}
    for i, kind in enumerate(KINDS):
        out[kind] = {
            "by_year": {
                str(y): band(results.new_units[:, i, j]) for j, y in enumerate(results.years)
            },
            "p_supply_bound": float(np.mean(results.supply_bound[:, i])),
        }
    return out


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
            "label": catalogue_label("report.all_targets", lang),
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


def summary_tables(summary: dict[str, Any], lang: str = "zh") -> dict[str, pd.DataFrame]:
    return {
        "targets": target_table(summary, lang),
        "budget": budget_table(summary),
        "appropriation": appropriation_table(summary),
    }


def write_tables(summary: dict[str, Any], out_dir: Path, lang: str = "zh") -> list[Path]:
    """Tidy CSVs, the JSON summary and one .xlsx workbook, written atomically into ``out_dir``."""
    from sbqw_model.fileio import atomic_dir
    from sbqw_model.spreadsheet import write_csv
    from sbqw_model.workbook import scenario_sheets, write_workbook

    tables = summary_tables(summary, lang)
    with atomic_dir(out_dir) as tmp:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        (tmp / "summary.json").write_text(to_json(summary), encoding="utf-8")
        write_workbook(scenario_sheets(summary, lang), tmp / "summary.xlsx", lang)
        written = sorted(p.name for p in tmp.iterdir())
    return [out_dir / n for n in written]


def to_table(summary: dict[str, Any]) -> str:
    """Chinese-first text for a person: odds, then money in 亿元 / 万元."""
    out = _run_lines(summary) + _target_lines(summary)
    if summary.get("recognitions"):
        out += ["", "认定与畅销产品 Recognitions and listed products", _recognition_text(summary)]
    out += _budget_lines(summary["budget"])
    return "\n".join(out) + "\n"


def _run_lines(summary: dict[str, Any]) -> list[str]:
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
    return out


def _target_lines(summary: dict[str, Any]) -> list[str]:
    """The odds of each 2025 target (± its Monte Carlo error: this is the analyst's view)."""
    rows = []
    for t, s in summary["targets"].items():
        fmt = units.yi if t == "online_retail" else (lambda v: f"{v:,.0f}")
        rows.append(
            [
                f"{TARGET_LABELS[t][0]} {t}",
                fmt(s["target"]),
                f"{s['p_met']:.1%} ± {s['p_met_se']:.1%}",
                fmt(s[CENTRAL]),
                f"{fmt(s[BAND[0]])} – {fmt(s[BAND[1]])}",
            ]
        )
    rows.append(
        ["全部目标 all", "", f"{summary['p_all_met']:.1%} ± {summary['p_all_met_se']:.1%}", "", ""]
    )
    header = ["指标 Indicator", "目标 Target", "达成概率 Probability", "中位数 Median"]
    out = [
        "",
        "2025年目标 Targets in 2025",
        textable.render([*header, "90%区间 90% range"], rows, right=[1, 2, 3, 4]),
    ]
    if "p_all_met_if_independent" in summary:
        independent, joint = summary["p_all_met_if_independent"], summary["p_all_met"]
        out += [
            f"各目标若互不相关，全部达成的概率约为{independent:.1%}；模拟中它们随共同因素"
            f"（电商景气、增长）同涨同落，全部达成为{joint:.1%}。",
            f"Were the targets independent, all would be met with about {independent:.1%}; in the"
            f" simulated worlds they move together with common drivers (e-commerce climate,"
            f" growth), and all are met with {joint:.1%}.",
        ]
    return out


def _budget_lines(b: dict[str, Any]) -> list[str]:
    """Outlay by payment year, instrument and prefecture, in 万元 (upper bounds at ceilings)."""

    def money_row(label: str, s: dict[str, float]) -> list[str]:
        return [
            label,
            units.wan_number(s[CENTRAL]),
            units.wan_number(s["mean"]),
            f"{units.wan_number(s[BAND[0]])} – {units.wan_number(s[BAND[1]])}",
        ]

    def table(rows: list[list[str]]) -> str:
        header = ["项目 Item", "中位数(万元) Median", "均值(万元) Mean", "90%区间(万元) 90% range"]
        return textable.render(header, rows, right=[1, 2, 3])

    instruments = [
        money_row(f"{rules.INSTRUMENT_LABELS[k][0]} {k}", s) for k, s in b["by_instrument"].items()
    ]
    prefs = [
        money_row(f"{p} {prefectures.label(p, 'en')}", s) for p, s in b["by_prefecture"].items()
    ]
    out = [
        "",
        f"财政支出 Outlay: 中位数 median {units.yi(b['total'][CENTRAL])},"
        f" 第95百分位 p95 {units.yi(b['total'][BAND[1]])}",
        "",
        "按支付年度 By payment year",
        table([money_row(y, s) for y, s in b["by_year"].items()]),
        "",
        "按项目 By instrument",
        table(instruments),
        "",
        "按市(州) By prefecture",
        table(prefs),
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
    return out


KIND_LABELS = {
    "park": "园区 park",
    "base": "直播基地 base",
    "enterprise": "企业 enterprise",
    "team": "团队 team",
    "product": "畅销产品 product",
}


def _recognition_text(summary: dict[str, Any]) -> str:
    """New units per year (median, 90 % band) and the odds that qualified supply ran short."""
    recs = summary["recognitions"]
    years = list(next(iter(recs.values()))["by_year"])
    rows = []
    for kind, r in recs.items():
        target = {v: k for k, v in SUPPLY_KINDS.items() if len(v) == 1}[(kind,)]
        cells = [f"{b['p50']:,.0f} ({b['p5']:,.0f}–{b['p95']:,.0f})" for b in r["by_year"].values()]
        short = summary["targets"][target].get("p_supply_short", 0.0)
        rule = summary.get("recognition_levers", {}).get(kind, "")
        rows.append([KIND_LABELS[kind], rule, *cells, f"{short:.1%}"])
    header = [
        "类别 Kind",
        "规则 Rule",
        *(f"{y} 新增 new" for y in years),
        "供给不足未达标 P(supply short)",
    ]
    return textable.render(header, rows, right=list(range(2, len(header))))


def csv_text(frame: pd.DataFrame) -> str:
    from sbqw_model import spreadsheet

    return spreadsheet.csv_text(frame)

"""Summaries of a simulation run: target odds with Monte Carlo error, budget bands.

Numbers a leader reads (probabilities, medians, 90 % bands) and the tidy tables an analyst takes
to Excel come from here, and nowhere else. The summary itself is a typed record
(``summary_types.Summary``: ``summary.budget.total.p90``) with one JSON form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model import prefectures, rules, textable, units
from sbqw_model.catalogue import both
from sbqw_model.catalogue import group as catalogue_group
from sbqw_model.catalogue import label as catalogue_label
from sbqw_model.engine import TARGETS, Results, target_levels
from sbqw_model.errors import one_line
from sbqw_model.instruments import REGISTRY
from sbqw_model.labels import fewer_effective, outlay_kind, percent, with_error
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.recognition import KINDS
from sbqw_model.summary_types import BAND as BAND
from sbqw_model.summary_types import CENTRAL as CENTRAL
from sbqw_model.summary_types import (
    Band,
    Budget,
    KindRecognitions,
    Summary,
    TargetOdds,
    Targets,
)
from sbqw_model.summary_types import UnknownPath as UnknownPath

if TYPE_CHECKING:  # pandas is imported where tables are made: report kernels never need it
    import pandas as pd

QUANTILES = {"p5": 5, "p50": 50, "p90": 90, "p95": 95}

#: The percentiles of the one band reports show (``CENTRAL`` and ``BAND`` in summary_types).
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


def summarize(results: Results) -> Summary:
    """The summary documented for ``sbqw simulate --format json`` (``Summary.to_json``)."""
    sc = results.scenario
    levels = target_levels(sc.params)
    met = results.met()
    conditioning = results.conditioning or {"method": "none", "effective_draws": results.draws}
    ess = effective_draws(results)
    short: dict[str, float] = {}
    recognitions: dict[str, KindRecognitions] = {}
    if results.new_units is not None and results.supply_bound is not None:
        recognitions = recognition_summary(results)
        for t, kinds in SUPPLY_KINDS.items():
            bound = np.logical_or.reduce([results.supply_bound[:, KIND_INDEX[k]] for k in kinds])
            short[t] = float(np.mean(~met[t] & bound))
    odds = {}
    for t in TARGETS:
        p, se = probability(met[t], ess)
        stats = band(results.targets[t])
        odds[t] = TargetOdds(levels[t], p, se, **stats, p_supply_short=short.get(t))
    targets = Targets(**odds)
    p_all, p_all_se = probability(np.logical_and.reduce([met[t] for t in TARGETS]), ess)
    return Summary(
        scenario=sc.name,
        title_zh=sc.title_zh,
        title_en=sc.title_en,
        draws=results.draws,
        seed=results.seed,
        assumptions=sc.assumptions.as_dict(),
        parameter_overrides=sc.parameter_overrides,
        targets=targets,
        p_all_met=p_all,
        p_all_met_se=p_all_se,
        p_all_met_if_independent=math.prod(targets[t].p_met for t in DISTINCT_TARGETS),
        **recognition_odds(met, ess),
        budget=budget_summary(results),
        recognitions=recognitions,
        recognition_levers=sc.recognition.as_dict(),
        conditioning=conditioning,
    )


def params_in_force(summary: Summary) -> Parameters:
    """The rule amounts the run applied: the plan's, reformed by the summary's
    ``parameter_overrides`` (every summary records them, empty for none). What names an
    instrument from a summary alone (a workbook, ``sbqw simulate``'s table) reads its tier here,
    so a reformed threshold is said as the run applied it."""
    plan = default_parameters()
    if not summary.parameter_overrides:
        return plan
    return plan.with_overrides(summary.parameter_overrides, "summary: parameter_overrides.")


def coerce(summary: Summary | Mapping[str, Any]) -> Summary:
    """``Summary.coerce``, with prefectures and instruments in the model's order again: a JSON
    writer that sorts keys (nbformat's, for a report's payload) leaves them by code point,
    and every table made from the summary would list them so. (The records stand alone, so the
    order the model knows is restored here.)"""
    from dataclasses import replace

    typed = Summary.coerce(summary)
    b = typed.budget
    budget = replace(
        b,
        by_instrument=_in_order(b.by_instrument, rules.INSTRUMENTS),
        by_prefecture=_in_order(b.by_prefecture, prefectures.NAMES_ZH),
    )
    return replace(typed, budget=budget)


def _in_order(items: dict[str, Band], order: Sequence[str]) -> dict[str, Band]:
    """``items`` with the keys of ``order`` first, in that order; any other key after."""
    return {**{k: items[k] for k in order if k in items}, **items}


def budget_summary(results: Results) -> Budget:
    """Outlay bands by payment year, instrument and prefecture; odds of exceeding the
    appropriation in each year the scenario gives one."""
    sc, o = results.scenario, results.outlay
    appropriation = {}
    if sc.appropriation:
        appropriation = {
            "appropriation": {str(y): v for y, v in sorted(sc.appropriation.items())},
            "appropriation_illustrative": sc.appropriation_illustrative,
            "p_over_appropriation": {
                str(y): float(np.mean(_paid_in(results, y) > amount))
                for y, amount in sorted(sc.appropriation.items())
            },
        }
    return Budget(
        total=Band(**band(o.total)),
        by_year=_bands(o.by_year, [str(y) for y in results.payment_years]),
        by_instrument=_bands(o.by_instrument, rules.INSTRUMENTS),
        by_prefecture=_bands(o.by_prefecture, prefectures.NAMES_ZH),
        **appropriation,
    )


def _bands(columns: np.ndarray, keys: Sequence[str]) -> dict[str, Band]:
    """One band per column (draws × keys), keyed in column order."""
    return {k: Band(**band(columns[:, i])) for i, k in enumerate(keys)}


#: The six targets that are not sums of others: the product of their odds is P(all met) as if
#: they were independent (what the common drivers change).
DISTINCT_TARGETS = ("parks", "bases", "enterprises", "teams", "products", "online_retail")

#: The targets the recognition rounds decide (products have their own list, §二.7).
RECOGNITION_TARGETS = ("parks", "bases", "enterprises", "teams", "enterprises_and_teams")


def effective_draws(results: Results) -> float:
    """How many independent worlds the run's probabilities rest on: the draws, or after
    conditioning by weighting the effective draws (resampled worlds repeat)."""
    conditioning = results.conditioning or {}
    return float(conditioning.get("effective_draws", results.draws))


def recognition_odds(
    met: dict[str, np.ndarray], effective: float | None = None
) -> dict[str, float]:
    """P(every recognition target met) with its standard error (over ``effective`` draws, as
    ``probability``), and the lowest single odds: ``recognition_min_p_met ≥ 0.9`` reads "each
    recognition target with P ≥ 0.9"."""
    p, se = probability(np.logical_and.reduce([met[t] for t in RECOGNITION_TARGETS]), effective)
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


def recognition_summary(results: Results) -> dict[str, KindRecognitions]:
    """New units per kind and plan year (mean and band), and P(supply limited some round)."""
    assert results.new_units is not None and results.supply_bound is not None
    out = {}
    for i, kind in enumerate(KINDS):
        out[kind] = KindRecognitions(
            by_year={
                str(y): Band(**band(results.new_units[:, i, j]))
                for j, y in enumerate(results.years)
            },
            p_supply_bound=float(np.mean(results.supply_bound[:, i])),
        )
    return out


def _paid_in(results: Results, year: int) -> np.ndarray:
    years = results.payment_years
    if year in years:
        return results.outlay.by_year[:, years.index(year)]
    return np.zeros(results.draws)


def to_json(summary: Summary) -> str:
    """The one JSON form of a summary (``Summary.to_json``)."""
    return summary.to_json()


def from_json(text: str | bytes) -> Summary:
    """A summary read back from its JSON form (``summary.json``, a report's payload)."""
    return Summary.from_json(text)


def target_table(summary: Summary, lang: str = "zh") -> pd.DataFrame:
    import pandas as pd

    rows = []
    for t, s in summary.targets.items():
        rows.append(
            {
                "indicator": t,
                "label": TARGET_LABELS[t][0 if lang == "zh" else 1],
                "target": s.target,
                "p_met": s.p_met,
                "p_met_se": s.p_met_se,
                **{k: getattr(s, k) for k in ("mean", "p5", "p50", "p95")},
            }
        )
    rows.append(
        {
            "indicator": "all",
            "label": catalogue_label("report.all_targets", lang),
            "target": math.nan,
            "p_met": summary.p_all_met,
            "p_met_se": summary.p_all_met_se,
        }
    )
    return pd.DataFrame(rows)


def budget_table(summary: Summary) -> pd.DataFrame:
    """Tidy: one row per (dimension, key) with mean and percentiles, in yuan."""
    import pandas as pd

    b = summary.budget
    rows = [{"dimension": "total", "key": "total", **b.total.to_dict()}]
    for dim, bands in (
        ("by_year", b.by_year),
        ("by_instrument", b.by_instrument),
        ("by_prefecture", b.by_prefecture),
    ):
        rows += [{"dimension": dim, "key": k, **v.to_dict()} for k, v in bands.items()]
    return pd.DataFrame(rows)


def appropriation_table(summary: Summary) -> pd.DataFrame:
    import pandas as pd

    b = summary.budget
    if b.appropriation is None or b.p_over_appropriation is None:
        return pd.DataFrame(columns=["payment_year", "appropriation_yuan", "p_over_appropriation"])
    return pd.DataFrame(
        [
            {
                "payment_year": y,
                "appropriation_yuan": a,
                "p_over_appropriation": b.p_over_appropriation[y],
            }
            for y, a in b.appropriation.items()
        ]
    )


def summary_tables(summary: Summary, lang: str = "zh") -> dict[str, pd.DataFrame]:
    return {
        "targets": target_table(summary, lang),
        "budget": budget_table(summary),
        "appropriation": appropriation_table(summary),
    }


def write_tables(summary: Summary, out_dir: Path, lang: str = "zh") -> list[Path]:
    """Tidy CSVs, the JSON summary and one .xlsx workbook, written atomically into ``out_dir``."""
    from sbqw_model.fileio import atomic_dir
    from sbqw_model.spreadsheet import write_csv
    from sbqw_model.workbook import scenario_sheets, write_workbook

    tables = summary_tables(summary, lang)
    with atomic_dir(out_dir) as tmp:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        (tmp / "summary.json").write_text(summary.to_json(), encoding="utf-8")
        write_workbook(scenario_sheets(summary, lang), tmp / "summary.xlsx", lang)
        written = sorted(p.name for p in tmp.iterdir())
    return [out_dir / n for n in written]


def to_table(summary: Summary) -> str:
    """Chinese-first text for a person: odds, then money in 亿元 / 万元."""
    out = _run_lines(summary) + _target_lines(summary)
    if summary.recognitions:
        out += ["", both("cli.recognitions"), _recognition_text(summary)]
    payout_share = float(summary.assumptions.get("payout_share", 1.0))
    out += _budget_lines(summary.budget, payout_share, params_in_force(summary))
    return "\n".join(out) + "\n"


def _run_lines(summary: Summary) -> list[str]:
    out = [
        f"{both('report.scenario')}: "  # titles from the file: one line, whatever they hold
        + one_line(f"{summary.title_zh} / {summary.title_en} ({summary.scenario})"),
        f"{both('report.draws')}: {summary.draws:,}{_effective(summary)}"
        f"  {both('report.seed')}: {summary.seed}",
        f"{both('cli.assumptions')}: "
        + ", ".join(f"{k}={v}" for k, v in summary.assumptions.items()),
    ]
    if summary.parameter_overrides:
        out.append(
            f"{both('cli.reform')}: "
            + ", ".join(f"{k}={v:g}" for k, v in summary.parameter_overrides.items())
        )
    return out


def _effective(summary: Summary) -> str:
    """How many worlds the odds rest on, after 'Draws: 5,000', when weighting by observed
    figures left fewer: the ± below are those of the effective draws, not of 5,000."""
    n = fewer_effective(summary.draws, summary.effective_draws)
    return "" if n is None else f"  {both('cli.effective_draws')}: {n:,}"


def _target_lines(summary: Summary) -> list[str]:
    """The odds of each 2025 target (± its Monte Carlo error: this is the analyst's view)."""
    rows = []
    for t, s in summary.targets.items():
        fmt = units.yi if t == "online_retail" else (lambda v: f"{v:,.0f}")
        rows.append(
            [
                f"{TARGET_LABELS[t][0]} {t}",
                fmt(s.target),
                with_error(s.p_met, s.p_met_se),
                fmt(s.central),
                f"{fmt(s.low)} – {fmt(s.high)}",
            ]
        )
    rows.append(
        [
            both("cli.all_targets"),
            "",
            with_error(summary.p_all_met, summary.p_all_met_se),
            "",
            "",
        ]
    )
    keys = ("indicator", "target", "p_met", "median", "band_90")
    header = [both(f"report.{k}") for k in keys]
    out = ["", both("cli.targets_2025"), textable.render(header, rows, right=[1, 2, 3, 4])]
    if summary.p_all_met_if_independent is not None:
        independent, joint = summary.p_all_met_if_independent, summary.p_all_met
        out += [
            catalogue_label("cli.independence", lang).format(
                independent=f"{independent:.1%}", joint=f"{joint:.1%}"
            )
            for lang in ("zh", "en")
        ]
    return out


def _budget_lines(b: Budget, payout_share: float, params: Parameters) -> list[str]:
    """Outlay by payment year, instrument and prefecture, in 万元, said to be what it is (上限
    at the ceilings, else the share paid); an illustrative appropriation is called so."""

    def money_row(label: str, s: Band) -> list[str]:
        return [
            label,
            units.wan_number(s.central),
            units.wan_number(s.mean),
            f"{units.wan_number(s.low)} – {units.wan_number(s.high)}",
        ]

    def table(rows: list[list[str]]) -> str:
        header = [
            both(k) for k in ("workbook.item", "cli.median_wan", "cli.mean_wan", "cli.band_wan")
        ]
        return textable.render(header, rows, right=[1, 2, 3])

    instruments = [
        money_row(f"{REGISTRY.get(k).label('zh', params)} {k}", s)
        for k, s in b.by_instrument.items()
    ]
    prefs = [money_row(f"{p} {prefectures.label(p, 'en')}", s) for p, s in b.by_prefecture.items()]
    out = [
        "",
        f"{both('report.budget')} ({outlay_kind(payout_share, 'zh')}"
        f" {outlay_kind(payout_share, 'en')}):"
        f" {both('report.median', lower=True)} {units.yi(b.total.central)},"
        f" {both('cli.p95')} {units.yi(b.total.high)}",
        "",
        both("report.by_year"),
        table([money_row(y, s) for y, s in b.by_year.items()]),
        "",
        both("report.by_instrument"),
        table(instruments),
        "",
        both("report.by_prefecture"),
        table(prefs),
    ]
    if b.appropriation is not None and b.p_over_appropriation is not None:
        over = b.p_over_appropriation
        out += [
            "",
            both(
                "report.illustrative_appropriation"
                if b.appropriation_illustrative
                else "report.appropriation"
            ),
            textable.render(
                [both("report.year"), both("cli.budget_wan"), both("cli.p_over")],
                [
                    [y, units.wan_number(a), percent(over[y], decimals=1)]
                    for y, a in b.appropriation.items()
                ],
                right=[1, 2],
            ),
        ]
    return out


def _kind_label(kind: str) -> str:
    """A recognized category as a row name: its Chinese name and its key ('园区 park')."""
    return f"{catalogue_label(f'category.{kind}')} {kind}"


def _recognition_text(summary: Summary) -> str:
    """New units per year (median, 90 % band) and the odds that qualified supply ran short."""
    recs = summary.recognitions
    years = list(next(iter(recs.values())).by_year)
    rows = []
    for kind, r in recs.items():
        target = {v: k for k, v in SUPPLY_KINDS.items() if len(v) == 1}[(kind,)]
        cells = [f"{b.p50:,.0f} ({b.p5:,.0f}–{b.p95:,.0f})" for b in r.by_year.values()]
        short = summary.targets[target].p_supply_short or 0.0
        rule = summary.recognition_levers.get(kind, "")
        rows.append([_kind_label(kind), rule, *cells, f"{short:.1%}"])
    header = [
        both("report.kind"),
        both("cli.rule"),
        *(f"{y} {both('cli.new')}" for y in years),
        both("cli.p_supply_short"),
    ]
    return textable.render(header, rows, right=list(range(2, len(header))))


def csv_text(frame: pd.DataFrame) -> str:
    from sbqw_model import spreadsheet

    return spreadsheet.csv_text(frame)

"""Plain-text output of the research commands: Chinese first, money in 万元 / 亿元, rates in %."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from sbqw_model import textable, units
from sbqw_model.catalogue import both, pair
from sbqw_model.labels import indicator_label, percent
from sbqw_model.research.backtest import Backtest, Check
from sbqw_model.research.discovery import Box, Discovery
from sbqw_model.research.frontier import COST, Frontier
from sbqw_model.research.sensitivity import SensitivityResult
from sbqw_model.research.wording import factor_label, fmt_value, is_money, output_label, t
from sbqw_model.summary import TARGET_LABELS


def to_json(data: Any) -> str:
    """JSON with NaN as null (strict JSON readers reject NaN) and numpy scalars as numbers."""
    return json.dumps(_clean(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _pm(value: float, conf: float, digits: int = 2) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:.{digits}f} ± {conf:.{digits}f}"


def _factor(path: str) -> str:
    return f"{factor_label(path, 'zh')} {path}"


# --------------------------------------------------------------------------------------------


def sensitivity(result: SensitivityResult) -> str:
    name = "Sobol'" if result.method == "sobol" else "Morris"
    lines = [
        f"{both('text.sensitivity')}: {result.scenario} — {name},"
        f" {'N' if result.method == 'sobol' else 'trajectories'} = {result.n},"
        f" {len(result.sample):,} {both('research.evaluations')} × {result.draws:,} draws,"
        f" seed {result.seed}",
        "",
        both("text.factors_uniform"),
        textable.render(
            [both("research.factor"), both("research.range")],
            [
                [_factor(f.name), f"{fmt_value(f.name, f.low)} – {fmt_value(f.name, f.high)}"]
                for f in result.problem.factors
            ],
        ),
    ]
    frame = result.indices
    for output in result.outputs:
        part = frame[frame.output == output].sort_values(result.main, ascending=False)
        lines += ["", f"{output_label(output, 'zh')} / {output_label(output, 'en')} ({output})"]
        if part[result.main].isna().all():
            lines.append(f"  {both('text.no_variation')}")
            continue
        if result.method == "sobol":
            header = [both("research.factor"), both("text.s1"), both("text.st")]
            rows = [
                [_factor(r.factor), _pm(r.S1, r.S1_conf), _pm(r.ST, r.ST_conf)]
                for r in part.itertuples()
            ]
        else:
            scale = units.WAN if is_money(output) else 1.0
            digits = 0 if scale != 1.0 else 3
            header = [both("research.factor"), *(_in_wan(sym, scale) for sym in ("μ*", "σ"))]
            rows = [
                [
                    _factor(r.factor),
                    _pm(r.mu_star / scale, r.mu_star_conf / scale, digits),
                    f"{r.sigma / scale:.{digits}f}",
                ]
                for r in part.itertuples()
            ]
        lines.append(textable.render(header, rows, right=[1, 2]))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


def _in_wan(symbol: str, scale: float) -> str:
    return t("in_wan_yuan", "zh").format(what=symbol) if scale != 1.0 else symbol


def _outcome(found: Discovery) -> str:
    if found.outcome == "all":
        return both("report.all_targets")
    return f"{TARGET_LABELS[found.outcome][0]} {found.outcome}"


def _limits(box: Box) -> str:
    parts = []
    for name, (low, high) in box.limits.items():
        lo = f"{fmt_value(name, low)} < " if low is not None else ""
        hi = f" ≤ {fmt_value(name, high)}" if high is not None else ""
        parts.append(f"{lo}{factor_label(name, 'zh')}{hi}")
    return t("semicolon", "zh").join(parts)


def discovery(found: list[Discovery], source: str, seed: int | None) -> str:
    unit = found[0].unit if found else "world"
    how = both(f"text.per_{unit}")
    lines = [
        f"{both('text.discovery')}: {source} — {how}"
        + (f", seed {seed}" if seed is not None else "")
    ]
    for d in found:
        lines += [
            "",
            f"{_outcome(d)}: {both('research.missed')} {d.misses:,} / {d.runs:,}"
            f" ({d.miss_rate:.0%})",
        ]
        box_zh, box_en = pair("research.box")
        for kind, boxes in (("missed", d.boxes), ("met", d.met_boxes)):
            for i, box in enumerate(boxes, 1):
                lines.append(
                    f"  {t(kind, 'zh')}{box_zh} {i} {box_en.lower()}:"
                    f" {both('research.density', True)} {box.density:.0%},"
                    f" {both('research.coverage', True)} {box.coverage:.0%},"
                    f" {both('text.mass')} {box.mass:.0%} — {_limits(box)}"
                )
        lines += [f"  {s}" for s in d.sentences("zh")]
        lines += [f"  {s}" for s in d.sentences("en")]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


def _setting(f: Frontier, row: pd.Series) -> str:
    return ", ".join(f"{k.split('.', 1)[1]}={fmt_value(k, row[k])}" for k in f.levers)


def _p(f: Frontier, row: pd.Series) -> str:
    se = f"{f.probability}_se"
    p = row[f.probability]
    return f"{p:.1%} ± {row[se]:.1%}" if se in row else f"{p:.1%}"


def frontier(frontiers: list[Frontier], source: str) -> str:
    first = frontiers[0]
    count = sum(len(f.settings) for f in frontiers)
    lines = [
        f"{both('text.frontier')}: {source} — {first.probability} {both('text.against')}"
        f" {first.cost}, {count} {both('text.settings')}, {both('text.required')}"
        f" P ≥ {percent(first.min_probability)}"
    ]
    for f in frontiers:
        lines.append("")
        if f.group:
            lines.append(
                "[" + ", ".join(f"{k} = {fmt_value(k, v)}" for k, v in f.group.items()) + "]"
            )
        header = [
            both("text.point"),
            *(f"{factor_label(k, 'zh')} {k.split('.', 1)[1]}" for k in f.levers),
            both("text.budget_p95") if f.cost == COST else f"{f.cost} ({both('report.wan_yuan')})",
            both("text.p_se"),
        ]
        rows = [
            [
                int(r["point"]),
                *(fmt_value(k, r[k]) for k in f.levers),
                units.wan_number(r[f.cost], 0),
                _p(f, r),
            ]
            for _, r in f.frontier.iterrows()
        ]
        lines += [
            both("research.frontier"),
            textable.render(header, rows, right=[len(header) - 2, len(header) - 1]),
        ]
        best = f.cheapest
        if best is None:
            top = f.best
            lines.append(
                f"{both('text.none_reaches')} P ≥ {percent(f.min_probability)};"
                f" {both('text.best')}: point"
                f" {int(top['point'])} ({_setting(f, top)}) P = {_p(f, top)}"
                f" at {units.auto(top[f.cost])}"
            )
        else:
            lines.append(
                f"{both('text.cheapest')} P ≥ {percent(f.min_probability)}:"
                f" point {int(best['point'])} ({_setting(f, best)}):"
                f" {both('text.budget')} {units.auto(best[f.cost])},"
                f" P = {_p(f, best)}"
            )
            if f.near_threshold():
                zh, en = pair("research.within_error")
                lines.append(f"  {both('research.warn')}: {zh} / {en}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


def _figure(indicator: str, value: float) -> str:
    return units.yi(value) if indicator == "online_retail" else f"{value:,.0f}"


def _interval(check: Check, low: int, high: int, inside: bool) -> str:
    name, q = check.observation.indicator, check.quantiles
    return f"{_figure(name, q[low])} – {_figure(name, q[high])} {'✓' if inside else '✗'}"


def backtest(result: Backtest) -> str:
    lines = [
        f"{both('text.backtest')}: {result.scenario} — {result.draws:,} draws, seed {result.seed},"
        f" mode {result.mode} ({both(f'text.mode.{result.mode}')})",
        "",
    ]
    rows = []
    for c in result.checks:
        o = c.observation

        rows.append(
            [
                o.year,
                f"{indicator_label(o.indicator, 'zh')} {o.indicator}",
                _figure(o.indicator, o.value),
                f"{c.percentile:.1f}",
                _interval(c, 25, 75, c.in50),
                _interval(c, 5, 95, c.in90),
                o.source,
            ]
        )
    lines.append(
        textable.render(
            [
                both("report.year"),
                both("report.indicator"),
                *(
                    both(f"text.{k}")
                    for k in ("observed", "percentile", "band50", "band90", "source")
                ),
            ],
            rows,
            right=[2, 3],
        )
    )
    n = len(result.checks)
    in50 = sum(c.in50 for c in result.checks)
    in90 = sum(c.in90 for c in result.checks)
    lines += [
        "",
        f"{both('research.coverage')}: {both('text.band50')} {in50} / {n} ({in50 / n:.0%},"
        f" {both('text.nominal')} 50%); {both('text.band90')} {in90} / {n} ({in90 / n:.0%},"
        f" {both('text.nominal')} 90%)",
    ]
    if n < 10:
        zh, en = pair("text.few_figures")
        lines.append(f"  {both('research.warn')}: {zh.format(n=n)} {en.format(n=n)}")
    return "\n".join(lines) + "\n"

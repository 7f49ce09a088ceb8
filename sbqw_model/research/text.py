"""Plain-text output of the research commands: Chinese first, money in 万元 / 亿元, rates in %."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from sbqw_model import textable, units
from sbqw_model.research.backtest import Backtest, Check
from sbqw_model.research.discovery import Box, Discovery
from sbqw_model.research.frontier import Frontier
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
        f"敏感性分析 Sensitivity: {result.scenario} — {name},"
        f" {'N' if result.method == 'sobol' else 'trajectories'} = {result.n},"
        f" {len(result.sample):,} 次评估 evaluations × {result.draws:,} draws, seed {result.seed}",
        "",
        "因素(在范围内均匀取值) Factors (uniform over the range)",
        textable.render(
            ["因素 Factor", "范围 Range"],
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
            lines.append("  不随因素变化 does not vary across the sample")
            continue
        if result.method == "sobol":
            header = ["因素 Factor", "一阶 S1", "总 ST"]
            rows = [
                [_factor(r.factor), _pm(r.S1, r.S1_conf), _pm(r.ST, r.ST_conf)]
                for r in part.itertuples()
            ]
        else:
            scale, unit = (units.WAN, "(万元)") if is_money(output) else (1.0, "")
            digits = 0 if scale != 1.0 else 3
            header = ["因素 Factor", f"μ*{unit}", f"σ{unit}"]
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


def _outcome(found: Discovery) -> str:
    if found.outcome == "all":
        return "全部目标同时达成 all targets"
    return f"{TARGET_LABELS[found.outcome][0]} {found.outcome}"


def _limits(box: Box) -> str:
    parts = []
    for name, (low, high) in box.limits.items():
        lo = f"{fmt_value(name, low)} < " if low is not None else ""
        hi = f" ≤ {fmt_value(name, high)}" if high is not None else ""
        parts.append(f"{lo}{factor_label(name, 'zh')}{hi}")
    return ";".join(parts)


def discovery(found: list[Discovery], source: str, seed: int | None) -> str:
    unit = found[0].unit if found else "world"
    how = (
        "按模拟 per world (each world draws every uncertainty)"
        if unit == "world"
        else "按取值点 per point (missed = P(met) < 50%)"
    )
    lines = [
        f"情景发现 Scenario discovery: {source} — {how}"
        + (f", seed {seed}" if seed is not None else "")
    ]
    for d in found:
        lines += [
            "",
            f"{_outcome(d)}: 未达成 missed {d.misses:,} / {d.runs:,} ({d.miss_rate:.0%})",
        ]
        for kind, boxes in (("未达成", d.boxes), ("达成", d.met_boxes)):
            for i, box in enumerate(boxes, 1):
                lines.append(
                    f"  {kind}盒子 {i} box: 密度 density {box.density:.0%},"
                    f" 覆盖率 coverage {box.coverage:.0%}, 占比 mass {box.mass:.0%}"
                    f" — {_limits(box)}"
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
        f"政策前沿 Policy frontier: {source} — {first.probability} 对 against {first.cost},"
        f" {count} 个方案 settings, 要求 required P ≥ {first.min_probability:.0%}"
    ]
    for f in frontiers:
        lines.append("")
        if f.group:
            lines.append(
                "[" + ", ".join(f"{k} = {fmt_value(k, v)}" for k, v in f.group.items()) + "]"
            )
        header = [
            "点 Point",
            *(f"{factor_label(k, 'zh')} {k.split('.', 1)[1]}" for k in f.levers),
            "预算 Budget p90(万元)",
            "概率 P ± se",
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
            "前沿 Frontier",
            textable.render(header, rows, right=[len(header) - 2, len(header) - 1]),
        ]
        best = f.cheapest
        if best is None:
            top = f.best
            lines.append(
                f"没有方案达到 No setting reaches P ≥ {f.min_probability:.0%}; 最高 best: point"
                f" {int(top['point'])} ({_setting(f, top)}) P = {_p(f, top)}"
                f" at {units.auto(top[f.cost])}"
            )
        else:
            lines.append(
                f"最低预算方案 Cheapest reaching P ≥ {f.min_probability:.0%}:"
                f" point {int(best['point'])}"
                f" ({_setting(f, best)}): 预算 budget {units.auto(best[f.cost])},"
                f" P = {_p(f, best)}"
            )
            if f.near_threshold():
                lines.append(f"  提示 Note: {t('within_error', 'zh')} / {t('within_error', 'en')}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------

_INDICATOR_ZH = {
    "online_retail": "网络零售额",
    "products": "网络畅销产品",
    "recognized.park": "新认定园区",
    "recognized.base": "新认定直播基地",
    "recognized.enterprise": "新认定企业",
    "recognized.team": "新认定团队",
}


def _figure(indicator: str, value: float) -> str:
    return units.yi(value) if indicator == "online_retail" else f"{value:,.0f}"


def _interval(check: Check, low: int, high: int, inside: bool) -> str:
    name, q = check.observation.indicator, check.quantiles
    return f"{_figure(name, q[low])} – {_figure(name, q[high])} {'✓' if inside else '✗'}"


def backtest(result: Backtest) -> str:
    lines = [
        f"回测 Backtest: {result.scenario} — {result.draws:,} draws, seed {result.seed},"
        f" mode {result.mode}"
        + (
            " (每年用此前各年的观测 each year forecast from earlier years' figures)"
            if result.mode == "sequential"
            else " (不用任何观测 before any figure was known)"
        ),
        "",
    ]
    rows = []
    for c in result.checks:
        o = c.observation

        rows.append(
            [
                o.year,
                f"{_INDICATOR_ZH[o.indicator]} {o.indicator}",
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
                "年份 Year",
                "指标 Indicator",
                "观测值 Observed",
                "百分位 Percentile",
                "50%区间 interval",
                "90%区间 interval",
                "来源 Source",
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
        f"覆盖率 Coverage: 50%区间 interval {in50} / {n} ({in50 / n:.0%}, 名义 nominal 50%);"
        f" 90%区间 interval {in90} / {n} ({in90 / n:.0%}, 名义 nominal 90%)",
    ]
    if n < 10:
        lines.append(
            f"  提示 Note: 仅{n}个观测,覆盖率只是参考 only {n} figures: coverage is indicative"
        )
    return "\n".join(lines) + "\n"

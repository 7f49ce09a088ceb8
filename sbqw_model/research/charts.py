"""Research charts: sensitivity bars, a discovery box, the policy frontier (matplotlib Figures).

Drawn with the shipped CJK font like the report charts (``reporting.charts``), so a notebook only
displays what these return.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from sbqw_model import units
from sbqw_model.reporting import charts as base
from sbqw_model.reporting.chart_text import Grouped, plain
from sbqw_model.reporting.fonts import register_fonts
from sbqw_model.research.discovery import Discovery
from sbqw_model.research.frontier import COST, Frontier
from sbqw_model.research.sensitivity import SensitivityResult
from sbqw_model.research.wording import (
    cost_label,
    factor_label,
    fmt_setting,
    fmt_value,
    is_money,
    output_label,
    t,
)

COLORS = base.COLORS
MAX_POINTS = 3000  # scatter points shown (a random subset beyond that)


def _figure(size: tuple[float, float]) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    register_fonts()
    return plt.subplots(figsize=size, dpi=110, layout="constrained")


def sensitivity_bars(result: SensitivityResult, lang: str = "zh", top: int = 8) -> Figure:
    """One panel per output: the factors' indices (S1 and ST, or μ*) with 95 % whiskers."""
    import matplotlib.pyplot as plt

    register_fonts()
    outputs = list(result.outputs)
    cols = min(2, len(outputs))
    rows = -(-len(outputs) // cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(5.2 * cols, 0.35 * top * rows + 1.2 * rows),
        dpi=110,
        layout="constrained",
        squeeze=False,
    )
    frame = result.indices
    for ax, output in zip(axes.flat, outputs, strict=False):
        part = frame[frame.output == output].sort_values(result.main, ascending=False).head(top)
        ax.set_title(plain(output_label(output, lang)), fontsize=10)
        if part[result.main].isna().all():
            ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        pos = np.arange(len(part))[::-1]
        labels = [plain(factor_label(f, lang)) for f in part.factor]
        scale = units.WAN if result.method == "morris" and is_money(output) else 1.0
        if result.method == "sobol":
            h = 0.38
            ax.barh(
                pos + h / 2,
                part.ST,
                h,
                xerr=part.ST_conf,
                color=COLORS[0],
                capsize=2,
                label=t("total_order", lang),
            )
            ax.barh(
                pos - h / 2,
                part.S1,
                h,
                xerr=part.S1_conf,
                color=COLORS[2],
                capsize=2,
                label=t("first_order", lang),
            )
            ax.set_xlim(left=min(0.0, float(np.nanmin(part.S1 - part.S1_conf))))
        else:
            ax.barh(
                pos,
                part.mu_star / scale,
                xerr=part.mu_star_conf / scale,
                color=COLORS[0],
                capsize=2,
                label=t("mu_star", lang),
            )
            if scale != 1.0:  # 万元 as the table beside it: 4,000, not 4000
                ax.set_xlabel(t("in_wan_yuan", lang).format(what=t("mu_star", lang)))
                ax.xaxis.set_major_formatter(Grouped())
        ax.set_yticks(pos, labels, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_axis_off()
    axes.flat[0].legend(frameon=False, fontsize=8, loc="lower right")
    return fig


def discovery_chart(found: Discovery, lang: str = "zh") -> Figure:
    """The two drivers of the first box: runs that miss against runs that meet, and the box."""
    fig, ax = _figure((7.0, 4.6))
    x = found.x
    if x is None or found.missed is None or not found.boxes:
        ax.text(
            0.5,
            0.5,
            plain(found.sentences(lang)[0]),
            ha="center",
            va="center",
            wrap=True,
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return fig
    box = found.boxes[0]
    names = list(box.limits)
    if len(names) == 1:  # add the driver that varies most with misses, for a second axis
        rest = [c for c in x.columns if c not in names]
        if rest:
            corr = [abs(np.corrcoef(x[c], found.missed)[0, 1]) if x[c].std() else 0 for c in rest]
            names.append(rest[int(np.nanargmax(corr))])
    rng = np.random.default_rng(0)
    idx = np.arange(len(x))
    if len(idx) > MAX_POINTS:
        idx = np.sort(rng.choice(idx, MAX_POINTS, replace=False))
    xs = x[names[0]].to_numpy()[idx]
    ys = x[names[1]].to_numpy()[idx] if len(names) > 1 else rng.random(len(idx))
    miss = found.missed[idx]
    ax.scatter(xs[~miss], ys[~miss], s=6, color=COLORS[1], alpha=0.5, label=t("met", lang))
    ax.scatter(xs[miss], ys[miss], s=6, color=COLORS[5], alpha=0.5, label=t("missed", lang))
    lo0, hi0 = box.limits.get(names[0], (None, None))
    lo1, hi1 = box.limits.get(names[1], (None, None)) if len(names) > 1 else (None, None)
    x0, x1 = lo0 if lo0 is not None else xs.min(), hi0 if hi0 is not None else xs.max()
    y0, y1 = lo1 if lo1 is not None else ys.min(), hi1 if hi1 is not None else ys.max()
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=2, color=COLORS[0]))
    ax.annotate(
        f"{t('density', lang)} {box.density:.0%} · {t('coverage', lang)} {box.coverage:.0%}",
        (x0, y1),
        xytext=(4, -14),
        textcoords="offset points",
        color=COLORS[0],
        fontsize=9,
        bbox={
            "boxstyle": "round,pad=0.2",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
    )
    _value_ticks(ax.xaxis, names[0], ax.get_xticks(), lang)
    ax.set_xlabel(plain(factor_label(names[0], lang)))
    if len(names) > 1:
        _value_ticks(ax.yaxis, names[1], ax.get_yticks(), lang)
        ax.set_ylabel(plain(factor_label(names[1], lang)))
    else:
        ax.set_yticks([])
    ax.set_title(t("discovery_title", lang))
    ax.legend(frameon=False, fontsize=8, loc="upper right", markerscale=2)
    return fig


def _value_ticks(axis: Any, name: str, ticks: np.ndarray, lang: str) -> None:
    axis.set_ticks(ticks, [plain(fmt_value(name, v, lang)) for v in ticks])


def frontier_chart(frontiers: list[Frontier], lang: str = "zh") -> Figure:
    """Budget (p95, 万元) against probability: every setting, each frontier, the cheapest."""
    fig, ax = _figure((7.5, 4.6))
    for i, f in enumerate(frontiers):
        color = COLORS[(2 * i) % len(COLORS)]
        s = f.settings
        at = f.params_at(f.group)
        group = t("enum", lang).join(
            f"{factor_label(k, lang)} {fmt_setting(k, v, lang, at)}" for k, v in f.group.items()
        )
        ax.scatter(s[f.cost] / units.WAN, s[f.probability], s=18, color=color, alpha=0.35)
        front = f.frontier
        ax.step(
            front[f.cost] / units.WAN,
            front[f.probability],
            where="post",
            color=color,
            lw=2,
            marker="o",
            label=plain(f"{t('frontier', lang)} {group}".strip()),
        )
        best = f.cheapest
        if best is not None:
            ax.plot(
                best[f.cost] / units.WAN,
                best[f.probability],
                marker="*",
                ms=16,
                color=COLORS[5],
                zorder=5,
            )
    if frontiers:
        ax.axhline(frontiers[0].min_probability, color=COLORS[5], ls="--", lw=1)
        ax.annotate(
            f"{t('min_probability', lang)} {frontiers[0].min_probability:.0%}",
            (ax.get_xlim()[0], frontiers[0].min_probability),
            xytext=(3, 3),
            textcoords="offset points",
            color=COLORS[5],
            fontsize=9,
        )
        ax.set_ylabel(plain(output_label(frontiers[0].probability, lang)))
    # as the table beside it and the reference line say them: 4.8%, 80%; 20,000 万元
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.xaxis.set_major_formatter(Grouped())
    cost = cost_label(frontiers[0].cost if frontiers else COST, lang)
    ax.set_xlabel(plain(t("in_wan_yuan", lang).format(what=cost)))
    ax.set_title(t("frontier_title", lang))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return fig

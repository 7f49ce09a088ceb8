"""The report's charts, each a function of simulation results and a language.

Charts are drawn with the shipped CJK font (``fonts.register_fonts``), laid out around what
they draw (``chart_layout.fit``) and return a matplotlib Figure, so notebooks only display
them and tests can inspect them.
"""

from __future__ import annotations

import io
import sys
import weakref
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # reports render headless; a notebook shows the returned figure inline

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, PercentFormatter, StrMethodFormatter
from PIL import Image, PngImagePlugin

from sbqw_model import palette, prefectures, units
from sbqw_model.engine import Results, target_levels
from sbqw_model.instruments import REGISTRY
from sbqw_model.labels import BILLION, money, outlay_kind
from sbqw_model.reporting.chart_canvas import ReportCanvas
from sbqw_model.reporting.chart_layout import fit, inset
from sbqw_model.reporting.chart_text import Grouped, wrapped
from sbqw_model.reporting.fonts import register_fonts
from sbqw_model.reporting.i18n import t, target_name
from sbqw_model.rules import CATEGORIES
from sbqw_model.summary import BAND, BAND_PERCENTILES, CENTRAL, QUANTILES

LOW, HIGH = BAND_PERCENTILES  # the one band every table and chart shows (5th–95th percentile)

COLORS = palette.SERIES
#: Scenarios past the seventh repeat the colours, hatched (white on the colour), so no two
#: scenarios of a comparison are drawn alike.
HATCHES = ("//", "..", "xx", "\\\\")
WIDE = (8.0, 4.2)
DPI = 110
#: Inches of plot a bar of the comparison's budget chart, at least (a taller label, more).
BAR_HEIGHT = 0.6


#: Where a chart's plot starts (fractions of the figure): ``chart_layout.fit`` then moves its
#: edges to what is drawn around it. Titles are broken to fit the plot's width from here.
MARGINS = {"left": 0.09, "right": 0.97, "bottom": 0.12, "top": 0.9}


#: zlib level of the charts' PNGs: level 3 encodes in ~60 % of the time of the default 6, for
#: files ~6 % larger (the same pixels).
PNG_COMPRESSION = 3


def title_of(fig: Figure) -> str:
    """What a chart shows, in its own words: the figure's title, else its panels' titles."""
    titles = [fig.get_suptitle()] if fig.get_suptitle() else []
    titles += [ax.get_title() for ax in fig.axes if not titles]
    shown = " · ".join(" ".join(t.split()) for t in titles if t.strip())
    return shown.replace("\\$", "$")  # as the reader typed it, not as mathtext needs it


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (what a report embeds), the figure closed.

    Drawn by ``savefig`` at the figure's own dpi, then encoded here: titles are pinned where
    matplotlib would place them anyway (``_pin_titles``; its automatic placement lays out every
    y axis twice), and an opaque figure is stored as RGB (the same pixels without an alpha
    channel that is 255 everywhere: a quarter less data to compress, smaller files).
    """
    _pin_titles(fig)
    _pin_empty_axis_labels(fig)
    _only_shown_ticks(fig)
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=fig.dpi)
    _close(fig)
    size = fig.canvas.get_width_height(physical=True)  # the size savefig drew at
    image = Image.frombuffer("RGBA", size, raw.getbuffer(), "raw", "RGBA", 0, 1)
    if image.getextrema()[3][0] == 255:  # every pixel opaque
        image = image.convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    )
    out = io.BytesIO()
    image.save(out, format="png", compress_level=PNG_COMPRESSION, dpi=(fig.dpi,) * 2, pnginfo=info)
    return out.getvalue()


def _close(fig: Figure) -> None:
    """Release a figure pyplot manages (the report's own figures are not registered there)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:  # without pyplot imported, no figure can be registered with it
        pyplot.close(fig)


def _pin_titles(fig: Figure) -> None:
    """Keep each axes title at the top of its axes without the automatic search.

    matplotlib moves a title up only past an x axis drawn on top, a child or twin axes, or a
    y-axis offset text ("1e6") that would overlap it. In a figure with none of these anywhere,
    every title gets exactly the default position; other figures, and figures with a layout
    engine, are left to matplotlib.
    """
    if fig.get_layout_engine() is not None:
        return
    for ax in fig.axes:
        if ax.xaxis.get_ticks_position() in ("top", "unknown"):
            return
        if ax.xaxis.get_label_position() == "top" or ax.child_axes:
            return
        if ax.get_shared_x_axes().get_siblings(ax) != [ax]:  # twins share an x axis
            return
        formatter = ax.yaxis.get_major_formatter()
        formatter.set_locs(ax.yaxis.get_majorticklocs())  # what drawing the axis does first
        if formatter.get_offset():
            return
    for ax in fig.axes:
        ax._autotitlepos = False


def _pin_empty_axis_labels(fig: Figure) -> None:
    """Spare matplotlib placing axis labels that have no text.

    Drawing an axis measures its tick labels, then measures them all again to move the axis
    label clear of them; a label with no text shows nothing wherever it is, so it is pinned
    (``set_label_coords``) and the second measuring is skipped. Figures with a layout engine,
    which measures labels itself, are left alone.
    """
    if fig.get_layout_engine() is not None:
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(*axis.label.get_position())


class ShownTicks(AutoLocator):
    """matplotlib's automatic ticks, less those outside the axis' view.

    ``AutoLocator`` also returns a step or two beyond each end; matplotlib makes a tick (two
    lines, two labels, a grid line: ~1 ms) for each and then leaves it undrawn. The ticks in
    view, and their labels, are the same: ``ScalarFormatter`` picks offset and magnitude from
    the ticks in view, and its decimals from the ticks' spacing (kept where fewer than two
    ticks would be left, the one case it reads the view's ends instead).
    """

    #: Kept within this fraction of the view beyond its ends: matplotlib draws ticks within
    #: 1e-10 of it, so no tick it would draw is dropped.
    SLACK = 1e-6

    def __call__(self) -> np.ndarray:
        locs = np.asarray(super().__call__())
        low, high = sorted(self.axis.get_view_interval())
        slack = (high - low) * self.SLACK
        shown = locs[(locs >= low - slack) & (locs <= high + slack)]
        return shown if len(shown) >= 2 else locs


def _only_shown_ticks(fig: Figure) -> None:
    """Linear axes with matplotlib's default locator get ``ShownTicks`` (the same ticks)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_locator()) is AutoLocator and axis.get_scale() == "linear":
                axis.set_major_locator(ShownTicks())


#: Average width of a title's character, in ems: a hanzi is square; Latin text, about half.
_CHAR_EMS = {"zh": 1.0, "en": 0.6}


def _title(ax: Axes, text: str, lang: str) -> None:
    """The axes' title, broken into lines that fit the figure: a title is centred on its axes
    and one wider than the figure (an English title, a long scenario name) loses both ends."""

    fig, box = ax.get_figure(), ax.get_position()
    centre = (box.x0 + box.x1) / 2
    room = 2 * min(centre, 1 - centre) * fig.get_figwidth() * fig.dpi * 0.92
    size = _points("axes.titlesize")
    per_char = size * fig.dpi / 72 * _CHAR_EMS.get(lang, 1.0)
    ax.set_title(wrapped(text, lang, max(int(room / per_char), 8), most=2))
    _TITLES[ax] = (text, lang)


#: Each chart title as given, to break it again once ``fit`` has narrowed its plot.
_TITLES: weakref.WeakKeyDictionary[Axes, tuple[str, str]] = weakref.WeakKeyDictionary()


def _canvas(size: tuple[float, float]) -> Figure:
    """A figure on a ``ReportCanvas``: no pyplot (nor its import), nothing to unregister."""
    register_fonts()
    fig = Figure(figsize=size, dpi=DPI)
    ReportCanvas(fig)
    return fig


def _wan_axis(axis: Any, lang: str) -> None:
    """An axis in 万元, labelled so, its numbers with thousands separators as in the tables."""
    axis.set_label_text(t("wan_yuan", lang))
    axis.set_major_formatter(Grouped())


def _figure(size: tuple[float, float] = WIDE) -> tuple[Figure, Axes]:
    fig = _canvas(size)
    fig.subplots_adjust(**MARGINS)
    return fig, fig.add_subplot()


def _laid_out(fig: Figure, plot_height: float | None = None) -> Figure:
    """The finished chart, laid out by ``chart_layout.fit``: what ``png`` pins first (titles,
    empty labels, ticks in view: the same picture), so the measuring pass skips that work."""
    _pin_titles(fig)
    _pin_empty_axis_labels(fig)
    _only_shown_ticks(fig)
    fit(fig, plot_height)
    # a title was broken for the plot's first width; a legend beside it narrows the plot, and
    # a centred title then loses both ends: broken again for the width it has, and laid out
    renderer = fig.canvas.get_renderer()
    wide = [ax for ax in fig.axes if ax in _TITLES and not _inside(ax.title, fig, renderer)]
    for ax in wide:
        _title(ax, *_TITLES[ax])
    taller = _legend_height(fig, renderer)  # a legend beside a plot ends where the plot does
    if taller > max(ax.bbox.height for ax in fig.axes) + 0.5:
        # measured once the plot is as tall, the legend no longer counts as hanging below it
        fit(fig, taller / fig.dpi)
        return fit(fig, taller / fig.dpi)
    return fit(fig, plot_height) if wide else fig


def _legend_height(fig: Figure, renderer: Any) -> float:
    """The tallest legend of the figure's plots, in pixels (0 with none): many scenarios with
    long names run a legend beside its plot past the figure's foot, so the chart grows."""
    legends = [ax.get_legend() for ax in fig.axes]
    return max((lg.get_window_extent(renderer).height for lg in legends if lg), default=0.0)


def _inside(text: Any, fig: Figure, renderer: Any) -> bool:
    box = text.get_window_extent(renderer)
    return box.x0 >= 0 and box.x1 <= fig.bbox.width


def _legend_beside(ax: Axes) -> None:
    """The legend right of the plot, top-aligned with it (``fit`` makes the room): never over
    bars or whiskers, whatever the language or the labels' length (wrapped where made)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def _bars(
    ax: Axes,
    left: object,
    bottom: object,
    width: object,
    height: object,
    *,
    horizontal: bool = False,
    **props: object,
) -> PolyCollection:
    """Rectangles (``left``, ``bottom``, ``width``, ``height``, as a Rectangle takes) in one artist.

    What ``ax.bar`` (``ax.barh`` when ``horizontal``) draws — each bar filled then edged in
    turn, snapped to pixels alike, the same data limits, the bars' bases sticky (no margin
    beyond them) — without a Patch artist per bar: making, adding and drawing one costs ~0.5 ms.
    Not for charts whose legend takes ``loc="best"``: it scores bars and collections
    differently.
    """
    x0, y0, w, h = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (left, bottom, width, height))
    )
    x1, y1 = x0 + w, y0 + h
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]  # a Rectangle's own vertex order
    verts = np.stack([np.stack(c, axis=-1) for c in corners], axis=-2)
    bars = PolyCollection(verts, closed=True, joinstyle="miter", **props)
    if horizontal:
        bars.sticky_edges.x.extend(x0.tolist())
    else:
        bars.sticky_edges.y.extend(y0.tolist())
    ax.add_collection(bars)
    return bars


def _histogram(ax: Axes, values: np.ndarray, bins: int, **props: object) -> PolyCollection:
    """``ax.hist(values, bins)``'s bars, placed with its arithmetic (bin centre less half a bin)."""
    counts, edges = np.histogram(values, bins=bins)
    widths = np.diff(edges)
    return _bars(ax, (edges[:-1] + widths / 2) - widths / 2, 0, widths, counts, **props)


def _outlay_title(key: str, results: Results, lang: str) -> str:
    """A money chart's title says what the amounts are: 上限 when every ceiling is paid."""
    note = outlay_kind(results.scenario.assumptions.payout_share, lang)
    return f"{t(key, lang)}{t('lparen', lang)}{note}{t('rparen', lang)}"


def _appropriation_key(results: Results) -> str:
    illustrative = results.scenario.appropriation_illustrative
    return "illustrative_appropriation" if illustrative else "appropriation"


def fan_chart(results: Results, lang: str = "zh") -> Figure:
    """Online retail 2022–2025: the median and the 90 % range (the one band every table and
    chart shows), the target line, and the observed years as stars."""
    fig, ax = _figure()
    years = [results.years[0] - 1, *results.years]
    scale = units.YI if lang == "zh" else BILLION  # the unit the tables beside it use
    path = results.online_retail_path.astype(float) / scale
    q = np.percentile(path, [LOW, QUANTILES[CENTRAL], HIGH], axis=0)
    ax.fill_between(years, q[0], q[2], color=COLORS[2], label=t("legend_p5_95", lang))
    ax.plot(years, q[1], color=COLORS[0], lw=2, marker="o", label=t("legend_median", lang))
    target = results.scenario.params.value("targets.online_retail") / scale
    ax.axhline(target, color=COLORS[5], ls="--", lw=1.5)
    ax.annotate(
        f"{t('target_line', lang)} {money(target * scale, lang)}",
        (years[0], target),
        xytext=(0, 4),
        textcoords="offset points",
        color=COLORS[5],
    )
    for year, value in results.scenario.observed("online_retail").items():
        ax.plot([year], [value / scale], "k*", ms=12)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(t("retail_axis", lang))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,g}"))  # 1,000 as in the tables
    _title(ax, t("fan_title", lang), lang)
    _legend_beside(ax)  # never over the band, which can reach any corner
    ax.grid(axis="y", alpha=0.3)
    return _laid_out(fig)


def units_chart(results: Results, lang: str = "zh") -> Figure:
    """Recognized units (year-end stock) per category against each 2025 target."""
    fig = _canvas((10, 3.6))
    axes = fig.subplots(1, 4)
    levels = target_levels(results.scenario.params)
    keys = ("parks", "bases", "enterprises", "teams")
    years = results.years
    for c, (ax, key) in enumerate(zip(axes, keys, strict=True)):
        stock = results.recognized_path[:, CATEGORIES.index(CATEGORIES[c]), :].astype(float)
        q = np.percentile(stock, [LOW, QUANTILES[CENTRAL], HIGH], axis=0)
        ax.fill_between(years, q[0], q[2], color=COLORS[2], label=t("legend_p5_95", lang))
        ax.plot(years, q[1], color=COLORS[0], marker="o", lw=2, label=t("legend_median", lang))
        ax.axhline(levels[key], color=COLORS[5], ls="--", lw=1.2, label=t("target", lang))
        ax.set_title(
            f"{target_name(key, lang)}\n{t('target', lang)} {levels[key]:,.0f}", fontsize=10
        )
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(t("count", lang), rotation=0 if lang == "zh" else 90, labelpad=12)
    dx, dy = inset(fig)  # the title at the top left, the legend at the top right
    fig.suptitle(t("units_title", lang), x=dx, y=1 - dy, ha="left", va="top")
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="upper right",
        ncols=3,
        frameon=False,
        fontsize=8,
        bbox_to_anchor=(1 - dx, 1 - dy),
        borderaxespad=0,
    )
    return _laid_out(fig)


def budget_by_year_chart(results: Results, lang: str = "zh") -> Figure:
    """Outlay by payment year in 万元: the median and the 90 % range, as every table shows
    them, each bar split by instrument in the proportions of their mean outlay that year.

    (Medians do not add up across instruments, means do: so the split is the instruments'
    shares of the year's mean, and the bar's height the year's median.)
    """
    fig, ax = _figure()
    by_year = results.outlay.by_year / units.WAN  # (n, Y)
    low, median, high = np.percentile(by_year, [LOW, QUANTILES[CENTRAL], HIGH], axis=0)
    sums = results.outlay.year_instrument_sum  # (Y, I)
    totals = sums.sum(axis=1, keepdims=True)
    shares = np.divide(sums, totals, out=np.zeros_like(sums, dtype=float), where=totals > 0)
    x = np.arange(len(results.payment_years))
    bottom = np.zeros(len(x))
    for i, entry in enumerate(REGISTRY):  # colours and names from the instrument registry
        part = shares[:, i] * median
        name = wrapped(entry.label(lang, results.scenario.params), lang)
        _bars(ax, x - 0.4, bottom, 0.8, part, facecolor=entry.color, label=name)
        bottom = bottom + part
    ax.vlines(x, low, high, colors=palette.INK, lw=1.5, label=t("legend_p5_95", lang))
    for position, total in zip(x, median, strict=True):  # the median, beside the whisker
        ax.annotate(f"{total:,.0f}", (position + 0.05, total), ha="left", va="bottom", fontsize=9)
    ax.set_xticks(x, [str(y) for y in results.payment_years])
    _wan_axis(ax.yaxis, lang)
    ax.set_xlabel(t("payment_year", lang))
    _title(ax, _outlay_title("budget_year_title", results, lang), lang)
    _legend_beside(ax)
    ax.grid(axis="y", alpha=0.3)
    return _laid_out(fig)


def outlay_distribution(results: Results, lang: str = "zh") -> Figure:
    """Histogram of total outlay with its median, the band's top and the appropriation, when
    that covers every payment year: a 2023–2025 appropriation drawn against a total that
    includes 2026's payments would show an overrun the budget does not have (the budget
    table compares them year by year)."""
    fig, ax = _figure()
    total = results.outlay.total / units.WAN
    _histogram(ax, total, 50, facecolor=COLORS[1], edgecolor="white")
    for value, label, style in (
        (np.percentile(total, QUANTILES[CENTRAL]), t("median", lang), "-"),
        (np.percentile(total, HIGH), t(BAND[1], lang), ":"),
    ):
        ax.axvline(value, color=COLORS[0], ls=style, lw=1.8, label=f"{label} {value:,.0f}")
    appropriation = results.scenario.appropriation or {}
    if appropriation and set(results.payment_years) <= set(appropriation):
        budget = sum(appropriation.values()) / units.WAN
        ax.axvline(
            budget,
            color=COLORS[5],
            ls="--",
            lw=2,
            label=f"{t(_appropriation_key(results), lang)} {budget:,.0f}",
        )
    _legend_beside(ax)  # a skewed tail can reach the top right
    _wan_axis(ax.xaxis, lang)
    ax.set_ylabel(t("worlds_count", lang))  # the heights count worlds, not 万元
    _title(ax, _outlay_title("outlay_dist_title", results, lang), lang)
    ax.grid(axis="y", alpha=0.3)
    return _laid_out(fig)


def prefecture_chart(results: Results, lang: str = "zh") -> Figure:
    """Outlay by prefecture: median bars with 5–95 % whiskers, in 万元."""
    fig, ax = _figure((8.0, 4.6))
    data = results.outlay.by_prefecture / units.WAN
    q = np.percentile(data, [LOW, QUANTILES[CENTRAL], HIGH], axis=0)
    names = [prefectures.label(p, lang) for p in prefectures.NAMES_ZH]
    pos = np.arange(len(names))[::-1]
    _bars(ax, 0, pos - 0.4, q[1], 0.8, horizontal=True, facecolor=COLORS[1])
    ax.errorbar(q[1], pos, xerr=[q[1] - q[0], q[2] - q[1]], fmt="none", ecolor=COLORS[0], capsize=3)
    ax.set_yticks(pos, names)
    _wan_axis(ax.xaxis, lang)
    _title(ax, _outlay_title("prefecture_title", results, lang), lang)
    ax.grid(axis="x", alpha=0.3)
    return _laid_out(fig)


def _target_ticks(labels: list[str], lang: str) -> list[str]:
    """The targets under grouped bars, each broken to its own slot's width: slanted, the
    first (a long English name) ran off the figure's left edge."""
    return [wrapped(label, lang, 4 if lang == "zh" else 11) for label in labels]


def compare_probabilities(names: Sequence[str], p_met: np.ndarray, lang: str = "zh") -> Figure:
    """Grouped bars: P(met) per target (rows of ``p_met``: scenarios; columns: targets + all)."""
    from sbqw_model.engine import TARGETS

    fig, ax = _figure((9.0, 4.6))
    labels = [target_name(k, lang) for k in TARGETS] + [t("all_targets", lang)]
    x = np.arange(len(labels))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        name = wrapped(name, lang)
        _bars(ax, x + i * width - 0.4, 0, width, p_met[i], label=name, **_series(i))
    ax.set_xticks(x, _target_ticks(labels, lang), fontsize=9)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))  # as the tables say it: 80%
    ax.set_ylabel(t("p_met", lang))
    _title(ax, t("targets_2025", lang), lang)
    _legend_beside(ax)  # beside the bars, never over them (a probability near 100%)
    ax.grid(axis="y", alpha=0.3)
    return _laid_out(fig)


#: A change in the odds smaller than this (percentage points) shows as no bar at all.
UNCHANGED_PP = 0.05


def _series(i: int) -> dict[str, object]:
    """How the ``i``-th scenario of a comparison is drawn, the same in each of its charts."""
    cycle, colour = divmod(i, len(COLORS))
    if not cycle:
        return {"facecolor": COLORS[colour]}
    hatch = HATCHES[(cycle - 1) % len(HATCHES)]
    # the hatch takes the edge colour (matplotlib before 3.11 has no hatchcolor); no edge drawn
    return {"facecolor": COLORS[colour], "hatch": hatch, "edgecolor": "white", "linewidth": 0}


def compare_differences(names: Sequence[str], p_met: np.ndarray, lang: str = "zh") -> Figure:
    """Each later scenario's P(met) minus the first's, per target (percentage points). A
    scenario that changes no target's odds (one that changes only what is paid) draws no bar,
    so its legend entry says so."""
    from sbqw_model.engine import TARGETS

    fig, ax = _figure((9.0, 4.6))
    labels = [target_name(k, lang) for k in TARGETS] + [t("all_targets", lang)]
    x = np.arange(len(labels))
    diff = (np.asarray(p_met[1:]) - p_met[0]) * 100
    width = 0.8 / max(len(diff), 1)
    for i, (name, row) in enumerate(zip(names[1:], diff, strict=True)):
        name = wrapped(name, lang)
        if not np.abs(row).max(initial=0) >= UNCHANGED_PP:  # no bar to see: the legend says why
            name += "\n" + wrapped(t("unchanged_odds", lang).strip(), lang)
        _bars(ax, x + i * width - 0.4, 0, width, row, label=name, **_series(i + 1))
    if not np.abs(diff).max(initial=0) >= 1:  # a scale of whole points, not ±0.04
        ax.set_ylim(-1, 1)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, _target_ticks(labels, lang), fontsize=9)
    ax.set_ylabel(t("pp_difference", lang))
    _title(ax, t("difference", lang).format(first=names[0]), lang)
    _legend_beside(ax)
    ax.grid(axis="y", alpha=0.3)
    return _laid_out(fig)


def compare_budgets(names: Sequence[str], bands: np.ndarray, lang: str = "zh") -> Figure:
    """Total outlay per scenario: median bar with 5–95 % whiskers (``bands``: rows p5, p50, p95).

    A label is a name and what its amounts are ("(at 60 % of the ceilings)", never cut), and
    each bar's row is as tall as its label needs."""
    ticks = [_name_and_note(n, lang) for n in names]
    row = max(BAR_HEIGHT, _text_height(max(tick.count("\n") + 1 for tick in ticks)))
    fig, ax = _figure((8.0, row * len(names) + 1.2))
    pos = np.arange(len(names))[::-1]
    data = np.asarray(bands) / units.WAN
    _bars(
        ax,
        0,
        pos - 0.4,
        data[:, 1],
        0.8,
        horizontal=True,
        facecolor=COLORS[1],
        label=t("legend_median", lang),
    )
    ax.errorbar(
        data[:, 1],
        pos,
        xerr=[data[:, 1] - data[:, 0], data[:, 2] - data[:, 1]],
        fmt="none",
        ecolor=palette.INK,
        capsize=3,
        label=t("legend_p5_95", lang),
    )
    ax.set_yticks(pos, ticks)
    ax.set_ylim(-0.6, len(names) - 0.4)
    _legend_beside(ax)
    _wan_axis(ax.xaxis, lang)
    _title(ax, t("budget_total", lang), lang)
    ax.grid(axis="x", alpha=0.3)
    return _laid_out(fig, plot_height=row * len(names))


def _name_and_note(label: str, lang: str) -> str:
    """A bar's label: the scenario's name (cut at three lines if it must be), then on lines of
    its own what its amounts are (its last line, "(at 60% of the ceilings)"), never cut."""
    name, _, note = label.rpartition("\n") if "\n" in label else (label, "", "")
    return wrapped(name, lang) + (f"\n{wrapped(note, lang, most=2)}" if note else "")


def _text_height(lines: int) -> float:
    """Inches a tick label of so many lines takes, with room above and below it."""
    return (lines * 1.25 + 0.8) * _points("ytick.labelsize") / 72


def _points(setting: str) -> float:
    """A font size setting of matplotlib's (a name such as "medium", or points) in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=matplotlib.rcParams[setting]).get_size_in_points()

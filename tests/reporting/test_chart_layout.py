"""Report charts are laid out around what they draw (``chart_layout.fit``).

Every chart, in both languages and with the longest labels a report makes (a variant's
titles, '(payout share changed to 60%)'; English target and instrument names), is drawn and
measured: each text and legend lies inside the figure and clear of the titles, and the
plots fill the rest (fixed margins left the comparison's charts a fifth empty under their
tick labels and put an English legend and title against the figure's edge).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sbqw_model import shipped
from sbqw_model.engine import TARGETS, Results, simulate
from sbqw_model.labels import outlay_kind
from sbqw_model.reporting import chart_layout, charts
from sbqw_model.reporting.i18n import t
from sbqw_model.reporting.variants import variant_title
from sbqw_model.scenario import load_scenario

LANGS = ("zh", "en")
ASSUME = {"payout_share": 0.6}  # a variant: every title gets a suffix, every outlay a note
SCENARIO_CHARTS = (
    charts.fan_chart,
    charts.units_chart,
    charts.budget_by_year_chart,
    charts.outlay_distribution,
    charts.prefecture_chart,
)


def _variant(name: str) -> object:
    scenario = load_scenario(shipped.scenario_path(name))
    return scenario.with_assumptions(scenario.assumptions.updated(ASSUME, "assume"))


@pytest.fixture(scope="module")
def results() -> Results:
    return simulate(_variant("austerity"), draws=200, seed=0)


#: Variants whose titles are longest: two changes, one with the longest phrase (a variant that
#: changes only what is paid, so its odds do not move: the differences chart draws no bar).
LONGEST = {"milestone_pre_plan_tiers": "not_paid", "payment_lag_years": 1}


def _longest_names(lang: str, count: int, assume: dict[str, object] = ASSUME) -> list[str]:
    """The shipped scenarios' variant titles, longest first."""
    titles = [
        variant_title(load_scenario(shipped.scenario_path(n)), assume, lang)
        for n in shipped.shipped_names()
    ]
    return sorted(titles, key=len, reverse=True)[:count]


def _comparisons(
    lang: str, count: int, assume: dict[str, object] = ASSUME
) -> list[tuple[str, Callable[[], Figure]]]:
    names = _longest_names(lang, count, assume)
    p_met = np.random.default_rng(0).uniform(0.01, 0.99, (count, len(TARGETS) + 1))
    bands = np.sort(np.random.default_rng(1).uniform(1e8, 3e8, (count, 3)), axis=1)
    note = f"{t('lparen', lang).strip()}{outlay_kind(0.6, lang)}{t('rparen', lang)}"
    labelled = [f"{n}\n{note}" for n in names]  # as the comparison labels its bars
    return [
        ("compare_probabilities", lambda: charts.compare_probabilities(names, p_met, lang)),
        ("compare_differences", lambda: charts.compare_differences(names, p_met, lang)),
        ("compare_budgets", lambda: charts.compare_budgets(labelled, bands, lang)),
    ]


def _shown(fig: Figure) -> list[Artist]:
    """Everything with words the drawn figure shows: titles, axis and tick labels of the
    ticks drawn, annotations, the figure's texts, and each legend (box and texts)."""
    fig.canvas.draw()
    artists: list[Artist] = [*fig.texts, *fig.legends]
    for ax in fig.axes:
        artists += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        artists += [ax.xaxis.offsetText, ax.yaxis.offsetText]
        artists += [label for axis in (ax.xaxis, ax.yaxis) for label in _tick_labels(axis)]
        artists += [ax.get_legend()] if ax.get_legend() else []
    artists += [text for a in artists if isinstance(a, Legend) for text in a.get_texts()]
    return [
        a for a in artists if a.get_visible() and (not isinstance(a, Text) or a.get_text().strip())
    ]


def _tick_labels(axis: Axis) -> list[Text]:
    """The labels of the ticks drawn: those in the axis' view (a locator may give more)."""
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-9
    ticks = axis.get_major_ticks(len(axis.get_majorticklocs()))
    return [tick.label1 for tick in ticks if low - slack <= tick.get_loc() <= high + slack]


def _check_layout(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()
    shown = _shown(fig)
    frame = fig.bbox.padded(-1.0)  # a pixel in from the edge: nothing touches it
    for artist in shown:
        box = artist.get_window_extent(renderer)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        assert inside and box.y1 <= frame.y1, (artist, box.extents, fig.bbox.extents)
    # titles and legends do not run into each other
    heads = [a for a in shown if isinstance(a, Legend) or a in fig.texts]
    heads += [ax.title for ax in fig.axes if ax.title in shown]
    boxes = [a.get_window_extent(renderer) for a in heads]
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[:i]):
            assert not a.overlaps(b), (heads[i], heads[j])
    # the drawing reaches every edge (no empty band) and the plots fill the height
    ink = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    slack = 2 * chart_layout.PAD * fig.dpi / 72 + 1
    width, height = fig.bbox.width, fig.bbox.height
    gaps = (ink.x0, ink.y0, width - ink.x1, height - ink.y1)
    assert max(gaps) <= slack, gaps
    plots = Bbox.union([ax.bbox for ax in fig.axes])
    assert plots.height >= 0.5 * height


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("draw", SCENARIO_CHARTS, ids=lambda f: f.__name__)
def test_a_scenario_chart_shows_everything_and_wastes_no_room(
    results: Results, draw: Callable[[Results, str], Figure], lang: str
) -> None:
    _check_layout(draw(results, lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("draw", SCENARIO_CHARTS, ids=lambda f: f.__name__)
def test_no_legend_covers_what_a_plot_draws(
    results: Results, draw: Callable[[Results, str], Figure], lang: str
) -> None:
    """A plot's legend stands beside it: inside, it covered the fan chart's 90 % band."""
    fig = draw(results, lang)
    fig.canvas.draw()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            assert not legend.get_window_extent().overlaps(ax.bbox), draw.__name__


@pytest.mark.parametrize("count", [2, 6])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", range(3), ids=["probabilities", "differences", "budgets"])
def test_a_comparison_chart_shows_everything_and_wastes_no_room(
    kind: int, lang: str, count: int
) -> None:
    _name, draw = _comparisons(lang, count)[kind]
    _check_layout(draw())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", range(3), ids=["probabilities", "differences", "budgets"])
def test_the_longest_variant_titles_fit_and_keep_their_notes(kind: int, lang: str) -> None:
    """A title broken for the plot's first width is broken again once a legend narrows it;
    what a bar's amounts are, and that a variant's odds are unchanged, are never cut."""
    names = _longest_names(lang, 2, LONGEST)
    _name, draw = _comparisons(lang, 2, LONGEST)[kind]
    fig = draw()
    _check_layout(fig)
    shown = "".join(text.get_text() for text in fig.findobj(Text)).replace("\n", "")
    if kind == 1:  # a variant with the first's odds: no bar, so its legend says why
        same = charts.compare_differences(names, np.full((2, len(TARGETS) + 1), 0.5), lang)
        _check_layout(same)
        legend = [x.get_text() for x in same.axes[0].get_legend().get_texts()]
        assert legend[0].endswith(t("unchanged_odds", lang).strip()), legend
    if kind == 2:
        assert outlay_kind(0.6, lang).replace(" ", "") in shown.replace(" ", ""), shown


@pytest.mark.parametrize("title", ["情景" + "！" * 120, "情" * 13 + "）" * 40, "，" * 200])
def test_a_title_of_punctuation_never_fails_a_chart(title: str) -> None:
    """Closing marks may not start a line, but a run of them breaks all the same (a title of
    120 '！' made the comparison report fail: the plot had no width left)."""
    lines = charts.wrapped(title, "zh").split("\n")
    assert max(len(line) for line in lines) <= 14 + 3, lines
    for draw in (charts.compare_probabilities, charts.compare_differences):
        draw(["基准情景", title], np.full((2, len(TARGETS) + 1), 0.5), "zh").canvas.draw()
    charts.compare_budgets(["基准情景", title], np.array([[1e8, 2e8, 3e8]] * 2), "zh")


@pytest.mark.parametrize("count", [2, 6])
def test_the_budget_comparison_is_as_tall_as_its_bars(count: int) -> None:
    """A row a scenario, as tall as its name needs (at least a bar's height), whatever is drawn
    around them (the figure grows); no name is cut, and no two names overlap."""
    _name, draw = _comparisons("en", count)[2]
    fig = draw()
    ax = fig.axes[0]
    ticks = ax.get_yticklabels()
    lines = max(tick.get_text().count("\n") + 1 for tick in ticks)
    row = max(charts.BAR_HEIGHT, charts._text_height(lines))
    assert ax.bbox.height / fig.dpi == pytest.approx(row * count, abs=0.02)
    assert not [tick.get_text() for tick in ticks if tick.get_text().endswith("…")]
    boxes = sorted((t.get_window_extent() for t in ticks), key=lambda box: box.y0)
    assert all(a.y1 <= b.y0 for a, b in itertools.pairwise(boxes)), boxes


def test_fit_makes_room_for_a_legend_of_any_width() -> None:
    """An unbroken label a figure wide: the plot narrows, nothing leaves the figure."""
    fig, ax = charts._figure()
    ax.plot([0, 1], [0, 1], label="x" * 40)
    ax.plot([0, 1], [1, 0], label="一个很长的图例" * 4)
    charts._legend_beside(ax)
    ax.set_title("title")
    chart_layout.fit(fig)
    _check_layout(fig)


def test_fit_keeps_the_plots_clear_of_a_figure_title_and_legend() -> None:
    fig = charts._canvas((6.0, 3.0))
    axes = fig.subplots(1, 3)
    for ax in axes:
        ax.plot([0, 1], [0, 1_000_000], label="line")
        ax.set_title("panel\nsecond line")
    dx, dy = chart_layout.inset(fig)
    fig.suptitle("figure title", x=dx, y=1 - dy, ha="left", va="top")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower right", frameon=False)
    chart_layout.fit(fig)
    _check_layout(fig)
    renderer = fig.canvas.get_renderer()
    for artist in (*fig.texts, *fig.legends):
        box = artist.get_window_extent(renderer)
        for ax in axes:
            assert not box.overlaps(ax.get_tightbbox(renderer))


#: More scenarios than the palette has colours, with the longest names: the legend beside the
#: plot is taller than the chart's usual height.
MANY = 16


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", range(2), ids=["probabilities", "differences"])
def test_many_scenarios_are_each_named_and_drawn_unlike_the_others(kind: int, lang: str) -> None:
    """The chart grows until its legend fits (it ran off the figure's foot), and scenarios
    past the seventh are hatched (they repeated the first ones' colours)."""
    longest = _longest_names(lang, 6)
    names = [f"{i + 1}. {longest[i % len(longest)]}" for i in range(MANY)]
    p_met = np.random.default_rng(0).uniform(0.01, 0.99, (MANY, len(TARGETS) + 1))
    draw = (charts.compare_probabilities, charts.compare_differences)[kind]
    fig = draw(names, p_met, lang)
    _check_layout(fig)
    ax = fig.axes[0]
    shown = [text.get_text() for text in ax.get_legend().get_texts()]
    assert [s.split(".")[0] for s in shown] == [str(i + 1) for i in range(kind, MANY)]
    styles = [
        (tuple(np.round(bars.get_facecolor()[0], 3)), bars.get_hatch())
        for bars in ax.collections
        if not bars.get_label().startswith("_")
    ]
    assert len(styles) == MANY - kind == len(set(styles)), styles
    few = draw(names[:3], p_met[:3], lang)
    assert few.get_figheight() == pytest.approx(4.6)  # a chart grows only when it must

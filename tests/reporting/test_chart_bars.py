"""``charts._bars``: one collection drawing what ``ax.bar``/``barh``/``hist`` draw.

The report charts use it instead of one Patch per bar; these tests hold it to matplotlib's own
bars, limits included (zero-height bars, a zero bar on top of the tallest stack, negative bars,
white edges between histogram bins). A Patch's corner is its data transform applied to a
unit square scaled by its own transform, the collection's the data transform applied to the
corner: where the two roundings straddle half a pixel, an edge's anti-aliasing differs (in a
3 x 2 in histogram, the white line between two bins covers its two pixel columns 245/213
instead of 213/213, or lands a pixel over). The charts' own sizes and shapes are identical."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sbqw_model.reporting import charts


def _pixels(fig: charts.Figure) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(charts.png(fig))).convert("RGB"))


def _alike(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal but for anti-aliasing: under 1 % of pixels differ, each by a blend (≤ 48 a channel)
    or as an edge one pixel over (its colour is in ``b`` next door)."""
    if a.shape != b.shape:
        return False
    differ = np.any(a != b, axis=-1)
    explained = ~differ | np.all(np.abs(a.astype(int) - b) <= 48, axis=-1)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            explained |= np.all(a == np.roll(b, (dy, dx), axis=(0, 1)), axis=-1)
    return bool(explained.all()) and differ.mean() < 0.01


def test_alike_tells_a_shifted_edge_from_a_missing_one() -> None:
    picture = np.full((100, 100, 3), 255, np.uint8)
    picture[5:15, 8] = 0  # a dark edge
    shifted, missing = picture.copy(), picture.copy()
    shifted[5:15, 8], shifted[5:15, 9] = 255, 0
    missing[5:15, 8] = 255
    faint = picture.copy()
    faint[5:15, 8] = 40  # the same edge, blended a little differently
    assert _alike(picture, picture) and _alike(picture, shifted) and _alike(picture, faint)
    assert not _alike(picture, missing)


def _same_limits(a: charts.Axes, b: charts.Axes) -> bool:
    """Equal to the last bits a bar's ``left + width`` may differ by."""
    return a.get_xlim() == pytest.approx(b.get_xlim(), rel=1e-12) and a.get_ylim() == pytest.approx(
        b.get_ylim(), rel=1e-12
    )


def _pair() -> tuple[tuple[charts.Figure, charts.Axes], tuple[charts.Figure, charts.Axes]]:
    return charts._figure((3.0, 2.0)), charts._figure((3.0, 2.0))


def test_the_corners_are_a_rectangles_in_its_order() -> None:
    fig, ax = charts._figure((2.0, 1.0))
    bars = charts._bars(ax, [0, 2], 0, 1, [5, 7], facecolor="red")
    assert bars.get_paths()[1].vertices[:4].tolist() == [[2, 0], [3, 0], [3, 7], [2, 7]]
    assert bars.sticky_edges.y == [0, 0] and bars.sticky_edges.x == []
    assert ax.get_ylim()[0] == 0  # the base is sticky: no margin below the bars
    charts.png(fig)


def _stacked(ax: charts.Axes, layers: np.ndarray, *, ours: bool) -> None:
    x = np.arange(layers.shape[1])
    bottom = np.zeros(layers.shape[1])
    for i, heights in enumerate(layers):
        color = charts.COLORS[i % len(charts.COLORS)]
        if ours:
            charts._bars(ax, x - 0.4, bottom, 0.8, heights, facecolor=color)
        else:
            ax.bar(x, heights, bottom=bottom, color=color)
        bottom = bottom + heights
    ax.set_xticks(x, [str(2024 + i) for i in x])


@pytest.mark.parametrize(
    "layers",
    [
        [[3.0, 5.0, 4.0], [1.0, 2.0, 0.5]],
        [[3.0, 5.0, 4.0], [1.0, 0.0, 0.5]],  # a zero bar tops the tallest stack: sticky top
        [[0.0, 0.0, 0.0], [2.0, 0.0, 1.0]],  # zero-height bars
        [[2.0, -1.5, 1.0], [0.5, -0.5, 2.0]],  # bars below zero
    ],
)
def test_stacked_bars_look_like_ax_bar(layers: list[list[float]]) -> None:
    (theirs, ax1), (ours, ax2) = _pair()
    _stacked(ax1, np.array(layers), ours=False)
    _stacked(ax2, np.array(layers), ours=True)
    assert _same_limits(ax1, ax2)
    assert np.array_equal(_pixels(theirs), _pixels(ours))


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(0, 1e4, allow_subnormal=False), min_size=1, max_size=9),
    st.floats(-50, 50, allow_subnormal=False),
)
def test_horizontal_bars_look_like_ax_barh(widths: list[float], start: float) -> None:
    (theirs, ax1), (ours, ax2) = _pair()
    pos = np.arange(len(widths))[::-1]
    ax1.barh(pos, widths, left=start, color=charts.COLORS[1])
    charts._bars(ax2, start, pos - 0.4, widths, 0.8, horizontal=True, facecolor=charts.COLORS[1])
    assert _same_limits(ax1, ax2)
    assert _alike(_pixels(theirs), _pixels(ours))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_histogram_bins_look_like_ax_hist(seed: int) -> None:
    """At the report's size the bins fall where ``ax.hist`` puts them, to the pixel."""
    values = np.random.default_rng(seed).lognormal(10, 0.3, 2000)
    (theirs, ax1), (ours, ax2) = charts._figure(), charts._figure()
    ax1.hist(values, bins=50, color=charts.COLORS[1], edgecolor="white")
    charts._histogram(ax2, values, 50, facecolor=charts.COLORS[1], edgecolor="white")
    assert _same_limits(ax1, ax2)
    assert np.array_equal(_pixels(theirs), _pixels(ours))


def test_a_legend_keys_bars_alike() -> None:
    (theirs, ax1), (ours, ax2) = _pair()
    ax1.bar([0, 1], [2, 3], color=charts.COLORS[3], label="补贴 subsidy")
    charts._bars(ax2, [-0.4, 0.6], 0, 0.8, [2, 3], facecolor=charts.COLORS[3], label="补贴 subsidy")
    for ax in (ax1, ax2):
        ax.legend(loc="upper left", frameon=False)
    assert np.array_equal(_pixels(theirs), _pixels(ours))

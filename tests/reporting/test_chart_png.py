"""``charts.png``: the report's PNGs are drawn faster (titles and empty axis labels pinned,
ticks out of view not made, stored as RGB, zlib level 3) but show
exactly what matplotlib's own ``savefig`` shows, including where its title search matters."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from sbqw_model.reporting import charts


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def _plain_savefig(fig: charts.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _simple() -> charts.Figure:
    fig, ax = charts._figure()
    ax.bar(["2023", "2024", "2025"], [3.0, 5.0, 4.0])
    ax.set_title("预算 budget")
    return fig


def _offset_text() -> charts.Figure:  # "+1e6" sits where the title would be
    fig, ax = charts._figure()
    ax.plot([1, 2, 3], [1e6 + 1, 1e6 + 3, 1e6 + 2])
    ax.set_title("一个很长的标题 with an offset text under it " * 2)
    return fig


def _twin() -> charts.Figure:
    fig, ax = charts._figure()
    ax.plot([1, 2], [1, 2])
    other = ax.twinx()
    other.plot([1, 2], [1e7 + 1, 1e7 + 5])
    ax.set_title("twin axes")
    return fig


def _grid() -> charts.Figure:
    charts.register_fonts()
    fig, axes = plt.subplots(1, 3, figsize=(8, 3), dpi=110)
    for i, ax in enumerate(axes):
        ax.plot([0, 1], [0, 10**i])
        ax.set_title(f"第{i + 1}个", fontsize=10)
    fig.suptitle("三个小图")
    return fig


@pytest.mark.parametrize("build", [_simple, _offset_text, _twin, _grid])
def test_png_shows_what_savefig_shows(build: Callable[[], charts.Figure]) -> None:
    assert np.array_equal(_pixels(charts.png(build())), _pixels(_plain_savefig(build())))


def test_titles_are_pinned_only_where_the_search_cannot_move_them() -> None:
    for build, pinned in ((_simple, True), (_grid, True), (_offset_text, False), (_twin, False)):
        fig = build()
        charts._pin_titles(fig)
        assert all(ax._autotitlepos is False for ax in fig.axes) is pinned, build.__name__
        plt.close(fig)


def test_png_closes_a_pyplot_figure() -> None:
    """Figures made with pyplot (the research charts) are released by ``png`` as by savefig."""
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([0, 1], [1, 0])
    charts.png(fig)
    assert not plt.fignum_exists(fig.number)


def test_report_figures_stay_out_of_pyplot() -> None:
    """The report's figures live on their own canvas: nothing for pyplot to keep alive."""
    before = plt.get_fignums()
    charts.png(_simple())
    assert plt.get_fignums() == before


def test_an_opaque_chart_is_stored_as_rgb_a_transparent_one_keeps_its_alpha() -> None:
    opaque = Image.open(io.BytesIO(charts.png(_simple())))
    assert opaque.mode == "RGB" and opaque.size == (880, 462)  # 8 x 4.2 in at 110 dpi
    assert opaque.info["dpi"] == pytest.approx((110, 110), abs=0.01)

    def see_through() -> charts.Figure:
        fig = _simple()
        fig.patch.set_alpha(0.0)
        return fig

    shown = charts.png(see_through())
    assert Image.open(io.BytesIO(shown)).mode == "RGBA"
    assert np.array_equal(_pixels(shown), _pixels(_plain_savefig(see_through())))


def test_a_height_a_hair_under_a_whole_pixel_keeps_its_last_row() -> None:
    """4.6 in x 110 dpi is 505.99999999999994 px: savefig draws 506 rows, so must ``png``."""
    fig, ax = charts._figure((8.0, 4.6))
    ax.plot([0, 1], [0, 1])
    assert Image.open(io.BytesIO(charts.png(fig))).size == (880, 506)


def test_the_offset_case_is_one_where_pinning_would_show() -> None:
    """The guard matters: pinned regardless, the offset text's title would be drawn lower."""
    fig = _offset_text()
    for ax in fig.axes:
        ax._autotitlepos = False
    forced = _plain_savefig(fig)
    assert not np.array_equal(_pixels(forced), _pixels(_plain_savefig(_offset_text())))


def _labelled_beyond_ticks() -> charts.Figure:
    """AutoLocator puts 200 and 1600 outside this view; the y axis has a label, x none."""
    fig, ax = charts._figure()
    ax.plot([2022, 2025], [400.0, 1500.0])
    ax.set_ylim(376.66, 1534.34)
    ax.set_ylabel("亿元")
    return fig


@pytest.mark.parametrize("build", [_labelled_beyond_ticks])
def test_pinned_labels_and_trimmed_ticks_show_what_savefig_shows(
    build: Callable[[], charts.Figure],
) -> None:
    assert np.array_equal(_pixels(charts.png(build())), _pixels(_plain_savefig(build())))


@pytest.mark.parametrize(
    ("view", "shown"),
    [
        ((376.66, 1534.34), [400, 600, 800, 1000, 1200, 1400]),  # AutoLocator: 200 … 1600
        ((0, 11.45), [0, 2, 4, 6, 8, 10]),  # … and 12
        ((1534.34, 376.66), [400, 600, 800, 1000, 1200, 1400]),  # an inverted axis
        ((1.001, 1.0015), [1.001, 1.0011, 1.0012, 1.0013, 1.0014, 1.0015]),  # ends on ticks
    ],
)
def test_shown_ticks_are_the_automatic_ones_in_view(
    view: tuple[float, float], shown: list[float]
) -> None:
    _fig, ax = charts._figure()
    ax.set_ylim(*view)
    locator = charts.ShownTicks()
    locator.set_axis(ax.yaxis)
    assert locator().tolist() == pytest.approx(shown, rel=1e-12)


def test_shown_ticks_keep_all_when_fewer_than_two_are_in_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MaxNLocator keeps two ticks in view; were it not to, the formatter would read the view's
    ends instead of the ticks' spacing, so all ticks are kept as they were."""
    _fig, ax = charts._figure()
    ax.set_ylim(4.0, 6.0)
    monkeypatch.setattr(charts.AutoLocator, "__call__", lambda self: np.array([0.0, 5.0, 10.0]))
    locator = charts.ShownTicks()
    locator.set_axis(ax.yaxis)
    assert locator().tolist() == [0.0, 5.0, 10.0]


def test_png_trims_only_automatic_linear_locators() -> None:
    from matplotlib.ticker import MaxNLocator

    fig = charts._canvas((6.0, 2.0))
    axes = fig.subplots(1, 3)
    axes[1].set_yscale("log")
    axes[2].yaxis.set_major_locator(MaxNLocator(3))  # a locator a chart chose itself
    charts._only_shown_ticks(fig)
    kinds = [type(ax.yaxis.get_major_locator()).__name__ for ax in axes]
    assert kinds == ["ShownTicks", "LogLocator", "MaxNLocator"]


def test_figures_of_a_size_share_a_renderer_within_a_thread_only() -> None:
    import threading

    def renderer(size: tuple[float, float] = charts.WIDE) -> object:
        return charts._canvas(size).canvas.get_renderer()

    shared = renderer()
    assert renderer() is shared and renderer((3.0, 2.0)) is not shared
    for width in range(charts.ReportCanvas.KEEP + 1):  # a bounded pool: the oldest goes
        renderer((1.0 + width, 1.0))
    assert renderer() is not shared
    elsewhere: list[object] = []
    worker = threading.Thread(target=lambda: elsewhere.append(renderer()))
    worker.start()
    worker.join()
    assert elsewhere[0] is not shared


def test_a_shared_renderer_carries_nothing_from_one_chart_to_the_next() -> None:
    """Drawn after a busy chart of the same size, a chart shows what it shows alone."""
    busy, busy_ax = charts._figure()
    busy_ax.fill_between([0, 1], [0, 0], [1, 1], color="black")
    busy_ax.set_title("一个很黑的图 a dark chart")
    charts.png(busy)
    assert np.array_equal(_pixels(charts.png(_simple())), _pixels(_plain_savefig(_simple())))


def _texts(canvas_class: type) -> charts.Figure:
    """Texts of every kind the charts draw: sizes, a bold one, lines of hanzi and Latin."""
    fig = charts._canvas((6.0, 3.0))
    canvas_class(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="中位数 median")
    ax.set_title("分年度支出：中位数与90%区间\nOutlay by payment year (upper bound)")
    ax.set_ylabel("万元 10,000 yuan")
    ax.legend(fontsize=8, title="图例", title_fontproperties={"weight": "bold"})
    ax.annotate("目标 target ¥100bn", (0.1, 0.8), fontsize=13)
    fig.suptitle("认定数量与目标", x=0.02, ha="left", fontsize=7.5)
    return fig


def test_the_report_renderer_lays_text_out_as_matplotlibs_own() -> None:
    """``ReportRenderer`` answers matplotlib's question for a font's line height from a cache:
    the same pixels as the stock Agg renderer, and matplotlib does ask it (else the cache
    would be dead code and the charts ~10 % slower)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sbqw_model.reporting import chart_canvas

    asked = chart_canvas._font_height_metrics.cache_info()
    ours = charts.png(_texts(charts.ReportCanvas))
    now = chart_canvas._font_height_metrics.cache_info()
    assert now.hits + now.misses > asked.hits + asked.misses
    assert np.array_equal(_pixels(ours), _pixels(charts.png(_texts(FigureCanvasAgg))))

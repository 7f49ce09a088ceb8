"""Where a report chart's plots go: measured around what is drawn, never guessed.

Every chart ends with ``fit``: one measuring pass over its tick labels, titles and legends
(the axes' own and the figure's) moves the subplots' edges so all of it lies inside the
figure, ``PAD`` from its edge, and the plots take all the room that is left. Fixed margins
(fractions of the figure, tuned by hand for one language) cut an English legend off at the
figure's edge and left the comparison's charts a fifth empty under their tick labels.
matplotlib's constrained layout does the same job in two measuring passes plus a hidden
draw at ``savefig`` (70 % more chart time); this one pass costs ~5 ms a chart.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator
from matplotlib.transforms import Bbox

#: Room between anything drawn and the figure's edge, between the figure's own title or legend
#: and the plots' decorations, and between neighbouring plots' decorations, in points.
PAD = 5.0


def inset(fig: Figure) -> tuple[float, float]:
    """``PAD`` as fractions of the figure's width and height: where a figure-level title or
    legend is anchored, so it has the same room to the edge as everything else."""
    return PAD / 72 / fig.get_figwidth(), PAD / 72 / fig.get_figheight()


def fit(fig: Figure, plot_height: float | None = None) -> Figure:
    """Lay ``fig``'s one row of plots out around what they draw (see the module); returns it.

    The figure's own texts and legends stay where they are anchored (at its top or bottom
    edge) and the plots' decorations are kept clear of them. With ``plot_height`` (inches),
    the figure's height becomes the plots' height plus what is drawn around them: a chart
    whose rows are its content (a bar a scenario) is as tall as they need, no taller (for
    figures without texts or legends of their own, which are anchored in fractions of it).
    """
    renderer = fig.canvas.get_renderer()
    axes = sorted((ax for ax in fig.axes if ax.get_in_layout()), key=lambda ax: ax.bbox.x0)
    if not axes:
        return fig
    inks = [_ink(ax, renderer) for ax in axes]
    for ax in axes:
        _keep_ticks(ax)
    ink, frame = Bbox.union(inks), Bbox.union([ax.bbox for ax in axes])
    pad = PAD * fig.dpi / 72
    above, below = _bands(fig, renderer, pad)
    above += ink.y1 - frame.y1  # the plots' own titles, x labels and tick labels
    below += frame.y0 - ink.y0
    if plot_height is not None:
        fig.set_figheight(plot_height + (above + below) / fig.dpi)
    width, height = fig.bbox.width, fig.bbox.height
    x0, x1 = pad + frame.x0 - ink.x0, width - pad - (ink.x1 - frame.x1)
    gaps = [  # between neighbours: what each draws beyond its side, and a pad
        (ink_a.x1 - a.bbox.x1) + (b.bbox.x0 - ink_b.x0) + pad
        for a, b, ink_a, ink_b in zip(axes, axes[1:], inks, inks[1:], strict=False)
    ]
    gap = max(gaps, default=0.0)
    left, right = _keep_room(x0 / width, x1 / width)
    bottom, top = _keep_room(below / height, 1 - above / height)
    plot_width = max((right - left) * width - gap * len(gaps), len(axes)) / len(axes)
    fig.subplots_adjust(
        left=left, right=right, bottom=bottom, top=top, wspace=gap / plot_width if gaps else None
    )
    return fig


#: The least share of the figure the plots keep, across and down, whatever is drawn around
#: them: a label longer than the figure is cut at its edge rather than the chart failing.
MIN_PLOT = 0.2


def _keep_room(low: float, high: float) -> tuple[float, float]:
    """``low`` < ``high`` within 0–1 and at least ``MIN_PLOT`` apart (``subplots_adjust``
    refuses anything else)."""
    low = min(max(low, 0.0), 1 - MIN_PLOT)
    return low, min(max(high, low + MIN_PLOT), 1.0)


def _keep_ticks(ax: Axes) -> None:
    """The ticks measured stay the ticks drawn: at the plot's new length a locator may pick
    others, whose labels ("0.25" where "0.5" was measured) would no longer fit. (This makes
    the one pass exact; constrained layout runs twice for it.)"""
    for axis in (ax.xaxis, ax.yaxis):
        if not isinstance(axis.get_major_locator(), FixedLocator):
            axis.set_major_locator(FixedLocator(axis.get_majorticklocs()))


def _ink(ax: Axes, renderer: RendererBase) -> Bbox:
    """What ``ax`` draws, as matplotlib's layouts measure it, less what cannot reach beyond
    its tick labels and titles: clipped artists (bars, lines: drawn inside the plot) and the
    spines (a spine's tick marks lie inside its tick labels), which measuring would lay each
    axis' ticks out again (a third of the pass)."""
    spines = set(ax.spines.values())
    beyond = [
        a
        for a in ax.get_default_bbox_extra_artists()
        if a not in spines and not (a.get_clip_on() and (a.get_clip_box() or a.get_clip_path()))
    ]
    return ax.get_tightbbox(renderer, bbox_extra_artists=beyond, for_layout_only=True)


def _bands(fig: Figure, renderer: RendererBase, pad: float) -> tuple[float, float]:
    """The room (pixels) the figure's own texts and legends take at its top and its bottom,
    each taken as anchored at the edge it is nearer, plus ``pad`` (the edge's own room)."""
    height = fig.bbox.height
    above = below = pad
    for artist in (*fig.texts, *fig.legends):
        if artist.get_visible() and artist.get_in_layout() and _drawn(artist):
            box = artist.get_window_extent(renderer)
            if box.y0 + box.y1 > height:
                above = max(above, height - box.y0 + pad)
            else:
                below = max(below, box.y1 + pad)
    return above, below


def _drawn(artist: object) -> bool:
    """A figure text with no words (an unset suptitle) takes no room."""
    get_text = getattr(artist, "get_text", None)
    return get_text is None or bool(get_text().strip())

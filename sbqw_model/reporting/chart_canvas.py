"""The canvas and renderer the report's charts draw on: matplotlib's Agg, with what it would
measure again and again remembered.

Kept apart from the charts themselves: how a chart is drawn fast, not what it shows.
"""

from __future__ import annotations

import functools
import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import FontProperties, findfont, get_font

#: The font tables matplotlib reads a text's line height from, in its order: (table, line
#: gap, ascender, descender) keys.
_HEIGHT_TABLES = (
    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
    ("hhea", "lineGap", "ascent", "descent"),
)


class ReportRenderer(RendererAgg):
    """An Agg renderer that knows each font's line metrics after the first time.

    matplotlib lays out a text (to draw it, and again to measure it for the layout) by
    finding its font file and reading two of the font's tables for its ascender, descender
    and line gap: ~25 µs, some 250 times a chart. It asks the renderer first when the
    renderer can say (``_get_font_height_metrics``, how the PDF backend answers); this one
    answers from a cache, with the same arithmetic on the same tables (held to matplotlib's
    own layouts by a test).
    """

    def _get_font_height_metrics(
        self, prop: FontProperties
    ) -> tuple[float | None, float | None, float | None]:
        # keyed by the font file the properties find now (a generic family resolves through
        # rcParams, which a notebook may change), its size and the resolution
        return _font_height_metrics(findfont(prop), prop.get_size_in_points(), self.dpi)


@functools.lru_cache(maxsize=64)
def _font_height_metrics(
    path: str, points: float, dpi: float
) -> tuple[float | None, float | None, float | None]:
    """(ascent, descent, line gap) in pixels, as ``Text._get_layout`` computes them; Nones
    when the font has neither table (matplotlib then measures a sample text itself)."""
    font = get_font(path)
    for name, gap, ascent, descent in _HEIGHT_TABLES:
        table = font.get_sfnt_table(name)
        if table is None:
            continue
        per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / per_em * points * dpi / 72  # matplotlib's order
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class ReportCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is shared by the thread's figures of the same pixel size.

    matplotlib keeps the size of every text it has measured (a CJK string costs ~0.4 ms to
    lay out) in a cache that lives with the renderer, and a canvas makes a new renderer for
    each figure: charts re-measured the same titles, tick labels and legend entries, chart
    after chart and report after report. A renderer is cleared before each draw, so sharing
    it changes no pixel; sharing stays within a thread, which draws one figure at a time.
    """

    _pool = threading.local()

    #: Renderers kept a thread (the charts use four sizes; a notebook's "tight" PNGs, more).
    KEEP = 8

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        renderers = self._pool.__dict__.setdefault("renderers", {})
        if key not in renderers:
            if len(renderers) >= self.KEEP:  # the least recently made one goes
                del renderers[next(iter(renderers))]
            renderers[key] = ReportRenderer(width, height, self.figure.dpi)
        self.renderer, self._lastKey = renderers[key], key
        return self.renderer

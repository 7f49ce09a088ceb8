"""Report fragments: Jinja templates with autoescape, and the objects notebooks display.

Every piece of HTML a report shows is a template under ``templates/fragments`` rendered with
autoescape on, so a scenario title containing ``<script>`` shows as text without any escaping
by convention. ``HTML`` and ``Chart`` are minimal rich-display objects (what IPython's own do)
so this module needs no IPython.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

import jinja2
from markupsafe import Markup, escape

from sbqw_model.reporting.i18n import t

__all__ = [
    "HTML",
    "SUMMARY_MIME",
    "Chart",
    "Markup",
    "display_data",
    "escape",
    "hash_text",
    "publish",
    "render",
    "table",
]

#: The hidden output carrying a report's summary to the runner (its workbook, the comparison).
#: Here, not in ``scenario_report``: the runner reads it without importing the charts.
SUMMARY_MIME = "application/vnd.sbqw.summary+json"


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sbqw_model.reporting", "templates/fragments"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> Markup:
    """A fragment rendered from ``templates/fragments/<template>`` (escaped unless Markup)."""
    return Markup(environment().get_template(template).render(**context))


def table(header: Sequence[Any], rows: Sequence[Sequence[Any]], cls: str = "sbqw") -> Markup:
    """A table in a box that scrolls sideways on a narrow screen; every cell is escaped."""
    return render("table.html.j2", header=header, rows=rows, cls=cls)


def hash_text(digest: str) -> Markup:
    """A file hash in a table cell: one 64-character word that print sets in two lines, so the
    columns after it stay on an A4 page (``.sbqw-hash`` in ``report.css``); the HTML keeps it
    whole, for whoever searches the page for a file's hash."""
    return render("hash.html.j2", digest=digest)


class _VisibleText(HTMLParser):
    """The text a reader sees in a fragment: tags dropped (a block or cell boundary is a
    space, so table cells do not run together), styles and scripts left out, entities read."""

    #: Elements whose edges separate words on the page.
    # fmt: off
    BREAKS = frozenset({
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul",
    })
    # fmt: on
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """What a fragment shows as text: tags stripped, entities read, whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


class HTML:
    """Rendered markup for a notebook output (``_repr_html_``); as plain text (a terminal,
    a frontend without HTML, the ipynb's ``text/plain``), the words it shows."""

    def __init__(self, markup: str):
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return visible_text(self.markup)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def provenance(
    items: Sequence[tuple[str, str]], lang: str, rows_table: Markup | None = None
) -> HTML:
    """The provenance block every report ends with: version, seed, draws, date (and a table)."""
    return HTML(
        render(
            "provenance.html.j2",
            heading=t("provenance", lang),
            items=items,
            colon=t("colon", lang),
            table=rows_table,
        )
    )


class Chart:
    """A rendered chart: PNG bytes for the notebook (and so the HTML), the figure closed; its
    title is the image's alternative text (screen readers, a page whose images are off)."""

    def __init__(self, fig: Any):
        from sbqw_model.reporting.charts import png, title_of

        self.alt = title_of(fig)
        self.png = png(fig)

    def _repr_png_(self) -> tuple[bytes, dict[str, str]]:
        return self.png, {"alt": self.alt}

    def __repr__(self) -> str:
        """As plain text: the chart's title (what its image's alternative text says)."""
        return f"[{self.alt}]" if self.alt else "[chart]"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def display_data(block: HTML | Chart) -> dict[str, Any]:
    """A block as a display_data output (for an Output widget's ``outputs``)."""
    if isinstance(block, Chart):
        data = {"image/png": base64.b64encode(block.png).decode("ascii"), "text/plain": "<chart>"}
        return {
            "output_type": "display_data",
            "data": data,
            "metadata": {"image/png": {"alt": block.alt}},
        }
    data = {"text/html": block.markup, "text/plain": "<table>"}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def publish(payload: dict[str, Any]) -> None:
    """Emit a payload as a raw output of its own MIME type (invisible in the HTML report)."""
    from IPython.display import display

    display(payload, raw=True)

"""Executed notebook → one self-contained HTML page (no code, no CDN, CJK font embedded).

Why a custom template: nbconvert's ``lab`` template loads require.js, MathJax, mermaid (and
the widget manager) from a CDN, which breaks offline and in PDF; and readers of a policy
report want the results, not the code, in a font that has hanzi.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import functools
import html as html_lib
import re
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import nbformat

from sbqw_model.reporting.fonts import font_face_css

__all__ = ["PRINT_CSS", "REMOVE_CELL_TAGS", "external_urls", "notebook_to_html"]

TEMPLATE_NAME = "sbqw"

REMOVE_CELL_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})
"""Cells with any of these tags vanish from the page (papermill's parameter cells included)."""

PRINT_CSS = (files(__package__) / "templates" / "report.css").read_text(encoding="utf-8")
"""A4 pages, readable tables, no prompts, phones: ``templates/report.css``. Browsers ignore the
@page margin box (page numbers); weasyprint honours all of it. On screen it gives a centred
180 mm column; under 640 px, full width with tables scrolling inside their box."""


_resource_stack = contextlib.ExitStack()
atexit.register(_resource_stack.close)


@functools.cache
def _template_dir() -> Path:
    """Our nbconvert template folder as a real path (nbconvert's Jinja loader needs one)."""
    return Path(_resource_stack.enter_context(as_file(files(__package__) / "templates")))


def _page_chars(page: str) -> str:
    """Every non-ASCII character a reader can see (text and attribute values), sorted."""
    visible = html_lib.unescape(page)
    return "".join(sorted(c for c in set(visible) if c > "\x7e"))  # set() first: C speed


#: What nbconvert's HTMLExporter adds after rendering (alt text on images without one, keyboard
#: focus on outputs), done on the page text: its BeautifulSoup round trip cost ~0.15 s a report.
NO_ALT = "No description has been provided for this image"
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
_FOCUSABLE_DIV = re.compile(
    r'<div class="(?=(?:[^"]*\s)?(?:jp-OutputArea-output|jp-Cell-inputWrapper)[\s"])[^"]*"'
)


_CHARREF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_RAW_TEXT = re.compile(r"(<(style|script)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)


def _literal(match: re.Match[str]) -> str:
    char = html_lib.unescape(match.group(0))
    return char if len(char) == 1 and char > "\x7e" else match.group(0)


def _literal_chars(page: str) -> str:
    """Character references of non-ASCII characters as the characters themselves (the markdown
    renderer writes 中 as ``&#20013;``), outside style and script, as BeautifulSoup's output
    has them: the page's text is searchable as written. ``&amp;``, ``&lt;`` … stay."""
    parts = _RAW_TEXT.split(page)  # text, raw block, its tag name, text, …
    for i in range(0, len(parts), 3):
        if "&" in parts[i]:
            parts[i] = _CHARREF.sub(_literal, parts[i])
    return "".join(p for i, p in enumerate(parts) if i % 3 != 2)


def _accessible(page: str) -> str:
    """The page with nbconvert's accessibility attributes, as its exporter would add them."""
    page = _literal_chars(page)
    parts, start = [], 0
    while (tag := page.find("<img", start)) >= 0:  # find, not a regex: the tags hold the PNGs
        end = page.find(">", tag)
        end = len(page) if end < 0 else end
        parts.append(page[start : tag + 4])
        if page[tag + 4 : tag + 5].isspace() and not _ALT.search(page, tag + 4, end):
            parts.append(f' alt="{NO_ALT}"')
        start = tag + 4
    parts.append(page[start:])
    return _FOCUSABLE_DIV.sub(lambda m: f'{m.group(0)} tabindex="0"', "".join(parts))


def _exporter_class() -> type:
    """nbconvert's HTMLExporter without its BeautifulSoup pass (``_accessible`` instead)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            """HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup step."""
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            widgets = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", widgets)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    return Exporter


@functools.lru_cache(maxsize=2)
def _exporter(lang: str) -> Any:
    """One exporter a language per process: a new one compiles its Jinja templates again
    (~0.1 s a report)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = _exporter_class()(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(_template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # validate once, not after each of ~13 preprocessors
        theme="light",
        language_code=lang,  # nbconvert accepts ISO 639-1 only; "zh" drives CJK line breaking
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS), enabled=True), enabled=True
    )
    return exporter


def warm_up(lang: str = "zh") -> None:
    """Pay a process's first page now (a process about to render, while it waits): nbconvert's
    import, every Jinja template the page includes (each compiled at its first use) and the
    font subsetter, which the first report's page would otherwise pay."""
    from nbformat import v4

    from sbqw_model.reporting.i18n import t

    title = t("compare_title", lang)  # text in the page's language: its font is subset too
    notebook_to_html(v4.new_notebook(cells=[v4.new_markdown_cell(title)]), title, lang=lang)


def notebook_to_html(
    nb: nbformat.NotebookNode, title: str, *, subset_fonts: bool = True, lang: str = "zh"
) -> str:
    """Render an (executed) notebook as a standalone HTML report.

    Code inputs and prompts are hidden, cells tagged ``REMOVE_CELL_TAGS`` are dropped, images
    stay inline as data URIs, and the CJK font is embedded; the page has no external URL.
    ``subset_fonts`` embeds only the glyphs the page uses (~0.1 MB instead of ~4 MB);
    ``lang`` ('zh' or 'en') is the page's declared language.
    """
    nb = copy.copy(nb)  # the exporter works on its own deep copy; only the title is ours
    nb.metadata = copy.copy(nb.metadata)
    # The lab template takes <title> from nb.metadata.title first, escaping it; a stale title
    # from the notebook file must not win over the caller's.
    nb.metadata["title"] = title
    exporter = _exporter(lang)
    marker = "/*sbqw-font-face*/"
    resources = {"metadata": {"name": title}, "sbqw_head_css": marker + PRINT_CSS}
    page, _ = exporter.from_notebook_node(nb, resources=resources)
    css = font_face_css(_page_chars(page) if subset_fonts else None)
    return page.replace(marker, css, 1)


# --- external URL check -------------------------------------------------------------------

_ATTR_URL = re.compile(
    r"""\b(?P<attr>src|href|srcset|action|poster|background|data|xlink:href|formaction)\s*=\s*
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""",
    re.IGNORECASE | re.VERBOSE,
)
_CSS_URL = re.compile(
    r"""url\(\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^)\s]*))\s*\)""", re.IGNORECASE
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:)?//|^(?:https?|ftp|wss?):", re.IGNORECASE)


def external_urls(page: str) -> list[str]:
    """URLs in ``src``/``href``/``srcset``/``url()``/``@import`` that point off the page.

    ``data:``, ``#fragment`` and relative references are not external. Used by tests to prove
    a report opens (and prints) with no network; ``<a href>`` links count too, on purpose.
    """
    found: list[str] = []
    for pattern in (_ATTR_URL, _CSS_URL, _CSS_IMPORT):
        for match in pattern.finditer(page):
            groups = match.groupdict()
            value = html_lib.unescape(
                next(groups[k] for k in ("dq", "sq", "bare") if groups.get(k) is not None) or ""
            )
            if (groups.get("attr") or "").lower() == "srcset":
                candidates = [part.split()[0] for part in value.split(",") if part.strip()]
            else:
                candidates = [value]
            found.extend(c.strip() for c in candidates if _EXTERNAL.match(c.strip()))
    return found

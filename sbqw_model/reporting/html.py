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


@functools.lru_cache(maxsize=2)
def _exporter(lang: str) -> Any:
    """One exporter a language per process: a new one compiles its Jinja templates again
    (~0.1 s a report)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(_template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        theme="light",
        language_code=lang,  # nbconvert accepts ISO 639-1 only; "zh" drives CJK line breaking
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS), enabled=True), enabled=True
    )
    return exporter


def warm_up(lang: str = "zh") -> None:
    """Import nbconvert and compile the page template now (a process about to render)."""
    _exporter(lang).template  # noqa: B018 (compiles the Jinja templates)


def notebook_to_html(
    nb: nbformat.NotebookNode, title: str, *, subset_fonts: bool = True, lang: str = "zh"
) -> str:
    """Render an (executed) notebook as a standalone HTML report.

    Code inputs and prompts are hidden, cells tagged ``REMOVE_CELL_TAGS`` are dropped, images
    stay inline as data URIs, and the CJK font is embedded; the page has no external URL.
    ``subset_fonts`` embeds only the glyphs the page uses (~0.1 MB instead of ~4 MB);
    ``lang`` ('zh' or 'en') is the page's declared language.
    """
    nb = copy.deepcopy(nb)
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

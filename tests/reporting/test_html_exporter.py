"""The report page without nbconvert's BeautifulSoup pass is the page nbconvert makes.

``html._accessible`` adds what nbconvert's HTMLExporter adds after rendering (alt text,
keyboard focus) and writes non-ASCII character references as characters, as its soup did; the
document a browser builds must be the same, and the page's text searchable as before.
"""

from __future__ import annotations

import base64

import pytest
from nbformat import v4

from sbqw_model.reporting import html

bs4 = pytest.importorskip("bs4")
nbconvert = pytest.importorskip("nbconvert")

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d4944415478da63f8cfc0f01f0005000201a7a3b1e10000000049454e44ae426082"
    )
).decode("ascii")


def _notebook() -> v4.NotebookNode:
    code = v4.new_code_cell("plot()")
    code.outputs = [
        v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        v4.new_output(
            "display_data",
            data={"text/html": "<table><tr><td>毕节市 &amp; 遵义</td></tr></table>"},
        ),
        v4.new_output("stream", name="stdout", text="打印 <b>not bold</b> ¶"),
    ]
    shown = v4.new_code_cell("x")
    shown.outputs = [
        v4.new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"image/png": {"width": 40}},
        )
    ]
    return v4.new_notebook(
        cells=[v4.new_markdown_cell("# 结论 Conclusion\n\n正文 — *prose* & more"), code, shown]
    )


def _soup(page: str) -> str:
    return str(bs4.BeautifulSoup(page, "html.parser"))


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    nb = _notebook()
    ours = html.notebook_to_html(nb, "标题")
    html._exporter.cache_clear()
    monkeypatch.setattr(html, "_exporter_class", lambda: nbconvert.HTMLExporter)
    stock = html.notebook_to_html(nb, "标题")
    html._exporter.cache_clear()
    return ours, stock


def test_same_document_as_nbconvert(pages: tuple[str, str]) -> None:
    ours, stock = pages
    assert _soup(ours) == _soup(stock)


def test_accessibility_attributes_and_searchable_text(pages: tuple[str, str]) -> None:
    ours, _ = pages
    assert ours.count(f'alt="{html.NO_ALT}"') == 2
    assert ours.count('tabindex="0"') >= 4  # the markdown cell and each output
    assert "结论 Conclusion" in ours and "正文" in ours and "¶" in ours  # not &#32467;…
    assert "毕节市 &amp; 遵义" in ours and "&lt;b&gt;not bold&lt;/b&gt;" in ours


def test_an_image_with_alt_text_keeps_it() -> None:
    page = '<img src="data:image/png;base64,AAAA" alt="chart"><img\nsrc="x">'
    fixed = html._accessible(page)
    assert fixed.count("alt=") == 2 and 'alt="chart"' in fixed

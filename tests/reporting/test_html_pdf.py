"""Notebook → self-contained HTML → A4 PDF, with the CJK font embedded and no network."""

from __future__ import annotations

import base64
import builtins
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from nbformat import v4

from sbqw_model.reporting import pdf as pdf_module
from sbqw_model.reporting.fonts import FONT_FAMILY, register_fonts
from sbqw_model.reporting.html import external_urls, notebook_to_html
from sbqw_model.reporting.pdf import html_to_pdf

TITLE = "<script>alert(1)</script> 黔东南州报告"
HEADING = "贵州省“十百千万”工程"
PROSE = "全省网络零售额达到 1000 亿元，黔商发〔2023〕1号。"
SOURCE_MARKER = "SOURCE_SHOULD_NOT_SHOW"
HIDDEN_OUTPUT = "PARAMETER_OUTPUT_SHOULD_NOT_SHOW"


def _png() -> str:
    with matplotlib.rc_context():
        register_fonts()
        fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
        ax.plot([2023, 2024, 2025], [1.0, 1.2, 1.5])
        ax.set_title("网络零售额（亿元）")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


@pytest.fixture(scope="module")
def png_b64() -> str:
    return _png()


@pytest.fixture(scope="module")
def notebook(png_b64: str) -> nbformat.NotebookNode:
    table = pd.DataFrame({"市（州）": ["毕节市", "六盘水市"], "网络零售额（万元）": [1234.5, 67.8]})
    params = v4.new_code_cell("year = 2025", metadata={"tags": ["injected-parameters"]})
    params.outputs = [v4.new_output("stream", name="stdout", text=HIDDEN_OUTPUT)]
    dropped = v4.new_code_cell("x = 1", metadata={"tags": ["remove_cell"]})
    dropped.outputs = [v4.new_output("stream", name="stdout", text=HIDDEN_OUTPUT)]
    code = v4.new_code_cell(f"{SOURCE_MARKER} = plot()")
    code.outputs = [
        v4.new_output("display_data", data={"image/png": png_b64, "text/plain": "<Figure>"}),
        v4.new_output(
            "execute_result",
            data={"text/html": table.to_html(), "text/plain": table.to_string()},
            execution_count=2,
        ),
    ]
    nb = v4.new_notebook(
        cells=[v4.new_markdown_cell(f"# {HEADING}\n\n{PROSE}"), params, dropped, code]
    )
    nb.metadata["title"] = "stale title from the file"
    return nb


@pytest.fixture(scope="module")
def page(notebook: nbformat.NotebookNode) -> str:
    return notebook_to_html(notebook, TITLE)


def test_html_hides_code_and_parameter_cells(page: str) -> None:
    assert SOURCE_MARKER not in page
    assert HIDDEN_OUTPUT not in page
    assert HEADING in page and PROSE in page
    assert "毕节市" in page and "网络零售额（万元）" in page  # the pandas table


def test_html_embeds_image_and_font(page: str, png_b64: str) -> None:
    assert f"data:image/png;base64,{png_b64[:200]}" in page
    assert "@font-face" in page and f'font-family: "{FONT_FAMILY}"' in page
    # The embedded font is subset to the page yet has every glyph it shows.
    b64 = re.search(r"data:font/otf;base64,([A-Za-z0-9+/=]+)", page)
    assert b64
    with TTFont(io.BytesIO(base64.b64decode(b64.group(1)))) as font:
        cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in HEADING + PROSE + "毕节市六盘水")
    assert len(page) < 1_500_000  # full fonts would add ~4.3 MB


def test_html_has_no_external_url(page: str) -> None:
    assert external_urls(page) == []
    assert "require.js" not in page and "mathjax" not in page.lower()


def test_html_declares_chinese(page: str) -> None:
    assert '<html lang="zh"' in page  # browsers pick CJK line breaking and glyph forms by it


def test_html_title_is_escaped(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and title.group(1).strip() == "&lt;script&gt;alert(1)&lt;/script&gt; 黔东南州报告"


def test_html_leaves_the_callers_notebook_alone(notebook: nbformat.NotebookNode) -> None:
    assert notebook.metadata["title"] == "stale title from the file"
    assert len(notebook.cells) == 4


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            '<script src="https://cdn.example/require.js"></script>',
            ["https://cdn.example/require.js"],
        ),
        ("<link rel=stylesheet href=//cdn.example/a.css>", ["//cdn.example/a.css"]),
        ("<style>@import 'http://x.example/a.css';</style>", ["http://x.example/a.css"]),
        (
            "<style>b{background:url( HTTPS://x.example/i.png )}</style>",
            ["HTTPS://x.example/i.png"],
        ),
        ('<img srcset="a.png 1x, https://x.example/b.png 2x">', ["https://x.example/b.png"]),
        ('<a href="https&#58;//x.example/">x</a>', ["https://x.example/"]),
        ('<img src="data:image/png;base64,AAAA"><a href="#s1">x</a><img src="a/b.png">', []),
        ('<div data-mime-type="text/html">https://in.text/only</div>', []),
    ],
)
def test_external_urls(snippet: str, expected: list[str]) -> None:
    assert external_urls(snippet) == expected


@pytest.fixture(scope="module")
def pdf_file(page: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    html_to_pdf(page, out)
    return out


def test_pdf_is_written_atomically(pdf_file: Path) -> None:
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in pdf_file.parent.iterdir()] == ["report.pdf"]  # no temp file left


def test_pdf_embeds_the_sbqw_font(pdf_file: Path) -> None:
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    listing = subprocess.run(
        ["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True
    ).stdout
    fonts = listing.splitlines()[2:]
    assert any("SBQW" in line for line in fonts), listing
    # Columns end with: emb sub uni object-id generation. Every font must be embedded.
    assert all(line.split()[-5] == "yes" for line in fonts), listing
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf_file), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "十百千万" in text and "毕节市" in text  # real text, not boxes or outlines


def test_pdf_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    weasyprint = pdf_module._import_weasyprint()

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("render failed")

    monkeypatch.setattr(weasyprint, "HTML", boom)
    with pytest.raises(ValueError, match="render failed"):
        html_to_pdf("<p>x</p>", out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_missing_pango_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError(
                "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared "
                "object file: No such file or directory"
            )
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(RuntimeError, match=r"libpango-1\.0-0.*apt-get install"):
        pdf_module._import_weasyprint()

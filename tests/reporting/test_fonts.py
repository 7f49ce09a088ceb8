"""The shipped CJK font: present, licensed, covering what we write, and used by matplotlib."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from sbqw_model.reporting.fonts import (
    FONT_FAMILY,
    FONT_FILES,
    font_face_css,
    font_path,
    register_fonts,
)
from sbqw_model.reporting.html import external_urls

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "sbqw_model" / "policy"

PLACES = "贵州省十百千万网络零售额亿元万元黔东南州毕节六盘水安顺铜仁遵义黔西南贵阳市"
SYMBOLS = "≥≤×%‰—·〔〕《》、：（）“”‘’±→°§①②③④⑤⑥⑦⑧⑨⑩。，；！？…"


def _cmap(weight: int) -> dict[int, str]:
    with TTFont(str(font_path(weight)), lazy=True) as font:
        return font.getBestCmap()


@pytest.fixture(scope="module")
def cmaps() -> dict[int, dict[int, str]]:
    return {w: _cmap(w) for w in FONT_FILES}


def test_font_files_are_shipped_renamed_and_licensed() -> None:
    for weight in FONT_FILES:
        path = font_path(weight)
        assert path.is_file()
        with TTFont(str(path), lazy=True) as font:
            names = font["name"]
            assert names.getDebugName(1) == FONT_FAMILY
            assert "Noto" not in (names.getDebugName(6) or "")
            assert "Adobe" in (names.getDebugName(0) or "")  # OFL: copyright notice kept
    licence = font_path(400).with_name("OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    total = sum(font_path(w).stat().st_size for w in FONT_FILES)
    assert total < 5_000_000, f"shipped fonts grew to {total:,} bytes"


@pytest.mark.parametrize("text", [PLACES, SYMBOLS, "ABCxyz0123456789+-=/"])
def test_font_has_glyphs_for_used_characters(cmaps: dict[int, dict[int, str]], text: str) -> None:
    for weight, cmap in cmaps.items():
        missing = [c for c in text if ord(c) not in cmap]
        assert not missing, f"weight {weight} lacks {missing}"


def test_font_covers_the_policy_text(cmaps: dict[int, dict[int, str]]) -> None:
    files = sorted([*POLICY_DIR.glob("*.txt"), *POLICY_DIR.glob("*.md")])
    if not files:
        pytest.skip(f"no policy texts at {POLICY_DIR}")
    chars = {c for p in files for c in p.read_text(encoding="utf-8") if c.isprintable()}
    missing = sorted(c for c in chars if c != " " and ord(c) not in cmaps[400])
    assert not missing, f"policy text uses characters outside the subset: {missing}"


def test_register_fonts_is_idempotent_and_puts_cjk_first() -> None:
    with matplotlib.rc_context():
        assert register_fonts() == FONT_FAMILY
        assert register_fonts() == FONT_FAMILY
        assert matplotlib.rcParams["font.sans-serif"][0] == FONT_FAMILY
        assert matplotlib.rcParams["font.sans-serif"].count(FONT_FAMILY) == 1
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        ours = [f for f in font_manager.fontManager.ttflist if f.name == FONT_FAMILY]
        assert sorted(f.weight for f in ours) == [400, 700]
        found = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY))
        assert Path(found) == font_path(400)


def _chinese_chart(title: str) -> bytes:
    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=60)
    try:
        ax.bar(["黔东南州", "毕节市", "六盘水市"], [12.5, -3.0, 8.0])
        ax.set_title(title, fontweight="bold")
        ax.set_xlabel("市（州）")
        ax.set_ylabel("网络零售额增速（%）≥ 目标 × 1.2")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def test_chinese_chart_draws_without_missing_glyph_warnings() -> None:
    with matplotlib.rc_context(), warnings.catch_warnings():
        register_fonts()
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" becomes a failure
        png = _chinese_chart("贵州省“十百千万”工程 ①②③ ‰ ±°")
        fig, ax = plt.subplots(figsize=(2, 1), dpi=40)
        ax.text(0.1, 0.5, "等宽 mono 黔", family=["monospace", FONT_FAMILY])
        fig.canvas.draw()
        plt.close(fig)
    assert png.startswith(b"\x89PNG")


def test_missing_glyph_warning_is_still_raised_outside_the_subset() -> None:
    """Guards the test above: a character outside GB2312 must still be reported."""
    rare = "龘"  # U+9F98, not in GB2312
    assert ord(rare) not in _cmap(400)
    with matplotlib.rc_context():
        register_fonts()
        with pytest.warns(UserWarning, match="missing from font"):
            _chinese_chart(rare)


def test_font_face_css_embeds_both_weights_without_urls() -> None:
    css = font_face_css()
    assert css.count("@font-face") == len(FONT_FILES)
    assert css.count("data:font/otf;base64,") == len(FONT_FILES)
    assert external_urls(css) == []
    assert f'font-family: "{FONT_FAMILY}", ' in css  # CJK face first in the body stack
    assert font_face_css() is css  # cached

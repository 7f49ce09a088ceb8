"""The CJK font shipped with the package, for matplotlib charts and for HTML/PDF reports.

Why a shipped font: matplotlib's default font has no hanzi (charts show boxes), and a system
CJK font would need apt on every machine plus a matplotlib cache rebuild. We ship a GB2312
subset of Noto Sans CJK SC (OFL-1.1, see ``fonts/README.md``) under a family name of our own,
so a system copy of Noto can never shadow it. ``tools/build_font_subset.py`` rebuilds it.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

__all__ = [
    "FONT_FAMILY",
    "FONT_FILES",
    "SANS_FALLBACKS",
    "font_face_css",
    "font_path",
    "font_stack_css",
    "register_fonts",
    "subset_font_bytes",
]

FONT_FAMILY = "SBQW Sans CJK SC"
"""Family name inside the shipped font files (name table ID 1)."""

FONT_FILES: dict[int, str] = {
    400: "SBQWSansCJKSC-Regular.otf",
    700: "SBQWSansCJKSC-Bold.otf",
}
"""CSS weight -> file name in ``sbqw_model/reporting/fonts/``."""

SANS_FALLBACKS = ("DejaVu Sans", "Liberation Sans", "Arial", "Helvetica")
MONO_FALLBACKS = ("DejaVu Sans Mono", "Liberation Mono", "Menlo", "Consolas")

# Keeps as_file() extractions (only real temp files if the package lives in a zip) alive for the
# whole process: matplotlib re-opens font files lazily, long after registration.
_resource_stack = contextlib.ExitStack()
atexit.register(_resource_stack.close)


@functools.cache
def font_path(weight: int = 400) -> Path:
    """Filesystem path of the shipped font for ``weight`` (400 or 700).

    Resolved through importlib.resources so it also works from an installed wheel.
    """
    try:
        name = FONT_FILES[weight]
    except KeyError:
        raise ValueError(
            f"no shipped font for weight {weight}; have {sorted(FONT_FILES)}"
        ) from None
    resource = files(__package__) / "fonts" / name
    path = Path(_resource_stack.enter_context(as_file(resource)))
    if not path.is_file():
        raise FileNotFoundError(f"shipped font missing: {path} (was package data left out?)")
    return path


_registered: set[Path] = set()


def register_fonts() -> str:
    """Make matplotlib draw text with the shipped CJK family; return the family name.

    Must run in every process that plots (a report worker, a Jupyter kernel). Safe to call
    repeatedly: files are added to the font manager once, rcParams are (re)set every call, in
    case a style sheet reset them in between. A generic family resolves to one font only, so
    text that needs another look plus hanzi should name both: ``family=["monospace",
    FONT_FAMILY]`` (matplotlib then falls back glyph by glyph).
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    for weight in FONT_FILES:
        path = font_path(weight)
        if path not in _registered:
            font_manager.fontManager.addfont(str(path))
            _registered.add(path)
    others = [f for f in mpl.rcParams["font.sans-serif"] if f != FONT_FAMILY]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [FONT_FAMILY, *others]
    # The font has U+2212 but tick labels stay in ASCII '-' so copy-paste and search keep working.
    mpl.rcParams["axes.unicode_minus"] = False
    return FONT_FAMILY


def _quoted(families: tuple[str, ...]) -> str:
    return ", ".join(f'"{f}"' for f in families)


def font_stack_css(*, mono: bool = False) -> str:
    """CSS ``font-family`` value; the CJK face comes first for prose (Chromium prints headings
    as boxes otherwise) and right after the monospace faces for code/text output.
    """
    if mono:
        return f'{_quoted(MONO_FALLBACKS)}, "{FONT_FAMILY}", monospace'
    return f'"{FONT_FAMILY}", {_quoted(SANS_FALLBACKS)}, sans-serif'


def subset_font_bytes(weight: int, text: str) -> bytes:
    """The shipped font cut down to the characters of ``text`` (plus ASCII), as OTF bytes.

    Why: embedding both full weights costs ~4 MB of base64 per HTML page; a per-page subset is
    ~0.05 MB. HarfBuzz's subsetter takes ~3 ms a weight where fontTools took ~0.2 s (a tenth
    of a report's time): the same tables, glyphs and names.
    """
    import uharfbuzz as hb

    flags = hb.SubsetFlags
    spec = hb.SubsetInput()
    spec.unicode_set.update(range(0x20, 0x7F))
    spec.unicode_set.update(ord(c) for c in text)
    spec.name_id_set.add_range(0, 0x7FFF)  # keep the OFL copyright and licence names
    spec.name_lang_id_set.add_range(0, 0xFFFF)
    spec.flags = flags.DESUBROUTINIZE | flags.NAME_LEGACY | flags.NOTDEF_OUTLINE
    # Horizontal hanzi and Latin need no OpenType layout (nor vertical metrics).
    spec.layout_feature_tag_set.clear()
    for tag in ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"):
        spec.drop_table_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    face = hb.subset(_face(weight), spec)
    if face is None:
        raise RuntimeError(f"HarfBuzz could not subset {font_path(weight).name}")
    return bytes(face.blob.data)


@functools.cache
def _face(weight: int) -> Any:
    """The shipped font as a HarfBuzz face, read once a process."""
    import uharfbuzz as hb

    return hb.Face(hb.Blob.from_file_path(str(font_path(weight))))


@functools.cache
def _full_font_b64(weight: int) -> str:
    return base64.b64encode(font_path(weight).read_bytes()).decode("ascii")


def _face_rule(weight: int, b64: str) -> str:
    return (
        "@font-face {\n"
        f'  font-family: "{FONT_FAMILY}";\n'
        "  font-style: normal;\n"
        f"  font-weight: {weight};\n"
        f'  src: url("data:font/otf;base64,{b64}") format("opentype");\n'
        "}\n"
    )


@functools.lru_cache(maxsize=8)
def font_face_css(text: str | None = None) -> str:
    """``@font-face`` rules (fonts as base64 data URLs) plus the page font stacks.

    With ``text`` the embedded fonts are subset to its characters (what ``notebook_to_html``
    does); without, the full shipped fonts are embedded (~4.3 MB). No external URL either way.
    """
    faces = []
    for weight in FONT_FILES:
        if text is None:
            b64 = _full_font_b64(weight)
        else:
            b64 = base64.b64encode(subset_font_bytes(weight, text)).decode("ascii")
        faces.append(_face_rule(weight, b64))
    sans, mono = font_stack_css(), font_stack_css(mono=True)
    stacks = (
        ":root {\n"
        f"  --jp-ui-font-family: {sans};\n"
        f"  --jp-content-font-family: {sans};\n"
        f"  --jp-code-font-family: {mono};\n"
        "}\n"
        "html, body, .jp-Notebook, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown,\n"
        "h1, h2, h3, h4, h5, h6, p, li, table, th, td, caption {\n"
        f"  font-family: {sans};\n"
        "}\n"
        "pre, code, kbd, samp, .jp-RenderedText pre {\n"
        f"  font-family: {mono};\n"
        "}\n"
    )
    return "".join(faces) + stacks

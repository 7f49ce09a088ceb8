#!/usr/bin/env python3
"""Rebuild the CJK font subset shipped in ``sbqw_model/reporting/fonts/``.

Why: matplotlib's default font has no hanzi, and relying on a system CJK font needs apt on every
machine (and a matplotlib cache rebuild). So we ship a subset of Noto Sans CJK SC (OFL-1.1),
renamed so that no system copy can shadow it, small enough to live in the wheel.

Source: Debian's ``fonts-noto-cjk`` package (face "Noto Sans CJK SC" inside the Sans TTCs).
Without ``--source-dir`` the script fetches it with ``apt-get download`` + ``dpkg-deb -x``.

The output is byte-reproducible for a given source font, fontTools version and character set:
timestamps are not recalculated and nothing depends on the clock.

Usage::

    python tools/build_font_subset.py                  # apt-get download into a temp dir
    python tools/build_font_subset.py --source-dir /usr/share/fonts/opentype/noto
    python tools/build_font_subset.py --text-dir sbqw_model/policy --no-bold
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "sbqw_model" / "reporting" / "fonts"
DEFAULT_TEXT_DIR = REPO / "sbqw_model" / "policy"

FAMILY = "SBQW Sans CJK SC"
PS_FAMILY = "SBQWSansCJKSC"
SOURCE_FAMILY = "Noto Sans CJK SC"
# file stem -> (source TTC name, style name, usWeightClass)
WEIGHTS = {
    "Regular": ("NotoSansCJK-Regular.ttc", "Regular", 400),
    "Bold": ("NotoSansCJK-Bold.ttc", "Bold", 700),
}

# Unicode ranges kept whole (inclusive).
RANGES: list[tuple[int, int]] = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (±, °, ×, ·, §, ¥ ...)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x203B),  # ‰, primes, ※
    (0x2103, 0x2103),  # ℃
    (0x2116, 0x2116),  # №
    (0x2160, 0x216B),  # Roman numerals Ⅰ..Ⅻ
    (0x2190, 0x2199),  # arrows
    (0x2212, 0x2212),  # minus sign (in case axes.unicode_minus is re-enabled)
    (0x2460, 0x2473),  # ①..⑳
    (0x2474, 0x2487),  # ⑴..⒇
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〔〕《》「」…)
    (0xFF01, 0xFF5E),  # fullwidth ASCII forms (：（）％ ...)
    (0xFFE0, 0xFFE6),  # fullwidth ￥ ￡ ...
]

# Symbols the project writes explicitly, plus characters of the policy text that GB2312 lacks
# (so the build stays reproducible when the policy folder is not at hand).
EXTRA_TEXT = "×≥≤%‰—–·〔〕《》、：（）“”‘’±→°§≈≠∑√∞÷…€劼旻"

# Guizhou prefectures and counties: all in GB2312 today, listed so that a regression is loud.
GUIZHOU_TEXT = (
    "贵州省贵阳六盘水遵义安顺毕节铜仁黔西南黔东南黔南布依族苗族侗族自治州"
    "务川仡佬族道真三都水族镇宁榕江剑河岑巩册亨贞丰湄潭凤冈习水赤水仁怀桐梓绥阳正安播州"
    "汇川红花岗花溪乌当白云观山湖修文息烽开阳清镇钟山六枝特区盘州水城西秀平坝普定关岭紫云"
    "七星关大方金沙织金纳雍威宁彝族回族赫章碧江万山江口玉屏石阡思南印江德江沿河土家族松桃"
    "兴义兴仁普安晴隆望谟安龙凯里黄平施秉三穗镇远天柱锦屏黎平从江雷山麻江丹寨都匀福泉荔波"
    "贵定瓮安独山平塘罗甸长顺龙里惠水"
)


def gb2312_chars() -> set[str]:
    """Every character encodable in GB2312 (via EUC-CN row/cell enumeration)."""
    out: set[str] = set()
    for row in range(0xA1, 0xFF):
        for cell in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.add(bytes((row, cell)).decode("gb2312"))
    return out


def text_dir_chars(dirs: Iterable[Path]) -> set[str]:
    """Characters of every ``*.txt`` / ``*.md`` under the given folders (missing ones skipped)."""
    out: set[str] = set()
    for d in dirs:
        if not d.is_dir():
            print(f"note: text dir {d} not found, skipped", file=sys.stderr)
            continue
        for p in sorted([*d.glob("*.txt"), *d.glob("*.md")]):
            out |= set(p.read_text(encoding="utf-8"))
    return out


def wanted_codepoints(text_dirs: Iterable[Path]) -> list[int]:
    chars = gb2312_chars() | set(EXTRA_TEXT) | set(GUIZHOU_TEXT) | text_dir_chars(text_dirs)
    cps = {ord(c) for c in chars if c.isprintable() or c == "\u3000"}
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    return sorted(cps)


def fetch_debian_fonts(workdir: Path) -> Path:
    """``apt-get download fonts-noto-cjk`` and unpack it; return the folder with the TTCs."""
    subprocess.run(["apt-get", "download", "fonts-noto-cjk"], cwd=workdir, check=True)
    debs = sorted(workdir.glob("fonts-noto-cjk_*.deb"))
    if not debs:
        raise SystemExit("apt-get download produced no fonts-noto-cjk_*.deb")
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(workdir / "x")], check=True)
    print(f"source package: {debs[-1].name}", file=sys.stderr)
    return workdir / "x" / "usr" / "share" / "fonts" / "opentype" / "noto"


def load_sc_face(ttc: Path) -> TTFont:
    """Pick the 'Noto Sans CJK SC' face out of the collection (its index is not a contract)."""
    coll = TTCollection(str(ttc))
    for font in coll.fonts:
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise SystemExit(f"{SOURCE_FAMILY!r} not found in {ttc}")


def rename(font: TTFont, style: str, weight: int) -> None:
    """Give the subset its own family so a system 'Noto Sans CJK SC' can never shadow it.

    The OFL copyright (ID 0), licence (ID 13/14) and credit names stay as they were.
    """
    name = font["name"]
    src_version = name.getDebugName(5) or ""
    ps_name = f"{PS_FAMILY}-{style}"
    # Drop the typographic family names (16/17/21/22) and re-set the basic ones.
    name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22)]
    for name_id, value in {
        1: FAMILY,
        2: style,
        3: f"{src_version.split(';')[0]};SBQW;{ps_name}",
        4: FAMILY if style == "Regular" else f"{FAMILY} {style}",
        5: f"{src_version}; SBQW subset of {SOURCE_FAMILY}",
        6: ps_name,
    }.items():
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
    os2 = font["OS/2"]
    os2.usWeightClass = weight
    # fsSelection: bit0 italic, bit5 bold, bit6 regular
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (0b100000 if style == "Bold" else 0b1000000)
    font["head"].macStyle = 1 if style == "Bold" else 0
    if "CFF " in font:
        cff = font["CFF "].cff
        old = cff.fontNames[0]
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        if hasattr(top, "FDArray"):
            for fd in top.FDArray:
                fd_name = getattr(fd, "FontName", None)
                if fd_name:
                    fd.FontName = fd_name.replace(old, ps_name)
        for attr, value in (("FullName", name.getDebugName(4)), ("FamilyName", FAMILY)):
            if hasattr(top, attr):
                setattr(top, attr, value)


def build_one(src_ttc: Path, style: str, weight: int, cps: list[int], out: Path) -> None:
    font = load_sc_face(src_ttc)
    opts = subset.Options()
    # Default features minus locl and vertical ones: locl alone pulls in the JP/KR/TC glyph
    # variants (~5,800 glyphs, +80 % size) and we only set Simplified Chinese horizontally.
    opts.layout_features = [
        f for f in subset.Options().layout_features if f not in {"locl", "vert", "vrt2", "vkrn"}
    ]
    opts.name_IDs = ["*"]  # keep copyright, licence and credits (OFL condition 2)
    opts.name_languages = [0x409]
    opts.notdef_outline = True  # a missing glyph shows as a box, never as nothing
    opts.hinting = False  # matplotlib auto-hints and PDFs ignore hints; saves space
    opts.drop_tables += ["VORG", "vhea", "vmtx"]  # no vertical writing in our reports
    opts.recalc_timestamp = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=cps)
    sub.subset(font)
    rename(font, style, weight)
    font.recalcTimestamp = False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    font.save(str(tmp))
    tmp.replace(out)


COPYRIGHT_LINE = (
    "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n"
    'This is a modified version (subset, renamed "{family}") of Noto Sans CJK SC.\n'
    "Noto is a trademark of Google Inc.; the modified version does not use the name.\n"
)


def write_ofl(debian_copyright: Path, out: Path) -> None:
    """Extract the OFL-1.1 text from Debian's machine-readable copyright file into ``out``."""
    lines = debian_copyright.read_text(encoding="utf-8").splitlines()
    # The stand-alone "License: SIL-1.1" paragraph (the one followed by indented text).
    start = next(
        i + 1
        for i, line in enumerate(lines[:-1])
        if line.strip() == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    )
    body: list[str] = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    text = COPYRIGHT_LINE.format(family=FAMILY) + "\n" + "\n".join(body).rstrip() + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source-dir", type=Path, help="folder with NotoSansCJK-{Regular,Bold}.ttc")
    ap.add_argument("--text-dir", type=Path, action="append", help="extra *.txt/*.md to cover")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--no-bold", action="store_true", help="build the Regular weight only")
    args = ap.parse_args(argv)

    cps = wanted_codepoints(args.text_dir or [DEFAULT_TEXT_DIR])
    print(f"{len(cps)} code points requested", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        src = args.source_dir or fetch_debian_fonts(Path(tmp))
        for stem, (ttc, style, weight) in WEIGHTS.items():
            if stem == "Bold" and args.no_bold:
                continue
            out = args.out_dir / f"{PS_FAMILY}-{stem}.otf"
            build_one(src / ttc, style, weight, cps, out)
            digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
            print(f"{out.name}: {out.stat().st_size:,} bytes sha256:{digest}…", file=sys.stderr)
        copyright_file = src.parents[2] / "doc" / "fonts-noto-cjk" / "copyright"
        if copyright_file.is_file():
            write_ofl(copyright_file, args.out_dir / "OFL.txt")
        else:
            print(f"note: {copyright_file} not found, OFL.txt left as is", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

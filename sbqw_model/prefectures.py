"""Guizhou's nine prefecture-level divisions, accepted by Chinese name or pinyin."""

from __future__ import annotations

#: (Chinese name, pinyin), in the order DIGEST.md lists them.
PREFECTURES: tuple[tuple[str, str], ...] = (
    ("贵阳市", "Guiyang"),
    ("遵义市", "Zunyi"),
    ("六盘水市", "Liupanshui"),
    ("安顺市", "Anshun"),
    ("毕节市", "Bijie"),
    ("铜仁市", "Tongren"),
    ("黔东南州", "Qiandongnan"),
    ("黔南州", "Qiannan"),
    ("黔西南州", "Qianxinan"),
)

#: The autonomous prefectures' official full names (what a registry or stamp says).
FULL_NAMES: dict[str, str] = {
    "黔东南苗族侗族自治州": "黔东南州",
    "黔南布依族苗族自治州": "黔南州",
    "黔西南布依族苗族自治州": "黔西南州",
}

NAMES_ZH: tuple[str, ...] = tuple(zh for zh, _ in PREFECTURES)
NAMES_EN: tuple[str, ...] = tuple(en for _, en in PREFECTURES)

_LOOKUP: dict[str, str] = {}
for _zh, _en in PREFECTURES:
    for _alias in (_zh, _zh[:-1], _en, _en.lower(), _en.upper()):
        _LOOKUP[_alias] = _zh
_LOOKUP.update(FULL_NAMES)


def normalize(name: object) -> str | None:
    """The Chinese name for any accepted spelling, or None when unknown (a YAML key may be
    any scalar: it is read as text)."""
    return _LOOKUP.get(str(name).strip())


def label(zh_name: str, lang: str = "zh") -> str:
    return zh_name if lang == "zh" else NAMES_EN[NAMES_ZH.index(zh_name)]


def valid_names() -> str:
    return ", ".join(f"{zh}/{en}" for zh, en in PREFECTURES)

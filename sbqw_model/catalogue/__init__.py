"""One label catalogue: every reader-facing name and phrase, in Chinese (first) and English.

Keys are dotted and grouped by what they name (``target.parks``, ``instrument.award.park``,
``uncertainty.online_retail.growth``, ``assumption.payout_share``, ``report.conclusion`` …).
Code looks labels up here and nowhere else, so a label is written once and both languages stay
complete (``tests/test_catalogue.py`` fails on a key without both).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from sbqw_model.yamlio import SAFE_LOADER

LANGS: tuple[str, ...] = ("zh", "en")


@cache
def catalogue() -> dict[str, tuple[str, str]]:
    """Every key with its (zh, en) pair, read once from the package's ``labels.yaml``.

    The file ships with the package (trusted, not user input), so libyaml's safe loader reads
    it where PyYAML has one: ~10× faster than the pure-Python loader, and every report process
    reads the whole catalogue.
    """
    text = files(__package__).joinpath("labels.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=SAFE_LOADER)  # a safe loader, C or Python
    out: dict[str, tuple[str, str]] = {}
    for group, entries in raw.items():
        for name, pair in entries.items():
            out[f"{group}.{name}"] = (str(pair["zh"]), str(pair["en"]))
    return out


def pair(key: str) -> tuple[str, str]:
    """The (zh, en) pair of ``key``; an unknown key is a programming error, named."""
    try:
        return catalogue()[key]
    except KeyError:
        raise KeyError(f"no label {key!r} in sbqw_model/catalogue/labels.yaml") from None


def has_label(key: str) -> bool:
    """Whether the catalogue has ``key`` (for a wording that exists only for some values)."""
    return key in catalogue()


def label(key: str, lang: str = "zh") -> str:
    """The label of ``key`` in ``lang`` ('zh' or 'en')."""
    zh, en = pair(key)
    return zh if lang == "zh" else en


def group(prefix: str) -> dict[str, tuple[str, str]]:
    """All pairs under ``prefix.`` keyed by the rest of the key (``group('target')['parks']``)."""
    head = prefix + "."
    return {k[len(head) :]: v for k, v in catalogue().items() if k.startswith(head)}


def both(key: str, lower: bool = False) -> str:
    """Both languages on one line, Chinese first ('按项目 By instrument'): the plain-text
    output of the CLI, read by people of either language. ``lower`` lower-cases the English
    where it continues a sentence."""
    zh, en = pair(key)
    return f"{zh} {en.lower() if lower else en}"

"""Report wording in Chinese (first) and English, looked up in the label catalogue.

The words live in ``sbqw_model/catalogue/labels.yaml`` (group ``report``); this module only
names the lookups the reports use. Chinese text uses full-width punctuation (：，；（）) and no
internal names; English is plain English (no 亿, no P(met)) — ``tests/test_catalogue.py`` checks
the catalogue, ``tests/reporting/test_leader.py`` the rendered pages.
"""

from __future__ import annotations

from sbqw_model.catalogue import LANGS, group, label

__all__ = ["LANGS", "TEXT", "t", "target_name"]

#: The report wording as (zh, en) pairs, keyed without the ``report.`` prefix.
TEXT: dict[str, tuple[str, str]] = group("report")


def t(key: str, lang: str) -> str:
    """The wording of ``key`` in ``lang`` ('zh' or 'en')."""
    return label(f"report.{key}", lang)


def target_name(key: str, lang: str) -> str:
    return label(f"target.{key}", lang)

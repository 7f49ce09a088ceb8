"""The label catalogue: every key has both languages, and code's label tables come from it."""

from __future__ import annotations

import re

from sbqw_model import catalogue
from sbqw_model.rules import INSTRUMENT_LABELS, INSTRUMENTS
from sbqw_model.summary import TARGET_LABELS

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_key_has_chinese_and_english() -> None:
    for key, (zh, en) in catalogue.catalogue().items():
        assert zh.strip() and en.strip(), key
        assert HAN.search(zh), f"{key}: zh label has no Chinese: {zh!r}"
        assert not HAN.search(en), f"{key}: en label has Chinese: {en!r}"


def test_instrument_and_target_tables_come_from_the_catalogue() -> None:
    assert set(INSTRUMENT_LABELS) == set(INSTRUMENTS)
    assert INSTRUMENT_LABELS["traffic"] == catalogue.pair("instrument.traffic")
    assert TARGET_LABELS["parks"] == (
        catalogue.label("target.parks"),
        catalogue.label("target.parks", "en"),
    )


def test_unknown_key_is_named() -> None:
    try:
        catalogue.label("target.nope")
    except KeyError as e:
        assert "target.nope" in str(e)
    else:
        raise AssertionError("unknown key accepted")

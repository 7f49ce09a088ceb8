"""How amounts read (``labels.money``): hand-checked cases, and properties over any amount."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sbqw_model.labels import money

SCALE = {"亿元": 1e8, "万元": 1e4, "元": 1.0, "bn": 1e9, "m": 1e6, "": 1.0}


def read_back(text: str) -> float:
    """The amount a reader takes from ``text``, in yuan."""
    found = re.fullmatch(r"(-?)¥?(-?[\d,]+(?:\.\d+)?)(亿元|万元|元|bn|m|)", text)
    assert found, text
    sign = -1.0 if found[1] else 1.0
    return sign * float(found[2].replace(",", "")) * SCALE[found[3]]


@pytest.mark.parametrize(
    ("yuan", "zh", "en"),
    [
        (3_000_000, "300万元", "¥3m"),
        (500_000, "50万元", "¥500,000"),  # not ¥0m: the one-time award of a livestream base
        (50_000, "5万元", "¥50,000"),
        (250_000_000, "2.5亿元", "¥250m"),  # not 2亿元: a distribution's minimum
        (124_600_000, "1.25亿元", "¥125m"),  # three significant figures
        (69_980_000_000, "700亿元", "¥70bn"),
        (86_950_000, "8,695万元", "¥87m"),
        (1_500_000_000, "15亿元", "¥1.5bn"),
        (4_999, "4,999元", "¥4,999"),
        (0, "0万元", "¥0m"),
        (-3_000_000, "-300万元", "-¥3m"),
    ],
)
def test_amounts_read_as_written(yuan: float, zh: str, en: str) -> None:
    assert (money(yuan, "zh"), money(yuan, "en")) == (zh, en)


def test_digits_fixed_for_columns_and_bounds_rounded_up() -> None:
    assert money(124_490_000, "zh", 1) == "1.2亿元"
    assert money(699_800_000, "zh", 1) == "7亿元" and money(6_998_000_000, "zh") == "70亿元"
    assert money(124_490_000, "zh", 2) == "1.24亿元"
    assert money(124_410_000, "zh", 2, up=True) == "1.25亿元"  # "不超过" stays true
    assert money(100_000_000, "zh", 2) == "1亿元"  # a whole number drops its .00
    assert money(86_950_000, "zh", like=104_000_000) == "0.87亿元"  # one unit per sentence


@given(st.floats(min_value=1.0, max_value=1e13), st.sampled_from(["zh", "en"]))
def test_a_nonzero_amount_never_reads_zero_and_stays_close(yuan: float, lang: str) -> None:
    text = money(yuan, lang)
    shown = read_back(text)
    assert shown > 0, text
    # 万元 and yuan are whole; 亿, bn and m keep three significant figures (two decimals at most)
    unit = SCALE[re.sub(r"[-¥\d,.]", "", text)]
    half_step = unit * 0.5 if unit in (1.0, 1e4) else max(unit * 0.005, yuan * 0.005)
    assert abs(shown - yuan) <= half_step * (1 + 1e-9), text


@given(
    st.floats(min_value=1.0, max_value=1e13),
    st.sampled_from(["zh", "en"]),
    st.sampled_from([None, 0, 1, 2]),
)
def test_a_bound_rounded_up_is_never_below_the_amount(
    yuan: float, lang: str, digits: int | None
) -> None:
    assert read_back(money(yuan, lang, digits, up=True)) >= yuan * (1 - 1e-12)

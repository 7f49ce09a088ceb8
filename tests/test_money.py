"""How amounts read (``labels.money``): hand-checked cases, and properties over any amount."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sbqw_model.labels import money, percent

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


# --- probabilities and shares: never rounded across the line a reader judges them by -------


@pytest.mark.parametrize(
    ("share", "edges", "decimals", "shown"),
    [
        (0.798, (0.5, 0.8), 0, "79.8%"),  # not "80%" beside "on course: at least 80%"
        (0.8, (0.5, 0.8), 0, "80%"),
        (0.4999, (0.5, 0.8), 0, "49.99%"),
        (0.79999, (0.5, 0.8), 0, "79.99%"),  # past two more decimals: cut toward the truth
        (0.2991, (0.5, 0.8), 0, "30%"),  # no line near: as usual
        (0.998, (), 0, "99.8%"),  # not a certain "100%"
        (0.003, (), 0, "0.3%"),  # nor an impossible "0%"
        (1.0, (), 0, "100%"),
        (0.0, (), 0, "0%"),
        (0.9996, (), 1, "99.96%"),
        (0.7831, (), 1, "78.3%"),
    ],
)
def test_percent_by_hand(share: float, edges: tuple, decimals: int, shown: str) -> None:
    assert percent(share, edges, decimals) == shown


@given(
    st.floats(0, 1),
    st.lists(st.floats(0.01, 0.99), max_size=3),
    st.integers(0, 1),
)
def test_percent_stays_on_the_side_of_every_line(share: float, edges: list, decimals: int) -> None:
    text = percent(share, edges, decimals)
    number = float(text.rstrip("%")) / 100
    for line in (*edges, 1.0):  # reached at or above it, as the statuses say
        assert (number >= line) == (share >= line), line
    assert (number > 0) == (share > 0)
    places = len(text.rstrip("%").partition(".")[2])
    assert decimals <= places <= decimals + 2
    assert abs(number - share) <= 10 ** -(places + 2)  # as close as its decimals allow


@pytest.mark.parametrize(
    ("dist", "params", "zh", "en"),
    [
        ("uniform", {"low": 6, "high": 12}, "均匀分布：最小6，最大12", "uniform: from 6 to 12"),
        # a mean count may be fractional: 4.5 is not shown as 4 (half to even)
        (
            "uniform",
            {"low": 4.5, "high": 13.5},
            "均匀分布：最小4.5，最大13.5",
            "uniform: from 4.5 to 13.5",
        ),
        (
            "triangular",
            {"low": 0.05, "mode": 0.1, "high": 0.15},
            "三角分布：最小5%，最可能10%，最大15%",
            "triangular: from 5%, most likely 10%, to 15%",
        ),
    ],
)
def test_a_distribution_reads_as_a_sentence(dist, params, zh, en) -> None:
    from sbqw_model.distributions import Distribution
    from sbqw_model.labels import describe_distribution

    path = "online_retail.growth" if "mode" in params else "recognition.park.applications"
    d = Distribution(dist=dist, params=params, source="", domain="")
    assert (describe_distribution(path, d, "zh"), describe_distribution(path, d, "en")) == (zh, en)


@given(a=st.floats(min_value=1e8, max_value=9.99e8), b=st.floats(min_value=1e8, max_value=9.99e8))
def test_differences_of_shown_amounts_add_up_on_the_page(a: float, b: float) -> None:
    """A comparison says '乐观情景：约1.90亿元（比基准情景多0.22亿元）': computed from the amounts
    as shown (two decimals of 亿 here), the gap is exactly their difference (1.90 − 1.68), not
    the rounded difference of the unrounded amounts (0.23)."""
    from sbqw_model.labels import as_shown, money

    like = max(a, b)
    shown_a, shown_b = as_shown(a, "zh", like=like), as_shown(b, "zh", like=like)
    assert money(shown_a, "zh", like=like) == money(a, "zh", like=like)
    gap = money(abs(shown_a - shown_b), "zh", like=like)
    if shown_a != shown_b:
        assert gap.endswith("亿元"), gap
        assert float(gap.removesuffix("亿元")) == pytest.approx(
            abs(round(shown_a / 1e8, 2) - round(shown_b / 1e8, 2)), abs=1e-9
        )


@pytest.mark.parametrize(
    ("share", "se", "shown"),
    [
        (0.302, 0.007, "30.2% ± 0.7%"),
        (0.0008, 0.0004, "0.08% ± 0.04%"),  # never '0.1% ± 0.0%'
        (0.998, 0.0006, "99.80% ± 0.06%"),
        (0.0, 0.0, "0.0% ± 0.0%"),
    ],
)
def test_a_probability_with_its_error_never_shows_a_zero_error(
    share: float, se: float, shown: str
) -> None:
    from sbqw_model.labels import with_error

    assert with_error(share, se) == shown


@pytest.mark.parametrize(
    ("inside", "zh", "en"),
    [
        (["万元", ""], "预算安排（万元）", "Appropriation (万元)"),
        (["万元", "示例"], "预算安排（万元，示例）", "Appropriation (万元, 示例)"),
        (["", ""], "预算安排", "Appropriation"),
    ],
)
def test_a_unit_and_a_note_share_one_bracket(inside: list, zh: str, en: str) -> None:
    """A Chinese analyst writes 预算安排（万元，示例）, not 预算安排（示例）（万元）."""
    from sbqw_model.labels import bracketed

    assert bracketed("预算安排", inside, "zh") == zh
    assert bracketed("Appropriation", inside, "en") == en

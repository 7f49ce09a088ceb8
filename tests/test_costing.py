"""Costing a ledger line by line: the shipped example, the YAML cases, and properties.

Hand-computed amounts are written as arithmetic in 万元 (WAN) and 亿元 (YI).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import EXAMPLES, WAN, YI
from hypothesis import given, settings
from hypothesis import strategies as st

from sbqw_model import prefectures, rules
from sbqw_model.assumptions import Assumptions
from sbqw_model.costing import LINE_COLUMNS, CostResult, cost_ledger
from sbqw_model.ledger import (
    RECOGNITION_COLUMNS,
    SALES_COLUMNS,
    Ledger,
    load_ledger,
    parse_recognitions,
    parse_sales,
)
from sbqw_model.parameters import Parameters
from sbqw_model.periods import payment_years

CASES_DIR = Path(__file__).parent / "cases"


def ledger_from_rows(
    params: Parameters, recognitions: list[dict] | None = None, sales: list[dict] | None = None
) -> Ledger:
    """A ledger built from row dicts, through the same validation as the files."""

    def table(rows: list[dict] | None, columns: tuple[str, ...]) -> pd.DataFrame:
        # optional columns (revoked_year, cross_border_retail_yuan) when a row gives them
        extra = [k for row in rows or [] for k in row if k not in columns]
        frame = pd.DataFrame(rows or [], columns=[*columns, *dict.fromkeys(extra)])
        frame = frame.astype(object).where(frame.notna(), "")
        return frame.map(lambda v: str(v).lower() if isinstance(v, bool) else str(v))

    return Ledger(
        parse_recognitions(table(recognitions, RECOGNITION_COLUMNS), "recognitions", params),
        parse_sales(table(sales, SALES_COLUMNS), "sales", params),
    )


def cost(params: Parameters, recognitions=None, sales=None, **assume: Any) -> CostResult:
    return cost_ledger(ledger_from_rows(params, recognitions, sales), params, Assumptions(**assume))


def line_tuples(result: CostResult) -> Counter:
    return Counter(
        (r.unit_id, r.instrument, int(r.achievement_year), round(r.amount_yuan, 2))
        for r in result.lines.itertuples(index=False)
    )


# --------------------------------------------------------------------------- the shipped example


@pytest.fixture(scope="module")
def example(params: Parameters) -> CostResult:
    ledger = load_ledger(EXAMPLES / "recognitions.csv", EXAMPLES / "sales.csv", params)
    return cost_ledger(ledger, params, Assumptions())


#: The example ledger, costed by hand under the default assumptions (万元).
EXAMPLE_BY_INSTRUMENT = {
    "award.park": 2 * 300,  # P-GY-01 (2023), P-ZY-01 (2024)
    "award.base": 3 * 50,  # B-QDN-01, B-QDN-02, B-BJ-01
    "award.enterprise": 4 * 5,  # E-GY-01 (listed twice, paid once), E-GY-02, E-ZY-01, E-TR-01
    "award.team": 3 * 5,  # T-AS-01, T-QN-01, T-QXN-01
    "sales.tier1": 100 + 100,  # E-GY-01 12 亿 (2023); E-ZY-01 10.5 亿 (2025)
    "sales.tier2": 300,  # E-GY-01 56 亿 (2024), highest unpaid tier
    # E-GY-01: 3 亿 → 15, 25 亿 → 125 capped 100, 28 亿 → capped 100;
    # E-ZY-01: exactly 1 亿 → 5, 1.8 亿 → 9, 2.6 亿 → 13;
    # E-GY-02: cross-border (2024) and 99 999 999 (2025) → 0; E-LPS-01: not above scale in 2024
    # → 0, 1.4 亿 in 2025 → 7.
    "traffic": 15 + 100 + 100 + 5 + 9 + 13 + 7,  # 249
}
EXAMPLE_TOTAL = 1534  # 600 + 150 + 20 + 15 + 200 + 300 + 249
#: By payment year under the default timing: one-time awards in the recognition year; sales
#: milestones and the traffic subsidy the year after (a full year's figures, §三(三)).
EXAMPLE_BY_YEAR = {
    "2023": 300 + 50 + 5 + 5 + 5,  # awards 2023: 365
    "2024": 300 + 50 + 5 + 5 + 100 + 15 + 5,  # awards 2024 + sales/traffic of 2023: 480
    "2025": 50 + 5 + 5 + 300 + 100 + 9,  # awards 2025 + sales/traffic of 2024: 469
    "2026": 100 + 100 + 13 + 7,  # sales/traffic of 2025: 220
}
EXAMPLE_BY_PREFECTURE = {
    "贵阳市": 300 + 5 + 5 + 100 + 300 + 15 + 100 + 100,  # 925
    "遵义市": 300 + 5 + 100 + 5 + 9 + 13,  # 432
    "六盘水市": 7,
    "安顺市": 5,
    "毕节市": 50,
    "铜仁市": 5,
    "黔东南州": 50 + 50,
    "黔南州": 5,
    "黔西南州": 5,
}


def test_example_totals(example: CostResult) -> None:
    t = example.totals
    assert t.total == pytest.approx(EXAMPLE_TOTAL * WAN)
    assert t.by_instrument == pytest.approx({k: v * WAN for k, v in EXAMPLE_BY_INSTRUMENT.items()})
    assert t.by_year == pytest.approx({k: v * WAN for k, v in EXAMPLE_BY_YEAR.items()})
    assert t.by_prefecture == pytest.approx({k: v * WAN for k, v in EXAMPLE_BY_PREFECTURE.items()})
    assert len(example.lines) == 12 + 3 + 7  # awards, sales awards, traffic


def test_example_lines_cite_a_clause_and_a_readable_basis(example: CostResult) -> None:
    lines = example.lines
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert (lines["amount_yuan"] > 0).all()
    clauses = dict(zip(lines["instrument"], lines["clause"], strict=False))
    assert {k: clauses[k] for k in ("award.park", "sales.tier1", "traffic")} == {
        "award.park": "§四(二)2",
        "sales.tier1": "§四(二)3",
        "traffic": "§四(二)3",
    }
    basis = dict(
        zip(
            zip(lines["unit_id"], lines["instrument"], lines["achievement_year"], strict=True),
            lines["basis"],
            strict=True,
        )
    )
    assert basis[("E-GY-01", "traffic", 2023)] == "3.00 亿元 × 5 元/万元 = 15.00 万元"
    assert "封顶 100.00 万元" in basis[("E-GY-01", "traffic", 2024)]
    assert "12.00 亿元 ≥ 10.00 亿元" in basis[("E-GY-01", "sales.tier1", 2023)]
    assert basis[("P-GY-01", "award.park", 2023)].endswith("= 300.00 万元")


def test_example_to_dict(example: CostResult) -> None:
    d = example.to_dict()
    assert d["total_yuan"] == EXAMPLE_TOTAL * WAN
    assert list(d["by_instrument"]) == list(rules.INSTRUMENTS)
    assert d["assumptions"] == Assumptions().as_dict()
    assert sum(line["amount_yuan"] for line in d["lines"]) == pytest.approx(d["total_yuan"])


# --------------------------------------------------------------------------- cases in YAML


def load_cases() -> list[Any]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


CASES = load_cases()


def test_cases_are_found() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_case(params: Parameters, case: dict) -> None:
    assume = Assumptions().updated(case.get("assume", {}), source=case["name"])
    ledger = ledger_from_rows(params, case.get("recognitions"), case.get("sales"))
    result = cost_ledger(ledger, params, assume)
    expect = case["expect"]
    t = result.totals
    assert t.total == pytest.approx(expect["total_yuan"])
    first = 2023 + min(assume.payment_delay(i) for i in ("award.park", "sales.tier1", "traffic"))
    last = 2025 + max(assume.payment_delay(i) for i in ("award.park", "sales.tier1", "traffic"))
    assert list(t.by_year) == [str(y) for y in range(first, last + 1)]
    for name, got in (
        ("by_instrument", t.by_instrument),
        ("by_year", t.by_year),
        ("by_prefecture", t.by_prefecture),
    ):
        if name in expect:
            wanted = {k: float(expect[name].get(k, 0)) for k in got}
            assert set(expect[name]) <= set(got), name
            assert got == pytest.approx(wanted), name
    if "lines" in expect:
        assert line_tuples(result) == Counter(
            (e["unit_id"], e["instrument"], e["achievement_year"], float(e["amount_yuan"]))
            for e in expect["lines"]
        )
        paid = {
            (r.unit_id, r.instrument, int(r.achievement_year)): int(r.payment_year)
            for r in result.lines.itertuples(index=False)
        }
        for e in expect["lines"]:
            if "payment_year" in e:
                key = (e["unit_id"], e["instrument"], e["achievement_year"])
                assert paid[key] == e["payment_year"]


# --------------------------------------------------------------------------- more hand cases


def test_payment_lag_shifts_years_not_amounts(params: Parameters) -> None:
    rec = [{"unit_id": "B1", "category": "base", "prefecture": "贵阳市", "year": 2025}]
    for lag in (0, 1, 2):
        result = cost(params, rec, payment_lag_years=lag)
        # 50 万 achieved in 2025, paid in 2025 + lag; the by_year keys are the payment years,
        # which run a year further for the sales milestones and traffic subsidy (paid a year on)
        assert result.totals.by_year == {
            str(2023 + lag): 0.0,
            str(2024 + lag): 0.0,
            str(2025 + lag): 50 * WAN,
            str(2026 + lag): 0.0,
        }
        line = result.lines.iloc[0]
        assert (line["achievement_year"], line["payment_year"]) == (2025, 2025 + lag)


def test_empty_ledger_has_every_key_and_zero(params: Parameters) -> None:
    result = cost_ledger(Ledger.empty(), params, Assumptions())
    assert result.totals.total == 0
    assert list(result.totals.by_instrument) == list(rules.INSTRUMENTS)
    assert list(result.totals.by_prefecture) == list(prefectures.NAMES_ZH)
    assert set(result.totals.by_instrument.values()) == {0.0}
    assert result.to_dict()["lines"] == []


def test_excess_basis_shows_the_subtraction(params: Parameters) -> None:
    sales = [
        {
            "unit_id": "E1",
            "prefecture": "贵阳市",
            "year": 2023,
            "annual_sales_yuan": 0,
            "online_retail_yuan": 3 * YI,
            "above_scale": True,
            "cross_border": False,
        },
    ]
    result = cost(params, sales=sales, traffic_base="excess", payout_share=0.5)
    (basis,) = result.lines["basis"]
    # (3 − 1) 亿 × 5 元/万元 = 10 万, × 50 % = 5 万
    assert basis.startswith("(3.00 亿元 − 1.00 亿元) × 5 元/万元 = 10.00 万元")
    assert basis.endswith("= 5.00 万元")
    assert result.totals.total == pytest.approx(5 * WAN)


# --------------------------------------------------------------------------- properties

UNIT_IDS = [f"U{i}" for i in range(8)]
YEARS = [2023, 2024, 2025]
BASE_YEAR = 2022  # sales rows may give it: it pays nothing (milestone_pre_plan_tiers)
SALES_AMOUNTS = st.one_of(
    st.sampled_from([0.0, 1 * YI - 1, 1 * YI, 10 * YI, 20 * YI, 50 * YI]),
    st.floats(min_value=0, max_value=80 * YI, allow_nan=False),
)
PREFS = st.sampled_from(prefectures.NAMES_ZH)

recognition_rows = st.lists(
    st.tuples(
        st.sampled_from(UNIT_IDS), st.sampled_from(rules.CATEGORIES), PREFS, st.sampled_from(YEARS)
    ),
    max_size=15,
)
sales_rows = st.lists(
    st.tuples(
        st.sampled_from(UNIT_IDS),
        PREFS,
        st.sampled_from([BASE_YEAR, *YEARS]),
        SALES_AMOUNTS,
        SALES_AMOUNTS,
        st.booleans(),
        st.booleans(),
    ),
    max_size=15,
    unique_by=lambda r: (r[0], r[2]),  # one row per unit and year
)
assumption_sets = st.builds(
    Assumptions,
    payout_share=st.just(1.0),
    sales_award_mode=st.sampled_from(["highest", "cumulative", "top_up"]),
    sales_award_recipients=st.sampled_from(["all_units", "enterprises_only"]),
    traffic_base=st.sampled_from(["all", "excess"]),
    payment_lag_years=st.sampled_from([0, 1, 2]),
    milestone_pre_plan_tiers=st.sampled_from(["paid", "not_paid"]),
)


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    rec = pd.DataFrame(draw(recognition_rows), columns=list(RECOGNITION_COLUMNS))
    sal = pd.DataFrame(draw(sales_rows), columns=list(SALES_COLUMNS))
    return Ledger(
        rec.astype({"year": "int64"}),
        sal.astype(
            {
                "year": "int64",
                "annual_sales_yuan": float,
                "online_retail_yuan": float,
                "above_scale": bool,
                "cross_border": bool,
            }
        ),
    )


def ceilings(params: Parameters) -> dict[str, float]:
    out = {f"award.{c}": params.value(f"awards.{c}") for c in rules.CATEGORIES}
    out["sales.tier1"] = params.value("sales_awards.tier1.amount")
    out["sales.tier2"] = params.value("sales_awards.tier2.amount")
    out["traffic"] = params.value("traffic.cap")
    return out


@settings(max_examples=60, deadline=None)
@given(ledger=ledgers(), base=assumption_sets, share=st.floats(0.0, 1.0))
def test_ledger_properties(
    params: Parameters, ledger: Ledger, base: Assumptions, share: float
) -> None:
    assume = replace(base, payout_share=share)
    result = cost_ledger(ledger, params, assume)
    lines, t = result.lines, result.totals
    amounts = lines["amount_yuan"].to_numpy(dtype=float)
    tol = 1e-6

    # no line exceeds its ceiling × payout_share, none is negative
    limit = lines["instrument"].map(ceilings(params)).to_numpy(dtype=float) * share
    assert (amounts >= 0).all()
    assert (amounts <= limit + tol).all()

    # the total is the sum of the lines and of every breakdown
    for total in (
        amounts.sum(),
        sum(t.by_instrument.values()),
        sum(t.by_year.values()),
        sum(t.by_prefecture.values()),
    ):
        assert total == pytest.approx(t.total, rel=1e-9, abs=tol)
    assert list(t.by_year) == [str(y) for y in payment_years(params, assume)]
    delay = lines["instrument"].map(assume.payment_delay)
    assert (lines["payment_year"] - lines["achievement_year"] == delay).all()

    # a one-time award never repeats for a (unit, category)
    awards = lines[lines["instrument"].str.startswith("award.")]
    assert not awards.duplicated(["unit_id", "instrument"]).any()
    recognized = set(
        zip(ledger.recognitions["unit_id"], ledger.recognitions["category"], strict=True)
    )
    if share > 0:
        assert len(awards) == len(recognized)  # and every recognized pair is paid once
    # ... nor a sales tier for a unit
    sales = lines[lines["instrument"].str.startswith("sales.")]
    assert not sales.duplicated(["unit_id", "instrument"]).any()

    # sales awards per unit stay within the scale
    _, tier_amounts = params.sales_scale()
    per_unit = sales.groupby("unit_id")["amount_yuan"].sum()
    bound = max(tier_amounts) if assume.sales_award_mode == "top_up" else sum(tier_amounts)
    assert (per_unit <= bound * share + tol).all()
    # a base-year row pays nothing
    assert (lines["achievement_year"] >= YEARS[0]).all()


@settings(max_examples=60, deadline=None)
@given(ledger=ledgers(), base=assumption_sets)
def test_tiers_before_the_plan_in_a_ledger(params: Parameters, ledger: Ledger, base: Assumptions):
    """``not_paid`` never pays a sales tier more than ``paid`` and changes nothing else; ``paid``
    does not read the base-year rows at all."""
    paid = cost_ledger(ledger, params, replace(base, milestone_pre_plan_tiers="paid")).totals
    not_paid = cost_ledger(ledger, params, replace(base, milestone_pre_plan_tiers="not_paid"))
    for key, value in paid.by_instrument.items():
        if key.startswith("sales."):
            assert not_paid.totals.by_instrument[key] <= value + 1e-6, key
        else:
            assert not_paid.totals.by_instrument[key] == value, key
    plan_only = Ledger(ledger.recognitions, ledger.sales[ledger.sales["year"] != BASE_YEAR])
    alone = cost_ledger(plan_only, params, replace(base, milestone_pre_plan_tiers="paid")).totals
    assert alone == paid
    # and without base-year rows the readings agree (no unit reached a tier before the plan)
    assert cost_ledger(plan_only, params, not_paid.assumptions).totals == alone


@settings(max_examples=40, deadline=None)
@given(ledger=ledgers(), base=assumption_sets, share=st.floats(0.0, 1.0))
def test_totals_scale_with_payout_share(
    params: Parameters, ledger: Ledger, base: Assumptions, share: float
) -> None:
    full = cost_ledger(ledger, params, base).totals
    part = cost_ledger(ledger, params, replace(base, payout_share=share)).totals
    assert part.total == pytest.approx(share * full.total, rel=1e-6, abs=1e-6)
    for key, value in full.by_instrument.items():
        assert part.by_instrument[key] == pytest.approx(share * value, rel=1e-6, abs=1e-6)


def test_a_tier_reached_in_2022_is_counted_in_the_line_basis(params: Parameters) -> None:
    """Under top_up and not_paid, what the 2022 tier counts for is said, not "already paid"."""
    row = {"unit_id": "E1", "prefecture": "贵阳市", "online_retail_yuan": 0}
    row |= {"above_scale": False, "cross_border": False}
    sales = [
        {**row, "year": 2022, "annual_sales_yuan": 12 * YI},
        {**row, "year": 2024, "annual_sales_yuan": 55 * YI},
    ]
    result = cost(
        params, sales=sales, sales_award_mode="top_up", milestone_pre_plan_tiers="not_paid"
    )
    (basis,) = result.lines["basis"]
    assert basis == (
        "年销售额 55.00 亿元 ≥ 50.00 亿元：奖励上限 300.00 万元，"
        "扣除视同已获奖励 100.00 万元（2022年已达档位） = 200.00 万元"
    )
    paid = cost(params, sales=sales, sales_award_mode="top_up")
    assert paid.lines["basis"].tolist() == [
        "年销售额 55.00 亿元 ≥ 50.00 亿元：奖励上限 300.00 万元 = 300.00 万元"
    ]


def test_highest_mode_can_pay_both_tiers_over_time(params: Parameters) -> None:
    """Why the per-unit bound under `highest` is the sum of the tiers, not the top tier."""
    panel = np.array([[10 * YI, 50 * YI, 0.0]])
    got = rules.sales_milestone_awards(panel, params, Assumptions(sales_award_mode="highest"))
    assert got.sum() == 100 * WAN + 300 * WAN

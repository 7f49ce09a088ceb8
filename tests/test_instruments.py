"""The instrument registry: each instrument declared once, and every consumer iterating over it.

The acceptance test of issue 11 item 1: a test-only instrument from a hypothetical later notice
(a parameter block in a copy of the parameter file, its label, its rule and one registry entry)
flows through ``sbqw cost``, the engine, the audit and a chart, and the registry is restored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from unittest.mock import ANY

import numpy as np
import pytest
import yaml
from conftest import EXAMPLES, ROOT, WAN
from inprocess import sbqw
from matplotlib.collections import PolyCollection
from test_costing import EXAMPLE_BY_INSTRUMENT, EXAMPLE_BY_PREFECTURE, EXAMPLE_BY_YEAR

from sbqw_model import audit, catalogue, parameters, rules
from sbqw_model.assumptions import ASSUMPTION_NAMES, Assumptions
from sbqw_model.costing import fen
from sbqw_model.engine import simulate
from sbqw_model.instruments import REGISTRY, Instrument, UnknownInstrumentError
from sbqw_model.parameters import EXPECTED_PATHS, Parameters, load_parameters
from sbqw_model.reporting.charts import budget_by_year_chart
from sbqw_model.scenario import load_scenario
from sbqw_model.summary import summarize

SEVEN = (
    "award.park",
    "award.base",
    "award.enterprise",
    "award.team",
    "sales.tier1",
    "sales.tier2",
    "traffic",
)

# --------------------------------------------------------------------------- the registry itself


def test_registry_order_is_the_output_order() -> None:
    assert REGISTRY.keys() == SEVEN == rules.INSTRUMENTS
    assert SEVEN[:4] == rules.AWARD_INSTRUMENTS
    assert SEVEN[4:6] == rules.SALES_INSTRUMENTS
    assert [e.recipients for _, e in REGISTRY.of_kind("recognition")] == list(rules.CATEGORIES)


def test_every_entry_is_complete_and_written_once() -> None:
    assert all(entry.problems() == [] for entry in REGISTRY)
    colours = [e.color for e in REGISTRY]
    assert len(set(colours)) == len(colours)
    # the label catalogue holds exactly the registered instruments, in both languages
    assert set(catalogue.group("instrument")) == set(REGISTRY.keys())
    assert REGISTRY.get("traffic").label("en") == catalogue.pair("instrument.traffic")[1]
    for entry in REGISTRY:
        assert entry.timing in ASSUMPTION_NAMES
        assert set(entry.assumptions) <= set(ASSUMPTION_NAMES)


def test_the_cited_parameters_are_the_rule_parameters(params: Parameters) -> None:
    """Every rule parameter belongs to an instrument and every instrument's path exists, so the
    parameter file and the registry cannot drift apart."""
    rule_paths = {p for p in EXPECTED_PATHS if p.split(".")[0] not in ("plan", "targets")}
    assert set(REGISTRY.parameter_paths()) == rule_paths
    clauses = {e.key: e.clause(params) for e in REGISTRY}
    assert clauses == {
        **dict.fromkeys(SEVEN[:4], params.leaf("awards.park").clause),
        "sales.tier1": params.leaf("sales_awards.tier1.amount").clause,
        "sales.tier2": params.leaf("sales_awards.tier2.amount").clause,
        "traffic": params.leaf("traffic.rate").clause,
    }


def test_payment_delay_follows_the_entry_timing() -> None:
    assume = Assumptions(
        payment_delay_awards=2, payment_delay_sales=0, payment_delay_traffic=1, payment_lag_years=1
    )
    delays = {e.key: assume.payment_delay(e.key) for e in REGISTRY}
    assert delays == {**dict.fromkeys(SEVEN[:4], 3), **dict.fromkeys(SEVEN[4:6], 1), "traffic": 2}


def test_open_point_readings_are_rules() -> None:
    assert rules.milestone_excluded(Assumptions()) == ()
    excluded = rules.milestone_excluded(Assumptions(sales_award_recipients="enterprises_only"))
    assert excluded == ("park", "base")
    assert rules.award_repayment(np.array([5.0]), Assumptions(revoked_repay=True)).tolist() == [
        -5.0
    ]
    assert rules.award_repayment(np.array([5.0]), Assumptions()).tolist() == [0.0]


# --------------------------------------------------------------------------- unknown instruments


def test_an_unknown_instrument_is_refused_by_name(params: Parameters) -> None:
    with pytest.raises(UnknownInstrumentError, match=r"'trafic'.*did you mean `traffic`"):
        rules.instrument_clause(params, "trafic")
    # no longer silently the traffic clause, whatever the key looks like
    for key in ("award.school", "sales.tier3", "bonus"):
        with pytest.raises(UnknownInstrumentError, match=f"unknown instrument '{key}'"):
            rules.instrument_clause(params, key)
        with pytest.raises(UnknownInstrumentError):
            Assumptions().payment_delay(key)
    with pytest.raises(KeyError, match="unknown instrument 'bonus'"):  # a KeyError: a mapping
        REGISTRY.get("bonus")
    assert "bonus" not in [e.key for e in REGISTRY]


def test_a_bad_entry_is_refused_with_what_is_wrong() -> None:
    park = REGISTRY.get("award.park")
    with pytest.raises(ValueError, match=r"award\.park: already registered"):
        REGISTRY.registered(park).__enter__()
    bad = replace(park, key="award.x", timing="payout_share", color="red", kind="gift")
    with pytest.raises(ValueError) as info:
        REGISTRY.registered(bad).__enter__()
    text = str(info.value)
    for part in ("kind 'gift'", "timing 'payout_share'", "color 'red'", "no label"):
        assert part in text
    assert REGISTRY.keys() == SEVEN


# --------------------------------------------------------------------------- a later notice

#: The hypothetical notice: an above-scale enterprise whose online retail first reaches
#: 2 亿 in a plan year gets a one-time 20 万, paid the year after (the full year's figure).
BLOCK = {
    "online_scale_awards": {
        "threshold": {
            "value": 200_000_000,
            "unit": "yuan",
            "clause": "§五(一)",
            "label_zh": "网络零售规模奖励门槛",
            "label_en": "Online scale award threshold",
            "period": "2023-2025",
            "note": "test-only: a hypothetical later notice",
        },
        "amount": {
            "value": 200_000,
            "unit": "yuan",
            "clause": "§五(一)",
            "label_zh": "网络零售规模奖励金额",
            "label_en": "Online scale award",
            "period": "2023-2025",
        },
    }
}
KEY = "award.online_scale"
COLOR = "#7b4fa0"


def online_scale_award(firms: rules.FirmYears, params: Parameters, assume: Assumptions):
    """Once per above-scale firm, in the first year its online retail reaches the threshold."""
    reached = (firms.retail >= params.value("online_scale_awards.threshold")) & firms.above_scale
    first = reached & (np.cumsum(reached, axis=-1) == 1)
    return first * params.value("online_scale_awards.amount") * assume.payout_share


ENTRY = Instrument(
    key=KEY,
    kind="firm_year",
    parameters=("online_scale_awards.amount", "online_scale_awards.threshold"),
    recipients="above-scale enterprises",
    figures=("firm_retail", "firm_flags"),
    rule=online_scale_award,
    timing="payment_delay_sales",
    color=COLOR,
    assumptions=("payout_share",),
)


@pytest.fixture
def notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The parameter file with the notice's block, its label, and the entry registered; the
    registry (and everything derived from it) is checked to be restored afterwards."""
    data = yaml.safe_load((ROOT / "sbqw_model" / "parameters" / "plan.yaml").read_text("utf-8"))
    path = tmp_path / "plan_with_notice.yaml"
    path.write_text(yaml.safe_dump({**data, **BLOCK}, allow_unicode=True), encoding="utf-8")
    new_paths = tuple(f"online_scale_awards.{k}" for k in ("threshold", "amount"))
    monkeypatch.setattr(parameters, "EXPECTED_PATHS", (*EXPECTED_PATHS, *new_paths))
    label = ("网络零售规模奖励", "Scale award")
    monkeypatch.setitem(catalogue.catalogue(), f"instrument.{KEY}", label)
    with REGISTRY.registered(ENTRY):
        assert (*SEVEN, KEY) == rules.INSTRUMENTS
        yield path
    assert REGISTRY.keys() == SEVEN == rules.INSTRUMENTS
    assert KEY not in [e.key for e in REGISTRY]


def test_a_new_instrument_flows_through_sbqw_cost(notice: Path) -> None:
    done = sbqw(
        "cost",
        "--recognitions",
        EXAMPLES / "recognitions.csv",
        "--sales",
        EXAMPLES / "sales.csv",
        "--parameters",
        notice,
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # E-GY-01 reaches 2 亿 in 2023 (3 亿), E-ZY-01 in 2025 (2.6 亿): 20 万 each, the year after;
    # E-GY-02 (1.5 亿, 0.99 亿) and E-LPS-01 (1.2 亿, 1.4 亿) never do
    assert data["by_instrument"] == {**wan(EXAMPLE_BY_INSTRUMENT), KEY: 40 * WAN}
    assert data["total_yuan"] == fen((sum(EXAMPLE_BY_INSTRUMENT.values()) + 40) * WAN)
    by_year = {**EXAMPLE_BY_YEAR, "2024": EXAMPLE_BY_YEAR["2024"] + 20}
    by_year["2026"] += 20
    assert data["by_year"] == wan(by_year)
    by_pref = {**EXAMPLE_BY_PREFECTURE}
    by_pref["贵阳市"] += 20
    by_pref["遵义市"] += 20
    assert data["by_prefecture"] == wan(by_pref)
    new = [line for line in data["lines"] if line["instrument"] == KEY]
    assert [(x["unit_id"], x["achievement_year"], x["payment_year"]) for x in new] == [
        ("E-GY-01", 2023, 2024),
        ("E-ZY-01", 2025, 2026),
    ]
    assert {x["clause"] for x in new} == {"§五(一)"}
    assert {x["amount_yuan"] for x in new} == {20 * WAN}
    assert all("网络零售规模奖励" in x["basis"] for x in new)
    table = sbqw("cost", "--recognitions", EXAMPLES / "recognitions.csv", "--parameters", notice)
    assert table.returncode == 0, table.stderr
    assert f"网络零售规模奖励 {KEY}" in table.stdout


def wan(mapping: dict) -> dict:
    return {k: v * WAN for k, v in mapping.items()}


@pytest.fixture(scope="module")
def plan_alone() -> np.ndarray:
    """Outlay by instrument of the shipped plan (seven instruments), before any registration."""
    base = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    return simulate(base, draws=64, seed=3).outlay.by_instrument


def test_a_new_instrument_flows_through_engine_audit_and_chart(
    plan_alone: np.ndarray, notice: Path, tmp_path: Path
) -> None:
    params = load_parameters(notice)
    base = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    scenario = replace(base, params=params)
    results = simulate(scenario, draws=64, seed=3)
    o = results.outlay
    column = o.by_instrument[:, -1]
    assert o.by_instrument.shape == (64, 8)
    assert column.max() > 0
    np.testing.assert_allclose(o.total, o.by_instrument.sum(axis=1))
    np.testing.assert_allclose(o.by_year.sum(axis=1), o.total)
    np.testing.assert_allclose(o.by_prefecture.sum(axis=1), o.total)
    # nothing else changed: the first seven columns are those of the plan alone
    assert plan_alone.shape == (64, 7)
    np.testing.assert_array_equal(o.by_instrument[:, :7], plan_alone)
    # paid the year after: nothing of it in the first payment year
    assert o.year_instrument_sum[0, -1] == 0
    assert results.payment_years == [2023, 2024, 2025, 2026]
    assert list(summarize(results).budget.by_instrument) == [*SEVEN, KEY]

    # the audit: world k as a ledger, costed line by line, gives the engine's numbers
    k = int(np.flatnonzero(column)[0])
    world, engine_side = audit.draw_outlay(scenario, 3, k, draws=64)
    assert engine_side["by_instrument"][KEY] == fen(column[k]) > 0
    # by hand: 20 万 per above-scale firm of the world that ever reaches 2 亿
    reaches = (world.firm_retail >= 2e8).any(axis=1) & world.firm_above_scale
    assert column[k] == pytest.approx(20 * WAN * reaches.sum())
    out = tmp_path / "draw"
    exported = audit.export_draw(scenario, 3, k, out, draws=64)
    assert exported == {**engine_side, "files": ANY, "cost_command": ANY}
    # the export carries the notice's parameters, its own block too, for the cost command
    assert "--parameters" in exported["cost_command"]
    files = ("--recognitions", out / "recognitions.csv", "--sales", out / "sales.csv")
    done = sbqw("cost", *files, "--parameters", out / "parameters.yaml", "--format", "json")
    assert done.returncode == 0, done.stderr
    costed = json.loads(done.stdout)
    for part in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
        assert costed[part] == engine_side[part], part
    assert {x["clause"] for x in costed["lines"] if x["instrument"] == KEY} == {"§五(一)"}

    # a chart: one bar series per instrument, the eighth in its registry colour and name
    fig = budget_by_year_chart(results, "en")
    ax = fig.axes[0]
    series = [c for c in ax.collections if isinstance(c, PolyCollection)]  # one per bar series
    assert len(series) == 8
    assert tuple(series[-1].get_facecolor()[0][:3]) == pytest.approx(
        tuple(int(COLOR[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    assert "Scale award" in [t.get_text() for t in ax.get_legend().get_texts()]
    fig.savefig(tmp_path / "budget.png")

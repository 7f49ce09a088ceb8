"""The typed summary: one JSON form (the same text as the untyped summary gave), attribute
access that agrees with that JSON everywhere, and dotted paths resolved in one place with a
did-you-mean for a path the summary does not have."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from sbqw_model.engine import TARGETS, simulate
from sbqw_model.research.evaluate import output_problem, point_outputs
from sbqw_model.scenario import Observation, load_scenario
from sbqw_model.summary import from_json, summarize, to_json
from sbqw_model.summary_types import (
    Band,
    Summary,
    SummaryFormatError,
    TargetOdds,
    Targets,
    UnknownPath,
)

SCENARIOS = ROOT / "sbqw_model" / "scenarios"
#: ``sbqw simulate baseline --draws 200 --format json`` as written by sbqw 0.1 before the summary
#: was typed: saved results must read back and write out byte for byte.
SAVED = Path(__file__).parent / "summaries" / "baseline_v0.1_200_draws.json"


@pytest.fixture(scope="module")
def runs() -> dict[str, Summary]:
    base = load_scenario(SCENARIOS / "baseline.yaml")
    observed = replace(
        base,
        observations=[Observation(2023, "online_retail", 6.5e10, "t")],
        conditioning="weight",
    )
    return {
        "baseline": summarize(simulate(base, draws=300, seed=4)),  # appropriation, recognitions
        "austerity": summarize(simulate(load_scenario(SCENARIOS / "austerity.yaml"), 200, 1)),
        "observed": summarize(simulate(observed, draws=300, seed=4)),
    }


def leaves(node: Any, keys: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(keys from the root, value) of every leaf of a JSON mapping."""
    for key, value in node.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, (*keys, key))
        else:
            yield (*keys, key), value


def test_a_saved_summary_reads_back_and_writes_the_same_text() -> None:
    text = SAVED.read_text(encoding="utf-8")
    summary = from_json(text)
    assert to_json(summary) == text.rstrip("\n")
    assert summary.budget.total.p90 == json.loads(text)["budget"]["total"]["p90"]


@pytest.mark.parametrize("name", ["baseline", "austerity", "observed"])
def test_round_trip_is_equal(runs: dict[str, Summary], name: str) -> None:
    summary = runs[name]
    text = summary.to_json()
    again = Summary.from_json(text)
    assert again == summary
    assert again.to_json() == text
    assert json.loads(text) == summary.to_dict()


@pytest.mark.parametrize("name", ["baseline", "austerity", "observed"])
def test_every_number_in_the_json_is_the_attribute_and_the_path(
    runs: dict[str, Summary], name: str
) -> None:
    summary = runs[name]
    data = json.loads(summary.to_json())
    count = 0
    for keys, value in leaves(data):
        path = ".".join(keys)  # instrument keys hold dots: budget.by_instrument.award.park.p50
        assert summary.get_path(path) == value, path
        node: Any = summary
        for key in keys:  # attributes on records, keys in keyed mappings
            node = getattr(node, key) if dataclasses.is_dataclass(node) else node[key]
        assert node == value, path
        count += 1
    assert count > 150  # targets, budget by year/instrument/prefecture, recognitions, ...


def test_attributes_read_as_the_code_reads_them(runs: dict[str, Summary]) -> None:
    s = runs["baseline"]
    data = s.to_dict()
    assert s.budget.total.p90 == data["budget"]["total"]["p90"]
    assert s.targets.parks.p_met == data["targets"]["parks"]["p_met"] == s.targets["parks"].p_met
    assert s.budget.total.central == s.budget.total.p50
    assert (s.budget.total.low, s.budget.total.high) == (s.budget.total.p5, s.budget.total.p95)
    assert list(s.targets) == list(TARGETS) == [f.name for f in dataclasses.fields(Targets)]
    assert s.budget.appropriation is not None and s.budget.p_over_appropriation is not None
    assert s.recognitions["park"].p_supply_bound == data["recognitions"]["park"]["p_supply_bound"]
    assert s.targets.parks.p_supply_short is not None
    assert s.targets.online_retail.p_supply_short is None
    assert "p_supply_short" not in data["targets"]["online_retail"]  # absent, not null


def test_optional_blocks_are_left_out_not_null(runs: dict[str, Summary]) -> None:
    """A scenario without an appropriation has no appropriation keys at all (as before)."""
    s = runs["austerity"]
    if s.budget.appropriation is None:
        assert not {"appropriation", "p_over_appropriation"} & set(s.to_dict()["budget"])
    bare = replace(s, budget=replace(s.budget, appropriation=None, p_over_appropriation=None))
    bare = replace(bare, budget=replace(bare.budget, appropriation_illustrative=None))
    assert "null" not in bare.to_json().split('"conditioning"')[0]
    assert Summary.from_json(bare.to_json()) == bare


def test_a_summary_saved_before_independence_odds_still_reads() -> None:
    data = json.loads(SAVED.read_text(encoding="utf-8"))
    del data["p_all_met_if_independent"]
    summary = Summary.from_dict(data)
    assert summary.p_all_met_if_independent is None
    assert summary.to_dict() == data


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("budget.total.p99", "budget.total.p95"),
        ("targets.parcs.p_met", "targets.parks.p_met"),
        ("budget.by_yaer.2024.p90", "budget.by_year.2024.p90"),
        ("p_all_mett", "p_all_met"),
    ],
)
def test_an_unknown_path_is_named_with_did_you_mean(
    runs: dict[str, Summary], path: str, suggestion: str
) -> None:
    with pytest.raises(UnknownPath) as err:
        runs["baseline"].get_path(path)
    assert str(err.value) == f"unknown summary path `{path}` (did you mean `{suggestion}`?)"


def test_a_path_too_deep_or_into_nothing_is_unknown(runs: dict[str, Summary]) -> None:
    s = runs["austerity"]
    for path in ("budget.total.p90.x", "targets", "nothing.at.all", ""):
        if path == "targets":
            assert isinstance(s.get_path(path), Targets)
            continue
        with pytest.raises(UnknownPath, match="unknown summary path"):
            s.get_path(path)
        assert math.isnan(s.get_path(path, default=math.nan))


def test_sweep_extras_resolve_through_the_typed_summary(runs: dict[str, Summary]) -> None:
    """``outputs:`` of a sweep are paths into the summary; absent ones are NaN for that point."""
    results = simulate(load_scenario(SCENARIOS / "baseline.yaml"), draws=300, seed=4)
    extras = (
        "budget.by_year.2024.p90",
        "targets.parks.p50",
        "budget.by_instrument.award.park.mean",
        "budget.p_over_appropriation.2031",
    )
    assert all(output_problem(name) is None for name in extras)
    row = point_outputs(results, extras)
    s = runs["baseline"]
    assert row["budget.by_instrument.award.park.mean"] == s.budget.by_instrument["award.park"].mean
    assert row["budget.by_year.2024.p90"] == s.budget.by_year["2024"].p90
    assert row["targets.parks.p50"] == s.targets.parks.p50
    assert math.isnan(row["budget.p_over_appropriation.2031"])


def test_reading_a_wrong_shape_names_the_key() -> None:
    data = json.loads(SAVED.read_text(encoding="utf-8"))
    data["budget"]["total"]["p91"] = data["budget"]["total"].pop("p90")
    with pytest.raises(SummaryFormatError, match=r"budget\.total\.p91: unknown key.*`p90`"):
        Summary.from_dict(data)
    data = json.loads(SAVED.read_text(encoding="utf-8"))
    del data["targets"]["bases"]
    with pytest.raises(SummaryFormatError, match=r"targets\.bases: missing"):
        Summary.from_dict(data)
    with pytest.raises(SummaryFormatError, match="expected a mapping"):
        Summary.from_dict([1, 2])


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(finite, min_size=9, max_size=9), short=st.none() | finite)
def test_records_round_trip_any_float(values: list[float], short: float | None) -> None:
    odds = TargetOdds(*values[:8], p_supply_short=short)
    assert TargetOdds.from_dict(json.loads(json.dumps(odds.to_dict()))) == odds
    band = Band(*values[:5])
    assert Band.from_dict(json.loads(json.dumps(band.to_dict()))) == band
    assert list(band.to_dict()) == ["mean", "p5", "p50", "p90", "p95"]


def test_a_summary_read_from_sorted_json_keeps_the_models_order(runs: dict[str, Summary]) -> None:
    """nbformat writes a report's payload with its keys sorted: read back, the prefectures
    and instruments come in the model's order again (the workbook lists them so)."""
    from sbqw_model.summary import coerce

    s = runs["baseline"]
    back = coerce(json.loads(json.dumps(s.to_dict(), sort_keys=True)))
    assert list(back.budget.by_prefecture) == list(s.budget.by_prefecture)
    assert list(back.budget.by_instrument) == list(s.budget.by_instrument)
    assert list(back.budget.by_prefecture)[:2] == ["贵阳市", "遵义市"]

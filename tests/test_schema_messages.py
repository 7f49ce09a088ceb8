"""Validation by pydantic (sbqw_model/schema.py), reported in the house style.

Every problem of a file at once, each on one line with the file, the key path, the value and
what was expected; unknown keys get a did-you-mean at every depth; nothing is coerced (a YAML
``true`` or ``"5"`` is no number); blocks are validated independently so a problem in one
never hides the problems in another.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbqw_model.distributions import DOMAINS, parse_distribution
from sbqw_model.errors import InputError
from sbqw_model.scenario import TOP_KEYS, load_scenario, parse_scenario
from sbqw_model.units import misread_hint

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
RAW = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def problems_of(raw: dict) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_scenario(raw, "s.yaml")
    return info.value.problems


def test_problems_in_every_block_are_reported_together() -> None:
    raw = {
        **RAW,
        "title_en": 5,
        "levers": {"recognition": {"park": {"stratgy": "fixed"}}, "assumptions": {"x": 1}},
        "behaviour": {"growth_response_to_payout_share": True},
        "observations": [{"year": 2024, "indicator": "products", "value": "many"}],
        "appropriation": {2024: -1, "next": 5, "illustrative": "yes"},
        "prefecture_shares": {"values": {"火星": 0.5, "贵阳": 0.5}},
        "initial_stock": {"park": 1.5, "bas": 1},
        "conditioning": "pinned",
    }
    expected = {
        "s.yaml: title_en: expected text, got 5",
        "s.yaml: levers.recognition.park.stratgy: unknown key (did you mean `strategy`?)"
        " (expected one of: strategy, buffer, quotas)",
        "s.yaml: levers.assumptions: unknown assumption `x`",
        "s.yaml: behaviour.growth_response_to_payout_share: expected a number from -1 to 1,"
        " got True",
        "s.yaml: observations[0].value: expected a number from 0 to 1e+15, got 'many'",
        "s.yaml: appropriation.2024: expected an amount from 0 to 1e+15 yuan, got -1",
        "s.yaml: appropriation.next: unknown key (expected a payment year such as 2024",
        "s.yaml: appropriation.illustrative: expected true or false, got 'yes'",
        "s.yaml: prefecture_shares.values.火星: unknown prefecture",
        "s.yaml: initial_stock.park: expected a whole number ≥ 0, got 1.5",
        "s.yaml: initial_stock.bas: unknown key (did you mean `base`?)",
        "s.yaml: conditioning: expected one of weight, pin, got 'pinned'",
    }
    found = problems_of(raw)
    for line in expected:
        assert any(p.startswith(line) for p in found), (line, found)
    assert len(found) == len(expected), found


def test_a_list_item_and_a_year_key_read_as_the_file_has_them() -> None:
    """``observations[1]`` is an item of a list, ``appropriation.2025`` a key of a mapping."""
    raw = {
        **RAW,
        "observations": [
            {"year": 2024, "indicator": "products", "value": 10, "source": "x"},
            "2025: 12",
        ],
        "appropriation": {2025: "lots"},
    }
    found = problems_of(raw)
    assert "s.yaml: observations[1]: expected a mapping, got '2025: 12'" in found
    assert "s.yaml: appropriation.2025: expected an amount from 0 to 1e+15 yuan, got 'lots'" in (
        found
    )


def test_a_required_key_missing_says_what_it_is() -> None:
    raw = {k: v for k, v in RAW.items() if k != "title_zh"}
    raw["uncertainties"] = {**RAW["uncertainties"]}
    del raw["uncertainties"]["firms"]
    found = problems_of(raw)
    assert "s.yaml: title_zh: missing (expected text)" in found
    assert any(
        p.startswith("s.yaml: uncertainties.firms.count: missing (expected above-scale")
        for p in found
    ), found


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0, "got 0, expected a province's yearly online retail from 1e+08 to 1e+15 yuan"),
        (-6e10, "got -6e+10, expected a province's yearly online retail from 1e+08"),
        (
            600,
            "got 600, expected a province's yearly online retail from 1e+08 to 1e+15"
            " yuan; if it is in 亿元, write 60000000000",
        ),
    ],
)
def test_a_reference_level_that_divides_by_nothing_is_refused(value: float, said: str) -> None:
    """Each world expects firms.count × its 2022 level ÷ firms.reference_level firms: a zero
    or negative reference divides by nothing, and 600 (亿 meant) would expect 10⁸ × as many."""
    raw = {**RAW, "uncertainties": {**RAW["uncertainties"]}}
    firms = {**RAW["uncertainties"]["firms"], "reference_level": {"dist": "fixed", "value": value}}
    raw["uncertainties"]["firms"] = firms
    (line,) = problems_of(raw)
    assert line.startswith(f"s.yaml: uncertainties.firms.reference_level.value: {said}"), line


def test_a_scenario_may_leave_the_reference_level_out() -> None:
    """Left out, the firm count is not scaled: nothing takes its place (no default value could
    say "off"), and the scenario draws no such uncertainty."""
    raw = {**RAW, "uncertainties": {**RAW["uncertainties"]}}
    raw["uncertainties"]["firms"] = {
        k: v for k, v in RAW["uncertainties"]["firms"].items() if k != "reference_level"
    }
    assert "firms.reference_level" not in parse_scenario(raw, "s.yaml").uncertainties
    assert "firms.reference_level" in load_scenario(BASELINE).uncertainties


KEY = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=KEY)
def test_any_unknown_top_key_is_one_line_naming_it(key: str) -> None:
    if key in TOP_KEYS:
        return
    (line,) = problems_of({**RAW, key: 1})
    assert line.startswith(f"s.yaml: {key}: unknown key"), line
    assert "name, title_zh, title_en" in line


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([k for k in TOP_KEYS if len(k) > 5]), st.data())
def test_a_misspelt_top_key_is_suggested(real: str, data: st.DataObject) -> None:
    """Dropping one letter of a real key (not a key itself) suggests the real key."""
    i = data.draw(st.integers(0, len(real) - 1))
    typo = real[:i] + real[i + 1 :]
    if typo in TOP_KEYS:
        return
    raw = {k: v for k, v in RAW.items() if k != real}
    raw[typo] = RAW.get(real, "x")
    assert any(f"{typo}: unknown key (did you mean `{real}`?)" in p for p in problems_of(raw))


NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.text(max_size=6),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.floats(allow_nan=False, allow_infinity=False).map(str),
)


@settings(max_examples=60, deadline=None)
@given(value=NOT_NUMBERS, key=st.sampled_from(["low", "high"]))
def test_a_distribution_parameter_is_never_coerced(value: object, key: str) -> None:
    problems: list[str] = []
    dist = {"dist": "uniform", "low": 0.1, "high": 0.2, key: value}
    assert parse_distribution(dist, "f.yaml: uncertainties.x", "share", problems) is None
    assert any(
        p.startswith(f"f.yaml: uncertainties.x.{key}: expected a number, got {value!r}")
        for p in problems
    ), problems


@settings(max_examples=60, deadline=None)
@given(domain=st.sampled_from(sorted(DOMAINS)), data=st.data())
def test_a_value_is_accepted_exactly_inside_its_domain(domain: str, data) -> None:
    low, high, readable = DOMAINS[domain]
    value = data.draw(st.floats(low - 2 * abs(low) - 1, high * 2 + 1, allow_nan=False))
    problems: list[str] = []
    dist = parse_distribution({"dist": "fixed", "value": value}, "@", domain, problems)
    if low <= value <= high:
        assert dist is not None and dist.params == {"value": value} and not problems
    else:
        assert dist is None
        # a province's online retail below 1 亿 is read as typed in 亿元 or 万元 (units)
        hint = misread_hint(value, low) if domain == "retail" else ""
        assert problems == [f"@.value: got {value:.6g}, expected {readable}{hint}"]


def test_the_cli_line_for_a_nested_typo(tmp_path: Path) -> None:
    from conftest import run_cli

    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: {BASELINE.as_posix()}\n"
        "levers: {recognition: {base: {bufer: 0.1}}}\n"
        "uncertainties: {online_retail: {growth: {dist: normal, mean: 0.1, sd: 0.1, sdd: 1}}}\n",
        encoding="utf-8",
    )
    done = run_cli("simulate", path, "--draws", 100, "--out", tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith(f"sbqw: error: {path}: ") for line in lines), lines
    assert any(
        "levers.recognition.base.bufer: unknown key (did you mean `buffer`?)" in x for x in lines
    ), lines
    assert any(
        "uncertainties.online_retail.growth.sdd: unknown key for a normal distribution"
        " (did you mean `sd`?)" in x
        for x in lines
    ), lines
    assert not (tmp_path / "out").exists()


def test_the_schemas_export_as_json_schema_for_editors() -> None:
    from sbqw_model import schema_models as sm
    from sbqw_model.research.sweep_schema import SweepFile

    scenario = sm.ScenarioFile.model_json_schema()
    assert set(TOP_KEYS) == set(scenario["properties"])
    assert scenario["additionalProperties"] is False
    assert {"base", "mode", "factors"} <= set(SweepFile.model_json_schema()["required"])
    assert load_scenario(BASELINE).name == "baseline"

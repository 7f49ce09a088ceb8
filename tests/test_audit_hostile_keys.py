"""Scenario files whose keys or names are not text: YAML keys may be numbers, ``null`` or
booleans, and a ``dist:`` may be a list. Each is one line naming the file and the key path,
exit 2, never a TypeError from the did-you-mean suggestion or a dictionary lookup.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safety_helpers import cli, refused, scenario

from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.scenario import load_scenario

#: (YAML body, words the one error line must hold)
NON_TEXT_KEYS = {
    "assumption key a number": (
        "levers:\n  assumptions:\n    1: 1\n",
        "ka.yaml: levers.assumptions: unknown assumption `1`; valid: payout_share",
    ),
    "assumption key null": (
        "levers:\n  assumptions:\n    null: 1\n",
        "ka.yaml: levers.assumptions: unknown assumption `None`; valid: payout_share",
    ),
    "parameter key a number": (
        "levers:\n  parameters:\n    1: 1\n",
        "ka.yaml: levers.parameters.1: unknown parameter path",
    ),
    "parameter key a boolean": (
        "levers:\n  parameters:\n    true: 1\n",
        "ka.yaml: levers.parameters.True: unknown parameter path",
    ),
    "dist a list": (
        "uncertainties:\n  online_retail:\n    growth: {dist: [normal], mean: 0.2, sd: 0.05}\n",
        "ka.yaml: uncertainties.online_retail.growth.dist: unknown distribution ['normal']"
        " (did you mean `normal`?) (valid: fixed, uniform",
    ),
    "dist a mapping": (
        "uncertainties:\n  online_retail:\n    growth: {dist: {a: 1}, mean: 0.2, sd: 0.05}\n",
        "ka.yaml: uncertainties.online_retail.growth.dist: unknown distribution {'a': 1}",
    ),
}


@pytest.mark.parametrize("case", sorted(NON_TEXT_KEYS))
def test_a_key_that_is_not_text_is_one_line(tmp_path: Path, case: str) -> None:
    body, words = NON_TEXT_KEYS[case]
    path = scenario(tmp_path, "ka.yaml", body)
    refused(cli("simulate", path, "--draws", 20), words)


def test_did_you_mean_takes_what_a_file_gave() -> None:
    assert did_you_mean(1, ["a", "b"]) == ""
    assert did_you_mean(None, ["None", "x"]) == " (did you mean `None`?)"
    assert did_you_mean(2024, ["2023"]) == " (did you mean `2023`?)"


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
ANY_VALUE = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=2), max_leaves=4)
#: Mappings of a scenario whose keys the file chooses, and where each sits.
KEYED = {
    "assumptions": ("levers", "assumptions"),
    "parameters": ("levers", "parameters"),
    "uncertainty": ("uncertainties", "online_retail"),
    "growth": ("uncertainties", "online_retail", "growth"),
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.sampled_from(sorted(KEYED)),
    key=st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.floats(-1, 1)),
    value=ANY_VALUE,
    dist=ANY_VALUE,
)
def test_any_key_or_dist_is_an_input_error(
    tmp_path: Path, where: str, key: object, value: object, dist: object
) -> None:
    """Property: a non-text key anywhere a file names its keys, or any ``dist:``, is refused
    as input (never a TypeError), naming the file."""
    tree: dict = {"name": "t", "title_zh": "t", "title_en": "t", "extends": "baseline"}
    cur = tree
    for part in KEYED[where]:
        cur = cur.setdefault(part, {})
    cur[key] = value
    tree.setdefault("uncertainties", {}).setdefault("products", {})["growth"] = {
        "dist": dist,
        "mean": 0.4,
    }
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert all(p.startswith(f"{path}: ") for p in info.value.problems), info.value.problems


@pytest.mark.parametrize(
    ("value", "got"),
    [('""', "got '' (empty)"), ("'   '", "got '   ' (empty)"), ("[baseline]", "got list")],
)
def test_an_empty_extends_says_it_is_empty(tmp_path: Path, value: str, got: str) -> None:
    """``extends: ""`` said "got str", which is what a name is."""
    path = scenario(tmp_path, "ke.yaml", f"extends: {value}\n", extends=None)
    refused(
        cli("simulate", path, "--draws", 20),
        f"ke.yaml: extends: expected a scenario name or a .yaml file, {got}",
    )

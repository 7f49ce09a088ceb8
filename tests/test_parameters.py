"""The parameter file: every number of the plan, cited; a loader that lists every problem."""

from __future__ import annotations

import copy
import re
import tokenize
from importlib import resources
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, WAN, YI

from sbqw_model.errors import InputError
from sbqw_model.parameters import (
    EXPECTED_PATHS,
    REQUIRED_FIELDS,
    UNITS,
    Parameters,
    load_parameters,
    parse_parameters,
)

SHIPPED = Path(str(resources.files("sbqw_model.parameters").joinpath("plan.yaml")))


def shipped_tree() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def leaf_nodes(tree: dict, prefix: str = "") -> dict[str, dict]:
    out: dict[str, dict] = {}
    for key, node in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if "value" in node:
            out[path] = node
        else:
            out.update(leaf_nodes(node, path))
    return out


# --------------------------------------------------------------------------- the shipped file


def test_shipped_file_loads_with_every_expected_leaf(params: Parameters) -> None:
    assert sorted(params.paths()) == sorted(EXPECTED_PATHS)
    assert load_parameters() == params
    assert load_parameters(SHIPPED) == params  # also loadable by path


def test_every_leaf_in_the_file_has_value_unit_clause_labels_period() -> None:
    for path, node in leaf_nodes(shipped_tree()).items():
        for field in REQUIRED_FIELDS:
            assert node.get(field) not in (None, ""), f"{path} lacks {field}"
        assert node["unit"] in UNITS, path
        assert str(node["clause"]).startswith("§"), path
        assert re.fullmatch(r"\d{4}(-\d{4})?", str(node["period"])), path


def test_every_parsed_leaf_is_cited_and_inside_the_plan(params: Parameters) -> None:
    for leaf in params.leaves():
        assert leaf.clause.startswith("§")
        assert leaf.label_zh and leaf.label_en
        assert re.search(r"[\u4e00-\u9fff]", leaf.label_zh), leaf.path  # Chinese label
        assert 2023 <= leaf.period[0] <= leaf.period[1] <= 2025, leaf.path
        assert leaf.value >= 0


def test_shipped_values_are_the_digest_numbers(params: Parameters) -> None:
    expected = {
        "plan.first_year": 2023,
        "plan.target_year": 2025,
        "targets.parks": 10,
        "targets.bases": 100,
        "targets.enterprises_and_teams": 1000,
        "targets.enterprises": 500,
        "targets.teams": 500,
        "targets.products": 10_000,
        "targets.online_retail": 1000 * YI,  # 1000 亿元
        "awards.park": 300 * WAN,  # 不超过300万元
        "awards.base": 50 * WAN,
        "awards.enterprise": 5 * WAN,
        "awards.team": 5 * WAN,
        "sales_awards.tier1.threshold": 10 * YI,  # 年销售额达10亿元
        "sales_awards.tier1.amount": 100 * WAN,
        "sales_awards.tier2.threshold": 50 * YI,
        "sales_awards.tier2.amount": 300 * WAN,
        "traffic.threshold": 1 * YI,  # 亿元以上
        "traffic.rate": 5 / WAN,  # 5 元 per 1 万元 = 0.05 %
        "traffic.cap": 100 * WAN,
    }
    assert {p: params.value(p) for p in expected} == pytest.approx(expected)
    assert params.leaf("awards.park").clause == "§四(二)2"
    assert params.leaf("traffic.cap").clause == "§四(二)3"
    assert params.leaf("traffic.rate").unit == "rate"
    # the cap binds from 20 亿: 20 亿 × 0.05 % = 100 万
    assert 20 * YI * params.value("traffic.rate") == pytest.approx(params.value("traffic.cap"))


def test_sales_scale_ascends(params: Parameters) -> None:
    thresholds, amounts = params.sales_scale()
    assert thresholds == [10 * YI, 50 * YI]
    assert amounts == [100 * WAN, 300 * WAN]


def test_unknown_parameter_lookup_suggests_a_spelling(params: Parameters) -> None:
    with pytest.raises(KeyError, match=r"did you mean `traffic\.cap`"):
        params.value("traffic.capp")


# --------------------------------------------------------------------------- malformed files


def test_malformed_file_reports_every_problem_at_once(tmp_path: Path) -> None:
    tree = shipped_tree()
    tree["traffic"]["capp"] = tree["traffic"].pop("cap")  # unknown key (and cap now missing)
    del tree["awards"]["park"]["unit"]  # missing unit
    del tree["awards"]["base"]["clause"]  # missing clause
    tree["awards"]["enterprise"]["value"] = "fifty thousand"  # wrong type
    tree["awards"]["team"]["value"] = -1  # negative amount
    tree["traffic"]["rate"]["value"] = 5  # a rate above 1
    tree["targets"]["parks"]["clasue"] = "§一"  # unknown field in a leaf
    tree["targets"]["bases"]["period"] = "2025-2023"  # backwards period
    bad = tmp_path / "bad_plan.yaml"
    bad.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load_parameters(bad)
    problems = caught.value.problems
    expected = {
        "traffic.capp": ["unknown parameter", "did you mean `traffic.cap`"],
        "traffic.cap": ["missing"],
        "awards.park.unit": ["missing", "yuan"],
        "awards.base.clause": ["missing", "§"],
        "awards.enterprise.value": ["expected a number", "fifty thousand"],
        "awards.team.value": ["non-negative", "-1"],
        "traffic.rate.value": ["rate between 0 and 1", "5"],
        "targets.parks.clasue": ["unknown field", "did you mean `clause`"],
        "targets.bases.period": ["YYYY"],
    }
    for key_path, words in expected.items():
        hits = [p for p in problems if f"{bad}: {key_path}:" in p]
        assert hits, f"no problem reported for {key_path}: {problems}"
        for word in words:
            assert any(word in h for h in hits), f"{key_path}: {word!r} not in {hits}"
    assert len(problems) == len(expected)
    assert all(p.startswith(str(bad)) for p in problems)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("awards:\n  park: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml: line \d+"):
        load_parameters(bad)


def test_missing_parameter_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the parameter file"):
        load_parameters(tmp_path / "nope.yaml")


def test_decreasing_sales_tiers_are_rejected() -> None:
    tree = shipped_tree()
    tree["sales_awards"]["tier1"]["threshold"]["value"] = 60 * YI  # above tier2's 50 亿
    with pytest.raises(InputError, match="tier thresholds must increase"):
        parse_parameters(tree, "t.yaml")


# --------------------------------------------------------------------------- overrides (reforms)


def test_override_returns_a_new_object_and_leaves_the_baseline(params: Parameters) -> None:
    reform = params.with_overrides({"traffic.cap": 50 * WAN, "awards.park": 200 * WAN})
    assert reform.value("traffic.cap") == 50 * WAN
    assert reform.value("awards.park") == 200 * WAN
    assert reform.leaf("traffic.cap").clause == params.leaf("traffic.cap").clause
    assert params.value("traffic.cap") == 100 * WAN  # baseline untouched
    assert reform.differences(params) == {
        "traffic.cap": (100 * WAN, 50 * WAN),
        "awards.park": (300 * WAN, 200 * WAN),
    }


def test_overrides_are_all_or_nothing(params: Parameters) -> None:
    before = copy.deepcopy({p: params.value(p) for p in params.paths()})
    with pytest.raises(InputError) as caught:
        params.with_overrides(
            {
                "traffic.cap": 50 * WAN,  # fine on its own
                "trafic.rate": 0.001,  # unknown path
                "awards.base": -5,  # negative
                "traffic.rate": 2,  # rate above 1
                "targets.parks": 10.5,  # a count must be whole
                "awards.team": "a lot",  # wrong type
            },
            source="reform.yaml",
        )
    problems = caught.value.problems
    assert len(problems) == 5
    assert any("trafic.rate" in p and "did you mean `traffic.rate`" in p for p in problems)
    for path in ("awards.base", "traffic.rate", "targets.parks", "awards.team"):
        assert any(p.startswith(f"reform.yaml: {path}") for p in problems), path
    assert {p: params.value(p) for p in params.paths()} == before


def test_override_breaking_the_tier_order_is_rejected(params: Parameters) -> None:
    with pytest.raises(InputError, match="tier thresholds must increase"):
        params.with_overrides({"sales_awards.tier2.threshold": 5 * YI})  # below tier1's 10 亿


def test_a_sales_tier_at_zero_is_rejected(params: Parameters) -> None:
    """At a threshold of 0 every unit reached the tier in a year it had no sales (a park paid
    100 万 for the year before its recognition, in a cost line with no prefecture)."""
    with pytest.raises(InputError) as caught:
        params.with_overrides({"sales_awards.tier1.threshold": 0}, "s.yaml: levers.parameters.")
    assert caught.value.problems == [
        "s.yaml: levers.parameters.sales_awards.tier1.threshold: expected a threshold above 0"
        " (at 0 a unit with no sales, a park before its recognition, reaches the tier), got 0"
    ]
    assert (
        params.with_overrides({"sales_awards.tier1.threshold": 1}).value(
            "sales_awards.tier1.threshold"
        )
        == 1
    )


# --------------------------------------------------------------------------- no rule literal

#: The plan's amounts (yuan), which must live only in plan.yaml.
RULE_AMOUNTS = {
    3_000_000,  # 300 万: park award, tier-2 sales award
    500_000,  # 50 万: base award
    50_000,  # 5 万: enterprise and team awards
    1_000_000,  # 100 万: tier-1 sales award, traffic cap
    100_000_000,  # 1 亿: traffic threshold
    1_000_000_000,  # 10 亿: tier-1 threshold
    5_000_000_000,  # 50 亿: tier-2 threshold
}

#: Units of account, not rules: 1 亿元 in yuan, defined once for display.
ALLOWED = {("units.py", "YI")}
#: A number that merely equals a rule amount (a draw count, say) is allowed when its line says so.
MARKER = "not a rule amount"


def numeric_literals(path: Path) -> list[tuple[int, str, str]]:
    """(line, literal, name assigned on that line) for every number token in a module."""
    out = []
    with path.open("rb") as handle:
        tokens = list(tokenize.tokenize(handle.readline))
    for tok in tokens:
        if tok.type == tokenize.NUMBER:
            line = tok.line.strip()
            if MARKER in line:
                continue
            name = line.split("=")[0].strip() if "=" in line else ""
            out.append((tok.start[0], tok.string, name))
    return out


def as_number(literal: str) -> float | None:
    text = literal.replace("_", "").lower()
    for convert in (lambda t: int(t, 0), float):
        try:
            return float(convert(text))
        except ValueError:
            continue
    return None  # complex literals such as 2j


def test_no_rule_amount_is_a_literal_in_the_code() -> None:
    offenders = []
    files = sorted((ROOT / "sbqw_model").rglob("*.py"))
    assert files
    for path in files:
        for line, literal, name in numeric_literals(path):
            if as_number(literal) in RULE_AMOUNTS and (path.name, name) not in ALLOWED:
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {literal}")
    assert not offenders, (
        f"rule amounts belong in plan.yaml (a number that only coincides with one: end its line"
        f" with `# {MARKER}`):\n" + "\n".join(offenders)
    )


def test_no_rule_amount_in_the_code_text_either() -> None:
    """The same check by text, catching e.g. numbers inside strings that code parses."""
    pattern = re.compile(
        r"(?<![\d_.])(3_?000_?000|500_?000|50_?000|1_?000_?000|100_?000_?000"
        r"|1_?000_?000_?000|5_?000_?000_?000)(?![\d_])"
    )
    offenders = []
    for path in sorted((ROOT / "sbqw_model").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if MARKER in line or (path.name == "units.py" and line.startswith("YI =")):
                continue
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, f"rule amounts in code (or add `# {MARKER}`):\n" + "\n".join(offenders)


def test_the_literal_scanner_would_catch_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "CAP = 1_000_000\nX = 5e9\nY = 12\nDRAWS = 50_000  # not a rule amount\n",
        encoding="utf-8",
    )
    found = [as_number(lit) for _, lit, _ in numeric_literals(probe)]
    assert found == [1_000_000, 5 * 10**9, 12]

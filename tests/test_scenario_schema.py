"""Scenario files: every shipped one validates; every bad input is reported at once, with the
file, the key path, the value and what was expected; the CLI exits 2 with no traceback and
writes nothing.

Loader messages are checked in-process; a few subprocess runs check what a user sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from sbqw_model.errors import InputError
from sbqw_model.scenario import UNCERTAINTIES, load_scenario

HERE = Path(__file__).resolve().parent / "scenarios"
SHIPPED = sorted((ROOT / "sbqw_model" / "scenarios").glob("*.yaml"))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value.problems


def assert_user_error(done, expected: list[list[str]], out: Path | None = None) -> list[str]:
    """Exit 2, nothing on stdout, no traceback, every expected problem on its own line."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("sbqw: error: ") for line in lines), lines
    for words in expected:
        assert any(all(w in line for w in words) for line in lines), (words, lines)
    if out is not None:
        assert not out.exists() or not any(out.iterdir())
    return lines


# --- the shipped scenarios ---------------------------------------------------------------------


def test_the_required_scenarios_are_shipped() -> None:
    names = {p.stem for p in SHIPPED}
    assert {
        "baseline",
        "optimistic",
        "pessimistic",
        "austerity",
        "traffic_excess",
        "no_traffic_subsidy",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates_and_cites_a_source(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name == path.stem and sc.title_zh and sc.title_en
    assert set(sc.uncertainties) == set(UNCERTAINTIES)
    for key, dist in sc.uncertainties.items():
        assert dist.source.strip(), f"{path.name}: uncertainties.{key} has no source"


def test_policy_variants_change_only_levers() -> None:
    base = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    for name in ("austerity", "traffic_excess", "no_traffic_subsidy"):
        variant = load_scenario(ROOT / "sbqw_model" / "scenarios" / f"{name}.yaml")
        assert variant.uncertainties == base.uncertainties, name
    shipped = ROOT / "sbqw_model" / "scenarios"
    assert load_scenario(shipped / "austerity.yaml").assumptions.payout_share == 0.5
    assert load_scenario(shipped / "no_traffic_subsidy.yaml").params.value("traffic.rate") == 0


# --- bad input, in-process ---------------------------------------------------------------------

BAD_MANY = HERE / "bad_many.yaml"


def test_every_schema_problem_is_reported_at_once() -> None:
    problems = problems_of(BAD_MANY)
    text = "\n".join(problems)
    expected = [
        # unknown key → did you mean
        ["bad_many.yaml", "uncertainties.online_retail.groth", "did you mean", "growth"],
        # unknown distribution: the value and the valid names
        ["uncertainties.products.level_2022.dist", "'poisson'", "normal", "lognormal"],
        # negative spread
        ["uncertainties.products.growth.sd", "-0.1", "≥ 0"],
        # probability 1.3
        ["uncertainties.recognition.park.approval_probability.high", "1.3", "between 0 and 1"],
    ]
    for words in expected:
        assert any(all(w in line for w in words) for line in problems), (words, text)
    assert all(line.startswith(str(BAD_MANY)) for line in problems), problems


def test_did_you_mean_names_the_right_key() -> None:
    line = next(p for p in problems_of(BAD_MANY) if "groth" in p)
    assert "did you mean `online_retail.growth`" in line


def test_yaml_syntax_error_gives_line_and_column() -> None:
    (line,) = problems_of(HERE / "bad_syntax.yaml")
    assert "bad_syntax.yaml" in line and "line 9, column 11" in line and "YAML syntax" in line


def test_python_tag_is_refused_not_run() -> None:
    (line,) = problems_of(HERE / "bad_tag.yaml")
    assert "bad_tag.yaml" in line and "line 8" in line
    assert "tag refused" in line and "python/object" in line


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_extends_missing", ["extends", "no such scenario file", "no_such_scenario.yaml"]),
        ("bad_extends_cycle", ["extends", "circular"]),
    ],
)
def test_bad_extends(name: str, words: list[str]) -> None:
    (line,) = problems_of(HERE / f"{name}.yaml")
    assert all(w in line for w in words), line


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    (line,) = problems_of(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml" in line and "cannot read" in line


@pytest.mark.parametrize(
    ("snippet", "words"),
    [
        ("", ["empty"]),
        ("- a list\n", ["expected a mapping"]),
        ("name: x\ntitle_zh: x\ntitle_en: x\nuncertanties: {}\n", ["did you mean `uncertainties`"]),
        (
            "name: x\ntitle_zh: x\ntitle_en: x\nextends: {baseline}\n"
            "levers: {assumptions: {payout_share: 1.3}, parameters: {traffic.rat: 0}}\n",
            ["payout_share=1.3", "traffic.rat"],
        ),
        (
            "name: x\ntitle_zh: x\ntitle_en: x\nextends: {baseline}\n"
            "observations: [{year: 2030, indicator: online_retial, value: -1}]\n",
            ["2030", "did you mean `online_retail`", "-1"],
        ),
    ],
    ids=["empty", "not-a-mapping", "top-level-typo", "levers", "observations"],
)
def test_other_bad_files(tmp_path: Path, snippet: str, words: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    baseline = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
    path.write_text(snippet.replace("{baseline}", str(baseline)), encoding="utf-8")
    problems = problems_of(path)
    text = "\n".join(problems)
    for w in words:
        assert w in text, (w, text)


# --- bad input, as a user sees it --------------------------------------------------------------


def test_cli_reports_every_problem_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("simulate", BAD_MANY, "--draws", 100, "--out", out, "--format", "json")
    lines = assert_user_error(
        done,
        [
            ["groth", "did you mean `online_retail.growth`"],
            ["'poisson'"],
            ["growth.sd", "-0.1"],
            ["approval_probability.high", "1.3"],
        ],
        out,
    )
    assert len(lines) >= 4
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_syntax", ["line 9, column 11", "YAML syntax error"]),
        ("bad_tag", ["YAML tag refused", "python/object"]),
        ("bad_extends_missing", ["no such scenario file"]),
        ("bad_extends_cycle", ["circular"]),
    ],
)
def test_cli_bad_file(tmp_path: Path, name: str, words: list[str]) -> None:
    out = tmp_path / "out"
    done = run_cli("simulate", HERE / f"{name}.yaml", "--out", out)
    assert_user_error(done, [words], out)
    assert not out.exists()


def test_cli_bad_file_and_bad_assume_reported_together(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli(
        "simulate",
        BAD_MANY,
        "--assume",
        "payout_shar=0.5",
        "--assume",
        "payment_lag_years=7",
        "--out",
        out,
    )
    assert_user_error(
        done,
        [
            ["groth"],
            ["payout_shar", "did you mean `payout_share`"],
            ["payment_lag_years=7", "one of 0, 1, 2"],
        ],
        out,
    )

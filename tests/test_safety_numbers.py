"""Issue 10 class 6: numbers that would turn into nonsense are refused before anything prints.

Levels must be positive, spreads, amounts and ceilings stay below sane maxima, ``.inf``/``.nan``
and integers beyond a float are refused anywhere in a YAML file, and results are checked finite
before printing: one line naming file and key path, exit 2, no RuntimeWarning, nothing written.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from safety_helpers import BASELINE, HEADER, PLAN, cli, refused, sbqw, scenario

from sbqw_model.errors import LONGEST_SHOWN, InputError, shown
from sbqw_model.scenario import load_scenario

CASES = {
    "zero level": (
        "uncertainties: {online_retail: {level_2022: {low: 0, mode: 1.0e+9, high: 2.0e+9}}}",
        ["uncertainties.online_retail.level_2022.low", "got 0", "province's yearly online retail"],
    ),
    "negative level": (
        "uncertainties: {products: {level_2022: {low: -5}}}",
        ["products.level_2022.low", "got -5", "a count from 0"],
    ),
    "noise 1e300": (
        "uncertainties: {online_retail: {growth_noise: {dist: fixed, value: 1.0e+300}}}",
        ["online_retail.growth_noise.value", "1e+300", "spread"],
    ),
    "noise typed 1e300": (
        "uncertainties: {products: {growth_noise: {dist: fixed, value: 1e300}}}",
        ["products.growth_noise.value", "YAML reads this as text"],
    ),
    "firm noise": (
        "uncertainties: {firms: {growth_noise: {dist: fixed, value: 50}}}",
        ["firms.growth_noise.value", "spread"],
    ),
    "wide sd": (
        "uncertainties: {online_retail: {growth: {dist: normal, mean: 0.1, sd: 1.0e+300}}}",
        ["online_retail.growth.sd", "at most"],
    ),
    "ceiling 1.7e308": (
        "levers: {parameters: {traffic.cap: 1.7e+308}}",
        ["levers.parameters.traffic.cap", "at most 1e+15"],
    ),
    "award 1e300": (
        "levers: {parameters: {awards.park: 1.0e+300}}",
        ["awards.park", "at most"],
    ),
    "nan mean": (
        "uncertainties: {online_retail: {growth: {dist: normal, mean: .nan, sd: 0.1}}}",
        ["uncertainties.online_retail.growth.mean", "got nan", "finite"],
    ),
    "inf in parameters": (
        "levers: {parameters: {traffic.rate: .inf}}",
        ["levers.parameters.traffic.rate", "got inf", "finite"],
    ),
    "-inf appropriation": (
        "appropriation: {2024: -.inf}",
        ["appropriation.2024", "got -inf"],
    ),
    "huge appropriation": (
        "appropriation: {2024: 1.0e+300}",
        ["appropriation.2024", "1e+15"],
    ),
    "huge integer": (
        f"levers: {{parameters: {{traffic.cap: {10**400}}}}}",
        ["levers.parameters.traffic.cap", "too large"],
    ),
    "behaviour": (
        "behaviour: {growth_response_to_payout_share: 1.0e+300}",
        ["behaviour.growth_response_to_payout_share", "from -1 to 1"],
    ),
    "zero observed retail": (
        "observations: [{year: 2023, indicator: online_retail, value: 0, source: x}]",
        ["observations[0].value", "from 1e+08"],
    ),
    "the 2022 level in 亿元": (
        "uncertainties: {online_retail: {level_2022: {dist: triangular, low: 350,"
        " mode: 6.0e+10, high: 9.0e+10}}}",
        ["online_retail.level_2022.low", "if it is in 亿元, write 35000000000"],
    ),
    "observed retail in 亿元": (
        "observations: [{year: 2023, indicator: online_retail, value: 700, source: x}]",
        ["observations[0].value", "if it is in 亿元, write 70000000000"],
    ),
    "nan in a title": (
        "description: .nan",
        ["description", "got nan"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_nonsense_number_is_one_line_naming_the_key(tmp_path: Path, case: str) -> None:
    body, words = CASES[case]
    with pytest.raises(InputError) as info:
        load_scenario(scenario(tmp_path, "s.yaml", body + "\n"))
    (line,) = info.value.problems
    assert line.startswith(str(tmp_path / "s.yaml")), line
    for w in words:
        assert w in line, (w, line)


@pytest.mark.parametrize("case", ["zero level", "noise 1e300", "ceiling 1.7e308", "nan mean"])
def test_the_issues_examples_through_the_cli(tmp_path: Path, case: str) -> None:
    body, words = CASES[case]
    path = scenario(tmp_path, "s.yaml", body + "\n")
    out = tmp_path / "out"
    refused(sbqw("simulate", path, "--draws", 100, "--out", out), *words)
    assert not out.exists()


def test_a_result_that_overflows_is_refused_before_printing(tmp_path: Path) -> None:
    few = "".join(  # few units: 178 rounds of the baseline's supply would not fit in memory
        f"    {c}: {{applications: {{dist: fixed, value: 1, source: s}}}}\n"
        for c in ("park", "base", "enterprise", "team")
    )
    body = (
        "uncertainties:\n"
        "  online_retail: {growth: {dist: normal, mean: 9, sd: 0.5}}\n"
        "  firms: {count: {dist: uniform, low: 0, high: 1}}\n"
        "  recognition:\n" + few + "levers: {parameters: {plan.target_year: 2200}}\n"
    )
    path = scenario(tmp_path, "long.yaml", body)
    out = tmp_path / "out"
    refused(cli("simulate", path, "--draws", 50, "--out", out), "long.yaml", "overflowed")
    assert not out.exists()


def test_a_parameter_file_with_an_absurd_ceiling_is_refused(tmp_path: Path) -> None:
    params = tmp_path / "plan.yaml"
    for bad in (1.7e308, math.inf, math.nan):
        tree = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
        tree["traffic"]["cap"]["value"] = bad
        params.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
        refused(cli("cost", "--parameters", params, "--sales", _sales(tmp_path)), "traffic.cap")


def _sales(folder: Path) -> Path:
    path = folder / "sales.csv"
    path.write_text(
        "unit_id,prefecture,year,annual_sales_yuan,online_retail_yuan,above_scale,cross_border\n"
        "u1,贵阳市,2023,1e8,2e8,true,false\n",
        encoding="utf-8",
    )
    return path


def test_ledger_amounts_beyond_the_maximum_are_refused(tmp_path: Path) -> None:
    sales = tmp_path / "s.csv"
    sales.write_text(
        "unit_id,prefecture,year,annual_sales_yuan,online_retail_yuan,above_scale,cross_border\n"
        "u1,贵阳市,2023,1e300,1e300,true,false\n",
        encoding="utf-8",
    )
    err = refused(cli("cost", "--sales", sales), "annual_sales_yuan", lines=2)
    assert "online_retail_yuan" in err and "at most 1e+15" in err


def test_observed_online_retail_of_zero_is_refused(tmp_path: Path) -> None:
    observed = tmp_path / "obs.csv"
    observed.write_text(
        "year,indicator,value,source\n2023,online_retail,0,test\n", encoding="utf-8"
    )
    refused(
        cli("backtest", BASELINE, "--observed", observed, "--draws", 100),
        "obs.csv row 2, column value",
        "at least 100000000",
    )


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("650", "if it is in 亿元, write 65000000000"),  # 650 亿, as statistics give it
        ("1.2e4", "if it is in 亿元, write 1200000000000 or in 万元, write 120000000"),
        ("0.5", "got '0.5'"),  # neither reading is a province's retail: no guess
        ("2e7", "got '2e7'; if it is in 万元, write 200000000000"),  # 亿元 would be too much
    ],
)
def test_observed_online_retail_typed_in_yi_is_refused_and_said(
    tmp_path: Path, value: str, said: str
) -> None:
    """A figure typed in 亿元 was read as yuan: a 2022 level of 650 yuan pinned every world and
    the report showed a 0 % chance and a traffic subsidy of a tenth; a later year conditioned
    the worlds on it. Refused, in a scenario file as in an observations file."""
    observed = tmp_path / "obs.csv"
    for year in (2022, 2024):
        observed.write_text(
            f"year,indicator,value,source\n{year},online_retail,{value},统计公报\n",
            encoding="utf-8",
        )
        refused(
            cli("simulate", BASELINE, "--observed", observed, "--draws", 100),
            "obs.csv row 2, column value",
            said,
        )


def test_a_sweep_factor_value_out_of_domain_is_refused(tmp_path: Path) -> None:
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        f"base: {BASELINE}\nmode: grid\n"
        "factors: {uncertainties.online_retail.growth_noise: {values: [0.1, 1.0e+300]}}\n",
        encoding="utf-8",
    )
    refused(cli("sweep", sweep, "--out", tmp_path / "o"), "values[1]", "spread")
    sweep.write_text(
        f"base: {BASELINE}\nmode: grid\n"
        "factors: {behaviour.growth_response_to_payout_share: {values: [0, 1.0e+300]}}\n",
        encoding="utf-8",
    )
    refused(cli("sweep", sweep, "--out", tmp_path / "o"), "values[1]", "from -1 to 1")
    assert not (tmp_path / "o").exists()


def test_a_lognormal_sigma_that_would_overflow_is_refused(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8")
    old = "sales_ratio: {dist: uniform, low: 1.2, high: 2.5,"
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, "sales_ratio: {dist: lognormal, median: 2, sigma: 800,"))
    refused(cli("simulate", path), "s.yaml: uncertainties.firms.sales_ratio.sigma", "at most 5")


def test_shipped_scenarios_stay_inside_every_domain() -> None:
    for path in sorted((BASELINE.parent).glob("*.yaml")):
        load_scenario(path)  # raises if a bound were too tight for a real scenario


def test_yaml_non_finite_numbers_anywhere_are_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEADER + "uncertainties: {a: [1, {b: .NaN}]}\nlevers: {x: -.Inf}\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "uncertainties.a[1].b: got nan, expected a finite number",
        "levers.x: got -inf, expected a finite number",
    ]


@pytest.mark.parametrize(
    "written",
    [
        "9" * 5000,
        "-" + "1" * 4301,
        "!!float " + "1" * 5000,
        "0." + "3" * 1200,
        "1." + "1" * 1100 + "e-3",
    ],
    ids=["integer", "negative integer", "tagged float", "long fraction", "long mantissa"],
)
def test_a_number_too_long_to_read_is_one_line_with_its_place(tmp_path: Path, written: str) -> None:
    """Python refuses to read an integer of more than 4 300 digits (a ValueError from inside
    the YAML loader was a traceback); any number over 1 000 characters is refused where it is
    written, before it is read."""
    path = scenario(tmp_path, "s.yaml", f"levers: {{assumptions: {{payout_share: {written}}}}}\n")
    out = tmp_path / "out"
    line = refused(sbqw("simulate", path, "--draws", 100, "--out", out), "s.yaml", "a number")
    assert f"a number {len(written.split()[-1]):,} characters long" in line
    assert "line " in line and "column " in line
    assert not out.exists()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("9a. :'é"), max_size=700))
def test_an_error_line_shows_an_overlong_run_cut_with_its_length(text: str) -> None:
    """Short runs pass unchanged; no run of the shown line is longer than the limit."""
    out = shown(text)
    if not any(len(run) > LONGEST_SHOWN for run in text.split()):
        assert out == text
    assert all(len(run) <= LONGEST_SHOWN for run in out.split()), out
    for run in text.split():
        if len(run) > LONGEST_SHOWN:
            value = run[:-1] if run[-1] in ":;,." else run
            value = value[1:] if value[0] in "'\"(" else value
            value = value[:-1] if value[-1:] in ("'", '"', ")") else value
            assert f"({len(value):,} characters)" in out


def test_an_error_quoting_a_huge_value_stays_one_short_line(tmp_path: Path) -> None:
    """A 5 000-digit value, quoted back whole, made a "one-line" error of several screens."""
    line = refused(sbqw("cost", "--assume", "payout_share=" + "9" * 5000), "(5,013 characters)")
    assert "expected a number from 0 to 1" in line and len(line) < 300
    usage = refused(sbqw("simulate", "baseline", "--draws", "9" * 5000), "(5,000 characters)")
    assert "--draws" in usage and len(usage) < 300


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("ab \n\r\t\x00\x07\x1b\x7f\x85\u202e\u2066\u200f中"), max_size=80
    )
)
def test_an_error_line_shows_no_control_break_or_reordering(text: str) -> None:
    """What a user typed or a file holds, quoted back: one line, nothing that acts on the
    terminal (a line break, an escape sequence) or reorders it (a right-to-left override)."""
    out = shown(text)
    assert "\n" not in out and "\r" not in out and "\t" not in out
    assert not [c for c in out if ord(c) < 32 or 127 <= ord(c) < 160], out
    assert not [c for c in out if "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"], out
    assert out.replace("\\", "").count("中") == text.count("中")  # the rest is kept


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "base\nline"),
        ("simulate", "baseline", "--assume", "sales_award_mode=x\ny\nz"),
        ("simulate", "x\u202etxt.yaml"),
        ("simulate", "baseline", "--drawz\n9"),
    ],
)
def test_an_argument_with_a_line_break_or_override_is_refused_in_one_line(args) -> None:
    done = cli(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "\u202e" not in done.stderr, done.stderr
    assert "\\n" in done.stderr or "\\u202e" in done.stderr, done.stderr

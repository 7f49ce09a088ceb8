"""Careless scenario and parameter files, second round: each is one line naming the file, the key
(or line and column) and what was expected, exit 2, no traceback, nothing written.

Plan periods and years, one key in two spellings, merge keys, appropriation years and keys,
numbers YAML reads as text, characters YAML refuses, empty titles, copied variants, documents
and encodings (docs/safety.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from safety_helpers import HEADER, PLAN, cli, refused, scenario

from sbqw_model.errors import InputError
from sbqw_model.limits import PLAN_YEARS
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import SCENARIO_DIR
from sbqw_model.yamlio import safe_load, text_number_hint

RECOGNITIONS = ROOT / "examples" / "recognitions.csv"


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value.problems


def one_problem(path: Path, *words: str) -> str:
    found = problems(path)
    assert len(found) == 1, found
    for w in words:
        assert w in found[0], (w, found[0])
    return found[0]


# --- 1. the plan period ------------------------------------------------------------------------

PERIODS = {  # overrides → the leaf blamed
    "target before first": ({"plan.target_year": 2022}, "plan.target_year"),
    "first after target": ({"plan.first_year": 2026}, "plan.first_year"),
    "both set, crossed": ({"plan.first_year": 2024, "plan.target_year": 2023}, "plan.target_year"),
    "far apart, crossed": ({"plan.first_year": 2100, "plan.target_year": 2050}, "plan.target_year"),
}


@pytest.mark.parametrize("case", sorted(PERIODS))
def test_an_empty_plan_period_is_one_line_naming_the_leaf(tmp_path: Path, case: str) -> None:
    overrides, blamed = PERIODS[case]
    body = "levers:\n  parameters:\n" + "".join(f"    {k}: {v}\n" for k, v in overrides.items())
    path = scenario(tmp_path, "ty.yaml", body)
    err = refused(cli("simulate", path, "--draws", 20), f"levers.parameters.{blamed}")
    assert "first_year ≤ plan.target_year" in err
    assert "IndexError" not in err


@pytest.mark.parametrize("leaf", ["plan.first_year", "plan.target_year"])
@pytest.mark.parametrize("year", [0, 1, 1900, PLAN_YEARS[0] - 1, PLAN_YEARS[1] + 1, 20250])
def test_an_implausible_plan_year_is_refused_with_the_range(
    tmp_path: Path, leaf: str, year: int
) -> None:
    path = scenario(tmp_path, "y.yaml", f"levers: {{parameters: {{{leaf}: {year}}}}}\n")
    line = one_problem(path, f"levers.parameters.{leaf}", f"got {year}")
    assert f"from {PLAN_YEARS[0]} to {PLAN_YEARS[1]}" in line


def test_report_refuses_an_empty_plan_period_before_writing(tmp_path: Path) -> None:
    path = scenario(tmp_path, "ty.yaml", "levers: {parameters: {plan.target_year: 2022}}\n")
    out = tmp_path / "reports"
    refused(cli("report", path, "--out", out), "levers.parameters.plan.target_year")
    assert not out.exists()


@pytest.mark.parametrize(
    ("first", "target", "blamed"),
    [(2023, 2022, "plan.target_year"), (2026, 2025, "plan.target_year"), (1900, 2025, "plan.f")],
)
def test_a_parameter_file_with_a_bad_period_is_named_not_the_ledger(
    tmp_path: Path, first: int, target: int, blamed: str
) -> None:
    tree = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    tree["plan"]["first_year"]["value"], tree["plan"]["target_year"]["value"] = first, target
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    err = refused(cli("cost", "--parameters", params, "--recognitions", RECOGNITIONS), "p.yaml")
    assert f"p.yaml: {blamed}" in err and "recognitions.csv" not in err


# --- 2. one key, two spellings; merge keys -----------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ('2024: 9.0e+7, "2024": 1.0e+7', ["2024", "'2024'"]),
        ('"2024": 9.0e+7, 2024: 1.0e+7', ["2024", "'2024'"]),
        ('2024: 9.0e+7, " 2024": 1.0e+7', ["2024", "' 2024'"]),
        ('"2024": 9.0e+7, "+2024": 1.0e+7', ["'2024'", "'+2024'"]),
    ],
)
@pytest.mark.parametrize("extends", ["baseline", None])
def test_a_year_given_twice_in_two_spellings_is_refused(
    tmp_path: Path, keys: str, shown: list[str], extends: str | None
) -> None:
    path = scenario(tmp_path, "a.yaml", f"appropriation: {{{keys}}}\n", extends=extends)
    found = [p for p in problems(path) if "appropriation" in p]
    assert len(found) == 1, found
    assert "the year 2024 is given twice (" in found[0]
    spellings = found[0].split("given twice (")[1].split(")")[0].split(" and ")
    assert sorted(spellings) == sorted(shown)


@pytest.mark.parametrize("keys", ["2024: 1.0e+7, 2024.0: 2.0e+7", "2024: 1.0e+7, 0x7e8: 2.0e+7"])
def test_one_number_written_two_ways_is_one_key_written_twice(tmp_path: Path, keys: str) -> None:
    path = scenario(tmp_path, "a.yaml", f"appropriation: {{{keys}}}\n")
    one_problem(path, "line 5", "are one key once read")


@pytest.mark.parametrize("year", ["2023.5", "2024.0", "2.024e+3"])
def test_a_fractional_year_is_refused_not_truncated(tmp_path: Path, year: str) -> None:
    path = scenario(tmp_path, "a.yaml", f"appropriation: {{{year}: 1.0e+7}}\n")
    one_problem(path, "appropriation.", "whole number")


@pytest.mark.parametrize(
    ("first", "second"),
    [("贵阳市", "Guiyang"), ("Guiyang", "guiyang"), ("贵阳", "GUIYANG"), ("遵义市", "遵义")],
)
def test_a_prefecture_given_twice_names_both_spellings(
    tmp_path: Path, first: str, second: str
) -> None:
    body = f"prefecture_shares:\n  values: {{{first}: 0.15, {second}: 0.15}}\n"
    line = one_problem(scenario(tmp_path, "p.yaml", body), "prefecture_shares.values.", "twice")
    assert repr(first) in line and repr(second) in line


def test_a_variant_may_respell_its_bases_keys(tmp_path: Path) -> None:
    body = 'appropriation: {"2024": 2.0e+7}\nprefecture_shares: {values: {Guiyang: 0.30}}\n'
    s = load_scenario(scenario(tmp_path, "v.yaml", body))
    assert s.appropriation[2024] == 2.0e7
    assert abs(s.prefecture_shares.sum() - 1) < 1e-9


@pytest.mark.parametrize("key", ["p", "payout_share", "a_rather_long_key_name"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("m:\n  <<: [{K: 1}, {K: 2}]\n", 1),
        ("m:\n  <<: [{K: 2}, {K: 1}]\n", 2),
        ("x: &x {K: 1}\ny: &y {K: 2}\nm:\n  <<: [*x, *y]\n", 1),
        ("x: &x {K: 1}\nm:\n  <<: *x\n  K: 3\n", 3),
        ("m:\n  K: 3\n  <<: [{K: 1}, {K: 2}]\n", 3),
        ("a:\n  b:\n    c:\n      <<: [{K: 1}, {K: 2}]\n", 1),
        ("x: &x {<<: [{K: 1}, {K: 2}]}\nm:\n  <<: [{J: 0}, *x]\n", 1),
    ],
)
def test_merge_keys_follow_the_yaml_spec(key: str, text: str, expected: int) -> None:
    data = safe_load(text.replace("K", key), "m.yaml")
    found = data["m"] if "m" in data else data["a"]["b"]["c"]
    assert found[key] == expected


def test_the_issues_merge_runs_with_the_first_share(tmp_path: Path) -> None:
    body = "levers:\n  assumptions:\n    <<: [{payout_share: 0.5}, {payout_share: 0.7}]\n"
    assert load_scenario(scenario(tmp_path, "m.yaml", body)).assumptions.payout_share == 0.5


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x: &x {a: 1}\ny: &y {b: 1}\nm:\n  <<: *x\n  <<: *y\n", ["line 5", "`<<` is written"]),
        ("m:\n  <<: 5\n", ["line 2", "mapping or a list of mappings"]),
        ("m:\n  <<: [{a: 1}, 5]\n", ["line 2", "mapping or a list of mappings"]),
    ],
)
def test_a_merge_that_cannot_be_followed_is_refused(text: str, words: list[str]) -> None:
    with pytest.raises(InputError) as info:
        safe_load(text, "m.yaml")
    (line,) = info.value.problems
    assert line.startswith("m.yaml: ") and all(w in line for w in words), line


# --- 3. appropriation years --------------------------------------------------------------------


@pytest.mark.parametrize("year", [1900, 0, -5, 2022, 2027, 2030, 99999])
def test_an_appropriation_outside_the_payment_years_is_refused(tmp_path: Path, year: int) -> None:
    path = scenario(tmp_path, "a.yaml", f"appropriation: {{{year}: 5.0e+7}}\n")
    err = refused(cli("simulate", path, "--draws", 20), f"appropriation.{year}:")
    assert "from 2023 to 2026" in err


@pytest.mark.parametrize(
    ("body", "year"),
    [
        ("appropriation: {2026: 1.0e+7}\n", 2026),
        ("levers: {parameters: {plan.target_year: 2027}}\nappropriation: {2028: 1.0e+7}\n", 2028),
        ("levers: {assumptions: {payment_lag_years: 2}}\nappropriation: {2028: 1.0e+7}\n", 2028),
    ],
)
def test_every_payment_year_may_be_appropriated(tmp_path: Path, body: str, year: int) -> None:
    assert load_scenario(scenario(tmp_path, "a.yaml", body)).appropriation[year] == 1.0e7


def test_a_variant_moving_the_plan_drops_an_inherited_year_with_null(tmp_path: Path) -> None:
    moved = "levers: {parameters: {plan.first_year: 2024}}\n"
    one_problem(scenario(tmp_path, "m.yaml", moved), "appropriation.2023:", "from 2024 to 2026")
    s = load_scenario(scenario(tmp_path, "n.yaml", moved + "appropriation: {2023: null}\n"))
    assert sorted(s.appropriation) == [2024, 2025]


# --- 4. numbers YAML reads as text --------------------------------------------------------------

TEXT_NUMBERS = {
    "appropriation": ("appropriation: {2024: 1e7}", "appropriation.2024", "1.0e+7"),
    "parameter": ("levers: {parameters: {traffic.cap: 1e6}}", "traffic.cap", "1.0e+6"),
    "count parameter": ("levers: {parameters: {targets.parks: 1e1}}", "targets.parks", "10"),
    "behaviour": (
        "behaviour: {growth_response_to_payout_share: 1e-1}",
        "growth_response_to_payout_share",
        "1.0e-1",
    ),
    "observation": (
        "observations: [{year: 2024, indicator: online_retail, value: 1.2e11, source: s}]",
        "observations[0].value",
        "1.2e+11",
    ),
    "initial stock": ("initial_stock: {park: 1e2}", "initial_stock.park", "100"),
    "buffer": ("levers: {recognition: {buffer: 5e-1}}", "levers.recognition.buffer", "5.0e-1"),
    "uncertainty": (
        "uncertainties: {products: {growth_noise: {dist: fixed, value: 1e-1}}}",
        "products.growth_noise.value",
        "1.0e-1",
    ),
}


@pytest.mark.parametrize("case", sorted(TEXT_NUMBERS))
def test_a_number_yaml_reads_as_text_gets_the_hint_everywhere(tmp_path: Path, case: str) -> None:
    body, key, written = TEXT_NUMBERS[case]
    line = one_problem(scenario(tmp_path, "n.yaml", body + "\n"), key, "YAML reads this as text")
    assert f"(YAML reads this as text; write {written})" in line


@pytest.mark.parametrize(
    ("value", "whole", "hint"),
    [
        ("1e7", False, "write 1.0e+7"),
        ("1.5e7", False, "write 1.5e+7"),
        ("-2E-3", False, "write -2.0e-3"),
        ("1e2", True, "write 100"),
        ("5", False, "without quotes"),
        ("abc", False, ""),
        ("nan", False, ""),
        ("inf", False, ""),
        (5, False, ""),
    ],
)
def test_the_hint_writes_the_number_as_yaml_reads_it(value: object, whole: bool, hint: str) -> None:
    found = text_number_hint(value, whole=whole)
    assert (hint in found) if hint else found == ""


# --- 5. characters YAML refuses ----------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\x7f", "\ufffe", "\x9f"])
@pytest.mark.parametrize(
    ("before", "line", "column"),
    [("", 4, 1), ("description: 中文", 4, 16), ("description: |\n  多行\n  ", 6, 3)],
)
def test_a_character_yaml_refuses_is_named_with_line_and_column(
    tmp_path: Path, char: str, before: str, line: int, column: int
) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(HEADER + before + char + "\n", encoding="utf-8")
    err = refused(cli("simulate", path), f"line {line}, column {column}", f"U+{ord(char):04X}")
    assert "not allowed in YAML" in err and "ReaderError" not in err
    assert ("control character" in err) == (char != "\ufffe")


# --- 6. empty names and titles -----------------------------------------------------------------


@pytest.mark.parametrize("empty", ['""', '" "', '"\\t"', '"\u3000"'])
@pytest.mark.parametrize("fields", [("name",), ("title_zh",), ("title_en",), ("name", "title_en")])
def test_an_empty_name_or_title_is_one_line_per_field(
    tmp_path: Path, empty: str, fields: tuple[str, ...]
) -> None:
    text = HEADER + "extends: baseline\n"
    for field in fields:
        text = "\n".join(
            f"{field}: {empty}" if line.startswith(f"{field}:") else line
            for line in text.splitlines()
        )
    path = tmp_path / "e.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    found = problems(path)
    assert len(found) == len(fields), found
    for field, line in zip(fields, found, strict=True):
        assert f"e.yaml: {field}: expected non-empty text" in line


# --- 7. unknown keys under appropriation -------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "suggest"),
    [("ilustrative", "illustrative"), ("sorce", "source"), ("next", None), ("Source", "source")],
)
def test_an_unknown_appropriation_key_is_one_line(tmp_path: Path, key: str, suggest: str) -> None:
    path = scenario(tmp_path, "a.yaml", f"appropriation: {{{key}: true}}\n")
    line = one_problem(path, f"appropriation.{key}: unknown key")
    assert (f"did you mean `{suggest}`" in line) == (suggest is not None), line
    assert "got True" not in line


# --- 8. a copied shipped variant runs ----------------------------------------------------------

VARIANTS = sorted(p.name for p in SCENARIO_DIR.glob("*.yaml") if p.stem != "baseline")


@pytest.mark.parametrize("name", VARIANTS)
def test_a_copied_shipped_variant_loads_anywhere(tmp_path: Path, name: str) -> None:
    copy = tmp_path / "elsewhere" / f"my_{name}"
    copy.parent.mkdir()
    shutil.copy(SCENARIO_DIR / name, copy)
    assert load_scenario(copy).digest


@pytest.mark.parametrize("ref", ["baseline.yaml", "baseline.yml", "baseline"])
def test_a_bare_shipped_file_name_extends_the_shipped_scenario(tmp_path: Path, ref: str) -> None:
    s = load_scenario(scenario(tmp_path, "v.yaml", extends=ref))
    assert s.appropriation == load_scenario(SCENARIO_DIR / "baseline.yaml").appropriation


def test_a_file_next_to_the_variant_wins_over_the_shipped_one(tmp_path: Path) -> None:
    local = (SCENARIO_DIR / "baseline.yaml").read_text(encoding="utf-8")
    (tmp_path / "baseline.yaml").write_text(
        local.replace("  2024: 6.0e+7\n", "  2024: 1.0e+7\n"), encoding="utf-8"
    )
    assert load_scenario(scenario(tmp_path, "v.yaml", extends="baseline.yaml")).appropriation[
        2024
    ] == pytest.approx(1.0e7)


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        (
            "basline.yaml",
            ["no such scenario file 'basline.yaml'", "no shipped scenario", "`baseline`"],
        ),
        ("sub/baseline.yaml", ["no such scenario file 'sub/baseline.yaml'"]),
    ],
)
def test_a_missing_base_says_where_it_was_looked_for(
    tmp_path: Path, ref: str, words: list[str]
) -> None:
    line = one_problem(scenario(tmp_path, "v.yaml", extends=ref), *words)
    assert ("shipped" in line) == ("/" not in ref)


# --- 9. documents and encodings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "line"), [("---\nfoo: 1\n", 5), ("...\nfoo: 1\n", 6), ("description: x\n---\n", 6)]
)
def test_a_second_document_is_named_with_its_line(tmp_path: Path, tail: str, line: int) -> None:
    path = tmp_path / "md.yaml"
    path.write_text(HEADER + "extends: baseline\n" + tail, encoding="utf-8")
    err = refused(cli("simulate", path), f"line {line}", "expected one YAML document")
    assert "syntax error" not in err


TEXT = HEADER + "extends: baseline\ndescription: café 中文\n"


@pytest.mark.parametrize(
    ("codec", "said"),
    [
        ("utf-16", "is UTF-16 text"),
        ("utf-16-le", "is UTF-16 text"),
        ("utf-16-be", "is UTF-16 text"),
        ("utf-32", "is UTF-32 text"),
        ("utf-32-le", "is UTF-32 text"),
        ("latin-1", "not UTF-8 text (byte 0x"),
        ("gb18030", "not UTF-8 text (byte 0x"),
    ],
)
@pytest.mark.parametrize("kind", ["scenario", "parameters"])
def test_a_file_that_is_not_utf8_says_what_it_is(
    tmp_path: Path, codec: str, said: str, kind: str
) -> None:
    text = TEXT if kind == "scenario" else PLAN.read_text(encoding="utf-8")
    path = tmp_path / "enc.yaml"
    path.write_bytes(text.encode(codec, errors="replace"))  # latin-1: 中文 as ?, é or § kept
    args = ["simulate", path]
    if kind == "parameters":
        args = ["cost", "--parameters", path, "--recognitions", RECOGNITIONS]
    err = refused(cli(*args), "enc.yaml: the file", said, "save it as UTF-8")
    assert "GB18030?" not in err

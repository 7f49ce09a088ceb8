"""The label catalogue: every key has both languages in house style, and code takes its words
from it (no Chinese in Python outside docstrings and comments, no table drifting from it)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from source_scan import strings_outside_docstrings

from sbqw_model import catalogue
from sbqw_model.assumptions import SPECS
from sbqw_model.instruments import REGISTRY
from sbqw_model.parameters import default_parameters
from sbqw_model.research.problem import known_paths
from sbqw_model.research.wording import factor_label
from sbqw_model.rules import CATEGORIES, INSTRUMENTS
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import SCENARIO_DIR
from sbqw_model.summary import TARGET_LABELS

HAN = re.compile(r"[\u4e00-\u9fff]")
PACKAGE = Path(catalogue.__file__).resolve().parent.parent
#: Mathematical symbols, the same sign in both languages (separators such as report.colon and
#: patterns such as ``{name}（{param}）`` have no word at all and need no exception).
SYMBOLS = {"research.mu_star", "research.sigma"}
#: Chinese punctuation (full-width forms, 〔〕、。「」) and the curly quotes Chinese text uses:
#: English text quotes with ASCII marks, as its other labels do ('"10-100-1000-10000"').
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d]")
#: Names that stay Chinese in English text: clause ids (§三(三)) and the notice's number.
PROPER = re.compile(r"§\S+?(?=[\s,.;:]|\)[\s,.;:]|$)|黔商发〔2023〕1号")


def _fields(text: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)


def test_every_key_has_both_languages_in_house_style() -> None:
    for key, (zh, en) in catalogue.catalogue().items():
        assert zh.strip() and en.strip(), key
        bare = re.sub(r"\{[^{}]*\}", "", zh)
        if key not in SYMBOLS and re.search(r"\w", bare):
            assert HAN.search(zh), f"{key}: zh label has no Chinese: {zh!r}"
        assert not re.search(r"[:,;()]", bare), f"{key}: zh has ASCII punctuation: {zh!r}"
        assert not HAN.search(PROPER.sub("", en)), f"{key}: en label has Chinese: {en!r}"
        bad = CJK_PUNCTUATION.findall(PROPER.sub("", en))
        assert not bad, f"{key}: en label has Chinese punctuation {bad}: {en!r}"
        assert _fields(zh) == _fields(en), f"{key}: placeholders differ: {zh!r} / {en!r}"


def test_style_check_catches_what_it_should() -> None:
    """The rules above are not vacuous: a bad entry of each kind fails them."""
    assert re.search(r"[:,;()]", re.sub(r"\{[^{}]*\}", "", "上限(万元)"))
    assert not re.search(r"[:,;()]", re.sub(r"\{[^{}]*\}", "", "{name}（{param}）"))
    assert HAN.search(PROPER.sub("", "Parks 园区"))
    assert not HAN.search(PROPER.sub("", "see §三(三), the notice 黔商发〔2023〕1号."))
    assert _fields("{a}达成") != _fields("{a} {b} met")
    assert CJK_PUNCTUATION.search("not paid = “annual sales reach”") and CJK_PUNCTUATION.search(
        "a，b"
    )
    assert not CJK_PUNCTUATION.search(PROPER.sub("", 'the "notice" 黔商发〔2023〕1号 (§三(三))'))


#: Keys with the same words in both languages, each with its reason (otherwise one key per
#: meaning: a second key for the same words is a duplicate waiting to drift).
SAME_WORDS = {
    frozenset({"report.band_90", "report.legend_p5_95"}): "chart legend key (reporting/charts.py)",
    frozenset({"report.legend_median", "dist_param.median"}): "chart legend key",
    frozenset({"cli.unit", "workbook.unit"}): (
        "homonym: a recognized unit (a park, a firm) in a cost line; a unit of measure in a"
        " workbook"
    ),
}


def test_one_key_per_meaning() -> None:
    keys_of: dict[tuple[str, str], set[str]] = {}
    for key, words in catalogue.catalogue().items():
        keys_of.setdefault(words, set()).add(key)
    shared = [frozenset(k) for k in keys_of.values() if len(k) > 1]
    assert [k for k in shared if k not in SAME_WORDS] == []


def test_instrument_and_target_tables_come_from_the_catalogue() -> None:
    assert set(catalogue.group("instrument")) == set(INSTRUMENTS)
    traffic = REGISTRY.get("traffic")
    assert (traffic.label("zh"), traffic.label("en")) == catalogue.pair("instrument.traffic")
    assert TARGET_LABELS["parks"] == (
        catalogue.label("target.parks"),
        catalogue.label("target.parks", "en"),
    )


def test_award_parameter_labels_are_the_instrument_labels() -> None:
    """The one-time award amount in plan.yaml and the instrument it pays read the same."""
    params = default_parameters()
    for c in CATEGORIES:
        leaf = params.leaf(f"awards.{c}")
        assert (leaf.label("zh"), leaf.label("en")) == catalogue.pair(f"instrument.award.{c}")


def test_an_assumption_explained_by_its_choices_uses_their_labels() -> None:
    """The English sales award mode read "highest: …; cumulative: …; top-up: …" beside a table
    showing "highest tier only", "every tier once": a choice is named as the reader sees it, in
    every language, never by its internal name as a heading ("name:" or "name =")."""
    params = default_parameters()
    for name, spec in SPECS.items():
        for choice in [c for c in spec.choices or () if isinstance(c, str)]:
            for lang in ("zh", "en"):
                doc, shown = spec.doc(lang, params), spec.value_label(choice, lang, params)
                spelled = {choice, choice.replace("_", "-"), choice.replace("_", " ")}
                spelled = {w for w in spelled if not shown.startswith(w)}  # the label's lead
                for word in spelled:
                    said = re.search(rf"(?<![\w-]){re.escape(word)}\s*[:=]", doc)
                    assert not said, (
                        f"{name} ({lang}): choice {choice!r} as {word!r}, not {shown!r}"
                    )
    doc = SPECS["sales_award_mode"].doc("en", params)
    assert "highest tier only" in doc and "every tier once" in doc, doc


def test_every_assumption_and_choice_has_a_label() -> None:
    for name, spec in SPECS.items():
        assert spec.label("zh") != name and HAN.search(spec.label("zh"))
        assert spec.doc("en") and HAN.search(spec.doc("zh"))
        for choice in spec.choices or ():
            key = spec.value_key(choice)
            assert key is not None and catalogue.pair(key), (name, choice)


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
def test_every_factor_path_has_a_reader_name(name: str) -> None:
    """Any path a sweep or frontier may vary reads as words, never as the raw path."""
    base = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    for path in known_paths(base):
        zh, en = factor_label(path, "zh"), factor_label(path, "en")
        assert zh != path and en != path, path
        assert HAN.search(zh) and not HAN.search(en), (path, zh, en)
    assert factor_label("assumptions.revoked_repay", "en") == "revoked units repay their award"


def test_every_name_the_model_knows_has_a_label() -> None:
    """A new uncertainty, indicator, strategy, category or distribution needs its words."""
    from sbqw_model import recognition as rec
    from sbqw_model.distributions import DISTRIBUTIONS
    from sbqw_model.scenario import INDICATORS, UNCERTAINTIES

    assert set(catalogue.group("uncertainty")) == set(UNCERTAINTIES)
    assert set(catalogue.group("indicator")) == set(INDICATORS)
    assert set(catalogue.group("strategy")) == set(rec.STRATEGIES)
    assert set(catalogue.group("category")) == set(rec.KINDS)
    assert set(catalogue.group("distribution")) == set(DISTRIBUTIONS)
    params = {p for names in DISTRIBUTIONS.values() for p in names}
    assert params <= set(catalogue.group("dist_param"))


def test_unknown_key_is_named() -> None:
    with pytest.raises(KeyError, match=r"target\.nope"):
        catalogue.label("target.nope")


#: Files still allowed Chinese in code, each with its reason. Shrink this list; never grow it
#: for reader-facing words (they go in sbqw_model/catalogue/labels.yaml).
CHINESE_ALLOWED: dict[str, str] = {
    "cli.py": "the program's one-line description names the plan as it is called (十百千万)",
    "schema_models.py": "an error message shows a clause id as users type it (§四(二)3)",
    "rules.py": "clause ids (§三(三)) are identifiers of the notice, not words",
    "reporting/clauses.py": "clause ids (§三(二)2(1)) are identifiers of the notice",
    "uncertainties.py": "a developer-facing description quotes the statistical term (上规入统)",
    "scenario.py": "a developer-facing basis quotes the notice",
    "ledger.py": "input parsing accepts 是/否 typed by users, not output",
    "prefectures.py": "the prefectures' names are data (keys of the share tables and data files)",
    "instruments.py": "a developer-facing recipients note quotes the notice (上规入统)",
    "reporting/chart_text.py": "line-breaking rules name the characters they act on (及, 和)",
}


def test_no_chinese_in_code_outside_the_catalogue() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in CHINESE_ALLOWED:
            continue
        found += [
            f"{rel}:{line}: {text[:40]!r}"
            for line, text in strings_outside_docstrings(path)
            if HAN.search(text)
        ]
    assert not found, "Chinese outside the label catalogue:\n" + "\n".join(found)


def test_allow_list_is_not_stale() -> None:
    for rel in CHINESE_ALLOWED:
        path = PACKAGE / rel
        assert path.is_file(), rel
        assert any(HAN.search(s) for _, s in strings_outside_docstrings(path)), (
            f"{rel} no longer needs its allow-list entry"
        )


def test_every_entry_is_exactly_a_chinese_and_an_english_text() -> None:
    """An unquoted comma in a flow mapping splits a label: ``{en: Budget p95 (10,000 yuan)}``
    read as "Budget p95 (10" and a stray key ``000 yuan)``, and a table header lost its unit."""
    from importlib.resources import files

    import yaml

    raw = yaml.safe_load(files("sbqw_model.catalogue").joinpath("labels.yaml").read_text("utf-8"))
    odd = {
        f"{group}.{name}": sorted(pair)
        for group, entries in raw.items()
        for name, pair in entries.items()
        if set(pair) != {"zh", "en"} or not all(isinstance(v, str) for v in pair.values())
    }
    assert not odd, odd

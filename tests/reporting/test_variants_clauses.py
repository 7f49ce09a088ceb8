"""What a variant is called (its title, file name and first-screen note say what the command
line changed) and the clauses a report quotes (verbatim from the notice, one id style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from sbqw_model.assumptions import SPECS
from sbqw_model.catalogue import label
from sbqw_model.labels import outlay_kind
from sbqw_model.parameters import default_parameters
from sbqw_model.reporting import clauses
from sbqw_model.reporting.assumption_table import assumption_rows
from sbqw_model.reporting.batch import jobs_for
from sbqw_model.reporting.scenario_report import clause_block
from sbqw_model.reporting.variants import variant_name, variant_note, variant_title
from sbqw_model.scenario import load_scenario

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
NOTICE = ROOT / "sbqw_model" / "policy" / "qianshangfa-2023-1.zh.txt"


# --- variants ------------------------------------------------------------------------------


def test_variant_title_and_name_say_what_changed() -> None:
    s = load_scenario(BASELINE)
    assert variant_title(s, {"payout_share": 0.6}, "zh") == "基准情景（支付比例改为60%）"
    assert (
        variant_title(s, {"payout_share": "0.6"}, "en") == "Baseline (payout share changed to 60%)"
    )
    assert variant_title(s, {"payout_share": 1.0}, "zh") == "基准情景", "same as the scenario's own"
    assert variant_name(s, {}) == "baseline"
    assert variant_name(s, {"payout_share": 0.6}) == "baseline-payout_share-0_6"
    assert variant_name(s, {"revoked_repay": True}) == "baseline-revoked_repay-true"


def test_overriding_what_defines_a_variant_titles_it_as_what_it_now_is() -> None:
    """``sbqw report austerity --assume payout_share=0.6`` was titled "Austerity (half of every
    ceiling) (payout share changed to 60%)": austerity is the baseline paid at half, so at 60 %
    it is the baseline at 60 %. An override of something else keeps the scenario's title."""
    austerity = load_scenario(ROOT / "sbqw_model" / "scenarios" / "austerity.yaml")
    excess = load_scenario(ROOT / "sbqw_model" / "scenarios" / "traffic_excess.yaml")
    assert variant_title(austerity, {"payout_share": 0.6}, "zh") == "基准情景（支付比例改为60%）"
    assert (
        variant_title(austerity, {"payout_share": 0.6}, "en")
        == "Baseline (payout share changed to 60%)"
    )
    assert variant_title(austerity, {"payout_share": 1.0}, "en") == "Baseline"
    assert variant_title(excess, {"traffic_base": "all"}, "zh") == "基准情景"
    kept = variant_title(austerity, {"payout_share": 0.5, "revoked_repay": True}, "zh")
    assert kept.startswith("紧缩方案（按上限的50%支付）（"), kept
    assert variant_name(austerity, {"payout_share": 0.6}) == "austerity-payout_share-0_6"


@pytest.mark.parametrize(
    ("one", "other"), [(0.6, 0.605), (0.123456, 0.1234564), (1e-7, 2e-7), (0.3, 0.3004)]
)
def test_variants_of_different_values_differ_in_name_and_title(one: float, other: float) -> None:
    """Distinct values got one file name (``:g`` keeps six digits: the second report silently
    replaced the first) or one title (whole percents: two index rows read alike)."""
    s = load_scenario(BASELINE)
    names = {variant_name(s, {"payout_share": v}) for v in (one, other)}
    titles = {
        variant_title(s, {"payout_share": v}, lang) for v in (one, other) for lang in ("zh", "en")
    }
    assert len(names) == 2 and len(titles) == 4, (names, titles)


def test_a_share_is_said_as_given_and_one_value_is_one_file() -> None:
    s = load_scenario(BASELINE)
    assert variant_title(s, {"payout_share": 0.605}, "zh") == "基准情景（支付比例改为60.5%）"
    almost = variant_title(s, {"payout_share": 0.9999999}, "en")
    assert almost == "Baseline (payout share changed to 99.99999%)", "not 'changed to 100%'"
    assert variant_title(s, {"payout_share": 1e-7}, "zh") == "基准情景（支付比例改为0.00001%）"
    assert (
        outlay_kind(0.605, "zh") == "按上限的60.5%支付"
        and outlay_kind(0.5, "zh") == "按上限的50%支付"
    )
    grid = 0.1 + 0.2  # 0.30000000000000004, as a sweep's grid makes it
    assert variant_title(s, {"payout_share": grid}, "zh") == "基准情景（支付比例改为30%）"
    assert variant_name(s, {"payout_share": grid}) == variant_name(s, {"payout_share": 0.3})
    assert variant_name(s, {"payout_share": -0.0}) == "baseline-payout_share-0"
    assert variant_name(s, {"payout_share": 0.0}) == "baseline-payout_share-0"


def test_variant_jobs_do_not_overwrite_the_plain_report(tmp_path: Path) -> None:
    common: dict[str, Any] = dict(compare=True, lang="zh", draws=10, seed=0, pdf=False)
    both = [BASELINE, BASELINE.with_name("optimistic.yaml")]
    plain = jobs_for(both, tmp_path, assume={}, **common)
    variant = jobs_for(both, tmp_path, assume={"payout_share": 0.6}, **common)
    assert [j.name for j in plain] == ["baseline", "optimistic", "compare-baseline-optimistic"]
    assert [j.name for j in variant] == [
        "baseline-payout_share-0_6",
        "optimistic-payout_share-0_6",
        "compare-baseline-optimistic-payout_share-0_6",
    ]
    assert variant[0].title == "基准情景（支付比例改为60%）"


@pytest.mark.parametrize(
    ("assume", "zh", "en"),
    [
        (
            {"revoked_repay": True},
            "被取消资格单位退回一次性奖励",
            "revoked units repay their one-time award",
        ),
        ({"payment_lag_years": 1}, "额外支付滞后改为1年", "an extra payment lag of 1 year"),
        (
            {"sales_award_mode": "cumulative"},
            "销售额奖励计发方式改为逐档奖励",
            "sales award mode changed to every tier once",
        ),
    ],
)
def test_a_variant_says_its_change_as_a_phrase(assume: dict[str, Any], zh: str, en: str) -> None:
    s = load_scenario(BASELINE)
    assert variant_title(s, assume, "zh") == f"基准情景（{zh}）"
    assert variant_title(s, assume, "en") == f"Baseline ({en})"


def test_removing_the_extra_lag_does_not_say_paid_the_same_year(tmp_path: Path) -> None:
    """``payment_lag_years`` is added to each instrument's own timing: from a scenario with a
    lag of 1, ``--assume payment_lag_years=0`` still pays the sales milestones and the traffic
    subsidy the year after (payment_delay_sales = payment_delay_traffic = 1), so the title may
    not say 改为当年支付 (paid the same year), and the reading's description may not give the
    10 December report as its reason (the instruments' timings already wait for it)."""
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["levers"]["assumptions"]["payment_lag_years"] = 1
    path = tmp_path / "lagged.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    lagged = load_scenario(path)
    assert lagged.assumptions.payment_delay("sales.tier1") == 2
    unlagged = lagged.assumptions.updated({"payment_lag_years": 0})
    assert unlagged.payment_delay("sales.tier1") == 1, "still the year after"
    assert unlagged.payment_delay("traffic") == 1 and unlagged.payment_delay("award.park") == 0
    removed = {"payment_lag_years": 0}
    assert variant_title(lagged, removed, "zh") == "基准情景（取消额外支付滞后）"
    assert variant_title(lagged, removed, "en") == "Baseline (no extra payment lag)"
    spec = SPECS["payment_lag_years"]
    assert "之外" in spec.doc_zh and "on top of" in spec.doc_en
    assert spec.label("zh") == "额外支付滞后年数"


def test_a_variants_first_screen_says_the_description_is_the_plain_scenarios() -> None:
    austerity = load_scenario(BASELINE.parent / "austerity.yaml")
    note = variant_note(austerity, {"payout_share": 0.6}, "zh")
    assert note.startswith("本报告是“紧缩方案") and "支付比例改为60%" in note
    assert "原情景的说明" in note
    assert variant_note(austerity, {"payout_share": 0.5}, "zh") == "", "not a change"


# --- clauses -------------------------------------------------------------------------------


def test_clause_quotes_are_verbatim_from_the_notice() -> None:
    notice = NOTICE.read_text(encoding="utf-8")
    quotes = clauses.quotes()
    assert quotes
    for clause, quote in quotes.items():
        assert quote in notice, clause


def test_every_clause_the_model_cites_is_quoted() -> None:
    cited = clauses.relied_on(default_parameters())
    assert set(cited) <= set(clauses.quotes()), set(cited) - set(clauses.quotes())
    assert {"§一", "§四(二)2", "§四(二)3", "§三(三)"} <= set(cited)


@pytest.mark.parametrize(("lang", "said"), [("zh", "标点"), ("en", "punctuation")])
def test_the_appendix_says_what_it_changed_in_the_quotes(lang: str, said: str) -> None:
    """The appendix calls its quotes the notice's own words (原文). Compared character by
    character with the shipped text, they differ only where the web copy's half-width , ( ) ;
    are set full-width: each quote, mapped back, is in the notice, and the intro says the
    punctuation was changed (§四(二)3 alone changes five marks)."""
    notice = NOTICE.read_text(encoding="utf-8")
    back = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})
    rows = clauses.appendix_rows(default_parameters(), lang)
    assert all(quote.translate(back) in notice for _, quote in rows)
    changed = [quote for _, quote in rows if quote not in notice]
    assert changed, "nothing to disclose: the test would prove nothing"
    assert said in str(clause_block(rows, lang))


def test_english_clause_ids_have_no_chinese_numerals() -> None:
    assert clauses.clause_id("§三(二)2(1)", "en") == "§III(2)2(1)"
    assert clauses.clause_id("§四(二)3", "en") == "§IV(2)3"
    assert clauses.clause_id("§二.6", "en") == "§II.6"
    assert clauses.clause_id("§十二(十一);§九(二十)", "en") == "§XII(11);§IX(20)"
    assert clauses.clause_id("§三(二)2(1)", "zh") == "§三（二）2（1）"
    # what is not a Chinese number (a user's own clause id) is kept as written
    assert clauses.clause_id("§二三(十十)", "en") == "§二三(十十)"


def test_fullwidth_changes_punctuation_only() -> None:
    text = "给予不超过300万奖励;对(不含跨境电商),每实现1万元: 5元"
    assert clauses.fullwidth(text) == "给予不超过300万奖励；对（不含跨境电商），每实现1万元：5元"
    assert clauses.fullwidth("1,000 (x)") == "1,000 (x)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unset_uncertainty_is_said_to_be_the_models_default(tmp_path: Path, lang: str) -> None:
    """A scenario without a climate block takes the model's default (no common climate): its
    rows say so, not "public data" (it cites nothing) nor the file's own assumption."""
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    del raw["uncertainties"]["climate"]
    path = tmp_path / "no_climate.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    rows = assumption_rows(load_scenario(path), None, lang, "no_climate.yaml")
    default = label("report.default_basis", lang).format(file="no_climate.yaml")
    climate = [row for row in rows if row[3] == default]
    assert len(climate) == 3, [row[:2] for row in rows]  # online retail, products, supply
    assert all(row[3] != default for row in rows if row not in climate)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_switch_left_out_is_said_to_be_off(tmp_path: Path, lang: str) -> None:
    """A scenario without firms.reference_level draws its firms whatever the 2022 level: the
    table says the key is not set and differs from the baseline's, instead of hiding it."""
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    del raw["uncertainties"]["firms"]["reference_level"]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    rows = assumption_rows(load_scenario(path), load_scenario(BASELINE), lang, "old.yaml")
    off = [row for row in rows if row[2] == label("report.off_when_absent", lang)]
    assert len(off) == 1 and off[0][4] == label("report.yes", lang), off
    assert off[0][1] == label("uncertainty.firms.reference_level", lang)
    rows = assumption_rows(load_scenario(BASELINE), None, lang, "baseline.yaml")
    assert not [row for row in rows if row[2] == label("report.off_when_absent", lang)]


@pytest.mark.parametrize(
    ("lang", "baseline_said"), [("en", "--assume payout_share=0.5"), ("zh", "支付比例改为50%")]
)
def test_a_comparison_of_variants_says_what_the_command_line_set(
    lang: str, baseline_said: str
) -> None:
    """``sbqw report baseline austerity --compare --assume payout_share=0.5``: each scenario's
    report says the flag in its provenance; the comparison gave only the files' hashes and the
    seed, which reproduce other numbers. Said per scenario, as each report says it: austerity
    pays half already, so the flag changed nothing there (—)."""
    import html
    import re

    from sbqw_model.reporting.comparison import Comparison

    files = [str(BASELINE), str(BASELINE.with_name("austerity.yaml"))]
    values = {"draws": 20, "seed": 0, "lang": lang, "assume": {"payout_share": 0.5}}
    text = html.unescape(
        str(Comparison.from_namespace({**values, "scenario_files": files}).provenance())
    )
    rows = re.findall(r"<tr>(.*?)</tr>", text, flags=re.S)
    assert label("report.set_on_command_line", lang) in rows[0]
    assert re.search(rf"<td>{re.escape(baseline_said)}</td>", rows[1]), rows[1]
    assert rows[2].rstrip().endswith("<td>—</td>"), rows[2]

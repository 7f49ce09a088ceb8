"""The comparison's outlay changes: the difference of the figures shown above them, signed."""

from __future__ import annotations

import dataclasses
import html
import re
from types import SimpleNamespace

import pytest

from sbqw_model.engine import TARGETS
from sbqw_model.reporting.comparison import Comparison
from sbqw_model.summary_types import Band, Budget, Summary


def _summary(title: str, total_p50: float, total_p95: float, year_p50: float) -> Summary:
    from tests.reporting.test_leader import _summary as known

    band = Band(mean=total_p50, p5=1e7, p50=total_p50, p90=total_p95, p95=total_p95)
    year = Band(mean=year_p50, p5=1e6, p50=year_p50, p90=2e7, p95=2e7)
    s = known({k: (0.5, 1.0) for k in TARGETS})
    budget = Budget(total=band, by_year={2023: year}, by_instrument={}, by_prefecture={})
    return dataclasses.replace(s, title_zh=title, title_en=title, budget=budget)


def _halved(s: Summary) -> Summary:
    """``s`` paying half: its outlay halves (the odds stay, as the model has it)."""
    total = s.budget.total
    half = Band(**{k: getattr(total, k) / 2 for k in ("mean", "p5", "p50", "p90", "p95")})
    return dataclasses.replace(s, budget=dataclasses.replace(s.budget, total=half))


def _rows(lang: str) -> list[list[str]]:
    first = _summary("A", 168_724_000, 207_426_000, 45_450_000)  # 16,872 / 20,743; 4,545
    # 13,017 / 15,667; 5,000: unrounded, 13,016.6 − 16,872.4 = −3,855.8 would read −3,856
    other = _summary("B", 130_166_000, 156_666_000, 50_000_000)
    reports = [SimpleNamespace(title=s.title_zh, summary=s) for s in (first, other)]
    page = str(Comparison(reports, lang).budget_table())  # type: ignore[arg-type]
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL)
    cells = [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.DOTALL)
        ]
        for row in rows
    ]
    return [c for c in cells if c and c[0] in ("A", "B")]


def test_each_change_is_the_difference_of_the_rows_shown_and_signed() -> None:
    for lang in ("zh", "en"):
        a, b, change = _rows(lang)
        assert a[2:] == ["16,872 / 20,743", "4,545 / 2,000"], a
        assert b[2:] == ["13,017 / 15,667", "5,000 / 2,000"], b
        # 13,017 − 16,872 = −3,855; 15,667 − 20,743 = −5,076; 5,000 − 4,545 = +455; 0 as +0
        assert change[2:] == ["-3,855 / -5,076", "+455 / +0"], change


def _odds(lang: str) -> tuple[list[list[str]], str]:
    """Two summaries whose parks' odds read 4 % and 23 % (unrounded 4.4 % and 22.6 %: 18.2
    points apart), and whose bases' read 50 % and 79.8 % (kept below the 80 % band)."""
    from tests.reporting.test_leader import _summary as known

    odds = {k: (0.5, 1.0) for k in TARGETS}
    first = dataclasses.replace(known({**odds, "parks": (0.044, 1.0)}), title_zh="A", title_en="A")
    other = known({**odds, "parks": (0.226, 1.0), "bases": (0.798, 1.0)})
    other = dataclasses.replace(other, title_zh="B", title_en="B")
    reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in (first, other)]
    comparison = Comparison(reports, lang)  # type: ignore[arg-type]
    page = str(comparison.probability_table())
    cells = [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL)
    ]
    return [c for c in cells if c and c[0] in ("A", "B")], comparison.outcome_sentence()


def test_each_odds_change_is_the_difference_of_the_odds_shown() -> None:
    for lang in ("zh", "en"):
        (a, b, change), sentence = _odds(lang)
        assert (a[1], b[1], change[1]) == ("4%", "23%", "+19"), (a, b, change)
        assert (a[2], b[2], change[2]) == ("50%", "79.8%", "+29.8"), (a, b, change)
        assert change[3] == "+0" and change[-1] == "+0", change
        assert ("19至30个百分点" if lang == "zh" else "by 19 to 30 points") in sentence, sentence


def test_a_rise_the_table_rounds_away_is_still_a_rise() -> None:
    """Odds 45.1 % → 45.3 % (beyond noise, both shown 45%): the change shown is 0, yet the
    conclusion said the variant *lowers* them (a zero change fell on the 'lowers' side)."""
    from tests.reporting.test_leader import _summary as known

    def tight(p: float, title: str) -> Summary:
        s = known({**{k: (0.3, 1.0) for k in TARGETS}, "parks": (p, 1.0)})
        parks = dataclasses.replace(s.targets.parks, p_met_se=0.0001)
        targets = dataclasses.replace(s.targets, parks=parks)
        return dataclasses.replace(s, targets=targets, title_zh=title, title_en=title)

    first, other = tight(0.451, "A"), tight(0.453, "B")
    reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in (first, other)]
    for lang, raised, lowered in (("zh", "提高", "降低"), ("en", "raises", "lowers")):
        sentence = Comparison(reports, lang).outcome_sentence()  # type: ignore[arg-type]
        assert raised in sentence and lowered not in sentence, sentence


def test_what_all_targets_at_once_means_is_true_when_every_target_is_certain() -> None:
    """Every target met in every world: all at once is exactly as likely as each one (100 %),
    so the note may not call it lower."""
    from tests.reporting.test_leader import _summary as known

    certain = dataclasses.replace(known({k: (1.0, 1.2) for k in TARGETS}), p_all_met=1.0)
    for lang, lower in (("zh", "低于"), ("en", "lower than")):
        reports = [SimpleNamespace(title=t, summary=certain, results=None) for t in ("A", "B")]
        page = html.unescape(str(Comparison(reports, lang).probability_table()))  # type: ignore[arg-type]
        assert lower not in page and ("不会高于" in page or "cannot be higher" in page), page


def test_scenarios_sharing_a_title_keep_their_own_rows_notes_and_changes() -> None:
    """Two files titled 基准情景 (a copy of baseline.yaml, edited): the budget table's 支出性质
    column was keyed by title, so the plain baseline's row said the copy's 按上限的50%支付;
    the conclusion kept one of two changed scenarios of one title, and every table and chart
    showed two rows of one name. As in the comparison workbook, a repeated title gets the
    scenario's name in brackets."""
    from tests.reporting.test_leader import _summary as known

    odds = {k: (0.5, 1.0) for k in TARGETS}
    first = dataclasses.replace(known(odds), scenario="baseline", title_zh="基准情景")
    half = dataclasses.replace(
        _halved(known({**odds, "parks": (0.9, 1.0)}, share=0.5)),
        scenario="half",
        title_zh="基准情景",
    )
    low = dataclasses.replace(
        known({**odds, "bases": (0.1, 1.0)}), scenario="low", title_zh="基准情景"
    )
    trio = [first, half, low]
    reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in trio]
    comparison = Comparison(reports, "zh")  # type: ignore[arg-type]
    assert comparison.names == ["基准情景", "基准情景（half）", "基准情景（low）"]
    page = html.unescape(re.sub(r"<[^>]+>", "|", str(comparison.budget_table())))
    assert "|基准情景||上限|" in page and "|基准情景（half）||按上限的50%支付|" in page, page
    sentence = comparison.outcome_sentence()
    assert "基准情景（half）" in sentence and "基准情景（low）" in sentence, sentence


def test_odds_that_differ_within_noise_are_not_called_cost_only() -> None:
    """A scenario with observed figures (163 effective draws): its odds read 6 points below the
    baseline's, within noise. The conclusion said it changed only what is paid, "built into the
    model" (support does not move applicants), beside a table of -6 and -4 points."""
    from tests.reporting.test_leader import _summary as known

    odds = {k: (0.5, 1.0) for k in TARGETS}

    def wide(s: Summary) -> Summary:  # errors of about 163 effective draws
        targets = {k: dataclasses.replace(s.targets[k], p_met_se=0.039) for k in TARGETS}
        return dataclasses.replace(s, targets=dataclasses.replace(s.targets, **targets))

    first = dataclasses.replace(known(odds), title_zh="A", title_en="A")
    seen = wide(known({**odds, "parks": (0.44, 1.0), "bases": (0.46, 1.0)}))
    seen = dataclasses.replace(seen, scenario="seen", title_zh="B", title_en="B")
    half = dataclasses.replace(
        _halved(known(odds, share=0.5)), scenario="half", title_zh="C", title_en="C"
    )
    for trio, lang in (([first, seen], "zh"), ([first, seen, half], "en")):
        reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in trio]
        sentence = Comparison(reports, lang).outcome_sentence()  # type: ignore[arg-type]
        if lang == "zh":
            assert sentence.startswith("B：") and "未超出模拟误差" in sentence, sentence
            assert "只影响支出" not in sentence and "模型假设" not in sentence, sentence
        else:  # C pays half: only it changes what is paid alone, by the model's assumption
            assert "In C, only the outlay changes" in sentence, sentence
            assert "In B, no target's odds change beyond simulation noise" in sentence, sentence
            assert "B, C" not in sentence and "C, B" not in sentence, sentence


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_variant_that_only_pays_differently_is_named_not_called_these(lang: str) -> None:
    """Baseline and one variant paying half: the sentence named "these variants" (这些方案) for a
    single one; it names it, and still says why (the model's assumption)."""
    from tests.reporting.test_leader import _summary as known

    odds = {k: (0.5, 1.0) for k in TARGETS}
    first = dataclasses.replace(known(odds), title_zh="A", title_en="A")
    half = dataclasses.replace(
        _halved(known(odds, share=0.5)), scenario="half", title_zh="C", title_en="C"
    )
    reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in (first, half)]
    sentence = Comparison(reports, lang).outcome_sentence()  # type: ignore[arg-type]
    if lang == "zh":
        assert sentence.startswith("C：只影响支出规模") and "这些方案" not in sentence, sentence
        assert "模型假设" in sentence, sentence
    else:
        assert sentence.startswith("In C, only the outlay changes"), sentence
        assert "These variants" not in sentence and "built into the model" in sentence, sentence


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_variant_alike_in_odds_and_outlay_is_not_said_to_change_the_outlay(lang: str) -> None:
    """Austerity under ``--assume payout_share=0.6`` beside the baseline under it: the same odds
    and the same outlay. The conclusion said it "only changes the outlay" beside "the same as
    Baseline"; it says both are alike, and a variant paying half still changes only the outlay."""
    from tests.reporting.test_leader import _summary as known

    odds = {k: (0.5, 1.0) for k in TARGETS}
    first = dataclasses.replace(known(odds), title_zh="A", title_en="A")
    alike = dataclasses.replace(first, scenario="alike", title_zh="B", title_en="B")
    half = dataclasses.replace(
        _halved(known(odds, share=0.5)), scenario="half", title_zh="C", title_en="C"
    )
    for group in ((first, alike), (first, alike, half)):
        reports = [SimpleNamespace(title=s.title_zh, summary=s, results=None) for s in group]
        sentence = Comparison(reports, lang).outcome_sentence()  # type: ignore[arg-type]
        if lang == "zh":
            assert "B：各项目标的达成概率和支出均与A相同。" in sentence, sentence
            assert "这些方案" not in sentence and "B：只影响" not in sentence, sentence
            assert ("C：只影响支出规模" in sentence) == (len(group) == 3), sentence
        else:
            said = "In B, the odds of every target and the outlay are the same as in A."
            assert said in sentence and "These variants" not in sentence, sentence
            assert "In B, only" not in sentence and "B, C" not in sentence, sentence
            assert ("In C, only the outlay changes" in sentence) == (len(group) == 3), sentence

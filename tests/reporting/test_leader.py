"""The leader's first screen and the report text: punctuation, names, labels, clauses (variants
and the notice's quotes: test_variants_clauses.py).

In-process and small (no papermill): every block of one scenario report and a comparison is
rendered once per language, and the visible text is checked the way a reader would read it.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import ROOT

from sbqw_model.assumptions import SPECS
from sbqw_model.catalogue import label
from sbqw_model.engine import TARGETS, simulate
from sbqw_model.errors import InputError
from sbqw_model.labels import money
from sbqw_model.reporting import clauses, leader
from sbqw_model.reporting.comparison import Comparison
from sbqw_model.reporting.fragments import table
from sbqw_model.reporting.html import PRINT_CSS
from sbqw_model.reporting.i18n import TEXT, t, target_name
from sbqw_model.reporting.scenario_report import ScenarioReport
from sbqw_model.scenario import load_scenario
from sbqw_model.summary import BAND, CENTRAL
from sbqw_model.summary_types import Band, Budget, Summary, TargetOdds, Targets

DRAWS = 200
BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
NOTICE = ROOT / "sbqw_model" / "policy" / "qianshangfa-2023-1.zh.txt"
CJK = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
BLOCKS = (
    "header",
    "conclusion",
    "targets_table",
    "budget_summary",
    "data_note",
    "instrument_table",
    "assumptions_table",
    "clause_appendix",
    "technical_appendix",
    "provenance",
)


def visible(markup: str, sep: str = " ") -> str:
    """What a reader sees: tags dropped (``sep`` between cells), entities decoded."""
    text = re.sub(r"<[^>]+>", sep, markup)
    return re.sub(r"\s+", " ", html.unescape(text))


def report(lang: str, assume: dict[str, Any] | None = None) -> ScenarioReport:
    plain = load_scenario(BASELINE)
    scenario = plain.with_assumptions(plain.assumptions.updated(assume or {}))
    results = simulate(scenario, draws=DRAWS, seed=1)
    return ScenarioReport(scenario, results, lang, BASELINE, assume or {}, plain)


@pytest.fixture(scope="module", params=["zh", "en"])
def rendered(request: pytest.FixtureRequest) -> tuple[str, ScenarioReport, dict[str, str]]:
    lang = request.param
    r = report(lang, {"payout_share": 0.6, "payment_lag_years": 1})
    pages = {name: str(getattr(r, name)()) for name in BLOCKS}
    austerity = load_scenario(ROOT / "sbqw_model" / "scenarios" / "austerity.yaml")
    others = [
        ScenarioReport(s, simulate(s, draws=DRAWS, seed=1), lang, s.path or BASELINE)
        for s in (load_scenario(BASELINE), austerity)
    ]
    c = Comparison(others, lang)
    names = ("header", "conclusion", "probability_table", "budget_table", "data_note")
    for name in (*names, "clause_appendix", "provenance"):
        pages[f"compare.{name}"] = str(getattr(c, name)())
    return lang, r, pages


# --- Chinese that reads as written by a Chinese analyst -----------------------------------


def test_zh_text_has_full_width_punctuation(rendered: Any) -> None:
    lang, _, pages = rendered
    if lang != "zh":
        pytest.skip("Chinese only")
    for name, page in pages.items():
        text = visible(page, "¦")  # a cell boundary is not punctuation
        bad = re.findall(rf"{CJK}\s*[,:;()]|[,:;()]\s*{CJK}", text)
        assert not bad, (name, bad[:5])


def test_zh_text_has_no_internal_names(rendered: Any) -> None:
    lang, _, pages = rendered
    if lang != "zh":
        pytest.skip("Chinese only")
    for name, page in pages.items():
        text = visible(page)
        for word in ("DIGEST", "True", "False", "P(met)", "assumption", *SPECS):
            assert word not in text, (name, word)
        text = re.sub(r"[\w.]+/[\w./]*|\w+\.(?:yaml|csv)", "", text)  # file names: where data are
        snake = re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)
        assert not snake, (name, snake)
        for phrase in ("世界同基准", "与首个情景之差"):
            assert phrase not in text


def test_english_is_english(rendered: Any) -> None:
    lang, _, pages = rendered
    if lang != "en":
        pytest.skip("English only")
    for name, page in pages.items():
        if name.endswith("clause_appendix"):  # quotes the notice in Chinese, on purpose
            page = re.sub(r"<dd>.*?</dd>", "", page, flags=re.DOTALL)
            page = re.sub(r"\(§[^()]*(\([^()]*\)[^()]*)*\)", "", page)  # the notice's own id
        text = re.sub(r"黔商发〔2023〕1号", "", visible(page))  # the notice's name
        assert not re.search(CJK, text), (name, re.findall(rf".{{0,20}}{CJK}.{{0,20}}", text)[:3])
        assert "P(met)" not in text and "亿" not in text


def test_money_in_leader_tables_is_whole_wan(rendered: Any) -> None:
    _, _, pages = rendered
    cells = re.findall(r"<td>([^<]*)</td>", pages["budget_summary"])
    numbers = [c for c in cells if re.fullmatch(r"[\d,]+(\.\d+)?", c)]
    assert numbers and all("." not in c for c in numbers), numbers
    assert re.search(r"每万元5元|5 yuan per 10,000 yuan", visible(pages["assumptions_table"]))


# --- the first screen ----------------------------------------------------------------------


STATUS_ENDINGS = {
    "zh": {
        "on_course": "目标有望达成",
        "at_risk": "目标存在风险",
        "close": "目标接近达成",
        "unlikely": "目标难以达成",
    },
    "en": {
        "on_course": " on course",
        "at_risk": " at risk",
        "close": " close to being met",
        "unlikely": " unlikely to be met",
    },
}


_UNIT_YUAN = {"亿元": 1e8, "万元": 1e4, "元": 1.0, "bn": 1e9, "m": 1e6, "": 1.0}


def _amounts(text: str) -> list[float]:
    """Every amount in a sentence, in yuan: 1.25亿元, 8,695万元, ¥124.5m, ¥50,000."""
    found = re.findall(r"(¥?)(-?[\d,]+(?:\.\d+)?)(亿元|万元|元|bn|m\b|)", text)
    return [
        float(n.replace(",", "")) * _UNIT_YUAN[u]
        for sign, n, u in found
        if sign or u in ("亿元", "万元", "元")
    ]


def top_level_parts(sentence: str) -> list[str]:
    """The status groups of the conclusion's first sentence: split at its semicolons, not at
    those inside a group's parenthesis (English drivers are set apart by semicolons)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(sentence):
        depth += ch in "(（"
        depth -= ch in ")）"
        if depth == 0 and ch in ";；":
            parts.append(sentence[start:i].strip())
            start = i + 1
    return [*parts, sentence[start:].strip()]


def test_conclusion_agrees_with_the_numbers(rendered: Any) -> None:
    lang, r, pages = rendered
    first, second = leader.conclusion(r.summary, lang)
    assert first in visible(pages["conclusion"]) and second in visible(pages["conclusion"])
    targets, _, drivers = first.partition("。" if lang == "zh" else ". ")
    parts = top_level_parts(targets.rstrip("。."))
    doubtful = set()
    for key in TARGETS:
        state = leader.target_status(r.summary, key).key
        name = target_name(key, lang).lower()  # English names are lower case in prose
        (part,) = [p for p in parts if name in p.lower()]
        said = re.sub(r"(（[^（）]*）| \([^()]*\))$", "", part)  # a close one's median
        assert said.endswith(STATUS_ENDINGS[lang][state]), (key, state, part)
        if state != "on_course":  # "unlikely" too: an assumption read forward, not a finding
            doubtful.add(leader.TARGET_DRIVERS[key])
    # then what those not on course hang on, each kind of target once, and nothing else
    for kind in set(leader.TARGET_DRIVERS.values()):
        assert drivers.count(label(kind, lang)) == (kind in doubtful), (kind, drivers)
    total = r.summary.budget.total
    central, high = getattr(total, CENTRAL), getattr(total, BAND[1])
    assert money(central, lang, like=high) in second
    # the 95th percentile is the one figure the budget table shows, not a rounded-up bound
    assert money(high, lang) in second and money(high, lang) in visible(pages["budget_summary"])
    assert abs(_amounts(second)[1] - high) <= high * 0.005 + 1.0
    full = "按各项奖励上限全额支付测算，在本情景" if lang == "zh" else "an upper bound"
    assert (full in second) == leader.is_upper_bound(r.summary)


def test_status_bands_call_a_near_miss_close() -> None:
    assert leader.status(0.49, 998, 1000).key == "close"
    assert leader.status(0.49, 900, 1000).key == "unlikely"
    assert leader.status(0.5, 1001, 1000).key == "at_risk"
    assert leader.status(0.8, 1200, 1000).key == "on_course"
    assert leader.status(0.0, 0, 0).key == "unlikely"


def _summary(p: dict[str, tuple[float, float]], share: float = 1.0) -> Summary:
    """A summary with chosen (probability, median/target) per target, target 1000."""
    targets = {
        k: TargetOdds(1000.0, pm, 0.01, mean=ratio * 1000, p5=1, p50=ratio * 1000, p90=2, p95=2)
        for k, (pm, ratio) in p.items()
    }
    total = Band(mean=1.6e8, p5=1.2e8, p50=1.6e8, p90=2e8, p95=2.1e8)
    return Summary(
        scenario="known",
        title_zh="已知",
        title_en="Known",
        draws=1,
        seed=0,
        assumptions={"payout_share": share},
        parameter_overrides={},
        targets=Targets(**targets),
        p_all_met=0.0,
        p_all_met_se=0.0,
        p_recognition_met=0.0,
        p_recognition_met_se=0.0,
        recognition_min_p_met=0.0,
        budget=Budget(total=total, by_year={}, by_instrument={}, by_prefecture={}),
        recognitions={},
        recognition_levers={},
        conditioning={"method": "none"},
    )


def test_conclusion_from_a_known_summary() -> None:
    values = {k: (0.9, 1.2) for k in TARGETS}
    values["online_retail"] = (0.49, 0.998)
    values["products"] = (0.2, 0.8)
    first, second = leader.conclusion(_summary(values), "zh")
    # 99.8 %, not "100%": a median short of the target never reads as reaching it
    assert "网络零售额（中位数为目标的99.8%" in first and "目标接近达成" in first
    assert (
        "网络畅销产品目标难以达成。" in first
        and "网络畅销产品目标取决于其增速（认定标准不变）" in first
    )
    assert first.endswith(
        "网络畅销产品目标取决于其增速（认定标准不变）；网络零售额目标取决于2022年的起点和此后的增速。"
    )
    assert first.startswith("按本情景的假设，省级电商产业园区、")
    assert (
        second == "方案支出合计中位数约1.6亿元，第95百分位约2.1亿元，即95%的模拟情形不高于此数"
        "（按各项奖励上限全额支付测算，在本情景对方案未明确事项的理解下是支出的上限）。"
    )
    _, second = leader.conclusion(_summary(values, share=0.6), "en")
    assert "¥160m" in second and "¥210m" in second and "at 60% of the ceilings" in second
    assert "upper bound" not in second
    years = {str(y): _summary(values).budget.total for y in (2024, 2023, 2026, 2025)}
    paid = dataclasses.replace(
        _summary(values), budget=Budget(_summary(values).budget.total, years, {}, {})
    )
    assert leader.conclusion(paid, "zh")[1].startswith("方案支出合计（2023—2026年支付）中位数约")
    assert "total outlay (paid 2023–2026) has" in leader.conclusion(paid, "en")[1]


def test_the_upper_bound_is_said_to_hold_under_the_scenarios_readings() -> None:
    """Ceilings paid in full bound the outlay only under the readings the scenario takes: a
    firm at 60 亿 of annual sales from 2023 (none in 2022) is paid 300 万 under the default
    ``highest`` and 100 万 + 300 万 = 400 万 under ``cumulative`` (§四(二)3), and a
    cross-border firm's domestic 3 亿 earns 15 万 of traffic subsidy under
    ``cross_border_part``, nothing under the default ``whole_firm``. So the conclusion may not
    call the default's outlay the upper bound of spending without saying under what."""
    from sbqw_model.assumptions import Assumptions
    from sbqw_model.parameters import default_parameters
    from sbqw_model.rules import sales_milestone_awards, traffic_subsidy

    params = default_parameters()
    sales = np.array([[6e9, 6e9, 6e9]])
    paid = sales_milestone_awards(sales, params, Assumptions()).sum()
    other = sales_milestone_awards(sales, params, Assumptions(sales_award_mode="cumulative"))
    assert (paid, other.sum()) == (3_000_000, 4_000_000)
    part = Assumptions(cross_border_exclusion="cross_border_part")
    retail = np.array([5e8])
    assert traffic_subsidy(retail, True, True, params, Assumptions(), np.array([2e8])) == 0
    assert traffic_subsidy(retail, True, True, params, part, np.array([2e8])) == 150_000
    values = {k: (0.9, 1.2) for k in TARGETS}
    zh = leader.conclusion(_summary(values), "zh")[1]
    en = leader.conclusion(_summary(values), "en")[1]
    assert "（按各项奖励上限全额支付测算，在本情景对方案未明确事项的理解下是支出的上限）" in zh
    assert "an upper bound under this scenario's readings of what the notice leaves open" in en


def test_the_conclusion_says_how_much_of_the_cost_the_quotas_cap() -> None:
    """One-time awards are capped by the quotas (a lever): their share of the mean outlay is
    said, by hand: (8 000万 + 4 000万) of 16 000万 = 75 %; milestones and the subsidy are not
    counted. Not said where no quota caps anything, or where it would read 0 %."""
    from sbqw_model.recognition import STRATEGIES

    band = Band(mean=0.0, p5=0.0, p50=0.0, p90=0.0, p95=0.0)
    base = _summary({k: (0.9, 1.2) for k in TARGETS})

    def with_awards(park: float, levers: dict[str, str] | None = None) -> Summary:
        by_instrument = {
            "award.park": dataclasses.replace(band, mean=park),
            "award.base": dataclasses.replace(band, mean=4e7 if park else 0.0),
            "traffic": dataclasses.replace(band, mean=3e7),
            "sales.tier1": dataclasses.replace(band, mean=1e7),
        }
        budget = dataclasses.replace(base.budget, by_instrument=by_instrument)
        return dataclasses.replace(base, budget=budget, recognition_levers=levers or {})

    summary = with_awards(8e7)
    assert leader.decided_share(summary) == pytest.approx(0.75)
    _, second = leader.conclusion(summary, "zh")
    assert second.endswith(
        "支出平均约75%为一次性认定奖励，其多少取决于省商务厅每轮的认定名额（政策选择）；"
        "合格申报不足时，实际认定数少于名额。"
    )
    _, second = leader.conclusion(summary, "en")
    assert (
        "On average about 75% of the outlay is one-time recognition awards, capped by how" in second
    )
    assert leader.decided_share(base) is None, "no breakdown"
    assert leader.decided_share(with_awards(0.0)) is None, "no awards: no '0%'"
    assert leader.UNCAPPED in STRATEGIES
    uncapped = {c: leader.UNCAPPED for c in ("park", "base", "enterprise", "team")}
    assert leader.decided_share(with_awards(8e7, uncapped)) is None, "supply alone decides"
    some = {**uncapped, "park": "target_pace (buffer 0.1)"}
    assert leader.decided_share(with_awards(8e7, some)) == pytest.approx(0.75)


def test_the_drivers_are_said_once_per_kind_of_target() -> None:
    """After the statuses, what the targets not on course hang on: each kind of target once,
    in the table's order, however many status groups it spans."""
    values = {k: (0.9, 1.2) for k in TARGETS}
    values["bases"] = values["products"] = values["online_retail"] = (0.3, 0.5)
    values["teams"] = (0.6, 1.0)  # at risk: recognition again, said once
    first, _ = leader.conclusion(_summary(values), "en")
    assert first.endswith(
        " The recognition targets depend on the number of applications and the share that"
        " qualify; the best-selling products target depends on how fast they grow (under an"
        " unchanged selling standard); the online retail target depends on its 2022 starting"
        " level and how fast it grows from there."
    ), first
    first, _ = leader.conclusion(_summary(values), "zh")
    assert first.endswith(
        "。认定类目标取决于申报数量和合格率；网络畅销产品目标取决于其增速（认定标准不变）；"
        "网络零售额目标取决于2022年的起点和此后的增速。"
    ), first
    assert first.count("认定类目标") == 1
    all_on_course, _ = leader.conclusion(_summary({k: (0.9, 1.2) for k in TARGETS}), "zh")
    assert "取决于" not in all_on_course


def test_a_doubtful_group_says_once_what_it_hangs_on() -> None:
    values = {k: (0.9, 1.2) for k in TARGETS}
    values["bases"] = values["teams"] = (0.6, 1.0)  # both at risk, both on recognition
    first, _ = leader.conclusion(_summary(values), "zh")
    assert "省级电商直播基地、电商直播团队目标存在风险。认定类目标取决于申报数量和合格率。" in first
    assert first.count("取决于") == 1, first


def test_no_monte_carlo_noise_up_front(rendered: Any) -> None:
    _, _, pages = rendered
    for name in ("conclusion", "targets_table", "budget_summary"):
        assert "±" not in visible(pages[name]), name
    assert "±" in visible(pages["technical_appendix"])


def test_all_targets_together_is_a_sentence_not_a_row(rendered: Any) -> None:
    lang, r, pages = rendered
    rows = re.findall(r"<tr>", pages["targets_table"])
    assert len(rows) == 1 + len(TARGETS)
    sentence = TEXT["all_met_sentence"][0 if lang == "zh" else 1].format(
        p=f"{r.summary.p_all_met:.0%}"
    )
    assert sentence in visible(pages["targets_table"])
    for status in leader.STATUSES.values():  # the bands, stated once with their meaning
        assert visible(pages["targets_table"]).count(status.meaning(lang)) == 1


def test_outlay_says_what_it_is(rendered: Any) -> None:
    lang, _, pages = rendered
    share = "按上限的60%支付" if lang == "zh" else "at 60% of the ceilings"
    assert share in visible(pages["budget_summary"]) and share in visible(pages["instrument_table"])
    # the unit and the note share one bracket, as the workbook's header has them
    illustrative = (
        "预算安排（万元，示例）" if lang == "zh" else "Appropriation (10,000 yuan, illustrative)"
    )
    assert illustrative in visible(pages["budget_summary"])
    assert "）（" not in visible(pages["budget_summary"]) and ") (" not in pages["budget_summary"]
    plain = report(lang)
    bound = "上限" if lang == "zh" else "upper bound"
    assert bound in visible(str(plain.budget_summary()))
    assert bound in visible(str(plain.instrument_table()))


def test_data_note_says_what_is_observed_and_assumed(rendered: Any) -> None:
    lang, _, pages = rendered
    text = visible(pages["data_note"])
    assert "2022" in text and "sbqw_model/" not in text  # files by name, no package path
    dash = "—" if lang == "zh" else "–"
    for name in ("national_online_retail_growth.csv", "public_statistics_to_2022.csv"):
        assert (
            f"2016{dash}2022{'年' if lang == 'zh' else ''}, {name}".replace(
                ", ", "，" if lang == "zh" else ", "
            )
            in text
        ), name
    assert f"2017{dash}2021" in text, "the provincial figures used (rows marked unused are not)"
    assert "2023" not in text.split("2025")[-1], "no statistic from the plan's own years"
    # the starting level: assumed, what depends on it, and how the department replaces it
    assert ("假设" in text) if lang == "zh" else ("assumes" in text)
    assert "--observed" in text and (("取决于这一起点" in text) or ("depend largely" in text))


# --- clauses -------------------------------------------------------------------------------


def test_clause_appendix_quotes_each_clause(rendered: Any) -> None:
    lang, r, pages = rendered
    text = visible(pages["clause_appendix"])
    for clause, quote in clauses.appendix_rows(r.scenario.params, lang):
        assert clause in text and quote in text
    assert "每实现1万元最高给予5元流量补贴" in text


def test_clause_ids_have_one_style_per_report(rendered: Any) -> None:
    """§三（二）2（1） in Chinese, §III(2)2(1) in English: never a mix, in any table."""
    lang, _, pages = rendered
    ids = re.findall(
        r"§[一二三四五六七八九十IVXL.]*[^\s，。；、¦|<]*",
        " ".join(
            visible(page) for name, page in pages.items() if not name.endswith("clause_appendix")
        ),
    )
    assert ids
    wrong = "()IVXL" if lang == "zh" else "（）一二三四五六七八九十"
    assert not [i for i in ids if any(c in i for c in wrong)], ids


# --- labels, templates, CSS ----------------------------------------------------------------


def test_every_assumption_has_reader_names() -> None:
    for name, spec in SPECS.items():
        assert spec.label_zh and spec.label_en and spec.doc_zh and spec.doc_en, name
        assert not re.search(r"[a-z]_[a-z]|True|False", spec.label_zh + spec.doc_zh), name
        for choice in spec.choices or ():
            zh = spec.value_label(choice, "zh")
            assert re.search(CJK, zh) or zh.isdigit(), (name, choice, zh)


def test_tables_escape_their_cells() -> None:
    markup = str(table(["<b>h</b>"], [["<script>alert(1)</script>", "a & b"]]))
    assert "&lt;script&gt;" in markup and "<script>" not in markup and "&amp;" in markup
    assert markup.startswith('<div class="sbqw-scroll">')


def test_phone_css_is_shipped() -> None:
    css = (ROOT / "sbqw_model" / "reporting" / "templates" / "report.css").read_text("utf-8")
    assert css == PRINT_CSS
    assert "@media screen and (max-width: 640px)" in css
    assert re.search(r"\.sbqw-scroll\s*\{[^}]*overflow-x:\s*auto", css)
    phone = css[css.index("@media screen and (max-width: 640px)") :]
    # a chart on a phone keeps a readable width and scrolls in its box, as a table does
    assert re.search(r"\.jp-RenderedImage\s*\{[^}]*overflow-x:\s*auto", phone)
    assert re.search(r"\.jp-RenderedImage img\s*\{[^}]*max-width:\s*none", phone)


def test_illustrative_appropriation_flag(tmp_path: Path) -> None:
    s = load_scenario(BASELINE)
    assert s.appropriation_illustrative
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["appropriation"]["illustrative"] = "yes"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(bad)
    assert any(
        "appropriation.illustrative: expected true or false" in p for p in exc.value.problems
    )
    del raw["appropriation"]["illustrative"]
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert not load_scenario(bad).appropriation_illustrative


def test_budget_chart_shows_the_tables_median_and_band(rendered: Any) -> None:
    """The stacked bars add up to each year's median (as the year table), the whisker is its
    5th–95th percentile: the chart and the table show one statistic."""
    from matplotlib.collections import LineCollection, PolyCollection

    from sbqw_model.reporting import charts

    lang, r, _ = rendered
    ax = charts.budget_by_year_chart(r.results, lang).axes[0]
    heights = sum(
        np.array([p.vertices[:, 1].max() - p.vertices[:, 1].min() for p in c.get_paths()])
        for c in ax.collections
        if isinstance(c, PolyCollection)
    )
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    for k, year in enumerate(r.results.payment_years):
        band = r.summary.budget.by_year[str(year)]
        assert heights[k] == pytest.approx(band.p50 / 1e4, rel=1e-9, abs=1e-6)
        ends = sorted(whiskers.get_segments()[k][:, 1])
        assert ends == pytest.approx([band.p5 / 1e4, band.p95 / 1e4])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_total_outlay_chart_draws_an_appropriation_only_over_the_same_years(lang) -> None:
    """Baseline's appropriation covers 2023–2025; its total outlay includes 2026's payments.
    Drawn on that total it would show an overrun the budget does not have."""
    import dataclasses

    from sbqw_model.reporting import charts

    base = load_scenario(BASELINE)
    assert 2026 in simulate(base, draws=20, seed=1).payment_years
    assert set(base.appropriation) == {2023, 2024, 2025}
    whole = dataclasses.replace(base, appropriation={**base.appropriation, 2026: 2e7})
    legends = {}
    for name, scenario in (("base", base), ("whole", whole)):
        fig = charts.outlay_distribution(simulate(scenario, draws=DRAWS, seed=1), lang)
        legends[name] = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    marked = "预算安排（示例）" if lang == "zh" else "Appropriation (illustrative)"
    assert not [x for x in legends["base"] if marked in x], legends["base"]
    assert f"{marked} 19,000" in legends["whole"], legends["whole"]


def test_a_variants_provenance_says_what_the_command_line_changed(rendered: Any) -> None:
    """The file's hash, the seed and these reproduce the run: the flags in English, as the
    title says it in Chinese."""
    lang, r, pages = rendered
    text = visible(pages["provenance"])
    if lang == "zh":
        assert "命令行修改的假设" in text and "支付比例改为60%，额外支付滞后改为1年" in text, text
    else:
        assert "--assume payout_share=0.6 --assume payment_lag_years=1" in text, text
    plain = ScenarioReport(r.scenario, r.results, lang, BASELINE)
    assert "命令行" not in str(plain.provenance()) and "command line" not in str(plain.provenance())


def test_the_comparison_leads_with_a_conclusion(rendered: Any) -> None:
    """What the variant changes (here: only what is paid), then each outlay against the
    first's in one unit; then the data note and the clauses, as a scenario report has."""
    lang, _, pages = rendered
    text = visible(pages["compare.conclusion"])
    if lang == "zh":
        assert "只影响支出规模" in text and "比基准情景少" in text
        # a sceptic's first question, answered with the claim: it is the model's assumption
        assert "这是模型假设所致，并非分析结论" in text and "不影响申报数量" in text
        assert re.search(r"基准情景：约[\d.]+亿元；紧缩方案（按上限的50%支付）：约[\d.]+亿元", text)
    else:
        assert "In Austerity (half of every ceiling), only the outlay changes" in text
        assert "built into the model, not a finding" in text and "applicants" in text
        assert "less than Baseline" in text
    assert "national_online_retail_growth.csv" in visible(pages["compare.data_note"])
    assert "每实现1万元最高给予5元流量补贴" in visible(pages["compare.clause_appendix"])
    # each scenario file's whole hash, as a scenario report gives it (16 digits identify less)
    assert load_scenario(BASELINE).digest in pages["compare.provenance"]


@pytest.mark.parametrize(
    ("lang", "said"), [("zh", "与基准情景相同"), ("en", "the same as Baseline")]
)
def test_an_equal_outlay_is_called_the_same_not_zero_more(lang: str, said: str) -> None:
    base = load_scenario(BASELINE)
    results = simulate(base, draws=DRAWS, seed=1)
    twice = [ScenarioReport(base, results, lang, BASELINE) for _ in range(2)]
    sentence = Comparison(twice, lang).outlay_sentence()
    assert said in sentence and "多0" not in sentence and "0 more" not in sentence, sentence


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_observed_2022_level_is_said_as_observed_not_assumed(tmp_path: Path, lang: str) -> None:
    """The department's own 2022 figure replaces the assumption: the data note says so, and
    no longer asks for the figure it has been given."""
    from sbqw_model.research.observations import load_observed

    observed = tmp_path / "level.csv"
    observed.write_text(
        "year,indicator,value,source\n2022,online_retail,6.5e10,商务厅 department figure\n",
        encoding="utf-8",
    )
    scenario = load_observed(observed, load_scenario(BASELINE))
    report = ScenarioReport(scenario, simulate(scenario, draws=200, seed=0), lang, BASELINE)
    text = visible(str(report.data_note()))
    assert "--observed" not in text and "商务厅 department figure" in text
    assert ("取观测值" in text) if lang == "zh" else ("an observed figure" in text)
    plain = load_scenario(BASELINE)
    text = visible(str(ScenarioReport(plain, simulate(plain, 200, 0), lang, BASELINE).data_note()))
    assert "--observed" in text


def test_figures_from_an_observations_file_are_cited_in_that_file(tmp_path: Path) -> None:
    """``--observed dept.csv`` (2022 and 2023 online retail): the data note said the 2023
    figure's source is in the scenario file (来源见情景文件baseline.yaml), and the assumptions
    table called both figures 公开数据 cited in baseline.yaml, which holds no word of them. A
    figure the scenario file itself observes is still cited there."""
    from sbqw_model.labels import uncertainty_label
    from sbqw_model.reporting.assumption_table import assumption_rows
    from sbqw_model.research.observations import load_observed
    from sbqw_model.scenario import Observation

    observed = tmp_path / "dept.csv"
    observed.write_text(
        "year,indicator,value,source\n2022,online_retail,6.5e10,平台监测\n"
        "2023,online_retail,7.2e10,平台监测\n",
        encoding="utf-8",
    )
    plain = load_scenario(BASELINE)
    own = Observation(2024, "products", 9000.0, "assumption: the scenario's own figure")
    scenario = load_observed(observed, dataclasses.replace(plain, observations=[own]))
    results = simulate(scenario, draws=200, seed=0)
    for lang, said_file, said_scenario in (
        ("zh", "2023年网络零售额（来源见观测文件dept.csv）", "（来源见情景文件baseline.yaml）"),
        ("en", "(sources in the observations file dept.csv)", "(sources in baseline.yaml)"),
    ):
        report = ScenarioReport(scenario, results, lang, BASELINE)
        note = visible(str(report.data_note()))
        assert said_file in note and said_scenario in note, note
        level = uncertainty_label("online_retail.level_2022", lang)
        kinds = (t("uncertainty", lang), t("observation", lang))
        cited = {
            row[1]: row[3]
            for row in assumption_rows(scenario, None, lang, "baseline.yaml")
            if row[0] == kinds[1] or row[:2] == [kinds[0], level]
        }
        assert len(cited) == 3, cited
        for what, basis in cited.items():
            in_file = "2024" not in what  # the scenario's own figure is the 2024 one
            assert ("dept.csv" in basis) == in_file and ("baseline.yaml" in basis) != in_file, (
                what,
                basis,
            )


def test_the_run_date_says_utc_once(rendered: Any) -> None:
    """The time carries its zone ('2026-12-01 01:40 UTC', as the index shows it); the label
    said it again: 运行时间（UTC）：2026-12-01 01:40 UTC."""
    _, _, pages = rendered
    for name in ("provenance", "compare.provenance"):
        text = visible(pages[name])
        assert text.count("UTC") == 1, (name, text)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", text), (name, text)


def test_the_scenario_file_is_named_in_the_reports_own_parentheses(rendered: Any) -> None:
    """Chinese takes full-width parentheses around a file name too: baseline（baseline.yaml）."""
    lang, _, pages = rendered
    text = visible(pages["provenance"])
    said = "baseline（baseline.yaml）" if lang == "zh" else "baseline (baseline.yaml)"
    assert said in text, text


def test_an_overrun_no_world_showed_reads_below_one_world_in_all_not_zero() -> None:
    """A year none of the 2,000 worlds overran reads "<0.1%" with a note that says what it
    means (none seen, not impossible); a year some overran reads its share."""
    year = Band(mean=5e7, p5=4e7, p50=5e7, p90=6e7, p95=6.5e7)
    summary = _summary({k: (0.9, 1.2) for k in TARGETS})
    budget = dataclasses.replace(
        summary.budget,
        by_year={"2023": year, "2024": year},
        appropriation={"2023": 1e8, "2024": 6e7},
        appropriation_illustrative=True,
        p_over_appropriation={"2023": 0.0, "2024": 0.1235},
    )
    summary = dataclasses.replace(summary, budget=budget, draws=2000)
    for lang, note in (("zh", "2,000个模拟情形中没有一个"), ("en", "none of the 2,000 simulated")):
        scenario = load_scenario(BASELINE)
        page = visible(
            str(ScenarioReport(scenario, None, lang, BASELINE, summary=summary).budget_summary())
        )
        assert "<0.1%" in page and "12%" in page and note in page, page
        assert "0%" not in page.replace("<0.1%", "").replace("12%", ""), page


def _weighted(effective: float) -> Summary:
    """A summary of 5,000 draws that weighting by observed figures left ``effective`` distinct
    worlds (method ``weight``), with a year none of them overran."""
    year = Band(mean=5e7, p5=4e7, p50=5e7, p90=6e7, p95=6.5e7)
    summary = _summary({k: (0.9, 1.2) for k in TARGETS})
    budget = dataclasses.replace(
        summary.budget,
        by_year={"2023": year},
        appropriation={"2023": 1e8},
        p_over_appropriation={"2023": 0.0},
    )
    conditioning = {"method": "weight", "effective_draws": effective, "figures": 3}
    return dataclasses.replace(summary, budget=budget, draws=5000, conditioning=conditioning)


@pytest.mark.parametrize(
    ("lang", "technical", "drawn", "overrun"),
    [
        (
            "zh",
            "概率由5,000次模拟估计（按观测值加权后，有效模拟次数约250）；",
            "模拟次数： 5,000（按观测值加权后，有效模拟次数约250）",
            "“<0.4%”表示5,000个模拟情形（按观测值加权后，有效模拟次数约250）中没有一个",
        ),
        (
            "en",
            "from 5,000 simulated worlds (about 250 effective draws after weighting by the"
            " observed figures); ±",
            "Draws: 5,000 (about 250 effective draws after weighting by the observed figures)",
            '"<0.4%" means none of the 5,000 simulated worlds (about 250 effective draws',
        ),
    ],
)
def test_a_weighted_report_says_how_many_worlds_its_figures_rest_on(
    lang: str, technical: str, drawn: str, overrun: str
) -> None:
    """Weighting by observed figures left 250.4 effective draws of 5,000: the appendix said
    "概率由5,000次模拟估计" beside errors of √(p(1−p)/250), the provenance "5,000", and a year
    no world overran read "<0.02%" (one in 5,000), a precision 250 worlds do not have: one
    in 250 is 0.4%."""
    report = ScenarioReport(load_scenario(BASELINE), None, lang, BASELINE, summary=_weighted(250.4))
    assert technical in visible(str(report.technical_appendix()))
    assert drawn in visible(str(report.provenance()))
    assert overrun in visible(str(report.budget_summary()))
    # unweighted, or pinned (every world kept): the draws alone, as before
    for conditioning in ({"method": "none"}, {"method": "pin", "effective_draws": 5000.0}):
        plain = dataclasses.replace(_weighted(5000.0), conditioning=conditioning)
        report = ScenarioReport(load_scenario(BASELINE), None, lang, BASELINE, summary=plain)
        text = visible(str(report.technical_appendix()) + str(report.provenance()))
        assert "250" not in text and (
            "有效" not in text if lang == "zh" else "effective" not in text
        )
        assert "<0.02%" in visible(str(report.budget_summary()))  # one world in 5,000


def test_a_weighted_comparison_gives_each_scenarios_effective_draws() -> None:
    """Each scenario of a comparison weighted by observed figures rests on its own number of
    worlds: the provenance table says it; unweighted, it has no such column."""
    scenario = load_scenario(BASELINE)
    for lang, column in (("zh", "按观测值加权后的有效模拟次数"), ("en", "Effective draws after")):
        reports = [
            ScenarioReport(scenario, None, lang, BASELINE, summary=_weighted(e))
            for e in (250.4, 1234.6)
        ]
        text = visible(str(Comparison(reports, lang).provenance()))
        assert column in text and " 250 " in text and " 1,235 " in text, text
        plain = dataclasses.replace(_weighted(1.0), conditioning={"method": "none"})
        unweighted = ScenarioReport(scenario, None, lang, BASELINE, summary=plain)
        assert column not in visible(str(Comparison([unweighted, unweighted], lang).provenance()))


def test_the_provenance_names_and_hashes_the_observations_file(tmp_path: Path) -> None:
    """Two reports conditioned on different ``--observed`` files had the same provenance
    (version, scenario and its hash, seed, draws): it now names the file and its SHA-256, as
    it does the scenario file's; a report without one says nothing of it."""
    import hashlib

    from sbqw_model.research.observations import load_observed

    observed = tmp_path / "dept.csv"
    data = "year,indicator,value,source\n2023,online_retail,7.2e10,平台监测\n".encode()
    observed.write_bytes(data)
    scenario = load_observed(observed, load_scenario(BASELINE))
    results = simulate(scenario, draws=200, seed=0)
    said = {
        "zh": ("观测文件： dept.csv", "观测文件哈希（SHA-256）："),
        "en": ("Observations file: dept.csv", "Observations file hash (SHA-256):"),
    }
    for lang, (name, hashed) in said.items():
        text = visible(str(ScenarioReport(scenario, results, lang, BASELINE).provenance()))
        assert name in text and f"{hashed} {hashlib.sha256(data).hexdigest()}" in text, text
        plain = load_scenario(BASELINE)
        report = ScenarioReport(plain, simulate(plain, 200, 0), lang, BASELINE)
        word = "观测文件" if lang == "zh" else "Observations file"
        assert word not in visible(str(report.provenance()))

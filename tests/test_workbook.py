"""Workbooks an analyst can use: formats, units in headers, numbers as numbers, Chinese names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sbqw_model.engine import simulate
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import scenario_path
from sbqw_model.summary import Summary, summarize
from sbqw_model.units import WAN, YI
from sbqw_model.workbook import comparison_sheets, scenario_sheets, write_workbook

openpyxl = pytest.importorskip("openpyxl")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def summaries() -> list[Summary]:
    out = []
    for name in ("baseline", "austerity"):
        results = simulate(load_scenario(scenario_path(name)), draws=300, seed=0)
        out.append(summarize(results))
    return out


def _book(sheets: Any, tmp_path: Path, lang: str = "zh") -> Any:
    path = tmp_path / f"book-{lang}.xlsx"
    write_workbook(sheets, path, lang)
    return openpyxl.load_workbook(path)


def _rows(ws: Any) -> list[Summary]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_scenario_workbook_in_chinese(summaries: list[Summary], tmp_path: Path) -> None:
    s = summaries[0]
    book = _book(scenario_sheets(s, "zh"), tmp_path)
    assert book.sheetnames == [
        "目标",
        "支出合计",
        "分年度支出",
        "分项目支出",
        "分市州支出",
        "预算安排（示例）",  # the baseline only illustrates an appropriation
    ]
    assert not any("预算" in n for n in book.sheetnames[:-1]), "spending is 支出, not 预算"
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        header = [c.value for c in ws[1]]
        assert all(CJK.search(h) for h in header), header
        assert not any(c in h for h in header for c in "(),:;"), "full-width in Chinese"
        for j, h in enumerate(header, start=1):  # wide enough for the header (CJK counts 2)
            letter = openpyxl.utils.get_column_letter(j)
            assert ws.column_dimensions[letter].width >= len(h) * 1.5, (ws.title, h)
    total = _rows(book["支出合计"])[0]
    cell = total["中位数（万元，上限）"]  # ceilings paid in full: an upper bound, said so
    assert cell.value == pytest.approx(s.budget.total.p50 / WAN)
    assert cell.number_format == "#,##0"
    years = _rows(book["分年度支出"])
    assert [r["支付年度"].value for r in years] == [int(y) for y in s.budget.by_year]
    assert all(isinstance(r["支付年度"].value, int) for r in years), "years as numbers"
    assert all(r["支付年度"].number_format == "0" for r in years), "no thousands comma in 2,023"
    targets = {r["指标"].value: r for r in _rows(book["目标"])}
    assert "指标代码" not in targets["网络零售额"], "no internal codes for people"
    retail = targets["网络零售额"]
    assert retail["单位"].value == "亿元"
    assert retail["目标值"].value == pytest.approx(s.targets.online_retail.target / YI)
    assert retail["达成概率"].number_format == "0.0%"
    assert retail["达成概率"].value == pytest.approx(s.targets.online_retail.p_met)
    parks = targets["省级电商产业园区"]
    assert parks["单位"].value == "个" and parks["目标值"].value == 10
    assert parks["第5百分位"].number_format == "#,##0", "counts are whole"
    assert targets["全部目标同时达成"]["达成概率"].value == pytest.approx(s.p_all_met)
    appropriation = _rows(book["预算安排（示例）"])
    assert appropriation[0]["超预算概率"].number_format == "0.0%"
    assert "预算安排（万元，示例）" in appropriation[0]
    order = [r["市（州）"].value for r in _rows(book["分市州支出"])]
    assert order[:3] == ["贵阳市", "遵义市", "六盘水市"], "the official order, not by code point"
    instruments = [r["项目"].value for r in _rows(book["分项目支出"])]
    assert "园区一次性奖励" in instruments


def test_scenario_workbook_in_english(summaries: list[Summary], tmp_path: Path) -> None:
    book = _book(scenario_sheets(summaries[0], "en"), tmp_path, "en")
    assert book.sheetnames[:2] == ["targets", "outlay total"]
    header = [c.value for c in book["outlay total"][1]]
    assert "Median (10,000 yuan, upper bound)" in header and not any(CJK.search(h) for h in header)
    prefectures = [r["Prefecture"].value for r in _rows(book["outlay by prefecture"])]
    assert "Guiyang" in prefectures


def test_comparison_workbook_has_spending_not_only_odds(
    summaries: list[Summary], tmp_path: Path
) -> None:
    book = _book(comparison_sheets(summaries, "zh"), tmp_path)
    assert book.sheetnames == ["情景比较-达成概率", "情景比较-支出"]
    odds = _rows(book["情景比较-达成概率"])
    assert [c.value for c in book["情景比较-达成概率"][1]] == [
        "指标",
        "基准情景",
        summaries[1].title_zh,
    ]
    assert odds[-1]["基准情景"].value == pytest.approx(summaries[0].p_all_met)
    assert odds[0]["基准情景"].number_format == "0.0%"
    assert book["情景比较-支出"].freeze_panes == "B2"
    outlay = _rows(book["情景比较-支出"])
    assert [r["情景"].value for r in outlay] == [s.title_zh for s in summaries]
    base, half = (s.budget.total.p50 for s in summaries)
    assert outlay[1]["方案支出合计中位数（万元）"].value == pytest.approx(half / WAN)
    diff = "中位数与基准情景之差（万元）"  # named, not "the first scenario"
    assert outlay[1][diff].value == round(half / WAN) - round(base / WAN)  # as shown
    assert outlay[0][diff].value == 0
    assert [r["支出口径"].value for r in outlay] == ["上限", "按上限的50%支付"]
    assert half < base, "austerity pays half of every ceiling"
    year_columns = [c for c in outlay[0] if c.startswith("2025")]
    assert year_columns == ["2025年支出中位数（万元）"], "the reports' statistic"
    assert outlay[1]["2025年支出中位数（万元）"].value == pytest.approx(
        summaries[1].budget.by_year["2025"].p50 / WAN
    )
    assert outlay[1]["2025年支出中位数（万元）"].number_format == "#,##0"


def test_a_probability_cell_never_reads_0_or_100_percent(tmp_path: Path) -> None:
    """A 0.04 % chance of overrunning reads '0.04%' in the report; formatted 0.0 % it read
    '0.0%' in the workbook (and 99.96 % read '100.0%'). The cell keeps the number; its format
    gets the decimals the report shows."""
    import pandas as pd

    from sbqw_model.workbook import PERCENT, Sheet

    frame = pd.DataFrame({"p": [0.0004, 0.9996, 0.5, 0.0, 1.0, 0.00004]})
    book = _book([Sheet("targets", frame, {"p": PERCENT})], tmp_path)
    formats = [c.number_format for c in book.worksheets[0]["A"][1:]]
    assert formats == ["0.00%", "0.00%", "0.0%", "0.0%", "0.0%", "0.000%"]


def test_a_probability_cell_never_rounds_across_a_status_band(tmp_path: Path) -> None:
    """79.96 % reads '79.96%' (at risk) in the report; the workbook's 0.0 % read '80.0%'."""
    import pandas as pd

    from sbqw_model.workbook import PERCENT, Sheet

    frame = pd.DataFrame({"p": [0.7996, 0.4996, 0.81]})
    book = _book([Sheet("targets", frame, {"p": PERCENT})], tmp_path)
    formats = [c.number_format for c in book.worksheets[0]["A"][1:]]
    assert formats == ["0.00%", "0.00%", "0.0%"]


def test_the_comparison_workbook_difference_is_that_of_the_medians_it_shows(
    summaries: list[Summary], tmp_path: Path
) -> None:
    """Medians of 16,906.81 and 8,453.41 万元 show as 16,907 and 8,453; the comparison page
    says −8,454 (16,907 − 8,453 = 8,454); the workbook's −8,453.40 read '-8,453' beside them."""
    import dataclasses

    def with_median(s: Summary, yuan: float) -> Summary:
        total = dataclasses.replace(s.budget.total, p50=yuan)
        return dataclasses.replace(s, budget=dataclasses.replace(s.budget, total=total))

    pair = [with_median(summaries[0], 169_068_143.0), with_median(summaries[1], 84_534_072.0)]
    outlay = _rows(_book(comparison_sheets(pair, "zh"), tmp_path)["情景比较-支出"])
    diff = "中位数与基准情景之差（万元）"
    assert [r[diff].value for r in outlay] == [0, -8_454]
    assert outlay[1]["方案支出合计中位数（万元）"].value == pytest.approx(8_453.4072)


def test_scenarios_sharing_a_title_keep_a_column_each(
    summaries: list[Summary], tmp_path: Path
) -> None:
    """A copy of baseline.yaml, edited but still titled 基准情景: the odds sheet, one column per
    title, kept only the last scenario of that title (two columns for three scenarios). A
    repeated title (or one that is a header of the sheet) gets the scenario's name."""
    import dataclasses

    base, half = summaries
    twin = dataclasses.replace(half, title_zh=base.title_zh, title_en=base.title_en)
    header = dataclasses.replace(half, scenario="odd", title_zh="指标", title_en="Indicator")
    trio = [base, twin, header]
    for lang, names in [
        ("zh", ["指标", "基准情景", "基准情景（austerity）", "指标（odd）"]),
        ("en", ["Indicator", "Baseline", "Baseline (austerity)", "Indicator (odd)"]),
    ]:
        book = _book(comparison_sheets(trio, lang), tmp_path, lang)
        odds_ws, outlay_ws = book.worksheets
        assert [c.value for c in odds_ws[1]] == names
        last = [c.value for c in odds_ws[odds_ws.max_row]]
        assert last[1:] == pytest.approx([s.p_all_met for s in trio])
        assert [c.number_format for c in odds_ws[2][1:]] == ["0.0%"] * 3
        assert [r[0].value for r in outlay_ws.iter_rows(min_row=2)] == names[1:]


@pytest.mark.parametrize(
    ("titles", "names", "shown"),
    [
        # a trailing space, a zero-width space, a doubled space: 基准情景 on the page and in a cell
        (
            ["基准情景", "基准情景 ", "基准情景\u200b"],
            ["a", "b", "c"],
            ["基准情景", "基准情景（b）", "基准情景\u200b（c）"],
        ),
        (["基准 情景", "基准  情景"], ["a", "b"], ["基准 情景", "基准  情景（b）"]),
        # a title that is literally another's bracketed name, in either order
        (
            ["基准情景", "基准情景", "基准情景（b）"],
            ["a", "b", "c"],
            ["基准情景", "基准情景（b）", "基准情景（b）（c）"],
        ),
        (
            ["基准情景（b）", "基准情景", "基准情景"],
            ["c", "a", "b"],
            ["基准情景（b）", "基准情景", "基准情景（b，2）"],
        ),
        (["指标 "], ["odd"], ["指标（odd）"]),  # a header of the sheet, but for a space
    ],
)
def test_titles_a_reader_cannot_tell_apart_are_kept_apart(
    titles: list[str], names: list[str], shown: list[str]
) -> None:
    """Every scenario keeps a title of its own as a reader sees it, not only as a string."""
    from sbqw_model.labels import distinct_titles

    assert distinct_titles(titles, names, "zh", ["指标", "情景"]) == shown

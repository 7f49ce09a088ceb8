"""The sensitivity notebook's frontier names a lever's reading in words, not its file value."""

from __future__ import annotations

import html
import re

import pandas as pd

from sbqw_model.research.frontier import Frontier
from sbqw_model.research.notebook import SensitivityReport


def _frontier_text(lang: str) -> str:
    settings = pd.DataFrame(
        {
            "point": [0, 1],
            "assumptions.payout_share": [0.25, 0.5],
            "assumptions.traffic_base": ["excess", "all"],
            "budget.total.p95": [4.731e7, 9e7],
            "p_all_met": [0.025, 0.025],
            "on_frontier": [True, False],
        }
    )
    levers = ["assumptions.payout_share", "assumptions.traffic_base"]
    group = {"assumptions.sales_award_mode": "top_up"}
    front = Frontier(group, levers, settings, 0.01, "budget.total.p95", "p_all_met")
    report = SensitivityReport.__new__(SensitivityReport)
    report.lang, report.fronts, report.frontier_source = lang, [front], "grid"
    text = re.sub(r"<[^>]+>", " ", str(report.frontier_text()))
    return re.sub(r"\s+", " ", html.unescape(text))


def test_a_reading_of_the_text_is_said_in_words() -> None:
    """Before: the row read '25%, excess' under the header '支付比例 / 流量补贴计算基数', and the
    answer '支付比例 25%, 流量补贴计算基数 excess' (a half-width comma in Chinese)."""
    zh = _frontier_text("zh")
    assert "支付比例 / 流量补贴计算基数" in zh and "25% / 超过1亿元的部分" in zh, zh
    assert "支付比例 25%、流量补贴计算基数 超过1亿元的部分" in zh, zh
    assert "销售额奖励计发方式：补差奖励" in zh, zh  # was "… = 补差奖励": no ASCII marks in zh
    assert not re.search(r"[\u4e00-\u9fff%]\s*[,=;]|[,=;]\s*[\u4e00-\u9fff]", zh), zh
    assert "excess" not in zh and "top_up" not in zh, zh
    en = _frontier_text("en")
    assert "excess" not in en.replace("excess above", "") and "top_up" not in en, en

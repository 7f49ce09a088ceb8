"""The sensitivity notebook's warnings name factors, outcomes and indices as its tables do."""

from __future__ import annotations

import pandas as pd

from sbqw_model.research.sensitivity import SensitivityResult, stability_notes


def _result(
    method: str, rows: list[dict[str, object]], outputs: tuple[str, ...]
) -> SensitivityResult:
    # n at the stable size: only the interval and variation warnings are under test
    n = 512 if method == "sobol" else 20
    return SensitivityResult(
        method, n, 10, 0, "s", None, outputs, pd.DataFrame(rows), pd.DataFrame()
    )  # type: ignore[arg-type]


def test_a_wide_interval_is_named_in_the_readers_words() -> None:
    """Before: '…mu_star指数…（例如 uncertainties.online_retail.growth 对 p_all_met：…）' and a
    money index 'x yuan' in the Chinese notebook."""
    growth = "uncertainties.online_retail.growth"
    rows = [
        {"output": "p_all_met", "factor": growth, "mu_star": 0.0187, "mu_star_conf": 0.0264},
        {"output": "budget.total.p50", "factor": growth, "mu_star": 4e7, "mu_star_conf": 5e7},
    ]
    zh, en = stability_notes(_result("morris", rows, ("p_all_met", "budget.total.p50")))[0]
    assert zh == (
        "2个μ*指数中有2个的95%置信区间宽于指数本身（例如网络零售额年均增速对"
        "全部目标同时达成概率：0.0187 ± 0.0264）；请增大样本量。"
    ), zh
    assert "mu_star" not in en and growth not in en and "p_all_met" not in en, en
    money_first = list(reversed(rows))
    zh, en = stability_notes(_result("morris", money_first, ("budget.total.p50", "p_all_met")))[0]
    assert "4,000万元 ± 5,000万元" in zh and "yuan" not in zh, zh
    assert "¥40m ± ¥50m" in en, en


def test_an_outcome_that_never_varies_is_named() -> None:
    rows = [
        {"output": "p_all_met", "factor": "f", "ST": float("nan"), "ST_conf": float("nan")},
        {"output": "budget.total.p95", "factor": "f", "ST": float("nan"), "ST_conf": float("nan")},
    ]
    notes = stability_notes(_result("sobol", rows, ("p_all_met", "budget.total.p95")))
    zh, _ = notes[-1]
    assert zh == "以下结果在样本中不变化，无指数：全部目标同时达成概率、方案支出合计第95百分位", zh

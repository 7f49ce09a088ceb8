"""Scenario discovery: boxes found where misses are planted, sentences in both languages, and
per-world samples that are the engine's own worlds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from research_helpers import BASELINE, sbqw

from sbqw_model.engine import simulate
from sbqw_model.research import discovery as dv
from sbqw_model.scenario import load_scenario

GROWTH = "uncertainties.online_retail.growth"
LEVEL = "uncertainties.online_retail.level_2022"


def planted(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Misses exactly when growth < 11 % and the level < 700 亿 (plus a useless driver)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            GROWTH: rng.uniform(0.04, 0.24, n),
            LEVEL: rng.uniform(4e10, 8.5e10, n),
            "uncertainties.firms.count": rng.uniform(60, 140, n),
        }
    )
    return x, ((x[GROWTH] < 0.11) & (x[LEVEL] < 7e10)).to_numpy()


def test_the_planted_box_is_found() -> None:
    x, missed = planted()
    found = dv.discover(x, {"online_retail": missed}, "online_retail", "world", 1e11)
    box = found.boxes[0]
    assert set(box.limits) == {GROWTH, LEVEL}
    assert box.limits[GROWTH][0] is None and box.limits[GROWTH][1] == pytest.approx(0.11, abs=0.005)
    assert box.limits[LEVEL][0] is None and box.limits[LEVEL][1] == pytest.approx(7e10, rel=0.01)
    assert box.density == 1.0 and box.coverage == 1.0
    inside = dv.inside(box, x)
    assert inside.sum() == box.n and missed[inside].sum() == box.misses


def test_sentences_format_money_and_rates() -> None:
    x, missed = planted()
    found = dv.discover(x, {"online_retail": missed}, "online_retail", "world", 1e11)
    zh, en = found.sentences("zh")[0], found.sentences("en")[0]
    assert zh.startswith("在") and "2022年网络零售额低于700亿元" in zh
    assert "网络零售额年均增速低于11" in zh and "且" in zh
    assert "网络零售额1,000亿元目标有100%未能实现（占全部未达成情形的100%）" in zh
    assert en.startswith("The online retail target of ¥100bn is missed in 100% of runs where")
    assert "the 2022 level of online retail is below ¥70bn" in en
    assert "亿" not in en and "万" not in en, "no Chinese unit in English"


def test_no_misses_and_only_misses() -> None:
    x, _ = planted(200)
    none = dv.discover(x, {"all": np.zeros(200, bool)}, "all", "point")
    assert none.boxes == [] and none.sentences("en") == ["Every sample point meets this target."]
    every = dv.discover(x, {"all": np.ones(200, bool)}, "all", "world")
    assert every.sentences("zh") == ["所有模拟都未达成该目标。"]


def test_world_sample_is_the_engines_worlds() -> None:
    scenario = load_scenario(BASELINE)
    x, missed = dv.world_sample(scenario, 700, seed=5)
    results = simulate(scenario, draws=700, seed=5)
    met = results.met()
    assert len(x) == 700 and (missed["online_retail"] == ~met["online_retail"]).all()
    assert (missed["all"] == ~np.logical_and.reduce(list(met.values()))).all()
    assert list(x.columns) == [
        f"uncertainties.{p}" for p, d in scenario.uncertainties.items() if d.dist != "fixed"
    ]
    growth = x[GROWTH].to_numpy()
    level = x[LEVEL].to_numpy()
    rebuilt = results.online_retail_path[:, 0]
    assert np.allclose(level, rebuilt), "the drawn 2022 level is the path's start"
    assert growth.std() > 0


def test_cli_discover_scenario_and_table(tmp_path) -> None:
    code, out, err = sbqw("discover", BASELINE, "--draws", "2000", "--outcome", "online_retail")
    assert code == 0, err
    assert "情景发现 Scenario discovery: baseline — 按模拟 per world" in out
    assert "未达成盒子 1 box: 密度 density" in out and "is missed in" in out
    code, _, err = sbqw("discover", BASELINE, "--outcome", "online_retial")
    assert code == 2 and "--outcome online_retial" in err and "did you mean `online_retail`" in err
    # the name before the rename still works (unlisted in --help): same boxes, same errors
    code, old, err = sbqw("discover", BASELINE, "--draws", "2000", "--target", "online_retail")
    assert code == 0 and old == out, err
    code, _, err = sbqw("discover", BASELINE, "--target", "online_retial")
    assert code == 2 and "did you mean `online_retail`" in err
    code, text, _ = sbqw("discover", "--help")
    assert "--outcome" in text and "--target" not in text


@pytest.mark.parametrize(
    ("yuan", "zh", "en"),
    [
        (1e9, "10亿元", "¥1bn"),  # as money says it, where that is the amount
        (1.001e9, "10.01亿元", "1.001 billion yuan"),  # not 10亿元 / ¥1bn as the setting beside it
        (1_000_000_000.123456, "1,000,000,000.12元", "1,000,000,000.12 yuan"),
        (0.5, "0.5元", "0.5 yuan"),  # not 0元 / ¥0
    ],
)
def test_a_rule_amount_setting_reads_as_the_amount_applied(yuan: float, zh: str, en: str) -> None:
    """Two settings of a sweep over a threshold (10亿 and 10.01亿) read alike in the frontier's
    table and discovery's boxes; a reformed amount is said exactly, as instrument names say it."""
    from sbqw_model.research.wording import fmt_value

    path = "parameters.sales_awards.tier1.threshold"
    assert (fmt_value(path, yuan, "zh"), fmt_value(path, yuan, "en")) == (zh, en)


def test_money_factor_values_read_in_the_reports_language() -> None:
    """Chinese keeps 亿元/万元; English says ¥…bn / ¥…m (an English report has no Chinese unit)."""
    from sbqw_model.research.wording import fmt_value

    level = "uncertainties.online_retail.level_2022.mode"
    assert fmt_value(level, 7e10) == "700亿元" == fmt_value(level, 7e10, "zh")
    assert fmt_value(level, 7e10, "en") == "¥70bn"
    assert fmt_value(level, 7.25e10, "en") == "¥72.5bn"
    assert fmt_value("parameters.traffic.cap", 3e6, "en") == "¥3m"
    assert fmt_value("parameters.traffic.cap", 3e6, "zh") == "300万元"

"""The budget explorer: readable controls in 万元, and a lever change re-costs the drawn worlds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sbqw_model import engine
from sbqw_model.assumptions import SPECS
from sbqw_model.reporting.explorer import EXPLORER_PARAMETERS, BudgetExplorer
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import scenario_path
from sbqw_model.units import WAN

pytest.importorskip("ipywidgets")
DRAWS = 300
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def explorers() -> dict[str, BudgetExplorer]:
    base = load_scenario(scenario_path("baseline"))
    return {lang: BudgetExplorer(base, DRAWS, 0, lang) for lang in ("zh", "en")}


def test_controls_are_labelled_for_readers_in_both_languages(
    explorers: dict[str, BudgetExplorer],
) -> None:
    zh, en = (explorers[lang].controls() for lang in ("zh", "en"))
    assert list(zh) == [*SPECS, *EXPLORER_PARAMETERS]
    for name, control in zh.items():
        assert re.search(r"[\u3400-\u9fff]", control.description), name
        assert not SNAKE.search(control.description), (name, control.description)
        assert "." not in control.description.split("(")[0], "no parameter paths"
    for name, control in en.items():
        assert not re.search(r"[\u3400-\u9fff]", control.description.replace("万元", ""))
        assert not SNAKE.search(control.description), (name, control.description)
    assert zh["awards.park"].description.endswith("（万元）")
    assert zh["awards.park"].value == 300  # 300 万元, not 3000000 yuan
    assert (
        zh["traffic.rate"].value == pytest.approx(5) and "元/万元" in zh["traffic.rate"].description
    )
    assert zh["traffic.cap"].value == pytest.approx(100)
    assert zh["payout_share"].readout_format == ".0%"
    assert dict(zh["revoked_repay"].options) == {"否": False, "是": True}


@pytest.mark.parametrize(("rate", "top"), [(0, 10), (2.5e-5, 10), (7.5e-4, 15)])
def test_a_reformed_amount_keeps_the_plans_amount_in_reach(rate: float, top: float) -> None:
    """The plan's traffic rate is 5 元/万元. Its slider runs to twice the larger of the plan's
    and the scenario's amount: no_traffic_subsidy (rate 0) had a slider from 0 to 1 元/万元,
    and a rate of 0.25 one to 0.5, so the plan's own rate could not be set back."""
    from dataclasses import replace

    base = load_scenario(scenario_path("baseline"))
    reform = replace(base, params=base.params.with_overrides({"traffic.rate": rate}, "test"))
    explorer = BudgetExplorer(reform, 50, 0, "zh")
    slider = explorer.controls()["traffic.rate"]
    assert slider.value == pytest.approx(rate * WAN)
    assert (slider.min, slider.max) == (0, pytest.approx(top))
    assert slider.step == pytest.approx(top / 100)
    assert explorer.controls()["traffic.cap"].max == pytest.approx(200)  # 100 万元, unchanged
    shipped = BudgetExplorer(load_scenario(scenario_path("no_traffic_subsidy")), 50, 0, "en")
    assert shipped.controls()["traffic.rate"].max == pytest.approx(10)


def test_shown_units_convert_back_exactly(explorers: dict[str, BudgetExplorer]) -> None:
    explorer = explorers["zh"]
    values = {k: c.value for k, c in explorer.controls().items()}
    assume, amounts = explorer.setting(values)
    assert assume == explorer.base.assumptions.as_dict()
    for path in EXPLORER_PARAMETERS:
        assert amounts[path] == pytest.approx(explorer.base.params.value(path)), path
    _, changed = explorer.setting({**values, "awards.park": 150, "traffic.rate": 2.5})
    assert changed["awards.park"] == 150 * WAN and changed["traffic.rate"] == pytest.approx(2.5e-4)


def test_a_lever_change_recosts_the_drawn_worlds_without_drawing(
    explorers: dict[str, BudgetExplorer], monkeypatch: pytest.MonkeyPatch
) -> None:
    explorer = explorers["zh"]
    from dataclasses import replace

    reform = replace(
        explorer.base,
        assumptions=explorer.base.assumptions.updated({"payout_share": 0.6}, "test"),
        params=explorer.base.params.with_overrides({"awards.park": 1_500_000}, "test"),
    )
    fresh = engine.simulate(reform, draws=DRAWS, seed=0)  # what a full run gives

    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lever change must not draw new worlds")

    monkeypatch.setattr(engine, "simulate_worlds", no_drawing)
    monkeypatch.setattr("sbqw_model.worlds.draw_block", no_drawing)
    recosted = explorer.results({"payout_share": 0.6}, {"awards.park": 1_500_000})
    assert np.array_equal(recosted.outlay.total, fresh.outlay.total)
    assert np.array_equal(recosted.outlay.by_year, fresh.outlay.by_year)
    for target, values in fresh.targets.items():
        assert np.array_equal(recosted.targets[target], values), target
    plain = explorer.results({}, {})
    assert (recosted.outlay.total <= plain.outlay.total).all(), "less paid in every world"


def test_tiers_before_the_plan_recost_the_drawn_worlds(
    explorers: dict[str, BudgetExplorer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worlds hold each firm's 2022 level, so milestone_pre_plan_tiers only re-costs them,
    and gives exactly what a full run gives."""
    explorer = explorers["en"]
    change = {"milestone_pre_plan_tiers": "not_paid"}
    reading = explorer.base.assumptions.updated(change, "test")
    fresh = engine.simulate(explorer.base.with_assumptions(reading), draws=DRAWS, seed=0)

    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reading of the milestones must not draw new worlds")

    monkeypatch.setattr(engine, "simulate_worlds", no_drawing)
    monkeypatch.setattr("sbqw_model.worlds.draw_block", no_drawing)
    recosted = explorer.results(change, {})
    assert np.array_equal(recosted.outlay.by_instrument, fresh.outlay.by_instrument)
    assert (recosted.outlay.total <= explorer.results({}, {}).outlay.total).all()


def test_widgets_redraw_on_a_lever_change(explorers: dict[str, BudgetExplorer]) -> None:
    box = explorers["zh"].widgets()
    controls, out = box.children[0], box.children[1]
    before = out.outputs
    assert before and all(o["output_type"] == "display_data" for o in before)
    share = controls.children[0].children[0]
    share.value = 0.5
    assert out.outputs != before
    html = "".join(o["data"].get("text/html", "") for o in out.outputs)
    assert "万元" in html or "亿元" in html
    amounts = controls.children[1].children
    amounts[0].value = -1  # clipped by the slider to its minimum: still a valid setting
    assert all(o["output_type"] == "display_data" for o in out.outputs)


def test_header_prose_is_bilingual(explorers: dict[str, BudgetExplorer]) -> None:
    zh = explorers["zh"].header().markup
    en = explorers["en"].header().markup
    assert "预算探索" in zh and "重新计算" in zh and "re-costs" in zh
    assert en.index("re-costs") < en.index("重新计算"), "the reader's language first"


@pytest.mark.parametrize("method", ["weight", "pin"])
def test_observed_figures_condition_the_explorer_as_the_report(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """observed.yaml: 800亿 online retail in 2024, 4 parks recognized in 2023. The explorer's
    view is the report's summary of the same scenario, seed and draws, to the last digit:
    under weighting the same drawn worlds, weights and resampled rows (re-costing the worlds
    drawn with the figures pinned showed other odds and called its conditioning ``none``);
    under pinning the same pinned worlds, named ``pin``. After a lever change too, without
    drawing again."""
    from dataclasses import replace

    from sbqw_model.summary import summarize

    observed = load_scenario(Path(__file__).resolve().parent / "scenarios" / "observed.yaml")
    base = replace(observed, conditioning=method)
    explorer = BudgetExplorer(base, DRAWS, 5, "en")
    reform = replace(
        base,
        assumptions=base.assumptions.updated({"payout_share": 0.6}, "test"),
        params=base.params.with_overrides({"traffic.rate": 3e-4}, "test"),
    )
    report = summarize(engine.simulate(base, draws=DRAWS, seed=5))
    reformed = summarize(engine.simulate(reform, draws=DRAWS, seed=5))
    assert report.conditioning["method"] == method and report.conditioning["figures"] == 2

    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lever change must not draw new worlds")

    monkeypatch.setattr(engine, "simulate_worlds", no_drawing)
    monkeypatch.setattr("sbqw_model.worlds.draw_block", no_drawing)
    shown = summarize(explorer.results({}, {}))
    assert shown.targets.parks.p_met == report.targets.parks.p_met
    assert shown.to_json() == report.to_json()
    changed = explorer.results({"payout_share": 0.6}, {"traffic.rate": 3e-4})
    assert summarize(changed).to_json() == reformed.to_json()

"""Enterprises and teams share unfilled slots (lever ``levers.recognition.share_unfilled``): the
combined target (§一, 企业及团队1000个以上) is the department's, so slots qualified enterprises
cannot fill in a round may go to teams, and the other way round."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT

from sbqw_model import recognition as rec
from sbqw_model.engine import simulate
from sbqw_model.errors import InputError
from sbqw_model.research.problem import check_value, resolve
from sbqw_model.research.wording import factor_label, fmt_value
from sbqw_model.scenario import load_scenario

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
INF = np.inf


@pytest.mark.parametrize(
    ("q", "available", "shared"),
    [
        ([10, 20], [4, 30], [10, 26]),  # 6 enterprise slots unfilled: teams may use them
        ([10, 20], [30, 5], [25, 20]),  # 15 team slots unfilled: enterprises may use them
        ([10, 20], [4, 5], [25, 26]),  # both short: each may use the other's (none will)
        ([10, 20], [30, 30], [10, 20]),  # none unfilled: as before
        ([INF, 20], [4, 30], [INF, 20]),  # every qualified enterprise taken: none unfilled
        ([10, INF], [4, 30], [10, INF]),
    ],
)
def test_unfilled_slots_go_to_the_other(q: list[float], available: list[int], shared: list[float]):
    out = rec.share_unfilled(np.array([q]), np.array([available]), (0, 1))
    assert out.tolist() == [shared]


def _round(supply: list[int], share: bool) -> list[int]:
    """One round, fixed quotas of 5 each, one prefecture, no revocations."""
    s = np.array(supply).reshape(1, 2, 1, 1)
    r = rec.run_rounds(
        s,
        np.full((1, 2, 1, 2), 0.5),
        np.zeros((1, 2)),
        [rec.Rule("fixed", 0.0, (5,))] * 2,
        [10.0, 10.0],
        [0.0, 0.0],
        [0, 0],
        {},
        False,
        shared=(0, 1) if share else None,
    )
    return r.new_total[0, :, 0].tolist()


def test_a_round_by_hand() -> None:
    """2 qualified enterprises and 9 teams for 5 slots each: 2 + 5 alone, 2 + 8 shared (the
    3 enterprise slots no enterprise fills go to teams); the supply still caps each kind."""
    assert _round([2, 9], share=False) == [2, 5]
    assert _round([2, 9], share=True) == [2, 8]
    assert _round([2, 4], share=True) == [2, 4]
    assert _round([7, 9], share=True) == [5, 5]


def _scenario(tmp_path: Path, share: bool) -> Path:
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["levers"]["recognition"]["share_unfilled"] = share
    path = tmp_path / f"shared_{share}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_sharing_raises_the_combined_odds_not_lowering_either(tmp_path: Path) -> None:
    """Baseline, 4 000 draws: the combined target's odds rise by far more than the noise (20 000
    draws, seed 0: 53.7 % → 75.0 %, the mean outlay 17 000 → 17 233 万), and neither kind's own
    odds fall (each keeps its pace; it only gains the other's unfilled slots)."""
    alone, shared = (
        simulate(load_scenario(_scenario(tmp_path, s)), draws=4000, seed=0).met()
        for s in (False, True)
    )
    assert shared["enterprises_and_teams"].mean() > alone["enterprises_and_teams"].mean() + 0.15
    for kind in ("enterprises", "teams"):
        assert shared[kind].mean() >= alone[kind].mean() - 0.01, kind
    for kind in ("parks", "bases", "products", "online_retail"):
        assert (shared[kind] == alone[kind]).all(), kind


def test_the_lever_is_a_switch(tmp_path: Path) -> None:
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["levers"]["recognition"]["share_unfilled"] = "maybe"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "levers.recognition.share_unfilled" in str(err.value), err.value
    base = load_scenario(BASELINE)
    factor = resolve("levers.recognition.share_unfilled", base)
    assert check_value(factor, True, base) == (True, None)
    assert check_value(factor, 1, base)[1] == "got 1, expected true or false"
    assert factor_label("levers.recognition.share_unfilled", "zh") == "认定企业与团队名额互补"
    assert fmt_value("levers.recognition.share_unfilled", True, "zh") == "是"
    assert fmt_value("levers.recognition.share_unfilled", False, "en") == "no"

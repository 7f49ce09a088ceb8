"""Assumption `revoked_repay` (DIGEST open point 4): a revoked unit returns its one-time award.

Checked by hand on a ledger, on degenerate worlds where every earlier unit is revoked, and by
the audit route (an exported world costs the same through `sbqw cost`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, WAN

from sbqw_model.assumptions import Assumptions
from sbqw_model.audit import draw_outlay, world_ledger
from sbqw_model.costing import cost_ledger, fen
from sbqw_model.distributions import Distribution
from sbqw_model.engine import simulate, world_at
from sbqw_model.errors import InputError
from sbqw_model.ledger import Ledger, load_ledger
from sbqw_model.parameters import default_parameters
from sbqw_model.scenario import load_scenario

PARAMS = default_parameters()


def ledger(tmp_path: Path, text: str) -> Ledger:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    return load_ledger(path, None, PARAMS)


def test_a_revoked_park_repays_its_award_in_the_year_of_revocation(tmp_path: Path) -> None:
    led = ledger(
        tmp_path,
        "unit_id,category,prefecture,year,revoked_year\n"
        "P1,park,贵阳市,2023,2025\nB1,base,Zunyi,2023,\n",
    )
    on = cost_ledger(led, PARAMS, Assumptions(revoked_repay=True, payment_lag_years=1))
    # park: +300万 paid 2024 (2023 + lag), -300万 back in 2026 (2025 + lag); base: +50万 in 2024
    assert on.totals.by_year == {"2024": 350 * WAN, "2025": 0.0, "2026": -300 * WAN, "2027": 0.0}
    assert on.totals.total == 50 * WAN
    back = on.lines[on.lines["amount_yuan"] < 0].iloc[0]
    assert (back["unit_id"], back["achievement_year"], back["clause"]) == (
        "P1",
        2025,
        "§四(二)2; §三(三)",
    )
    off = cost_ledger(led, PARAMS, Assumptions())
    assert off.totals.total == 350 * WAN  # the default: nobody repays


def test_half_payout_repays_half(tmp_path: Path) -> None:
    led = ledger(
        tmp_path, "unit_id,category,prefecture,year,revoked_year\nT1,team,Anshun,2023,2024\n"
    )
    result = cost_ledger(led, PARAMS, Assumptions(revoked_repay=True, payout_share=0.5))
    assert list(result.lines["amount_yuan"]) == [2.5 * WAN, -2.5 * WAN]


def test_revocation_must_follow_recognition(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ledger(
            tmp_path, "unit_id,category,prefecture,year,revoked_year\nP1,park,贵阳市,2024,2024\n"
        )
    assert "row 2, column revoked_year: 2024 is not after the recognition year 2024" in str(
        err.value
    )


def certain_revocation(repay: bool, count: bool):
    sc = load_scenario(ROOT / "tests" / "scenarios" / "degenerate.yaml")
    for cat in ("park", "base", "enterprise", "team"):
        sc = sc.with_uncertainty(
            f"recognition.{cat}.revocation_rate",
            Distribution("fixed", {"value": 1.0}, "test", "probability"),
        )
    return sc.with_assumptions(
        sc.assumptions.updated({"revoked_repay": repay, "revoked_count_toward_targets": count})
    )


def test_every_revoked_unit_repays_exactly_its_ceiling() -> None:
    kept = simulate(certain_revocation(False, True), draws=50, seed=1)  # counts every unit
    repaid = simulate(certain_revocation(True, False), draws=50, seed=1)  # counts the standing
    revoked = {
        c: kept.targets[t] - repaid.targets[t]
        for c, t in (
            ("park", "parks"),
            ("base", "bases"),
            ("enterprise", "enterprises"),
            ("team", "teams"),
        )
    }
    back = sum(revoked[c] * PARAMS.value(f"awards.{c}") for c in revoked)
    assert np.all(back > 0)
    assert np.array_equal(kept.outlay.total - back, repaid.outlay.total)


@pytest.mark.parametrize("index", [3, 777])
def test_exported_world_with_repayments_costs_the_same(tmp_path: Path, index: int) -> None:
    sc = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    sc = sc.with_assumptions(sc.assumptions.updated({"revoked_repay": True}))
    _, engine = draw_outlay(sc, 4, index)
    recognitions, sales = world_ledger(world_at(sc, 4, index), sc)
    assert recognitions["revoked_year"].notna().any()
    recognitions.to_csv(tmp_path / "r.csv", index=False)
    sales.to_csv(tmp_path / "s.csv", index=False)
    led = load_ledger(tmp_path / "r.csv", tmp_path / "s.csv", sc.params)
    audited = cost_ledger(led, sc.params, sc.assumptions)
    assert engine["total_yuan"] == fen(audited.totals.total)
    for part in ("by_instrument", "by_year", "by_prefecture"):
        assert engine[part] == {k: fen(v) for k, v in getattr(audited.totals, part).items()}

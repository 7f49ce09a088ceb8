"""Observed figures that teach: likelihood weighting of whole worlds, then resampling.

Checked here: a world that reproduces an observation exactly has the largest weight and is kept;
the effective draws are reported (and warned about); a surprising figure moves 2025 the right
way, through growth, level and the firm panel together; pinning stays available; the export of
a resampled world still audits to the fen; backtest's one-step-ahead forecast uses the same
machinery; and on synthetic truths the percentiles are uniform (the calibration procedure).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sbqw_model.audit import export_draw
from sbqw_model.conditioning import (
    MIN_EFFECTIVE_DRAWS,
    OBSERVATION_ERROR,
    SUGGEST_MARGIN,
    TAIL_SHARE,
    log_likelihood,
    low_effective_draws_warning,
    systematic_resample,
    world_values,
)
from sbqw_model.costing import cost_ledger
from sbqw_model.engine import TARGETS, simulate, simulate_worlds
from sbqw_model.ledger import load_ledger
from sbqw_model.research import calibration
from sbqw_model.research.backtest import run_backtest
from sbqw_model.scenario import Observation, Scenario, load_scenario
from sbqw_model.summary import summarize

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
DRAWS = 2000
YEARS = {2022: 0, 2023: 1, 2024: 2, 2025: 3}  # column of online_retail_path


def baseline() -> Scenario:
    return load_scenario(BASELINE)


def observed(scenario: Scenario, *obs: Observation, method: str = "weight") -> Scenario:
    return replace(scenario, observations=list(obs), conditioning=method)


def prior_retail(scenario: Scenario, seed: int, draws: int) -> np.ndarray:
    """online_retail_path of every drawn world (before any conditioning)."""
    return np.concatenate([w.online_retail_path for _, w in simulate_worlds(scenario, seed, draws)])


# --- the machinery --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=60).filter(
        lambda w: sum(w) > 1e-6
    ),
    st.integers(0, 2**32 - 1),
)
def test_systematic_resampling_keeps_each_world_about_n_times_its_weight(
    raw: list[float], seed: int
) -> None:
    w = np.array(raw) / np.sum(raw)
    idx = systematic_resample(w, np.random.default_rng(seed))
    counts = np.bincount(idx, minlength=w.size)
    assert idx.size == w.size and np.all(np.diff(idx) >= 0)
    expected = w.size * w
    assert np.all(counts >= np.floor(expected - 1e-9)) and np.all(
        counts <= np.ceil(expected + 1e-9)
    )
    assert counts[np.argmax(w)] >= 1  # the heaviest world always survives


def test_log_likelihood_by_hand() -> None:
    """log(1 + x) against log(1 + y), sd 0.03 for online retail, 0.10 for a count."""
    o1 = Observation(2023, "online_retail", 7.0e10, "t")
    o2 = Observation(2023, "recognized.park", 4, "t")
    values = {
        (2023, "online_retail"): np.array([7.0e10, 7.0e10 * np.exp(0.03)]),
        (2023, "recognized.park"): np.array([4.0, 4.0]),
    }
    ll = log_likelihood([o1, o2], values)
    assert ll[0] == pytest.approx(0.0, abs=1e-12)
    assert ll[1] == pytest.approx(-0.5, rel=1e-6)  # one sd away (log1p ≈ log at 7e10)
    values[(2023, "recognized.park")] = np.array([4.0, 4.0 * 1.25])
    z = np.log(6.0 / 5.0) / OBSERVATION_ERROR["recognized.park"]
    assert log_likelihood([o2], values)[1] == pytest.approx(-0.5 * z * z)


def test_conditioning_on_a_worlds_own_value_keeps_that_world() -> None:
    """Observe world k's own 2023 online retail: k has the largest weight and is resampled."""
    sc = baseline()
    paths = prior_retail(sc, 3, DRAWS)
    for k in (17, 777, 1999):
        obs = Observation(2023, "online_retail", float(paths[k, YEARS[2023]]), "world k")
        r = simulate(observed(sc, obs), draws=DRAWS, seed=3)
        # the weights, recomputed: k is the (unique) most likely world
        values = {(2023, "online_retail"): paths[:, YEARS[2023]]}
        assert int(np.argmax(log_likelihood([obs], values))) == k
        assert r.resampled_from is not None and k in r.resampled_from
        rows = np.flatnonzero(r.resampled_from == k)
        # the kept rows are world k whole: its path (float32 in results) and its outlay
        assert np.allclose(r.online_retail_path[rows], paths[k].astype(np.float32))
        plain = simulate(sc, draws=DRAWS, seed=3)
        assert np.all(r.outlay.total[rows] == plain.outlay.total[k])
        assert np.all(r.targets["parks"][rows] == plain.targets["parks"][k])


def test_effective_draws_are_reported() -> None:
    sc = baseline()
    none = summarize(simulate(sc, draws=500, seed=1)).conditioning
    assert none["method"] == "none" and none["effective_draws"] == 500
    obs = Observation(2023, "online_retail", 6.5e10, "t")
    s = summarize(simulate(observed(sc, obs), draws=DRAWS, seed=1))
    c = s.conditioning
    assert c["method"] == "weight" and c["figures"] == 1
    assert 1 <= c["effective_draws"] < DRAWS
    assert c["observation_error"]["online_retail"] == OBSERVATION_ERROR["online_retail"]
    # the Monte Carlo error of a probability uses the effective draws
    t = s.targets.online_retail
    assert t.p_met_se == pytest.approx(np.sqrt(t.p_met * (1 - t.p_met) / c["effective_draws"]))
    assert json.loads(s.to_json())["conditioning"] == c  # JSON-ready
    pinned = summarize(simulate(observed(sc, obs, method="pin"), draws=500, seed=1))
    assert pinned.conditioning["method"] == "pin"
    assert pinned.conditioning["effective_draws"] == 500


def test_every_standard_error_after_weighting_uses_the_effective_draws() -> None:
    """P(every recognition target met) and a sweep point's columns used the draws, not the
    effective draws, after weighting: errors several times too small beside the summary's own
    (``research.evaluate.point_outputs`` promises the summary's numbers)."""
    from sbqw_model.research.evaluate import point_outputs

    obs = Observation(2023, "online_retail", 6.5e10, "t")
    r = simulate(observed(baseline(), obs), draws=DRAWS, seed=1)
    s = summarize(r)
    ess = s.conditioning["effective_draws"]
    assert ess < DRAWS / 4  # the draws would give an error at least twice too small
    p = s.p_recognition_met
    assert s.p_recognition_met_se == pytest.approx(np.sqrt(p * (1 - p) / ess))
    row = point_outputs(r)
    for t in TARGETS:
        assert row[f"targets.{t}.p_met_se"] == s.targets[t].p_met_se, t
    assert row["p_all_met_se"] == s.p_all_met_se
    assert row["p_recognition_met_se"] == s.p_recognition_met_se


def test_a_weighted_run_is_not_paired_world_by_world_with_an_unweighted_one() -> None:
    """Row i of a weighted run is a resampled world, not row i of the baseline: pairing them
    gave errors for the unweighted draws, so a change of a few points on a few hundred effective
    draws was called beyond noise (and the comparison said the figures lowered the odds)."""
    from sbqw_model.outcomes import compare_outcomes

    obs = Observation(2023, "online_retail", 6.5e10, "t")
    a = simulate(baseline(), draws=DRAWS, seed=1)
    b = simulate(observed(baseline(), obs), draws=DRAWS, seed=1)
    ess = summarize(b).conditioning["effective_draws"]
    c = compare_outcomes(a, b)
    assert not c.paired
    for t, d in c.targets.items():  # the independent error, over each run's effective draws
        want = np.sqrt(d.p_a * (1 - d.p_a) / DRAWS + d.p_b * (1 - d.p_b) / ess)
        assert d.se == pytest.approx(want), t
    assert compare_outcomes(a, simulate(baseline(), draws=DRAWS, seed=1)).paired


@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_a_surprising_2023_moves_2025_the_right_way(quantile: float) -> None:
    """A 2023 figure at the prior's 10th / 90th percentile lowers / raises the 2025 forecast,
    the growth of 2024–2025 (the shared mean growth is learnt) and the traffic outlay (firms)."""
    sc = baseline()
    plain = simulate(sc, draws=DRAWS, seed=2)
    value = float(np.quantile(plain.online_retail_path[:, YEARS[2023]], quantile))
    r = simulate(observed(sc, Observation(2023, "online_retail", value, "t")), draws=DRAWS, seed=2)
    sign = 1 if quantile > 0.5 else -1

    def growth(res):
        p = res.online_retail_path.astype(float)
        return p[:, YEARS[2025]] / p[:, YEARS[2023]]

    assert (
        sign * (np.median(r.targets["online_retail"]) - np.median(plain.targets["online_retail"]))
        > 0
    )
    assert sign * (np.median(growth(r)) - np.median(growth(plain))) > 0
    traffic = list(summarize(r).budget.by_instrument)  # keys in INSTRUMENTS order
    col = traffic.index("traffic")
    assert (
        sign * (r.outlay.by_instrument[:, col].mean() - plain.outlay.by_instrument[:, col].mean())
        > 0
    )
    # conditioned worlds sit near the figure; pinning would put them exactly on it
    got = r.online_retail_path[:, YEARS[2023]].astype(float)
    assert np.median(np.abs(np.log(got / value))) < 3 * OBSERVATION_ERROR["online_retail"]


def test_pinning_stays_an_option() -> None:
    sc = baseline()
    obs = Observation(2024, "online_retail", 8.0e10, "t")
    r = simulate(observed(sc, obs, method="pin"), draws=600, seed=4)
    assert np.all(r.online_retail_path[:, YEARS[2024]] == np.float32(8.0e10))
    w = simulate(observed(sc, obs), draws=600, seed=4)
    assert np.unique(w.online_retail_path[:, YEARS[2024]]).size > 5  # weighting does not pin


def test_scenario_file_conditioning_key(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: s\ntitle_zh: 测试\ntitle_en: test\nconditioning: pin\n",
        encoding="utf-8",
    )
    assert load_scenario(path).conditioning == "pin"
    path.write_text(path.read_text(encoding="utf-8").replace("pin", "pinned"), encoding="utf-8")
    done = run_cli("simulate", path, "--draws", "10")
    assert done.returncode == 2
    assert "conditioning: expected one of weight, pin, got 'pinned'" in done.stderr
    assert "Traceback" not in done.stderr


def test_low_effective_draws_warn_and_say_what_to_do() -> None:
    info = {"method": "weight", "effective_draws": 37.0, "figures": 2}
    text = low_effective_draws_warning(info, 2000)
    # 37 of 2 000 carry it (1.85 %): 1.5 × 200 need 300 / 0.0185 ≈ 16 216, rounded up to
    # thousands, written as it is typed
    assert text and "37 effective draws of 2,000" in text and "--draws 17000" in text, text
    assert "1.8% of the worlds" in text
    assert low_effective_draws_warning({**info, "effective_draws": 200.0}, 5000) is None
    # a small share with enough worlds is no fault: more draws would not change the share
    assert low_effective_draws_warning({**info, "effective_draws": 450.0}, 20000) is None
    assert low_effective_draws_warning({"method": "pin", "effective_draws": 1}, 5000) is None


def test_figures_in_the_tails_are_said_whatever_the_draws() -> None:
    """Below 1 % of the worlds, more draws would hide a disagreement between the figures and the
    scenario: the warning says to check them, with or without enough effective draws."""
    info = {"method": "weight", "effective_draws": 201.0, "figures": 1}
    text = low_effective_draws_warning(info, 20100)  # 1.0 %: not below
    assert text is None
    text = low_effective_draws_warning(info, 40000)  # 0.5 %, 201 effective draws
    assert text and "tails of the scenario's ranges" in text and "--draws" not in text
    text = low_effective_draws_warning({**info, "effective_draws": 2.0}, 100000)
    assert text and "2 effective draws" in text and "tails" in text and "--draws" not in text
    assert "0.002% of the worlds" in text, "a share is never shown as nothing (0.00%)"


def test_a_suggestion_that_would_not_fit_in_memory_is_not_made() -> None:
    info = {"method": "weight", "effective_draws": 37.0, "figures": 2}
    text = low_effective_draws_warning(info, 2000, fits=lambda draws: draws <= 10000)
    assert text and "--draws" not in text and "check the figures" in text


@given(
    ess=st.floats(min_value=0.0, max_value=199.0),
    draws=st.integers(min_value=200, max_value=10**7),
)
def test_the_suggested_draws_are_enough_at_the_same_share(ess: float, draws: int) -> None:
    """Following the advice clears the warning with room to spare: the effective share does not
    move with the number of draws (the advice of an earlier rule could never be met), and the
    suggestion aims at 1.5 × the minimum (the share varies a little from run to run)."""
    import re

    info = {"method": "weight", "effective_draws": ess, "figures": 3}
    text = low_effective_draws_warning(info, draws)
    assert text is not None
    share = max(ess, 1.0) / draws
    found = re.search(r"--draws (\d+)", text)
    if share < TAIL_SHARE:
        assert found is None
        return
    suggest = int(found.group(1))
    assert share * suggest >= SUGGEST_MARGIN * MIN_EFFECTIVE_DRAWS * (1 - 1e-12)
    again = low_effective_draws_warning({**info, "effective_draws": share * suggest}, suggest)
    assert again is None


def test_cli_observed_weights_and_warns(tmp_path: Path) -> None:
    obs = tmp_path / "obs.csv"
    obs.write_text(
        "year,indicator,value,source\n2023,online_retail,1.2e11,far above every world\n",
        encoding="utf-8",
    )
    done = run_cli("simulate", BASELINE, "--draws", "1000", "--observed", obs, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["conditioning"]["method"] == "weight"
    assert data["conditioning"]["effective_draws"] < 200
    # far above every world: more draws would hide it, so the line says to check the figures
    assert "sbqw: warning:" in done.stderr and "tails of the scenario's ranges" in done.stderr
    pin = run_cli(
        "simulate",
        BASELINE,
        "--draws",
        "300",
        "--observed",
        obs,
        "--conditioning",
        "pin",
        "--format",
        "json",
    )
    assert pin.returncode == 0 and "warning" not in pin.stderr
    assert json.loads(pin.stdout)["conditioning"]["method"] == "pin"
    bad = tmp_path / "bad.csv"
    bad.write_text("year,indicator,value,source\n2023,online_retial,1,x\n", encoding="utf-8")
    done = run_cli("simulate", BASELINE, "--observed", bad)
    assert (
        done.returncode == 2 and "online_retial" in done.stderr and "Traceback" not in done.stderr
    )
    assert done.stdout == ""


def test_export_of_a_resampled_world_audits_to_the_fen(tmp_path: Path) -> None:
    """Row K of a weighted run is drawn world resampled_from[K]; its ledger costs the same."""
    sc = observed(baseline(), Observation(2023, "online_retail", 7.5e10, "t"))
    r = simulate(sc, draws=1000, seed=8)
    for k in (0, 499, 999):
        result = export_draw(sc, 8, k, tmp_path / f"d{k}", draws=1000)
        assert result["drawn_world"] == int(r.resampled_from[k])
        assert result["total_yuan"] == round(float(r.outlay.total[k]), 2)
        ledger = load_ledger(
            tmp_path / f"d{k}" / "recognitions.csv", tmp_path / f"d{k}" / "sales.csv", sc.params
        )
        rules = cost_ledger(ledger, sc.params, sc.assumptions).to_dict()
        for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
            assert result[key] == rules[key], (k, key)


def test_world_values_read_the_observed_figures() -> None:
    sc = baseline()
    world = next(iter(simulate_worlds(sc, 0, 500)))[1]
    obs = [Observation(2024, "online_retail", 1, "t"), Observation(2025, "recognized.team", 1, "t")]
    v = world_values(world, obs, 2023)
    assert np.array_equal(v[(2024, "online_retail")], world.online_retail_path[:, 2])
    assert np.array_equal(v[(2025, "recognized.team")], world.approvals[:, 3, :, 2].sum(axis=1))


# --- backtest and calibration ---------------------------------------------------------------------


def test_backtest_sequential_conditions_by_weighting() -> None:
    sc = baseline()
    obs = [
        Observation(2023, "online_retail", 7.8e10, "t"),
        Observation(2024, "online_retail", 9.5e10, "t"),
    ]
    seq = run_backtest(sc, obs, draws=DRAWS, seed=0, mode="sequential")
    prior = run_backtest(sc, obs, draws=DRAWS, seed=0, mode="prior")
    first, second = seq.checks
    assert first.effective_draws is None  # nothing known before 2023
    assert second.effective_draws is not None and second.effective_draws < DRAWS
    # knowing a high 2023 raises the 2024 forecast and narrows it (2024 grows from a known level)
    before = prior.checks[1].quantiles
    assert second.quantiles[50] > before[50]
    assert second.quantiles[95] - second.quantiles[5] < before[95] - before[5]
    pinned = run_backtest(replace(sc, conditioning="pin"), obs, draws=DRAWS, seed=0)
    assert pinned.checks[1].effective_draws == DRAWS


@pytest.mark.parametrize("mode", ["prior", "sequential"])
def test_calibration_on_synthetic_truths_is_uniform(mode: str) -> None:
    """Truths drawn from the scenario itself must land at uniform percentiles, ex ante and one
    step ahead (after conditioning on the earlier years of the same truth)."""
    sc = baseline()
    truths = calibration.synthetic_truths(sc, seed=99, count=80)
    pct = calibration.percentiles(sc, truths, draws=3000, seed=0, mode=mode)
    assert pct.shape == (80, 3)
    for j in range(3):
        assert stats.kstest(pct[:, j] / 100, "uniform").pvalue > 0.001, (mode, j)


# --- reports ---------------------------------------------------------------------------


def test_report_notebook_parameter_conditions_the_scenario(tmp_path: Path) -> None:
    """The scenario report's one new parameter, ``conditioning``, reaches the simulation."""
    from sbqw_model.reporting.parameters import ReportParameterError
    from sbqw_model.reporting.scenario_report import ScenarioReport

    obs = tmp_path / "obs.csv"
    obs.write_text("year,indicator,value,source\n2023,online_retail,7.0e10,t\n", encoding="utf-8")
    namespace = {
        "scenario_file": str(BASELINE),
        "draws": 600,
        "seed": 0,
        "lang": "en",
        "assume": {},
        "conditioning": {"observed": str(obs)},
    }
    report = ScenarioReport.from_namespace(namespace)
    assert report.summary.conditioning["method"] == "weight"
    assert report.summary.conditioning["effective_draws"] < 600
    pinned = ScenarioReport.from_namespace(
        {**namespace, "conditioning": {"observed": str(obs), "method": "pin"}}
    )
    assert pinned.summary.conditioning["method"] == "pin"
    with pytest.raises(ReportParameterError, match="observations file not found"):
        ScenarioReport.from_namespace({**namespace, "conditioning": {"observed": "none.csv"}})


def test_report_jobs_carry_the_conditioning_parameter(tmp_path: Path) -> None:
    from sbqw_model.reporting.batch import jobs_for

    observed = tmp_path / "obs.csv"  # checked before any job is made, as the notebook reads it
    observed.write_bytes((ROOT / "observations" / "example.csv").read_bytes())
    given = {"observed": str(observed), "method": "weight"}
    jobs = jobs_for(
        [BASELINE, BASELINE.with_name("austerity.yaml")],
        tmp_path,
        compare=True,
        lang="zh",
        draws=10,
        seed=0,
        pdf=False,
        assume={},
        conditioning=given,
    )
    # the comparison too: it compared the plain runs, so its baseline row read other odds than
    # the baseline report beside it and its data note said no year was observed
    conditioned = [j for j in jobs if j.notebook != "sensitivity.ipynb"]
    assert len(conditioned) == 3 and all(j.parameters["conditioning"] == given for j in conditioned)


def test_the_comparison_rests_on_the_observed_figures_its_reports_do(tmp_path: Path) -> None:
    """``sbqw report A B --compare --observed F``: each scenario of the comparison is weighted
    by F's figures as its own report is (the same summary, the same seed), and its provenance
    names F; before, it simulated the plain scenarios."""
    import hashlib

    from sbqw_model.reporting.comparison import Comparison
    from sbqw_model.reporting.scenario_report import ScenarioReport

    obs = tmp_path / "obs.csv"
    data = b"year,indicator,value,source\n2023,online_retail,7.0e10,t\n"
    obs.write_bytes(data)
    common = {"draws": 300, "seed": 0, "lang": "en", "assume": {}}
    common["conditioning"] = {"observed": str(obs)}
    files = [str(BASELINE), str(BASELINE.with_name("austerity.yaml"))]
    comparison = Comparison.from_namespace({**common, "scenario_files": files})
    alone = ScenarioReport.from_namespace({**common, "scenario_file": files[0]}).summary
    first = comparison.reports[0].summary
    assert first.conditioning["method"] == "weight" and first == alone
    text = str(comparison.provenance())
    assert "obs.csv" in text and hashlib.sha256(data).hexdigest() in text


def test_report_with_a_bad_observations_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("year,indicator,value\n2023,online_retail,1\n", encoding="utf-8")
    out = tmp_path / "reports"
    done = run_cli("report", BASELINE, "--observed", bad, "--out", out)
    assert done.returncode == 2 and "missing column `source`" in done.stderr
    assert not out.exists() and "Traceback" not in done.stderr

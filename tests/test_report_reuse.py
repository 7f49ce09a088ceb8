"""The comparison reuses its scenario reports' summaries only when they are of exactly the run
it would make; the runner starts it after those reports and tells it where they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from sbqw_model.engine import simulate
from sbqw_model.reporting.batch import jobs_for
from sbqw_model.reporting.comparison import reusable_summary
from sbqw_model.reporting.runner import Job, Outcome, _told, job_cost, submission_order
from sbqw_model.reporting.scenario_report import ScenarioReport
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import scenario_path

DRAWS, SEED = 40, 3


def _executed(tmp_path: Path, name: str, **run: object) -> tuple[Path, dict]:
    """A notebook file as a scenario report leaves it: the summary as a hidden output."""
    path = scenario_path(name)
    scenario = load_scenario(path)
    params = {"draws": DRAWS, "seed": SEED, **run}
    report = ScenarioReport(scenario, simulate(scenario, **params), "zh", path)  # type: ignore[arg-type]
    output = {"output_type": "display_data", "data": report.glue(), "metadata": {}}
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [output]}]}
    target = tmp_path / f"{name}.ipynb"
    target.write_text(json.dumps(nb), encoding="utf-8")
    return target, report.summary


def test_a_matching_summary_is_reused_as_computed(tmp_path: Path) -> None:
    notebook, summary = _executed(tmp_path, "baseline")
    scenario = load_scenario(scenario_path("baseline"))
    reused = reusable_summary(str(notebook), scenario, {"draws": DRAWS, "seed": SEED})
    assert reused == summary  # typed, read back from the notebook's JSON: the same numbers
    assert reused is not None and reused.targets.parks.p_met == summary.targets.parks.p_met


@pytest.mark.parametrize(
    "change",
    ["draws", "seed", "other scenario", "assumption", "no file", "no summary in it"],
)
def test_any_other_run_is_simulated_again(tmp_path: Path, change: str) -> None:
    notebook, _ = _executed(tmp_path, "baseline")
    scenario = load_scenario(scenario_path("baseline"))
    values = {"draws": DRAWS, "seed": SEED}
    if change == "draws":
        values["draws"] = DRAWS + 1
    elif change == "seed":
        values["seed"] = SEED + 1
    elif change == "other scenario":
        scenario = load_scenario(scenario_path("austerity"))
    elif change == "assumption":
        scenario = scenario.with_assumptions(scenario.assumptions.updated({"payout_share": 0.5}))
    elif change == "no file":
        notebook = tmp_path / "missing.ipynb"
    else:
        notebook.write_text(json.dumps({"cells": []}), encoding="utf-8")
    assert reusable_summary(str(notebook), scenario, values) is None


def test_the_comparison_waits_for_its_reports_and_is_told_where_they_are(tmp_path: Path) -> None:
    files = [scenario_path("baseline"), scenario_path("austerity")]
    jobs = jobs_for(
        files, tmp_path, compare=True, lang="zh", draws=DRAWS, seed=SEED, pdf=False, assume={}
    )
    compare = jobs[-1]
    assert compare.after == ("baseline", "austerity")
    assert submission_order(jobs)[-1] == len(jobs) - 1 and job_cost(compare) == 1.0
    outcomes = {0: Outcome(jobs[0], True, 1.0), 1: Outcome(jobs[1], False, 1.0, "failed")}
    told = _told(compare, outcomes)
    baseline = jobs[0].parameters["scenario_file"]
    assert told.parameters["summaries"] == {baseline: str(tmp_path / "baseline.ipynb")}
    assert "summaries" not in compare.parameters  # the planned job is left as it was


def test_conditioned_reports_are_not_reused(tmp_path: Path) -> None:
    observed = tmp_path / "obs.csv"  # checked before any job is made
    observed.write_bytes((ROOT / "observations" / "example.csv").read_bytes())
    jobs = jobs_for(
        [scenario_path("baseline"), scenario_path("optimistic")],
        tmp_path,
        compare=True,
        lang="zh",
        draws=DRAWS,
        seed=SEED,
        pdf=False,
        assume={},
        conditioning={"observed": str(observed), "method": "weight"},
    )
    assert jobs[-1].after == ()
    plain = Job("x", "x", "scenario_report.ipynb", {}, tmp_path)
    assert _told(plain, {}) is plain

"""With several workers the long jobs start first, so none idles while another finishes alone."""

from __future__ import annotations

from pathlib import Path

from sbqw_model.reporting.runner import Job, submission_order


def _job(name: str, notebook: str = "scenario_report.ipynb", **parameters: object) -> Job:
    return Job(name, name, notebook, dict(parameters), Path("out"))


def test_comparison_and_sensitivity_are_submitted_first_others_in_order() -> None:
    jobs = [
        _job("baseline", scenario_file="b.yaml"),
        _job("austerity", scenario_file="a.yaml"),
        _job("baseline-sensitivity", "sensitivity.ipynb", scenario_file="b.yaml"),
        _job("compare", "compare_scenarios.ipynb", scenario_files=["b", "a", "c", "d"]),
        _job("optimistic", scenario_file="o.yaml"),
    ]
    assert submission_order(jobs) == [2, 3, 0, 1, 4]
    two = [_job("compare", "compare_scenarios.ipynb", scenario_files=["b", "a"]), *jobs[:2]]
    assert submission_order(two) == [0, 1, 2]
    assert sorted(submission_order(jobs)) == list(range(len(jobs))), "every job exactly once"

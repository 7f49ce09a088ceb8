"""The research side's "budget" is the high outlay the scenario reports show (``BAND[1]``, the
95th percentile): the frontier's default cost, the sensitivity defaults (CLI and notebook), the
shipped sweeps and the words for them. Before: all said p90 while the reports said p95, so
``sbqw report --sensitivity`` beside a scenario report quoted two different budgets. p90 stays
an output a user may ask for by name."""

from __future__ import annotations

import ast
import json
from importlib.resources import files
from pathlib import Path

import nbformat
import yaml
from research_helpers import sbqw, write

from sbqw_model.catalogue import pair
from sbqw_model.research import evaluate, frontier, notebook
from sbqw_model.summary import QUANTILES
from sbqw_model.summary_types import BAND, CENTRAL

HIGH = BAND[1]  # what the scenario report, comparison, workbook and `simulate` call "high"
REPORTED = {CENTRAL, *BAND}  # the statistics a report shows of an outlay


def _budget_stats(outputs: list[str]) -> set[str]:
    return {o.rsplit(".", 1)[1] for o in outputs if o.startswith("budget.")}


def _notebook_outputs() -> list[str]:
    nb = nbformat.read(files("sbqw_model.notebooks").joinpath("sensitivity.ipynb"), as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "outputs":
            return ast.literal_eval(node.value)
    raise AssertionError("no outputs in the sensitivity notebook's parameters cell")


def test_the_frontier_budget_is_the_reports_high_outlay() -> None:
    assert frontier.COST == f"budget.total.{HIGH}" == "budget.total.p95"


def test_sensitivity_defaults_use_the_reports_percentiles() -> None:
    for outputs in (
        list(evaluate.SENSITIVITY_OUTPUTS),
        notebook.PARAMETERS["outputs"],
        _notebook_outputs(),
    ):
        assert _budget_stats(outputs) == {CENTRAL, HIGH}, outputs
    assert _notebook_outputs() == notebook.PARAMETERS["outputs"]


def test_shipped_sweeps_ask_for_the_reports_percentiles() -> None:
    sweeps = [p for p in files("sbqw_model.sweeps").iterdir() if p.name.endswith(".yaml")]
    asked = [o for p in sweeps for o in yaml.safe_load(p.read_text("utf-8")).get("outputs", [])]
    assert "budget.by_year.2025.p95" in asked  # growth_latin
    assert _budget_stats(asked) <= REPORTED, asked


def test_the_budget_words_name_the_same_percentile() -> None:
    said = [
        *pair("research.budget_p95"),
        *pair("research.frontier_intro"),
        pair("text.budget_p95")[1],  # its Chinese says 预算（万元） only
    ]
    for words in said:
        assert str(QUANTILES[HIGH]) in words and "90" not in words, words


TABLE = (
    "point,assumptions.payout_share,budget.total.p90,budget.total.p95,p_all_met,p_all_met_se\n"
    "0,0.5,100000000,120000000,0.6,0.01\n"
    "1,0.7,150000000,300000000,0.85,0.01\n"
    "2,0.9,200000000,210000000,0.9,0.01\n"
)


def test_the_frontier_defaults_to_p95_and_p90_is_still_there(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", TABLE)
    code, out, err = sbqw("frontier", path, "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["cost"] == "budget.total.p95"
    # by p95 point 1 (3 亿, P 0.85) is dearer than point 2 (2.1 亿, P 0.9): dominated
    assert [int(r["point"]) for r in shown["frontiers"][0]["frontier"]] == [0, 2]
    code, out, err = sbqw("frontier", path, "--cost", "budget.total.p90", "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["cost"] == "budget.total.p90"
    assert [int(r["point"]) for r in shown["frontiers"][0]["frontier"]] == [0, 1, 2]
    code, out, err = sbqw("frontier", path, "--cost", "budget.total.p90")
    assert code == 0, err
    assert "Budget p95" not in out and "budget.total.p90 (万元 10,000 yuan)" in out

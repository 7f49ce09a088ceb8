"""The three report notebooks executed through papermill (small draws), as users run them.

Each papermill run starts a kernel (~3 s), so every notebook runs once per module and the tests
share the executed notebooks. ``sbqw report`` (which runs the same notebooks) is tested in
``test_reports.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import ROOT

from sbqw_model.reporting.html import external_urls, notebook_to_html
from sbqw_model.reporting.parameters import NOTEBOOK_PARAMETERS
from sbqw_model.reporting.scenario_report import SUMMARY_MIME

pm = pytest.importorskip("papermill")
from papermill.exceptions import PapermillExecutionError  # noqa: E402

NOTEBOOKS = ROOT / "sbqw_model" / "notebooks"
DRAWS = 300
CJK = re.compile(r"[\u3400-\u9fff]")
SHIPPED = sorted(p.stem for p in (ROOT / "sbqw_model" / "scenarios").glob("*.yaml"))


@pytest.fixture(autouse=True, scope="module")
def _runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The runner sets JUPYTER_RUNTIME_DIR in the calling process: restore it afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path_factory.mktemp("jupyter-runtime")))
        yield


def execute(name: str, out: Path, **parameters: Any) -> nbformat.NotebookNode:
    """papermill in this process, from the project folder (relative scenario paths work)."""
    return pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT),
        execution_timeout=300,  # a hung cell fails the test instead of hanging the suite
    )


def outputs(nb: nbformat.NotebookNode, mime: str) -> list[Any]:
    return [
        output["data"][mime]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if mime in output.get("data", {})
    ]


def errors(nb: nbformat.NotebookNode) -> list[Any]:
    return [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def stderr_text(nb: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.get("name") == "stderr"
    )


def html_of(nb: nbformat.NotebookNode) -> str:
    return "\n".join(outputs(nb, "text/html"))


def summary_of(nb: nbformat.NotebookNode) -> dict[str, Any]:
    (payload,) = outputs(nb, SUMMARY_MIME)
    return json.loads(payload) if isinstance(payload, str) else dict(payload)


# --------------------------------------------------------------------------------------------
# Executed once per module


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture(scope="module")
def report_zh(work: Path) -> tuple[subprocess.CompletedProcess[str], nbformat.NotebookNode]:
    """Plain papermill from the command line, as the issue writes it (Chinese by default)."""
    out = work / "report_zh.ipynb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "sbqw_model/notebooks/scenario_report.ipynb",
            str(out),
            "-p",
            "scenario_file",
            "sbqw_model/scenarios/baseline.yaml",
            "-p",
            "draws",
            str(DRAWS),
            "-k",
            "python3",
            "--engine",
            "sbqw",  # as the README writes it: the kernel does not warn about TCP
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(work / "runtime-cli")},
        timeout=300,
        check=False,
    )
    return done, nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def report_en(work: Path) -> nbformat.NotebookNode:
    """In-process papermill, English, the scenario given by its shipped name."""
    return execute(
        "scenario_report",
        work / "report_en.ipynb",
        scenario_file="austerity",
        draws=DRAWS,
        lang="en",
    )


@pytest.fixture(scope="module")
def comparison_en(work: Path) -> nbformat.NotebookNode:
    return execute(
        "compare_scenarios",
        work / "compare_en.ipynb",
        scenario_files=["baseline", "sbqw_model/scenarios/austerity.yaml", "pessimistic"],
        draws=DRAWS,
        lang="en",
    )


@pytest.fixture(scope="module")
def explorer(work: Path) -> nbformat.NotebookNode:
    return execute("explore_budget", work / "explore.ipynb", draws=DRAWS)


# --------------------------------------------------------------------------------------------
# Shipped notebooks


@pytest.mark.parametrize("name", ["scenario_report", "compare_scenarios", "explore_budget"])
def test_notebooks_are_committed_without_outputs_and_declare_their_parameters(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] is code[0], "the first code cell is the parameters cell"
    declared = re.findall(r"^(\w+)\s*=", params[0].source, flags=re.MULTILINE)
    assert declared == list(NOTEBOOK_PARAMETERS[name]), (
        "parameters cell and the checked names agree"
    )
    assert nb.metadata.kernelspec.name == "python3"


# --------------------------------------------------------------------------------------------
# scenario_report, both languages


def test_plain_papermill_runs_the_scenario_report(report_zh: Any) -> None:
    done, nb = report_zh
    assert done.returncode == 0, done.stderr[-3000:]
    assert "without encryption" not in done.stderr and "WARNING" not in done.stderr
    assert not errors(nb)
    assert len(outputs(nb, "image/png")) == 5, "fan, units, budget by year, outlay, prefectures"
    summary = summary_of(nb)
    assert summary["kind"] == "scenario" and summary["name"] == "baseline"
    assert summary["summary"]["draws"] == DRAWS


def test_scenario_report_in_chinese(report_zh: Any) -> None:
    _, nb = report_zh
    page = html_of(nb)
    for heading in ("2025年目标达成概率", "财政支出", "方案支出合计", "假设与参数", "来源信息"):
        assert heading in page
    assert "亿元" in page and "万元" in page
    assert "Odds of meeting" not in page
    assert "missing from font" not in stderr_text(nb), "Glyph … missing: a hanzi drew as a box"


def test_scenario_report_in_english(report_en: nbformat.NotebookNode) -> None:
    nb = report_en
    assert not errors(nb)
    assert len(outputs(nb, "image/png")) == 5
    page = html_of(nb)
    for heading in (
        "Probability of meeting each 2025 target",
        "Outlay",
        "Total outlay",
        "Assumptions and parameters",
        "Provenance",
        "Austerity (half of every ceiling)",
    ):
        assert heading in page
    headings = " ".join(re.findall(r"<h[1-3]>(.*?)</h[1-3]>", page))
    assert headings and not CJK.search(headings), headings
    assert "2025年目标达成概率" not in page
    assert summary_of(nb)["lang"] == "en"
    assert "missing from font" not in stderr_text(nb)


def test_report_summary_shows_the_seven_targets_and_all_together(report_en: Any) -> None:
    page = html_of(report_en)
    table = re.search(r'<table class="sbqw">.*?</table>', page, flags=re.DOTALL)
    assert table
    rows = re.findall(r"<tr>", table.group(0))
    assert len(rows) == 1 + 7, "header, seven targets; all together is a sentence, not a headline"
    p_all = summary_of(report_en)["summary"]["p_all_met"]
    sentence = (
        f"The probability that all seven targets are met in the same simulated world is {p_all:.0%}"
    )
    assert sentence in page


# --------------------------------------------------------------------------------------------
# compare_scenarios and explore_budget


def test_compare_scenarios_runs_with_a_list_parameter(comparison_en: nbformat.NotebookNode) -> None:
    nb = comparison_en
    assert not errors(nb)
    assert len(outputs(nb, "image/png")) == 3, "probabilities, their differences, budget bands"
    page = html_of(nb)
    assert "e-commerce plan — scenario comparison" in page
    assert page.count("Change from Baseline") >= 2, "differences from the first, in both tables"
    payload = summary_of(nb)
    assert payload["kind"] == "comparison"
    assert payload["scenarios"] == ["Baseline", "Austerity (half of every ceiling)", "Pessimistic"]


def test_explore_budget_renders_its_static_view_headless(explorer: nbformat.NotebookNode) -> None:
    nb = explorer
    assert not errors(nb)
    page = html_of(nb)
    assert "预算探索" in page and "2025年目标达成概率" in page and "财政支出" in page
    assert len(outputs(nb, "image/png")) == 1
    assert outputs(nb, "application/vnd.jupyter.widget-view+json"), "the widgets cell ran too"
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    (view,) = [m["state"]["outputs"] for m in state.values() if m["model_name"] == "OutputModel"]
    assert [sorted(o["data"]) for o in view] == [
        ["text/html", "text/plain"],
        ["text/html", "text/plain"],
        ["image/png", "text/plain"],
        ["text/html", "text/plain"],
    ], "the interactive view drew the default setting (targets, budget, chart, instruments)"
    rendered = notebook_to_html(nb, "explore")
    assert external_urls(rendered) == []
    assert "预算探索" in rendered


# --------------------------------------------------------------------------------------------
# Unknown names: an error in the first cell, listing the valid ones


def _first_code_after_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    tags = ("parameters", "injected-parameters")
    return next(
        c
        for c in nb.cells
        if c.cell_type == "code" and not set(tags) & set(c.metadata.get("tags", []))
    )


def test_papermill_cli_with_an_unknown_parameter_fails_in_the_first_cell(work: Path) -> None:
    out = work / "typo.ipynb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "sbqw_model/notebooks/scenario_report.ipynb",
            str(out),
            "-p",
            "draw",  # typo of draws: papermill alone would only warn
            "300",
            "-k",
            "python3",
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(work / "runtime-typo")},
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert "ReportParameterError" in done.stderr
    valid = ", ".join(NOTEBOOK_PARAMETERS["scenario_report"])
    assert "unknown parameter(s) draw" in done.stderr and f"valid: {valid}" in done.stderr
    assert "did you mean" in done.stderr.lower() and "draws" in done.stderr
    nb = nbformat.read(out, as_version=4)
    first = _first_code_after_parameters(nb)
    assert [o.ename for o in first.outputs if o.output_type == "error"] == ["ReportParameterError"]
    later = nb.cells[nb.cells.index(first) + 1 :]
    assert all(not c.get("outputs") for c in later), "nothing ran after the failing cell"


def test_unknown_scenario_name_fails_in_the_first_cell_with_the_valid_names(work: Path) -> None:
    with pytest.raises(PapermillExecutionError) as caught:
        execute("scenario_report", work / "nosuch.ipynb", scenario_file="basline", draws=DRAWS)
    exc = caught.value
    assert exc.ename == "ReportParameterError"
    assert "basline: no such scenario file, and not a shipped scenario" in exc.evalue
    assert "baseline" in exc.evalue and all(name in exc.evalue for name in SHIPPED)
    nb = nbformat.read(work / "nosuch.ipynb", as_version=4)
    assert exc.exec_count == _first_code_after_parameters(nb).execution_count

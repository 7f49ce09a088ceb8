"""Notebook parameters a tester got wrong on purpose: each is refused before any work, in one
line naming the parameter and what it expects (never a TypeError, MemoryError or a hang).

Most cases call the notebooks' own checks (what their first code cell runs); two run a
notebook in a kernel (nbclient), as papermill does: the typo check with a computed parameter,
and the explorer without ipywidgets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from sbqw_model import engine, extras
from sbqw_model.reporting.fragments import HTML
from sbqw_model.reporting.parameters import (
    ReportParameterError,
    check_parameters,
    resolve_scenario,
)
from sbqw_model.research import notebook as rn
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import NOTEBOOK_DIR, scenario_path

LOADER = "report = ScenarioReport.from_namespace(globals())"
PARAMETERS_CELL = "scenario_file = 'baseline'\ndraws = 2000\nseed = 0\n"


@pytest.fixture(autouse=True)
def four_gib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default memory limit, whatever the machine (the limit is capped by its RAM)."""
    monkeypatch.setenv("SBQW_MEMORY_LIMIT", "4G")


def _one_line(caught: pytest.ExceptionInfo[ReportParameterError]) -> str:
    (line,) = caught.value._render_traceback_()
    assert "\n" not in line
    return line


# --- 1. the explorer keeps every world: its draws are checked against memory first ------------


def _no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    def drew(*args: object, **kwargs: object) -> None:
        raise AssertionError("worlds were drawn before the size was checked")

    monkeypatch.setattr(engine, "simulate_worlds", drew)


@pytest.mark.parametrize(
    ("draws", "words"),
    [
        (10**12, "draws 1,000,000,000,000 needs ~909.5 TiB; at most"),
        (200_000, "draws 200,000 needs ~5.9 GiB; at most 134,920 draws fit (the explorer keeps"),
    ],
)
def test_the_explorer_refuses_draws_beyond_memory_before_drawing(
    draws: int, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sbqw_model.reporting.explorer import BudgetExplorer

    _no_drawing(monkeypatch)
    with pytest.raises(ReportParameterError) as caught:
        BudgetExplorer.from_namespace({"draws": draws})
    line = _one_line(caught)
    assert line.startswith("ReportParameterError: explore_budget: ") and words in line
    assert "SBQW_MEMORY_LIMIT" in line


def test_the_explorer_figure_is_what_a_world_costs() -> None:
    """~32 KB a baseline world, a little above the peak RSS measured at 20 000 draws (29.1 KB
    a world, 103 firms a world on average), 30× a report's per-world figure. The explorer
    keeps every world, so the mean number of firms sets it: a reference level that lifts the
    largest count by half (900 亿 ÷ 600 亿) lifts the mean and the estimate by 3 % only."""
    from dataclasses import replace

    from sbqw_model.limits import BYTES_PER_DRAW
    from sbqw_model.memory import check_explorer, explorer_bytes_per_world, mean_firms

    base = load_scenario(scenario_path("baseline"))
    measured = 29_100
    assert measured < explorer_bytes_per_world(base) < 1.15 * measured
    assert explorer_bytes_per_world(base) > 20 * BYTES_PER_DRAW
    kept = {k: v for k, v in base.uncertainties.items() if k != "firms.reference_level"}
    assert mean_firms(replace(base, uncertainties=kept)) == 100  # uniform(60, 140)
    # triangular(350, 600, 900 亿) has mean 616.7 亿: 100 × 616.7 ÷ 600 firms
    assert mean_firms(base) == pytest.approx(100 * (350 + 600 + 900) / 3 / 600)
    check_explorer(base, 100_000)  # 2.9 GB peak at 29.1 KB a world: fits in 4 GiB


# --- 2. discovery_draws has a limit, checked before anything runs ------------------------------


def test_discovery_draws_beyond_memory_are_refused_up_front() -> None:
    with pytest.raises(ReportParameterError) as caught:
        rn.check_parameters({"discovery_draws": 10**12})
    assert "sensitivity: discovery_draws 1,000,000,000,000 needs ~909.5 TiB" in _one_line(caught)


# --- 3. summaries: regular files of a sane size only ------------------------------------------


def test_summaries_must_be_regular_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    big = tmp_path / "big.ipynb"
    big.write_bytes(b"{" + b" " * 2048 + b"}")
    for path, words in [
        ("/dev/zero", "/dev/zero: not a regular file (a device or pipe), expected an executed"),
        (str(fifo), "not a regular file (a device or pipe)"),
        (str(tmp_path), "is a folder, expected an executed .ipynb notebook"),
    ]:
        with pytest.raises(ReportParameterError) as caught:
            check_parameters("compare_scenarios", {"summaries": {"baseline": path}})
        line = _one_line(caught)
        assert "compare_scenarios: summaries: " in line and words in line
    from sbqw_model import limits

    monkeypatch.setattr(limits, "MAX_SUMMARY_NOTEBOOK_BYTES", 1024)
    with pytest.raises(ReportParameterError, match="2,050 bytes, more than the"):
        check_parameters("compare_scenarios", {"summaries": {"baseline": str(big)}})
    missing = {"baseline": str(tmp_path / "not-yet.ipynb")}  # simulated again, as before
    assert check_parameters("compare_scenarios", {"summaries": missing})["summaries"] == missing


# --- 4. scenario_file of the wrong type --------------------------------------------------------


@pytest.mark.parametrize("value", [["baseline", "austerity"], 5, {"a": 1}, ""])
@pytest.mark.parametrize("notebook", ["scenario_report", "explore_budget", "sensitivity"])
def test_scenario_file_of_the_wrong_type_is_one_line(notebook: str, value: Any) -> None:
    with pytest.raises(ReportParameterError) as caught:
        if notebook == "sensitivity":
            rn.check_parameters({"scenario_file": value})
        else:
            check_parameters(notebook, {"scenario_file": value})
    line = _one_line(caught)
    assert f"{notebook}: scenario_file={value!r}; expected a scenario name or file" in line
    with pytest.raises(ReportParameterError, match="expected a scenario name or file"):
        resolve_scenario(value) if value else resolve_scenario([value])


# --- 5. sensitivity outputs that are not names -------------------------------------------------


@pytest.mark.parametrize("value", [[1, [2]], "[1, [2]]", ["online_retail", {"a": 1}]])
def test_outputs_that_are_not_names_are_one_line(value: Any) -> None:
    with pytest.raises(ReportParameterError) as caught:
        rn.check_parameters({"outputs": value})
    assert "sensitivity: outputs=" in _one_line(caught)
    assert "expected a list of output names" in _one_line(caught)


# --- 6. the report's draws: the one-line error, before loading anything -----------------------


@pytest.mark.parametrize("notebook", ["scenario_report", "compare_scenarios", "explore_budget"])
def test_report_draws_beyond_memory_are_a_parameter_error(notebook: str) -> None:
    with pytest.raises(ReportParameterError) as caught:
        check_parameters(notebook, {"draws": 10**12})
    line = _one_line(caught)
    assert f"{notebook}: draws 1,000,000,000,000 needs ~909.5 TiB; at most 4,294,967" in line


# --- 7. the explorer headless without ipywidgets: a note, not an error ------------------------


def test_without_ipywidgets_the_sliders_cell_is_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    from sbqw_model.reporting.explorer import BudgetExplorer

    monkeypatch.setattr(extras, "missing", lambda modules: list(modules))
    base = load_scenario(scenario_path("baseline"))
    explorer = BudgetExplorer.__new__(BudgetExplorer)  # no worlds needed for the note
    explorer.base, explorer.lang = base, "en"
    note = explorer.widgets()
    assert isinstance(note, HTML)
    assert "pip install 'sbqw[lab]'" in repr(note) and "sliders need ipywidgets" in repr(note)
    with pytest.raises(extras.MissingExtra) as caught:
        extras.require("explorer", "the budget explorer's sliders", plural=True)
    assert "the budget explorer's sliders need ipywidgets, which is not installed" in str(
        caught.value
    )


def _with_parameters(notebook: str, *changes: tuple[str, str]) -> nbformat.NotebookNode:
    """A shipped notebook with each (old, new) of ``changes`` made in its parameters cell."""
    nb = nbformat.read(NOTEBOOK_DIR / notebook, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for old, new in changes:
        cell.source = cell.source.replace(old, new)
    return nb


def _execute(nb: nbformat.NotebookNode, tmp_path: Path) -> list[Any]:
    nbclient = pytest.importorskip("nbclient")
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=180, allow_errors=True)
    client.execute(cwd=str(tmp_path))
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.slow
def test_the_explorer_runs_headless_without_ipywidgets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    nb = _with_parameters("explore_budget.ipynb", ("draws = 1000", "draws = 200"), ('"zh"', '"en"'))
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\nsys.modules['ipywidgets'] = None"))
    outputs = _execute(nb, tmp_path)
    assert not [o for o in outputs if o.output_type == "error"]
    last = nb.cells[-1].outputs
    assert len(last) == 1 and "pip install 'sbqw[lab]'" in last[0]["data"]["text/plain"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the default view is there


# --- 8. the unknown-parameter check has no gaps ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [("_nonsense", 1), ("sbqw_report", os), ("open", 1), ("In_", 1), ("draws_", 1)],
)
def test_any_injected_name_not_declared_is_refused(name: str, value: Any) -> None:
    """papermill's injected cell: ``_x``, a name the notebook imports later (its module in the
    namespace by the time of the check), an IPython/builtin name — none is a parameter."""
    history = ["", PARAMETERS_CELL, f"# Parameters\n{name} = 1\n", LOADER]
    namespace = {"In": history, "draws": 2000, name: value}
    with pytest.raises(ReportParameterError) as caught:
        check_parameters("scenario_report", namespace)
    assert f"unknown parameter(s) {name}" in _one_line(caught)


@pytest.mark.parametrize("typo", ["draw = 100 * 2", "draw = int('200')", "draw: int = 200"])
def test_a_computed_value_in_the_parameters_cell_keeps_the_typo_check(typo: str) -> None:
    history = ["", f"scenario_file = 'baseline'\n{typo}  # typo\nseed = 0\n", LOADER]
    namespace = {"In": history, "scenario_file": "baseline", "draw": 200, "seed": 0}
    with pytest.raises(ReportParameterError) as caught:
        check_parameters("scenario_report", namespace)
    assert "unknown parameter(s) draw (did you mean `draws`?)" in _one_line(caught)
    computed = {"In": ["", "draws = 100 * 2\nseed = 0\n", LOADER], "draws": 200}
    assert check_parameters("scenario_report", computed)["draws"] == 200


@pytest.mark.slow
def test_a_computed_typo_is_caught_in_a_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    nb = _with_parameters("scenario_report.ipynb", ("draws = 2000", "draw = 100 * 2"))
    nb.cells = nb.cells[:3]  # the check is the first code cell after the parameters
    errors = [o for o in _execute(nb, tmp_path) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ReportParameterError"]
    assert "unknown parameter(s) draw (did you mean `draws`?)" in errors[0].evalue


# --- 9. messages: whole floats, the notebook's own names, comparisons --------------------------


def test_whole_floats_are_whole_numbers() -> None:
    assert check_parameters("scenario_report", {"draws": 1e3})["draws"] == 1000
    assert check_parameters("scenario_report", {"draws": 2000.0, "seed": 3.0})["seed"] == 3
    assert rn.check_parameters({"n": 4.0, "discovery_draws": 1e3})["discovery_draws"] == 1000
    for bad in (2.5, float("inf"), float("nan"), True, "200"):
        with pytest.raises(ReportParameterError, match="expected a whole number"):
            check_parameters("scenario_report", {"draws": bad})


@pytest.mark.parametrize(
    ("given", "words"),
    [
        # the baseline's 28 uncertain factors (24, and the four reapply shares): 10⁹ Morris
        # trajectories × 29 rows each; at most ⌊1 000 000 / 29⌋ = 34 482 trajectories
        ({"n": 10**9}, "sensitivity: n=1000000000: 29,000,000,000 points; at most 1,000,000"),
        ({"n": 10**9}, "(e.g. n=34482)"),
        ({"method": "sobol", "n": 10}, "sensitivity: n=10: Sobol' sampling needs a power of 2"),
        ({"method": "sobol", "n": 10}, "(e.g. n=8)"),
        ({"method": "sobol", "n": 1}, "sensitivity: n=1: Sobol' indices need N ≥ 2"),
        ({"method": "sobol", "n": 1}, "e.g. n=512"),
    ],
)
def test_sensitivity_sizes_are_said_as_the_notebook_names_them(
    given: dict[str, Any], words: str
) -> None:
    values = rn.check_parameters(given)
    base = load_scenario(scenario_path("baseline"))
    with pytest.raises(ReportParameterError) as caught:
        rn.check_size(base, values)
    line = _one_line(caught)
    assert words in line and "--" not in line


def test_sensitivity_outputs_are_said_as_the_notebook_names_them() -> None:
    with pytest.raises(ReportParameterError) as caught:
        rn.check_parameters({"outputs": ["budget.totl.p90"]})
    line = _one_line(caught)
    assert "sensitivity: outputs: unknown output `budget.totl.p90`" in line and "--" not in line


@pytest.mark.parametrize(
    ("files", "words"),
    [
        (["baseline"], "a comparison needs two or more scenarios"),
        ("baseline", "a comparison needs two or more scenarios"),
        (["baseline", "baseline"], "baseline given twice"),
        ("[baseline, austerity, baseline]", "baseline given twice"),
    ],
)
def test_a_comparison_needs_two_different_scenarios(files: Any, words: str) -> None:
    with pytest.raises(ReportParameterError) as caught:
        check_parameters("compare_scenarios", {"scenario_files": files})
    assert "compare_scenarios: scenario_files" in _one_line(caught) and words in _one_line(caught)


def test_one_file_under_two_spellings_is_given_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`baseline` and `baseline.yaml` (or its path) are one file: refused before any draw, as
    `sbqw report --compare` refuses it. The notebook compared the baseline with itself and
    said the second column "only changes what is paid"."""
    from sbqw_model.reporting.comparison import Comparison

    _no_drawing(monkeypatch)
    monkeypatch.chdir(tmp_path)
    shipped = str(scenario_path("baseline").resolve())
    for files, names in [
        (["baseline", "baseline.yaml"], "baseline, baseline.yaml"),
        (["austerity", "baseline", shipped], f"baseline, {shipped}"),
    ]:
        with pytest.raises(ReportParameterError) as caught:
            Comparison.from_namespace({"scenario_files": files, "draws": 10})
        assert _one_line(caught) == (
            f"ReportParameterError: compare_scenarios: scenario_files: {names} are one file"
            f" ({shipped}); list each scenario once"
        )
    (tmp_path / "baseline.yaml").write_bytes(scenario_path("baseline").read_bytes())
    with pytest.raises(AssertionError, match="worlds were drawn"):  # a user's own copy: two
        Comparison.from_namespace({"scenario_files": ["baseline", "./baseline.yaml"]})


# --- 10. a fragment as plain text: the words it shows ------------------------------------------


def test_a_fragment_as_plain_text_is_its_visible_text() -> None:
    from IPython.core.formatters import PlainTextFormatter

    from sbqw_model.reporting.fragments import visible_text

    markup = (
        "<style>.x{color:red}</style><h2>Outlay &amp; odds</h2>\n<p>Median <strong>¥176m"
        "</strong></p><table><tr><th>Year</th><th>P50</th></tr><tr><td>2024</td>"
        "<td>1,200</td></tr></table><script>alert(1)</script>"
    )
    block = HTML(markup)
    shown = "Outlay & odds Median ¥176m Year P50 2024 1,200"
    assert repr(block) == shown == visible_text(markup)
    assert PlainTextFormatter()(block) == shown  # the ipynb's text/plain
    assert "0x" not in PlainTextFormatter()(HTML("<p>a</p>"))
    assert block._repr_html_() == markup and str(block) == markup  # the HTML is untouched


@pytest.mark.parametrize("notebook", ["scenario_report", "compare_scenarios", "explore_budget"])
@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"seed": -1}, "seed=-1; expected a whole number ≥ 0"),
        ({"draws": -5}, "draws=-5; expected a whole number ≥ 1"),
        ({"draws": 0}, "draws=0; expected a whole number ≥ 1"),
    ],
)
def test_a_negative_seed_or_draws_says_the_bound(
    notebook: str, given: dict[str, Any], words: str
) -> None:
    """-1 is a whole number: the line says which ones are allowed, as `sbqw simulate --seed -1`
    and the sensitivity notebook say it (it said only "expected a whole number")."""
    with pytest.raises(ReportParameterError) as caught:
        check_parameters(notebook, dict(given))
    assert _one_line(caught) == f"ReportParameterError: {notebook}: {words}"

"""Run All twice in one kernel works for every shipped notebook (as in JupyterLab, no restart).

The parameter check must not mistake the notebook's own variables (``report``, ``explorer``) of
the first run for unknown parameters; a typo in the parameters cell, or one papermill injects,
is still an error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from sbqw_model.reporting.parameters import (
    NOTEBOOK_PARAMETERS,
    ReportParameterError,
    check_parameters,
    parameter_cell_names,
)
from sbqw_model.shipped import NOTEBOOK_DIR

nbclient = pytest.importorskip("nbclient")

#: Small sizes written into each parameters cell, as an analyst would edit it.
SMALL = {
    "scenario_report": {"draws": "200"},
    "compare_scenarios": {"draws": "200"},
    "explore_budget": {"draws": "200"},
    "sensitivity": {"n": "2", "draws": "500", "discovery_draws": "500"},
}


def _edit_parameters(nb: nbformat.NotebookNode, values: dict[str, str]) -> None:
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for name, value in values.items():
        cell.source, n = re.subn(
            rf"^{name} = [^\n#]+", f"{name} = {value}", cell.source, flags=re.M
        )
        assert n == 1, name


def _run_all(client: Any, nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every code cell in order (Run All); errors raise CellExecutionError."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            client.execute_cell(cell, index)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _payloads(outputs: list[dict[str, Any]]) -> list[Any]:
    found = [
        o["data"][m]
        for o in outputs
        for m in o.get("data", {})
        if m.startswith("application/vnd.sbqw")
    ]
    return [json.loads(p) if isinstance(p, str) else dict(p) for p in found]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SMALL))
def test_run_all_twice_in_one_kernel(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.chdir(tmp_path)  # shipped scenario names work from any folder
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    _edit_parameters(nb, SMALL[name])
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel():
        first = _payloads(_run_all(client, nb))
        second = _payloads(_run_all(client, nb))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert len(second) == len(first)
    if name != "explore_budget":
        assert second and first, "the run published its summary"
    for a, b in zip(first, second, strict=True):  # same seed, same numbers
        a.get("summary", {}).pop("run_date", None), b.get("summary", {}).pop("run_date", None)
        assert json.dumps(a.get("summary", a), sort_keys=True, default=str) == json.dumps(
            b.get("summary", b), sort_keys=True, default=str
        )


def test_a_typo_in_the_parameters_cell_is_still_caught_on_a_second_run() -> None:
    report = object()  # the first run's own variable
    history = ["", "scenario_file = 'baseline'\ndraw = 5\n", "report = check(globals())"]
    namespace = {"In": history, "report": report, "scenario_file": "baseline", "draw": 5}
    with pytest.raises(ReportParameterError, match=r"unknown parameter\(s\) draw \(did you mean"):
        check_parameters("scenario_report", namespace)
    history[1] = "scenario_file = 'baseline'\ndraws = 5\n"
    namespace = {"In": history, "report": report, "scenario_file": "baseline", "draws": 5, "x": 1}
    assert check_parameters("scenario_report", namespace)["draws"] == 5  # report, x: not params


def test_papermill_injected_cell_and_the_parameters_cell_both_count() -> None:
    history = ["%reset -f", "draws = 2000\nseed = 0\n", "# Parameters\ndraw = 300\n", "check"]
    known = NOTEBOOK_PARAMETERS["scenario_report"]
    assert parameter_cell_names({"In": history}, known) == {"draws", "seed", "draw"}
    assert parameter_cell_names({"In": ["", "lang = 'en'", "check"]}, known) == {"lang"}
    assert parameter_cell_names({}, known) is None  # no kernel history: every name counts
    namespace = {"In": history, "draws": 2000, "seed": 0, "draw": 300}
    with pytest.raises(ReportParameterError, match="draw"):
        check_parameters("scenario_report", namespace)


LOADER = "report = ScenarioReport.from_namespace(globals())"


@pytest.mark.parametrize(
    "after",
    [
        [LOADER],  # the checking cell run again (Shift+Enter twice)
        ["total = 1 + 1"],  # a scratch cell between the parameters and the check
        ["x = 5"],  # even one that assigns a literal, if it sets no parameter
        [LOADER, "import numpy as np\nshare = np.mean([1, 2])", LOADER],
    ],
)
def test_cells_run_after_the_parameters_cell_are_not_parameters(after: list[str]) -> None:
    history = ["", "scenario_file = 'baseline'\ndraws = 200\n", *after, LOADER]
    namespace = {
        "In": history,
        "scenario_file": "baseline",
        "draws": 200,
        "report": object(),
        "total": 2,
        "x": 5,
        "share": 1.5,
    }
    assert check_parameters("scenario_report", namespace)["draws"] == 200


def test_a_cell_that_resets_a_parameter_is_the_parameters_cell_now() -> None:
    history = ["", "scenario_file = 'baseline'\ndraws = 200\n", LOADER, "draws = 50", LOADER]
    assert parameter_cell_names({"In": history}, {"draws": 1}) == {"draws"}
    typo = ["", "scenario_file = 'baseline'\n", LOADER, "draws = 50\ndraw = 5", LOADER]
    namespace = {"In": typo, "scenario_file": "baseline", "draws": 50, "draw": 5}
    with pytest.raises(ReportParameterError, match=r"unknown parameter\(s\) draw"):
        check_parameters("scenario_report", namespace)


def test_without_history_every_name_counts_as_before() -> None:
    with pytest.raises(ReportParameterError, match="report"):
        check_parameters("scenario_report", {"report": 1})


@pytest.mark.parametrize(
    ("notebook", "given", "message"),
    [
        ("scenario_report", {"conditioning": "observed: obs.csv"}, None),  # -p text: parsed
        ("scenario_report", {"conditioning": '{"observed": "obs.csv"}'}, None),
        ("scenario_report", {"conditioning": "[1]"}, "conditioning must be a mapping"),
        (
            "scenario_report",
            {"conditioning": {"observd": "o.csv"}},
            "conditioning: unknown key.*observd",
        ),
        ("scenario_report", {"conditioning": {"method": "magic"}}, "conditioning.method"),
        ("scenario_report", {"conditioning": {"observed": 3}}, "expected str"),
        ("scenario_report", {"assume": "[payout_share]"}, "assume must be a mapping"),
        ("compare_scenarios", {"summaries": "x"}, "summaries must be a mapping"),
        ("compare_scenarios", {"scenario_files": "[1, 2]"}, "scenario_files=.*expected a list"),
        ("compare_scenarios", {"scenario_files": "[baseline, austerity]"}, None),
        ("compare_scenarios", {"scenario_files": []}, "expected a list"),
    ],
)
def test_structured_parameters_are_checked_in_one_line(
    notebook: str, given: dict[str, Any], message: str | None
) -> None:
    """What papermill passes (-p text, -y values) is parsed and checked: a wrong shape or an
    unknown key is one ReportParameterError, never an AttributeError inside the notebook."""
    if message is None:
        values = check_parameters(notebook, dict(given))
        assert all(not isinstance(values[k], str) for k in given if k != "scenario_file")
        return
    with pytest.raises(ReportParameterError, match=message) as caught:
        check_parameters(notebook, dict(given))
    assert len(caught.value._render_traceback_()) == 1  # one line in a notebook, too


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_of_every_notebook(path: Path) -> None:
    """papermill's own parser (``--help-notebook``, its check of ``-p`` names) sees every name
    the parameters cell assigns: a comment it cannot parse (one with "=") hides a parameter."""
    import ast

    from papermill.translators import PythonTranslator

    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    seen = {p.name for p in PythonTranslator.inspect(cell)}
    assigned = {
        t.id
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert seen == assigned


def test_without_a_parameters_cell_in_the_history_nothing_is_a_parameter() -> None:
    """The checking cell run first in a fresh kernel: the defaults, not an error about the
    kernel's own names."""
    history = ["", "import numpy as np\nx = np.ones(3)", LOADER]
    assert parameter_cell_names({"In": history}, {"draws": 1}) == set()
    values = check_parameters("scenario_report", {"In": history, "x": 1, "np": 2})
    assert values["draws"] == NOTEBOOK_PARAMETERS["scenario_report"]["draws"]

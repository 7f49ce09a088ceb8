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
    assert parameter_cell_names({"In": history}) == {"draws", "seed", "draw"}
    assert parameter_cell_names({"In": ["", "lang = 'en'", "check"]}) == {"lang"}
    assert parameter_cell_names({}) is None  # no kernel history: every name counts
    namespace = {"In": history, "draws": 2000, "seed": 0, "draw": 300}
    with pytest.raises(ReportParameterError, match="draw"):
        check_parameters("scenario_report", namespace)


def test_without_history_every_name_counts_as_before() -> None:
    with pytest.raises(ReportParameterError, match="report"):
        check_parameters("scenario_report", {"report": 1})

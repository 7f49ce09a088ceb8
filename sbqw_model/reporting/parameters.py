"""The notebooks' parameters: what each accepts, and the check that rejects any other name.

papermill injects ``-p`` values as plain assignments and only warns about names the notebook
does not declare; a typo (``draw=100``) would then silently run the default. The check looks at
what the parameters cells (the notebook's own and papermill's injected one) assign, not at the
whole kernel namespace, so running the notebook a second time in the same kernel (JupyterLab's
Run All, twice) does not mistake the notebook's own variables for parameters.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sbqw_model.assumptions import SPECS
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.reporting.i18n import LANGS

#: Parameters each notebook accepts, with their defaults (the notebooks' parameters cells match).
NOTEBOOK_PARAMETERS: dict[str, dict[str, Any]] = {
    "scenario_report": {
        "scenario_file": "baseline",
        "draws": 2000,
        "seed": 0,
        "lang": "zh",
        "assume": {},
        "conditioning": {},
    },
    "compare_scenarios": {
        "scenario_files": ["baseline", "austerity"],
        "draws": 2000,
        "seed": 0,
        "lang": "zh",
        "assume": {},
        "summaries": {},
    },
    "explore_budget": {
        "scenario_file": "baseline",
        "draws": 1000,
        "seed": 0,
        "lang": "zh",
    },
}

_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}
#: The first line of the cell papermill injects after the parameters cell.
INJECTED_MARKER = "# Parameters"


class ReportParameterError(ValueError):
    """A notebook was given a parameter or scenario it does not know."""


def _assigned(source: str) -> set[str] | None:
    """Top-level names a cell assigns; None when it does not parse (then trust nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign | ast.AugAssign)
            else []
        )
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def parameter_cell_names(namespace: Mapping[str, Any]) -> set[str] | None:
    """Names the parameters cells just assigned, from the kernel's input history.

    The checking cell is ``In[-1]``; before it ran the injected cell (papermill, marked
    ``# Parameters``) and the parameters cell, or only the parameters cell (Run All). None when
    there is no history (a plain dict from a test or script): then every name counts.
    """
    history = namespace.get("In")
    if not isinstance(history, list) or len(history) < 2:
        return None
    cells = [history[-2]]
    if history[-2].lstrip().startswith(INJECTED_MARKER) and len(history) >= 3:
        cells.append(history[-3])
    names: set[str] = set()
    for source in cells:
        found = _assigned(source)
        if found is None:
            return None
        names |= found
    return names


def declared_parameters(
    notebook: str, namespace: Mapping[str, Any], known: Mapping[str, Any]
) -> dict[str, Any]:
    """The values of the ``known`` parameters (defaults where absent); any other name is an error.

    Candidates are the names the parameters cells assigned (see ``parameter_cell_names``), or,
    without a kernel history, every name but IPython's own and imported modules.
    """
    assigned = parameter_cell_names(namespace)
    unknown = [
        name
        for name, value in namespace.items()
        if not name.startswith("_")
        and name not in _IPYTHON_NAMES
        and name not in known
        and not isinstance(value, types.ModuleType)
        and (assigned is None or name in assigned)
    ]
    if unknown:
        hints = "".join(did_you_mean(n, known) for n in unknown)
        raise ReportParameterError(
            f"{notebook}: unknown parameter(s) {', '.join(unknown)}{hints};"
            f" valid: {', '.join(known)}"
        )
    return {k: namespace.get(k, v) for k, v in known.items()}


def check_parameters(notebook: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's parameters from its namespace; unknown names are an error (not a warning)."""
    values = declared_parameters(notebook, namespace, NOTEBOOK_PARAMETERS[notebook])
    if values["lang"] not in LANGS:
        raise ReportParameterError(
            f"{notebook}: lang={values['lang']!r}; valid: {', '.join(LANGS)}"
        )
    for key in ("draws", "seed"):
        if isinstance(values[key], bool) or not isinstance(values[key], int) or values[key] < 0:
            raise ReportParameterError(
                f"{notebook}: {key}={values[key]!r}; expected a whole number"
            )
    if values["draws"] < 1:
        raise ReportParameterError(f"{notebook}: draws must be at least 1")
    if "assume" in values:
        values["assume"] = assumption_mapping(values["assume"], notebook)
    return values


def assumption_mapping(value: Any, notebook: str) -> dict[str, Any]:
    """``assume`` may come as a dict, or (from ``papermill -p``) as YAML/JSON text."""
    if isinstance(value, str):
        value = yaml.safe_load(value) if value.strip() else {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReportParameterError(f"{notebook}: assume must be a mapping, got {value!r}")
    unknown = [k for k in value if k not in SPECS]
    if unknown:
        raise ReportParameterError(
            f"{notebook}: unknown assumption(s) {', '.join(map(str, unknown))}"
            f"{''.join(did_you_mean(str(k), SPECS) for k in unknown)}; valid: {', '.join(SPECS)}"
        )
    return value


def resolve_scenario(name_or_path: str | Path) -> Path:
    """A scenario file by path, or a shipped scenario by name (see ``sbqw_model.shipped``)."""
    from sbqw_model.shipped import scenario_path

    try:
        return scenario_path(name_or_path)
    except InputError as exc:
        raise ReportParameterError("\n".join(exc.problems)) from None


__all__ = [
    "NOTEBOOK_PARAMETERS",
    "ReportParameterError",
    "assumption_mapping",
    "check_parameters",
    "declared_parameters",
    "resolve_scenario",
]

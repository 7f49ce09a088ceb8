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
from collections.abc import Collection, Mapping
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

    def _render_traceback_(self) -> list[str]:
        """IPython (JupyterLab, papermill's notebook) shows this instead of a traceback: the
        user's mistake in one line, as the command line says it."""
        return [f"{type(self).__name__}: {self}"]


def _literal_assignments(source: str) -> set[str] | None:
    """The names a cell assigns if it does nothing but assign literal values (a parameters
    cell: ``draws = 2000``, ``assume = {}``); None for any other cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            return None
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        names.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def parameter_cell_names(
    namespace: Mapping[str, Any], known: Collection[str] = ()
) -> set[str] | None:
    """Names the parameters cells last assigned, from the kernel's input history.

    The parameters cell is the latest cell that only assigns literals, at least one of them a
    parameter (``known``), or papermill's injected cell (marked ``# Parameters``) with the
    notebook's own parameters cell before it. Whatever ran after it — the checking cell run
    again, a scratch cell, Run All a second time — is the notebook's own, not a parameter.
    None when there is no history (a plain dict from a test or script): every name counts.
    """
    history = namespace.get("In")
    if not isinstance(history, list) or len(history) < 2:
        return None
    names: set[str] = set()
    for source in reversed(history[:-1]):  # In[-1] is the checking cell itself
        injected = isinstance(source, str) and source.lstrip().startswith(INJECTED_MARKER)
        found = _literal_assignments(source) if isinstance(source, str) else None
        if found is None and not injected:
            continue
        if injected and found is None:  # papermill writes literals; anything else: trust nothing
            return None
        if injected or (found and found & set(known)):
            names |= found or set()
            if not injected:
                return names
    return names  # no parameters cell ran: no name in the kernel is a parameter given


def declared_parameters(
    notebook: str, namespace: Mapping[str, Any], known: Mapping[str, Any]
) -> dict[str, Any]:
    """The values of the ``known`` parameters (defaults where absent); any other name is an error.

    Candidates are the names the parameters cells assigned (see ``parameter_cell_names``), or,
    without a kernel history, every name but IPython's own and imported modules.
    """
    assigned = parameter_cell_names(namespace, known)
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
    if "conditioning" in values:
        values["conditioning"] = conditioning_mapping(values["conditioning"], notebook)
    if "summaries" in values:
        values["summaries"] = _mapping(values["summaries"], notebook, "summaries", None, str)
    if "scenario_files" in values:
        values["scenario_files"] = _names(values["scenario_files"], notebook, "scenario_files")
    return values


def _parsed(value: Any) -> Any:
    """A structured parameter as given, or parsed from the YAML/JSON text ``papermill -p``
    passes (``-p assume '{"payout_share": 0.6}'``)."""
    if isinstance(value, str):
        try:
            return yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            return value  # not YAML: reported as the wrong type by the caller
    return value


def _mapping(
    value: Any,
    notebook: str,
    name: str,
    keys: Collection[str] | None,
    kind: type | None,
    unknown_what: str = "",
) -> dict[str, Any]:
    """A mapping parameter: a dict (or its YAML/JSON text), only ``keys`` (any when None),
    each value of type ``kind`` (any when None); anything else is one clear error, which
    calls an unknown key ``unknown_what`` ("assumption(s)"; default "{name}: key(s)")."""
    value = _parsed(value)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReportParameterError(f"{notebook}: {name} must be a mapping, got {value!r}")
    unknown = [str(k) for k in value if keys is not None and k not in keys]
    if unknown:
        hints = "".join(did_you_mean(k, keys or ()) for k in unknown)
        what = f"unknown {unknown_what}" if unknown_what else f"{name}: unknown key(s)"
        raise ReportParameterError(
            f"{notebook}: {what} {', '.join(unknown)}{hints}; valid: {', '.join(keys or ())}"
        )
    wrong = [k for k, v in value.items() if kind is not None and not isinstance(v, kind)]
    if wrong:
        raise ReportParameterError(
            f"{notebook}: {name}.{wrong[0]}={value[wrong[0]]!r}; expected {kind.__name__}"
        )
    return value


def assumption_mapping(value: Any, notebook: str) -> dict[str, Any]:
    """``assume``: assumption names and values (checked against each one's range later)."""
    return _mapping(value, notebook, "assume", SPECS, None, "assumption(s)")


def conditioning_mapping(value: Any, notebook: str) -> dict[str, Any]:
    """``conditioning``: ``{observed: FILE, method: weight | pin}`` or nothing."""
    from sbqw_model.scenario import CONDITIONING_METHODS

    given = _mapping(value, notebook, "conditioning", ("observed", "method"), str)
    method = given.get("method")
    if method is not None and method not in CONDITIONING_METHODS:
        raise ReportParameterError(
            f"{notebook}: conditioning.method={method!r}; valid: {', '.join(CONDITIONING_METHODS)}"
        )
    return given


def _names(value: Any, notebook: str, name: str) -> list[str]:
    """A list of scenario names or paths (a single one, or YAML/JSON text of a list, too)."""
    value = _parsed(value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ReportParameterError(
            f"{notebook}: {name}={value!r}; expected a list of scenario names or files"
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

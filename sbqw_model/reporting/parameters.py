"""The notebooks' parameters: what each accepts, and the check that rejects any other name.

papermill injects ``-p`` values as plain assignments and only warns about names the notebook
does not declare; a typo (``draw=100``) would then silently run the default. The check looks at
what the parameters cells (the notebook's own and papermill's injected one) assign, not at the
whole kernel namespace, so running the notebook a second time in the same kernel (JupyterLab's
Run All, twice) does not mistake the notebook's own variables for parameters. Any name those
cells assign that the notebook does not declare is refused (``_x``, ``open``, a module's name
such as ``sbqw_report`` too), whatever the value (``draw = 100 * 2`` is read with ``ast``,
never evaluated).
"""

from __future__ import annotations

import ast
import os
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
        "conditioning": {},
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


def _assignments(source: str) -> set[str] | None:
    """The names a cell assigns if it does nothing but assign (a parameters cell:
    ``draws = 2000``, ``assume = {}``, ``draw = 100 * 2``), read with ``ast`` and never
    evaluated; None for any other cell (an import, a call on its own, a syntax error)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        else:
            return None
        names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def parameter_cell_names(
    namespace: Mapping[str, Any], known: Collection[str] = ()
) -> set[str] | None:
    """Names the parameters cells last assigned, from the kernel's input history.

    The parameters cell is the latest cell that does nothing but assign, at least one of the
    names a parameter (``known``), or papermill's injected cell (marked ``# Parameters``) with the
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
        found = _assignments(source) if isinstance(source, str) else None
        if found is None and not injected:
            continue
        if injected and found is None:  # papermill writes assignments; else: trust nothing
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

    Candidates are the names the parameters cells assigned (see ``parameter_cell_names``),
    every one of them, whatever it holds now (``-p sbqw_report 1`` is overwritten by the
    notebook's import; ``-p _x 1``, ``-p open 1`` are still not parameters); without a kernel
    history, every name but IPython's own, private ones and imported modules.
    """
    assigned = parameter_cell_names(namespace, known)
    if assigned is None:
        candidates = [
            name
            for name, value in namespace.items()
            if not name.startswith("_")
            and name not in _IPYTHON_NAMES
            and not isinstance(value, types.ModuleType)
        ]
    else:
        candidates = [name for name in namespace if name in assigned]
    unknown = [name for name in candidates if name not in known]
    if unknown:
        hints = "".join(did_you_mean(n, known) for n in unknown)
        raise ReportParameterError(
            f"{notebook}: unknown parameter(s) {', '.join(unknown)}{hints};"
            f" valid: {', '.join(known)}"
        )
    return {k: namespace.get(k, v) for k, v in known.items()}


def whole_number(value: Any) -> int | None:
    """``value`` as a whole number (``1e3`` and ``2000.0``, as papermill passes them, too);
    None if it is not one (a fraction, text, True/False, infinity)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def scenario_name(value: Any, notebook: str, name: str = "scenario_file") -> str | Path:
    """A scenario name or file path; anything else (a list, a number) is one clear line."""
    if isinstance(value, str | Path) and str(value).strip():
        return value
    raise ReportParameterError(
        f"{notebook}: {name}={value!r}; expected a scenario name or file"
        " (a shipped name such as 'baseline', or a path to a .yaml file)"
    )


def memory_problem(draws: int, setting: str) -> str | None:
    """What ``memory.check_draws`` says about ``draws`` worlds, or None if they fit."""
    from sbqw_model.memory import check_draws

    try:
        check_draws(draws, setting)
    except InputError as exc:
        return "; ".join(exc.problems)
    return None


def check_parameters(notebook: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's parameters from its namespace; unknown names are an error (not a warning)."""
    values = declared_parameters(notebook, namespace, NOTEBOOK_PARAMETERS[notebook])
    if values["lang"] not in LANGS:
        raise ReportParameterError(
            f"{notebook}: lang={values['lang']!r}; valid: {', '.join(LANGS)}"
        )
    for key, low in (("draws", 1), ("seed", 0)):  # as the CLI and the sensitivity notebook
        number = whole_number(values[key])
        if number is None or number < low:
            raise ReportParameterError(
                f"{notebook}: {key}={values[key]!r}; expected a whole number ≥ {low}"
            )
        values[key] = number
    too_many = memory_problem(values["draws"], "draws")
    if too_many:
        raise ReportParameterError(f"{notebook}: {too_many}")
    if "scenario_file" in values:
        values["scenario_file"] = scenario_name(values["scenario_file"], notebook)
    if "assume" in values:
        values["assume"] = assumption_mapping(values["assume"], notebook)
    if "conditioning" in values:
        values["conditioning"] = conditioning_mapping(values["conditioning"], notebook)
    if "scenario_files" in values:
        values["scenario_files"] = _names(values["scenario_files"], notebook, "scenario_files")
    if "summaries" in values:
        values["summaries"] = summaries_mapping(values["summaries"], notebook)
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
    """Two or more different scenario names or paths (YAML/JSON text of a list, too)."""
    value = _parsed(value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ReportParameterError(
            f"{notebook}: {name}={value!r}; expected a list of scenario names or files"
        )
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        raise ReportParameterError(
            f"{notebook}: {name}: {', '.join(twice)} given twice; list each scenario once"
        )
    if len(value) < 2:
        raise ReportParameterError(
            f"{notebook}: {name}={value!r}; a comparison needs two or more scenarios"
        )
    return value


def summaries_mapping(value: Any, notebook: str) -> dict[str, str]:
    """``summaries``: scenario → its executed report notebook. Each is checked before it is
    read (``stat`` never blocks): a device, pipe or folder, or a file over
    ``MAX_SUMMARY_NOTEBOOK_BYTES``, is one line; a missing one is simulated again."""
    from sbqw_model.limits import MAX_SUMMARY_NOTEBOOK_BYTES, check_input_file

    given = _mapping(value, notebook, "summaries", None, str)
    for path in given.values():
        if not os.path.lexists(path):
            continue  # not reused: the comparison simulates that scenario itself
        try:
            check_input_file(Path(path), "an executed .ipynb notebook", MAX_SUMMARY_NOTEBOOK_BYTES)
        except InputError as exc:
            raise ReportParameterError(f"{notebook}: summaries: {exc.problems[0]}") from None
    return given


def resolve_scenario(name_or_path: str | Path) -> Path:
    """A scenario file by path, or a shipped scenario by name (see ``sbqw_model.shipped``)."""
    from sbqw_model.shipped import scenario_path

    if not isinstance(name_or_path, str | Path):
        raise ReportParameterError(
            f"scenario_file={name_or_path!r}; expected a scenario name or file"
        )

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
    "scenario_name",
    "summaries_mapping",
    "whole_number",
]

"""What every report notebook calls first: load the scenario with its overrides, set up charts.

Notebooks stay thin (every computation is in the package, where it is tested); each cell calls
one function and shows what it returns. The rest lives by job: ``parameters`` (the notebooks'
parameter check and scenario lookup), ``fragments`` (HTML templates and display objects),
``scenario_report`` (one scenario), ``comparison`` (several), ``explorer`` (JupyterLab).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sbqw_model.errors import InputError
from sbqw_model.reporting.fonts import register_fonts
from sbqw_model.reporting.parameters import ReportParameterError
from sbqw_model.scenario import Scenario, load_scenario


def load(path: Path, assume: Mapping[str, Any]) -> Scenario:
    """The scenario with the notebook's ``assume`` overrides; a bad one fails the first cell."""
    return load_variant(path, assume)[1]


def load_variant(path: Path, assume: Mapping[str, Any]) -> tuple[Scenario, Scenario]:
    """The scenario as written and with ``assume`` applied, from one reading of its files
    (a report names what ``assume`` changed against the plain one)."""
    try:
        plain = load_scenario(path)
        return plain, plain.with_assumptions(plain.assumptions.updated(assume, "assume"))
    except InputError as exc:
        raise ReportParameterError("\n".join(exc.problems)) from None


def setup() -> None:
    """Per-kernel set-up: the CJK font for charts."""
    register_fonts()

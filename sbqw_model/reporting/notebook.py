"""What the report notebooks call first: parameter checks, scenario lookup, the explorer.

Notebooks stay thin (every computation is in the package, where it is tested); each cell calls
one function and shows what it returns. The report blocks live by job: ``fragments`` (HTML
templates and display objects), ``scenario_report`` (one scenario), ``comparison`` (several).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sbqw_model.assumptions import SPECS
from sbqw_model.engine import Results, simulate
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.reporting.comparison import Comparison
from sbqw_model.reporting.fonts import register_fonts

# the explorer below shows the same blocks as a report (it moves to its own module next)
from sbqw_model.reporting.fragments import HTML as _HTML
from sbqw_model.reporting.fragments import display_data as _display_data
from sbqw_model.reporting.fragments import escape as _e
from sbqw_model.reporting.i18n import LANGS, t
from sbqw_model.reporting.scenario_report import SUMMARY_MIME, ScenarioReport
from sbqw_model.scenario import Scenario, load_scenario

#: Parameters each notebook accepts, with their defaults (the notebooks' parameters cells match).
NOTEBOOK_PARAMETERS: dict[str, dict[str, Any]] = {
    "scenario_report": {
        "scenario_file": "scenarios/baseline.yaml",
        "draws": 2000,
        "seed": 0,
        "lang": "zh",
        "assume": {},
    },
    "compare_scenarios": {
        "scenario_files": [
            "scenarios/baseline.yaml",
            "scenarios/austerity.yaml",
        ],
        "draws": 2000,
        "seed": 0,
        "lang": "zh",
        "assume": {},
    },
    "explore_budget": {
        "scenario_file": "scenarios/baseline.yaml",
        "draws": 1000,
        "seed": 0,
        "lang": "zh",
    },
}

_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class ReportParameterError(ValueError):
    """A notebook was given a parameter or scenario it does not know."""


def declared_parameters(
    notebook: str, namespace: Mapping[str, Any], known: Mapping[str, Any]
) -> dict[str, Any]:
    """The values of the ``known`` parameters (defaults where absent); any other name is an error.

    After the parameters cells, the kernel namespace holds only parameters, IPython's own
    names and imported modules, so anything else was injected under a name we do not know.
    """
    unknown = [
        name
        for name, value in namespace.items()
        if not name.startswith("_")
        and name not in _IPYTHON_NAMES
        and name not in known
        and not isinstance(value, types.ModuleType)
    ]
    if unknown:
        hints = "".join(did_you_mean(n, known) for n in unknown)
        raise ReportParameterError(
            f"{notebook}: unknown parameter(s) {', '.join(unknown)}{hints};"
            f" valid: {', '.join(known)}"
        )
    return {k: namespace.get(k, v) for k, v in known.items()}


def check_parameters(notebook: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's parameters from its namespace; unknown names are an error (not a warning).

    papermill injects ``-p`` values as plain assignments and only warns about names the
    notebook does not declare; a typo (``draw=100``) would then silently run the default.
    """
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
        values["assume"] = _mapping(values["assume"], notebook)
    return values


def _mapping(value: Any, notebook: str) -> dict[str, Any]:
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


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up: ./scenarios, then the project's own scenarios/."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return [p for p in (Path.cwd() / "scenarios", here) if p.is_dir()]


def known_scenarios() -> list[str]:
    return sorted({p.stem for d in scenario_dirs() for p in d.glob("*.yaml")})


def resolve_scenario(name_or_path: str | Path) -> Path:
    """A scenario file by path, or a shipped scenario by name; otherwise list the valid names."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    for folder in scenario_dirs():
        for candidate in (folder / f"{path.stem}.yaml", folder / path.name):
            if candidate.is_file():
                return candidate
    raise ReportParameterError(
        f"unknown scenario {str(name_or_path)!r}"
        f"{did_you_mean(path.stem, known_scenarios())}; valid: {', '.join(known_scenarios())}"
        " (or a path to a scenario .yaml file)"
    )


def load(path: Path, assume: Mapping[str, Any]) -> Scenario:
    try:
        scenario = load_scenario(path)
        return scenario.with_assumptions(scenario.assumptions.updated(assume, "assume"))
    except InputError as exc:
        raise ReportParameterError("\n".join(exc.problems)) from None


def setup() -> None:
    """Per-kernel set-up: the CJK font for charts and quiet, inline-friendly display."""
    register_fonts()


# --------------------------------------------------------------------------------------------
# Interactive budget explorer (JupyterLab)

#: Rule amounts the explorer offers as sliders: path → (low, high, step) in the leaf's unit.
EXPLORER_PARAMETERS = (
    "awards.park",
    "awards.base",
    "awards.enterprise",
    "awards.team",
    "sales_awards.tier1.amount",
    "sales_awards.tier2.amount",
    "traffic.rate",
    "traffic.cap",
)


class BudgetExplorer:
    """Worlds drawn once; every change of a lever re-costs them (common random numbers)."""

    def __init__(self, scenario: Scenario, draws: int, seed: int, lang: str):
        from sbqw_model.engine import simulate_worlds
        from sbqw_model.worlds import World

        self.base = scenario
        self.draws, self.seed, self.lang = draws, seed, lang
        self.world = World.concat([w for _, w in simulate_worlds(scenario, seed, draws)])

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> BudgetExplorer:
        values = check_parameters("explore_budget", namespace)
        setup()
        scenario = load(resolve_scenario(values["scenario_file"]), {})
        return cls(scenario, values["draws"], values["seed"], values["lang"])

    def results(self, assume: Mapping[str, Any], amounts: Mapping[str, float]) -> Results:
        """Results under the given assumptions and rule amounts (validated like a reform)."""
        from dataclasses import replace

        from sbqw_model.engine import evaluate

        scenario = replace(
            self.base,
            assumptions=self.base.assumptions.updated(assume, "explorer"),
            params=self.base.params.with_overrides(amounts, "explorer"),
        )
        if (
            scenario.growth_response
            and scenario.assumptions.payout_share != self.base.assumptions.payout_share
        ):
            return simulate(
                scenario, draws=self.draws, seed=self.seed
            )  # behaviour moves the worlds
        return evaluate(scenario, self.world, self.seed)

    def view(
        self, assume: Mapping[str, Any] | None = None, amounts: Mapping[str, float] | None = None
    ) -> list[Any]:
        """The blocks shown for one setting: targets, budget, and the budget chart."""
        results = self.results(assume or {}, amounts or {})
        report = ScenarioReport(results.scenario, results, self.lang, self.base.path or Path("."))
        return [
            report.targets_table(),
            report.budget_summary(),
            report.budget_by_year_chart(),
            report.instrument_table(),
        ]

    def static_view(self) -> None:
        """The default view as plain outputs: what a headless (papermill) run shows."""
        from IPython.display import display

        display(
            _HTML(
                f"<h1>{_e(t('explore_title', self.lang))}{_e(t('colon', self.lang))}"
                f"{_e(self.base.title(self.lang))}</h1>"
            )
        )
        for block in self.view():
            display(block)

    def widgets(self) -> Any:
        """Sliders and dropdowns for the assumptions and the main rule amounts (ipywidgets)."""
        import ipywidgets as w

        a = self.base.assumptions
        controls: dict[str, Any] = {
            "payout_share": w.FloatSlider(
                value=a.payout_share, min=0, max=1, step=0.05, description="payout_share"
            ),
            "sales_award_mode": w.Dropdown(
                options=list(SPECS["sales_award_mode"].choices),
                value=a.sales_award_mode,
                description="sales_award_mode",
            ),
            "traffic_base": w.Dropdown(
                options=list(SPECS["traffic_base"].choices),
                value=a.traffic_base,
                description="traffic_base",
            ),
            "payment_lag_years": w.Dropdown(
                options=list(SPECS["payment_lag_years"].choices),
                value=a.payment_lag_years,
                description="payment_lag_years",
            ),
            "revoked_count_toward_targets": w.Checkbox(
                value=a.revoked_count_toward_targets, description="revoked_count_toward_targets"
            ),
            "revoked_repay": w.Checkbox(value=a.revoked_repay, description="revoked_repay"),
        }
        n_assumptions = len(controls)
        for path in EXPLORER_PARAMETERS:
            leaf = self.base.params.leaf(path)
            top = leaf.value * 2 if leaf.value else 1.0
            controls[path] = w.FloatSlider(
                value=leaf.value,
                min=0,
                max=top,
                step=top / 100,
                description=leaf.label(self.lang),
                style={"description_width": "initial"},
                readout_format=".4g",
            )
        out = w.Output()

        def redraw(change: Any = None) -> None:
            values = {k: c.value for k, c in controls.items()}
            assume = {k: values[k] for k in SPECS if k in values}
            amounts = {k: values[k] for k in EXPLORER_PARAMETERS}
            # Set the Output widget's outputs directly rather than capturing display() with
            # `with out:` (what interactive_output does): captured output makes nbclient, in a
            # headless papermill run, answer on the kernel's shell socket while it waits for
            # the execute reply, and that run can hang forever (jupyter/nbclient#312).
            try:
                out.outputs = tuple(_display_data(b) for b in self.view(assume, amounts))
            except (InputError, ValueError) as exc:  # an invalid setting: say so, keep going
                text = "\n".join(getattr(exc, "problems", None) or [str(exc)])
                out.outputs = ({"output_type": "stream", "name": "stderr", "text": text},)

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        widgets = list(controls.values())
        box = w.HBox([w.VBox(widgets[:n_assumptions]), w.VBox(widgets[n_assumptions:])])
        return w.VBox([box, out])


__all__ = [
    "NOTEBOOK_PARAMETERS",
    "SUMMARY_MIME",
    "BudgetExplorer",
    "Comparison",
    "ReportParameterError",
    "ScenarioReport",
    "check_parameters",
    "resolve_scenario",
]

"""The budget explorer (JupyterLab): worlds drawn once, every lever change re-costs them.

Common random numbers make re-costing enough: the same worlds under new levers show the effect
of policy alone, and costing 5 000 drawn worlds takes a fraction of drawing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sbqw_model.assumptions import SPECS
from sbqw_model.engine import Results, simulate
from sbqw_model.errors import InputError
from sbqw_model.reporting.i18n import t
from sbqw_model.reporting.notebook import (
    _HTML,
    ScenarioReport,
    _display_data,
    _e,
    load,
    setup,
)
from sbqw_model.reporting.parameters import check_parameters, resolve_scenario
from sbqw_model.scenario import Scenario

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
        from sbqw_model.extras import require

        require("explorer", "the budget explorer's sliders")
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


__all__ = ["EXPLORER_PARAMETERS", "BudgetExplorer"]

"""The budget explorer (JupyterLab): worlds drawn once, every lever change re-costs them.

Common random numbers make re-costing enough: the same worlds under new levers show the effect
of policy alone, and re-costing 5 000 drawn worlds takes a fraction of drawing them
(``benchmarks/bench_reports.py`` prints the latency). Sliders speak the reader's language and
units: amounts in 万元, the traffic rate as the text says it (元/万元), shares in percent.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sbqw_model.assumptions import SPECS, AssumptionSpec
from sbqw_model.catalogue import label, pair
from sbqw_model.engine import Results, simulate
from sbqw_model.errors import InputError
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.reporting.fragments import HTML, display_data, render
from sbqw_model.reporting.i18n import t
from sbqw_model.reporting.notebook import load, setup
from sbqw_model.reporting.parameters import (
    ReportParameterError,
    check_parameters,
    resolve_scenario,
)
from sbqw_model.reporting.scenario_report import ScenarioReport
from sbqw_model.scenario import Scenario
from sbqw_model.units import WAN

#: Rule amounts the explorer offers as sliders (each leaf's label, unit and clause from plan.yaml).
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

#: How a leaf's unit is shown on a slider: (factor from the stored unit, its catalogue key).
SHOWN_UNITS: dict[str, tuple[float, str]] = {
    "yuan": (1 / WAN, "report.wan_yuan"),
    "rate": (WAN, "report.slider_rate"),
}

#: What the sliders do, (zh, en): the header shows the reader's language, the other beneath.
INTRO = pair("report.explore_intro")


def assumption_label(spec: AssumptionSpec, lang: str) -> str:
    """The assumption's reader-facing name (from the label catalogue)."""
    return spec.label(lang)


def choice_options(
    spec: AssumptionSpec, lang: str, params: Parameters | None = None
) -> list[tuple[str, Any]]:
    """Dropdown options as (what the reader sees, the value; an amount as ``params`` has it)."""
    assert spec.choices is not None
    return [(spec.value_label(c, lang, params), c) for c in spec.choices]


def _with_unit(label: str, unit: str, lang: str) -> str:
    return t("with_unit", lang).format(label=label, unit=unit) if unit else label


def slider_unit(unit: str, lang: str) -> tuple[float, str]:
    """(factor from the stored unit to the shown one, the shown unit's name)."""
    if unit not in SHOWN_UNITS:
        return 1.0, ""
    factor, key = SHOWN_UNITS[unit]
    return factor, label(key, lang)


class BudgetExplorer:
    """Worlds drawn once; every change of a lever re-costs them (common random numbers)."""

    def __init__(self, scenario: Scenario, draws: int, seed: int, lang: str):
        """Draw the worlds as ``simulate`` draws them. Observed plan-year figures that weight
        the worlds (``conditioning: weight``, the default) are weighed and resampled here,
        once: the drawn worlds are kept without the figures and each re-costing takes the
        same resampled rows (the weights are the worlds' own figures, which no money lever
        moves), so the explorer shows what ``sbqw report`` shows, not pinned figures."""
        from sbqw_model.engine import drawn_worlds

        self.base = scenario
        self.draws, self.seed, self.lang = draws, seed, lang
        self.world, self.weighting = drawn_worlds(scenario, seed, draws)

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> BudgetExplorer:
        """Check the parameters (first cell), and that the worlds fit in memory, then draw them:
        the explorer keeps every world (``memory.check_explorer``), not a summary of each."""
        from sbqw_model.memory import check_explorer

        values = check_parameters("explore_budget", namespace)
        setup()
        scenario = load(resolve_scenario(values["scenario_file"]), {})
        try:
            check_explorer(scenario, values["draws"], "draws")
        except InputError as exc:
            raise ReportParameterError(f"explore_budget: {'; '.join(exc.problems)}") from None
        return cls(scenario, values["draws"], values["seed"], values["lang"])

    def results(self, assume: Mapping[str, Any], amounts: Mapping[str, float]) -> Results:
        """Results under the given assumptions and rule amounts (validated like a reform)."""
        from dataclasses import replace

        from sbqw_model.engine import recost

        scenario = replace(
            self.base,
            assumptions=self.base.assumptions.updated(assume, "explorer"),
            params=self.base.params.with_overrides(amounts, "explorer"),
        )
        old, new = self.base.assumptions, scenario.assumptions
        if (
            (scenario.growth_response or scenario.growth_response_dist is not None)
            and new.payout_share != old.payout_share
        ) or new.revoked_count_toward_targets != old.revoked_count_toward_targets:
            return simulate(
                scenario, draws=self.draws, seed=self.seed
            )  # behaviour moves the worlds
        return recost(scenario, self.world, self.seed, self.weighting)

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

    def header(self) -> HTML:
        """Title, then what the sliders do: in the report's language, the other one beneath."""
        lang = self.lang
        return HTML(
            render(
                "explorer_header.html.j2",
                title=f"{t('explore_title', lang)}{t('colon', lang)}{self.base.title(lang)}",
                intro=INTRO[0 if lang == "zh" else 1],
                other=INTRO[1 if lang == "zh" else 0],
            )
        )

    def static_view(self) -> None:
        """The default view as plain outputs: what a headless (papermill) run shows."""
        from IPython.display import display

        display(self.header())
        for block in self.view():
            display(block)

    def controls(self) -> dict[str, Any]:
        """One control per lever: labelled in the reader's language, amounts in 万元."""
        import ipywidgets as w

        lang, a = self.lang, self.base.assumptions.as_dict()
        style = {"description_width": "initial"}
        layout = w.Layout(width="32em")
        controls: dict[str, Any] = {}
        for name, spec in SPECS.items():
            name_shown = assumption_label(spec, lang)
            if spec.choices is None:  # a share: shown in percent
                controls[name] = w.FloatSlider(
                    value=a[name],
                    min=spec.low,
                    max=spec.high,
                    step=0.05,
                    description=name_shown,
                    readout_format=".0%",
                    style=style,
                    layout=layout,
                )
            else:
                controls[name] = w.Dropdown(
                    options=choice_options(spec, lang, self.base.params),
                    value=a[name],
                    description=name_shown,
                    style=style,
                    layout=layout,
                )
        plan = default_parameters()
        for path in EXPLORER_PARAMETERS:
            leaf = self.base.params.leaf(path)
            factor, unit = slider_unit(leaf.unit, lang)
            shown = leaf.value * factor
            # twice the plan's amount or the scenario's, whichever is larger: a reform that
            # lowers an amount (no_traffic_subsidy: rate 0) can still be set back to the plan's
            top = 2 * max(shown, plan.value(path) * factor) or 1.0
            controls[path] = w.FloatSlider(
                value=shown,
                min=0,
                max=top,
                step=top / 100,
                description=_with_unit(leaf.label(lang), unit, lang),
                readout_format=",.4g",
                style=style,
                layout=layout,
            )
        return controls

    def setting(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
        """Control values → (assumptions, rule amounts in their stored units)."""
        assume = {k: values[k] for k in SPECS if k in values}
        amounts = {}
        for path in EXPLORER_PARAMETERS:
            if path in values:
                factor, _ = slider_unit(self.base.params.leaf(path).unit, self.lang)
                amounts[path] = float(values[path]) / factor
        return assume, amounts

    def lab_note(self) -> HTML:
        """What the sliders' cell shows without ipywidgets: a note with the install line (the
        default view above renders anyway), not an error that fails a headless run."""
        from sbqw_model.extras import install_line

        text = t("explore_needs_lab", self.lang).format(line=install_line("lab"))
        return HTML(render("notes.html.j2", heading="", items=[text]))

    def widgets(self) -> Any:
        """Sliders and dropdowns for the assumptions and the main rule amounts (ipywidgets);
        without ipywidgets installed, ``lab_note``."""
        from sbqw_model.extras import MissingExtra, require

        try:
            require("explorer", "the budget explorer's sliders", plural=True)
        except MissingExtra:
            return self.lab_note()
        import ipywidgets as w

        controls = self.controls()
        out = w.Output()

        def redraw(change: Any = None) -> None:
            assume, amounts = self.setting({k: c.value for k, c in controls.items()})
            # Set the Output widget's outputs directly rather than capturing display() with
            # `with out:` (what interactive_output does): captured output makes nbclient, in a
            # headless papermill run, answer on the kernel's shell socket while it waits for
            # the execute reply, and that run can hang forever (jupyter/nbclient#312).
            try:
                out.outputs = tuple(display_data(b) for b in self.view(assume, amounts))
            except (InputError, ValueError) as exc:  # an invalid setting: say so, keep going
                text = "\n".join(getattr(exc, "problems", None) or [str(exc)])
                out.outputs = ({"output_type": "stream", "name": "stderr", "text": text},)

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        widgets = list(controls.values())
        n_assumptions = len(SPECS)
        box = w.HBox([w.VBox(widgets[:n_assumptions]), w.VBox(widgets[n_assumptions:])])
        return w.VBox([box, out])


__all__ = ["EXPLORER_PARAMETERS", "BudgetExplorer", "assumption_label", "choice_options"]

"""What the report notebooks call: parameter checks, the simulation, and each displayed block.

Notebooks stay thin (every computation is here, where it is tested); each cell calls one
function and shows what it returns. Text is escaped before it reaches HTML, so a scenario title
containing ``<script>`` shows as text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sbqw_model import __version__, prefectures, units
from sbqw_model.assumptions import SPECS, Assumptions
from sbqw_model.conditioning import condition_scenario
from sbqw_model.engine import TARGETS, Results, simulate
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.parameters import default_parameters
from sbqw_model.reporting import charts
from sbqw_model.reporting.fonts import register_fonts
from sbqw_model.reporting.i18n import LANGS, instrument_name, t, target_name
from sbqw_model.scenario import UNCERTAINTIES, Scenario, load_scenario
from sbqw_model.summary import summarize

SUMMARY_MIME = "application/vnd.sbqw.summary+json"

#: Parameters each notebook accepts, with their defaults (the notebooks' parameters cells match).
NOTEBOOK_PARAMETERS: dict[str, dict[str, Any]] = {
    "scenario_report": {
        "scenario_file": "scenarios/baseline.yaml",
        "draws": 2000,
        "seed": 0,
        "lang": "zh",
        "assume": {},
        "conditioning": {},
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
# HTML helpers


def _e(text: Any) -> str:
    return html.escape(str(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "sbqw") -> str:
    """An HTML table; every cell is escaped unless it is already marked safe by ``_Safe``."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if isinstance(c, _Safe) else _e(c)}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class _Safe(str):
    """Markup built here from escaped parts."""


LIGHTS = (
    ("#2e7d32", 0.8, "light_green"),
    ("#f9a825", 0.5, "light_amber"),
    ("#c62828", 0.0, "light_red"),
)


def _light(p: float, lang: str) -> _Safe:
    for color, floor, key in LIGHTS:
        if p >= floor:
            return _Safe(f'<span style="color:{color};font-size:1.3em">●</span> {_e(t(key, lang))}')
    raise AssertionError


class _HTML:
    """Minimal rich-display object (what IPython.display.HTML does) without importing IPython."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


class _Chart:
    """A rendered chart: PNG bytes for the notebook (and so the HTML), the figure closed."""

    def __init__(self, fig: Any):
        import io

        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        self.png = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png


def _display_data(block: _HTML | _Chart) -> dict[str, Any]:
    """A block as a display_data output (for an Output widget's ``outputs``)."""
    import base64

    if isinstance(block, _Chart):
        data = {"image/png": base64.b64encode(block.png).decode("ascii"), "text/plain": "<chart>"}
    else:
        data = {"text/html": block.markup, "text/plain": "<table>"}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def publish(payload: dict[str, Any]) -> None:
    """Emit the summary as a raw output of our own MIME type (invisible in the HTML report)."""
    from IPython.display import display

    display(payload, raw=True)


def _fmt_target(key: str, value: float) -> str:
    return units.yi(value, 0) if key == "online_retail" else f"{value:,.0f}"


# --------------------------------------------------------------------------------------------
# One scenario


class ScenarioReport:
    """A simulated scenario and every block its report shows."""

    def __init__(self, scenario: Scenario, results: Results, lang: str, source: Path):
        self.scenario = scenario
        self.results = results
        self.lang = lang
        self.source = source
        self.summary = summarize(results)
        self.run_date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> ScenarioReport:
        """Check the notebook's parameters (first cell), load and simulate the scenario."""
        values = check_parameters("scenario_report", namespace)
        setup()
        path = resolve_scenario(values["scenario_file"])
        scenario = load(path, values["assume"])
        given = values["conditioning"] or {}
        try:  # observed figures: {"observed": file, "method": "weight" | "pin"}
            scenario = condition_scenario(scenario, given.get("observed"), given.get("method"))
        except InputError as exc:
            raise ReportParameterError("\n".join(exc.problems)) from None
        results = simulate(scenario, draws=values["draws"], seed=values["seed"])
        return cls(scenario, results, values["lang"], path)

    # --- blocks, in report order ---------------------------------------------------------

    def header(self) -> _HTML:
        s, lang = self.scenario, self.lang
        other = s.title_en if lang == "zh" else s.title_zh
        return _HTML(
            f"<h1>{_e(t('report_title', lang))}{_e(t('colon', lang))}{_e(s.title(lang))}</h1>"
            f"<p><em>{_e(other)}</em> · {_e(t('draws', lang))} {self.results.draws:,}"
            f" · {_e(t('seed', lang))} {self.results.seed}</p>"
            f"<p>{_e(s.describe(lang))}</p>"
        )

    def targets_table(self) -> _HTML:
        """The traffic-light table of the seven targets and all together."""
        lang, sm = self.lang, self.summary
        rows = []
        for key in TARGETS:
            s = sm["targets"][key]
            rows.append(
                [
                    target_name(key, lang),
                    _fmt_target(key, s["target"]),
                    f"{s['p_met']:.0%} ± {s['p_met_se']:.1%}",
                    _fmt_target(key, s["p50"]),
                    f"{_fmt_target(key, s['p5'])} – {_fmt_target(key, s['p95'])}",
                    _light(s["p_met"], lang),
                ]
            )
        rows.append(
            [
                t("all_targets", lang),
                "",
                f"{sm['p_all_met']:.0%} ± {sm['p_all_met_se']:.1%}",
                "",
                "",
                _light(sm["p_all_met"], lang),
            ]
        )
        header = [
            t(k, lang) for k in ("indicator", "target", "p_met", "median_2025", "band_90", "status")
        ]
        return _HTML(
            f"<h2>{_e(t('targets_2025', lang))}</h2>{_table(header, rows)}"
            f"<p><small>{_e(t('explain_probability', lang))}</small></p>"
        )

    def budget_summary(self) -> _HTML:
        """Total outlay (median, 90th percentile) and the outlay by payment year."""
        lang, b = self.lang, self.summary["budget"]
        total = b["total"]
        head = (
            f"<h2>{_e(t('budget', lang))}</h2><p><strong>{_e(t('budget_total', lang))}"
            f"{_e(t('colon', lang))}{_e(t('median', lang))} {_e(units.yi(total['p50']))}"
            f"{_e(t('comma', lang))}{_e(t('p90', lang))} {_e(units.yi(total['p90']))}</strong></p>"
        )
        header = [
            t("payment_year", lang),
            f"{t('median', lang)}({t('wan_yuan', lang)})",
            f"{t('p90', lang)}({t('wan_yuan', lang)})",
        ]
        appropriation = b.get("appropriation", {})
        if appropriation:
            header += [f"{t('appropriation', lang)}({t('wan_yuan', lang)})", t("p_over", lang)]
        rows = []
        for year, s in b["by_year"].items():
            row = [year, units.wan_number(s["p50"]), units.wan_number(s["p90"])]
            if appropriation:
                amount = appropriation.get(year)
                row += (
                    [units.wan_number(amount), f"{b['p_over_appropriation'][year]:.0%}"]
                    if amount is not None
                    else ["—", "—"]
                )
            rows.append(row)
        return _HTML(
            head + _table(header, rows) + f"<p><small>{_e(t('explain_budget', lang))}</small></p>"
        )

    def fan_chart(self) -> _Chart:
        return _Chart(charts.fan_chart(self.results, self.lang))

    def units_chart(self) -> _Chart:
        return _Chart(charts.units_chart(self.results, self.lang))

    def budget_by_year_chart(self) -> _Chart:
        return _Chart(charts.budget_by_year_chart(self.results, self.lang))

    def outlay_distribution(self) -> _Chart:
        return _Chart(charts.outlay_distribution(self.results, self.lang))

    def prefecture_chart(self) -> _Chart:
        return _Chart(charts.prefecture_chart(self.results, self.lang))

    def instrument_table(self) -> _HTML:
        lang, b = self.lang, self.summary["budget"]["by_instrument"]
        header = [
            t("by_instrument", lang),
            t("source", lang),
            f"{t('median', lang)}({t('wan_yuan', lang)})",
            f"{t('mean', lang)}({t('wan_yuan', lang)})",
            f"{t('band_90', lang)}({t('wan_yuan', lang)})",
        ]
        from sbqw_model.costing import instrument_clause

        rows = [
            [
                instrument_name(k, lang),
                instrument_clause(self.scenario.params, k),
                units.wan_number(s["p50"]),
                units.wan_number(s["mean"]),
                f"{units.wan_number(s['p5'])} – {units.wan_number(s['p95'])}",
            ]
            for k, s in b.items()
        ]
        return _HTML(_table(header, rows))

    def assumptions_table(self) -> _HTML:
        """Every lever and uncertainty: value, clause or source, differs from baseline?"""
        lang = self.lang
        base = _baseline_for(self.source)
        rows = assumption_rows(self.scenario, base, lang)
        header = [t(k, lang) for k in ("kind", "name", "value", "source", "differs")]
        return _HTML(
            f"<h2>{_e(t('assumptions_title', lang))}</h2>"
            + _table(header, rows, cls="sbqw sbqw-text")
        )

    def provenance(self) -> _HTML:
        lang = self.lang
        items = [
            (t("version", lang), f"sbqw {__version__}"),
            (t("scenario", lang), f"{self.scenario.name} ({self.source.name})"),
            (t("scenario_hash", lang), self.scenario.digest),
            (t("seed", lang), str(self.results.seed)),
            (t("draws", lang), f"{self.results.draws:,}"),
            (t("run_date", lang), self.run_date),
        ]
        body = " · ".join(f"{_e(k)}: <code>{_e(v)}</code>" for k, v in items)
        return _HTML(f"<hr><p><small>{_e(t('provenance', lang))} — {body}</small></p>")

    def publish(self) -> None:
        """Hand the summary to the report runner (as scrapbook's glue does)."""
        publish(self.glue())

    def glue(self) -> dict[str, Any]:
        """The summary as a hidden output the report runner reads."""
        payload = {
            "kind": "scenario",
            "name": self.scenario.name,
            "title_zh": self.scenario.title_zh,
            "title_en": self.scenario.title_en,
            "lang": self.lang,
            "summary": self.summary,
        }
        return {SUMMARY_MIME: json.loads(json.dumps(payload))}


def _baseline_for(source: Path) -> Scenario | None:
    candidate = source.parent / "baseline.yaml"
    try:
        return load_scenario(candidate) if candidate.is_file() else None
    except InputError:
        return None


def assumption_rows(scenario: Scenario, base: Scenario | None, lang: str) -> list[list[str]]:
    """Rows for the assumptions table (levers first, then uncertainties, shares, observations)."""
    yes, no = t("yes", lang), t("no", lang)
    rows: list[list[str]] = []
    defaults = base.assumptions if base else Assumptions()
    for name, value in scenario.assumptions.as_dict().items():
        spec = SPECS[name]
        rows.append(
            [
                t("assumption", lang),
                name,
                str(value),
                f"DIGEST {spec.digest}: {spec.doc_zh if lang == 'zh' else spec.doc_en}",
                yes if getattr(defaults, name) != value else no,
            ]
        )
    base_params = base.params if base else default_parameters()
    for leaf in scenario.params.leaves():
        value = leaf.value
        shown = f"{value:g}" if leaf.unit != "yuan" else units.auto(value)
        rows.append(
            [
                t("parameter", lang),
                f"{leaf.label(lang)} ({leaf.path})",
                shown,
                leaf.clause,
                yes if base_params.value(leaf.path) != value else no,
            ]
        )
    for path, dist in scenario.uncertainties.items():
        other = base.uncertainties.get(path) if base else None
        differs = other is not None and (other.dist, other.params) != (dist.dist, dist.params)
        rows.append(
            [
                t("uncertainty", lang),
                f"{path}: {UNCERTAINTIES[path][1]}",
                dist.describe(),
                dist.source or "assumption",
                yes if differs else no,
            ]
        )
    shares = ", ".join(
        f"{prefectures.label(p, lang)} {s:.0%}"
        for p, s in zip(prefectures.NAMES_ZH, scenario.prefecture_shares, strict=True)
    )
    same_shares = base is None or np.allclose(base.prefecture_shares, scenario.prefecture_shares)
    rows.append(
        [
            t("shares", lang),
            "prefecture_shares",
            shares,
            scenario.prefecture_source,
            no if same_shares else yes,
        ]
    )
    rows.append(
        [
            t("behaviour", lang),
            "growth_response_to_payout_share",
            f"{scenario.growth_response:g}",
            "assumption",
            yes if base and base.growth_response != scenario.growth_response else no,
        ]
    )
    for obs in scenario.observations:
        rows.append(
            [
                t("observation", lang),
                f"{obs.indicator} {obs.year}",
                f"{obs.value:,.0f}",
                obs.source,
                yes,
            ]
        )
    return rows


# --------------------------------------------------------------------------------------------
# Several scenarios side by side


class Comparison:
    """Scenarios run with the same seed (common random numbers), compared to the first."""

    def __init__(self, reports: list[ScenarioReport], lang: str):
        self.reports = reports
        self.lang = lang

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> Comparison:
        values = check_parameters("compare_scenarios", namespace)
        setup()
        files = values["scenario_files"]
        if isinstance(files, str):
            files = yaml.safe_load(files)
        if not isinstance(files, list) or not files:
            raise ReportParameterError("compare_scenarios: scenario_files must be a non-empty list")
        reports = []
        for name in files:
            path = resolve_scenario(name)
            scenario = load(path, values["assume"])
            results = simulate(scenario, draws=values["draws"], seed=values["seed"])
            reports.append(ScenarioReport(scenario, results, values["lang"], path))
        return cls(reports, values["lang"])

    @property
    def names(self) -> list[str]:
        return [r.scenario.title(self.lang) for r in self.reports]

    def header(self) -> _HTML:
        lang, first = self.lang, self.reports[0]
        return _HTML(
            f"<h1>{_e(t('compare_title', lang))}</h1>"
            f"<p>{_e(', '.join(self.names))} · {_e(t('draws', lang))} {first.results.draws:,}"
            f" · {_e(t('seed', lang))} {first.results.seed}</p>"
        )

    def probability_matrix(self) -> np.ndarray:
        """Rows: scenarios; columns: the seven targets, then all together."""
        return np.array(
            [
                [r.summary["targets"][k]["p_met"] for k in TARGETS] + [r.summary["p_all_met"]]
                for r in self.reports
            ]
        )

    def probability_table(self) -> _HTML:
        lang = self.lang
        p = self.probability_matrix()
        header = (
            [t("scenario", lang)]
            + [target_name(k, lang) for k in TARGETS]
            + [t("all_targets", lang)]
        )
        rows = [[name, *(f"{v:.0%}" for v in row)] for name, row in zip(self.names, p, strict=True)]
        diff = [
            [f"Δ {name}", *(f"{v:+.0%}" for v in row - p[0])]
            for name, row in zip(self.names[1:], p[1:], strict=True)
        ]
        out = f"<h2>{_e(t('targets_2025', lang))}</h2>" + _table(header, rows)
        if diff:
            out += f"<h3>{_e(t('difference', lang))}</h3>" + _table(header, diff)
        return _HTML(out)

    def probability_chart(self) -> _Chart:
        return _Chart(
            charts.compare_probabilities(self.names, self.probability_matrix(), self.lang)
        )

    def difference_chart(self) -> _Chart | _HTML:
        """P(met) of every later scenario minus the first's (nothing to show for one scenario)."""
        if len(self.reports) < 2:
            return _HTML("")
        return _Chart(charts.compare_differences(self.names, self.probability_matrix(), self.lang))

    def budget_table(self) -> _HTML:
        lang = self.lang
        keys = ("total", *(f"year:{y}" for y in self.reports[0].summary["budget"]["by_year"]))

        def value(r: ScenarioReport, key: str, stat: str) -> float:
            b = r.summary["budget"]
            return b["total"][stat] if key == "total" else b["by_year"][key[5:]][stat]

        stats = f"{t('median', lang)} / {t('p90', lang)}"
        header = [t("scenario", lang)] + [
            f"{t('budget_total', lang) if k == 'total' else k[5:]} {stats}" for k in keys
        ]
        rows = [
            [r.scenario.title(lang)]
            + [
                f"{units.wan_number(value(r, k, 'p50'))} / {units.wan_number(value(r, k, 'p90'))}"
                for k in keys
            ]
            for r in self.reports
        ]
        first = self.reports[0]
        diff = [
            [f"Δ {r.scenario.title(lang)}"]
            + [
                f"{units.wan_number(value(r, k, 'p50') - value(first, k, 'p50'))}"
                f" / {units.wan_number(value(r, k, 'p90') - value(first, k, 'p90'))}"
                for k in keys
            ]
            for r in self.reports[1:]
        ]
        out = f"<h2>{_e(t('budget', lang))}({_e(t('wan_yuan', lang))})</h2>" + _table(header, rows)
        if diff:
            out += f"<h3>{_e(t('difference', lang))}</h3>" + _table(header, diff)
        return _HTML(out)

    def budget_chart(self) -> _Chart:
        bands = np.array(
            [[r.summary["budget"]["total"][k] for k in ("p5", "p50", "p95")] for r in self.reports]
        )
        return _Chart(charts.compare_budgets(self.names, bands, self.lang))

    def provenance(self) -> _HTML:
        lang = self.lang
        rows = [[r.scenario.name, r.source.name, r.scenario.digest[:16]] for r in self.reports]
        table = _table([t("scenario", lang), "file", t("scenario_hash", lang)], rows)
        first = self.reports[0]
        return _HTML(
            f"<hr><p><small>{_e(t('provenance', lang))} — sbqw {_e(__version__)} ·"
            f" {_e(t('seed', lang))} {first.results.seed} · {_e(t('draws', lang))}"
            f" {first.results.draws:,} · {_e(t('run_date', lang))} {_e(first.run_date)}</small></p>"
            + table
        )

    def publish(self) -> None:
        publish(
            {
                SUMMARY_MIME: {
                    "kind": "comparison",
                    "name": "compare",
                    "title_zh": t("compare_title", "zh"),
                    "title_en": t("compare_title", "en"),
                    "lang": self.lang,
                    "scenarios": [r.scenario.name for r in self.reports],
                    "summaries": [r.summary for r in self.reports],
                }
            }
        )


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

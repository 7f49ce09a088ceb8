"""What ``notebooks/sensitivity.ipynb`` (shipped in the package) calls: checks, analyses, blocks.

The notebook stays thin, like the report notebooks (``reporting.notebook``): every computation is
here, where it is tested, and each cell displays what one method returns. Defaults are small so
``sbqw report`` stays fast (Morris with 10 trajectories); pass ``method="sobol", n=512`` for
indices worth ranking factors by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sbqw_model import __version__, units
from sbqw_model.errors import InputError
from sbqw_model.reporting.fragments import HTML, Chart, provenance, render, table
from sbqw_model.reporting.i18n import LANGS
from sbqw_model.reporting.notebook import load, setup
from sbqw_model.reporting.parameters import (
    ReportParameterError,
    declared_parameters,
    memory_problem,
    resolve_scenario,
    scenario_name,
    whole_number,
)
from sbqw_model.research import charts
from sbqw_model.research import discovery as dv
from sbqw_model.research.evaluate import Evaluation
from sbqw_model.research.frontier import Frontier, frontiers, load_results
from sbqw_model.research.sensitivity import METHODS, SensitivityResult, run_sensitivity
from sbqw_model.research.wording import (
    cost_label,
    factor_label,
    fmt_money,
    fmt_setting,
    fmt_value,
    output_label,
    t,
)
from sbqw_model.scenario import Scenario
from sbqw_model.summary_types import BAND

NOTEBOOK = "sensitivity"
RESEARCH_MIME = "application/vnd.sbqw.research+json"  # not SUMMARY_MIME: no xlsx for this one

#: The notebook's parameters and defaults (its parameters cell matches; unknown names fail).
PARAMETERS: dict[str, Any] = {
    "scenario_file": "baseline",
    "method": "morris",
    "n": 10,
    "draws": 500,
    "seed": 0,
    "lang": "zh",
    "assume": {},
    "outputs": ["online_retail", "p_all_met", "budget.total.p50", f"budget.total.{BAND[1]}"],
    "discovery_draws": 5000,
    "sweep_results": "",
    "min_probability": 0.8,
    "workers": 1,
}
#: The built-in lever grid for the frontier when no ``sweep_results`` is given.
BUILTIN_GRID: dict[str, list[Any]] = {
    "assumptions.payout_share": [0.25, 0.5, 0.75, 1.0],
    "assumptions.traffic_base": ["all", "excess"],
}
_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def _text_list(value: Any, name: str) -> list[Any]:
    """``papermill -p`` hands lists over as YAML text."""
    if isinstance(value, str):
        value = yaml.safe_load(value) if value.strip() else []
    if not isinstance(value, list):
        raise ReportParameterError(f"{NOTEBOOK}: {name} must be a list, got {value!r}")
    return value


#: Parameters renamed (one meaning per word: "target" is a 2025 goal); the old names still work.
RENAMED = {"target_p": "min_probability"}


def check_parameters(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters from the notebook's namespace; an unknown name is an error, not a warning.
    Messages name the parameter as the notebook spells it (``n=10``), not a command's flag."""
    namespace = dict(namespace)
    for old, new in RENAMED.items():  # `papermill -p target_p 0.5` from before the rename
        if old in namespace:
            namespace[new] = namespace.pop(old)
    v = declared_parameters(NOTEBOOK, namespace, PARAMETERS)
    problems = []
    if v["lang"] not in LANGS:
        problems.append(f"lang={v['lang']!r}; valid: {', '.join(LANGS)}")
    if v["method"] not in METHODS:
        problems.append(f"method={v['method']!r}; valid: {', '.join(METHODS)}")
    for key, low in (("n", 1), ("draws", 1), ("seed", 0), ("discovery_draws", 1), ("workers", 1)):
        value = whole_number(v[key])
        if value is None or value < low:
            problems.append(f"{key}={v[key]!r}; expected a whole number ≥ {low}")
        else:
            v[key] = value
    p = v["min_probability"]
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        problems.append(f"min_probability={p!r}; expected a probability from 0 to 1")
    if not isinstance(v["sweep_results"], str | Path):
        problems.append(f"sweep_results={v['sweep_results']!r}; expected a path or ''")
    if problems:
        raise ReportParameterError(f"{NOTEBOOK}: " + "; ".join(problems))
    for key in ("draws", "discovery_draws"):  # before anything is drawn
        too_many = memory_problem(v[key], key)
        if too_many:
            raise ReportParameterError(f"{NOTEBOOK}: {too_many}")
    v["scenario_file"] = scenario_name(v["scenario_file"], NOTEBOOK)
    v["outputs"] = check_outputs(_text_list(v["outputs"], "outputs"))
    assume = v["assume"]
    if isinstance(assume, str):
        assume = yaml.safe_load(assume) if assume.strip() else {}
    if not isinstance(assume, dict):
        raise ReportParameterError(f"{NOTEBOOK}: assume must be a mapping, got {assume!r}")
    v["assume"] = assume
    return v


def check_outputs(outputs: list[Any]) -> list[str]:
    """``outputs``: names of outputs (``online_retail``, ``budget.total.p95``), each known."""
    from sbqw_model.research.evaluate import expand_alias, output_problem

    wrong = [o for o in outputs if not isinstance(o, str)]
    if wrong:
        raise ReportParameterError(
            f"{NOTEBOOK}: outputs={outputs!r}; expected a list of output names"
            f" (e.g. {', '.join(PARAMETERS['outputs'][:2])}), got {wrong[0]!r}"
        )
    problems = [p for p in (output_problem(expand_alias(o)) for o in outputs) if p]
    if problems:
        raise ReportParameterError(f"{NOTEBOOK}: outputs: {'; '.join(problems)}")
    return outputs


def check_size(scenario: Scenario, v: Mapping[str, Any]) -> None:
    """Refuse, before any work, what ``run_sensitivity`` and discovery would refuse or could
    not hold: a Sobol' ``n`` not a power of 2, too many points, worlds beyond memory."""
    from sbqw_model.memory import check_run
    from sbqw_model.research.sensitivity import n_problems, scenario_problem, size_problems

    method, n = v["method"], v["n"]

    def given(value: int) -> str:
        return f"n={value}"

    problems = n_problems(method, n, given)  # the command line's checks, in its order
    if not problems:
        try:
            d = len(scenario_problem(scenario, None, False).factors)
            for key in ("draws", "discovery_draws"):
                check_run(scenario, v[key], key)
        except InputError as exc:
            problems = exc.problems
        else:
            problems = size_problems(method, n, d, given)
    if problems:
        raise ReportParameterError(f"{NOTEBOOK}: {'; '.join(problems)}")


class SensitivityReport:
    """A scenario's sensitivity indices, discovery boxes and policy frontier, block by block."""

    def __init__(
        self,
        scenario: Scenario,
        source: Path,
        result: SensitivityResult,
        found: list[dv.Discovery],
        fronts: list[Frontier],
        frontier_source: str,
        lang: str,
        discovery_draws: int,
    ):
        self.scenario, self.source, self.result = scenario, source, result
        self.found, self.fronts, self.frontier_source = found, fronts, frontier_source
        self.lang, self.discovery_draws = lang, discovery_draws
        self.run_date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> SensitivityReport:
        """Check the parameters (first cell), then run the three analyses."""
        v = check_parameters(namespace)
        from sbqw_model.extras import require

        require("sensitivity notebook", "the sensitivity notebook")
        setup()
        path = resolve_scenario(v["scenario_file"])
        scenario = load(path, v["assume"])
        check_size(scenario, v)
        try:
            result = run_sensitivity(
                scenario,
                v["method"],
                v["n"],
                outputs=v["outputs"],
                draws=v["draws"],
                seed=v["seed"],
                workers=v["workers"],
                progress=False,
            )
            found = dv.discover_scenario(
                scenario, ("online_retail", "all"), v["discovery_draws"], v["seed"]
            )
            if v["sweep_results"]:
                table = load_results(Path(v["sweep_results"]))
                frontier_source = str(v["sweep_results"])
            else:
                table = builtin_sweep(scenario, v["draws"], v["seed"])
                frontier_source = t("builtin_sweep", v["lang"])
            # the sweep's words name the scenario's rule amounts (a reformed threshold)
            fronts = frontiers(table, float(v["min_probability"]), params=scenario.params)
        except InputError as exc:
            raise ReportParameterError("\n".join(exc.problems)) from None
        return cls(
            scenario, path, result, found, fronts, frontier_source, v["lang"], v["discovery_draws"]
        )

    # --- blocks, in notebook order -------------------------------------------------------

    def header(self) -> HTML:
        s, r, lang = self.scenario, self.result, self.lang
        method = "Sobol'" if r.method == "sobol" else "Morris"
        title = f"{t('sens_title', lang)}{t('colon', lang)}{s.title(lang)}"
        space = "" if lang == "zh" else " "  # 290次评估, as Chinese sets a number in a phrase
        return HTML(
            render(
                "research_header.html.j2",
                title=title,
                method=method,
                n=r.n,
                evaluations=f"{len(r.sample):,}{space}{t('evaluations', lang)}",
                per_point=f"{t('per_point', lang)}{space}{r.draws:,}",
                intro=t("sens_intro", lang),
            )
        )

    def warnings(self) -> HTML:
        from sbqw_model.research.sensitivity import stability_notes

        notes = stability_notes(self.result)
        if not notes:
            return HTML("")
        items = [zh if self.lang == "zh" else en for zh, en in notes]
        return HTML(render("notes.html.j2", heading=t("warn", self.lang), items=items))

    def factors_table(self) -> HTML:
        """Each factor and its range; the factor's path (what ``--factors`` takes) in English
        only: the Chinese report names no internal key."""
        lang = self.lang
        rows = [
            [
                factor_label(f.name, lang),
                *([f.name] if lang == "en" else []),
                f"{fmt_value(f.name, f.low, lang)} – {fmt_value(f.name, f.high, lang)}",
            ]
            for f in self.result.problem.factors
        ]
        path = [""] if lang == "en" else []
        return HTML(table([t("factor", lang), *path, t("range", lang)], rows))

    def indices_table(self) -> HTML:
        """Each output's factors ranked by their main index (ST or μ*), with intervals."""
        r, lang = self.result, self.lang
        main, conf = r.main, f"{r.main}_conf"
        parts = []
        for output in r.outputs:
            part = r.indices[r.indices.output == output].sort_values(main, ascending=False)
            scale = units.WAN if r.method == "morris" and output.startswith("budget.") else 1.0
            rows = []
            for row in part.head(6).itertuples():
                value, half = getattr(row, main) / scale, getattr(row, conf) / scale
                shown = "—" if value != value else f"{value:,.2f} ± {half:,.2f}"
                first = (
                    f"{row.S1:.2f} ± {row.S1_conf:.2f}"
                    if r.method == "sobol"
                    else (f"{row.sigma / scale:,.2f}")
                )
                rows.append([factor_label(row.factor, lang), first, shown])
            head = (
                [t("factor", lang), t("first_order", lang), t("total_order", lang)]
                if r.method == "sobol"
                else [t("factor", lang), t("sigma", lang), t("mu_star", lang)]
            )
            heading = output_label(output, lang)
            if scale != 1.0:
                heading = t("in_wan_yuan", lang).format(what=heading)
            parts.append((heading, table(head, rows)))
        return HTML(render("titled_tables.html.j2", parts=parts))

    def sensitivity_chart(self) -> Chart:
        return Chart(charts.sensitivity_bars(self.result, self.lang))

    def discovery_text(self) -> HTML:
        lang = self.lang
        return HTML(
            render(
                "discovery.html.j2",
                title=t("discovery_title", lang),
                intro=t("discovery_intro", lang),
                lists=[found.sentences(lang) for found in self.found],
            )
        )

    def discovery_chart(self) -> Chart:
        return Chart(charts.discovery_chart(self.found[0], self.lang))

    def frontier_text(self) -> HTML:
        lang = self.lang
        groups = []
        for f in self.fronts:
            at = f.params_at(f.group)
            heading = t("semicolon", lang).join(  # 支付比例：50%；…, in the reader's punctuation
                f"{factor_label(k, lang)}{t('colon', lang)}{fmt_setting(k, v, lang, at)}"
                for k, v in f.group.items()
            )
            rows = [
                [
                    " / ".join(  # as the header, each reading with the amounts in force there
                        fmt_setting(k, r[k], lang, f.params_at({**f.group, **r})) for k in f.levers
                    ),
                    units.wan_number(r[f.cost], 0),
                    f"{r[f.probability]:.1%}",
                ]
                for _, r in f.frontier.iterrows()
            ]
            head = [
                " / ".join(factor_label(k, lang) for k in f.levers),
                t("in_wan_yuan", lang).format(what=cost_label(f.cost, lang)),
                t("p_met", lang),
            ]
            same = f.settings[f.probability].nunique() == 1
            groups.append(
                {
                    "heading": heading,
                    "table": table(head, rows),
                    "answer": self._answer(f),
                    "note": t("levers_no_effect", lang) if same else "",
                }
            )
        intro = t("frontier_intro_from", lang).format(
            intro=t("frontier_intro", lang),
            source_label=t("sweep_source", lang),
            source=self.frontier_source,
        )
        return HTML(
            render("frontier.html.j2", title=t("frontier_title", lang), intro=intro, groups=groups)
        )

    def _answer(self, f: Frontier) -> str:
        lang = self.lang
        best = f.cheapest
        if best is None:
            top = f.best
            return t("none_reaches", lang).format(
                p=f"{f.min_probability:.0%}", best=f"{top[f.probability]:.1%}"
            )
        at = f.params_at({**f.group, **best})
        setting = t("enum", lang).join(
            f"{factor_label(k, lang)} {fmt_setting(k, best[k], lang, at)}" for k in f.levers
        )
        text = t("cheapest_answer", lang).format(
            cheapest=t("cheapest", lang),
            p=f"{f.min_probability:.0%}",
            setting=setting,
            budget=fmt_money(best[f.cost], lang),
            probability=f"{best[f.probability]:.1%}",
        )
        if f.near_threshold():
            text += " " + t("within_error", lang)
        return text

    def frontier_chart(self) -> Chart:
        return Chart(charts.frontier_chart(self.fronts, self.lang))

    def provenance(self) -> HTML:
        from sbqw_model.reporting.i18n import t as rt

        lang, r = self.lang, self.result
        items = [
            (rt("version", lang), f"sbqw {__version__}"),
            (
                rt("scenario", lang),
                f"{self.scenario.name}{rt('lparen', lang)}{self.source.name}{rt('rparen', lang)}",
            ),
            (rt("scenario_hash", lang), self.scenario.digest),
            (rt("seed", lang), str(r.seed)),
            (rt("run_date", lang), self.run_date),
        ]
        return provenance(items, lang)

    def glue(self) -> dict[str, Any]:
        """The results as a hidden output of the notebook's own MIME type."""
        import json

        from sbqw_model.research.text import _clean

        payload = {
            "kind": "sensitivity",
            "name": self.scenario.name,
            "sensitivity": self.result.to_dict(),
            "discovery": [d.to_dict(self.lang) for d in self.found],
            "frontiers": [f.to_dict() for f in self.fronts],
        }
        return {RESEARCH_MIME: json.loads(json.dumps(_clean(payload)))}

    def publish(self) -> None:
        from IPython.display import display

        display(self.glue(), raw=True)


def builtin_sweep(scenario: Scenario, draws: int, seed: int) -> pd.DataFrame:
    """A small lever grid on the scenario (payout share × traffic base), evaluated in-process."""
    import itertools

    from sbqw_model.research import problem as pb
    from sbqw_model.research.evaluate import run_batch

    inputs = tuple(pb.resolve(p, scenario) for p in BUILTIN_GRID)
    points = list(enumerate(itertools.product(*BUILTIN_GRID.values())))
    return pd.DataFrame(run_batch(Evaluation(scenario, inputs, draws, seed), points).rows)

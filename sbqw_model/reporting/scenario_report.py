"""One scenario's report: every block the scenario notebook shows, in reading order.

A leader reads the conclusion first (generated from the numbers), then the targets with their
status, then the outlay labelled for what it is (上限 / upper bound, 示例 / illustrative); Monte
Carlo errors, clause quotes and provenance come last, in the appendices.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sbqw_model import __version__, units
from sbqw_model.engine import TARGETS, Results, simulate
from sbqw_model.instruments import REGISTRY
from sbqw_model.labels import (
    bracketed,
    describe_distribution,
    effective_note,
    fewer_effective,
    money,
    percent,
    with_error,
)
from sbqw_model.reporting import charts, clauses, leader
from sbqw_model.reporting.assumption_table import assumption_rows, baseline_for, observed_what
from sbqw_model.reporting.fragments import (
    HTML,
    SUMMARY_MIME,
    Chart,
    Markup,
    provenance,
    publish,
    render,
    table,
)
from sbqw_model.reporting.i18n import t, target_name
from sbqw_model.reporting.variants import (
    changed_assumptions,
    plain_value,
    variant_label,
    variant_note,
    variant_title,
)
from sbqw_model.scenario import Observation, Scenario
from sbqw_model.start_level import odds_by_start
from sbqw_model.summary import BAND, Summary, summarize


def fmt_target(key: str, value: float, lang: str) -> str:
    """A target's level as a reader says it: 1,000亿元 / ¥100.0bn; counts with separators."""
    return money(value, lang, 0) if key == "online_retail" else f"{value:,.0f}"


def wan(yuan: float) -> str:
    """万元 without decimals, as leader tables show money."""
    return units.wan_number(yuan, 0)


def status_cell(status: leader.Status, lang: str) -> Markup:
    return render("status.html.j2", status=status, lang=lang)


def _observed_sentence(observations: Sequence[Observation], scenario_file: str, lang: str) -> str:
    """Which figures are observed, each group with the file that cites them: the scenario
    file's own, or the ``--observed`` file's (before, all were said to be in the scenario file)."""
    groups: dict[str, list[str]] = {}
    for o in observations:
        groups.setdefault(o.origin, []).append(observed_what(o, lang))
    parts = [
        t("observed_in_file" if origin else "observed_in_scenario", lang).format(
            items=t("enum", lang).join(items), file=origin or scenario_file
        )
        for origin, items in groups.items()
    ]
    return t("data_observed", lang).format(items=t("semicolon", lang).join(parts))


def _data_statistics(lang: str) -> str:
    """Which statistics files the package ships, what each holds and which years."""
    from sbqw_model.catalogue import label
    from sbqw_model.shipped import data_years

    years = data_years()
    files = t("enum", lang).join(
        t("data_file", lang).format(
            what=label(f"data_file.{name}", lang), first=first, last=last, file=name
        )
        for name, (first, last) in years.items()
    )
    last = max(last for _, last in years.values())
    return t("data_statistics", lang).format(last=last, files=files)


def clause_block(rows: list[tuple[str, str]], lang: str) -> HTML:
    """The clause appendix: each clause id with its quote (a report's, or a comparison's)."""
    heading, intro = t("clauses_title", lang), t("clauses_intro", lang)
    return HTML(render("clauses.html.j2", heading=heading, intro=intro, rows=rows))


class ScenarioReport:
    """A simulated scenario and every block its report shows."""

    def __init__(
        self,
        scenario: Scenario,
        results: Results | None,
        lang: str,
        source: Path,
        assume: Mapping[str, Any] | None = None,
        plain: Scenario | None = None,
        summary: Summary | Mapping[str, Any] | None = None,
    ):
        """``results=None`` with the ``summary`` of a run already made (typed, or its JSON
        mapping): enough for the comparison, which shows summaries only."""
        self.scenario = scenario
        self.results = results
        self.lang = lang
        self.source = source
        if results is not None:
            self.summary = summarize(results)
        elif summary is not None:
            self.summary = Summary.coerce(summary)
        else:
            raise ValueError("ScenarioReport needs results or the summary of a run")
        self.run_date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        # the title names what --assume changed against the scenario as written, and how
        # --observed figures entered (a comparison says that once, ``variants.compared_titles``)
        self.plain, self.assume = plain, dict(assume or {})
        self.title = variant_title(plain or scenario, self.assume, lang, scenario)

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> ScenarioReport:
        """Check the notebook's parameters (first cell), load and simulate the scenario."""
        from sbqw_model.conditioning import condition_scenario
        from sbqw_model.errors import InputError
        from sbqw_model.reporting.notebook import load_variant, setup
        from sbqw_model.reporting.parameters import (
            ReportParameterError,
            check_parameters,
            resolve_scenario,
        )

        values = check_parameters("scenario_report", namespace)
        setup()
        path = resolve_scenario(values["scenario_file"])
        plain, scenario = load_variant(path, values["assume"])
        given = values["conditioning"] or {}
        try:  # observed figures ({"observed": file, "method": …}); the run's fuller size check
            scenario = condition_scenario(scenario, given.get("observed"), given.get("method"))
            results = simulate(scenario, draws=values["draws"], seed=values["seed"])
        except InputError as exc:
            raise ReportParameterError("\n".join(exc.problems)) from None
        return cls(scenario, results, values["lang"], path, values["assume"], plain)

    # --- the first screen ---------------------------------------------------------------

    def header(self) -> HTML:
        s, lang = self.scenario, self.lang
        heading = f"{t('report_title', lang)}{t('colon', lang)}{self.title}"
        return HTML(
            render(
                "scenario_header.html.j2",
                heading=heading,
                variant=variant_note(self.plain or s, self.assume, lang),
                description=s.describe(lang),
            )
        )

    def conclusion(self) -> HTML:
        """One or two generated sentences: which targets are on course, what the outlay is."""
        return HTML(
            render(
                "conclusion.html.j2",
                heading=t("conclusion", self.lang),
                sentences=leader.conclusion(self.summary, self.lang),
            )
        )

    def targets_table(self) -> HTML:
        """The seven targets with their status; what all together means; the statuses once."""
        lang, sm = self.lang, self.summary
        rows = []
        for key in TARGETS:
            s = sm.targets[key]
            rows.append(
                [
                    target_name(key, lang),
                    fmt_target(key, s.target, lang),
                    leader.probability(s.p_met),
                    fmt_target(key, s.central, lang),
                    f"{fmt_target(key, s.low, lang)} – {fmt_target(key, s.high, lang)}",
                    status_cell(leader.target_status(sm, key), lang),
                ]
            )
        header = [
            t(k, lang) for k in ("indicator", "target", "p_met", "median_2025", "band_90", "status")
        ]
        statuses = [
            {"dot": status_cell(s, lang), "meaning": s.meaning(lang)}
            for s in leader.STATUSES.values()
        ]
        return HTML(
            render(
                "targets.html.j2",
                heading=t("targets_2025", lang),
                table=table(header, rows),
                all_met=t("all_met_sentence", lang).format(p=percent(sm.p_all_met)),
                status_heading=t("status_title", lang),
                statuses=statuses,
                colon=t("colon", lang),
                note=t("explain_probability", lang),
            )
        )

    def _money_header(self, stat: str) -> str:
        lang = self.lang
        return bracketed(t(stat, lang), [t("wan_yuan", lang)], lang)

    def budget_summary(self) -> HTML:
        """Total outlay (median, 95th percentile) and by payment year, labelled for what it is."""
        lang, b = self.lang, self.summary.budget
        kind = leader.outlay_note(self.summary, lang)
        total = b.total
        heading = f"{t('budget', lang)}{t('lparen', lang)}{kind}{t('rparen', lang)}"
        gap = "" if lang == "zh" else " "
        central = money(total.central, lang, like=total.high)  # one unit for both
        headline = (
            f"{t('budget_total', lang)}{t('colon', lang)}{t('median', lang)}{gap}{central}"
            f"{t('comma', lang)}{t(BAND[1], lang)}{gap}{money(total.high, lang)}"
        )
        header = [
            t("payment_year", lang),
            self._money_header("median"),
            self._money_header(BAND[1]),
        ]
        appropriation = b.appropriation or {}
        over_by_year = b.p_over_appropriation or {}
        notes = [t("explain_budget", lang)]
        if appropriation:
            inside = [t("wan_yuan", lang)]
            if b.appropriation_illustrative:  # one bracket: 预算安排（万元，示例）
                inside.append(t("illustrative", lang))
                notes.append(t("illustrative_note", lang))
            header += [bracketed(t("appropriation", lang), inside, lang), t("p_over", lang)]
        # least: one world of those the figures rest on (fewer once weighted by observations)
        sm = self.summary
        least = percent(1 / (fewer_effective(sm.draws, sm.effective_draws) or sm.draws))
        rows, unseen = [], False
        for year, s in b.by_year.items():
            row = [year, wan(s.central), wan(s.high)]
            if appropriation:
                amount = appropriation.get(year)
                over = over_by_year.get(year) if amount is not None else None
                unseen |= over == 0
                shown = "—" if over is None else f"<{least}" if over == 0 else percent(over)
                row += [wan(amount), shown] if amount is not None else ["—", "—"]
            rows.append(row)
        if unseen:  # no world overran that year: not "impossible"
            notes.append(
                t("none_over", lang).format(
                    p=least,
                    draws=f"{sm.draws:,}",
                    effective=effective_note(sm.draws, sm.effective_draws, lang),
                )
            )
        return HTML(
            render(
                "budget.html.j2",
                heading=heading,
                headline=headline,
                table=table(header, rows),
                notes=notes,
            )
        )

    def data_note(self) -> HTML:
        """Data as of: statistics to 2022, which years are observed, the assumed 2022 level."""
        lang, s = self.lang, self.scenario
        paragraphs = [_data_statistics(lang)]
        if s.observations:
            paragraphs.append(_observed_sentence(s.observations, self.source.name, lang))
        else:
            paragraphs.append(t("data_none_observed", lang))
        path = "online_retail.level_2022"
        level = s.uncertainties.get(path)
        known = level is None or path in s.observed_uncertainties
        if level is not None:  # assumed, or the department's figure (then no call to enter it)
            dist = describe_distribution(path, level, lang)
            key = "data_level_2022_observed" if known else "data_level_2022"
            paragraphs.append(t(key, lang).format(dist=dist, source=level.source))
        assumed = not known and level is not None and level.dist != "fixed"
        tables, notes = self._odds_by_start() if assumed else ([], [])
        return HTML(
            render(
                "section.html.j2",
                level="h3",
                heading=t("data_title", lang),
                paragraphs=paragraphs,
                tables=tables,
                notes=notes,
            )
        )

    def _odds_by_start(self) -> tuple[list[Markup], list[str]]:
        """Where the 2022 level is assumed (drawn): the online retail target's odds by that
        level (``start_level``), so a reader who knows the figure reads the odds off a row."""
        lang = self.lang
        # an observed later year ties the level to the growth (weighting) or pins the path:
        # the rows would no longer be the odds of a level with growth as assumed
        later = bool(self.scenario.observed("online_retail"))
        if later or self.results is None:  # a report from a summary has no worlds
            return [], []
        start = self.results.online_retail_path[:, 0]
        windows = odds_by_start(start, self.results.met()["online_retail"])
        if len(windows) < 2:
            return [], []
        header = [t("start_level_2022", lang), t("p_met", lang)]
        least, most = float(start.min()), float(start.max())  # the end windows: as drawn
        rows = [
            [
                f"{money(max(w.low, least), lang)} – {money(min(w.high, most), lang)}",
                leader.probability(w.p_met),
            ]
            for w in windows
        ]
        return [table(header, rows)], [t("start_odds_note", lang)]

    # --- charts ---------------------------------------------------------------------------

    def fan_chart(self) -> Chart:
        return Chart(charts.fan_chart(self.results, self.lang))

    def units_chart(self) -> Chart:
        return Chart(charts.units_chart(self.results, self.lang))

    def budget_by_year_chart(self) -> Chart:
        return Chart(charts.budget_by_year_chart(self.results, self.lang))

    def outlay_distribution(self) -> Chart:
        return Chart(charts.outlay_distribution(self.results, self.lang))

    def prefecture_chart(self) -> Chart:
        return Chart(charts.prefecture_chart(self.results, self.lang))

    # --- detail ---------------------------------------------------------------------------

    def instrument_table(self) -> HTML:
        from sbqw_model.rules import instrument_clause

        lang, b = self.lang, self.summary.budget.by_instrument
        kind = leader.outlay_note(self.summary, lang)
        header = [
            t("by_instrument", lang),
            t("source", lang),
            self._money_header("median"),
            bracketed(t("band_90", lang), [t("wan_yuan", lang)], lang),
        ]
        rows = [
            [
                REGISTRY.get(k).label(lang, self.scenario.params),
                clauses.clause_id(instrument_clause(self.scenario.params, k), lang),
                wan(s.central),
                f"{wan(s.low)} – {wan(s.high)}",
            ]
            for k, s in b.items()
        ]
        heading = f"{t('by_instrument', lang)}{t('lparen', lang)}{kind}{t('rparen', lang)}"
        return HTML(_section(heading, [table(header, rows)]))

    def assumptions_table(self) -> HTML:
        """Every lever and uncertainty by its reader's name: value, basis, differs from baseline?"""
        lang = self.lang
        rows = assumption_rows(self.scenario, baseline_for(self.source), lang, self.source.name)
        header = [t(k, lang) for k in ("kind", "name", "value", "source", "differs")]
        return HTML(_section(t("assumptions_title", lang), [table(header, rows, "sbqw sbqw-text")]))

    def clause_appendix(self) -> HTML:
        """Every clause the report relies on, quoted from the notice."""
        return clause_block(clauses.appendix_rows(self.scenario.params, self.lang), self.lang)

    def technical_appendix(self) -> HTML:
        """Monte Carlo standard errors: for analysts, not for the first screen."""
        lang, sm = self.lang, self.summary
        rows = [
            [
                target_name(k, lang),
                with_error(sm.targets[k].p_met, sm.targets[k].p_met_se),
            ]
            for k in TARGETS
        ]
        rows.append([t("all_targets", lang), with_error(sm.p_all_met, sm.p_all_met_se)])
        header = [t("indicator", lang), f"{t('p_met', lang)} ± {t('standard_error', lang)}"]
        intro = t("technical_intro", lang).format(
            draws=f"{sm.draws:,}", effective=effective_note(sm.draws, sm.effective_draws, lang)
        )
        return HTML(_section(t("technical_title", lang), [table(header, rows)], [intro]))

    def provenance(self) -> HTML:
        lang = self.lang
        items = [
            (t("version", lang), f"sbqw {__version__}"),
            (
                t("scenario", lang),
                f"{self.scenario.name}{t('lparen', lang)}{self.source.name}{t('rparen', lang)}",
            ),
            (t("scenario_hash", lang), self.scenario.digest),
            *self.observations_file(),
            *self._set_on_command_line(),
            (t("seed", lang), str(self.summary.seed)),
            (t("draws", lang), self._draws_said()),
            (t("run_date", lang), self.run_date),
        ]
        return provenance(items, lang)

    def observations_file(self) -> list[tuple[str, str]]:
        """The ``--observed`` file and its hash, as the scenario file's: the figures it holds
        move every number, and two reports from different files looked alike. A comparison's
        provenance gives its first scenario's (one ``--observed`` file for all)."""
        s = self.scenario
        if not s.observations_file:
            return []
        return [
            (t("observations_file", self.lang), s.observations_file),
            (t("observations_hash", self.lang), s.observations_digest),
        ]

    def _draws_said(self) -> str:
        """'5,000', and how many worlds they rest on when weighting by observed figures left
        fewer: the ± shown are those of the effective draws, not of 5,000."""
        sm = self.summary
        return f"{sm.draws:,}{effective_note(sm.draws, sm.effective_draws, self.lang)}"

    def _set_on_command_line(self) -> list[tuple[str, str]]:
        said = self.set_on_command_line()
        return [(t("set_on_command_line", self.lang), said)] if said else []

    def set_on_command_line(self) -> str:
        """What ``--assume`` changed ('' if nothing), so the file's hash and the seed reproduce
        the run: as the flags themselves in English, as the title says it in Chinese (no
        internal names). A comparison's provenance says it for each of its scenarios."""
        plain = self.plain or self.scenario
        changed = changed_assumptions(plain, self.assume)
        if not changed:
            return ""
        if self.lang == "zh":
            return variant_label(plain, self.assume, "zh")
        return " ".join(f"--assume {k}={plain_value(v)}" for k, v in changed.items())

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
            "title": self.title,
            "lang": self.lang,
            "digest": self.scenario.digest,
            "summary": self.summary.to_dict(),
        }
        return {SUMMARY_MIME: json.loads(json.dumps(payload))}


def _section(heading: str, tables: list[Markup], paragraphs: list[str] | None = None) -> Markup:
    return render(
        "section.html.j2",
        level="h2",
        heading=heading,
        paragraphs=paragraphs or [],
        tables=tables,
        notes=[],
    )

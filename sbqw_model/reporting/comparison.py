"""Several scenarios side by side, run with one seed (common random numbers).

Differences are read against the first scenario (the baseline when ``sbqw report`` picks
them), named as such: 相对基准情景的变化 / "Change from Baseline".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sbqw_model import __version__, units
from sbqw_model.catalogue import label
from sbqw_model.engine import TARGETS, simulate
from sbqw_model.labels import (
    as_shown,
    bracketed,
    distinct_titles,
    fewer_effective,
    money,
    percent,
)
from sbqw_model.outcomes import compare_outcomes, compare_summaries, variants_sentence
from sbqw_model.reporting import charts, clauses, leader
from sbqw_model.reporting.fragments import (
    HTML,
    Chart,
    Markup,
    hash_text,
    provenance,
    publish,
    render,
    table,
)
from sbqw_model.reporting.i18n import t, target_name
from sbqw_model.reporting.scenario_report import SUMMARY_MIME, ScenarioReport, clause_block, wan
from sbqw_model.reporting.variants import compared_titles
from sbqw_model.scenario import Scenario
from sbqw_model.summary import BAND, Band, Summary


def one_file_once(names: list[str], paths: list[Path]) -> list[Path]:
    """``paths`` (``names`` resolved) if each file comes once. ``baseline`` and
    ``baseline.yaml`` are one file, as ``sbqw report --compare`` reads them: compared with
    itself, a scenario read as a variant that "only changes what is paid"."""
    from sbqw_model.reporting.parameters import ReportParameterError
    from sbqw_model.shipped import spellings

    for path, same in spellings(names, paths).items():
        if len(same) > 1:
            raise ReportParameterError(
                f"compare_scenarios: scenario_files: {', '.join(same)} are one file ({path});"
                " list each scenario once"
            )
    return paths


class Comparison:
    """Scenarios run with the same seed (common random numbers), compared to the first."""

    def __init__(
        self,
        reports: list[ScenarioReport],
        lang: str,
        titles: tuple[str, list[str]] | None = None,
    ):
        """``titles``: the heading and each scenario's title (``variants.compared_titles``,
        which says how observed figures entered once, when all share it); by default the
        comparison's own heading and each report's title. Each title once
        (``labels.distinct_titles``): every table, sentence and chart here names a scenario by
        it, and keyed by a title two files shared, the budget table gave one's 上限 to the
        other's row and the conclusion kept one of them."""
        self.reports = reports
        self.lang = lang
        if titles is None:
            shown = [r.title for r in reports]
            names = [r.summary.scenario for r in reports]
            titles = t("compare_title", lang), distinct_titles(shown, names, lang)
        self.heading, self.names = titles

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> Comparison:
        from sbqw_model.conditioning import condition_scenario
        from sbqw_model.errors import InputError
        from sbqw_model.reporting.notebook import load_variant, setup
        from sbqw_model.reporting.parameters import (
            ReportParameterError,
            check_parameters,
            resolve_scenario,
        )

        values = check_parameters("compare_scenarios", namespace)
        setup()
        files = values["scenario_files"]
        if isinstance(files, str):
            files = yaml.safe_load(files)
        if not isinstance(files, list) or not files:
            raise ReportParameterError("compare_scenarios: scenario_files must be a non-empty list")
        paths = one_file_once(files, [resolve_scenario(name) for name in files])
        reports, pairs = [], []
        reused = values["summaries"] or {}
        for name, path in zip(files, paths, strict=True):
            plain, scenario = load_variant(path, values["assume"])
            given = values["conditioning"] or {}  # --observed: the figures its reports rest on
            try:
                scenario = condition_scenario(scenario, given.get("observed"), given.get("method"))
            except InputError as exc:
                raise ReportParameterError("\n".join(exc.problems)) from None
            summary = reusable_summary(reused.get(name), scenario, values)
            results = None
            if summary is None:
                results = simulate(scenario, draws=values["draws"], seed=values["seed"])
            reports.append(
                ScenarioReport(
                    scenario, results, values["lang"], path, values["assume"], plain, summary
                )
            )
            pairs.append((plain, scenario))
        return cls(
            reports, values["lang"], compared_titles(pairs, values["assume"], values["lang"])
        )

    def _change_from_first(self) -> str:
        return t("difference", self.lang).format(first=self.names[0])

    def header(self) -> HTML:
        lang = self.lang
        return HTML(_section(self.heading, [], [t("enum", lang).join(self.names)], level="h1"))

    def conclusion(self) -> HTML:
        """The first screen: what the later scenarios change against the first (the odds, or
        only what is paid), and each one's outlay against the first's, in one unit."""
        lang = self.lang
        sentences = [self.outcome_sentence()] if len(self.reports) > 1 else []
        sentences.append(self.outlay_sentence())
        return HTML(
            render("conclusion.html.j2", heading=t("conclusion", lang), sentences=sentences)
        )

    def outlay_sentence(self) -> str:
        """'方案支出合计中位数：基准情景约1.75亿元；紧缩方案约0.87亿元（比基准情景少0.88亿元）。'"""
        lang = self.lang
        unit_of = max(r.summary.budget.total.central for r in self.reports)
        # differences of the amounts as shown, so the sentence's arithmetic adds up
        first = as_shown(self.reports[0].summary.budget.total.central, lang, like=unit_of)
        parts, names = [], self.names
        for i, r in enumerate(self.reports):
            total = as_shown(r.summary.budget.total.central, lang, like=unit_of)
            shown = t("about", lang).format(amount=money(total, lang, like=unit_of))
            if i:
                key = "same_as" if total == first else "more_than" if total > first else "less_than"
                gap = money(abs(total - first), lang, like=unit_of)
                shown += f"{t('lparen', lang)}{t(key, lang).format(first=self.names[0], gap=gap)}"
                shown += t("rparen", lang)
            parts.append(f"{names[i]}{t('colon', lang)}{shown}")
        return t("compare_outlay_sentence", lang).format(parts=t("semicolon", lang).join(parts))

    def data_note(self) -> HTML:
        """The data note of the first scenario's report (the compared ones share the data)."""
        return self.reports[0].data_note()

    def clause_appendix(self) -> HTML:
        """Every clause any compared scenario relies on, quoted from the notice."""
        lang = self.lang
        rows = [row for r in self.reports for row in clauses.appendix_rows(r.scenario.params, lang)]
        return clause_block(list(dict.fromkeys(rows)), lang)

    def probability_matrix(self) -> np.ndarray:
        """Rows: scenarios; columns: the seven targets, then all together."""
        return np.array(
            [
                [r.summary.targets[k].p_met for k in TARGETS] + [r.summary.p_all_met]
                for r in self.reports
            ]
        )

    def probability_table(self) -> HTML:
        lang = self.lang
        p = self.probability_matrix()
        header = (
            [t("scenario", lang)]
            + [target_name(k, lang) for k in TARGETS]
            + [t("all_targets", lang)]
        )
        last = len(TARGETS)  # the column of all targets at once
        rows = [
            [name, *(_shown(v, i == last) for i, v in enumerate(row))]
            for name, row in zip(self.names, p, strict=True)
        ]
        tables = [table(header, rows)]
        if len(self.reports) > 1:
            diff = [
                [name, *(_points(p[0][i], v, i == last) for i, v in enumerate(row))]
                for name, row in zip(self.names[1:], p[1:], strict=True)
            ]
            tables.append(
                _section(
                    f"{self._change_from_first()}{t('lparen', lang)}{t('pp_unit', lang)}"
                    f"{t('rparen', lang)}",
                    [table(header, diff)],
                    level="h3",
                )
            )
        notes = [t("all_met_meaning", lang)]  # what the odds change: the conclusion says it
        return HTML(_section(t("targets_2025", lang), tables, notes=notes))

    def outcome_sentence(self) -> str:
        """Whether the later scenarios change what is achieved, or only what is paid, against
        the first (world by world: the scenarios share their simulated worlds)."""
        first, lang = self.reports[0], self.lang
        moved, same, noisy, alike = {}, [], [], []
        for name, r in zip(self.names[1:], self.reports[1:], strict=True):
            if first.results is not None and r.results is not None:
                changed = compare_outcomes(first.results, r.results)
            else:  # reused summaries: no per-world results to pair
                changed = compare_summaries(first.summary, r.summary)
            if changed.differ:  # by the points the table shows (23 % − 4 %: 19, not 18)
                moved[name] = {
                    k: _shown_change(first.summary.targets[k].p_met, r.summary.targets[k].p_met)
                    / 100
                    or d  # both shown alike (45 %): the true change keeps its side, "< 1 point"
                    for k, d in changed.moved().items()
                }
            elif _same_odds(first.summary, r.summary):  # and the outlay: not "only the outlay"
                (alike if _same_outlay(first.summary, r.summary) else same).append(name)
            else:  # odds that differ within noise (observed figures, other growth): not "cost only"
                noisy.append(name)
        enum = t("enum", lang)
        # "these variants change only what is paid" for several alike; one is named (not 这些方案)
        general = not moved and not noisy and not alike and len(same) != 1
        text = variants_sentence(moved, lang) if moved or general else ""
        if alike:
            text += t("same_odds_and_outlay", lang).format(
                titles=enum.join(alike), first=self.names[0]
            )
        if same and not general:  # said plainly: these change what is paid, not achieved
            text += t("cost_only", lang).format(titles=enum.join(same)) + t("cost_only_why", lang)
        if noisy:
            text += t("within_noise", lang).format(titles=enum.join(noisy))
        return text.strip()

    def probability_chart(self) -> Chart:
        return Chart(charts.compare_probabilities(self.names, self.probability_matrix(), self.lang))

    def difference_chart(self) -> Chart | HTML:
        """The probability of every later scenario minus the first's (nothing for one)."""
        if len(self.reports) < 2:
            return HTML("")
        return Chart(charts.compare_differences(self.names, self.probability_matrix(), self.lang))

    def budget_table(self) -> HTML:
        lang = self.lang
        years = list(self.reports[0].summary.budget.by_year)
        keys = ("total", *years)

        def band(r: ScenarioReport, key: str) -> Band:
            b = r.summary.budget
            return b.total if key == "total" else b.by_year[key]

        stats = f"{t('median', lang)} / {t(BAND[1], lang)}"
        # what each row's amounts are (上限, 按上限的50%支付) in a column of its own
        header = [t("scenario", lang), label("workbook.kind", lang)] + [
            f"{t('budget_total', lang) if k == 'total' else k}{t('lparen', lang)}{stats}"
            f"{t('rparen', lang)}"
            for k in keys
        ]
        named = list(zip(self.names, self.reports, strict=True))
        kind = [leader.outlay_note(r.summary, lang) for r in self.reports]
        rows = [
            [name, kind[i]] + [f"{wan(band(r, k).central)} / {wan(band(r, k).high)}" for k in keys]
            for i, (name, r) in enumerate(named)
        ]
        first = self.reports[0]
        tables = [table(header, rows)]
        if len(self.reports) > 1:
            diff = [
                [name, kind[i]]
                + [
                    f"{_wan_change(band(r, k).central, band(first, k).central)}"
                    f" / {_wan_change(band(r, k).high, band(first, k).high)}"
                    for k in keys
                ]
                for i, (name, r) in enumerate(named)
                if i
            ]
            tables.append(_section(self._change_from_first(), [table(header, diff)], level="h3"))
        heading = bracketed(t("budget", lang), [t("wan_yuan", lang)], lang)
        return HTML(_section(heading, tables))

    def budget_chart(self) -> Chart:
        totals = [r.summary.budget.total for r in self.reports]
        bands = np.array([[b.low, b.central, b.high] for b in totals])
        lang = self.lang
        open_, close = t("lparen", lang).strip(), t("rparen", lang)
        labels = []  # each bar says what it is: 上限, or the share of the ceilings paid
        for name, r in zip(self.names, self.reports, strict=True):
            note = leader.outlay_note(r.summary, lang)
            said = note in name  # 紧缩方案（按上限的50%支付）
            labels.append(name if said else f"{name}\n{open_}{note}{close}")
        return Chart(charts.compare_budgets(labels, bands, lang))

    def provenance(self) -> HTML:
        lang = self.lang
        rows = [
            [name, r.source.name, hash_text(r.scenario.digest)]
            for name, r in zip(self.names, self.reports, strict=True)
        ]
        header = [t("scenario", lang), t("file", lang), t("scenario_hash", lang)]
        # a scenario weighted by observed figures rests on fewer worlds than the draws: its own
        effective = [
            fewer_effective(r.summary.draws, r.summary.effective_draws) for r in self.reports
        ]
        if any(n is not None for n in effective):
            header.append(t("effective_draws_column", lang))
            for row, n, r in zip(rows, effective, self.reports, strict=True):
                row.append(f"{n if n is not None else r.summary.draws:,}")
        said = [r.set_on_command_line() for r in self.reports]  # as each report's provenance
        if any(said):  # the hashes and the seed alone did not reproduce a comparison of variants
            header.append(t("set_on_command_line", lang))
            for row, text in zip(rows, said, strict=True):
                row.append(text or "—")
        first = self.reports[0]
        items = [
            (t("version", lang), f"sbqw {__version__}"),
            (t("seed", lang), str(first.summary.seed)),
            (t("draws", lang), f"{first.summary.draws:,}"),
            (t("run_date", lang), first.run_date),
        ]
        items[1:1] = first.observations_file()  # every scenario's: one --observed file
        return provenance(items, lang, table(header, rows))

    def publish(self) -> None:
        publish(
            {
                SUMMARY_MIME: {
                    "kind": "comparison",
                    "name": "compare",
                    "title_zh": t("compare_title", "zh"),
                    "title_en": t("compare_title", "en"),
                    "lang": self.lang,
                    "scenarios": self.names,  # as the index lists them
                    "summaries": [r.summary.to_dict() for r in self.reports],
                }
            }
        )


def reusable_summary(
    notebook: str | None, scenario: Scenario, values: Mapping[str, Any]
) -> Summary | None:
    """The summary a scenario's own report computed (its executed notebook's hidden output),
    if it is of exactly the run the comparison would make: same scenario file (digest),
    assumptions, draws and seed, no conditioning. Else None: simulate again. Reusing it
    spares the comparison a simulation of every scenario (the same numbers, common seed)."""
    if not notebook:
        return None
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
        payload = next(
            out["data"][SUMMARY_MIME]
            for cell in nb["cells"]
            for out in cell.get("outputs", [])
            if SUMMARY_MIME in out.get("data", {})
        )
        payload = json.loads(payload) if isinstance(payload, str) else payload
        summary = Summary.from_dict(payload["summary"])
        same = (
            payload.get("digest") == scenario.digest
            and summary.draws == values["draws"]
            and summary.seed == values["seed"]
            and summary.conditioning["method"] == "none"
            and not values.get("conditioning")
            and summary.assumptions == json.loads(json.dumps(scenario.assumptions.as_dict()))
        )
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    return summary if same else None


def _same_odds(a: Summary, b: Summary) -> bool:
    """Every target's odds exactly alike, as variants that only pay differently give on shared
    worlds: only then is "what is paid, not what is achieved" the model's assumption at work."""
    return a.p_all_met == b.p_all_met and all(
        a.targets[k].p_met == b.targets[k].p_met for k in TARGETS
    )


def _same_outlay(a: Summary, b: Summary) -> bool:
    """The outlay alike in every statistic and breakdown (an override of what set a variant
    apart: austerity at the baseline's payout share), so nothing changes at all."""
    return all(
        getattr(a.budget, part) == getattr(b.budget, part)
        for part in ("total", "by_year", "by_instrument", "by_prefecture")
    )


def _shown(p: float, last: bool = False) -> str:
    """A probability as the targets table shows it (the last column, all targets at once, has
    no status band)."""
    return percent(p) if last else leader.probability(p)


def _shown_change(first: float, p: float, last: bool = False) -> float:
    """The change in points between two probabilities as the table shows them, so a reader
    checking the rows finds it (23 % and 4 %: 19 points, not the 18.2 between the unrounded)."""
    a, b = (float(_shown(x, last).rstrip("%")) for x in (first, p))
    return b - a


def _points(first: float, p: float, last: bool = False) -> str:
    """``_shown_change`` signed, with the decimals of the more precise of the two shown."""
    places = max(len(_shown(x, last).rstrip("%").partition(".")[2]) for x in (first, p))
    return f"{round(_shown_change(first, p, last), places) + 0.0:+.{places}f}"


def _wan_change(yuan: float, first: float) -> str:
    """A change in whole 万元, signed as the odds' changes are (+2,233), and the difference of
    the two figures the table above shows (13,017 − 16,873 = −3,856), not of the unrounded
    amounts (−3,855), which a reader checking the rows would find off by one."""
    return f"{units.whole_wan(yuan) - units.whole_wan(first):+,d}"


def _section(
    heading: str,
    tables: list[Markup],
    paragraphs: list[str] | None = None,
    notes: list[str] | None = None,
    level: str = "h2",
) -> Markup:
    return render(
        "section.html.j2",
        level=level,
        heading=heading,
        paragraphs=paragraphs or [],
        tables=tables,
        notes=notes or [],
    )

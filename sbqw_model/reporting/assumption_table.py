"""The assumptions table: every lever, rule amount and uncertainty by its reader's name.

No internal names reach a reader: assumptions by their label in ``assumptions.SPECS``, rule
amounts by their ``plan.yaml`` label, rates as the notice says them (每万元5元), uncertainties
by ``labels`` with their distribution described in words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sbqw_model import prefectures, units
from sbqw_model.assumptions import SPECS, Assumptions
from sbqw_model.errors import InputError
from sbqw_model.labels import (
    BEHAVIOUR_LABEL,
    CATEGORY_LABELS,
    RECOGNITION_FIELD_LABELS,
    STRATEGY_LABELS,
    describe_distribution,
    indicator_label,
    indicator_value,
    money,
    pick,
    uncertainty_label,
)
from sbqw_model.parameters import Leaf, default_parameters
from sbqw_model.reporting.clauses import clause_id
from sbqw_model.reporting.i18n import t
from sbqw_model.scenario import Scenario, load_scenario
from sbqw_model.uncertainties import OFF_WHEN_ABSENT


def baseline_for(source: Path) -> Scenario | None:
    """The baseline beside a scenario file (else the shipped one), to say what differs from it."""
    from sbqw_model.shipped import SCENARIO_DIR

    candidate = source.parent / "baseline.yaml"
    if not candidate.is_file():
        candidate = SCENARIO_DIR / "baseline.yaml"
    try:
        return load_scenario(candidate) if candidate.is_file() else None
    except InputError:
        return None


def leaf_value(leaf: Leaf, lang: str) -> str:
    """A rule amount as the notice says it: 300万元, 每万元5元, 10个, 2025年."""
    value = leaf.value
    if leaf.unit == "yuan":
        return money(value, lang)
    if leaf.unit == "rate":
        return t("rate_per_wan", lang).format(n=f"{value * units.WAN:g}")
    if leaf.unit == "year":
        return t("year_value", lang).format(year=f"{value:.0f}")
    return f"{value:,.0f}"


def _basis(source: str, lang: str, file: str) -> str:
    """A basis in the reader's language: assumption, data, or the model's default for what
    the scenario file leaves unset (its source says "default: …"; it cites nothing, and read
    as data it claimed a public source); the scenario file holds the reasoning and citations
    (free text, in whatever language its author wrote)."""
    said = source.strip().lower()
    if said.startswith("default"):
        return t("default_basis", lang).format(file=file)
    key = "assumed_basis" if said.startswith("assumption") or not said else "data_basis"
    return t(key, lang).format(file=file)


def _observed_basis(observations_file: str, lang: str) -> str:
    """A figure from an ``--observed`` file: observed, cited in that file (its source column),
    not "public data cited in the scenario file" (which holds no word of it)."""
    return t("observed_basis", lang).format(file=observations_file)


def assumption_rows(
    scenario: Scenario, base: Scenario | None, lang: str, file: str = ""
) -> list[list[str]]:
    """Rows for the assumptions table (assumptions, rule amounts, uncertainties, shares...)."""
    yes, no = t("yes", lang), t("no", lang)
    rows: list[list[str]] = []
    defaults = base.assumptions if base else Assumptions()
    for name, value in scenario.assumptions.as_dict().items():
        spec = SPECS[name]
        rows.append(
            [
                t("assumption", lang),
                spec.label(lang),
                spec.value_label(value, lang, scenario.params),
                spec.doc(lang, scenario.params),
                yes if getattr(defaults, name) != value else no,
            ]
        )
    base_params = base.params if base else default_parameters()
    for leaf in scenario.params.leaves():
        rows.append(
            [
                t("parameter", lang),
                leaf.label(lang),
                leaf_value(leaf, lang),
                clause_id(leaf.clause, lang),
                yes if base_params.value(leaf.path) != leaf.value else no,
            ]
        )
    rows += _uncertainty_rows(scenario, base, lang, file)
    shares = t("comma", lang).join(
        f"{prefectures.label(p, lang)}{'' if lang == 'zh' else ' '}{s:.0%}"
        for p, s in zip(prefectures.NAMES_ZH, scenario.prefecture_shares, strict=True)
    )
    same_shares = base is None or np.allclose(base.prefecture_shares, scenario.prefecture_shares)
    rows.append(
        [
            t("shares", lang),
            t("shares_value", lang),
            shares,
            _basis(scenario.prefecture_source, lang, file),
            no if same_shares else yes,
        ]
    )
    rows.append(
        [
            t("behaviour", lang),
            pick(BEHAVIOUR_LABEL, lang),
            describe_distribution(
                "behaviour.growth_response_to_payout_share", scenario.growth_response_dist, lang
            )
            if scenario.growth_response_dist
            else f"{scenario.growth_response:g}",
            _basis("assumption", lang, file),
            yes if base and base.growth_response != scenario.growth_response else no,
        ]
    )
    rows += recognition_rows(scenario, base, lang, file)
    for obs in scenario.observations:
        rows.append(
            [
                t("observation", lang),
                observed_what(obs, lang),
                indicator_value(obs.indicator, obs.value, lang),
                _observed_basis(obs.origin, lang) if obs.origin else _basis(obs.source, lang, file),
                yes,
            ]
        )
    return rows


def _uncertainty_rows(
    scenario: Scenario, base: Scenario | None, lang: str, file: str
) -> list[list[str]]:
    """One row per uncertainty the scenario draws; one the base leaves out (a switch such as
    firms.reference_level) differs from it too."""
    rows = []
    for path, dist in scenario.uncertainties.items():
        other = base.uncertainties.get(path) if base else None
        differs = base is not None and (
            other is None or (other.dist, other.params) != (dist.dist, dist.params)
        )
        rows.append(
            [
                t("uncertainty", lang),
                uncertainty_label(path, lang),
                describe_distribution(path, dist, lang),
                _observed_basis(scenario.observations_file, lang)
                if path in scenario.observed_uncertainties and scenario.observations_file
                else _basis(dist.source, lang, file),
                t("yes" if differs else "no", lang),
            ]
        )
    for path in OFF_WHEN_ABSENT:  # left out, its part of the model is off: said, not hidden
        if path not in scenario.uncertainties:
            differs = base is not None and path in base.uncertainties
            rows.append(
                [
                    t("uncertainty", lang),
                    uncertainty_label(path, lang),
                    t("off_when_absent", lang),
                    _basis("default", lang, file),
                    t("yes" if differs else "no", lang),
                ]
            )
    return rows


def observed_what(obs: Any, lang: str) -> str:
    """An observation's year and indicator as a reader says it: '2023年网络零售额'."""
    return t("year_indicator", lang).format(
        year=obs.year, indicator=indicator_label(obs.indicator, lang)
    )


def _rule_text(rule: Any, lang: str) -> str:
    """One category's recognition rule as a reader says it (按目标节奏认定，余量10%)."""
    text = pick(STRATEGY_LABELS[rule.strategy], lang)
    if rule.strategy == "target_pace":
        return f"{text}{t('comma', lang)}{pick(RECOGNITION_FIELD_LABELS['buffer'], lang)}" + (
            f"{rule.buffer:.0%}" if lang == "zh" else f" {rule.buffer:.0%}"
        )
    if rule.strategy == "fixed":
        sep = t("comma", lang)
        quotas = sep.join(f"{q:,}" for q in rule.quotas)
        return f"{text}{t('colon', lang)}{quotas}"
    return text


def _kind_label(kind: str, lang: str) -> str:
    return pick(CATEGORY_LABELS[kind], lang)


def recognition_rows(
    scenario: Scenario, base: Scenario | None, lang: str, file: str = ""
) -> list[list[str]]:
    """The recognition lever per category, and the units already recognized at the end of 2022."""
    yes, no = t("yes", lang), t("no", lang)
    rows = []
    source = _basis(scenario.recognition.source or "assumption", lang, file)
    for kind, rule in scenario.recognition.rules.items():
        changed = base is not None and base.recognition.rules.get(kind) != rule
        rows.append(
            [
                t("recognition_lever", lang),
                _kind_label(kind, lang),
                _rule_text(rule, lang),
                source,
                yes if changed else no,
            ]
        )
    shared = scenario.recognition.share_unfilled
    rows.append(
        [
            t("recognition_lever", lang),
            pick(RECOGNITION_FIELD_LABELS["share_unfilled"], lang),
            f"{yes if shared else no}{t('lparen', lang)}{t('share_unfilled_doc', lang)}"
            f"{t('rparen', lang)}",
            source,
            yes if base is not None and base.recognition.share_unfilled != shared else no,
        ]
    )
    space = "" if lang == "zh" else " "
    stock = t("comma", lang).join(
        f"{_kind_label(c, lang)}{space}{n:,}" for c, n in scenario.initial_stock.items()
    )
    changed = base is not None and base.initial_stock != scenario.initial_stock
    rows.append(
        [
            t("initial_stock", lang),
            t("initial_stock", lang),
            stock,
            _basis(scenario.initial_stock_source, lang, file),
            yes if changed else no,
        ]
    )
    return rows

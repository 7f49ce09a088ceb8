"""Named variants: a report run with ``--assume`` says what changed, in its title and file name.

One function decides what differs from the scenario's own assumptions; the title
(基准情景（支付比例60%）) and the file name (``baseline-payout_share-0.6``) both come from it,
so a variant never overwrites the plain scenario's report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sbqw_model.assumptions import SPECS
from sbqw_model.outputs import safe_name
from sbqw_model.reporting.i18n import t
from sbqw_model.scenario import Scenario


def changed_assumptions(scenario: Scenario, assume: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides that differ from the scenario's own values (typed), in the spec's order."""
    if not assume:
        return {}
    updated = scenario.assumptions.updated(assume, "assume")
    own = scenario.assumptions
    return {
        name: getattr(updated, name)
        for name in SPECS
        if name in assume and getattr(updated, name) != getattr(own, name)
    }


def variant_label(scenario: Scenario, assume: Mapping[str, Any], lang: str) -> str:
    """'支付比例60%，支付滞后1年' / 'payout share 60 %, payment lag 1 year later'; '' if none."""
    changed = changed_assumptions(scenario, assume)
    sep = t("comma", lang)
    space = "" if lang == "zh" else " "
    return sep.join(
        f"{SPECS[k].label(lang)}{space}{SPECS[k].value_label(v, lang)}" for k, v in changed.items()
    )


def variant_title(scenario: Scenario, assume: Mapping[str, Any], lang: str) -> str:
    """The scenario's title, with what the overrides changed in brackets."""
    label = variant_label(scenario, assume, lang)
    if not label:
        return scenario.title(lang)
    return f"{scenario.title(lang)}{t('lparen', lang)}{label}{t('rparen', lang)}"


def variant_name(scenario: Scenario, assume: Mapping[str, Any]) -> str:
    """A file name for the variant: the scenario's name, then each changed key and value."""
    changed = changed_assumptions(scenario, assume)
    parts = [scenario.name] + [f"{k}-{_plain(v)}" for k, v in changed.items()]
    return safe_name("-".join(parts))


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

"""Named variants: a report run with ``--assume`` or ``--observed`` says what changed, in its
title and file name.

One function decides what differs from the scenario's own assumptions (``changed_assumptions``),
one how observed figures entered (``conditioning_change``); the title
(基准情景（支付比例改为60%，按观测文件example.csv加权）) and the file name
(``baseline-payout_share-0_6-observed-example``) both come from them, so a variant never
overwrites the plain scenario's report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sbqw_model.assumptions import SHARE_DIGITS, SPECS
from sbqw_model.catalogue import has_label, label
from sbqw_model.errors import InputError
from sbqw_model.outputs import safe_name
from sbqw_model.parameters import Parameters
from sbqw_model.reporting.i18n import t
from sbqw_model.scenario import Scenario, load_scenario, scenario_ref
from sbqw_model.yamlio import read_mapping

#: what a scenario file may say beside ``levers: {assumptions: …}`` and still be "its base with
#: other assumptions" (austerity: the baseline paid at half of every ceiling)
_NAMING_KEYS = {"name", "title_zh", "title_en", "description", "description_zh", "extends"}


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
    """'支付比例改为60%，额外支付滞后改为1年' / 'payout share changed to 60%, an extra payment
    lag of 1 year'; '' if none. Said as a change, so a title that names the scenario's own value
    (紧缩方案（按上限的50%支付）) does not read as a contradiction."""
    changed = changed_assumptions(scenario, assume)
    return t("comma", lang).join(
        change_phrase(k, v, lang, scenario.params) for k, v in changed.items()
    )


def change_phrase(name: str, value: Any, lang: str, params: Parameters | None = None) -> str:
    """One override as a phrase: its own wording (a yes/no, a lag), else '{label}改为{value}'
    (an amount in the value as ``params`` has it: 超过2亿元的部分 under a 2亿 threshold)."""
    key = f"assumption_change.{name}.{plain_value(value)}"
    if has_label(key):
        return label(key, lang)
    spec = SPECS[name]
    template = label("assumption_change.default", lang)
    return template.format(label=spec.label(lang), value=spec.value_label(value, lang, params))


def variant_note(scenario: Scenario, assume: Mapping[str, Any], lang: str) -> str:
    """For a variant's first screen: what changed against which scenario, and that the
    description that follows is that scenario's own ('' for the plain scenario)."""
    changes = variant_label(scenario, assume, lang)
    if not changes:
        return ""
    return label("assumption_change.note", lang).format(title=scenario.title(lang), changes=changes)


def variant_title(
    scenario: Scenario, assume: Mapping[str, Any], lang: str, conditioned: Scenario | None = None
) -> str:
    """The scenario's title, with what the overrides changed and how the observed figures of
    ``conditioned`` (the scenario as run) entered in brackets. An override of what defines the
    scenario against its base makes its title untrue (紧缩方案（按上限的50%支付） at 60%): it is
    then said as its base with the change (基准情景（支付比例改为60%）)."""
    changed = changed_assumptions(scenario, assume)
    base = assumptions_over(scenario) if changed else None
    if base is not None and any(
        getattr(base.assumptions, k) != getattr(scenario.assumptions, k) for k in changed
    ):
        return variant_title(base, assume, lang, conditioned)
    parts = [variant_label(scenario, assume, lang), conditioning_label(scenario, conditioned, lang)]
    shown = t("comma", lang).join(p for p in parts if p)
    if not shown:
        return scenario.title(lang)
    return f"{scenario.title(lang)}{t('lparen', lang)}{shown}{t('rparen', lang)}"


def assumptions_over(scenario: Scenario) -> Scenario | None:
    """The scenario its file extends when the file sets nothing but assumptions on top of it
    (so its title names those assumptions); else None."""
    if scenario.path is None:
        return None
    try:
        raw, _ = read_mapping(scenario.path, "scenario")
        levers = raw.get("levers") or {}
        if (
            "extends" not in raw
            or set(raw) - _NAMING_KEYS - {"levers"}
            or not isinstance(levers, dict)
            or set(levers) - {"assumptions"}
        ):
            return None
        return load_scenario(scenario_ref(raw["extends"], scenario.path))
    except (InputError, OSError):
        return None


def variant_name(
    scenario: Scenario, assume: Mapping[str, Any], conditioned: Scenario | None = None
) -> str:
    """A file name for the variant: the scenario's name, then each changed key and value, then
    how it was conditioned (``conditioning_suffix``)."""
    changed = changed_assumptions(scenario, assume)
    parts = [scenario.name] + [f"{k}-{plain_value(v)}" for k, v in changed.items()]
    suffix = conditioning_suffix(scenario, conditioned)
    return safe_name("-".join(parts + ([suffix] if suffix else [])))


def conditioning_change(plain: Scenario, conditioned: Scenario | None) -> tuple[str, str]:
    """How ``conditioned`` (``plain`` run with ``--observed``/``--conditioning``) rests on
    observed figures unlike ``plain``: (observations file name or '', ``weight`` | ``pin`` |
    ``level``), ('', '') if alike. ``level``: the file holds 2022 figures only, which fix the
    starting level whatever the method; without a file, only a changed method is a change."""
    from sbqw_model.conditioning import plan_year_observations

    if conditioned is None:
        return "", ""
    plan_years = plan_year_observations(conditioned)
    if conditioned.observations_file:
        from_file = any(o.origin for o in plan_years)
        return conditioned.observations_file, conditioned.conditioning if from_file else "level"
    if plan_years and conditioned.conditioning != plain.conditioning:
        return "", conditioned.conditioning
    return "", ""


def conditioning_label(plain: Scenario, conditioned: Scenario | None, lang: str) -> str:
    """'按观测文件example.csv加权' / 'pinned to the observed figures in example.csv' /
    '按情景自带观测值加权'; '' if the figures are the plain scenario's own, entered its way."""
    file, mode = conditioning_change(plain, conditioned)
    if not mode:
        return ""
    return label(f"conditioned.{'file' if file else 'own'}.{mode}", lang).format(file=file)


def conditioning_suffix(plain: Scenario, conditioned: Scenario | None) -> str:
    """``observed-<file stem>`` (``-pinned`` if pinned), ``pinned`` / ``weighted`` for a
    changed method alone; '' if alike. Weighted and pinned runs of one file differ in every
    number, so they differ in name too."""
    file, mode = conditioning_change(plain, conditioned)
    method = {"pin": "pinned", "weight": "weighted"}.get(mode, "")
    if not file:
        return method
    return f"observed-{Path(file).stem}" + ("-pinned" if mode == "pin" else "")


def compared_titles(
    pairs: Sequence[tuple[Scenario, Scenario | None]], assume: Mapping[str, Any], lang: str
) -> tuple[str, list[str]]:
    """A comparison's heading and each scenario's title in it (as written, as conditioned):
    how observed figures entered, said once in the heading when all share it (紧缩方案 does
    not repeat 按观测文件example.csv加权 after 基准情景), else after each title (a scenario
    that pins its figures beside one weighted by them); titles told apart
    (``labels.distinct_titles``)."""
    from sbqw_model.labels import distinct_titles

    phrases = {conditioning_label(p, c, lang) for p, c in pairs}
    shared = phrases.pop() if len(phrases) == 1 else ""
    titles = [variant_title(p, assume, lang, None if shared else c) for p, c in pairs]
    heading = t("compare_title", lang)
    if shared:
        heading += f"{t('lparen', lang)}{shared}{t('rparen', lang)}"
    return heading, distinct_titles(titles, [p.name for p, _ in pairs], lang)


def plain_value(value: Any) -> str:
    """A value as ``--assume`` takes it (``true``, ``0.6``, ``excess``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # as precise as its title says it (``share_shown``)
        return f"{value + 0.0:.{SHARE_DIGITS}g}"  # -0.0 is 0
    return str(value)

"""The leader's first screen: what each status means, the conclusion sentences, what a number is.

Everything a leader reads before the tables is decided here, from the summary alone, so the
sentences always agree with the numbers below them (tests recompute both). The statuses are
defined once (``STATUSES``) and shown once, with their meaning, under the targets table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sbqw_model import palette
from sbqw_model.catalogue import label
from sbqw_model.engine import TARGETS
from sbqw_model.labels import AT_RISK_FROM, ON_COURSE_FROM, money, outlay_note, percent
from sbqw_model.reporting.i18n import t, target_name
from sbqw_model.summary import Summary

#: Below ``AT_RISK_FROM``, a median at least this share of the target is "close", not red:
#: 49 % against a median of 998 vs 1 000 is a coin toss around the target, not a failure.
CLOSE_MEDIAN_SHARE = 0.97


@dataclass(frozen=True)
class Status:
    """A target's status: its key and colour; its name, meaning and sentence are catalogue
    entries (``status.<key>``, ``status.<key>.meaning``, ``status.<key>.sentence``)."""

    key: str
    colour: str

    def label(self, lang: str) -> str:
        return label(f"status.{self.key}", lang)

    def meaning(self, lang: str) -> str:
        return label(f"status.{self.key}.meaning", lang).format(
            high=f"{ON_COURSE_FROM:.0%}",
            low=f"{AT_RISK_FROM:.0%}",
            share=f"{CLOSE_MEDIAN_SHARE:.0%}",
        )

    def sentence(self, names: str, lang: str) -> str:
        return label(f"status.{self.key}.sentence", lang).format(names=names)


STATUSES: dict[str, Status] = {
    s.key: s
    for s in (
        Status("on_course", palette.ON_COURSE),
        Status("at_risk", palette.AT_RISK),
        Status("close", palette.CLOSE),
        Status("unlikely", palette.UNLIKELY),
    )
}

#: What a target's fate mostly hangs on: the uncertainties that drive it in the model.
TARGET_DRIVERS: dict[str, str] = {
    "parks": "driver.recognition",
    "bases": "driver.recognition",
    "enterprises": "driver.recognition",
    "teams": "driver.recognition",
    "enterprises_and_teams": "driver.recognition",
    "products": "driver.products",
    "online_retail": "driver.online_retail",
}


def status(p_met: float, median: float, target: float) -> Status:
    """The status of one target from its probability and its median against the target."""
    if p_met >= ON_COURSE_FROM:
        return STATUSES["on_course"]
    if p_met >= AT_RISK_FROM:
        return STATUSES["at_risk"]
    if target > 0 and median >= CLOSE_MEDIAN_SHARE * target:
        return STATUSES["close"]
    return STATUSES["unlikely"]


def target_status(summary: Summary, key: str) -> Status:
    s = summary.targets[key]
    return status(s.p_met, s.central, s.target)


def probability(p_met: float) -> str:
    """A target's probability as the targets table shows it: never rounded across a status
    band's edge (79.8 % is not '80%' beside a legend that calls 80 % on course)."""
    return percent(p_met, (AT_RISK_FROM, ON_COURSE_FROM))


def is_upper_bound(summary: Summary) -> bool:
    """Payouts are an upper bound when every ceiling is paid in full (payout share 1)."""
    return float(summary.assumptions.get("payout_share", 1.0)) >= 1.0


def _in_prose(key: str, lang: str) -> str:
    """A target's name inside a sentence: English names are not proper nouns."""
    name = target_name(key, lang)
    return name if lang == "zh" else name[:1].lower() + name[1:]


def _join(items: list[str], lang: str) -> str:
    if lang == "zh" or len(items) < 2:
        return t("enum", lang).join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _named(summary: Summary, key: str, lang: str) -> str:
    """A target in the conclusion; a close one with how close: '网络零售额（中位数为目标的99%）'."""
    s = summary.targets[key]
    if target_status(summary, key).key != "close":
        return _in_prose(key, lang)
    ratio = s.central / s.target if s.target else 0.0
    note = t("percent_of_target", lang).format(r=percent(ratio, (CLOSE_MEDIAN_SHARE,)))
    return f"{_in_prose(key, lang)}{t('lparen', lang)}{note}{t('rparen', lang)}"


def _part(summary: Summary, state: str, keys: list[str], lang: str) -> str:
    """One status and its targets ('…目标存在风险')."""
    names = [_named(summary, k, lang) for k in keys]
    return STATUSES[state].sentence(_subject(_join(names, lang), len(names), lang), lang)


def _drivers(keys: list[str], lang: str) -> str:
    """What the targets not on course hang on, each kind of target once ('认定类目标取决于申报
    数量和合格率；网络零售额目标取决于…'): an "unlikely" too, which is no finding about the world
    but the scenario's assumptions (a 2022 level no one has published, an assumed growth) read
    forward. Empty when every target is on course."""
    kinds = list(dict.fromkeys(TARGET_DRIVERS[k] for k in keys if k in TARGET_DRIVERS))
    parts = [
        t("driver_part", lang).format(
            who=label(kind.replace("driver.", "driver_group."), lang), what=label(kind, lang)
        )
        for kind in kinds
    ]
    if not parts:
        return ""
    text = t("semicolon", lang).join(parts)
    return t("conclusion_drivers", lang).format(parts=text[:1].upper() + text[1:])


def conclusion(summary: Summary, lang: str) -> list[str]:
    """Two sentences: the targets by status, then what those not on course hang on; the
    outlay."""
    groups: dict[str, list[str]] = {k: [] for k in STATUSES}
    for key in TARGETS:
        groups[target_status(summary, key).key].append(key)
    parts = [_part(summary, state, keys, lang) for state, keys in groups.items() if keys]
    first = t("conclusion_targets", lang).format(parts=t("semicolon", lang).join(parts))
    doubtful = [k for k in TARGETS if k not in groups["on_course"]]  # in the table's order
    first += _drivers(doubtful, lang)
    total = summary.budget.total
    # one unit for both, each as the tables below show it (one figure everywhere: "约")
    central = money(total.central, lang, like=total.high)
    high = money(total.high, lang)
    kind = t("upper_bound_full", lang) if is_upper_bound(summary) else outlay_note(summary, lang)
    years = sorted(summary.budget.by_year, key=int)  # payment years: the last is after 2025
    paid = t("paid_years", lang).format(first=years[0], last=years[-1]) if years else ""
    second = t("conclusion_outlay", lang).format(central=central, high=high, kind=kind, paid=paid)
    share = decided_share(summary)
    if share is not None:
        second += t("conclusion_decided", lang).format(share=f"{share:.0%}")
    return [first, second]


def decided_share(summary: Summary) -> float | None:
    """The share of the mean outlay that one-time recognition awards make, capped by the
    department's quotas round by round (a lever). None where nothing is capped by a quota (every
    recognized category ``all_qualified``: supply alone decides), where the summary has no
    instrument breakdown, or where the share would show as 0 %."""
    from sbqw_model.instruments import REGISTRY

    budget = summary.budget
    entries = [e for _, e in REGISTRY.of_kind("recognition") if e.key in budget.by_instrument]
    quotas = [summary.recognition_levers.get(e.recipients, "") for e in entries]
    if not entries or budget.total.mean <= 0 or all(q.startswith(UNCAPPED) for q in quotas):
        return None
    share = sum(budget.by_instrument[e.key].mean for e in entries) / budget.total.mean
    return share if share >= SHOWN_SHARE else None


#: The recognition strategy (``recognition.STRATEGIES``) that sets no quota: supply decides.
UNCAPPED = "all_qualified"
#: Below this a share would read "0%": the sentence is left out.
SHOWN_SHARE = 0.005


def _subject(names: str, count: int, lang: str) -> str:
    """The targets as a sentence's subject: Chinese needs nothing more ('…目标存在风险'); English
    names them as targets, the verb agreeing ('the targets for parks and bases are')."""
    if lang == "zh":
        return names
    return f"the target for {names} is" if count == 1 else f"the targets for {names} are"

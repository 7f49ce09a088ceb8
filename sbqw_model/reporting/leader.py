"""The leader's first screen: what each status means, the conclusion sentences, what a number is.

Everything a leader reads before the tables is decided here, from the summary alone, so the
sentences always agree with the numbers below them (tests recompute both). The statuses are
defined once (``STATUSES``) and shown once, with their meaning, under the targets table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sbqw_model.engine import TARGETS
from sbqw_model.labels import money, pick
from sbqw_model.reporting.i18n import t, target_name
from sbqw_model.summary import Summary

#: A probability at or above this is "on course"; at or above ``AT_RISK_FROM`` "at risk".
ON_COURSE_FROM = 0.8
AT_RISK_FROM = 0.5
#: Below ``AT_RISK_FROM``, a median at least this share of the target is "close", not red:
#: 49 % against a median of 998 vs 1 000 is a coin toss around the target, not a failure.
CLOSE_MEDIAN_SHARE = 0.97


@dataclass(frozen=True)
class Status:
    key: str
    colour: str
    zh: str
    en: str
    meaning_zh: str
    meaning_en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def meaning(self, lang: str) -> str:
        return self.meaning_zh if lang == "zh" else self.meaning_en


STATUSES: dict[str, Status] = {
    s.key: s
    for s in (
        Status(
            "on_course",
            "#2e7d32",
            "有望达成",
            "on course",
            f"达成概率不低于{ON_COURSE_FROM:.0%}",
            f"probability of at least {ON_COURSE_FROM:.0%}",
        ),
        Status(
            "at_risk",
            "#f9a825",
            "存在风险",
            "at risk",
            f"达成概率为{AT_RISK_FROM:.0%}至{ON_COURSE_FROM:.0%}：多数情形能达成，但把握不足",
            f"probability from {AT_RISK_FROM:.0%} to {ON_COURSE_FROM:.0%}: met in most worlds,"
            " but not safely",
        ),
        Status(
            "close",
            "#ef6c00",
            "接近",
            "close",
            f"达成概率低于{AT_RISK_FROM:.0%}，但中位数已达目标的{CLOSE_MEDIAN_SHARE:.0%}以上："
            "成败在毫厘之间",
            f"probability below {AT_RISK_FROM:.0%}, but the median is at least"
            f" {CLOSE_MEDIAN_SHARE:.0%} of the target: it could go either way",
        ),
        Status(
            "unlikely",
            "#c62828",
            "难以达成",
            "unlikely",
            f"达成概率低于{AT_RISK_FROM:.0%}，且中位数不足目标的{CLOSE_MEDIAN_SHARE:.0%}",
            f"probability below {AT_RISK_FROM:.0%} and the median below"
            f" {CLOSE_MEDIAN_SHARE:.0%} of the target",
        ),
    )
}

_RECOGNITION = ("申报数量和认定通过率", "the number of applications and the approval rate")
#: What a target's fate mostly hangs on: the uncertainties that drive it in the model.
TARGET_DRIVERS: dict[str, tuple[str, str]] = {
    "parks": _RECOGNITION,
    "bases": _RECOGNITION,
    "enterprises": _RECOGNITION,
    "teams": _RECOGNITION,
    "enterprises_and_teams": _RECOGNITION,
    "products": ("畅销产品的增速", "the growth of best-selling products"),
    "online_retail": (
        "网络零售额增速和2022年的实际水平",
        "online retail growth and its actual 2022 level",
    ),
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


def is_upper_bound(summary: Summary) -> bool:
    """Payouts are an upper bound when every ceiling is paid in full (payout share 1)."""
    return float(summary.assumptions.get("payout_share", 1.0)) >= 1.0


def outlay_kind(payout_share: float, lang: str) -> str:
    """'上限' when the ceilings are paid, else '按上限的60%支付': said wherever outlay appears."""
    if payout_share >= 1.0:
        return t("upper_bound", lang)
    return t("at_share", lang).format(share=f"{payout_share:.0%}")


def outlay_note(summary: Summary, lang: str) -> str:
    return outlay_kind(float(summary.assumptions.get("payout_share", 1.0)), lang)


def _in_prose(key: str, lang: str) -> str:
    """A target's name inside a sentence: English names are not proper nouns."""
    name = target_name(key, lang)
    return name if lang == "zh" else name[:1].lower() + name[1:]


def _join(items: list[str], lang: str) -> str:
    if lang == "zh" or len(items) < 2:
        return t("enum", lang).join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _target_clause(summary: Summary, key: str, lang: str) -> str:
    """'网络零售额（中位数为目标的99%，取决于网络零售额年均增速）'."""
    s = summary.targets[key]
    notes = []
    if target_status(summary, key).key == "close":
        ratio = s.central / s.target if s.target else 0.0
        notes.append(t("percent_of_target", lang).format(r=f"{ratio:.0%}"))
    if key in TARGET_DRIVERS:
        notes.append(t("depends_on", lang).format(what=pick(TARGET_DRIVERS[key], lang)))
    inner = t("comma", lang).join(notes)
    return f"{_in_prose(key, lang)}{t('lparen', lang)}{inner}{t('rparen', lang)}"


_GROUP_TEXT = {
    "on_course": ("{names}目标有望达成", "{names} {verb} on course"),
    "at_risk": ("{names}目标存在风险", "{names} {verb} at risk"),
    "close": ("{names}目标接近达成", "{names} {verb} close"),
    "unlikely": ("{names}目标难以达成", "{names} {verb} unlikely"),
}


def conclusion(summary: Summary, lang: str) -> list[str]:
    """Two sentences: the targets by status (with what the doubtful ones hang on), the outlay."""
    groups: dict[str, list[str]] = {k: [] for k in STATUSES}
    for key in TARGETS:
        state = target_status(summary, key).key
        name = (
            _target_clause(summary, key, lang)
            if state in ("at_risk", "close")
            else _in_prose(key, lang)
        )
        groups[state].append(name)
    parts = [
        _GROUP_TEXT[k][0 if lang == "zh" else 1].format(
            names=_join(names, lang), verb="is" if len(names) == 1 else "are"
        )
        for k, names in groups.items()
        if names
    ]
    if lang == "zh":
        first = "按本情景的假设，" + "；".join(parts) + "。"
    else:
        first = "Under this scenario's assumptions, " + "; ".join(parts) + "."
    total = summary.budget.total
    central, high = money(total.central, lang, 1), money(total.high, lang, 1)
    if lang == "zh":
        kind = "按政策上限全额支付的上限" if is_upper_bound(summary) else outlay_note(summary, lang)
        second = (
            f"方案支出合计中位数约{central}，95%的模拟情形不超过{high}"
            f"{t('lparen', lang)}{kind}{t('rparen', lang)}。"
        )
    else:
        kind = (
            "an upper bound, every ceiling paid in full"
            if is_upper_bound(summary)
            else outlay_note(summary, lang)
        )
        second = (
            f"The plan's total outlay has a median of about {central} and stays below {high} in"
            f" 95 % of simulated worlds ({kind})."
        )
    return [first, second]

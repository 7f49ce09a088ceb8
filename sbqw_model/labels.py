"""Reader's names (zh/en) shared by reports and research: uncertainties, their parameters.

The words are in the label catalogue (``sbqw_model/catalogue/labels.yaml``); this module keeps
the tables other modules read and the code that formats values (money, rates, distributions).
Kept below both ``reporting`` and ``research`` so neither imports the other for a label.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sbqw_model import units
from sbqw_model.catalogue import group, label, pair
from sbqw_model.distributions import MONEY_DOMAINS, Distribution
from sbqw_model.scenario import UNCERTAINTIES

#: The reader's names as (zh, en) pairs, read from the label catalogue (one place for words).
_CATEGORY = group("category")
UNCERTAINTY_LABELS: dict[str, tuple[str, str]] = group("uncertainty")
DIST_PARAMS: dict[str, tuple[str, str]] = group("dist_param")
#: How a distribution reads in a report: its name and each parameter's name there.
DIST_NAMES: dict[str, tuple[str, str]] = group("distribution")
_READ_AS: dict[str, tuple[str, str]] = {**DIST_PARAMS, **group("dist_read")}

MILLION = 1e6  # not a rule amount: the unit of English amounts (¥…m)
BILLION = MILLION * 1000

BEHAVIOUR_LABEL = pair("factor.behaviour")
RECOGNITION_FIELD_LABELS = group("factor.recognition")
#: The recognition strategies (levers.recognition.strategy) as a reader says them.
STRATEGY_LABELS = group("strategy")
#: The four recognized categories as they read in a sentence (zh, en plural).
CATEGORY_LABELS = _CATEGORY

_RATES = ("rate", "probability", "share")


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def uncertainty_label(path: str, lang: str) -> str:
    return pick(UNCERTAINTY_LABELS[path], lang) if path in UNCERTAINTY_LABELS else path


def is_money(path: str) -> bool:
    """An uncertainty whose values are amounts in yuan: every ``level`` and ``retail`` is
    (``distributions.MONEY_DOMAINS``), so a new one reads as money without being listed here."""
    return UNCERTAINTIES.get(path, ("", ""))[0] in MONEY_DOMAINS


def uncertainty_value(path: str, value: float, lang: str) -> str:
    """One value of an uncertainty as a reader says it: 600亿元, 14%, 1,200."""
    if is_money(path):
        return money(value, lang)
    domain = UNCERTAINTIES.get(path, ("", ""))[0]
    if domain in _RATES or path.endswith(("growth", "growth_noise")):
        return f"{value * 100:.3g}%"
    if domain == "count":  # a mean count may be fractional (4.5 applications a year): kept
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{value:.3g}"


def money(
    yuan: float,
    lang: str,
    digits: int | None = None,
    *,
    up: bool = False,
    like: float | None = None,
) -> str:
    """An amount as a reader says it: 亿元 / 万元 (zh), ¥…bn / ¥…m (en).

    ``digits``: decimals of 亿, bn and m (None: three significant figures, so 2.5亿 stays
    2.5亿 and 699.8亿 reads 700亿); 万元 and whole yuan never have decimals. ``up`` rounds up,
    for a figure the prose calls a bound ("不超过…"): rounded down, the bound would be false.
    ``like``: take the unit this other amount would get, so two amounts in one sentence share
    it. A nonzero amount never reads as zero: below 1万元 (zh) or ¥1m (en) it is in yuan.
    """
    text, _, suffix = _shown(yuan, lang, digits, up, like)
    return ("-" if yuan < 0 else "") + suffix.format(text)


def as_shown(yuan: float, lang: str, like: float | None = None) -> float:
    """The amount ``money`` shows (same arguments), as a number of yuan: a difference of two
    shown amounts, computed from these, agrees with what the page shows (1.90 − 1.68 = 0.22,
    not the 0.23 of the unrounded amounts)."""
    text, scale, _ = _shown(yuan, lang, None, False, like)
    return math.copysign(float(text.replace(",", "")) * scale, yuan)


def _shown(
    yuan: float, lang: str, digits: int | None, up: bool, like: float | None
) -> tuple[str, float, str]:
    """(digits as shown, the unit's size in yuan, the unit's pattern) of an amount."""
    ref = abs(yuan if like is None else like) or (units.WAN if lang == "zh" else MILLION)
    for scale, suffix, places in _units(ref, lang, digits):
        text = _number(abs(yuan) / scale, places, up and yuan >= 0)
        if yuan == 0 or text.strip("0.,") or scale == 1:  # a nonzero amount never reads 0
            return text, scale, suffix
    raise AssertionError("unreachable: the last unit is the yuan")


def _units(ref: float, lang: str, digits: int | None) -> list[tuple[float, str, int | None]]:
    """The units to try for an amount of size ``ref``, largest fitting first, the yuan last."""
    if lang == "zh":
        yi, wan, yuan = (label(f"report.{k}", "zh") for k in ("yi_yuan", "wan_yuan", "yuan"))
        found = [(units.YI, "{}" + yi, digits)] if ref >= units.YI else []
        found += [(units.WAN, "{}" + wan, 0)] if ref >= units.WAN else []
        return [*found, (1.0, "{}" + yuan, 0)]
    found = [(BILLION, "¥{}bn", digits)] if ref >= BILLION else []
    found += [(MILLION, "¥{}m", digits)] if ref >= MILLION else []
    return [*found, (1.0, "¥{}", 0)]


def _number(value: float, digits: int | None, up: bool = False) -> str:
    """``value`` with ``digits`` decimals (None: three significant figures, at most two
    decimals, trailing zeros dropped; a whole number never shows ``.0``), rounded up if ``up``."""
    whole = len(str(int(abs(value)))) if abs(value) >= 1 else 1
    places = max(0, min(2, 3 - whole)) if digits is None else digits
    if up:
        value = math.ceil(round(value * 10**places, 6)) / 10**places
    text = f"{value:,.{places}f}"
    if places and (digits is None or float(text.replace(",", "")) == round(value)):
        text = text.rstrip("0").rstrip(".")
    return text


#: A probability at or above this is "on course"; at or above ``AT_RISK_FROM`` "at risk"
#: (``reporting.leader``'s statuses; here so the workbook, a core module, shows them alike).
ON_COURSE_FROM = 0.8
AT_RISK_FROM = 0.5


def percent(share: float, edges: Sequence[float] = (), decimals: int = 0) -> str:
    """A probability or share as a reader sees it ('80%'), with more decimals wherever rounding
    would put it across a line the reader judges it by: the ``edges`` (a status band's 80 %)
    and 0 and 100 % themselves. Beside a legend that calls 80 % on course, 79.8 % must not
    read '80%'; nor 99.8 % a certain '100%'. Two decimals more at most, then cut toward the
    true side ('79.99%'). An edge counts as reached at or above it, as the statuses do."""

    def crosses(shown: float) -> bool:
        reached = any((shown >= e) != (share >= e) for e in (*edges, 1.0))
        return reached or (shown > 0) != (share > 0)

    for places in range(decimals, decimals + 3):
        text = f"{share * 100:.{places}f}"
        if not crosses(float(text) / 100):
            return f"{text}%"
    scale = 10**places
    over = any(share < e <= float(text) / 100 for e in (*edges, 1.0))
    cut = math.floor(share * 100 * scale) if over else math.ceil(share * 100 * scale)
    return f"{cut / scale:.{places}f}%"


def bracketed(text: str, inside: Sequence[str], lang: str) -> str:
    """``text（a，b）``, ``text (a, b)``: a unit and a note share one bracket, as a Chinese
    analyst writes them (预算安排（万元，示例）), never two brackets in a row."""
    inside = [s for s in inside if s]
    if not inside:
        return text
    sep = label("report.comma", lang)
    return f"{text}{label('report.lparen', lang)}{sep.join(inside)}{label('report.rparen', lang)}"


def distinct_titles(
    titles: Sequence[str], names: Sequence[str], lang: str, taken: Iterable[str] = ()
) -> list[str]:
    """Each scenario's title as a comparison shows it, once: two files may share a title (a
    copy of baseline.yaml, edited), and a table or sentence keyed by title kept one of them. A
    title met before (or in ``taken``, a table's own headers) gets the scenario's name in
    brackets (``names[i]``), then a number: 基准情景（half）. Titles are compared as a reader
    sees them: ``基准情景 `` (a trailing space) or one with a zero-width space is 基准情景 on a
    page and in a cell, and was kept apart from it only in the string."""
    seen, out = {_as_seen(t) for t in taken}, []
    for title, name in zip(titles, names, strict=True):
        shown, n = title, 1
        while _as_seen(shown) in seen:
            shown = bracketed(title.strip(), [name, str(n) if n > 1 else ""], lang)
            n += 1
        seen.add(_as_seen(shown))
        out.append(shown)
    return out


def _as_seen(text: str) -> str:
    """``text`` as a page or a cell shows it: runs of white space one space, none at the ends,
    no invisible (format) characters such as a zero-width space."""
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


def with_error(share: float, se: float) -> str:
    """A probability and its Monte Carlo standard error ('30.2% ± 0.7%'), with decimals enough
    that a nonzero error never reads '± 0.0%' (0.08% ± 0.04%), the probability as ``percent``
    shows it (never across 0 or 100 %)."""
    places = 1 if se <= 0 else max(1, min(4, -math.floor(math.log10(se * 100))))
    return f"{percent(share, decimals=places)} ± {se * 100:.{places}f}%"


def fewer_effective(draws: int, effective: float) -> int | None:
    """The effective draws, rounded, when weighting by observed figures left fewer distinct
    worlds than draws (else None): a figure from 5,000 draws that rest on ~170 worlds must say
    so, or "5,000" claims a precision its ± does not have."""
    n = round(effective)
    return n if n < draws else None


def effective_note(draws: int, effective: float, lang: str) -> str:
    """'（按观测值加权后，有效模拟次数约163）' after a number of draws, or ''
    (``fewer_effective``)."""
    n = fewer_effective(draws, effective)
    return "" if n is None else label("report.effective_draws", lang).format(n=f"{n:,}")


def outlay_kind(payout_share: float, lang: str) -> str:
    """'上限' when the ceilings are paid, else '按上限的60%支付': said wherever outlay appears
    (reports, charts, workbooks)."""
    if payout_share >= 1.0:
        return label("report.upper_bound", lang)
    from sbqw_model.assumptions import share_shown

    return label("report.at_share", lang).format(share=share_shown(payout_share))


def outlay_note(summary: Any, lang: str) -> str:
    """``outlay_kind`` of a run's summary (its ``assumptions`` as recorded)."""
    return outlay_kind(float(summary.assumptions.get("payout_share", 1.0)), lang)


def describe_distribution(path: str, dist: Distribution, lang: str) -> str:
    """'三角分布：最小400亿元，最可能600亿元，最大850亿元' / 'triangular: from …, to …'."""
    name = pick(DIST_NAMES.get(dist.dist, (dist.dist, dist.dist)), lang)
    shown = [
        (pick(_READ_AS.get(k, (k, k)), lang), uncertainty_value(path, v, lang))
        for k, v in dist.params.items()
    ]
    if dist.dist == "fixed":
        return f"{name}{shown[0][1]}" if lang == "zh" else f"{name} {shown[0][1]}"
    if lang == "zh":
        return f"{name}：" + "，".join(f"{k}{v}" for k, v in shown)
    said = ", ".join(f"{k} {v}" for k, v in shown)
    if list(dist.params) == ["low", "high"]:  # "uniform: from 6 to 12", not "from 6, to 12"
        said = " ".join(f"{k} {v}" for k, v in shown)
    return f"{name}: {said}"


_INDICATORS: dict[str, tuple[str, str]] = group("indicator")


def indicator_label(indicator: str, lang: str) -> str:
    """An observable indicator (``scenario.INDICATORS``) by its reader's name."""
    return pick(_INDICATORS[indicator], lang) if indicator in _INDICATORS else indicator


def indicator_value(indicator: str, value: float, lang: str) -> str:
    return money(value, lang, 1) if indicator == "online_retail" else f"{value:,.0f}"

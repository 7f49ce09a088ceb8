"""Money display: computed in yuan, shown in 万元 and 亿元 with clear labels."""

from __future__ import annotations

import math

import numpy as np

from sbqw_model.catalogue import label
from sbqw_model.limits import MAX_YUAN

WAN = 10_000.0  # 1 万元 in yuan (a unit of account, not a rule amount)
YI = WAN * WAN  # 1 亿元 in yuan (10 000 万)
HALF_FEN = 0.005  # half the smallest unit of money: amounts closer than this read alike


def wan(yuan: float, digits: int = 2) -> str:
    """'1,234.56 万元'."""
    return f"{yuan / WAN:,.{digits}f} " + label("report.wan_yuan", "zh")


def yi(yuan: float, digits: int = 2) -> str:
    """'12.34 亿元'."""
    return f"{yuan / YI:,.{digits}f} " + label("report.yi_yuan", "zh")


def wan_number(yuan: float, digits: int = 2) -> str:
    return f"{yuan / WAN:,.{digits}f}"


def whole_wan(yuan: float) -> int:
    """The whole 万元 a leader table shows (``wan_number(yuan, 0)``, rounded alike): a change
    between two shown amounts is the difference of these, as a reader checking the rows finds
    it, not of the unrounded amounts (16,907 − 8,453 is 8,454 even where the yuan say 8,453.4)."""
    return round(yuan / WAN)


def auto(yuan: float, digits: int = 2) -> str:
    """亿元 from 1亿 upward, else 万元: the unit a reader expects for the size."""
    return yi(yuan, digits) if abs(yuan) >= YI else wan(yuan, digits)


#: The units a rule's amount is named in, largest first: (size in yuan, catalogue key or English
#: words). Chinese counts in 亿 and 万, English in billions and millions (the catalogue's names
#: write "1 billion yuan", "100 million yuan").
_WORD_UNITS = {
    "zh": ((YI, "report.yi_yuan"), (WAN, "report.wan_yuan"), (1.0, "report.yuan")),
    "en": ((WAN * 100_000, "billion yuan"), (WAN * 100, "million yuan"), (1.0, "yuan")),
}


def amount_words(yuan: float, lang: str) -> str:
    """A rule's amount as a name says it: 10亿元, 100万元 (zh, as the reports' prose writes
    amounts); 1 billion yuan, 100 million yuan (en). Exact to the fen (and to a float's own
    noise), in the largest unit that says it with at most four decimals, else a smaller one: a
    label naming a threshold of 10.05亿 must not read as the notice's 10亿, nor one of
    1,000,000,000.12元 as 10亿元 (a firm with 10亿 does not reach it), nor 0.00001元 as 0."""
    steps = _WORD_UNITS["zh" if lang == "zh" else "en"]
    first = next(i for i, (s, _) in enumerate(steps) if abs(yuan) >= s or s == 1.0)
    tolerance = max(HALF_FEN, 8 * math.ulp(yuan))
    for scale, unit in steps[first:]:
        for places in range(5):
            text = f"{yuan / scale:,.{places}f}"
            shown = float(text.replace(",", ""))
            if abs(shown * scale - yuan) <= tolerance and (shown == 0) == (yuan == 0):
                return _in_unit(text, unit, lang)
    # under half a fen but not 0 (a sweep's sampled threshold): two significant digits, no
    # exponent, never "0"
    text = np.format_float_positional(yuan, precision=2, unique=False, fractional=False, trim="-")
    return _in_unit(text, steps[-1][1], lang)


def _in_unit(text: str, unit: str, lang: str) -> str:
    return text + label(unit, "zh") if lang == "zh" else f"{text} {unit}"


def misread_hint(value: object, least: float) -> str:
    """What a figure below ``least`` yuan would be if typed in 亿元 or 万元 (the units Chinese
    statistics give it in), for an error message: "; if it is in 亿元, write 65000000000"."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < least:
        return ""
    units = (("report.yi_yuan", YI), ("report.wan_yuan", WAN))  # as statistics print them
    readings = [(label(key, "zh"), value * unit) for key, unit in units]
    said = [f"in {name}, write {y:.0f}" for name, y in readings if least <= y <= MAX_YUAN]
    return f"; if it is {' or '.join(said)}" if said else ""

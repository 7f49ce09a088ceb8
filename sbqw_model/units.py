"""Money display: computed in yuan, shown in 万元 and 亿元 with clear labels."""

from __future__ import annotations

from sbqw_model.catalogue import label
from sbqw_model.limits import MAX_YUAN

WAN = 10_000.0  # 1 万元 in yuan (a unit of account, not a rule amount)
YI = WAN * WAN  # 1 亿元 in yuan (10 000 万)


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


def misread_hint(value: object, least: float) -> str:
    """What a figure below ``least`` yuan would be if typed in 亿元 or 万元 (the units Chinese
    statistics give it in), for an error message: "; if it is in 亿元, write 65000000000"."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < least:
        return ""
    units = (("report.yi_yuan", YI), ("report.wan_yuan", WAN))  # as statistics print them
    readings = [(label(key, "zh"), value * unit) for key, unit in units]
    said = [f"in {name}, write {y:.0f}" for name, y in readings if least <= y <= MAX_YUAN]
    return f"; if it is {' or '.join(said)}" if said else ""

"""The clause appendix: every clause a report relies on, quoted in Chinese from the notice.

Quotes come from ``parameters/clauses.yaml`` (clause id → exact words of 黔商发〔2023〕1号, tested
to be verbatim substrings of ``sbqw_model/policy/qianshangfa-2023-1.zh.txt``). The web copy of the
notice uses half-width punctuation inside Chinese text; ``fullwidth`` restores the printed
form for display without changing a word.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from sbqw_model.parameters import Parameters
from sbqw_model.rules import REVOCATION_CLAUSE
from sbqw_model.yamlio import safe_load

CLAUSES_FILE = "clauses.yaml"
#: Clauses every report leans on beyond the rule amounts: how units are recognized and revoked.
ALWAYS_RELIED_ON = ("§三(二)2(1)", "§三(二)2(2)", REVOCATION_CLAUSE)

_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]"
_BETWEEN = re.compile(rf"(?<={_CJK})\s*([,:;?!])\s*|\s*([,:;?!])\s*(?={_CJK})")
_PARENS = re.compile(rf"\(([^()]*{_CJK}[^()]*)\)")
_DIGITS = "一二三四五六七八九"
_NUMERAL = re.compile(f"[{_DIGITS}十]+")
_SECTION = re.compile(f"(?<=§)[{_DIGITS}十]+")
_ROMAN = ((90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@functools.cache
def quotes() -> dict[str, str]:
    """Clause id → quoted text, as written in the notice."""
    text = resources.files("sbqw_model.parameters").joinpath(CLAUSES_FILE).read_text("utf-8")
    data = safe_load(text, CLAUSES_FILE)
    return {str(k): str(v) for k, v in data.items()}


def fullwidth(text: str) -> str:
    """Half-width , : ; ( ) next to hanzi as full-width ，：；（）; numbers and Latin untouched."""
    text = _PARENS.sub(lambda m: f"（{m.group(1)}）", text)
    return _BETWEEN.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)


def clause_id(clause: str, lang: str) -> str:
    """A clause id as a report writes it: every bracket full-width in Chinese (§三（二）2（1）);
    in English without Chinese numerals, the notice's part in Roman and the rest in Arabic
    figures (§III(2)2(1)); one style per report, wherever the id appears."""
    if lang != "zh":
        roman = _SECTION.sub(lambda m: _roman(m.group()), clause)
        return _NUMERAL.sub(lambda m: str(_number(m.group()) or m.group()), roman)
    return clause.replace("(", "（").replace(")", "）").replace(";", "；")


def _number(numeral: str) -> int | None:
    """一 … 九十九 as a number (the notice's parts and items go to 十 at most); None for what
    is not one (a clause id from a user's parameter file is kept as written)."""
    tens, ten, ones = numeral.rpartition("十")
    digits = [x for x in (tens, ones) if x]
    if any(len(x) > 1 or x not in _DIGITS for x in digits) or (not ten and tens):
        return None
    value = {x: _DIGITS.index(x) + 1 for x in digits}
    return (value.get(tens, 1) * 10 if ten else 0) + value.get(ones, 0)


def _roman(numeral: str) -> str:
    n = _number(numeral)
    if n is None:
        return numeral
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def relied_on(params: Parameters) -> list[str]:
    """Clause ids the model cites for these parameters, in the notice's order."""
    cited = {leaf.clause for leaf in params.leaves()} | set(ALWAYS_RELIED_ON)
    ids = {part.strip() for c in cited for part in c.split(";") if part.strip()}
    order = list(quotes())
    return sorted(ids, key=lambda c: (order.index(c) if c in order else len(order), c))


def appendix_rows(params: Parameters, lang: str = "zh") -> list[tuple[str, str]]:
    """(clause id, quote in full-width punctuation); '—' for an id without a quote. In English
    the id also as the notice writes it, '§III(3) (§三(三))', to find it there."""
    table = quotes()
    return [
        (
            clause_id(c, lang) if lang == "zh" else f"{clause_id(c, lang)} ({c})",
            fullwidth(table[c]) if c in table else "—",
        )
        for c in relied_on(params)
    ]

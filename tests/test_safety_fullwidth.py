"""Numbers typed with a Chinese input method: full-width digits and marks (``５０００００``,
``０．５``, ``0。5``). In a YAML file they are text; the line said "a number in quotes is text;
write it without quotes" (there were no quotes) or gave no hint, and suggested ``１.0e+7``. An
``--assume`` value was read as a number for a share (``payout_share=１``) but was unknown for a
choice (``payment_lag_years=１``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from safety_helpers import cli, refused, scenario

from sbqw_model.assumptions import SPECS, Assumptions, coerce, parse_assume_pairs
from sbqw_model.yamlio import text_number_hint

WIDE = str.maketrans({**{chr(0x30 + d): chr(0xFF10 + d) for d in range(10)}, ".": "．"})
WIDE_SIGNS = str.maketrans({"-": "－", "+": "＋", "e": "ｅ"})

CASES = {  # body → the one line, hand-written
    "amount": (
        "levers:\n  parameters:\n    traffic.cap: ５０００００\n",
        "fw.yaml: levers.parameters.traffic.cap: expected a number, got '５０００００'"
        " (full-width digits or marks are text; write 500000)",
    ),
    "whole number": (
        "initial_stock:\n  park: ３\n",
        "fw.yaml: initial_stock.park: expected a whole number ≥ 0, got '３'"
        " (full-width digits or marks are text; write 3)",
    ),
    "exponent": (
        "appropriation:\n  2023: １e7\n",
        "fw.yaml: appropriation.2023: expected an amount from 0 to 1e+15 yuan, got '１e7'"
        " (full-width digits or marks are text; write 1.0e+7)",
    ),
    "full-width dot": (
        "uncertainties:\n  online_retail:\n    growth: {dist: normal, mean: ０．２, sd: 0.05}\n",
        "fw.yaml: uncertainties.online_retail.growth.mean: expected a number, got '０．２'"
        " (full-width digits or marks are text; write 0.2)",
    ),
    "ideographic full stop": (
        "uncertainties:\n  online_retail:\n    growth: {dist: normal, mean: 0。2, sd: 0.05}\n",
        "fw.yaml: uncertainties.online_retail.growth.mean: expected a number, got '0。2'"
        " (full-width digits or marks are text; write 0.2)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_full_width_number_in_yaml_says_what_to_write(tmp_path: Path, case: str) -> None:
    body, line = CASES[case]
    refused(cli("simulate", scenario(tmp_path, "fw.yaml", body), "--draws", 20), line)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.integers(0, 10**12))
def test_any_full_width_number_is_named_in_ascii(number: float) -> None:
    """Property: a number typed full-width gets a hint with the number YAML would read, in
    ASCII (never the full-width text, never the advice to drop quotes)."""
    text = repr(number)
    wide = text.translate(WIDE).translate(WIDE_SIGNS)
    hint = text_number_hint(wide)
    assert hint.startswith(" (full-width digits or marks are text; write "), (wide, hint)
    written = hint.removeprefix(" (full-width digits or marks are text; write ")[:-1]
    assert written.isascii() and float(written) == float(text), (wide, hint)
    assert "full-width" not in text_number_hint(text)


def test_ascii_hints_are_as_before() -> None:
    assert text_number_hint("1e7") == " (YAML reads this as text; write 1.0e+7)"
    assert text_number_hint("3", whole=True) == " (YAML reads this as text; write 3)"
    assert text_number_hint("0.5") == " (a number in quotes is text; write it without quotes)"
    assert text_number_hint("2.5", whole=True) == (
        " (a number in quotes is text; write it without quotes)"
    )
    assert text_number_hint("abc") == ""


@pytest.mark.parametrize("name", sorted(n for n, s in SPECS.items() if s.choices is not None))
def test_a_choice_typed_full_width_is_the_choice(name: str) -> None:
    """Every choice of every assumption, typed full-width, is that choice (as a share was)."""
    for choice in SPECS[name].choices or ():
        typed = str(choice).lower() if isinstance(choice, bool) else str(choice)
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in typed)
        assert coerce(SPECS[name], wide) == choice, (name, wide)


def test_assume_reads_full_width_as_ascii() -> None:
    got = parse_assume_pairs(["payment_lag_years=１", "payout_share=０．５"])
    assert got == {"payment_lag_years": 1, "payout_share": 0.5}
    assert Assumptions().updated({"payout_share": "0。5"}).payout_share == 0.5


def test_a_full_width_share_out_of_range_is_still_refused(tmp_path: Path) -> None:
    refused(
        cli("simulate", "baseline", "--draws", 20, "--assume", "payout_share=１．５"),
        "--assume: payout_share=１．５: expected a number from 0 to 1",
    )

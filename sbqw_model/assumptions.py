"""Named assumptions for what the plan's text leaves open (DIGEST.md, "What the text leaves open").

Each is explicit, documented and switchable from the command line (``--assume KEY=VALUE``) or a
scenario's levers, so a reader can see which reading of the text produced a number.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sbqw_model.catalogue import label
from sbqw_model.errors import InputError, Problems, did_you_mean
from sbqw_model.units import amount_words

if TYPE_CHECKING:
    from sbqw_model.parameters import Parameters


@dataclass(frozen=True)
class AssumptionSpec:
    """How one assumption may be set, and why it exists."""

    name: str
    choices: tuple[Any, ...] | None  # None: a number in [low, high]
    low: float = 0.0
    high: float = 1.0
    digest: str = ""
    #: Where each choice's reading is in the catalogue: ``assumption_value.<name>.<choice>``
    #: by default, "yes_no" (report.yes / report.no) or "delay" (assumption_value.delay.<n>).
    values: str = ""
    #: Rule amounts its doc and readings name, as (placeholder, parameter path): the text says
    #: the amount in force (``traffic_base=excess`` subsidizes above ``traffic.threshold``).
    amounts: tuple[tuple[str, str], ...] = ()

    # The reader's name, what the assumption means, and each choice's reading are in the label
    # catalogue (assumption.<name>, assumption_doc.<name>, assumption_value.…): reports never
    # show ``name``.
    @property
    def label_zh(self) -> str:
        return label(f"assumption.{self.name}", "zh")

    @property
    def label_en(self) -> str:
        return label(f"assumption.{self.name}", "en")

    @property
    def doc_zh(self) -> str:
        return self.doc("zh")

    @property
    def doc_en(self) -> str:
        return self.doc("en")

    def label(self, lang: str) -> str:
        return label(f"assumption.{self.name}", lang)

    def doc(self, lang: str, params: Parameters | None = None) -> str:
        """What it means, with the rule amounts of ``params`` (the plan's when None)."""
        return self._filled(label(f"assumption_doc.{self.name}", lang), lang, params)

    def _filled(self, text: str, lang: str, params: Parameters | None) -> str:
        """``text`` with each of ``amounts`` said as ``units.amount_words`` says it."""
        if not self.amounts:
            return text
        if params is None:
            from sbqw_model.parameters import default_parameters

            params = default_parameters()
        return text.format(**{k: amount_words(params.value(p), lang) for k, p in self.amounts})

    def value_key(self, value: Any) -> str | None:
        """The catalogue key of a choice's reading (None for a number or an unknown value)."""
        if self.choices is None or not any(
            c == value and type(c) is type(value) for c in self.choices
        ):
            return None
        if self.values == "yes_no":
            return "report.yes" if value else "report.no"
        if self.values == "delay":
            return f"assumption_value.delay.{value}"
        return f"assumption_value.{self.name}.{value}"

    def value_label(self, value: Any, lang: str, params: Parameters | None = None) -> str:
        """A value as a reader says it: 60%, 按最高档奖励, 是/否, 1年, 超过1亿元的部分 (the
        amounts of ``params``, the plan's when None)."""
        key = self.value_key(value)
        if key is not None:
            return self._filled(label(key, lang), lang, params)
        if self.choices is None:
            return share_shown(value)
        return shown_value(value)

    def describe_expected(self) -> str:
        if self.choices is None:
            return f"a number from {self.low:g} to {self.high:g}"
        return "one of " + ", ".join(shown_value(c) for c in self.choices)


#: Significant digits a user's share keeps when said (and in a variant's file name): enough
#: for any value typed; a grid's 0.30000000000000004 is 30%.
SHARE_DIGITS = 10


def share_shown(share: Any) -> str:
    """A share the user set (``payout_share``) as a percentage, as precise as it was given:
    60%, 60.5%, 0.00001%. Rounded to whole percents, two variants read alike (0.6 and 0.605,
    two files with one title) and 0.9999999 read "100%", the ceilings it is not."""
    text = format(Decimal(f"{float(share) * 100 + 0.0:.{SHARE_DIGITS}g}").normalize(), "f")
    return f"{text}%"


def shown_value(value: Any) -> str:
    """A value as ``--assume`` and a scenario file write it: ``true``, not ``True``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


SPECS: dict[str, AssumptionSpec] = {
    s.name: s
    for s in (
        AssumptionSpec(
            "payout_share",
            None,
            digest="open point 1",
        ),
        AssumptionSpec(
            "sales_award_mode",
            ("highest", "cumulative", "top_up"),
            digest="open point 2",
        ),
        AssumptionSpec(
            "sales_award_recipients",
            ("all_units", "enterprises_only"),
            digest="open point 2",
        ),
        AssumptionSpec(
            "traffic_base",
            ("all", "excess"),
            digest="open point 3",
            amounts=(("threshold", "traffic.threshold"),),
        ),
        AssumptionSpec(
            "revoked_count_toward_targets",
            (False, True),
            digest="open point 4",
            values="yes_no",
        ),
        AssumptionSpec(
            "revoked_repay",
            (False, True),
            digest="open point 4",
            values="yes_no",
        ),
        AssumptionSpec(
            "payment_lag_years",
            (0, 1, 2),
            digest="open point 5",
        ),
        AssumptionSpec(
            "payment_delay_awards",
            (0, 1, 2),
            digest="open point 5",
            values="delay",
        ),
        AssumptionSpec(
            "payment_delay_sales",
            (0, 1, 2),
            digest="open point 5",
            values="delay",
        ),
        AssumptionSpec(
            "payment_delay_traffic",
            (0, 1, 2),
            digest="open point 5",
            values="delay",
        ),
        AssumptionSpec(
            "traffic_cap_period",
            ("year", "plan"),
            digest="open point 3",
        ),
        AssumptionSpec(
            "milestone_sales_basis",
            ("total", "online"),
            digest="open point 2",
        ),
        AssumptionSpec(
            "milestone_pre_plan_tiers",
            ("paid", "not_paid"),
            digest="open point 2",
        ),
        AssumptionSpec(
            "cross_border_exclusion",
            ("whole_firm", "cross_border_part"),
            digest="open point 3",
        ),
    )
}


@dataclass(frozen=True)
class Assumptions:
    """The values in force. Defaults: every ceiling paid in full and the plain reading of each
    open point, with sales milestones and the traffic subsidy paid the year after (they need a
    full year's figures). Not every default is the reading that pays most: ``cumulative`` and
    ``cross_border_part`` pay more, so an outlay is an upper bound under its readings only."""

    payout_share: float = 1.0
    sales_award_mode: str = "highest"
    sales_award_recipients: str = "all_units"
    traffic_base: str = "all"
    revoked_count_toward_targets: bool = False
    revoked_repay: bool = False
    payment_lag_years: int = 0
    payment_delay_awards: int = 0
    payment_delay_sales: int = 1
    payment_delay_traffic: int = 1
    traffic_cap_period: str = "year"
    milestone_sales_basis: str = "total"
    milestone_pre_plan_tiers: str = "paid"
    cross_border_exclusion: str = "whole_firm"

    def payment_delay(self, instrument: str) -> int:
        """Years from achievement to payment for one instrument: the ``payment_delay_*``
        assumption its registry entry follows, plus the lag (an unknown key is refused)."""
        from sbqw_model.instruments import REGISTRY

        return REGISTRY.get(instrument).payment_delay(self)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, values: Mapping[str, Any], source: str = "--assume") -> Assumptions:
        """A copy with ``values`` applied; all are checked before any is applied."""
        problems = Problems()
        clean: dict[str, Any] = {}
        for key, raw in values.items():
            spec = SPECS.get(key)
            if spec is None:
                problems.add(
                    f"{source}: unknown assumption `{key}`{did_you_mean(key, SPECS)};"
                    f" valid: {', '.join(SPECS)}"
                )
                continue
            value = coerce(spec, raw)
            if value is None:
                problems.add(
                    f"{source}: {key}={shown_value(raw)}: expected {spec.describe_expected()}"
                )
            else:
                clean[key] = value
        problems.raise_if_any()
        return replace(self, **clean)


ASSUMPTION_NAMES = tuple(f.name for f in fields(Assumptions))


def coerce(spec: AssumptionSpec, raw: Any) -> Any:
    """Turn a command-line string or YAML value into the assumption's type, or None if invalid.

    Text is read with full-width digits and marks as ASCII (NFKC; ``。`` a dot), for a choice
    as for a share: ``payout_share=１`` was 1 (``float`` reads any digit) but
    ``payment_lag_years=１`` unknown."""
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFKC", raw).replace("\u3002", ".")
    if spec.choices is None:
        if isinstance(raw, bool):
            return None
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None
        return number if spec.low <= number <= spec.high else None
    for choice in spec.choices:
        if isinstance(choice, bool):
            text = str(raw).strip().lower()
            if raw is choice or text == shown_value(choice):
                return choice
        elif isinstance(choice, int):
            if not isinstance(raw, bool) and str(raw).strip() == str(choice):
                return choice
        elif raw == choice:
            return choice
    return None


def parse_assume_pairs(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings from ``--assume`` flags → {key: typed value}, only the keys given.

    Every problem is reported at once.
    """
    problems = Problems()
    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            problems.add(f"--assume {pair}: expected KEY=VALUE, e.g. payout_share=0.5")
            continue
        key, value = pair.split("=", 1)
        values[key.strip()] = value.strip()
    try:
        checked = Assumptions().updated(values)
    except InputError as exc:
        problems.extend(exc.problems)
    problems.raise_if_any()
    return {k: getattr(checked, k) for k in values}


def parse_assume_args(pairs: Iterable[str], base: Assumptions | None = None) -> Assumptions:
    """``--assume`` flags applied over ``base`` (the defaults when None)."""
    return (base or Assumptions()).updated(parse_assume_pairs(pairs))

"""The instrument registry: every payment the plan makes, declared once.

An entry says what the instrument is (its key and label), what it cites (the parameter paths
it applies; the first one's clause is the line's clause), who receives it, which figures its
rule reads, the rule itself (a function of ``rules``), when it is paid (the ``payment_delay_*``
assumption it follows, plus ``payment_lag_years``) and its colour in charts. The engine, the
costing lines, the audit, the payment years, charts, tables and workbooks iterate over
``REGISTRY``, in its order; ``rules.INSTRUMENTS`` is its tuple of keys.

Three kinds of rule, each with one generic path in ``engine.outlay`` and ``costing``:

- ``recognition``: a one-time amount per unit recognized in the category ``recipients``;
  ``rule(ceiling, assume)`` gives the amount from the ceiling at ``parameters[0]``; a revoked
  unit repays it under ``revoked_repay`` (``rules.award_repayment``).
- ``milestone``: ``rule(panel, params, assume, before=...)`` on each unit's annual sales panel
  (units × years, the figure ``rules.milestone_sales`` chooses; firms, and parks and bases unless
  ``rules.milestone_excluded``) gives (units, years, parts); the entry is part ``part``.
  ``before`` (units,) is each unit's figure in the year before the plan, 0 where unknown
  (``milestone_pre_plan_tiers``); ``describe`` gets it too. Entries sharing a rule are computed
  by one call; ``reaches`` (optional) picks the units that can be paid at all, so the rule runs
  on those alone.
- ``firm_year``: ``rule(firms, params, assume)`` on a ``rules.FirmYears`` panel gives the amount
  per firm and year.

Adding an instrument from a new notice: a parameter block in ``parameters/plan.yaml`` (and
its paths in ``parameters.EXPECTED_PATHS``), its label in ``catalogue/labels.yaml``, its rule
in ``rules.py``, and one ``Instrument`` below. ``REGISTRY.registered(entry)`` adds one for the
duration of a ``with`` block (tests).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sbqw_model import catalogue, line_basis, palette, rules, units
from sbqw_model.assumptions import ASSUMPTION_NAMES, Assumptions
from sbqw_model.errors import did_you_mean
from sbqw_model.parameters import Parameters, default_parameters

KINDS: tuple[str, ...] = ("recognition", "milestone", "firm_year")
#: Figures a rule may read: what a world simulates and a ledger holds.
FIGURES: tuple[str, ...] = (
    "recognitions",
    "revocations",
    "unit_sales",
    "firm_sales",
    "firm_retail",
    "base_year_sales",
    "firm_flags",
    "cross_border_retail",
)
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class UnknownInstrumentError(KeyError):
    """An instrument key the registry does not hold (a typo, or an entry never registered).

    A KeyError, so mappings keyed by instrument behave as mappings; its text is the message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Instrument:
    """One instrument of the plan; see the module docstring for ``kind`` and ``rule``."""

    key: str
    kind: str
    parameters: tuple[str, ...]  # paths it applies; the first one's clause is cited
    recipients: str  # recognition: the category; otherwise who receives it, in words
    figures: tuple[str, ...]  # which of FIGURES its rule reads
    rule: Callable[..., Any]
    timing: str  # the assumption giving its payment delay (payment_delay_*)
    color: str
    part: int = 0  # milestone: the slice of the rule's last axis (the tier)
    assumptions: tuple[str, ...] = ()  # the assumptions (open points) its rule reads
    describe: Callable[..., list[str]] = line_basis.plain_basis  # basis of its cost lines
    reaches: Callable[..., Any] | None = None  # milestone: units the rule can pay at all

    def label(self, lang: str = "zh", params: Parameters | None = None) -> str:
        """Its name in ``lang`` under the rule in force: a placeholder in the catalogue's name
        (``{threshold}``) is the amount of the parameter it names in ``params`` (the plan's
        when None), so a reformed tier reads as the reform says (20亿元档), not as the notice."""
        text = catalogue.label(f"instrument.{self.key}", lang)
        names = _placeholders(text)
        if not names:
            return text
        paths = self.amount_paths()
        given = params if params is not None else default_parameters()
        return text.format(**{n: units.amount_words(given.value(paths[n]), lang) for n in names})

    def amount_paths(self) -> dict[str, str]:
        """The placeholders its name may hold, each the last part of a parameter path it cites
        (``threshold``: ``sales_awards.tier1.threshold``)."""
        return {p.rpartition(".")[2]: p for p in self.parameters}

    def clause(self, params: Parameters) -> str:
        """The clause its payout lines cite, read from the parameter it applies."""
        return params.leaf(self.parameters[0]).clause

    def payment_delay(self, assume: Assumptions) -> int:
        """Years from achievement to payment: its timing assumption plus the payment lag."""
        return int(getattr(assume, self.timing)) + assume.payment_lag_years

    def problems(self) -> list[str]:
        """What is wrong with this entry (empty when it can be registered)."""
        out = []
        if self.kind not in KINDS:
            out.append(f"kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.kind == "recognition" and self.recipients not in rules.CATEGORIES:
            out.append(f"recipients {self.recipients!r}: expected a category of rules.CATEGORIES")
        if not self.timing.startswith("payment_delay_") or self.timing not in ASSUMPTION_NAMES:
            out.append(f"timing {self.timing!r}: expected a payment_delay_* assumption")
        out += [f"assumption {a!r} unknown" for a in self.assumptions if a not in ASSUMPTION_NAMES]
        out += [
            f"figure {f!r}: expected one of {', '.join(FIGURES)}"
            for f in self.figures
            if f not in FIGURES
        ]
        if not _COLOUR.fullmatch(self.color):
            out.append(f"color {self.color!r}: expected #rrggbb")
        if not self.parameters:
            out.append("parameters: expected at least the path whose clause it cites")
        try:
            names = {
                n for text in catalogue.pair(f"instrument.{self.key}") for n in _placeholders(text)
            }
        except KeyError as exc:
            out.append(str(exc.args[0]))
            names = set()
        out += self._placeholder_problems(names)
        return [f"instrument {self.key}: {p}" for p in out]

    def _placeholder_problems(self, names: set[str]) -> list[str]:
        """A placeholder in its name that names none of the parameters it cites."""
        paths = self.amount_paths()
        return [
            f"label placeholder {{{n}}}: expected the last part of a parameter path it cites"
            f" ({', '.join(paths) or 'none'})"
            for n in sorted(names)
            if n not in paths
        ]


def _placeholders(text: str) -> list[str]:
    """The named fields of a catalogue text (``{threshold}``), in order, without repeats."""
    return list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(text) if f))


class Registry(Sequence[Instrument]):
    """The instruments in output order; one object for the life of the process, so a module
    holding it always sees what is registered now."""

    def __init__(self, entries: Sequence[Instrument]):
        self._entries: list[Instrument] = []
        for entry in entries:
            self._add(entry)

    def _add(self, entry: Instrument) -> None:
        problems = entry.problems()
        if entry.key in self.keys():
            problems.append(f"instrument {entry.key}: already registered")
        if problems:
            raise ValueError("; ".join(problems))
        self._entries.append(entry)

    def __getitem__(self, index: Any) -> Any:
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Instrument]:
        return iter(list(self._entries))

    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self._entries)

    def get(self, key: str) -> Instrument:
        """The entry of ``key``; an unknown key raises ``UnknownInstrumentError`` naming it."""
        for entry in self._entries:
            if entry.key == key:
                return entry
        keys = self.keys()
        raise UnknownInstrumentError(
            f"unknown instrument {key!r}{did_you_mean(str(key), keys)};"
            f" registered: {', '.join(keys)}"
        )

    def of_kind(self, kind: str) -> list[tuple[int, Instrument]]:
        """(column, entry) of every entry of ``kind``, in registry order."""
        return [(i, e) for i, e in enumerate(self._entries) if e.kind == kind]

    def parameter_paths(self) -> tuple[str, ...]:
        """Every parameter path the registered rules cite, without repeats."""
        return tuple(dict.fromkeys(p for e in self._entries for p in e.parameters))

    @contextmanager
    def registered(self, *entries: Instrument) -> Iterator[None]:
        """Add ``entries`` (at the end) for the duration of a ``with`` block, then restore."""
        before = list(self._entries)
        try:
            for entry in entries:
                self._add(entry)
            yield
        finally:
            self._entries[:] = before


def _award(category: str, color: str) -> Instrument:
    return Instrument(
        key=f"award.{category}",
        kind="recognition",
        parameters=(f"awards.{category}",),
        recipients=category,
        figures=("recognitions", "revocations"),
        rule=rules.recognition_award,
        timing="payment_delay_awards",
        color=color,
        assumptions=("payout_share", "revoked_repay"),
    )


def _milestone(tier: int, color: str) -> Instrument:
    name = f"tier{tier + 1}"
    return Instrument(
        key=f"sales.{name}",
        kind="milestone",
        parameters=(f"sales_awards.{name}.amount", f"sales_awards.{name}.threshold"),
        recipients="units with sales data: firms; parks and bases under all_units",
        figures=("firm_sales", "firm_retail", "unit_sales", "base_year_sales"),
        rule=rules.sales_milestone_awards,
        timing="payment_delay_sales",
        color=color,
        part=tier,
        assumptions=(
            "payout_share",
            "sales_award_mode",
            "sales_award_recipients",
            "milestone_sales_basis",
            "milestone_pre_plan_tiers",
        ),
        describe=line_basis.milestone_basis,
        reaches=rules.reaches_a_tier,
    )


REGISTRY = Registry(
    [
        _award("park", palette.DEEP_BLUE),
        _award("base", palette.MID_BLUE),
        _award("enterprise", palette.PALE_BLUE),
        _award("team", palette.OCHRE),
        _milestone(0, palette.SAND),
        _milestone(1, palette.BRICK),
        Instrument(
            key="traffic",
            kind="firm_year",
            parameters=("traffic.rate", "traffic.threshold", "traffic.cap"),
            recipients="above-scale enterprises, not cross-border (上规入统, 不含跨境电商)",
            figures=("firm_retail", "firm_flags", "cross_border_retail"),
            rule=rules.traffic_subsidy_of,
            timing="payment_delay_traffic",
            color=palette.OLIVE,
            assumptions=(
                "payout_share",
                "traffic_base",
                "traffic_cap_period",
                "cross_border_exclusion",
            ),
            describe=line_basis.traffic_basis,
        ),
    ]
)


def get(key: str) -> Instrument:
    """The registered entry of ``key`` (``UnknownInstrumentError`` if there is none)."""
    return REGISTRY.get(key)


def keys() -> tuple[str, ...]:
    return REGISTRY.keys()

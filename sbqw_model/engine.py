"""The Monte Carlo engine: worlds (``worlds``) costed by the rules (``rules``), many at once.

For each simulated world it keeps only totals (targets in 2025, outlay by payment year,
instrument and prefecture, and the few trajectories the reports chart), never every unit, so
memory is bounded by the number of draws times a few dozen numbers, whatever the chunk size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sbqw_model import conditioning, prefectures, rules
from sbqw_model.assumptions import Assumptions
from sbqw_model.errors import InputError
from sbqw_model.instruments import REGISTRY
from sbqw_model.parameters import Parameters
from sbqw_model.periods import payment_years, plan_years
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import Scenario
from sbqw_model.worlds import BLOCK, World, draw_block, draw_blocks

TARGETS = (
    "parks",
    "bases",
    "enterprises",
    "teams",
    "enterprises_and_teams",
    "products",
    "online_retail",
)
DEFAULT_CHUNK = 10 * BLOCK
#: Blocks whose recognition rounds and units run at once: two were 5–8 % faster than one at
#: 20 000 draws and hold 3 MiB more; more blocks were no faster and held more (ten: +41 MiB).
ROUNDS_BLOCKS = 2


@dataclass
class Outlay:
    """Per-world outlay in yuan, keyed like the costing command's totals."""

    by_instrument: np.ndarray  # (n, I)
    by_year: np.ndarray  # (n, Yp) payment years
    by_prefecture: np.ndarray  # (n, P)
    year_instrument_sum: np.ndarray | None = None  # (Yp, I) summed over worlds (for means)
    by_year_instrument: np.ndarray | None = None  # (n, Yp, I) per world (one chunk, or kept)

    @property
    def total(self) -> np.ndarray:
        return self.by_instrument.sum(axis=1)


def sum_by_world(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Row sums of ``values`` per world; ``owner`` ascends (firms are stored world by world)."""
    out = np.zeros((n, *values.shape[1:]))
    if values.shape[0] == 0:
        return out
    starts = np.searchsorted(owner, np.arange(n))
    present = starts < np.append(starts[1:], values.shape[0])
    out[present] = np.add.reduceat(values, starts[present], axis=0)
    return out


def row_sums(values: np.ndarray) -> np.ndarray:
    """Each row's sum, adding its few columns in order: numpy's reduction over a short inner
    axis costs more than the additions (exact for whole yuan, round-off otherwise)."""
    if values.size == 0:
        return np.zeros(values.shape[0])
    flat = values.reshape(values.shape[0], -1)
    out = flat[:, 0].copy()
    for i in range(1, flat.shape[1]):
        out += flat[:, i]
    return out


def outlay(world: World, params: Parameters, assume: Assumptions) -> Outlay:
    """What the rules pay in each world: the same formulas ``sbqw cost`` applies to a ledger.

    One column per registry entry (``instruments.REGISTRY``, in its order), each kind of rule
    costed by one vectorized path; every path returns amounts by world × achievement year per
    entry, and its paid amounts by world × prefecture.
    """
    n, Y, P = world.n, world.approvals.shape[-1], len(prefectures.NAMES_ZH)
    achieved = np.zeros((n, Y, len(REGISTRY)))  # (n, Y, I)
    by_pref = np.zeros((n, P))
    slots: list[np.ndarray] = []  # world × prefecture slot of each amount paid per unit/firm
    paid: list[np.ndarray] = []
    columns, award_ry, award_p = _recognition_outlay(world, params, assume)
    if columns:
        achieved[:, :, columns] = award_ry.transpose(0, 2, 1)
        by_pref += award_p
    firms = _firm_years(world)
    firm_slot = world.firm_draw * P + world.firm_prefecture
    for column, entry in REGISTRY.of_kind("firm_year"):
        amounts = entry.rule(firms, params, assume)  # (M, Y)
        achieved[:, :, column] = sum_by_world(amounts, world.firm_draw, n)
        slots.append(firm_slot)
        paid.append(row_sums(amounts))
    for columns, owner_slot, sales in _milestone_outlay(world, params, assume):
        # sales (h, Y, R): each unit's payments of these entries, summed into its world
        R = sales.shape[2]
        cells = (owner_slot[0][:, None] * (Y * R) + np.arange(Y * R)).ravel()
        achieved[:, :, columns] = (
            np.bincount(cells, weights=sales.reshape(-1), minlength=n * Y * R)
            .astype(float, copy=False)
            .reshape(n, Y, R)
        )  # an empty bincount is int64
        slots.append(owner_slot[1])
        paid.append(row_sums(sales))
    if slots:
        by_pref += (
            np.bincount(np.concatenate(slots), weights=np.concatenate(paid), minlength=n * P)
            .astype(float, copy=False)
            .reshape(n, P)
        )
    # achievement year × instrument per world, then each instrument moved to its payment year
    by_year_instrument = to_payment_years(achieved, assume)
    return Outlay(
        achieved.sum(axis=1),
        by_year_instrument.sum(axis=2),
        by_pref,
        by_year_instrument.sum(axis=0),
        by_year_instrument,
    )


def _recognition_outlay(
    world: World, params: Parameters, assume: Assumptions
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """One-time awards (§四(二)2): every approval is a new unit, paid once; a revoked unit
    repays under ``revoked_repay`` (``rules.award_repayment``). Returns the entries' columns,
    the amounts (n, R, Y) by entry and achievement year, and the amounts (n, P) by prefecture.

    Years come from the per-year totals the rounds keep, prefectures from one contraction, so
    no (n, R, P, Y) array of amounts is built."""
    entries = REGISTRY.of_kind("recognition")
    columns = [i for i, _ in entries]
    if not entries:
        return columns, np.zeros(0), np.zeros(0)
    categories = [CATEGORIES.index(e.recipients) for _, e in entries]
    award = np.array([e.rule(params.value(e.parameters[0]), assume) for _, e in entries])
    repay = rules.award_repayment(award, assume)
    # the usual case, one entry per category in order, needs no copy of the counts
    every = categories == list(range(len(CATEGORIES)))
    pick = slice(None) if every else categories
    award_ry = world.approvals_by_year[:, pick] * award[None, :, None]  # (n, R, Y)
    award_p = np.einsum("ncpy,c->np", world.approvals[:, pick], award)
    if repay.any():  # a revoked unit repays its award in the year of its revocation
        award_ry += world.revocations_by_year[:, pick] * repay[None, :, None]
        award_p += np.einsum("ncpy,c->np", world.revocations[:, pick], repay)
    return columns, award_ry, award_p


def _milestone_outlay(
    world: World, params: Parameters, assume: Assumptions
) -> Iterator[tuple[list[int], tuple[np.ndarray, np.ndarray], np.ndarray]]:
    """Sales milestones (§四(二)3), per rule shared by milestone entries: (the entries' columns,
    (world, world × prefecture slot) of each unit paid, its payments (h, Y, R)).

    Firms are enterprises, all eligible; recognized parks and bases too unless
    ``rules.milestone_excluded`` (open point 2). A firm's figure follows
    ``milestone_sales_basis``; a park's or base's is its annual sales. Only units the rule can
    pay at all (``reaches``) are costed. The rule also gets each unit's figure in the base year
    (``before``, for ``milestone_pre_plan_tiers``): a firm's, on the same basis; 0 for a park or
    base, whose sales before its recognition the worlds do not hold.
    """
    groups: dict[Any, list[tuple[int, Any]]] = {}
    for column, entry in REGISTRY.of_kind("milestone"):
        groups.setdefault(entry.rule, []).append((column, entry))
    if not groups:
        return
    P = len(prefectures.NAMES_ZH)
    milestone = rules.milestone_sales(world.firm_sales, world.firm_retail, assume)
    base = rules.milestone_sales(world.firm_sales_base, world.firm_retail_base, assume)
    units = world.units
    excluded = [CATEGORIES.index(c) for c in rules.milestone_excluded(assume)]
    unit_ok = ~np.isin(units.category, excluded) if units.draw.size else None
    if unit_ok is not None and not unit_ok.any():
        unit_ok = None
    for rule, entries in groups.items():
        reaches = entries[0][1].reaches
        hit = (
            np.flatnonzero(reaches(milestone, params)) if reaches else np.arange(milestone.shape[0])
        )
        owner, pref, panel = world.firm_draw[hit], world.firm_prefecture[hit], milestone[hit]
        before = base[hit]
        if unit_ok is not None:
            more = unit_ok & reaches(units.sales, params) if reaches else unit_ok
            owner = np.concatenate([owner, units.draw[more]])
            pref = np.concatenate([pref, units.prefecture[more]])
            panel = np.concatenate([panel, units.sales[more]])
            before = np.concatenate([before, np.zeros(np.count_nonzero(more))])
        sales = rule(panel, params, assume, before=before)  # (h, Y, parts)
        parts = [e.part for _, e in entries]
        if parts != list(range(sales.shape[2])):
            sales = sales[:, :, parts]
        yield [c for c, _ in entries], (owner, owner * P + pref), sales


def _firm_years(world: World) -> rules.FirmYears:
    """A world's firms as the panel firm-year rules read (flags broadcast over the years)."""
    return rules.FirmYears(
        sales=world.firm_sales,
        retail=world.firm_retail,
        above_scale=world.firm_above_scale[:, None],
        cross_border=world.firm_cross_border[:, None],
        cross_border_retail=world.firm_cross_border_retail,
    )


def to_payment_years(achieved: np.ndarray, assume: Assumptions) -> np.ndarray:
    """(n, Y, I) amounts by achievement year → (n, Yp, I) by payment year (``payment_years``):
    each instrument moves by its own delay (its registry entry's timing, plus the lag)."""
    n, Y, n_instruments = achieved.shape
    delays = np.array([entry.payment_delay(assume) for entry in REGISTRY])
    offsets = delays - delays.min()
    out = np.zeros((n, Y + int(offsets.max()), n_instruments))
    for i, o in enumerate(offsets):
        out[:, o : o + Y, i] = achieved[:, :, i]
    return out


def target_values(world: World, params: Parameters, assume: Assumptions) -> dict[str, np.ndarray]:
    """The seven target indicators in the target year, per world."""
    recognized = world.approvals_by_year.sum(axis=2) + world.initial_path[:, :, -1]  # (n, C)
    if not assume.revoked_count_toward_targets:
        recognized -= world.revocations_by_year.sum(axis=2)
    counts = {c: recognized[:, i].astype(float) for i, c in enumerate(CATEGORIES)}
    return {
        "parks": counts["park"],
        "bases": counts["base"],
        "enterprises": counts["enterprise"],
        "teams": counts["team"],
        "enterprises_and_teams": counts["enterprise"] + counts["team"],
        "products": world.products_path[:, -1],
        "online_retail": world.online_retail_path[:, -1],
    }


def target_levels(params: Parameters) -> dict[str, float]:
    return {t: params.value(f"targets.{t}") for t in TARGETS}


@dataclass
class Results:
    """Per-world results of a simulation run (arrays of length ``draws``)."""

    scenario: Scenario
    seed: int
    draws: int
    targets: dict[str, np.ndarray]
    outlay: Outlay
    online_retail_path: np.ndarray  # (n, Y+1), float32
    recognized_path: np.ndarray  # (n, C, Y) recognized stock at each year end, float32
    new_units: np.ndarray | None = None  # (n, C+1, Y) float32: new units (+ products listed)
    supply_bound: np.ndarray | None = None  # (n, C+1) bool: supply limited some round
    conditioning: dict[str, Any] | None = None  # how observations entered (method, effective draws)
    resampled_from: np.ndarray | None = None  # conditioning by weighting: drawn world of each row

    @property
    def years(self) -> list[int]:
        return plan_years(self.scenario.params)

    @property
    def payment_years(self) -> list[int]:
        return payment_years(self.scenario.params, self.scenario.assumptions)

    def met(self) -> dict[str, np.ndarray]:
        levels = target_levels(self.scenario.params)
        return {t: self.targets[t] >= levels[t] for t in TARGETS}


def _chunks(draws: int, chunk: int) -> Iterator[tuple[int, int]]:
    """(first block, number of worlds) per chunk; chunks are whole blocks."""
    per = max(1, chunk // BLOCK)
    block = 0
    start = 0
    while start < draws:
        n = min(per * BLOCK, draws - start)
        yield block, n
        block += per
        start += n


def simulate_worlds(
    scenario: Scenario, seed: int, draws: int, chunk: int = DEFAULT_CHUNK
) -> Iterator[tuple[int, World]]:
    """Worlds block by block, each ``(index of its first world, World)``; the chunk only
    bounds how many are planned at once (with many firms it shrinks, ``memory.chunk_worlds``),
    which never changes a draw. The recognition rounds of ``ROUNDS_BLOCKS`` blocks run at once
    (``worlds.draw_blocks``), but blocks are yielded, and costed, one by one: copying their
    firms into one array cost more than costing each block on its own (a quarter of the
    engine's time at 100 000 draws)."""
    from sbqw_model.memory import chunk_worlds

    for first_block, n in _chunks(draws, chunk_worlds(scenario, chunk)):
        count = -(-n // BLOCK)
        for first in range(0, count, ROUNDS_BLOCKS):
            blocks = draw_blocks(
                scenario, seed, first_block + first, min(ROUNDS_BLOCKS, count - first)
            )
            for b, world in enumerate(blocks, start=first):
                size = min(BLOCK, n - b * BLOCK)
                yield (first_block + b) * BLOCK, world if size == BLOCK else world.take(0, size)


class _Collector:
    """Per-world results written into arrays allocated once (peak memory: these + one chunk).

    ``per_world_years`` keeps each world's outlay by payment year and instrument (conditioning
    resamples worlds, and a resampled mean needs them); otherwise only their sum is kept.
    """

    def __init__(self, scenario: Scenario, draws: int, per_world_years: bool = False):
        params = scenario.params
        Y, C, P = len(plan_years(params)), len(CATEGORIES), len(prefectures.NAMES_ZH)
        Yp, n_i = len(payment_years(params, scenario.assumptions)), len(REGISTRY)
        self.scenario, self.draws = scenario, draws
        self.targets = {t: np.empty(draws) for t in TARGETS}
        self.by_instrument = np.empty((draws, n_i))
        self.by_year = np.empty((draws, Yp))
        self.by_pref = np.empty((draws, P))
        self.year_instrument = np.zeros((Yp, n_i))
        self.by_year_instrument = np.empty((draws, Yp, n_i)) if per_world_years else None
        self.retail_path = np.empty((draws, Y + 1), dtype=np.float32)
        self.recognized = np.empty((draws, C, Y), dtype=np.float32)
        self.new_units = np.empty((draws, C + 1, Y), dtype=np.float32)
        self.bound = np.empty((draws, C + 1), dtype=bool)

    def check_finite(self) -> None:
        refuse_non_finite(
            {
                **{f"targets.{t}": v for t, v in self.targets.items()},
                "outlay by instrument": self.by_instrument,
                "outlay by year": self.by_year,
                "outlay by prefecture": self.by_pref,
                "online retail path": self.retail_path,
                "recognized units": self.recognized,
            },
            self.scenario,
        )

    def add(self, start: int, world: World) -> None:
        params, assume = self.scenario.params, self.scenario.assumptions
        rows = slice(start, start + world.n)
        for t, v in target_values(world, params, assume).items():
            self.targets[t][rows] = v
        o = outlay(world, params, assume)
        self.by_instrument[rows] = o.by_instrument
        self.by_year[rows] = o.by_year
        self.by_pref[rows] = o.by_prefecture
        self.year_instrument += o.year_instrument_sum
        if self.by_year_instrument is not None:
            self.by_year_instrument[rows] = o.by_year_instrument
        self.retail_path[rows] = world.online_retail_path
        self.recognized[rows] = recognized_stock(world, assume)
        self.new_units[rows, :-1] = world.approvals_by_year
        self.new_units[rows, -1] = np.diff(world.products_path, axis=1)
        self.bound[rows] = world.supply_bound.any(axis=2)

    def results(self, seed: int) -> Results:
        self.check_finite()
        outlay_ = Outlay(
            self.by_instrument,
            self.by_year,
            self.by_pref,
            self.year_instrument,
            self.by_year_instrument,
        )
        return Results(
            scenario=self.scenario,
            seed=seed,
            draws=self.draws,
            targets=self.targets,
            outlay=outlay_,
            online_retail_path=self.retail_path,
            recognized_path=self.recognized,
            new_units=self.new_units,
            supply_bound=self.bound,
        )


def refuse_non_finite(arrays: Mapping[str, np.ndarray], scenario: Scenario) -> None:
    """Refuse to report numbers that overflowed (inf) or lost meaning (nan), before printing."""
    bad = [name for name, values in arrays.items() if not np.isfinite(values).all()]
    if bad:
        raise InputError(
            [
                f"{scenario.path or scenario.name}: the simulation overflowed"
                f" ({', '.join(bad)} not finite); expected smaller levels, growth, noise,"
                " amounts or a shorter plan period"
            ]
        )


def simulate(
    scenario: Scenario,
    draws: int = 10_000,
    seed: int = 0,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run ``draws`` worlds of ``scenario``; the result depends only on (scenario, seed, draws).

    Observed plan-year figures condition the worlds by likelihood weighting (``conditioning``),
    unless the scenario asks for pinning (``conditioning: pin``).
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    from sbqw_model.memory import check_run

    check_run(scenario, draws, "draws")
    if conditioning.plan_year_observations(scenario) and scenario.conditioning == "weight":
        return conditioning.simulate_weighted(scenario, draws, seed, chunk, progress)
    collector = _Collector(scenario, draws)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked: results()
        for start, world in simulate_worlds(scenario, seed, draws, chunk):
            collector.add(start, world)
            if progress:
                progress(world.n)
    return _unweighted(collector.results(seed))


def _unweighted(results: Results) -> Results:
    """``results`` with the conditioning block of a run without weighting: the figures, if
    any, are pinned in the worlds (``conditioning: pin``, or only base-year figures)."""
    scenario, draws = results.scenario, results.draws
    method = "pin" if scenario.observations else "none"
    results.conditioning = conditioning.info(method, draws, draws, len(scenario.observations))
    return results


def drawn_worlds(
    scenario: Scenario, seed: int, draws: int
) -> tuple[World, tuple[np.ndarray, np.ndarray] | None]:
    """All ``draws`` worlds in one, to ``recost`` under new levers as ``simulate`` would run
    them, and the weighting ``recost`` needs: where observed plan-year figures weight the
    worlds, they are drawn without the figures and weighed and resampled once
    (``conditioning.weigh_worlds``; the weights are the worlds' own figures, which no money
    lever moves); else None, the figures (if any) pinned in the worlds."""
    if not (conditioning.plan_year_observations(scenario) and scenario.conditioning == "weight"):
        return World.concat([w for _, w in simulate_worlds(scenario, seed, draws)]), None
    blocks: list[World] = []
    weighting = conditioning.weigh_worlds(
        scenario, seed, draws, on_world=lambda _, world: blocks.append(world)
    )
    return World.concat(blocks), weighting


def recost(
    scenario: Scenario,
    world: World,
    seed: int,
    weighting: tuple[np.ndarray, np.ndarray] | None = None,
) -> Results:
    """Results of already-drawn worlds under ``scenario``'s levers (no new randomness).

    Worlds do not depend on the money levers (amounts, payout share, traffic base, sales-award
    readings), so an explorer draws them once and re-costs them on every change of one; this
    gives exactly what ``simulate`` gives for the same seed. The recognition rounds are decided
    inside the worlds: a change of ``levers.recognition``, of the targets or of
    ``revoked_count_toward_targets`` needs new worlds (same seed, same draws: still common
    random numbers). Worlds drawn without the observed figures by
    ``conditioning.weigh_worlds`` are re-costed with its ``weighting`` (weights, resampled
    rows), and give what a weighted ``simulate`` gives; re-costing pinned worlds instead
    would answer ``conditioning: pin``.
    """
    collector = _Collector(scenario, world.n, per_world_years=weighting is not None)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked: results()
        collector.add(0, world)
    if weighting is None:
        return _unweighted(collector.results(seed))
    return conditioning.resampled(collector.results(seed), *weighting)


def recognized_stock(world: World, assume: Assumptions) -> np.ndarray:
    """Recognized units at each year end (n, C, Y), counted as the targets count them."""
    stock = world.approvals_by_year.copy()
    if not assume.revoked_count_toward_targets:
        stock -= world.revocations_by_year
    for i in range(1, stock.shape[2]):  # cumulated year by year (np.cumsum is slow on 3 years)
        stock[..., i] += stock[..., i - 1]
    stock += world.initial_path
    return stock


def world_at(scenario: Scenario, seed: int, index: int) -> World:
    """The single world ``index`` exactly as a full run draws it."""
    block, offset = divmod(index, BLOCK)
    return draw_block(scenario, seed, block, every_unit=True).take(offset, offset + 1)

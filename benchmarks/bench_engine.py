"""Benchmark of the scenario engine on the shipped ``baseline`` scenario (a script, not a test).

    python benchmarks/bench_engine.py            # the full run recorded in the README
    python benchmarks/bench_engine.py --quick    # tiny sizes: a smoke test of this script

Prints:

- draws per second at 10 000 draws (best of 3) and 100 000 draws, with wall seconds;
- peak memory of ``sbqw simulate`` at 1 000 000 draws, measured in a child process
  (``ru_maxrss`` of the child, next to that of a child that only imports the package);
- ratio (a): the engine against costing the same worlds one by one through the rules layer
  (``audit.world_ledger`` → ``costing.cost_ledger``, in-process, no CSV), goal ≥ 100×;
- ratio (b): the engine against the RNG floor, the time numpy needs just to generate the random
  numbers the engine consumes (the same streams, sizes and distributions as
  ``worlds.draw_block``, with no arithmetic on them; the binomial revocations and re-applications
  (the backlog), which the engine draws by inverse CDF from uniforms, are counted as numpy's
  binomials of the same sizes, and
  the parks' and bases' counter-based uniforms as the hashes the engine computes), goal ≤ 3×;
- conditioning: the same run conditioned on three observed figures by likelihood weighting
  (``conditioning.simulate_weighted``), its extra time over the plain run, goal < 20 %;
- a block of figures to paste into the README's performance section.

Timings depend on the machine; the goals in the issue are for the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sbqw_model import recognition, unit_sales  # noqa: E402
from sbqw_model.audit import world_ledger  # noqa: E402
from sbqw_model.costing import cost_ledger, fen, plan_years  # noqa: E402
from sbqw_model.distributions import Distribution  # noqa: E402
from sbqw_model.engine import outlay, simulate  # noqa: E402
from sbqw_model.ledger import Ledger  # noqa: E402
from sbqw_model.rules import CATEGORIES  # noqa: E402
from sbqw_model.scenario import Observation, Scenario, load_scenario  # noqa: E402
from sbqw_model.unit_sales import BITS, identity_uniform  # noqa: E402
from sbqw_model.worlds import (  # noqa: E402
    BLOCK,
    World,
    draw_block,
    expected_firms,
    has_backlog,
    stream,
    uncertainty_draws,
    world_prefecture_shares,
)

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
SEED = 0
MIB = 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    small: int  # draws for the "10 000" rate
    large: int  # draws for the "100 000" rate and the RNG floor
    memory: int  # draws for the peak-memory child
    one_by_one: int  # worlds costed one by one
    repeats: int  # best of … for the small run


FULL = Sizes(small=10_000, large=100_000, memory=1_000_000, one_by_one=200, repeats=3)
QUICK = Sizes(small=1_000, large=2_000, memory=5_000, one_by_one=5, repeats=1)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


# --- engine ----------------------------------------------------------------------------------


def engine_seconds(scenario: Scenario, draws: int, repeats: int) -> float:
    """Best wall time of ``repeats`` full runs of ``simulate`` (the CLI's work before summary)."""
    return min(timed(simulate, scenario, draws=draws, seed=SEED)[0] for _ in range(repeats))


def conditioned_seconds(scenario: Scenario, draws: int) -> tuple[float, float]:
    """Wall time of ``simulate`` conditioned on three typical figures, and the effective draws.

    The figures are near the prior medians (a typical year, not a surprise), so the run is the
    one a user makes with a plausible observations file.
    """
    figures = [
        Observation(2023, "online_retail", 6.9e10, "benchmark"),
        Observation(2024, "online_retail", 8.0e10, "benchmark"),
        Observation(2023, "recognized.enterprise", 170, "benchmark"),
    ]
    conditioned = replace(scenario, observations=figures, conditioning="weight")
    seconds, results = timed(simulate, conditioned, draws=draws, seed=SEED)
    return seconds, float(results.conditioning["effective_draws"])


# --- peak memory -----------------------------------------------------------------------------

_CHILD = """
import resource, sys, time
start = time.perf_counter()
{body}
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - start)
"""


def child_peak(body: str) -> tuple[float, float, float]:
    """Run ``body`` in a fresh interpreter: (its own peak RSS MiB, seconds, RUSAGE_CHILDREN MiB)."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(body=body)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    kib, seconds = done.stdout.split()[-2:]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return int(kib) / 1024, float(seconds), children


def peak_memory(draws: int) -> dict[str, float]:
    """``sbqw simulate baseline --draws N --format json`` in a child, and an import-only child."""
    run = (
        "import io, contextlib\n"
        "from sbqw_model import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert cli.main(['simulate', {str(BASELINE)!r}, '--draws', '{draws}',"
        " '--format', 'json']) == 0\n"
    )
    peak, seconds, children = child_peak(run)
    idle, _, _ = child_peak("import sbqw_model.cli, sbqw_model.engine, sbqw_model.summary")
    return {"peak_mib": peak, "seconds": seconds, "children_mib": children, "import_mib": idle}


# --- ratio (a): one by one through the rules layer -------------------------------------------


def as_ledger(world: World, scenario: Scenario) -> Ledger:
    """The export-draw ledger of one world, typed as ``sbqw cost`` types it (no CSV)."""
    rec, sales = world_ledger(world, scenario)
    sales = sales.astype({"annual_sales_yuan": float, "online_retail_yuan": float})
    sales["above_scale"] = sales["above_scale"] == "true"
    sales["cross_border"] = sales["cross_border"] == "true"
    return Ledger(rec, sales)


def one_by_one(scenario: Scenario, n: int) -> tuple[float, bool]:
    """Seconds per world to cost ``n`` worlds one by one, and whether totals agree with the engine.

    The worlds are drawn once beforehand (untimed): only building each ledger and costing it
    line by line is timed, which is what auditing draws through the rules layer costs.
    """
    block = World.concat([draw_block(scenario, SEED, b) for b in range(-(-n // BLOCK))])
    params, assume = scenario.params, scenario.assumptions
    worlds = [block.take(k, k + 1) for k in range(n)]
    start = time.perf_counter()
    totals = [cost_ledger(as_ledger(w, scenario), params, assume).totals.total for w in worlds]
    per_world = (time.perf_counter() - start) / n
    engine = outlay(block.take(0, n), params, assume).total
    agree = all(fen(a) == fen(b) for a, b in zip(totals, engine, strict=True))
    return per_world, agree


# --- ratio (b): the RNG floor ----------------------------------------------------------------


def _sample_only(dist: Distribution, rng: np.random.Generator, size: int) -> None:
    """The generator call ``Distribution.sample`` makes, without its arithmetic (clip, exp)."""
    p = dist.params
    if dist.dist == "uniform":
        rng.uniform(p["low"], p["high"], size)
    elif dist.dist == "triangular" and p["low"] != p["high"]:
        rng.triangular(p["low"], p["mode"], p["high"], size)
    elif dist.dist == "normal":
        rng.normal(p["mean"], p["sd"], size)
    elif dist.dist == "lognormal":
        rng.normal(0.0, p["sigma"], size)
    # fixed (and a degenerate triangular) draw nothing


@dataclass
class BlockParameters:
    """What the generator calls of one block need, prepared (untimed) from its own draws."""

    lam: np.ndarray  # (N, C, P, Y) broadcast view: Poisson means of the qualified supply
    count_mean: np.ndarray  # (N,)
    firms: int  # M, firms in the block
    hashes: list[int]  # sizes of the counter-based uniform calls (parks' and bases' sales)
    stocks: list[np.ndarray]  # (N, C) plan-recognized units facing each review, years 1…Y-1
    p_rev: np.ndarray  # (N, C) revocation rates
    shares: np.ndarray  # (P,) the scenario's prefecture shares, or (N, P) each world's
    backlog: bool = False  # some world's reapply share exceeds 0: the reapply uniforms are drawn
    thinned: tuple[tuple[np.ndarray, np.ndarray], ...] = ()  # (N, C) left out and their shares


def prepare(scenario: Scenario, block: int) -> BlockParameters:
    """Recompute the parameters ``draw_block`` derives between its generator calls."""
    years = plan_years(scenario.params)
    Y, N = len(years), BLOCK
    u = uncertainty_draws(scenario, SEED, block)
    shares = world_prefecture_shares(scenario, u, lambda name: stream(SEED, block, name))
    by_world = shares[None, :] if shares.ndim == 1 else shares
    apps = np.stack([u[f"recognition.{c}.applications"] for c in CATEGORIES], axis=1)
    p_ok = np.stack([u[f"recognition.{c}.approval_probability"] for c in CATEGORIES], axis=1)
    lam = (apps * p_ok)[:, :, None, None] * by_world[:, None, :, None]
    load = u["climate.supply"][:, None]
    if np.any(load):
        climate = stream(SEED, block, "climate").standard_normal((N, Y))
        lam = lam * np.exp(load * climate - load**2 / 2)[:, None, None, :]
    lam = np.broadcast_to(lam, (N, len(CATEGORIES), shares.shape[-1], Y))
    count_mean = expected_firms(u, u["online_retail.level_2022"])  # the 2022 level, as drawn
    count = stream(SEED, block, "firm_count").poisson(count_mean)
    hashes: list[int] = []

    def counting(seed: int, *fields: np.ndarray, bits: tuple[int, ...] = ()) -> np.ndarray:
        hashes.append(int(np.size(fields[0])))
        return identity_uniform(seed, *fields, bits=bits)

    thinned: list[tuple[np.ndarray, np.ndarray]] = []
    carry_over = recognition.carry_over

    def thinning(
        pool: np.ndarray, new: np.ndarray, share: np.ndarray, u: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        thinned.append((np.maximum(pool - new, 0).sum(axis=2), share))
        return carry_over(pool, new, share, u)

    unit_sales.identity_uniform = counting  # count what the engine hashes for this block
    recognition.carry_over = thinning  # and the left-out the backlog thins
    try:
        world = draw_block(scenario, SEED, block)
    finally:
        unit_sales.identity_uniform = identity_uniform
        recognition.carry_over = carry_over
    standing = np.cumsum(world.approvals.sum(axis=2) - world.revocations.sum(axis=2), axis=2)
    stocks = [standing[..., i - 1] for i in range(1, Y)]
    p_rev = np.stack([u[f"recognition.{c}.revocation_rate"] for c in CATEGORIES], axis=1)
    backlog = has_backlog(u)
    return BlockParameters(
        lam,
        count_mean,
        int(count.sum()),
        hashes,
        stocks,
        p_rev,
        shares,
        backlog,
        tuple(thinned),
    )


def replay(scenario: Scenario, block: int, prep: BlockParameters, keep: bool = False) -> dict:
    """Every generator call ``draw_block`` makes for one block, in its order, nothing else."""
    Y, N, M = len(plan_years(scenario.params)), BLOCK, prep.firms
    out: dict = {}
    for path, dist in scenario.uncertainties.items():
        _sample_only(dist, stream(SEED, block, f"u:{path}"), N)
    dist = scenario.growth_response_dist
    if dist is not None:
        _sample_only(dist, stream(SEED, block, "u:behaviour.growth_response_to_payout_share"), N)
    stream(SEED, block, "climate").standard_normal((N, Y))
    stream(SEED, block, "retail_noise").standard_normal((N, Y))
    stream(SEED, block, "products_noise").standard_normal((N, Y))
    if prep.shares.ndim == 2:  # each world's prefecture weights
        stream(SEED, block, "prefecture_weights").standard_normal(prep.shares.shape)
    supply = []
    for k, c in enumerate(CATEGORIES):
        supply.append(stream(SEED, block, f"approvals:{c}").poisson(prep.lam[:, k]))
        stream(SEED, block, f"revocations:{c}").random((N, Y, 2))
        if prep.backlog:
            stream(SEED, block, f"reapply:{c}").random((N, Y))
    out["supply"] = np.stack(supply, axis=1)
    # the engine turns those uniforms into binomial revocations by inverse CDF (a monotone
    # coupling); the floor counts what numpy's generator needs for binomials of the same sizes
    scratch = stream(SEED, block, "floor:binomial")
    for stock in prep.stocks:
        scratch.binomial(stock, prep.p_rev)
    for left, share in prep.thinned:  # the backlog's re-applications
        scratch.binomial(left, share)
    for size in prep.hashes:  # the parks' and bases' counter-based uniforms
        a = np.arange(size)
        identity_uniform(SEED, a, a, a, a, a, 0, bits=BITS)
    out["count"] = stream(SEED, block, "firm_count").poisson(prep.count_mean)
    stream(SEED, block, "firm_size").random(M)
    stream(SEED, block, "firm_growth").standard_normal((M, Y), dtype=np.float32)
    stream(SEED, block, "firm_flags").random((M, 2), dtype=np.float32)
    out["prefecture_u"] = stream(SEED, block, "firm_prefecture").random(M)
    return out if keep else {}


def check_replay(scenario: Scenario) -> None:
    """The replay consumes exactly what the engine consumes: compare with block 0's world."""
    world = draw_block(scenario, SEED, 0)
    prep = prepare(scenario, 0)
    got = replay(scenario, 0, prep, keep=True)
    shares = prep.shares if prep.shares.ndim == 2 else prep.shares[None, :]
    edges = np.cumsum(shares, axis=1)[:, :-1][world.firm_draw % shares.shape[0]]
    firm_prefecture = np.count_nonzero(got["prefecture_u"][:, None] >= edges, axis=1)
    same = (
        np.array_equal(got["supply"].sum(axis=2), world.supply)
        and np.array_equal(got["count"], np.bincount(world.firm_draw, minlength=BLOCK))
        and np.array_equal(firm_prefecture, world.firm_prefecture)
    )
    if not same:
        raise SystemExit("RNG floor replay does not match worlds.draw_block; update the benchmark")


def rng_floor_seconds(scenario: Scenario, draws: int) -> float:
    """Generator time for ``draws`` worlds: stream set-up and sampling only (prep untimed)."""
    total = 0.0
    for block in range(-(-draws // BLOCK)):
        prep = prepare(scenario, block)
        start = time.perf_counter()
        replay(scenario, block, prep)
        total += time.perf_counter() - start
    return total


# --- report ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    scenario = load_scenario(BASELINE)

    print(f"sbqw engine benchmark — scenario {BASELINE.relative_to(ROOT)}, seed {SEED}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, numpy {np.__version__}"
        + (" — QUICK (smoke-test sizes, figures meaningless)" if args.quick else "")
    )
    print()

    mem = peak_memory(sizes.memory)  # first child: nothing else inflates RUSAGE_CHILDREN
    simulate(scenario, draws=BLOCK, seed=SEED)  # warm-up (imports, caches)
    small = engine_seconds(scenario, sizes.small, sizes.repeats)
    large = engine_seconds(scenario, sizes.large, 1)
    rate_small, rate_large = sizes.small / small, sizes.large / large
    print(
        f"throughput at {sizes.small:,} draws: {rate_small:,.0f} draws/s"
        f" ({small:.2f} s wall, best of {sizes.repeats})"
    )
    print(f"throughput at {sizes.large:,} draws: {rate_large:,.0f} draws/s ({large:.2f} s wall)")
    print(
        f"peak memory at {sizes.memory:,} draws: {mem['peak_mib']:,.0f} MiB"
        f" (sbqw simulate --format json in a child, {mem['seconds']:.1f} s;"
        f" import alone {mem['import_mib']:,.0f} MiB;"
        f" RUSAGE_CHILDREN {mem['children_mib']:,.0f} MiB)"
    )

    cond, ess = conditioned_seconds(scenario, sizes.large)
    extra = cond / large - 1
    print(
        f"conditioning on 3 figures at {sizes.large:,} draws: {cond:.2f} s wall"
        f" ({extra:+.0%} over the plain run; effective draws {ess:,.0f}) (goal < +20 %)"
    )

    per_draw = large / sizes.large
    one, agree = one_by_one(scenario, sizes.one_by_one)
    ratio_a = one / per_draw
    print()
    print(
        f"one-by-one costing: {one * 1e3:.1f} ms per draw over {sizes.one_by_one} draws"
        f" (world_ledger + cost_ledger; totals agree with the engine: {'yes' if agree else 'NO'});"
        f" engine {per_draw * 1e6:.1f} µs per draw"
    )
    print(f"engine is {ratio_a:,.0f}× faster than one-by-one costing (goal ≥ 100×)")

    check_replay(scenario)
    floor = rng_floor_seconds(scenario, sizes.large)
    ratio_b = large / floor
    print(
        f"RNG floor for {sizes.large:,} draws: {floor:.2f} s (same streams, sizes and"
        " distributions as worlds.draw_block; replay checked against block 0)"
    )
    print(f"engine / RNG floor = {ratio_b:.2f} (goal ≤ 3×)")

    goals = {
        "100k_under_5s": large <= 5.0 if sizes.large == 100_000 else None,
        "1M_under_1GiB": mem["peak_mib"] < 1024 if sizes.memory == 1_000_000 else None,
        "ratio_a_at_least_100": ratio_a >= 100,
        "ratio_b_at_most_3": ratio_b <= 3,
        "conditioning_under_20pct": extra < 0.20,
    }
    print()
    print("--- README performance section (paste) ---")
    print(
        f"Measured by `python benchmarks/bench_engine.py` on {os.cpu_count()} CPUs"
        f" (numpy {np.__version__}), `sbqw_model/scenarios/baseline.yaml`, seed {SEED}:"
    )
    print()
    print("| measure | result | goal |")
    print("|---|---|---|")
    print(f"| draws/s at {sizes.small:,} draws | {rate_small:,.0f} ({small:.2f} s) | |")
    print(
        f"| draws/s at {sizes.large:,} draws | {rate_large:,.0f} ({large:.2f} s) |"
        " 100 000 draws < 5 s |"
    )
    print(f"| peak memory at {sizes.memory:,} draws | {mem['peak_mib']:,.0f} MiB | < 1 GiB |")
    print(f"| engine vs one-by-one costing (a) | {ratio_a:,.0f}× faster | ≥ 100× |")
    print(f"| engine / RNG floor (b) | {ratio_b:.2f}× | ≤ 3× |")
    print(f"| conditioning on 3 figures at {sizes.large:,} draws | {extra:+.0%} | < +20 % |")
    print("--- end ---")
    print()
    print("goals: " + json.dumps(goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())

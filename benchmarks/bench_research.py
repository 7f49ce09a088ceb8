"""Benchmark of the research toolkit on the shipped ``baseline`` scenario (a script, not a test).

    python benchmarks/bench_research.py            # the full run recorded in the README
    python benchmarks/bench_research.py --quick    # tiny sizes: a smoke test of this script

Prints:

- Sobol' first and total order with 8 factors and N = 512 (5 120 evaluations of 500 draws)
  end to end on an embedded 2-worker ``LocalCluster`` (cluster start-up, SALib sampling, the
  evaluations, SALib analysis of 10 outputs), goal under 3 minutes on a 2-core machine;
- the overhead of the sweep machinery and SALib against pure engine time for the same draws:
  worker capacity (wall × workers) against the seconds the workers spent inside the engine,
  goal ≤ 10 %; and, as a cross-check that workers are not slowed by sharing the machine, the
  engine's time per evaluation in this process alone on a sample of the same points;
- a 200-point sweep (the shipped ``growth_latin``) on a running ``LocalCluster`` with 1 and
  then 2 workers (workers warmed up, start-up excluded and printed apart): speed-up, goal ≥ 1.7×;
- the check of every point before a sweep starts (``sweep.check_points``) at 10 000 and
  200 000 points, for the shipped ``growth_latin`` (a Latin sample: every value distinct) and
  ``frontier_levers``'s factors on a finer grid with the growth distribution reshaped, against
  ``check_point`` at every point in turn (how it was checked before);
- a block of figures to paste into the README.

Timings depend on the machine; the goals in the issue are for the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sbqw_model.engine import simulate  # noqa: E402
from sbqw_model.errors import InputError  # noqa: E402
from sbqw_model.research import problem as pb  # noqa: E402
from sbqw_model.research.cluster import local_cluster  # noqa: E402
from sbqw_model.research.sensitivity import run_sensitivity, sample, scenario_problem  # noqa: E402
from sbqw_model.research.sweep import check_points, load_sweep, point_values, run_sweep  # noqa: E402
from sbqw_model.scenario import load_scenario  # noqa: E402

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
SWEEP = ROOT / "sbqw_model" / "sweeps" / "growth_latin.yaml"
SEED = 0
#: The 8 factors: the uncertainties that move targets or budget most in the baseline.
FACTORS = (
    "uncertainties.online_retail.level_2022",
    "uncertainties.online_retail.growth",
    "uncertainties.products.level_2022",
    "uncertainties.products.growth",
    "uncertainties.recognition.base.applications",
    "uncertainties.recognition.team.applications",
    "uncertainties.firms.count",
    "uncertainties.firms.pareto_alpha",
)


@dataclass(frozen=True)
class Sizes:
    n: int  # Sobol' base sample
    factors: int
    engine_sample: int  # points timed in-process for the cross-check
    sweep_points: int | None  # None: the sweep file's own 200
    checked: tuple[int, ...]  # points whose check before a sweep is timed


FULL = Sizes(n=512, factors=8, engine_sample=256, sweep_points=None, checked=(10_000, 200_000))
QUICK = Sizes(n=8, factors=3, engine_sample=4, sweep_points=12, checked=(2_000,))
WORKERS = 2


def sobol_end_to_end(sizes: Sizes) -> dict[str, float]:
    scenario = load_scenario(BASELINE)
    factors = FACTORS[: sizes.factors]
    start = time.perf_counter()
    with local_cluster(WORKERS) as client:  # what `sbqw sensitivity --workers 2` starts
        result = run_sensitivity(
            scenario,
            "sobol",
            sizes.n,
            factors=factors,
            draws=500,
            seed=SEED,
            client=client,
            progress=False,
        )
    wall = time.perf_counter() - start
    evaluations = len(result.sample)
    # the same evaluations, timed one by one in this process (a sample of them)
    problem = scenario_problem(scenario, factors)
    points = problem.rows(sample("sobol", problem, sizes.n, SEED))[: sizes.engine_sample]
    simulate(scenario, draws=500, seed=SEED)  # warm
    t0 = time.perf_counter()
    for values in points:
        simulate(pb.apply(scenario, problem.inputs, values), draws=500, seed=SEED)
    serial_per_eval = (time.perf_counter() - t0) / len(points)
    return {
        "evaluations": evaluations,
        "wall": wall,
        "engine_in_workers": result.engine_seconds,
        "overhead": wall * WORKERS / result.engine_seconds - 1,
        "per_eval_workers": result.engine_seconds / evaluations,
        "per_eval_serial": serial_per_eval,
        "serial_estimate": serial_per_eval * evaluations,
        "warnings": len(result.warnings),
    }


def _warm() -> None:
    import sbqw_model.engine
    import sbqw_model.research.evaluate  # noqa: F401


def sweep_speedup(sizes: Sizes) -> dict[str, float]:
    sweep = load_sweep(SWEEP)
    if sizes.sweep_points:
        from dataclasses import replace

        sweep = replace(sweep, n_points=sizes.sweep_points)
    out: dict[str, float] = {"points": sweep.n_points, "draws": sweep.draws}
    scratch = Path(tempfile.mkdtemp(prefix="sbqw-bench-"))
    try:
        for workers in (1, 2):
            t0 = time.perf_counter()
            with local_cluster(workers) as client:
                client.run(_warm)
                out[f"startup_{workers}"] = time.perf_counter() - t0
                t1 = time.perf_counter()
                run = run_sweep(sweep, scratch / f"w{workers}", client=client, progress=False)
                out[f"wall_{workers}"] = time.perf_counter() - t1
                out[f"engine_{workers}"] = run.engine_seconds
        out["speedup"] = out["wall_1"] / out["wall_2"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def _grid(points: int) -> tuple[pb.Problem, list[tuple[int, tuple[Any, ...]]]]:
    """``frontier_levers``'s factors on a finer grid of ``points`` (the payout share in
    ``points`` ÷ 2000 steps), with the growth distribution's mean and sd reshaped (10 each)."""
    import numpy as np

    base = load_scenario(BASELINE)
    steps = max(points // 2000, 1)
    factors = {
        "behaviour.growth_response_to_payout_share": np.linspace(0.0, 0.2, 10).tolist(),
        "assumptions.traffic_base": ["all", "excess"],
        "assumptions.payout_share": np.linspace(1.0 / steps, 1.0, steps).tolist(),
        "uncertainties.online_retail.growth.mean": np.linspace(0.05, 0.25, 10).tolist(),
        "uncertainties.online_retail.growth.sd": np.linspace(0.01, 0.1, 10).tolist(),
    }
    problem = pb.Problem(
        tuple(pb.Factor(pb.resolve(p, base), values=tuple(v)) for p, v in factors.items())
    )
    return problem, list(enumerate(point_values("grid", problem, 0, 0)))


def point_checks(sizes: Sizes) -> list[dict[str, Any]]:
    """Seconds to check every point before a sweep, and one point at a time (as before)."""
    from dataclasses import replace

    out = []
    for n in sizes.checked:
        latin = replace(load_sweep(SWEEP), n_points=n)
        base = latin.base  # the baseline
        grid, grid_points = _grid(n)
        for name, problem, points in (
            ("growth_latin", latin.problem, latin.points()),
            ("frontier_levers factors on a grid", grid, grid_points),
        ):
            t0 = time.perf_counter()
            with contextlib.suppress(InputError):  # invalid points take as long to find
                check_points(points, base, problem, name)
            checked = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _, values in points:
                pb.check_point(base, problem.inputs, values)
            before = time.perf_counter() - t0
            out.append(
                {"design": name, "points": len(points), "seconds": checked, "before": before}
            )
    return out


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    print(f"sbqw research benchmark — scenario {BASELINE.relative_to(ROOT)}, seed {SEED}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}; Dask LocalCluster with {WORKERS} single-threaded workers"
    )
    print(f"load average before: {_load()} (other processes on this machine skew every figure)")
    print()
    s = sobol_end_to_end(sizes)
    print(
        f"Sobol' (S1 and ST) with {sizes.factors} factors, N = {sizes.n}:"
        f" {s['evaluations']:,} evaluations × 500 draws, 10 outputs"
    )
    print(f"end to end: {s['wall']:.1f} s (goal < 180 s)")
    print(
        f"engine time inside the workers: {s['engine_in_workers']:.1f} s"
        f" ({s['per_eval_workers'] * 1000:.1f} ms per evaluation;"
        f" {s['per_eval_serial'] * 1000:.1f} ms alone in this process)"
    )
    print(
        f"sweep + SALib overhead: {s['overhead']:.1%} of pure engine time"
        f" (wall × {WORKERS} workers ÷ engine seconds − 1; goal ≤ 10 %)"
    )
    print()
    w = sweep_speedup(sizes)
    print(
        f"{w['points']:.0f}-point sweep ({SWEEP.relative_to(ROOT)},"
        f" {w['draws']:.0f} draws a point):"
    )
    print(
        f"1 worker: {w['wall_1']:.2f} s; 2 workers: {w['wall_2']:.2f} s"
        f" (cluster start-up {w['startup_1']:.1f} s / {w['startup_2']:.1f} s, not included)"
    )
    print(f"speed-up with 2 workers: {w['speedup']:.2f}× (goal ≥ 1.7×)")
    print(
        f"engine time per point: {w['engine_1'] / w['points'] * 1000:.1f} ms with 1 worker,"
        f" {w['engine_2'] / w['points'] * 1000:.1f} ms with 2 (more = the cores were shared)"
    )
    print()
    print("Check of every point before a sweep (sweep.check_points):")
    for c in point_checks(sizes):
        print(
            f"{c['design']}, {c['points']:,} points: {c['seconds']:.3f} s (one point at a time:"
            f" {c['before']:.2f} s, {c['before'] / c['seconds']:.1f}× as long)"
        )
    print()
    goals = {
        "sobol_under_3_min": s["wall"] < 180,
        "overhead_at_most_10pct": s["overhead"] <= 0.10,
        "speedup_at_least_1.7": w["speedup"] >= 1.7,
    }
    print(f"load average after: {_load()}")
    print()
    print("--- README performance section (paste) ---")
    print(
        f"Research toolkit ({platform.machine()}, {os.cpu_count()} CPUs, embedded Dask"
        f" LocalCluster, {WORKERS} workers; `python benchmarks/bench_research.py`):"
    )
    print()
    print("| measure | result | goal |")
    print("|---|---|---|")
    print(
        f"| Sobol' S1+ST, {sizes.factors} factors, N = {sizes.n} ({s['evaluations']:,} × 500"
        f" draws), end to end | {s['wall']:.0f} s | < 3 min |"
    )
    print(f"| sweep + SALib overhead vs engine time | {s['overhead']:.1%} | ≤ 10 % |")
    print(
        f"| {w['points']:.0f}-point sweep, 1 → 2 workers | {w['wall_1']:.1f} s → {w['wall_2']:.1f}"
        f" s ({w['speedup']:.2f}×) | ≥ 1.7× |"
    )
    print("--- end ---")
    print()
    print("goals: " + json.dumps(goals))
    return 0


if __name__ == "__main__":  # workers of the embedded cluster are spawned processes
    sys.exit(main())

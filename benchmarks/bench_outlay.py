"""Benchmark of ``engine.outlay`` alone: the rules applied to already-drawn worlds (a script).

    python benchmarks/bench_outlay.py                 # 20 000 draws of the shipped baseline
    python benchmarks/bench_outlay.py --draws 2000    # smaller

Worlds are drawn first (not timed); then every block is costed by ``engine.outlay``, best of
``--repeat``, in CPU seconds (``time.process_time``) and wall seconds. Prints one line per
scenario reading, so the registry-driven outlay can be compared with an earlier commit.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sbqw_model.engine import outlay, simulate_worlds  # noqa: E402
from sbqw_model.scenario import load_scenario  # noqa: E402

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    scenario = load_scenario(BASELINE)
    worlds = [w for _, w in simulate_worlds(scenario, 0, args.draws)]
    readings = {
        "defaults": scenario.assumptions,
        "repay+enterprises_only": replace(
            scenario.assumptions, revoked_repay=True, sales_award_recipients="enterprises_only"
        ),
    }
    for name, assume in readings.items():
        cpu, wall = [], []
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            for world in worlds:
                outlay(world, scenario.params, assume)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        print(
            f"outlay {args.draws} draws ({name}): best CPU {min(cpu):.3f} s,"
            f" median CPU {sorted(cpu)[len(cpu) // 2]:.3f} s, best wall {min(wall):.3f} s"
        )


if __name__ == "__main__":
    main()

"""CPU of the report's charts, each drawn and PNG-encoded (``charts.png``) — a script.

    python benchmarks/bench_charts.py                # 2 000 draws, median of 7 per chart
    python benchmarks/bench_charts.py --draws 200 --repeat 1

The five charts of a scenario report (shipped baseline) and the three of a comparison
(baseline, optimistic, pessimistic), in CPU milliseconds (``time.process_time``: the machine
may be shared), median of ``--repeat`` after one warm-up. Two readings: "warm" is a chart
after others of its size in the same process (a report's later charts, every chart of the
next report); "cold" empties the shared renderers first (the first chart of its size).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from sbqw_model import shipped  # noqa: E402
from sbqw_model.engine import TARGETS, simulate  # noqa: E402
from sbqw_model.reporting import charts  # noqa: E402
from sbqw_model.scenario import load_scenario  # noqa: E402
from sbqw_model.summary import summarize  # noqa: E402

REPORT = ("fan_chart", "units_chart", "budget_by_year_chart", "outlay_distribution",
          "prefecture_chart")  # fmt: skip
COMPARED = ("baseline", "optimistic", "pessimistic")


def chart_makers(draws: int, lang: str) -> dict[str, Callable[[], charts.Figure]]:
    results = {n: simulate(load_scenario(shipped.scenario_path(n)), draws=draws, seed=0)
               for n in COMPARED}  # fmt: skip
    summaries = [summarize(r) for r in results.values()]
    names = [r.scenario.title(lang) for r in results.values()]
    p_met = np.array([[s.targets[k].p_met for k in TARGETS] + [s.p_all_met] for s in summaries])
    bands = np.array([[s.budget.total.low, s.budget.total.central, s.budget.total.high]
                      for s in summaries])  # fmt: skip
    baseline = results["baseline"]
    makers = {name: functools.partial(getattr(charts, name), baseline, lang) for name in REPORT}
    makers["compare_probabilities"] = lambda: charts.compare_probabilities(names, p_met, lang)
    makers["compare_differences"] = lambda: charts.compare_differences(names, p_met, lang)
    makers["compare_budgets"] = lambda: charts.compare_budgets(names, bands, lang)
    return makers


def cpu_ms(make: Callable[[], charts.Figure], repeat: int, cold: bool) -> float:
    charts.png(make())  # warm-up
    seconds = []
    for _ in range(repeat):
        if cold and hasattr(charts, "ReportCanvas"):  # (absent before renderers were shared)
            charts.ReportCanvas._pool.__dict__.clear()
        start = time.process_time()
        charts.png(make())
        seconds.append(time.process_time() - start)
    return statistics.median(seconds) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    args = ap.parse_args()
    makers = chart_makers(args.draws, args.lang)
    totals = {"report": [0.0, 0.0], "comparison": [0.0, 0.0]}
    print(f"chart CPU (ms, median of {args.repeat}, {args.draws} draws, {args.lang}): warm  cold")
    for name, make in makers.items():
        warm, cold = cpu_ms(make, args.repeat, False), cpu_ms(make, args.repeat, True)
        group = "report" if name in REPORT else "comparison"
        totals[group][0] += warm
        totals[group][1] += cold
        print(f"  {name:24s} {warm:7.1f} {cold:7.1f}")
    for group, (warm, cold) in totals.items():
        print(f"  {group + ' charts, total':24s} {warm:7.1f} {cold:7.1f}")


if __name__ == "__main__":
    main()

"""Research subcommands of ``sbqw``: sweep, sensitivity, discover, frontier, backtest.

``sbqw_model.cli`` appends ``SUBCOMMANDS`` to its own list. Heavy imports (Dask, SALib,
scikit-learn, pandas) happen inside the handlers, so ``sbqw --help`` stays fast. Bad input is an
``InputError`` (one line per problem, exit 2, nothing written), as everywhere in sbqw.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sbqw_model.cliutil import (
    OBSERVED_HELP,
    add_assume,
    add_format_and_out,
    emit,
    hidden_alias,
    load_scenario_with,
    out_format,
    whole,
)
from sbqw_model.errors import InputError, one_line
from sbqw_model.summary_types import BAND

if TYPE_CHECKING:  # annotations only: the real imports wait for the handlers
    from sbqw_model.research.sensitivity import SensitivityResult
    from sbqw_model.scenario import Scenario

EXIT_NOT_REACHED = 1  # sbqw frontier: no setting reaches the requested probability


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability from 0 to 1, got {text!r}")
    return value


def _warn(lines: list[str] | tuple[str, ...]) -> None:
    for line in lines:
        print(f"sbqw: warning: {line}", file=sys.stderr)


def _add_dask(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=whole(1),
        help="worker processes of the embedded Dask cluster (default: CPU count; 1 = this process)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="use a running Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers need sbqw)",
    )


def _scenario(
    path: Path, assume: list[str], observed: Path | None, draws: int | None = None
) -> Scenario:
    """The scenario (conditioned on ``observed``); with ``draws``, refused if it cannot fit."""
    scenario = load_scenario_with(path, assume)
    if draws is not None:
        from sbqw_model.memory import check_run

        check_run(scenario, draws, "--draws")
    if observed is not None:
        from sbqw_model.research.observations import load_observed

        conditioned = load_observed(observed, scenario)
        conditioned.path = scenario.path
        return conditioned
    return scenario


# --------------------------------------------------------------------------------------------
# sbqw sweep


def add_sweep(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a sweep file (grid, Latin hypercube or Sobol' sample) on Dask",
        description="Evaluate every point of a sweep file and write one row per point (factors,"
        " target probabilities with standard errors, budget bands in yuan) as points finish."
        " Every point uses the same seed, so points share their random draws.",
    )
    p.add_argument(
        "sweep", type=Path, help="sweep YAML file, or a shipped sweep by name (growth_latin)"
    )
    p.add_argument("--out", type=Path, help="results folder (default: sweep_results/<name>)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep in --out, skipping finished points",
    )
    p.add_argument("--format", choices=("parquet", "csv"), help="table format (default parquet)")
    _add_dask(p)
    p.set_defaults(handler=run_sweep_command)


def run_sweep_command(args: argparse.Namespace) -> int:
    from sbqw_model.extras import require
    from sbqw_model.outputs import check_folder, inside, safe_name
    from sbqw_model.research.sweep import load_sweep, run_sweep
    from sbqw_model.shipped import sweep_path

    require("sweep", "sbqw sweep")
    if args.format == "parquet":  # asked for by name: no quiet fall back to CSV
        require("parquet", "sbqw sweep --format parquet")
    sweep = load_sweep(sweep_path(args.sweep))
    out = args.out or inside(Path("sweep_results"), safe_name(sweep.name, default="sweep"))
    check_folder(out)
    _warn(sweep.warnings)
    start = time.perf_counter()
    run = run_sweep(  # a stop says where finished points are on its one line (run_sweep)
        sweep,
        out,
        fmt=args.format,
        resume=args.resume,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    points = "1 point" if sweep.n_points == 1 else f"{sweep.n_points:,} points"
    print(
        f"{one_line(str(run.path))}: {points} ({run.computed:,} computed now,"
        f" {run.resumed:,} resumed) × {sweep.draws:,} draws in"
        f" {time.perf_counter() - start:.1f} s"
    )
    return 0


# --------------------------------------------------------------------------------------------
# sbqw sensitivity


def add_sensitivity(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="Sobol' or Morris sensitivity indices (SALib) over a scenario's uncertainties",
        description="Which uncertainties drive each output: Sobol' first-order and total indices"
        " with 95 % intervals, or Morris μ* and σ. Factors: the scenario's non-fixed"
        " uncertainties, uniform over their plausible range (support, or mean ± 2 sd).",
    )
    p.add_argument(
        "scenario", type=Path, help="scenario YAML file, or a shipped scenario name (baseline)"
    )
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    p.add_argument(
        "--n",
        type=whole(1),
        help="base sample size N (Sobol', a power of 2; default 512) or Morris"
        " trajectories (default 20)",
    )
    p.add_argument(
        "--outputs",
        nargs="+",
        metavar="OUTPUT",
        help="outputs to analyze (default: each target's p_met, p_all_met,"
        f" budget.total.p50 and budget.total.{BAND[1]})",
    )
    p.add_argument(
        "--factors",
        nargs="+",
        metavar="PATH[=LOW:HIGH]",
        help="factors instead of every non-fixed uncertainty, e.g."
        " uncertainties.online_retail.growth assumptions.payout_share=0.5:1",
    )
    p.add_argument(
        "--levers",
        action="store_true",
        help="also vary payout_share (50–100 %%) and the traffic subsidy's rate and cap"
        " (50–100 %% of the plan's)",
    )
    p.add_argument("--draws", type=whole(1), default=500, help="worlds per point (default 500)")
    p.add_argument("--seed", type=whole(0), default=0)
    add_assume(p)
    p.add_argument(
        "--observed",
        type=Path,
        metavar="FILE",
        help=f"{OBSERVED_HELP} (the scenario's conditioning)",
    )
    _add_dask(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--out", type=Path, help="folder for indices.csv, sample.parquet and sensitivity.json"
    )
    p.set_defaults(handler=run_sensitivity_command)


def run_sensitivity_command(args: argparse.Namespace) -> int:
    from sbqw_model.extras import require
    from sbqw_model.outputs import output_lock

    require("sensitivity", "sbqw sensitivity")
    scenario = _scenario(args.scenario, args.assume, args.observed, args.draws)
    if args.out is None:
        return _sensitivity(args, scenario)
    _check_new_folder(args.out)
    with output_lock(args.out, "sbqw sensitivity"):
        _check_new_folder(args.out)  # again, now that no other run can fill it
        return _sensitivity(args, scenario)


def _sensitivity(args: argparse.Namespace, scenario: Scenario) -> int:
    from sbqw_model.research import text
    from sbqw_model.research.sensitivity import STABLE_N, run_sensitivity

    result = run_sensitivity(
        scenario,
        args.method,
        args.n or STABLE_N[args.method],
        outputs=args.outputs,
        factors=args.factors,
        levers=args.levers,
        draws=args.draws,
        seed=args.seed,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    _warn(result.warnings)
    if args.out is not None:
        _write_sensitivity(result, args.out)
    emit(text.to_json(result.to_dict()) if args.format == "json" else text.sensitivity(result))
    return 0


def _check_new_folder(out: Path) -> None:
    from sbqw_model.fileio import is_temporary
    from sbqw_model.outputs import LOCK_NAME, check_folder

    check_folder(out)
    # the lock, and what a killed run left (removed once the lock is taken), are no results
    if out.is_dir() and any(
        p.name != LOCK_NAME and not is_temporary(p.name) for p in out.iterdir()
    ):
        raise InputError([f"{out}: exists and is not empty; choose another --out"])


def _write_sensitivity(result: SensitivityResult, out: Path) -> None:
    from sbqw_model.fileio import atomic_dir
    from sbqw_model.outputs import writing
    from sbqw_model.research import text
    from sbqw_model.research.store import default_format
    from sbqw_model.spreadsheet import write_csv

    fmt = default_format()
    with writing(out), atomic_dir(out) as tmp:
        write_csv(result.indices, tmp / "indices.csv")
        if fmt == "parquet":
            result.sample.to_parquet(tmp / "sample.parquet", index=False)
        else:
            write_csv(result.sample, tmp / "sample.csv")
        (tmp / "sensitivity.json").write_text(text.to_json(result.to_dict()), encoding="utf-8")
    written = f"{one_line(str(out))}/ (indices.csv, sample.{fmt}, sensitivity.json)"
    print(f"wrote {written}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# sbqw discover


def add_discover(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discover",
        help="scenario discovery: under which conditions a target is missed",
        description="Boxes of driver values where a target is missed (a shallow decision tree),"
        " with density, coverage and a sentence in Chinese and English. SOURCE is a scenario"
        " file (one run = one simulated world) or a sweep/sensitivity results folder or table"
        " (one run = one point; missed = P(met) below 50 %).",
    )
    p.add_argument(
        "source",
        type=Path,
        help="scenario YAML file or shipped scenario name, or sweep results (folder or table)",
    )
    p.add_argument(
        "--outcome",
        nargs="+",
        default=["online_retail", "all"],
        metavar="OUTCOME",
        help="outcomes to explain: all, or a target such as online_retail"
        " (default: online_retail all)",
    )
    hidden_alias(p, "--target", "--outcome", nargs="+")
    p.add_argument(
        "--draws",
        type=whole(1),
        default=5000,
        help="worlds to simulate (scenario source; default 5000)",
    )
    p.add_argument("--seed", type=whole(0), default=0)
    p.add_argument(
        "--depth",
        type=whole(1),
        default=2,
        help="conditions per box at most (tree depth; default 2)",
    )
    add_assume(p)
    p.add_argument(
        "--observed", type=Path, metavar="FILE", help=f"{OBSERVED_HELP} (scenario source)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="sentence language (JSON)")
    p.set_defaults(handler=run_discover_command)


#: Suffixes of a sweep results table (``load_results``).
TABLES = (".parquet", ".csv")


def _check_source(source: Path) -> None:
    """A source that is nowhere is most often a misspelt shipped scenario (``baselin``): say
    which, as ``sbqw simulate`` does, rather than only that no results folder has that name."""
    from sbqw_model.errors import did_you_mean
    from sbqw_model.shipped import is_shipped_name, shipped_names

    if source.exists() or source.is_symlink() or source.suffix in (".yaml", ".yml", *TABLES):
        return  # the scenario loader or load_results says what is wrong with it
    if is_shipped_name(str(source)):
        return  # a shipped scenario by name: ``sbqw discover baseline``
    names = shipped_names()
    raise InputError(
        [
            f"{source}: no such scenario file or sweep results folder, and not a shipped"
            f" scenario{did_you_mean(str(source), names)}; shipped: {', '.join(names)}"
            " (see `sbqw scenarios`)"
        ]
    )


def run_discover_command(args: argparse.Namespace) -> int:
    from sbqw_model.extras import require

    require("discover", "sbqw discover")
    from sbqw_model.errors import did_you_mean
    from sbqw_model.research import discovery as dv
    from sbqw_model.research import text

    bad = [o for o in args.outcome if o not in dv.OUTCOMES]
    if bad:
        raise InputError(
            [
                f"--outcome {o}: unknown outcome{did_you_mean(o, dv.OUTCOMES)};"
                f" valid: {', '.join(dv.OUTCOMES)}"
                for o in bad
            ]
        )
    source = args.source
    from sbqw_model.shipped import is_shipped_name

    _check_source(source)
    if source.suffix in (".yaml", ".yml") or is_shipped_name(str(source)):
        scenario = _scenario(source, args.assume, args.observed, args.draws)
        found = dv.discover_scenario(
            scenario, tuple(args.outcome), args.draws, args.seed, args.depth
        )
        label, seed = scenario.name, args.seed
    else:
        from sbqw_model.research.frontier import check_cells, load_results

        table = load_results(source)
        columns = [dv.outcome_column(o) for o in args.outcome]
        check_cells(table, {c: "probability" for c in columns if c in table.columns})
        x, missed = dv.point_sample(table)
        absent = [o for o in args.outcome if o not in missed]
        if absent:
            raise InputError([f"{source}: no probability column for {', '.join(absent)}"])
        if x.shape[1] == 0:
            raise InputError([f"{source}: no numeric factor column varies; nothing to explain"])
        found = [dv.discover(x, missed, o, "point", None, args.depth) for o in args.outcome]
        label, seed = str(source), None
    if args.format == "json":
        emit(text.to_json([d.to_dict(args.lang) for d in found]))
    else:
        emit(text.discovery(found, label, seed))
    return 0


# --------------------------------------------------------------------------------------------
# sbqw frontier


def add_frontier(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "frontier",
        help="policy frontier of a lever sweep: budget (p95) against P(all targets met)",
        description="The Pareto frontier of budget (95th percentile of total outlay) against the"
        " probability of meeting the targets across a sweep's lever settings, and the cheapest"
        " setting reaching --min-probability. Exit status 1 when no setting reaches it.",
    )
    p.add_argument("results", type=Path, help="sweep results folder (sbqw sweep --out) or table")
    p.add_argument(
        "--min-probability",
        type=_probability,
        default=0.8,
        metavar="P",
        help="probability the cheapest setting must reach (default 0.8)",
    )
    hidden_alias(p, "--target-p", "--min-probability", type=_probability)
    p.add_argument(
        "--probability",
        default="p_all_met",
        help="probability column (default p_all_met; e.g. targets.online_retail.p_met)",
    )
    p.add_argument(
        "--cost",
        help=f"cost column (default budget.total.{BAND[1]}, the high outlay the reports show)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=run_frontier_command)


def run_frontier_command(args: argparse.Namespace) -> int:
    from sbqw_model.research import text
    from sbqw_model.research.evaluate import expand_alias
    from sbqw_model.research.frontier import COST, frontiers, load_results

    table = load_results(args.results)
    cost = args.cost or COST
    found = frontiers(table, args.min_probability, cost, expand_alias(args.probability))
    if args.format == "json":
        emit(
            text.to_json(
                {
                    "source": str(args.results),
                    "min_probability": args.min_probability,
                    "probability": found[0].probability,
                    "cost": found[0].cost,
                    "frontiers": [f.to_dict() for f in found],
                }
            )
        )
    else:
        emit(text.frontier(found, str(args.results)))
    return 0 if all(f.cheapest is not None for f in found) else EXIT_NOT_REACHED


# --------------------------------------------------------------------------------------------
# sbqw backtest


def add_backtest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="where observed figures fall in a scenario's forecast (percentiles, coverage)",
        description="For each figure of an observations file (year, indicator, value, source):"
        " its percentile in the scenario's forecast for that year and whether it falls in the"
        " central 50 % and 90 % intervals; then the intervals' coverage.",
    )
    p.add_argument(
        "scenario", type=Path, help="scenario YAML file, or a shipped scenario name (baseline)"
    )
    p.add_argument(
        "--observed",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV/XLSX with columns year, indicator, value, source",
    )
    p.add_argument("--draws", type=whole(1), default=10_000)
    p.add_argument("--seed", type=whole(0), default=0)
    p.add_argument(
        "--mode",
        choices=("sequential", "prior"),
        default="sequential",
        help="sequential: each year forecast from earlier years' figures (default);"
        " prior: from no figures at all",
    )
    add_assume(p)
    add_format_and_out(p, ".txt table, .json, .csv")
    p.set_defaults(handler=run_backtest_command)


#: What ``backtest --out`` writes, by suffix (no workbook: a table of checks).
TEXT_FORMATS = {".txt": "table", ".json": "json", ".csv": "csv"}


def run_backtest_command(args: argparse.Namespace) -> int:
    from sbqw_model.research import text
    from sbqw_model.research.backtest import run_backtest
    from sbqw_model.research.observations import read_observations

    problems: list[str] = []
    scenario = observed = None
    try:
        scenario = _scenario(args.scenario, args.assume, None, args.draws)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        from sbqw_model.parameters import default_parameters

        params = scenario.params if scenario else default_parameters()
        from sbqw_model.outputs import file_problems

        # --out is a folder or under a file: say that, not that its suffix is unknown
        given = {"--observed": args.observed, "scenario": args.scenario}
        found = file_problems(args.out, inputs=given) if args.out is not None else []
        problems.extend(found)
        fmt = "table" if found else out_format(args.out, args.format, TEXT_FORMATS)
        if not args.observed.exists():  # a folder or a pipe: read_table says which
            raise InputError([f"{args.observed}: observations file not found"])
        observed = read_observations(args.observed, params)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert scenario is not None and observed is not None
    result = run_backtest(scenario, observed, args.draws, args.seed, args.mode)
    if fmt == "json":
        out = text.to_json(result.to_dict())
    elif fmt == "csv":
        import pandas as pd

        from sbqw_model.summary import csv_text

        out = csv_text(pd.DataFrame(result.rows()))
    else:
        out = text.backtest(result)
    emit(out, args.out)
    return 0


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_sweep,
    add_sensitivity,
    add_discover,
    add_frontier,
    add_backtest,
]

"""The ``sbqw`` command line: one subcommand per question a user asks.

User errors (bad files, bad flags) print one line per problem to stderr and exit with status 2,
never a traceback, and write nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sbqw_model import __version__
from sbqw_model.cliutil import (
    OneLineParser,
    add_assume,
    add_format_and_out,
    add_observed,
    conditioned,
    conditioning_parameter,
    emit,
    load_scenario_with,
    out_format,
    reader_gone,
    stdout_gone,
    warn_conditioning,
    whole,
)
from sbqw_model.errors import InputError, one_line, os_problem, shown
from sbqw_model.outputs import file_problems, folder_problems, output_lock, writing
from sbqw_model.signals import INTERRUPTED, exit_code, stop_if_asked, terminate_as_interrupt

EXIT_USER_ERROR = 2
PROGRESS_MIN_DRAWS = 20_000  # runs shorter than ~1 s need no bar; not a rule amount

Handler = Callable[[argparse.Namespace], int]


def _add_cost(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cost",
        help="cost a ledger of recognitions and firm-year sales, line by line",
        description="What a given list of recognized units and firm-years is owed under the"
        " plan's rules, with the clause behind every yuan.",
    )
    p.add_argument(
        "--recognitions", type=Path, help="CSV/XLSX: unit_id, category, prefecture, year"
    )
    p.add_argument(
        "--sales",
        type=Path,
        help="CSV/XLSX: unit_id, prefecture, year, annual_sales_yuan, online_retail_yuan,"
        " above_scale, cross_border",
    )
    add_assume(p)
    add_format_and_out(p, ".txt table, .json, .csv, .xlsx workbook")
    p.add_argument("--parameters", type=Path, help="an alternative parameter file")
    p.set_defaults(handler=_run_cost)


def _run_cost(args: argparse.Namespace) -> int:
    import numpy as np

    from sbqw_model import costing_report
    from sbqw_model.assumptions import parse_assume_args
    from sbqw_model.costing import cost_ledger
    from sbqw_model.ledger import load_ledger
    from sbqw_model.parameters import default_parameters, load_parameters

    # --out is a folder or under a file: say that, not that its suffix is unknown
    given = {"--recognitions": args.recognitions, "--sales": args.sales}
    given["--parameters"] = args.parameters
    problems: list[str] = file_problems(args.out, inputs=given) if args.out is not None else []
    fmt = "table"
    if not problems:
        try:
            fmt = out_format(args.out, args.format, costing_report.OUT_FORMATS)
        except InputError as exc:
            problems.extend(exc.problems)
    try:
        assume = parse_assume_args(args.assume)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        params = load_parameters(args.parameters) if args.parameters else default_parameters()
        ledger = load_ledger(args.recognitions, args.sales, params)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if args.recognitions is None and args.sales is None:
        raise InputError(["nothing to cost: give --recognitions, --sales or both"])
    result = cost_ledger(ledger, params, assume)
    if not np.isfinite(result.lines["amount_yuan"].to_numpy(dtype=float)).all():
        raise InputError(["sbqw cost: the amounts overflowed; expected smaller amounts"])
    if fmt == "xlsx":
        from sbqw_model.fileio import atomic_path

        with writing(args.out), atomic_path(args.out) as tmp:  # openpyxl's own temp file too
            costing_report.to_xlsx(result, tmp)
        print(f"wrote {one_line(str(args.out))}", file=sys.stderr)
        return 0
    render = {
        "table": costing_report.to_table,
        "json": costing_report.to_json,
        "csv": costing_report.to_csv,
    }[fmt]
    emit(render(result), args.out)
    return 0


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="Monte Carlo of a scenario: odds of each 2025 target and the budget with bands",
        description="Simulate many worlds of a scenario file and summarize target attainment"
        " and outlay by payment year, instrument and prefecture.",
    )
    p.add_argument(
        "scenario",
        type=Path,
        help="scenario YAML file, or a shipped scenario name (see `sbqw scenarios`)",
    )
    p.add_argument("--draws", type=_positive_int, default=10_000, help="worlds to simulate")
    p.add_argument("--seed", type=_nonnegative_int, default=0)
    add_assume(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", type=Path, help="folder for CSV tables, summary.json and summary.xlsx")
    p.add_argument(
        "--export-draw",
        type=_nonnegative_int,
        metavar="K",
        help="write world K's ledger (recognitions.csv, sales.csv) to --out and print its outlay",
    )
    add_observed(p)
    p.add_argument("--chunk", type=_positive_int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=_run_simulate)


_positive_int = whole(1)
_nonnegative_int = whole(0)


def _run_simulate(args: argparse.Namespace) -> int:
    import json

    from sbqw_model import summary
    from sbqw_model.engine import DEFAULT_CHUNK, simulate
    from sbqw_model.memory import check_run

    problems = folder_problems(args.out) if args.out is not None else []
    try:
        scenario = conditioned(load_scenario_with(args.scenario, args.assume), args)
    except InputError as exc:
        raise InputError([*exc.problems, *problems]) from None
    if problems:
        raise InputError(problems)
    check_run(scenario, 1 if args.export_draw is not None else args.draws, "--draws")
    if args.export_draw is not None:
        from sbqw_model.audit import export_draw

        if args.out is None:
            raise InputError(["--export-draw needs --out DIR for the ledger files"])
        if args.export_draw >= args.draws:
            raise InputError(
                [
                    f"--export-draw {args.export_draw}: expected a draw index below"
                    f" --draws {args.draws}"
                ]
            )
        with output_lock(args.out, "sbqw simulate"), writing(args.out):
            result = export_draw(scenario, args.seed, args.export_draw, args.out, args.draws)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    bar = _progress(args.draws)
    try:
        results = simulate(
            scenario,
            draws=args.draws,
            seed=args.seed,
            chunk=args.chunk or DEFAULT_CHUNK,
            progress=bar.update if bar else None,
        )
    finally:
        if bar:
            bar.close()
    warn_conditioning(results)
    data = summary.summarize(results)
    text = summary.to_json(data) if args.format == "json" else summary.to_table(data)
    if args.out is not None:
        with output_lock(args.out, "sbqw simulate"), writing(args.out):
            written = summary.write_tables(data, args.out)
        print(f"wrote {one_line(', '.join(str(p) for p in written))}", file=sys.stderr)
    emit(text, None)
    return 0


def _progress(draws: int):
    """A progress bar on long runs, on a terminal only (tqdm hides itself elsewhere)."""
    if draws < PROGRESS_MIN_DRAWS:
        return None
    from tqdm import tqdm

    return tqdm(total=draws, unit="draw", file=sys.stderr, disable=None, leave=False)


def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="render scenario reports (HTML, notebook, Excel, optional PDF) and an index",
        description="Run the report notebooks with papermill for each scenario and render"
        " self-contained HTML reports (Chinese first) plus index.html (Chinese) and, once the"
        " folder holds an English report, index-en.html.",
    )
    p.add_argument(
        "scenarios",
        type=Path,
        nargs="*",
        help="scenario files or shipped scenario names (default: every shipped scenario)",
    )
    p.add_argument("--compare", action="store_true", help="also one report comparing them all")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (reports/)")
    p.add_argument("--jobs", type=_positive_int, default=1, help="reports rendered in parallel")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--draws", type=_positive_int, default=5_000)
    p.add_argument("--seed", type=_nonnegative_int, default=0)
    p.add_argument("--pdf", action="store_true", help="also an A4 PDF of each report")
    p.add_argument(
        "--sensitivity",
        action="store_true",
        help="also a sensitivity, scenario-discovery and policy-frontier report per scenario",
    )
    add_assume(p)
    add_observed(p)
    p.set_defaults(handler=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from sbqw_model.assumptions import parse_assume_pairs
    from sbqw_model.memory import check_draws
    from sbqw_model.reporting import batch
    from sbqw_model.shipped import scenario_path

    check_draws(args.draws, "--draws")
    if args.sensitivity and args.observed is not None:  # its notebook has no observations
        raise InputError(
            [
                "--sensitivity with --observed: the sensitivity reports would ignore the"
                f" observed figures; run `sbqw sensitivity SCENARIO --observed {args.observed}`"
                " for a sensitivity analysis that uses them, and `sbqw report` without"
                " --sensitivity for the reports"
            ]
        )
    if args.sensitivity:
        from sbqw_model.extras import require

        require("sensitivity notebook", "sbqw report --sensitivity")
    overrides = parse_assume_pairs(args.assume)
    if args.observed is not None:  # a bad file stops here, before any report is rendered
        from sbqw_model.parameters import default_parameters
        from sbqw_model.research.observations import read_observations

        if not args.observed.exists():  # a folder or a pipe: read_table says which
            raise InputError([f"{args.observed}: observations file not found"])
        read_observations(args.observed, default_parameters())
    files, missing = [], []
    for given in args.scenarios:
        try:
            files.append(scenario_path(given))
        except InputError as exc:
            missing.extend(exc.problems)
    if missing:
        raise InputError(missing)
    if args.compare:
        batch.check_compared(args.scenarios, files)
    files = files or batch.default_scenarios()
    return batch.render(
        files,
        out_dir=args.out,
        compare=args.compare,
        jobs=args.jobs,
        lang=args.lang,
        draws=args.draws,
        seed=args.seed,
        pdf=args.pdf,
        assume=overrides,
        sensitivity=args.sensitivity,
        conditioning=conditioning_parameter(args),
    )


def _add_assumptions(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assumptions", help="list the named assumptions and their values")
    p.set_defaults(handler=_run_assumptions)


def _run_assumptions(args: argparse.Namespace) -> int:
    from sbqw_model.assumptions import SPECS, Assumptions, shown_value

    defaults = Assumptions().as_dict()
    for name, spec in SPECS.items():  # values as --assume and YAML take them (false, not False)
        default = shown_value(defaults[name])
        print(f"{name} (default {default}; {spec.describe_expected()}; DIGEST {spec.digest})")
        print(f"    {spec.label_zh} · {spec.label_en}")  # the name a report shows it by
        print(f"    {spec.doc_zh}")
        print(f"    {spec.doc_en}")
    return 0


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_cost,
    _add_simulate,
    _add_report,
    _add_assumptions,
]
from sbqw_model.research.cli import SUBCOMMANDS as _RESEARCH  # noqa: E402
from sbqw_model.scenario_cli import SUBCOMMANDS as _SCENARIOS  # noqa: E402

SUBCOMMANDS += _RESEARCH + _SCENARIOS


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="sbqw",
        description="Policy model of Guizhou's 十百千万 e-commerce plan (黔商发〔2023〕1号).",
    )
    parser.add_argument("--version", action="version", version=f"sbqw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """``parse_args``, but an argument no option takes is refused by its command's parser, so
    the line points to that command's help (``sbqw cost --help``), where the options are."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        commands.choices[args.command].error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    try:
        with terminate_as_interrupt():
            try:
                code = int(args.handler(args))
            except Exception:
                # a library that turned the stop into its own error (pandas' Excel writer, closing
                # a workbook stopped before its first sheet: IndexError) made a traceback
                stop_if_asked()
                raise
            stop_if_asked()  # a stop whose exception Python dropped (see there) still counts
            return code
    except InputError as exc:
        for line in exc.problems:
            print(f"sbqw: error: {shown(line)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:  # a path the system refused where no check expected it: said once
        if isinstance(exc, BrokenPipeError) and stdout_gone():  # printed to a reader gone (| head)
            return reader_gone()
        print(f"sbqw: error: {shown(os_problem(exc))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: every clean-up has run
        hint = getattr(exc, "hint", "")  # what was kept (a sweep's finished points), same line
        print(f"{INTERRUPTED}; {hint}" if hint else INTERRUPTED, file=sys.stderr)
        return exit_code(exc)


def run() -> None:
    """The ``sbqw`` command: ``main``, then exit with its code.

    Before exiting, everything still alive is moved out of the garbage collector's sight
    (``gc.freeze``): the interpreter's final collection would otherwise walk every object of
    numpy, pandas, nbconvert and the rest once more, ~0.3 s of a report run's end. The memory
    is the operating system's to reclaim. (In-process callers of ``main`` are unaffected.)
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()

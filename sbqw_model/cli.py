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
from sbqw_model.errors import InputError

EXIT_USER_ERROR = 2

Handler = Callable[[argparse.Namespace], int]


def _add_cost(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cost",
        help="cost a ledger of recognitions and firm-year sales, line by line",
        description="What a given list of recognized units and firm-years is owed under the"
        " plan's rules, with the clause behind every yuan.",
    )
    p.add_argument("--recognitions", type=Path, help="CSV/XLSX: unit_id, category, prefecture, year")
    p.add_argument(
        "--sales",
        type=Path,
        help="CSV/XLSX: unit_id, prefecture, year, annual_sales_yuan, online_retail_yuan,"
        " above_scale, cross_border",
    )
    _add_assume(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--out", type=Path, help="write to this file instead of standard output")
    p.add_argument("--parameters", type=Path, help="an alternative parameter file")
    p.set_defaults(handler=_run_cost)


def _add_assume(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set an assumption, e.g. payout_share=0.5 (see `sbqw assumptions`)",
    )


def _run_cost(args: argparse.Namespace) -> int:
    from sbqw_model import costing_report
    from sbqw_model.assumptions import parse_assume_args
    from sbqw_model.costing import cost_ledger
    from sbqw_model.ledger import load_ledger
    from sbqw_model.parameters import default_parameters, load_parameters

    problems: list[str] = []
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
        raise InputError(["sbqw cost: give --recognitions, --sales or both"])
    result = cost_ledger(ledger, params, assume)
    render = {
        "table": costing_report.to_table,
        "json": costing_report.to_json,
        "csv": costing_report.to_csv,
    }[args.format]
    emit(render(result), args.out)
    return 0


def _add_assumptions(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assumptions", help="list the named assumptions and their values")
    p.set_defaults(handler=_run_assumptions)


def _run_assumptions(args: argparse.Namespace) -> int:
    from sbqw_model.assumptions import SPECS, Assumptions

    defaults = Assumptions().as_dict()
    for name, spec in SPECS.items():
        print(f"{name} (default {defaults[name]}; {spec.describe_expected()}; DIGEST {spec.digest})")
        print(f"    {spec.doc_zh}")
        print(f"    {spec.doc_en}")
    return 0


def emit(text: str, out: Path | None) -> None:
    """Print, or write atomically to ``out``."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        from sbqw_model.fileio import write_text_atomic

        write_text_atomic(out, text if text.endswith("\n") else text + "\n")
        print(f"wrote {out}", file=sys.stderr)


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_cost, _add_assumptions]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sbqw",
        description="Policy model of Guizhou's 十百千万 e-commerce plan (黔商发〔2023〕1号).",
    )
    parser.add_argument("--version", action="version", version=f"sbqw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        for line in exc.problems:
            print(f"sbqw: error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sbqw: interrupted; nothing half-written was left", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Pieces every ``sbqw`` subcommand shares: option types, ``--assume``, and output."""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sbqw_model.errors import UNSEEN, InputError, one_line, shown

if TYPE_CHECKING:
    from sbqw_model.engine import Results
    from sbqw_model.scenario import Scenario


def whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number ≥ ``minimum``, with a one-line error otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = _scientific(text)
        if value is None:
            raise argparse.ArgumentTypeError(
                f"expected a whole number (2e4 reads as 20000), got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {minimum}, got {text!r}")
        return value

    return parse


def _scientific(text: str) -> int | None:
    """``2e4`` as 20000; None unless a finite whole number (``1.5``, ``10^12``, ``inf``)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes in one line (exit 2), pointing to ``--help`` instead of the whole usage.

    Every ``type=Path`` argument of it and its commands' parsers (which argparse makes of the
    same class) refuses an empty one: ``Path("")`` is ``.``, so ``--out ""`` wrote into the
    current folder and ``simulate ""`` was reported as ``.``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", Path, _path)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {shown(message)} (see `{self.prog} --help`)\n")


def _path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file or folder name, got {text!r}")
    return Path(text)


def add_assume(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set an assumption, e.g. payout_share=0.5 (see `sbqw assumptions`)",
    )


#: Control characters (but tab and line feed) and bidirectional overrides as visible escapes:
#: text from files (a unit id, a scenario title) must not move the cursor, recolour, retitle
#: or reorder the reader's terminal.
_CONTROLS = UNSEEN


def add_format_and_out(p: argparse.ArgumentParser, suffixes: str) -> None:
    """``--format`` and ``--out FILE``, whose suffix chooses the format (``suffixes`` says
    which: ``out_format`` refuses any other, or a mismatch)."""
    p.add_argument("--format", choices=("table", "json", "csv"), help="default: table")
    p.add_argument(
        "--out",
        type=Path,
        help="write to this file instead of standard output; its suffix chooses the format"
        f" ({suffixes})",
    )


def out_format(out: Path | None, requested: str | None, formats: dict[str, str]) -> str:
    """The format to write: ``--format``, else the suffix of ``--out``; refuse a mismatch (a
    file named .xlsx or .pdf that holds a text table would mislead whoever opens it)."""
    if out is None:
        return requested or "table"
    by_suffix = formats.get(out.suffix.lower())
    if by_suffix is None:
        raise InputError(
            [
                f"--out {out}: unknown suffix {out.suffix or '(none)'!r}"
                f" (expected {', '.join(formats)})"
            ]
        )
    if requested is not None and requested != by_suffix:
        raise InputError(
            [
                f"--out {out}: a {out.suffix} file gets {by_suffix}, not --format {requested};"
                " drop --format or change the suffix"
            ]
        )
    return by_suffix


def stdout_gone() -> bool:
    """Whether standard output is a pipe its reader has closed (``poll`` says POLLERR), so a
    BrokenPipeError is that pipe's and not, say, one to a worker, which must still be said."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), no descriptor
        return False


def reader_gone() -> int:
    """The exit code when the reader of standard output stopped (``| head``): quiet, as other
    tools end then (killed by SIGPIPE: 141), and nothing left to flush at exit, which would
    fail again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def emit(text: str, out: Path | None = None) -> None:
    """Print (control characters escaped), or write atomically to ``out`` (and say so on
    stderr); a ``.csv`` file gets the byte-order mark Excel needs (``fileio.CSV_ENCODING``)."""
    text = text if text.endswith("\n") else text + "\n"
    if out is None:
        try:  # flushed here, so a full disk or a closed pipe behind ">" is said, and named
            sys.stdout.write(text.translate(_CONTROLS))
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped (| head): quiet, as other tools are
            raise SystemExit(reader_gone()) from None
        except OSError as exc:
            from sbqw_model.outputs import WRITE_ERRNOS

            why = WRITE_ERRNOS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
            raise InputError([f"standard output: cannot write ({why})"]) from None
        return
    from sbqw_model.fileio import CSV_BOM, write_text_atomic
    from sbqw_model.outputs import writing

    if out.suffix.lower() == ".csv":
        text = CSV_BOM + text
    with writing(out):
        write_text_atomic(out, text)
    print(f"wrote {one_line(str(out))}", file=sys.stderr)


def load_scenario_with(path: Path, assume: list[str]) -> Scenario:
    """A scenario (path or shipped name) with ``--assume`` applied; all problems together."""
    from sbqw_model.assumptions import parse_assume_args
    from sbqw_model.scenario import load_scenario
    from sbqw_model.shipped import scenario_path

    problems: list[str] = []
    scenario = None
    try:
        scenario = load_scenario(scenario_path(path))
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        base = scenario.assumptions if scenario else None
        assumptions = parse_assume_args(assume, base)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert scenario is not None
    return scenario.with_assumptions(assumptions)


#: What ``--observed`` does, the same on every command that takes it.
OBSERVED_HELP = (
    "observed figures (CSV/XLSX: year, indicator, value, source, as for backtest);"
    " worlds are weighted by how well they reproduce them"
)


def add_observed(p: argparse.ArgumentParser) -> None:
    """``--observed FILE`` and ``--conditioning`` (how observed figures enter the worlds)."""
    p.add_argument("--observed", type=Path, metavar="FILE", help=OBSERVED_HELP)
    p.add_argument(
        "--conditioning",
        choices=("weight", "pin"),
        default=None,
        help="weight: likelihood weighting and resampling (default when there are observations);"
        " pin: every world shows the observed figure",
    )


def conditioned(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """The scenario with ``--observed`` and ``--conditioning`` applied."""
    from sbqw_model.conditioning import condition_scenario

    return condition_scenario(scenario, args.observed, args.conditioning)


def conditioning_parameter(args: argparse.Namespace) -> dict[str, str]:
    """The report notebooks' ``conditioning`` parameter (an absolute path: a notebook may run
    in another folder)."""
    out: dict[str, str] = {}
    if args.observed is not None:
        out["observed"] = str(Path(args.observed).resolve())
    if args.conditioning is not None:
        out["method"] = args.conditioning
    return out


def warn_conditioning(results: Results) -> None:
    """Warn on stderr when too few distinct worlds carry a conditioned answer."""
    from sbqw_model.conditioning import low_effective_draws_warning
    from sbqw_model.memory import check_run

    def fits(draws: int) -> bool:
        try:
            check_run(results.scenario, draws)
        except InputError:
            return False
        return True

    message = low_effective_draws_warning(results.conditioning, results.draws, fits)
    if message:
        print(f"sbqw: warning: {message}", file=sys.stderr)


def hidden_alias(parser: argparse.ArgumentParser, old: str, new: str, **kwargs: Any) -> None:
    """``old`` still works as ``new`` (command lines written before a rename), unlisted in
    ``--help``: one name per meaning on screen, no broken scripts. Give it ``new``'s type and
    nargs; ``new`` keeps the default."""
    dest = new.lstrip("-").replace("-", "_")
    parser.add_argument(old, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)

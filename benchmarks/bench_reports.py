"""Benchmark of ``sbqw report`` on the shipped scenarios (a script, not a test).

    python benchmarks/bench_reports.py            # the full run (2000 draws, every scenario)
    python benchmarks/bench_reports.py --quick    # tiny sizes: a smoke test of this script

Prints, all measured in this one run on this machine:

- the floor: papermill (default options: a Jupyter kernel) executing an empty notebook (one
  empty code cell) in a warm process (median of a few); for reference the same from a cold
  ``papermill`` command, and the same notebook run as ``sbqw report`` runs it (papermill
  prepares and checks it, the cells run in-process: ``reporting/inprocess.py``);
- the seconds to render every shipped scenario with ``sbqw report --jobs 1`` and ``--jobs 2``
  (a fresh command each, no ``--compare``, so the jobs are alike; best of three alternated runs,
  which one goes first swapped each time)
  and the speed-up, goal ≥ 1.7×, with its ceiling (``--jobs 2``'s CPU seconds spread over
  two cores with none ever idle); with each, the CPU seconds of the command and every process
  it started (its workers): on a shared machine the wall time varies with the others'
  load, the CPU seconds far less, and CPU ÷ cores bounds the wall time from below;
- the machine's own ceiling, in the same alternated rounds: two identical ``--jobs 1`` runs of
  half the scenarios at once against one after the other (the same work both ways, so the
  ratio is the hardware's: on a shared host two busy vCPUs slow each other down), and the share
  of it ``--jobs 2`` reached;
- per report: its time in a warm process (papermill + HTML + Excel, as the runner measures it),
  its simulation time (``simulate`` alone, same scenario, draws and seed), and its cost beyond
  the simulation as a multiple of the floor, goal ≤ 2×;
- where a report's time goes: papermill and the engine, loading the scenario, the simulation,
  the charts, the other cells, and the HTML/Excel rendering.

The package's modules are byte-compiled first, as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE`` set (as on the project's machine) an editable checkout would otherwise
compile them again in every process.

Timings depend on the machine; the goals in the issue are for the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import compileall
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPEEDUP_GOAL = 1.7
FLOOR_GOAL = 2.0
SHIPPED_WALL_GOAL = 6.0  # seconds: six shipped scenarios and their comparison, --jobs 2
EXPLORER_GOAL_MS = 150.0  # a lever change to new numbers at 5 000 worlds
EXPLORER_WORLDS = 5000


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def tiny_notebook(path: Path, source: str) -> Path:
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook(cells=[v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def papermill_seconds(notebook: Path, out: Path, repeat: int, **options: Any) -> list[float]:
    """Wall seconds of ``papermill.execute_notebook`` in this (warm) process (default engine
    unless ``engine_name`` says otherwise)."""
    import papermill as pm

    seconds = []
    for _ in range(repeat):
        elapsed, _ = timed(
            lambda: pm.execute_notebook(
                str(notebook),
                str(out),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                # the kernel's own warnings (running over TCP without encryption) are not
                # this benchmark's output
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                **options,
            )
        )
        seconds.append(elapsed)
    return seconds


def in_process_seconds(notebook: Path, repeat: int) -> list[float]:
    """Wall seconds of a notebook run as ``sbqw report`` runs one: papermill prepares it, the
    cells run in this process's shell (``reporting/inprocess.py``), papermill checks it."""
    from sbqw_model.reporting.notebook_io import run_notebook

    out = notebook.with_suffix(".run.ipynb")
    return [timed(lambda: run_notebook(notebook, out))[0] for _ in range(repeat)]


def children_cpu() -> float:
    """CPU seconds used by this process's finished children and their descendants."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: CPU seconds of each ``render_all`` run (the command and its workers), by label.
CPU: dict[str, list[float]] = {}


def cli_seconds(args: list[str], cwd: Path, label: str = "") -> float:
    """Wall seconds of one command; its output is shown only if it fails. Its CPU seconds
    (every process it started included) go to ``CPU[label]``."""
    before = children_cpu()
    elapsed, done = timed(
        lambda: subprocess.run(
            args, capture_output=True, text=True, encoding="utf-8", cwd=cwd, check=False
        )
    )
    CPU.setdefault(label, []).append(children_cpu() - before)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return elapsed


def render_all(files: list[Path], out: Path, jobs: int, draws: int, compare: bool = False) -> float:
    args = [sys.executable, "-m", "sbqw_model", "report", *map(str, files)]
    args += ["--compare"] if compare else []
    seconds = cli_seconds(
        [*args, "--jobs", str(jobs), "--draws", str(draws), "--out", str(out)],
        ROOT,
        f"jobs{jobs}{'+compare' if compare else ''}",
    )
    missing = [f.stem for f in files if not (out / f"{f.stem}.html").is_file()]
    if missing:
        raise SystemExit(f"--jobs {jobs}: no report for {missing}")
    return seconds


def pair_seconds(files: list[Path], out: Path, draws: int, together: bool) -> float:
    """Wall seconds of two identical ``--jobs 1`` runs of ``files``, at once or one after the
    other: what this machine gives two independent processes right now (the same work either
    way, so the ratio is the hardware's, not the design's: on a shared host, two busy vCPUs
    slow each other down). No split of a run into two processes can beat that ratio."""
    args = [sys.executable, "-m", "sbqw_model", "report", *map(str, files), "--jobs", "1"]
    runs = [[*args, "--draws", str(draws), "--out", str(out / f"pair{i}")] for i in (0, 1)]
    if not together:
        return sum(cli_seconds(run, ROOT) for run in runs)
    start = time.perf_counter()
    started = [subprocess.Popen(run, cwd=ROOT, stdout=subprocess.DEVNULL) for run in runs]
    if any(p.wait() != 0 for p in started):
        raise SystemExit(f"failed: {' '.join(runs[0])}")
    return time.perf_counter() - start


def simulation_seconds(files: list[Path], draws: int, seed: int, repeat: int) -> dict[str, float]:
    from sbqw_model.engine import simulate
    from sbqw_model.scenario import load_scenario

    scenarios = {f.stem: load_scenario(f) for f in files}
    simulate(scenarios[files[0].stem], draws=min(draws, 200), seed=seed)  # warm caches, imports
    return {
        name: min(timed(lambda s=s: simulate(s, draws=draws, seed=seed))[0] for _ in range(repeat))
        for name, s in scenarios.items()
    }


def cell_times(path: Path) -> dict[str, float]:
    """Per-part seconds of an executed report, from papermill's cell metadata."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    parts = {"first cell (imports, check, simulate)": 0.0, "charts": 0.0, "other cells": 0.0}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        seconds = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
        if "from_namespace" in cell.source:
            parts["first cell (imports, check, simulate)"] += seconds
        elif any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            parts["charts"] += seconds
        else:
            parts["other cells"] += seconds
    return parts


def render_seconds(executed: list[Path], out: Path, lang: str) -> dict[str, float]:
    """The runner's rendering steps on each executed notebook (median), font cache cleared:
    in a run, each page has its own characters, so each report subsets the font again."""
    import nbformat

    from sbqw_model.reporting import fonts
    from sbqw_model.reporting.html import _page_chars, notebook_to_html
    from sbqw_model.reporting.runner import _payload, _write_xlsx

    steps: dict[str, list[float]] = {}

    def step(label: str, fn: Callable[[], Any]) -> Any:
        fonts.font_face_css.cache_clear()
        elapsed, value = timed(fn)
        steps.setdefault(label, []).append(elapsed)
        return value

    for path in executed:
        nb = step("read notebook", lambda p=path: nbformat.read(p, as_version=4))
        page = step("HTML (nbconvert + font subset)", lambda nb=nb: notebook_to_html(nb, "b"))
        step("  of which font subsetting", lambda page=page: fonts.font_face_css(_page_chars(page)))
        step("write HTML", lambda page=page: (out / "bench.html").write_text(page, "utf-8"))
        payload = _payload(nb)
        step("Excel workbook", lambda p=payload: _write_xlsx(p, out / "bench.xlsx", lang))
    return {label: statistics.median(values) for label, values in steps.items()}


def explorer_latency(worlds: int, repeat: int) -> dict[str, float]:
    """Milliseconds from a lever change to new numbers (re-costing the drawn worlds, then the
    summary), and to the full redrawn view (tables and the chart), median of ``repeat``."""
    from sbqw_model.reporting.explorer import BudgetExplorer
    from sbqw_model.reporting.notebook import setup
    from sbqw_model.scenario import load_scenario
    from sbqw_model.shipped import scenario_path
    from sbqw_model.summary import summarize

    setup()
    draw, explorer = timed(
        lambda: BudgetExplorer(load_scenario(scenario_path("baseline")), worlds, 0, "zh")
    )
    explorer.view({"payout_share": 0.9}, {})  # warm: fonts, matplotlib
    numbers, views = [], []
    for i in range(repeat):
        setting = (
            {"payout_share": 0.5 + 0.4 * i / max(repeat, 1)},
            {"traffic.rate": 4e-4 + i * 1e-5},
        )
        numbers.append(timed(lambda s=setting: summarize(explorer.results(*s)))[0])
        views.append(timed(lambda s=setting: explorer.view(*s))[0])
    return {
        "draw": draw * 1000,
        "numbers": statistics.median(numbers) * 1000,
        "view": statistics.median(views) * 1000,
    }


def busy_seconds() -> tuple[float, float] | None:
    """(CPU seconds used by the whole machine, by this process and its waited-for children)."""
    import resource

    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    machine = (sum(fields[:8]) - fields[3] - fields[4]) / ticks  # all but idle and iowait
    mine = sum(
        r.ru_utime + r.ru_stime
        for r in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    return machine, mine


def against(value: float, edge: float) -> str:
    """Two decimals, or three where two would round across ``edge`` (1.696 is not "1.70",
    beside "MISSED"), cut toward the side the value is on."""
    text = f"{value:.2f}"
    if (float(text) >= edge) != (value >= edge):
        text = f"{math.floor(value * 1000) / 1000:.3f}"
    return text


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--draws", type=int, default=None, help="draws per report (2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each --jobs setting (3; --quick 1)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the reports in this folder")
    args = parser.parse_args()

    quick = args.quick
    draws = args.draws or (100 if quick else 2000)
    shipped = sorted((ROOT / "sbqw_model" / "scenarios").glob("*.yaml"))
    files = [f for f in shipped if f.stem in ("baseline", "austerity")] if quick else shipped
    repeat = 1 if quick else 5

    started, busy_before = time.perf_counter(), busy_seconds()
    compileall.compile_dir(ROOT / "sbqw_model", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep
    # kernels started in this process keep their connection files here
    os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(work / "jupyter-runtime"))

    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}"
    )
    print(
        f"scenarios: {len(files)} ({', '.join(f.stem for f in files)}), draws {draws},"
        f" seed {args.seed}{' [--quick]' if quick else ''}"
    )

    # -- the floor ------------------------------------------------------------------------
    empty = tiny_notebook(work / "empty.ipynb", "")
    importing = tiny_notebook(
        work / "import.ipynb", "import sbqw_model.reporting.notebook as m\nm.setup()"
    )
    papermill_seconds(empty, work / "empty.out.ipynb", 1)  # warm: imports, kernel spec lookup
    floor = statistics.median(papermill_seconds(empty, work / "empty.out.ipynb", repeat))
    print(f"floor: papermill, empty notebook, warm process (median of {repeat}): {floor:.2f} s")
    if not quick:
        cold = cli_seconds(
            [
                sys.executable,
                "-m",
                "papermill",
                str(empty),
                str(work / "cold.out.ipynb"),
                "-k",
                "python3",
                "--no-progress-bar",
            ],
            ROOT,
        )
        print(f"       papermill command, empty notebook, cold process: {cold:.2f} s")
    in_process_seconds(empty, 1)  # warm: the shell and the report modules
    in_process = statistics.median(in_process_seconds(empty, repeat))
    print(f"       the same as sbqw report runs it (in-process): {in_process:.3f} s")
    with_imports = statistics.median(
        papermill_seconds(importing, work / "import.out.ipynb", max(1, repeat // 2))
    )

    # -- --jobs 1 and --jobs 2 --------------------------------------------------------------
    runs: dict[int, list[float]] = {1: [], 2: []}
    pairs: dict[bool, list[float]] = {False: [], True: []}
    half = files[: max(1, len(files) // 2)]
    # alternated, and which goes first swapped each time: the host's speed drifts within
    # seconds (over 50 interleaved rounds, whichever code ran first in a round got the higher
    # ratio), so neither setting always has the first place
    for k in range(args.repeat or (1 if quick else 3)):
        for jobs in (1, 2) if k % 2 == 0 else (2, 1):
            runs[jobs].append(render_all(files, work / f"jobs{jobs}", jobs, draws))
        for together in (False, True) if k % 2 == 0 else (True, False):
            pairs[together].append(pair_seconds(half, work, draws, together))
    one, two = min(runs[1]), min(runs[2])
    speedup = one / two
    n = len(files)
    for jobs, best in ((1, one), (2, two)):
        each = ", ".join(f"{x:.1f}" for x in runs[jobs])
        cpu = min(CPU[f"jobs{jobs}"])
        print(
            f"sbqw report, {n} scenarios, --jobs {jobs}: {best:.1f} s ({best / n:.2f} s per"
            f" report; best of {each}); CPU {cpu:.1f} s (all its processes; the least of the"
            " runs)"
        )
    rounds = [a / b for a, b in zip(runs[1], runs[2], strict=True)]
    print(
        f"speed-up --jobs 2 over --jobs 1: {against(speedup, SPEEDUP_GOAL)}×"
        f" (goal ≥ {SPEEDUP_GOAL}×: {goal(speedup >= SPEEDUP_GOAL)}); each round's:"
        f" {', '.join(against(r, SPEEDUP_GOAL) for r in rounds)}"
    )
    cores = min(2, os.cpu_count() or 1)
    bound = min(CPU["jobs2"]) / cores  # --jobs 2 cannot take less wall time than this
    print(
        f"  its ceiling: --jobs 2 needs CPU {min(CPU['jobs2']):.1f} s, at least {bound:.1f} s"
        f" on {cores} cores even if none ever waits, so at most {one / bound:.2f}×"
    )
    # each round's own ratio (its two measures minutes apart at most), then their median: the
    # least of each kind would pair the fastest moment of one with that of the other
    ratios = sorted(a / t for a, t in zip(pairs[False], pairs[True], strict=True))
    machine = statistics.median(ratios)
    print(
        f"  this machine now: two independent --jobs 1 runs of {len(half)} scenario(s), one after"
        f" the other against at once: {machine:.2f}× (median of the rounds:"
        f" {', '.join(f'{r:.2f}' for r in ratios)}), the most two processes sharing the work"
        f" could reach; --jobs 2's median round reached {statistics.median(rounds) / machine:.0%}"
        " of it"
    )
    compared = min(
        render_all(files, work / "compare", 2, draws, compare=True)
        for _ in range(args.repeat or (1 if quick else 3))
    )
    met = goal(compared < SHIPPED_WALL_GOAL)
    cpu = min(CPU["jobs2+compare"])
    print(
        f"sbqw report, {n} scenarios + comparison, --jobs 2: {compared:.1f} s wall"
        f" (goal < {SHIPPED_WALL_GOAL:g} s for the six shipped: {met}); CPU {cpu:.1f} s,"
        f" so at least {cpu / (os.cpu_count() or 1):.1f} s on {os.cpu_count()} cores"
    )

    # -- the explorer ----------------------------------------------------------------------------
    worlds = 500 if quick else EXPLORER_WORLDS
    lat = explorer_latency(worlds, 3 if quick else 7)
    print(
        f"explorer, {worlds} worlds: drawn once in {lat['draw']:.0f} ms; lever change to new"
        f" numbers {lat['numbers']:.0f} ms (goal < {EXPLORER_GOAL_MS:g} ms:"
        f" {goal(lat['numbers'] < EXPLORER_GOAL_MS)}); to the redrawn view with its chart"
        f" {lat['view']:.0f} ms"
    )

    # -- per report, warm process --------------------------------------------------------------
    from sbqw_model.reporting import batch
    from sbqw_model.reporting.runner import run_jobs

    def jobs_for(chosen: list[Path], out: Path) -> list[Any]:
        return batch.jobs_for(  # an invalid scenario raises InputError
            chosen, out, compare=False, lang="zh", draws=draws, seed=args.seed, pdf=False, assume={}
        )

    warm_out = work / "warm"
    measured = files[:1] if quick else files
    if not quick:
        run_jobs(jobs_for(files[:1], warm_out / "warm-up"), 1)  # papermill, nbconvert, templates
    outcomes = run_jobs(jobs_for(measured, warm_out), 1)
    failed = [o.job.name for o in outcomes if not o.ok]
    if failed:
        raise SystemExit(f"reports failed: {failed}")
    sims = simulation_seconds(measured, draws, args.seed, 1 if quick else 3)
    print("per report, warm process (papermill + HTML + Excel), against the floor:")
    print(f"  {'scenario':<20} {'report s':>9} {'simulate s':>11} {'beyond s':>9} {'× floor':>8}")
    beyond = []
    for o in outcomes:
        rest = o.seconds - sims[o.job.name]
        beyond.append(rest)
        print(
            f"  {o.job.name:<20} {o.seconds:9.2f} {sims[o.job.name]:11.3f} {rest:9.2f}"
            f" {rest / floor:8.2f}"
        )
    multiple = statistics.median(beyond) / floor
    print(
        f"report cost beyond its simulation: median {statistics.median(beyond):.2f} s ="
        f" {multiple:.2f}× the floor (goal ≤ {FLOOR_GOAL:g}×: {goal(multiple <= FLOOR_GOAL)})"
    )

    # -- where the time goes ---------------------------------------------------------------------
    parts = [cell_times(warm_out / f"{o.job.name}.ipynb") for o in outcomes]
    cells = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
    first = cells.pop("first cell (imports, check, simulate)")
    sim = statistics.median(sims.values())
    rendering = render_seconds([warm_out / f"{o.job.name}.ipynb" for o in outcomes], work, "zh")
    render_total = sum(v for k, v in rendering.items() if not k.startswith(" "))
    report = statistics.median(o.seconds for o in outcomes)
    startup = report - sum(cells.values()) - first - render_total
    print("where a report's time goes (median over the reports, seconds):")
    rows = [
        ("papermill and the engine, notebook I/O (rest)", startup),
        ("load and check the scenario (first cell - simulate)", max(first - sim, 0.0)),
        ("simulate", sim),
        ("charts (5 cells)", cells["charts"]),
        ("other cells", cells["other cells"]),
        *((f"render: {k}", v) for k, v in rendering.items()),
    ]
    for label, value in rows:
        print(f"  {label:<52} {value:6.2f}  ({value / report:5.1%})")
    print(f"  {'total (median report)':<52} {report:6.2f}")
    print(
        f"  for reference: empty notebook {floor:.2f} s; notebook importing the report module"
        f" {with_imports:.2f} s (imports cost {with_imports - floor:.2f} s in a kernel)"
    )
    busy_after = busy_seconds()
    if busy_before and busy_after:
        wall = time.perf_counter() - started
        others = (busy_after[0] - busy_before[0]) - (busy_after[1] - busy_before[1])
        print(
            f"other processes on this machine used {max(others, 0):.0f} CPU-s during the"
            f" {wall:.0f} s run ({max(others, 0) / wall:.2f} cores on average; timings are"
            " clean when this is near 0)"
        )
    if args.keep is None:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

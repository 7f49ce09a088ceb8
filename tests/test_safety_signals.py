"""Signals mid-run, as a user's ``kill``, Ctrl-C or a scheduler's time limit delivers them.

``sbqw report --jobs 2`` runs two fork workers, each running its notebooks in-process (no
Jupyter kernel); ``sbqw sweep`` runs an embedded Dask cluster with a scratch folder. Whatever
stops the parent, nothing of it may survive: no worker, no work folder in ``--out``, no Jupyter
runtime file, no Dask scratch folder. The processes are found by walking ``/proc`` (parent
ids), recorded before the signal, so orphans re-parented elsewhere are still checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

from sbqw_model.outputs import LOCK_NAME, output_lock, remove_stale_work
from sbqw_model.signals import INTERRUPTED, exit_code

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or sys.platform != "linux", reason="walks /proc"
)
pytest.importorskip("papermill")

SCENARIOS = [
    ROOT / "sbqw_model" / "scenarios" / f"{n}.yaml" for n in ("baseline", "austerity", "optimistic")
]
DRAWS = 20000  # long enough that the workers are still at work when the signal comes
GONE_WITHIN = 5.0  # seconds: "promptly"


def _ppids() -> dict[int, int]:
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":  # a zombie is dead, only not yet reaped
                table[int(entry.name)] = int(fields[1])
    return table


def descendants(root: int) -> set[int]:
    table, found, frontier = _ppids(), set(), {root}
    while frontier:
        children = {pid for pid, ppid in table.items() if ppid in frontier} - found
        found |= children
        frontier = children
    return found


def alive(pids: set[int]) -> set[int]:
    table = _ppids()
    return {p for p in pids if p in table}


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def as_in_a_terminal() -> None:
    """Ctrl-C as a terminal's foreground job has it, even when these tests were started with it
    ignored (a script's background job, ``nohup``): the child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(
    args: list[object],
    tmp_path: Path,
    preexec: Callable[[], None] = as_in_a_terminal,
    prelude: str = "",
) -> tuple[subprocess.Popen[str], dict[str, Path]]:
    """``python -m sbqw_model ARGS`` in its own session, with its own runtime and temp folders;
    ``prelude``: Python code the command runs first."""
    where = {"runtime": tmp_path / "runtime", "tmp": tmp_path / "tmp"}
    for folder in where.values():
        folder.mkdir()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(where["runtime"]),
        "TMPDIR": str(where["tmp"]),
        "PYTHONPATH": str(ROOT),
    }
    run = ["-m", "sbqw_model"]
    if prelude:
        run = [
            "-c",
            f"{prelude}\nimport runpy\nrunpy.run_module('sbqw_model', run_name='__main__')",
        ]
    proc = subprocess.Popen(
        [sys.executable, *run, *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a signal to its group never reaches pytest
        preexec_fn=preexec,
    )
    return proc, where


def kernels(root: int) -> set[int]:
    return {p for p in descendants(root) if "ipykernel" in cmdline(p)}


def stop(proc: subprocess.Popen[str], sig: int, group: bool = False) -> tuple[int, str, float]:
    began = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)  # Ctrl-C in a terminal: the whole foreground group
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err, time.monotonic() - began


def no_files(folder: Path, pattern: str) -> list[str]:
    return sorted(str(p) for p in folder.rglob(pattern)) if folder.exists() else []


def report_started(tmp_path: Path, jobs: int) -> tuple[subprocess.Popen[str], dict, set[int]]:
    out = tmp_path / "out"
    args = ["report", *SCENARIOS, "--jobs", jobs, "--draws", DRAWS, "--out", out]
    proc, where = start(args, tmp_path)
    where["out"] = out
    workers = jobs if jobs > 1 else 0
    wait_for(lambda: len(descendants(proc.pid)) >= workers, 60, f"{workers} worker(s)")
    wait_for(lambda: bool(list(out.glob(".sbqw-*-*"))), 30, "a report's work folder")
    family = descendants(proc.pid)
    assert kernels(proc.pid) == set(), "reports run in-process: no Jupyter kernel"
    return proc, where, family


@pytest.mark.parametrize(
    ("sig", "group", "code"),
    [
        (signal.SIGTERM, False, 143),
        (signal.SIGINT, True, 130),
        (signal.SIGHUP, False, 129),
        (signal.SIGHUP, True, 129),
    ],
    ids=["sigterm-parent", "ctrl-c-group", "sighup-parent", "hang-up-group"],
)
def test_report_with_two_jobs_stops_its_workers(
    sig: int, group: bool, code: int, tmp_path: Path
) -> None:
    proc, where, family = report_started(tmp_path, jobs=2)
    assert len(family) >= 2, "two workers"
    returncode, err, took = stop(proc, sig, group)
    assert returncode == code, err[-2000:]
    assert took < GONE_WITHIN, f"took {took:.1f} s"
    assert "Traceback" not in err and "interrupted" in err
    wait_for(lambda: not alive(family), GONE_WITHIN, "the workers to end")
    out = where["out"]
    assert no_files(out, ".*") == [], "no work folder, temporary file or lock in --out"
    assert not (out / "index.html").exists(), "no index of an interrupted run"
    assert no_files(where["runtime"], "*") == [] and no_files(where["tmp"], "*") == []


def test_report_in_one_process_stops_mid_notebook(tmp_path: Path) -> None:
    """SIGTERM while a notebook's cell runs in the process itself: the cell is interrupted (not
    recorded as the report's failure), the work folder goes, exit 143."""
    proc, where, family = report_started(tmp_path, jobs=1)
    returncode, err, took = stop(proc, signal.SIGTERM)
    assert returncode == 143 and took < GONE_WITHIN, err[-2000:]
    assert "Traceback" not in err and "failed" not in err
    wait_for(lambda: not alive(family | {proc.pid}), GONE_WITHIN, "the process to end")
    assert no_files(where["out"], ".*") == []
    assert no_files(where["out"], "*.failed.ipynb") == []
    assert no_files(where["runtime"], "*") == []


def test_killed_parent_takes_its_workers_along(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the workers die with their parent (PR_SET_PDEATHSIG) and
    remove their work folders; the lock dies with the process, so the folder is free again."""
    proc, where, family = report_started(tmp_path, jobs=2)
    stop(proc, signal.SIGKILL)
    wait_for(lambda: not alive(family), GONE_WITHIN, "the workers to end")
    out = where["out"]
    left = [p.name for p in out.glob(".sbqw-*") if p.name != LOCK_NAME]
    assert left == [], "the workers removed their work folders"
    with output_lock(out, "test"):  # the lock died with the process: the folder is free
        remove_stale_work(out)  # what the next run does first
    assert sorted(p.name for p in out.iterdir()) == []


def test_a_killed_worker_stops_the_run_and_keeps_the_earlier_reports(tmp_path: Path) -> None:
    """A worker killed (the out-of-memory killer, a ``kill -9``) broke the pool: every report of
    the run was "failed" with Python's BrokenProcessPool text, the folder's earlier pages and
    workbooks deleted as stale, and the killed worker's work folder left behind."""
    out = tmp_path / "out"
    out.mkdir()
    earlier = {f"{p.stem}.{ext}": "earlier" for p in SCENARIOS for ext in ("html", "xlsx")}
    for name, text in earlier.items():
        (out / name).write_text(text, encoding="utf-8")
    proc, _, family = report_started(tmp_path, jobs=2)
    table = _ppids()
    workers = sorted(p for p in family if table.get(p) not in (None, proc.pid))  # the server's
    assert workers, "workers forked by the fork server"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err[-2000:]
    assert err.splitlines() == [
        f"sbqw: error: {out}: a report worker process was killed (out of memory?); the reports"
        " written before it and the folder's earlier ones are kept; rerun, with fewer --jobs or"
        " --draws if memory is short"
    ]
    wait_for(lambda: not alive(family), GONE_WITHIN, "the other worker and the server to end")
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == earlier


def test_a_run_started_with_ctrl_c_ignored_ignores_it_in_its_workers(tmp_path: Path) -> None:
    """``nohup`` or a script's background job starts the command with Ctrl-C ignored: a Ctrl-C
    sent to its group then stops nothing. Its workers set their own handlers and so answered it:
    they died, and every report failed while the command ran on."""
    out = tmp_path / "out"
    args = ["report", *SCENARIOS[:2], "--jobs", 2, "--draws", DRAWS, "--out", out]
    proc, _ = start(args, tmp_path, lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    wait_for(lambda: bool(list(out.glob(".sbqw-*-*"))), 60, "a report's work folder")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "failed" not in err, err[-2000:]
    assert sorted(p.name for p in out.glob("*.html")) == [
        "austerity.html",
        "baseline.html",
        "index.html",
    ]


def sweep_started(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, Path], set[int]]:
    """A two-worker ``sbqw sweep`` with a finished batch and more to come."""
    sweep = tmp_path / "big.yaml"
    sweep.write_text(
        f"name: big\nbase: {(ROOT / 'sbqw_model' / 'scenarios' / 'baseline.yaml').as_posix()}\n"
        "mode: latin\n"
        "points: 400\ndraws: 1000\nseed: 1\nfactors:\n"
        "  assumptions.payout_share: {low: 0.5, high: 1.0}\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"
    proc, where = start(["sweep", sweep, "--out", out, "--workers", 2], tmp_path)
    where["out"] = out
    wait_for(lambda: bool(list(where["tmp"].glob("sbqw-dask-*"))), 60, "the Dask scratch")
    wait_for(lambda: bool(list(out.glob("parts/0*.parquet"))), 60, "a finished batch")
    return proc, where, descendants(proc.pid)


@pytest.mark.parametrize(
    ("sig", "group", "code"),
    [(signal.SIGTERM, False, 143), (signal.SIGHUP, True, 129), (signal.SIGINT, True, 130)],
    ids=["sigterm-parent", "hang-up-group", "ctrl-c-group"],
)
def test_sweep_stopped_by_a_signal_removes_its_scratch_and_keeps_finished_points(
    sig: int, group: bool, code: int, tmp_path: Path
) -> None:
    """A hang-up or a Ctrl-C reaches Dask's processes and multiprocessing's resource tracker
    too: none of them may print anything (the tracker, killed by a hang-up, made the clean-up
    print tracebacks; each Dask worker printed asyncio's KeyboardInterrupt)."""
    proc, where, family = sweep_started(tmp_path)
    out = where["out"]
    returncode, err, _ = stop(proc, sig, group)
    assert returncode == code, err[-2000:]
    assert "rerun with --resume" in err and "Traceback" not in err
    wait_for(lambda: not alive(family), 10, "the Dask workers to end")
    assert list(where["tmp"].iterdir()) == [], "scratch folders removed, Dask's own too"
    assert list(out.glob("parts/0*.parquet")), "finished points kept for --resume"
    assert [p.name for p in out.rglob(".*")] == [], "no temporary file, no lock"
    assert not (out / LOCK_NAME).exists()


#: Sends the signal to the command's group 0.3 s after the first Dask worker process started:
#: while the cluster starts, the worker's interpreter still importing.
SIGNAL_AS_THE_CLUSTER_STARTS = """
import multiprocessing.process, os, threading
_start = multiprocessing.process.BaseProcess.start
def start(self):
    _start(self)
    if not getattr(start, "sent", False):
        start.sent = True
        threading.Timer(0.3, os.killpg, (0, {sig})).start()
multiprocessing.process.BaseProcess.start = start
"""


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["ctrl-c", "sigterm", "hang-up"],
)
def test_a_sweep_stopped_while_its_cluster_starts_says_only_so(
    sig: int, code: int, tmp_path: Path
) -> None:
    """Stopped while Dask started its cluster, the sweep printed tracebacks: each worker still
    importing printed its KeyboardInterrupt, and the half-started cluster, closed at exit, an
    AssertionError. Now the workers start with Ctrl-C blocked, and the stop is answered once the
    cluster has started, which then closes as after any stop."""
    sweep = tmp_path / "big.yaml"
    sweep.write_text(
        f"name: big\nbase: {(ROOT / 'sbqw_model' / 'scenarios' / 'baseline.yaml').as_posix()}\n"
        "mode: latin\npoints: 400\ndraws: 1000\nseed: 1\nfactors:\n"
        "  assumptions.payout_share: {low: 0.5, high: 1.0}\n",
        encoding="utf-8",
    )
    args = ["sweep", sweep, "--out", tmp_path / "results", "--workers", 2]
    proc, where = start(args, tmp_path, prelude=SIGNAL_AS_THE_CLUSTER_STARTS.format(sig=int(sig)))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err[-3000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [INTERRUPTED], err[-3000:]  # no batch had finished: nothing to resume
    assert not (tmp_path / "results").exists()
    wait_for(lambda: list(where["tmp"].iterdir()) == [], 10, "the scratch folders to go")


def test_sweep_killed_by_sigkill_takes_its_dask_workers_along(tmp_path: Path) -> None:
    """SIGKILL leaves no clean-up to the sweep: Dask's worker processes notice their parent is
    gone and end (its scratch folder, in the temporary folder, is the only thing left)."""
    proc, _, family = sweep_started(tmp_path)
    assert len(family) >= 2, "two workers (and Dask's helpers)"
    stop(proc, signal.SIGKILL)
    wait_for(lambda: not alive(family), 10, "the Dask workers to end")


def test_after_the_first_signal_later_ones_are_ignored_by_a_python_handler() -> None:
    """Not SIG_IGN: switching a pending signal's Python handler to SIG_IGN makes Python raise
    'OSError: Signal 15 ignored due to race condition' mid clean-up (Ctrl-C plus the pool's
    SIGTERM reaching a worker together printed that traceback)."""
    from sbqw_model.signals import Terminated, ignore, terminate_as_interrupt

    with terminate_as_interrupt():
        with pytest.raises(Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert signal.getsignal(signal.SIGTERM) is ignore
        os.kill(os.getpid(), signal.SIGTERM)  # a second one: nothing happens
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGTERM) is not ignore


@pytest.mark.parametrize(
    ("sig", "raised"), [(signal.SIGTERM, "Terminated"), (signal.SIGINT, "KeyboardInterrupt")]
)
def test_a_stop_whose_exception_python_dropped_still_stops(
    sig: int, raised: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that runs inside ``__del__`` (or a weakref callback: an import's module lock,
    a Dask future released) raises where Python prints the exception and drops it; the run
    loops and the command ask again (``stop_if_asked``), or it would run to its end: with
    SIGTERM ignored from then on, or a Ctrl-C simply lost (``sbqw sensitivity --workers 2``
    ran on after 2 of about 100 group Ctrl-Cs, dropped in scipy's Cython Sobol' set-up).
    Python's "Exception ignored" message is not printed for such a stop."""
    from sbqw_model.signals import Terminated, stop_if_asked, terminate_as_interrupt

    kind = {"Terminated": Terminated, "KeyboardInterrupt": KeyboardInterrupt}[raised]
    dropped: list[type[BaseException] | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: dropped.append(u.exc_type))

    class Stopped:
        def __del__(self) -> None:
            os.kill(os.getpid(), sig)
            time.sleep(0.5)  # the handler runs here, inside __del__

    with terminate_as_interrupt():
        stop_if_asked()  # nothing asked yet
        try:
            Stopped()  # gone at once
        except KeyboardInterrupt:
            pytest.fail("the handler did not run inside __del__")
        assert dropped == [], "Python dropped the stop, and nothing was printed of it"
        with pytest.raises(kind) as asked:
            stop_if_asked()
    assert exit_code(asked.value) == 128 + sig
    stop_if_asked()  # the block is over: nothing asked
    assert sys.unraisablehook is not None and dropped == []
    sys.unraisablehook(type("U", (), {"exc_value": ValueError(), "exc_type": ValueError})())
    assert dropped == [ValueError], "the hook as it was, after the block"


WORKER_DROPS_A_STOP = """
import signal, sys
from pathlib import Path

import nbformat

from sbqw_model.reporting import runner

runner._in_worker = True  # as the pool's initializer makes it, without its parent watch
for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, runner._on_worker_signal)
cells = [
    "import os, signal, time\\n"
    "class Dropped:\\n"
    "    def __del__(self):  # the handler runs here: Python prints its exception, drops it\\n"
    "        os.kill(os.getpid(), signal.SIGTERM)\\n"
    "        time.sleep(0.5)\\n"
    "dropped = Dropped()\\n"
    "del dropped",
    "time.sleep(10)",
]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
job = runner.Job("drop", "drop", "unused.ipynb", {}, Path(sys.argv[1]), prepared=nb)
runner.run_job(job, render=False)
print("ran on", flush=True)
"""


def test_a_worker_whose_stop_python_dropped_still_ends(tmp_path: Path) -> None:
    """A signal whose exception Python drops (raised in a finalizer) must still end a worker's
    job at its next cell: the worker ignores later signals, so one running on would finish the
    report, then wait for work from a command that is gone, holding its pipes."""
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", WORKER_DROPS_A_STOP, str(tmp_path / "out")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 143 and "ran on" not in proc.stdout, proc.stderr[-2000:]
    assert time.monotonic() - began < 8, "ended at the next cell, not after the 10 s one"


EXTENSION_START = """
import enum, os, signal, sys, time
from sbqw_model.signals import terminate_as_interrupt

sig, create, calls = int(sys.argv[1]), enum.EnumType._create_, []

def signalled_while_starting(*args, **kwargs):  # matplotlib's ft2font makes enums as it starts
    calls.append(1)
    if len(calls) == 2:
        os.kill(os.getpid(), sig)  # its Python handler runs in the next lines, under the init
    return create(*args, **kwargs)

enum.EnumType._create_ = signalled_while_starting
try:
    with terminate_as_interrupt():
        import matplotlib.ft2font
        time.sleep(5)
    print("not stopped", len(calls))
except KeyboardInterrupt as exc:
    started = hasattr(sys.modules.get("matplotlib.ft2font"), "Kerning")
    print("stopped", type(exc).__name__, "ft2font started" if started else "ft2font missing")
"""


@pytest.mark.parametrize(
    ("sig", "raised"), [(signal.SIGTERM, "Terminated"), (signal.SIGINT, "KeyboardInterrupt")]
)
def test_a_signal_waits_until_an_extension_has_started(sig: int, raised: str) -> None:
    """A stop landing while a C extension's module starts (it calls Python code) is delivered
    once it has started: raised there, matplotlib's ``ft2font`` failed ("initialization
    failed") and the process aborted at its exit ("Fatal Python error", -6), after the
    command's clean-up had run (``test_report_in_one_process_stops_mid_notebook``: ~1 in 10)."""
    pytest.importorskip("matplotlib")
    proc = subprocess.run(
        [sys.executable, "-c", EXTENSION_START, str(int(sig))],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_in_a_terminal,
    )
    if proc.stdout.startswith("not stopped") and int(proc.stdout.split()[2]) < 2:
        pytest.skip("matplotlib's ft2font no longer makes two enums as it starts")
    assert proc.stdout == f"stopped {raised} ft2font started\n", proc.stderr
    assert proc.returncode == 0 and "Fatal" not in proc.stderr, proc.stderr


WATCHER = """
import sys, time
from sbqw_model.signals import die_with
die_with(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(30)
"""


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="pidfd")
def test_die_with_follows_a_process_that_is_not_the_parent() -> None:
    """A fork-server worker's command is not its parent: when the command ends, so does it."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(other.pid)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout is not None and watcher.stdout.readline() == "watching\n"
        other.kill()
        other.wait()
        assert watcher.wait(timeout=GONE_WITHIN) == -signal.SIGTERM
    finally:
        for p in (other, watcher):
            p.kill()
            p.wait()


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="pidfd")
def test_die_with_a_process_already_gone_stops_at_once() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    watcher = subprocess.run(
        [sys.executable, "-c", WATCHER, str(gone.pid)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=GONE_WITHIN * 4,
        check=False,
    )
    assert watcher.returncode == -signal.SIGTERM and "watching" not in watcher.stdout


def test_the_command_imports_nothing_while_its_warm_up_thread_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With workers, papermill's preparation and the rendering warm-up run in one thread; the
    main thread only waits, submits and waits again, and renders (imports) once that thread
    is done. (A Ctrl-C that reached it inside an import running beside the thread's could be
    dropped by Python with the import lock held: the command then hung.)"""
    import threading
    from concurrent.futures import Future

    from sbqw_model.reporting import runner

    events: list[str] = []
    monkeypatch.setattr(runner, "start_fork_server", lambda: None)
    monkeypatch.setattr(runner, "_ready", lambda job: (events.append("prepare"), job)[1])

    def warm_up(lang: str) -> None:
        assert threading.current_thread() is not threading.main_thread()
        time.sleep(0.3)
        events.append("warm")

    def render_later(outcome: runner.Outcome) -> runner.Outcome:
        events.append("render")
        return outcome

    monkeypatch.setattr(runner.warm, "rendering", warm_up)
    monkeypatch.setattr(runner, "render_later", render_later)

    class Pool:
        def submit(self, fn: Callable, job: runner.Job, render: bool) -> Future:
            events.append("submit")
            done: Future = Future()
            done.set_result(runner.Outcome(job, True, 0.0))
            return done

        def shutdown(self, wait: bool = True) -> None:
            events.append(f"shutdown wait={wait}")

    jobs = [runner.Job(f"j{i}", "t", "scenario_report.ipynb", {}, tmp_path) for i in range(3)]
    outcomes: dict[int, runner.Outcome] = {}
    runner._run_pool(Pool(), jobs, outcomes, None)  # type: ignore[arg-type]
    # with no job left, the workers are told to end before the last render, not after it
    last = ["shutdown wait=False", "render"]
    assert events == ["prepare"] * 3 + ["submit"] * 3 + ["warm"] + ["render"] * 2 + last
    assert sorted(outcomes) == [0, 1, 2]


def test_ctrl_c_while_the_command_starts_prints_one_line(tmp_path: Path) -> None:
    """A Ctrl-C in the first tenth of a second lands in an import, before the command's own
    handling: still one line and exit 130, no traceback. (The interrupt is raised by an import
    hook when the command's module is imported, where a real Ctrl-C would most often land.)"""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sbqw_model.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "sbqw_model", "scenarios"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, INTERRUPTED + "\n", "")

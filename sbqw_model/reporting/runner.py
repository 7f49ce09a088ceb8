"""Rendering reports: papermill runs each notebook, nbconvert makes the page, all atomically.

One module for the whole job (as papermill keeps execution in one room): plan the jobs, run them
in parallel processes (each runs its notebooks in its own IPython shell: ``inprocess``), keep a
failed notebook for debugging while leaving no HTML or PDF that looks valid (the folder's index:
``reporting/index.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NoReturn

from sbqw_model.errors import InputError
from sbqw_model.fileio import TEMP_SUFFIX, land, write_text_atomic
from sbqw_model.outputs import WORK_PREFIX, inside, is_write_failure, safe_name, write_problem
from sbqw_model.reporting import warm
from sbqw_model.reporting.notebook_io import check, import_papermill, prepare, write_executed
from sbqw_model.shipped import notebook_dir
from sbqw_model.signals import (
    Terminated,
    die_with,
    die_with_parent,
    ignore,
    start_resource_tracker,
    stop,
    stop_if_asked,
)

CELL_TIMEOUT = 900  # seconds one cell may run before the report counts as failed (a hang)


@dataclass
class Job:
    """One notebook to run into ``out_dir/<name>.*``."""

    name: str
    title: str
    notebook: str  # file name in notebook_dir()
    parameters: dict[str, Any]
    out_dir: Path
    pdf: bool = False
    lang: str = "zh"
    #: jobs whose summaries this one reuses (the comparison: the scenario reports it compares);
    #: it starts once they are done and is told where their executed notebooks are
    after: tuple[str, ...] = ()
    #: the notebook with its parameters injected by papermill (``prepared``): done by the
    #: command before a job goes to a worker, so workers never import papermill
    prepared: Any = None


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None
    files: list[Path] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    write_failed: bool = False  # the output folder refused the files (full disk, read-only)
    executed: Path | None = None  # run by a worker, to be rendered by the parent (render_later)


def run_job(job: Job, render: bool = True) -> Outcome:
    """Execute one notebook and render it; never raises for a notebook's own failure.

    ``render=False`` (pool workers): leave the executed notebook in its work folder for
    ``render_later``, so the worker starts the next notebook at once.
    In a pool worker, SIGTERM/SIGINT unwind this job (its work folder goes), then the worker
    exits at once; also when Python dropped the signal's exception and the job ran on (its
    later signals ignored, such a worker could then wait for work from a command gone).
    """
    global _busy
    _busy = True
    try:
        outcome = _run_job(job, render)
        stop_if_asked()
        return outcome
    except KeyboardInterrupt as exc:
        if _in_worker:
            _die(exc.signum if isinstance(exc, Terminated) else signal.SIGINT)
        raise
    finally:
        _busy = False


def _run_job(job: Job, render: bool = True) -> Outcome:
    from sbqw_model.reporting import inprocess

    start = time.perf_counter()
    inside(job.out_dir, f"{job.name}.failed.ipynb")  # names are sanitised: a bug otherwise
    job.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(
        tempfile.mkdtemp(
            prefix=f"{WORK_PREFIX}{job.name}-{os.getpid()}-", suffix=TEMP_SUFFIX, dir=job.out_dir
        )
    )
    executed = work / f"{job.name}.ipynb"
    kept = False
    try:
        try:
            nb = job.prepared if job.prepared is not None else prepared(job).prepared
            inprocess.execute(nb, CELL_TIMEOUT)
            write_executed(nb, executed, checked=render)  # kept, failed or not
        except Exception as exc:
            if is_write_failure(exc):
                return _refused(job, start, exc)
            return _failed(job, start, executed, exc)
        if not render:
            kept = True
            return Outcome(job, True, time.perf_counter() - start, executed=executed)
        return _finish(job, start, executed, nb)
    finally:
        if not kept:
            shutil.rmtree(work, ignore_errors=True)


def prepared(job: Job) -> Job:
    """The job with its notebook read and its parameters injected by papermill (in this
    process: the command's, while the workers run)."""
    return dataclasses.replace(job, prepared=prepare(notebook_dir() / job.notebook, job.parameters))


def _finish(job: Job, start: float, executed: Path, nb: Any = None) -> Outcome:
    """papermill's verdict on the executed notebook (a failed cell: kept for debugging, as
    papermill marks it), else the report's files. ``nb``: the notebook as executed here, or
    None to read what a worker wrote."""
    import nbformat

    import_papermill()
    from papermill.exceptions import PapermillExecutionError

    if nb is None:
        nb = nbformat.read(executed, as_version=4)
    try:
        check(nb, executed)
    except PapermillExecutionError as exc:
        return _failed(job, start, executed, exc)
    return _render(job, start, executed, nb)


def render_later(outcome: Outcome) -> Outcome:
    """The parent's half of a pool job: check and render what a worker executed, then drop its
    work folder. The parent is idle while the workers run, and imports nbconvert once for all."""
    executed = outcome.executed
    if executed is None:
        return outcome
    try:
        return _finish(outcome.job, time.perf_counter() - outcome.seconds, executed)
    finally:
        shutil.rmtree(executed.parent, ignore_errors=True)


def _stale(job: Job) -> list[Path]:
    return [job.out_dir / f"{job.name}.{ext}" for ext in ("html", "pdf", "xlsx")]


def _failed(job: Job, start: float, executed: Path, exc: BaseException) -> Outcome:
    """Keep the executed notebook for debugging; remove anything that would look valid.

    Not when the run was asked to stop: then the error is the stop's doing (a library turned
    it into its own: pandas' Excel writer closed an empty workbook with "IndexError: At least one
    sheet must be visible", openpyxl's bare ``except`` made a TypeError), and the stop is
    raised instead; the earlier report stays, as after any stop.
    """
    stop_if_asked()
    for path in _stale(job):
        path.unlink(missing_ok=True)
    files = []
    if executed.exists():
        kept = job.out_dir / f"{job.name}.failed.ipynb"
        try:
            os.replace(executed, kept)
            files.append(kept)
        except OSError as err:  # a full disk: say so rather than lose the first error
            if not is_write_failure(err):
                raise
    cell = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    message = f"{ename}: {evalue}".strip().splitlines()
    return Outcome(job, False, time.perf_counter() - start, "\n".join(message[:12]), cell, files)


def _refused(job: Job, start: float, exc: BaseException) -> Outcome:
    """The folder, not the report, failed (full disk, read-only): a user error, exit 2."""
    stop_if_asked()  # unless a stop made it fail (see ``_failed``)
    assert isinstance(exc, OSError)
    error = write_problem(exc, job.out_dir)
    return Outcome(job, False, time.perf_counter() - start, error, write_failed=True)


def _payload(nb: Any) -> dict[str, Any] | None:
    from sbqw_model.reporting.fragments import SUMMARY_MIME  # not the charts: no matplotlib

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None


def _render(job: Job, start: float, executed: Path, nb: Any) -> Outcome:
    """The page, workbook and PDF, written into the job's work folder and then moved into
    ``out_dir`` with the notebook, together (``fileio.land``): a failure or a stop half-way
    leaves the folder's earlier report whole, never a new page beside an old workbook."""
    from sbqw_model.reporting.html import notebook_to_html

    payload = _payload(nb)
    page = notebook_to_html(nb, job.title, lang=job.lang)
    work = executed.parent
    staged = [work / f"{job.name}.html"]
    try:
        write_text_atomic(staged[0], page)
        if payload is not None:
            staged.append(work / f"{job.name}.xlsx")
            _write_xlsx(payload, staged[-1], job.lang)
        if job.pdf:
            from sbqw_model.reporting.pdf import html_to_pdf

            staged.append(work / f"{job.name}.pdf")
            html_to_pdf(page, staged[-1])
        files = land([executed, *staged], job.out_dir)  # executed: work/<name>.ipynb
    except Exception as exc:
        if is_write_failure(exc):
            return _refused(job, start, exc)
        return _failed(job, start, executed, exc)
    (job.out_dir / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
    return Outcome(job, True, time.perf_counter() - start, files=files, payload=payload)


def _write_xlsx(payload: dict[str, Any], target: Path, lang: str) -> None:
    from sbqw_model.fileio import atomic_path
    from sbqw_model.workbook import comparison_sheets, scenario_sheets, write_workbook

    if payload["kind"] == "scenario":
        sheets = scenario_sheets(payload["summary"], lang)
    else:
        sheets = comparison_sheets(payload["summaries"], lang)
    with atomic_path(target) as tmp:
        write_workbook(sheets, tmp, lang)


_in_worker = False  # this process is a pool worker
_busy = False  # a job is running (a signal unwinds it first)


def _die(signum: int) -> NoReturn:
    """A worker's end on a signal: exit now (the parent cleans the rest)."""
    os._exit(128 + signum)


def _on_worker_signal(signum: int, frame: Any) -> None:
    """Idle, the worker exits at once. Busy, the job unwinds (``run_job``'s finally blocks
    remove its work folder) with later signals ignored: ``stop`` ignores SIGTERM and SIGHUP,
    and Ctrl-C is ignored here (by a Python handler, not SIG_IGN: see ``signals.ignore``)."""
    if not _busy:
        _die(signum)
    signal.signal(signal.SIGINT, ignore)
    stop(signum)


def _start_worker(parent: int, served: bool, interrupts: bool) -> None:
    """Pool initializer: dies with its parent (the fork server, which ends with the command; or
    the command itself), makes its notebook shell.

    ``interrupts``: the command answers Ctrl-C. One started with it ignored (``nohup``, a
    script's background job) ignores it in its workers too: a Ctrl-C sent to its group failed
    every report while the command ran on.
    """
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGTERM, _on_worker_signal)
    signal.signal(signal.SIGINT, _on_worker_signal if interrupts else signal.SIG_IGN)
    if served:  # the fork server is the parent; the command may die first (SIGKILL)
        die_with_parent(os.getppid())
        die_with(parent)
    else:
        die_with_parent(parent)
    from sbqw_model.reporting import inprocess

    inprocess.preload()  # done by the fork server already; by this process under spawn


#: What the fork server imports once, before it forks each worker: the report notebooks'
#: modules and the in-process engine with its shell (``reporting/served.py``).
PRELOAD = ["sbqw_model.reporting.served"]


def _context() -> Any:
    """The fork server where the platform has one (POSIX), spawn elsewhere.

    The server imports ``PRELOAD`` once (~0.8 s) while this process warms its rendering, then
    forks each worker from itself, warm: no worker imports anything. The server is itself
    forked from this process once the input is checked, so it starts with what checking it
    imported (``forking``; a new interpreter where forking is unsafe), and no thread, open file
    or signal handler of this process.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def job_cost(job: Job) -> float:
    """A rough relative cost: a comparison simulates every scenario it compares (unless it
    reuses their reports' summaries), a sensitivity report runs many points; used only to
    order the work."""
    if "scenario_files" in job.parameters and not job.after:
        return 1.0 + 0.5 * len(job.parameters["scenario_files"])
    return 4.0 if job.notebook == "sensitivity.ipynb" else 1.0


def submission_order(jobs: Sequence[Job]) -> list[int]:
    """Longest first (stable): the long comparison starts at once instead of last, so no worker
    idles at the end while the other finishes it alone."""
    return sorted(range(len(jobs)), key=lambda i: -job_cost(jobs[i]))


def run_jobs(
    jobs: Sequence[Job],
    workers: int = 1,
    on_done: Callable[[Outcome], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
    done: dict[int, Outcome] | None = None,
) -> list[Outcome]:
    """Run jobs in ``workers`` processes (in this process when 1); outcomes in job order.

    ``pool``: workers already started (``started_pool``), which then runs every job.
    ``done``: filled with each job's outcome (by index) as it lands, for a run that is stopped.
    """
    outcomes: dict[int, Outcome] = {} if done is None else done
    if pool is None and (workers <= 1 or len(jobs) <= 1):
        warm.rendering(_language(jobs))
        for i in [i for i in range(len(jobs)) if not jobs[i].after] + _deferred(jobs):
            stop_if_asked()
            outcomes[i] = run_job(_told(jobs[i], outcomes))
            if on_done:
                on_done(outcomes[i])
    else:
        with contextlib.ExitStack() as stack:
            if pool is None:
                pool = stack.enter_context(started_pool(workers))
            try:
                _run_pool(pool, jobs, outcomes, on_done)
            except BaseException as exc:
                _stop_workers(pool, jobs)
                if isinstance(exc, BrokenProcessPool):
                    stop_if_asked()  # killed by the stop, which is the news
                    raise InputError([WORKER_DIED.format(out=jobs[0].out_dir)]) from None
                raise
    return [outcomes[i] for i in range(len(jobs))]


@contextlib.contextmanager
def started_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` worker processes (None for one), forked warm from a fork server
    that starts when the jobs run (``run_jobs``: the input is checked by then).

    Leaving the block shuts the workers down and stops the server; on an error (invalid input:
    nothing was run) once they are up, on an interruption at once.
    """
    if workers <= 1:
        yield None
        return
    start_resource_tracker()  # before the pool's first semaphore starts it as it would
    context = _context()
    served = context.get_start_method() == "forkserver"
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), served, signal.getsignal(signal.SIGINT) != signal.SIG_IGN),
    )
    try:
        yield pool
    except Exception:
        if pool not in _stopped:
            _close(pool, served, cancel=True)
        raise
    except BaseException:  # interrupted: the server ends with this process
        if pool not in _stopped:
            _stop_workers(pool, [])
        raise
    _close(pool, served)


def _close(pool: ProcessPoolExecutor, served: bool, cancel: bool = False) -> None:
    """Wait for the workers to finish (``cancel``: what has not started is dropped), then
    stop the fork server they came from."""
    pool.shutdown(wait=True, cancel_futures=cancel)
    if served:
        _stop_fork_server()


def start_fork_server() -> None:
    """Start the fork server (it imports ``PRELOAD`` in the background) if the platform has
    one: forked from this process (``forking``), so called once the input is checked and
    before any thread starts, the server inherits what checking it imported."""
    if _context().get_start_method() == "forkserver":
        import nbformat  # noqa: F401  # the workers write notebooks, this process reads them

        from sbqw_model.reporting import forking

        forking.ensure_running()


def _stop_fork_server() -> None:
    """Stop the fork server once its workers are gone, and wait for it.

    Otherwise it lives on, idle, until this process ends (in a notebook calling ``render``,
    holding the modules as they were imported); and waited for, its CPU and its workers' are
    this command's (benchmarks measure them). multiprocessing has no public call for this:
    without its ``_stop`` the server ends with the process, as before.
    """
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(OSError, ChildProcessError):
            stop()


def _language(jobs: Sequence[Job]) -> str:
    """The batch's language (every job of a run has the same): the page to warm up for."""
    return jobs[0].lang if jobs else "zh"


def _deferred(jobs: Sequence[Job]) -> list[int]:
    return [i for i in range(len(jobs)) if jobs[i].after]


def _told(job: Job, outcomes: dict[int, Outcome]) -> Job:
    """A job that reuses others' summaries, told where the executed notebooks of those that
    succeeded are (the comparison simulates the others itself)."""
    if not job.after:
        return job
    done = {o.job.name: o for o in outcomes.values() if o.ok}
    found = {
        done[name].job.parameters["scenario_file"]: str(job.out_dir / f"{name}.ipynb")
        for name in job.after
        if name in done and "scenario_file" in done[name].job.parameters
    }
    return dataclasses.replace(job, parameters={**job.parameters, "summaries": found})


def _run_pool(
    pool: ProcessPoolExecutor,
    jobs: Sequence[Job],
    outcomes: dict[int, Outcome],
    on_done: Callable[[Outcome], None] | None,
) -> None:
    """Workers execute, this process renders; a job that reuses others' summaries is
    submitted once they are all done."""
    start_fork_server()  # before any thread of this process starts: see there
    first = [i for i in submission_order(jobs) if not jobs[i].after]
    ready = warm.Preparing({i: jobs[i] for i in first}, _ready, _language(jobs))
    waiting = [i for i in submission_order(jobs) if jobs[i].after]
    pending = {pool.submit(run_job, job, False): i for i, job in ready.jobs().items()}
    ready.finish()  # this thread imports nothing while the other one does (warm.Preparing)
    while pending or waiting:
        stop_if_asked()
        if not pending or all(i in outcomes for j in waiting for i in _needed(jobs, j)):
            for i in waiting:
                pending[pool.submit(run_job, _ready(_told(jobs[i], outcomes)), False)] = i
            waiting = []
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            i = pending.pop(future)
            if not pending and not waiting:  # the workers end while this process renders
                pool.shutdown(wait=False)
            try:
                outcomes[i] = render_later(future.result())
            except BrokenProcessPool:  # a worker was killed: see WORKER_DIED
                raise
            except Exception as exc:  # the job could not reach its worker: a failed report
                outcomes[i] = Outcome(jobs[i], False, 0.0, f"{type(exc).__name__}: {exc}")
            if on_done:
                on_done(outcomes[i])


#: A worker process killed (the out-of-memory killer, a ``kill -9``) breaks the pool: every
#: report not yet done was then "failed", and the folder's earlier good ones deleted as stale.
#: It is no fault of a report: the run stops, its other workers too, and the folder keeps what
#: it held (and the reports finished before), as after a stop.
WORKER_DIED = (
    "{out}: a report worker process was killed (out of memory?); the reports written before"
    " it and the folder's earlier ones are kept; rerun, with fewer --jobs or --draws if memory"
    " is short"
)


def _ready(job: Job) -> Job:
    """The job prepared here for a worker; if papermill cannot prepare it, the worker tries
    again and reports the failure like any other."""
    try:
        return prepared(job)
    except Exception:
        return job


def _needed(jobs: Sequence[Job], i: int) -> list[int]:
    return [k for k, job in enumerate(jobs) if job.name in jobs[i].after]


STOP_SECONDS = 5.0  # a worker's grace to clean up after SIGTERM before SIGKILL
_stopped: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()  # stopped by a signal


def _stop_workers(pool: ProcessPoolExecutor, jobs: Sequence[Job]) -> None:
    """Interrupted: SIGTERM the workers (they stop at once), SIGKILL any that linger.

    ``shutdown`` alone would wait for the running reports to finish, writing for a minute.
    """
    _stopped.add(pool)
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(OSError, ValueError):
            os.kill(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)
    for folder in {job.out_dir for job in jobs}:  # a killed worker's work folders
        for job in jobs:
            for work in folder.glob(f"{glob.escape(WORK_PREFIX + job.name)}-*{TEMP_SUFFIX}"):
                shutil.rmtree(work, ignore_errors=True)


__all__ = ["Job", "Outcome", "run_jobs", "safe_name"]

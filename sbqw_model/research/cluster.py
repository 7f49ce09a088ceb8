"""Where batches of points run: this process, an embedded Dask ``LocalCluster``, or the user's.

No home-made scheduler: Dask distributes the batches, and a batch of 10–50 points keeps the
scheduler's per-task cost (milliseconds) far below the engine's (≈ 25 ms per 500-draw point).
Tiny jobs run in this process, where starting a cluster would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sbqw_model.errors import InputError
from sbqw_model.limits import cap_jobs
from sbqw_model.research.evaluate import BatchResult, Evaluation, run_batch
from sbqw_model.signals import held, start_resource_tracker, stop_if_asked
from sbqw_model.worlds import BLOCK

MAX_BATCH = 50  # points per task, at most (a task then takes about a second)
TASKS_PER_WORKER = 4  # enough tasks that workers finish together
TINY_BLOCKS = 120  # below ≈ 3 s of engine work, run in-process (a cluster starts in ≈ 2 s)
CONNECT_TIMEOUT = "10s"  # to reach a --scheduler

Point = tuple[int, tuple[Any, ...]]
OnBatch = Callable[[BatchResult], None]


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def batches(points: Sequence[Point], workers: int) -> list[list[Point]]:
    """Consecutive runs of points (neighbours in a grid often share drawn worlds)."""
    if not points:
        return []
    size = math.ceil(len(points) / (max(1, workers) * TASKS_PER_WORKER))
    size = min(MAX_BATCH, max(1, size))
    return [list(points[i : i + size]) for i in range(0, len(points), size)]


def is_tiny(n_points: int, draws: int) -> bool:
    return n_points * math.ceil(draws / BLOCK) < TINY_BLOCKS


def local_processes(n_points: int, draws: int, workers: int | None) -> int:
    """How many points the embedded run evaluates at once on this machine: the local cluster's
    workers, or 1 when the points run in this process (one worker, a tiny job)."""
    n = cap_jobs(workers or default_workers(), n_points)
    return 1 if n == 1 or is_tiny(n_points, draws) else n


#: Imported by Dask in each worker of the embedded cluster as it starts.
WORKER_SETUP = "sbqw_model.research.worker_setup"


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """An embedded cluster: one single-threaded process per worker, scratch in a temp folder.

    Callers started from a script need the ``if __name__ == "__main__":`` guard (workers are
    spawned processes that import the main module); the ``sbqw`` command has it.
    """
    import dask
    from distributed import Client, LocalCluster

    start_resource_tracker()  # before the workers' processes start it as multiprocessing would
    with (
        _without_malloc_trim(),
        tempfile.TemporaryDirectory(prefix="sbqw-dask-") as scratch,
        dask.config.set(
            {
                "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                # Dask's own scratch and lock files too (else a dask-scratch-space is left in
                # the temporary folder after every run)
                "temporary-directory": scratch,
            }
        ),
        _quiet_when_stopped() as quiet,
        contextlib.ExitStack() as started,  # its construction too is inside the guard
    ):
        try:
            with held(), _workers_start_without_ctrl_c():  # a stop waits until it has started
                cluster = started.enter_context(
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        # its HTTP server (health, metrics) on a free local port: on Dask's
                        # default one, a second sweep at the same time printed a warning
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        local_directory=scratch,
                        # workers' own logs: a failed task reaches the client as its exception
                        # anyway, while a stopped run (Ctrl-C, SIGTERM) made them print
                        # heartbeat tracebacks
                        silence_logs=logging.CRITICAL,
                        preload=[WORKER_SETUP],  # a Ctrl-C is the sweep's to answer, not theirs
                    )
                )
                client = started.enter_context(Client(cluster))
            yield client
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: the cluster now closes
            quiet()
            raise


@contextmanager
def _workers_start_without_ctrl_c() -> Iterator[None]:
    """Ctrl-C blocked in this thread while the cluster starts: the thread Dask starts for its
    event loop, and those it starts worker processes from, inherit the block, and a blocked
    signal stays blocked in a new program. A worker's interpreter then starts with it blocked
    until ``worker_setup`` ignores it (multiprocessing starts its resource tracker so), where a
    Ctrl-C reaching the group while it imported printed its ``KeyboardInterrupt`` traceback.
    This thread's Ctrl-C is answered as the block ends (``signals.held``)."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextmanager
def _quiet_when_stopped() -> Iterator[Callable[[], None]]:
    """A switch that silences Dask (and the event loops under it) until the block ends: torn
    down under a stopped run while tasks and data moved, its scheduler logged a traceback per
    lost connection or worker. The run's own message says what happened. The loggers' levels
    come back once the cluster is closed (a notebook's later clusters log as usual)."""
    loggers = [logging.getLogger(name) for name in ("distributed", "asyncio", "tornado")]
    levels = [logger.level for logger in loggers]

    def silence() -> None:
        for logger in loggers:
            logger.setLevel(logging.CRITICAL + 1)

    try:
        yield silence
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def _without_malloc_trim() -> Iterator[None]:
    """Spawn workers without Dask's ``MALLOC_TRIM_THRESHOLD_=65536``.

    Setting it disables glibc's adaptive mmap threshold, so every large numpy temporary of the
    engine is mmap-ed and page-faulted afresh: measured 35–60 % slower per point. Dask's nanny
    also writes it into this process's environment, where later clusters would inherit it.
    """
    saved = os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    try:
        yield
    finally:
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        if saved is not None:
            os.environ["MALLOC_TRIM_THRESHOLD_"] = saved


@contextmanager
def remote_client(address: str) -> Iterator[Any]:
    """The user's running Dask cluster (``tcp://HOST:PORT``); workers need sbqw installed."""
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            [f"--scheduler {address}: cannot reach a Dask scheduler there ({exc})"]
        ) from None
    with client:
        yield client


def check_scheduler(address: str | None) -> None:
    """``--scheduler ""`` (an unset shell variable) must not quietly run on this machine."""
    if address is not None and not address.strip():
        raise InputError(
            [f"--scheduler {address!r}: expected a Dask scheduler address, e.g. tcp://HOST:8786"]
        )


def _n_workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def run_points(
    job: Evaluation,
    points: Sequence[Point],
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_batch: OnBatch | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Evaluate every point; rows come back sorted by point id, ``on_batch`` sees each batch.

    ``client``: an existing ``distributed.Client`` (tests, notebooks); else ``scheduler`` (an
    address); else an embedded ``LocalCluster`` of ``workers`` processes, or this process alone
    for one worker or a tiny job.
    """
    check_scheduler(scheduler)
    rows: list[dict[str, Any]] = []
    bar = _bar(len(points), progress)

    def done(result: BatchResult) -> None:
        rows.extend(result.rows)
        if on_batch:
            on_batch(result)
        if bar is not None:
            bar.update(len(result.rows))

    try:
        if client is not None:
            _run_on(client, job, points, done)
        elif scheduler:
            with remote_client(scheduler) as remote:
                _run_on(remote, job, points, done)
        else:
            n = local_processes(len(points), job.draws, workers)
            if n == 1:
                for batch in batches(points, 1):
                    stop_if_asked()
                    done(run_batch(job, batch))
            else:
                with local_cluster(n) as local:
                    _run_on(local, job, points, done)
    finally:
        if bar is not None:
            bar.close()
    return sorted(rows, key=lambda r: r["point"])


def _run_on(client: Any, job: Evaluation, points: Sequence[Point], done: OnBatch) -> None:
    """Submit batches to Dask and hand each result over as it finishes (any order)."""
    from distributed import as_completed

    if not points:
        return
    shared = client.scatter(job, broadcast=True, hash=False)
    futures = [
        client.submit(run_batch, shared, batch, pure=False)
        for batch in batches(points, _n_workers(client))
    ]
    try:
        for future in as_completed(futures):
            stop_if_asked()
            done(future.result())
            future.release()
    except BaseException:
        client.cancel(futures)
        raise


def _bar(total: int, enabled: bool) -> Any:
    """A progress bar with ETA on a terminal (tqdm hides itself when stderr is not one)."""
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="point", file=sys.stderr, disable=None, leave=False)

"""The report fork server, started by forking the command instead of as a new interpreter.

multiprocessing's fork server is a fresh Python that imports ``PRELOAD`` and forks each worker
from itself. Started that way it imports again what the command has already imported to check
its input (numpy, pydantic and the scenario schemas, nbformat and jsonschema: ~0.5 CPU-s),
and with ``--jobs 2`` on two cores that second copy is paid out of the workers' time. Forked
from the command once the input is checked, the server starts with all of that in memory and
imports only the report stack; everything else stays multiprocessing's own (its protocol, its
workers, its clean-up), so the server is still started by ``forkserver.ensure_running``: only
the one call that would run a new interpreter forks this process instead.

Forking is safe only from a process with no other thread (a thread holding a lock at the fork
leaves it locked for ever in the child), so where any thread runs (a Jupyter kernel calling
``render``), off Linux, or if the fork fails, the server starts as multiprocessing starts it.
The child keeps only the descriptors the server is given (so a killed command's end of the
server's pipe closes, and no lock or output file of the command stays open), none of the
command's signal handlers (``_serve``), and never returns into the command's code: it ends
with ``os._exit``, so no ``atexit`` or ``finally`` of the command runs twice.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import select
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from sbqw_model.signals import CAUGHT, start_resource_tracker

#: The start of the code multiprocessing runs in its fork server's new interpreter.
SERVER_CODE = "from multiprocessing.forkserver import main"

#: Held back while the server forks: the ones the command handles.
SIGNALS = {signal.SIGINT, *CAUGHT}

Spawn = Callable[[str, Sequence[str], Sequence[int]], int]


def ensure_running() -> None:
    """multiprocessing's ``forkserver.ensure_running``, the server forked from this process
    when that is safe (see the module's docstring), else started as usual."""
    from multiprocessing import forkserver, util

    start_resource_tracker()  # first, as multiprocessing does: a new interpreter
    if not can_fork():
        forkserver.ensure_running()
        return
    spawn = util.spawnv_passfds
    util.spawnv_passfds = _forking(spawn)  # only while the server starts; no thread runs
    try:
        forkserver.ensure_running()
    finally:
        util.spawnv_passfds = spawn


def can_fork() -> bool:
    """Linux (where multiprocessing's own default was fork until Python 3.14) and no thread
    but this one."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _forking(spawn: Spawn) -> Spawn:
    """``util.spawnv_passfds`` that runs the fork server's code in a fork of this process."""

    def spawnv_passfds(path: str, args: Sequence[str], passfds: Sequence[int]) -> int:
        code = args[-1] if len(args) >= 2 and args[-2] == "-c" else ""
        if not code.startswith(SERVER_CODE):  # (``ensure_running`` checked ``can_fork``)
            return spawn(path, args, passfds)
        _flush()  # or the child repeats what is buffered
        # a signal now would reach the child with the command's handlers: held back until the
        # child has its own (and, in this process, until the fork is done)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _serve(code, passfds, mask)  # never returns
        except OSError:
            return spawn(path, args, passfds)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return pid

    return spawnv_passfds


def _serve(code: str, passfds: Sequence[int], mask: set[signal.Signals]) -> None:
    """The forked child: become what a new interpreter running ``code`` would be, run it,
    exit without returning into the command.

    SIGTERM and SIGHUP end it at once, as they end a new interpreter. SIGINT (a Ctrl-C reaches
    the whole process group) is ignored from the start, where multiprocessing's server ignores
    it only once its imports are done: the command answers it, stopping the workers and so the
    server, and a worker still starting (it inherits this, until its own handlers are set)
    does not print a traceback from the middle of multiprocessing's start-up.
    """
    status = 1
    try:
        gc.freeze()  # the command's objects are never collected here (their files are closed)
        faulthandler.disable()  # its file is the command's, closed below
        for sig in CAUGHT:
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _close_all_but(passfds)
        sys.excepthook = _quiet_once_gone(os.getppid())
        exec(code, {"__name__": "__sbqw_fork_server__"})  # returns when the command is gone
        status = 0
    except SystemExit as exc:  # the server's normal end
        status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except (EOFError, ConnectionError):  # the command stopped while it asked for a worker:
        status = 0  # its only client is going (newer Pythons' server skips such a request)
    except BaseException:
        traceback.print_exc()
    finally:
        _flush()
        os._exit(status)


#: How long a worker that failed to start waits for the command to end before it reports the
#: failure: an interrupted command is still finishing its exit when it has released what the
#: worker needed.
GRACE_SECONDS = 2.0


def _quiet_once_gone(command: int) -> Callable[..., None]:
    """``sys.excepthook`` of the server and of the workers it forks (multiprocessing calls it
    when a worker fails to start). A worker the server forks after the command stopped (a
    Ctrl-C while the server still imported: the command stops at once, releasing the
    semaphores its workers open) fails with nothing to report to anyone, and says nothing;
    any other failure is printed as before (``GRACE_SECONDS`` later)."""
    ended = _ended(command)

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        if not ended(GRACE_SECONDS):
            sys.__excepthook__(kind, value, tb)

    return hook


def _ended(pid: int) -> Callable[[float], bool]:
    """Whether process ``pid`` ends within so many seconds, by its pidfd (Linux ≥ 5.3, as
    ``signals.die_with``; a later process given the same id is not mistaken for it). Without
    one, never: the failure is printed, as multiprocessing prints it."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:  # already gone
        return lambda seconds: True
    except (AttributeError, OSError):  # no pidfd here
        return lambda seconds: False
    return lambda seconds: bool(select.select([handle], [], [], seconds)[0])


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: the caller meets it, not here
            if stream is not None:
                stream.flush()


def _close_all_but(keep: Sequence[int]) -> None:
    """Close every descriptor but the standard three and ``keep``, as ``spawnv_passfds``'s
    new interpreter would have only those."""
    low = 3
    for fd in sorted({fd for fd in keep if fd >= low}):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd() -> int:
    try:
        limit = os.sysconf("SC_OPEN_MAX")
    except (OSError, ValueError):
        limit = -1
    return limit if limit > 0 else 65536


__all__ = ["can_fork", "ensure_running"]

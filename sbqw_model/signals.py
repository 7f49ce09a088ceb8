"""SIGTERM and SIGHUP take the same clean-up path as Ctrl-C.

Python dies on SIGTERM without running ``finally`` blocks, so a ``kill`` (a scheduler's time
limit, ``systemctl stop``, a closed terminal) would leave temporary folders and worker
processes behind. Here they raise :class:`Terminated`, a ``KeyboardInterrupt``: every clean-up
written for Ctrl-C runs for them too, and the command exits with 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.machinery import ExtensionFileLoader
from types import FrameType
from typing import Any, NoReturn

CAUGHT = tuple(s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


#: The command's last word when a signal stopped it (every clean-up has run by then).
INTERRUPTED = "sbqw: interrupted; nothing half-written was left"


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM/SIGHUP, or a Ctrl-C raised again by
    :func:`stop`); unwinds like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def exit_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP (the shell's convention)."""
    return exc.exit_code if isinstance(exc, Terminated) else 128 + signal.SIGINT


def ignore(signum: int, frame: FrameType | None) -> None:
    """A Python handler that does nothing: "ignore from now on" without SIG_IGN.

    Switching a Python handler to SIG_IGN while its signal is already pending makes Python
    raise ``OSError: Signal N ignored due to race condition`` at an arbitrary line of the
    clean-up (seen when Ctrl-C and the pool's SIGTERM reach a worker together).
    """


def _raise(signum: int, frame: FrameType | None) -> None:
    if _deferred(signum, frame, _raise):
        _asked[:] = [signum]  # the run's next step stops too, should it come first
        return
    stop(signum)


def stop(signum: int) -> NoReturn:
    """Stop the run for ``signum``: raise :class:`Terminated`, recorded for :func:`stop_if_asked`.

    Once: later SIGTERMs and SIGHUPs are ignored, so they cannot interrupt the clean-up this
    one starts. Recorded: should Python drop the exception (see :func:`stop_if_asked`), the
    run's next step raises it again.
    """
    if threading.current_thread() is threading.main_thread():
        for sig in CAUGHT:
            signal.signal(sig, ignore)
    _asked[:] = [signum]
    raise Terminated(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C as Python's own handler answers it, recorded as a stop is (should Python drop
    the exception, :func:`stop_if_asked`), but never inside an extension's start."""
    if not _deferred(signum, frame, _interrupt):
        _asked[:] = [signum]
        signal.default_int_handler(signum, frame)


_asked: list[int] = []  # the stop signal received in this block, if any
AGAIN_AFTER = 0.005  # seconds: how soon a deferred signal is delivered again


def _initialising_extension(frame: FrameType | None) -> bool:
    """Whether the handler runs in Python code a C extension calls while its module starts.

    An exception raised there fails the extension's initialisation half-way, and some keep
    Python objects in C++ statics: matplotlib's ``ft2font`` then turned the stop into
    "ImportError: initialization failed", and its statics' destructors aborted the exiting
    process ("Fatal Python error: PyThreadState_Get", exit -6) after every clean-up had run.
    """
    while frame is not None:
        code = frame.f_code
        if (
            code.co_name in ("create_module", "exec_module")
            and code.co_filename == "<frozen importlib._bootstrap_external>"
            and isinstance(frame.f_locals.get("self"), ExtensionFileLoader)
        ):
            return True
        frame = frame.f_back
    return False


def _deferred(signum: int, frame: FrameType | None, handler: object) -> bool:
    """Inside an extension's start, send ``signum`` again in a moment, while ``handler``
    still answers it.

    The extension finishes starting meanwhile (a few milliseconds); the signal then stops the
    run as usual. Once the run is stopped (``handler`` switched to :func:`ignore`) or the
    block is over, nothing is sent.
    """
    if not _initialising_extension(frame):
        return False

    def again() -> None:
        time.sleep(AGAIN_AFTER)
        if signal.getsignal(signum) is handler:
            os.kill(os.getpid(), signum)

    threading.Thread(target=again, name="sbqw-deferred-signal", daemon=True).start()
    return True


def stop_if_asked() -> None:
    """Raise :class:`Terminated` again for the stop already received (Ctrl-C's too: 130).

    Python prints and drops an exception raised inside a weakref callback or ``__del__``, and
    compiled code may do the same ("Exception ignored in ..."): a stop whose handler happened
    to run there (an import releasing its module lock, a garbage collection, scipy's Cython
    Sobol' set-up) would be lost, and for SIGTERM, its handler switched to ``ignore``, the
    next one too. The long loops (reports, sweep batches) call this between steps, so such a
    stop takes effect at the next.
    """
    if _asked:
        stop(_asked[0])


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """For the block, SIGTERM/SIGHUP raise :class:`Terminated`; the old handlers come back.

    No signal raises inside a C extension's module initialisation: there it is delivered
    again once the module has started (see :func:`_initialising_extension`). Ctrl-C gets the
    same care when Python's own handler answers it. A stop Python drops (raised in a
    finalizer, or in compiled code that cannot pass it on) is not printed as "Exception
    ignored": it is recorded, and the run's next step raises it (:func:`stop_if_asked`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (a notebook's or a test's thread)
        return
    ours = {sig: _raise for sig in CAUGHT}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        ours[signal.SIGINT] = _interrupt
    saved = {sig: signal.getsignal(sig) for sig in ours}
    hook = sys.unraisablehook
    _asked.clear()
    for sig, handler in ours.items():
        signal.signal(sig, handler)
    sys.unraisablehook = _quiet_if_asked(hook)
    try:
        yield
    finally:
        sys.unraisablehook = hook
        _restore(saved)
        _asked.clear()


def _quiet_if_asked(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """``sys.unraisablehook`` saying nothing of a recorded stop that Python dropped."""

    def quiet(unraisable: Any) -> object:
        if _asked and isinstance(unraisable.exc_value, KeyboardInterrupt):
            return None
        return hook(unraisable)

    return quiet


@contextmanager
def held() -> Iterator[None]:
    """Stops (Ctrl-C, SIGTERM, SIGHUP) that arrive in the block are answered as it ends, by
    the handler they would have met, for a step that must not be torn half-way: a Dask
    cluster stopped while it started was left half-built, and closing it at exit printed a
    traceback. A failure of the block after a stop is the stop's doing (its processes died of
    it), so the stop is raised instead. A second stop answers the first at once: a block that
    hangs can still be left. Only signals answered by a Python handler (in the main thread) are
    held; the others act as before.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, *CAUGHT)}
    saved = {sig: handler for sig, handler in saved.items() if callable(handler)}
    asked: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        asked.append(signum)
        if len(asked) > 1:  # asked twice: the first stop, now
            _restore(saved)
            signal.raise_signal(asked[0])

    for sig in saved:
        signal.signal(sig, hold)
    try:
        yield
    except Exception:
        if not asked:
            raise
    finally:
        _restore(saved)
    if asked:
        try:
            signal.raise_signal(asked[0])
        except KeyboardInterrupt as stop:  # raised by its handler
            stop.__suppress_context__ = True  # not "during handling of" the block's failure
            raise


def _restore(handlers: dict[int, Any]) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def die_with_parent(parent: int, signum: int = signal.SIGTERM) -> None:
    """Ask Linux to send ``signum`` to this process when its parent dies (even by SIGKILL).

    Elsewhere (or without libc) nothing happens; the workers then rely on the parent's own
    clean-up. If the parent already died before this call, stop now.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def die_with(pid: int, signum: int = signal.SIGTERM) -> None:
    """Send ``signum`` to this process when process ``pid`` ends, though it is not our parent.

    For a worker forked by a fork server: its parent is the server, which outlives a killed
    command while any worker still holds the command's end of its pipe. A thread waits on the
    process's pidfd (Linux ≥ 5.3; elsewhere nothing happens and the command's own clean-up
    applies); if ``pid`` is already gone, stop now.
    """
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return
    try:
        handle = opener(pid)
    except ProcessLookupError:
        os.kill(os.getpid(), signum)
        return
    except OSError:  # no pidfd on this kernel
        return

    def watch() -> None:
        select.select([handle], [], [])
        os.kill(os.getpid(), signum)

    threading.Thread(target=watch, name=f"sbqw-die-with-{pid}", daemon=True).start()


def start_resource_tracker() -> None:
    """multiprocessing's resource tracker, started with SIGHUP ignored.

    It ignores SIGINT and SIGTERM itself, but not SIGHUP: a terminal's hang-up reaches the
    whole group and killed it, and the command's clean-up then printed multiprocessing's
    "resource_tracker: process died unexpectedly" and one KeyError traceback per semaphore
    from the tracker it relaunched (``sbqw report --jobs 2``'s pool, a sweep's Dask cluster).
    An ignored signal stays ignored across ``exec``; this process keeps its own handler, and a
    hang-up meanwhile waits (blocked) for it. One already waiting stops the run anyway: then the
    tracker starts as usual (ignoring SIGHUP here would discard it).
    """
    from multiprocessing import resource_tracker

    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None or threading.current_thread() is not threading.main_thread():
        resource_tracker.ensure_running()
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {hangup})
    try:
        if hangup in signal.sigpending():
            resource_tracker.ensure_running()
            return
        handler = signal.signal(hangup, signal.SIG_IGN)
        try:
            resource_tracker.ensure_running()
        finally:
            signal.signal(hangup, handler if handler is not None else signal.SIG_DFL)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


__all__ = [
    "INTERRUPTED",
    "Terminated",
    "die_with",
    "die_with_parent",
    "exit_code",
    "held",
    "ignore",
    "start_resource_tracker",
    "stop",
    "stop_if_asked",
    "terminate_as_interrupt",
]

"""Run as a script by ``test_forking.py``: starts the report fork server the way ``sbqw report``
does (``forking.ensure_running``), asks a worker forked from it what it inherited, and prints
one ``key=value`` line per finding. ``--thread``: a thread runs while the server starts;
``--vanish``: at the end a client connects and leaves without asking for anything."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import select
import signal
import socket
import sys
import threading
import time
import types

from sbqw_model.reporting import forking
from sbqw_model.signals import terminate_as_interrupt

MARK = "sbqw_forking_probe_mark"  # a module only this process has


def probe() -> tuple[bool, int, str]:
    """In a worker: is the command's module here, who is its parent (the server), and which
    hook reports a worker's failure to start?"""
    return MARK in sys.modules, os.getppid(), getattr(sys.excepthook, "__qualname__", "")


def caught(pid: int, signum: int, field: str = "SigCgt") -> bool:
    """Whether process ``pid`` has a handler of its own for ``signum`` (Linux /proc; with
    ``field="SigIgn"``: whether it ignores it)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        mask = next(line for line in status if line.startswith(f"{field}:")).split()[1]
    return bool(int(mask, 16) >> (signum - 1) & 1)


def main() -> None:
    sys.modules[MARK] = types.ModuleType(MARK)
    atexit.register(lambda: print("atexit ran", flush=True))
    if "--thread" in sys.argv:
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
    held_r, held_w = os.pipe()  # the command's own descriptor, e.g. its end of a pipe
    context = multiprocessing.get_context("forkserver")
    with terminate_as_interrupt():  # as in the command: SIGTERM has a Python handler
        forking.ensure_running()
        with context.Pool(1) as pool:
            inherited, server, hook = pool.apply(probe)
            print(f"inherited={inherited}")
            print(f"excepthook={hook}")
            print(f"server_handles_sigterm={caught(server, signal.SIGTERM)}")
            print(f"command_handles_sigterm={caught(os.getpid(), signal.SIGTERM)}")
            print(f"server_ignores_sigint={caught(server, signal.SIGINT, 'SigIgn')}")
            os.close(held_w)  # the last holder, unless the server or a worker kept it
            ready, _, _ = select.select([held_r], [], [], 5.0)
            print(f"descriptor_closed={bool(ready) and os.read(held_r, 1) == b''}")
    from multiprocessing import forkserver

    if "--vanish" in sys.argv:  # a client that stops while it asks for a worker
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(forkserver._forkserver._forkserver_address)
        time.sleep(0.5)  # the server meets it before it is stopped
    forkserver._forkserver._stop()  # waits for the server: its exit ran nothing of ours
    print("server stopped", flush=True)


if __name__ == "__main__":
    main()

"""The report kernels: one warm Jupyter kernel per process, started and warmed as early as can be.

A report's kernel spends more time starting and importing numpy, matplotlib and the package
than computing. So each process keeps one kernel from report to report (the notebook's first,
hidden cell resets its namespace), and a new kernel imports the report modules while it starts
(``PRELOAD``), in parallel with whatever its process does meanwhile (importing papermill, the
parent's validation and rendering), instead of in the first report's first cell.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["CLIENT", "KERNEL", "PRELOAD", "WarmKernel", "import_papermill"]

KERNEL = "python3"
CLIENT = "sbqw_model.reporting.kernel_client.ReadyClient"  # no 0.2 s wait a report

#: Run by a new kernel before it answers (IPython ``exec_lines``, hidden from the notebook's
#: namespace and history): the modules every report notebook imports in its first cell. A
#: failure here is left to that cell, which reports it.
PRELOAD = (
    "try:\n"
    "    import sbqw_model.reporting.comparison\n"
    "    import sbqw_model.reporting.scenario_report\n"
    "except Exception:\n"
    "    pass"
)

IPC_PATH_MAX = 90  # a Unix socket path holds ~107 bytes; the kernel appends "-ipc-<port>"


def _transport() -> dict[str, Any]:
    """IPC (Unix sockets in a private folder): local, not open to the network, and no
    "running over TCP without encryption" warning on every report. TCP where IPC cannot be."""
    if os.name != "posix":
        return {}
    folder = Path(tempfile.mkdtemp(prefix="sbqw-k-"))
    connection = folder / "kernel.json"
    if len(str(connection)) > IPC_PATH_MAX:
        folder.rmdir()
        return {}
    return {"transport": "ipc", "connection_file": str(connection)}


def import_papermill() -> ModuleType:
    """``import papermill`` without its optional HDFS handler's ``pyarrow`` (~0.2 s a process).

    papermill tries ``pyarrow.fs`` for ``hdfs://`` paths and falls back to a stub when it is
    missing; reports read and write local files only. The block is lifted again at once, so
    pandas and anyone else still import pyarrow as usual.
    """
    if "papermill" in sys.modules:
        return sys.modules["papermill"]
    blocked = "pyarrow.fs" not in sys.modules
    if blocked:
        sys.modules["pyarrow.fs"] = None  # type: ignore[assignment]  # "import halted": ImportError
    try:
        import papermill
    finally:
        if blocked and sys.modules.get("pyarrow.fs", 0) is None:
            del sys.modules["pyarrow.fs"]
    return papermill


class WarmKernel:
    """One kernel per process, reused from report to report.

    A kernel that died, or a failure of the kernel itself, is discarded and the next report
    starts a fresh one.
    """

    km: Any = None
    cwd: str | None = None
    _finalizer_registered = False

    @classmethod
    def get(cls) -> Any:
        """The process's kernel, started (not waited for: papermill waits) if there is none."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        cwd = str(Path.cwd())
        if cls.km is not None and (cls.cwd != cwd or not run_sync(cls.km.is_alive)()):
            cls.discard()
        if cls.km is None:
            km = AsyncKernelManager(kernel_name=KERNEL, client_class=CLIENT, **_transport())
            preload = [f"--IPKernelApp.exec_lines={PRELOAD}"]
            run_sync(km.start_kernel)(cwd=cwd, extra_arguments=preload)
            cls.km, cls.cwd = km, cwd
            if not cls._finalizer_registered:
                import atexit
                from multiprocessing import util

                atexit.register(cls.discard)  # this process
                util.Finalize(cls, cls.discard, exitpriority=10)  # pool workers skip atexit
                cls._finalizer_registered = True
        return cls.km

    @classmethod
    def discard(cls) -> None:
        """Shut the kernel down now (no graceful wait: every output is already in)."""
        km, cls.km = cls.km, None
        if km is None:
            return
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):  # already gone
            run_sync(km.shutdown_kernel)(now=True)
        if getattr(km, "transport", "") == "ipc":
            shutil.rmtree(Path(km.connection_file).parent, ignore_errors=True)

    @classmethod
    def kill_now(cls) -> None:
        """Kill the kernel (and whatever it started) and remove its connection file, no I/O loop.

        For signals: the asyncio loop a shutdown needs may be the one just interrupted.
        """
        km, cls.km = cls.km, None
        if km is None:
            return
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            if hasattr(os, "killpg"):
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: pgid == pid
            with contextlib.suppress(OSError):
                process.kill()
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()

    @classmethod
    def forget(cls) -> None:
        """In a forked worker: the parent's kernel is not ours to use or to shut down."""
        cls.km, cls.cwd, cls._finalizer_registered = None, None, False

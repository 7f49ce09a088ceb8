"""Running a report notebook in this process, in an IPython shell, as a kernel would.

papermill's default engine starts a Jupyter kernel and talks to it over ZeroMQ. For the shipped
report notebooks that costs more than the report: a kernel's start and imports are ~1.2 CPU-s,
and each of a report's twenty cells makes a round trip of messages (serialised, signed,
deserialised). So ``sbqw report`` splits papermill's work: papermill prepares the notebook (its
parameters injected, ``prepare_only``) and afterwards raises on a failed cell
(``raise_for_execution_errors``), in the command's process; ``execute`` here runs the cells in
between, in a worker, in an IPython ``InteractiveShell``: cells behave as in a kernel
(``display``, magics, ``In``/``Out``, the last expression shown), produce the same outputs (a
test compares them with a kernel's) and get papermill's cell metadata. Workers import neither
papermill nor Jupyter's client (~0.3 s each).

What a kernel gave that this does not: a cell cannot crash the process without taking the
report's worker along (the runner reports a dead worker like a failed report), and a hung cell
is stopped by a timer signal (``CellTimeoutError``) only between Python instructions. The
notebooks themselves still run in any Jupyter kernel (JupyterLab, plain papermill), and the
tests run them so.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import platform
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbformat import NotebookNode
from traitlets.config import Config

from sbqw_model.signals import stop_if_asked

__all__ = ["REPORT_MODULES", "CellTimeoutError", "ReportShell", "execute", "preload"]

#: What every report notebook imports in its first cell (``preload`` imports them ahead).
REPORT_MODULES: tuple[str, ...] = (
    "sbqw_model.reporting.scenario_report",
    "sbqw_model.reporting.comparison",
)

#: What ipykernel reports for Python, so an executed notebook's metadata reads the same.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}


def _output(output_type: str, **fields: Any) -> NotebookNode:
    """An output as nbclient records it (not validated one by one: nbformat validates the
    notebook when it is written)."""
    return NotebookNode(output_type=output_type, **fields)


def _mime_bundle(data: Any) -> dict[str, Any]:
    """Binary representations (PNG) in base64 text, as a kernel sends them."""
    return {
        mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        for mime, value in (data or {}).items()
    }


class CellTimeoutError(TimeoutError):
    """A cell ran longer than its ``timeout`` (a hang)."""


class _Stream:
    """``sys.stdout``/``sys.stderr`` during a cell: text becomes the cell's stream outputs,
    consecutive writes to one stream merged as a kernel's front end shows them."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, shell: ReportShell, name: str):
        self.shell, self.name = shell, name

    def write(self, text: str) -> int:
        outputs = self.shell.outputs
        if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1].name == self.name:
            outputs[-1].text += text
        elif text:
            outputs.append(_output("stream", name=self.name, text=text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:  # like a kernel's streams: there is no terminal behind them
        raise OSError("a notebook cell's output has no file descriptor")


class _Hook(DisplayHook):
    """A cell's last expression (unless the cell ends in ``;``): an ``execute_result`` with
    the cell's execution count; ``_`` and ``Out[n]`` are kept by IPython as in a kernel."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: Any, md_dict: Any = None) -> None:
        self.shell.outputs.append(  # type: ignore[union-attr]
            _output(
                "execute_result",
                data=_mime_bundle(format_dict),
                metadata=md_dict or {},
                execution_count=self.prompt_count,
            )
        )

    def finish_displayhook(self) -> None:
        pass


class _Publisher(DisplayPublisher):
    """``display(...)`` (also ``raw=True`` payloads): a ``display_data`` output."""

    def publish(self, data: Any, metadata: Any = None, *args: Any, **kwargs: Any) -> None:
        self.shell.outputs.append(  # type: ignore[union-attr]
            _output("display_data", data=_mime_bundle(data), metadata=metadata or {})
        )

    def clear_output(self, wait: bool = False) -> None:
        self.shell.outputs.clear()  # type: ignore[union-attr]


_MISSING = object()
_BUILTINS = ("__IPYTHON__", "display")
_PROMPTS = ("ps1", "ps2", "ps3")


class _Globals:
    """The process-wide names an IPython shell sets when it is made."""

    def __init__(self, main: Any, builtins: dict[str, Any], prompts: dict[str, Any]):
        self.main, self.builtins, self.prompts = main, builtins, prompts

    @classmethod
    def now(cls) -> _Globals:
        import builtins

        return cls(
            sys.modules.get("__main__", _MISSING),
            {name: builtins.__dict__.get(name, _MISSING) for name in _BUILTINS},
            {name: getattr(sys, name, _MISSING) for name in _PROMPTS},
        )

    def apply(self) -> None:
        import builtins

        _put(sys.modules, "__main__", self.main)
        for name, value in self.builtins.items():
            _put(builtins.__dict__, name, value)
        for name, value in self.prompts.items():
            _put(sys.__dict__, name, value)


def _put(mapping: dict[str, Any], name: str, value: Any) -> None:
    if value is _MISSING:
        mapping.pop(name, None)
    else:
        mapping[name] = value


class ReportShell(InteractiveShell):
    """The process's notebook shell: outputs go to the running cell, history stays in memory
    (``In`` is what the notebooks' parameter check reads; nothing is written to ~/.ipython)."""

    def __init__(self, **kwargs: Any):
        config = Config()
        config.HistoryManager.enabled = False
        outside = _Globals.now()
        super().__init__(
            config=config,
            display_pub_class=_Publisher,
            displayhook_class=_Hook,
            **kwargs,
        )
        #: what IPython changed process-wide (``__main__``, ``__IPYTHON__``, prompts): in
        #: force while a notebook runs (``notebook``), the process's own otherwise
        self.inside = _Globals.now()
        outside.apply()
        self.outputs: list[Any] = []

    @contextlib.contextmanager
    def notebook(self) -> Iterator[None]:
        """The process as a kernel shows it to a notebook (``__main__`` is the notebook's
        namespace, for pickle), restored afterwards: a Dask or multiprocessing start later
        in this process needs the real ``__main__``."""
        outside = _Globals.now()
        self.inside.apply()
        try:
            yield
        finally:
            outside.apply()

    def enable_gui(self, gui: Any = None) -> None:  # abstract in InteractiveShell
        pass

    @classmethod
    def get(cls) -> ReportShell:
        """The process's one shell (IPython's ``display`` finds it as the instance)."""
        return cls.instance()

    def start_notebook(self) -> None:
        """A fresh namespace and counter, as a new kernel would give the next notebook."""
        self.reset(new_session=True)
        self.execution_count = 1

    def run(
        self, source: str, timeout: float | None
    ) -> tuple[list[Any], int, BaseException | None]:
        """Run one cell: its outputs, its execution count and the error it raised (if any).

        An interruption (Ctrl-C, or a signal the caller turns into one) is raised, not kept
        as the cell's error: IPython reports one like any error, but it must stop the job.
        """
        self.outputs = []
        count = self.execution_count
        streams = (_Stream(self, "stdout"), _Stream(self, "stderr"))
        with _redirected(*streams), _time_limit(timeout):
            result = self.run_cell(source, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        if isinstance(error, KeyboardInterrupt):
            raise error
        if error is not None:
            self.outputs.append(self._error_output(error))
        return self.outputs, count, error

    def _error_output(self, error: BaseException) -> Any:
        traceback = self.InteractiveTB.structured_traceback(type(error), error, error.__traceback__)
        return _output("error", ename=type(error).__name__, evalue=str(error), traceback=traceback)

    def showtraceback(self, *args: Any, **kwargs: Any) -> None:
        """Errors become the cell's ``error`` output (``run``), not text on stdout."""

    def showsyntaxerror(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextlib.contextmanager
def _redirected(stdout: _Stream, stderr: _Stream) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``CellTimeoutError`` in the cell after ``seconds`` (main thread, POSIX only)."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise CellTimeoutError(f"a cell ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def execute(nb: Any, timeout: float | None = None) -> Any:
    """Run a prepared notebook's cells in order, in the process's shell, until one fails.

    Outputs and execution counts go into the cells; each cell and the notebook get papermill's
    metadata (start, end, duration, status, exception), as its engines record them, so
    ``papermill.execute.raise_for_execution_errors`` reads a failure as from a kernel.
    """
    preload()
    shell = ReportShell.get()
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    meta = nb.metadata.setdefault("papermill", {})
    began = _now()
    meta.update(start_time=began.isoformat(), end_time=None, duration=None, exception=None)
    for cell in nb.cells:
        cell.metadata["papermill"] = {
            "exception": None,
            "start_time": None,
            "end_time": None,
            "duration": None,
            "status": "pending",
        }
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    with shell.notebook():
        shell.start_notebook()
        for cell in nb.cells:
            stop_if_asked()  # a stop whose exception Python dropped in the last cell
            if not _run_cell(shell, cell, timeout):
                meta["exception"] = True
                break
    ended = _now()
    meta.update(end_time=ended.isoformat(), duration=(ended - began).total_seconds())
    return nb


def _run_cell(shell: ReportShell, cell: Any, timeout: float | None) -> bool:
    """One cell with its papermill metadata; False if it failed."""
    record = cell.metadata["papermill"]
    began = _now()
    record.update(start_time=began.isoformat(), status="running", exception=False)
    failed = False
    if cell.cell_type == "code":
        outputs, count, error = shell.run(cell.source, timeout)
        cell.outputs, cell.execution_count = outputs, count
        failed = error is not None
    ended = _now()
    record.update(
        end_time=ended.isoformat(),
        duration=(ended - began).total_seconds(),
        status="failed" if failed else "completed",
        exception=failed,
    )
    return not failed


_preloaded = False


def preload(warm: bool = False) -> None:
    """Import what every report notebook imports in its first cell, make the shell, and move
    what now exists out of the garbage collector's sight (``gc.freeze``).

    The fork server does this once for all workers (with ``warm``: also what a process's first
    report would pay, see ``_warm_up``), a single process before its first report. The freeze
    matters per report: matplotlib makes many short-lived objects, so full collections are
    frequent, and each would otherwise walk every module and class of numpy, matplotlib and
    IPython again (as would the collection in the shell's reset between notebooks): ~10 % of a
    report's CPU. While they import, automatic collection is paused (``startup.frozen_imports``).
    """
    global _preloaded
    if _preloaded:
        return
    import importlib

    from sbqw_model.startup import frozen_imports

    with frozen_imports():
        for name in REPORT_MODULES:
            importlib.import_module(name)
        ReportShell.get()
        if warm:  # only ahead of time: a failure here is met again, and told, in a report
            with contextlib.suppress(Exception):
                _warm_up()
    _preloaded = True


def _warm_up() -> None:
    """A process's first report pays ~0.1 s more than the next: the parameter and scenario
    schemas, the fonts, the engine's first run. The fork server pays it once, while the command
    warms its own rendering."""
    from sbqw_model.engine import simulate
    from sbqw_model.reporting.notebook import setup
    from sbqw_model.scenario import load_scenario
    from sbqw_model.shipped import scenario_path

    setup()
    simulate(load_scenario(scenario_path("baseline")), draws=20, seed=0)
    _first_notebook_costs()


def _first_notebook_costs() -> None:
    """What a worker's first report pays, not its next, and not its engine: every fragment
    template (each compiled at its first use), the statistics files the data note reads. Paid
    here once, not once in every worker (measured by profiling a worker's first and later
    reports). Not nbformat's validator: a worker writes its notebook unchecked
    (``notebook_io.write_executed``)."""
    from sbqw_model.reporting.fragments import environment
    from sbqw_model.shipped import data_years

    templates = environment()
    for name in templates.list_templates():
        templates.get_template(name)
    data_years()

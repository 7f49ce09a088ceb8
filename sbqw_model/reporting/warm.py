"""The command's rendering stack, paid for before the first report is done (the workers' report
stack is the fork server's: ``inprocess.preload``)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


def rendering(lang: str) -> None:
    """What this process's first render would pay, paid once and frozen (``frozen_imports``):
    nbconvert and the page's templates, the workbook writer (pandas imports openpyxl and its
    Excel formatting only when it writes), the notebook reader's validator, papermill's check.

    With workers, the command pays it while it waits for their first reports: it renders while
    they run, so each CPU-second it spends rendering is one the workers lose.
    """
    global _ready
    if _ready:
        return
    _ready = True
    from sbqw_model.startup import frozen_imports

    # only ahead of time: whatever fails here fails again in a report's own render, which
    # reports it as that report's failure (not as a crash of the whole run)
    with contextlib.suppress(Exception), frozen_imports():
        _first_render_costs(lang)


_ready = False


def _first_render_costs(lang: str) -> None:
    import io

    import nbformat
    import pandas as pd

    from sbqw_model import workbook  # noqa: F401
    from sbqw_model.parameters import default_parameters
    from sbqw_model.reporting import html
    from sbqw_model.reporting.notebook_io import check
    from sbqw_model.spreadsheet import write_xlsx

    empty = nbformat.v4.new_notebook()
    check(empty, None)  # papermill and its verdict
    nbformat.validate(empty)  # compiles the schema's validator
    html.warm_up(lang)
    default_parameters()  # a workbook names the tiers in force (summary.params_in_force)
    write_xlsx({"sbqw": pd.DataFrame({"sbqw": [1]})}, io.BytesIO())  # openpyxl, pandas' writer


class Preparing:
    """The jobs prepared by papermill (``prepare``), then the command's rendering warmed up
    (``rendering``), in a thread of their own while the workers start (the first submission
    waits for the fork server's imports); a library's bare ``except:`` around an import there
    cannot swallow a Ctrl-C.

    The main thread imports nothing while that thread runs: it waits for the prepared jobs,
    submits them, and waits for the warm-up (``finish``) before it renders. A Ctrl-C that
    reached it inside an import running alongside the thread's (in the module lock's callback,
    where Python drops the exception) could leave the import lock held and the command hung.
    """

    def __init__(self, jobs: dict[int, Any], prepare: Callable[[Any], Any], lang: str):
        self._given = jobs  # a worker prepares one papermill could not
        self._done: dict[int, Any] = {}
        self._prepared = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(prepare, lang), daemon=True)
        self._thread.start()

    def _run(self, prepare: Callable[[Any], Any], lang: str) -> None:
        try:
            self._done = {i: prepare(job) for i, job in self._given.items()}
        finally:
            self._prepared.set()
        rendering(lang)

    def jobs(self) -> dict[int, Any]:
        """The prepared jobs (a Ctrl-C interrupts the wait)."""
        self._prepared.wait()
        return {i: self._done.get(i, job) for i, job in self._given.items()}

    def finish(self) -> None:
        self._thread.join()

"""One notebook in and out, the way ``sbqw report`` does it: its parameters injected by papermill
(``prepare``), papermill's verdict once it ran (``check``), written as nbformat writes it
(``write_executed``); ``run_notebook`` does all of it in this process. The runner plans the jobs
and the processes around these."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

#: The notebooks' kernelspec: papermill writes the parameters in its language (Python).
KERNEL = "python3"


def prepare(source: Any, parameters: dict[str, Any] | None = None) -> Any:
    """A notebook (path or node) with its parameters injected by papermill, not executed."""
    pm = import_papermill()
    return pm.execute_notebook(
        source if not isinstance(source, Path) else str(source),
        None,
        parameters=parameters,
        kernel_name=KERNEL,
        prepare_only=True,
        progress_bar=False,
        log_output=False,
    )


def check(nb: Any, executed: Path | None) -> None:
    """papermill's verdict on an executed notebook: ``PapermillExecutionError`` for a failed
    cell (the notebook, marked as papermill marks it, written to ``executed``)."""
    import_papermill()
    from papermill.execute import raise_for_execution_errors

    raise_for_execution_errors(nb, None if executed is None else str(executed))


def run_notebook(
    source: Any,
    executed: Path,
    parameters: dict[str, Any] | None = None,
    timeout: float | None = None,
) -> Any:
    """One notebook the way ``sbqw report`` runs it, all in this process: prepared by papermill,
    executed in-process, written to ``executed``, checked by papermill."""
    from sbqw_model.reporting import inprocess

    nb = inprocess.execute(prepare(source, parameters), timeout)
    write_executed(nb, executed)
    check(nb, executed)
    return nb


def write_executed(nb: Any, path: Path, checked: bool = True) -> None:
    """``nbformat.write``, the same bytes; ``checked=False`` (a worker: the command validates
    the notebook when it reads it back, ``_finish``) skips nbformat's schema check, so no
    worker compiles its validator: ~50 ms of the fork server's preload, on the way to every
    report of ``--jobs 2``, which the command pays once more for reading."""
    import nbformat

    if checked:
        nbformat.write(nb, path)
        return
    text = nbformat.v4.writes_json(nb)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


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

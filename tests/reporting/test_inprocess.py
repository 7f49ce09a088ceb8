"""How ``sbqw report`` runs a notebook: papermill prepares it, ``inprocess.execute`` runs the
cells in an IPython shell of this process, papermill raises on a failed cell.

It must give what a Jupyter kernel gives a notebook: the same outputs (display data, the last
expression with its execution count, streams, errors), papermill's parameters and its error on
a failed cell, a fresh namespace per notebook; and it must let an interruption stop the job
rather than record it as the cell's error.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

pm = pytest.importorskip("papermill")

from sbqw_model.reporting.notebook_io import KERNEL, run_notebook  # noqa: E402

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def notebook(*sources: str, parameters: str | None = None) -> Any:
    cells = []
    if parameters is not None:
        cell = v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [v4.new_code_cell(s) for s in sources]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    return nb


def run(nb: Any, tmp_path: Path, kernel: bool = False, **options: Any) -> Any:
    """The notebook as ``sbqw report`` runs it (or, ``kernel``, as papermill does by default),
    read back from the file written."""
    out = tmp_path / "out.ipynb"
    if kernel:
        pm.execute_notebook(
            nb, str(out), kernel_name=KERNEL, progress_bar=False, log_output=False, **options
        )
    else:
        timeout = options.pop("execution_timeout", None)
        run_notebook(nb, out, options.pop("parameters", None), timeout)
    return nbformat.read(out, as_version=4)  # what was written validates as a notebook


def outputs(nb: Any) -> list[list[dict[str, Any]]]:
    """Each code cell's outputs, without metadata that differs by design (timestamps)."""
    return [
        [{k: v for k, v in o.items() if k != "metadata"} for o in c.outputs]
        for c in nb.cells
        if c.cell_type == "code"
    ]


SOURCES = (
    "x = 40 + 2\nx",  # execute_result with the cell's execution count
    "print('a'); print('b')\nimport sys\n_ = sys.stderr.write('warn\\n')",  # merged streams
    "from IPython.display import HTML, display\ndisplay(HTML('<b>t</b>'))\n'last'",
    "x;",  # a trailing semicolon shows nothing
    "from IPython.display import Image\nImage(data=PNG_DATA, format='png')",
    "display({'application/vnd.test+json': {'k': [1, 2]}}, raw=True)",
)


def test_outputs_are_those_of_a_kernel(tmp_path: Path) -> None:
    """Same cells through a real Jupyter kernel (papermill's default engine) and in-process."""
    prelude = f"PNG_DATA = {PNG!r}"
    here = run(notebook(prelude, *SOURCES), tmp_path)
    kernel = run(notebook(prelude, *SOURCES), tmp_path, kernel=True)
    assert outputs(here) == outputs(kernel)
    assert [c.execution_count for c in here.cells] == [1, 2, 3, 4, 5, 6, 7]
    assert here.metadata.language_info.name == "python"
    shown = outputs(here)
    assert shown[1] == [
        {"output_type": "execute_result", "execution_count": 2, "data": {"text/plain": "42"}}
    ]
    assert [o["text"] for o in shown[2]] == ["a\nb\n", "warn\n"]
    assert shown[4] == []
    assert base64.b64decode(shown[5][0]["data"]["image/png"]) == PNG


def test_parameters_are_injected_and_each_notebook_starts_afresh(tmp_path: Path) -> None:
    nb = notebook(
        "assert 'left_over' not in globals()\nleft_over = 1\n(n * 2, len(In))",
        parameters="n = 1",
    )
    first = run(nb, tmp_path, parameters={"n": 21})
    second = run(nb, tmp_path, parameters={"n": 5})
    # the parameters cell, papermill's injected cell, then ours: In holds all three (and "")
    assert outputs(first)[-1][0]["data"]["text/plain"] == "(42, 4)"
    assert outputs(second)[-1][0]["data"]["text/plain"] == "(10, 4)"
    assert [c.execution_count for c in second.cells] == [1, 2, 3]


def test_a_failing_cell_stops_the_notebook_as_papermill_reports_it(tmp_path: Path) -> None:
    nb = notebook("a = 1", "raise ValueError('bad scenario')", "a = 2")
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run(nb, tmp_path)
    assert caught.value.exec_count == 2 and caught.value.ename == "ValueError"
    assert caught.value.evalue == "bad scenario"
    written = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in written.cells if c.cell_type == "code"]
    assert code[1].outputs[0].output_type == "error"
    assert any("bad scenario" in line for line in code[1].outputs[0].traceback)
    assert code[2].execution_count is None and code[2].outputs == [], "not run"


def test_a_syntax_error_is_the_cells_error(tmp_path: Path) -> None:
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run(notebook("x = (1,"), tmp_path)
    assert caught.value.ename == "SyntaxError"


def test_a_hung_cell_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    nb = notebook("import time\nwhile True:\n    time.sleep(0.01)")
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run(nb, tmp_path, execution_timeout=0.3)
    assert caught.value.ename == "CellTimeoutError"


def test_an_interruption_stops_the_job_not_the_cell(tmp_path: Path) -> None:
    """Ctrl-C (or SIGTERM turned into one) inside a cell must unwind the caller: IPython would
    otherwise report it as the cell's error and the next report would start."""
    with pytest.raises(KeyboardInterrupt):
        run(notebook("raise KeyboardInterrupt", "ran_on = True"), tmp_path)
    with pytest.raises(KeyboardInterrupt):  # a subclass, as signals.Terminated is
        run(notebook("from sbqw_model.signals import Terminated\nraise Terminated(15)"), tmp_path)


def test_the_process_is_left_as_it_was(tmp_path: Path) -> None:
    """Inside a notebook ``__main__`` is its namespace (as in a kernel, for pickle); outside, the
    process keeps its own ``__main__`` (Dask and multiprocessing start from it), no
    ``__IPYTHON__`` flag and no interactive prompts."""
    import builtins
    import sys

    main = sys.modules["__main__"]
    nb = run(
        notebook("import __main__, sys\n(__main__.__dict__ is globals(), __IPYTHON__)"),
        tmp_path,
    )
    assert outputs(nb)[0][0]["data"]["text/plain"] == "(True, True)"
    assert sys.modules["__main__"] is main
    assert "__IPYTHON__" not in builtins.__dict__ and not hasattr(sys, "ps1")


def test_a_worker_imports_neither_papermill_nor_a_jupyter_client() -> None:
    """What the fork server preloads for the workers: the report modules and the shell, not
    papermill's ~0.3 s of imports (papermill works in the command, before and after)."""
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import sys, sbqw_model.reporting.served\n"
        "print(sorted(m for m in ('papermill', 'nbclient', 'jupyter_client', 'zmq', 'pandas')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_failing_warm_up_leaves_the_server_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server's warm-up is only ahead of time: if it fails, the server still serves
    (multiprocessing would otherwise fail to start any worker), and each report meets the
    error again in its own cells, where it is reported."""
    import gc

    from sbqw_model.reporting import inprocess

    def broken() -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(inprocess, "_preloaded", False)
    monkeypatch.setattr(inprocess, "_warm_up", broken)
    try:
        inprocess.preload(warm=True)
        assert inprocess._preloaded and gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_fork_servers_warm_up_pays_a_workers_first_notebook_costs() -> None:
    """What a worker's first report would pay beyond its later ones, the server pays once
    before it forks them: every fragment template (compiled at first use). A worker writes
    its executed notebook unchecked (the command checks it when reading it back), so it never
    compiles nbformat's validator, and the file is byte for byte ``nbformat.write``'s."""
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import json, pathlib, tempfile, nbformat, nbformat.validator as v\n"
        "import sbqw_model.reporting.served\n"
        "from sbqw_model.reporting.fragments import environment\n"
        "from sbqw_model.reporting.notebook_io import write_executed\n"
        "from sbqw_model.shipped import notebook_dir\n"
        "env = environment(); templates = len(env.cache)\n"
        "source = notebook_dir() / 'scenario_report.ipynb'\n"
        "nb = nbformat.from_dict(json.loads(source.read_text(encoding='utf-8')))\n"
        "folder = pathlib.Path(tempfile.mkdtemp())\n"
        "write_executed(nb, folder / 'worker.ipynb', checked=False)\n"
        "unchecked = len(v.validators)\n"
        "nbformat.write(nb, folder / 'checked.ipynb')\n"
        "same = (folder / 'worker.ipynb').read_bytes() == (folder / 'checked.ipynb').read_bytes()\n"
        "[env.get_template(name) for name in env.list_templates()]\n"
        "print(json.dumps([unchecked, len(v.validators), same, templates, len(env.cache),"
        " len(env.list_templates())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    unchecked, checked, same, templates, compiled, shipped = json.loads(done.stdout)
    assert unchecked == 0 and checked >= 1  # nbformat.write compiles it; a worker does not
    assert same
    assert templates == compiled == shipped > 0

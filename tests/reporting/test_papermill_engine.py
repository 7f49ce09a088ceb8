"""``papermill --engine sbqw``: the README's papermill command runs without the kernel's warning
that it "is running over TCP without encryption" (the kernel gets CurveZMQ keys)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pm = pytest.importorskip("papermill")
nbformat = pytest.importorskip("nbformat")

from sbqw_model.reporting import papermill_engine  # noqa: E402

WARNING = "without encryption"
EXECUTE = """
import papermill as pm
pm.execute_notebook("in.ipynb", "out.ipynb", engine_name={engine!r}, progress_bar=False)
"""


def write_tiny(path: Path, source: str) -> None:
    """A one-cell notebook with the python3 kernel spec papermill looks up."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def run_tiny(tmp_path: Path, engine: str | None) -> subprocess.CompletedProcess:
    """A one-cell notebook through papermill in a fresh process (the kernel writes its warning
    to the stderr it inherits); its output checked."""
    write_tiny(tmp_path / "in.ipynb", "x = 6 * 7\nprint(x)")
    done = subprocess.run(
        [sys.executable, "-c", EXECUTE.format(engine=engine)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "".join(o.get("text", "") for o in out.cells[0].outputs) == "42\n"
    return done


def test_papermill_finds_the_engine_by_its_entry_point() -> None:
    from papermill.engines import papermill_engines

    assert papermill_engines.get_engine("sbqw") is papermill_engine.SbqwEngine


def test_the_engine_runs_a_notebook_without_the_warning(tmp_path: Path) -> None:
    if not papermill_engine.curve_available():
        pytest.skip("no CurveZMQ here: the engine runs as plain papermill does")
    done = run_tiny(tmp_path, "sbqw")
    assert WARNING not in done.stderr, done.stderr
    assert list((tmp_path / "runtime").glob("*")) == [], "the kernel's files are cleaned up"


def test_plain_papermill_warns_which_is_why_the_engine_exists(tmp_path: Path) -> None:
    """If jupyter_client or ipykernel stop warning, the README's `--engine sbqw` can go."""
    done = run_tiny(tmp_path, None)
    if WARNING not in done.stderr:
        pytest.skip("this ipykernel does not warn: the engine changes nothing")


def test_without_curve_support_the_engine_keeps_jupyters_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert dict(papermill_engine.quiet_config()) in (
        {"KernelManager": {"transport_encryption": "auto"}},
        {},
    )
    monkeypatch.setattr(papermill_engine, "curve_available", lambda: False)
    assert dict(papermill_engine.quiet_config()) == {}


def _papermill_cli(tmp_path: Path, engine: str, stderr: int) -> int:
    """The README's `papermill in.ipynb out.ipynb --engine …` on a one-cell notebook."""
    write_tiny(tmp_path / "in.ipynb", "x = 1")
    code = "from papermill.cli import papermill; papermill()"
    return subprocess.run(
        [sys.executable, "-c", code, "in.ipynb", "out.ipynb", "--engine", engine],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        cwd=tmp_path,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
        timeout=120,
        check=False,
    ).returncode


@pytest.mark.parametrize("engine", ["sbqw", "nbclient"])
def test_the_progress_bar_is_drawn_on_a_terminal_only(engine: str, tmp_path: Path) -> None:
    """Into a file or a pipe (a CI log, `2> log`), papermill's progress bar is a line of
    carriage returns, ``Executing:  50%|█████ …`` once per cell: the engine draws it on a
    terminal only (tqdm's own rule, ``disable=None``); plain papermill draws it anywhere."""
    log = tmp_path / "stderr.txt"
    with log.open("wb") as sink:
        assert _papermill_cli(tmp_path, engine, sink.fileno()) == 0
    assert ("Executing:" in log.read_text(encoding="utf-8")) == (engine == "nbclient")
    if engine == "nbclient" or sys.platform == "win32":
        return
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()  # a terminal 100 columns wide (tqdm draws to its width)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        assert _papermill_cli(tmp_path, engine, follower) == 0
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert b"Executing: 100%" in shown, shown[-500:]

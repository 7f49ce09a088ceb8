"""The report fork server forked from the command (``reporting/forking.py``): it inherits the
command's imports, and nothing else a new interpreter would not have had; the reports are the
same as from one process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, run_cli

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")

PROBE = Path(__file__).with_name("forking_probe.py")


def _probe(*flags: str) -> tuple[dict[str, str], str]:
    done = subprocess.run(
        [sys.executable, str(PROBE), *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return found, done.stdout


def test_the_server_inherits_the_commands_modules_but_not_its_files_signals_or_exit() -> None:
    found, out = _probe("--vanish")  # and says nothing of a request the command dropped
    assert found["inherited"] == "True", "forked: the command's imports are the workers'"
    assert found["command_handles_sigterm"] == "True"
    assert found["server_handles_sigterm"] == "False", "SIGTERM ends it, as a new interpreter"
    assert found["server_ignores_sigint"] == "True", "Ctrl-C is the command's to answer"
    assert found["descriptor_closed"] == "True", "no descriptor of the command is held open"
    assert out.count("atexit ran") == 1, "the command's exit handlers run once, in the command"
    assert out.index("server stopped") < out.index("atexit ran")


def test_with_another_thread_running_the_server_is_a_new_interpreter() -> None:
    """A fork copies a lock another thread holds, locked for ever: multiprocessing's own way."""
    found, out = _probe("--thread")
    assert found["inherited"] == "False"
    assert found["server_handles_sigterm"] == "False"
    assert found["descriptor_closed"] == "True"
    assert out.count("atexit ran") == 1


def _outputs(folder: Path) -> dict[str, list[str]]:
    """Each executed notebook's outputs, without what differs between any two runs (the
    provenance cell's clock, objects' addresses)."""
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        found[path.stem] = [
            re.sub(r" at 0x[0-9a-f]+", "", repr([o.get("data", o.get("text")) for o in c.outputs]))
            for c in cells
            if c.cell_type == "code" and "provenance" not in c.source
        ]
    return found


def test_two_jobs_render_the_same_reports_as_one(tmp_path: Path) -> None:
    """Workers forked from the command's state (its random generators included) compute what
    one process computes: numbers, tables and charts."""
    pytest.importorskip("papermill")
    runs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        done = run_cli(
            "report", "baseline", "optimistic", "--jobs", jobs, "--draws", 300, "--out", out
        )
        assert done.returncode == 0, done.stderr[-3000:]
        runs[jobs] = _outputs(out)
    assert sorted(runs[1]) == ["baseline", "optimistic"]
    assert runs[1] == runs[2]

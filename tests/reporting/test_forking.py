"""The report fork server forked from the command (``reporting/forking.py``): it inherits the
command's imports, and nothing else a new interpreter would not have had; the reports are the
same as from one process."""

from __future__ import annotations

import contextlib
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
    assert found["excepthook"].startswith("_quiet_once_gone"), "quiet once the command is gone"
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


def _failure() -> tuple[type[BaseException], BaseException, object]:
    try:
        raise FileNotFoundError(2, "No such file or directory")
    except FileNotFoundError as exc:
        return type(exc), exc, exc.__traceback__


@pytest.mark.parametrize("ends", ["before", "during the grace", "never"])
def test_a_worker_failing_to_start_is_quiet_only_once_the_command_has_ended(
    ends: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C while the server still imports: the command stops at once and releases the
    semaphores of the worker it had asked for; the server forks it anyway, it cannot start,
    and multiprocessing prints its traceback after the command's own last word. The server's
    hook stays quiet for a command that has ended (or ends within the grace), and prints a
    failure while the command runs on."""
    from sbqw_model.reporting import forking

    monkeypatch.setattr(forking, "GRACE_SECONDS", 3.0 if ends != "never" else 0.2)
    seconds = {"before": 0, "during the grace": 0.5, "never": 30}[ends]
    command = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])
    try:
        if ends == "before":
            command.wait()  # reaped: no pidfd to open
        hook = forking._quiet_once_gone(command.pid)
        hook(*_failure())
    finally:
        command.kill()
        command.wait()
    err = capsys.readouterr().err
    if ends == "never":
        assert "FileNotFoundError" in err and "Traceback" in err
    else:
        assert err == ""


def test_without_pidfds_a_worker_failing_to_start_is_printed_as_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux < 5.3 has no pidfd: the server cannot tell when the command ends, and prints
    every failure, as multiprocessing does (the signals' ``die_with`` has the same limit)."""
    import errno

    from sbqw_model.reporting import forking

    def no_pidfd(pid: int) -> int:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    forking._quiet_once_gone(os.getpid())(*_failure())
    assert "FileNotFoundError" in capsys.readouterr().err


def test_invalid_input_with_two_jobs_leaves_no_process_behind(tmp_path: Path) -> None:
    """No fork server or worker outlives a command that refused its input. (Output goes to a
    file, not a pipe: a reader of a pipe would wait for a lingering server too.)"""
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: baseline\ndraws: 5\n", encoding="utf-8")
    out = tmp_path / "unique-out-folder"
    args = ["report", "baseline", str(bad), "--jobs", "2", "--out", str(out)]
    with (tmp_path / "stderr").open("w") as err:
        done = subprocess.run(
            [sys.executable, "-m", "sbqw_model", *args],
            stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
    left = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if str(out).encode() in (entry / "cmdline").read_bytes():
                left.append(entry.name)
    stderr = (tmp_path / "stderr").read_text(encoding="utf-8")
    assert done.returncode == 2 and "draws: unknown key" in stderr, stderr
    assert "Traceback" not in stderr and not out.exists()
    assert left == [], "the fork server outlived the command"

"""``sbqw new-scenario`` and ``sbqw notebooks NAME`` write a new file whole or not at all, never
over an existing one; names a file system cannot hold are refused with the reason; a good
``sbqw scenarios`` run writes nothing on stderr."""

from __future__ import annotations

import errno
import os
import resource
import sys
from pathlib import Path

import pytest

from sbqw_model import fileio, shipped
from sbqw_model.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sbqw: error: "), err
    assert "Traceback" not in err
    return lines[0]


COMMANDS = [
    (["new-scenario", "mine"], "mine.yaml"),
    (["notebooks", "explore_budget"], "explore_budget.ipynb"),
]


@pytest.mark.parametrize(("argv", "made"), COMMANDS)
def test_a_full_disk_is_one_line_and_leaves_no_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    made: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> None:  # part of the file, then no space
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio, "_write_all", half_then_full)
    code, out, err = _run(capsys, *argv)
    line = _one_error(err)
    assert code == 2 and out == ""
    assert f"{made}: cannot write (the disk is full)" in line
    assert "--out" not in line, "these commands have no --out"
    assert list(tmp_path.iterdir()) == [], "no empty, partial or temporary file"
    # space again: the retry writes the file (no 'already exists' from a left-over)
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, *argv)
    assert code == 0 and err == "" and f"wrote {made}" in out
    assert [p.name for p in tmp_path.iterdir()] == [made]


@pytest.mark.parametrize(("argv", "made"), COMMANDS)
def test_a_read_only_folder_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    made: str,
) -> None:
    monkeypatch.chdir(tmp_path)

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(fileio.tempfile, "mkstemp", denied)
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"{made}: cannot write (permission denied)" in _one_error(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize(("argv", "made"), COMMANDS)
def test_a_file_size_limit_leaves_no_truncated_file(
    tmp_path: Path, argv: list[str], made: str
) -> None:
    """A real short write (``ulimit -f``): the kernel stops the file at 1 KiB."""
    import subprocess

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.RLIM_INFINITY))

    done = subprocess.run(
        [sys.executable, "-m", "sbqw_model", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=120,
        check=False,
        preexec_fn=limit,
    )
    assert done.returncode == 2, done.stderr
    assert f"{made}: cannot write (" in _one_error(done.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "made"), COMMANDS)
def test_never_overwrites_also_a_file_made_during_the_write(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    made: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    real_write = fileio._write_all

    def another_program_meanwhile(fd: int, data: bytes) -> None:
        real_write(fd, data)
        (tmp_path / made).write_text("theirs\n", encoding="utf-8")

    monkeypatch.setattr(fileio, "_write_all", another_program_meanwhile)
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"{made}: already exists" in _one_error(err)
    assert [p.name for p in tmp_path.iterdir()] == [made]
    assert (tmp_path / made).read_text(encoding="utf-8") == "theirs\n"


def test_exclusive_write_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without hard links (EPERM from link): the name is reserved, then filled."""

    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(fileio.os, "link", no_links)
    target = tmp_path / "new.yaml"
    fileio.write_bytes_exclusive(target, b"whole\n")
    assert target.read_bytes() == b"whole\n"
    with pytest.raises(FileExistsError):
        fileio.write_bytes_exclusive(target, b"other\n")
    assert target.read_bytes() == b"whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["new.yaml"]


def test_the_written_file_is_complete_with_ordinary_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, "notebooks", "explore_budget")[0] == 0
    copy = tmp_path / "explore_budget.ipynb"
    assert copy.read_bytes() == shipped.notebook_path("explore_budget").read_bytes()
    if sys.platform != "win32":
        assert copy.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_overlong_name_is_refused_for_its_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "new-scenario", "a" * 81)
    line = _one_error(err)
    assert code == 2 and "too long (81 characters); expected at most 80" in line
    assert "expected letters, digits" not in line
    assert _run(capsys, "new-scenario", "a" * 80)[0] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["a" * 80 + ".yaml"]


@pytest.mark.parametrize(
    "name", ["CON", "con", "Prn", "aux.yaml", "NUL", "com1", "COM9", "lpt1", "LPT9", "COM¹"]
)
def test_a_windows_device_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "new-scenario", name)
    assert code == 2 and out == ""
    assert "Windows device name" in _one_error(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["console", "com10", "nul_plan", "lpt", "my-con"])
def test_names_that_only_resemble_a_device_are_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, "new-scenario", name)[0] == 0
    assert (tmp_path / f"{name}.yaml").is_file()


def test_scenarios_writes_nothing_on_stderr_and_the_tip_in_the_listing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "scenarios")
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("baseline")
    assert out.rstrip("\n").splitlines()[-1].startswith("sbqw report NAME renders one")

"""One run per output folder, and the folder's files written whole: a second run into a locked
folder is refused naming the first; a Ctrl-C never leaves or steals a lock; files land all or
none; names too long, empty paths and outputs that are inputs are refused before any work."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from safety_helpers import BASELINE, one_error, out_commands, tiny_sweep

from sbqw_model import cli
from sbqw_model.fileio import atomic_dir, atomic_path, is_temporary, temporary_owner
from sbqw_model.outputs import LOCK_NAME, output_lock, remove_stale_work


@pytest.mark.parametrize("command", ["report", "sweep", "sensitivity", "simulate", "export-draw"])
def test_a_locked_folder_is_refused_naming_the_holder(command: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = out_commands(tmp_path)[command]
    with output_lock(out, "sbqw report"):
        done = run_cli(*args, "--out", out)
        assert done.returncode == 2, done.stderr[-2000:]
        assert f"is in use by PID {os.getpid()} (sbqw report started at " in done.stderr
        assert "wait or choose another --out" in done.stderr
        assert [p.name for p in out.iterdir()] == [LOCK_NAME], "nothing written"
    assert not out.exists(), "the holder created the folder and removes it empty"


@pytest.mark.parametrize("where", ["before the lock", "while it is written", "once it is taken"])
@pytest.mark.parametrize("existed", [False, True])
def test_a_ctrl_c_while_the_lock_is_taken_leaves_no_lock_file(
    where: str, existed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupt at any step of taking the lock: the file goes, and the folder if this run
    made it (a hidden ``.sbqw-lock`` was left in one of 30 early Ctrl-Cs)."""
    import fcntl

    from sbqw_model import outputs

    out = tmp_path / "out"
    if existed:
        out.mkdir()
    real_flock = fcntl.flock
    calls = []

    def flock(fd: int, op: int) -> None:
        calls.append(op)
        if where == "before the lock" and len(calls) == 1:
            raise KeyboardInterrupt  # the file is open, not yet locked
        real_flock(fd, op)

    def strftime(*args: object) -> str:
        raise KeyboardInterrupt  # locked, the holder's details half-written

    monkeypatch.setattr(fcntl, "flock", flock)
    if where == "while it is written":
        monkeypatch.setattr(outputs.time, "strftime", strftime)
    with pytest.raises(KeyboardInterrupt), output_lock(out, "sbqw report"):
        raise KeyboardInterrupt  # once it is taken (the other cases never get here)
    if existed:
        assert sorted(p.name for p in out.iterdir()) == []
    else:
        assert not out.exists()


def test_a_ctrl_c_before_the_lock_never_removes_another_runs_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted between opening the file and locking it, while another run holds it: the
    file is that run's, and stays (removing it would let a third run in beside it)."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("{}", encoding="utf-8")
    real_flock = fcntl.flock
    first = []

    def flock(fd: int, op: int) -> None:
        if not first:
            first.append(op)
            raise KeyboardInterrupt
        real_flock(fd, op)

    with open(out / LOCK_NAME, "a+", encoding="utf-8") as other:
        real_flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
        monkeypatch.setattr(fcntl, "flock", flock)
        with pytest.raises(KeyboardInterrupt), output_lock(out, "sbqw report"):
            pass
        assert (out / LOCK_NAME).exists()


def test_a_stale_lock_file_does_not_block(tmp_path: Path) -> None:
    """A run killed with SIGKILL leaves its lock file; the lock itself died with it."""
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text('{"pid": 999999, "command": "sbqw sweep"}', encoding="utf-8")
    done = run_cli("sweep", tiny_sweep(tmp_path / "files", "s"), "--out", out, "--format", "csv")
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "sweep.json"]


@pytest.mark.parametrize("command", ["report", "sweep", "sensitivity", "simulate", "export-draw"])
def test_what_a_killed_run_left_is_removed_by_the_next(command: str, tmp_path: Path) -> None:
    """A run killed (SIGKILL) while it wrote left its temporary files: a half-written hidden
    page that no later run removed, a sensitivity's staging folder that made the next run into
    the folder, which looked empty, stop with "exists and is not empty", a sweep's the same
    with "is not a sweep results folder". The next run that locks the folder removes them."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".sbqw-baseline.k2j4x9za.tmp.html").write_text("<html><body>half", encoding="utf-8")
    (out / ".sbqw-out.a1b2c3d4.tmp").mkdir()
    (out / ".sbqw-out.a1b2c3d4.tmp" / "indices.csv").write_text("factor,S1\n", encoding="utf-8")
    (out / LOCK_NAME).write_text('{"pid": 999999}', encoding="utf-8")  # its lock died with it
    done = run_cli(*out_commands(tmp_path)[command], "--out", out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in out.glob(".*")) == []


def test_the_clean_up_removes_only_what_sbqw_made(tmp_path: Path) -> None:
    """Every ``.sbqw-*`` name in a locked folder was removed: a user's ``.sbqw-notes.txt``, and
    a folder an earlier ``--out .sbqw-week1`` wrote (its summary with it). Only the names sbqw
    makes while it writes go (``fileio.is_temporary``)."""
    out = tmp_path / "out"
    (out / ".sbqw-week1").mkdir(parents=True)
    (out / ".sbqw-week1" / "summary.json").write_text("{}", encoding="utf-8")
    (out / ".sbqw-notes.txt").write_text("mine", encoding="utf-8")
    (out / ".sbqw-analysis").write_text("mine", encoding="utf-8")  # eight letters, no suffix
    (out / ".sbqw-summary.k2j4x9za.tmp.json").write_text("{", encoding="utf-8")  # a leftover
    with output_lock(out, "simulate"):
        pass
    kept = sorted(p.name for p in out.iterdir())
    assert kept == [".sbqw-analysis", ".sbqw-notes.txt", ".sbqw-week1"]
    assert (out / ".sbqw-week1" / "summary.json").is_file()


def test_the_clean_up_keeps_what_a_live_command_is_writing(tmp_path: Path) -> None:
    """A locked run's clean-up removed every temporary name, also one a command that takes no
    lock (``sbqw cost --out reports/x.xlsx``) was writing at that moment, which then failed. A
    name says the process writing it: a live one's is kept, a dead one's (a killed run) and this
    process's own go, and so does a name of an earlier version, which says none."""
    out = tmp_path / "out"
    out.mkdir()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        names = {
            "writing": f".sbqw-x.{alive.pid}.k2j4x9za.tmp.xlsx",
            "killed": f".sbqw-x.{gone.pid}.a1b2c3d4.tmp.xlsx",
            "own": f".sbqw-x.{os.getpid()}.zz9yy8xx.tmp",
            "earlier": ".sbqw-x.q1w2e3r4.tmp.csv",
        }
        for name in names.values():
            (out / name).write_text("x", encoding="utf-8")
        remove_stale_work(out)
        assert sorted(p.name for p in out.iterdir()) == [names["writing"]]
        assert temporary_owner(names["writing"]) == alive.pid
        assert temporary_owner(names["earlier"]) is None
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("name", ["baseline.html", "summary.json", "sales.csv", "out", "报告"])
def test_every_temporary_name_is_one_the_clean_up_knows(tmp_path: Path, name: str) -> None:
    """The names fileio makes (atomic file, exclusive file, folder) are the ones it removes."""
    seen: list[str] = []
    with atomic_path(tmp_path / name) as tmp:
        seen.append(tmp.name)
        tmp.write_text("x", encoding="utf-8")
    with atomic_dir(tmp_path / f"d{name}") as tmp:
        seen.append(tmp.name)
    assert all(is_temporary(n) and n.startswith(".sbqw-") for n in seen), seen
    assert not is_temporary(name) and not is_temporary(f".sbqw-{name}")


def test_two_reports_at_once_into_one_folder(tmp_path: Path) -> None:
    """The second run stops at once, naming the first; the first finishes untouched."""
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "sbqw_model", "report", BASELINE, "--draws", "200", "--out", out],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).is_file() or not (out / LOCK_NAME).read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = run_cli("report", BASELINE, "--draws", 200, "--out", out)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-2000:]
    one_error(second, f"is in use by PID {first.pid} (sbqw report started at ")
    assert sorted(p.name for p in out.iterdir()) == [
        "baseline.html",
        "baseline.ipynb",
        "baseline.xlsx",
        "index.html",
        "reports.json",
    ]


def test_atomic_dir_moves_all_files_or_none(tmp_path: Path) -> None:
    """A folder in the way of one file stops them all before the first moves; the staging
    folder sits inside an existing output folder (a mount point: no rename across devices)."""
    from sbqw_model.fileio import atomic_dir

    out = tmp_path / "out"
    (out / "b.txt").mkdir(parents=True)  # in the way of the second file
    with pytest.raises(IsADirectoryError), atomic_dir(out) as staging:
        assert staging.parent == out
        for name in ("a.txt", "b.txt", "c.txt"):
            (staging / name).write_text(name, encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"], "nothing moved, nothing left"
    with atomic_dir(tmp_path / "new") as staging:
        assert staging.parent == tmp_path  # a new folder is staged beside, then created
        (staging / "a.txt").write_text("a", encoding="utf-8")
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["a.txt"]


TOO_LONG = "a" * 300  # longer than any file name the system takes (255 bytes)


#: Names the system takes (at most 255 bytes) that a temporary name repeating them whole,
#: behind ``.sbqw-`` and before a random part and the suffix, pushed past the limit.
LONG_BUT_LEGAL = ["b" * 246, "贵" * 81]  # 250 and 247 bytes with ".csv"


@pytest.mark.parametrize("stem", LONG_BUT_LEGAL, ids=["ascii", "chinese"])
def test_a_long_name_the_system_takes_is_written(
    stem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """It was refused: "cannot write (the name is too long)"."""
    monkeypatch.chdir(tmp_path)
    ledger = str(ROOT / "examples" / "recognitions.csv")
    assert cli.main(["cost", "--recognitions", ledger, "--out", f"{stem}.csv"]) == 0
    assert cli.main(["simulate", str(BASELINE), "--draws", "20", "--out", stem]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{stem}.csv", stem])
    assert {p.name for p in (tmp_path / stem).iterdir()} >= {"budget.csv", "summary.xlsx"}
    assert not [p for p in tmp_path.rglob(".*")], "no temporary file left"


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", TOO_LONG],
        ["report", TOO_LONG],
        ["new-scenario", "x", "--from", TOO_LONG],
        ["backtest", TOO_LONG, "--observed", TOO_LONG + ".csv"],
        ["simulate", str(BASELINE), "--observed", TOO_LONG + ".csv"],
        ["cost", "--recognitions", TOO_LONG + ".csv"],
        ["simulate", str(BASELINE), "--draws", "20", "--out", TOO_LONG],
        ["report", str(BASELINE), "--draws", "20", "--out", TOO_LONG],
        ["cost", "--sales", str(ROOT / "examples" / "sales.csv"), "--out", TOO_LONG + ".csv"],
    ],
)
def test_a_name_too_long_for_the_system_is_one_line(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The system's refusal (ENAMETOOLONG) came out of a path check as a traceback."""
    monkeypatch.chdir(tmp_path)
    status = cli.main(args)
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err, err
    assert err.count("\n") == 1 and "too long" in err and "(30" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", ""],
        ["simulate", str(BASELINE), "--draws", "20", "--out", ""],
        ["report", str(BASELINE), "--draws", "20", "--out", " "],
        ["cost", "--recognitions", ""],
        ["simulate", str(BASELINE), "--observed", ""],
        ["sweep", "", "--workers", "1"],
    ],
)
def test_an_empty_path_is_refused_not_read_as_this_folder(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """``Path("")`` is ``.``: ``--out ""`` wrote a report into the current folder."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1, err
    assert "expected a file or folder name" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("flag", "source", "name"),
    [
        ("--recognitions", ROOT / "examples" / "recognitions.csv", "ledger.csv"),
        ("--sales", ROOT / "examples" / "sales.csv", "sales.csv"),
        ("--observed", ROOT / "observations" / "example.csv", "observed.csv"),
    ],
)
def test_an_out_that_is_an_input_is_refused_before_it_is_replaced(
    flag: str, source: Path, name: str, tmp_path: Path
) -> None:
    """``cost --recognitions x.csv --out x.csv`` replaced the user's ledger with the result."""
    given = tmp_path / name
    given.write_bytes(source.read_bytes())
    head = ["backtest", BASELINE, "--draws", 20] if flag == "--observed" else ["cost"]
    link = tmp_path / "link.csv"  # the same file by another name is the same file
    link.symlink_to(given)
    for out in (given, link):
        done = run_cli(*head, flag, given, "--out", out)
        one_error(done, f"is the file given to {flag}", "choose another --out")
    assert given.read_bytes() == source.read_bytes()


def test_a_full_disk_behind_standard_output_is_named(tmp_path: Path) -> None:
    """``sbqw cost … > file`` on a full disk said "a file: no space left on device"."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    sales = str(ROOT / "examples" / "sales.csv")
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sbqw_model", "cost", "--sales", sales, "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == "sbqw: error: standard output: cannot write (the disk is full)\n"


def test_a_reader_that_stops_early_ends_the_run_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """``sbqw … | head``: no error line for a pipe the reader closed, and the pipe's status."""
    import io

    from sbqw_model import cliutil

    class Closed(io.StringIO):
        def fileno(self) -> int:
            return os.open(os.devnull, os.O_WRONLY)

        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(SystemExit) as stop:
        cliutil.emit("x" * 10)
    assert stop.value.code == 128 + 13
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "command", [["assumptions"], ["scenarios"], ["simulate", "baseline", "--draws", "50"]]
)
def test_every_command_piped_into_a_reader_that_stops_says_nothing(command: list[str]) -> None:
    """``sbqw assumptions | head -1``: what a command printed with ``print`` (not ``emit``) to
    a reader that has gone ends it as quietly, with the pipe's status. (The reader's end is
    closed before the command starts, so its first write fails, whatever its size.)"""
    gone, into = os.pipe()
    os.close(gone)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sbqw_model", *command],
            stdout=into,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
    finally:
        os.close(into)
    assert (done.returncode, done.stderr) == (128 + 13, "")


def test_a_broken_pipe_that_is_not_standard_output_is_still_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Only a reader of standard output that has gone ends a run quietly; a pipe to anything
    else (a worker, a subprocess) breaking is an error, said in one line."""
    from sbqw_model import cli

    def broken(args: object) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe", "the-workers-pipe")

    monkeypatch.setattr(cli, "_run_assumptions", broken)
    assert cli.main(["assumptions"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sbqw: error: ") and "the-workers-pipe" in err and err.count("\n") == 1

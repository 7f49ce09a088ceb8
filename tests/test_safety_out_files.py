"""An ``--out FILE`` that is a FIFO, a socket or a link to a device: the atomic rename
replaced it with a regular file and said ``wrote``; now one line, exit 2, left as it was. A
path with a line break or a control character is said as one line when written."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from conftest import ROOT
from safety_helpers import cli, refused

SALES = ROOT / "examples" / "sales.csv"
OBSERVED = ROOT / "observations" / "example.csv"


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
    return path


def _device_link(path: Path) -> Path:
    path.symlink_to(os.devnull)
    return path


KINDS = {"fifo": _fifo, "socket": _socket, "link to a device": _device_link}
COMMANDS = {
    "cost": ["cost", "--sales", SALES],
    "backtest": ["backtest", "baseline", "--observed", OBSERVED, "--draws", 10],
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_out_that_is_no_regular_file_is_refused(tmp_path: Path, kind: str, command: str) -> None:
    out = KINDS[kind](tmp_path / "out.csv")
    before = os.lstat(out)
    refused(
        cli(*COMMANDS[command], "--out", out),
        f"--out {out}: is not a regular file (a device or pipe); give a file name",
    )
    after = os.lstat(out)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode), "replaced"
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.parametrize("name", ["a\nb.csv", "a\x1b[31m.csv", "a\u202ecsv.exe.csv"])
def test_the_file_written_is_named_in_one_line(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    done = cli("cost", "--sales", SALES, "--out", out)
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wrote "), lines
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr
    shown = name.replace("\n", "\\n").replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    assert lines[0] == f"wrote {tmp_path}/{shown}"

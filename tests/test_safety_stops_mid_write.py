"""A stop (Ctrl-C, SIGTERM, SIGHUP) while a command writes its files: the command says it was
interrupted, and the folder keeps what it held before, whole. The signal is sent by the write
itself, so the moment is exact on a loaded machine."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest
from safety_helpers import BASELINE

from sbqw_model import cli
from sbqw_model.fileio import atomic_dir
from sbqw_model.signals import INTERRUPTED, terminate_as_interrupt


def stop_in_the_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM as the first sheet is written: pandas' ExcelWriter then closes a workbook
    without sheets, and its "IndexError: At least one sheet must be visible" replaced the stop."""
    real = pd.DataFrame.to_excel

    def to_excel(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_excel", to_excel)


def test_a_stop_a_library_turns_into_its_own_error_is_still_a_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """It was a traceback (IndexError) from ``sbqw simulate --out``."""
    stop_in_the_workbook(monkeypatch)
    out = tmp_path / "out"
    code = cli.main(["simulate", str(BASELINE), "--draws", "20", "--out", str(out)])
    assert (code, capsys.readouterr().err) == (143, INTERRUPTED + "\n")
    assert not out.exists(), "the folder this run made, removed empty"


def test_a_report_stopped_while_its_workbook_is_written_keeps_the_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The stop was recorded as the report's failure: the earlier page, workbook and notebook
    were deleted as stale and a ``baseline.failed.ipynb`` kept, then the command said
    "interrupted"; stopped a moment later, its new page stood beside the old workbook."""
    pytest.importorskip("papermill")
    from sbqw_model.reporting import runner

    real = runner._write_xlsx

    def write_xlsx(*args: object) -> None:  # once the notebook has run: its workbook
        stop_in_the_workbook(monkeypatch)
        real(*args)

    monkeypatch.setattr(runner, "_write_xlsx", write_xlsx)
    out = tmp_path / "out"
    out.mkdir()
    earlier = {f"baseline.{ext}": f"earlier {ext}" for ext in ("html", "xlsx", "ipynb")}
    for name, text in earlier.items():
        (out / name).write_text(text, encoding="utf-8")
    code = cli.main(["report", str(BASELINE), "--draws", "20", "--out", str(out)])
    assert (code, capsys.readouterr().err) == (143, INTERRUPTED + "\n")
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == earlier


def test_files_moved_into_place_land_together_though_a_stop_comes_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop between two renames left the first file new and the second old."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.csv", "b.csv"):
        (out / name).write_text("old", encoding="utf-8")
    real = os.replace

    def replace(src: object, dst: object) -> None:
        real(src, dst)
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt(), atomic_dir(out) as tmp:
        for name in ("a.csv", "b.csv"):
            (tmp / name).write_text("new", encoding="utf-8")
        monkeypatch.setattr(os, "replace", replace)
    monkeypatch.undo()
    assert sorted((p.name, p.read_text(encoding="utf-8")) for p in out.iterdir()) == [
        ("a.csv", "new"),
        ("b.csv", "new"),
    ]

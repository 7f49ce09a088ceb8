"""Sweep result files, written as points finish so an interrupted sweep can resume.

Layout of ``--out DIR``::

    sweep.json          what was run (sweep file, base scenario digest, factors, seed, draws)
    parts/*.parquet     one file per finished batch, each written atomically
    results.parquet     the final table, one row per point sorted by point id (or .csv)

The final table is always assembled from the parts, interrupted or not, so a resumed sweep's
table is identical to an uninterrupted one. A part is never half-written (temporary file, then
rename), so whatever is in ``parts/`` is finished work.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sbqw_model.errors import InputError
from sbqw_model.fileio import atomic_path, write_text_atomic
from sbqw_model.outputs import LOCK_NAME
from sbqw_model.spreadsheet import restore_frame, write_csv

META = "sweep.json"
PARTS = "parts"
RESULTS = "results"
FORMATS = ("parquet", "csv")
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def default_format() -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    return "parquet"


def write_table(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            write_csv(frame, tmp)


def read_table(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A result table (parquet or CSV; CSV floats read back exactly)."""
    cols = list(columns) if columns else None
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=cols)
    exact = {} if _PANDAS_MAJOR >= 3 else {"float_precision": "round_trip"}  # 3.x: the default
    return restore_frame(pd.read_csv(path, usecols=cols, **exact))


class Store:
    """The results folder of one sweep."""

    def __init__(self, out: Path, fmt: str, meta: dict[str, Any] | None = None):
        self.out = Path(out)
        self.fmt = fmt
        self._meta = meta  # written with the first finished batch: a failed start leaves nothing

    @property
    def final(self) -> Path:
        return self.out / f"{RESULTS}.{self.fmt}"

    @property
    def parts(self) -> Path:
        return self.out / PARTS

    @classmethod
    def open(cls, out: Path, fmt: str, meta: dict[str, Any], resume: bool) -> tuple[Store, bool]:
        """The folder ready for writing, and whether earlier work is being resumed.

        Refuses (InputError, nothing written) to mix two sweeps or to overwrite earlier results
        without ``--resume``.
        """
        out = Path(out)
        meta_path = out / META
        if meta_path.is_file():
            try:
                old = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise InputError([f"{meta_path}: unreadable; choose another --out"]) from None
            if not resume:
                raise InputError(
                    [
                        f"{out}: already holds results of sweep {old.get('name', '?')!r};"
                        " add --resume to continue it, or choose another --out"
                    ]
                )
            if old.get("digest") != meta["digest"]:
                raise InputError(
                    [
                        f"{out}: holds results of a different sweep (the sweep file, its base"
                        " scenario, observations or the plan parameters changed since);"
                        " choose another --out"
                    ]
                )
            return cls(out, old.get("format", fmt)), True
        if out.exists() and (not out.is_dir() or any(p.name != LOCK_NAME for p in out.iterdir())):
            raise InputError(
                [f"{out}: exists and is not a sweep results folder; choose another --out"]
            )
        return cls(out, fmt, {**meta, "format": fmt}), False

    def _part_files(self) -> list[Path]:
        return sorted(self.parts.glob(f"*.{self.fmt}")) if self.parts.is_dir() else []

    def done(self) -> set[int]:
        """Point ids already finished (in parts, or in a final table of a completed run)."""
        ids: set[int] = set()
        files = self._part_files() + ([self.final] if self.final.is_file() else [])
        for path in files:
            ids.update(int(p) for p in read_table(path, ["point"])["point"])
        return ids

    def add(self, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
        """One finished batch, atomically (its name: first point id and size)."""
        if not rows:
            return
        if self._meta is not None:
            text = json.dumps(self._meta, ensure_ascii=False, indent=2) + "\n"
            write_text_atomic(self.out / META, text)
            self._meta = None
        first = min(r["point"] for r in rows)
        frame = pd.DataFrame(list(rows), columns=list(columns))
        self.parts.mkdir(parents=True, exist_ok=True)
        write_table(frame, self.parts / f"{first:09d}-{len(rows):04d}.{self.fmt}")

    def discard_if_empty(self) -> None:
        """A run that finished no batch (it failed or was stopped) leaves no folder behind."""
        if self._part_files() or self.final.is_file():
            return
        (self.out / META).unlink(missing_ok=True)
        if self.parts.is_dir():
            shutil.rmtree(self.parts, ignore_errors=True)

    def finish(self, columns: Sequence[str], expected: int) -> Path:
        """The final table from every part, sorted by point id; parts are then removed."""
        files = self._part_files() + ([self.final] if self.final.is_file() else [])
        frames = [read_table(p) for p in files]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        table = table.drop_duplicates("point").sort_values("point", kind="stable")
        table = table.reset_index(drop=True)[list(columns)]
        if len(table) != expected:
            raise RuntimeError(f"{self.out}: {len(table)} of {expected} points finished")
        write_table(table, self.final)
        shutil.rmtree(self.parts, ignore_errors=True)
        return self.final

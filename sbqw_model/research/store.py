"""Sweep result files, written as points finish so an interrupted sweep can resume.

Layout of ``--out DIR``::

    sweep.json          what was run (sweep file, base scenario digest, factors, seed, draws)
    parts/*.parquet     one file per finished batch, each written atomically
    results.parquet     the final table, one row per point sorted by point id (or .csv)

The final table is always assembled from the parts, interrupted or not, so a resumed sweep's
table is identical to an uninterrupted one. A part is never half-written (temporary file, then
rename), but a disk, a copy or a hand can damage it afterwards: on resume every table is checked
against the sweep (``Design``: exact columns, finite numbers, the design's point ids and factor
values) and one that fails is left out, its points recomputed, never assembled into the result.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model.errors import InputError
from sbqw_model.fileio import atomic_path, write_text_atomic
from sbqw_model.outputs import LOCK_NAME, remove_stale_work
from sbqw_model.spreadsheet import restore_frame, write_csv

META = "sweep.json"
PARTS = "parts"
RESULTS = "results"
#: What a parquet result table carries of ``sweep.json`` (``pd.read_parquet(f).attrs["sbqw"]``),
#: so that the table alone says which sweep, base scenario, seed and version produced it.
PROVENANCE = (
    "name",
    "base",
    "base_digest",
    "mode",
    "points",
    "draws",
    "seed",
    "digest",
    "sbqw_version",
)
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
        from sbqw_model.extras import require

        require("parquet", f"reading {path.name}")  # the pip line, not pandas' engine error
        return pd.read_parquet(path, columns=cols)
    exact = {} if _PANDAS_MAJOR >= 3 else {"float_precision": "round_trip"}  # 3.x: the default
    return restore_frame(pd.read_csv(path, usecols=cols, **exact))


@dataclass(frozen=True)
class Design:
    """What every row of a sweep's tables must hold, so a damaged part is found, not used."""

    columns: tuple[str, ...]
    points: pd.DataFrame  # ``point`` and one column per factor, row i = point i
    text: frozenset[str] = frozenset()  # factors holding categories (compared as text)
    optional: frozenset[str] = frozenset()  # extra outputs: NaN where a point has no such key


_PART_NAME = re.compile(r"^(\d{9})-(\d{4})$")


def _first_bad_number(column: pd.Series, nan_ok: bool, whole: bool) -> tuple[int, str] | None:
    """(row position, what was found) of the first cell that is not a number the engine writes."""
    values = column.to_numpy()
    if column.dtype == bool or not pd.api.types.is_numeric_dtype(column):
        for i, v in enumerate(values):  # a CSV column with text in it holds every cell as text
            if isinstance(v, bool | np.bool_) or (
                not isinstance(v, int | float | np.number) and not _is_number(v)
            ):
                return i, f"expected a number, got {_cell(v)}"
        return 0, "expected numbers, got text"  # numbers written as text: not the engine's
    if whole and not pd.api.types.is_integer_dtype(column):
        for i, v in enumerate(values):
            if not float(v).is_integer():
                return i, f"expected a point id (a whole number), got {_cell(v)}"
        return 0, "expected whole point ids, got decimals"
    bad = np.isinf(values) if nan_ok else ~np.isfinite(values.astype(float))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return i, f"expected a finite number, got {_cell(values[i])}"
    return None


def _is_number(text: Any) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _cell(value: Any) -> str:
    """A cell as the message shows it: numpy scalars as plain numbers, NaN as empty."""
    value = value.item() if isinstance(value, np.generic) else value
    return "an empty cell" if value != value else repr(value)


def _columns_problem(found: list[str], expected: Sequence[str]) -> str:
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing or extra:
        said = [f"missing {', '.join(missing[:3])}" if missing else ""]
        said += [f"unexpected {', '.join(map(str, extra[:3]))}" if extra else ""]
        return f"its columns are not the sweep's ({'; '.join(x for x in said if x)})"
    return "its columns are not in the sweep's order"


def table_problem(frame: pd.DataFrame, design: Design, path: Path) -> str | None:
    """Why ``frame`` (a part or a final table read back) is not this sweep's work, or None."""
    if list(frame.columns) != list(design.columns):
        return _columns_problem(list(frame.columns), design.columns)
    if frame.empty:
        return "it holds no rows"
    offset = 2 if path.suffix == ".csv" else 1  # a CSV's header is row 1
    factors = [c for c in design.points.columns if c != "point"]
    for col in design.columns:
        if col in design.text:
            continue
        bad = _first_bad_number(frame[col], col in design.optional, col == "point")
        if bad is not None:
            return f"row {bad[0] + offset}, column {col}: {bad[1]}"
    points = frame["point"].to_numpy(dtype=np.int64)
    n = len(design.points)
    outside = np.flatnonzero((points < 0) | (points >= n))
    if outside.size:
        i = int(outside[0])
        return f"row {i + offset}: point {points[i]} is not a point of this sweep (0–{n - 1})"
    twice = np.flatnonzero(frame["point"].duplicated().to_numpy())
    if twice.size:
        return f"row {int(twice[0]) + offset}: point {points[twice[0]]} appears twice"
    named = _PART_NAME.match(path.stem) if path.parent.name == PARTS else None
    if named and (int(named[2]), int(named[1])) != (len(frame), int(points.min())):
        return (
            f"it holds {len(frame)} rows from point {points.min()}; its name says"
            f" {int(named[2])} from point {int(named[1])} (rows were lost)"
        )
    want = design.points.iloc[points]
    for col in factors:
        got, exp = frame[col].to_numpy(), want[col].to_numpy()
        if col in design.text:
            same = np.array([str(a) == str(b) for a, b in zip(got, exp, strict=True)])
        else:
            same = got.astype(float) == exp.astype(float)
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            return (
                f"row {i + offset}, column {col}: {_cell(got[i])}, but the sweep's point"
                f" {points[i]} has {_cell(exp[i])}"
            )
    return None


def _ends_a_line(path: Path) -> bool:
    """The file's last byte is a line end (a CSV cut short ends mid-row); read alone."""
    with open(path, "rb") as f:
        if f.seek(0, os.SEEK_END) == 0:
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def _differs(frame: pd.DataFrame, earlier: list[pd.DataFrame]) -> int | None:
    """A point of ``frame`` that an earlier table holds with other values, or None."""
    seen = pd.concat(earlier, ignore_index=True).drop_duplicates("point").set_index("point")
    mine = frame.set_index("point")
    both = mine.index.intersection(seen.index)
    if both.empty:
        return None
    a, b = mine.loc[both], seen.loc[both, mine.columns]
    same = ((a == b) | (a.isna() & b.isna())).all(axis=1)
    return None if same.all() else int(same.index[~same.to_numpy()][0])


class Store:
    """The results folder of one sweep."""

    def __init__(self, out: Path, fmt: str, meta: dict[str, Any] | None = None):
        self.out = Path(out)
        self.fmt = fmt
        self._meta = meta  # written with the first finished batch: a failed start leaves nothing
        self._damaged: set[Path] = set()  # tables found damaged on resume: never assembled

    @property
    def final(self) -> Path:
        return self.out / f"{RESULTS}.{self.fmt}"

    @property
    def parts(self) -> Path:
        return self.out / PARTS

    @classmethod
    def open(
        cls, out: Path, fmt: str | None, meta: dict[str, Any], resume: bool, legacy: str = ""
    ) -> tuple[Store, bool]:
        """The folder ready for writing, and whether earlier work is being resumed.

        Refuses (InputError, nothing written) to mix two sweeps or two formats, or to
        overwrite earlier results without ``--resume``. ``fmt`` None: the default format.
        """
        out = Path(out)
        meta_path = out / META
        if meta_path.is_file():
            try:
                old = json.loads(meta_path.read_text(encoding="utf-8"))
                if not isinstance(old, dict):
                    raise ValueError
            except (OSError, ValueError):
                raise InputError([f"{meta_path}: unreadable; choose another --out"]) from None
            if not resume:
                raise InputError(
                    [
                        f"{out}: already holds results of sweep {old.get('name', '?')!r};"
                        " add --resume to continue it, or choose another --out"
                    ]
                )
            _check_same_sweep(out, old, meta, legacy)
            kept = old.get("format") if old.get("format") in FORMATS else default_format()
            if fmt is not None and fmt != kept:
                raise InputError(
                    [
                        f"--format {fmt}: {out} holds a {kept} sweep; resume it without"
                        f" --format (or with --format {kept})"
                    ]
                )
            remove_stale_work(out / PARTS)  # a batch a killed run was writing
            return cls(out, kept), True
        if out.exists() and (not out.is_dir() or any(p.name != LOCK_NAME for p in out.iterdir())):
            raise InputError(
                [f"{out}: exists and is not a sweep results folder; choose another --out"]
            )
        fmt = fmt or default_format()
        return cls(out, fmt, {**meta, "format": fmt}), False

    def _part_files(self) -> list[Path]:
        """The finished batches: not a temporary file a killed run left half-written (hidden,
        ``.sbqw-…``), which a resume read as a damaged part."""
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.glob(f"*.{self.fmt}") if not p.name.startswith("."))

    def _tables(self) -> list[Path]:
        files = self._part_files() + ([self.final] if self.final.is_file() else [])
        return [f for f in files if f not in self._damaged]

    def done(self, design: Design) -> tuple[set[int], list[str]]:
        """Point ids already finished (in parts, or in the final table of a completed run),
        and one line for each table that fails ``design``: it is left out, its points rerun."""
        notes: list[str] = []
        kept: list[pd.DataFrame] = []
        owner: dict[int, int] = {}  # point → the kept table that first held it
        for path in self._tables():
            try:
                if path.suffix == ".csv" and not _ends_a_line(path):
                    problem = "it ends in the middle of a row (cut short)"
                else:
                    frame = read_table(path)
                    problem = table_problem(frame, design, path)
                # only tables sharing points are compared (each with all: quadratic in parts)
                shared = {owner[p] for p in map(int, frame["point"]) if p in owner}
                if problem is None and shared:
                    point = _differs(frame, [kept[i] for i in sorted(shared)])
                    if point is not None:
                        problem = f"point {point} differs from the same point in another part"
            except Exception as exc:  # a damaged file fails in many ways; each is said, once
                why = " ".join(str(exc).replace(f" '{path}'", "").split())[:160]
                problem = f"unreadable as {path.suffix[1:]} ({why or type(exc).__name__})"
            if problem is not None:
                self._damaged.add(path)
                notes.append(f"{path}: damaged, {problem}; its points are computed again")
                continue
            kept.append(frame)
            for p in map(int, frame["point"]):
                owner.setdefault(p, len(kept) - 1)
        return set(owner), notes

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
        path = self.parts / f"{first:09d}-{len(rows):04d}.{self.fmt}"
        write_table(frame, path)
        self._damaged.discard(path)  # a damaged part of the same name is now replaced

    def discard_if_empty(self) -> None:
        """A run that finished no batch (it failed or was stopped) leaves no folder behind."""
        if self._part_files() or self.final.is_file():
            return
        (self.out / META).unlink(missing_ok=True)
        if self.parts.is_dir():
            shutil.rmtree(self.parts, ignore_errors=True)

    def _provenance(self) -> dict[str, Any]:
        try:
            meta = json.loads((self.out / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = self._meta or {}
        return {k: meta[k] for k in PROVENANCE if k in meta}

    def finish(self, columns: Sequence[str], expected: int) -> Path:
        """The final table from every part, sorted by point id; parts are then removed."""
        frames = [read_table(p) for p in self._tables()]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        table = table.drop_duplicates("point").sort_values("point", kind="stable")
        table = table.reset_index(drop=True)[list(columns)]
        if len(table) != expected:
            raise RuntimeError(f"{self.out}: {len(table)} of {expected} points finished")
        table.attrs = {"sbqw": self._provenance()}  # kept by parquet only
        write_table(table, self.final)
        shutil.rmtree(self.parts, ignore_errors=True)
        return self.final


def _check_same_sweep(out: Path, old: dict[str, Any], meta: dict[str, Any], legacy: str) -> None:
    """Refuse to resume another sweep, naming what changed (its meaning, not its bytes).
    ``legacy``: the digest of its file's bytes, which folders written before hold."""
    if old.get("digest") in {meta["digest"], legacy} - {""}:
        return
    new, was = meta.get("spec", {}), old.get("spec")
    changed = (
        [k for k in sorted({*new, *was}) if new.get(k) != was.get(k)]
        if isinstance(was, dict)
        else []
    )
    if changed:
        said = f"its {', '.join(changed)} changed since"
    elif isinstance(was, dict):
        said = "it changed since"
    else:  # a record without ``spec``: only the file's bytes can be compared
        said = "the sweep file or what it names changed since; this folder predates comparing"
        said += " sweeps by meaning, so even a comment counts"
    raise InputError([f"{out}: holds results of a different sweep ({said}); choose another --out"])

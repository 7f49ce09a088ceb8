"""What ships inside the package: scenarios, notebooks, sweeps — found by name from any folder.

A wheel (``pip install .``, ``pipx``) carries no project folder, so every shipped file lives
under ``sbqw_model/`` and is found relative to this module, never relative to the working
directory. A user's own files are always given as paths; a bare name means a shipped file.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sbqw_model.errors import InputError, did_you_mean

PACKAGE_DIR = Path(__file__).resolve().parent
SCENARIO_DIR = PACKAGE_DIR / "scenarios"
NOTEBOOK_DIR = PACKAGE_DIR / "notebooks"
SWEEP_DIR = PACKAGE_DIR / "sweeps"
DATA_DIR = PACKAGE_DIR / "data"
NOTEBOOK_DIR_ENV = "SBQW_NOTEBOOK_DIR"  # a folder of edited notebooks to use instead

#: Comparisons are read against the first scenario, so the baseline leads every listing.
FIRST = "baseline"


def shipped_scenarios() -> list[Path]:
    """The shipped scenario files, the baseline first, then by name."""
    return sorted(SCENARIO_DIR.glob("*.yaml"), key=lambda p: (p.stem != FIRST, p.stem))


def shipped_names() -> list[str]:
    return [p.stem for p in shipped_scenarios()]


def is_shipped_name(text: str) -> bool:
    """A bare name (no folder, no ``.yaml``) of a shipped scenario."""
    return text in shipped_names()


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file by path (as given), or a shipped scenario by name (``baseline``).

    An existing file wins, so a user's ``baseline.yaml`` in the current folder is theirs;
    anything else must be a shipped name, and an unknown one lists the valid names.
    """
    path = Path(name_or_path)
    if path.exists() or path.is_symlink():  # the loader says what is wrong with a non-file
        return path
    text = str(name_or_path)
    stem = path.stem if path.suffix in (".yaml", ".yml") and path.parent == Path() else text
    if is_shipped_name(stem):
        return SCENARIO_DIR / f"{stem}.yaml"
    names = shipped_names()
    local = Path(f"{text}.yaml")
    hint = f" (did you mean the file `{local}`?)" if local.is_file() else did_you_mean(stem, names)
    raise InputError(
        [
            f"{text}: no such scenario file, and not a shipped scenario{hint};"
            f" shipped: {', '.join(names)} (see `sbqw scenarios`)"
        ]
    )


def spellings(names: Sequence[str | Path], paths: Sequence[Path]) -> dict[str, list[str]]:
    """Each file (its real path, links followed) with the names it was given by, in order:
    ``baseline``, ``baseline.yaml`` and a link to it are one file, under three spellings."""
    out: dict[str, list[str]] = {}
    for name, path in zip(names, paths, strict=True):
        out.setdefault(os.path.realpath(path), []).append(str(name))
    return out


def known_scenarios() -> list[str]:
    """Every shipped scenario name, the baseline first (for messages and did-you-mean)."""
    return shipped_names()


def is_name(text: str) -> bool:
    """A bare name (``baseline``), not a path: no folder part and no suffix."""
    path = Path(text)
    return bool(text) and path.name == text and not path.suffix and text not in (".", "..")


def find_scenario(name: str) -> Path | None:
    """The shipped scenario file called ``name`` (``baseline`` or ``baseline.yaml``), or None.

    Used by ``extends:``, which accepts a shipped name as well as a path to a file.
    """
    stem = Path(name).stem if Path(name).suffix.lower() in (".yaml", ".yml") else name
    if not is_name(stem) or not is_shipped_name(stem):
        return None
    return SCENARIO_DIR / f"{stem}.yaml"


def shipped_sweeps() -> list[Path]:
    return sorted(SWEEP_DIR.glob("*.yaml"))


def sweep_path(name_or_path: str | Path) -> Path:
    """A sweep file by path, or a shipped sweep by name (``growth_latin``)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = SWEEP_DIR / f"{path.stem}.yaml"
    if path.parent == Path() and candidate.is_file():
        return candidate
    if path.exists():  # there, but not a file to read
        kind = "a folder" if path.is_dir() else "not a regular file (a device or pipe)"
        raise InputError([f"{name_or_path}: is {kind}; expected a sweep .yaml file"])
    names = [p.stem for p in shipped_sweeps()]
    raise InputError(
        [
            f"{name_or_path}: no such sweep file, and not a shipped sweep"
            f"{did_you_mean(path.stem, names)}; shipped: {', '.join(names)}"
        ]
    )


def notebook_dir() -> Path:
    """The report notebooks: the shipped ones, or ``$SBQW_NOTEBOOK_DIR`` when set."""
    override = os.environ.get(NOTEBOOK_DIR_ENV)
    return Path(override) if override else NOTEBOOK_DIR


def notebook_path(name: str) -> Path:
    """A notebook by file name (``scenario_report.ipynb``) or stem."""
    file = name if name.endswith(".ipynb") else f"{name}.ipynb"
    return notebook_dir() / file


@dataclass(frozen=True)
class ScenarioEntry:
    """One line of ``sbqw scenarios``."""

    name: str
    title_zh: str
    title_en: str
    summary: str
    path: Path


def _first_sentence(text: str) -> str:
    """Up to the first full stop: a variant says what it assumes after a semicolon ("Same
    outside conditions as the baseline; every award … at 50 %"), so a clause is not enough."""
    text = " ".join(text.split())
    ends = [at + len(stop.rstrip()) for stop in ("。", ". ") if (at := text.find(stop)) >= 0]
    return text[: min(ends)] if ends else text


def scenario_entries(lang: str = "zh") -> list[ScenarioEntry]:
    """Every shipped scenario with its titles and a one-line description in ``lang``."""
    from sbqw_model.scenario import load_scenario

    out = []
    for path in shipped_scenarios():
        s = load_scenario(path)
        text = s.describe(lang) if lang == "zh" else s.describe("en")
        out.append(ScenarioEntry(s.name, s.title("zh"), s.title("en"), _first_sentence(text), path))
    return out


__all__ = [
    "DATA_DIR",
    "NOTEBOOK_DIR",
    "SCENARIO_DIR",
    "SWEEP_DIR",
    "find_scenario",
    "is_name",
    "known_scenarios",
    "notebook_dir",
    "notebook_path",
    "scenario_entries",
    "scenario_path",
    "shipped_scenarios",
    "shipped_sweeps",
    "sweep_path",
]


@functools.cache  # shipped files: read once a process, not once a report
def data_years() -> dict[str, tuple[int, int]]:
    """Each shipped statistics file (``data/*.csv``) with the first and last year of the
    figures the model uses (rows marked ``used: no`` are kept for the record, not counted):
    what a report's data note says, read from the files so it cannot go stale."""
    import csv
    import re

    out = {}
    for path in sorted(DATA_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:  # "2018H1", "2015-2021" too
            rows = [row for row in csv.DictReader(handle) if row.get("used", "yes") != "no"]
            years = [int(y) for row in rows for y in re.findall(r"\d{4}", row.get("year", ""))]
        if years:
            out[path.name] = (min(years), max(years))
    return out

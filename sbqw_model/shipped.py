"""Where scenario names are looked up: one function for the CLI, ``extends:``, sweeps, notebooks.

A name such as ``baseline`` means a scenario file in one of ``scenario_dirs()``: ``./scenarios``
(the user's own, first), the project's ``scenarios/`` and the package's ``sbqw_model/scenarios/``
when they exist. Anything else is a path.
"""

from __future__ import annotations

from pathlib import Path

from sbqw_model.yamlio import YAML_SUFFIXES

_PACKAGE = Path(__file__).resolve().parent


def scenario_dirs() -> list[Path]:
    """Scenario folders in lookup order, without duplicates: ./scenarios, project, package."""
    found: list[Path] = []
    for folder in (Path.cwd() / "scenarios", _PACKAGE.parent / "scenarios", _PACKAGE / "scenarios"):
        if folder.is_dir() and folder.resolve() not in [f.resolve() for f in found]:
            found.append(folder)
    return found


def known_scenarios() -> list[str]:
    """Every scenario name the lookup knows, sorted."""
    return sorted({p.stem for d in scenario_dirs() for s in YAML_SUFFIXES for p in d.glob(f"*{s}")})


def is_name(text: str) -> bool:
    """A bare name (``baseline``), not a path: no folder part and no suffix."""
    path = Path(text)
    return bool(text) and path.name == text and not path.suffix and text not in (".", "..")


def find_scenario(name: str) -> Path | None:
    """The shipped scenario file called ``name`` (``baseline`` or ``baseline.yaml``), or None."""
    stem = Path(name).stem if Path(name).suffix.lower() in YAML_SUFFIXES else name
    if not is_name(stem):
        return None
    for folder in scenario_dirs():
        for suffix in YAML_SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None

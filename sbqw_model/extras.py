"""Optional extras: a command or notebook that needs one says which ``pip install`` line fixes it.

Every optional import goes through ``require`` (before any work starts), so a missing package is
one readable line with the fix — exit status 2 on the command line, no traceback in a notebook —
rather than a ``ModuleNotFoundError`` deep inside a run.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import sys
from collections.abc import Iterable

from sbqw_model.errors import InputError

#: module imported → (package to install, extra of sbqw that brings it)
OPTIONAL: dict[str, tuple[str, str]] = {
    "SALib": ("SALib", "research"),
    "dask": ("dask[distributed]", "research"),
    "distributed": ("dask[distributed]", "research"),
    "pyarrow": ("pyarrow", "research"),
    "sklearn": ("scikit-learn", "research"),
    "ipywidgets": ("ipywidgets", "lab"),
}

#: what each part of sbqw needs beyond the core install
NEEDS: dict[str, tuple[str, ...]] = {
    "sweep": ("SALib", "dask", "distributed"),
    "sensitivity": ("SALib", "dask", "distributed"),
    "discover": ("sklearn",),
    "sensitivity notebook": ("SALib", "dask", "distributed", "sklearn"),
    "explorer": ("ipywidgets",),
    "parquet": ("pyarrow",),
}


def install_line(extra: str) -> str:
    """The command that installs ``extra`` where this sbqw runs. Plain ``pip`` only when the
    ``pip`` a shell finds is this environment's; otherwise (a venv used without activating it,
    as in ``.venv/bin/sbqw``; pipx) that ``pip`` belongs to another Python, which has no sbqw
    and looks for one on the package index, where there is none, so the line names this
    interpreter: ``/path/.venv/bin/python -m pip install 'sbqw[research]'``."""
    line = f"pip install 'sbqw[{extra}]'"
    here = os.path.dirname(sys.executable) if sys.executable else ""
    found = shutil.which("pip")
    if not here or (found and os.path.dirname(os.path.abspath(found)) == here):
        return line
    return f"{shlex.quote(sys.executable)} -m {line}"


class MissingExtra(InputError):
    """An optional package is not installed; the message is the fix. ``plural``: the purpose
    is plural ("the budget explorer's sliders need …")."""

    def __init__(self, purpose: str, missing: list[str], plural: bool = False):
        extras = sorted({OPTIONAL[m][1] for m in missing})
        packages = sorted({OPTIONAL[m][0] for m in missing})
        lines = " or ".join(install_line(e) for e in extras)
        super().__init__(
            [
                f"{purpose} {'need' if plural else 'needs'} {', '.join(packages)},"
                f" {'which is' if len(packages) == 1 else 'which are'} not installed;"
                f" install {'it' if len(packages) == 1 else 'them'} with: {lines}"
            ]
        )

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback: the one line that says what to do."""
        return [f"{type(self).__name__}: {self}"]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a broken entry
        return False


def missing(modules: Iterable[str]) -> list[str]:
    return [m for m in modules if not _installed(m)]


def require(part: str, purpose: str | None = None, plural: bool = False) -> None:
    """Raise ``MissingExtra`` unless everything ``part`` (a key of NEEDS) imports is installed."""
    gone = missing(NEEDS[part])
    if gone:
        raise MissingExtra(purpose or part, gone, plural)


__all__ = ["NEEDS", "OPTIONAL", "MissingExtra", "install_line", "missing", "require"]

"""The one-way flow of docs/architecture.md, enforced: parameters and scenario → worlds →
rules/engine → summary → reporting and research → the command line. A module may import
from its own room and the rooms before it, never after (function-level imports count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sbqw_model"
#: The front doors (``sbqw`` and its subcommands, in any room): they may import anything.
ENTRY = {"cli", "cliutil", "scenario_cli", "__main__"}
#: Imports against the flow that exist today, each to move down (not to grow): a new one fails.
KNOWN = {
    # observed figures are read by a research module; the reader belongs with the scenario
    ("sbqw_model.conditioning", "sbqw_model.research.observations"),
}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every sbqw_model module ``path`` imports, at the top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sbqw_model":
                out |= {f"sbqw_model.{a.name}" for a in node.names}
            elif node.module.startswith("sbqw_model."):
                out.add(node.module)
                out |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sbqw_model.")}
    return out


def _room(module: str) -> str:
    """core (the model and its summary), reporting, research or entry (the command line)."""
    parts = module.split(".")
    if parts[-1] in ENTRY:  # sbqw_model.cli, sbqw_model.research.cli, ...
        return "entry"
    return parts[1] if len(parts) > 1 and parts[1] in ("reporting", "research") else "core"


def _is_module(name: str) -> bool:
    """A module or package of ours (``from m import f`` also yields ``m.f``, a function)."""
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


FORBIDDEN = {  # room → rooms it must not import
    "core": {"reporting", "research", "entry"},
    "reporting": {"research", "entry"},
    "research": {"entry"},
}
MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path: Path) -> None:
    module = _module(path)
    banned = FORBIDDEN.get(_room(module), set())
    wrong = sorted(
        target
        for target in _imports(path)
        if _is_module(target) and _room(target) in banned and (module, target) not in KNOWN
    )
    assert wrong == [], f"{module} imports against the flow: {wrong}"


def test_the_summary_records_stand_alone() -> None:
    """The typed summary is read back from JSON by reports: it needs nothing of the engine."""
    found = {t for t in _imports(PACKAGE / "summary_types.py") if _is_module(t)}
    assert found == {"sbqw_model.errors"}


def test_the_engine_does_not_know_its_readers() -> None:
    for name in ("engine", "worlds", "rules", "recognition", "scenario"):
        found = {t for t in _imports(PACKAGE / f"{name}.py") if t.startswith("sbqw_model.summary")}
        assert found == set(), f"{name} imports the summary"


def test_the_check_sees_a_backward_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from sbqw_model.reporting import charts\n", encoding="utf-8")
    assert "sbqw_model.reporting" in _imports(bad) and _room("sbqw_model.reporting") == "reporting"

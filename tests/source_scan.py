"""Reading the package's source as a test does: string literals that are not docstrings."""

from __future__ import annotations

import ast
from pathlib import Path


def strings_outside_docstrings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal outside docstrings (a docstring may quote a word or
    name a tag to explain it; code may not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]

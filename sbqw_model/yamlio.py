"""Safe YAML reading with errors a person can act on (file, line, column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sbqw_model.errors import InputError


def safe_load(text: str, source: str) -> Any:
    """Parse YAML with the safe loader; tags such as ``!!python/object`` are refused."""
    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise InputError(
            [f"{source}: {where}: YAML tag refused ({exc.problem}); only plain data is allowed"]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([f"{source}: {where}: YAML syntax error: {problem}"]) from None


def read_mapping(path: Path, kind: str) -> tuple[dict[str, Any], bytes]:
    """A YAML file that must hold a mapping (a scenario, a sweep), and its bytes (for hashes)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([f"{name}: cannot read the {kind} file ({exc.strerror})"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([f"{name}: the file is not UTF-8 text"]) from None
    raw = safe_load(text, name)
    if raw is None:
        raise InputError([f"{name}: the file is empty (expected a {kind} mapping)"])
    if not isinstance(raw, dict):
        raise InputError([f"{name}: expected a mapping of {kind} keys, got {type(raw).__name__}"])
    return raw, data

"""Safe YAML reading with errors a person can act on (file, line, column)."""

from __future__ import annotations

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

"""Input schemas by pydantic v2, with problems reported in the house style.

Scenarios, parameter files, sweeps and observation rows are described as pydantic models
(``Strict``: unknown keys forbidden, no silent coercion of ``"5"`` or ``true`` into a number);
pydantic walks the whole input and collects *every* problem with its key path and value. This
module turns those errors into our one-line problems — ``FILE: key.path: what was expected,
got VALUE`` — and adds did-you-mean suggestions for unknown keys (``errors.did_you_mean``).
Rules that span several keys (a sweep's mode against its factors, low ≤ high) stay as short
validators on the models or code after validation; the callers keep returning their own
dataclasses (``Scenario``, ``Parameters``, ``Sweep``), so nothing downstream changes.

Why pydantic rather than jsonschema (both were candidates, jsonschema is already installed
through nbformat): our checks are not only shapes. A distribution's bounds depend on the
quantity (a probability stays in [0, 1]), a year on the plan's parameters, an observation's
lowest value on its indicator — pydantic validators are plain Python that receive a validation
``context``, where jsonschema would need a schema generated per call or custom keywords.
pydantic returns typed values (no second pass to convert), its errors carry the location
as a tuple, the input and a context for our own error types, and it can still export a JSON
Schema (``model_json_schema``) for editors. The cost is the import: about 0.1 s of CPU for
pydantic and 0.05 s to build the models on first use (jsonschema's import costs as much), paid
only when a file is validated — the models are imported lazily, never by ``import sbqw_model``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.yamlio import text_number_hint

#: What a pydantic type error expected, said as the house says it.
_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "float_type": "a number",
    "int_type": "a whole number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "finite_number": "a finite number",
}
#: pydantic's errors for a number that was not one (a ``1e7`` YAML read as text gets a hint)
_NUMERIC = frozenset({"float_type", "int_type", "finite_number", "float_parsing", "int_parsing"})


class Strict(BaseModel):
    """A mapping in a user's file: unknown keys are errors, values are never coerced.

    ``unknown`` and ``missing`` word the two structural problems; ``{key}``, ``{suggest}``
    (did you mean), ``{allowed}`` and ``{expected}`` (the field's description) are filled in.
    """

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, frozen=True, defer_build=True
    )
    unknown: ClassVar[str] = "unknown key{suggest} (expected one of: {allowed})"
    missing: ClassVar[str] = "missing (expected {expected})"

    @classmethod
    def key_names(cls) -> list[str]:
        return [f.alias or name for name, f in cls.model_fields.items()]


def fail(message: str, at: str = "") -> PydanticCustomError:
    """A problem in our own words; ``at`` continues the key path (``high`` of a distribution)."""
    # ``message`` last: pydantic fills the context in order, so braces in it stay as written
    return PydanticCustomError("sbqw", "{message}", {"at": at, "message": message})


def number(
    low: float = float("-inf"), high: float = float("inf"), expected: str = "a number"
) -> Any:
    """A real number in [low, high] (never a bool or text): ``expected`` says what is wanted."""

    def check(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise fail(f"expected {expected}, got {value!r}{text_number_hint(value)}")
        return float(value)

    return Annotated[float, BeforeValidator(check)]


def whole(low: int = 0) -> Any:
    """A whole number ≥ ``low`` (a YAML ``true`` is no number)."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            hint = text_number_hint(value, whole=True)
            raise fail(f"expected a whole number ≥ {low}, got {value!r}{hint}")
        return value

    return Annotated[int, BeforeValidator(check)]


def choice(options: Iterable[str], noun: str = "value", listed: str = "expected one of") -> Any:
    """One of ``options``; an unknown one is named with a did-you-mean suggestion and the
    options (introduced by ``listed``, the wording a file kind's messages already use)."""
    allowed = tuple(options)

    def check(value: Any) -> str:
        if value not in allowed:
            raise fail(
                f"unknown {noun} {value!r}{did_you_mean(str(value), allowed)}"
                f" ({listed}: {', '.join(allowed)})"
            )
        return value

    return Annotated[str, BeforeValidator(check)]


def one_of(options: Iterable[Any]) -> Any:
    """One of a few fixed ``options`` (``expected one of weight, pin, got 'pinned'``)."""
    allowed = tuple(options)

    def check(value: Any) -> Any:
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            raise fail(f"expected one of {', '.join(map(str, allowed))}, got {value!r}")
        return value

    return Annotated[Any, BeforeValidator(check)]


# --- from pydantic's errors to our problems ----------------------------------------------------


def _unwrap(tp: Any) -> list[Any]:
    """The model classes, list/dict element types a field's annotation may hold."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _step(tp: Any, key: Any) -> tuple[Any, Any]:
    """The type found at ``key`` inside ``tp``, and the key as the user's path shows it: an
    int for a list's item, text for a mapping's key (a YAML year key is an int)."""
    for t in _unwrap(tp):
        origin = typing.get_origin(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            for name, f in t.model_fields.items():
                if key in (name, f.alias):
                    return f.annotation, key
        elif origin is list and isinstance(key, int):
            return typing.get_args(t)[0], key
        elif origin is dict:
            return typing.get_args(t)[1], str(key)
    return None, key


def _walk(root: Any, loc: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """The user's key path and the type holding its last key (for the field's description)."""
    path: list[Any] = []
    tp, parent = root, root
    for key in loc:
        parent = tp
        tp, shown = _step(tp, key) if tp is not None else (None, key)
        path.append(shown)
    return path, parent


def _description(tp: Any) -> str | None:
    """The ``Field(description=…)`` of an ``Annotated`` type (a whole block's expectation)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return next(filter(None, map(_description, typing.get_args(tp))), None)
    if typing.get_origin(tp) is not Annotated:
        return None
    return next((m.description for m in tp.__metadata__ if getattr(m, "description", None)), None)


def _model_of(tp: Any) -> type[Strict] | None:
    found = [t for t in _unwrap(tp) if isinstance(t, type) and issubclass(t, Strict)]
    return found[0] if found else None


def locate(where: str, path: Iterable[Any]) -> str:
    """``where`` continued by a key path: ``FILE: a.b[2].c`` (no dot after ``: ``)."""
    out = where
    for key in path:
        if key == "[key]":  # pydantic marks a problem with a mapping's key, not its value
            continue
        if isinstance(key, int):
            out += f"[{key}]"
        elif not out or out.endswith((" ", ".")):
            out += str(key)
        else:
            out += f".{key}"
    return out


def _message(err: Any, parent: Any, key: Any) -> str:
    kind, value = err["type"], err.get("input")
    model = _model_of(parent)
    if kind == "sbqw":
        return err["msg"]
    if kind == "extra_forbidden" and model is not None:
        allowed = model.key_names()
        return model.unknown.format(
            key=key, suggest=did_you_mean(str(key), allowed), allowed=", ".join(allowed)
        )
    field = None
    if model is not None and key is not None:
        field = next((f for n, f in model.model_fields.items() if key in (n, f.alias)), None)
    described = field.description if field else _description(parent if key is None else None)
    if field is not None and field.annotation is str:
        described = described or "text"
    expected = described or _EXPECTED.get(kind, "")
    if kind == "missing" and model is not None:
        return model.missing.format(key=key, expected=expected or "a value")
    if kind == "missing":
        return "missing"
    if kind == "literal_error":
        return f"expected one of {err['ctx']['expected']}, got {value!r}"
    if expected:
        hint = text_number_hint(value, whole=kind == "int_type") if kind in _NUMERIC else ""
        return f"expected {expected}, got {value!r}{hint}"
    return f"{err['msg'].lower()}, got {value!r}"  # a pydantic check we did not word


def problems(exc: ValidationError, root: Any, where: str) -> list[str]:
    """Each of pydantic's errors as one of our lines: ``where`` + key path + what and value."""
    out = []
    for err in exc.errors(include_url=False):
        path, parent = _walk(root, err["loc"])
        at = (err.get("ctx") or {}).get("at", "")
        key = path[-1] if path else None
        full = [*path, *at.split(".")] if at else path
        out.append(f"{locate(where, full)}: {_message(err, parent, key)}")
    return out


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def validate(schema: Any, raw: Any, where: str, context: dict[str, Any] | None = None) -> Any:
    """``raw`` validated against ``schema`` (a model or type); InputError with every problem."""
    if typing.get_origin(schema) in (typing.Union, types.UnionType) and type(None) in (
        members := typing.get_args(schema)
    ):  # ``X | None``: no adapter of its own to build (each costs import time)
        if raw is None:
            return None
        (schema,) = [m for m in members if m is not type(None)]
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_validate(raw, context=context)
        adapter = _ADAPTERS.get(schema)
        if adapter is None:
            adapter = _ADAPTERS[schema] = TypeAdapter(schema)
        return adapter.validate_python(raw, context=context)
    except ValidationError as exc:
        raise InputError(problems(exc, schema, where)) from None


def collect(
    schema: Any, raw: Any, where: str, found: list[str], context: dict[str, Any] | None = None
) -> Any:
    """As ``validate``, appending problems to ``found`` (None when there were any)."""
    try:
        return validate(schema, raw, where, context)
    except InputError as exc:
        found.extend(exc.problems)
        return None

"""Safe YAML reading with errors a person can act on (file, line, column).

Hostile files are refused before they cost anything: only regular ``.yaml``/``.yml`` files
under ``limits.MAX_YAML_BYTES`` are read (never a device, pipe or folder), nesting is bounded
before the document is composed, aliases are counted as if expanded (a few KB of nested aliases
can stand for billions of values), numbers too long to read are refused, and ``.inf``/``.nan``
or numbers beyond a float are refused with their key path. The limits are in ``sbqw_model.limits``.

What PyYAML leaves silent or cryptic is said here: a key written twice (``2024`` and ``2024.0``
too), merge keys ``<<`` resolved as the YAML spec says (PyYAML could let the later mapping win),
a character YAML does not allow (with its line and column), a second document, a file that is
not UTF-8 (UTF-16 and UTF-32 named), and numbers YAML 1.1 reads as text (``text_number_hint``).
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from sbqw_model.errors import InputError
from sbqw_model.limits import (
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    MAX_YAML_NUMBER_CHARS,
)

YAML_SUFFIXES = (".yaml", ".yml")
_FLOAT_MAX = 1.7976931348623157e308


class _Refused(Exception):
    """A structural limit was hit; ``mark`` says where."""

    def __init__(self, message: str, mark: Any):
        super().__init__(message)
        self.mark = mark


#: libyaml's safe loader where PyYAML was built with it (~10× faster on a scenario), else the
#: pure-Python one: same constructor, same types, errors with the same marks.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NODE_START = (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: Keys read as values Python compares equal however written (``2024``, ``2024.0``, ``0x7e8``)
_VALUE_TAGS = _NUMBER_TAGS | {"tag:yaml.org,2002:bool"}
#: Characters YAML allows in a file (its ``c-printable``): anything else stops the reader.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _check_nesting(text: str) -> None:
    """Refuse a document nested deeper than ``MAX_YAML_DEPTH`` before anything is composed
    (a composer recursing that deep could exhaust the stack), reading the parser's events."""
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, _NODE_START) and depth + 1 > MAX_YAML_DEPTH:
            raise _Refused(f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        if isinstance(event, _OPEN):
            depth += 1
        elif isinstance(event, _CLOSE):
            depth -= 1


def _expanded(node: yaml.Node, memo: dict[int, tuple[int, int]], path: set[int]) -> tuple[int, int]:
    """(values, depth) of ``node`` with every alias expanded; shared nodes are counted once each
    time they are used, yet visited once (memo), so a bomb is measured without being built."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in path:
        raise _Refused("an alias refers to the node that contains it (a recursive alias)", node)
    if len(path) > MAX_YAML_DEPTH:
        raise _Refused(f"aliases nest deeper than {MAX_YAML_DEPTH} levels", node)
    children: list[yaml.Node] = []
    if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
        _short_number(node)
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        _unique_keys(node)
        children = [part for pair in node.value for part in pair]
    path.add(key)
    count, depth = 1, 0
    for child in children:
        c, d = _expanded(child, memo, path)
        count, depth = count + c, max(depth, d)
        if count > MAX_YAML_NODES:
            raise _Refused(
                f"more than {MAX_YAML_NODES:,} values once aliases are expanded"
                " (an alias bomb, or far more data than a scenario holds)",
                node,
            )
    path.discard(key)
    memo[key] = (count, depth + 1)
    if depth + 1 > MAX_YAML_DEPTH:
        raise _Refused(f"aliases nest deeper than {MAX_YAML_DEPTH} levels", node)
    return memo[key]


def _short_number(node: yaml.ScalarNode) -> None:
    """Refuse a number too long to read before it is read (see ``MAX_YAML_NUMBER_CHARS``)."""
    if len(node.value) > MAX_YAML_NUMBER_CHARS:
        raise _Refused(
            f"a number {len(node.value):,} characters long (at most"
            f" {MAX_YAML_NUMBER_CHARS:,} are read; a float needs about 25)",
            node,
        )


def _unique_keys(node: yaml.MappingNode) -> None:
    """Refuse a key written twice in one mapping: YAML's loaders keep the last one silently,
    so ``payout_share: 0.5`` then ``payout_share: 0.1`` would run with 0.1 unannounced. (A
    key a merge ``<<`` brings in may still be overridden: that is what it is for.)"""
    seen: dict[tuple[str, Any], str] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        ident = _key_ident(key)
        if ident in seen and key.tag == _MERGE_TAG:
            raise _Refused("the merge key `<<` is written twice; write `<<: [*a, *b]`", key)
        if ident in seen and seen[ident] != key.value:
            raise _Refused(
                f"the keys {seen[ident]!r} and {key.value!r} are one key once read"
                " (YAML keeps the last); write it once",
                key,
            )
        if ident in seen:
            raise _Refused(f"the key {key.value!r} is written twice in one mapping", key)
        seen[ident] = key.value


def _resolve_merges(node: yaml.Node, done: set[int]) -> None:
    """Apply merge keys as the YAML spec says, before PyYAML sees them: the mapping's own keys
    win, then the merged mappings in the order listed (``<<: [*a, *b]``: ``a``'s key wins over
    ``b``'s). PyYAML keeps the first only when two keys are the same string object, so
    ``<<: [{payout_share: 0.5}, {payout_share: 0.7}]`` gave 0.7 (a one-letter key gave 0.5)."""
    if id(node) in done:
        return
    done.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _resolve_merges(child, done)
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        _resolve_merges(key, done)
        _resolve_merges(value, done)
    own = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
    if len(own) == len(node.value):
        return
    seen = {_key_ident(k) for k, _ in own}
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in node.value:
        if key.tag != _MERGE_TAG:
            continue
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise _Refused("a merge key `<<` takes a mapping or a list of mappings", source)
            for pair in source.value:
                if _key_ident(pair[0]) not in seen:
                    seen.add(_key_ident(pair[0]))
                    merged.append(pair)
    node.value = merged + own


def _key_ident(key: yaml.Node) -> tuple[str, Any]:
    """What a key is once read: ``2024`` and ``2024.0`` are one (the duplicate check and the
    merge both ask, so a merge resolves keys as the check counts them)."""
    if not isinstance(key, yaml.ScalarNode):
        return (key.tag, id(key))
    if key.tag in _VALUE_TAGS and len(key.value) <= MAX_YAML_NUMBER_CHARS:
        return ("=", yaml.load(key.value, Loader=SAFE_LOADER))
    return (key.tag, key.value)


def _where(mark: Any) -> str:
    mark = getattr(mark, "start_mark", mark)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def safe_load(text: str, source: str) -> Any:
    """Parse YAML with the safe loader; tags such as ``!!python/object`` are refused, and so are
    alias bombs, deep nesting and non-finite numbers (see the module docstring)."""
    loader = None
    try:
        _check_nesting(text)
        loader = SAFE_LOADER(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded(node, {}, set())
        _resolve_merges(node, set())
        data = loader.construct_document(node)
    except _Refused as exc:
        raise InputError([f"{source}: {_where(exc.mark)}: YAML refused: {exc}"]) from None
    except yaml.constructor.ConstructorError as exc:
        where = f"{source}: {_where(exc.problem_mark)}"
        if "tag" not in str(exc.problem):
            raise InputError([f"{where}: YAML error: {exc.problem}"]) from None
        raise InputError(
            [f"{where}: YAML tag refused ({exc.problem}); only plain data is allowed"]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError([f"{source}: {_syntax_problem(exc, text)}"]) from None
    except RecursionError:  # a guard behind the depth limit, never expected
        raise InputError([f"{source}: YAML refused: nested too deeply"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    bad: list[str] = []
    _finite(data, "", source, bad)
    if bad:
        raise InputError(bad)
    return data


def _syntax_problem(exc: yaml.YAMLError, text: str) -> str:
    """Where and what a YAML error is, in words (``line 4, column 1: …``)."""
    if isinstance(exc, yaml.reader.ReaderError):
        return _bad_character(exc, text)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    where = _where(getattr(exc, "problem_mark", None))
    if "maximum nesting depth" in str(problem):  # libyaml's own limit, met while scanning
        return f"{where}: YAML refused: nested deeper than {MAX_YAML_DEPTH} levels"
    if problem == "but found another document":
        return (
            f"{where}: expected one YAML document, found a second one (a `---` line starts"
            " another); keep one document per file"
        )
    if problem == "did not find expected <document start>":
        return (
            f"{where}: expected one YAML document, found more text after its end (a `...`"
            " line ends a document); keep one document per file"
        )
    return f"{where}: YAML syntax error: {problem}"


def _bad_character(exc: yaml.reader.ReaderError, text: str) -> str:
    """A character YAML does not allow, with its line and column: the reader's ``position``
    counts bytes in libyaml and characters in PyYAML, so the text is searched instead."""
    found = _NOT_PRINTABLE.search(text)
    code = ord(found.group()) if found else exc.character
    kind = "control character" if unicodedata.category(chr(code)) == "Cc" else "character"
    at = found.start() if found else text.find(chr(code))
    if at < 0:
        where = "?"
    else:
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        where = f"line {line}, column {column}"
    return f"{where}: {kind} U+{code:04X} is not allowed in YAML (remove it)"


#: A number YAML 1.1 reads as text: an exponent without a dot or a sign (``1e7``, ``1.5e7``).
_EXPONENT = re.compile(r"([+-]?)(\d+)(?:\.(\d*))?[eE]([+-]?)(\d+)")
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


#: What a Chinese input method types for a number's marks: the ideographic full stop, and
#: full-width digits, signs and dot (U+FF10…, which NFKC turns into ASCII).
_WIDE_MARKS = str.maketrans({"\u3002": "."})


def text_number_hint(value: Any, whole: bool = False) -> str:
    """A hint when a number arrived as text, else "": YAML 1.1 (PyYAML) reads ``1e7`` as text
    and wants ``1.0e+7``; a quoted number is text too. ``whole``: the field takes an integer.

    Full-width digits or marks (``５０００００``, ``０．５``, ``0。5``) are text however written;
    the hint gives the number in ASCII (a regular expression's digit matched them, and the
    hint said to drop quotes the file did not have)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    ascii_text = unicodedata.normalize("NFKC", text).translate(_WIDE_MARKS)
    if ascii_text != text and ascii_text.isascii() and _PLAIN.fullmatch(ascii_text):
        return f" (full-width digits or marks are text; write {_yaml_number(ascii_text, whole)})"
    if not _PLAIN.fullmatch(text) or not text.isascii():
        return ""
    written = _yaml_number(text, whole)
    if not _is_whole(text, whole) and _EXPONENT.fullmatch(text) is None:
        return " (a number in quotes is text; write it without quotes)"
    return f" (YAML reads this as text; write {written})"


def _is_whole(text: str, whole: bool) -> bool:
    number = float(text)
    return whole and number.is_integer() and abs(number) <= 1e15


def _yaml_number(text: str, whole: bool) -> str:
    """``text`` (an ASCII number) as YAML 1.1 reads a number: a whole number as one when the
    field takes one, an exponent with a dot and a signed power (``1e7`` → ``1.0e+7``)."""
    if _is_whole(text, whole):
        return str(int(float(text)))
    match = _EXPONENT.fullmatch(text)
    if match is None:
        return text
    sign, digits, fraction, exp_sign, exponent = match.groups()
    return f"{sign}{digits}.{fraction or '0'}e{exp_sign or '+'}{exponent}"


def _finite(value: Any, where: str, source: str, bad: list[str]) -> None:
    """Refuse ``.inf``, ``.nan`` and integers too large for a float, naming the key path."""
    if isinstance(value, dict):
        for key, child in value.items():
            _finite(child, f"{where}.{key}" if where else str(key), source, bad)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            _finite(child, f"{where}[{i}]", source, bad)
    elif isinstance(value, float) and not math.isfinite(value):
        bad.append(f"{source}: {where or '<top>'}: got {value}, expected a finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _FLOAT_MAX:
        bad.append(f"{source}: {where or '<top>'}: a number too large to compute with")


def read_yaml_bytes(path: Path, kind: str, limit: int = MAX_YAML_BYTES) -> bytes:
    """A regular ``.yaml``/``.yml`` file's bytes, at most ``limit``; devices, pipes, folders,
    other suffixes and larger files are refused in one line (opened without blocking, checked
    on the open file, so a link to ``/dev/zero`` is caught too)."""
    name = str(path)
    if path.suffix.lower() not in YAML_SUFFIXES:
        got = f"got {path.suffix!r}" if path.suffix else "the name has no suffix"
        raise InputError([f"{name}: expected a .yaml or .yml {kind} file, {got}"])
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError([f"{name}: cannot read the {kind} file ({exc.strerror})"]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([f"{name}: is a folder, expected a .yaml {kind} file"])
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                [f"{name}: not a regular file (a device or pipe), expected a .yaml {kind} file"]
            )
        if info.st_size > limit:
            raise InputError([_too_big(name, kind, info.st_size, limit)])
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # grew while being read
            raise InputError([_too_big(name, kind, total, limit)])
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([f"{name}: cannot read the {kind} file ({exc.strerror})"]) from None
    finally:
        os.close(fd)


def _too_big(name: str, kind: str, size: int, limit: int) -> str:
    return f"{name}: {size:,} bytes, more than the {limit >> 20} MiB a {kind} file may have"


def read_mapping(path: Path, kind: str) -> tuple[dict[str, Any], bytes]:
    """A YAML file that must hold a mapping (a scenario, a sweep), and its bytes (for hashes)."""
    name = str(path)
    data = read_yaml_bytes(path, kind)
    raw = safe_load(decode_yaml(data, name), name)
    if raw is None:
        raise InputError([f"{name}: the file is empty (expected a {kind} mapping)"])
    if not isinstance(raw, dict):
        raise InputError([f"{name}: expected a mapping of {kind} keys, got {type(raw).__name__}"])
    return raw, data


_BOMS = (  # the longer marks first: UTF-32's little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode_yaml(data: bytes, name: str) -> str:
    """A YAML file's text: UTF-8, with or without the byte-order mark. Anything else is refused
    saying what it is when that is certain (UTF-16 or UTF-32, by the byte-order mark or the
    zero bytes ASCII has in them) and else where the first byte that is not UTF-8 is."""
    found = next((kind for mark, kind in _BOMS if data.startswith(mark)), None)
    if found is None and data and data.count(0) * 4 >= len(data):  # ASCII as 2 or 4 bytes
        found = "UTF-32" if data[:4].count(0) == 3 else "UTF-16"  # (valid UTF-8, and NULs)
    if found:
        what = f"is {found} text, not UTF-8"
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            what = f"is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line} is not UTF-8)"
    raise InputError([f"{name}: the file {what}; save it as UTF-8 and try again"])

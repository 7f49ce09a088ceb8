"""Typed errors for bad user input.

User mistakes must reach the command line as one clear line per problem (file, where, what was
expected) and never as a traceback, so every validator collects *all* problems before raising.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


class InputError(Exception):
    """One or more problems with user-supplied input; each problem is one readable line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Problems:
    """Collects problems so a validator can report every one at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def extend(self, other: Iterable[str]) -> None:
        self.items.extend(other)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


def os_problem(exc: OSError) -> str:
    """A path the system refused (a name too long for it, a loop of links, a device that
    cannot be read) as one line: which path, and the system's reason."""
    where = exc.filename if exc.filename is not None else "a file"
    why = exc.strerror or type(exc).__name__
    return f"{where}: {why[:1].lower()}{why[1:]}"


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """A ' (did you mean `x`?)' suffix when a close spelling exists, else ''.

    ``word`` is what a file gave, not always text: a YAML key may be a number, ``null`` or a
    boolean (``{1: 1}``); it is compared as written (``str``), never a TypeError."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


#: Characters that act on a terminal instead of showing (C0 and C1 controls, DEL) and the
#: ones that reorder what follows (bidirectional overrides and isolates: a right-to-left
#: override makes "txt.exe" read "exe.txt"): text from files and arguments shows them as
#: escapes. ``UNSEEN`` keeps tab and line feed (a table's layout); an error line keeps none.
_BIDI = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
UNSEEN = {
    **{c: f"\\x{c:02x}" for c in (*range(32), *range(127, 160)) if c not in (9, 10)},
    **{c: f"\\u{c:04x}" for c in _BIDI},
}
_UNSEEN_IN_A_LINE = {**UNSEEN, 9: "\\t", 10: "\\n"}

#: A run of more characters without a space than any name, path or number of a real input has
#: is shown cut in the middle: a 5 000-digit number quoted back made a "one-line" error of
#: several screens.
LONGEST_SHOWN = 160
_LONG_RUN = re.compile(rf"\S{{{LONGEST_SHOWN + 1},}}")


def one_line(text: str) -> str:
    """``text`` (a title, a name from a file) with its controls and line breaks escaped, so a
    line that quotes it stays one line."""
    return text.translate(_UNSEEN_IN_A_LINE)


def shown(line: str) -> str:
    """``line`` as one line on any terminal: controls, line breaks and bidirectional
    overrides escaped (an argument or a title quoted back is the user's text), each overlong
    run cut in the middle and its length said: ``99999…99999 (5,000 characters)``."""

    def cut(match: re.Match[str]) -> str:
        run = match.group()
        after = run[-1] if run[-1] in ":;,." else ""  # the sentence's, after the length
        run = run[: len(run) - len(after)]
        opened = run[0] if run[0] in "'\"(" else ""  # the value's quotes, kept around it
        closed = run[-1] if run[-1] in "'\")" and len(run) > 1 else ""
        core = run[len(opened) : len(run) - len(closed)]
        cut = f"{opened}{core[:60]}…{core[-40:]}{closed}"
        return f"{cut} ({len(core):,} characters){after}"

    return _LONG_RUN.sub(cut, one_line(line))

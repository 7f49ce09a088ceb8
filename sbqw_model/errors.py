"""Typed errors for bad user input.

User mistakes must reach the command line as one clear line per problem (file, where, what was
expected) and never as a traceback, so every validator collects *all* problems before raising.
"""

from __future__ import annotations

import difflib
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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean `x`?)' suffix when a close spelling exists, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""

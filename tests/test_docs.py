"""What the Markdown tells a reader about the repository and the command line holds.

Every relative link resolves (to a heading, when it names one), every repository path it names
exists, every ``sbqw COMMAND`` it shows is a command, every ``--flag`` shown with a command is
one of that command's options, and every ``--flag`` anywhere is an option of some command (or
of the one other tool it belongs to). A renamed command, flag, module or file then fails here
instead of sending a reader to something that is not there.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from sbqw_model.cli import build_parser

#: The Markdown a reader meets (not ``.venv``, which CI creates inside the clone).
DOCS = sorted(
    [
        ROOT / "README.md",
        ROOT / "benchmarks" / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "sbqw_model").rglob("*.md"),
        *(ROOT / "tests").rglob("*.md"),
    ]
)
#: Top-level folders of the repository: a path starting with one is a path in it.
TOP = ("sbqw_model", "docs", "tests", "benchmarks", "examples", "observations", "tools", ".ci")
#: Folders of the package: a path starting with one is relative to ``sbqw_model/``.
PACKAGE = ("reporting", "research", "parameters", "catalogue", "policy", "data", "scenarios")
#: Flags of tools other than sbqw that the docs show, with where each is defined.
OTHER_FLAGS = {
    "--engine": "papermill (`papermill --engine sbqw`)",
    "--check": "ruff (`ruff format --check`)",
    "--quick": ROOT / "benchmarks" / "bench_research.py",
    "--text-dir": ROOT / "tools" / "build_font_subset.py",
}
SHELL_BLOCKS = {"bash", "console", "sh", "shell"}


def options() -> dict[str, set[str]]:
    """Each sbqw command's option strings, unlisted aliases (``--target-p``) included."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {s for action in command._actions for s in action.option_strings}
        for name, command in sub.choices.items()
    }


def fenced(text: str) -> Iterator[tuple[str, str]]:
    """(language, body) of each fenced block."""
    for m in re.finditer(r"^```([\w-]*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        yield m.group(1), m.group(2)


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    return re.sub(r"^```[\w-]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def spans(text: str) -> Iterator[re.Match[str]]:
    """Code spans of the prose (group 2); a span opened by n backticks ends at the next n."""
    return re.finditer(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", prose(text), re.DOTALL)


def inline_code(text: str) -> list[str]:
    return [m.group(2) for m in spans(text)]


def shown_code(text: str) -> list[str]:
    """Where the docs show a command: shell blocks, line by line, and inline code."""
    lines = [
        line for lang, body in fenced(text) if lang in SHELL_BLOCKS for line in body.split("\n")
    ]
    return lines + inline_code(text)


def commands(code: str) -> list[tuple[str, list[str]]]:
    """(command, flags given with it) of each ``sbqw COMMAND …`` in a piece of code; the flags
    end at a comment, a pipe, ``&&``, ``;``, a redirection or the next ``sbqw``."""
    out = []
    for m in re.finditer(r"(?<![\w-])sbqw\s+([a-z][a-z-]*)", code):
        rest = re.split(r"\s#|&&|\||;|>|(?<![\w-])sbqw\s", code[m.end() :])[0]
        out.append((m.group(1), re.findall(r"(?<![\w-])--[a-z][\w-]*", rest)))
    return out


def links(text: str) -> list[str]:
    """Targets of Markdown links that are neither web addresses nor mail."""
    found = re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", prose(text))
    return [t for t in found if not re.match(r"[a-z]+:", t)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#+\s+(.*?)\s*#*$", text, re.MULTILINE)}


def broken_links(doc: Path) -> list[str]:
    wrong = []
    for target in links(doc.read_text(encoding="utf-8")):
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            wrong.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            wrong.append(f"{target}: no such heading")
    return wrong


def named_paths(text: str) -> list[str]:
    """Repository paths the text names (``sbqw_model/…``, ``docs/…``), and package paths in
    code (``reporting/templates/report.css``); a former name (``x.py`` → ``y.py``) is left out."""
    top = "|".join(re.escape(t) for t in TOP)
    paths = re.findall(rf"(?<![\w./-])((?:{top})/[\w./*-]*[\w*])", text)
    package = "|".join(PACKAGE)
    rest = prose(text)
    for span in spans(text):
        if re.match(r"\s*→", rest[span.end() :]):
            continue  # a former name
        found = re.findall(rf"(?<![\w./-])((?:{package})/[\w./-]*\.[a-z]+)", span.group(2))
        paths += [f"sbqw_model/{p}" for p in found]
    return paths


def missing_paths(text: str) -> list[str]:
    return [
        p for p in named_paths(text) if not (any(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())
    ]


def wrong_flags(text: str, known: dict[str, set[str]]) -> list[str]:
    wrong = []
    for code in shown_code(text):
        for command, flags in commands(code):
            if command not in known:
                wrong.append(f"sbqw {command}: no such command")
            wrong += [
                f"sbqw {command} {f}: no such option"
                for f in flags
                if f not in known.get(command, ())
            ]
    return wrong


def stray_flags(text: str, known: dict[str, set[str]]) -> list[str]:
    every = set().union(*known.values()) | set(OTHER_FLAGS)
    return sorted(set(re.findall(r"(?<![\w-])--[a-z][\w-]*", text)) - every)


# ------------------------------------------------------------------- the checks, on samples

SAMPLE = """# Title

## Costing a ledger

See [the model](docs/model.md#no-such-heading), [this](#costing-a-ledger) and
[gone](docs/gone.md); `sbqw_model/no_such.py` and `reporting/nowhere.css` do not exist,
`reporting/plan.py` → `reporting/batch.py` is a rename.

```bash
sbqw cost --sales s.csv --no-such-flag   # a comment --ignored
sbqw simulat baseline
```

```
sbqw commands      (a diagram, not a shell block)
```

Run `sbqw frontier OUT --min-probability 0.9` or ``sbqw report --compare``; `--bogus` too.
"""


def test_the_checks_find_what_is_broken_in_a_sample(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "model.md").write_text("# The model\n", encoding="utf-8")
    doc = tmp_path / "README.md"
    doc.write_text(SAMPLE, encoding="utf-8")
    known = options()
    assert broken_links(doc) == [
        "docs/model.md#no-such-heading: no such heading",
        "docs/gone.md: no such file",
    ]
    assert missing_paths(SAMPLE) == [
        "docs/gone.md",
        "sbqw_model/no_such.py",
        "sbqw_model/reporting/nowhere.css",
    ]
    assert wrong_flags(SAMPLE, known) == [
        "sbqw cost --no-such-flag: no such option",
        "sbqw simulat: no such command",
    ]
    assert stray_flags(SAMPLE, known) == ["--bogus", "--ignored", "--no-such-flag"]


def test_heading_anchors_follow_github() -> None:
    assert slug("Recognition as decisions") == "recognition-as-decisions"
    assert slug("2a. Observations: conditioning by likelihood weighting (`conditioning.py`)") == (
        "2a-observations-conditioning-by-likelihood-weighting-conditioningpy"
    )
    assert slug("What a leader reads first") == "what-a-leader-reads-first"


# ------------------------------------------------------------------- the checks, on the docs


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    assert broken_links(doc) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_named_exists(doc: Path) -> None:
    assert missing_paths(doc.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_and_its_flags_exist(doc: Path) -> None:
    assert wrong_flags(doc.read_text(encoding="utf-8"), options()) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flag_named_is_an_option(doc: Path) -> None:
    assert stray_flags(doc.read_text(encoding="utf-8"), options()) == []


def test_the_other_tools_flags_are_theirs() -> None:
    """A flag of a script in the repository is still that script's."""
    for flag, where in OTHER_FLAGS.items():
        if isinstance(where, Path):
            assert f'"{flag}"' in where.read_text(encoding="utf-8"), (flag, where)


def test_the_docs_show_every_command() -> None:
    """Each command is named somewhere in the README or docs/, so a reader can find it."""
    text = "".join(
        p.read_text(encoding="utf-8") for p in DOCS if p.parent.name == "docs" or p.parent == ROOT
    )
    shown = {command for code in shown_code(text) for command, _ in commands(code)}
    assert set(options()) - shown == set()

"""HTML lives in Jinja templates with autoescape, never in Python strings (issue 11, item 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from source_scan import strings_outside_docstrings

import sbqw_model
from sbqw_model.reporting.fragments import environment, render

PACKAGE = Path(sbqw_model.__file__).resolve().parent
TAG = re.compile(r"<(?:div|p|table|tr|td|th|span|h[1-6]|li|ul|ol|b|em|strong|code|small|hr|br)\b")
#: Strings that look like a tag but are not markup, each with its reason.
ALLOWED = {
    ("reporting/fragments.py", "<table>"): "text/plain stand-in shown by a text front end",
    (
        "reporting/html.py",
        '<div class="(?=(?:[^"]*\\s)?(?:jp-OutputArea-output|jp-Cell-inputWrapper)[\\s"])[^"]*"',
    ): ("a pattern that finds nbconvert's output divs to add keyboard focus, not markup built"),
}


def test_no_html_tags_in_python_strings() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        found += [
            f"{rel}:{line}: {text[:50]!r}"
            for line, text in strings_outside_docstrings(path)
            if TAG.search(text) and (rel, text) not in ALLOWED
        ]
    assert not found, "HTML built in Python (move it to a template):\n" + "\n".join(found)


@pytest.mark.parametrize("text", ["<p>x", "a <h2 class='x'>", "<li>", "<b>bold</b>", "<td>"])
def test_the_check_sees_tags(text: str) -> None:
    assert TAG.search(text)


@pytest.mark.parametrize("text", ["a < b", "<chart>", "x<=y", "<scenario>", "<path>"])
def test_the_check_ignores_what_is_not_markup(text: str) -> None:
    assert not TAG.search(text)


def test_every_fragment_template_escapes() -> None:
    """A hostile value passed to any fragment shows as text (autoescape on for all of them)."""
    assert environment().autoescape is True
    hostile = "<script>alert(1)</script>"
    html = render(
        "frontier.html.j2",
        title=hostile,
        intro=hostile,
        groups=[{"heading": hostile, "table": "", "answer": hostile, "note": hostile}],
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    for name in ("research_header.html.j2", "explorer_header.html.j2"):
        html = render(
            name,
            title=hostile,
            method=hostile,
            n=1,
            evaluations=hostile,
            per_point=hostile,
            intro=hostile,
            other=hostile,
        )
        assert "<script>" not in html, name

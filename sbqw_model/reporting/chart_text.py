"""Chart text: user text shown literally, and broken into lines as a reader expects.

Kept apart from the charts: what a label says and where its lines break, not how it is drawn.
Chinese breaks follow a typesetter's rules (避头尾): a number or Latin word is one piece, no
line starts with a closing mark (one may hang past the end) or ends with an opening one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from matplotlib.ticker import Formatter


def wrapped(text: object, lang: str, width: int = 0, most: int = 3) -> str:
    """``plain`` text broken into lines that fit a legend or a tick label: ~14 characters of
    Chinese (each as wide as two Latin letters), ~28 of English; existing line breaks kept.
    At most ``most`` lines, the last cut with "…": a long scenario title would otherwise run
    into its neighbours' labels."""
    import textwrap

    width = width or (14 if lang == "zh" else 28)
    lines = []
    for line in str(text).split("\n"):  # broken first, then escaped: never inside "\$"
        lines += _zh_broken(line, width) if lang == "zh" else textwrap.wrap(line, width) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1][: max(width - 1, 1)] + "…"]
    return "\n".join(plain(line) for line in lines)


#: What may not start a line of Chinese (closing marks, trailing punctuation) and what may not
#: end one (opening marks): the rules a Chinese typesetter follows (避头尾).
_CLOSING = "）)」』】〕》”’%，。、；：！？…"
_OPENING = "（(「『【〔《“‘"
#: A number or a Latin word (``60%``, ``1,000``, ``GMV``) is one piece: never "6" / "0%".
_PIECE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%]*|.", re.S)


def _zh_broken(line: str, width: int) -> list[str]:
    """``_zh_lines`` at joints where that takes no more lines than breaking by length alone
    (a line moved back to its joint can push a word onto a line of its own, or past the cut)."""
    at_joints = _zh_lines(line, width)
    by_length = _zh_lines(line, width, joints=False)
    return at_joints if len(at_joints) <= len(by_length) else by_length


def _zh_lines(line: str, width: int, joints: bool = True) -> list[str]:
    """One line of Chinese in lines of at most ``width`` hanzi (a Latin letter or digit is
    half one): broken between characters, never inside a number or word, never before a
    closing mark or after an opening one, and never leaving one character alone at the end."""
    lines: list[str] = []
    current, used = "", 0.0
    for piece in _pieces(line, width):
        size = _size(piece)
        hangs = piece[0] in _CLOSING and used <= width  # one closing mark may hang, no more
        if current and used + size > width and not hangs:
            carried = len(current) - len(current.rstrip(_OPENING))
            if carried == len(current):  # nothing but opening marks: broken all the same
                carried = 0
            head, current = current[: len(current) - carried], current[len(current) - carried :]
            if joints:
                head, current = _at_a_joint(head, current, width - size)
            if head.strip():
                lines.append(head.rstrip())
            used = _size(current)
            if not current and piece.isspace():  # a space never starts a line
                continue
        current += piece
        used += size
    lines.append(current)
    if len(lines) > 1 and _dangling(lines[-1]):  # no line of a lone "额" or "）"
        lines[-2:] = [lines[-2] + lines[-1]]
    return lines


#: Where a short label reads best broken, after the break: a joining word or a pause
#: ("企业及 / 团队合计", not "企业及团 / 队合计"), unless the joining word starts a word itself.
_JOINTS = "及和与或、，；："
_WORDS = ("及时", "及格", "及早", "和平", "和谐", "与其", "与否", "与会", "或许", "或者")


def _at_a_joint(head: str, carried: str, room: float) -> tuple[str, str]:
    """A line about to close moved back to its last joint (``_JOINTS``) when that leaves at
    most two hanzi to carry and they fit, with the piece that broke the line, in ``room``:
    between words rather than inside one (``_zh_broken`` keeps it only where the label takes
    no more lines for it)."""
    for k in range(len(head) - 2, max(len(head) - 4, 0), -1):
        tail = head[k + 1 :]
        if head[k] in _JOINTS and head[k : k + 2] not in _WORDS and tail.strip():
            if not tail.isascii() and _size(carried + tail) <= room:
                return head[: k + 1], tail + carried
            break
    return head, carried


def _pieces(line: str, width: int) -> list[str]:
    """The line's unbreakable pieces; one wider than a whole line is cut to fit."""
    out = []
    for piece in _PIECE.findall(line):
        step = max(int(width / _size(piece[0])), 1)
        out += [piece[i : i + step] for i in range(0, len(piece), step)]
    return out


def _size(text: str) -> float:
    """Width in hanzi: ASCII is half as wide."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def _dangling(tail: str) -> bool:
    """A last line too thin to stand alone: one character, or closing marks only. Two
    characters ("企业") stand: merged back, a six-character target ran into its neighbour's."""
    return len(tail) <= 1 or (len(tail) <= 2 and all(ch in _CLOSING for ch in tail))


def plain(text: object) -> str:
    """User text (scenario names, titles, factor labels) shown literally in a chart.

    matplotlib reads text between two ``$`` as mathtext, so a title like ``$x^2$`` would be
    typeset and ``$\\foo$`` would fail the whole report; a legend also drops entries whose label
    starts with ``_``. Every label that can hold user text goes through here.
    """
    shown = str(text).replace("$", r"\$")
    return f" {shown}" if shown.startswith("_") else shown


class Grouped(Formatter):
    """Tick numbers as the tables write them: thousands separators (4,000 万元, not 4000), and
    the fewest decimals that show every tick exactly (0.5 … 2 under 2 万元, not 0, 0, 1, 2).
    Every money axis in 万元 (report and research charts) uses it, so none reads otherwise."""

    def __init__(self) -> None:
        self.ticks: tuple[float, ...] = ()

    def set_locs(self, locs: Sequence[float]) -> None:
        self.ticks = tuple(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return grouped(x, self.ticks)


def grouped(value: float, ticks: Sequence[float] = ()) -> str:
    """``value`` with thousands separators and the decimals its axis's ``ticks`` need."""
    places = next(
        (
            p
            for p in range(4)
            if all(abs(round(v, p) - v) <= 1e-9 * max(1.0, abs(v)) for v in ticks)
        ),
        3,
    )
    text = f"{value:,.{places}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0"

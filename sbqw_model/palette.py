"""The project's colours, written once: charts, instruments and report statuses use these names.

Kept in the model room (no matplotlib) so the instrument registry can name its colour without
importing reporting.
"""

from __future__ import annotations

DEEP_BLUE = "#1f5f8b"
MID_BLUE = "#4c9bd1"
PALE_BLUE = "#9cc9ea"
OCHRE = "#d98b2b"
SAND = "#f2c27b"
BRICK = "#b0413e"
OLIVE = "#6a8d3a"
#: Marks drawn over coloured series (a range's whisker over stacked bars).
INK = "#333333"

#: Traffic-light statuses of a target in the leader's table (``reporting.leader``).
ON_COURSE = "#2e7d32"
AT_RISK = "#f9a825"
CLOSE = "#ef6c00"
UNLIKELY = "#c62828"

#: The series colours in order (charts cycle through them).
SERIES: tuple[str, ...] = (DEEP_BLUE, MID_BLUE, PALE_BLUE, OCHRE, SAND, BRICK, OLIVE)

"""Limits that keep a small or careless input from exhausting the machine, in one place.

Each limit is a guard against hostile or mistaken input, not a rule of the plan (those live in
``parameters/plan.yaml``). Every refusal is one line naming the file or option, the setting and
a value that would work. docs/safety.md lists them for users.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from sbqw_model.errors import InputError

MAX_YAML_BYTES = 1 << 20  # 1 MiB: the largest shipped scenario is ~10 KiB
MAX_YAML_NODES = 100_000  # values after expanding every alias (baseline: ~500)
MAX_YAML_DEPTH = 32  # nesting levels (a scenario needs ~6)
#: Characters of one number in YAML: a float has 17 significant digits and an exponent; an
#: integer of 310 to 1 000 digits is read and refused with its key path (beyond any float), one
#: longer is refused where it is written: Python refuses to read an integer of more than 4 300
#: digits at all (``sys.get_int_max_str_digits``), which was a traceback.
MAX_YAML_NUMBER_CHARS = 1000
MAX_EXTENDS = 8  # files in one ``extends:`` chain
MAX_TABLE_BYTES = 64 << 20  # 64 MiB for a CSV/xlsx ledger or observations file (~500k rows)
#: A sweep's results table read back by ``frontier``/``discover``: the largest sweep (10**6
#: points, ~70 columns) is ~0.7 GB as CSV; twice that, and no file of any size is read whole.
MAX_RESULTS_BYTES = 2 << 30
MAX_XLSX_UNPACKED = 512 << 20  # an xlsx is a zip: what it unpacks to (a zip bomb is tiny)
#: Rows and columns of a table, counted as it is read (blank rows skipped, never stored): a
#: small file can still stand for millions of rows (blank lines, a sheet's declared size), and
#: each row read costs ~5 KB on its way to a frame. Guizhou has ~10⁴ firms: 400k firm-years is
#: far beyond any real ledger and stays under ~2 GiB.
MAX_TABLE_ROWS = 400_000
MAX_TABLE_LINES = 2 * MAX_TABLE_ROWS  # lines of a CSV file, blank ones too (each costs time)
MAX_TABLE_COLUMNS = 100  # a ledger has ~10; cells beyond are notes (xlsx) or an error (CSV)

#: Sane maxima for numbers in scenario, parameter and ledger files: far above anything real
#: (Guizhou's online retail is ~1e11 yuan, China's GDP ~1.2e14), far below float overflow.
MAX_YUAN = 1e15
#: The least a province's yearly online retail can be, in yuan (1 亿元; Guizhou's is hundreds of
#: 亿): an observed figure below it was typed in 亿元 or 万元 (650 for 650 亿), and read as yuan
#: it would pin or condition the worlds on a province with almost no online trade.
MIN_RETAIL_YUAN = 1e8  # not a rule amount: a unit of statistics (1 亿元), not the 1 亿 threshold
MAX_COUNT = 1e9  # not a rule amount
MAX_SPREAD = 2.0  # sd of yearly growth or log-sd of firm growth; 2 = ±200 percentage points
#: Years a plan may start and end in (``plan.first_year``, ``plan.target_year``), a typo guard:
#: the notice runs 2023–2025 and the shipped statistics start in 2016; 0, 1900 or 20250 are slips
#: (1900 made a 126-year plan that only the memory check refused). The top leaves room to stretch
#: a reform far out (docs/safety.md: a period to 2200 overflows and is refused after the run).
PLAN_YEARS = (2000, 2200)

DEFAULT_MEMORY = 4 << 30  # bytes a run may plan to use, unless SBQW_MEMORY_LIMIT says otherwise
MEMORY_ENV = "SBQW_MEMORY_LIMIT"

#: Bytes a simulated world keeps until the summary (targets, outlay by year, instrument and
#: prefecture, two trajectories) and the copies summaries make; measured ~300, rounded up.
BYTES_PER_DRAW = 1_000
#: Bytes a firm costs while its block of worlds is drawn and costed: per firm (owner, size,
#: flags, prefecture, the base year's retail and sales) and per firm and plan year (retail,
#: sales, shocks, subsidy). Measured with tracemalloc: 123–142 bytes a firm over 3 years for
#: one block; the chunk's copies on top. The base year's two figures (milestone_pre_plan_tiers)
#: added 16 bytes a firm held (8 at the block's peak, which reuses the size's array).
BYTES_PER_FIRM = 56
BYTES_PER_FIRM_YEAR = 50
#: Bytes a recognized unit costs while its block of worlds is drawn and costed (its sales
#: draws, tiers and payments), like a firm. Measured with peak RSS, one block of 500 worlds:
#: ~100 bytes a unit (60 000 units from the supply; 20 000 pinned by an observation).
BYTES_PER_UNIT = 100

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def gib(n: float) -> str:
    """Bytes as readable MiB/GiB/TiB text."""
    if n >= 1 << 40:
        return f"{n / (1 << 40):,.1f} TiB"
    if n >= 1 << 30:
        return f"{n / (1 << 30):,.1f} GiB"
    return f"{n / (1 << 20):,.0f} MiB"


def memory_limit() -> int:
    """The memory a run may plan for: SBQW_MEMORY_LIMIT (e.g. ``16G``) or 4 GiB, ≤ the RAM."""
    text = os.environ.get(MEMORY_ENV, "").strip().lower()
    limit = DEFAULT_MEMORY
    if text:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", text)
        if not match:
            raise InputError(
                [f"{MEMORY_ENV}={text!r}: expected a size such as 8G or 512M (bytes: 8589934592)"]
            )
        limit = int(float(match.group(1)) * _UNITS[match.group(2)])
    return min(limit, _physical_memory()) if text == "" else limit


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: trust the default
        return DEFAULT_MEMORY


def cap_jobs(jobs: int, tasks: int) -> int:
    """Parallel jobs never exceed the tasks to run or the CPUs there are (at least 1)."""
    return max(1, min(jobs, tasks, os.cpu_count() or 1))


def check_table_file(path: Path) -> None:
    """A ledger or observations table must be a regular file under ``MAX_TABLE_BYTES``
    (``stat`` never blocks, so a pipe or ``/dev/zero`` is refused before it is opened), and a
    workbook's parts must unpack within theirs."""
    check_input_file(path, "a .csv, .tsv or .xlsx file", MAX_TABLE_BYTES)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_unpacked(path)


def _check_unpacked(path: Path) -> None:
    """An xlsx whose parts unpack beyond ``MAX_XLSX_UNPACKED`` in all, or one part beyond its own
    limit (below), is refused before openpyxl opens it (the sizes are read from the zip
    directory; a broken zip is left to the reader's error)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            parts = [(item.filename, item.file_size) for item in book.infolist()]
    except (zipfile.BadZipFile, OSError):
        return
    unpacked = sum(size for _, size in parts)
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputError(
            [
                f"{path}: the workbook unpacks to {unpacked:,} bytes, more than the"
                f" {MAX_XLSX_UNPACKED >> 20} MiB a table may have"
            ]
        )
    for part, size in parts:
        name = part.lower()
        limit = (
            MAX_XLSX_SHARED_STRINGS
            if name.endswith("sharedstrings.xml")
            else MAX_XLSX_SHEET_PART
            if name.startswith("xl/worksheets/")
            else None
        )
        if limit is not None and size > limit:
            raise InputError(
                [
                    f"{path}: the workbook's {part} unpacks to {size:,} bytes, more than the"
                    f" {limit >> 20} MiB a table may have; save it as CSV or split the table"
                ]
            )


#: Unpacked bytes of one xlsx part, checked from the zip directory before openpyxl opens it.
#: openpyxl holds every shared string in memory (~9 bytes of RSS per byte of
#: ``xl/sharedStrings.xml``, measured: 100 MiB of short strings took 0.9 GB and 76 s), so a
#: workbook within ``MAX_XLSX_UNPACKED`` could still take GBs. A ledger of 400 000 distinct
#: unit ids needs ~12 MiB of shared strings. A sheet part is streamed, but parsing costs
#: ~0.7 s a MiB (60 MiB of blank rows: 40 s); 400 000 rows × 10 cells is ~160 MiB of XML.
MAX_XLSX_SHARED_STRINGS = 32 << 20
MAX_XLSX_SHEET_PART = 256 << 20
#: Characters of one table cell: the longest real cell, an observation's source citation, is
#: ~150 characters, unit ids ~20; Excel holds at most 32 767 and silently cuts longer text in
#: the workbooks we write (a 40 000-character id was written cut, with a warning).
MAX_TABLE_CELL_CHARS = 1_000

#: Bytes of an executed report notebook the comparison reads a summary from (``summaries``):
#: the shipped report with its charts is ~0.3 MiB; the whole file is read and parsed as JSON.
MAX_SUMMARY_NOTEBOOK_BYTES = 64 << 20
#: Bytes the budget explorer takes per firm a world is expected to hold (``memory.mean_firms``):
#: it keeps every drawn world to re-cost it, where a report keeps a few numbers a world, so its
#: memory follows the mean number of firms, not the largest a world may hold. Measured peak RSS
#: while the chunks are joined, baseline at 20 000 draws (about 100 firms a world): 28.5 KB a
#: world with the count not scaled by the level, 29.1 KB with it (103 firms a world), i.e.
#: ~273 bytes a firm above ``BYTES_PER_DRAW``; 10 % more for safety. (Priced per firm of the
#: largest count before, 131 bytes, it read high by a third once that count grew with the
#: level's top over firms.reference_level while the mean hardly moved.)
EXPLORER_BYTES_PER_FIRM = 300


def check_input_file(path: Path, expected: str, limit: int) -> None:
    """A file named by a parameter must be a regular file of at most ``limit`` bytes, checked
    with ``stat`` (which never blocks) before it is opened: a pipe would hang the reader,
    ``/dev/zero`` fill memory. ``expected`` says what it should be ("a .ipynb notebook")."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError([f"{path}: cannot read the file ({exc.strerror})"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([f"{path}: is a folder, expected {expected}"])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([f"{path}: not a regular file (a device or pipe), expected {expected}"])
    if info.st_size > limit:
        raise InputError(
            [f"{path}: {info.st_size:,} bytes, more than the {limit >> 20} MiB {expected} may have"]
        )

"""The report folder's memory: every report rendered into it, when, and from which scenario file.

Rendering into a folder that holds earlier reports keeps them: ``reports.json`` (small, JSON,
written atomically) records each report by name, and ``index.html`` lists them all. A report
that fails this time replaces its earlier entry as *failed* (its stale HTML/Excel/PDF removed),
so an outdated page is never listed as current; an entry whose page was deleted by hand is
dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sbqw_model.fileio import write_text_atomic
from sbqw_model.limits import MAX_TABLE_BYTES, MAX_YAML_BYTES

MANIFEST = "reports.json"
OUTDATED_CLASS = "sbqw-outdated"
VERSION = 1
STALE_SUFFIXES = ("html", "pdf", "xlsx", "ipynb")
#: The folder's own pages, by the language each is written in (``index.write_index``): Chinese
#: first, so ``index.html`` is the leader's page whatever language ran last. No report takes
#: one of these names (``batch.RESERVED``).
INDEXES = {"zh": "index", "en": "index-en"}
#: The numbers of a scenario's entry (``index.figures``), each a finite number.
FIGURES = {"p_all_met", "p_online_retail", "central", "high", "payout_share"}


@dataclass
class Entry:
    """One report of the folder, as the index shows it."""

    name: str
    title: str
    kind: str  # scenario | compare | sensitivity | invalid
    sources: list[str]  # the scenario file(s) it was made from
    made: str  # ISO time (UTC) it was rendered
    ok: bool
    files: list[str] = field(default_factory=list)  # names in the folder
    headline: list[str] = field(default_factory=list)  # index cells, as first written
    #: the numbers behind them (``index.figures``): an index in the other language says them
    #: in its own words, not in those of the run that wrote the entry
    figures: dict[str, float] = field(default_factory=dict)
    compared: list[str] = field(default_factory=list)  # scenario titles (comparison)
    error: str = ""
    cell: int | None = None
    lang: str = "zh"
    digests: list[str] = field(default_factory=list)  # sha256 of each source when rendered
    #: and of each source's ``extends`` chain (``scenario.chain_digest``): a base edited since
    #: changes the scenario too (empty in an entry written before these were kept)
    chains: list[str] = field(default_factory=list)
    outdated: bool = False  # a source changed (or no longer exists) since
    #: the ``--observed`` file a scenario's report was conditioned on, and its sha256: its
    #: figures move every number, so the index names it and a change to it outdates the report
    observed: str = ""
    observed_digest: str = ""

    @property
    def made_local(self) -> str:
        """The time shown: minutes, in UTC, said so."""
        try:
            return dt.datetime.fromisoformat(self.made).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            return self.made


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load(out_dir: Path) -> list[Entry]:
    """Earlier entries; an unreadable or foreign manifest counts as none (the index is rebuilt),
    and so does any entry that is not what this module writes (``_checked``)."""
    path = out_dir / MANIFEST
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return []
        raw = json.loads(path.read_text(encoding="utf-8"))
        reports = raw["reports"] if isinstance(raw, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not isinstance(reports, list):
        return []
    return [e for e in map(_checked, reports) if e is not None]


@functools.cache
def _entry_adapter() -> Any:
    """pydantic's validator for ``Entry``, built once (building it is the costly part)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Entry)


def _checked(raw: Any) -> Entry | None:
    """An entry as written here, or None: every field of its type (pydantic), its name
    a safe file name (stale files are deleted by it) and its files plain report files of that
    name in the folder (the index links them), its time a time, its language one of ours.
    A report named as an index is none: a folder rendered before ``index-en`` was reserved may
    list one, whose page the English index has since replaced."""
    from pydantic import ValidationError

    from sbqw_model.catalogue import LANGS
    from sbqw_model.outputs import safe_name

    if not isinstance(raw, dict):
        return None
    known = {k: v for k, v in raw.items() if k in Entry.__dataclass_fields__}
    try:
        entry = _entry_adapter().validate_python(known)
        dt.datetime.fromisoformat(entry.made)
    except (ValidationError, ValueError, TypeError):
        return None
    if entry.figures and (
        set(entry.figures) != FIGURES or not all(map(math.isfinite, entry.figures.values()))
    ):
        return None
    allowed = {f"{entry.name}.{s}" for s in (*STALE_SUFFIXES, "failed.ipynb")}
    if safe_name(entry.name) != entry.name or not set(entry.files) <= allowed:
        return None
    if entry.lang not in LANGS or entry.name.casefold() in INDEXES.values():
        return None
    return entry


def _present(entry: Entry, out_dir: Path) -> bool:
    """A successful entry needs its page still there; a failed one stays to be seen."""
    return not entry.ok or (out_dir / f"{entry.name}.html").is_file()


def merge(earlier: Sequence[Entry], current: Sequence[Entry], out_dir: Path) -> list[Entry]:
    """Earlier entries (in their order) replaced by this run's of the same name, new ones after;
    each listing the files still there. A notebook or workbook deleted by hand (a notebook is
    the largest file) dropped the whole entry, its page still in the folder but listed no more."""
    by_name = {e.name: e for e in current}
    merged = [by_name.pop(e.name, e) for e in earlier]
    merged += [e for e in current if e.name in by_name]
    kept = [e for e in merged if _present(e, out_dir)]
    for e in kept:
        e.files = [f for f in e.files if (out_dir / f).is_file()]
    return kept


def remove_stale(entry: Entry, out_dir: Path) -> None:
    """A report that now fails leaves no page, workbook or notebook that looks current."""
    for suffix in STALE_SUFFIXES:
        (out_dir / f"{entry.name}.{suffix}").unlink(missing_ok=True)


def save(entries: Sequence[Entry], out_dir: Path) -> Path:
    path = out_dir / MANIFEST
    data = {"version": VERSION, "reports": [asdict(e) for e in entries]}
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return path


def digest(source: str, limit: int = MAX_YAML_BYTES) -> str:
    """The scenario (or observations) file's content hash ('' when it cannot be read as a
    regular file of at most ``limit`` bytes)."""
    path = Path(source)
    try:
        if path.is_file() and path.stat().st_size <= limit:
            return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        pass
    return ""


def observed_digest(observed: str) -> str:
    """The ``--observed`` file's hash ('' for none): an observations table, up to its limit."""
    return digest(observed, MAX_TABLE_BYTES) if observed else ""


def chains(sources: Sequence[str]) -> list[str]:
    """``scenario.chain_digest`` of each source."""
    from sbqw_model.scenario import chain_digest

    return [chain_digest(s) for s in sources]


def mark_outdated(entries: Sequence[Entry], current: Sequence[Entry], out_dir: Path) -> None:
    """An earlier report whose scenario file has changed (or gone, or become invalid) since it
    was made is marked outdated, so the index never lists it as current; and so is its page,
    opened from a bookmark or a link without the index (``_mark_page``). A file it extends
    counts: a copy made by ``sbqw new-scenario`` is its base's levers but for its own."""
    fresh = {e.name for e in current}
    for entry in entries:
        if entry.name in fresh or not entry.ok or not entry.digests or entry.outdated:
            continue
        entry.outdated = (
            [digest(s) for s in entry.sources] != entry.digests
            or bool(entry.chains and chains(entry.sources) != entry.chains)
            or observed_digest(entry.observed) != entry.observed_digest
        )
        if entry.outdated:
            _mark_page(out_dir / f"{entry.name}.html", entry.lang)


_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def _mark_page(page: Path, lang: str) -> None:
    """A banner at the top of an outdated report's page (written whole, atomically); a page
    that is missing or not one of ours (no ``<body>``) is left as it is."""
    from sbqw_model import palette
    from sbqw_model.catalogue import label
    from sbqw_model.reporting.fragments import render

    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return
    found = _BODY.search(text)
    if found is None or OUTDATED_CLASS in text:
        return
    banner = str(  # plain text from here: Markup + str would escape the whole page
        render(
            "outdated_banner.html.j2",
            css_class=OUTDATED_CLASS,
            colour=palette.UNLIKELY,
            text=label("report.outdated_page", lang),
        )
    ).strip()
    with contextlib.suppress(OSError):  # the index says it anyway
        write_text_atomic(page, text[: found.end()] + banner + text[found.end() :])


def record(current: Sequence[Entry], out_dir: Path) -> list[Entry]:
    """Merge this run into the folder's manifest (stale files of failures removed); all entries."""
    for entry in current:
        if not entry.ok:
            remove_stale(entry, out_dir)
    entries = merge(load(out_dir), current, out_dir)
    mark_outdated(entries, current, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save(entries, out_dir)
    return entries


def entry_of(
    outcome: Any, headline: list[str], made: str, figures: dict[str, float] | None = None
) -> Entry:
    """An index entry for one outcome of this run (``runner.Outcome``)."""
    job, payload = outcome.job, outcome.payload or {}
    parameters = job.parameters
    if "scenario_files" in parameters:
        sources, kind = [str(s) for s in parameters["scenario_files"]], "compare"
    elif job.notebook == "sensitivity.ipynb":
        sources, kind = [str(parameters.get("scenario_file", ""))], "sensitivity"
    elif job.notebook:
        sources, kind = [str(parameters.get("scenario_file", ""))], "scenario"
    else:  # an invalid scenario file: its path is the job's title
        sources, kind = [job.title], "invalid"
    observed = str((parameters.get("conditioning") or {}).get("observed") or "")
    return Entry(
        name=job.name,
        title=job.title,
        kind=kind,
        sources=sources,
        made=made,
        ok=outcome.ok,
        files=[Path(f).name for f in outcome.files],
        headline=headline,
        figures=dict(figures or {}),
        compared=list(payload.get("scenarios", [])),
        error=outcome.error,
        cell=outcome.cell,
        lang=job.lang,
        digests=[digest(s) for s in sources],
        chains=chains(sources),
        observed=observed,
        observed_digest=observed_digest(observed),
    )


__all__ = ["INDEXES", "MANIFEST", "Entry", "entry_of", "load", "merge", "record", "remove_stale"]

"""Rendering reports: papermill runs each notebook, nbconvert makes the page, all atomically.

One module for the whole job (as papermill keeps execution in one room): plan the jobs, run them
in parallel processes, retry the kernel start-up races papermill users hit, keep a failed
notebook for debugging while leaving no HTML or PDF that looks valid, and write an index.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sbqw_model.fileio import write_text_atomic

NOTEBOOK_DIR_ENV = "SBQW_NOTEBOOK_DIR"
KERNEL = "python3"
START_ATTEMPTS = 3
CELL_TIMEOUT = 900  # seconds one cell may run before the report counts as failed (a hang)


def notebook_dir() -> Path:
    """The shipped notebooks: the project's notebooks/ (or $SBQW_NOTEBOOK_DIR)."""
    if os.environ.get(NOTEBOOK_DIR_ENV):
        return Path(os.environ[NOTEBOOK_DIR_ENV])
    for candidate in (Path(__file__).resolve().parents[2] / "notebooks", Path.cwd() / "notebooks"):
        if (candidate / "scenario_report.ipynb").is_file():
            return candidate
    raise FileNotFoundError(
        "the report notebooks were not found: run from the project folder, install it with"
        f" `pip install -e .`, or set {NOTEBOOK_DIR_ENV}"
    )


def safe_name(name: str) -> str:
    """A file-name-safe form of a scenario name: no separators, no dots at the start."""
    cleaned = re.sub(r"[^\w\-.]+", "_", name, flags=re.UNICODE).strip("._")
    return cleaned[:80] or "scenario"


@dataclass
class Job:
    """One notebook to run into ``out_dir/<name>.*``."""

    name: str
    title: str
    notebook: str  # file name in notebook_dir()
    parameters: dict[str, Any]
    out_dir: Path
    pdf: bool = False
    lang: str = "zh"


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None
    files: list[Path] = field(default_factory=list)
    payload: dict[str, Any] | None = None


def _is_startup_failure(exc: BaseException) -> bool:
    """Kernel start-up races (ports, connection files, slow first start), worth one more try."""
    if type(exc).__name__ == "CellTimeoutError":  # a cell that hangs: do not run it again
        return False
    text = f"{type(exc).__name__}: {exc}"
    return any(
        marker in text
        for marker in (
            "Address already in use",
            "Kernel died before replying",
            "Kernel didn't respond",
            "DeadKernelError",
            "ZMQError",
            "TimeoutError",
            "kernel_info",
        )
    )


def run_job(job: Job) -> Outcome:
    """Execute one notebook and render it; never raises for a notebook's own failure."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    job.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".sbqw-{job.name}-", dir=job.out_dir))
    executed = work / f"{job.name}.ipynb"
    try:
        source = _with_reset_cell(notebook_dir() / job.notebook)
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                pm.execute_notebook(
                    source,
                    str(executed),
                    parameters=job.parameters,
                    kernel_name=KERNEL,
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=CELL_TIMEOUT,
                    km=WarmKernel.get(),
                )
                break
            except PapermillExecutionError as exc:
                return _failed(job, start, executed, exc)
            except Exception as exc:  # kernel start-up and transport failures
                WarmKernel.discard()
                if attempt < START_ATTEMPTS and _is_startup_failure(exc):
                    time.sleep(0.5 + random.random())
                    continue
                return _failed(job, start, executed, exc)
        return _render(job, start, executed)
    finally:
        shutil.rmtree(work, ignore_errors=True)


RESET_TAG = "sbqw-reset"


def _with_reset_cell(path: Path) -> Any:
    """The notebook with a first, hidden cell that clears the reused kernel's namespace."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell("%reset -f")
    cell.metadata["tags"] = ["remove_cell", RESET_TAG]
    nb.cells.insert(0, cell)
    return nb


def _without_reset_cell(path: Path) -> None:
    """Drop the reset cell again, so the kept notebook is the shipped one, executed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.metadata.get("tags", [])]
    nbformat.write(nb, path)


class WarmKernel:
    """One kernel per process, reused from report to report.

    A report's kernel spends more time starting and importing numpy, matplotlib and the
    package than computing; reusing it (its namespace reset by the notebook's first cell) makes
    every report after the first about a second cheaper. A kernel that died, or a failure of
    the kernel itself, is discarded and the next report starts a fresh one.
    """

    km: Any = None
    cwd: str | None = None

    @classmethod
    def get(cls) -> Any:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        cwd = str(Path.cwd())
        if cls.km is not None and (cls.cwd != cwd or not run_sync(cls.km.is_alive)()):
            cls.discard()
        if cls.km is None:
            km = AsyncKernelManager(kernel_name=KERNEL)
            run_sync(km.start_kernel)(cwd=cwd)
            cls.km, cls.cwd = km, cwd
            if not cls._finalizer_registered:
                import atexit
                from multiprocessing import util

                atexit.register(cls.discard)  # this process
                util.Finalize(cls, cls.discard, exitpriority=10)  # pool workers skip atexit
                cls._finalizer_registered = True
        return cls.km

    _finalizer_registered = False

    @classmethod
    def discard(cls) -> None:
        """Shut the kernel down now (no graceful wait: every output is already in)."""
        km, cls.km = cls.km, None
        if km is None:
            return
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):  # already gone
            run_sync(km.shutdown_kernel)(now=True)

    @classmethod
    def forget(cls) -> None:
        """In a forked worker: the parent's kernel is not ours to use or to shut down."""
        cls.km, cls.cwd, cls._finalizer_registered = None, None, False


def _stale(job: Job) -> list[Path]:
    return [job.out_dir / f"{job.name}.{ext}" for ext in ("html", "pdf", "xlsx")]


def _failed(job: Job, start: float, executed: Path, exc: BaseException) -> Outcome:
    """Keep the executed notebook for debugging; remove anything that would look valid."""
    for path in _stale(job):
        path.unlink(missing_ok=True)
    files = []
    if executed.exists():
        _without_reset_cell(executed)
        kept = job.out_dir / f"{job.name}.failed.ipynb"
        os.replace(executed, kept)
        files.append(kept)
    cell = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    message = f"{ename}: {evalue}".strip().splitlines()
    return Outcome(job, False, time.perf_counter() - start, "\n".join(message[:12]), cell, files)


def _payload(nb: Any) -> dict[str, Any] | None:
    from sbqw_model.reporting.scenario_report import SUMMARY_MIME

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None


def _render(job: Job, start: float, executed: Path) -> Outcome:
    import nbformat

    from sbqw_model.reporting.html import notebook_to_html

    _without_reset_cell(executed)
    nb = nbformat.read(executed, as_version=4)
    payload = _payload(nb)
    page = notebook_to_html(nb, job.title, lang=job.lang)
    files = []
    try:
        target = job.out_dir / f"{job.name}.html"
        write_text_atomic(target, page)
        files.append(target)
        if payload is not None:
            target = job.out_dir / f"{job.name}.xlsx"
            _write_xlsx(payload, target, job.lang)
            files.append(target)
        if job.pdf:
            from sbqw_model.reporting.pdf import html_to_pdf

            target = job.out_dir / f"{job.name}.pdf"
            html_to_pdf(page, target)
            files.append(target)
    except BaseException as exc:  # a half-rendered report must not look valid
        for path in files:
            path.unlink(missing_ok=True)
        if not isinstance(exc, Exception):  # interrupted (Ctrl-C): cleaned up, now stop
            raise
        return _failed(job, start, executed, exc)
    kept = job.out_dir / f"{job.name}.ipynb"
    os.replace(executed, kept)
    (job.out_dir / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
    return Outcome(job, True, time.perf_counter() - start, files=[kept, *files], payload=payload)


def _write_xlsx(payload: dict[str, Any], target: Path, lang: str) -> None:
    import pandas as pd

    from sbqw_model.fileio import atomic_path
    from sbqw_model.summary import summary_tables, target_table, write_workbook

    if payload["kind"] == "scenario":
        tables = summary_tables(payload["summary"], lang)
    else:
        rows = []
        for name, summary in zip(payload["scenarios"], payload["summaries"], strict=True):
            frame = target_table(summary, lang)[["indicator", "label", "p_met", "p_met_se"]]
            frame.insert(0, "scenario", name)
            rows.append(frame)
        tables = {"compare": pd.concat(rows, ignore_index=True)}
    with atomic_path(target) as tmp:
        write_workbook(tables, tmp, lang)


def _start_worker() -> None:
    """Pool initializer: a fresh kernel starts booting while this worker imports the rest."""
    WarmKernel.forget()
    WarmKernel.get()
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from sbqw_model.reporting import html  # noqa: F401


def _context():
    """fork where the platform has it (workers start warm), spawn elsewhere."""
    import multiprocessing

    return get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def run_jobs(
    jobs: Sequence[Job], workers: int = 1, on_done: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """Run jobs in ``workers`` processes (in this process when 1); outcomes in job order."""
    outcomes: dict[int, Outcome] = {}
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            outcomes[i] = run_job(job)
            if on_done:
                on_done(outcomes[i])
    else:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_start_worker
        ) as pool:
            futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        outcomes[i] = future.result()
                    except Exception as exc:  # a worker died: report it like a failed notebook
                        outcomes[i] = Outcome(jobs[i], False, 0.0, f"{type(exc).__name__}: {exc}")
                    if on_done:
                        on_done(outcomes[i])
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                raise
    return [outcomes[i] for i in range(len(jobs))]


# --------------------------------------------------------------------------------------------
# index.html


def _headline(outcome: Outcome, lang: str) -> list[str]:
    """P(all targets), P(online retail), outlay median and band top, each labelled for what it
    is (上限 at the ceilings); '' where not a scenario."""
    from sbqw_model.reporting.i18n import t
    from sbqw_model.reporting.leader import outlay_note
    from sbqw_model.summary import BAND, CENTRAL

    p = outcome.payload
    if not p or p["kind"] != "scenario":
        return ["", "", "", ""]
    s = p["summary"]
    total = s["budget"]["total"]
    kind = f"{t('lparen', lang)}{outlay_note(s, lang)}{t('rparen', lang)}"
    return [
        f"{s['p_all_met']:.0%}",
        f"{s['targets']['online_retail']['p_met']:.0%}",
        f"{_yi(total[CENTRAL], lang)}{kind}",
        f"{_yi(total[BAND[1]], lang)}{kind}",
    ]


def _yi(yuan: float, lang: str) -> str:
    """Every row in 亿元 (¥m in English), so the column compares at a glance."""
    from sbqw_model import units
    from sbqw_model.labels import money

    return units.yi(yuan) if lang == "zh" else money(yuan, lang, 1)


def write_index(outcomes: Sequence[Outcome], out_dir: Path, lang: str) -> Path:
    """index.html: every report with its headline numbers, failures with their message."""
    from sbqw_model.reporting.fonts import font_face_css
    from sbqw_model.reporting.i18n import t, target_name
    from sbqw_model.summary import BAND

    e = html.escape
    header = [
        t("scenario", lang),
        t("all_targets", lang),
        f"{target_name('online_retail', lang)}{t('colon', lang)}{t('p_met', lang)}",
        f"{t('budget_total', lang)}{t('colon', lang)}{t('median', lang)}",
        t(BAND[1], lang),
        "",
    ]
    rows = []
    for o in outcomes:
        links = " · ".join(f'<a href="{e(f.name)}">{e(f.suffix[1:].upper())}</a>' for f in o.files)
        if o.ok:
            title = f'<a href="{e(o.job.name)}.html">{e(o.job.title)}</a>'
            cells = [e(c) for c in _headline(o, lang)]
            if o.payload and o.payload["kind"] != "scenario":
                cells = [e(", ".join(o.payload["scenarios"])), "", "", ""]
                rows.append(
                    f'<tr><td>{title}</td><td colspan="4">{cells[0]}</td><td>{links}</td></tr>'
                )
                continue
        else:
            title = f"✗ {e(o.job.title)}"
            where = f" (cell {o.cell})" if o.cell is not None else ""
            rows.append(
                f'<tr class="failed"><td>{title}</td><td colspan="4" class="err">'
                f"{'<br>'.join(e(x) for x in o.error.splitlines())}{e(where)}</td>"
                f"<td>{links}</td></tr>"
            )
            continue
        rows.append(
            f"<tr><td>{title}</td>"
            + "".join(f'<td class="num">{c}</td>' for c in cells)
            + f"<td>{links}</td></tr>"
        )
    heading = t("report_title", lang)
    body = (
        f"<h1>{e(heading)}</h1><table><thead><tr>"
        + "".join(f"<th>{e(h)}</th>" for h in header)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    css = font_face_css(text=body)
    page = (
        f'<!DOCTYPE html><html lang="{"zh" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
        f' initial-scale=1"><title>{e(heading)}</title><style>{css}'
        "body{margin:2em;max-width:72em;line-height:1.5}"
        # on a phone the table scrolls sideways; no column shrinks to a character a line
        "table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}"
        "td,th{border:1px solid #ccc;padding:4px 10px;min-width:5em}"
        "@media screen and (max-width:640px){body{margin:10px}}"
        "th{background:#eef2f6}td.num{text-align:right;white-space:nowrap}"
        ".err{color:#b00}tr.failed td{background:#fff3f3}</style></head><body>"
        f"{body}</body></html>"
    )
    target = out_dir / "index.html"
    write_text_atomic(target, page)
    return target


__all__ = ["Job", "Outcome", "run_jobs", "safe_name", "write_index"]

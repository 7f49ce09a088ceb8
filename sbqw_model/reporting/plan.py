"""``sbqw report``: which notebooks to run for which scenarios, and what to tell the user."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sbqw_model.errors import InputError
from sbqw_model.reporting.runner import Job, Outcome, run_jobs, safe_name, write_index
from sbqw_model.scenario import load_scenario


def default_scenarios() -> list[Path]:
    from sbqw_model.reporting.notebook import scenario_dirs

    dirs = scenario_dirs()
    if not dirs:
        return []
    # the baseline first: comparisons are read against the first scenario
    return sorted(dirs[0].glob("*.yaml"), key=lambda p: (p.stem != "baseline", p.stem))


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken or candidate in ("index", "compare"):
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def plan_jobs(
    files: Sequence[Path],
    out_dir: Path,
    *,
    compare: bool,
    lang: str,
    draws: int,
    seed: int,
    pdf: bool,
    assume: dict[str, Any],
    sensitivity: bool = False,
    conditioning: dict[str, str] | None = None,
) -> tuple[list[Job], list[Outcome]]:
    """Jobs for valid scenario files; invalid files become failed outcomes (others still run)."""
    jobs: list[Job] = []
    invalid: list[Outcome] = []
    common = {"draws": draws, "seed": seed, "lang": lang, "assume": assume}

    def make(name: str, title: str, notebook: str, **parameters: Any) -> Job:
        return Job(name, title, notebook, {**parameters, **common}, out_dir, pdf, lang)

    taken: set[str] = set()
    for path in files:
        try:
            scenario = load_scenario(path)
            scenario.assumptions.updated(assume, "--assume")
        except InputError as exc:
            job = Job(_unique(safe_name(path.stem), taken), str(path), "", {}, out_dir, pdf, lang)
            invalid.append(Outcome(job, False, 0.0, "\n".join(exc.problems)))
            continue
        jobs.append(
            make(
                _unique(safe_name(scenario.name), taken),
                scenario.title(lang),
                "scenario_report.ipynb",
                scenario_file=str(path.resolve()),
                **({"conditioning": conditioning} if conditioning else {}),
            )
        )
    if sensitivity:
        from sbqw_model.research.wording import t as research_t

        for job in list(jobs):
            jobs.append(
                Job(
                    _unique(f"{job.name}-sensitivity", taken),
                    f"{research_t('sens_title', lang)}:{job.title}",
                    "sensitivity.ipynb",
                    {
                        "scenario_file": job.parameters["scenario_file"],
                        "seed": seed,
                        "lang": lang,
                        "assume": assume,
                        "discovery_draws": draws,
                    },
                    out_dir,
                    pdf,
                    lang,
                )
            )
    if compare and jobs:
        from sbqw_model.reporting.i18n import t

        files = [
            j.parameters["scenario_file"] for j in jobs if j.notebook == "scenario_report.ipynb"
        ]
        jobs.append(
            make(
                "compare", t("compare_title", lang), "compare_scenarios.ipynb", scenario_files=files
            )
        )
    return jobs, invalid


def render(
    files: Sequence[Path],
    *,
    out_dir: Path,
    compare: bool,
    jobs: int,
    lang: str,
    draws: int,
    seed: int,
    pdf: bool,
    assume: dict[str, Any],
    sensitivity: bool = False,
    conditioning: dict[str, str] | None = None,
) -> int:
    """Render every report, print where they are and each failure; 1 if any failed."""
    todo, outcomes = plan_jobs(
        files,
        out_dir,
        compare=compare,
        lang=lang,
        draws=draws,
        seed=seed,
        pdf=pdf,
        assume=assume,
        sensitivity=sensitivity,
        conditioning=conditioning,
    )
    start = time.perf_counter()

    def tell(o: Outcome) -> None:
        mark = "ok " if o.ok else "FAILED"
        print(f"  {mark} {o.job.name} ({o.seconds:.1f} s)", file=sys.stderr)

    print(f"rendering {len(todo)} report(s) with {jobs} job(s) into {out_dir}/", file=sys.stderr)
    outcomes = [*run_jobs(todo, jobs, on_done=tell), *outcomes]
    index = write_index(outcomes, out_dir, lang)
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        if o.ok:
            print(f"{o.job.name}: {', '.join(str(f) for f in o.files)}")
    for o in failed:
        where = f" in cell {o.cell}" if o.cell is not None else ""
        kept = f" (executed notebook kept: {o.files[0]})" if o.files else ""
        print(f"sbqw: error: report {o.job.name} failed{where}{kept}:", file=sys.stderr)
        for line in o.error.splitlines():
            print(f"sbqw: error:   {line}", file=sys.stderr)
    print(
        f"{len(outcomes) - len(failed)} report(s) written, {len(failed)} failed,"
        f" in {time.perf_counter() - start:.1f} s; open {index}",
    )
    return 1 if failed else 0

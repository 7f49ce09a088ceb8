"""``sbqw report`` as a batch: which notebooks to run for which scenarios (``jobs_for``),
running them (``render``) and what to tell the user. ("plan" means the notice's plan only.)"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sbqw_model.errors import InputError, one_line
from sbqw_model.limits import cap_jobs
from sbqw_model.memory import check_run
from sbqw_model.outputs import (
    folder_problems,
    output_lock,
    unique_names,
    writing,
)
from sbqw_model.reporting.index import write_index
from sbqw_model.reporting.manifest import INDEXES
from sbqw_model.reporting.runner import Job, Outcome, run_jobs, started_pool
from sbqw_model.reporting.variants import (
    compared_titles,
    conditioning_suffix,
    plain_value,
    variant_name,
    variant_title,
)
from sbqw_model.scenario import Scenario, load_scenario
from sbqw_model.signals import held

RESERVED = (*INDEXES.values(), "compare")  # file names of the run itself


def default_scenarios() -> list[Path]:
    """Every shipped scenario, the baseline first (comparisons read against the first)."""
    from sbqw_model.shipped import shipped_scenarios

    return shipped_scenarios()


def validate(
    files: Sequence[Path],
    out_dir: Path,
    assume: dict[str, Any],
    notebooks: Sequence[str] = (),
    draws: int = 1,
    conditioning: dict[str, str] | None = None,
    parallel: int = 1,
) -> list[tuple[Path, Scenario, Scenario]]:
    """Every scenario, ``--assume``, ``--observed``/``--conditioning`` and ``--out`` checked
    before anything is written; a file given twice is one report. Each scenario as written and
    as conditioned (what its report's title and name say).

    All problems together (InputError: exit 2, nothing written). A scenario that is valid but
    fails while its report renders is a different thing: a failed report (exit 1).
    """
    from sbqw_model.conditioning import condition_scenario
    from sbqw_model.shipped import NOTEBOOK_DIR_ENV, notebook_dir

    problems: list[str] = []
    scenarios = []
    given: dict[str, Path] = {}
    for f in files:  # as given (the index shows it), once: a link to a file is that file
        given.setdefault(os.path.realpath(f), Path(f))
    for path in given.values():
        try:
            scenario = load_scenario(path)
            scenario.assumptions.updated(assume, "--assume")
            conditioned = scenario
            if conditioning:  # what the notebook will do
                how = conditioning.get("observed"), conditioning.get("method")
                conditioned = condition_scenario(scenario, *how)
            check_run(scenario, draws, "--draws", parallel, "--jobs")  # each job its worlds
            scenarios.append((path, scenario, conditioned))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.extend(folder_problems(out_dir))
    try:
        folder = notebook_dir()
        problems.extend(
            f"{folder / n}: report notebook not found (check ${NOTEBOOK_DIR_ENV})"
            for n in notebooks
            if not (folder / n).is_file()
        )
    except FileNotFoundError as exc:
        problems.append(str(exc))
    if problems:
        raise InputError(problems)
    return scenarios


def jobs_for(
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
    parallel: int = 1,
) -> list[Job]:
    """One job per scenario (file names: ``outputs.unique_names``), then the extra reports.

    Raises InputError (nothing written) if any input is invalid.
    """
    jobs: list[Job] = []
    common = {"draws": draws, "seed": seed, "lang": lang, "assume": assume}

    def make(name: str, title: str, notebook: str, **parameters: Any) -> Job:
        return Job(name, title, notebook, {**parameters, **common}, out_dir, pdf, lang)

    notebooks = ["scenario_report.ipynb"]
    notebooks += ["sensitivity.ipynb"] if sensitivity else []
    notebooks += ["compare_scenarios.ipynb"] if compare else []
    scenarios = validate(files, out_dir, assume, notebooks, draws, conditioning, parallel)
    if compare and len(scenarios) < 2:
        raise InputError(["--compare: needs two or more scenarios to compare, got one"])
    plain = unique_names([variant_name(s, assume, c) for _, s, c in scenarios], RESERVED)
    names = in_language(plain, lang, RESERVED)
    for (path, scenario, conditioned), name in zip(scenarios, names, strict=True):
        jobs.append(
            make(
                name,
                variant_title(scenario, assume, lang, conditioned),
                "scenario_report.ipynb",
                scenario_file=str(path.resolve()),
                **({"conditioning": conditioning} if conditioning else {}),
            )
        )
    if sensitivity:
        own = [s for _, s, _ in scenarios]
        jobs += sensitivity_jobs(jobs, own, assume, [*plain, *names], draws, seed)
    if compare and jobs:
        reports = [j for j in jobs if j.notebook == "scenario_report.ipynb"]
        pairs = [(s, c) for _, s, c in scenarios]
        compare = make(
            comparison_name(pairs, assume, lang, [j.name for j in jobs]),
            comparison_title(pairs, assume, lang),
            "compare_scenarios.ipynb",
            scenario_files=[j.parameters["scenario_file"] for j in reports],
            **({"conditioning": conditioning} if conditioning else {}),
        )
        if not conditioning:  # a conditioned summary is not reused (``reusable_summary``)
            compare.after = tuple(j.name for j in reports)
        jobs.append(compare)
    return jobs


def sensitivity_jobs(
    reports: Sequence[Job],
    scenarios: Sequence[Scenario],
    assume: dict[str, Any],
    taken: Sequence[str],
    draws: int,
    seed: int,
) -> list[Job]:
    """A sensitivity report per scenario report (``reports``: its folder, language, PDF).
    Its notebook takes no observed figures, so it is named and titled as the unconditioned
    variant (``baseline-sensitivity``), never as conditioned; unique against ``taken``."""
    from sbqw_model.reporting.i18n import t

    if not reports:
        return []
    lang = reports[0].lang
    own = [variant_name(s, assume) for s in scenarios]
    extra = unique_names([f"{n}-sensitivity" for n in own], [*RESERVED, *taken])
    extra = in_language(extra, lang, [*RESERVED, *taken])
    return [
        Job(
            name,
            f"{t('sens_title', lang)}{t('colon', lang)}{variant_title(s, assume, lang)}",
            "sensitivity.ipynb",
            {
                "scenario_file": job.parameters["scenario_file"],
                "seed": seed,
                "lang": lang,
                "assume": assume,
                "discovery_draws": draws,
            },
            job.out_dir,
            job.pdf,
            lang,
        )
        for job, name, s in zip(reports, extra, scenarios, strict=True)
    ]


def in_language(names: Sequence[str], lang: str, taken: Sequence[str]) -> list[str]:
    """Chinese (the default) names as they are; another language's end in ``-<lang>``
    (``baseline-en``), so a Chinese and an English run into one folder keep both: the English
    page replaced the leader's Chinese one. Added before ``safe_name`` cuts a long name, which
    then still ends in its hash; unique against ``taken`` (the run's other names)."""
    if lang == "zh":
        return list(names)
    return unique_names([f"{n}-{lang}" for n in names], taken)


def comparison_name(
    scenarios: Sequence[tuple[Scenario, Scenario]],
    assume: dict[str, Any],
    lang: str,
    taken: Sequence[str],
) -> str:
    """``compare-`` and the compared scenarios' names in the order given (each as written and
    as conditioned), then ``--assume``, how they were conditioned (``-observed-example``) and
    the language: a comparison of other scenarios into the same folder keeps this one (each
    was ``compare``), the same set again replaces it. Unique among ``taken``."""
    suffix = "".join(f"-{k}-{plain_value(v)}" for k, v in assume.items())
    conditioned = dict.fromkeys(conditioning_suffix(s, c) for s, c in scenarios)
    suffix += "".join(f"-{c}" for c in conditioned if c)
    text = "-".join(["compare", *(s.name for s, _ in scenarios)]) + suffix
    (name,) = unique_names([text], [*RESERVED, *taken])
    return in_language([name], lang, [*RESERVED, *taken])[0]


def comparison_title(
    scenarios: Sequence[tuple[Scenario, Scenario]], assume: dict[str, Any], lang: str
) -> str:
    """The comparison's title names what it compares (each scenario as written and as
    conditioned), as its page does (``variants.compared_titles``): the index told two
    comparisons in one folder apart only by their links."""
    from sbqw_model.reporting.i18n import t

    heading, names = compared_titles(scenarios, assume, lang)
    return f"{heading}{t('colon', lang)}{t('enum', lang).join(names)}"


def check_compared(given: Sequence[str | Path], files: Sequence[Path]) -> None:
    """``--compare`` of one file named twice (``baseline baseline.yaml``) names both
    spellings, as the comparison notebook does (``comparison.one_file_once``), not "got one"."""
    from sbqw_model.shipped import spellings

    spelled = spellings(given, files)
    if len(spelled) == 1 and len(given) > 1:
        [(path, names)] = spelled.items()
        raise InputError(
            [
                f"--compare: {', '.join(names)} are one file ({path}); a comparison needs two"
                " or more different scenarios"
            ]
        )


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
    """Render every report, print where they are and each failure; 1 if any failed.

    Invalid input stops everything before a file is written (InputError, exit 2); the output
    folder is locked for the run, so a second run into it stops with a clear message.
    """
    # more workers than reports or CPUs only cost memory; their fork server starts once the
    # input is checked, forked from this process with what checking it imported
    count = len(files) * (2 if sensitivity else 1) + (1 if compare and files else 0)
    jobs = cap_jobs(jobs, count)
    with started_pool(jobs) as pool:
        todo = jobs_for(
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
            parallel=jobs,
        )
        return _render(todo, out_dir, jobs, lang, pool)


def _record_landed(landed: list[Outcome], out_dir: Path, lang: str) -> None:
    """A stopped run's finished reports are in the folder: listed (when, from which file),
    not left unlisted or under the entry of the page they replaced. Best effort: the stop (or
    the killed worker) is still the news."""
    landed = [o for o in landed if not o.write_failed]
    if landed:
        with contextlib.suppress(Exception), writing(out_dir), held():
            write_index(landed, out_dir, lang)


def _render(
    todo: list[Job], out_dir: Path, jobs: int, lang: str, pool: ProcessPoolExecutor | None
) -> int:
    """``render`` once the input is checked: run, index, tell the user."""
    start = time.perf_counter()

    # progress only for a person watching a terminal; a good run otherwise prints its results
    interactive = sys.stderr.isatty()

    def tell(o: Outcome) -> None:
        mark = "ok " if o.ok else "FAILED"
        print(f"  {mark} {o.job.name} ({o.seconds:.1f} s)", file=sys.stderr)

    with output_lock(out_dir, "sbqw report"):  # which removes what a killed run left
        if interactive:
            print(
                f"rendering {len(todo)} report(s), {jobs} job(s), into {one_line(str(out_dir))}/",
                file=sys.stderr,
            )
        done: dict[int, Outcome] = {}
        try:
            outcomes = run_jobs(todo, jobs, tell if interactive else None, pool, done)
        except BaseException:  # stopped, or a worker killed: list the reports that landed
            _record_landed(list(done.values()), out_dir, lang)
            raise
        refused = [o.error for o in outcomes if o.write_failed]
        if refused:  # a full disk or a read-only folder: no index that pretends all is well
            raise InputError(refused[:1])
        with writing(out_dir), held():  # the folder's manifest and index, stopped or not
            index = write_index(outcomes, out_dir, lang)
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        if o.ok:  # the executed notebook is beside them, for whoever debugs
            shown = [str(f) for f in o.files if f.suffix != ".ipynb"]
            print(one_line(f"{o.job.name}: {', '.join(shown)}"))
    for o in failed:
        where = f" in cell {o.cell}" if o.cell is not None else ""
        kept = f" (executed notebook kept: {o.files[0]})" if o.files else ""
        print(f"sbqw: error: report {o.job.name} failed{where}{kept}:", file=sys.stderr)
        for line in o.error.splitlines():
            print(f"sbqw: error:   {line}", file=sys.stderr)
    print(
        f"{len(outcomes) - len(failed)} report(s) written, {len(failed)} failed,"
        f" in {time.perf_counter() - start:.1f} s; open {one_line(str(index))}",
    )
    return 1 if failed else 0

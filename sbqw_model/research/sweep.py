"""Sweep files: a base scenario and what varies, validated like scenarios; their points; a run.

A sweep file (YAML)::

    name: payout_frontier              # optional (default: the file name)
    base: baseline   # a shipped scenario name, or a file relative to this one
    observed: ../observations/x.csv    # optional: observed figures condition the worlds
    mode: grid                         # grid | latin | sobol
    factors:                           # factor path → values (grid) or low/high (samples)
      assumptions.payout_share: {values: [0.5, 0.75, 1.0]}
      assumptions.traffic_base: {values: [all, excess]}
    points: 256                        # latin / sobol: sample size (a grid has every combination)
    draws: 500                         # worlds per point (500 = one random block)
    seed: 0                            # the same seed for every point (common random numbers)
    outputs: [budget.by_year.2024.p95] # optional extra columns (paths into the simulate summary)

Every problem is reported at once with the file and key path; nothing runs or is written until
the whole file, and every point it defines, is valid.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model import __version__
from sbqw_model.errors import InputError, shown
from sbqw_model.outputs import safe_name
from sbqw_model.research import problem as pb
from sbqw_model.research import sweep_checks
from sbqw_model.research.evaluate import STANDARD_OUTPUTS, expand_alias, output_problem
from sbqw_model.scenario import TOP_KEYS, Scenario, load_scenario, scenario_ref
from sbqw_model.yamlio import read_mapping

KEYS = (
    "name",
    "description",
    "base",
    "observed",
    "mode",
    "factors",
    "points",
    "draws",
    "seed",
    "outputs",
)
MODES = ("grid", "latin", "sobol")
MAX_POINTS = 10**6  # a typo guard (a week of CPU at 500 draws), not a rule amount
SHOWN_BAD_POINTS = 5
#: Keys only a sweep has: a file with scenario keys and none of these is a scenario.
SWEEP_ONLY = ("base", "mode", "factors", "points", "draws", "seed", "outputs")
SCENARIO_ONLY = tuple(k for k in TOP_KEYS if k not in KEYS)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: its base scenario, factors and points."""

    path: Path
    name: str
    description: str
    base: Scenario
    mode: str
    problem: pb.Problem
    n_points: int
    draws: int
    seed: int
    outputs: tuple[str, ...]
    digest: str
    warnings: tuple[str, ...] = ()
    spec: dict[str, Any] = field(default_factory=dict, compare=False)  # its meaning, by field
    legacy_digest: str = ""  # of the file's bytes: what folders written before `spec` hold

    def design(self) -> Any:
        """What each row of its tables must hold (``store.Design``), checked on resume."""
        from sbqw_model.research.store import Design

        text = {f.name for f in self.factors if f.input.categorical}
        extra = {c for c in self.columns if c in self.outputs and c not in STANDARD_OUTPUTS}
        return Design(tuple(self.columns), self.point_table(), frozenset(text), frozenset(extra))

    @property
    def factors(self) -> tuple[pb.Factor, ...]:
        return self.problem.factors

    @property
    def columns(self) -> list[str]:
        extra = [o for o in self.outputs if o not in STANDARD_OUTPUTS]
        return ["point", *self.problem.names, *STANDARD_OUTPUTS, *extra]

    def points(self) -> list[tuple[int, tuple[Any, ...]]]:
        """Every point, made once (loading, the design, the output years and the runner each
        ask: a million Latin points take ~10 s to make); a copy, so callers cannot share it."""
        made = self.__dict__.get("_points")
        if made is None:
            values = point_values(self.mode, self.problem, self.n_points, self.seed)
            made = list(enumerate(values))
            object.__setattr__(self, "_points", made)  # frozen: a memo is no field
        return list(made)

    def point_table(self) -> pd.DataFrame:
        values = [v for _, v in self.points()]
        frame = pd.DataFrame(values, columns=self.problem.names)
        frame.insert(0, "point", range(len(values)))
        return frame

    def meta(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sweep_file": str(self.path),
            "base": str(self.base.path),
            "base_digest": self.base.digest,
            "mode": self.mode,
            "points": self.n_points,
            "draws": self.draws,
            "seed": self.seed,
            "factors": [
                {"path": f.name, "kind": f.input.kind, "lever": f.input.is_lever}
                for f in self.factors
            ],
            "outputs": list(self.outputs),
            "digest": self.digest,
            "spec": self.spec,
            "sbqw_version": __version__,
        }


def point_values(mode: str, problem: pb.Problem, n: int, seed: int) -> list[tuple[Any, ...]]:
    """Grid: every combination (first factor slowest); latin/sobol: ``n`` points from ``seed``."""
    if mode == "grid":
        return [tuple(v) for v in itertools.product(*(f.values or () for f in problem.factors))]
    d = len(problem.factors)
    if mode == "latin":
        from SALib.sample import latin

        return problem.rows(latin.sample(problem.salib(), n, seed=seed))
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n not a power of 2: warned at load
        try:
            engine = qmc.Sobol(d, scramble=True, rng=rng)
        except TypeError:  # scipy < 1.15
            engine = qmc.Sobol(d, scramble=True, seed=rng)
        unit = engine.random(n)
    scaled = np.column_stack([f.scale(unit[:, j]) for j, f in enumerate(problem.factors)])
    return problem.rows(scaled)


# --------------------------------------------------------------------------------------------
# validation


def _load_base(
    raw: dict[str, Any], path: Path, problems: list[str]
) -> tuple[Scenario | None, bytes, dict[str, str]]:
    """The base scenario (and observed file), problems appended with their own file names,
    and the uncertainties an observation fixed (path → what fixed it)."""
    src = str(path)
    base_name = raw.get("base")
    if base_name is None:  # reported by the schema
        return None, b"", {}
    try:
        ref = scenario_ref(base_name, path, "base")
        _not_a_sweep(ref, src)
        base = load_scenario(ref, via=f"{src}: base: ")
    except InputError as exc:
        problems.extend(exc.problems)
        return None, b"", {}
    observed = raw.get("observed")
    if observed is None:
        return base, b"", {}
    if not isinstance(observed, str):  # reported by the schema
        return None, b"", {}
    from sbqw_model.research.observations import load_observed

    obs_path = path.parent / observed
    try:
        conditioned = load_observed(obs_path, base)
    except InputError as exc:  # named where it was given: the sweep file's `observed:`
        problems.extend(f"{path}: observed: {problem}" for problem in exc.problems)
        return None, b"", {}
    conditioned.path = base.path
    fixed = conditioned.uncertainties
    pinned = {
        key: f"{observed} gives its observed value {fixed[key].params['value']:g}"
        for key in conditioned.observed_uncertainties
    }
    return conditioned, obs_path.read_bytes(), pinned


def _not_a_sweep(ref: Path, src: str) -> None:
    """A sweep file named as ``base:`` is said in one line (not as a scenario's schema lines)."""
    try:
        raw, _ = read_mapping(ref, "scenario")
    except InputError:
        return  # the scenario loader says what is wrong with it
    if _looks_like(raw, ("mode", "factors")) and not _looks_like(raw, SCENARIO_ONLY):
        raise InputError([f"{src}: base: {ref} is a sweep file, not a scenario"])


def _looks_like(raw: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return any(isinstance(k, str) and k in keys for k in raw)


def _factor(
    fpath: Any, spec: Any, mode: str | None, base: Scenario | None, src: str, problems: list[str]
) -> pb.Factor | None:
    """One factor: its shape (``schema_models.FactorSpec``), then what its mode and input ask."""
    from sbqw_model.research.sweep_schema import FactorSpec
    from sbqw_model.schema import collect

    where = f"{src}: factors.{fpath}"
    if collect(FactorSpec, spec, where, problems) is None and not isinstance(spec, dict):
        return None
    inp = None
    if base is not None:
        try:
            inp = pb.resolve(str(fpath), base)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    count = len(problems)
    has_values = "values" in spec
    has_range = "low" in spec or "high" in spec
    if mode == "grid" and not has_values:
        problems.append(f"{where}: a grid takes values: [...] for each factor")
    if mode == "grid" and has_range:
        problems.append(f"{where}: low/high are for latin and sobol samples; a grid takes values")
    if mode in ("latin", "sobol"):
        if has_values:
            problems.append(
                f"{where}.values: a {mode} sample draws from low–high; values are for mode grid"
            )
        for key in ("low", "high"):
            if key not in spec:
                problems.append(f"{where}.{key}: missing (a {mode} sample needs low and high)")
        if inp is not None and inp.categorical:
            problems.append(
                f"{where}: {inp.path} takes categories, not a range; use mode grid with values"
            )
    if mode is None and not has_values and not ("low" in spec and "high" in spec):
        problems.append(f"{where}: expected values: [...] (grid), or low and high (samples)")
    if inp is None or len(problems) > count:
        return None
    if has_values:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            return None  # reported by the schema
        clean = []
        for i, raw in enumerate(values):
            value, problem = pb.check_value(inp, raw, base)
            if problem:
                problems.append(f"{where}.values[{i}]: {problem}")
            elif value in clean:
                problems.append(f"{where}.values[{i}]: {raw!r} is listed twice")
            else:
                clean.append(value)
        return pb.Factor(inp, values=tuple(clean)) if len(clean) == len(values) else None
    bounds = {}
    for key in ("low", "high"):
        value, problem = pb.check_value(inp, spec[key], base)
        if problem:
            problems.append(f"{where}.{key}: {problem}")
        else:
            bounds[key] = value
    if len(bounds) < 2:
        return None
    if not bounds["low"] < bounds["high"]:
        problems.append(
            f"{where}: low {bounds['low']:g} must be below high {bounds['high']:g}"
            " (a factor that does not vary belongs in the base scenario)"
        )
        return None
    return pb.Factor(inp, low=bounds["low"], high=bounds["high"])


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; InputError lists every problem (file and key path).

    The keys and their types are ``sweep_schema.SweepFile`` (pydantic); what depends on the
    mode, the base scenario and the factors' targets is checked here, all before raising.
    """
    from sbqw_model.research.sweep_schema import SweepFile
    from sbqw_model.schema import collect

    path = Path(path)
    src = str(path)
    raw, data = read_mapping(path, "sweep")
    if _looks_like(raw, SCENARIO_ONLY) and not _looks_like(raw, SWEEP_ONLY):
        raise InputError(
            [f"{src} is a scenario file, not a sweep file (a sweep names it as base:)"]
        )
    if not _looks_like(raw, KEYS):  # named, never echoed
        raise InputError([f"{src} is not a sweep file (expected keys such as base, mode, factors)"])
    problems: list[str] = []
    top = collect(SweepFile, raw, f"{src}: ", problems)
    base, observed_bytes, pinned = _load_base(raw, path, problems)
    mode = raw.get("mode") if raw.get("mode") in MODES else None
    n_points = raw.get("points")
    warn: list[str] = []
    if mode == "grid" and n_points is not None:
        problems.append(f"{src}: points: a grid has every combination of values; remove points")
    if mode in ("latin", "sobol") and n_points is None:
        problems.append(f"{src}: points: missing (a {mode} sample needs its size)")
    elif mode == "sobol" and top is not None and n_points & (n_points - 1):
        warn.append(
            f"{src}: points: {n_points} is not a power of 2; a Sobol' sequence is only"
            f" balanced at powers of 2 (e.g. {2 ** round(math.log2(n_points))})"
        )

    factors, block = _parse_factors(raw.get("factors"), mode, base, src, problems)
    problems.extend(sweep_checks.observed_factors(factors, pinned, f"{src}: factors."))
    outputs = _parse_outputs(raw.get("outputs", []), src, problems)
    if mode == "grid" and len(factors) == len(block) and factors:
        n_points = math.prod(len(f.values or ()) for f in factors)
    if isinstance(n_points, int) and n_points > MAX_POINTS:
        problems.append(f"{src}: the sweep has {n_points:,} points; at most {MAX_POINTS:,}")
    if problems or top is None or base is None or mode is None or not isinstance(n_points, int):
        raise InputError(problems or [f"{src}: not a complete sweep (base, mode, factors)"])
    problem = pb.Problem(tuple(factors))
    spec = sweep_checks.spec(base, observed_bytes, mode, problem, n_points, top, outputs)
    sweep = Sweep(
        path=path,
        name=top.name if safe_name(top.name, default="") else path.stem,
        description=top.description,
        base=base,
        mode=mode,
        problem=problem,
        n_points=int(n_points),
        draws=top.draws,
        seed=top.seed,
        outputs=tuple(outputs),
        digest=hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest(),
        warnings=tuple(warn),
        spec=spec,
        legacy_digest=_digest(data, base, observed_bytes),
    )
    points = sweep.points()
    check_points(points, base, problem, src)
    bad_years = sweep_checks.output_years(sweep.outputs, base, problem, points)
    if bad_years:
        raise InputError([f"{src}: {p}" for p in bad_years])
    _check_memory(sweep, src)
    return sweep


def _parse_factors(
    block: Any, mode: str | None, base: Scenario | None, src: str, problems: list[str]
) -> tuple[list[pb.Factor], dict[str, Any]]:
    """The factors (factor path → values, or low and high), and the block they came from."""
    factors: list[pb.Factor] = []
    if not isinstance(block, dict):
        block = {}  # reported by the schema
    for fpath, spec in block.items():
        factor = _factor(fpath, spec, mode, base, src, problems)
        if factor is not None:
            factors.append(factor)
    fixed = {f.input.key for f in factors if f.input.kind == "uncertainty"}
    reshaped = {f.input.key for f in factors if f.input.kind == "distribution"}
    for key in sorted(fixed & reshaped):
        problems.append(
            f"{src}: factors: uncertainties.{key} is both fixed and reshaped; vary one or the other"
        )
    return factors, block


def _parse_outputs(extra: Any, src: str, problems: list[str]) -> list[str]:
    """Extra outputs beyond the standard ones, by name (aliases expanded)."""
    outputs: list[str] = []
    if not isinstance(extra, list) or not all(isinstance(o, str) for o in extra):
        return outputs  # reported by the schema
    for i, name_ in enumerate(extra):
        problem = output_problem(expand_alias(name_))
        if problem:
            problems.append(f"{src}: outputs[{i}]: {problem}")
        else:
            outputs.append(expand_alias(name_))
    return outputs


def _check_memory(sweep: Sweep, src: str, processes: int = 1) -> None:
    """Every point must fit in memory: the base, or each point when it sets what the firm count
    is made of (the count, the 2022 level, the reference it is stated for).

    The estimate (``memory.check_run``) reads no assumption and no behavioural response, so it
    runs once per distinct combination of the other factors' values, in point order (the first
    point that does not fit is named, as one point at a time would); ``check_points`` has
    already passed every point."""
    from sbqw_model.memory import FIRM_INPUTS, check_run

    inputs = sweep.problem.inputs
    if not any(t.key in FIRM_INPUTS for t in inputs):
        check_run(sweep.base, sweep.draws, f"{src}: draws", processes)
        return
    points = sweep.points()
    read = [j for j, t in enumerate(inputs) if t.kind not in ("assumption", "behaviour")]
    _, firsts = pb.value_classes([values for _, values in points], read)
    for point, values in (points[i] for i in sorted(firsts)):
        try:
            check_run(pb.apply(sweep.base, inputs, values), sweep.draws, "draws", processes)
        except InputError as exc:
            raise InputError([f"{src}: point {point}: {p}" for p in exc.problems]) from None


def check_points(
    points: list[tuple[int, tuple[Any, ...]]], base: Scenario, problem: pb.Problem, src: str
) -> None:
    """Combinations that fail although each value is valid (e.g. a distribution's low > high).

    Each part of the check runs once per distinct combination of the values it reads
    (``problem.invalid_points``): the verdicts and words of ``check_point`` at every point."""
    bad: list[str] = []
    count = 0
    rows = [values for _, values in points]
    for i, found in pb.invalid_points(base, problem.inputs, rows):
        count += 1
        if len(bad) < SHOWN_BAD_POINTS:
            point, values = points[i]
            shown = ", ".join(f"{n}={v}" for n, v in zip(problem.names, values, strict=True))
            bad.append(f"{src}: point {point} ({shown}): {'; '.join(found)}")
    if count > len(bad):
        bad.append(f"{src}: … and {count - len(bad)} more invalid points")
    if bad:
        raise InputError(bad)


def _digest(sweep_bytes: bytes, base: Scenario, observed: bytes) -> str:
    """What a point's result depends on: the sweep, the base scenario, observations, the rules."""
    h = hashlib.sha256()
    h.update(sweep_bytes)
    h.update(base.digest.encode())
    h.update(observed)
    leaves = sorted((leaf.path, leaf.value) for leaf in base.params.leaves())
    h.update(repr(leaves).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# running


@dataclass
class SweepRun:
    """What a run did: the final table, points computed now and earlier, engine seconds."""

    path: Path
    computed: int
    resumed: int
    engine_seconds: float


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    fmt: str | None = None,
    resume: bool = False,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SweepRun:
    """Run the points not yet finished in ``out``, saving each batch as it finishes.

    ``out`` is locked for the run: a second sweep into it stops with a clear message.
    """
    from sbqw_model.outputs import output_lock, writing
    from sbqw_model.research.cluster import check_scheduler
    from sbqw_model.research.store import META

    check_scheduler(scheduler)
    if client is None and not scheduler:  # local workers share this machine's memory limit
        from sbqw_model.research.cluster import local_processes

        processes = local_processes(sweep.n_points, sweep.draws, workers)
        if processes > 1:
            _check_memory(sweep, str(sweep.path), processes)
    try:
        with output_lock(out, "sbqw sweep"), writing(out):
            return _run_sweep(sweep, out, fmt, resume, client, scheduler, workers, progress)
    except KeyboardInterrupt as exc:  # said on the one "interrupted" line (sbqw_model.cli)
        if Path(out).is_dir() and (Path(out) / META).is_file():
            exc.hint = f"finished points are saved in {out} — rerun with --resume to continue"
        raise


def _run_sweep(
    sweep: Sweep,
    out: Path,
    fmt: str | None,
    resume: bool,
    client: Any,
    scheduler: str | None,
    workers: int | None,
    progress: bool,
) -> SweepRun:
    from sbqw_model.research.cluster import run_points
    from sbqw_model.research.evaluate import BatchResult, Evaluation
    from sbqw_model.research.store import Store

    store, resuming = Store.open(out, fmt, sweep.meta(), resume, sweep.legacy_digest)
    finished, damaged = store.done(sweep.design()) if resuming else (set(), [])
    for line in damaged:  # recomputed, not refused: a resume exists to recover from damage
        print(f"sbqw: warning: {shown(line)}", file=sys.stderr)
    todo = [p for p in sweep.points() if p[0] not in finished]
    job = Evaluation(sweep.base, sweep.problem.inputs, sweep.draws, sweep.seed, sweep.outputs)
    engine = 0.0
    columns = sweep.columns

    def save(result: BatchResult) -> None:
        nonlocal engine
        store.add(result.rows, columns)
        engine += result.engine_seconds

    try:
        run_points(
            job,
            todo,
            client=client,
            scheduler=scheduler,
            workers=workers,
            on_batch=save,
            progress=progress,
        )
    except BaseException:
        store.discard_if_empty()
        raise
    path = store.finish(columns, sweep.n_points)
    return SweepRun(path, len(todo), len(finished), engine)

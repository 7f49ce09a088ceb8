"""Global sensitivity with SALib: which uncertainties drive each output.

The problem (SALib's names and bounds) is the scenario's non-fixed uncertainties, each uniform
over ``Distribution.bounds`` (the support, or mean ± 2 sd) clipped to its domain — a plausible
range, not the distribution itself, so the indices say how much each factor *could* move the
output across that range. Levers join on request (``levers=True``), over ``LEVER_RANGES``.

A point fixes every factor at its sampled value and simulates ``draws`` worlds over what is
left random (yearly noise, Poisson arrivals, firm sizes): its outputs are probabilities and
budget percentiles, smooth functions of the factors. Points run through the sweep machinery
(``cluster.run_points``), so a large N scales out on Dask the same way a sweep does.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model.catalogue import label
from sbqw_model.distributions import DOMAINS
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.labels import money
from sbqw_model.research import problem as pb
from sbqw_model.research.cluster import run_points
from sbqw_model.research.evaluate import (
    SENSITIVITY_OUTPUTS,
    Evaluation,
    expand_alias,
    output_problem,
)
from sbqw_model.research.wording import factor_label, is_money, output_label, t
from sbqw_model.scenario import Scenario
from sbqw_model.worlds import BLOCK

METHODS = ("sobol", "morris")
#: Below these sample sizes indices are too noisy to rank factors (Saltelli et al. 2010 use
#: N ≥ 512 for Sobol'; Campolongo et al. 2007 suggest 10–50 Morris trajectories).
STABLE_N = {"sobol": 512, "morris": 20}
MORRIS_LEVELS = 4
RESAMPLES = 100
CONF_LEVEL = 0.95
#: Levers offered with ``levers=True``: (low, high, how). "share": the value itself;
#: "relative": a fraction of the parameter file's value (no rule amount is typed here).
LEVER_RANGES: dict[str, tuple[float, float, str]] = {
    "assumptions.payout_share": (0.5, 1.0, "share"),
    "parameters.traffic.rate": (0.5, 1.0, "relative"),
    "parameters.traffic.cap": (0.5, 1.0, "relative"),
}
#: An interval is "wide" when it exceeds the index and this much of the scale (Sobol: 0–1;
#: Morris: the output's largest μ*), so exactly-zero effects do not count as unstable.
WIDE_FLOOR = 0.05


def evaluations(method: str, n: int, d: int) -> int:
    """Model runs SALib asks for: N(D+2) for Sobol' (first and total), N(D+1) for Morris."""
    return n * (d + 2) if method == "sobol" else n * (d + 1)


def _range(spec: str, scenario: Scenario) -> pb.Factor:
    """``PATH`` or ``PATH=LOW:HIGH`` → a factor (ValueError with a readable reason)."""
    path, _, rng = spec.partition("=")
    path = path.strip()
    input_ = pb.resolve(path, scenario)
    if input_.categorical:
        raise ValueError(f"{path} takes categories; sensitivity needs a numeric factor")
    if rng:
        try:
            low, high = (float(x) for x in rng.split(":"))
        except ValueError:
            raise ValueError(f"{spec}: expected PATH=LOW:HIGH, e.g. {path}=0.5:1") from None
    elif input_.kind == "uncertainty" and input_.key not in scenario.uncertainties:
        raise ValueError(f"{path}: not in the scenario; give its range as {path}=LOW:HIGH")
    elif input_.kind == "uncertainty":
        dist = scenario.uncertainties[input_.key]
        low, high = dist.bounds
        dom_low, dom_high, _ = DOMAINS[dist.domain]
        low, high = max(low, dom_low), min(high, dom_high)
    elif path in LEVER_RANGES:
        low, high, how = LEVER_RANGES[path]
        if how == "relative":
            value = scenario.params.value(input_.key)
            low, high = low * value, high * value
    else:
        raise ValueError(f"{path}: give its range as {path}=LOW:HIGH")
    for value in (low, high):
        _, problem = pb.check_value(input_, value, scenario)
        if problem:
            raise ValueError(f"{path}: {problem}")
    if not low < high:
        raise ValueError(f"{path}: the range {low:g}–{high:g} is empty (fixed in the scenario?)")
    return pb.Factor(input_, low=low, high=high)


def scenario_problem(
    scenario: Scenario, factors: Sequence[str] | None = None, levers: bool = False
) -> pb.Problem:
    """The SALib problem: ``factors`` if given, else every uncertainty that is not fixed."""
    specs = (
        list(factors)
        if factors
        else [
            f"uncertainties.{path}"
            for path, dist in scenario.uncertainties.items()
            if dist.dist != "fixed" and dist.bounds[0] < dist.bounds[1]
        ]
    )
    if levers:
        specs += [p for p in LEVER_RANGES if p not in {s.partition("=")[0].strip() for s in specs}]
    problems, out, seen = [], [], set()
    for spec in specs:
        path = spec.partition("=")[0].strip()
        if path in seen:  # SALib would stop on two factors of one name
            problems.append(f"--factors {spec}: {path} is given twice; give each factor once")
            continue
        seen.add(path)
        try:
            out.append(_range(spec, scenario))
        except ValueError as exc:
            problems.append(f"--factors {spec}: {exc}")
    problems += [
        f"--factors {f.name}: {why}"
        for f, why in _observed(scenario, out)
        if "=" in _spec_of(f, specs)
    ]
    if problems:
        raise InputError(problems)
    if len(out) < 2:
        raise InputError(["sensitivity needs at least two factors that vary"])
    return pb.Problem(tuple(out))


def _spec_of(factor: pb.Factor, specs: Sequence[str]) -> str:
    return next((s for s in specs if s.partition("=")[0].strip() == factor.name), factor.name)


def _observed(scenario: Scenario, factors: Sequence[pb.Factor]) -> list[tuple[pb.Factor, str]]:
    """Factors on an uncertainty an ``--observed`` figure fixed (the scenario records which:
    ``Scenario.observed_uncertainties``): a range would silently replace the observation."""
    return [
        (
            f,
            f"uncertainties.{f.input.key} is fixed by an observed figure (--observed);"
            " a factor may not override an observation: drop the factor or the figure",
        )
        for f in factors
        if f.input.kind in ("uncertainty", "distribution")
        and f.input.key in scenario.observed_uncertainties
    ]


def check_outputs(names: Sequence[str] | None, scenario: Scenario | None = None) -> tuple[str, ...]:
    """Validated output names (bare target names mean their probability); with ``scenario``,
    a year it never pays in is refused (its indices would be NaN)."""
    from sbqw_model.periods import payment_years
    from sbqw_model.research.sweep_checks import output_year_problem

    chosen = [expand_alias(n) for n in (names or SENSITIVITY_OUTPUTS)]
    problems = [f"--outputs: {p}" for p in (output_problem(n) for n in chosen) if p]
    if scenario is not None and not problems:
        years = set(payment_years(scenario.params, scenario.assumptions))
        found = (output_year_problem(n, scenario, years, "--outputs") for n in chosen)
        problems = [p for p in found if p]
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(chosen))


def sample(method: str, problem: pb.Problem, n: int, seed: int) -> np.ndarray:
    """SALib's sample for ``method`` (Sobol' without second order: N(D+2) rows)."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem.salib(), n, calc_second_order=False, scramble=True, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem.salib(), n, num_levels=MORRIS_LEVELS, seed=seed)


def n_problems(method: str, n: int, given: Callable[[int], str]) -> list[str]:
    """What makes ``n`` unusable as the base sample size of ``method`` whatever the factors
    (none: usable), worded as the user gives it (``given(512)``: ``--n 512`` on the command
    line, ``n=512`` in the notebook): one check for both, before any work."""
    if method == "sobol" and n < 2:
        return [
            f"{given(n)}: Sobol' indices need N ≥ 2 (their bootstrap resamples N rows);"
            f" e.g. {given(512)}"
        ]
    if method == "sobol" and n & (n - 1):
        near = 2 ** round(math.log2(n))
        return [f"{given(n)}: Sobol' sampling needs a power of 2 (e.g. {given(near)})"]
    return []


def size_problems(method: str, n: int, d: int, given: Callable[[int], str]) -> list[str]:
    """A sample of ``d`` factors too large to evaluate (or even to hold), refused before SALib
    allocates it; worded as ``n_problems``."""
    from sbqw_model.research.sweep import MAX_POINTS

    per = d + 2 if method == "sobol" else d + 1  # rows per unit of N (Sobol') or trajectory
    if n * per <= MAX_POINTS:
        return []
    fit = MAX_POINTS // per
    fit = 2 ** int(math.log2(fit)) if method == "sobol" else fit
    return [f"{given(n)}: {n * per:,} points; at most {MAX_POINTS:,} (e.g. {given(fit)})"]


def _option(n: int) -> str:
    return f"--n {n}"


def analyze(
    method: str, problem: pb.Problem, x: np.ndarray, y: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """SALib's indices for one output (NaN when the output does not vary)."""
    d = len(problem.factors)
    if not np.isfinite(y).all() or np.ptp(y) == 0:  # no indices, never a 0 from NaN
        keys = (
            ("S1", "S1_conf", "ST", "ST_conf")
            if method == "sobol"
            else ("mu", "mu_star", "mu_star_conf", "sigma")
        )
        return {k: np.full(d, math.nan) for k in keys}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            # SALib seeds the bootstrap only ``if seed:``, so seed 0 (the default) drew the
            # intervals from numpy's global state: a Generator is truthy and is what SALib
            # builds from any other seed, so every seed gives SALib's own intervals.
            si = sobol.analyze(
                problem.salib(),
                y,
                calc_second_order=False,
                num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL,
                seed=np.random.default_rng(seed),
            )
            return {k: np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        from SALib.analyze import morris

        si = morris.analyze(
            problem.salib(),
            x,
            y,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        return {
            k: np.asarray(si[k], dtype=float) for k in ("mu", "mu_star", "mu_star_conf", "sigma")
        }


@dataclass
class SensitivityResult:
    """Indices (tidy: one row per output and factor), the evaluated sample, and warnings."""

    method: str
    n: int
    draws: int
    seed: int
    scenario: str
    problem: pb.Problem
    outputs: tuple[str, ...]
    indices: pd.DataFrame
    sample: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    engine_seconds: float = 0.0

    @property
    def main(self) -> str:
        """The index that ranks factors: total order (Sobol') or μ* (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    def to_dict(self) -> dict[str, Any]:
        from sbqw_model import __version__

        frame = self.indices.astype(object).where(self.indices.notna(), None)
        return {
            "sbqw_version": __version__,
            "scenario": self.scenario,
            "method": self.method,
            "n": self.n,
            "evaluations": len(self.sample),
            "draws": self.draws,
            "seed": self.seed,
            "factors": [
                {"name": f.name, "low": f.low, "high": f.high} for f in self.problem.factors
            ],
            "outputs": list(self.outputs),
            "indices": frame.to_dict(orient="records"),
            "warnings": self.warnings,
        }


def run_sensitivity(
    scenario: Scenario,
    method: str = "sobol",
    n: int = 512,
    *,
    outputs: Sequence[str] | None = None,
    factors: Sequence[str] | None = None,
    levers: bool = False,
    draws: int = BLOCK,
    seed: int = 0,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """Sample, evaluate every point (on Dask when large), analyze each output."""
    if method not in METHODS:
        raise InputError(
            [f"--method {method}: unknown{did_you_mean(method, METHODS)}; valid: sobol, morris"]
        )
    if problems := n_problems(method, n, _option):
        raise InputError(problems)
    from sbqw_model.research.cluster import check_scheduler

    check_scheduler(scheduler)
    chosen = check_outputs(outputs, scenario)
    problem = scenario_problem(scenario, factors, levers)
    if problems := size_problems(method, n, len(problem.factors), _option):
        raise InputError(problems)
    x = np.asarray(problem.rows(sample(method, problem, n, seed)), dtype=float)
    if client is None and not scheduler:  # local workers share this machine's memory limit
        from sbqw_model.memory import check_run
        from sbqw_model.research.cluster import local_processes

        if (processes := local_processes(len(x), draws, workers)) > 1:
            check_run(scenario, draws, "--draws", processes)
    job = Evaluation(scenario, problem.inputs, draws, seed, chosen)
    engine = [0.0]
    rows = run_points(
        job,
        [(i, tuple(row)) for i, row in enumerate(x)],
        client=client,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
        on_batch=lambda r: engine.__setitem__(0, engine[0] + r.engine_seconds),
    )
    table = pd.DataFrame(rows)[["point", *problem.names, *chosen]]
    records = []
    for output in chosen:
        si = analyze(method, problem, x, table[output].to_numpy(dtype=float), seed)
        for j, f in enumerate(problem.factors):
            records.append({"output": output, "factor": f.name, **{k: v[j] for k, v in si.items()}})
    indices = pd.DataFrame(records)
    result = SensitivityResult(
        method,
        n,
        draws,
        seed,
        scenario.name,
        problem,
        chosen,
        indices,
        table,
        engine_seconds=engine[0],
    )
    result.warnings = stability_warnings(result)
    return result


def stability_warnings(result: SensitivityResult) -> list[str]:
    """Plain warnings when N is small or intervals are wider than the indices they bound."""
    return [en for _, en in stability_notes(result, readable=False)]


def stability_notes(result: SensitivityResult, readable: bool = True) -> list[tuple[str, str]]:
    """The same warnings as (Chinese, English) pairs, for the notebook: factors, outcomes and
    indices named as its tables name them (``readable``), or by the names the command line
    and its CSV use (``targets.parks.p_met``, ``mu_star``) for ``stability_warnings``."""
    out = []
    stable = STABLE_N[result.method]
    if result.n < stable:
        out.append(_pair(f"research.small_sample.{result.method}", n=result.n, stable=stable))
    main, conf = result.main, f"{result.main}_conf"
    frame = result.indices
    if conf not in frame:
        return out
    scale = frame.groupby("output")[main].transform(lambda s: s.abs().max())
    floor = WIDE_FLOOR * (1.0 if result.method == "sobol" else scale)
    wide = frame[(frame[conf] > frame[main].abs()) & (frame[conf] > floor)]
    if len(wide):
        r = wide.iloc[0]
        count = frame[main].notna().sum()
        out.append(_wide_note(result, r, count=count, wide=len(wide), readable=readable))
    flat = [o for o in result.outputs if frame.loc[frame.output == o, main].isna().all()]
    if flat:
        out.append(
            _by_lang(
                "research.no_variation",
                lambda lang: {
                    "outputs": label("report.enum", lang).join(output_label(o, lang) for o in flat)
                    if readable
                    else ", ".join(flat)
                },
            )
        )
    return out


def _wide_note(
    result: SensitivityResult, r: Any, count: int, wide: int, readable: bool
) -> tuple[str, str]:
    """The first index whose interval is wider than itself: named as the notebook's tables
    name it (the factor, the outcome, μ* or ST; money in 万元 or ¥m) when ``readable``."""
    main, conf = result.main, f"{result.main}_conf"
    money_shown = result.method == "morris" and is_money(r["output"])

    def values(lang: str) -> dict[str, object]:
        shown = f"{r[main]:.3g} ± {r[conf]:.3g}"
        if not readable:
            raw = {"index": main, "factor": r["factor"], "output": r["output"]}
            return {"count": count, "wide": wide, **raw, "shown": shown + " yuan" * money_shown}
        if money_shown:
            shown = f"{money(r[main], lang)} ± {money(r[conf], lang)}"
        return {
            "count": count,
            "wide": wide,
            "index": t("mu_star", lang) if main == "mu_star" else main,  # μ*; ST in both
            "factor": factor_label(r["factor"], lang),
            "output": output_label(r["output"], lang),
            "shown": shown,
        }

    return _by_lang("research.wide_intervals", values)


def _by_lang(key: str, values: Callable[[str], dict[str, object]]) -> tuple[str, str]:
    """A catalogue sentence filled in with each language's own words (zh, en)."""
    return label(key, "zh").format(**values("zh")), label(key, "en").format(**values("en"))


def _pair(key: str, **values: object) -> tuple[str, str]:
    """A catalogue sentence filled in, in both languages (zh, en), with the same values."""
    return _by_lang(key, lambda lang: values)

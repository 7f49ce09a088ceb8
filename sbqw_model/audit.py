"""One simulated world as a plain ledger, so anyone can audit it with ``sbqw cost``.

``sbqw simulate --export-draw K`` writes world K's recognitions and firm-years in the costing
command's format (each firm's base year too, the level it starts the plan from, which
``milestone_pre_plan_tiers`` reads) and prints the outlay the engine computed for it; costing
those files must give the same numbers, which checks the engine against the line-by-line rules.
A scenario that reforms the rules (``levers.parameters``) gets its rule amounts written too
(``parameters.yaml``), and the output names the ``sbqw cost`` command that reproduces it, with
the scenario's assumptions: without them ``sbqw cost`` applied the plan as written.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from sbqw_model import prefectures, rules
from sbqw_model.assumptions import Assumptions, shown_value
from sbqw_model.conditioning import resampled_world
from sbqw_model.costing import Totals, fen, payment_years, plan_years, totals_dict
from sbqw_model.engine import outlay, world_at
from sbqw_model.fileio import atomic_dir
from sbqw_model.instruments import REGISTRY
from sbqw_model.ledger import (
    CROSS_BORDER_RETAIL_COLUMN,
    RECOGNITION_COLUMNS,
    REVOKED_COLUMN,
    SALES_COLUMNS,
)
from sbqw_model.parameters import DEFAULT_FILE, default_parameters
from sbqw_model.scenario import Scenario
from sbqw_model.spreadsheet import write_csv
from sbqw_model.worlds import World


def world_ledger(world: World, scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(recognitions, sales) of a single world, with made-up but stable unit ids."""
    assert world.n == 1
    years = plan_years(scenario.params)
    rec_rows = []
    approvals = world.approvals[0]  # (C, P, Y)
    revocations = world.revocations[0]  # (C, P, Y)
    for c, cat in enumerate(rules.CATEGORIES):
        for p, (zh, en) in enumerate(prefectures.PREFECTURES):
            units: list[list] = []
            for y, year in enumerate(years):
                # a review revokes units recognized in earlier years; which ones does not
                # change any total, so the longest-standing go first
                standing = [u for u in units if u[4] is None]
                for u in standing[: int(revocations[c, p, y])]:
                    u[4] = year
                for i in range(int(approvals[c, p, y])):
                    units.append([f"{cat}-{en}-{year}-{i + 1:03d}", cat, zh, year, None])
            rec_rows.extend(tuple(u) for u in units)
    sales_rows = unit_sales_rows(world, years)
    for j in range(world.firm_draw.size):
        zh = prefectures.NAMES_ZH[int(world.firm_prefecture[j])]
        above = "true" if world.firm_above_scale[j] else "false"
        cross = "true" if world.firm_cross_border[j] else "false"
        # the base year pays nothing (no cross-border part is drawn for it: left blank)
        base = (int(world.firm_sales_base[j]), int(world.firm_retail_base[j]), above, cross, "")
        sales_rows.append((f"firm-{j + 1:04d}", zh, years[0] - 1, *base))
        for y, year in enumerate(years):
            sales_rows.append(
                (
                    f"firm-{j + 1:04d}",
                    zh,
                    year,
                    int(world.firm_sales[j, y]),
                    int(world.firm_retail[j, y]),
                    above,
                    cross,
                    int(world.firm_cross_border_retail[j, y]),
                )
            )
    return (
        pd.DataFrame(rec_rows, columns=[*RECOGNITION_COLUMNS, REVOKED_COLUMN]).astype(
            {REVOKED_COLUMN: "Int64"}
        ),
        pd.DataFrame(sales_rows, columns=[*SALES_COLUMNS, CROSS_BORDER_RETAIL_COLUMN]),
    )


def unit_sales_rows(world: World, years: list[int]) -> list[tuple]:
    """Sales rows of recognized parks and bases while recognized (they earn milestones under
    ``sales_award_recipients: all_units``); not enterprises, so no traffic subsidy."""
    units = world.units
    rows = []
    for k in range(units.draw.size):
        cat = rules.CATEGORIES[int(units.category[k])]
        zh, en = prefectures.PREFECTURES[int(units.prefecture[k])]
        year = years[int(units.year[k])]
        unit_id = f"{cat}-{en}-{year}-{int(units.index[k]) + 1:03d}"
        for y in range(int(units.year[k]), int(units.revoked[k])):
            amount = int(units.sales[k, y])
            rows.append((unit_id, zh, years[y], amount, amount, "false", "false", 0))
    return rows


def draw_outlay(
    scenario: Scenario, seed: int, index: int, draws: int | None = None
) -> tuple[World, dict[str, Any]]:
    """World ``index`` and its outlay as the engine computes it, in the costing JSON form.

    When observations condition a run of ``draws`` worlds by weighting, row ``index`` of the
    results is a resampled world: that world, drawn without the observations, is exported.
    """
    drawn = index
    if draws is not None and scenario.observations and scenario.conditioning == "weight":
        drawn = resampled_world(scenario, seed, draws, index)
        scenario = replace(scenario, observations=[])
    world = world_at(scenario, seed, drawn)
    o = outlay(world, scenario.params, scenario.assumptions)
    totals = Totals(
        total=float(o.total[0]),
        by_instrument={e.key: float(o.by_instrument[0, i]) for i, e in enumerate(REGISTRY)},
        by_year={
            str(y): float(o.by_year[0, i])
            for i, y in enumerate(payment_years(scenario.params, scenario.assumptions))
        },
        by_prefecture={p: float(o.by_prefecture[0, i]) for i, p in enumerate(prefectures.NAMES_ZH)},
    )
    return world, {
        "scenario": scenario.name,
        "seed": seed,
        "draw": index,
        "drawn_world": drawn,
        "total_yuan": fen(totals.total),
        **totals_dict(totals),
        "assumptions": scenario.assumptions.as_dict(),
    }


def export_draw(
    scenario: Scenario, seed: int, index: int, out_dir: Path, draws: int | None = None
) -> dict[str, Any]:
    """Write ``recognitions.csv`` and ``sales.csv`` of world ``index``; return its outlay."""
    world, result = draw_outlay(scenario, seed, index, draws)
    recognitions, sales = world_ledger(world, scenario)
    reform = parameter_file(scenario)
    names = ["recognitions.csv", "sales.csv", *(["parameters.yaml"] if reform else [])]
    with atomic_dir(out_dir) as tmp:
        write_csv(recognitions, tmp / names[0])
        write_csv(sales, tmp / names[1])
        if reform:
            (tmp / names[2]).write_text(reform, encoding="utf-8")
    result["files"] = [str(out_dir / n) for n in names]
    result["cost_command"] = cost_command(out_dir, scenario.assumptions, bool(reform))
    return result


def parameter_file(scenario: Scenario) -> str:
    """The scenario's rule amounts as a parameter file ``sbqw cost --parameters`` reads: every
    leaf, as ``plan.yaml`` writes it, with the scenario's values (a reform, or a parameter file
    of a later notice with leaves of its own); "" when the scenario applies the plan as written."""
    import yaml

    if scenario.params == default_parameters():
        return ""
    tree: dict[str, Any] = {}
    for leaf in scenario.params.leaves():
        *parents, last = leaf.path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        first, final = leaf.period
        node[last] = {
            "value": int(leaf.value) if leaf.value == int(leaf.value) else leaf.value,
            "unit": leaf.unit,
            "clause": leaf.clause,
            "label_zh": leaf.label_zh,
            "label_en": leaf.label_en,
            "period": f"{first}-{final}" if final != first else str(first),
            **({"note": leaf.note} if leaf.note else {}),
        }
    header = f"# {DEFAULT_FILE} with the rule amounts of scenario {scenario.name!r}\n"
    return header + yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def cost_command(out_dir: Path, assume: Assumptions, reformed: bool) -> str:
    """The ``sbqw cost`` line that prices the exported files as the engine did: the reformed
    rule amounts and every assumption that is not the default."""
    words = ["sbqw", "cost"]
    words += ["--recognitions", _path_word(out_dir / "recognitions.csv")]
    words += ["--sales", _path_word(out_dir / "sales.csv")]
    if reformed:
        words += ["--parameters", _path_word(out_dir / "parameters.yaml")]
    default = Assumptions().as_dict()
    for key, value in assume.as_dict().items():
        if value != default[key]:
            words += ["--assume", f"{key}={shown_value(value)}"]
    return shlex.join(words)


def _path_word(path: Path) -> str:
    """A path as an option's value: ``./-w/sales.csv`` for ``-w/sales.csv`` (``--out=-w``),
    which the command line would take for an option and refuse the command over."""
    text = str(path)
    return f"./{text}" if text.startswith("-") else text


__all__ = ["draw_outlay", "export_draw", "world_ledger"]

"""``sbqw simulate`` end to end: the JSON a user gets, the files ``--out`` writes, the same
numbers for the same seed, and ``--export-draw`` ledgers that ``sbqw cost`` prices identically.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, run_cli

from sbqw_model import prefectures
from sbqw_model.engine import TARGETS
from sbqw_model.rules import INSTRUMENTS

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
TRAFFIC_EXCESS = ROOT / "sbqw_model" / "scenarios" / "traffic_excess.yaml"
DRAWS = "2000"
BAND = {"mean", "p5", "p50", "p95"}


def simulate_json(*args: object) -> tuple[dict, str]:
    done = run_cli("simulate", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), done.stdout


@pytest.fixture(scope="module")
def out_run(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("sim") / "out"
    data, _ = simulate_json(BASELINE, "--draws", DRAWS, "--seed", "3", "--out", out)
    return data, out


def test_json_has_the_documented_keys(out_run) -> None:
    data, _ = out_run
    assert {"scenario", "draws", "seed", "assumptions", "targets", "p_all_met", "budget"} <= set(
        data
    )
    assert (data["scenario"], data["draws"], data["seed"]) == ("baseline", 2000, 3)
    assert data["assumptions"]["payout_share"] == 1.0
    assert list(data["targets"]) == list(TARGETS)
    for t, row in data["targets"].items():
        assert {"target", "p_met", "p_met_se", *BAND} <= set(row), t
        assert 0 <= row["p_met"] <= 1 and row["p_met_se"] >= 0
        assert row["p5"] <= row["p50"] <= row["p95"]
    assert 0 <= data["p_all_met"] <= min(r["p_met"] for r in data["targets"].values())
    b = data["budget"]
    assert set(b["total"]) >= BAND
    assert list(b["by_year"]) == ["2023", "2024", "2025", "2026"]  # sales & traffic a year on
    assert list(b["by_instrument"]) == list(INSTRUMENTS)
    assert list(b["by_prefecture"]) == list(prefectures.NAMES_ZH)
    for dim in ("by_year", "by_instrument", "by_prefecture"):
        for key, row in b[dim].items():
            assert set(row) >= BAND, (dim, key)
    # baseline sets an appropriation, so each year has its probability of overrun
    assert set(b["p_over_appropriation"]) == {"2023", "2024", "2025"}
    assert all(0 <= p <= 1 for p in b["p_over_appropriation"].values())


def test_out_writes_tables_json_and_workbook(out_run) -> None:
    data, out = out_run
    names = {p.name for p in out.iterdir()}
    assert {
        "targets.csv",
        "budget.csv",
        "appropriation.csv",
        "summary.json",
        "summary.xlsx",
    } <= names
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == data
    with (out / "targets.csv").open(encoding="utf-8-sig") as handle:
        targets = list(csv.DictReader(handle))
    assert [r["indicator"] for r in targets][: len(TARGETS)] == list(TARGETS)
    assert float(targets[0]["p_met"]) == data["targets"]["parks"]["p_met"]
    with (out / "budget.csv").open(encoding="utf-8-sig") as handle:
        budget = list(csv.DictReader(handle))
    assert float(budget[0]["p50"]) == data["budget"]["total"]["p50"]
    with (out / "appropriation.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    assert len(book.sheetnames) >= 3
    book.close()


def test_no_appropriation_no_overrun_probability(tmp_path: Path) -> None:
    path = tmp_path / "no_budget.yaml"
    base = (ROOT / "sbqw_model" / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    head, _, rest = base.partition("appropriation:")
    _, _, tail = rest.partition("prefecture_shares:")
    path.write_text(head + "prefecture_shares:" + tail, encoding="utf-8")
    data, _ = simulate_json(path, "--draws", "500")
    assert "p_over_appropriation" not in data["budget"]


def test_same_seed_same_json_different_seed_different() -> None:
    _, first = simulate_json(BASELINE, "--draws", DRAWS, "--seed", "21")
    _, again = simulate_json(BASELINE, "--draws", DRAWS, "--seed", "21", "--chunk", "1000")
    _, other = simulate_json(BASELINE, "--draws", DRAWS, "--seed", "22")
    assert first == again
    assert first != other


def test_table_is_chinese_first() -> None:
    done = run_cli("simulate", BASELINE, "--draws", "500")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("情景")
    assert "达成概率" in done.stdout and "万元" in done.stdout


@pytest.mark.parametrize(
    ("assume", "kind"),
    [
        ([], "(上限 upper bound)"),
        (["payout_share=0.6"], "(按上限的60%支付 at 60% of the ceilings)"),
    ],
)
def test_table_says_what_the_outlay_and_the_appropriation_are(assume, kind) -> None:
    """As the reports do: the outlay is an upper bound at the ceilings (else the share paid),
    and the shipped appropriation is an illustration, not a budget."""
    flags = [x for a in assume for x in ("--assume", a)]
    done = run_cli("simulate", BASELINE, "--draws", "300", *flags)
    assert done.returncode == 0, done.stderr
    (outlay,) = [line for line in done.stdout.splitlines() if line.startswith("财政支出 Outlay")]
    assert outlay.startswith(f"财政支出 Outlay {kind}:"), outlay
    assert "预算安排（示例） Appropriation (illustrative)" in done.stdout.splitlines()


# --- --export-draw: one simulated world, audited by `sbqw cost` --------------------------------


def export_and_cost(tmp_path: Path, scenario: Path, draw: int, assume: list[str]) -> None:
    out = tmp_path / f"draw{draw}"
    flags = [x for a in assume for x in ("--assume", a)]
    exported = run_cli(
        "simulate",
        scenario,
        "--draws",
        DRAWS,
        "--seed",
        "8",
        "--export-draw",
        draw,
        "--out",
        out,
        *flags,
    )
    assert exported.returncode == 0, exported.stderr
    engine = json.loads(exported.stdout)
    assert engine["draw"] == draw
    assert {p.name for p in out.iterdir()} == {"recognitions.csv", "sales.csv"}
    # cost under the assumptions the engine used (the scenario's levers plus --assume)
    used = [
        f"{k}={str(v).lower() if isinstance(v, bool) else v}"
        for k, v in engine["assumptions"].items()
    ]
    costed = run_cli(
        "cost",
        "--recognitions",
        out / "recognitions.csv",
        "--sales",
        out / "sales.csv",
        "--format",
        "json",
        *[x for a in used for x in ("--assume", a)],
    )
    assert costed.returncode == 0, costed.stderr
    rules = json.loads(costed.stdout)
    assert rules["assumptions"] == engine["assumptions"]
    for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
        assert engine[key] == rules[key], key
    assert engine["total_yuan"] > 0


@pytest.mark.parametrize("draw", [0, 1777])
def test_export_draw_costs_the_same_through_sbqw_cost(tmp_path: Path, draw: int) -> None:
    export_and_cost(tmp_path, BASELINE, draw, [])


def test_export_draw_with_lag_and_cumulative_awards(tmp_path: Path) -> None:
    export_and_cost(
        tmp_path,
        TRAFFIC_EXCESS,
        1234,
        ["payment_lag_years=1", "sales_award_mode=cumulative"],
    )


def test_export_draw_with_tiers_before_the_plan_not_paid(tmp_path: Path) -> None:
    """The ledger carries each firm's 2022 row, so ``sbqw cost`` applies the reading too."""
    export_and_cost(
        tmp_path, BASELINE, 42, ["milestone_pre_plan_tiers=not_paid", "sales_award_mode=top_up"]
    )
    with (tmp_path / "draw42" / "sales.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    firms = {r["unit_id"] for r in rows if r["unit_id"].startswith("firm-")}
    base_year = {r["unit_id"] for r in rows if r["year"] == "2022"}
    assert firms and base_year == firms  # every firm, and no park or base, has its 2022 row


@pytest.mark.parametrize(
    ("name", "assume"),
    [("no_traffic_subsidy", []), ("austerity", []), ("no_traffic_subsidy", ["payout_share=0.6"])],
)
def test_the_printed_cost_command_prices_a_reformed_world_as_the_engine(
    tmp_path: Path, name: str, assume: list[str]
) -> None:
    """A shipped scenario that reforms a rule (``no_traffic_subsidy``: traffic.rate 0) or sets
    an assumption (``austerity``: payout_share 0.5): ``sbqw cost`` on the bare files applied
    the plan as written (draw 42 of no_traffic_subsidy: 14 759.67 万 against the engine's
    13 900 万). The export writes the reformed parameters and prints the command that
    reproduces the engine's numbers."""
    out = tmp_path / "w"
    flags = [x for a in assume for x in ("--assume", a)]
    exported = run_cli("simulate", name, "--export-draw", "42", "--out", out, *flags)
    assert exported.returncode == 0, exported.stderr
    engine = json.loads(exported.stdout)
    words = shlex.split(engine["cost_command"])
    assert words[:2] == ["sbqw", "cost"]
    reformed = name == "no_traffic_subsidy"
    assert (out / "parameters.yaml").is_file() == reformed
    assert ("--parameters" in words) == reformed
    costed = run_cli(*words[1:], "--format", "json")
    assert costed.returncode == 0, costed.stderr
    rules = json.loads(costed.stdout)
    assert rules["assumptions"] == engine["assumptions"]
    for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
        assert engine[key] == rules[key], key
    if reformed:
        assert rules["by_instrument"]["traffic"] == 0


@pytest.mark.parametrize("folder", ["-w", 'it\'s $(touch x) "q"', "新\n 输出"])
def test_the_printed_cost_command_runs_as_printed_for_any_out(tmp_path: Path, folder: str) -> None:
    """``--out=-w`` (a name with a leading dash), quotes, ``$()``, a newline, Chinese: the
    printed command, run by a shell as printed, prices the world as the engine did
    (``--recognitions -w/recognitions.csv`` was refused as an option without its value)."""
    exported = run_cli(
        "simulate", "austerity", "--export-draw", "7", f"--out={folder}", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    engine = json.loads(exported.stdout)
    sbqw = f'sbqw() {{ "{sys.executable}" -m sbqw_model "$@"; }}'
    shell = f"{sbqw}; {engine['cost_command']} --format json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    costed = subprocess.run(
        ["bash", "-c", shell], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert costed.returncode == 0, costed.stderr
    assert json.loads(costed.stdout)["total_yuan"] == engine["total_yuan"]
    assert not (tmp_path / "x").exists()  # $() was never run


def test_simulate_with_tiers_before_the_plan_not_paid(out_run) -> None:
    """End to end: the same worlds (seed 3), lower milestones, everything else the same."""
    paid, _ = out_run
    data, _ = simulate_json(
        BASELINE, "--draws", DRAWS, "--seed", "3", "--assume", "milestone_pre_plan_tiers=not_paid"
    )
    assert data["assumptions"]["milestone_pre_plan_tiers"] == "not_paid"
    assert paid["assumptions"]["milestone_pre_plan_tiers"] == "paid"
    assert data["targets"] == paid["targets"] and data["p_all_met"] == paid["p_all_met"]
    got, was = data["budget"]["by_instrument"], paid["budget"]["by_instrument"]
    for key in INSTRUMENTS:
        if key.startswith("sales."):
            assert got[key]["mean"] <= was[key]["mean"], key
        else:
            assert got[key] == was[key], key
    assert got["sales.tier1"]["mean"] < was["sales.tier1"]["mean"]
    assert data["budget"]["total"]["mean"] < paid["budget"]["total"]["mean"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--export-draw", "0"], "--out"),
        (["--export-draw", "2000", "--out", "OUT"], "below --draws 2000"),
        (["--assume", "payout_shar=0.5", "--out", "OUT"], "did you mean `payout_share`"),
        (["--assume", "payout_share=1.3", "--out", "OUT"], "payout_share=1.3"),
        (
            ["--assume", "milestone_pre_plan_tiers=newly", "--out", "OUT"],
            "--assume: milestone_pre_plan_tiers=newly: expected one of paid, not_paid",
        ),
    ],
    ids=[
        "export-without-out",
        "export-out-of-range",
        "assume-unknown",
        "assume-out-of-range",
        "assume-bad-choice",
    ],
)
def test_bad_flags_exit_2_and_write_nothing(tmp_path: Path, args: list[str], words: str) -> None:
    out = tmp_path / "out"
    args = [str(out) if a == "OUT" else a for a in args]
    done = run_cli("simulate", BASELINE, "--draws", DRAWS, *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert words in done.stderr
    assert not out.exists()

"""Sweep and sensitivity inputs that used to pass silently or end in a traceback: damaged parts
and tables on --resume (recomputed, said in one line, the table identical to an uninterrupted
run), empty keys, repeated factors, outputs of years without figures, factors that would
override an observation, and the one-line interrupt."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from research_helpers import BASELINE, sbqw, write

from sbqw_model.research import cluster
from sbqw_model.research.sensitivity import analyze, scenario_problem
from sbqw_model.research.sweep import load_sweep, run_sweep
from sbqw_model.scenario import load_scenario

GRID = (
    f"name: small\nbase: {BASELINE.as_posix()}\nmode: grid\ndraws: 50\nseed: 1\n"
    "outputs: [budget.by_year.2024.p90]\nfactors:\n"
    "  uncertainties.online_retail.growth.mean: {values: [0.1, 0.2]}\n"
    "  assumptions.payout_share: {values: [0.5, 0.75, 1.0]}\n"
)
SECOND = "000000002-0002"  # the second part: points 2 and 3
STOPS: dict[Path, BaseException] = {}  # the interrupt each stopped sweep raised


def _sweep_file(tmp_path: Path, text: str = GRID, name: str = "small.yaml") -> Path:
    return write(tmp_path / name, text)


def _pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        cluster,
        "batches",
        lambda points, workers: [points[i : i + 2] for i in range(0, len(points), 2)],
    )


def _interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> Path:
    """A sweep folder stopped after two parts (points 0–3) of three."""
    sweep = load_sweep(_sweep_file(tmp_path))
    real = cluster.run_batch
    calls = {"n": 0}

    def stopped(job, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(job, batch)

    _pairs(monkeypatch)
    out = tmp_path / f"out_{fmt}"
    monkeypatch.setattr(cluster, "run_batch", stopped)
    with pytest.raises(KeyboardInterrupt) as stop:
        run_sweep(sweep, out, fmt=fmt, workers=1, progress=False)
    monkeypatch.setattr(cluster, "run_batch", real)
    STOPS[out] = stop.value
    return out


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The uninterrupted tables, both formats."""
    tmp = tmp_path_factory.mktemp("whole")
    sweep = load_sweep(_sweep_file(tmp))
    return {
        fmt: run_sweep(sweep, tmp / fmt, fmt=fmt, workers=1, progress=False).path.read_bytes()
        for fmt in ("csv", "parquet")
    }


def _edit_cell(path: Path, line: int, column: int, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line].split(",")
    cells[column] = value
    lines[line] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


CSV_DAMAGE = {
    "cut mid-row": lambda p: p.write_bytes(p.read_bytes()[:-40]),
    "text in a number": lambda p: _edit_cell(p, 1, 10, "abc"),
    "empty cell": lambda p: _edit_cell(p, 2, 5, ""),
    "renamed header": lambda p: p.write_text(
        p.read_text(encoding="utf-8").replace("p_all_met,", "p_all_met_x,", 1), encoding="utf-8"
    ),
    "edited factor": lambda p: _edit_cell(p, 1, 1, "0.123"),
    "point outside the sweep": lambda p: _edit_cell(p, 1, 0, "12345"),
    "point of another part": lambda p: _edit_cell(p, 1, 0, "5"),
    "rows lost": lambda p: p.write_text(
        "\n".join(p.read_text(encoding="utf-8").split("\n")[:2]) + "\n", encoding="utf-8"
    ),
}


@pytest.mark.parametrize("damage", list(CSV_DAMAGE))
def test_resume_recomputes_a_damaged_csv_part(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: dict[str, bytes]
) -> None:
    out = _interrupted(tmp_path, monkeypatch, "csv")
    part = out / "parts" / f"{SECOND}.csv"
    CSV_DAMAGE[damage](part)
    code, stdout, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(part) in lines[0] and "computed again" in lines[0], err
    assert "Traceback" not in err
    assert "6 points (4 computed now, 2 resumed)" in stdout, "damaged rows are not counted"
    assert (out / "results.csv").read_bytes() == whole["csv"]


def test_damage_names_the_row_column_and_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _interrupted(tmp_path, monkeypatch, "csv")
    part = out / "parts" / f"{SECOND}.csv"
    _edit_cell(part, 2, 10, "abc")
    _, _, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert re.search(r"row 3, column [\w.]+: expected a number, got 'abc'", err), err


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_resume_recomputes_a_corrupt_parquet_part(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: dict[str, bytes]
) -> None:
    out = _interrupted(tmp_path, monkeypatch, "parquet")
    part = out / "parts" / f"{SECOND}.parquet"
    data = part.read_bytes()
    part.write_bytes(
        {"truncated": data[: len(data) // 2], "empty": b"", "garbage": b"x" * 99}[damage]
    )
    code, stdout, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert code == 0 and len(err.strip().splitlines()) == 1 and str(part) in err, err
    assert "(4 computed now, 2 resumed)" in stdout
    assert (out / "results.parquet").read_bytes() == whole["parquet"]


def test_resume_ignores_the_batch_a_killed_run_was_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: dict[str, bytes]
) -> None:
    """Killed (SIGKILL) while a batch was written, the sweep left the batch's temporary file in
    ``parts/``; the resume read it as a part and warned of a damaged file the user never made."""
    out = _interrupted(tmp_path, monkeypatch, "parquet")
    (out / "parts" / ".sbqw-000000004-0002.k2j4x9za.tmp.parquet").write_bytes(b"PAR1")
    code, stdout, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert code == 0 and err == "", err
    assert "6 points (2 computed now, 4 resumed)" in stdout
    assert (out / "results.parquet").read_bytes() == whole["parquet"]
    assert sorted(p.name for p in out.rglob(".*")) == []


def test_garbage_final_table_is_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: dict[str, bytes]
) -> None:
    _pairs(monkeypatch)
    out = tmp_path / "done"
    run_sweep(load_sweep(_sweep_file(tmp_path)), out, fmt="csv", workers=1, progress=False)
    (out / "results.csv").write_text("garbage,\x01\n1,2\n", encoding="utf-8")
    code, stdout, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert code == 0 and "results.csv: damaged" in err and "Traceback" not in err
    assert "(6 computed now, 0 resumed)" in stdout
    assert (out / "results.csv").read_bytes() == whole["csv"]


def test_resume_ignores_comments_and_names_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _interrupted(tmp_path, monkeypatch, "csv")
    _sweep_file(tmp_path, "# a note added later\n" + GRID)
    code, stdout, err = sbqw("sweep", tmp_path / "small.yaml", "--out", out, "--resume")
    assert code == 0 and "(2 computed now, 4 resumed)" in stdout, err
    other = _sweep_file(tmp_path, GRID.replace("draws: 50", "draws: 60"), "other.yaml")
    code, _, err = sbqw("sweep", other, "--out", out, "--resume")
    assert code == 2 and "its draws changed" in err, err


def test_resume_refuses_another_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _interrupted(tmp_path, monkeypatch, "csv")
    code, _, err = sbqw(
        "sweep", tmp_path / "small.yaml", "--out", out, "--resume", "--format", "parquet"
    )
    assert code == 2 and "--format parquet" in err and "csv" in err
    assert len(err.strip().splitlines()) == 1 and not (out / "results.parquet").exists()


def test_a_stopped_sweep_hands_its_resume_hint_to_the_interrupt_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _interrupted(tmp_path, monkeypatch, "csv")
    hint = getattr(STOPS[out], "hint", "")
    assert hint == f"finished points are saved in {out} — rerun with --resume to continue"


def test_interrupt_is_one_line_with_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from sbqw_model import cli

    def stopped(args):
        exc = KeyboardInterrupt()
        exc.hint = "finished points are saved in X — rerun with --resume to continue"
        raise exc

    monkeypatch.setattr(cli, "build_parser", _parser_running(stopped))
    code, _, err = sbqw("anything")
    assert code == 130
    assert err.strip().splitlines() == [
        "sbqw: interrupted; nothing half-written was left; finished points are saved in X"
        " — rerun with --resume to continue"
    ]


def _parser_running(handler):
    import argparse

    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        sub.add_parser("anything").set_defaults(handler=handler)
        return parser

    return build


# --------------------------------------------------------------------------------------------
# sweep files


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("base: " + BASELINE.as_posix(), "base:"), "small.yaml: base: missing"),
        (("{values: [0.1, 0.2]}", "{values: null}"), "values: expected a non-empty list"),
        (("name: small", 'name: "   "'), "name: expected a name"),
    ],
)
def test_empty_values_are_one_line(edit: tuple[str, str], expected: str, tmp_path: Path) -> None:
    path = _sweep_file(tmp_path, GRID.replace(*edit))
    code, _, err = sbqw("sweep", path, "--out", tmp_path / "o")
    assert code == 2 and len(err.strip().splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "o").exists()


def test_a_name_without_letters_falls_back_to_the_file_name(tmp_path: Path) -> None:
    path = _sweep_file(tmp_path, GRID.replace("name: small", "name: '...'"), "frontier_a.yaml")
    assert load_sweep(path).name == "frontier_a"


@pytest.mark.parametrize(
    ("output", "year"),
    [
        ("budget.by_year.99999.p90", "99999"),
        ("budget.by_year.2030.p90", "2030"),
        ("budget.by_year.2022.mean", "2022"),
    ],
)
def test_outputs_of_years_without_payments_are_refused(
    output: str, year: str, tmp_path: Path
) -> None:
    path = _sweep_file(tmp_path, GRID.replace("budget.by_year.2024.p90", output))
    code, _, err = sbqw("sweep", path, "--out", tmp_path / "o")
    assert code == 2 and f"{year} is not a payment year of the scenario (2023–2026)" in err, err
    code, _, err = sbqw("sensitivity", BASELINE, "--outputs", output, "--n", "2")
    assert code == 2 and f"{year} is not a payment year" in err, err


def test_nan_outputs_give_no_indices_never_zero() -> None:
    problem = scenario_problem(
        load_scenario(BASELINE),
        ["uncertainties.online_retail.growth", "assumptions.payout_share=0.5:1"],
    )
    y = np.full(8, np.nan)
    y[0] = 1.0
    si = analyze("sobol", problem, np.zeros((8, 2)), y, 0)
    assert all(np.isnan(v).all() for v in si.values())


def test_sensitivity_refuses_a_factor_given_twice_and_sobol_n_1() -> None:
    path = "uncertainties.online_retail.growth"
    code, _, err = sbqw("sensitivity", BASELINE, "--factors", path, path, "--n", "2")
    assert code == 2 and err.strip().endswith("is given twice; give each factor once"), err
    assert len(err.strip().splitlines()) == 1
    code, _, err = sbqw("sensitivity", BASELINE, "--method", "sobol", "--n", "1")
    assert code == 2 and "--n 1: Sobol' indices need N ≥ 2" in err and "Traceback" not in err


def test_a_factor_may_not_override_an_observation(tmp_path: Path) -> None:
    write(tmp_path / "obs.csv", "year,indicator,value,source\n2022,online_retail,6.5e10,test\n")
    text = GRID.replace(
        "uncertainties.online_retail.growth.mean: {values: [0.1, 0.2]}",
        "uncertainties.online_retail.level_2022: {values: [4.0e+10, 8.0e+10]}",
    )
    path = _sweep_file(tmp_path, text.replace("mode: grid", "observed: obs.csv\nmode: grid"))
    code, _, err = sbqw("sweep", path, "--out", tmp_path / "o")
    assert code == 2 and "uncertainties.online_retail.level_2022 is observed" in err, err
    assert "obs.csv" in err
    code, _, err = sbqw(
        "sensitivity",
        BASELINE,
        "--observed",
        tmp_path / "obs.csv",
        "--n",
        "2",
        "--factors",
        "uncertainties.online_retail.level_2022=4e10:8e10",
        "uncertainties.online_retail.growth",
    )
    assert code == 2 and "fixed by an observed figure" in err, err


def test_empty_scheduler_is_refused(tmp_path: Path) -> None:
    code, _, err = sbqw("sweep", _sweep_file(tmp_path), "--out", tmp_path / "o", "--scheduler", "")
    assert code == 2 and "--scheduler '': expected a Dask scheduler address" in err
    assert not (tmp_path / "o").exists()


def test_wrong_kind_of_file_is_one_line(tmp_path: Path) -> None:
    code, _, err = sbqw("sweep", BASELINE, "--out", tmp_path / "o")
    assert code == 2 and err.strip().splitlines() == [
        f"sbqw: error: {BASELINE} is a scenario file, not a sweep file (a sweep names it as base:)"
    ]
    inner = _sweep_file(tmp_path)
    outer = _sweep_file(
        tmp_path, GRID.replace(f"base: {BASELINE.as_posix()}", "base: small.yaml"), "outer.yaml"
    )
    code, _, err = sbqw("sweep", outer, "--out", tmp_path / "o")
    assert code == 2 and err.strip().splitlines() == [
        f"sbqw: error: {outer}: base: {inner} is a sweep file, not a scenario"
    ]


def test_frontier_never_says_p_at_least_0_percent() -> None:
    import pandas as pd

    from sbqw_model.research import text
    from sbqw_model.research.frontier import frontiers

    columns = ["point", "assumptions.payout_share", "budget.total.p95", "p_all_met", "p_all_met_se"]
    t = pd.DataFrame([(0, 0.5, 100.0, 0.0, 0.0), (1, 1.0, 200.0, 0.0, 0.0)], columns=columns)
    shown = text.frontier(frontiers(t, 0.0001), "x")
    assert "P ≥ 0.01%" in shown and "P ≥ 0%" not in shown


def test_the_sweep_command_says_a_stop_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command printed its own resume hint as well, so a stop said it on two lines."""
    from sbqw_model.research import sweep as sweep_module

    out = tmp_path / "o"

    def stopped(*args: object, **kwargs: object) -> None:
        out.mkdir()  # a batch had finished
        exc = KeyboardInterrupt()
        exc.hint = f"finished points are saved in {out} — rerun with --resume to continue"
        raise exc

    monkeypatch.setattr(sweep_module, "run_sweep", stopped)
    code, _, err = sbqw("sweep", _sweep_file(tmp_path), "--out", out, "--workers", 1)
    assert code == 130 and len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err and "--resume" in err


def test_a_folder_or_a_pipe_is_not_called_missing(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for given, kind in ((tmp_path, "a folder"), (fifo, "not a regular file (a device or pipe)")):
        code, _, err = sbqw("sweep", given, "--out", tmp_path / "o")
        assert (
            code == 2 and err == f"sbqw: error: {given}: is {kind}; expected a sweep .yaml file\n"
        )

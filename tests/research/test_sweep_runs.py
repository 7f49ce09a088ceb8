"""Running sweeps: results depend only on (base, point, seed); resume gives the uninterrupted table;
a real ``distributed.LocalCluster`` gives the same table as this process alone."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from research_helpers import BASELINE, LEVERS, ONE_DRIVER, sbqw, write

from sbqw_model.engine import simulate
from sbqw_model.research import cluster, problem
from sbqw_model.research.evaluate import STANDARD_OUTPUTS, Evaluation, run_batch
from sbqw_model.research.store import read_table
from sbqw_model.research.sweep import load_sweep, run_sweep
from sbqw_model.scenario import load_scenario
from sbqw_model.summary import summarize

DASK_DEFAULT_PORT = 8787


def grid_file(tmp_path: Path, fmt: str = "") -> Path:
    """12 points: a lever, an uncertainty and a distribution parameter on the baseline."""
    return write(
        tmp_path / "grid.yaml",
        f"name: test_grid\nbase: {BASELINE.as_posix()}\nmode: grid\ndraws: 600\nseed: 3\n"
        "outputs: [budget.by_year.2024.p90, targets.online_retail.p50]\nfactors:\n"
        "  uncertainties.online_retail.growth.mean: {values: [0.10, 0.14, 0.18]}\n"
        "  uncertainties.firms.count: {values: [80, 120]}\n"
        "  assumptions.payout_share: {values: [0.5, 1.0]}\n",
    )


def test_a_point_is_exactly_simulate_and_summarize_of_its_scenario(tmp_path: Path) -> None:
    """Re-costing shared worlds for lever points gives what a fresh simulation gives."""
    sweep = load_sweep(grid_file(tmp_path))
    job = Evaluation(sweep.base, sweep.problem.inputs, sweep.draws, sweep.seed, sweep.outputs)
    assert job.reuses_worlds
    points = sweep.points()[:4]  # two pairs of lever points sharing their worlds
    rows = run_batch(job, points).rows
    for (_, values), row in zip(points, rows, strict=True):
        scenario = problem.apply(sweep.base, sweep.problem.inputs, values)
        s = summarize(simulate(scenario, draws=sweep.draws, seed=sweep.seed))
        assert row["targets.online_retail.p_met"] == s.targets.online_retail.p_met
        assert row["p_all_met"] == s.p_all_met
        assert row["budget.total.p90"] == s.budget.total.p90
        assert row["budget.by_year.2024.p90"] == s.budget.by_year["2024"].p90
        assert row["targets.online_retail.p50"] == s.targets.online_retail.p50


def test_a_lever_point_with_observed_figures_is_simulate_of_its_scenario(tmp_path: Path) -> None:
    """Observed figures weight the worlds (the default ``conditioning: weight``): a lever
    point re-costed from drawn worlds showed them pinned instead (parks' P(met) 0.8765, as
    ``--conditioning pin`` gives, where ``sbqw simulate --observed`` gives 0.8095)."""
    write(
        tmp_path / "observed.csv",
        "year,indicator,value,source\n2023,online_retail,7.2e10,test\n"
        "2023,recognized.park,3,test\n2023,recognized.enterprise,160,test\n",
    )
    sweep = load_sweep(
        write(
            tmp_path / "observed.yaml",
            f"name: observed\nbase: {BASELINE.as_posix()}\nobserved: observed.csv\nmode: grid\n"
            "draws: 1000\nseed: 0\nfactors:\n  assumptions.payout_share: {values: [0.5, 1.0]}\n",
        )
    )
    job = Evaluation(sweep.base, sweep.problem.inputs, sweep.draws, sweep.seed, sweep.outputs)
    assert job.reuses_worlds, "weighed once with the drawn worlds, then re-costed"
    points = sweep.points()
    rows = run_batch(job, points).rows
    for (_, values), row in zip(points, rows, strict=True):
        scenario = problem.apply(sweep.base, sweep.problem.inputs, values)
        assert scenario.conditioning == "weight" and len(scenario.observations) == 3
        s = summarize(simulate(scenario, draws=sweep.draws, seed=sweep.seed))
        assert s.conditioning is not None and s.conditioning["method"] == "weight"
        assert row["targets.parks.p_met"] == s.targets.parks.p_met
        assert row["p_all_met"] == s.p_all_met
        assert row["budget.total.p95"] == s.budget.total.p95
        # the standard errors count the effective draws, as the summary's do (not all 1,000)
        ess = s.conditioning["effective_draws"]
        assert ess < sweep.draws / 2
        for t in ("parks", "online_retail"):
            p = s.targets[t].p_met
            assert s.targets[t].p_met_se == pytest.approx(math.sqrt(p * (1 - p) / ess))
            assert row[f"targets.{t}.p_met_se"] == s.targets[t].p_met_se
        assert row["p_all_met_se"] == s.p_all_met_se
        p = s.p_recognition_met
        assert s.p_recognition_met_se == pytest.approx(math.sqrt(p * (1 - p) / ess))
        assert row["p_recognition_met_se"] == s.p_recognition_met_se


@pytest.mark.parametrize("command", ["simulate", "report", "sensitivity", "discover"])
def test_every_observed_option_says_that_the_figures_weight_the_worlds(command: str) -> None:
    """``sensitivity --observed`` was 'observed figures … that replace draws': they weight
    the worlds, as on every other command (only a 2022 figure fixes its uncertainty)."""
    from sbqw_model.cliutil import OBSERVED_HELP

    code, text, _ = sbqw(command, "--help")
    assert code == 0
    assert OBSERVED_HELP in " ".join(text.split()), text
    assert "replace draws" not in " ".join(text.split())


def test_points_share_their_draws(tmp_path: Path) -> None:
    """Common random numbers: fixing a lever leaves every world's targets as they were."""
    base = load_scenario(BASELINE)
    inputs = (problem.resolve("assumptions.payout_share", base),)
    low = simulate(problem.apply(base, inputs, (0.5,)), draws=500, seed=1)
    high = simulate(problem.apply(base, inputs, (1.0,)), draws=500, seed=1)
    assert (low.targets["online_retail"] == high.targets["online_retail"]).all()
    assert (low.outlay.total <= high.outlay.total).all()


def test_batches_and_order_do_not_change_a_row(tmp_path: Path) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    job = Evaluation(sweep.base, sweep.problem.inputs, sweep.draws, sweep.seed, sweep.outputs)
    points = sweep.points()
    together = run_batch(job, points).rows
    apart = [row for p in reversed(points) for row in run_batch(job, [p]).rows]
    assert together == sorted(apart, key=lambda r: r["point"])


def test_result_table_is_tidy_and_documented(tmp_path: Path) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    run = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    table = read_table(run.path)
    assert run.path.name == "results.parquet"
    assert list(table.columns) == sweep.columns
    assert list(table["point"]) == list(range(12))
    assert set(STANDARD_OUTPUTS) <= set(table.columns)
    assert ((table["p_all_met"] >= 0) & (table["p_all_met"] <= 1)).all()
    meta = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    assert meta["name"] == "test_grid" and meta["points"] == 12 and meta["seed"] == 3
    assert not (tmp_path / "out" / "parts").exists(), "parts are folded into the final table"


def test_parquet_table_says_which_sweep_produced_it(tmp_path: Path) -> None:
    """A results.parquet copied out of its folder was anonymous: sweep, base, seed and version
    were only in sweep.json beside it. pandas now reads them back as ``attrs["sbqw"]``."""
    from sbqw_model import __version__

    sweep = load_sweep(grid_file(tmp_path))
    run = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    meta = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    got = pd.read_parquet(run.path).attrs["sbqw"]
    assert got["name"] == "test_grid" and got["seed"] == 3 and got["draws"] == 600
    assert got["mode"] == "grid" and got["points"] == 12 and got["sbqw_version"] == __version__
    assert got["base"] == meta["base"] and got["digest"] == meta["digest"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_resume_gives_the_uninterrupted_table(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    whole = run_sweep(sweep, tmp_path / "whole", fmt=fmt, workers=1, progress=False)

    calls = {"n": 0}
    real = cluster.run_batch

    def interrupted(job, batch):  # the third batch never finishes: Ctrl-C
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(job, batch)

    monkeypatch.setattr(cluster, "batches", lambda points, workers: [[p] for p in points])
    monkeypatch.setattr(cluster, "run_batch", interrupted)
    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, fmt=fmt, workers=1, progress=False)
    assert len(list((out / "parts").iterdir())) == 2, "finished batches were saved"
    assert not (out / f"results.{fmt}").exists()

    monkeypatch.setattr(cluster, "run_batch", real)
    code, _, err = sbqw("sweep", sweep.path, "--out", out)  # forgot --resume
    assert code == 2 and "add --resume to continue it" in err
    run = run_sweep(sweep, out, fmt=fmt, resume=True, workers=1, progress=False)
    assert (run.computed, run.resumed) == (10, 2)
    pd.testing.assert_frame_equal(read_table(run.path), read_table(whole.path))
    assert run.path.read_bytes() == whole.path.read_bytes()

    again = run_sweep(sweep, out, fmt=fmt, resume=True, workers=1, progress=False)
    assert again.computed == 0, "resuming a finished sweep recomputes nothing"


def test_resume_refuses_another_sweeps_folder(tmp_path: Path) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1, progress=False)
    other = write(
        tmp_path / "other.yaml", grid_file(tmp_path).read_text().replace("seed: 3", "seed: 4")
    )
    code, _, err = sbqw("sweep", other, "--out", out, "--resume")
    assert code == 2 and "holds results of a different sweep" in err


def test_sweep_on_a_real_local_cluster_matches_this_process(tmp_path: Path) -> None:
    """Two worker processes, batches in any order: the same table as one process."""
    import dask
    from distributed import Client, LocalCluster

    path = write(
        tmp_path / "latin.yaml",
        f"base: {ONE_DRIVER.as_posix()}\nmode: latin\npoints: 24\ndraws: 500\nseed: 7\nfactors:\n"
        "  uncertainties.online_retail.growth: {low: 0.05, high: 0.25}\n"
        "  assumptions.payout_share: {low: 0.5, high: 1.0}\n",
    )
    sweep = load_sweep(path)
    alone = run_sweep(sweep, tmp_path / "alone", workers=1, progress=False)
    with (
        dask.config.set({"temporary-directory": str(tmp_path / "dask")}),  # its lock files
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(tmp_path / "dask"),
        ) as local,
        Client(local) as client,
    ):
        run = run_sweep(sweep, tmp_path / "cluster", client=client, progress=False)
        used = client.run(lambda: 1)
        # and as a user reaches their own cluster: by its address
        code, out, err = sbqw(
            "sweep", path, "--out", tmp_path / "remote", "--scheduler", local.scheduler_address
        )
    assert len(used) == 2
    assert code == 0, err
    assert "24 points (24 computed now, 0 resumed)" in out
    pd.testing.assert_frame_equal(read_table(run.path), read_table(alone.path))
    remote = read_table(tmp_path / "remote" / "results.parquet")
    pd.testing.assert_frame_equal(remote, read_table(alone.path))


def test_tiny_jobs_stay_in_this_process() -> None:
    assert cluster.is_tiny(20, 500) and not cluster.is_tiny(5120, 500)
    sizes = [len(b) for b in cluster.batches(list(enumerate(range(5120))), 2)]
    assert max(sizes) == cluster.MAX_BATCH and sum(sizes) == 5120
    assert [len(b) for b in cluster.batches(list(enumerate(range(10))), 2)] == [2] * 5


def test_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    path = write(
        tmp_path / "s.yaml",
        f"base: {LEVERS.as_posix()}\nmode: grid\nfactors:\n"
        "  assumptions.payout_share: {values: [0.5, 1.0]}\n",
    )
    code, _, err = sbqw("sweep", path, "--out", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "cannot reach a Dask scheduler" in err
    assert not (tmp_path / "o").exists()


def test_dask_is_silenced_only_while_a_stopped_runs_cluster_closes() -> None:
    """Torn down under a Ctrl-C, Dask's scheduler logged a traceback per lost connection; the
    switch silences it, and its loggers' levels come back once the block (the cluster) ends,
    so a notebook's later clusters log as usual."""
    import logging

    from sbqw_model.research.cluster import _quiet_when_stopped

    dask_log = logging.getLogger("distributed")
    before = dask_log.level
    with _quiet_when_stopped() as quiet:
        assert dask_log.isEnabledFor(logging.ERROR), "a run not stopped logs as usual"
        quiet()
        assert not dask_log.isEnabledFor(logging.CRITICAL)
        assert not logging.getLogger("asyncio").isEnabledFor(logging.CRITICAL)
    assert dask_log.level == before


def test_the_embedded_cluster_leaves_dasks_default_port_alone() -> None:
    """Its scheduler's HTTP server (health, metrics) listens on a free local port: on Dask's
    default 8787, a second sweep running at the same time printed "Port 8787 is already in
    use". Here 8787 is held (by this test, or by whatever already holds it)."""
    import socket
    import warnings

    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with contextlib.suppress(OSError):  # already taken: held all the same
        holder.bind(("127.0.0.1", DASK_DEFAULT_PORT))
        holder.listen()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # not only once per place
            with cluster.local_cluster(1) as client:
                sockets = client.cluster.scheduler.http_server._sockets  # tornado's listeners
                bound = {s.getsockname()[:2] for s in sockets.values()}
    finally:
        holder.close()
    assert not [str(w.message) for w in caught if str(DASK_DEFAULT_PORT) in str(w.message)]
    assert bound and all(host == "127.0.0.1" for host, _ in bound), bound
    assert all(p != DASK_DEFAULT_PORT for _, p in bound)

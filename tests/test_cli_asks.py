"""What a command is asked to do must happen, or be refused in one line before any work: a flag
that would do nothing is not silently dropped, a scenario given twice is one report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from sbqw_model import cli

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
OBSERVED = ROOT / "observations" / "example.csv"


def _refused(args: list[object], tmp_path: Path, *words: str) -> None:
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sbqw: error: "), done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.parametrize("command", ["simulate", "report"])
def test_conditioning_without_observed_figures_is_refused(command: str, tmp_path: Path) -> None:
    """``--conditioning pin`` on a scenario with no figures changed nothing; a report found
    out in its notebook, as a failed report."""
    args = [command, BASELINE, "--conditioning", "pin", "--draws", 20, "--out", tmp_path / "o"]
    _refused(args, tmp_path, "--conditioning pin", "no observed figures", "--observed FILE")


def test_conditioning_with_observed_figures_runs(capsys: pytest.CaptureFixture) -> None:
    args = ["simulate", str(BASELINE), "--observed", str(OBSERVED), "--conditioning", "pin"]
    assert cli.main([*args, "--draws", "50", "--format", "json"]) == 0
    assert '"method": "pin"' in capsys.readouterr().out


def test_a_comparison_of_one_scenario_is_refused(tmp_path: Path) -> None:
    _refused(["report", BASELINE, "--compare", "--out", tmp_path / "o"], tmp_path, "--compare")


def test_a_comparison_of_one_file_named_twice_names_both_spellings(tmp_path: Path) -> None:
    """``sbqw report baseline baseline.yaml --compare`` said "got one" of two names given: it
    says they are one file, as the comparison notebook does."""
    args = ["report", "baseline", "baseline.yaml", "--compare", "--out", tmp_path / "o"]
    _refused(args, tmp_path, "--compare: baseline, baseline.yaml are one file (", "baseline.yaml)")


def test_sensitivity_reports_with_observed_figures_are_refused(tmp_path: Path) -> None:
    """``sbqw report baseline --sensitivity --observed …``: the sensitivity notebook has no
    observations, so its reports silently ignored them; refused, naming the command that
    uses them."""
    args = ["report", "baseline", "--sensitivity", "--observed", OBSERVED]
    _refused([*args, "--out", tmp_path / "o"], tmp_path, "--sensitivity with --observed")
    _refused(
        [*args, "--out", tmp_path / "o"],
        tmp_path,
        f"sbqw sensitivity SCENARIO --observed {OBSERVED}",
    )


def test_a_scenario_given_twice_is_one_report(tmp_path: Path) -> None:
    out = tmp_path / "o"
    done = run_cli("report", "baseline", BASELINE, "baseline", "--draws", 50, "--out", out)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.html")) == ["baseline.html", "index.html"]
    assert "1 report(s) written" in done.stdout + done.stderr


def test_assumptions_show_values_as_they_are_written(capsys: pytest.CaptureFixture) -> None:
    """``--assume revoked_repay=false``, not ``False`` (a Python word in a user's listing)."""
    assert cli.main(["assumptions"]) == 0
    out = capsys.readouterr().out
    assert "revoked_repay (default false; one of false, true;" in out
    assert "False" not in out and "True" not in out


def test_assumptions_give_the_name_a_report_shows(capsys: pytest.CaptureFixture) -> None:
    """A report names a reading only in words (支付比例, 销售额奖励计发方式); the listing gives
    those words beside the key ``--assume`` takes, so a reader can switch what they read."""
    assert cli.main(["assumptions"]) == 0
    out = capsys.readouterr().out
    assert "payout_share (default 1.0;" in out and "\n    支付比例 · payout share\n" in out
    assert "\n    销售额奖励计发方式 · sales award mode\n" in out


@pytest.mark.parametrize("flag", ["--jobs", "--seed"])
def test_a_count_that_is_not_a_number_says_so_plainly(flag: str, capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["report", "baseline", flag, "abc"])
    err = capsys.readouterr().err
    assert f"argument {flag}: expected a whole number (2e4 reads as 20000), got 'abc'" in err


def test_cost_with_nothing_to_cost_has_one_prefix(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["cost"]) == 2
    assert capsys.readouterr().err == (
        "sbqw: error: nothing to cost: give --recognitions, --sales or both\n"
    )


def test_a_scenario_given_through_a_link_is_one_report(tmp_path: Path) -> None:
    """``a.yaml`` and ``b.yaml``, a symbolic link to it, are one file: the run rendered it
    twice (austerity, austerity-2), then its comparison failed in its notebook, which reads
    each file by its resolved path ("a.yaml given twice; list each scenario once")."""
    from sbqw_model.reporting.batch import jobs_for

    a = tmp_path / "a.yaml"
    a.write_text("name: a\ntitle_zh: 甲\ntitle_en: A\nextends: baseline\n", encoding="utf-8")
    (tmp_path / "b.yaml").symlink_to(a.name)
    files = [BASELINE, a, tmp_path / "b.yaml"]
    common = {"draws": 10, "seed": 0, "pdf": False, "assume": {}, "lang": "zh"}
    jobs = jobs_for(files, tmp_path / "out", compare=True, **common)
    assert [j.name for j in jobs] == ["baseline", "a", "compare-baseline-a"]
    assert jobs[-1].parameters["scenario_files"] == [str(BASELINE.resolve()), str(a.resolve())]

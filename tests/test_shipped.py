"""Shipped scenarios, notebooks and sweeps are found by name from any folder; copies to edit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from sbqw_model import shipped
from sbqw_model.errors import InputError
from sbqw_model.scenario import load_scenario

SHIPPED = sorted(p.stem for p in (ROOT / "sbqw_model" / "scenarios").glob("*.yaml"))


def test_shipped_scenarios_are_inside_the_package_baseline_first() -> None:
    paths = shipped.shipped_scenarios()
    assert paths[0].stem == "baseline"
    assert sorted(p.stem for p in paths) == SHIPPED and len(SHIPPED) >= 6
    assert all(p.parent == ROOT / "sbqw_model" / "scenarios" for p in paths)
    for name in ("scenario_report", "compare_scenarios", "explore_budget", "sensitivity"):
        assert shipped.notebook_path(name).is_file()
    assert {p.stem for p in shipped.shipped_sweeps()} >= {"growth_latin", "frontier_levers"}


def test_scenario_path_by_name_by_path_and_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert shipped.scenario_path("optimistic") == shipped.SCENARIO_DIR / "optimistic.yaml"
    assert shipped.scenario_path("optimistic.yaml") == shipped.SCENARIO_DIR / "optimistic.yaml"
    mine = tmp_path / "optimistic.yaml"  # a user's own file of the same name wins
    mine.write_text("name: x\n", encoding="utf-8")
    assert shipped.scenario_path("optimistic.yaml") == Path("optimistic.yaml")
    with pytest.raises(InputError) as info:
        shipped.scenario_path("optimistc")
    (line,) = info.value.problems
    assert "optimistc: no such scenario file" in line and "did you mean `optimistic`" in line
    assert all(name in line for name in SHIPPED)
    with pytest.raises(InputError):
        shipped.scenario_path("sub/baseline.yaml")  # a path that does not exist is not a name
    (tmp_path / "mine.yaml").write_text("name: mine\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"did you mean the file `mine.yaml`"):
        shipped.scenario_path("mine")  # a bare name is a shipped one; the file is named


def test_sweeps_start_from_a_shipped_scenario_by_name() -> None:
    from sbqw_model.research.sweep import load_sweep

    sweep = load_sweep(shipped.sweep_path("frontier_levers"))
    assert sweep.base.name == "optimistic"
    assert sweep.base.path == shipped.SCENARIO_DIR / "optimistic.yaml"


def test_cli_scenarios_lists_names_titles_and_a_line_each() -> None:
    done = run_cli("scenarios")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("baseline") and "基准情景 / Baseline" in lines[0]
    for name in SHIPPED:
        scenario = load_scenario(shipped.scenario_path(name))
        (row,) = [i for i, x in enumerate(lines) if x.split()[0:1] == [name]]
        assert f"{scenario.title_zh} / {scenario.title_en}" in lines[row]
        assert lines[row + 1].strip(), f"{name}: a one-line description"
        assert lines[row + 1].strip() in " ".join(scenario.describe("zh").split())
    english = run_cli("scenarios", "--lang", "en").stdout
    assert "Online retail keeps close to Guizhou" in english
    # a variant says what it assumes after its semicolon: the line keeps it (to the full stop)
    assert "Same outside conditions as the baseline; every award and subsidy is paid at 50 %" in (
        english
    )
    assert "outside conditions as the baseline\n" not in english


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("A; b. C.", "A; b."),
        ("外部环境相同；按50%支付。其余同上。", "外部环境相同；按50%支付。"),
        ("No stop at all", "No stop at all"),
        ("Ends here.", "Ends here."),
        ("Pays 50 %. Then", "Pays 50 %."),
        ("甲。b. c", "甲。"),
    ],
)
def test_a_scenario_line_is_its_first_full_sentence(text: str, first: str) -> None:
    assert shipped._first_sentence(text) == first


def test_simulate_by_shipped_name_from_another_folder(tmp_path: Path) -> None:
    done = run_cli("simulate", "pessimistic", "--draws", 50, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"scenario": "pessimistic"' in done.stdout or "pessimistic" in done.stdout
    wrong = run_cli("simulate", "pesimistic", "--draws", 50, cwd=tmp_path)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "did you mean `pessimistic`" in wrong.stderr


def test_new_scenario_writes_an_editable_copy_that_extends_the_base(tmp_path: Path) -> None:
    done = run_cli("new-scenario", "mine", "--from", "austerity", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "mine.yaml"
    text = target.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    assert raw["extends"] == "austerity" and raw["name"] == "mine"
    assert "#     payout_share: 0.5" in text, "levers listed with the base's current values"
    assert "#     traffic.rate:" in text and "§四(二)3" in text
    mine, base = load_scenario(target), load_scenario(shipped.scenario_path("austerity"))
    assert mine.assumptions == base.assumptions and mine.uncertainties == base.uncertainties
    # uncommenting one lever (with its group lines) changes just that lever
    edited = (
        text.replace("# levers:", "levers:")
        .replace("#   assumptions:", "  assumptions:")
        .replace("#     payout_share: 0.5", "    payout_share: 0.7")
    )
    target.write_text(edited, encoding="utf-8")
    assert load_scenario(target).assumptions.payout_share == 0.7
    # and the copy renders by path from its folder (simulate stands in for report here)
    assert run_cli("simulate", "mine.yaml", "--draws", 20, cwd=tmp_path).returncode == 0


def test_new_scenario_refuses_to_overwrite_and_bad_names(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("keep me\n", encoding="utf-8")
    done = run_cli("new-scenario", "mine", cwd=tmp_path)
    assert done.returncode == 2 and "already exists" in done.stderr
    assert (tmp_path / "mine.yaml").read_text(encoding="utf-8") == "keep me\n"
    for bad in ("../escape", "a/b", ".hidden", ""):
        done = run_cli("new-scenario", bad, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, bad
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]
    unknown = run_cli("new-scenario", "x", "--from", "nosuch", cwd=tmp_path)
    assert unknown.returncode == 2 and "not a shipped scenario" in unknown.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_new_scenario_from_a_file_extends_it_by_relative_path(tmp_path: Path) -> None:
    sub = tmp_path / "mine"
    sub.mkdir()
    assert run_cli("new-scenario", "first", cwd=tmp_path).returncode == 0
    done = run_cli("new-scenario", "second", "--from", "../first.yaml", cwd=sub)
    assert done.returncode == 0, done.stderr
    raw = yaml.safe_load((sub / "second.yaml").read_text(encoding="utf-8"))
    assert raw["extends"] == "../first.yaml"
    assert load_scenario(sub / "second.yaml").name == "second"


@pytest.mark.parametrize(
    "title",
    [
        "Plan B: half payout",  # a colon: plain YAML would read a mapping
        "贵州\nlevers: {assumptions: {payout_share: 0.01}} #",  # a line break: a new key
        "'quoted' \"both\" # not a comment",
        "- a list item?",
    ],
)
def test_new_scenario_copies_any_title_as_text_never_as_yaml(tmp_path: Path, title: str) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(
        yaml.safe_dump(
            {"name": "base", "title_zh": title, "title_en": title, "extends": "baseline"},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    done = run_cli("new-scenario", "copy", "--from", "base.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = load_scenario(tmp_path / "copy.yaml")
    assert copy.assumptions == load_scenario(base).assumptions, "nothing injected"
    raw = yaml.safe_load((tmp_path / "copy.yaml").read_text(encoding="utf-8"))
    assert set(raw) == {"name", "title_zh", "title_en", "description_zh", "description", "extends"}
    assert title in raw["description_zh"] and title in raw["description"]


def test_new_scenario_refuses_a_shipped_name(tmp_path: Path) -> None:
    """A baseline.yaml here would extend itself, and hide the shipped one from its neighbours."""
    done = run_cli("new-scenario", "baseline", cwd=tmp_path)
    assert done.returncode == 2 and "shipped scenario" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["Baseline", "TRAFFIC_excess"])
def test_new_scenario_refuses_a_shipped_name_in_other_letter_case(
    tmp_path: Path, name: str
) -> None:
    """On a disk that ignores letter case (macOS, Windows) Baseline.yaml is the baseline.yaml
    that ``extends: baseline`` looks for beside the file: it would extend itself."""
    done = run_cli("new-scenario", name, cwd=tmp_path)
    assert done.returncode == 2 and "only in letter case" in done.stderr, done.stderr
    assert f"`extends: {name.lower()}`" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("local", ["baseline.yaml", "baseline.yml"])
def test_new_scenario_from_a_shipped_name_refuses_a_same_named_file_here(
    tmp_path: Path, local: str
) -> None:
    """``--from baseline`` means the shipped baseline (a bare name on the command line), but
    the written ``extends: baseline`` would read a baseline.yaml beside it: the new scenario
    would silently extend the local file, not the scenario whose values its comments show."""
    mine = tmp_path / local
    mine.write_text("name: local\nlevers: {assumptions: {payout_share: 0.3}}\n", encoding="utf-8")
    done = run_cli("new-scenario", "mine", "--from", "baseline", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"{local} here would be read for `extends: baseline`" in line
    assert f"--from {local}" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [local], "nothing written"
    other = run_cli("new-scenario", "mine", "--from", "austerity", cwd=tmp_path)
    assert other.returncode == 0, "another base's name is not shadowed"


def test_notebooks_lists_and_copies_a_shipped_notebook_without_overwriting(
    tmp_path: Path,
) -> None:
    listing = run_cli("notebooks", cwd=tmp_path)
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == sorted(
        p.stem for p in shipped.NOTEBOOK_DIR.glob("*.ipynb")
    )
    done = run_cli("notebooks", "explore_budget", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "explore_budget.ipynb"
    assert copy.read_bytes() == shipped.notebook_path("explore_budget").read_bytes()
    copy.write_text("mine", encoding="utf-8")
    again = run_cli("notebooks", "explore_budget", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert copy.read_text(encoding="utf-8") == "mine"
    wrong = run_cli("notebooks", "../explore_budget", cwd=tmp_path)
    assert wrong.returncode == 2 and "not a shipped notebook" in wrong.stderr

"""Issue 10 class 2: ``extends:`` and a sweep's ``base:`` read only scenario files.

A shipped scenario's name or a regular ``.yaml``/``.yml`` file under 1 MiB is accepted; devices,
pipes, folders, other suffixes, missing files, cycles and chains longer than 8 are refused in one
line naming the file, fast, and a file that is no scenario is named, never echoed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from safety_helpers import BASELINE, HEADER, PLAN, cli, refused, sbqw, scenario

from sbqw_model.errors import InputError
from sbqw_model.limits import MAX_EXTENDS, MAX_YAML_BYTES
from sbqw_model.research.sweep import load_sweep
from sbqw_model.scenario import load_scenario

SECRET = "hunter2-secret"


def problems(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


# --- what a user sees --------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/dev/stdin"])
def test_extends_a_device_is_refused_fast(tmp_path: Path, target: str) -> None:
    child = scenario(tmp_path, "child.yaml", extends=target)
    refused(sbqw("simulate", child, "--draws", 10, timeout=30), target, "child.yaml")


def test_extends_links_and_pipes_named_yaml_are_refused_fast(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.yaml")
    for target in ("zero.yaml", "pipe.yaml"):
        child = scenario(tmp_path, f"via_{target}", extends=target)
        refused(sbqw("simulate", child, timeout=30), target, "not a regular file")


def test_the_scenario_argument_itself_cannot_be_a_device(tmp_path: Path) -> None:
    refused(sbqw("simulate", "/dev/zero", timeout=30), "/dev/zero", ".yaml")
    os.mkfifo(tmp_path / "p.yml")
    refused(sbqw("simulate", tmp_path / "p.yml", timeout=30), "p.yml", "not a regular file")


def test_extends_etc_passwd_names_the_file_and_echoes_nothing(tmp_path: Path) -> None:
    child = scenario(tmp_path, "child.yaml", extends="/etc/passwd")
    err = refused(cli("simulate", child), "/etc/passwd", ".yaml")
    assert "/bin/" not in err and "nologin" not in err


@pytest.mark.parametrize(
    "text",
    [
        f"login: x:0:0\nuser: operator\npassword: {SECRET}\n",  # a mapping without scenario keys
        f"root:x:0:0:root:/root:/bin/bash\ndaemon:{SECRET}:1:1\n",  # passwd-like: one string
        f"- {SECRET}\n- more\n",  # a list
        f"{SECRET}\n",  # a scalar
    ],
    ids=["mapping", "passwd-like", "list", "scalar"],
)
def test_a_yaml_file_that_is_no_scenario_is_never_echoed(tmp_path: Path, text: str) -> None:
    (tmp_path / "secrets.yaml").write_text(text, encoding="utf-8")
    child = scenario(tmp_path, "child.yaml", extends="secrets.yaml")
    err = refused(cli("simulate", child), "secrets.yaml")
    assert SECRET not in err and "operator" not in err and "login" not in err


def test_a_parameter_file_is_not_a_scenario(tmp_path: Path) -> None:
    child = scenario(tmp_path, "child.yaml", extends=str(PLAN))
    err = refused(cli("simulate", child), "plan.yaml is not a scenario file")
    assert "traffic" not in err and "awards" not in err
    refused(cli("simulate", PLAN), "plan.yaml is not a scenario file")


def test_a_sweep_base_is_checked_like_extends(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text(f"password: {SECRET}\n", encoding="utf-8")
    for base, words in [
        ("/dev/zero", ["/dev/zero", "base"]),
        ("secrets.yaml", ["secrets.yaml is not a scenario file"]),
        (".", ["base", "no suffix"]),
    ]:
        sweep = tmp_path / "s.yaml"
        sweep.write_text(
            f"base: {base}\nmode: grid\nfactors: {{assumptions.payout_share: {{values: [1]}}}}\n",
            encoding="utf-8",
        )
        run = sbqw if base.startswith("/dev/") else cli  # a device read could hang
        err = refused(run("sweep", sweep, "--out", tmp_path / "out"), *words)
        assert SECRET not in err
        assert not (tmp_path / "out").exists()


# --- the loader, variant by variant (in-process: fast) -----------------------------------------


def test_a_folder_and_other_suffixes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "notes.txt").write_text(HEADER, encoding="utf-8")
    (tmp_path / "noext").write_text(HEADER, encoding="utf-8")
    assert "is a folder" in problems(scenario(tmp_path, "a.yaml", extends="folder.yaml"))
    assert "got '.txt'" in problems(scenario(tmp_path, "b.yaml", extends="notes.txt"))
    assert "no suffix" in problems(scenario(tmp_path, "c.yaml", extends="/tmp"))
    line = problems(scenario(tmp_path, "d.yaml", extends="missing.yaml"))
    assert "d.yaml: extends: no such scenario file 'missing.yaml'" in line
    assert "expected a scenario name" in problems(scenario(tmp_path, "e.yaml", extends="[1, 2]"))


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(BASELINE.read_text(encoding="utf-8") + "#" * MAX_YAML_BYTES, encoding="utf-8")
    line = problems(scenario(tmp_path, "child.yaml", extends="big.yaml"))
    assert "big.yaml" in line and "1 MiB" in line


def test_cycles_are_refused_naming_the_chain(tmp_path: Path) -> None:
    scenario(tmp_path, "a.yaml", extends="b.yaml")
    scenario(tmp_path, "b.yaml", extends="a")  # by name: the sibling a.yaml
    line = problems(tmp_path / "a.yaml")
    assert "circular" in line and "a.yaml → b.yaml → a.yaml" in line
    scenario(tmp_path, "self.yaml", extends="self.yaml")
    assert "circular" in problems(tmp_path / "self.yaml")


def test_a_chain_of_eight_is_read_and_a_longer_one_refused(tmp_path: Path) -> None:
    def chain(n: int, folder: Path) -> Path:
        for i in range(n - 1):
            scenario(folder, f"c{i}.yaml", extends=f"c{i + 1}.yaml")
        scenario(folder, f"c{n - 1}.yaml", extends=str(BASELINE))
        return folder / "c0.yaml"

    assert load_scenario(chain(MAX_EXTENDS - 1, tmp_path / "ok")).name == "x"  # + baseline
    line = problems(chain(10, tmp_path / "long"))
    assert f"longer than {MAX_EXTENDS} files" in line and "c0.yaml" in line


def test_a_shipped_name_is_the_shipped_file(tmp_path: Path) -> None:
    by_name = load_scenario(scenario(tmp_path, "n.yaml", extends="baseline"))
    by_path = load_scenario(scenario(tmp_path, "p.yaml", extends=str(BASELINE)))
    assert by_name.uncertainties == by_path.uncertainties
    line = problems(scenario(tmp_path, "typo.yaml", extends="baselin"))
    assert "no scenario named 'baselin'" in line and "did you mean `baseline`" in line


def test_a_sibling_file_wins_over_a_shipped_name(tmp_path: Path) -> None:
    half = "levers: {assumptions: {payout_share: 0.5}}\n"
    scenario(tmp_path, "baseline.yaml", half, str(BASELINE))
    child = load_scenario(scenario(tmp_path, "child.yaml", extends="baseline"))
    assert child.assumptions.payout_share == 0.5


def test_relative_paths_are_relative_to_the_extending_file(tmp_path: Path) -> None:
    scenario(tmp_path, "base.yaml", "levers: {assumptions: {payout_share: 0.25}}\n", str(BASELINE))
    scenario(tmp_path / "deep" / "er", "mid.yaml", extends="../../base.yaml")
    top = scenario(tmp_path / "other", "top.yml", extends="../deep/er/mid.yaml")
    assert load_scenario(top).assumptions.payout_share == 0.25
    done = sbqw("simulate", top, "--draws", 10, "--format", "json", cwd=tmp_path / "deep")
    assert done.returncode == 0, done.stderr


def test_a_sweep_base_may_name_a_shipped_scenario(tmp_path: Path) -> None:
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        "base: baseline\nmode: grid\nfactors: {assumptions.payout_share: {values: [0.5, 1]}}\n",
        encoding="utf-8",
    )
    assert load_sweep(sweep).base.uncertainties == load_scenario(BASELINE).uncertainties


def test_a_parameter_file_is_read_with_the_same_care(tmp_path: Path) -> None:
    (tmp_path / "pw.yaml").write_text(f"login: x\npassword: {SECRET}\n", encoding="utf-8")
    (tmp_path / "text.yaml").write_text(f"{SECRET}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    for target, words in [
        ("/dev/zero", ["/dev/zero", ".yaml"]),
        (tmp_path / "pipe.yaml", ["pipe.yaml", "not a regular file"]),
        (tmp_path / "pw.yaml", ["pw.yaml is not a parameter file"]),
        (tmp_path / "text.yaml", ["text.yaml is not a parameter file"]),
        (BASELINE, ["baseline.yaml is not a parameter file"]),
    ]:
        run = sbqw if "pipe" in str(target) or "/dev/" in str(target) else cli  # may hang
        done = run("cost", "--parameters", target, "--recognitions", tmp_path / "r.csv")
        err = refused(done, *words)
        assert SECRET not in err and "login" not in err

"""Issue 10 class 3: small inputs that would exhaust memory are refused fast, in one line.

YAML alias bombs (mappings, lists, merge keys, keys), deep nesting and recursive aliases are
measured while loading, never built; a run's memory is estimated from draws × firms before any
world is drawn, with a value that fits; ``--draws`` and ``--jobs`` are bounded.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from safety_helpers import BASELINE, HEADER, cli, refused, sbqw, scenario

from sbqw_model.engine import simulate
from sbqw_model.errors import InputError
from sbqw_model.limits import (
    MAX_TABLE_BYTES,
    MAX_XLSX_UNPACKED,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    cap_jobs,
    memory_limit,
)
from sbqw_model.memory import chunk_worlds
from sbqw_model.scenario import load_scenario
from sbqw_model.worlds import BLOCK
from sbqw_model.yamlio import safe_load


def mapping_bomb(levels: int = 40) -> str:
    lines = ["uncertainties:", "  a0: &a0 {k: v, j: w}"]
    lines += [f"  a{i}: &a{i} {{x: *a{i - 1}, y: *a{i - 1}}}" for i in range(1, levels)]
    return HEADER + "\n".join(lines) + "\n"


def list_bomb(levels: int = 40) -> str:
    lines = ["levers:", "  assumptions:", "    l0: &l0 [lol, lol]"]
    lines += [f"    l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, levels)]
    return HEADER + "\n".join(lines) + "\n"


def wide_bomb() -> str:
    """Nine aliases a level, nested block mappings: ~9^8 values from a few hundred bytes."""
    lines = ["observations:", "  b0: &b0 {v: 1}"]
    for i in range(1, 9):
        inner = ", ".join(f"k{j}: *b{i - 1}" for j in range(9))
        lines.append(f"  b{i}: &b{i} {{{inner}}}")
    return HEADER + "\n".join(lines) + "\n"


def merge_bomb(levels: int = 30) -> str:
    lines = ["uncertainties:", "  m0: &m0 {a: 1, b: 2}"]
    lines += [
        f"  m{i}: &m{i} {{<<: [*m{i - 1}], n{i}: {{<<: *m{i - 1}}}, o{i}: *m{i - 1}}}"
        for i in range(1, levels)
    ]
    return HEADER + "\n".join(lines) + "\n"


def key_bomb(levels: int = 40) -> str:
    lines = ["k0: &k0 [a, b]"]
    lines += [f"k{i}: &k{i} {{? [*k{i - 1}, *k{i - 1}] : 1}}" for i in range(1, levels)]
    return HEADER + "\n".join(lines) + "\n"


BOMBS = {
    "mapping": mapping_bomb(),
    "list": list_bomb(),
    "wide": wide_bomb(),
    "merge": merge_bomb(),
    "key": key_bomb(),
}


@pytest.mark.parametrize("name", ["mapping", "list"])
def test_a_7_kb_alias_bomb_is_refused_through_the_cli(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    text = BOMBS[name] + "# padding to the size of the reported file\n" * 140
    path.write_text(text, encoding="utf-8")
    assert 6_000 < path.stat().st_size < 8_000
    refused(sbqw("simulate", path, timeout=30), f"{name}.yaml", "once aliases are expanded")


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_every_shape_of_alias_bomb_is_refused_while_loading(name: str) -> None:
    with pytest.raises(InputError) as info:
        safe_load(BOMBS[name], "bomb.yaml")
    (line,) = info.value.problems
    assert line.startswith("bomb.yaml: line ") and f"more than {MAX_YAML_NODES:,}" in line


def test_a_bomb_via_extends_names_the_base(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(mapping_bomb(), encoding="utf-8")
    child = scenario(tmp_path, "child.yaml", extends="bomb.yaml")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    (line,) = info.value.problems
    assert "child.yaml: extends: " in line and "bomb.yaml: line" in line


def test_aliases_that_do_not_explode_still_load() -> None:
    text = "a: &a {x: 1, y: [1, 2]}\nb: *a\nc: [*a, *a, *a]\nd: {<<: *a, z: 3}\n"
    data = safe_load(text, "ok.yaml")
    assert data["c"][2] == {"x": 1, "y": [1, 2]} and data["d"]["z"] == 3


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 200 + "]" * 200 + "\n",
        "a: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
        "\n".join("  " * i + "k:" for i in range(100)) + " 1\n",
        "a: &a [1]\n" + "".join(f"l{i}: &l{i} [*{f'l{i - 1}' if i else 'a'}]\n" for i in range(40)),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "aliased-chain"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        safe_load(text, "deep.yaml")
    (line,) = info.value.problems
    assert f"deeper than {MAX_YAML_DEPTH} levels" in line


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",
        "levers:\n  assumptions:\n    payout_share: 0.5\n    payout_share: 0.1\n",
        "x: [{k: 1, k: 2}]\n",
        "1: a\n1: b\n",
    ],
)
def test_a_key_written_twice_is_refused_not_silently_overridden(text: str) -> None:
    with pytest.raises(InputError, match="written twice") as exc:
        safe_load(text, "s.yaml")
    assert exc.value.problems[0].startswith("s.yaml: line ")


def test_a_merge_may_still_be_overridden() -> None:
    data = safe_load("b: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 5\n", "s.yaml")
    assert data["d"] == {"x": 5, "y": 2}


def test_deep_nesting_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(HEADER + "uncertainties: " + "[" * 50_000 + "]" * 50_000 + "\n")
    refused(sbqw("simulate", path, timeout=30), "deep.yaml", "deeper than")


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {b: [1, {c: *a}]}\n"])
def test_a_recursive_alias_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="recursive alias"):
        safe_load(text, "r.yaml")


# --- draws × firms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draws", "words"),
    [
        ("10^12", ["--draws", "whole number", "'10^12'"]),
        ("0", ["--draws", "≥ 1"]),
        ("-3", ["--draws", "≥ 1"]),
        ("1.5", ["--draws", "whole number"]),
        ("many", ["--draws", "whole number"]),
        ("1e12", ["--draws 1,000,000,000,000 needs", "TiB", "draws fit"]),
        (str(10**100), ["--draws", "needs", "draws fit"]),
    ],
)
def test_absurd_draws_are_one_line_exit_2(draws: str, words: list[str]) -> None:
    refused(cli("simulate", BASELINE, f"--draws={draws}"), *words)


@pytest.mark.parametrize("command", ["discover", "sensitivity", "report"])
def test_other_commands_refuse_huge_draws_before_running(tmp_path: Path, command: str) -> None:
    args = [command, BASELINE, "--draws", "1e12"]
    if command == "report":
        args += ["--out", tmp_path / "out"]
    refused(cli(*args), "--draws 1,000,000,000,000 needs")
    assert not (tmp_path / "out").exists()


FEW_UNITS = "uncertainties:\n  recognition:\n" + "".join(
    f"    {c}: {{applications: {{dist: fixed, value: 2, source: s}}}}\n"
    for c in ("park", "base", "enterprise", "team")
)


def test_the_value_offered_for_draws_runs(tmp_path: Path) -> None:
    few = scenario(tmp_path, "few.yaml", FEW_UNITS)  # a block of worlds fits in 70 MiB
    env = {"SBQW_MEMORY_LIMIT": "70M"}  # a block: ~33 MiB (287 firms a world at most)
    err = refused(sbqw("simulate", few, "--draws", "100000", env=env), "70 MiB", "draws fit")
    fits = int(re.search(r"at most ([\d,]+) draws fit", err).group(1).replace(",", ""))
    assert 1_000 < fits < 100_000
    done = sbqw("simulate", few, "--draws", fits, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr[-1000:]


@pytest.mark.parametrize(
    ("body", "observed"),
    [
        (  # every application of every year approved: the supply is the bound
            "uncertainties:\n  recognition:\n    park:\n"
            "      applications: {dist: fixed, value: 1.0e+5, source: s}\n"
            "      approval_probability: {dist: fixed, value: 1.0, source: s}\n"
            "levers:\n  recognition: {strategy: all_qualified}\n",
            None,
        ),
        ("", "year,indicator,value,source\n2023,recognized.park,1e5,x\n"),  # a pinned count
    ],
)
def test_recognized_units_that_cannot_fit_are_refused_before_drawing(
    tmp_path: Path, body: str, observed: str | None
) -> None:
    """Units, like firms, are held for a block of worlds: 100 000 parks a world is ~5 GiB a
    block. Refused at once, naming the cause, not after minutes of growing memory."""
    path = scenario(tmp_path, "units.yaml", body)
    extra: list[object] = []
    if observed is not None:
        (tmp_path / "o.csv").write_text(observed, encoding="utf-8")
        extra = ["--observed", tmp_path / "o.csv", "--conditioning", "pin"]
    err = refused(cli("simulate", path, "--draws", 200, *extra), "recognized units", "GiB")
    assert "units per world fit" in err


def test_the_baselines_merchant_count_is_refused_naming_the_setting(tmp_path: Path) -> None:
    body = "uncertainties:\n  firms:\n    count: {dist: uniform, low: 100000, high: 150000}\n"
    path = scenario(tmp_path, "merchants.yaml", body)
    err = refused(cli("simulate", path, "--draws", 500), "uncertainties.firms.count", "GiB")
    fits = int(re.search(r"at most ~([\d,]+) firms", err).group(1).replace(",", ""))
    assert 1_000 < fits < 150_000


def test_a_bad_memory_limit_is_one_line() -> None:
    refused(cli("simulate", BASELINE, env={"SBQW_MEMORY_LIMIT": "lots"}), "SBQW_MEMORY_LIMIT")


def test_a_sweep_whose_points_cannot_fit_is_refused_before_running(tmp_path: Path) -> None:
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        f"base: {BASELINE}\nmode: grid\ndraws: 1000000000000\n"
        "factors: {assumptions.payout_share: {values: [0.5, 1]}}\n",
        encoding="utf-8",
    )
    refused(cli("sweep", sweep, "--out", tmp_path / "o"), "s.yaml: draws", "draws fit")
    sweep.write_text(
        f"base: {BASELINE}\nmode: grid\n"
        "factors: {uncertainties.firms.count: {values: [100, 1000000]}}\n",
        encoding="utf-8",
    )
    refused(cli("sweep", sweep, "--out", tmp_path / "o"), "point 1", "firms.count")
    assert not (tmp_path / "o").exists()


def test_a_smaller_chunk_never_changes_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    base = load_scenario(BASELINE)
    wide = simulate(base, draws=1_200, seed=3)
    monkeypatch.setenv("SBQW_MEMORY_LIMIT", "1M")  # every chunk shrinks to one block
    assert memory_limit() == 1 << 20 and chunk_worlds(base, 10 * BLOCK) == BLOCK
    with pytest.raises(InputError):  # and the run itself no longer fits
        simulate(base, draws=1_200, seed=3)
    monkeypatch.setenv("SBQW_MEMORY_LIMIT", "400M")  # a block of the baseline's worlds fits
    assert chunk_worlds(base, 10 * BLOCK) < 10 * BLOCK
    narrow = simulate(base, draws=1_200, seed=3)
    assert np.array_equal(wide.outlay.total, narrow.outlay.total)
    assert np.array_equal(wide.targets["online_retail"], narrow.targets["online_retail"])


# --- parallel jobs ------------------------------------------------------------------------------


def test_jobs_are_capped_at_tasks_and_cpus() -> None:
    assert cap_jobs(64, 3) <= 3 and cap_jobs(64, 0) == 1 and cap_jobs(1, 10) == 1


def test_report_jobs_are_capped_at_the_reports_and_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """More workers than reports or CPUs only cost memory (a process each)."""
    from sbqw_model import limits

    monkeypatch.setattr(limits.os, "cpu_count", lambda: 2)
    assert limits.cap_jobs(64, 1) == 1
    assert limits.cap_jobs(64, 7) == 2
    assert limits.cap_jobs(1, 7) == 1
    assert limits.cap_jobs(0, 7) == 1


@pytest.mark.parametrize(
    ("args", "fit"),
    [(["--n", "1073741824"], "(e.g. --n 32768)"), (["--method", "morris", "--n", "1e8"], "")],
)
def test_a_sensitivity_sample_too_large_is_refused_before_sampling(
    args: list[str], fit: str
) -> None:
    refused(cli("sensitivity", BASELINE, *args), "points; at most 1,000,000", fit)


def test_tables_too_large_or_unpacking_too_far_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "sales.csv"
    with big.open("wb") as handle:  # sparse: no time spent writing
        handle.truncate(MAX_TABLE_BYTES + 1)
    refused(cli("cost", "--sales", big), "sales.csv", f"{MAX_TABLE_BYTES >> 20} MiB")
    bomb = tmp_path / "sales.xlsx"
    zipped = zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    with zipped as book, book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
        for _ in range((MAX_XLSX_UNPACKED >> 20) + 1):
            part.write(bytes(1 << 20))
    assert bomb.stat().st_size < 5 << 20
    refused(cli("cost", "--sales", bomb), "sales.xlsx", "unpacks to")


def test_a_yaml_file_that_is_no_sweep_is_named_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("login: x\npassword: hunter2-secret\n", encoding="utf-8")
    err = refused(cli("sweep", path, "--out", tmp_path / "o"), "s.yaml is not a sweep file")
    assert "hunter2" not in err and "login" not in err


def test_report_jobs_share_the_memory_limit(tmp_path: Path) -> None:
    """Each of ``--jobs`` workers holds its own report's worlds at once: the draws one run may
    have are refused for two at a time, naming --jobs, before anything is written."""
    few = scenario(tmp_path, "few.yaml", FEW_UNITS)
    other = tmp_path / "other.yaml"
    other.write_text(few.read_text(encoding="utf-8").replace("name: few", "name: other"))
    env = {"SBQW_MEMORY_LIMIT": "140M"}  # a block (~33 MiB) fits either way
    err = refused(sbqw("simulate", few, "--draws", "10000000", env=env), "draws fit")
    fits = int(re.search(r"at most ([\d,]+) draws fit", err).group(1).replace(",", ""))
    out = tmp_path / "out"
    args = ("report", few, other, "--draws", fits, "--out", out)
    err = refused(sbqw(*args, "--jobs", "2", env=env), "per worker", "--jobs", "140 MiB", lines=2)
    assert err.count("shared by 2 worker processes") == 2 and not out.exists()

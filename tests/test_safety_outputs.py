"""Output names, output folders, locks and exit codes, tried as an attacker or a hurried analyst.

Names come from files (a scenario's or a sweep's ``name:``): whatever they hold, every file lands
inside the output folder, fits the filesystem, and no two outputs of a run share a file. An
``--out`` that cannot be written is one line and exit 2 before any work; invalid input is exit 2
with nothing written; two runs into one folder: the second is refused, naming the first.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from safety_helpers import one_error, out_commands, tiny_sweep

from sbqw_model import cli
from sbqw_model.outputs import (
    MAX_NAME_BYTES,
    inside,
    safe_name,
    unique_names,
)
from sbqw_model.reporting import batch

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
SAFE = re.compile(r"^[\w][\w\-]*$")
LONG_ZH = "贵州省电子商务十百千万工程情景" * 12  # 180 characters, 540 bytes


def scenario(folder: Path, file: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(
        f'name: "{quoted}"\ntitle_zh: 测试\ntitle_en: Test\nextends: {BASELINE.as_posix()}\n',
        encoding="utf-8",
    )
    return path


def everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --------------------------------------------------------------------------------------------
# Names: one function, bytes not characters, unique, inside


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_text_becomes_a_short_plain_file_name(name: str) -> None:
    safe = safe_name(name)
    assert SAFE.match(safe), safe
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe == safe_name(name), "deterministic"
    assert inside(Path("/srv/out"), f"{safe}.failed.ipynb") == Path(f"/srv/out/{safe}.failed.ipynb")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=12))
def test_names_of_a_run_never_share_a_file(names: list[str]) -> None:
    files = unique_names(names, batch.RESERVED)
    folded = [f.casefold() for f in files]
    assert len(set(folded)) == len(files), "distinct, even on a case-insensitive disk"
    assert not {"index", "index-en", "compare"} & set(folded)
    assert all(len(f.encode()) <= MAX_NAME_BYTES and SAFE.match(f) for f in files)
    assert files == unique_names(names, batch.RESERVED), "the same files every run"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../evil/x", "evil_x"),
        ("/etc/cron.d/x", "etc_cron_d_x"),
        ("..\\..\\win\\x", "win_x"),
        ("x.failed", "x_failed"),  # never looks like the suffix of another report's file
        (".hidden", "hidden"),
        ("-rf", "rf"),
        ("a\u202eb\x00c\n", "a_b_c"),  # direction override, NUL, newline
        ("基准 情景", "基准_情景"),
        ("con", "con_"),
        ("", "scenario"),
        ("../..", "scenario"),
    ],
)
def test_name_variants(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_long_names_keep_their_beginning_and_differ_by_a_hash() -> None:
    a, b = safe_name(LONG_ZH + "甲"), safe_name(LONG_ZH + "乙")
    assert a != b and a.startswith("贵州省电子商务") and b.startswith("贵州省电子商务")
    assert re.search(r"-[0-9a-f]{8}$", a) and len(a.encode()) <= MAX_NAME_BYTES
    assert safe_name("short") == "short", "no hash unless shortened"


def test_report_names_that_collide_get_distinct_files(tmp_path: Path) -> None:
    names = ["dup/a", "dup_a", "x", "x.failed", "Base", "base", "index", LONG_ZH, LONG_ZH + "乙"]
    files = [scenario(tmp_path / "s", f"s{i}.yaml", n) for i, n in enumerate(names)]
    jobs = batch.jobs_for(
        files,
        tmp_path / "out",
        compare=True,
        lang="zh",
        draws=10,
        seed=0,
        pdf=False,
        assume={},
        sensitivity=True,
    )
    stems = [j.name for j in jobs]
    assert len({s.casefold() for s in stems}) == len(stems) == 2 * len(names) + 1
    assert stems[:6] == ["dup_a", "dup_a-2", "x", "x_failed", "Base", "base-2"]
    assert stems[6] == "index-2"
    assert stems[-1].startswith("compare-dup_a-dup_a-x-x_failed-Base-base-index-贵州省")
    assert re.search(r"-[0-9a-f]{8}$", stems[-1]), "over the limit: cut, ending in a hash"
    assert all(len(f"{s}.failed.ipynb".encode()) < 255 for s in stems)
    assert not (tmp_path / "out").exists(), "planning writes nothing"


def test_report_cli_with_long_chinese_names(tmp_path: Path) -> None:
    """540-byte names sharing their beginning: no ENAMETOOLONG, two reports, both linked."""
    names = [LONG_ZH + "甲", LONG_ZH + "乙"]
    files = [scenario(tmp_path / "s", f"s{i}.yaml", n) for i, n in enumerate(names)]
    out = tmp_path / "out"
    done = run_cli("report", *files, "--jobs", 2, "--draws", 100, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    stems = unique_names(names)
    for stem in stems:
        for ext in ("html", "ipynb", "xlsx"):
            assert (out / f"{stem}.{ext}").is_file(), f"{stem}.{ext}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{stem}.html"' in index for stem in stems)
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents) == files
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("../../x", "x"),
        ("/tmp/sbqw-absolute", "tmp_sbqw-absolute"),
        ("..\\..\\x", "x"),
        (LONG_ZH, safe_name(LONG_ZH, "sweep")),
        (None, "s"),  # no name: the file's
    ],
    ids=["parent", "absolute", "backslash", "long-chinese", "no-name"],
)
def test_sweep_names_stay_in_sweep_results(name: str | None, folder: str, tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    path = tiny_sweep(tmp_path / "files", name)
    cwd.mkdir()
    done = run_cli("sweep", path, "--format", "csv", cwd=cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    assert everything(cwd) == ["sweep_results", f"sweep_results/{folder}"] + [
        f"sweep_results/{folder}/{f}" for f in ("results.csv", "sweep.json")
    ]
    assert not Path("/tmp/sbqw-absolute").exists()
    assert {p.name for p in tmp_path.iterdir()} == {"cwd", "files"}


# --------------------------------------------------------------------------------------------
# --out that cannot be written: one line, exit 2, before any work


@pytest.mark.parametrize("command", ["simulate", "export-draw", "report", "sweep", "sensitivity"])
@pytest.mark.parametrize("where", ["existing-file", "under-a-file"])
def test_out_that_is_not_a_folder(command: str, where: str, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker.txt"
    blocker.write_text("mine", encoding="utf-8")
    out = blocker if where == "existing-file" else blocker / "sub" / "out"
    done = run_cli(*out_commands(tmp_path)[command], "--out", out)
    one_error(done, str(out), "--out")
    assert blocker.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker.txt", "files"]


@pytest.mark.parametrize("command", ["cost", "backtest"])
def test_file_out_that_is_a_folder_or_under_a_file(command: str, tmp_path: Path) -> None:
    args = {
        "cost": ["cost", "--sales", ROOT / "examples" / "sales.csv"],
        "backtest": [
            "backtest",
            BASELINE,
            "--observed",
            ROOT / "observations" / "example.csv",
            "--draws",
            10,
        ],
    }[command]
    if command == "backtest" and not Path(args[3]).is_file():
        pytest.skip("no sample observations file")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    for out in (tmp_path, tmp_path / "f" / "x.csv"):
        one_error(run_cli(*args, "--out", out), "--out", str(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only mode does not stop writes")
        done = run_cli("simulate", BASELINE, "--draws", 10, "--out", folder / "out")
        one_error(done, "not writable")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_read_only_folder_as_the_check_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Root writes anywhere, so the check's answer is faked here: what the user is told."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == tmp_path else real(p, m))
    for args in (["simulate", str(BASELINE)], ["report", str(BASELINE)]):
        code = cli.main([*args, "--draws", "20", "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert code == 2 and f"{tmp_path} is not writable (read-only)" in err, err
    assert list(tmp_path.iterdir()) == []


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("what", "code", "said"),
    [
        ("rename", errno.ENOSPC, "the disk is full"),
        ("write", errno.ENOSPC, "the disk is full"),
        ("write", errno.EDQUOT, "the disk quota is exceeded"),
        ("write", errno.EROFS, "read-only disk"),
        ("rename", errno.EACCES, "permission denied"),
    ],
)
def test_full_disk_while_simulate_writes(
    what: str,
    code: int,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    if what == "rename":
        monkeypatch.setattr(os, "replace", fail)
    else:
        import pandas as pd

        monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    out = tmp_path / "out"
    status = cli.main(["simulate", str(BASELINE), "--draws", "20", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and said in err and "Traceback" not in err
    assert len([x for x in err.splitlines() if x.startswith("sbqw: error:")]) == 1
    assert list(tmp_path.iterdir()) in ([], [out]) and not list(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("command", ["simulate", "report", "cost"])
def test_an_out_that_links_to_nothing_is_refused_before_any_work(
    command: str, tmp_path: Path
) -> None:
    """Found by the last write, after the whole run, it was reported as a full disk."""
    link = tmp_path / ("out.csv" if command == "cost" else "out")
    link.symlink_to(tmp_path / "nowhere")
    args = {
        "simulate": ["simulate", BASELINE, "--draws", 20],
        "report": ["report", BASELINE, "--draws", 20],
        "cost": ["cost", "--sales", ROOT / "examples" / "sales.csv"],
    }[command]
    done = run_cli(*args, "--out", link)
    one_error(done, str(link), "which does not exist")
    assert "free some space" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [link.name] and link.is_symlink()


def test_a_folder_in_the_way_of_one_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "out" / "summary.json").mkdir(parents=True)
    done = run_cli("simulate", BASELINE, "--draws", 20, "--out", tmp_path / "out")
    line = one_error(done, "summary.json: cannot write (a folder of that name is in the way)")
    assert "free some space" not in line and line.endswith("choose another --out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["summary.json"]


def test_a_full_disk_while_the_lock_is_taken_is_one_line_and_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The lock file's flush fails, and so did its close, in the clean-up: a traceback, and
    the new, empty --out folder left behind."""
    import io

    from sbqw_model import outputs

    class Full(io.TextIOWrapper):
        def flush(self) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def opened(path: object, mode: str, encoding: str) -> io.TextIOWrapper:
        return Full(io.FileIO(path, "a+"), encoding=encoding)

    monkeypatch.setattr(outputs, "open", opened, raising=False)
    out = tmp_path / "out"
    status = cli.main(["simulate", str(BASELINE), "--draws", "20", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "the disk is full" in err and "Traceback" not in err, err
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["cost", "sweep"])
def test_full_disk_in_other_commands(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / ("out.csv" if command == "cost" else "out")  # cost: the suffix is the format
    if command == "cost":
        args = ["cost", "--sales", str(ROOT / "examples" / "sales.csv"), "--out", str(out)]
        monkeypatch.setattr(Path, "write_bytes", _full_disk)
    else:
        args = ["sweep", str(tiny_sweep(tmp_path / "files", "s")), "--out", str(out)]
        args += ["--format", "csv"]
        import pandas as pd

        monkeypatch.setattr(pd.DataFrame, "to_csv", _full_disk)
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == 2 and "the disk is full" in err and "Traceback" not in err
    assert not out.exists() or list(out.rglob("*")) == []


def test_full_disk_while_a_report_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The page cannot be written: exit 2 and one line, no index pretending all is well."""
    from sbqw_model.reporting import runner

    pytest.importorskip("papermill")
    monkeypatch.setattr(runner, "write_text_atomic", _full_disk)
    out = tmp_path / "out"
    code = cli.main(["report", str(BASELINE), "--draws", "100", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err[-2000:]
    errors = [x for x in err.splitlines() if x.startswith("sbqw: error:")]
    assert len(errors) == 1 and "the disk is full" in errors[0] and str(out) in errors[0]
    assert not out.exists() or list(out.rglob("*")) == []


# --------------------------------------------------------------------------------------------
# Exit codes: invalid input is exit 2 and nothing written


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{invalid}", "{good}"],
        ["report", "{good}", "--assume", "payout_share=7"],
        ["report", "{good}", "--assume", "no_such=1"],
        ["report", "{good}", "{missing}"],
        ["report", "{good}", "{invalid}", "--sensitivity", "--compare"],
        ["simulate", "{invalid}"],
        ["simulate", "{invalid}", "--export-draw", "1"],
        ["sweep", "{bad_sweep}"],
        ["sensitivity", "{invalid}"],
    ],
    ids=lambda a: "-".join(x.strip("{}-") for x in a)[:40],
)
def test_invalid_input_exits_2_and_writes_nothing(args: list[str], tmp_path: Path) -> None:
    files = tmp_path / "files"
    values = {
        "{invalid}": ROOT / "tests" / "report_fixtures" / "invalid.yaml",
        "{good}": BASELINE,
        "{missing}": tmp_path / "nope.yaml",
        "{bad_sweep}": tiny_sweep(files, "bad").with_name("bad.yaml"),
    }
    values["{bad_sweep}"].write_text("mode: grid\nfactors: {}\n", encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    out = tmp_path / "out"
    done = run_cli(*[values.get(a, a) for a in args], "--out", out, cwd=cwd)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and done.stderr.startswith("sbqw: error:")
    assert not out.exists() and list(cwd.iterdir()) == []


def test_a_report_that_fails_while_rendering_is_exit_1_not_2(tmp_path: Path) -> None:
    """A valid scenario whose notebook fails is a failed report (named), not a user error."""
    from sbqw_model.shipped import NOTEBOOK_DIR_ENV

    out = tmp_path / "out"
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('raise RuntimeError("broken notebook")')]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    nbformat.write(nb, notebooks / "scenario_report.ipynb")
    env_done = subprocess.run(
        [sys.executable, "-m", "sbqw_model", "report", BASELINE, "--out", out, "--draws", "10"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, NOTEBOOK_DIR_ENV: str(notebooks)},
        timeout=120,
        check=False,
    )
    assert env_done.returncode == 1, env_done.stderr[-2000:]
    assert "report baseline failed" in env_done.stderr and "broken notebook" in env_done.stderr
    assert (out / "index.html").is_file() and (out / "baseline.failed.ipynb").is_file()


def test_missing_notebooks_are_exit_2(tmp_path: Path) -> None:
    from sbqw_model.shipped import NOTEBOOK_DIR_ENV

    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "sbqw_model", "report", BASELINE, "--out", out],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, NOTEBOOK_DIR_ENV: str(tmp_path / "nowhere")},
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "report notebook not found" in done.stderr
    assert not out.exists()


def test_a_comparison_name_over_the_limit_stays_unique(tmp_path: Path) -> None:
    """A comparison is named after what it compares: long names are cut to the limit and end
    in a hash of the whole, so two sets that share their beginning keep two files."""
    files = [scenario(tmp_path / "s", f"s{i}.yaml", LONG_ZH + c) for i, c in enumerate("甲乙丙")]
    common = dict(compare=True, draws=10, seed=0, pdf=False, assume={})

    def names(chosen: list[Path], lang: str = "zh") -> list[str]:
        return [j.name for j in batch.jobs_for(chosen, tmp_path / "out", lang=lang, **common)]

    one, other = names(files[:2]), names([files[0], files[2]])
    english = names(files[:2], "en")
    compared = [one[-1], other[-1], english[-1]]
    assert len(set(compared)) == 3, compared
    for run, name in zip((one, other, english), compared, strict=True):
        assert name.startswith("compare-贵州省") and re.search(r"-[0-9a-f]{8}$", name), name
        assert len(name.encode()) <= MAX_NAME_BYTES and safe_name(name) == name
        assert name.casefold() not in {n.casefold() for n in run[:-1]}, "unique in its run"
    assert all(n.endswith("-en") or re.search(r"-[0-9a-f]{8}$", n) for n in english)
    assert not (tmp_path / "out").exists(), "planning writes nothing"

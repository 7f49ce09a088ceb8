"""Helpers for the hostile-input tests: run the CLI, assert a clean one-line refusal."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

from conftest import ROOT

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
PLAN = ROOT / "sbqw_model" / "parameters" / "plan.yaml"
HEADER = "name: x\ntitle_zh: 测试\ntitle_en: Test\n"


def sbqw(
    *args: object, timeout: float = 60, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m sbqw_model ARGS`` with a hard timeout (a device read must never hang)."""
    return subprocess.run(
        [sys.executable, "-m", "sbqw_model", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def cli(
    *args: object, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``sbqw ARGS`` in this process (fast; no start-up), a RuntimeWarning failing the test.

    Only for inputs that cannot hang: devices and pipes go through ``sbqw`` (a subprocess with
    a timeout)."""
    from sbqw_model import cli as sbqw_cli

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in env or {}}
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        stack.enter_context(contextlib.chdir(cwd or ROOT))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("error", RuntimeWarning)
        os.environ.update(env or {})
        try:
            code = sbqw_cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def refused(done: subprocess.CompletedProcess[str], *words: str, lines: int = 1) -> str:
    """Exit 2, nothing on stdout, no traceback or warning, ``lines`` error lines with ``words``."""
    err = done.stderr
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], err[-2000:])
    assert done.stdout == "", done.stdout[-500:]
    assert "Traceback" not in err and "Warning" not in err, err[-2000:]
    got = err.splitlines()
    assert len(got) == lines, got
    assert all(line.startswith("sbqw") and ": error: " in line for line in got), got
    for w in words:
        assert w in err, (w, err)
    return err


def scenario(folder: Path, name: str, body: str = "", extends: str | None = "baseline") -> Path:
    """A scenario file ``name`` in ``folder`` extending ``extends`` (a name or a path)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    head = HEADER + (f"extends: {extends}\n" if extends is not None else "")
    path.write_text(head + body, encoding="utf-8")
    return path


def tiny_sweep(folder: Path, name: str | None, file: str = "s.yaml") -> Path:
    """A two-point grid sweep of the baseline named ``name`` (no ``name:`` line if None)."""
    folder.mkdir(parents=True, exist_ok=True)
    head = "" if name is None else "name: '" + name.replace("'", "''") + "'\n"
    path = folder / file
    path.write_text(
        f"{head}base: {BASELINE.as_posix()}\nmode: grid\ndraws: 20\nseed: 1\nfactors:\n"
        "  assumptions.payout_share: {values: [0.5, 1.0]}\n",
        encoding="utf-8",
    )
    return path


def one_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 with exactly one ``sbqw: error:`` line holding ``words`` (other output allowed)."""
    assert done.returncode == 2, done.stderr[-2000:]
    errors = [x for x in done.stderr.splitlines() if x.startswith("sbqw: error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert all(w in errors[0] for w in words), errors[0]
    return errors[0]


def out_commands(tmp_path: Path) -> dict[str, list[object]]:
    """Every command that writes into ``--out``, with small sizes."""
    sweep = tiny_sweep(tmp_path / "files", "s")
    return {
        "simulate": ["simulate", BASELINE, "--draws", 10],
        "export-draw": ["simulate", BASELINE, "--draws", 10, "--export-draw", 1],
        "report": ["report", BASELINE, "--draws", 10],
        "sweep": ["sweep", sweep],
        "sensitivity": ["sensitivity", BASELINE, "--n", 2, "--draws", 10, "--workers", 1],
    }

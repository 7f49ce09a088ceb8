"""A command or notebook needing an optional extra says which ``pip install`` line fixes it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from sbqw_model import extras
from sbqw_model.shipped import NOTEBOOK_DIR

BLOCK = (
    "import sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None  # as if not installed\n"
    "sys.argv = ['sbqw', *sys.argv[2:]]\n"
    "from sbqw_model.cli import main\n"
    "sys.exit(main())\n"
)


def run_without(
    modules: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK, modules, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("blocked", "args", "package", "extra"),
    [
        ("SALib", ["sensitivity", "baseline"], "SALib", "research"),
        ("distributed", ["sweep", "growth_latin"], "dask[distributed]", "research"),
        ("sklearn", ["discover", "baseline", "--draws", "100"], "scikit-learn", "research"),
        ("SALib", ["report", "--sensitivity", "baseline"], "SALib", "research"),
        ("pyarrow", ["sweep", "growth_latin", "--format", "parquet"], "pyarrow", "research"),
    ],
)
def test_commands_name_the_pip_line_exit_2_no_traceback(
    blocked: str, args: list[str], package: str, extra: str, tmp_path: Path
) -> None:
    out = [] if "discover" in args else ["--out", str(tmp_path / "out")]
    done = run_without(blocked, *args, *out, cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"needs {package}" in line and f"pip install 'sbqw[{extra}]'" in line
    assert not (tmp_path / "out").exists(), "nothing written"


def test_a_parquet_results_table_without_pyarrow_names_the_pip_line(tmp_path: Path) -> None:
    import pandas as pd

    table = tmp_path / "results.parquet"
    pd.DataFrame({"point": [0], "assumptions.payout_share": [1.0], "p_all_met": [0.5]}).to_parquet(
        table
    )
    done = run_without("pyarrow", "frontier", str(table), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    (line,) = done.stderr.strip().splitlines()
    assert "needs pyarrow" in line and "pip install 'sbqw[research]'" in line, line


def test_the_same_commands_run_when_the_extra_is_there() -> None:
    assert extras.missing(["SALib", "sklearn", "distributed", "ipywidgets"]) == []
    assert extras.missing(["surely_not_a_module_sbqw"]) == ["surely_not_a_module_sbqw"]


def test_every_optional_module_belongs_to_an_extra_of_pyproject() -> None:
    import tomllib

    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for module, (package, extra) in extras.OPTIONAL.items():
        assert any(req.startswith(package) for req in optional[extra]), (module, extra)
    for modules in extras.NEEDS.values():
        assert set(modules) <= set(extras.OPTIONAL)


def test_a_notebook_shows_one_line_with_the_fix_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    nb = nbformat.read(NOTEBOOK_DIR / "sensitivity.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\nsys.modules['SALib'] = None"))
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True)
    client.execute(cwd=str(tmp_path))
    error = next(o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")
    assert error.ename == "MissingExtra"
    (line,) = error.traceback  # the pip line may name the kernel's python (install_line)
    assert line.startswith(
        "MissingExtra: the sensitivity notebook needs SALib, which is not installed;"
        " install it with: "
    ) and line.endswith("pip install 'sbqw[research]'"), line


def test_the_message_agrees_with_the_number_of_packages() -> None:
    from sbqw_model.extras import MissingExtra

    one = str(MissingExtra("sbqw sensitivity", ["SALib"]))
    two = str(MissingExtra("sbqw sweep", ["SALib", "dask"]))
    assert "SALib, which is not installed; install it with" in one
    assert "SALib, dask[distributed], which are not installed; install them with" in two
    assert "is is" not in two


def _executables(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("#!/bin/sh\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX executables and PATH")
def test_the_pip_line_names_this_python_unless_the_shell_pip_is_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``.venv/bin/sbqw`` without activating the venv (the README's quickstart): the ``pip`` a
    shell finds is another Python's, where ``pip install 'sbqw[research]'`` finds no sbqw and
    fails ("No matching distribution found for sbqw[research]": sbqw is not on the index)."""
    venv = _executables(tmp_path / "my env" / "bin", "python", "pip")
    system = _executables(tmp_path / "usr" / "bin", "python3", "pip")
    monkeypatch.setattr(sys, "executable", str(venv / "python"))
    monkeypatch.setenv("PATH", str(system))
    assert extras.install_line("research") == (
        f"'{venv / 'python'}' -m pip install 'sbqw[research]'"  # quoted: a space in the path
    )
    monkeypatch.setenv("PATH", str(tmp_path / "nothing here"))
    assert extras.install_line("lab") == f"'{venv / 'python'}' -m pip install 'sbqw[lab]'"
    monkeypatch.setenv("PATH", os.pathsep.join([str(venv), str(system)]))  # activated
    assert extras.install_line("research") == "pip install 'sbqw[research]'"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX PATH")
def test_a_command_run_from_outside_its_venv_names_that_venvs_python(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(_executables(tmp_path / "bin", "pip"))}
    done = run_without("SALib", "sensitivity", "baseline", cwd=tmp_path, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    (line,) = done.stderr.strip().splitlines()
    assert line.endswith(
        f"install it with: {shlex.quote(sys.executable)} -m pip install 'sbqw[research]'"
    ), line


def test_notebooks_names_the_lab_install_line_only_without_jupyterlab(tmp_path: Path) -> None:
    done = run_without("jupyterlab", "notebooks", "explore_budget", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"open it in JupyterLab ({extras.install_line('lab')})")
    lab = tmp_path / "site" / "jupyterlab"  # an installed JupyterLab, as far as sbqw can tell
    lab.mkdir(parents=True)
    (lab / "__init__.py").write_text("", encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(lab.parent), os.environ.get("PYTHONPATH")]))
    again = run_without(
        "nothing",
        "notebooks",
        "scenario_report",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert again.stdout.strip() == "wrote scenario_report.ipynb; open it in JupyterLab", again

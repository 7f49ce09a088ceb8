"""A command or notebook needing an optional extra says which ``pip install`` line fixes it."""

from __future__ import annotations

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


def run_without(modules: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK, modules, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
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
    assert error.traceback == [
        "MissingExtra: the sensitivity notebook needs SALib, which is not installed;"
        " install it with: pip install 'sbqw[research]'"
    ]


def test_the_message_agrees_with_the_number_of_packages() -> None:
    from sbqw_model.extras import MissingExtra

    one = str(MissingExtra("sbqw sensitivity", ["SALib"]))
    two = str(MissingExtra("sbqw sweep", ["SALib", "dask"]))
    assert "SALib, which is not installed; install it with" in one
    assert "SALib, dask[distributed], which are not installed; install them with" in two
    assert "is is" not in two

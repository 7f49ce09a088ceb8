"""The wheel carries everything ``sbqw`` needs, and a NON-editable install works from any folder.

Slow (~30 s: a wheel build and one report) but run: a wheel without its notebooks or scenarios
is exactly what users of ``pip install .`` or ``pipx`` would otherwise meet first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
SHIPPED = ("scenarios", "notebooks", "sweeps", "data", "parameters", "policy")
SKIP = shutil.ignore_patterns(
    ".git", "__pycache__", "*.egg-info", "build", "dist", "reports", ".venv", "*.pyc"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the project (the build leaves nothing in the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(work / "dist")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
        pytest.skip("no package index to fetch the build backend from")
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = (work / "dist").glob("sbqw-*.whl")
    return found


def test_wheel_contains_scenarios_notebooks_sweeps_fonts_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "sbqw_model"
    expected = {
        p.relative_to(ROOT).as_posix()
        for folder in SHIPPED
        for p in (package / folder).iterdir()
        if p.is_file() and p.suffix != ".py" and p.name != "__pycache__"
    }
    expected |= {
        f"sbqw_model/reporting/fonts/{p.name}" for p in (package / "reporting/fonts").iterdir()
    }
    missing = sorted(expected - names)
    assert not missing, missing
    assert any(n.endswith("public_statistics_to_2022.csv") for n in names)
    assert "sbqw_model/notebooks/scenario_report.ipynb" in names
    assert "sbqw_model/policy/qianshangfa-2023-1.zh.txt" in names, "the notice the clauses cite"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[papermill.engine]" in text, "papermill --engine sbqw, as the README writes it"
    assert "sbqw = sbqw_model.reporting.papermill_engine:SbqwEngine" in text


def test_non_editable_install_renders_a_shipped_scenario_from_another_folder(
    wheel: Path, tmp_path: Path
) -> None:
    """A fresh venv with only the wheel (dependencies borrowed from this environment)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this environment's site-packages AFTER the venv's own: its .pth files (an editable sbqw)
    # are not processed, so `sbqw_model` can only come from the wheel
    Path(purelib, "zz_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SBQW_NOTEBOOK_DIR")}
    # the dependencies' data files (nbconvert's templates) live under this environment's prefix
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    done = subprocess.run(
        [str(venv / "bin" / "sbqw"), "report", "baseline", "--draws", "200"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = elsewhere / "reports"
    assert (out / "baseline.html").is_file() and (out / "baseline.xlsx").is_file()
    assert (out / "index.html").is_file()
    where = subprocess.run(
        [str(python), "-c", "import sbqw_model; print(sbqw_model.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), f"imported from {where}, not the installed wheel"
    assert "Traceback" not in done.stderr and "without encryption" not in done.stderr

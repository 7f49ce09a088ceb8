"""The two install routes stay in step, and the README's quickstart is what CI runs."""

from __future__ import annotations

import os
import re
import tomllib

import pytest
import yaml
from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
NOT_PACKAGES = {"python", "pip"}


def normalize(name: str) -> str:
    """PEP 503 normalization: lower case, runs of -_. become one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(text: str) -> tuple[str, set[str], str]:
    """'dask[distributed]>=2024.1' -> ('dask', {'distributed'}, '>=2024.1')."""
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)", text)
    assert m, text
    extras = {normalize(e) for e in (m.group(2) or "").split(",") if e.strip()}
    spec = re.sub(r"\s+", "", m.group(3).split(";")[0])
    return normalize(m.group(1)), extras, spec


def runtime() -> dict[str, str]:
    return {
        name: spec for name, _, spec in map(split_requirement, PYPROJECT["project"]["dependencies"])
    }


def extra_names() -> set[str]:
    """Packages the optional extras pull in, with the extras they name (dask[distributed])."""
    names: set[str] = set()
    for reqs in PYPROJECT["project"]["optional-dependencies"].values():
        for name, extras, _ in map(split_requirement, reqs):
            names |= {name, *extras}
    return names


def conda_packages() -> dict[str, str]:
    out = {}
    for entry in ENVIRONMENT["dependencies"]:
        if isinstance(entry, str):
            name, _, spec = split_requirement(entry)
            if name not in NOT_PACKAGES:
                out[name] = spec
    return out


def test_every_runtime_dependency_is_in_environment_yml() -> None:
    conda = conda_packages()
    missing = [n for n in runtime() if n not in conda]
    assert not missing, f"add to environment.yml: {missing}"


def test_runtime_versions_agree() -> None:
    conda = conda_packages()
    differ = {n: (s, conda[n]) for n, s in runtime().items() if n in conda and conda[n] != s}
    assert not differ, f"pyproject vs environment.yml: {differ}"


def test_every_environment_entry_is_a_runtime_or_extra_dependency() -> None:
    allowed = set(runtime()) | extra_names()
    stray = [n for n in conda_packages() if n not in allowed]
    assert not stray, f"environment.yml lists packages pyproject.toml does not: {stray}"


def test_jupyterlab_is_an_extra_not_a_runtime_dependency() -> None:
    assert "jupyterlab" not in runtime()
    lab = {split_requirement(r)[0] for r in PYPROJECT["project"]["optional-dependencies"]["lab"]}
    assert "jupyterlab" in lab
    assert "jupyterlab" in conda_packages()


def test_environment_installs_the_project_itself() -> None:
    pip = [e for e in ENVIRONMENT["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert pip and any(line.replace(" ", "") in ("-e.", ".") for line in pip[0]["pip"])


def test_console_command_and_parameter_file_are_packaged() -> None:
    assert PYPROJECT["project"]["scripts"]["sbqw"] == "sbqw_model.__main__:main"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    data = PYPROJECT["tool"]["setuptools"]["package-data"]["sbqw_model"]
    assert "parameters/*.yaml" in data
    extras = PYPROJECT["project"]["optional-dependencies"]
    test_extra = {split_requirement(r)[0] for r in extras["test"]}
    assert {"pytest", "hypothesis"} <= test_extra


# --------------------------------------------------------------------------- README quickstart

README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"


def quickstart_commands(text: str) -> list[str]:
    """The commands of the first shell block under a 'Quickstart' heading."""
    m = re.search(r"^#+\s*quick\s*-?\s*start.*$", text, re.IGNORECASE | re.MULTILINE)
    assert m, "README.md has no Quickstart section"
    block = re.search(r"```[a-z]*\n(.*?)```", text[m.end() :], re.DOTALL)
    assert block, "README.md Quickstart has no code block"
    joined = re.sub(r"\\\n\s*", " ", block.group(1))  # continuation lines
    return [
        squash(re.sub(r"^\s*\$\s*", "", line))
        for line in joined.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_quickstart_parser_on_a_sample() -> None:
    sample = (
        "# sbqw\n\n## Quickstart\n\n```bash\n# cost the example\n"
        "$ python3 -m venv .venv && .venv/bin/pip install -e . \\\n"
        "    && .venv/bin/sbqw cost --sales examples/sales.csv\n"
        "python3 -m venv .venv && .venv/bin/python -m pytest\n```\n\n```\nlater\n```\n"
    )
    assert quickstart_commands(sample) == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/sbqw cost"
        " --sales examples/sales.csv",
        "python3 -m venv .venv && .venv/bin/python -m pytest",
    ]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def readme() -> str:
    if not README.exists():
        pytest.skip("README.md not written yet")
    return README.read_text(encoding="utf-8")


def test_readme_quickstart_has_exactly_two_commands(readme: str) -> None:
    commands = quickstart_commands(readme)
    assert len(commands) == 2, commands
    assert sum("pytest" in c for c in commands) == 1, commands  # one runs the tests
    assert any("sbqw" in c and "pytest" not in c for c in commands), commands  # one the main job


def test_ci_runs_the_readme_test_command(readme: str) -> None:
    (test_command,) = [c for c in quickstart_commands(readme) if "pytest" in c]
    assert squash(test_command) in squash(CI.read_text(encoding="utf-8")), (
        f".ci/run must run the README's test command: {test_command}"
    )


def test_ci_script_is_executable() -> None:
    assert CI.exists()
    assert os.access(CI, os.X_OK)
    assert CI.read_text(encoding="utf-8").startswith("#!")


def test_ci_enforces_the_linter_after_the_tests() -> None:
    """The linter runs in CI, not only on a developer's machine (and after the test command)."""
    lines = [squash(line) for line in CI.read_text(encoding="utf-8").splitlines()]
    tests_at = next(i for i, line in enumerate(lines) if "pytest" in line)
    check_at = lines.index(".venv/bin/ruff check .")
    format_at = lines.index(".venv/bin/ruff format --check .")
    assert tests_at < check_at and tests_at < format_at


def test_the_command_runs_blas_single_threaded_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sbqw`` and ``python -m sbqw_model`` set each BLAS thread count before numpy loads,
    keeping a value the user set."""
    import sbqw_model.cli
    from sbqw_model import __main__ as entry

    seen: dict[str, str | None] = {}
    monkeypatch.setattr(
        sbqw_model.cli,
        "run",
        lambda: seen.update({v: os.environ.get(v) for v in entry.BLAS_THREADS}),
    )
    for variable in entry.BLAS_THREADS:  # set first, so the test's environment comes back
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    entry.main()
    assert seen == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "4", "MKL_NUM_THREADS": "1"}


#: Import names whose distribution is named differently.
DISTRIBUTION = {
    "PIL": "pillow",
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "IPython": "ipython",
    "matplotlib": "matplotlib",
    "mpl_toolkits": "matplotlib",
    "fontTools": "fonttools",
    "uharfbuzz": "uharfbuzz",
    "pydantic_core": "pydantic",  # pydantic pins its own core, version for version
    "zmq": "pyzmq",
}


def test_every_module_the_package_imports_is_a_declared_dependency() -> None:
    """A third-party module imported by ``sbqw_model`` is in the dependencies or an extra:
    arriving through another package today is no promise for tomorrow."""
    import ast
    import sys

    imported: set[str] = set()
    for path in (ROOT / "sbqw_model").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"sbqw_model", "__future__"}
    declared = set(runtime()) | extra_names()
    missing = sorted(m for m in third_party if normalize(DISTRIBUTION.get(m, m)) not in declared)
    assert not missing, f"declare in pyproject.toml (and environment.yml): {missing}"


def test_license_is_an_spdx_expression_the_build_backend_still_accepts() -> None:
    """``license = {text = ...}`` makes setuptools warn on every build that such projects stop
    building after 2027-02-18; the SPDX string needs setuptools >= 77. The fonts are OFL."""
    assert isinstance(PYPROJECT["project"]["license"], str)
    assert "OFL-1.1" in PYPROJECT["project"]["license"].split(" AND ")
    (backend,) = PYPROJECT["build-system"]["requires"]
    name, _, spec = split_requirement(backend)
    assert name == "setuptools" and spec == ">=77", backend


def test_each_licence_named_has_its_text_in_the_distribution() -> None:
    """The project says MIT (the code) and OFL-1.1 (the fonts): each text is a file that the
    build puts into the wheel's metadata, and a clone has it at the top."""
    files = PYPROJECT["project"]["license-files"]
    texts = {name: (ROOT / name).read_text(encoding="utf-8") for name in files}
    assert "MIT License" in texts["LICENSE"] and "Permission is hereby granted" in texts["LICENSE"]
    ofl = [text for name, text in texts.items() if name.endswith("OFL.txt")]
    assert ofl and "SIL OPEN FONT LICENSE" in ofl[0].upper()

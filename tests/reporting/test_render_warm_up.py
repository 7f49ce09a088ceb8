"""The command's rendering warm-up (``warm.rendering``) pays what its first render
would: afterwards, checking, reading, paging and writing a workbook import nothing more (with
workers, the command renders while they run, so a late import is time the workers lose)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

CODE = r"""
import base64, json, sys, tempfile
from pathlib import Path
import nbformat
from nbformat import v4
from sbqw_model.reporting import runner, warm

warm.rendering("zh")
before = set(sys.modules)

summary = json.loads(Path("tests/summaries/baseline_v0.1_200_draws.json").read_text("utf-8"))
png = base64.b64encode(runner.__doc__.encode()[:8]).decode()
cell = v4.new_code_cell("x")
cell.outputs = [v4.new_output("display_data", data={"image/png": png,
                                                    "text/html": "<p>万元</p>"})]
nb = v4.new_notebook(cells=[v4.new_markdown_cell("# 标题\n\n正文"), cell])
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "r.ipynb"
    nbformat.write(nb, path)
    nb = nbformat.read(path, as_version=4)
    runner.check(nb, path)
    from sbqw_model.reporting.html import notebook_to_html
    page = notebook_to_html(nb, "报告", lang="zh")
    runner._write_xlsx({"kind": "scenario", "summary": summary}, Path(folder) / "r.xlsx", "zh")
new = sorted(m for m in set(sys.modules) - before if not m.startswith("encodings."))
print(json.dumps({"new": new, "page": "标题" in page}))
"""


def test_the_first_render_after_the_warm_up_imports_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["page"]
    assert result["new"] == []


def test_a_failing_warm_up_is_left_to_the_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-up is only ahead of time: if it fails (a broken template, a missing package),
    the run goes on and each report's own render meets the error and reports it."""
    import gc

    from sbqw_model.reporting import html, warm

    calls = []

    def broken(lang: str) -> None:
        calls.append(lang)
        raise RuntimeError("no template")

    monkeypatch.setattr(warm, "_ready", False)
    monkeypatch.setattr(html, "warm_up", broken)
    frozen = gc.get_freeze_count()
    warm.rendering("en")
    warm.rendering("en")  # once a process, failed or not
    assert calls == ["en"]
    assert gc.isenabled() and gc.get_freeze_count() == frozen

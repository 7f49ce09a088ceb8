"""``sbqw report`` end to end: every shipped scenario, the pages, the index, Excel, failures.

Rendering costs about a second per report, so each command runs once per module
with small draws and the tests share its output folder. Units of the HTML/PDF/font layer are
in ``tests/reporting/``; the notebooks run by plain papermill are in ``test_notebooks.py``.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import ROOT
from fontTools.ttLib import TTFont

from sbqw_model.reporting import batch, runner
from sbqw_model.reporting.fonts import FONT_FILES, font_path
from sbqw_model.reporting.html import external_urls
from sbqw_model.reporting.parameters import NOTEBOOK_PARAMETERS
from sbqw_model.reporting.runner import Job, run_jobs, safe_name
from sbqw_model.reporting.scenario_report import SUMMARY_MIME
from sbqw_model.scenario import load_scenario
from sbqw_model.shipped import NOTEBOOK_DIR_ENV

pytest.importorskip("papermill")

DRAWS = 300
SCENARIOS = ROOT / "sbqw_model" / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
FIXTURES = Path(__file__).parent / "report_fixtures"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EVIL = load_scenario(FIXTURES / "evil_name.yaml").name  # "../../evil/x"
# the files of the English run below: an English report's name ends in -en
EVIL_FILE = f"{safe_name(EVIL)}-en"
XSS_FILE = f"{safe_name(load_scenario(FIXTURES / 'xss.yaml').name)}-en"
#: the shipped scenarios' comparison: named after what it compares, the baseline first
COMPARE = "-".join(["compare", *(p.stem for p in batch.default_scenarios())])


@pytest.fixture(autouse=True, scope="module")
def _runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The runner sets JUPYTER_RUNTIME_DIR in the calling process: restore it afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path_factory.mktemp("jupyter-runtime")))
        yield


def report_cli(
    *args: object, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``sbqw report ARGS`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "sbqw_model", "report", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def leftovers(folder: Path) -> list[str]:
    """Temp work folders and half-written files a run must not leave behind."""
    return sorted(
        p.name
        for p in folder.rglob("*")
        if p.name.startswith(".sbqw-") or p.suffix == ".part" or p.name.startswith(".")
    )


# --------------------------------------------------------------------------------------------
# Every shipped scenario, two jobs, with the comparison (Chinese, the default)


@pytest.fixture(scope="module")
def shipped(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The README's first command (no scenario given: every shipped scenario), small draws."""
    out = tmp_path_factory.mktemp("shipped") / "reports"
    done = report_cli("--compare", "--jobs", 2, "--draws", DRAWS, "--out", out)
    return done, out


@pytest.fixture(scope="module")
def shipped_pages(shipped: Any) -> dict[str, str]:
    done, out = shipped
    assert done.returncode == 0, done.stderr[-4000:]
    return {name: read(out / f"{name}.html") for name in [p.stem for p in SHIPPED] + [COMPARE]}


def test_all_shipped_scenarios_render_with_two_jobs(shipped: Any) -> None:
    done, out = shipped
    assert done.returncode == 0, done.stderr[-4000:]
    for name in [p.stem for p in SHIPPED] + [COMPARE]:
        for ext in ("html", "xlsx", "ipynb"):
            assert (out / f"{name}.{ext}").is_file(), f"{name}.{ext}"
    assert (out / "index.html").is_file()
    assert not list(out.glob("*.failed.ipynb"))
    assert not list(out.glob("*.pdf")), "no PDF unless --pdf"
    assert leftovers(out) == []


def test_stdout_says_where_the_reports_are(shipped: Any) -> None:
    done, out = shipped
    for name in [p.stem for p in SHIPPED] + [COMPARE]:
        assert str(out / f"{name}.html") in done.stdout, name
    assert str(out / "index.html") in done.stdout
    assert done.stderr == "", "a good run (two jobs) prints no noise"


def test_index_lists_every_report_with_headline_numbers_and_links(shipped: Any) -> None:
    _, out = shipped
    page = read(out / "index.html")
    assert external_urls(page) == []
    assert "全部目标同时达成" in page and "方案支出合计" in page, "headline columns (Chinese)"
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", page, flags=re.DOTALL)
    for path in SHIPPED:
        name, scenario = path.stem, load_scenario(path)
        (row,) = [r for r in rows if f'href="{name}.html"' in r]
        assert html.escape(scenario.title_zh) in row
        assert f'href="{name}.xlsx"' in row and f'href="{name}.ipynb"' in row
        cells = re.findall(r"<td\b[^>]*>(.*?)</td>", row, flags=re.DOTALL)
        assert len([c for c in cells if re.fullmatch(r"\d+%", c.strip())]) >= 2, row
        assert len([c for c in cells if re.search(r"\d ?亿元", c)]) >= 2, "outlay in 亿元"
    (row,) = [r for r in rows if f'href="{COMPARE}.html"' in r]
    assert all(p.stem in row for p in SHIPPED)


def _elements(page: str, classes: str) -> list[str]:
    return re.findall(rf'class="[^"]*\b(?:{classes})\b[^"]*"', page)


def test_html_has_no_code_cells_inputs_or_prompts(shipped_pages: dict[str, str]) -> None:
    for name, page in shipped_pages.items():
        assert _elements(page, "jp-InputArea|jp-InputPrompt|jp-OutputPrompt") == [], name
        assert "jp-mod-noInput" in page
        body = re.sub(r"<style\b.*?</style>", "", page, flags=re.DOTALL)  # CSS names prompts
        assert "In&nbsp;[" not in body and "Out[" not in body and "In [" not in body
        for source in (
            "sbqw_nb",
            "sbqw_report",
            "sbqw_compare",
            "from_namespace",
            ".publish()",
            "scenario_file =",
            "draws =",
        ):
            assert source not in page, (name, source)
        assert SUMMARY_MIME not in page and '"kind": "scenario"' not in page


def test_html_embeds_its_charts(shipped_pages: dict[str, str]) -> None:
    for name, page in shipped_pages.items():
        images = re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', page)
        assert len(images) == (3 if name == COMPARE else 5), name
        for src in images:
            assert src.startswith("data:image/png;base64,"), src[:60]
            assert base64.b64decode(src.split(",", 1)[1][:16] + "==")[:4] == b"\x89PNG"
        # each chart's title as its alternative text, in the report's language
        alts = re.findall(r'<img\b[^>]*\balt="([^"]*)"', page)
        assert len(alts) == len(images) and all(re.search(r"[\u4e00-\u9fff]", a) for a in alts)
        assert "No description" not in page


def test_html_opens_offline(shipped_pages: dict[str, str]) -> None:
    for name, page in shipped_pages.items():
        assert external_urls(page) == [], name
        # nothing fetched at all, not even from a relative path next to the file
        assert not re.search(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?!data:)', page)
        assert "@font-face" in page and "data:font/" in page


def test_chinese_pages_are_chinese_in_the_shipped_font(shipped_pages: dict[str, str]) -> None:
    cmaps = {}
    for weight in FONT_FILES:
        with TTFont(str(font_path(weight)), lazy=True) as font:
            cmaps[weight] = font.getBestCmap()
    for name, page in shipped_pages.items():
        assert re.search(r'<html[^>]*\blang="zh', page), name
        assert "2025年目标达成概率" in page and "财政支出" in page
        hanzi = {c for c in html.unescape(page) if CJK.match(c)}
        for weight, cmap in cmaps.items():
            missing = sorted(c for c in hanzi if ord(c) not in cmap)
            assert not missing, f"{name}: not in the shipped font ({weight}): {missing}"


def test_scenario_reports_show_every_block(shipped_pages: dict[str, str]) -> None:
    page = shipped_pages["baseline"]
    for text in (
        "基准情景",
        "全部目标同时达成",
        "方案支出合计",
        "支付年度",
        "超出预算安排的概率",  # baseline sets an appropriation
        "预算安排（万元，示例）",  # ... which only illustrates
        "假设与参数",
        "与基准情景不同",
        "来源信息",
        "SHA-256",
    ):
        assert text in page, text
    assert shipped_pages["austerity"].count(">是<") >= 1, "austerity differs from the baseline"


def test_xlsx_has_one_sheet_per_table_with_chinese_headers(shipped: Any) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    _, out = shipped
    scenario_sheets = [
        "目标",
        "支出合计",
        "分年度支出",
        "分项目支出",
        "分市州支出",
        "预算安排（示例）",
    ]
    compare_sheets = ["情景比较-达成概率", "情景比较-支出"]
    for name, sheets in (("baseline", scenario_sheets), (COMPARE, compare_sheets)):
        book = openpyxl.load_workbook(out / f"{name}.xlsx", read_only=True)
        assert book.sheetnames == sheets, name
        for sheet in book.worksheets:
            header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
            assert all(isinstance(h, str) and CJK.search(h) for h in header), (name, header)
        if name == "baseline":
            rows = list(book["目标"].iter_rows(min_row=2, values_only=True))
            assert len(rows) == 7 + 1, "seven targets and all together"
        book.close()


def test_reports_drew_no_missing_glyphs(shipped: Any) -> None:
    _, out = shipped
    for path in out.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        text = "".join(
            o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if "text" in o
        )
        assert "missing from font" not in text and "Glyph" not in text, path.name


# --------------------------------------------------------------------------------------------
# English, hostile scenario text and names, --pdf; an invalid file stops the run


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    out, cwd = base / "a" / "b" / "out", base / "a" / "b" / "cwd"
    cwd.mkdir(parents=True)
    done = report_cli(
        FIXTURES / "xss.yaml",
        FIXTURES / "evil_name.yaml",
        "--lang",
        "en",
        "--pdf",
        "--jobs",
        2,
        "--draws",
        DRAWS,
        "--out",
        out,
        cwd=cwd,
    )
    return done, out, base


def test_hostile_run_succeeds(hostile: Any) -> None:
    done, out, _ = hostile
    assert done.returncode == 0, done.stderr[-3000:]
    for name in (XSS_FILE, EVIL_FILE):
        assert (out / f"{name}.html").is_file() and (out / f"{name}.xlsx").is_file(), name


def test_invalid_scenario_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    """Exit 2 and nothing written, as the README promises; every problem of every file said."""
    out = tmp_path / "out"
    done = report_cli(BASELINE, FIXTURES / "invalid.yaml", FIXTURES / "xss.yaml", "--out", out)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "not_a_key" in done.stderr and "payout_share" in done.stderr, "and why"
    assert "invalid.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists(), "no index, no report, no folder"
    assert done.stdout == ""


def test_english_pages(hostile: Any) -> None:
    _, out, _ = hostile
    page = read(out / f"{EVIL_FILE}.html")
    for heading in (
        "Probability of meeting each 2025 target",
        "Outlay",
        "Assumptions and parameters",
    ):
        assert heading in page
    assert "2025年目标达成概率" not in page
    assert re.search(r'<html[^>]*\blang="en', page), "an English report declares English"
    assert external_urls(page) == []
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(out / f"{EVIL_FILE}.xlsx", read_only=True)
    assert book.sheetnames[:3] == ["targets", "outlay total", "outlay by year"]
    header = next(book["targets"].iter_rows(min_row=1, max_row=1, values_only=True))
    assert "Probability of meeting" in header and not any(CJK.search(str(h)) for h in header)
    book.close()


def test_scenario_text_is_escaped(hostile: Any) -> None:
    _, out, _ = hostile
    for page in (
        read(out / f"{XSS_FILE}.html"),
        read(out / "index.html"),
        read(out / "index-en.html"),
    ):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert" not in page.lower()
    page = read(out / f"{XSS_FILE}.html")
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert title and "<script" not in title.group(1)


def test_path_like_scenario_name_writes_inside_out_only(hostile: Any) -> None:
    _, out, base = hostile
    assert (out / f"{EVIL_FILE}.html").is_file()
    assert "/" not in EVIL_FILE and not EVIL_FILE.startswith(".")
    outside = [p for p in base.rglob("*") if p.is_file() and out not in p.parents]
    assert outside == []
    assert list(base.parent.rglob("evil")) == []
    assert not (ROOT / "evil").exists() and not (ROOT.parent / "evil").exists()
    assert "Path-like name" in read(out / f"{EVIL_FILE}.html")  # English report, English title


def test_pdf_is_written_for_each_report(hostile: Any) -> None:
    _, out, _ = hostile
    for name in (XSS_FILE, EVIL_FILE):
        data = (out / f"{name}.pdf").read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") and len(data) > 20_000
    assert leftovers(out) == []


# --------------------------------------------------------------------------------------------
# A report that fails inside its notebook


@pytest.fixture(scope="module")
def failing_notebooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped notebooks, the report one raising after its header for scenario "boom"."""
    folder = tmp_path_factory.mktemp("failing-notebooks")
    for source in (ROOT / "sbqw_model" / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(source, as_version=4)
        if source.stem == "scenario_report":
            at = next(i for i, c in enumerate(nb.cells) if "report.header()" in c.source)
            nb.cells.insert(
                at + 1,
                nbformat.v4.new_code_cell(
                    'if report.scenario.name == "boom":\n'
                    '    raise RuntimeError("deliberate failure mid-notebook")'
                ),
            )
        nbformat.write(nb, folder / source.name)
    return folder


def test_failing_notebook_via_the_cli(failing_notebooks: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for ext in ("html", "pdf", "xlsx"):  # a stale report from an earlier run must not survive
        out.mkdir(exist_ok=True)
        (out / f"boom.{ext}").write_text("stale", encoding="utf-8")
    done = report_cli(
        FIXTURES / "boom.yaml",
        "--draws",
        DRAWS,
        "--out",
        out,
        env={NOTEBOOK_DIR_ENV: str(failing_notebooks)},
    )
    assert done.returncode != 0
    kept = out / "boom.failed.ipynb"
    assert kept.is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        "boom.failed.ipynb",
        "index.html",
        "reports.json",
    ]
    nb = nbformat.read(kept, as_version=4)
    (cell,) = [c for c in nb.cells if "deliberate" in c.source]
    assert [o.ename for o in cell.outputs if o.output_type == "error"] == ["RuntimeError"]
    (line,) = [x for x in done.stderr.splitlines() if "boom" in x and "failed" in x and "cell" in x]
    assert f"cell {cell.execution_count}" in line and str(kept) in line
    assert "RuntimeError: deliberate failure mid-notebook" in done.stderr
    assert "✗" in read(out / "index.html")


def test_failing_notebooks_via_the_runner(tmp_path: Path) -> None:
    """Unknown parameter and a bad ``assume``: the first cell raises, nothing looks valid."""
    out = tmp_path / "out"
    out.mkdir()
    common = {"scenario_file": str(BASELINE), "draws": DRAWS}
    jobs = [
        Job("typo", "typo", "scenario_report.ipynb", {**common, "sed": 3}, out, pdf=True),
        Job(
            "assume",
            "assume",
            "scenario_report.ipynb",
            {**common, "assume": {"payout_shar": 0.5}},
            out,
            pdf=True,
        ),
    ]
    for job in jobs:
        for ext in ("html", "pdf", "xlsx"):
            (out / f"{job.name}.{ext}").write_text("stale", encoding="utf-8")
    typo, assume = run_jobs(jobs, workers=1)
    from sbqw_model.assumptions import SPECS

    for outcome, names in ((typo, NOTEBOOK_PARAMETERS["scenario_report"]), (assume, SPECS)):
        name = outcome.job.name
        assert not outcome.ok and outcome.payload is None
        assert "ReportParameterError" in outcome.error
        assert "valid: " + ", ".join(names) in outcome.error
        assert outcome.files == [out / f"{name}.failed.ipynb"]
        nb = nbformat.read(outcome.files[0], as_version=4)
        (cell,) = [
            c for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))
        ]
        assert "from_namespace" in cell.source, "the first cell after the parameters raised"
        assert outcome.cell == cell.execution_count
    assert "unknown parameter(s) sed" in typo.error and "`seed`" in typo.error
    assert "unknown assumption(s) payout_shar" in assume.error
    assert sorted(p.name for p in out.iterdir()) == ["assume.failed.ipynb", "typo.failed.ipynb"]


# --------------------------------------------------------------------------------------------
# Atomicity


@pytest.mark.parametrize("where", ["papermill", "render"])
def test_interrupted_run_leaves_no_half_written_report(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while papermill runs the notebook, or inside ``runner._render`` after the HTML is
    written."""
    import papermill

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if where == "papermill":
        monkeypatch.setattr(papermill, "execute_notebook", interrupt)
    else:
        monkeypatch.setattr(runner, "_write_xlsx", interrupt)  # the page is already in place
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        batch.render(
            [BASELINE],
            out_dir=out,
            compare=False,
            jobs=1,
            lang="zh",
            draws=DRAWS,
            seed=0,
            pdf=False,
            assume={},
        )
    assert list(out.glob("*.html")) == [], "no report page, no index"
    assert list(out.glob("*.xlsx")) == [] and list(out.glob("*.ipynb")) == []
    assert leftovers(out) == [], "no .sbqw-* work folder, no temp file"


# --------------------------------------------------------------------------------------------
# Charts: "Glyph … missing" is an error


def _draw_all(results: Any, names: list[str], lang: str) -> int:
    import matplotlib.pyplot as plt
    import numpy as np

    from sbqw_model.reporting import charts

    figures = [
        charts.fan_chart(results, lang),
        charts.units_chart(results, lang),
        charts.budget_by_year_chart(results, lang),
        charts.outlay_distribution(results, lang),
        charts.prefecture_chart(results, lang),
        charts.compare_probabilities(names, np.linspace(0, 1, 8 * len(names)).reshape(-1, 8), lang),
        charts.compare_budgets(names, np.tile([1e8, 2e8, 3e8], (len(names), 1)), lang),
    ]
    for fig in figures:
        fig.savefig(io.BytesIO(), format="png")  # text is laid out (and glyphs looked up) here
        plt.close(fig)
    return len(figures)


MISSING_GLYPH = r"Glyph \d+.*missing from"


@pytest.fixture(scope="module")
def small_results() -> Any:
    from sbqw_model.engine import simulate

    return simulate(load_scenario(BASELINE), draws=200, seed=0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_draw_every_glyph(lang: str, small_results: Any) -> None:
    import matplotlib

    names = [load_scenario(p).title(lang) for p in SHIPPED]
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        assert _draw_all(small_results, names, lang) == 7


def test_missing_glyph_filter_catches_the_warning() -> None:
    """Guards the test above: the filter matches matplotlib's wording of the warning."""
    import matplotlib
    import matplotlib.pyplot as plt

    from sbqw_model.reporting.fonts import register_fonts

    with matplotlib.rc_context(), warnings.catch_warnings():
        register_fonts()
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        fig, ax = plt.subplots(figsize=(1, 1), dpi=30)
        ax.set_title("龘")  # outside the shipped GB2312 subset
        try:
            with pytest.raises(UserWarning, match="missing from"):
                fig.savefig(io.BytesIO(), format="png")
        finally:
            plt.close(fig)


# --------------------------------------------------------------------------------------------
# A variant (--assume) is a distinct report beside the plain one


def test_assume_makes_a_named_variant_beside_the_plain_report(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    plain = report_cli(BASELINE, "--draws", 50, "--out", out)
    assert plain.returncode == 0, plain.stderr[-3000:]
    before = read(out / "baseline.html")
    variant = report_cli(BASELINE, "--assume", "payout_share=0.6", "--draws", 50, "--out", out)
    assert variant.returncode == 0, variant.stderr[-3000:]
    assert read(out / "baseline.html") == before, "the plain report is not overwritten"
    page = read(out / "baseline-payout_share-0_6.html")
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert title and "基准情景（支付比例改为60%）" in title.group(1)
    assert "“十百千万”工程情景报告：基准情景（支付比例改为60%）" in page
    assert "本报告是“基准情景”的变体：支付比例改为60%" in page  # the description is the plain one's
    assert "按上限的60%支付" in page and "按上限的60%支付" not in before
    assert "（上限）" in before

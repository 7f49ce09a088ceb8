"""notebooks/sensitivity.ipynb through papermill (tiny sizes), its HTML, and its parameters."""

from __future__ import annotations

import html as html_module
import json
import re
from typing import Any

import nbformat
import pytest
from research_helpers import ROOT

from sbqw_model.reporting.parameters import ReportParameterError
from sbqw_model.research.notebook import PARAMETERS, RESEARCH_MIME, check_parameters

pm = pytest.importorskip("papermill")
NOTEBOOK = ROOT / "sbqw_model" / "notebooks" / "sensitivity.ipynb"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    work = tmp_path_factory.mktemp("sensitivity-nb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(work / "runtime"))
        return pm.execute_notebook(
            str(NOTEBOOK),
            str(work / "out.ipynb"),
            parameters={"n": 2, "discovery_draws": 600, "draws": 500},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(ROOT),
        )


def outputs(nb: nbformat.NotebookNode, mime: str) -> list[Any]:
    return [
        o["data"][mime]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if mime in o.get("data", {})
    ]


def test_committed_without_outputs_and_parameters_match() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = re.findall(r"^(\w+) =", cell.source, flags=re.M)
    assert names == list(PARAMETERS)
    namespace: dict[str, Any] = {}
    exec(cell.source, namespace)
    namespace.pop("__builtins__")
    assert namespace == PARAMETERS


def test_runs_and_shows_every_block(executed: nbformat.NotebookNode) -> None:
    html = "\n".join(outputs(executed, "text/html"))
    assert "敏感性分析" in html and "情景发现" in html and "政策前沿" in html
    assert "未能实现" in html, "discovery sentences in Chinese"
    assert len(outputs(executed, "image/png")) == 3
    (payload,) = outputs(executed, RESEARCH_MIME)
    data = payload if isinstance(payload, dict) else json.loads(payload)
    assert data["kind"] == "sensitivity" and data["sensitivity"]["method"] == "morris"
    assert data["frontiers"][0]["settings"] == 8


def test_html_report_is_chinese_and_offline(executed: nbformat.NotebookNode) -> None:
    from sbqw_model.reporting.html import external_urls, notebook_to_html

    page = notebook_to_html(executed, "敏感性分析")
    assert CJK.search(page) and external_urls(page) == []
    assert "study.publish()" not in page


@pytest.mark.parametrize(
    ("namespace", "fragment"),
    [
        ({"nn": 3}, "unknown parameter(s) nn (did you mean `n`?)"),
        ({"method": "sobl"}, "method='sobl'"),
        ({"n": 0}, "n=0; expected a whole number ≥ 1"),
        ({"min_probability": 1.5}, "min_probability=1.5"),
        ({"target_p": 1.5}, "min_probability=1.5"),  # the name before the rename still works
        ({"lang": "fr"}, "lang='fr'"),
    ],
)
def test_bad_parameters_fail_in_the_first_cell(namespace: dict, fragment: str) -> None:
    with pytest.raises(ReportParameterError) as info:
        check_parameters(namespace)
    assert fragment in str(info.value)


def test_papermill_text_parameters_are_parsed() -> None:
    values = check_parameters(
        {"outputs": "[online_retail, p_all_met]", "assume": "{payout_share: 0.5}"}
    )
    assert values["outputs"] == ["online_retail", "p_all_met"]
    assert values["assume"] == {"payout_share": 0.5}


def test_the_old_parameter_name_sets_the_minimum_probability() -> None:
    assert check_parameters({"target_p": 0.3})["min_probability"] == 0.3
    assert check_parameters({})["min_probability"] == 0.8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_factor_table_names_no_internal_key_in_chinese(lang: str) -> None:
    """The factors table showed each factor's path (``uncertainties.online_retail.growth``)
    beside its label in the Chinese report too; the path stays in English, where a researcher
    copies it into ``--factors``."""
    from types import SimpleNamespace

    from sbqw_model.research.notebook import SensitivityReport
    from sbqw_model.research.sensitivity import scenario_problem
    from sbqw_model.scenario import load_scenario

    problem = scenario_problem(load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"))
    report = object.__new__(SensitivityReport)
    report.lang, report.result = lang, SimpleNamespace(problem=problem)
    page = str(report.factors_table())
    assert ("uncertainties." in page) == (lang == "en")
    if lang == "zh":
        assert "网络零售额年均增速" in page and "4% – 28%" in page


def test_every_output_is_named_in_words_in_either_language() -> None:
    """An output's heading, chart title and axis: the English report read 'P(met): Online
    retail' and 'P(all targets met)' (symbols, where the reports say 'probability'); the
    Chinese one must stay free of internal names."""
    from sbqw_model.research.evaluate import SENSITIVITY_OUTPUTS
    from sbqw_model.research.wording import output_label

    for output in SENSITIVITY_OUTPUTS:
        zh, en = output_label(output, "zh"), output_label(output, "en")
        assert CJK.search(zh) and not re.search(r"[A-Za-z_]", zh), zh
        assert not CJK.search(en) and "P(" not in en and "_" not in en, en
        assert "probability" in en.lower() or "outlay" in en.lower(), en


def test_chinese_is_set_as_chinese(executed: nbformat.NotebookNode) -> None:
    """Every visible line of the Chinese report in Chinese typography. The provenance read
    'baseline (baseline.yaml)' in half-width brackets; the frontier '达成概率达到 80%。最高为
    4.8%。', the header '290 次评估 · 每点模拟次数 500' and a warning '请用 n ≥ 20 重新计算'
    put Latin spaces between Chinese and numbers (the scenario reports write 达成概率为4%)."""
    html = "¦".join(outputs(executed, "text/html"))  # ¦: a cell or block boundary
    text = re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", "¦", html)))
    han, number = r"[\u3400-\u9fff]", r"[\d%]"
    spaced = re.findall(rf"{han} +{number}|{number} +{han}", text)
    half = re.findall(r"[();]|(?<!\d):|:(?!\d)|,(?!\d)", text)
    assert not spaced and not half, (spaced[:5], half[:5])

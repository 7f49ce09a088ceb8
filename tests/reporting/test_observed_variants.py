"""A report conditioned on observed figures is a distinct report (issue 9): its file name
gains ``-observed-<file stem>`` and its title says how the figures entered (weighted, pinned, or
only the 2022 level), so ``sbqw report baseline --observed F`` never replaces ``baseline.html``
and never reads as the plain scenario."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import ROOT

from sbqw_model.reporting import manifest
from sbqw_model.reporting.batch import jobs_for
from sbqw_model.reporting.index import write_index
from sbqw_model.reporting.runner import Job, Outcome

SHIPPED = ROOT / "sbqw_model" / "scenarios"
BASELINE, AUSTERITY = SHIPPED / "baseline.yaml", SHIPPED / "austerity.yaml"
OBSERVED_YAML = ROOT / "tests" / "scenarios" / "observed.yaml"  # its own figures, pinned
EXAMPLE = ROOT / "observations" / "example.csv"
COMMON: dict[str, Any] = {"draws": 10, "seed": 0, "pdf": False}


def _jobs(files: list[Path], tmp: Path, lang: str = "zh", **kw: Any) -> list[Job]:
    kw.setdefault("assume", {})
    kw.setdefault("compare", len(files) > 1)
    return jobs_for(files, tmp / "out", lang=lang, **COMMON, **kw)


def _observed(path: Path, method: str | None = None) -> dict[str, str]:
    return {"observed": str(path), **({"method": method} if method else {})}


def test_an_observed_report_and_its_comparison_do_not_replace_the_plain_ones(
    tmp_path: Path,
) -> None:
    plain = _jobs([BASELINE, AUSTERITY], tmp_path)
    weighted = _jobs([BASELINE, AUSTERITY], tmp_path, conditioning=_observed(EXAMPLE))
    assert [j.name for j in plain] == ["baseline", "austerity", "compare-baseline-austerity"]
    assert [j.name for j in weighted] == [
        "baseline-observed-example",
        "austerity-observed-example",
        "compare-baseline-austerity-observed-example",
    ]
    assert weighted[0].title == "基准情景（按观测文件example.csv加权）"
    assert weighted[1].title == "紧缩方案（按上限的50%支付）（按观测文件example.csv加权）"
    # the comparison says it once, not after each scenario
    assert weighted[2].title == (
        "“十百千万”工程情景比较（按观测文件example.csv加权）：基准情景、紧缩方案（按上限的50%支付）"
    )


def test_english_names_end_in_the_language_after_the_observed_suffix(tmp_path: Path) -> None:
    jobs = _jobs([BASELINE, AUSTERITY], tmp_path, "en", conditioning=_observed(EXAMPLE))
    assert [j.name for j in jobs] == [
        "baseline-observed-example-en",
        "austerity-observed-example-en",
        "compare-baseline-austerity-observed-example-en",
    ]
    assert jobs[0].title == "Baseline (weighted by the observed figures in example.csv)"
    assert jobs[2].title.startswith(
        'Guizhou "10-100-1000-10000" e-commerce plan — scenario comparison'
        " (weighted by the observed figures in example.csv): Baseline, "
    )


def test_pinning_is_said_as_pinning_and_named_apart_from_weighting(tmp_path: Path) -> None:
    (job,) = _jobs([BASELINE], tmp_path, conditioning=_observed(EXAMPLE, "pin"))
    assert job.name == "baseline-observed-example-pinned"
    assert job.title == "基准情景（固定为观测文件example.csv的观测值）"
    (en,) = _jobs([BASELINE], tmp_path, "en", conditioning=_observed(EXAMPLE, "pin"))
    assert en.title == "Baseline (pinned to the observed figures in example.csv)"
    # a scenario that pins its own figures pins the file's too: said so, without the flag
    (own,) = _jobs([OBSERVED_YAML], tmp_path, conditioning=_observed(EXAMPLE))
    assert own.name == "observed-observed-example-pinned"
    assert own.title == "含观测值的基准情景(测试)（固定为观测文件example.csv的观测值）"


def test_a_file_of_2022_figures_only_fixes_the_level(tmp_path: Path) -> None:
    level = tmp_path / "level 2022.csv"  # a name safe_name has to clean
    level.write_text("year,indicator,value,source\n2022,online_retail,6.0e10,t\n", "utf-8")
    (job,) = _jobs([BASELINE], tmp_path, conditioning=_observed(level))
    assert job.name == "baseline-observed-level_2022"
    assert job.title == "基准情景（2022年起点取自观测文件level 2022.csv）"
    (en,) = _jobs([BASELINE], tmp_path, "en", conditioning=_observed(level))
    assert en.title == "Baseline (2022 level from the observations file level 2022.csv)"


def test_conditioning_without_a_file_names_a_change_of_method_only(tmp_path: Path) -> None:
    """``--conditioning`` alone changes the numbers only where it differs from the scenario's
    own method (observed.yaml pins its figures)."""
    (same,) = _jobs([OBSERVED_YAML], tmp_path, conditioning={"method": "pin"})
    assert (same.name, same.title) == ("observed", "含观测值的基准情景(测试)")
    (weighted,) = _jobs([OBSERVED_YAML], tmp_path, conditioning={"method": "weight"})
    assert weighted.name == "observed-weighted"
    assert weighted.title == "含观测值的基准情景(测试)（按情景自带观测值加权）"


def test_assumptions_and_observations_share_the_brackets(tmp_path: Path) -> None:
    (job,) = _jobs(
        [BASELINE], tmp_path, assume={"payout_share": 0.6}, conditioning=_observed(EXAMPLE)
    )
    assert job.name == "baseline-payout_share-0_6-observed-example"
    assert job.title == "基准情景（支付比例改为60%，按观测文件example.csv加权）"


def test_the_sensitivity_report_is_not_conditioned_and_does_not_say_so(tmp_path: Path) -> None:
    """The sensitivity notebook takes no observed figures: its report is the plain one's."""
    jobs = _jobs([BASELINE], tmp_path, sensitivity=True, conditioning=_observed(EXAMPLE))
    sens = jobs[-1]
    assert sens.notebook == "sensitivity.ipynb" and "conditioning" not in sens.parameters
    assert sens.name == "baseline-sensitivity" and "example.csv" not in sens.title


def test_a_conditioned_page_says_so_in_its_heading(tmp_path: Path) -> None:
    from sbqw_model.reporting.comparison import Comparison
    from sbqw_model.reporting.scenario_report import ScenarioReport

    given = {"draws": 200, "seed": 0, "lang": "zh", "assume": {}}
    given["conditioning"] = _observed(EXAMPLE)
    report = ScenarioReport.from_namespace({**given, "scenario_file": str(BASELINE)})
    assert "基准情景（按观测文件example.csv加权）" in str(report.header())
    files = [str(BASELINE), str(AUSTERITY)]
    comparison = Comparison.from_namespace({**given, "scenario_files": files})
    assert "（按观测文件example.csv加权）" in str(comparison.header())
    assert comparison.names == ["基准情景", "紧缩方案（按上限的50%支付）"], "said once, above"


def _compared(out: Path, name: str, title: str, scenarios: list[str]) -> Outcome:
    parameters = {"scenario_files": ["a.yaml", "b.yaml"]}
    job = Job(name, title, "compare_scenarios.ipynb", parameters, out)
    (out / f"{name}.html").write_text("x", encoding="utf-8")
    payload = {"kind": "comparison", "scenarios": scenarios}
    return Outcome(job, True, 1.0, files=[out / f"{name}.html"], payload=payload)


def test_the_index_names_compared_scenarios_once(tmp_path: Path) -> None:
    """A comparison's title names its scenarios; its row said them again beside it. An entry
    of before, titled 情景比较 only, keeps them in the cell (its only mention)."""
    out = tmp_path / "reports"
    out.mkdir()
    names = ["基准情景", "乐观情景"]
    old = _compared(out, "compare", "“十百千万”工程情景比较", names)
    new = _compared(
        out, "compare-baseline-optimistic", "“十百千万”工程情景比较：基准情景、乐观情景", names
    )
    write_index([old, new], out, "zh")
    assert [e.name for e in manifest.load(out)] == ["compare", "compare-baseline-optimistic"]
    page = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", page, re.DOTALL)[1:]
    assert rows[0].count("基准情景、乐观情景") == 1, "the old entry: in the cell"
    assert rows[1].count("基准情景、乐观情景") == 1, "the new entry: in its title only"

"""The report folder accumulates: earlier reports stay listed (when, from which file); a report
that now fails is marked failed and its stale files removed, never listed as current."""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from sbqw_model.reporting import manifest
from sbqw_model.reporting.index import write_index
from sbqw_model.reporting.runner import Job, Outcome

pytest.importorskip("papermill")
DRAWS = "100"


def _outcome(
    out: Path, name: str, ok: bool, source: str = "a.yaml", lang: str = "zh", **kw: object
) -> Outcome:
    parameters = {"scenario_file": source}
    job = Job(name, f"title {name}", "scenario_report.ipynb", parameters, out, lang=lang)
    files = []
    if ok:
        for ext in ("html", "xlsx"):
            (out / f"{name}.{ext}").write_text("x", encoding="utf-8")
            files.append(out / f"{name}.{ext}")
    return Outcome(job, ok, 1.0, files=files, **kw)  # type: ignore[arg-type]


def _rows(out: Path, index: str = "index.html") -> list[str]:
    page = (out / index).read_text(encoding="utf-8")
    return re.findall(r"<tr\b[^>]*>(.*?)</tr>", page, re.DOTALL)[1:]


def test_earlier_reports_stay_listed_and_a_rerun_replaces_its_entry(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True, "/x/one.yaml")], out, "zh")
    first = manifest.load(out)
    write_index([_outcome(out, "two", True, "/y/two.yaml")], out, "en")
    entries = manifest.load(out)
    assert [e.name for e in entries] == ["one", "two"]
    assert entries[0] == first[0], "the earlier entry is kept as it was"
    assert entries[1].sources == ["/y/two.yaml"] and entries[1].made >= entries[0].made
    rows = _rows(out)
    assert len(rows) == 2
    assert 'href="one.html"' in rows[0] and "one.yaml" in rows[0] and "UTC" in rows[0]
    write_index([_outcome(out, "one", True, "/z/one-b.yaml")], out, "zh")
    assert [(e.name, e.sources) for e in manifest.load(out)] == [
        ("one", ["/z/one-b.yaml"]),
        ("two", ["/y/two.yaml"]),
    ]


def test_a_report_that_now_fails_is_marked_and_its_stale_files_removed(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True), _outcome(out, "two", True)], out, "zh")
    (out / "one.ipynb").write_text("old", encoding="utf-8")
    failed = _outcome(out, "one", False, error="ValueError: broken", cell=3)
    write_index([failed], out, "zh")
    assert not any((out / f"one.{ext}").exists() for ext in ("html", "xlsx", "ipynb"))
    (entry, other) = manifest.load(out)
    assert not entry.ok and entry.error == "ValueError: broken" and other.ok
    row = _rows(out)[0]
    assert "✗" in row and "生成失败" in row and 'href="one.html"' not in row
    assert "ValueError: broken" in row


def test_reports_deleted_by_hand_drop_out_and_a_broken_manifest_is_rebuilt(
    tmp_path: Path,
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True), _outcome(out, "two", True)], out, "zh")
    (out / "one.html").unlink()
    (out / manifest.MANIFEST).write_text("{not json", encoding="utf-8")
    write_index([_outcome(out, "three", True)], out, "zh")
    assert [e.name for e in manifest.load(out)] == ["three"]
    write_index([_outcome(out, "four", True)], out, "zh")
    assert [e.name for e in manifest.load(out)] == ["three", "four"]
    data = json.loads((out / manifest.MANIFEST).read_text(encoding="utf-8"))
    assert data["version"] == manifest.VERSION and data["reports"][0]["files"] == [
        "three.html",
        "three.xlsx",
    ]


def test_a_report_whose_notebook_or_workbook_was_deleted_stays_listed(tmp_path: Path) -> None:
    """Its page is still there: listed, with the files that are (no link to a deleted one)."""
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True), _outcome(out, "two", True)], out, "zh")
    (out / "one.xlsx").unlink()
    (out / "two.html").unlink()
    write_index([_outcome(out, "three", True)], out, "zh")
    assert [(e.name, e.files) for e in manifest.load(out)] == [
        ("one", ["one.html"]),
        ("three", ["three.html", "three.xlsx"]),
    ]
    rows = _rows(out)
    assert 'href="one.html"' in rows[0] and "one.xlsx" not in rows[0] and len(rows) == 2


def test_the_cli_accumulates_and_marks_a_report_whose_scenario_changed(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        f"extends: {ROOT / 'sbqw_model' / 'scenarios' / 'austerity.yaml'}\n"
        "name: mine\ntitle_zh: 我的情景\ntitle_en: Mine\n",
        encoding="utf-8",
    )

    def report(*args: object) -> subprocess.CompletedProcess[str]:
        options = ["--draws", DRAWS, "--out", str(out)]
        return subprocess.run(
            [sys.executable, "-m", "sbqw_model", "report", *map(str, args), *options],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
            check=False,
        )

    first = report("baseline", "mine.yaml")
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stderr == "", "a good run prints only its results"
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    mine.write_text(mine.read_text(encoding="utf-8") + "not_a_key: 1\n", encoding="utf-8")
    second = report("mine.yaml")
    assert second.returncode == 2 and "not_a_key" in second.stderr  # invalid: nothing written
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    third = report("baseline")  # the next run into the folder marks mine as outdated
    assert third.returncode == 0, third.stderr[-3000:]
    entries = {e.name: e for e in manifest.load(out)}
    assert entries["baseline"].ok and entries["baseline"].sources[0].endswith("baseline.yaml")
    assert entries["mine"].outdated and not entries["baseline"].outdated
    rows = _rows(out)
    assert len(rows) == 2 and "基准情景" in rows[0] and 'href="baseline.html"' in rows[0]
    assert "已过时" in rows[1] and "已过时" not in rows[0]
    # and so is mine's own page (a bookmark skips the index), once; baseline's is untouched
    page = (out / "mine.html").read_text(encoding="utf-8")
    assert page.count(manifest.OUTDATED_CLASS) == 1 and "本报告已过时" in page
    assert page.index("本报告已过时") < page.index("<h1") and "&lt;body" not in page  # still HTML
    assert manifest.OUTDATED_CLASS not in (out / "baseline.html").read_text(encoding="utf-8")
    assert report("baseline").returncode == 0
    assert (out / "mine.html").read_text(encoding="utf-8") == page


def test_a_report_whose_base_scenario_changed_is_outdated(tmp_path: Path) -> None:
    """A copy made by ``sbqw new-scenario`` extends its base: the base's levers edited (or the
    base made invalid) change the copy's numbers, and its report was listed as current."""
    out = tmp_path / "reports"
    out.mkdir()
    base, child, alone = (tmp_path / f"{n}.yaml" for n in ("base", "child", "alone"))
    base.write_text("name: base\n", encoding="utf-8")
    child.write_text("name: child\nextends: base.yaml\n", encoding="utf-8")
    alone.write_text("name: alone\n", encoding="utf-8")
    made = [_outcome(out, n, True, str(f)) for n, f in (("child", child), ("alone", alone))]
    write_index(made, out, "zh")
    base.write_text("name: base\nlevers: {assumptions: {payout_share: 0.3}}\n", encoding="utf-8")
    write_index([_outcome(out, "other", True)], out, "zh")
    assert {e.name: e.outdated for e in manifest.load(out)} == {
        "child": True,
        "alone": False,
        "other": False,
    }
    assert "已过时" in _rows(out)[0] and "已过时" not in _rows(out)[1]
    # said so: "its scenario file has changed" sent the reader to child.yaml, unchanged
    assert "所继承的情景文件" in _rows(out)[0]
    # an entry written before the chains were kept is judged by its own file, as it was
    data = json.loads((out / manifest.MANIFEST).read_text(encoding="utf-8"))
    for e in data["reports"]:
        e.pop("chains"), e.update(outdated=False)
    (out / manifest.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    write_index([_outcome(out, "other", True)], out, "zh")
    assert not any(e.outdated for e in manifest.load(out))


def test_a_stopped_run_lists_the_reports_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C after some reports had landed left them unlisted (a new name) or listed with
    the time and scenario file of the page they had replaced."""
    from sbqw_model.reporting import batch

    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True, "/old/one.yaml")], out, "zh")
    earlier_made = "2026-01-01T00:00:00+00:00"
    data = json.loads((out / manifest.MANIFEST).read_text(encoding="utf-8"))
    data["reports"][0]["made"] = earlier_made
    (out / manifest.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    todo = [_outcome(out, n, False).job for n in ("one", "two", "three")]

    def stopped(jobs: list[Job], *args: object, **kwargs: object) -> list[Outcome]:
        done = kwargs.get("done", args[3] if len(args) > 3 else {})
        assert isinstance(done, dict)
        done[0] = _outcome(out, "one", True, "/new/one.yaml")
        done[1] = _outcome(out, "two", True, "/new/two.yaml")
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "run_jobs", stopped)
    with pytest.raises(KeyboardInterrupt):
        batch._render(todo, out, 1, "zh", None)
    entries = {e.name: e for e in manifest.load(out)}
    assert set(entries) == {"one", "two"}, "three never ran"
    assert entries["one"].sources == ["/new/one.yaml"] and entries["one"].made > earlier_made
    assert len(_rows(out)) == 2 and 'href="two.html"' in _rows(out)[1]
    assert not list(out.glob(".sbqw-*")), "no lock or temporary file left"


def test_the_observations_file_is_listed_hashed_and_outdates_its_report(tmp_path: Path) -> None:
    """A report conditioned on ``--observed obs.csv`` rests on that file as much as on its
    scenario: the entry recorded only the scenario, so two reports from different figures were
    listed alike and a changed file left its report current. Now the index names the file
    (观测文件：obs.csv), ``reports.json`` keeps its sha256, and a change outdates the report."""
    out, obs = tmp_path / "reports", tmp_path / "obs.csv"
    out.mkdir()
    text = "year,indicator,value,source\n2023,online_retail,7.2e10,x\n"
    obs.write_text(text, encoding="utf-8")
    job = Job(
        "seen",
        "title seen",
        "scenario_report.ipynb",
        {"scenario_file": "/x/a.yaml", "conditioning": {"observed": str(obs)}},
        out,
    )
    (out / "seen.html").write_text("<html><body><h1>t</h1></body></html>", encoding="utf-8")
    conditioned = Outcome(job, True, 1.0, files=[out / "seen.html"])
    write_index([conditioned, _outcome(out, "plain", True, "/x/a.yaml")], out, "zh")
    entries = {e.name: e for e in manifest.load(out)}
    assert entries["seen"].observed == str(obs)
    assert entries["seen"].observed_digest == hashlib.sha256(text.encode()).hexdigest()
    assert entries["plain"].observed == "" and entries["plain"].observed_digest == ""
    seen, plain = _rows(out)
    assert "观测文件：" in seen and ">obs.csv</span>" in seen and "观测文件" not in plain
    obs.write_text(text.replace("7.2e10", "7.5e10"), encoding="utf-8")
    write_index([_outcome(out, "other", True, "/x/a.yaml")], out, "zh")
    entries = {e.name: e for e in manifest.load(out)}
    assert entries["seen"].outdated and not entries["plain"].outdated
    assert "本报告已过时" in (out / "seen.html").read_text(encoding="utf-8")


def test_an_outdated_page_that_is_not_ours_is_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text("no body here", encoding="utf-8")
    manifest._mark_page(page, "zh")
    assert page.read_text(encoding="utf-8") == "no body here"
    manifest._mark_page(tmp_path / "missing.html", "en")  # nothing to mark, no error
    assert not (tmp_path / "missing.html").exists()


FIGURES = {"p_all_met": 0.1, "p_online_retail": 0.5, "central": 1e8, "high": 2e8}
FIGURES["payout_share"] = 1.0
GOOD = {
    "name": "old",
    "title": "O",
    "kind": "scenario",
    "sources": ["a.yaml"],
    "made": "2026-11-01T00:00:00+00:00",
    "ok": False,
    "files": [],
    "error": "e",
}


@pytest.mark.parametrize(
    "change",
    [
        {"made": 5},
        {"made": "yesterday"},
        {"sources": 5},
        {"error": 5},
        {"headline": 5},
        {"files": ["javascript:alert(1)"]},
        {"files": ["../../etc/passwd"]},
        {"name": "../../outside"},
        {"cell": "x"},
        {"ok": "perhaps"},
        {"figures": {"p_all_met": 0.5}},  # not the numbers an index row shows
        {"figures": dict(FIGURES, high=float("inf"))},  # "Infinity" is valid JSON
    ],
)
def test_a_tampered_entry_is_dropped_and_the_index_still_written(
    tmp_path: Path, change: dict
) -> None:
    """reports.json is a file anyone can edit: an entry that is not what sbqw writes counts as
    none (no crash, no link or deletion it names), the good ones stay."""
    (tmp_path / "outside").write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    good = dict(GOOD, name="good")
    data = {"version": 1, "reports": [dict(GOOD, **change), good, 5, "x"]}
    (out / manifest.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    assert [e.name for e in manifest.load(out)] == ["good"]
    index = write_index([_outcome(out, "new", False)], out, "zh").read_text(encoding="utf-8")
    assert "javascript:" not in index and "passwd" not in index
    assert (tmp_path / "outside").read_text(encoding="utf-8") == "keep"


def test_each_index_says_every_rows_numbers_in_its_own_language(tmp_path: Path) -> None:
    """A Chinese run's entry listed by a later English run read "1.74亿元（上限）" in an
    English page: the numbers are kept, and each index words them itself."""
    summary = json.loads(
        (ROOT / "tests" / "summaries" / "baseline_v0.1_200_draws.json").read_text()
    )
    payload = {"kind": "scenario", "summary": summary}
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True, payload=payload)], out, "zh")
    assert "亿元（上限）" in _rows(out)[0]
    write_index([_outcome(out, "two", True, lang="en", payload=payload)], out, "en")
    rows = _rows(out, "index-en.html")
    assert len(rows) == 2 and rows[0].count("m (upper bound)") == 2, rows[0]
    words = re.sub(r"<a [^>]*>.*?</a>|<span class=\"lang\"[^>]*>.*?</span>", "", rows[0])
    assert not re.search(r"[\u4e00-\u9fff]", words), rows[0]
    # and the Chinese index words the English run's numbers in Chinese
    zh = _rows(out)
    assert len(zh) == 2 and zh[1].count("亿元（上限）") == 2 and "(upper bound)" not in zh[1]
    assert manifest.load(out)[0].figures["high"] == summary["budget"]["total"]["p95"]


# --------------------------------------------------------------------------------------------
# One folder keeps every language and every comparison (issue 9)

SHIPPED = ROOT / "sbqw_model" / "scenarios"


def test_a_chinese_and_an_english_run_into_one_folder_keep_both(tmp_path: Path) -> None:
    """``--lang en`` after a Chinese run replaced the leader's Chinese baseline.html."""
    out = tmp_path / "reports"
    options = ["--draws", DRAWS, "--out", str(out)]
    for lang in ("zh", "en"):
        done = subprocess.run(
            [sys.executable, "-m", "sbqw_model", "report", "baseline", "--lang", lang, *options],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        index = "index.html" if lang == "zh" else "index-en.html"
        assert done.stdout.rstrip().endswith(f"open {out / index}"), done.stdout
    zh, en = ((out / f"{n}.html").read_text(encoding="utf-8") for n in ("baseline", "baseline-en"))
    assert re.search(r'<html[^>]*\blang="zh', zh) and "基准情景" in zh
    assert re.search(r'<html[^>]*\blang="en', en) and "Baseline" in en
    assert (out / "baseline.xlsx").is_file() and (out / "baseline-en.xlsx").is_file()
    assert [e.name for e in manifest.load(out)] == ["baseline", "baseline-en"]
    rows = _rows(out)
    assert len(rows) == 2 and 'href="baseline.html"' in rows[0] and "基准情景" in rows[0]
    assert 'href="baseline-en.html"' in rows[1] and "Baseline" in rows[1]
    assert re.search(r'<html lang="zh"', _page(out, "index.html")), "the leader's index stays zh"
    assert _tags(out, "index-en.html") == ["zh", "en"]


def _comparison(out: Path, files: list[Path], lang: str = "zh") -> Outcome:
    """The comparison job ``sbqw report FILES --compare`` plans, as if it had rendered."""
    from sbqw_model.reporting.batch import jobs_for

    common = {"draws": 10, "seed": 0, "pdf": False, "assume": {}}
    job = jobs_for(files, out, compare=True, lang=lang, **common)[-1]
    assert job.notebook == "compare_scenarios.ipynb"
    for ext in ("html", "xlsx"):
        (out / f"{job.name}.{ext}").write_text(job.name, encoding="utf-8")
    return Outcome(job, True, 1.0, files=[out / f"{job.name}.{e}" for e in ("html", "xlsx")])


def _links(out: Path) -> list[str]:
    """Each index row's link text (the title a reader tells the reports apart by)."""
    found = [re.search(r"<a [^>]*>(.*?)</a>", r) for r in _rows(out)]
    return [html.unescape(m.group(1)) if m else "" for m in found]


def test_comparisons_of_different_scenarios_keep_both_and_read_differently(
    tmp_path: Path,
) -> None:
    """Every comparison was compare.html: comparing {baseline, austerity} into the folder of a
    comparison of {baseline, optimistic} replaced it; the same set again replaces its own."""
    out = tmp_path / "reports"
    out.mkdir()
    base, optimistic, austerity = (
        SHIPPED / f"{n}.yaml" for n in ("baseline", "optimistic", "austerity")
    )
    first = _comparison(out, [base, optimistic])
    write_index([first], out, "zh")
    write_index([_comparison(out, [base, austerity])], out, "zh")
    names = ["compare-baseline-optimistic", "compare-baseline-austerity"]
    assert [e.name for e in manifest.load(out)] == names
    assert all((out / f"{n}.html").is_file() for n in names)
    assert _links(out) == [
        "“十百千万”工程情景比较：基准情景、乐观情景",
        "“十百千万”工程情景比较：基准情景、紧缩方案（按上限的50%支付）",
    ]
    write_index([_comparison(out, [base, optimistic])], out, "zh")  # the same set again
    again = manifest.load(out)
    assert [e.name for e in again] == names and again[0].made >= manifest.load(out)[1].made
    write_index([_comparison(out, [optimistic, base], "en")], out, "en")  # another order, English
    assert [e.name for e in manifest.load(out)][2:] == ["compare-optimistic-baseline-en"]
    assert _links(out)[2] == (
        'Guizhou "10-100-1000-10000" e-commerce plan — scenario comparison: Optimistic, Baseline'
    )


def test_comparisons_of_files_that_share_titles_still_read_differently(tmp_path: Path) -> None:
    """Two comparisons (or any two reports) whose titles coincide: the later one is told apart
    by its file name, as a comparison tells apart two scenarios that share a title."""
    out = tmp_path / "reports"
    out.mkdir()
    files = {}
    for name, title in (("a", "甲"), ("b", "乙"), ("c", "乙")):
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(
            f"name: {name}\ntitle_zh: {title}\ntitle_en: T\nextends: baseline\n", encoding="utf-8"
        )
    write_index([_comparison(out, [files["a"], files["b"]])], out, "zh")
    write_index([_comparison(out, [files["a"], files["c"]])], out, "zh")
    first, second = _links(out)
    assert first == "“十百千万”工程情景比较：甲、乙"
    assert second == "“十百千万”工程情景比较：甲、乙（compare-a-c）"


# --------------------------------------------------------------------------------------------
# index.html is Chinese; index-en.html its English twin (both list every report)


def _page(out: Path, index: str) -> str:
    return (out / index).read_text(encoding="utf-8")


def _tags(out: Path, index: str) -> list[str]:
    """Each row's language, as its link says it (``lang`` on the report's link)."""
    return [m.group(1) for r in _rows(out, index) for m in [re.search(r'<a [^>]*lang="(\w+)"', r)]]


def test_an_english_run_leaves_the_leaders_index_chinese(tmp_path: Path) -> None:
    """``--lang en`` into the folder of a Chinese run rewrote index.html in English: the
    leader's index is Chinese whatever ran last, its English twin is index-en.html."""
    out = tmp_path / "reports"
    out.mkdir()
    assert write_index([_outcome(out, "one", True)], out, "zh") == out / "index.html"
    assert not (out / "index-en.html").exists(), "no English report, no English index"
    assert "index-en.html" not in _page(out, "index.html")
    written = write_index([_outcome(out, "one-en", True, lang="en")], out, "en")
    assert written == out / "index-en.html", "the run is told of the index in its language"
    zh, en = _page(out, "index.html"), _page(out, "index-en.html")
    assert re.search(r'<html lang="zh"', zh) and "本文件夹中历次生成的全部报告" in zh
    assert re.search(r'<html lang="en"', en) and "Every report rendered into this folder" in en
    for index in ("index.html", "index-en.html"):
        rows = _rows(out, index)
        assert len(rows) == 2 and 'href="one.html"' in rows[0] and 'href="one-en.html"' in rows[1]
        assert _tags(out, index) == ["zh", "en"]
    assert ">中文<" in _rows(out, "index.html")[0] and ">English<" in _rows(out, "index.html")[1]
    assert '<a href="index-en.html" hreflang="en" lang="en">' in zh
    assert '<a href="index.html" hreflang="zh" lang="zh">' in en
    # a later Chinese run keeps the English index up to date
    write_index([_outcome(out, "two", True)], out, "zh")
    assert len(_rows(out, "index-en.html")) == 3 and "two.html" in _rows(out, "index-en.html")[2]


def test_an_english_only_folder_has_a_chinese_index_too(tmp_path: Path) -> None:
    """Chinese first: index.html, the page a leader opens, is Chinese in every folder."""
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one-en", True, lang="en", error="")], out, "en")
    assert re.search(r'<html lang="zh"', _page(out, "index.html"))
    assert _tags(out, "index.html") == _tags(out, "index-en.html") == ["en"]


def test_a_stopped_english_run_lists_its_reports_in_both_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sbqw_model.reporting import batch

    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "one", True)], out, "zh")

    def stopped(jobs: list[Job], *args: object, **kwargs: object) -> list[Outcome]:
        done = kwargs.get("done", args[3] if len(args) > 3 else {})
        assert isinstance(done, dict)
        done[0] = _outcome(out, "one-en", True, lang="en")
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "run_jobs", stopped)
    with pytest.raises(KeyboardInterrupt):
        batch._render([_outcome(out, "one-en", False, lang="en").job], out, 1, "en", None)
    assert re.search(r'<html lang="zh"', _page(out, "index.html"))
    assert _tags(out, "index.html") == _tags(out, "index-en.html") == ["zh", "en"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_scenario_named_like_an_index_gets_another_name(tmp_path: Path, lang: str) -> None:
    """A scenario named index-en wrote its page over the English index, and the index over it."""
    from sbqw_model.reporting.batch import jobs_for

    files = []
    for i, name in enumerate(("index-en", "Index-EN", "index")):
        files.append(tmp_path / f"s{i}.yaml")
        text = f"name: {name}\ntitle_zh: 甲{i}\ntitle_en: T{i}\nextends: baseline\n"
        files[-1].write_text(text, encoding="utf-8")
    common = {"draws": 10, "seed": 0, "pdf": False, "assume": {}}
    names = [j.name for j in jobs_for(files, tmp_path / "o", compare=False, lang=lang, **common)]
    assert not {"index", "index-en"} & {n.casefold() for n in names}, names
    assert len({n.casefold() for n in names}) == 3


def test_an_old_entry_named_index_en_gives_way_to_the_english_index(tmp_path: Path) -> None:
    """A folder rendered before index-en was reserved may list a report of that name: its page
    is now the English index, so it is no longer listed (the index would link to itself)."""
    out = tmp_path / "reports"
    out.mkdir()
    write_index([_outcome(out, "old", True), _outcome(out, "kept", True)], out, "zh")
    data = json.loads((out / manifest.MANIFEST).read_text(encoding="utf-8"))
    data["reports"][0].update(name="index-en", files=["index-en.html", "index-en.xlsx"])
    (out / manifest.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    (out / "index-en.html").write_text("a report", encoding="utf-8")
    write_index([_outcome(out, "b-en", True, lang="en")], out, "en")
    assert [e.name for e in manifest.load(out)] == ["kept", "b-en"]
    assert 'href="index-en.html">' not in "".join(_rows(out) + _rows(out, "index-en.html"))
    assert len(_rows(out, "index-en.html")) == 2

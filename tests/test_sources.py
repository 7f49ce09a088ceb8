"""The project carries its own sources: the plan's text and every cited data file, nothing outside.

A clone or a wheel must let a reader follow a clause id or a ``source:`` to a file in hand, so no
tracked file may point at a folder beside the repository, and every ``indicator year`` a
scenario or doc cites is a row of the shipped statistics.
"""

from __future__ import annotations

import csv
import re
import subprocess

import pytest
from conftest import ROOT

from sbqw_model.shipped import DATA_DIR, SCENARIO_DIR

POLICY = ROOT / "sbqw_model" / "policy"
STATISTICS = DATA_DIR / "public_statistics_to_2022.csv"
# built from parts so this file does not match itself
OUTSIDE = re.compile(
    "|".join([r"\.\./" + "shared", "shared" + "/(?:data|policy|notes)", "/wo" + "rk/"])
)
CITED = re.compile(r"\b([a-z][a-z0-9]*_[a-z0-9_]+) ((?:19|20)\d\d)\b")


def tracked_files() -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return [f for f in done.stdout.splitlines() if (ROOT / f).is_file()]


def test_nothing_refers_to_folders_outside_the_repository() -> None:
    offenders = []
    for name in tracked_files():
        data = (ROOT / name).read_bytes()
        if b"\0" in data:  # fonts and other binaries
            continue
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)


def test_the_plan_text_digest_and_statistics_ship_with_the_project() -> None:
    text = (POLICY / "qianshangfa-2023-1.zh.txt").read_text(encoding="utf-8")
    assert "黔商发" in text and "网络零售额" in text
    digest = (POLICY / "DIGEST.md").read_text(encoding="utf-8")
    assert "qianshangfa-2023-1.zh.txt" in digest
    with STATISTICS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 40 and all(r["source_url"].strip() for r in rows), "every row says where"
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert (
        "public_statistics_to_2022.csv" in readme and "national_online_retail_growth.csv" in readme
    )


def test_every_clause_id_in_the_parameters_is_in_the_digest() -> None:
    from sbqw_model.parameters import default_parameters

    digest = (POLICY / "DIGEST.md").read_text(encoding="utf-8")
    params = default_parameters()
    clauses = {params.leaf(p).clause for p in params.paths()}
    missing = sorted(c for c in clauses if c and c.split()[0] not in digest)
    assert not missing, missing


def test_every_cited_indicator_year_is_a_row_of_the_shipped_statistics() -> None:
    with STATISTICS.open(encoding="utf-8") as handle:
        rows = {(r["indicator"], r["year"]) for r in csv.DictReader(handle)}
    indicators = {i for i, _ in rows}
    files = [*SCENARIO_DIR.glob("*.yaml"), ROOT / "docs" / "model.md", ROOT / "README.md"]
    cited = [
        (f.name, m.group(1), m.group(2))
        for f in files
        for m in CITED.finditer(f.read_text(encoding="utf-8"))
    ]
    assert len(cited) >= 4, "the baseline cites its rows by indicator and year"
    unknown = [
        c
        for c in cited
        if c[1] in indicators or c[1].split("_")[0] in {"online", "active", "resident"}
        if not any(i == c[1] and y.startswith(c[2]) for i, y in rows)
    ]
    assert not unknown, unknown

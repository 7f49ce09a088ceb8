"""``sbqw cost`` end to end: formats, files, and every kind of bad input.

Subprocess calls (``run_cli``) check what a user sees; the per-problem table runs ``cli.main``
in-process, which is the same code without the 0.7 s start-up per case.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, RECOGNITION_HEADER, SALES_HEADER, WAN, run_cli
from test_costing import (
    EXAMPLE_BY_INSTRUMENT,
    EXAMPLE_BY_PREFECTURE,
    EXAMPLE_BY_YEAR,
    EXAMPLE_TOTAL,
)

from sbqw_model import cli, prefectures
from sbqw_model.costing import LINE_COLUMNS
from sbqw_model.rules import INSTRUMENTS

REC = EXAMPLES / "recognitions.csv"
SALES = EXAMPLES / "sales.csv"
LINE_KEYS = {
    "unit_id",
    "category",
    "prefecture",
    "achievement_year",
    "payment_year",
    "instrument",
    "amount_yuan",
    "clause",
    "basis",
}


def wan(mapping: dict) -> dict:
    return {k: v * WAN for k, v in mapping.items()}


# --------------------------------------------------------------------------- good runs


@pytest.fixture(scope="module")
def example_json() -> dict:
    done = run_cli("cost", "--recognitions", REC, "--sales", SALES, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def test_json_has_the_documented_shape(example_json: dict) -> None:
    assert list(example_json) == [
        "total_yuan",
        "by_instrument",
        "by_year",
        "by_prefecture",
        "assumptions",
        "lines",
    ]
    assert list(example_json["by_instrument"]) == [
        "award.park",
        "award.base",
        "award.enterprise",
        "award.team",
        "sales.tier1",
        "sales.tier2",
        "traffic",
    ]
    # payment years, as text: sales milestones and traffic of 2025 are paid in 2026
    assert list(example_json["by_year"]) == ["2023", "2024", "2025", "2026"]
    assert list(example_json["by_prefecture"]) == list(prefectures.NAMES_ZH)
    assert example_json["assumptions"] == {
        "payout_share": 1.0,
        "sales_award_mode": "highest",
        "sales_award_recipients": "all_units",
        "traffic_base": "all",
        "revoked_count_toward_targets": False,
        "revoked_repay": False,
        "payment_lag_years": 0,
        "payment_delay_awards": 0,
        "payment_delay_sales": 1,
        "payment_delay_traffic": 1,
        "traffic_cap_period": "year",
        "milestone_sales_basis": "total",
        "milestone_pre_plan_tiers": "paid",
        "cross_border_exclusion": "whole_firm",
    }
    for line in example_json["lines"]:
        assert set(line) == LINE_KEYS
        assert line["instrument"] in INSTRUMENTS
        assert line["clause"].startswith("§四(二)")
        assert "万元" in line["basis"]


def test_json_totals_are_the_hand_computed_ones(example_json: dict) -> None:
    assert example_json["total_yuan"] == EXAMPLE_TOTAL * WAN  # 1534 万
    assert example_json["by_instrument"] == wan(EXAMPLE_BY_INSTRUMENT)
    assert example_json["by_year"] == wan(EXAMPLE_BY_YEAR)
    assert example_json["by_prefecture"] == wan(EXAMPLE_BY_PREFECTURE)
    amounts = [line["amount_yuan"] for line in example_json["lines"]]
    assert sum(amounts) == pytest.approx(EXAMPLE_TOTAL * WAN)
    traffic = {
        (x["unit_id"], x["achievement_year"]): x
        for x in example_json["lines"]
        if x["instrument"] == "traffic"
    }
    assert traffic[("E-GY-01", 2023)]["basis"] == "3.00 亿元 × 5 元/万元 = 15.00 万元"
    assert traffic[("E-ZY-01", 2023)]["amount_yuan"] == 5 * WAN  # exactly 1 亿
    assert ("E-GY-02", 2024) not in traffic  # cross-border
    assert ("E-GY-02", 2025) not in traffic  # 99 999 999
    assert ("E-LPS-01", 2024) not in traffic  # not above scale


def test_table_is_chinese_first_in_wan() -> None:
    done = run_cli("cost", "--recognitions", REC, "--sales", SALES)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for heading in (
        "十百千万",
        "黔商发〔2023〕1号",
        "假设",
        "合计",
        "按项目",
        "按支付年度",
        "按市（州）",
        "明细",
        "金额（万元）",
        "条款",
    ):
        assert heading in out, heading
    assert "1,534.00 万元" in out  # the total in 万元
    assert "249.00" in out  # traffic: 15 + 100 + 100 + 5 + 9 + 13 + 7 万
    assert "§四(二)2" in out and "§四(二)3" in out
    assert out.index("按项目") < out.index("按支付年度") < out.index("明细")
    # the assumptions as --assume takes them, not Python's spelling
    assert "revoked_repay=false" in out and "False" not in out and "True" not in out


def test_csv_lists_the_lines() -> None:
    done = run_cli("cost", "--recognitions", REC, "--sales", SALES, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == list(LINE_COLUMNS)
    assert len(rows) == 22  # 12 awards + 3 sales awards + 7 traffic lines
    assert sum(float(r["amount_yuan"]) for r in rows) == pytest.approx(EXAMPLE_TOTAL * WAN)


def test_out_file_with_assumptions(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "cost.json"
    done = run_cli(
        "cost",
        "--recognitions",
        REC,
        "--sales",
        SALES,
        "--format",
        "json",
        "--out",
        target,
        "--assume",
        "payment_lag_years=1",
        "--assume",
        "payout_share=0.5",
        "--assume",
        "sales_award_mode=cumulative",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert str(target) in done.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == ["cost.json"]  # no temp file left
    data = json.loads(target.read_text(encoding="utf-8"))
    # cumulative pays the example like highest (E-GY-01 reached 10 亿 before 50 亿): 1534 万 × 0.5
    assert data["total_yuan"] == 767 * WAN
    # payment years shift by one on top of the default timing (EXAMPLE_BY_YEAR: 365, 480, 469,
    # 220 in 2023…2026): × 0.5 in 2024…2027
    assert data["by_year"] == {
        "2024": 182.5 * WAN,
        "2025": 240 * WAN,
        "2026": 234.5 * WAN,
        "2027": 110 * WAN,
    }
    assert data["assumptions"]["payout_share"] == 0.5
    assert data["assumptions"]["sales_award_mode"] == "cumulative"
    # awards one year on (the lag); sales milestones and traffic two (a year's delay + the lag)
    assert all(
        x["payment_year"] == x["achievement_year"] + (1 if x["instrument"][:5] == "award" else 2)
        for x in data["lines"]
    )


def write_xlsx(path: Path, source: Path) -> Path:
    """Copy a CSV into the first sheet of a workbook, with numbers and booleans typed."""
    book = openpyxl.Workbook()
    sheet = book.active
    with source.open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.reader(handle)):
            if i:
                row = [
                    int(c) if c.isdigit() else {"true": True, "false": False}.get(c, c) for c in row
                ]
            sheet.append(row)
    book.create_sheet("notes").append(["ignored: only the first sheet is read"])
    book.save(path)
    return path


def test_xlsx_input(tmp_path: Path) -> None:
    rec = write_xlsx(tmp_path / "r.xlsx", REC)
    sales = write_xlsx(tmp_path / "s.xlsx", SALES)
    done = run_cli("cost", "--recognitions", rec, "--sales", sales, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total_yuan"] == EXAMPLE_TOTAL * WAN
    assert data["by_instrument"] == wan(EXAMPLE_BY_INSTRUMENT)


def test_recognitions_only() -> None:
    done = run_cli("cost", "--recognitions", REC, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total_yuan"] == (600 + 150 + 20 + 15) * WAN  # the one-time awards only


def test_sales_only() -> None:
    done = run_cli("cost", "--sales", SALES, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total_yuan"] == (200 + 300 + 249) * WAN  # sales awards + traffic


# --------------------------------------------------------------------------- bad input, batched

BAD_REC_ROWS = [
    ("R1", "enterprize", "贵阳市", "2023"),  # row 2: unknown category
    ("R2", "park", "Atlantis", "2024"),  # row 3: unknown prefecture
    ("R3", "team", "遵义市", "2026"),  # row 4: year outside 2023–2025
]
BAD_SALES_ROWS = [
    ("S1", "贵阳市", "2023", "12亿", "100000000", "true", "false"),  # row 2: non-numeric
    ("S2", "贵阳市", "2023", "100", "-5", "true", "false"),  # row 3: negative
    ("S3", "贵阳市", "2023", "100", "100", "maybe", "false"),  # row 4: boolean
    ("S4", "贵阳市", "2021", "100", "100", "true", "false"),  # row 5: before the base year 2022
    ("S1", "贵阳市", "2023", "100", "100", "true", "false"),  # row 6: S1 twice in 2023
]


def assert_user_error(done, expected: list[list[str]], out: Path | None = None) -> list[str]:
    """Exit 2, nothing on stdout, no traceback, one stderr line per expected problem."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("sbqw: error: ") for line in lines), lines
    assert len(lines) == len(expected), lines
    for words in expected:
        assert any(all(w in line for w in words) for line in lines), (words, lines)
    if out is not None:
        assert not out.exists()
    return lines


def test_all_row_problems_at_once(tmp_path: Path, write_csv) -> None:
    rec = write_csv("rec.csv", RECOGNITION_HEADER, BAD_REC_ROWS)
    sales = write_csv("sales.csv", SALES_HEADER, BAD_SALES_ROWS)
    out = tmp_path / "out.json"
    done = run_cli(
        "cost",
        "--recognitions",
        rec,
        "--sales",
        sales,
        "--out",
        out,
        "--format",
        "json",
        "--assume",
        "payout_shar=0.5",
        "--assume",
        "sales_award_mode=maximum",
        "--assume",
        "payout_share=1.5",
    )
    assert_user_error(
        done,
        [
            [str(rec), "row 2, column category", "'enterprize'", "park, base, enterprise, team"],
            [str(rec), "row 3, column prefecture", "'Atlantis'", "贵阳市/Guiyang", "黔西南州"],
            [str(rec), "row 4, column year", "2026", "2023–2025"],
            [str(sales), "row 2, column annual_sales_yuan", "'12亿'", "amount in yuan"],
            [str(sales), "row 3, column online_retail_yuan", "'-5'", "non-negative"],
            [str(sales), "row 4, column above_scale", "'maybe'", "true or false"],
            [str(sales), "row 5, column year", "2021", "2023–2025", "before it (2022"],
            [str(sales), "row 6", "'S1'", "twice in 2023", "row 2"],
            ["--assume", "`payout_shar`", "did you mean `payout_share`"],
            ["--assume", "sales_award_mode=maximum", "highest, cumulative, top_up"],
            ["--assume", "payout_share=1.5", "from 0 to 1"],
        ],
        out,
    )


def test_missing_file_and_missing_column_together(tmp_path: Path, write_csv) -> None:
    rec = write_csv("rec.csv", ("unit_id", "category", "prefecture"), [("R1", "park", "贵阳市")])
    missing = tmp_path / "no_such_sales.csv"
    out = tmp_path / "out.txt"
    out.write_text("previous result\n", encoding="utf-8")
    done = run_cli("cost", "--recognitions", rec, "--sales", missing, "--out", out)
    assert_user_error(
        done,
        [[str(rec), "missing column `year`"], [str(missing), "file not found"]],
    )
    assert out.read_text(encoding="utf-8") == "previous result\n"  # an old result is untouched


def test_no_ledger_at_all() -> None:
    done = run_cli("cost", "--format", "json")
    assert_user_error(done, [["--recognitions", "--sales"]])


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["cost", "examples/recognitions.csv"], "cost"),  # the file without --recognitions
        (["simulate", "baseline", "--drawz", "9"], "simulate"),
        (["report", "baseline", "--jbos", "2"], "report"),
    ],
)
def test_an_argument_no_option_takes_points_to_its_commands_help(argv, command, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"sbqw {command}: error: unrecognized arguments: "), err
    assert err.endswith(f"(see `sbqw {command} --help`)\n"), err


# --------------------------------------------------------------------------- bad input, one by one

GOOD_REC = ("R1", "enterprise", "贵阳市", "2023")
GOOD_SALES = ("S1", "贵阳市", "2023", "1200000000", "300000000", "true", "false")


def sales_row(**changes: str) -> tuple[str, ...]:
    row = dict(zip(SALES_HEADER, GOOD_SALES, strict=True))
    row.update(changes)
    return tuple(row.values())


def rec_row(**changes: str) -> tuple[str, ...]:
    row = dict(zip(RECOGNITION_HEADER, GOOD_REC, strict=True))
    row.update(changes)
    return tuple(row.values())


# (id, recognitions rows, sales rows, extra args, words expected in the one stderr line)
ONE_PROBLEM = [
    ("missing recognitions file", "MISSING", None, [], ["file not found"]),
    ("missing sales column", None, "NO_CROSS_BORDER", [], ["missing column `cross_border`"]),
    (
        "unknown category",
        [rec_row(category="shop")],
        None,
        [],
        ["row 2, column category", "'shop'", "valid: park, base, enterprise, team"],
    ),
    (
        "unknown prefecture (recognitions)",
        [rec_row(prefecture="Kunming")],
        None,
        [],
        ["row 2, column prefecture", "'Kunming'", *prefectures.NAMES_ZH, *prefectures.NAMES_EN],
    ),
    (
        "unknown prefecture (sales)",
        None,
        [sales_row(prefecture="昆明市")],
        [],
        ["row 2, column prefecture", "'昆明市'", "贵阳市/Guiyang"],
    ),
    (
        "non-numeric amount",
        None,
        [sales_row(online_retail_yuan="three hundred")],
        [],
        ["row 2, column online_retail_yuan", "'three hundred'", "expected an amount in yuan"],
    ),
    (
        "negative amount",
        None,
        [sales_row(annual_sales_yuan="-1200000000")],
        [],
        ["row 2, column annual_sales_yuan", "non-negative"],
    ),
    (
        "unparseable boolean",
        None,
        [sales_row(cross_border="sometimes")],
        [],
        ["row 2, column cross_border", "'sometimes'", "true or false"],
    ),
    (
        "year after the plan",
        [rec_row(year="2026")],
        None,
        [],
        ["row 2, column year", "outside the plan (2023–2025)"],
    ),
    (
        "year before the base year",
        None,
        [sales_row(year="2021")],
        [],
        ["row 2, column year", "outside the plan (2023–2025) and the year before it (2022"],
    ),
    (
        "year not a number",
        [rec_row(year="next year")],
        None,
        [],
        ["row 2, column year", "expected a year"],
    ),
    (
        "same unit twice in a year in sales",
        None,
        [GOOD_SALES, sales_row(online_retail_yuan="1")],
        [],
        ["row 3", "'S1' appears twice in 2023", "first at row 2"],
    ),
    (
        "unknown --assume key",
        [GOOD_REC],
        None,
        ["--assume", "traffic_basis=all"],
        ["--assume", "unknown assumption `traffic_basis`", "did you mean `traffic_base`"],
    ),
    (
        "bad --assume value",
        [GOOD_REC],
        None,
        ["--assume", "payment_lag_years=3"],
        ["--assume", "payment_lag_years=3", "one of 0, 1, 2"],
    ),
    (
        "bad --assume reading of tiers before the plan",
        [GOOD_REC],
        None,
        ["--assume", "milestone_pre_plan_tiers=newly"],
        ["--assume", "milestone_pre_plan_tiers=newly", "expected one of paid, not_paid"],
    ),
    (
        "bad --assume share",
        [GOOD_REC],
        None,
        ["--assume", "payout_share=half"],
        ["--assume", "payout_share=half", "a number from 0 to 1"],
    ),
    (
        "--assume without =",
        [GOOD_REC],
        None,
        ["--assume", "payout_share"],
        ["--assume payout_share", "KEY=VALUE"],
    ),
]


@pytest.mark.parametrize(
    ("rec", "sales", "extra", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in ONE_PROBLEM],
)
def test_each_bad_input_alone(tmp_path: Path, write_csv, capsys, rec, sales, extra, words) -> None:
    args = ["cost", "--format", "json", "--out", str(tmp_path / "out.json"), *extra]
    named: list[str] = []
    if rec == "MISSING":
        args += ["--recognitions", str(tmp_path / "absent.csv")]
        named.append(str(tmp_path / "absent.csv"))
    elif rec is not None:
        path = write_csv("rec.csv", RECOGNITION_HEADER, rec)
        args += ["--recognitions", str(path)]
        named.append(str(path))
    if sales == "NO_CROSS_BORDER":
        path = write_csv("sales.csv", SALES_HEADER[:-1], [GOOD_SALES[:-1]])
        args += ["--sales", str(path)]
        named.append(str(path))
    elif sales is not None:
        path = write_csv("sales.csv", SALES_HEADER, sales)
        args += ["--sales", str(path)]
        named.append(str(path))
    code = cli.main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("sbqw: error: ")
    for word in words:
        assert word in line, (word, line)
    if "--assume" not in extra:
        assert any(line.startswith(f"sbqw: error: {name}") for name in named), line
    assert not (tmp_path / "out.json").exists()


def test_bad_xlsx_cell_names_the_workbook_and_row(tmp_path: Path, capsys) -> None:
    book = openpyxl.Workbook()
    book.active.append(list(SALES_HEADER))
    book.active.append(["S1", "贵阳市", 2023, 1_200_000_000, 300_000_000, True, False])
    book.active.append(["S2", "贵阳市", 2024, "n/a", 300_000_000, "yes?", False])
    path = tmp_path / "sales.xlsx"
    book.save(path)
    assert cli.main(["cost", "--sales", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 2
    assert f"{path} sheet Sheet row 3, column annual_sales_yuan" in lines[0]
    assert f"{path} sheet Sheet row 3, column above_scale" in lines[1]


# --------------------------------------------------------------------------- unreadable tables

HEADER_LINE = ",".join(RECOGNITION_HEADER)
UNREADABLE = [
    ("empty file", "rec.csv", b"", "the file is empty"),
    (
        "extra cell",
        "rec.csv",
        f"{HEADER_LINE}\nR1,park,贵阳市,2023,oops\n".encode(),
        "row 2: more cells than the header",
    ),
    (
        "ragged row",
        "rec.csv",
        f"{HEADER_LINE}\nR1,park,贵阳市,2023\nR2,park,贵阳市,2023,x\n".encode(),
        "row 3: more cells than the header",
    ),
    (
        "neither UTF-8 nor GB18030",
        "rec.csv",
        f"{HEADER_LINE}\nR1,park,café,2023\n".encode("latin-1"),
        "neither UTF-8 nor GB18030; in Excel choose Save As",
    ),
    (
        "UTF-16",
        "rec.csv",
        f"{HEADER_LINE}\nR1,park,贵阳市,2023\n".encode("utf-16"),
        "not a text CSV",
    ),
    ("not a table", "rec.txt", b"hello", "expected a .csv, .tsv or .xlsx file"),
    ("broken workbook", "rec.xlsx", b"not a zip", "cannot read the workbook"),
]


@pytest.mark.parametrize(
    ("name", "content", "words"), [pytest.param(*c[1:], id=c[0]) for c in UNREADABLE]
)
def test_unreadable_tables(tmp_path: Path, capsys, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert cli.main(["cost", "--recognitions", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"sbqw: error: {path}") and words in line, line


def test_excel_csv_with_byte_order_mark(tmp_path: Path, capsys) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(f"{HEADER_LINE}\nR1,park,Guiyang,2023\n", encoding="utf-8-sig")
    assert cli.main(["cost", "--recognitions", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_yuan"] == 300 * WAN


def test_bad_parameter_file_is_reported_with_ledger_problems(
    tmp_path: Path, write_csv, capsys
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("awards: {park: {value: -1}}\n", encoding="utf-8")
    rec = write_csv("rec.csv", RECOGNITION_HEADER, [rec_row()])
    code = cli.main(
        ["cost", "--recognitions", str(rec), "--parameters", str(plan), "--assume", "nope=1"]
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert any("--assume" in line for line in lines)
    assert any(f"{plan}: awards.park.unit: missing" in line for line in lines)
    assert any(f"{plan}: traffic.cap: missing" in line for line in lines)

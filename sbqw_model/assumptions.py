"""Named assumptions for what the plan's text leaves open (DIGEST.md, "What the text leaves open").

Each is explicit, documented and switchable from the command line (``--assume KEY=VALUE``) or a
scenario's levers, so a reader can see which reading of the text produced a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sbqw_model.errors import InputError, Problems, did_you_mean


@dataclass(frozen=True)
class AssumptionSpec:
    """How one assumption may be set, and why it exists."""

    name: str
    choices: tuple[Any, ...] | None  # None: a number in [low, high]
    low: float = 0.0
    high: float = 1.0
    digest: str = ""
    doc_zh: str = ""
    doc_en: str = ""

    def describe_expected(self) -> str:
        if self.choices is None:
            return f"a number from {self.low:g} to {self.high:g}"
        return "one of " + ", ".join(_show(c) for c in self.choices)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


SPECS: dict[str, AssumptionSpec] = {
    s.name: s
    for s in (
        AssumptionSpec(
            "payout_share",
            None,
            digest="open point 1",
            doc_zh="实际支付占各项上限的比例(1.0 = 按上限支付,为上界)",
            doc_en="Share of each ceiling actually paid (1.0 = ceilings, an upper bound).",
        ),
        AssumptionSpec(
            "sales_award_mode",
            ("highest", "cumulative", "top_up"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励口径:highest 首次达到未获奖档位当年按最高档奖励、跳过的低档不再奖励;"
                "cumulative 每档各奖一次;top_up 补足至最高档金额"
            ),
            doc_en=(
                "highest: in the year a unit first reaches an unpaid tier it gets the highest such"
                " tier's award, skipped lower tiers are never paid; cumulative: every tier reached"
                " is paid once; top_up: paid up to the highest tier reached minus what it received."
            ),
        ),
        AssumptionSpec(
            "sales_award_recipients",
            ("all_units", "enterprises_only"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励对象:all_units 销售数据中的任何单位(含园区、基地合计销售额);"
                "enterprises_only 不含认定为园区或基地的单位"
            ),
            doc_en=(
                "Who may receive sales-milestone awards: all_units = any unit in the sales data"
                " (parks and bases by their combined sales too); enterprises_only = not units"
                " recognized as a park or base."
            ),
        ),
        AssumptionSpec(
            "traffic_base",
            ("all", "excess"),
            digest="open point 3",
            doc_zh="流量补贴基数:all 全部网络零售额(原文“每实现1万元”);excess 仅超过1亿元部分",
            doc_en="Traffic subsidy base: all online retail (the text), or only what is above 1亿.",
        ),
        AssumptionSpec(
            "revoked_count_toward_targets",
            (False, True),
            digest="open point 4",
            doc_zh="被取消资格的单位是否仍计入2025年目标",
            doc_en="Whether revoked units still count toward the 2025 targets.",
        ),
        AssumptionSpec(
            "revoked_repay",
            (False, True),
            digest="open point 4",
            doc_zh="被取消资格的单位是否退回一次性奖励(在取消当年收回)",
            doc_en="Whether a revoked unit repays its one-time award (recovered in the year of"
            " revocation).",
        ),
        AssumptionSpec(
            "payment_lag_years",
            (0, 1, 2),
            digest="open point 5",
            doc_zh="当年奖励延后几年支付(12月10日报数,多在次年预算支付);分年合计按支付年",
            doc_en=(
                "A year's awards are paid that many years later (data are reported on"
                " 10 December); totals by year use the payment year."
            ),
        ),
        AssumptionSpec(
            "payment_delay_awards",
            (0, 1, 2),
            digest="open point 5",
            doc_zh="一次性奖励在认定当年后几年支付(默认0:认定当年支付),再加 payment_lag_years",
            doc_en=(
                "One-time awards are paid this many years after the recognition year (default 0:"
                " the recognition year itself), before payment_lag_years is added."
            ),
        ),
        AssumptionSpec(
            "payment_delay_sales",
            (0, 1, 2),
            digest="open point 5",
            doc_zh=(
                "销售额奖励在达标年后几年支付(默认1:全年销售额须待年终12月10日报数,§三(三)),"
                "再加 payment_lag_years"
            ),
            doc_en=(
                "Sales-milestone awards are paid this many years after the year the sales were"
                " made (default 1: a full year's sales are known only after the 10 December"
                " report, §三(三)), before payment_lag_years is added."
            ),
        ),
        AssumptionSpec(
            "payment_delay_traffic",
            (0, 1, 2),
            digest="open point 5",
            doc_zh=(
                "流量补贴在零售额实现年后几年支付(默认1:需全年网络零售额),再加 payment_lag_years"
            ),
            doc_en=(
                "The traffic subsidy is paid this many years after the year of the online retail"
                " (default 1: it needs the full year's figure), before payment_lag_years."
            ),
        ),
        AssumptionSpec(
            "traffic_cap_period",
            ("year", "plan"),
            digest="open point 3",
            doc_zh=(
                "流量补贴“每家企业最高补贴不超过100万元”的期间:year 每家企业每年;"
                "plan 每家企业在整个方案期内累计(原文未写“年度”)"
            ),
            doc_en=(
                "The traffic subsidy's 100万 cap per enterprise: year = per enterprise and year;"
                " plan = per enterprise over the whole plan period (the text does not say 年度)."
            ),
        ),
        AssumptionSpec(
            "milestone_sales_basis",
            ("total", "online"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励的“年销售额”:total 全部年销售额(含线下、批发);"
                "online 仅网络零售额(电商销售额)"
            ),
            doc_en=(
                "年销售额 for the sales milestones: total = all annual sales (offline and"
                " wholesale too); online = e-commerce sales only (the unit's online retail)."
            ),
        ),
        AssumptionSpec(
            "cross_border_exclusion",
            ("whole_firm", "cross_border_part"),
            digest="open point 3",
            doc_zh=(
                "流量补贴“不含跨境电商”:whole_firm 跨境电商企业整体不享受;"
                "cross_border_part 仅剔除其跨境部分,境内网络零售额照常计算"
            ),
            doc_en=(
                "The traffic subsidy's 不含跨境电商: whole_firm = a cross-border e-commerce firm"
                " gets nothing; cross_border_part = only its cross-border retail is left out,"
                " its domestic online retail counts (threshold and base)."
            ),
        ),
    )
}


@dataclass(frozen=True)
class Assumptions:
    """The values in force; defaults are the plan read as an upper bound, with sales milestones
    and the traffic subsidy paid the year after (they need a full year's figures)."""

    payout_share: float = 1.0
    sales_award_mode: str = "highest"
    sales_award_recipients: str = "all_units"
    traffic_base: str = "all"
    revoked_count_toward_targets: bool = False
    revoked_repay: bool = False
    payment_lag_years: int = 0
    payment_delay_awards: int = 0
    payment_delay_sales: int = 1
    payment_delay_traffic: int = 1
    traffic_cap_period: str = "year"
    milestone_sales_basis: str = "total"
    cross_border_exclusion: str = "whole_firm"

    def payment_delay(self, instrument: str) -> int:
        """Years from achievement to payment for one instrument (its group's delay + the lag)."""
        kind = instrument.partition(".")[0]
        delay = {
            "award": self.payment_delay_awards,
            "sales": self.payment_delay_sales,
            "traffic": self.payment_delay_traffic,
        }[kind]
        return delay + self.payment_lag_years

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, values: Mapping[str, Any], source: str = "--assume") -> Assumptions:
        """A copy with ``values`` applied; all are checked before any is applied."""
        problems = Problems()
        clean: dict[str, Any] = {}
        for key, raw in values.items():
            spec = SPECS.get(key)
            if spec is None:
                problems.add(
                    f"{source}: unknown assumption `{key}`{did_you_mean(key, SPECS)};"
                    f" valid: {', '.join(SPECS)}"
                )
                continue
            value = coerce(spec, raw)
            if value is None:
                problems.add(f"{source}: {key}={_show(raw)}: expected {spec.describe_expected()}")
            else:
                clean[key] = value
        problems.raise_if_any()
        return replace(self, **clean)


ASSUMPTION_NAMES = tuple(f.name for f in fields(Assumptions))


def coerce(spec: AssumptionSpec, raw: Any) -> Any:
    """Turn a command-line string or YAML value into the assumption's type, or None if invalid."""
    if spec.choices is None:
        if isinstance(raw, bool):
            return None
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None
        return number if spec.low <= number <= spec.high else None
    for choice in spec.choices:
        if isinstance(choice, bool):
            text = str(raw).strip().lower()
            if raw is choice or text == _show(choice):
                return choice
        elif isinstance(choice, int):
            if not isinstance(raw, bool) and str(raw).strip() == str(choice):
                return choice
        elif raw == choice:
            return choice
    return None


def parse_assume_pairs(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings from ``--assume`` flags → {key: typed value}, only the keys given.

    Every problem is reported at once.
    """
    problems = Problems()
    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            problems.add(f"--assume {pair}: expected KEY=VALUE, e.g. payout_share=0.5")
            continue
        key, value = pair.split("=", 1)
        values[key.strip()] = value.strip()
    try:
        checked = Assumptions().updated(values)
    except InputError as exc:
        problems.extend(exc.problems)
    problems.raise_if_any()
    return {k: getattr(checked, k) for k in values}


def parse_assume_args(pairs: Iterable[str], base: Assumptions | None = None) -> Assumptions:
    """``--assume`` flags applied over ``base`` (the defaults when None)."""
    return (base or Assumptions()).updated(parse_assume_pairs(pairs))

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
    #: The reader's name (reports never show ``name``) and each choice's reading, zh and en.
    label_zh: str = ""
    label_en: str = ""
    value_labels: tuple[tuple[Any, str, str], ...] = ()

    def label(self, lang: str) -> str:
        return (self.label_zh if lang == "zh" else self.label_en) or self.name

    def doc(self, lang: str) -> str:
        return self.doc_zh if lang == "zh" else self.doc_en

    def value_label(self, value: Any, lang: str) -> str:
        """A value as a reader says it: 60%, 按最高档奖励, 是/否, 1年."""
        for choice, zh, en in self.value_labels:
            if choice == value and type(choice) is type(value):
                return zh if lang == "zh" else en
        if self.choices is None:
            return f"{float(value):.0%}"
        return _show(value)

    def describe_expected(self) -> str:
        if self.choices is None:
            return f"a number from {self.low:g} to {self.high:g}"
        return "one of " + ", ".join(_show(c) for c in self.choices)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_YES_NO = ((True, "是", "yes"), (False, "否", "no"))
_DELAYS = (
    (0, "当年支付", "the same year"),
    (1, "次年支付", "the year after"),
    (2, "第三年支付", "two years later"),
)

SPECS: dict[str, AssumptionSpec] = {
    s.name: s
    for s in (
        AssumptionSpec(
            "payout_share",
            None,
            digest="open point 1",
            doc_zh="实际支付占各项上限的比例（100%即按上限支付，所得支出为上限）",
            doc_en="Share of each ceiling actually paid (100 % = ceilings, an upper bound).",
            label_zh="支付比例",
            label_en="payout share",
        ),
        AssumptionSpec(
            "sales_award_mode",
            ("highest", "cumulative", "top_up"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励的计发方式：按最高档奖励，即首次达到未获奖档位的当年按其中最高档奖励，"
                "跳过的低档不再奖励；逐档奖励，即每档各奖一次；补差奖励，即补足至所达最高档金额"
            ),
            doc_en=(
                "highest: in the year a unit first reaches an unpaid tier it gets the highest such"
                " tier's award, skipped lower tiers are never paid; cumulative: every tier reached"
                " is paid once; top-up: paid up to the highest tier reached minus what it received."
            ),
            label_zh="销售额奖励计发方式",
            label_en="sales award mode",
            value_labels=(
                ("highest", "按最高档奖励", "highest tier only"),
                ("cumulative", "逐档奖励", "every tier once"),
                ("top_up", "补差奖励", "top-up to the highest tier"),
            ),
        ),
        AssumptionSpec(
            "sales_award_recipients",
            ("all_units", "enterprises_only"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励的对象：所有单位，即销售数据中的任何单位（园区、基地按合计销售额）；"
                "仅限企业，即不含认定为园区或基地的单位"
            ),
            doc_en=(
                "Who may receive sales-milestone awards: all units = any unit in the sales data"
                " (parks and bases by their combined sales too); enterprises only = not units"
                " recognized as a park or base."
            ),
            label_zh="销售额奖励对象",
            label_en="sales award recipients",
            value_labels=(
                ("all_units", "所有单位", "all units"),
                ("enterprises_only", "仅限企业", "enterprises only"),
            ),
        ),
        AssumptionSpec(
            "traffic_base",
            ("all", "excess"),
            digest="open point 3",
            doc_zh=(
                "流量补贴的计算基数：全部网络零售额（原文“每实现1万元”），或仅计超过1亿元的部分"
            ),
            doc_en=(
                "Traffic subsidy base: all online retail (the text), or only what is above"
                " 100 million yuan."
            ),
            label_zh="流量补贴计算基数",
            label_en="traffic subsidy base",
            value_labels=(
                ("all", "全部网络零售额", "all online retail"),
                ("excess", "超过1亿元的部分", "the part above 100 million yuan"),
            ),
        ),
        AssumptionSpec(
            "revoked_count_toward_targets",
            (False, True),
            digest="open point 4",
            doc_zh="被取消资格的单位是否仍计入2025年目标",
            doc_en="Whether revoked units still count toward the 2025 targets.",
            label_zh="被取消资格单位计入目标",
            label_en="revoked units count toward targets",
            value_labels=_YES_NO,
        ),
        AssumptionSpec(
            "revoked_repay",
            (False, True),
            digest="open point 4",
            doc_zh="被取消资格的单位是否退回一次性奖励（在取消当年收回）",
            doc_en="Whether a revoked unit repays its one-time award (recovered in the year of"
            " revocation).",
            label_zh="被取消资格单位退回奖励",
            label_en="revoked units repay their award",
            value_labels=_YES_NO,
        ),
        AssumptionSpec(
            "payment_lag_years",
            (0, 1, 2),
            digest="open point 5",
            doc_zh=(
                "当年奖励延后几年支付（每年12月10日报送数据，多在次年预算中支付）；"
                "分年度合计按支付年度统计"
            ),
            doc_en=(
                "A year's awards are paid that many years later (data are reported on"
                " 10 December); totals by year use the payment year."
            ),
            label_zh="支付滞后年数",
            label_en="payment lag",
            value_labels=(
                (0, "当年支付", "paid the same year"),
                (1, "滞后1年", "1 year later"),
                (2, "滞后2年", "2 years later"),
            ),
        ),
        AssumptionSpec(
            "payment_delay_awards",
            (0, 1, 2),
            digest="open point 5",
            doc_zh="一次性奖励在认定当年之后几年支付（默认0：认定当年支付），另加支付滞后年数",
            doc_en=(
                "One-time awards are paid this many years after the recognition year (default 0:"
                " the recognition year itself), before the payment lag is added."
            ),
            label_zh="一次性奖励支付时间",
            label_en="when one-time awards are paid",
            value_labels=_DELAYS,
        ),
        AssumptionSpec(
            "payment_delay_sales",
            (0, 1, 2),
            digest="open point 5",
            doc_zh=(
                "销售额奖励在达标年之后几年支付（默认1：全年销售额须待12月10日报送数据后才知道，"
                "第三部分第（三）条），另加支付滞后年数"
            ),
            doc_en=(
                "Sales-milestone awards are paid this many years after the year the sales were"
                " made (default 1: a full year's sales are known only after the 10 December"
                " report, §三(三)), before the payment lag is added."
            ),
            label_zh="销售额奖励支付时间",
            label_en="when sales milestones are paid",
            value_labels=_DELAYS,
        ),
        AssumptionSpec(
            "payment_delay_traffic",
            (0, 1, 2),
            digest="open point 5",
            doc_zh="流量补贴在零售额实现年之后几年支付（默认1：需全年网络零售额），另加支付滞后年数",
            doc_en=(
                "The traffic subsidy is paid this many years after the year of the online retail"
                " (default 1: it needs the full year's figure), before the payment lag is added."
            ),
            label_zh="流量补贴支付时间",
            label_en="when the traffic subsidy is paid",
            value_labels=_DELAYS,
        ),
        AssumptionSpec(
            "traffic_cap_period",
            ("year", "plan"),
            digest="open point 3",
            doc_zh=(
                "流量补贴“每家企业最高补贴不超过100万元”的期间：按每家企业每年计；"
                "或按每家企业在整个方案期内累计计（原文未写“年度”）"
            ),
            doc_en=(
                "The traffic subsidy's cap of 1 million yuan per enterprise: per enterprise and"
                " year, or per enterprise over the whole plan period (the text does not say"
                " 'a year')."
            ),
            label_zh="流量补贴封顶期间",
            label_en="traffic subsidy cap period",
            value_labels=(
                ("year", "每家企业每年", "per enterprise and year"),
                ("plan", "每家企业方案期内累计", "per enterprise over the plan period"),
            ),
        ),
        AssumptionSpec(
            "milestone_sales_basis",
            ("total", "online"),
            digest="open point 2",
            doc_zh=(
                "销售额奖励所称“年销售额”：全部年销售额（含线下、批发），"
                "或仅网络零售额（电商销售额）"
            ),
            doc_en=(
                "The annual sales behind the sales milestones: all annual sales (offline and"
                " wholesale too), or e-commerce sales only (the unit's online retail)."
            ),
            label_zh="销售额奖励的销售额口径",
            label_en="sales counted for the milestones",
            value_labels=(
                ("total", "全部年销售额", "all annual sales"),
                ("online", "仅网络零售额", "online retail only"),
            ),
        ),
        AssumptionSpec(
            "cross_border_exclusion",
            ("whole_firm", "cross_border_part"),
            digest="open point 3",
            doc_zh=(
                "流量补贴“不含跨境电商”：跨境电商企业整体不享受；"
                "或仅剔除其跨境部分，境内网络零售额照常计算"
            ),
            doc_en=(
                "The traffic subsidy excludes cross-border e-commerce: a cross-border firm gets"
                " nothing, or only its cross-border retail is left out and its domestic online"
                " retail counts (threshold and base)."
            ),
            label_zh="跨境电商剔除方式",
            label_en="how cross-border e-commerce is excluded",
            value_labels=(
                ("whole_firm", "跨境电商企业整体剔除", "the whole cross-border firm"),
                ("cross_border_part", "仅剔除跨境部分", "only the cross-border part"),
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
        """Years from achievement to payment for one instrument: the ``payment_delay_*``
        assumption its registry entry follows, plus the lag (an unknown key is refused)."""
        from sbqw_model.instruments import REGISTRY

        return REGISTRY.get(instrument).payment_delay(self)

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

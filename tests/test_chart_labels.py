"""User text in charts is shown literally: ``$…$`` is never mathtext, ``_x`` stays in the legend.

The chart functions are called directly with hostile names and drawn (drawing is where matplotlib
parses mathtext and fails on ``$\\foo$``); the end-to-end report is in test_report_hostile_text.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from matplotlib.text import Text

from sbqw_model.engine import TARGETS
from sbqw_model.reporting import charts
from sbqw_model.reporting.chart_text import plain, wrapped

matplotlib.use("Agg")

NAME_SETS = [
    ["$x^2$", "$"],
    ["cost $5 and $10", r"$\foo$"],
    ["_hidden", r"a\$b", "$$"],
    [r"$\frac{$", "情景 $", "$_$"],
]


def shown(text: Text) -> str:
    """What matplotlib draws for a Text: the string after its mathtext preprocessing."""
    string, math = text._preprocess_math(text.get_text())
    assert math is False, text.get_text()
    return string.strip()


@given(st.text(max_size=20) | st.text(alphabet="$\\_^{}a 情", max_size=12))
def test_plain_text_is_never_mathtext(text: str) -> None:
    assert shown(Text(0, 0, plain(text))) == text.strip()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("names", NAME_SETS)
def test_comparison_charts_draw_names_literally(names: list[str]) -> None:
    p_met = np.linspace(0.1, 0.9, len(names) * (len(TARGETS) + 1)).reshape(len(names), -1)
    bands = np.array([[1e6, 2e6, 3e6]] * len(names))
    for draw in (charts.compare_probabilities, charts.compare_differences):
        fig = draw(names, p_met, "zh")
        fig.canvas.draw()
        legend = fig.axes[0].get_legend()
        expected = names if draw is charts.compare_probabilities else names[1:]
        # long names are broken into lines: the same characters, in order
        assert [flat(shown(t)) for t in legend.get_texts()] == [flat(n) for n in expected]
    assert names[0].strip() in shown(fig.axes[0].title)
    fig = charts.compare_budgets(names, bands, "en")
    fig.canvas.draw()
    ticks = [flat(shown(t)) for t in fig.axes[0].get_yticklabels()]
    assert ticks == [flat(n) for n in names]


def test_research_chart_draws_factor_and_output_names_literally() -> None:
    from sbqw_model.research.charts import sensitivity_bars
    from sbqw_model.research.sensitivity import SensitivityResult

    outputs = ("$x^2$ share", r"$\foo$")
    factors = ["assumptions.$a$", "uncertainties.$", "_b"]
    indices = pd.DataFrame(
        [
            {"output": o, "factor": f, "mu_star": 1.0 + i, "mu_star_conf": 0.1}
            for o in outputs
            for i, f in enumerate(factors)
        ]
    )
    result = SensitivityResult("morris", 4, 10, 0, "s", None, outputs, indices, pd.DataFrame())
    fig = sensitivity_bars(result, "en")
    fig.canvas.draw()
    assert [shown(ax.title) for ax in fig.axes[: len(outputs)]] == list(outputs)
    labels = {shown(t) for t in fig.axes[0].get_yticklabels()}
    assert labels == set(factors)
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("电商龙头企业", ["电商龙头", "企业"]),  # six characters: two lines, not one running on
        ("网络畅销产品", ["网络畅销", "产品"]),
        ("省级电商产业园区", ["省级电商", "产业园区"]),
        ("支付比例50%）", ["支付比例", "50%）"]),
        ("紧缩方案）", ["紧缩方案）"]),  # a lone closing mark stays with its line
        ("网络零售额", ["网络零售额"]),  # a lone character too
        ("（支付比例改为60%）", ["（支付比", "例改为", "60%）"]),  # never "6" / "0%"
        ("紧缩方案（按上限", ["紧缩方案", "（按上限"]),  # an opening mark goes with what it opens
        ("紧缩1,000亿元资金", ["紧缩", "1,000亿", "元资金"]),  # a number is one piece, half as wide
        ("a b c d e f g h i j", ["a b c d", "e f g h", "i j"]),  # no space starts a line
        ("企业及团队合计", ["企业及", "团队合计"]),  # after the joining word, not "企业及团/队合计"
        ("园区、基地、企业合计", ["园区、", "基地、", "企业合计"]),  # after a pause
        ("规定及时支付", ["规定及时", "支付"]),  # "及时" is a word: not broken after "及"
        ("企业及团1,000", ["企业及", "团1,000"]),  # carried with a number when both fit
        ("企及团队10,000", ["企及团队", "10,000"]),  # not when they would not
    ],
)
def test_a_target_tick_breaks_where_a_reader_would(text: str, lines: list[str]) -> None:
    assert wrapped(text, "zh", 4).split("\n") == lines


@example("00000000000情情情情情情情情）情", "zh")  # a hanging mark, then a merged last character
@given(st.text(alphabet="情景方案及、（）$_ab 50%", max_size=60), st.sampled_from(["zh", "en"]))
def test_wrapped_labels_keep_every_character_and_fit(text: str, lang: str) -> None:
    """Every character, in order; a text longer than three lines is cut at the third, with
    "…" (44 hanzi made three lines and lost the rest: the property held only for short texts)."""
    out = wrapped(text, lang)
    kept = flat(shown(Text(0, 0, out)))  # escaped line by line, never split
    if kept.endswith("…"):
        assert out.count("\n") == 2 and flat(text).startswith(kept[:-1]), (text, out)
    else:
        assert kept == flat(text)
    width = 14 if lang == "zh" else 28
    for line in out.split("\n"):
        line = line.replace("\\$", "$").strip()
        if lang == "zh":  # one closing mark may hang past the end, then a merged short tail
            assert sum(0.5 if c.isascii() else 1 for c in line) <= width + 3, (text, out)
        else:
            assert len(line) <= width, (text, out)


@pytest.mark.parametrize(("lang", "said"), [("zh", "（达成概率不变）"), ("en", "(odds unchanged)")])
def test_a_variant_that_changes_no_odds_says_so_in_the_legend(lang: str, said: str) -> None:
    """A scenario that changes only what is paid draws no bar in the differences chart: its
    legend entry says the odds are unchanged, and the scale is whole points, not ±0.04."""
    first = np.linspace(0.2, 0.8, len(TARGETS) + 1)
    same, other = first.copy(), first + 0.05
    fig = charts.compare_differences(["A", "B", "C"], np.stack([first, same, other]), lang)
    fig.canvas.draw()
    texts = [flat(shown(x)) for x in fig.axes[0].get_legend().get_texts()]
    assert texts == [flat(f"B{said}"), "C"]
    fig = charts.compare_differences(["A", "B"], np.stack([first, same]), lang)
    assert fig.axes[0].get_ylim() == (-1.0, 1.0)
    matplotlib.pyplot.close("all")


@given(st.text(alphabet="情景方案新甲及、和（）50%", min_size=5, max_size=45))
def test_breaking_at_joints_never_makes_a_label_longer(text: str) -> None:
    """A line moved back to its joint can push the rest onto one more line, and past the
    three-line cut ("…乐观情景新…" lost "方甲案"): then the label is broken by length alone."""
    from sbqw_model.reporting.chart_text import _zh_lines

    by_length = [line for part in text.split("\n") for line in _zh_lines(part, 14, joints=False)]
    assert len(wrapped(text, "zh").split("\n")) <= min(len(by_length), 3)

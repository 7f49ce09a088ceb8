"""The national growth series behind the shipped ``online_retail.growth`` uncertainty.

No public source gives Guizhou's online retail before the plan (sbqw_model/data/README.md), so the
growth assumption leans on China's national series (``data/national_online_retail_growth.csv``,
one figure per year, part-year figures where no full-year one is held). Two anchors bound the
*mean* of 2023–2025 growth a scenario may call central:

- the recent national pace, 2020–2022 (pandemic and slowdown years): the low end;
- the national average of every year held, 2016–2022: the high end, still below Guizhou's own
  catch-up (">3×" since 2016, i.e. ≥ 20 %/yr; online_retail_multiple_of_2016_level 2022).

The baseline's normal(0.14, 0.04) sits inside that band; its sd is about half the band's width,
so mean ± 2 sd spans both anchors. The year-to-year swing (``online_retail.growth_noise``, 0.04)
is a little below the national series' 2020–2022 standard deviation (≈ 5 pp).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

DATA = "national_online_retail_growth.csv"
RECENT = (2020, 2022)


def national_growth(used_only: bool = True) -> pd.DataFrame:
    """The shipped series (growth as a fraction in ``growth``), with sources."""
    with resources.files("sbqw_model").joinpath("data", DATA).open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, keep_default_na=False)
    frame["growth"] = frame["growth_pct"] / 100
    return frame[frame["used"] == "yes"].reset_index(drop=True) if used_only else frame


@dataclass(frozen=True)
class GrowthBasis:
    """Summary statistics of the national series (fractions, e.g. 0.097 = 9.7 %)."""

    recent_mean: float
    recent_sd: float
    long_mean: float
    long_sd: float
    years: tuple[int, ...]

    @property
    def band(self) -> tuple[float, float]:
        """Where a central growth mean is documented to lie: [recent pace, long-run average]."""
        return min(self.recent_mean, self.long_mean), max(self.recent_mean, self.long_mean)

    def describe(self, lang: str = "zh") -> str:
        low, high = self.band
        if lang == "zh":
            return (
                f"全国网上零售额增速({'、'.join(map(str, self.years))}年):2020–2022年均值"
                f"{self.recent_mean:.1%}(标准差{self.recent_sd:.1%}),全部年份均值{self.long_mean:.1%}"
                f"(标准差{self.long_sd:.1%});情景的增速均值应位于{low:.1%}–{high:.1%}之间。"
            )
        return (
            f"National online retail growth ({', '.join(map(str, self.years))}): 2020–2022 mean"
            f" {self.recent_mean:.1%} (sd {self.recent_sd:.1%}), all years {self.long_mean:.1%}"
            f" (sd {self.long_sd:.1%}); a central scenario's growth mean belongs in"
            f" {low:.1%}–{high:.1%}."
        )


def growth_basis() -> GrowthBasis:
    series = national_growth()
    recent = series[series["year"].between(*RECENT)]["growth"]
    growth = series["growth"]
    return GrowthBasis(
        recent_mean=float(recent.mean()),
        recent_sd=float(recent.std(ddof=1)),
        long_mean=float(growth.mean()),
        long_sd=float(growth.std(ddof=1)),
        years=tuple(int(y) for y in series["year"]),
    )

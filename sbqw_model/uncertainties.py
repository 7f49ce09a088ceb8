"""What a scenario may leave uncertain: every uncertainty's path, domain and meaning.

Each is drawn once per simulated world (``worlds.py``); a scenario gives each a distribution
with its source, except the optional ones, which take the documented default below.
"""

from __future__ import annotations

from sbqw_model.distributions import Distribution
from sbqw_model.rules import CATEGORIES
from sbqw_model.unit_sales import SALES_CATEGORIES

#: Every uncertainty: dotted path → (domain, what it is). Each is drawn once per simulated world.
UNCERTAINTIES: dict[str, tuple[str, str]] = {
    "online_retail.level_2022": ("level", "Guizhou online retail in 2022 (yuan)"),
    "online_retail.growth": ("rate", "mean annual growth of online retail 2023–2025"),
    "online_retail.growth_noise": ("spread", "year-to-year deviation of growth (sd)"),
    "products.level_2022": ("count", "best-selling online products in 2022"),
    "products.growth": ("rate", "mean annual growth of best-selling products"),
    "products.growth_noise": ("spread", "year-to-year deviation of product growth (sd)"),
    **{
        f"recognition.{c}.{k}": (domain, f"{c}: {text}")
        for c in CATEGORIES
        for k, domain, text in (
            ("applications", "count", "expected applications a year, province-wide"),
            ("approval_probability", "probability", "share of applications that qualify"),
            ("revocation_rate", "probability", "yearly share of recognized units revoked"),
        )
    },
    "firms.count": ("count", "expected above-scale e-commerce firms above the size floor"),
    "firms.floor_yuan": ("level", "smallest 2022 online retail in the firm population (yuan)"),
    "firms.pareto_alpha": ("positive", "Pareto tail index of firm size (smaller = fatter tail)"),
    "firms.max_share": ("share", "largest possible firm as a share of provincial online retail"),
    "firms.growth_noise": ("spread", "firm-level deviation from provincial growth (log sd)"),
    "firms.sales_ratio": ("positive", "annual sales ÷ online retail of a firm"),
    "firms.cross_border_share": ("share", "share of firms that are cross-border e-commerce"),
    "firms.above_scale_share": ("share", "share of firms that are above-scale (上规入统)"),
    **{
        f"unit_sales.{c}.{k}": (domain, f"{c}: {text}")
        for c in SALES_CATEGORIES
        for k, domain, text in (
            ("median", "level", "median annual sales of a recognized unit in 2022 terms (yuan)"),
            ("sigma", "spread", "log sd of annual sales across recognized units"),
        )
    },
    "climate.online_retail": ("spread", "growth of online retail per sd of the climate"),
    "climate.products": ("spread", "growth of qualifying products per sd of the climate"),
    "climate.supply": ("spread", "log change of qualified applicants per sd of the climate"),
    "prefectures.share_spread": (
        "spread",
        "log sd of each prefecture's weight around the scenario's prefecture_shares",
    ),
    "firms.cross_border_part": (
        "share",
        "cross-border share of a cross-border firm's online retail (used under"
        " cross_border_exclusion = cross_border_part)",
    ),
}

#: Uncertainties a scenario may leave out, with the value used then (and why).
OPTIONAL_UNCERTAINTIES: dict[str, tuple[float, str]] = {
    "climate.online_retail": (0.0, "default: no common e-commerce climate"),
    "climate.products": (0.0, "default: no common e-commerce climate"),
    "climate.supply": (0.0, "default: no common e-commerce climate"),
    "prefectures.share_spread": (0.0, "default: the scenario's prefecture_shares, fixed"),
    "unit_sales.park.median": (5.25e8, "default: the middle of the baseline's range (2.5–8 亿)"),
    "unit_sales.park.sigma": (1.0, "default: as the baseline scenario"),
    "unit_sales.base.median": (3.0e7, "default: the middle of the baseline's range (1000–5000 万)"),
    "unit_sales.base.sigma": (1.2, "default: as the baseline scenario"),
    "firms.cross_border_part": (
        0.75,
        "assumption — a firm registered as cross-border e-commerce sells mostly abroad; no"
        " public split exists (docs/model.md, assumption cross_border_exclusion); a fixed"
        " default so a scenario that leaves it out adds no sensitivity factor",
    ),
}
#: The same as distributions: what parsing uses for an uncertainty a scenario leaves out.
UNCERTAINTY_DEFAULTS: dict[str, Distribution] = {
    path: Distribution("fixed", {"value": value}, why, UNCERTAINTIES[path][0])
    for path, (value, why) in OPTIONAL_UNCERTAINTIES.items()
}

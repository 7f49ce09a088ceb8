"""What a scenario may leave uncertain: every uncertainty's path, domain and meaning.

Each is drawn once per simulated world (``worlds.py``); a scenario gives each a distribution
with its source, except the optional ones, which take the documented default below, and the
switches, which a scenario may leave out to leave the part of the model they drive off.
"""

from __future__ import annotations

from sbqw_model.distributions import Distribution
from sbqw_model.rules import CATEGORIES
from sbqw_model.unit_sales import SALES_CATEGORIES

#: The 2022 online retail ``firms.count`` is stated for: a switch (``OFF_WHEN_ABSENT``).
REFERENCE_LEVEL = "firms.reference_level"

#: Every uncertainty: dotted path → (domain, what it is). Each is drawn once per simulated world.
UNCERTAINTIES: dict[str, tuple[str, str]] = {
    "online_retail.level_2022": ("retail", "Guizhou online retail in 2022 (yuan)"),
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
            (
                "reapply_share",
                "probability",
                "share of qualified applicants a quota left out who apply again next round",
            ),
        )
    },
    "firms.count": ("count", "expected above-scale e-commerce firms above the size floor"),
    REFERENCE_LEVEL: (
        "retail",
        "2022 provincial online retail for which firms.count is stated (yuan): each world's"
        " expected firms are firms.count × its 2022 level ÷ this",
    ),
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

#: Uncertainties a scenario may leave out, with the value used then (and why). ``None``: the
#: mean of the shipped baseline's distribution (read when first needed), so no amount is
#: written twice and a default never drifts from the scenario it names.
OPTIONAL_UNCERTAINTIES: dict[str, tuple[float | None, str]] = {
    "climate.online_retail": (0.0, "default: no common e-commerce climate"),
    "climate.products": (0.0, "default: no common e-commerce climate"),
    "climate.supply": (0.0, "default: no common e-commerce climate"),
    "prefectures.share_spread": (0.0, "default: the scenario's prefecture_shares, fixed"),
    **{
        f"recognition.{c}.reapply_share": (
            0.0,
            "default: no backlog (qualified applicants a quota leaves out do not apply again)",
        )
        for c in CATEGORIES
    },
    **{
        f"unit_sales.{c}.{k}": (None, "default: the mean of the shipped baseline's distribution")
        for c in SALES_CATEGORIES
        for k in ("median", "sigma")
    },
    "firms.cross_border_part": (
        0.75,
        "assumption — a firm registered as cross-border e-commerce sells mostly abroad; no"
        " public split exists (docs/model.md, assumption cross_border_exclusion); a fixed"
        " default so a scenario that leaves it out adds no sensitivity factor",
    ),
}


#: Uncertainties a scenario may leave out with nothing in their place: left out, the part of the
#: model each drives is off, and the worlds are what they were before it existed (no default
#: value could say "off": a reference level of 0 would divide by zero).
OFF_WHEN_ABSENT: dict[str, str] = {
    REFERENCE_LEVEL: "left out: firms.count firms are expected whatever the 2022 level",
}


class _Defaults(dict[str, Distribution]):
    """What parsing uses for an uncertainty a scenario leaves out (``OPTIONAL_UNCERTAINTIES``
    as fixed distributions), each made when first asked for."""

    def __missing__(self, path: str) -> Distribution:
        value, why = OPTIONAL_UNCERTAINTIES[path]
        if value is None:
            value = _baseline_mean(path)
        dist = Distribution("fixed", {"value": float(value)}, why, UNCERTAINTIES[path][0])
        self[path] = dist
        return dist

    def __contains__(self, path: object) -> bool:
        return path in OPTIONAL_UNCERTAINTIES


def _baseline_mean(path: str) -> float:
    """The shipped baseline's mean of ``path`` (which it must give: asked again while it is
    being read, it has not)."""
    from sbqw_model.scenario import load_scenario
    from sbqw_model.shipped import scenario_path

    if path in _ASKED:  # pragma: no cover - a bug of the shipped files, not of the user's
        raise RuntimeError(f"the shipped baseline gives no {path}: its default is undefined")
    _ASKED.add(path)
    try:
        return load_scenario(scenario_path("baseline")).uncertainties[path].mean
    finally:
        _ASKED.discard(path)


_ASKED: set[str] = set()


UNCERTAINTY_DEFAULTS = _Defaults()

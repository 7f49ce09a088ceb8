"""The report folder's index.html: every report rendered into it, with its headline numbers.

``index.html`` is Chinese (Chinese first: the page a leader opens), whatever language ran last;
``index-en.html`` is its English twin, written once the folder holds an English report. Both
list every report, each marked with its language, and link to each other.

The page is a Jinja template with autoescape (``templates/fragments/index.html.j2``) and its CSS
a file (``templates/index.css``), so no user text reaches the page unescaped; the entries come
from the folder's manifest (``reporting/manifest.py``), so the folder accumulates.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from sbqw_model.fileio import write_text_atomic
from sbqw_model.reporting.runner import Outcome

if TYPE_CHECKING:
    from sbqw_model.reporting.manifest import Entry

INDEX_CSS = (files(__package__) / "templates" / "index.css").read_text(encoding="utf-8")


def figures(outcome: Outcome) -> dict[str, float]:
    """The numbers an index row shows ({} where not a scenario): kept in the folder's
    manifest, so each index says them in its own language."""
    from sbqw_model.summary import Summary

    p = outcome.payload
    if not p or p["kind"] != "scenario":
        return {}
    s = Summary.from_dict(p["summary"])
    return {
        "p_all_met": s.p_all_met,
        "p_online_retail": s.targets.online_retail.p_met,
        "central": s.budget.total.central,
        "high": s.budget.total.high,
        "payout_share": float(s.assumptions.get("payout_share", 1.0)),
    }


def headline(numbers: dict[str, float], lang: str) -> list[str]:
    """P(all targets), P(online retail), outlay median and band top, each labelled for what it
    is (上限 at the ceilings); '' where not a scenario."""
    from sbqw_model.labels import outlay_kind, percent
    from sbqw_model.reporting.i18n import t
    from sbqw_model.reporting.leader import probability

    if not numbers:
        return ["", "", "", ""]
    kind = f"{t('lparen', lang)}{outlay_kind(numbers['payout_share'], lang)}{t('rparen', lang)}"
    return [
        percent(numbers["p_all_met"]),
        probability(numbers["p_online_retail"]),
        f"{_yi(numbers['central'], lang)}{kind}",
        f"{_yi(numbers['high'], lang)}{kind}",
    ]


def _yi(yuan: float, lang: str) -> str:
    """Every row in 亿元 (¥m in English), so the column compares at a glance; as precise as
    the reports it lists (three figures), so each row reads as its report does."""
    from sbqw_model import units
    from sbqw_model.labels import money

    return money(yuan, lang, like=units.YI)


def compared(entry: Entry) -> list[str]:
    """The scenarios a comparison's row lists beside its title: none where the title names
    them all (a comparison's title does, since it is named after them), so a row does not say
    them twice; an entry of before, titled 情景比较 only, keeps them (its only mention)."""
    if all(name in entry.title for name in entry.compared):
        return []
    return entry.compared


def write_index(outcomes: Sequence[Outcome], out_dir: Path, lang: str) -> Path:
    """index.html (Chinese) and, once the folder holds an English report, index-en.html: each
    lists every report ever rendered into the folder (reports.json), in every language, this
    run's first replacing their earlier entries; headline numbers, when and from which file,
    failures. An English run rewrote index.html in English, and the leader's index with it.
    Returns the index in the run's language (the one the run tells of)."""
    from sbqw_model.reporting import manifest

    made = manifest.now()
    current = []
    for o in outcomes:
        numbers = figures(o)
        current.append(manifest.entry_of(o, headline(numbers, lang), made, numbers))
    entries = manifest.record(current, out_dir)
    english = out_dir / f"{manifest.INDEXES['en']}.html"
    # kept current once there, so a bookmark to it never shows an old list
    langs = {"zh", lang} | ({"en"} if english.is_file() else set())
    langs |= {e.lang for e in entries}
    pages = {code: out_dir / f"{name}.html" for code, name in manifest.INDEXES.items()}
    written = {code: pages[code] for code in manifest.INDEXES if code in langs}
    for code, target in written.items():
        others = [(c, p.name) for c, p in written.items() if c != code]
        write_text_atomic(target, _page(entries, code, others))
    return written[lang]


def _page(entries: Sequence[Entry], lang: str, others: Sequence[tuple[str, str]]) -> str:
    """One index page in ``lang``: every entry's figures worded in it (an entry kept without
    them, from before they were kept, as first written), each entry's own language shown, and
    a link to each index in another language (``others``: its language and file name)."""
    from sbqw_model.labels import distinct_titles
    from sbqw_model.reporting.fonts import font_face_css
    from sbqw_model.reporting.fragments import render
    from sbqw_model.reporting.i18n import t, target_name
    from sbqw_model.summary import BAND

    # two entries never read alike (two comparisons of different files with the same titles,
    # a copy of a scenario): a title met before gets its file name in brackets
    titles = distinct_titles([e.title for e in entries], [e.name for e in entries], lang)
    cells = [headline(e.figures, lang) if e.figures else e.headline for e in entries]
    heading = t("report_title", lang)
    body = render(
        "index.html.j2",
        heading=heading,
        note=t("index_note", lang),
        others=[(code, name, t("index_other", code)) for code, name in others],
        header=[
            t("scenario", lang),
            t("all_targets", lang),
            f"{target_name('online_retail', lang)}{t('colon', lang)}{t('p_met', lang)}",
            f"{t('budget_total', lang)}{t('colon', lang)}{t('median', lang)}",
            t(BAND[1], lang),
            t("made", lang),
            t("scenario_file", lang),
            "",
        ],
        entries=list(zip(entries, titles, cells, map(compared, entries), strict=True)),
        lang_name={code: t("lang_name", code) for code in {e.lang for e in entries}},
        enum=t("enum", lang),
        in_cell=t("in_cell", lang),
        failed=t("failed", lang),
        outdated=t("outdated", lang),
        observed=f"{t('observations_file', lang)}{t('colon', lang)}",
    )
    page = render(
        "index_page.html.j2",
        lang="zh" if lang == "zh" else "en",
        heading=heading,
        font_css=Markup(font_face_css(text=str(body))),  # ours, not user text
        css=Markup(INDEX_CSS),
        body=body,
    )
    return str(page)


__all__ = ["compared", "figures", "headline", "write_index"]

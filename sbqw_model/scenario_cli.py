"""``sbqw scenarios`` (what ships) and ``sbqw new-scenario`` (an editable copy to start from).

An analyst's own scenario is a small file that ``extends:`` a shipped one and changes a lever or
two; the copy lists every lever, commented out, so changing one is uncommenting a line.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from sbqw_model.catalogue import label
from sbqw_model.errors import InputError, one_line
from sbqw_model.fileio import write_bytes_exclusive
from sbqw_model.outputs import is_device_name, write_problem

NAME_RE = re.compile(r"^[^\W][\w\-]*$", re.UNICODE)
MAX_NAME_CHARS = 80
#: Rule amounts offered as commented examples in a new scenario (the explorer's sliders too).
EXAMPLE_PARAMETERS = (
    "awards.enterprise",
    "sales_awards.tier1.amount",
    "traffic.rate",
    "traffic.cap",
)


def _scalar(value: str) -> str:
    """``value`` as one YAML scalar, quoted and escaped as YAML needs: a title with a colon
    stays a title, one with a line break cannot add keys to the file."""
    import yaml

    text = yaml.safe_dump(value, allow_unicode=True, default_style='"', width=10**9)
    return text.rstrip("\n").removesuffix("\n...")


def _comment(text: str) -> str:
    """Text for a ``#`` comment: control characters (a line break would end the comment and
    start a key) shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _describe(base: object, lang: str) -> str:
    """The new scenario's placeholder description, for its author to replace."""
    return label("report.new_scenario_description", lang).format(
        base=base.title(lang)  # type: ignore[attr-defined]
    )


def add_scenarios(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios (usable by name: sbqw report baseline)",
        description="The scenarios that ship with sbqw: name, Chinese and English title and"
        " what each assumes. Use a name wherever a scenario file is expected.",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of descriptions")
    p.set_defaults(handler=run_scenarios)


def run_scenarios(args: argparse.Namespace) -> int:
    from sbqw_model.shipped import scenario_entries

    entries = scenario_entries(args.lang)
    width = max(len(e.name) for e in entries)
    for e in entries:
        print(f"{e.name:<{width}}  {e.title_zh} / {e.title_en}")
        print(f"{'':<{width}}  {e.summary}")
    print("\nsbqw report NAME renders one; sbqw new-scenario MINE --from baseline starts your own.")
    return 0


def add_new_scenario(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new-scenario",
        help="write NAME.yaml here: an editable copy that extends a shipped scenario",
        description="Write NAME.yaml in the current folder: a scenario that extends another"
        " (a shipped name or a file) and lists every lever you may change, commented out."
        " Refuses to overwrite an existing file.",
    )
    p.add_argument("name", help="the new scenario's name (letters, digits, _ and -)")
    p.add_argument(
        "--from",
        dest="base",
        default="baseline",
        help="shipped scenario name or scenario file to extend (default: baseline)",
    )
    p.set_defaults(handler=run_new_scenario)


def run_new_scenario(args: argparse.Namespace) -> int:
    from sbqw_model.scenario import load_scenario
    from sbqw_model.shipped import SCENARIO_DIR, scenario_path

    name = args.name[:-5] if args.name.endswith(".yaml") else args.name
    problem = name_problem(name)
    if problem:
        raise InputError([f"new-scenario: name {args.name!r}: {problem}"])
    from sbqw_model.shipped import shipped_names

    # baseline.yaml here would be found before the shipped one; Baseline.yaml too, where a
    # disk ignores letter case (macOS, Windows), and would then extend itself
    shipped = {n.casefold(): n for n in shipped_names()}
    if name.casefold() in shipped:
        known = shipped[name.casefold()]
        what = (
            "is a shipped scenario's"
            if name == known
            else f"differs from the shipped scenario {known!r} only in letter case, one file"
            " name on macOS and Windows disks"
        )
        raise InputError(
            [
                f"new-scenario: name {name!r} {what}; a {name}.yaml here would hide it from every"
                f" `extends: {known}` in this folder (choose another name)"
            ]
        )
    base_path = scenario_path(args.base)
    base = load_scenario(base_path)
    if base_path.resolve().parent == SCENARIO_DIR.resolve() and base_path.stem == base.name:
        extends = base_path.stem
        _refuse_shadowed(extends, name)
    else:
        extends = Path(os.path.relpath(base_path.resolve(), Path.cwd())).as_posix()
    target = Path(f"{name}.yaml")
    text = scenario_template(name, extends, base)
    write_new(target, text.encode("utf-8"), "choose another name or remove it first")
    print(one_line(f"wrote {target} (extends {extends}); edit it, then: sbqw report {target}"))
    return 0


def _refuse_shadowed(extends: str, name: str) -> None:
    """``extends: baseline`` reads a ``baseline.yaml`` beside the file before the shipped one,
    so with such a file here the new scenario would extend it, not the shipped scenario the
    command was given (a bare name) and whose values its comments show."""
    from sbqw_model.yamlio import YAML_SUFFIXES

    for suffix in YAML_SUFFIXES:
        here = Path(f"{extends}{suffix}")
        if here.is_file():
            raise InputError(
                [
                    f"new-scenario: {here} here would be read for `extends: {extends}` in"
                    f" {name}.yaml instead of the shipped scenario {extends}; give --from {here}"
                    " to extend that file, or work in another folder"
                ]
            )


def name_problem(name: str) -> str:
    """Why ``name`` cannot name a new scenario file here (empty when it can)."""
    stem = name.split(".", 1)[0]
    if is_device_name(stem):
        return (
            "a Windows device name (like CON, PRN, AUX, NUL, COM1, LPT1), which Windows"
            " cannot open as a file; choose another name"
        )
    if not NAME_RE.match(name):
        return "expected letters, digits, _ or - (no folders)"
    if len(name) > MAX_NAME_CHARS:
        return f"too long ({len(name)} characters); expected at most {MAX_NAME_CHARS}"
    return ""


def write_new(target: Path, data: bytes, if_exists: str) -> None:
    """Write a new file ``target`` whole or not at all, never over an existing one; a failed
    write (full disk, read-only folder, …) or an existing file is one InputError line."""
    try:
        write_bytes_exclusive(target, data)
    except FileExistsError:
        raise InputError([f"{target}: already exists; {if_exists}"]) from None
    except OSError as exc:
        # the words of every command's failed write; the advice fits a command without --out
        raise InputError([write_problem(exc, target, "work in another folder")]) from None


def scenario_template(name: str, extends: str, base: object) -> str:
    """The text of a new scenario: identity, ``extends``, and every lever commented out."""
    from sbqw_model.assumptions import SPECS

    assumptions = base.assumptions.as_dict()  # type: ignore[attr-defined]
    params = base.params  # type: ignore[attr-defined]
    said = _comment(extends)
    lines = [
        f"# {name}: a variant of `{said}` (written by sbqw new-scenario).",
        f"# Everything not written here comes from `{said}`. To change a lever, uncomment it"
        " with its group line and `levers:` (values shown are the current ones).",
        f"# Render it: sbqw report {name}.yaml   Compare: sbqw report {said} {name}.yaml --compare",
        f"name: {_scalar(name)}",
        f"title_zh: {_scalar(name)}",
        f"title_en: {_scalar(name)}",
        "description_zh: " + _scalar(_describe(base, "zh")),
        "description: " + _scalar(_describe(base, "en")),
        f"extends: {_scalar(extends)}",
        "# levers:",
        "#   assumptions:      # readings of what the plan's text leaves open (sbqw assumptions)",
    ]
    for key, spec in SPECS.items():
        value = assumptions[key]
        shown = str(value).lower() if isinstance(value, bool) else value
        doc = spec.doc("zh", params)  # an amount it names as the base has it (超过2亿元的部分)
        lines.append(f"#     {key}: {shown}    # {spec.describe_expected()}; {doc}")
    lines.append("#   parameters:       # the plan's amounts (sbqw_model/parameters/plan.yaml)")
    for path in EXAMPLE_PARAMETERS:
        leaf = params.leaf(path)
        value = int(leaf.value) if float(leaf.value).is_integer() else leaf.value
        lines.append(f"#     {path}: {value}    # {leaf.unit}, {leaf.clause}: {leaf.label_zh}")
    lines += [
        "# uncertainties:     # what the department does not control, e.g.",
        "#   online_retail:",
        '#     growth: {dist: normal, mean: 0.15, sd: 0.03, source: "assumption — say why"}',
        "",
    ]
    return "\n".join(lines)


def add_notebooks(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "notebooks",
        help="list the shipped notebooks, or copy one here to open in JupyterLab",
        description="Without NAME: the shipped notebooks and where they are. With NAME: copy"
        " that notebook into the current folder (never overwriting) to open in JupyterLab;"
        " shipped scenario names work in its parameters cell from any folder.",
    )
    p.add_argument("name", nargs="?", help="notebook to copy (e.g. explore_budget)")
    p.set_defaults(handler=run_notebooks)


def run_notebooks(args: argparse.Namespace) -> int:
    from sbqw_model.errors import did_you_mean
    from sbqw_model.shipped import NOTEBOOK_DIR

    shipped = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
    if args.name is None:
        for name in shipped:
            print(f"{name}  {NOTEBOOK_DIR / f'{name}.ipynb'}")
        return 0
    name = args.name[:-6] if args.name.endswith(".ipynb") else args.name
    if name not in shipped:
        raise InputError(
            [
                f"notebooks: {args.name!r} is not a shipped notebook"
                f"{did_you_mean(name, shipped)}; shipped: {', '.join(shipped)}"
            ]
        )
    target = Path(f"{name}.ipynb")
    data = (NOTEBOOK_DIR / target.name).read_bytes()
    write_new(target, data, "remove it or work in another folder")  # never the analyst's copy
    from sbqw_model.extras import install_line, missing

    lab = f" ({install_line('lab')})" if missing(["jupyterlab"]) else ""
    print(f"wrote {target}; open it in JupyterLab{lab}")
    return 0


SUBCOMMANDS = [add_scenarios, add_new_scenario, add_notebooks]

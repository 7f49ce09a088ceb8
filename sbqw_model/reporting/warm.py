"""The command's rendering stack, paid for before the first report is done (the workers' report
stack is the fork server's: ``inprocess.preload``)."""

from __future__ import annotations

import contextlib


def rendering(lang: str) -> None:
    """What this process's first render would pay, paid once and frozen (``frozen_imports``):
    nbconvert and the page's templates, the workbook writer (pandas imports openpyxl and its
    Excel formatting only when it writes), the notebook reader's validator, papermill's check.

    With workers, the command pays it while it waits for their first reports: it renders while
    they run, so each CPU-second it spends rendering is one the workers lose.
    """
    global _ready
    if _ready:
        return
    _ready = True
    from sbqw_model.startup import frozen_imports

    # only ahead of time: whatever fails here fails again in a report's own render, which
    # reports it as that report's failure (not as a crash of the whole run)
    with contextlib.suppress(Exception), frozen_imports():
        _first_render_costs(lang)


_ready = False


def _first_render_costs(lang: str) -> None:
    import io

    import nbformat
    import pandas as pd

    from sbqw_model import workbook  # noqa: F401
    from sbqw_model.reporting import html
    from sbqw_model.reporting.runner import check
    from sbqw_model.spreadsheet import write_xlsx

    empty = nbformat.v4.new_notebook()
    check(empty, None)  # papermill and its verdict
    nbformat.validate(empty)  # compiles the schema's validator
    html.warm_up(lang)
    write_xlsx({"sbqw": pd.DataFrame({"sbqw": [1]})}, io.BytesIO())  # openpyxl, pandas' writer

"""The modules every report notebook imports in its first cell (``sbqw report`` imports them
ahead: once in its fork server, or before the first notebook). Kept apart from the engine and the
runner so both name them without importing each other."""

REPORT_MODULES: tuple[str, ...] = (
    "sbqw_model.reporting.scenario_report",
    "sbqw_model.reporting.comparison",
)

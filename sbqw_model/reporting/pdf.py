"""HTML report → A4 PDF with weasyprint (pip-installable; needs only the system pango).

Why weasyprint: ``nbconvert --to webpdf`` downloads a browser (fails offline) and Chromium is
a 400 MB apt install; weasyprint renders our self-contained page in ~1 s.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from sbqw_model.fileio import atomic_path

__all__ = ["html_to_pdf"]

_SYSTEM_LIBS_HINT = (
    "weasyprint needs the system libraries pango, pangoft2, harfbuzz and fontconfig; on "
    "Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b "
    "libfontconfig1"
)


def _import_weasyprint() -> ModuleType:
    """Import weasyprint, turning its dlopen failure into a RuntimeError that names the lib."""
    captured = io.StringIO()
    try:
        # weasyprint prints a generic banner to stdout before re-raising; keep stdout clean.
        # Without libharfbuzz-subset0 it warns and subsets with fontTools instead: works fine.
        with contextlib.redirect_stdout(captured), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            import weasyprint
    except OSError as exc:
        match = re.search(r"library '([^']+)'", str(exc)) or re.search(r"(lib[\w.\-]+)", str(exc))
        lib = match.group(1) if match else "pango"
        raise RuntimeError(
            f"weasyprint cannot load the system library {lib!r} ({exc}). {_SYSTEM_LIBS_HINT}"
        ) from exc
    except ImportError as exc:
        raise RuntimeError(f"weasyprint is not installed: pip install weasyprint ({exc})") from exc
    return weasyprint


def _offline_fetcher(weasyprint: ModuleType) -> Any:
    """A URL fetcher that only serves ``data:`` URLs: a report must never touch the network."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # weasyprint >= 66
        return urls.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - old weasyprint
        if not url.lower().startswith("data:"):
            raise ValueError(f"refusing to fetch {url!r}: reports must be self-contained")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


@contextlib.contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """Hide weasyprint's warnings (hundreds of 'unsupported selector' lines for JupyterLab
    CSS) for the duration of one render; errors still get through."""
    logger = logging.getLogger("weasyprint")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def html_to_pdf(html: str, out_path: Path) -> None:
    """Write ``html`` as an A4 PDF to ``out_path``, atomically.

    The PDF is written to a temp file in the same folder and moved into place, so a crash or a
    concurrent reader never sees half a PDF. Only ``data:`` URLs are fetched.
    """
    weasyprint = _import_weasyprint()
    # fileio's temporary name (cleaned up after a killed run) with the umask's permissions
    with _quiet_weasyprint(), atomic_path(Path(out_path)) as tmp, tmp.open("wb") as handle:
        document = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher(weasyprint))
        # A4 is also set by the page's @page rule; this covers pages without one.
        document.write_pdf(handle, stylesheets=[weasyprint.CSS(string="@page { size: A4 }")])

"""PDF with WeasyPrint: tagged (PDF/UA-1), fonts shared, logger watched.

WeasyPrint only logs missing glyphs, bad CSS and failed fetches; we capture its
logger during the render and fail the build on any of them.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from .diagnostics import Place, RenderError, error, relative

FATAL_LOG_MARKERS = (".notdef", "Ignored", "unknown", "Unknown", "Failed to load", "Error", "not supported", "disallowed")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@functools.cache
def _weasy() -> Any:
    import weasyprint  # heavy: imported only when rendering
    from weasyprint.text.fonts import FontConfiguration

    return weasyprint, FontConfiguration()


def project_fetcher(roots: tuple[Path, ...]) -> Any:
    """A URL fetcher that reads only files below `roots`: no network, no other files."""
    weasyprint, _ = _weasy()
    from weasyprint.urls import URLFetcher

    resolved = tuple(r.resolve() for r in roots)

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.removeprefix("file:").split("?")[0].split("#")[0])).resolve()
                if any(path.is_relative_to(r) for r in resolved) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"disallowed resource {url[:80]} (only the project's layouts and sources may be read)")

    return ProjectFetcher()


@functools.cache
def _stylesheet(path: Path) -> Any:
    weasyprint, fonts = _weasy()
    return weasyprint.CSS(filename=str(path), font_config=fonts)


PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}


def render_document(html: str, layouts: Path, roots: tuple[Path, ...]) -> tuple[bytes, dict[str, int]]:
    """Render the print HTML; return the PDF and the 1-based page of every anchor.
    Fail on tofu, CSS errors and fetch errors."""
    weasyprint, fonts = _weasy()
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(string=html, base_url=str(layouts.resolve()) + "/", url_fetcher=project_fetcher(roots)).render(
            stylesheets=[_stylesheet(layouts / "print.css")], font_config=fonts, **PDF_OPTIONS)
        anchors = {name: number for number, page in enumerate(document.pages, start=1) for name in page.anchors}
        pdf: bytes = document.write_pdf(**PDF_OPTIONS)
    finally:
        logger.removeHandler(handler)
    fatal = [m for m in handler.records if any(marker in m for marker in FATAL_LOG_MARKERS)]
    if fatal:
        raise RenderError([error("pdf-render", m.splitlines()[0][:300], Place(relative(layouts / "print.css"))) for m in fatal])
    return pdf, anchors

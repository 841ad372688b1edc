"""PDF with WeasyPrint: tagged (PDF/UA-1), fonts shared, logger watched.

WeasyPrint only logs missing glyphs, bad CSS and failed fetches; we capture its
logger during every render and fail the build on any of them.
"""

from __future__ import annotations

import functools
import gc
import io
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from .diagnostics import Diagnostic, Place, RenderError, error, relative

FATAL_LOG_MARKERS = (".notdef", "No anchor", "Ignored", "unknown", "Unknown", "Failed to load", "Error", "not supported", "disallowed")
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}
COVER_DPI = 150


@functools.cache
def _weasy() -> Any:
    import weasyprint  # heavy: imported only when rendering
    from weasyprint.text.fonts import FontConfiguration

    from .text_layer import install

    install()  # text that copies out in logical order (pipeline/text_layer.py)
    fonts = FontConfiguration()
    # What is loaded by now (WeasyPrint, Babel's locale data, fontTools, the
    # handbook) lives as long as the process: keep the collector's full passes,
    # which rendering triggers often, from walking all of it every time.
    gc.freeze()
    return weasyprint, fonts


def project_fetcher(roots: tuple[Path, ...]) -> Any:
    """A URL fetcher that reads only files below `roots`: no network, no other files."""
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    resolved = tuple(r.resolve() for r in roots)

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(url2pathname(url.removeprefix("file:").split("?")[0].split("#")[0])).resolve()
                if any(path.is_relative_to(r) for r in resolved) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"disallowed resource {url[:80]} (only the project's layouts and sources may be read)")

    return ProjectFetcher()


@functools.cache
def _stylesheet(path: Path) -> Any:
    weasyprint, fonts = _weasy()
    return weasyprint.CSS(filename=str(path), font_config=fonts)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@contextmanager
def _watched(layouts: Path) -> Iterator[None]:
    """Fail on anything WeasyPrint logs that would spoil the output."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    fatal = [m for m in handler.records if any(marker in m for marker in FATAL_LOG_MARKERS)]
    if fatal:
        raise RenderError([error("pdf-render", m.splitlines()[0][:300], Place(relative(layouts / "print.css"))) for m in fatal])


def _render(html: str, layouts: Path, roots: tuple[Path, ...]) -> Any:
    weasyprint, fonts = _weasy()
    document = weasyprint.HTML(string=html, base_url=str(layouts.resolve()) + "/", url_fetcher=project_fetcher(roots))
    return document.render(stylesheets=[_stylesheet(layouts / "print.css")], font_config=fonts, **PDF_OPTIONS)


def describe_links(descriptions: dict[str, str]) -> Any:
    """A write_pdf finisher: link annotations get a description of their target."""
    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and "Contents" in obj:
                target = getattr(obj["Contents"], "string", None)
                if target in descriptions:
                    obj["Contents"] = pydyf.String(descriptions[target])

    return finish


class Rendered(NamedTuple):
    pdf: bytes
    anchors: dict[str, int]  # anchor -> 1-based page of this document
    pages: int


def render_document(html: str, layouts: Path, roots: tuple[Path, ...], link_descriptions: dict[str, str],
                    inspect: Callable[[Any], list[Diagnostic]] | None = None, *,
                    elsewhere: Collection[str] = (), even: bool = False) -> Rendered:
    """Render print HTML to PDF. `inspect` may look at the laid-out pages first
    (the wallet card measures its lines there): any problem it finds stops the
    build before the PDF is written. Links to `elsewhere` anchors (rendered in
    another part of the book) are kept for merge.join to point there. With
    `even`, the HTML ends in a spare blank page, kept only to make the count even."""
    with _watched(layouts):
        document = _render(html, layouts, roots)
        if inspect and (problems := inspect(document)):
            raise RenderError(problems)
        if even and len(document.pages) % 2:
            document = document.copy(document.pages[:-1])
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages, start=1):
            for name in page.anchors:
                anchors.setdefault(name, number)  # an element on several pages starts on the first
        if elsewhere:
            _keep_links(document, anchors, elsewhere)
        pdf: bytes = document.write_pdf(finisher=describe_links(link_descriptions), **PDF_OPTIONS)
    return Rendered(pdf, anchors, len(document.pages))


def _keep_links(document: Any, anchors: dict[str, int], elsewhere: Collection[str]) -> None:
    """WeasyPrint drops a link whose anchor is not in the document: give each one
    a stand-in anchor on the first page, which merge.join replaces."""
    targets = {target for page in document.pages for kind, target, *_ in page.links if kind == "internal"}
    for name in sorted(targets - anchors.keys()):
        if name in elsewhere:
            document.pages[0].anchors[name] = (0, 0, 0, 0)


def cover_image(html: str, layouts: Path, roots: tuple[Path, ...]) -> bytes:
    """The cover page as a JPEG, for the EPUB's cover image."""
    import pypdfium2

    with _watched(layouts):
        pdf = _render(html, layouts, roots).write_pdf()
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=COVER_DPI / 72).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()

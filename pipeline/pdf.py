"""PDF with WeasyPrint: tagged (PDF/UA-1), fonts shared, logger watched.

WeasyPrint only logs missing glyphs, bad CSS and failed fetches; we capture its
logger during every render and fail the build on any warning or error it logs,
but a short list of known harmless ones.
"""

from __future__ import annotations

import functools
import gc
import io
import logging
import re
import sys
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic, Place, RenderError, error, relative

# WeasyPrint logs what spoils a PDF (a glyph no font has, a CSS rule it ignored, a file it
# could not load, a link to no anchor) at WARNING or above, and any such record stops the
# build; but these, which change only how a font is embedded (whole instead of subset, or
# subset more slowly), never what a reader sees. Matched on the message before its
# arguments are filled in: a new or reworded message stops the build until judged here.
HARMLESS_LOG = frozenset(
    {
        'Using fontTools instead of HarfBuzz-Subset for font "%s". This will '
        "be unsupported in future versions of WeasyPrint. Please install "
        "HarfBuzz-Subset >= 4.1.0 with your package manager.",
        'Unable to subset "%s" with HarfBuzz',
        'Unable to subset "%s" with fontTools',
    }
)
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}
COVER_WIDTH = 750  # px, the EPUB's cover image: 150 dpi on a 5 in wide page


@dataclass(frozen=True)
class Variant:
    """Which PDF WeasyPrint writes: the edition's PDF/UA-1, or the print shop's PDF/X-4
    (pipeline/press.py), whose output intent is the press's CMYK profile."""

    pdf_variant: str = "pdf/ua-1"
    cmyk_profile: bytes = b""  # an ICC profile, handed over in memory: no URL is fetched

    @property
    def options(self) -> dict[str, Any]:
        # PDF/UA is tagged by itself; PDF/X is tagged too, so that merge.join joins its parts alike.
        return {**PDF_OPTIONS, "pdf_variant": self.pdf_variant, "pdf_tags": True}

    def color_profiles(self) -> dict[str, Any]:
        """WeasyPrint makes the `device-cmyk` profile a PDF/X document's output intent."""
        if not self.cmyk_profile:
            return {}
        from weasyprint.css import ColorProfile

        profile = ColorProfile(
            io.BytesIO(self.cmyk_profile),
            "press.icc",
            "relative-colorimetric",
            ("c", "m", "y", "k"),
        )  # four components: the profile's N
        return {"device-cmyk": profile}


EDITION = Variant()


@contextmanager
def _sonames_only() -> Iterator[None]:
    """WeasyPrint opens each library by a list of names for every platform, and each name
    without a dot costs a `ctypes.util.find_library`, which runs ldconfig, gcc and ld: some
    0.2 s of a cold build. On Linux the list also holds the sonames (libpango-1.0.so.0),
    which dlopen finds by itself: skip the search and let those names load."""
    import ctypes.util

    if not sys.platform.startswith("linux"):
        yield
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


@functools.cache
def _weasy() -> Any:
    with _sonames_only():
        import weasyprint  # heavy: imported only when rendering
    from weasyprint.text.fonts import FontConfiguration

    from .tagging import install_language_tags
    from .text_layer import install

    install_language_tags()  # /Lang on text in another language (pipeline/tagging.py)
    install()  # text that copies out in logical order (pipeline/text_layer.py)
    fonts = FontConfiguration()
    # What is loaded by now (WeasyPrint, Babel's locale data, fontTools, the
    # handbook) lives as long as the process: keep the collector's full passes,
    # which rendering triggers often, from walking all of it every time.
    gc.freeze()
    return weasyprint, fonts


def inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether `path`, after every link, is a file below one of `roots`."""
    resolved = path.resolve()
    return resolved.is_file() and any(resolved.is_relative_to(r.resolve()) for r in roots)


REFUSED = re.compile(r"disallowed resource <(.*?)> \(only")


def project_fetcher(roots: tuple[Path, ...]) -> Any:
    """A URL fetcher that reads only files below `roots`: no network, no other files."""
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):  # carries its bytes (the logo: pipeline/brand.py)
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url2pathname(url.removeprefix("file:").split("?")[0].split("#")[0]))
                if inside(path, roots):
                    return super().fetch(url, headers)
            # WeasyPrint only logs this: _watched finds the URL in the log and stops the build.
            raise ValueError(
                f"disallowed resource <{url}> (only the project's layouts and sources may be read)"
            )

    return ProjectFetcher()


@functools.cache
def _stylesheet(layouts: Path, roots: tuple[Path, ...]) -> Any:
    path = layouts / "print.css"
    if not inside(path, roots):
        why = (
            "print.css is a link to a file outside the project's layouts/: "
            "copy the file into layouts/ instead"
        )
        raise RenderError([error("layout-outside", why, Place(relative(path), 1))])
    weasyprint, fonts = _weasy()
    with _watched(layouts):  # a refused @import is raised, never cached: every build must see it
        return weasyprint.CSS(
            filename=str(path), url_fetcher=project_fetcher(roots), font_config=fonts
        )


def referenced_at(layouts: Path, url: str) -> Place:
    """Where the layouts name a refused URL. WeasyPrint reports the URL, not the
    template line, so this is the first layout line naming the URL's file."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name or url
    for path in sorted(layouts.rglob("*")):
        if path.suffix in (".j2", ".css") and inside(path, (layouts,)):
            for number, line in enumerate(
                path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
            ):
                if name in line:
                    return Place(relative(path), number)
    return Place(relative(layouts))


class _Collect(logging.Handler):
    """What WeasyPrint logs at WARNING or above, but the messages known to be harmless."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg not in HARMLESS_LOG:
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
    if handler.records:  # an image on every page: reported once
        raise RenderError(list(dict.fromkeys(_logged(layouts, m) for m in handler.records)))


def _logged(layouts: Path, message: str) -> Diagnostic:
    if refused := REFUSED.search(message):
        url = refused.group(1)
        shown = url if len(url) <= 100 else url[:100] + "…"
        why = (
            f"the layouts refer to {shown}, "
            "which is not a file in the project's layouts/ or source/ "
            "(or is a link out of them): use only files inside those folders"
        )
        return error("layout-fetch", why, referenced_at(layouts, url))
    return error(
        "pdf-render", message.splitlines()[0][:300], Place(relative(layouts / "print.css"))
    )


def _render(html: str, layouts: Path, roots: tuple[Path, ...], variant: Variant = EDITION) -> Any:
    weasyprint, fonts = _weasy()
    document = weasyprint.HTML(
        string=html, base_url=str(layouts.resolve()) + "/", url_fetcher=project_fetcher(roots)
    )
    return document.render(
        stylesheets=[_stylesheet(layouts, roots)],
        font_config=fonts,
        color_profiles=variant.color_profiles(),
        **variant.options,
    )


def describe_links(descriptions: dict[str, str]) -> Any:
    """A write_pdf finisher: link annotations get a description of their target."""
    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        for obj in pdf.objects:
            if (
                isinstance(obj, pydyf.Dictionary)
                and obj.get("Subtype") == "/Link"
                and "Contents" in obj
            ):
                target = getattr(obj["Contents"], "string", None)
                if target in descriptions:
                    obj["Contents"] = pydyf.String(descriptions[target])

    return finish


class Rendered(NamedTuple):
    pdf: bytes
    anchors: dict[str, int]  # anchor -> 1-based page of this document
    pages: int
    # page -> (id, first line) of a page that starts inside a block begun on an earlier one
    continued: Mapping[int, tuple[str, str]] = MappingProxyType({})


def first_line(box: Any) -> Any:
    """The first line box of a page's content (not of its margin boxes), or None."""
    if type(box).__name__ == "LineBox":
        return box
    for child in getattr(box, "children", ()):
        if type(child).__name__ != "MarginBox" and (line := first_line(child)) is not None:
            return line
    return None


def line_text(box: Any) -> str:
    return getattr(box, "text", "") + "".join(line_text(c) for c in getattr(box, "children", ()))


def continued_pages(pages: list[Any], anchors: dict[str, int]) -> dict[int, tuple[str, str]]:
    """The pages whose first line goes on with a block (with an id) begun on an earlier page,
    and that line's text: the EPUB puts such a page's marker inside the block."""
    out = {}
    for number, page in enumerate(pages, start=1):
        line = first_line(page._page_box)
        block = line.element.get("id") if line is not None and line.element is not None else None
        if block and anchors.get(block, number) < number:
            out[number] = (block, line_text(line))
    return out


@dataclass(frozen=True)
class LaidOut:
    """A document laid out but not yet written: its pages (so its anchors) are final, and
    writing the PDF, a third of the work, can go on in another process (pipeline/fork.py)."""

    document: Any
    layouts: Path
    link_descriptions: dict[str, str]
    variant: Variant
    anchors: dict[str, int]  # anchor -> 1-based page of this document
    continued: dict[int, tuple[str, str]]  # as in Rendered

    @property
    def pages(self) -> int:
        return len(self.document.pages)

    def write(self) -> bytes:
        with _watched(self.layouts):
            finisher = describe_links(self.link_descriptions)
            pdf: bytes = self.document.write_pdf(finisher=finisher, **self.variant.options)
        return pdf

    def rendered(self, pdf: bytes) -> Rendered:
        return Rendered(pdf, self.anchors, self.pages, self.continued)

    def finished(self) -> Rendered:
        """Written here and now (no other process to write it in)."""
        return self.rendered(self.write())


def lay_out(
    html: str,
    layouts: Path,
    roots: tuple[Path, ...],
    link_descriptions: dict[str, str],
    inspect: Callable[[Any], list[Diagnostic]] | None = None,
    *,
    elsewhere: Collection[str] = (),
    even: bool = False,
    variant: Variant = EDITION,
) -> LaidOut:
    """Render print HTML: its pages, not yet the PDF (LaidOut.write; .finished() for both).
    `inspect` may look at the laid-out pages first (the wallet card measures its lines
    there): any problem it finds stops the build before the PDF is written. Links to
    `elsewhere` anchors (rendered in another part of the book) are kept for merge.join to
    point there. With `even`, the HTML ends in a spare blank page, kept only to make the
    count even. `variant`: the edition's PDF/UA-1, or the press's PDF/X-4."""
    with _watched(layouts):
        document = _render(html, layouts, roots, variant)
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
    continued = continued_pages(document.pages, anchors)
    return LaidOut(document, layouts, link_descriptions, variant, anchors, continued)


def _keep_links(document: Any, anchors: dict[str, int], elsewhere: Collection[str]) -> None:
    """WeasyPrint drops a link whose anchor is not in the document: give each one
    a stand-in anchor on the first page, which merge.join replaces."""
    targets = {
        target for page in document.pages for kind, target, *_ in page.links if kind == "internal"
    }
    for name in sorted(targets - anchors.keys()):
        if name in elsewhere:
            document.pages[0].anchors[name] = (0, 0, 0, 0)


def cover_image(html: str, layouts: Path, roots: tuple[Path, ...]) -> bytes:
    """The cover page as a JPEG, for the EPUB's cover image."""
    with _watched(layouts):
        pdf = _render(html, layouts, roots).write_pdf()
    return page_image(pdf)


def page_image(pdf: bytes) -> bytes:
    """The PDF's first page as a JPEG COVER_WIDTH pixels wide (the EPUB's cover image)."""
    import pypdfium2

    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=COVER_WIDTH / page.get_width()).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()

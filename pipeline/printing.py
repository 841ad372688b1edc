"""The print edition and its cover, for one language or two paired: the first step of
every edition with a format that follows its pages (pipeline/edition.py PageMap) or its
cover (pipeline/formats.py PRINTED)."""

from __future__ import annotations

from .bilingual import edition as paired
from .bilingual import pdf_links, sides
from .bilingual import print_html as print_paired
from .book import Printed, print_book
from .edition import Views
from .html import link_descriptions, print_html


def html(views: Views) -> str:
    """The print edition as one HTML document (what the preview shows, no PDF made)."""
    project, first = views.project, views.first
    if not views.paired:
        return print_html(project.layouts, first.view, first.gettext, size=views.size)
    book = paired(project.layouts, sides(views.sides), epub=False)
    return print_paired(project.layouts, book, size=views.size, press=None)


def render(views: Views) -> tuple[Printed, bytes]:
    """The print PDF with its page map, and the cover as a JPEG."""
    project, first = views.project, views.first
    if views.paired:
        return _paired(views)
    printed = print_book(
        project.layouts,
        project.roots,
        first.view,
        first.gettext,
        size=views.size,
        press=views.press,
        cover=True,  # the EPUB's cover: the edition's first page, no document of its own
    )
    return printed, printed.cover


def _paired(views: Views) -> tuple[Printed, bytes]:
    """Two languages block by block, in one document: its pairs never break across pages,
    so no page starts inside a block."""
    from .pdf import EDITION, cover_image, lay_out
    from .press import finish_bytes as press_finish
    from .tagging import finish_bytes

    project, press = views.project, views.press
    book = paired(project.layouts, sides(views.sides), epub=False)
    html = print_paired(project.layouts, book, size=views.size, press=press)
    variant = press.variant if press else EDITION
    rendered = lay_out(
        html, project.layouts, project.roots, pdf_links(book), variant=variant
    ).finished()
    cover_html = print_paired(
        project.layouts, book, size="cover", press=None, template="bilingual/cover.html.j2"
    )
    cover = cover_image(cover_html, project.layouts, project.roots)
    descriptions = {s.view.loc.tag: link_descriptions(s.view, s.gettext) for s in views.sides}
    rtl = views.first.view.loc.dir == "rtl"
    pdf = finish_bytes(rendered.pdf, rtl=rtl, descriptions=descriptions)
    return Printed(press_finish(pdf) if press else pdf, rendered.anchors, {}), cover

"""The bilingual edition: two locales paired block by block, in PDF and EPUB.

`handbook build --lang es+en` lands here. Each half of a pair is rendered with
its own language's gettext, text filter and digits (layouts/bilingual/_cell.j2),
so the shared strings, number isolation and fonts apply to both languages;
the pairs then go into one document. In the PDF a pair is one row of two
columns that never breaks across pages, the first language on the
reading-start side (the right, for a right-to-left first language); in the
EPUB the two cells follow one another, each with its own lang and dir.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .build import Prepared, Project, prepare, resolve_locale, write_edition
from .diagnostics import Place, UsageError, error
from .epub import (
    BACK,
    CSS_HREF,
    Asset,
    embedded_fonts,
    logo_href,
    new_book,
    package,
    page_breaks,
    print_pages,
    visible_text,
)
from .html import COMPACT, PAGE_SIZES, block_id, link_descriptions, render
from .model import ItemList
from .present import View

if TYPE_CHECKING:
    from .press import Press

SEPARATOR = "+"  # es+en: the first language, then the second
CELL = "bilingual/_cell.j2"


@dataclass(frozen=True)
class Side:
    prepared: Prepared
    n: int  # 1: the first language (reading-start column), 2: the second

    @property
    def view(self) -> View:
        return self.prepared.view


@dataclass(frozen=True)
class Pair:
    """One block in both languages: the cells in order, first language first."""

    kind: str
    cells: tuple[Markup, Markup]
    anchor: str = ""
    label: str = ""  # the heading in both languages: PDF bookmark, EPUB TOC


@dataclass(frozen=True)
class PairedEntry:
    question: Pair
    blocks: tuple[Pair, ...]
    toc: Pair
    href: str  # where it lives in the EPUB


@dataclass(frozen=True)
class PairedSection:
    anchor: str
    href: str
    title: Pair
    toc: Pair
    entries: tuple[PairedEntry, ...]


@dataclass(frozen=True)
class Edition:
    sides: tuple[Side, Side]
    title: str  # both titles, for <title> and the PDF's metadata
    cover: Pair
    help: Pair
    colophon: Pair
    contents: Pair
    sections: tuple[PairedSection, ...]
    back: Pair

    @property
    def tag(self) -> str:
        return SEPARATOR.join(s.view.loc.tag for s in self.sides)


def split(locale: str) -> tuple[str, str]:
    parts = locale.split(SEPARATOR)
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        what = f"a bilingual edition pairs two different locales, e.g. es+en (got '{locale}')"
        raise UsageError([error("bilingual-locales", what, Place("LANG"))])
    return parts[0], parts[1]


def both(a: str, b: str) -> str:
    """A label in both languages: '¿Qué…? / What…?'."""
    return f"{a} / {b}"


class Cells:
    """Renders the halves of pairs, each with its own language's view."""

    def __init__(self, layouts: Path, sides: tuple[Side, Side], *, epub: bool) -> None:
        self.layouts, self.sides, self.epub = layouts, sides, epub
        self.draft = any(s.view.status.draft for s in sides)

    def pair(
        self,
        kind: str,
        nodes: tuple[Any, Any] = (None, None),
        *,
        anchor: str = "",
        label: str = "",
        **extra: Any,
    ) -> Pair:
        a, b = (
            Markup(
                render(
                    self.layouts,
                    CELL,
                    s.view,
                    s.prepared.gettext,
                    sms_links=not self.epub,
                    kind=kind,
                    node=node,
                    draft=self.draft,
                    epub=self.epub,
                    **extra,
                ).strip()
            )
            for s, node in zip(self.sides, nodes, strict=True)
        )
        return Pair(kind, (a, b), anchor, label)


def blocks(cells: Cells, answers: tuple[Any, Any]) -> Iterator[Pair]:
    """Paragraphs pair as they are; a list pairs item by item, so each item stays beside its
    translation (each cell a list of one item, numbered from `number` on). A pair's id is
    its first text's key, as in the single-language edition."""
    for block_a, block_b in zip(*answers, strict=True):
        if isinstance(block_a, ItemList):
            for number, items in enumerate(zip(block_a.items, block_b.items, strict=True), start=1):
                yield cells.pair("item", items, anchor=block_id(items[0].text.key), number=number)
        else:
            yield cells.pair("paragraph", (block_a, block_b), anchor=block_id(block_a.text.key))


def edition(layouts: Path, sides: tuple[Side, Side], *, epub: bool) -> Edition:
    cells = Cells(layouts, sides, epub=epub)
    a, b = (s.view for s in sides)
    sections = []
    for sa, sb in zip(a.sections, b.sections, strict=True):
        entries = []
        for qa, qb in zip(sa.entries, sb.entries, strict=True):
            label = both(
                f"{qa.number}. {qa.entry.question.value}", f"{qb.number}. {qb.entry.question.value}"
            )
            entries.append(
                PairedEntry(
                    question=cells.pair("question", (qa, qb), anchor=qa.anchor, label=label),
                    blocks=tuple(blocks(cells, (qa.entry.answer, qb.entry.answer))),
                    toc=cells.pair("toc-entry", (qa, qb)),
                    href=qa.href,
                )
            )
        label = both(sa.title.value, sb.title.value)
        sections.append(
            PairedSection(
                sa.anchor,
                sa.href,
                cells.pair("section", (sa, sb), label=label),
                cells.pair("toc-section", (sa, sb)),
                tuple(entries),
            )
        )
    return Edition(
        sides=sides,
        title=both(a.hb.title.value, b.hb.title.value),
        cover=cells.pair("cover"),
        help=cells.pair("help"),
        colophon=cells.pair("colophon"),
        contents=cells.pair("contents"),
        sections=tuple(sections),
        back=cells.pair("back"),
    )


def stylesheet(layouts: Path, ed: Edition, *, epub: bool, **extra: Any) -> str:
    """The shared part (first language's view), then each language's column."""
    first = ed.sides[0]
    start = "left" if first.view.loc.dir == "ltr" else "right"
    edges = {1: start, 2: "right" if start == "left" else "left"}
    common = "bilingual/epub.css.j2" if epub else "bilingual/page.css.j2"
    parts = [render(layouts, common, first.view, first.prepared.gettext, **extra)]
    parts += [
        render(
            layouts,
            "bilingual/side.css.j2",
            s.view,
            s.prepared.gettext,
            n=s.n,
            edge=edges[s.n],
            epub=epub,
        )
        for s in ed.sides
    ]
    return "\n".join(parts)


def print_html(
    layouts: Path,
    ed: Edition,
    *,
    size: str,
    press: bool,
    template: str = "bilingual/handbook.html.j2",
) -> str:
    first = ed.sides[0]
    css = stylesheet(layouts, ed, epub=False, page_size=PAGE_SIZES[size], press=press)
    return render(
        layouts,
        template,
        first.view,
        first.prepared.gettext,
        book=ed,
        page_css=Markup(css),
        xhtml=False,
        compact=size in COMPACT,
    )


def pdf_links(ed: Edition) -> dict[str, str]:
    """Link descriptions: the contacts in the first language, headings in both."""
    first, second = ed.sides
    out = {
        **link_descriptions(second.view, second.prepared.gettext),
        **link_descriptions(first.view, first.prepared.gettext),
    }
    for s in ed.sections:
        out[s.anchor] = s.title.label
        out.update({q.question.anchor: q.question.label for q in s.entries})
    return out


def reading_order(ed: Edition) -> list[tuple[str, str]]:
    """(EPUB document, id) of each pair of the body and the back cover, in reading order."""
    out = []
    for s in ed.sections:
        doc = s.href.split("#")[0]
        out += [(doc, s.anchor)]
        out += [(doc, p.anchor) for q in s.entries for p in (q.question, *q.blocks)]
    return [*out, (BACK, "back")]


def render_epub(layouts: Path, ed: Edition, *, pages: dict[str, int], cover_jpeg: bytes) -> bytes:
    """The bilingual EPUB: the monolingual one's metadata, fonts and packaging
    (pipeline/epub.py), with paired documents and both languages declared. `pages` maps
    anchors to print pages: the page-list runs, as there, from the first section's page
    to the back cover's (the front matter's pages are left out)."""
    from ebooklib import epub  # heavy: imported only when rendering

    first, second = ed.sides
    a, hb = first.view, first.view.hb
    _ = first.prepared.gettext.gettext
    languages = f"{a.loc.english_name}-{second.view.loc.english_name}"
    edition_name = f"{ed.title}, {languages} print edition of {hb.edition.isoformat()}"
    book = new_book(a, tag=ed.tag, page_source=edition_name if pages else "", cover_jpeg=cover_jpeg)
    book.add_metadata("DC", "title", second.view.hb.title.value)
    book.add_metadata("DC", "language", second.view.loc.tag)

    css_href = CSS_HREF
    documents: list[tuple[str, str, str]] = []  # (uid, file name, XHTML)

    def document(uid: str, name: str, title: str, **extra: Any) -> None:
        documents.append(
            (
                uid,
                name,
                render(
                    layouts,
                    "bilingual/chapter.xhtml.j2",
                    a,
                    first.prepared.gettext,
                    book=ed,
                    xhtml=True,
                    title=title,
                    css_href=css_href,
                    logo_src=logo_href(hb),
                    **extra,
                ),
            )
        )

    document("cover", "cover.xhtml", ed.title, part="cover", body_type="cover")
    order = reading_order(ed)
    breaks = page_breaks(order, pages, {})  # pairs never break across pages
    page_list = print_pages(order, breaks, a.loc.digits)
    documents.append(
        (
            "nav",
            "nav.xhtml",
            render(
                layouts,
                "bilingual/nav.xhtml.j2",
                a,
                first.prepared.gettext,
                book=ed,
                xhtml=True,
                css_href=css_href,
                pages=page_list,
            ),
        )
    )

    def in_both(message: str) -> str:
        return both(_(message), second.prepared.gettext.gettext(message))

    document(
        "colophon",
        "colophon.xhtml",
        in_both("About this handbook"),
        part="colophon",
        body_type="frontmatter",
    )
    for i, s in enumerate(ed.sections, start=1):
        document(
            f"section-{i:02d}",
            s.href.split("#")[0],
            s.title.label,
            section=s,
            body_type="bodymatter",
            pagebreaks=breaks,
        )
    document(
        "back",
        BACK,
        in_both("Get help now"),
        part="back",
        body_type="backmatter",
        pagebreaks=breaks,
    )

    text = visible_text(documents)
    assets: list[Asset] = []
    faces: list[dict[str, str]] = []
    for side in ed.sides:
        fonts, side_faces = embedded_fonts(side.view, text)
        assets += [f for f in fonts if f.name not in {x.name for x in assets}]
        faces += [f for f in side_faces if f not in faces]
    css = "\n".join(
        [
            render(layouts, "epub/style.css.j2", a, first.prepared.gettext, font_faces=faces),
            stylesheet(layouts, ed, epub=True),
        ]
    )
    book.toc = [
        (
            epub.Section(s.title.label, href=s.href.split("#")[0]),
            [epub.Link(q.href, q.question.label, q.question.anchor) for q in s.entries],
        )
        for s in ed.sections
    ]
    return package(book, documents, css, assets)


def build_bilingual(
    project: Project,
    handbook_id: str,
    locales: str,
    *,
    allow_partial: bool = False,
    size: str = "letter",
    press: Press | None = None,
) -> list[Path]:
    """Write dist/<first>+<second>/<id>.pdf and .epub (with `press`, the print shop's PDF)."""
    from .pdf import EDITION, cover_image, render_document
    from .press import finish_bytes as press_finish
    from .tagging import finish_bytes

    handbook = project.load(handbook_id)
    locs = [resolve_locale(project, handbook, name) for name in split(locales)]
    sides = (
        Side(prepare(project, handbook, locs[0], allow_partial=allow_partial), 1),
        Side(prepare(project, handbook, locs[1], allow_partial=allow_partial), 2),
    )
    roots = (project.layouts, project.source)
    printed = edition(project.layouts, sides, epub=False)
    html = print_html(project.layouts, printed, size=size, press=bool(press))
    variant = press.variant if press else EDITION
    rendered = render_document(html, project.layouts, roots, pdf_links(printed), variant=variant)
    cover_html = print_html(
        project.layouts, printed, size="cover", press=False, template="bilingual/cover.html.j2"
    )
    cover = cover_image(cover_html, project.layouts, roots)
    ebook = edition(project.layouts, sides, epub=True)
    epub_bytes = render_epub(project.layouts, ebook, pages=rendered.anchors, cover_jpeg=cover)
    descriptions = {s.view.loc.tag: link_descriptions(s.view, s.prepared.gettext) for s in sides}
    pdf = finish_bytes(rendered.pdf, rtl=locs[0].dir == "rtl", descriptions=descriptions)
    if press:
        pdf = press_finish(pdf)
    return write_edition(
        handbook,
        [s.view for s in sides],
        project.dist / printed.tag,
        pdf,
        epub_bytes,
        size=size,
        press=bool(press),
    )

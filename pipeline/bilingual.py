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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .diagnostics import Place, UsageError, error
from .epub import BACK, Chapter, Content, logo_href
from .html import COMPACT, PAGE_SIZES, block_id, link_descriptions, render
from .model import ItemList
from .paths import SEPARATOR
from .prepare import Prepared
from .present import View

if TYPE_CHECKING:
    from .press import Press

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
class Paired:
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


def sides(prepared: Sequence[Prepared]) -> tuple[Side, Side]:
    """The two languages of a pair, numbered: 1 the first (reading-start column), 2 the second."""
    first, second = prepared
    return Side(first, 1), Side(second, 2)


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
    translation (each cell a list of one item in the list's style: a bullet, or numbered from
    `number` on). A pair's id is its first text's key, as in the single-language edition."""
    for block_a, block_b in zip(*answers, strict=True):
        if isinstance(block_a, ItemList):
            for number, items in enumerate(zip(block_a.items, block_b.items, strict=True), start=1):
                anchor = block_id(items[0].text.key)
                yield cells.pair("item", items, anchor=anchor, number=number, style=block_a.style)
        else:
            yield cells.pair("paragraph", (block_a, block_b), anchor=block_id(block_a.text.key))


def edition(layouts: Path, sides: tuple[Side, Side], *, epub: bool) -> Paired:
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
    return Paired(
        sides=sides,
        title=both(a.hb.title.value, b.hb.title.value),
        cover=cells.pair("cover"),
        help=cells.pair("help"),
        colophon=cells.pair("colophon"),
        contents=cells.pair("contents"),
        sections=tuple(sections),
        back=cells.pair("back"),
    )


def stylesheet(layouts: Path, ed: Paired, *, epub: bool, **extra: Any) -> str:
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
    ed: Paired,
    *,
    size: str,
    press: Press | None,
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


def pdf_links(ed: Paired) -> dict[str, str]:
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


def reading_order(ed: Paired) -> list[tuple[str, str]]:
    """(EPUB document, id) of each pair of the body and the back cover, in reading order."""
    out = []
    for s in ed.sections:
        doc = s.href.split("#")[0]
        out += [(doc, s.anchor)]
        out += [(doc, p.anchor) for q in s.entries for p in (q.question, *q.blocks)]
    return [*out, (BACK, "back")]


def epub_content(layouts: Path, ed: Paired) -> Content:
    """What the bilingual EPUB holds (pipeline/epub.py render_epub walks it as it walks a
    single language's): paired documents, both languages declared. Its page-list runs,
    as there, from the first section's page to the back cover's."""
    first, second = ed.sides

    def in_both(message: str) -> str:
        return both(
            first.prepared.gettext.gettext(message), second.prepared.gettext.gettext(message)
        )

    chapters = tuple(
        Chapter(
            s.href,
            s.title.label,
            s,
            tuple((q.href, q.question.label, q.question.anchor) for q in s.entries),
        )
        for s in ed.sections
    )
    context = {"book": ed, "xhtml": True}
    return Content(
        views=(first.view, second.view),
        gettext=first.prepared.gettext,
        tag=ed.tag,
        title=ed.title,
        templates="bilingual",
        chapter={**context, "logo_src": logo_href(first.view.hb)},
        nav=context,
        titles=(in_both("About this handbook"), in_both("Get help now")),
        chapters=chapters,
        order=tuple(reading_order(ed)),
        css=stylesheet(layouts, ed, epub=True),
    )

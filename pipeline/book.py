"""The print edition, rendered in parts.

WeasyPrint keeps every laid-out page of a document in memory, and each page costs
more as the document grows (bench/RESULTS.md: a 754-page book took 1.2 GB and
1.8 times as long a page). So the body is rendered in runs of whole sections of
at most PART_ENTRIES entries, each part's folios going on from the last; then the
front matter, whose contents can now print every entry's page; merge.join makes
one PDF of them. Folio 1 is the first page of the body, a recto.

Laying out a part needs the one before it (its folios), but writing its PDF (a third of
the work) needs only its pages: each part's PDF is written in a forked child while this
process lays out the next part and the front matter (pipeline/fork.py). The front
matter's first page, the cover, is also the EPUB's cover image.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.support import NullTranslations

from .html import Part, link_descriptions, print_html
from .present import SectionView, View

if TYPE_CHECKING:
    from .pdf import Rendered
    from .press import Press

# Per-page time is flat for parts of 10 to 40 entries; fewer parts repeat fewer font
# subsets (every part embeds its own: a Chinese part's are some 300 KB).
PART_ENTRIES = 40


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    folios: dict[str, int]  # anchor -> folio of the page it is on
    # folio -> (id, first line) of a page begun inside a block
    continued: dict[int, tuple[str, str]]
    cover: bytes = b""  # the EPUB's cover image (a JPEG of its first page), if asked for


def runs(sections: Sequence[SectionView], budget: int) -> list[tuple[SectionView, ...]]:
    """Consecutive sections, grouped while they hold at most `budget` entries
    (a section larger than that is a run of its own: sections are never split)."""
    out: list[tuple[SectionView, ...]] = []
    run: list[SectionView] = []
    entries = 0
    for section in sections:
        if run and entries + len(section.entries) > budget:
            out.append(tuple(run))
            run, entries = [], 0
        run.append(section)
        entries += len(section.entries)
    return [*out, tuple(run)] if run else out


WRITING = 2  # parts written at once at most: each writer holds a copy of the laid-out part


@contextmanager
def _settled(*, long: bool) -> Iterator[None]:
    """A book of many parts: what lives through all of its printing (the view, the fonts,
    the modules) is collected once and set aside from the collector (gc.freeze). WeasyPrint's
    boxes hold reference cycles, so each part sets off a full collection, and each walked
    all of it again: at x50, 42 full collections, 4.5 s of 56. A book of one part has none.
    gc.unfreeze() also lets go of what pdf._weasy() froze at start-up: later builds in the
    same process walk it again (milliseconds); freezing again would keep this book's view
    for as long as the process lives (a worker of `build --all` builds many)."""
    if not long:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def print_book(
    layouts: Path,
    roots: tuple[Path, ...],
    view: View,
    gettext: NullTranslations,
    *,
    size: str,
    press: Press | None,
    budget: int = PART_ENTRIES,
    cover: bool = False,
) -> Printed:
    """The book's PDF; with `press`, the print shop's PDF/X-4 (pipeline/press.py); with
    `cover`, the EPUB's cover image too.

    Each part is laid out here and its PDF written in a forked child (pipeline/fork.py)
    while the next part, then the front matter, is laid out: an edition on both cores."""
    from .fork import Forked
    from .merge import join
    from .pdf import EDITION, cover_image, lay_out, page_image  # WeasyPrint: only when rendering
    from .press import finish

    descriptions = link_descriptions(view, gettext)
    variant = press.variant if press else EDITION

    def html(part: Part) -> str:
        return print_html(layouts, view, gettext, size=size, press=press, part=part)

    # The schema asks for one section at least: the back cover has a part.
    groups = runs(view.sections, budget)
    long = len(groups) > 1
    with _settled(long=long):
        body: list[tuple[Rendered, Forked[bytes]]] = []  # each part's pages, its PDF to come
        folios: dict[str, int] = {}
        continued: dict[int, tuple[str, str]] = {}
        first = 1  # folio of the next part's first page
        for i, group in enumerate(groups):
            part = Part(group, front=False, back=i == len(groups) - 1, first_page=first)
            laid = lay_out(html(part), layouts, roots, descriptions, variant=variant)
            folios.update({name: first + page - 1 for name, page in laid.anchors.items()})
            continued.update({first + page - 1: line for page, line in laid.continued.items()})
            first += laid.pages
            if len(body) >= WRITING:
                body[-WRITING][1].result()
            body.append((laid.rendered(b""), Forked(laid.write)))
            del laid  # the next part is laid out without this one's pages in memory
        contents = {anchor: view.loc.digits(folio) for anchor, folio in folios.items()}
        laid = lay_out(
            html(Part((), back=False, pages=contents)),
            layouts,
            roots,
            descriptions,
            elsewhere=folios.keys(),
            even=True,
            variant=variant,
        )
        front = laid.finished()
        # Joined without the front matter's pages in memory (a long book's contents: 30 MB at
        # x50). WeasyPrint's boxes and styles hold reference cycles: `del` alone leaves them to
        # the next full collection, which would come after the join, at its peak.
        del laid
        if long:
            gc.collect()
        # The EPUB's cover is the edition's first page (its page list follows this edition's
        # folios too); a press PDF's first page has bleed, crop marks and CMYK: it is drawn alone.
        image = b""
        if cover and not press:
            image = page_image(front.pdf)
        elif cover:
            alone = print_html(layouts, view, gettext, size=size, template="cover.html.j2")
            image = cover_image(alone, layouts, roots)
        parts = [front, *(r._replace(pdf=pdf.result()) for r, pdf in body)]
        pdf = join(parts, front.pages, rtl=view.loc.dir == "rtl", then=finish if press else None)
        return Printed(pdf, folios, continued, image)

"""The print edition, rendered in parts.

WeasyPrint keeps every laid-out page of a document in memory, and each page costs
more as the document grows (bench/RESULTS.md: a 754-page book took 1.2 GB and
1.8 times as long a page). So the body is rendered in runs of whole sections of
at most PART_ENTRIES entries, each part's folios going on from the last; then the
front matter, whose contents can now print every entry's page; merge.join makes
one PDF of them. Folio 1 is the first page of the body, a recto.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    continued: dict[
        int, tuple[str, str]
    ]  # folio -> (id, first line) of a page begun inside a block


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


def print_book(
    layouts: Path,
    roots: tuple[Path, ...],
    view: View,
    gettext: NullTranslations,
    *,
    size: str,
    press: Press | None,
    budget: int = PART_ENTRIES,
) -> Printed:
    """The book's PDF; with `press`, the print shop's PDF/X-4 (pipeline/press.py)."""
    from .merge import join
    from .pdf import EDITION, render_document  # WeasyPrint: imported only when rendering
    from .press import finish

    descriptions = link_descriptions(view, gettext)
    variant = press.variant if press else EDITION

    def html(part: Part) -> str:
        return print_html(layouts, view, gettext, size=size, press=bool(press), part=part)

    body: list[Rendered] = []
    folios: dict[str, int] = {}
    continued: dict[int, tuple[str, str]] = {}
    first = 1  # folio of the next part's first page
    groups = runs(
        view.sections, budget
    )  # the schema asks for one section at least: the back cover has a part
    for i, group in enumerate(groups):
        part = Part(group, front=False, back=i == len(groups) - 1, first_page=first)
        rendered = render_document(html(part), layouts, roots, descriptions, variant=variant)
        folios.update({name: first + page - 1 for name, page in rendered.anchors.items()})
        continued.update({first + page - 1: line for page, line in rendered.continued.items()})
        body.append(rendered)
        first += rendered.pages
    contents = {anchor: view.loc.digits(folio) for anchor, folio in folios.items()}
    front_matter = html(Part((), back=False, pages=contents))
    front = render_document(
        front_matter,
        layouts,
        roots,
        descriptions,
        elsewhere=folios.keys(),
        even=True,
        variant=variant,
    )
    pdf = join(
        [front, *body], front.pages, rtl=view.loc.dir == "rtl", then=finish if press else None
    )
    return Printed(pdf, folios, continued)

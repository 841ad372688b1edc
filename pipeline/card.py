"""The wallet card: 3.5 x 2 in, the front in one language and the back in
another, plus a 10-up US Letter print sheet with crop marks.

The text must fit, never be clipped: every line of the card names its message
and the most lines it may take (data-key, data-lines in layouts/card/_side.j2).
The card is laid out once, measured on WeasyPrint's boxes, and an overflow
fails the build with the message's key, its place in the catalog and the
amount, before anything is written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .catalog import catalog_path, catalog_paths, read_domain
from .diagnostics import Diagnostic, PipelineError, Place, UsageError, error, relative
from .html import link_descriptions, render
from .locales import LocaleInfo, available
from .model import Handbook, iter_texts
from .output import write_together
from .paths import output_path
from .prepare import Prepared, prepare, resolve_locale
from .project import Project
from .sheet import CARD_H, CARD_W, SHEETS, crop_marks, faces

PX = 0.75  # WeasyPrint lays out in CSS px; 1 px = 0.75 pt
TOLERANCE = 0.5  # pt of rounding allowed before a line counts as too wide
SIDE_TEMPLATE = "card/_side.j2"


@dataclass(frozen=True)
class Side:
    name: str  # front | back
    prepared: Prepared
    # message key or msgid -> where to shorten it; read only when a line does not fit
    places: Callable[[], Mapping[str, Place]]


@dataclass(frozen=True)
class Measured:
    """One line of the card as WeasyPrint laid it out (pt)."""

    side: str
    key: str
    budget: int  # the most lines it may take
    lines: tuple[float, ...]  # height of each rendered line
    widest: float
    room: float  # width available to it
    bottom: float  # where its last line ends
    side_bottom: float  # where the side's content box ends (same page)
    page: int


def back_locale(project: Project, handbook: Handbook, front: LocaleInfo) -> str:
    """A translated card has the source language on its back; the source-language card has
    the card's `back` locale, else the first translation ready to ship (complete, or falling
    back by its release rule), else its own: a translation just started holds nothing back."""
    if front.code != handbook.language:
        return handbook.language
    assert handbook.card is not None
    if handbook.card.back:
        return handbook.card.back
    return next(
        (c for c in available(project.locales, handbook.id) if _ready(project, handbook, c)),
        handbook.language,
    )


def _ready(project: Project, handbook: Handbook, code: str) -> bool:
    try:
        prepare(project, handbook, resolve_locale(project, handbook, code), allow_partial=False)
    except PipelineError:
        return False
    return True


def message_places(project: Project, handbook: Handbook, loc: LocaleInfo) -> dict[str, Place]:
    """Where each card message is written in this language: the line of a translation in the
    catalog that holds it (msgctxt in the handbook's, or msgid in layouts.po), else the source."""
    if loc.code == handbook.language:
        places = {t.key: t.place for t in iter_texts(handbook)}
        return {**places, "": Place(relative(project.layouts / SIDE_TEMPLATE))}
    return {
        (m.context or m.id): Place(relative(path), m.lineno or 0)
        for path in reversed(catalog_paths(project.locales, loc.code, handbook.id))
        for m in read_domain(path, loc.code)
        if m.id and isinstance(m.id, str)
    }


def render_side(project: Project, side: Side) -> Markup:
    hb = side.prepared.view.hb
    assert hb.card is not None
    by_id = {c.id: c for c in hb.contacts}
    return Markup(
        render(
            project.layouts,
            SIDE_TEMPLATE,
            side.prepared.view,
            side.prepared.gettext,
            side=side.name,
            card_contacts=[by_id[c] for c in hb.card.contacts],
        )
    )


def measure(document: Any) -> list[Measured]:
    """Every element with a line budget, with its rendered lines, per page."""
    from weasyprint.formatting_structure.boxes import (
        BlockBox,
        LineBox,
    )  # heavy: only when rendering

    found: list[Measured] = []

    def walk(box: Any, page: int, side: tuple[str, float] | None) -> None:
        element = getattr(box, "element", None)
        if isinstance(box, BlockBox) and element is not None:
            if element.get("data-side"):
                side = (element.get("data-side"), (box.content_box_y() + box.height) * PX)
            elif element.get("data-lines") and side is not None:
                lines = [c for c in box.children if isinstance(c, LineBox)]
                found.append(
                    Measured(
                        side=side[0],
                        key=element.get("data-key", ""),
                        budget=int(element.get("data-lines")),
                        lines=tuple(line.height * PX for line in lines),
                        widest=max((line.width for line in lines), default=0.0) * PX,
                        room=box.width * PX,
                        bottom=(box.content_box_y() + box.height) * PX,
                        side_bottom=side[1],
                        page=page,
                    )
                )
                return
        for child in getattr(box, "children", ()):
            walk(child, page, side)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number, None)  # WeasyPrint has no public box API
    return found


def overflows(measured: list[Measured], sides: tuple[Side, ...]) -> list[Diagnostic]:
    """Lines over their budget or too wide, and sides taller than the card."""
    places = {s.name: s.places for s in sides}  # called only for a line that does not fit
    tags = {s.name: s.prepared.view.loc.tag for s in sides}
    out = []

    def where(m: Measured) -> Place:
        found = places[m.side]()
        return found.get(m.key) or found.get("") or Place(m.key)

    for m in measured:
        what = f"card {m.side} ({tags[m.side]}): '{m.key}'"
        if len(m.lines) > m.budget:
            extra = sum(m.lines[m.budget :])
            out.append(
                error(
                    "card-overflow",
                    f"{what} takes {len(m.lines)} lines where the card has room for {m.budget}: "
                    f"{extra:.1f} pt too long; shorten the text",
                    where(m),
                )
            )
        if m.widest > m.room + TOLERANCE:
            out.append(
                error(
                    "card-overflow",
                    f"{what} has a line {m.widest - m.room:.1f} pt wider than the card's "
                    f"{m.room:.0f} pt (a word or number that cannot wrap); shorten it",
                    where(m),
                )
            )
    for side in sides:
        mine = [m for m in measured if m.side == side.name]
        if not mine or out:  # a line over its budget already says what to shorten
            continue
        first_page = min(m.page for m in mine)
        spilled = [m for m in mine if m.page != first_page]
        over = sum(sum(m.lines) for m in spilled) or max(m.bottom - m.side_bottom for m in mine)
        if over > TOLERANCE:
            culprit = max(mine, key=lambda m: len(m.lines))
            out.append(
                error(
                    "card-overflow",
                    f"card {side.name} ({tags[side.name]}): the text is {over:.1f} pt taller "
                    f"than the card; shorten a line, e.g. '{culprit.key}' "
                    f"({len(culprit.lines)} lines)",
                    where(culprit),
                )
            )
    return out


def card_html(project: Project, sides: tuple[Side, ...], template: str, **extra: Any) -> str:
    front = sides[0].prepared
    css = render(
        project.layouts,
        "card/card.css.j2",
        front.view,
        front.gettext,
        locales=[s.prepared.view.loc for s in sides],
        card=(CARD_W, CARD_H),
        sheet=SHEETS[front.view.hb.paper],
    )
    return render(
        project.layouts,
        template,
        front.view,
        front.gettext,
        css=Markup(css),
        sides=[render_side(project, s) for s in sides],
        **extra,
    )


def side(
    project: Project,
    handbook: Handbook,
    name: str,
    loc: LocaleInfo,
    allow_partial: bool,
    prepared: Prepared | None = None,
) -> Side:
    """One side (prepared, unless the edition it belongs to was); a side's problems say
    which side and language they are about."""
    places = functools.cache(lambda: message_places(project, handbook, loc))
    try:
        return Side(
            name, prepared or prepare(project, handbook, loc, allow_partial=allow_partial), places
        )
    except PipelineError as exc:
        why = (
            f"the card's {name} is in {loc.code} ({loc.english_name})"
            + (
                ", and its catalog is not ready (BACK=xx, or card --back xx, or 'back: xx' in "
                "the source's card block picks another language)"
                if name == "back"
                else ""
            )
            + ": the problems follow"
        )
        raise type(exc)(
            [
                error(
                    "card-side",
                    why,
                    Place(relative(catalog_path(project.locales, loc.code, handbook.id)), 1),
                ),
                *exc.diagnostics,
            ]
        ) from None


def no_card(handbook: Handbook) -> UsageError:
    why = (
        f"'{handbook.id}' has no card: add a 'card:' block to its source, with a 'title:' and "
        "'lines:', one to four short texts (README.md, 'Write your own handbook', shows one)"
    )
    return UsageError([error("no-card", why, Place(handbook.path))])


def render_card(
    project: Project, handbook: Handbook, sides: tuple[Side, Side], paths: tuple[Path, Path]
) -> tuple[bytes, bytes]:
    """The card (front, back) and its 10-up sheet, checked as a reader's software reads
    them (the gate names `paths`, where they will be written)."""
    from .pdf import lay_out
    from .tagging import finish_bytes
    from .verify import check_card

    html = card_html(project, sides, "card/card.html.j2")
    front = sides[0].prepared
    links = link_descriptions(front.view, front.gettext)  # one PDF, one description per link target
    card = (
        lay_out(
            html,
            project.layouts,
            project.roots,
            links,
            inspect=lambda document: overflows(measure(document), sides),
        )
        .finished()
        .pdf
    )
    sheet_html = card_html(
        project,
        sides,
        "card/sheet.html.j2",
        faces=faces(handbook.paper),
        marks=crop_marks(handbook.paper),
    )
    sheet = lay_out(sheet_html, project.layouts, project.roots, links).finished().pdf
    descriptions = {
        s.prepared.view.loc.tag: link_descriptions(s.prepared.view, s.prepared.gettext)
        for s in sides
    }
    rtl = front.view.loc.dir == "rtl"
    card, sheet = (finish_bytes(pdf, rtl=rtl, descriptions=descriptions) for pdf in (card, sheet))
    check_card(handbook, [s.prepared.view for s in sides], card, sheet, paths)
    return card, sheet


def card_paths(
    project: Project, handbook: Handbook, front: LocaleInfo, *, proof: bool
) -> tuple[Path, Path]:
    """dist/<tag>/<id>-card.pdf and <id>-card-sheet.pdf (a proof's: -card-proof.pdf, ...)."""
    return (
        output_path(project.dist, handbook.id, front.code, "card", proof=proof),
        output_path(project.dist, handbook.id, front.code, "card-sheet", proof=proof),
    )


def build_card(
    project: Project,
    handbook_id: str,
    locale: str,
    *,
    allow_partial: bool = False,
    back: str | None = None,
) -> list[Path]:
    """Write dist/<tag>/<id>-card.pdf (front, back) and <id>-card-sheet.pdf (10-up, duplex)."""
    handbook = project.load(handbook_id)
    if handbook.card is None:
        raise no_card(handbook)
    front = resolve_locale(project, handbook, locale)
    reverse = resolve_locale(project, handbook, back or back_locale(project, handbook, front))
    sides = (
        side(project, handbook, "front", front, allow_partial),
        side(project, handbook, "back", reverse, allow_partial),
    )
    paths = card_paths(project, handbook, front, proof=allow_partial)
    write_together(dict(zip(paths, render_card(project, handbook, sides, paths), strict=True)))
    return list(paths)

"""The formats an edition is made into, by name: each a `Format` (pipeline/edition.py),
`Edition -> tuple[Artifact, ...]`. The print PDF is not among them: it comes first, in
every edition with a format that follows its pages or its cover (PRINTED), and only then:
printing is most of an edition's time, and the web page and the card do without it.

A new format: a module with one function taking the `Edition` (the views; the page map and
the cover, `Edition.print_run()`, if it is in PRINTED) and returning its artifacts, each
of a kind that pipeline/paths.py names; then one line in FORMATS (and its name in PRINTED
if it follows the print edition).
"""

from __future__ import annotations

import io

from .bilingual import edition as paired
from .bilingual import epub_content, sides
from .edition import Artifact, Edition, Format
from .epub import identifier, single

THUMBNAIL = (240, 360)  # px, the size e-reader catalogs show


def epub(edition: Edition) -> tuple[Artifact, ...]:
    """The EPUB 3, its page-list following the print edition's pages."""
    from . import epub as module  # resolved at the call: the benchmark times it there

    views, printed, layouts = edition.views, edition.print_run(), edition.views.project.layouts
    if views.paired:
        content = epub_content(layouts, paired(layouts, sides(views.sides), epub=True))
    else:
        content = single(views.first.view, views.first.gettext)
    pages = printed.pages
    data = module.render_epub(
        layouts, content, pages=pages.folios, continued=pages.continued, cover_jpeg=printed.cover
    )
    meta = {"identifier": identifier(views.handbook, views.tag)}
    return (Artifact("epub", data, "application/epub+zip", meta),)


def cover(edition: Edition) -> tuple[Artifact, ...]:
    """The cover for e-reader catalogs: the EPUB's own, and a thumbnail of it."""
    from PIL import Image  # WeasyPrint's dependency

    jpeg = edition.print_run().cover
    image = Image.open(io.BytesIO(jpeg))
    image.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return (
        Artifact("cover", jpeg, "image/jpeg"),
        Artifact("thumbnail", out.getvalue(), "image/jpeg"),
    )


def card(edition: Edition) -> tuple[Artifact, ...]:
    """The wallet card in the edition's language, its back in another (pipeline/card.py)."""
    from .card import back_locale, card_paths, no_card, render_card, side
    from .prepare import resolve_locale

    views = edition.views
    project, handbook, front = views.project, views.handbook, views.first
    if handbook.card is None:
        raise no_card(handbook)
    loc = front.view.loc
    back = resolve_locale(project, handbook, back_locale(project, handbook, loc))
    partial = views.allow_partial or loc.falls_back  # the front's rule admits the back's gaps
    faces = (
        side(project, handbook, "front", loc, partial, front),
        side(project, handbook, "back", back, partial),
    )
    data = render_card(
        project, handbook, faces, card_paths(project, handbook, loc, proof=views.allow_partial)
    )
    meta = {"front": loc.tag, "back": back.tag}
    return tuple(
        Artifact(kind, pdf, "application/pdf", meta)
        for kind, pdf in zip(("card", "card-sheet"), data, strict=True)
    )


def web(edition: Edition) -> tuple[Artifact, ...]:
    """The web edition (pipeline/web.py): its fonts and stylesheet as parts of the kind "web"
    (fonts/x.woff2, style.css), then its page, index.html, in the order they are written:
    what a file loads goes in before it."""
    from .web import INDEX, media_type, one_language, render_web, switcher, write_order

    views = edition.views
    if views.paired:
        raise one_language(views.tag)
    first = views.first
    folder = views.path("web").parent.name
    languages = switcher(views.project, views.handbook, views.languages, folder)
    files = render_web(views.project.layouts, first.view, first.gettext, languages=languages)
    return tuple(
        Artifact("web", files[name], media_type(name), part="" if name == INDEX else name)
        for name in write_order(files)
    )


FORMATS: dict[str, Format] = {
    "epub": epub,
    "cover": cover,
    "card": card,
    "web": web,
}
# The formats that follow the print edition (its page map, its cover): asking for one
# prints the edition first, and its PDF is then one of the edition's files.
PRINTED = frozenset({"epub", "cover"})

"""The formats an edition is made into, by name: each a `Format` (pipeline/edition.py),
`Edition -> tuple[Artifact, ...]`. The print PDF is not among them: it comes first, in
every edition, since the others follow its pages (pipeline/printing.py).

A new format: a module with one function taking the `Edition` (the views, the page map,
the cover) and returning its artifacts, each of a kind that pipeline/paths.py names;
then one line in FORMATS. The web edition (pipeline/web.py) goes here as "web".
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

    views, pages, layouts = edition.views, edition.pages, edition.views.project.layouts
    if views.paired:
        content = epub_content(layouts, paired(layouts, sides(views.sides), epub=True))
    else:
        content = single(views.first.view, views.first.gettext)
    data = module.render_epub(
        layouts, content, pages=pages.folios, continued=pages.continued, cover_jpeg=edition.cover
    )
    meta = {"identifier": identifier(views.handbook, views.tag)}
    return (Artifact("epub", data, "application/epub+zip", meta),)


def cover(edition: Edition) -> tuple[Artifact, ...]:
    """The cover for e-reader catalogs: the EPUB's own, and a thumbnail of it."""
    from PIL import Image  # WeasyPrint's dependency

    image = Image.open(io.BytesIO(edition.cover))
    image.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return (
        Artifact("cover", edition.cover, "image/jpeg"),
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
    data = render_card(project, handbook, faces, card_paths(project, handbook, loc))
    meta = {"front": loc.tag, "back": back.tag}
    return tuple(
        Artifact(kind, pdf, "application/pdf", meta)
        for kind, pdf in zip(("card", "card-sheet"), data, strict=True)
    )


FORMATS: dict[str, Format] = {
    "epub": epub,
    "cover": cover,
    "card": card,
    # "web": the web edition (pipeline/web.py): Artifact("web", index.html), and its assets
    # as Artifact("web", ..., part="fonts/x.woff2"), written beside it in dist/<tag>/<id>-web/
}

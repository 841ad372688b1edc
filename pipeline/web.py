"""The web edition: one responsive page per locale, with its stylesheet and fonts beside it,
for a service provider to host anywhere or text to someone; it opens from `file://` too.

The page comes from the same view and partials as the print edition (layouts/web/ holds
what is its own), loads nothing from any other site, and carries the locale's fonts
(layouts/fonts.yaml) as WOFF2 subsets of exactly the characters it shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from babel.support import NullTranslations

from .diagnostics import Place, UsageError, error
from .fonts import family_files, subset
from .html import Part, render
from .present import View

if TYPE_CHECKING:
    from .build import Project

INDEX = "index.html"
STYLESHEET = "style.css"
TAG = re.compile(r"<[^>]*>")
# A language in the switcher: its BCP 47 tag, its own name, its page relative to this one.
Language = tuple[str, str, str]


def render_web(
    layouts: Path, view: View, gettext: NullTranslations, *, languages: Sequence[Language] = ()
) -> dict[str, bytes]:
    """The files of the web edition, by path relative to its folder: index.html first."""
    page = render(
        layouts,
        "web/index.html.j2",
        view,
        gettext,
        part=Part(view.sections),
        languages=tuple(languages),
        stylesheet=STYLESHEET,
    )
    fonts, faces = web_fonts(view, shown_characters(page, view))
    css = render(layouts, "web/style.css.j2", view, gettext, font_faces=faces)
    return {INDEX: page.encode(), STYLESHEET: css.encode(), **fonts}


def shown_characters(page: str, view: View) -> str:
    """What the fonts must draw: the page's text, and the digits and dot of the list
    numbers the browser draws itself (in the locale's counter style)."""
    return html.unescape(TAG.sub(" ", page)) + view.loc.digits("0123456789") + "."


def web_fonts(view: View, text: str) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """Every installed face of the locale's families (its script's, then the Latin ones for
    numbers and addresses), subset to `text`; and their @font-face rows."""
    files, faces = {}, []
    for family in view.loc.fonts.families:
        for face in family_files(family):
            name = f"fonts/{family.replace(' ', '')}-{face.weight}.woff2"
            files[name] = subset(face, text, "woff2")
            faces.append({"family": family, "weight": str(face.weight), "href": name})
    return files, faces


def web_folder(handbook_id: str) -> str:
    return f"{handbook_id}-web"


def build_web(
    project: Project, handbook_id: str, locale: str, *, allow_partial: bool = False
) -> Path:
    """Write dist/<tag>/<id>-web/ (all its files or none) and return its index.html. The
    switcher lists every locale of the handbook (this one marked as the current page), each
    edition at the same place in its own locale's folder."""
    from .build import output_dir, prepare, resolve_locale
    from .locales import locale_info
    from .output import write_together

    if "+" in locale:  # a reader picks the language from the page's list instead
        parts = locale.split("+")
        why = (
            f"the web edition has one language per page: build {' and '.join(parts)} each on"
            f" its own ({', then '.join(f'--lang {p}' for p in parts)}); each page links to the"
            " others"
        )
        raise UsageError([error("web-bilingual", why, Place("LANG"))])
    handbook = project.load(handbook_id)
    loc = resolve_locale(project, handbook, locale)
    prepared = prepare(project, handbook, loc, allow_partial=allow_partial)
    folder = web_folder(handbook.id)
    every = [locale_info(code, project.locales) for code in project.locales_of(handbook)]
    languages = [(e.tag, e.name, f"../../{e.tag}/{folder}/{INDEX}") for e in every]
    files = render_web(project.layouts, prepared.view, prepared.gettext, languages=languages)
    out = output_dir(project, loc) / folder
    write_together({out / name: data for name, data in files.items()})
    return out / INDEX

"""The stages in order: prepare each language, print (if a format follows the print
edition), then every format, then write.

`make_edition` is the one pipeline of every edition, one language or two paired (es+en):
its result (pipeline/edition.py) is what the writer and the release take (the preview
takes its first step, `views`, and shows the print HTML).
Nothing is written to dist/ until every output of an edition has rendered and passed the
verifier, and then every file is replaced atomically, all of them or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .bilingual import split
from .edition import Artifact, Edition, PageMap, PrintRun, Views, Written
from .epub import urn
from .formats import FORMATS, PRINTED
from .model import Handbook
from .output import remove_others, write_together
from .paths import EDITION, SEPARATOR
from .prepare import Prepared, prepare, resolve_locale
from .project import Project

if TYPE_CHECKING:
    from .press import Press

# The pipeline's front door: what callers (tests, the benchmark) import from here.
__all__ = [
    "Prepared",
    "Project",
    "build",
    "build_web",
    "make_edition",
    "prepare",
    "resolve_locale",
    "views",
    "write_edition",
]


def views(
    project: Project,
    handbook: Handbook,
    locale: str,
    *,
    allow_partial: bool = False,
    size: str | None = None,
    press: Press | None = None,
    languages: Sequence[str] = (),
) -> Views:
    """The handbook prepared in `locale`: one language (es), or two paired (es+en), printed on
    `size` (None: the handbook's paper). `languages`: the locales the web edition's switcher
    lists (Views.languages)."""
    names = split(locale) if SEPARATOR in locale else (locale,)
    locs = [resolve_locale(project, handbook, name) for name in names]
    sides = tuple(prepare(project, handbook, loc, allow_partial=allow_partial) for loc in locs)
    paper = size or handbook.paper
    return Views(project, handbook, sides, paper, press, allow_partial, tuple(languages))


def make_edition(views: Views, formats: Sequence[str] = ("epub",)) -> Edition:
    """Each of `formats` (by name, pipeline/formats.py) made in memory; first the print PDF,
    its page map and cover, if one of them follows the print edition (PRINTED): an edition
    of the web page or the card alone prints nothing."""
    edition = _printed(views) if PRINTED.intersection(formats) else Edition(views, None, ())
    made = tuple(a for name in formats for a in FORMATS[name](edition))
    return replace(edition, artifacts=(*edition.artifacts, *made))


def _printed(views: Views) -> Edition:
    """The edition with its print PDF, what the formats that follow it read off its pages."""
    from .printing import render

    printed, cover = render(views)
    hb = views.handbook
    pdf_id = urn(hb.id, views.tag, hb.edition.isoformat(), "pdf")
    pdf = Artifact("pdf", printed.pdf, "application/pdf", {"identifier": pdf_id})
    return Edition(views, PrintRun(PageMap(printed.folios, printed.continued), cover), (pdf,))


def write_edition(edition: Edition) -> Written:
    """Read the edition's PDF and EPUB, whichever it has, and its web page, as a reader's
    software does (pipeline/verify.py), then write every file as one transaction: all change
    or none, nothing that fails. Then the files of the web edition's folder that its page no
    longer loads (an old font subset) go."""
    from .verify import check_edition, check_web
    from .web import OWNED

    views = edition.views
    kinds = set(edition.kinds())
    pdf, epub = (found.data if (found := edition.find(k)) else None for k in EDITION)
    if pdf is not None or epub is not None:
        paths = (views.path("pdf"), views.path("epub"))
        check_edition(views.handbook, list(views.views), pdf, epub, paths)
    if "web" in kinds:
        page = edition.artifact("web").data
        check_web(views.handbook, views.first.view, page, views.path("web"))
    files = {a.key: views.path(a.kind, a.part) for a in edition.artifacts}
    write_together({files[a.key]: a.data for a in edition.artifacts})
    if "web" in kinds:
        folder = views.path("web").parent
        mine = {a.part or files[a.key].name for a in edition.artifacts if a.kind == "web"}
        remove_others(folder, mine, OWNED)
    return Written(views.views, files, {a.key: a.meta for a in edition.artifacts})


def build(
    project: Project,
    handbook_id: str,
    locale: str,
    *,
    allow_partial: bool = False,
    size: str | None = None,
    press: Press | None = None,
    formats: Sequence[str] = ("epub",),
    languages: Sequence[str] = (),
) -> list[Path]:
    """Build the PDF and EPUB of one handbook in one locale (or two: es+en, the bilingual
    edition), and any other of `formats` (`make all`: the web edition too, its switcher
    listing `languages`); with `press`, the PDF is the print shop's (pipeline/press.py); on
    `size`, or the handbook's paper."""
    handbook = project.load(handbook_id)
    asked = views(
        project,
        handbook,
        locale,
        allow_partial=allow_partial,
        size=size,
        press=press,
        languages=languages,
    )
    return write_edition(make_edition(asked, formats)).paths


def build_web(
    project: Project, handbook_id: str, locale: str, *, allow_partial: bool = False
) -> Path:
    """`handbook web`: write dist/<tag>/<id>-web/ (all its files or none), once the page has
    passed the verifier, and return its index.html. The edition's web format only: the page
    does not follow the print edition, so none is printed (`make all` prints and writes it)."""
    from .web import one_language

    if SEPARATOR in locale:
        raise one_language(locale)
    handbook = project.load(handbook_id)
    made = make_edition(views(project, handbook, locale, allow_partial=allow_partial), ("web",))
    return write_edition(made).files["web"]

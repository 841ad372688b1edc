"""The stages in order: prepare each language, print, then every format, then write.

`make_edition` is the one pipeline of every edition, one language or two paired (es+en):
its result (pipeline/edition.py) is what the writer and the release take (the preview
takes its first step, `views`, and shows the print HTML).
Nothing is written to dist/ until every output of an edition has rendered and passed the
verifier, and then every file is replaced atomically, all of them or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .bilingual import split
from .edition import Artifact, Edition, PageMap, Views, Written
from .epub import urn
from .formats import FORMATS
from .model import Handbook
from .output import write_together
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
    size: str = "letter",
    press: Press | None = None,
) -> Views:
    """The handbook prepared in `locale`: one language (es), or two paired (es+en)."""
    names = split(locale) if SEPARATOR in locale else (locale,)
    locs = [resolve_locale(project, handbook, name) for name in names]
    sides = tuple(prepare(project, handbook, loc, allow_partial=allow_partial) for loc in locs)
    return Views(project, handbook, sides, size, press, allow_partial)


def make_edition(views: Views, formats: Sequence[str] = ("epub",)) -> Edition:
    """The print PDF (and its page map, and the cover), then each of `formats` (by name,
    pipeline/formats.py) made from it, in memory."""
    from .printing import render

    printed, cover = render(views)
    hb = views.handbook
    pdf_id = urn(hb.id, views.tag, hb.edition.isoformat(), "pdf")
    pdf = Artifact("pdf", printed.pdf, "application/pdf", {"identifier": pdf_id})
    edition = Edition(views, PageMap(printed.folios, printed.continued), cover, (pdf,))
    made = tuple(a for name in formats for a in FORMATS[name](edition))
    return Edition(edition.views, edition.pages, edition.cover, (pdf, *made))


def write_edition(edition: Edition) -> Written:
    """Read the edition's PDF and EPUB as a reader's software does (pipeline/verify.py),
    then write every file as one transaction: all change or none, nothing that fails."""
    from .verify import check_edition

    views = edition.views
    if set(EDITION) <= set(edition.kinds()):
        pdf, epub = (edition.artifact(k).data for k in EDITION)
        paths = (views.path("pdf"), views.path("epub"))
        check_edition(views.handbook, list(views.views), pdf, epub, paths)
    files = {a.key: views.path(a.kind, a.part) for a in edition.artifacts}
    write_together({files[a.key]: a.data for a in edition.artifacts})
    return Written(views.views, files, {a.key: a.meta for a in edition.artifacts})


def build(
    project: Project,
    handbook_id: str,
    locale: str,
    *,
    allow_partial: bool = False,
    size: str = "letter",
    press: Press | None = None,
) -> list[Path]:
    """Build the PDF and EPUB of one handbook in one locale (or two: es+en, the bilingual
    edition); with `press`, the PDF is the print shop's (pipeline/press.py)."""
    handbook = project.load(handbook_id)
    asked = views(project, handbook, locale, allow_partial=allow_partial, size=size, press=press)
    return write_edition(make_edition(asked)).paths

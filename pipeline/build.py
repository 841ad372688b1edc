"""The stages in order: load, translate, check, present, render, write.

Data flows one way; nothing is written to dist/ until every output of a job
has rendered, and then each file is replaced atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog
from babel.support import NullTranslations

from .catalog import (
    LAYOUTS_DOMAIN,
    catalog_paths,
    layout_messages,
    layout_template,
    read_domain,
    template,
)
from .diagnostics import (
    CatalogError,
    Diagnostic,
    PipelineError,
    Place,
    RenderError,
    Severity,
    UsageError,
    error,
    has_errors,
    relative,
)
from .fonts import check_coverage
from .html import print_html
from .lint import lint
from .locales import Fonts, LocaleInfo, available, locale_info, normalize
from .model import Handbook, iter_texts
from .output import write_together
from .present import View, present
from .qa import check_catalog
from .source import load
from .translate import (
    Current,
    Status,
    current,
    locale_status,
    missing,
    source_status,
    translate,
    translations,
)

if TYPE_CHECKING:
    from .press import Press


@dataclass(frozen=True)
class Project:
    root: Path
    out: Path | None = None  # dist/ unless told otherwise (tests build elsewhere)

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def dist(self) -> Path:
        return self.out or self.root / "dist"

    def handbook_path(self, handbook_id: str) -> Path:
        return self.source / handbook_id / "handbook.yaml"

    def template_path(self, domain: str) -> Path:
        """The gettext template (.pot) of one domain: a handbook's id, or LAYOUTS_DOMAIN."""
        return self.locales / f"{domain}.pot"

    def messages(self, handbook: Handbook) -> Catalog:
        """The messages the source produces now: the handbook domain's .pot `extract` writes."""
        return template(handbook, self.handbook_path(handbook.id), self.root)

    def templates(self, handbook: Handbook) -> tuple[Catalog, Catalog]:
        """Both domains' .pot as `extract` writes them: the handbook's, then the layouts'
        (shared by every handbook), in the order of catalog_paths."""
        return self.messages(handbook), layout_template(self.layouts, self.root)

    def handbooks(self) -> list[str]:
        return sorted(p.parent.name for p in self.source.glob("*/handbook.yaml"))

    def load(self, handbook_id: str) -> Handbook:
        path = self.handbook_path(handbook_id)
        if handbook_id == LAYOUTS_DOMAIN:  # its catalogs would be the layouts' (layouts.po)
            why = (
                f"a handbook cannot be called '{handbook_id}': locales/<lang>/LC_MESSAGES/"
                f"{handbook_id}.po holds the layouts' strings; rename source/{handbook_id}/"
            )
            raise UsageError([error("unknown-handbook", why, Place(relative(path)))])
        if not path.exists():
            known = ", ".join(self.handbooks()) or "none"
            raise UsageError(
                [
                    error(
                        "unknown-handbook",
                        f"no handbook '{handbook_id}' (known: {known})",
                        Place(relative(path)),
                    )
                ]
            )
        return load(path)

    def locales_of(self, handbook: Handbook) -> list[str]:
        return [handbook.language, *available(self.locales, handbook.id)]


@dataclass(frozen=True)
class Prepared:
    view: View
    gettext: NullTranslations


def resolve_locale(project: Project, handbook: Handbook, name: str) -> LocaleInfo:
    code = normalize(name)
    known = project.locales_of(handbook)
    if code not in known:
        tags = ", ".join(k.replace("_", "-") for k in known)
        raise UsageError(
            [
                error(
                    "unknown-locale",
                    f"no translation of '{handbook.id}' into '{name}' (available: {tags})",
                    Place("LANG"),
                )
            ]
        )
    return locale_info(code, project.locales)


# --- a locale's two catalogs (the handbook's domain, then the layouts'): read, gated, current

Catalogs = list[tuple[str, Catalog]]  # each catalog with its file as diagnostics name it


def read_locale(
    project: Project, handbook: Handbook, code: str, fonts: Fonts | None
) -> tuple[list[Diagnostic], Catalogs]:
    """Read and gate a locale's catalogs (a missing layouts.po reads as empty: its messages are
    new); every problem is located in the file that holds it. Returns the catalogs that read."""
    out: list[Diagnostic] = []
    catalogs: Catalogs = []
    for path in catalog_paths(project.locales, code, handbook.id):
        shown = relative(path)
        try:
            catalog = read_domain(path, code)
        except CatalogError as exc:
            out.extend(exc.diagnostics)
            continue
        out.extend(check_catalog(catalog, shown, handbook.names, fonts))
        catalogs.append((shown, catalog))
    return out, catalogs


def current_catalogs(
    project: Project,
    handbook: Handbook,
    catalogs: Catalogs,
    templates: tuple[Catalog, Catalog] | None = None,
) -> list[Current]:
    """The catalogs against the current source and layouts: a text changed since the last
    `handbook update` counts as untranslated, never as done."""
    pots = templates or project.templates(handbook)
    return [
        current(catalog, pot, handbook.id, project.root, shown)
        for (shown, catalog), pot in zip(catalogs, pots, strict=True)
    ]


# ---


def catalog_problems(
    project: Project, handbook: Handbook, code: str
) -> tuple[list[Diagnostic], Catalogs | None]:
    """Every problem of one locale: its locale.yaml, its catalogs' syntax and headers,
    the QA gates; and the catalogs, when both could be read."""
    out: list[Diagnostic] = []
    fonts = None
    try:
        fonts = locale_info(code, project.locales).fonts
    except UsageError:
        pass  # a folder named for no locale: read_catalog says so, at the catalog's path
    except PipelineError as exc:
        out.extend(exc.diagnostics)
    problems, catalogs = read_locale(project, handbook, code, fonts)
    return [*out, *problems], catalogs if len(catalogs) == 2 else None


def prepare(
    project: Project, handbook: Handbook, loc: LocaleInfo, *, allow_partial: bool
) -> Prepared:
    """Translate and check a handbook for one locale: the view every format renders."""
    if loc.code == handbook.language:
        translated, status, gettext = handbook, source_status(handbook), NullTranslations()
    else:
        problems, catalogs = read_locale(project, handbook, loc.code, loc.fonts)
        if has_errors(problems):
            raise CatalogError(problems)
        curs = current_catalogs(project, handbook, catalogs)
        translated, status = translate(handbook, curs, loc, allow_partial=allow_partial)
        gettext = translations(*(cur.catalog for cur in curs))  # handbook domain first
    view = present(translated, loc, status)
    layout_text = "".join(
        gettext.gettext(m) for m in ("Contents", "Get help now", "About this handbook")
    )
    layout_text += loc.name + view.edition
    problems = check_coverage(
        iter_texts(translated), layout_text, loc.fonts, relative(project.locales / loc.code)
    )
    if problems:
        raise RenderError(problems)
    return Prepared(view, gettext)


def output_dir(project: Project, loc: LocaleInfo) -> Path:
    return project.dist / loc.tag


def variant_suffix(size: str, press: bool) -> str:
    """How a print variant's PDF is named: ct-trafficking-a5-press.pdf."""
    return "" if size == "letter" and not press else f"-{size}{'-press' if press else ''}"


def write_edition(
    handbook: Handbook,
    views: list[View],
    out: Path,
    pdf: bytes,
    epub: bytes,
    *,
    size: str,
    press: bool,
) -> list[Path]:
    """Read the edition's PDF and EPUB as a reader's software does (pipeline/verify.py), then
    write both as one transaction: both change or neither, and nothing that fails is written."""
    from .verify import check_edition

    paths = (out / f"{handbook.id}{variant_suffix(size, press)}.pdf", out / f"{handbook.id}.epub")
    check_edition(handbook, views, pdf, epub, paths)
    write_together(dict(zip(paths, (pdf, epub), strict=True)))
    return list(paths)


def build(
    project: Project,
    handbook_id: str,
    locale: str,
    *,
    allow_partial: bool = False,
    size: str = "letter",
    press: Press | None = None,
) -> list[Path]:
    """Build the PDF and EPUB of one handbook in one locale (or two: es+en, the bilingual edition);
    with `press`, the PDF is the print shop's (pipeline/press.py)."""
    from .book import print_book
    from .epub import render_epub
    from .pdf import cover_image

    if "+" in locale:
        from .bilingual import build_bilingual

        return build_bilingual(
            project, handbook_id, locale, allow_partial=allow_partial, size=size, press=press
        )
    handbook = project.load(handbook_id)
    loc = resolve_locale(project, handbook, locale)
    prepared = prepare(project, handbook, loc, allow_partial=allow_partial)
    roots = (project.layouts, project.source)
    printed = print_book(
        project.layouts, roots, prepared.view, prepared.gettext, size=size, press=press
    )
    cover_html = print_html(
        project.layouts, prepared.view, prepared.gettext, size="cover", template="cover.html.j2"
    )
    cover = cover_image(cover_html, project.layouts, roots)
    epub = render_epub(
        project.layouts,
        prepared.view,
        prepared.gettext,
        pages=printed.folios,
        continued=printed.continued,
        cover_jpeg=cover,
    )
    return write_edition(
        handbook,
        [prepared.view],
        output_dir(project, loc),
        printed.pdf,
        epub,
        size=size,
        press=bool(press),
    )


def check(project: Project, handbook_ids: list[str]) -> list[Diagnostic]:
    """Every problem of every handbook and catalog, in one list (layouts.po, shared by the
    handbooks, is reported once)."""
    out: list[Diagnostic] = list(layout_messages(project.layouts)[1])
    for handbook_id in handbook_ids:
        try:
            handbook = project.load(handbook_id)
        except PipelineError as exc:  # anything else is a bug: let it show
            out.extend(exc.diagnostics)
            continue
        out.extend(lint(handbook))
        try:
            templates: tuple[Catalog, Catalog] | None = project.templates(handbook)
        except RenderError:
            templates = None  # a layout that does not parse is reported above
        for code in available(project.locales, handbook.id):
            problems, catalogs = catalog_problems(project, handbook, code)
            out.extend(problems)
            if catalogs is None or templates is None or has_errors(problems):
                continue  # the status needs catalogs, a locale and layouts that read cleanly
            curs = current_catalogs(project, handbook, catalogs, templates)
            status = locale_status([cur.catalog for cur in curs], code)
            not_done = [d for cur in curs for d in missing(cur)]
            if not status.complete and locale_info(code, project.locales).release == "complete":
                why = (
                    f"{code} is {status.percent:.1f}% translated and its release rule is 'complete'"
                )
                # line 1 of the handbook's catalog: the locale as a whole
                out.append(error("locale-incomplete", why, Place(curs[0].shown, 1)))
                out.extend(not_done[:20])
            else:  # 'fallback' shows these in English, marked: worth knowing, not an error
                out.extend(
                    replace(d, severity=Severity.WARNING) for d in not_done if d.code == "po-stale"
                )
    return list(dict.fromkeys(out))


def statuses(project: Project, handbook: Handbook) -> list[Status]:
    """Each locale's status against the current source (a stale catalog is not 100 %)."""
    templates = project.templates(handbook)
    out = []
    for code in available(project.locales, handbook.id):
        paths = catalog_paths(project.locales, code, handbook.id)
        catalogs = [(relative(p), read_domain(p, code)) for p in paths]
        curs = current_catalogs(project, handbook, catalogs, templates)
        out.append(locale_status([cur.catalog for cur in curs], code))
    return out

"""The stages before any format: load, translate, check, present. Their result, one
`Prepared` per language, is what every format of an edition renders (pipeline/edition.py)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.catalog import Catalog
from babel.support import NullTranslations

from .catalog import catalog_paths, read_domain
from .diagnostics import (
    CatalogError,
    Diagnostic,
    PipelineError,
    Place,
    RenderError,
    UsageError,
    error,
    has_errors,
    relative,
)
from .fonts import check_coverage
from .locales import LocaleInfo, locale_info, normalize
from .model import Handbook, iter_texts
from .present import View, present
from .project import Project
from .qa import check_catalog
from .translate import Current, current, source_status, translate, translations


@dataclass(frozen=True)
class Prepared:
    view: View
    gettext: NullTranslations


def resolve_locale(project: Project, handbook: Handbook, name: str) -> LocaleInfo:
    code = normalize(name)
    known = project.locales_of(handbook)
    if code not in known:
        tags = ", ".join(k.replace("_", "-") for k in known)
        why = f"no translation of '{handbook.id}' into '{name}' (available: {tags})"
        raise UsageError([error("unknown-locale", why, Place("LANG"))])
    return locale_info(code, project.locales)


# A locale's two catalogs (the handbook's domain, then the layouts'), each with its file as
# diagnostics name it.
Catalogs = list[tuple[str, Catalog]]


def read_locale(
    project: Project, handbook: Handbook, code: str, loc: LocaleInfo | None
) -> tuple[list[Diagnostic], Catalogs]:
    """Read and gate a locale's catalogs (a missing layouts.po reads as empty: its messages are
    new), with its settings when they could be read (its fonts, its words for the digits);
    every problem is located in the file that holds it. Returns the catalogs that read."""
    out: list[Diagnostic] = []
    catalogs: Catalogs = []
    for path in catalog_paths(project.locales, code, handbook.id):
        shown = relative(path)
        try:
            catalog = read_domain(path, code)
        except CatalogError as exc:
            out.extend(exc.diagnostics)
            continue
        out.extend(
            check_catalog(
                catalog,
                shown,
                handbook.names,
                loc.fonts if loc else None,
                source_language=handbook.language,
                number_words=loc.number_words if loc else None,
            )
        )
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


def catalog_problems(
    project: Project, handbook: Handbook, code: str
) -> tuple[list[Diagnostic], Catalogs | None]:
    """Every problem of one locale: its locale.yaml, its catalogs' syntax and headers,
    the QA gates; and the catalogs, when both could be read."""
    out: list[Diagnostic] = []
    loc = None
    try:
        loc = locale_info(code, project.locales)
    except UsageError:
        pass  # a folder named for no locale: read_domain says so, at the catalog's path
    except PipelineError as exc:
        out.extend(exc.diagnostics)
    problems, catalogs = read_locale(project, handbook, code, loc)
    return [*out, *problems], catalogs if len(catalogs) == 2 else None


def prepare(
    project: Project, handbook: Handbook, loc: LocaleInfo, *, allow_partial: bool
) -> Prepared:
    """Translate and check a handbook for one locale: the view every format renders. An
    incomplete translation is refused unless asked for (a proof) or its release rule
    falls back."""
    if loc.code == handbook.language:
        translated, status, gettext = handbook, source_status(handbook), NullTranslations()
    else:
        problems, catalogs = read_locale(project, handbook, loc.code, loc)
        if has_errors(problems):
            raise CatalogError(problems)
        curs = current_catalogs(project, handbook, catalogs)
        partial = allow_partial or loc.falls_back
        translated, status = translate(handbook, curs, loc, allow_partial=partial)
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

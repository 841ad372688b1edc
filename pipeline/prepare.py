"""The stages before any format: load, translate, check, present. Their result, one
`Prepared` per language, is what every format of an edition renders (pipeline/edition.py)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.catalog import Catalog
from babel.support import NullTranslations

from .catalog import catalog_path, read_catalog
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


def catalog_problems(
    project: Project, handbook: Handbook, code: str
) -> tuple[list[Diagnostic], Catalog | None]:
    """Every problem of one locale: its locale.yaml, its catalog's syntax and header,
    the QA gates; and the catalog, when it could be read."""
    path = catalog_path(project.locales, code, handbook.id)
    out: list[Diagnostic] = []
    fonts = None
    try:
        fonts = locale_info(code, project.locales).fonts
    except UsageError:
        pass  # a folder named for no locale: read_catalog says so, at the catalog's path
    except PipelineError as exc:
        out.extend(exc.diagnostics)
    try:
        catalog = read_catalog(path, code)
    except CatalogError as exc:
        return [*out, *exc.diagnostics], None
    out.extend(check_catalog(catalog, relative(path), handbook.names, fonts))
    return out, catalog


def current_catalog(
    project: Project, handbook: Handbook, catalog: Catalog, messages: Catalog | None = None
) -> Current:
    """The catalog against the current source and layouts: a text changed since the last
    `handbook update` counts as untranslated, never as done."""
    return current(catalog, messages or project.messages(handbook), handbook.id, project.root)


def prepare(
    project: Project, handbook: Handbook, loc: LocaleInfo, *, allow_partial: bool
) -> Prepared:
    """Translate and check a handbook for one locale: the view every format renders. An
    incomplete translation is refused unless asked for (a proof) or its release rule
    falls back."""
    if loc.code == handbook.language:
        translated, status, gettext = handbook, source_status(handbook), NullTranslations()
    else:
        path = catalog_path(project.locales, loc.code, handbook.id)
        catalog = read_catalog(path, loc.code)
        problems = check_catalog(catalog, relative(path), handbook.names, loc.fonts)
        if has_errors(problems):
            raise CatalogError(problems)
        cur = current_catalog(project, handbook, catalog)
        partial = allow_partial or loc.falls_back
        translated, status = translate(handbook, cur, loc, relative(path), allow_partial=partial)
        gettext = translations(cur.catalog)
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

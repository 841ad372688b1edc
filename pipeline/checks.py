"""The commands that judge without building: `check`, `status`, `verify`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from babel.messages.catalog import Catalog

from .card import back_locale
from .catalog import catalog_paths, layout_messages, read_domain
from .diagnostics import (
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
from .lint import lint
from .locales import available, locale_info, normalize
from .model import Handbook
from .paths import SEPARATOR, unproofed
from .prepare import Catalogs, catalog_problems, current_catalogs, prepare, resolve_locale
from .present import View
from .project import Project
from .translate import Status, incomplete, locale_status, missing
from .verify import expect, verify_card_pdf, verify_epub, verify_pdf, verify_web


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
            out.extend(_release_rule(project, handbook, code, catalogs, templates))
    return list(dict.fromkeys(out))


LISTED = 20  # untranslated messages `check` lists per locale: the rest are counted


def _release_rule(
    project: Project,
    handbook: Handbook,
    code: str,
    catalogs: Catalogs,
    templates: tuple[Catalog, Catalog],
) -> list[Diagnostic]:
    """An incomplete locale whose rule refuses it is an error; one that falls back shows
    its stale texts in the source language, marked: worth knowing, not an error."""
    curs = current_catalogs(project, handbook, catalogs, templates)
    status = locale_status([cur.catalog for cur in curs], code)
    not_done = [d for cur in curs for d in missing(cur)]
    if status.complete or locale_info(code, project.locales).falls_back:
        return [replace(d, severity=Severity.WARNING) for d in not_done if d.code == "po-stale"]
    why = incomplete(status)
    if len(not_done) > LISTED:
        why += f"; the first {LISTED} of its {len(not_done)} messages to translate follow"
    # line 1 of the handbook's catalog: the locale as a whole
    return [error("locale-incomplete", why, Place(curs[0].shown, 1)), *not_done[:LISTED]]


def statuses(project: Project, handbook: Handbook) -> list[Status]:
    """Each locale's status against the current source (a stale catalog is not 100 %)."""
    templates = project.templates(handbook)

    def status(code: str) -> Status:
        paths = catalog_paths(project.locales, code, handbook.id)
        catalogs = [(relative(p), read_domain(p, code)) for p in paths]
        curs = current_catalogs(project, handbook, catalogs, templates)
        return locale_status([cur.catalog for cur in curs], code)

    return [status(c) for c in available(project.locales, handbook.id)]


KINDS = (
    ("-card-sheet.pdf", "sheet"),
    ("-card.pdf", "card"),
    (".pdf", "pdf"),
    (".epub", "epub"),
    ("index.html", "web"),
)


def verify_files(
    project: Project,
    paths: Sequence[Path],
    *,
    handbook_id: str | None = None,
    lang: str | None = None,
) -> list[Diagnostic]:
    """`handbook verify`: each built file against its source, found from its name
    (dist/<lang>/<handbook>[...].pdf or .epub) unless `handbook_id` and `lang` say."""
    return [
        d for path in paths for d in verify_file(project, path, handbook_id=handbook_id, lang=lang)
    ]


def verify_file(
    project: Project, path: Path, *, handbook_id: str | None = None, lang: str | None = None
) -> list[Diagnostic]:
    shown = relative(path)
    name = unproofed(path.name)  # a proof is checked as the file it stands in for
    kind = next((k for suffix, k in KINDS if name.endswith(suffix)), None)
    if not path.is_file() or kind is None:
        why = (
            "no such file" if not path.is_file() else "not a PDF, EPUB or web page the build writes"
        )
        give = "give a built .pdf, .epub or web edition's index.html"
        raise UsageError([error("verify-file", f"{why}: {give}", Place(shown))])
    if kind == "web":
        return verify_web_file(project, path, handbook_id=handbook_id, lang=lang)
    handbook = project.load(handbook_id or _handbook_of(project, path))
    expected = expect(handbook, _views(project, handbook, path, lang or path.parent.name, kind))
    data = path.read_bytes()
    if kind == "epub":
        return verify_epub(expected, data, shown)
    if kind == "pdf":
        return verify_pdf(expected, data, shown)
    return verify_card_pdf(expected, data, shown, sheet=kind == "sheet")


def _handbook_of(project: Project, path: Path) -> str:
    ids = [i for i in project.handbooks() if path.name.startswith((f"{i}.", f"{i}-"))]
    if not ids:
        known = ", ".join(project.handbooks()) or "none"
        why = (
            f"cannot tell which handbook this is (known: {known}): name it as the build "
            "does, <handbook>.pdf, or pass --handbook"
        )
        raise UsageError([error("verify-file", why, Place(relative(path)))])
    return max(ids, key=len)


def _views(project: Project, handbook: Handbook, path: Path, lang: str, kind: str) -> list[View]:
    """The handbook presented in each language of the file (a card: its front's, its back's)."""
    codes = normalize(lang).split(SEPARATOR)
    known = project.locales_of(handbook)
    if any(c not in known for c in codes) or len(codes) > (1 if kind in ("card", "sheet") else 2):
        tags = ", ".join(k.replace("_", "-") for k in known)
        why = (
            f"cannot tell the language of this file from '{lang}' (the locales of "
            f"'{handbook.id}': {tags}): pass --lang"
        )
        raise UsageError([error("verify-file", why, Place(relative(path)))])
    locs = [resolve_locale(project, handbook, c) for c in codes]
    if kind in ("card", "sheet"):
        locs.append(resolve_locale(project, handbook, back_locale(project, handbook, locs[0])))
    return [prepare(project, handbook, loc, allow_partial=True).view for loc in locs]


def verify_web_file(
    project: Project, path: Path, *, handbook_id: str | None, lang: str | None
) -> list[Diagnostic]:
    """`handbook verify dist/es/ct-trafficking-web/index.html`: the handbook from the name of
    the page's folder (<handbook>-web), the language from the folder above it."""
    code = lang or path.resolve().parent.parent.name
    if "+" in code:
        why = f"a web page has one language: pass --lang with one of {code.replace('+', ', ')}"
        raise UsageError([error("verify-file", why, Place(relative(path)))])
    handbook = project.load(handbook_id or _handbook_of(project, path.resolve().parent))
    views = _views(project, handbook, path, code, "web")
    return verify_web(expect(handbook, views), path.read_bytes(), relative(path))

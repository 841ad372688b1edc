"""The commands that judge without building: `check`, `status`, `verify`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from babel.messages.catalog import Catalog

from .card import back_locale
from .catalog import catalog_path, layout_messages, read_catalog
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
from .paths import SEPARATOR
from .prepare import catalog_problems, current_catalog, prepare, resolve_locale
from .present import View
from .project import Project
from .translate import Status, catalog_status, missing
from .verify import expect, verify_card_pdf, verify_epub, verify_pdf


def check(project: Project, handbook_ids: list[str]) -> list[Diagnostic]:
    """Every problem of every handbook and catalog, in one list."""
    out: list[Diagnostic] = list(layout_messages(project.layouts)[1])
    for handbook_id in handbook_ids:
        try:
            handbook = project.load(handbook_id)
        except PipelineError as exc:  # anything else is a bug: let it show
            out.extend(exc.diagnostics)
            continue
        out.extend(lint(handbook))
        try:
            messages: Catalog | None = project.messages(handbook)
        except RenderError:
            messages = None  # a layout that does not parse is reported above
        for code in available(project.locales, handbook.id):
            problems, catalog = catalog_problems(project, handbook, code)
            out.extend(problems)
            if catalog is None or messages is None or has_errors(problems):
                continue  # the status needs a catalog, a locale and layouts that read cleanly
            out.extend(_release_rule(project, handbook, code, catalog, messages))
    return out


def _release_rule(
    project: Project, handbook: Handbook, code: str, catalog: Catalog, messages: Catalog
) -> list[Diagnostic]:
    """An incomplete locale whose rule refuses it is an error; one that falls back shows
    its stale texts in the source language, marked: worth knowing, not an error."""
    cur = current_catalog(project, handbook, catalog, messages)
    status = catalog_status(cur.catalog, code)
    shown = relative(catalog_path(project.locales, code, handbook.id))
    if status.complete or locale_info(code, project.locales).falls_back:
        stale = (d for d in missing(cur, shown) if d.code == "po-stale")
        return [replace(d, severity=Severity.WARNING) for d in stale]
    why = f"{code} is {status.percent:.1f}% translated and its release rule is 'complete'"
    # line 1: the catalog as a whole
    return [error("locale-incomplete", why, Place(shown, 1)), *missing(cur, shown)[:20]]


def statuses(project: Project, handbook: Handbook) -> list[Status]:
    """Each locale's status against the current source (a stale catalog is not 100 %)."""
    messages = project.messages(handbook)

    def status(code: str) -> Status:
        catalog = read_catalog(catalog_path(project.locales, code, handbook.id), code)
        return catalog_status(current_catalog(project, handbook, catalog, messages).catalog, code)

    return [status(c) for c in available(project.locales, handbook.id)]


KINDS = (("-card-sheet.pdf", "sheet"), ("-card.pdf", "card"), (".pdf", "pdf"), (".epub", "epub"))


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
    kind = next((k for suffix, k in KINDS if path.name.endswith(suffix)), None)
    if not path.is_file() or kind is None:
        why = "no such file" if not path.is_file() else "not a PDF or EPUB the build writes"
        raise UsageError([error("verify-file", f"{why}: give a built .pdf or .epub", Place(shown))])
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

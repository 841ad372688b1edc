"""gettext catalogs on Babel: extract, write the template, read, update, init.

Messages: one per source text (msgctxt = stable key), plus every fixed string
of the layouts (Jinja2 i18n). One catalog per handbook and locale:
locales/<locale>/LC_MESSAGES/<handbook>.po, the template locales/<handbook>.pot.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import PoFileError, read_po, write_po

from .babel_extract import extract_handbook
from .diagnostics import CatalogError, Place, error, relative
from .model import Handbook
from .output import write_atomic
from .qa import forms

JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
DRAFT_COMMENT = (
    "Translations of {title}.\n"
    "DRAFT: unreviewed machine-assisted draft written by the project team;\n"
    "not yet reviewed by a qualified translator."
)


def template(handbook: Handbook, source: Path, layouts: Path) -> Catalog:
    """The .pot catalog: source messages in reading order, then layout strings."""
    cat = Catalog(project=handbook.id, version=handbook.edition.isoformat(), fuzzy=False,
                  header_comment=f"# Messages of the handbook '{handbook.id}' and its layouts.\n#",
                  msgid_bugs_address="", copyright_holder="")
    with source.open("rb") as f:
        for lineno, _func, (ctx, msgid), comments in extract_handbook(f, {}, (), {}):
            cat.add(msgid, context=ctx, locations=[(relative(source), lineno)], auto_comments=comments)
    for path in sorted(layouts.glob("**/*.j2")):
        with path.open("rb") as f:
            for lineno, msg, comments, context in extract("jinja2", f, comment_tags=("TRANSLATORS:",), options=JINJA_OPTIONS):
                cat.add(msg, context=context, locations=[(relative(path), lineno)], auto_comments=comments)
    return cat


def po_bytes(catalog: Catalog, *, include_previous: bool = True) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, include_previous=include_previous, sort_output=False)
    return buf.getvalue()


def _without_creation_date(data: bytes) -> bytes:
    return b"\n".join(line for line in data.split(b"\n") if not line.startswith(b'"POT-Creation-Date:'))


def write_if_changed(path: Path, data: bytes, *, ignore_dates: bool = True) -> bool:
    """Write only when something other than the creation date changed."""
    if path.exists():
        old = path.read_bytes()
        if old == data or (ignore_dates and _without_creation_date(old) == _without_creation_date(data)):
            return False
    write_atomic(path, data)
    return True


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Parse a PO file strictly; syntax errors carry the 1-based line."""
    shown = relative(path)
    try:
        with path.open("rb") as f:
            return read_po(f, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogError([error("po-syntax", str(exc).split(" on ")[0].strip(), Place(shown, exc.lineno + 1))]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogError([error("po-syntax", str(exc), Place(shown, 1))]) from None


def now() -> datetime:
    return datetime.now(timezone.utc)


REVIEW_DRAFT = "# Review: draft (not yet reviewed by a qualified translator)"


def catalog_path(locales_dir: Path, code: str, handbook_id: str) -> Path:
    return locales_dir / code / "LC_MESSAGES" / f"{handbook_id}.po"


def init_catalog(pot: Catalog, code: str, handbook_id: str) -> Catalog:
    """A new, empty catalog with the locale's Plural-Forms, marked as a draft."""
    cat = Catalog(locale=code, domain=handbook_id, project=pot.project, version=pot.version, fuzzy=False,
                  header_comment=f"# {handbook_id}: translation into {code}.\n{REVIEW_DRAFT}\n# Reviewer:\n# Review-Date:",
                  creation_date=pot.creation_date)
    cat.update(pot, no_fuzzy_matching=True)
    return cat


def update_catalog(catalog: Catalog, pot: Catalog) -> Catalog:
    """Merge the template into a catalog.

    Babel's fuzzy matching ignores msgctxt and may pair unrelated sentences, so
    we match on the stable key instead: a message whose source text changed
    keeps its old translation, marked fuzzy, with the previous msgid (`#|`).
    Messages gone from the source become obsolete (`#~`).
    """
    before = {m.context: m for m in catalog if m.id and m.context}
    catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=True)
    for message in catalog:
        old = before.get(message.context) if message.id and message.context else None
        if old is None or old.id == message.id or not any(forms(old.string)) or any(forms(message.string)):
            continue
        message.string = old.string
        message.flags.add("fuzzy")
        message.previous_id = [old.id] if isinstance(old.id, str) else list(old.id)
        catalog.obsolete.pop(old.id if old.context is None else (old.id, old.context), None)
    return catalog


"""Apply a catalog to the model: the translated handbook plus its honest status.

Babel counts fuzzy messages as translated and leaves them out of compiled
catalogs; we count translated / fuzzy / untranslated ourselves, and never use a
fuzzy translation as if it were done.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, replace
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from .catalog import read_review, update_catalog
from .diagnostics import CatalogError, Diagnostic, Place, error, relative
from .locales import LocaleInfo
from .model import Handbook, Text, map_texts
from .qa import forms, is_translated, visible


@dataclass(frozen=True)
class Status:
    code: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    plurals_complete: bool
    review: str  # "draft" | "reviewed" | "source"
    reviewer: str = ""
    review_date: str = ""
    fallbacks: int = 0  # texts shown in the source language in this build

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def draft(self) -> bool:
        return self.review == "draft"

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def message_key(message: Message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def catalog_status(catalog: Catalog, code: str) -> Status:
    messages = [m for m in catalog if m.id]
    translated = sum(is_translated(m) for m in messages)
    fuzzy = sum(1 for m in messages if m.fuzzy)
    plurals = all(
        all(map(visible, forms(m.string)))
        for m in messages
        if m.pluralizable and any(forms(m.string))
    )
    review = read_review((catalog.header_comment or "").splitlines())
    return Status(
        code,
        len(messages),
        translated,
        fuzzy,
        len(messages) - translated - fuzzy,
        plurals,
        review.state,
        review.reviewer,
        review.date,
    )


def source_status(handbook: Handbook) -> Status:
    return Status(handbook.language, 0, 0, 0, 0, True, "source")


Key = tuple[str | None, str]


@dataclass(frozen=True)
class Current:
    """A catalog read against the messages the source and layouts produce now (no need to
    run `extract` first): what `handbook update` would make of it, kept in memory."""

    catalog: Catalog
    stale: dict[Key, Place]  # messages the file lacks, or has for an older text: their source line
    changed: frozenset[
        Key
    ]  # of those, the ones whose source text changed (the file has the old one)
    handbook_id: str


def current(catalog: Catalog, pot: Catalog, handbook_id: str, root: Path) -> Current:
    """Merge the template into a copy of `catalog`; a message keeps the line it has in the file."""
    lines = {message_key(m): m.lineno for m in catalog if m.id}
    contexts = {m.context for m in catalog if m.id and m.context}
    stale: dict[Key, Place] = {}
    for m in pot:
        if m.id and message_key(m) not in lines:
            path, line = m.locations[0] if m.locations else ("", 0)
            stale[message_key(m)] = Place(relative(root / path), line or 0)
    merged = update_catalog(copy.deepcopy(catalog), pot)
    for m in merged:
        if m.id:
            m.lineno = lines.get(message_key(m))
    changed = frozenset(k for k in stale if k[0] in contexts)
    return Current(merged, stale, changed, handbook_id)


def missing(cur: Current, shown: str) -> list[Diagnostic]:
    """Every message that is not done, located: at its catalog line, or, when the catalog
    does not have it yet, at the source line that made it."""
    out = []
    update = f"run 'handbook update --handbook {cur.handbook_id}' to merge it into the catalogs"
    for m in cur.catalog:
        if not m.id or is_translated(m):
            continue
        key = message_key(m)
        label = m.context or key[1][:50]
        if key in cur.changed:
            out.append(
                error(
                    "po-stale",
                    f"the source text of '{label}' changed after {shown} was last updated, so its "
                    f"translation is of the old text; {update} (it becomes fuzzy), then check it",
                    cur.stale[key],
                )
            )
        elif key in cur.stale:
            out.append(
                error(
                    "po-stale",
                    f"'{label}' is new and {shown} does not have it; {update}, then translate it",
                    cur.stale[key],
                )
            )
        else:
            what = (
                "fuzzy (the source changed: check and clear the fuzzy flag)"
                if m.fuzzy
                else "untranslated"
            )
            out.append(
                error("po-incomplete", f"message '{label}' is {what}", Place(shown, m.lineno or 0))
            )
    return out


def translations(catalog: Catalog | None) -> NullTranslations:
    """gettext for the layouts, from the catalog in memory (fuzzy left out)."""
    if catalog is None:
        return NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def translate(
    handbook: Handbook, cur: Current, loc: LocaleInfo, shown: str, *, allow_partial: bool
) -> tuple[Handbook, Status]:
    """The handbook in `loc`; refuse an incomplete locale unless it may fall back."""
    catalog = cur.catalog
    status = catalog_status(catalog, loc.code)
    if not status.complete and loc.release == "complete" and not allow_partial:
        summary = error(
            "locale-incomplete",
            f"{loc.code} is {status.percent:.1f}% translated ({status.translated}/{status.total}, {status.fuzzy} fuzzy, "
            f"{status.untranslated} untranslated); its release rule is 'complete'. Finish it, or build a proof with ALLOW_PARTIAL=1",
            Place(shown, 1),
        )
        raise CatalogError([summary, *missing(cur, shown)])
    done = {message_key(m): m.string for m in catalog if m.id and is_translated(m)}
    fallbacks = 0

    def apply(text: Text) -> Text:
        nonlocal fallbacks
        if not text.value:
            return text
        value = done.get((text.key, text.value))
        if isinstance(value, str):
            return replace(text, value=value, lang=loc.tag)
        fallbacks += 1
        return replace(text, fallback=True)

    translated = map_texts(handbook, apply)
    return replace(translated, language=loc.tag), replace(status, fallbacks=fallbacks)

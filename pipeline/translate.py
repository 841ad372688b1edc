"""Apply a catalog to the model: the translated handbook plus its honest status.

Babel counts fuzzy messages as translated and leaves them out of compiled
catalogs; we count translated / fuzzy / untranslated ourselves, and never use a
fuzzy translation as if it were done.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
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
    characters: int = 0  # of the source's texts (msgids)
    translated_characters: int = 0

    @property
    def percent(self) -> float:
        """Of the messages, translated: what a translator counts."""
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def share(self) -> float:
        """Of the text, translated: what a reader finds in their language (six headings of
        a word each are not six paragraphs)."""
        return 100.0 * self.translated_characters / self.characters if self.characters else 100.0

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
    return locale_status([catalog], code)


def locale_status(catalogs: Sequence[Catalog], code: str) -> Status:
    """Where a locale stands over its catalogs (the handbook's, then the layouts'): every
    message of each counts; it is reviewed when each of them is, by the first one's reviewer."""
    messages = [m for catalog in catalogs for m in catalog if m.id]
    sizes = [(sum(map(len, forms(m.id))), is_translated(m)) for m in messages]
    translated = sum(done for _, done in sizes)
    fuzzy = sum(1 for m in messages if m.fuzzy)
    plurals = all(
        all(map(visible, forms(m.string)))
        for m in messages
        if m.pluralizable and any(forms(m.string))
    )
    reviews = [read_review((c.header_comment or "").splitlines()) for c in catalogs]
    review = next((r for r in reviews if r.state != "reviewed"), reviews[0])
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
        characters=sum(size for size, _ in sizes),
        translated_characters=sum(size for size, done in sizes if done),
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
    changed: frozenset[Key]  # of those, the ones whose source text changed (the file has the old)
    handbook_id: str
    shown: str  # the catalog's file, as diagnostics name it


def current(catalog: Catalog, pot: Catalog, handbook_id: str, root: Path, shown: str) -> Current:
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
    return Current(merged, stale, changed, handbook_id, shown)


def missing(cur: Current) -> list[Diagnostic]:
    """Every message that is not done, located: at its line in the catalog that holds it, or,
    when the catalog does not have it yet, at the source or layout line that made it."""
    out, shown = [], cur.shown
    keys = [message_key(m) for m in cur.catalog if m.id]
    if len(keys) > 1 and not cur.changed and all(k in cur.stale for k in keys):
        why = (  # a new catalog (layouts.po in a new language): one line, not one per message
            f"this catalog has none of its {len(keys)} messages yet: run 'handbook update "
            f"--handbook {cur.handbook_id}' to write them into it, then translate them"
        )
        return [error("po-stale", why, Place(shown))]
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
                "untranslated"
                if not m.fuzzy
                else "fuzzy (the source changed: check and clear the fuzzy flag)"
                if m.previous_id
                else "fuzzy (a suggestion: check it, correct it if needed, clear the fuzzy flag)"
            )
            out.append(
                error("po-incomplete", f"message '{label}' is {what}", Place(shown, m.lineno or 0))
            )
    return out


def translations(*catalogs: Catalog) -> NullTranslations:
    """gettext for the layouts, from the catalogs in memory (fuzzy left out): one object, the
    domains merged, the first catalog's translation winning (the handbook's, then the layouts')."""
    merged: Translations | None = None
    for catalog in reversed(catalogs):
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        merged = Translations(fp=buf) if merged is None else merged.merge(Translations(fp=buf))
    return merged or NullTranslations()


def incomplete(status: Status) -> str:
    """Why a locale under the rule 'complete' is not built: said alike by check and build, in
    messages (a translator's count; the colophon counts the text, Status.share)."""
    return (
        f"{status.code} has {status.translated} of its {status.total} messages translated "
        f"({status.percent:.1f}%; {status.fuzzy} fuzzy, {status.untranslated} untranslated) and "
        "its release rule is 'complete': finish it, or build a proof with ALLOW_PARTIAL=1"
    )


def admitted(status: Status, allow_partial: bool) -> bool:
    """Whether a translation as it stands is built: complete, or `allow_partial` (a proof was
    asked for, or the locale's release rule falls back: LocaleInfo.falls_back)."""
    return status.complete or allow_partial


def translate(
    handbook: Handbook, curs: Sequence[Current], loc: LocaleInfo, *, allow_partial: bool
) -> tuple[Handbook, Status]:
    """The handbook in `loc`, from its own domain (`curs[0]`); refuse an incomplete locale
    (every domain counts) unless it is `admitted`."""
    status = locale_status([cur.catalog for cur in curs], loc.code)
    if not admitted(status, allow_partial):
        summary = error("locale-incomplete", incomplete(status), Place(curs[0].shown, 1))
        raise CatalogError([summary, *(d for cur in curs for d in missing(cur))])
    catalog = curs[0].catalog
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

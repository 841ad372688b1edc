"""Apply a catalog to the model: the translated handbook plus its honest status.

Babel counts fuzzy messages as translated and leaves them out of compiled
catalogs; we count translated / fuzzy / untranslated ourselves, and never use a
fuzzy translation as if it were done.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from .diagnostics import CatalogError, Diagnostic, Place, error
from .locales import LocaleInfo
from .model import Handbook, Text, map_texts
from .qa import forms, is_translated, visible

REVIEW = re.compile(r"#\s*(Review|Reviewer|Review-Date):[ \t]*(.*?)\s*$")
DRAFT = re.compile(r"draft(?:\s.*)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Review:
    """What a catalog's header comments say of its review; each problem comes with
    the index of the comment line it is about."""

    state: str  # "draft" | "reviewed"
    reviewer: str
    date: str
    problems: tuple[tuple[int, str], ...]


def _is_date(text: str) -> bool:
    try:
        return bool(ISO_DATE.fullmatch(text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


def read_review(comments: list[str]) -> Review:
    """`# Review: draft ...` (or no Review line) is a draft; `# Review: reviewed` needs
    `# Reviewer: NAME` and `# Review-Date: YYYY-MM-DD`, or the catalog is refused."""
    fields: dict[str, tuple[int, str]] = {}
    for i, line in enumerate(comments):
        if (m := REVIEW.match(line)) and m.group(1).lower() not in fields:
            fields[m.group(1).lower()] = (i, m.group(2))
    at, said = fields.get("review", (0, "draft"))
    named_at, reviewer = fields.get("reviewer", (at, ""))
    dated_at, when = fields.get("review-date", (at, ""))
    problems = []
    if said != "reviewed" and not DRAFT.fullmatch(said):
        problems.append((at, f"Review: '{said}' must be 'reviewed' (with a Reviewer and a "
                         "Review-Date) or 'draft' (a note may follow it)"))
    elif said == "reviewed" and not reviewer:
        problems.append((named_at, "Review: reviewed needs the reviewer's name: "
                         "write '# Reviewer: NAME'"))
    if said == "reviewed" and not _is_date(when):
        problems.append((dated_at, "Review: reviewed needs the date of the review, written "
                         f"YYYY-MM-DD (found '{when}'): write '# Review-Date: 2026-01-31'"))
    state = "reviewed" if said == "reviewed" and not problems else "draft"
    return Review(state, reviewer, when, tuple(problems))


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
    plurals = all(all(map(visible, forms(m.string)))
                  for m in messages if m.pluralizable and any(forms(m.string)))
    review = read_review((catalog.header_comment or "").splitlines())
    return Status(code, len(messages), translated, fuzzy, len(messages) - translated - fuzzy,
                  plurals, review.state, review.reviewer, review.date)


def source_status(handbook: Handbook) -> Status:
    return Status(handbook.language, 0, 0, 0, 0, True, "source")


def missing(catalog: Catalog, shown: str) -> list[Diagnostic]:
    out = []
    for m in catalog:
        if m.id and not is_translated(m):
            what = "fuzzy (the source changed: check and clear the fuzzy flag)" if m.fuzzy else "untranslated"
            label = m.context or message_key(m)[1][:50]
            out.append(error("po-incomplete", f"message '{label}' is {what}", Place(shown, m.lineno or 0)))
    return out


def translations(catalog: Catalog | None) -> NullTranslations:
    """gettext for the layouts, from the catalog in memory (fuzzy left out)."""
    if catalog is None:
        return NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def translate(handbook: Handbook, catalog: Catalog, loc: LocaleInfo, shown: str, *, allow_partial: bool) -> tuple[Handbook, Status]:
    """The handbook in `loc`; refuse an incomplete locale unless it may fall back."""
    status = catalog_status(catalog, loc.code)
    if not status.complete and loc.release == "complete" and not allow_partial:
        summary = error(
            "locale-incomplete",
            f"{loc.code} is {status.percent:.1f}% translated ({status.translated}/{status.total}, {status.fuzzy} fuzzy, "
            f"{status.untranslated} untranslated); its release rule is 'complete'. Finish it, or build a proof with ALLOW_PARTIAL=1",
            Place(shown),
        )
        raise CatalogError([summary, *missing(catalog, shown)])
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

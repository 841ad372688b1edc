"""The view model: numbering, anchors, dates and names, in the locale's own forms."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from babel.dates import format_date
from babel.numbers import format_percent

from .locales import LocaleInfo
from .model import Contact, Entry, Handbook, Section, Text
from .translate import Status


@dataclass(frozen=True)
class EntryView:
    entry: Entry
    number: str  # in the locale's digits
    anchor: str
    href: str  # where the entry lives in the EPUB


@dataclass(frozen=True)
class SectionView:
    section: Section
    anchor: str
    href: str
    entries: tuple[EntryView, ...]

    @property
    def title(self) -> Text:
        return self.section.title


@dataclass(frozen=True)
class View:
    hb: Handbook
    loc: LocaleInfo
    status: Status
    sections: tuple[SectionView, ...]
    edition: str
    created: str  # ISO timestamp for PDF metadata, from SOURCE_DATE_EPOCH or the edition

    @property
    def entry_count(self) -> int:
        return sum(len(s.entries) for s in self.sections)

    @property
    def footer_contact(self) -> Contact:
        """The contact every body page's footer shows: the source's choice, or the first."""
        chosen = self.hb.footer.contact if self.hb.footer else self.hb.contacts[0].id
        return next(c for c in self.hb.contacts if c.id == chosen)

    @property
    def hotline(self) -> str:
        return self.footer_contact.phone or self.footer_contact.sms

    @property
    def coverage(self) -> str:
        """Share of the text translated, in the locale's number format and digits."""
        return self.loc.digits(
            format_percent(self.status.share / 100, format="#,##0.0%", locale=self.loc.babel)
        )

    @property
    def keywords(self) -> str:
        return ", ".join(s.title.value for s in self.sections)


def section_file(index: int) -> str:
    return f"section-{index:02d}.xhtml"


def build_date() -> datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set, so output repeats."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def edition_date(day: date, loc: LocaleInfo) -> str:
    """The locale's long date; ISO 8601 where CLDR has no month names (it
    writes Haitian Creole dates as '2026 M11 28')."""
    if re.fullmatch(r"M\d+", loc.babel.months["format"]["wide"][1]):
        return day.isoformat()
    return format_date(day, format="long", locale=loc.babel)


def present(hb: Handbook, loc: LocaleInfo, status: Status) -> View:
    sections = []
    n = 0
    for i, section in enumerate(hb.sections, start=1):
        href = section_file(i)
        entries = []
        for entry in section.entries:
            n += 1
            entries.append(EntryView(entry, loc.digits(n), f"q-{entry.id}", f"{href}#q-{entry.id}"))
        sections.append(
            SectionView(section, f"s-{section.id}", f"{href}#s-{section.id}", tuple(entries))
        )
    edition = loc.digits(edition_date(hb.edition, loc))
    return View(
        hb, loc, status, tuple(sections), edition, build_date().strftime("%Y-%m-%dT%H:%M:%SZ")
    )

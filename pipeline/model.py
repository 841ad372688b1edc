"""The typed handbook model: frozen dataclasses, every text knows its place.

A `Text` is the unit of translation: its `key` is the gettext msgctxt (stable
entry id plus the block's place), its `lang` is the language it is written in,
so a translated model can mix languages where a locale falls back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .diagnostics import Place


@dataclass(frozen=True)
class Text:
    key: str
    value: str
    place: Place
    lang: str
    fallback: bool = False  # shown in the source language because untranslated
    comment: str = ""  # note for translators, extracted into the POT
    rich: bool = False  # an answer's text: its inline markup is read (pipeline/inline.py)


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class Item:
    text: Text
    term: Text | None = None


@dataclass(frozen=True)
class ItemList:
    items: tuple[Item, ...]
    style: str = "numbered"  # or "bullet": printed as <ol> or <ul>


Block = Paragraph | ItemList


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: printed as written in every language, never translated."""

    title: str
    url: str
    accessed: date
    lang: str  # the source language, which the title is written in


@dataclass(frozen=True)
class Entry:
    id: str
    question: Text
    answer: tuple[Block, ...]
    place: Place
    sources: tuple[Citation, ...] = ()
    reviewed: date | None = None  # when the answer was last checked against its sources


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    entries: tuple[Entry, ...]
    place: Place


@dataclass(frozen=True)
class Contact:
    id: str
    label: Text
    name: str = ""  # a proper name, kept as written in every language
    phone: str = ""
    sms: str = ""
    url: str = ""


@dataclass(frozen=True)
class Change:
    """An editorial change to the imported text, with its reason."""

    entry: str
    reason: str
    original: str = ""
    replacement: str = ""


@dataclass(frozen=True)
class Card:
    """The wallet card: a title line, the contacts it shows (by id), a few short lines.
    A text that repeats a handbook text word for word carries that text's key,
    so it shares the message and its translations."""

    title: Text
    lines: tuple[Text, ...]
    contacts: tuple[str, ...]
    back: str  # locale on the back of the source-language card ("" = the first catalog)
    place: Place


@dataclass(frozen=True)
class Theme:
    """The colours the layouts use (pipeline/brand.py checks text on them stays readable)."""

    primary: str = "#1f3a5f"  # the cover's background; section titles and questions
    accent: str = "#b3261e"  # "Get help now", question numbers, the web edition's call buttons


@dataclass(frozen=True)
class Logo:
    """An SVG or PNG file in the handbook's folder, shown on the cover and the wallet card."""

    file: str  # as written, relative to the handbook's folder
    alt: Text  # what it says, for readers who cannot see it
    place: Place  # where `file` is written
    path: str = ""  # the file, absolute: set once the source is loaded and the file checked


@dataclass(frozen=True)
class Footer:
    """Which contact every body page's footer shows; `label` (with %(number)s) replaces the
    layouts' own "Hotline: %(number)s"."""

    contact: str
    place: Place
    label: Text | None = None


@dataclass(frozen=True)
class Handbook:
    id: str
    language: str
    edition: date
    title: Text
    subtitle: Text
    disclaimer: Text
    contacts: tuple[Contact, ...]
    sections: tuple[Section, ...]
    names: tuple[str, ...]  # proper names every translation keeps verbatim
    changelog: tuple[Change, ...]
    path: str
    card: Card | None = None
    publisher: str = ""  # a proper name, as written; PDF author and EPUB dc:publisher
    paper: str = "letter"  # the print edition's page size unless a build asks for another
    require_sources: bool = False  # `check` warns about entries that cite nothing
    review_max_months: int = 12  # a review older than this, at the edition date, is due
    theme: Theme = Theme()
    logo: Logo | None = None
    footer: Footer | None = None

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for s in self.sections for e in s.entries)


T = TypeVar("T")


def map_texts(node: T, f: Callable[[Text], Text]) -> T:
    """Rebuild `node` with every Text replaced by f(text); the rest is shared."""
    if isinstance(node, Text):
        return f(node)  # type: ignore[return-value]
    if isinstance(node, tuple):
        return tuple(map_texts(n, f) for n in node)  # type: ignore[return-value]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes: dict[str, Any] = {}
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            new = map_texts(value, f)
            if new is not value:
                changes[field.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node


def iter_texts(node: object) -> Iterator[Text]:
    """Every Text below node, in reading order."""
    if isinstance(node, Text):
        yield node
    elif isinstance(node, tuple):
        for n in node:
            yield from iter_texts(n)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            yield from iter_texts(getattr(node, field.name))

"""Translation QA gates: what a translation must keep exactly as the source has it.

Each problem is located at the message's line in the PO file. Numbers people
act on (phones, short codes), URLs, e-mail addresses, placeholders and proper
names must survive translation unchanged; markup may not be added.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from babel.messages.catalog import Catalog, Message

from .diagnostics import Diagnostic, Place, error
from .locales import Fonts

URL = re.compile(r"\bhttps?://[^\s<>\"')]+[^\s<>\"').,;:]")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
NUMBER = re.compile(r"(?<![\w-])\+?\d+(?:[-.]\d+)*(?![\w-])")  # 1-888-373-7888, 233733, 911, 2026
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?[A-Za-z!?][^<>]*>?")  # also a tag left open: '<img src=...' becomes a tag once a layout closes it
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def is_translated(message: Message) -> bool:
    """Translated means: every form filled and not fuzzy (Babel counts fuzzy as done)."""
    strings = forms(message.string)
    return bool(strings) and all(strings) and not message.fuzzy


def tokens(pattern: re.Pattern[str], text: str) -> list[str]:
    return pattern.findall(text) if pattern.groups == 0 else [m.group(0) for m in pattern.finditer(text)]


def _changed_tokens(kind: str, pattern: re.Pattern[str], source: str, target: str, where: Place) -> list[Diagnostic]:
    """Tokens of the source the translation lost, and tokens it added: a catalog must not
    send readers to a number or an address the source does not give."""
    what = "number" if pattern is NUMBER else "link"
    missing = [t for t in tokens(pattern, source) if t not in target and (pattern is URL or not URL.search(t))]
    added = [t for t in tokens(pattern, target) if t not in source]
    if missing:
        instead = f" (it has {', '.join(map(repr, added))})" if added else ""
        return [error(f"qa-changed-{what}", f"{kind} '{t}' of the source is missing or changed in the translation{instead}", where)
                for t in missing]
    return [error(f"qa-added-{what}", f"{kind} '{t}' is in the translation but not in the source", where) for t in added]


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The protected names a source text holds (typographic and straight quotes alike)."""
    normalized = text.translate(QUOTES)
    return [name for name in names if _unquoted(name) in normalized]


@functools.cache
def _unquoted(text: str) -> str:
    return text.translate(QUOTES)


def check_message(message: Message, names: Iterable[str], where: Place) -> list[Diagnostic]:
    sources = forms(message.id)
    targets = forms(message.string)
    out: list[Diagnostic] = []
    if message.pluralizable and targets and any(targets) and not all(targets):
        empty = [str(i) for i, t in enumerate(targets) if not t]
        out.append(error("po-plural-empty", f"plural form msgstr[{', '.join(empty)}] is empty", where))
    source_text = " ".join(sources)
    for target in filter(None, targets):
        for kind, pattern in (("phone number or number", NUMBER), ("URL", URL), ("e-mail address", EMAIL)):
            out.extend(_changed_tokens(kind, pattern, source_text, target, where))
        if sorted(PLACEHOLDER.findall(sources[0] if sources else "")) != sorted(PLACEHOLDER.findall(target)) and not message.pluralizable:
            theirs, ours = PLACEHOLDER.findall(source_text) or "none", PLACEHOLDER.findall(target) or "none"
            out.append(error("qa-placeholder", f"placeholders differ: source has {theirs}, translation has {ours}", where))
        if TAG.search(target) and not TAG.search(source_text):
            out.append(error("qa-markup", f"markup {TAG.search(target).group(0)!r} is not allowed in a translation", where))  # type: ignore[union-attr]
        normalized = target.translate(QUOTES)
        for name in names_in(source_text, names):
            if _unquoted(name) not in normalized:
                why = f"proper name '{name}' must stay exactly as written (add a translation beside it if you like)"
                out.append(error("qa-name", why, where))
    return sorted(set(out), key=lambda d: d.message)


def check_glyphs(message: Message, fonts: Fonts, where: Place) -> list[Diagnostic]:
    """A character the locale's fonts cannot draw prints as a box (tofu)."""
    from .fonts import uncovered  # reads font files: only when asked

    missing = sorted(uncovered("".join(forms(message.string)), fonts))
    if not missing:
        return []
    shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:12])
    return [error("font-coverage", f"no font of {', '.join(fonts.families)} has a glyph for {shown}: it would print as a box; "
                  "remove it or write it another way", where)]


def check_catalog(catalog: Catalog, shown: str, names: Iterable[str], fonts: Fonts | None = None) -> list[Diagnostic]:
    """All gates over the translated, non-fuzzy messages of one catalog
    (with the locale's fonts: also that every character has a glyph)."""
    names = tuple(names)
    checked = [m for m in catalog if m.id and not m.fuzzy and any(forms(m.string))]
    if fonts is not None:
        from .fonts import uncovered  # reads font files: only when asked

        # Message by message only to say where a glyph is missing, if one is.
        if not uncovered("".join("".join(forms(m.string)) for m in checked), fonts):
            fonts = None
    out: list[Diagnostic] = []
    for message in checked:
        where = Place(shown, message.lineno or 0)
        out.extend(check_message(message, names, where))
        if fonts is not None:
            out.extend(check_glyphs(message, fonts, where))
        for problem in message.check(catalog):
            out.append(error("po-check", str(problem), where))
    return out

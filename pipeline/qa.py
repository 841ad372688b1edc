"""Translation QA gates: what a translation must keep exactly as the source has it.

Each problem is located at the message's line in the PO file. Numbers people
act on (phones, short codes), URLs, e-mail addresses, placeholders and proper
names must survive translation unchanged; markup may not be added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from babel.messages.catalog import Catalog, Message

from .diagnostics import Diagnostic, Place, error

URL = re.compile(r"\bhttps?://[^\s<>\"')]+[^\s<>\"').,;:]")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
NUMBER = re.compile(r"(?<![\w-])\+?\d+(?:[-.]\d+)*(?![\w-])")  # 1-888-373-7888, 233733, 911, 2026
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
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
            for token in tokens(pattern, source_text):
                if kind != "URL" and URL.search(token):
                    continue
                if token not in target:
                    out.append(error("qa-changed-number" if pattern is NUMBER else "qa-changed-link", f"{kind} '{token}' of the source is missing or changed in the translation", where))
        if sorted(PLACEHOLDER.findall(sources[0] if sources else "")) != sorted(PLACEHOLDER.findall(target)) and not message.pluralizable:
            out.append(error("qa-placeholder", f"placeholders differ: source has {PLACEHOLDER.findall(source_text) or 'none'}, translation has {PLACEHOLDER.findall(target) or 'none'}", where))
        if TAG.search(target) and not TAG.search(source_text):
            out.append(error("qa-markup", f"markup {TAG.search(target).group(0)!r} is not allowed in a translation", where))  # type: ignore[union-attr]
        normalized = target.translate(QUOTES)
        for name in names:
            if name.translate(QUOTES) in source_text.translate(QUOTES) and name.translate(QUOTES) not in normalized:
                out.append(error("qa-name", f"proper name '{name}' must stay exactly as written (add a translation beside it if you like)", where))
    return sorted(set(out), key=lambda d: d.message)


def check_catalog(catalog: Catalog, shown: str, names: Iterable[str]) -> list[Diagnostic]:
    """All gates over the translated, non-fuzzy messages of one catalog."""
    names = tuple(names)
    out: list[Diagnostic] = []
    for message in catalog:
        if not message.id or message.fuzzy or not any(forms(message.string)):
            continue
        where = Place(shown, message.lineno or 0)
        out.extend(check_message(message, names, where))
        for problem in message.check(catalog):
            out.append(error("po-check", str(problem), where))
    return out

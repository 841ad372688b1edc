"""Content smells in a source: warnings, never errors (`check --strict` makes them fail)."""

from __future__ import annotations

import re
from datetime import date

from .diagnostics import Diagnostic, warning
from .inline import PHONE, tel_targets
from .model import Handbook, Text, iter_texts

# What a text generator says of itself ("As an expert in...", "As an AI...", "I must clarify
# that my expertise..."); not the first person of an ordinary question ("What if I am...?").
PERSONA = re.compile(
    r"\b(?:[Aa]s an? (?:expert|AI|(?:large )?language model|assistant)\b"
    r"|I (?:must clarify|am an? (?:AI|expert|(?:large )?language model|assistant))\b"
    r"|[Mm]y (?:expertise|knowledge cutoff|training data)\b)"
)
MIN_DUPLICATE_CHARS = 30
# Groups of two digits or more split by single spaces, five digits or more in all: in an
# English text, a phone number ("116 123"), and one that neither PHONE nor the contacts make
# known is neither linked nor kept on one line. Not a year and a count ("In 2019 20 people").
SPACED_NUMBER = re.compile(
    r"(?<![\w+-])(?!(?:19|20)[0-9]{2} [0-9]+(?![0-9]| [0-9]))\+?[0-9]+(?: [0-9]{2,})+(?![\w-])"
)
# An address a reader would open unencrypted: anyone on the network (an employer's Wi-Fi) sees
# which page of a trafficking handbook's help they visit.
PLAIN_HTTP = re.compile(r"\bhttp://[^\s<>\"')\]]+", re.IGNORECASE)
# A North American number begun (the country code 1, or an area code in brackets) but not
# written whole: 1-888-373-788 dials nobody, or somebody else.
NORTH_AMERICAN = re.compile(r"\+?1[-. ]|\([0-9]{3}\)")


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def lint(handbook: Handbook) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    known_numbers = {digits(n) for c in handbook.contacts for n in (c.phone, c.sms) if n}
    first_seen: dict[str, Text] = {}
    for text in iter_texts(handbook):
        if m := PERSONA.search(text.value):
            why = (
                f"a text generator's persona '{m.group(0)}...': a handbook speaks to the reader, "
                "not as a persona"
            )
            out.append(warning("lint-persona", why, text.place))
        for address in PLAIN_HTTP.findall(text.value):
            why = (
                f"{address} is opened unencrypted (http://): anyone on the reader's network sees "
                "which page they visit; write https:// if the site has it"
            )
            out.append(warning("lint-http", why, text.place))
        out += spaced_numbers(text, known_numbers)
        for number in PHONE.findall(text.value):
            if digits(number) not in known_numbers:
                out.append(
                    warning(
                        "lint-unknown-number",
                        f"phone number {number} is not among the handbook's contacts",
                        text.place,
                    )
                )
        if len(text.value) >= MIN_DUPLICATE_CHARS:
            if text.value in first_seen:
                if (
                    first_seen[text.value].key != text.key
                ):  # the same key is one message on purpose (the card reuses texts)
                    out.append(
                        warning(
                            "lint-duplicate-text",
                            f"same text as {first_seen[text.value].place}",
                            text.place,
                        )
                    )
            else:
                first_seen[text.value] = text
    for entry in handbook.entries:
        if not entry.question.value.endswith("?"):
            out.append(
                warning(
                    "lint-question-mark", "question does not end with '?'", entry.question.place
                )
            )
        words = sum(len(t.value.split()) for t in iter_texts(entry.answer))
        if words <= 1:
            out.append(
                warning(
                    "lint-short-answer",
                    f"answer has {words} word{'s' if words != 1 else ''}",
                    entry.place,
                )
            )
    return out + number_shapes(handbook) + freshness(handbook)


def spaced_numbers(text: Text, known: set[str]) -> list[Diagnostic]:
    """Numbers written like phone numbers that nothing makes known (see SPACED_NUMBER)."""
    if " " not in text.value or not any(c.isdigit() for c in text.value):
        return []
    made_known = known | {digits(t) for t in tel_targets(text.value)}
    out = []
    for m in SPACED_NUMBER.finditer(text.value):
        number = m.group()
        if len(digits(number)) < 5 or PHONE.fullmatch(number) or digits(number) in made_known:
            continue
        why = (
            f"{number} is written like a phone number, but it is not a contact's: make it one, "
            f"or write it as a link, [{number}](tel:{digits(number)}), so that readers can tap "
            "it and it is never broken across two lines"
        )
        out.append(warning("lint-number-spaced", why, text.place))
    return out


def number_shapes(handbook: Handbook) -> list[Diagnostic]:
    """A contact's North American number with a digit too many or too few."""
    out = []
    for c in handbook.contacts:
        for kind, number in (("phone", c.phone), ("sms", c.sms)):
            if number and NORTH_AMERICAN.match(number) and not PHONE.fullmatch(number):
                why = (
                    f"contact '{c.id}': {kind} {number} is not a whole North American number "
                    "(1-888-373-7888: 1, the area code, then 3 and 4 digits): check it digit "
                    "by digit"
                )
                out.append(warning("lint-number-shape", why, c.label.place))
    return out


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (a month is complete on the same day of the month)."""
    return (
        (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    )


def freshness(handbook: Handbook) -> list[Diagnostic]:
    """Entries without sources (when the handbook asks for them) and reviews older than its
    limit, measured at the edition date, not today, so a build repeats."""
    out: list[Diagnostic] = []
    limit = handbook.review_max_months
    for entry in handbook.entries:
        if handbook.require_sources and not entry.sources:
            why = (
                f"entry '{entry.id}' cites no sources: add 'sources:' with the title, url and "
                "accessed date of where the answer comes from"
            )
            out.append(warning("lint-no-sources", why, entry.place))
        if entry.reviewed and months_between(entry.reviewed, handbook.edition) >= limit:
            why = (
                f"entry '{entry.id}' was last reviewed on {entry.reviewed}, {limit} months or more "
                f"before the edition of {handbook.edition}: check the answer against its "
                "sources, then write the new date in 'reviewed:'"
            )
            out.append(warning("lint-review-old", why, entry.place))
    return out

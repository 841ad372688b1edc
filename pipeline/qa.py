"""Translation QA gates: what a translation must keep exactly as the source has it.

Each gate is one small function over one message, listed in CHECKERS and run by
one loop (as Babel's `checkers` are); each problem is located at the message's
line in the PO file. Numbers people act on (phones, short codes), URLs, e-mail
addresses, placeholders and proper names must survive translation unchanged;
HTML markup may not be added; no character may hide or reorder what is printed.
A phone number may be written another way when it dials the same (inline.dial:
(202) 671-1880 as 202-671-1880, not as +1 202 671 1880); the bold, italic and links
of a text (inline.py) stay as many and lead to the same places.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from textwrap import shorten

from babel import Locale
from babel.messages.catalog import Catalog, Message

from .diagnostics import Diagnostic, Place, error
from .inline import BIDI_MARKS, Parsed, is_number, numbers, parse, same_number, signature
from .locales import Fonts, NumberWords
from .source import FOOTER_KEY, character_problems

# An address ends before a bidi mark: the layouts put one after it in right-to-left text, a
# translator may too; a mark inside one is kept (an address changed by an invisible character).
URL = re.compile(
    rf"\bhttps?://[^\s<>\"')]+[^\s<>\"').,;:{BIDI_MARKS}]"
    # A host without a scheme is a link too: www.ayuda.example, or a bare domain such as
    # ayuda.org. A bare domain's last label is lower-case ASCII and the label before
    # it has 2+ characters, so that abbreviations ("EE.UU.", "p.ej.") stay words.
    r"|(?<![\w@.-])(?:(?i:www(?:\.[\w-]+)+)|(?:[\w-]+\.)*[^\W_][\w-]*[^\W_]\.[a-z]{2,63})"
    r"(?![\w@-]|\.\w)"
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# 1-888-373-7888, 233733, 911, 2026: also glued to letters or inside CJK and Arabic
# runs (Nº1-800-555-0199, ب1-800-555-0199, 请拨打1-800-555-0199), which have no \b.
NUMBER = re.compile(r"(?<!\d)\+?\d+(?:[-.]\d+)*")
# A conversion spec as Python's `text % mapping` reads it. Layout strings are always
# formatted so (Jinja's newstyle gettext): "%%" is a literal %, "%%(number)s" prints
# "%(number)s", and "% d" or a lone "%" is a spec too (and fails or misprints).
FORMAT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?.?", re.S)
TAG = re.compile(
    r"</?[A-Za-z!?][^<>]*>?"
)  # also a tag left open: '<img src=...' becomes a tag once a layout closes it
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})  # spaces (NBSP too), controls, zero-width
# A translation far longer than its source was most likely pasted by mistake (a 1.5 MB
# msgstr made 836 pages). The shipped catalogs need at most 3.2 times a source under
# 20 characters, 2.0 times one under 100 and 1.6 times a longer one (Ukrainian,
# Portuguese): 3 times the source plus 200 characters leaves room to spare.
LENGTH_RATIO, LENGTH_FLOOR = 3, 200
# A line that prints a contact number ("Call %(number)s", "Hotline: %(number)s") is read
# on the cover, the card and every page's footer: a second number written into it, even
# in words ("o al ochocientos…"), would send a reader elsewhere while every digit check
# passes. Its words around the number are short: at most 36 characters in the shipped
# catalogs (Arabic "Hotline:"), so 48 leave room and no room for a number spelled out.
CONTACT_KEY, CONTACT_WORDS = "number", 48
# English left in a translation, which would ship as translated: the source copied whole (3
# words or more: French keeps "Agriculture" and "Page %(number)s" as they are), or a run of
# the source's words outside the names every translation keeps. No shipped catalog copies a
# run of 4.
COPIED_WHOLE, COPIED_RUN = 3, 5
# A translation with far fewer letters than its source leaves a passage out ("." for a whole
# list item). For a source of 60 letters or more the shipped catalogs have 0.23 of its
# letters at least (Chinese), most 0.5 or more: a tenth leaves room to spare.
SHORT_SOURCE, SHORT_RATIO = 60, 0.1
# A right-to-left mark or isolate has no use in a left-to-right language's translation, and
# beside a number whose groups are spaced it shows them in reverse in an EPUB reader.
RTL_MARK = re.compile("[\u200f\u061c\u2067]")
WORD = re.compile(r"[^\W\d_]+")
# A number spelled in words digit by digit ("ocho ocho ocho, cinco cinco cinco, …") passes
# every digit check: a run of SPELLED_RUN digit words or more, between them only spaces and
# punctuation, is one ("uno, dos o tres meses" is not). The source is English.
SPELLED_RUN = 4
SPELLED_GAP = r"[\s,.;:/()\[\]\"«»“”„\-‐‑‒–—·•،؛、，。（）\u200b\u200e\u200f\u061c\u2066-\u2069]"
ENGLISH_DIGITS = NumberWords(
    (
        ("zero", "oh"),
        ("one",),
        ("two",),
        ("three",),
        ("four",),
        ("five",),
        ("six",),
        ("seven",),
        ("eight",),
        ("nine",),
    )
)


def forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def visible(text: str) -> bool:
    """True when something of `text` prints: not only spaces or zero-width characters."""
    return any(unicodedata.category(ch) not in INVISIBLE for ch in text)


def is_translated(message: Message) -> bool:
    """Translated means: every form has visible text, and not fuzzy (Babel counts fuzzy as done)."""
    strings = forms(message.string)
    return bool(strings) and all(map(visible, strings)) and not message.fuzzy


def tokens(pattern: re.Pattern[str], text: str) -> list[str]:
    return (
        pattern.findall(text)
        if pattern.groups == 0
        else [m.group(0) for m in pattern.finditer(text)]
    )


@dataclass(frozen=True)
class Pair:
    """One message under check: its source (msgid and msgid_plural joined), its
    translated forms, the names that must stay as written, and where it is."""

    message: Message
    source: str
    targets: tuple[str, ...]
    names: tuple[str, ...]
    where: Place
    copying: bool = False  # whether English words in it are left untranslated (not English)
    rtl: bool = False  # the language is written right to left
    number_words: NumberWords | None = None  # the language's words for the digits

    @property
    def filled(self) -> list[str]:
        return [t for t in self.targets if visible(t)]

    def label(self, i: int) -> str:
        """How a translator finds form i: "msgstr[1]" in a plural message."""
        return f"msgstr[{i}]" if self.message.pluralizable else "msgstr"


def empty_forms(pair: Pair) -> list[Diagnostic]:
    if not (pair.message.pluralizable and pair.filled) or all(pair.targets):
        return []
    empty = [str(i) for i, t in enumerate(pair.targets) if not t]
    why = f"plural form msgstr[{', '.join(empty)}] is empty"
    return [error("po-plural-empty", why, pair.where)]


def blank(pair: Pair) -> list[Diagnostic]:
    why = (
        "{} holds only spaces or invisible characters: it would print as a blank; "
        'write the translation, or leave it empty ("")'
    )
    return [
        error("qa-blank", why.format(pair.label(i)), pair.where)
        for i, t in enumerate(pair.targets)
        if t and not visible(t)
    ]


def characters(pair: Pair) -> list[Diagnostic]:
    codes = {"control": "po-control", "bidi": "qa-bidi"}
    return [
        error(codes[kind], why, pair.where)
        for t in pair.targets
        for kind, why in character_problems(t)
    ]


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    """A phone number is one token however it is written, and the same number in a
    translation when it dials the same (inline.dial): (202) 671-1880 may become 202-671-1880."""
    if pattern is NUMBER:
        return [m.group() for m in numbers(NUMBER, text)]
    return tokens(pattern, text)


def _changed_tokens(
    kind: str, pattern: re.Pattern[str], source: str, target: str, where: Place
) -> list[Diagnostic]:
    """Tokens of the source the translation lost, and tokens it added: a catalog must not
    send readers to a number or an address the source does not give."""
    what = "number" if pattern is NUMBER else "link"
    missing = [
        t
        for t in _found(pattern, source)
        if not same_number(t, target) and (pattern is URL or not URL.search(t))
    ]
    if pattern is NUMBER:  # a piece of a source number is another number: 373-7888, 1-8
        given = _found(NUMBER, source)
        added = [t for t in _found(NUMBER, target) if not any(is_number(t, g) for g in given)]
    else:
        added = [t for t in _found(pattern, target) if not same_number(t, source)]
    if missing:
        instead = f" (it has {', '.join(map(repr, added))})" if added else ""
        return [
            error(
                f"qa-changed-{what}",
                f"{kind} '{t}' of the source is missing or changed in the translation{instead}",
                where,
            )
            for t in missing
        ]
    return [
        error(
            f"qa-added-{what}", f"{kind} '{t}' is in the translation but not in the source", where
        )
        for t in added
    ]


def changed_tokens(pair: Pair) -> list[Diagnostic]:
    kinds = (("phone number or number", NUMBER), ("URL", URL), ("e-mail address", EMAIL))
    # The digits of a placeholder's width are the placeholder gate's to report.
    plain = (lambda t: FORMAT.sub("", t)) if pair.message.context is None else (lambda t: t)
    return [
        d
        for t in pair.filled
        for kind, pattern in kinds
        for d in _changed_tokens(kind, pattern, plain(pair.source), plain(t), pair.where)
    ]


def format_specs(text: str) -> list[re.Match[str]]:
    return [m for m in FORMAT.finditer(text) if m.group(0) != "%%"]


def _spec_problem(spec: re.Match[str], theirs: list[str]) -> str:
    key = spec.group("key")
    same = [s for s in theirs if s.startswith(f"%({key})")] if key is not None else []
    if same:
        return (
            f"placeholder '{spec.group(0)}' must be written as in the source, {same[0]}: "
            "no width, precision or flag"
        )
    if key is not None:
        return (
            f"placeholder '{spec.group(0)}' is not in the source "
            f"(it has {', '.join(theirs) or 'none'}); copy it from there"
        )
    return f"'{spec.group(0)}' is read as a placeholder: write a percent sign as %%"


def _missing(spec: str, target: str) -> str:
    hint = f" ('%{spec}' prints the text '{spec}': write {spec})" if f"%{spec}" in target else ""
    return f"placeholder {spec} of the source is missing in the translation{hint}"


def placeholders(pair: Pair) -> list[Diagnostic]:
    """Layout strings (no msgctxt) are %-formatted; handbook texts are printed as written."""
    if pair.message.context is not None:
        return []
    specs = format_specs(pair.source)
    theirs = [s.group(0) for s in specs]
    out = []
    for target in pair.filled:
        ours = format_specs(target)
        out += [_spec_problem(m, theirs) for m in ours if m.group(0) not in theirs]
        if not pair.message.pluralizable:  # a plural form may leave the count out ("one question")
            kept = {m.group("key") for m in ours}
            out += [_missing(s.group(0), target) for s in specs if s.group("key") not in kept]
    return [error("qa-placeholder", why, pair.where) for why in out]


def markup(pair: Pair) -> list[Diagnostic]:
    if TAG.search(pair.source):
        return []
    return [
        error("qa-markup", f"markup {m.group(0)!r} is not allowed in a translation", pair.where)
        for t in pair.filled
        if (m := TAG.search(t))
    ]


def rich_text(pair: Pair) -> list[Diagnostic]:
    """A translation keeps the bold, italic and links of its source (pipeline/inline.py): as
    many bold and as many italic texts, and links to the same targets, in any order. An
    address missing or added is the token gate's (qa-changed-link, qa-changed-number); this
    one names an address kept as text but no longer a link, or linked where the source
    only prints it."""
    source = parse(pair.source)
    if source.problems:  # its stars or brackets are characters (a title's '*'), not markup
        return []
    out = []
    for t in pair.filled:
        translated = parse(t)
        out += [f"in the translation, {p.message}" for p in translated.problems]
        out += _signature_changes(source, translated, pair.source, t)
    return [error("qa-rich-text", why, pair.where) for why in out]


def _printed(link: str, text: str) -> bool:
    """Whether `text` has the address of `link` ('link https://…', 'link tel:+1…')."""
    address = link.removeprefix("link ")
    if address.startswith("tel:"):
        return same_number(address[4:], text)
    return address.removeprefix("mailto:") in text


def _signature_changes(source: Parsed, translated: Parsed, ours: str, theirs: str) -> list[str]:
    want, have = Counter(signature(source.nodes)), Counter(signature(translated.nodes))
    out = [
        f"the source has {want[kind]} {word} text(s) ({mark}…{mark}) and the translation "
        f"{have[kind]}: mark the same words {word} as the source does"
        for kind, word, mark in (("strong", "bold", "**"), ("em", "italic", "*"))
        if want[kind] != have[kind]
    ]
    links = [k for k in (want - have) if k.startswith("link ") and _printed(k, theirs)]
    out += [
        f"the source links to {k[5:]}, the translation does not: write the linked words "
        f"as [words]({k[5:]})"
        for k in sorted(links)
    ]
    links = [k for k in (have - want) if k.startswith("link ") and _printed(k, ours)]
    out += [
        f"the translation links to {k[5:]}, the source does not: remove the link (keep the words)"
        for k in sorted(links)
    ]
    return out


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The protected names a source text holds (typographic and straight quotes alike)."""
    normalized = text.translate(QUOTES)
    return [name for name in names if _unquoted(name) in normalized]


@functools.cache
def _unquoted(text: str) -> str:
    return text.translate(QUOTES)


def proper_names(pair: Pair) -> list[Diagnostic]:
    why = "proper name '{}' must stay exactly as written (add a translation beside it if you like)"
    return [
        error("qa-name", why.format(name), pair.where)
        for t in pair.filled
        for name in names_in(pair.source, pair.names)
        if _unquoted(name) not in t.translate(QUOTES)
    ]


def length(pair: Pair) -> list[Diagnostic]:
    longest = max(map(len, forms(pair.message.id)), default=0)
    limit = LENGTH_RATIO * longest + LENGTH_FLOOR
    why = (
        f"{{}} has {{:,}} characters, more than {LENGTH_RATIO} times its source ({longest}) "
        f"plus {LENGTH_FLOOR}: most likely pasted by mistake; shorten it"
    )
    return [
        error("qa-too-long", why.format(pair.label(i), len(t)), pair.where)
        for i, t in enumerate(pair.targets)
        if len(t) > limit
    ]


def contact_line(pair: Pair) -> list[Diagnostic]:
    if f"%({CONTACT_KEY})s" not in pair.source:
        return []
    out = []
    for t in pair.filled:
        words = FORMAT.sub("", t).strip()
        if any(unicodedata.category(c) == "Nd" for c in words):
            why = (
                f"the line around %({CONTACT_KEY})s holds a digit ({words!r}): it prints a "
                "contact number, and only that number may be on it; write the words only"
            )
        elif len(words) > CONTACT_WORDS:
            why = (
                f"the words around %({CONTACT_KEY})s have {len(words)} characters, more than "
                f"{CONTACT_WORDS}: this line prints a contact number, and a second number "
                "spelled out in words would send readers elsewhere; keep it as short as "
                "the source"
            )
        else:
            continue
        out.append(error("qa-contact-line", why, pair.where))
    return out


def footer_label(pair: Pair) -> list[Diagnostic]:
    """The source's own footer words (a handbook text, so no %-formatting is checked for it)
    print the footer's number where %(number)s is: each translation keeps it, once."""
    spec = f"%({CONTACT_KEY})s"
    if pair.message.context != FOOTER_KEY:
        return []
    why = (
        f"{{}} must hold {spec} once, where the page footer prints the number (it holds it "
        "{} times): write it as in the source"
    )
    return [
        error("qa-placeholder", why.format(pair.label(i), t.count(spec)), pair.where)
        for i, t in enumerate(pair.targets)
        if visible(t) and t.count(spec) != 1
    ]


@functools.lru_cache(maxsize=4096)  # copied and dropped read each text's words
def _words(text: str, names: tuple[str, ...]) -> list[str]:
    """The words of `text` (letters; the marks of Indic scripts split them) outside the names
    every translation keeps, its web addresses and placeholders."""
    for name in sorted(names, key=len, reverse=True):
        if name in text:
            text = text.replace(name, " ")
    if "%" in text:
        text = FORMAT.sub(" ", text)
    if "://" in text or "www." in text:
        text = URL.sub(" ", text)
    return WORD.findall(text)


def _copied_run(words: list[str], source: list[str]) -> tuple[str, ...] | None:
    """The first run of COPIED_RUN of `words` that `source` has in that order. Only a streak
    of words the source has can be one: the n-grams are made for those alone."""
    vocabulary, streak = set(source), 0
    english: set[tuple[str, ...]] | None = None
    for i, word in enumerate(words):
        streak = streak + 1 if word in vocabulary else 0
        if streak >= COPIED_RUN:
            if english is None:
                english = set(zip(*(source[k:] for k in range(COPIED_RUN)), strict=False))
            if (run := tuple(words[i + 1 - COPIED_RUN : i + 1])) in english:
                return run
    return None


def copied(pair: Pair) -> list[Diagnostic]:
    if not pair.copying:
        return []
    source = _words(pair.source, pair.names)
    out = []
    for i, t in enumerate(pair.targets):
        words = _words(t, pair.names)
        if len(source) >= COPIED_WHOLE and words == source:
            left = f"is its English source as it is ('{shorten(pair.source, 60, placeholder='…')}')"
        elif run := _copied_run(words, source):
            left = f"keeps the source's words '{' '.join(run)}'"
        else:
            continue
        why = (
            f"{pair.label(i)} {left}: English left in a translation ships as translated; "
            "translate it, or leave it empty for a proof to mark it (a name that every "
            "translation keeps as written goes in the source's names: list)"
        )
        out.append(error("qa-copied", why, pair.where))
    return out


def dropped(pair: Pair) -> list[Diagnostic]:
    has = sum(map(len, _words(pair.source, pair.names)))
    if not has:
        return []  # a placeholder, a name or a number alone
    least = SHORT_RATIO * has if has >= SHORT_SOURCE else 1
    out = []
    for i, t in enumerate(pair.targets):
        kept = sum(map(len, _words(t, pair.names)))
        if visible(t) and kept < least:
            why = (
                f"{pair.label(i)} has {kept} letters where its source has {has}: what the "
                "source says would be missing from the handbook; translate all of it"
            )
            out.append(error("qa-dropped", why, pair.where))
    return out


def rtl_marks(pair: Pair) -> list[Diagnostic]:
    if pair.rtl:
        return []
    found = sorted({f"U+{ord(m):04X}" for t in pair.targets for m in RTL_MARK.findall(t)})
    if not found:
        return []
    why = (
        f"a right-to-left mark or isolate ({', '.join(found)}) in a left-to-right language's "
        "translation reorders what is beside it (a spaced number shows its groups in reverse "
        "in an EPUB reader): delete it"
    )
    return [error("qa-bidi", why, pair.where)]


@dataclass(frozen=True)
class Speller:
    """How one language spells digits: a run of its digit words and one word (both in lower
    case), the digit each word stands for, and whether one has an apostrophe (Ukrainian п'ять)."""

    run: re.Pattern[str]
    word: re.Pattern[str]
    digit: dict[str, str]
    apostrophe: bool


@functools.cache
def speller(words: NumberWords) -> Speller:
    digit = {w.translate(QUOTES).lower(): str(d) for d, ws in enumerate(words.forms) for w in ws}
    word = "|".join(map(re.escape, sorted(digit, key=len, reverse=True)))
    more = f"{{{SPELLED_RUN - 1},}}"
    # Neither re.I nor a look-behind at its start: either makes the search 2 to 6 times slower
    # (it runs on every text of every build); the text is lowered, the start checked after.
    if words.glued:  # no spaces: 八八八五五五 is a run, in a sentence too
        run = f"(?:{word})(?:{SPELLED_GAP}*(?:{word})){more}"
    else:  # whole words only: not the "ocho" of "ochocientos"
        run = rf"(?:{word})(?:{SPELLED_GAP}+(?:{word})){more}(?![^\W\d_])"
    return Speller(re.compile(run), re.compile(word), digit, any("'" in w for w in digit))


def spelled_numbers(text: str, words: NumberWords) -> list[tuple[str, str]]:
    """The numbers `text` spells out digit by digit: each as written, and its digits."""
    spell = speller(words)
    text = unicodedata.normalize("NFC", text)
    folded = (text.translate(QUOTES) if spell.apostrophe else text).lower()
    if len(folded) != len(text):  # a letter whose lower case is longer (İ): quote it lowered
        text = folded
    out = []
    for m in spell.run.finditer(folded):
        found = list(spell.word.finditer(folded, m.start(), m.end()))
        if not words.glued:  # a letter before, a mark on either side: part of a longer word
            if m.start() and unicodedata.category(folded[m.start() - 1])[0] in "LM":
                found.pop(0)  # the "uno" of "xuno"
            if unicodedata.category(folded[m.end() : m.end() + 1] or " ")[0] == "M":
                found.pop()  # the सात of सातौं
        if len(found) >= SPELLED_RUN:
            digits = "".join(spell.digit[w.group()] for w in found)
            out.append((text[found[0].start() : found[-1].end()], digits))
    return out


def number_in_words(pair: Pair) -> list[Diagnostic]:
    """A number the translation spells out in words that the source does not: a phone number
    written so would send a reader elsewhere while every digit check passes."""
    if pair.number_words is None:
        return []
    given = {d for _, d in spelled_numbers(pair.source, ENGLISH_DIGITS)}
    out = []
    for i, t in enumerate(pair.targets):
        for written, digits in spelled_numbers(t, pair.number_words):
            if digits in given:
                continue
            why = (
                f"{pair.label(i)} spells out a number in words, "
                f"'{shorten(written, 80, placeholder='…')}' (read {digits}): a number must be "
                "written in digits exactly as the source has it, or left out"
            )
            out.append(error("qa-number-in-words", why, pair.where))
    return out


Checker = Callable[[Pair], list[Diagnostic]]
CHECKERS: tuple[Checker, ...] = (
    empty_forms,
    blank,
    characters,
    changed_tokens,
    placeholders,
    markup,
    rich_text,
    proper_names,
    length,
    contact_line,
    number_in_words,
    footer_label,
    copied,
    dropped,
    rtl_marks,
)


def check_message(
    message: Message,
    names: Iterable[str],
    where: Place,
    *,
    copying: bool = False,
    rtl: bool = False,
    number_words: NumberWords | None = None,
) -> list[Diagnostic]:
    """Every problem of one translated message (`copying`: English words in it are left
    untranslated; `rtl`: its language is written right to left; `number_words`: its words
    for the digits)."""
    source = " ".join(forms(message.id))
    targets = tuple(forms(message.string))
    pair = Pair(message, source, targets, tuple(names), where, copying, rtl, number_words)
    return sorted({d for checker in CHECKERS for d in checker(pair)}, key=lambda d: d.message)


def check_glyphs(message: Message, fonts: Fonts, where: Place) -> list[Diagnostic]:
    """A character the locale's fonts cannot draw prints as a box (tofu)."""
    from .fonts import uncovered  # reads font files: only when asked

    missing = sorted(uncovered("".join(forms(message.string)), fonts))
    if not missing:
        return []
    shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:12])
    return [
        error(
            "font-coverage",
            f"no font of {', '.join(fonts.families)} has a glyph for {shown}: "
            "it would print as a box; remove it or write it another way",
            where,
        )
    ]


def check_catalog(
    catalog: Catalog,
    shown: str,
    names: Iterable[str],
    fonts: Fonts | None = None,
    *,
    source_language: str = "en",
    number_words: NumberWords | None = None,
) -> list[Diagnostic]:
    """All gates over the translated, non-fuzzy messages of one catalog
    (with the locale's fonts: also that every character has a glyph; with its words for the
    digits: also that no number is spelled out in them)."""
    names = tuple(names)
    language = catalog.locale.language if catalog.locale else source_language
    copying = language != source_language.split("_")[0]
    # Asked of a Locale of its own: the catalog's would load CLDR's data into the catalog,
    # which translate.current deep-copies on every build (5 times slower).
    rtl = bool(catalog.locale) and Locale.parse(str(catalog.locale)).text_direction == "rtl"
    checked = [m for m in catalog if m.id and not m.fuzzy and any(forms(m.string))]
    if fonts is not None:
        from .fonts import uncovered  # reads font files: only when asked

        # Message by message only to say where a glyph is missing, if one is.
        if not uncovered("".join("".join(forms(m.string)) for m in checked), fonts):
            fonts = None
    out: list[Diagnostic] = []
    for message in checked:
        where = Place(shown, message.lineno or 0)
        out.extend(
            check_message(
                message, names, where, copying=copying, rtl=rtl, number_words=number_words
            )
        )
        if fonts is not None:
            out.extend(check_glyphs(message, fonts, where))
        for problem in message.check(catalog):
            out.append(error("po-check", str(problem), where))
    return out

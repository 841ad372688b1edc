"""gettext catalogs on Babel: extract, write the template, read, update, init.

Two domains per locale. A handbook's domain holds one message per source text
(msgctxt = stable key): locales/<locale>/LC_MESSAGES/<handbook>.po, its template
locales/<handbook>.pot. The layouts' domain holds every fixed string of the layouts
(Jinja2 i18n), shared by every handbook: locales/<locale>/LC_MESSAGES/layouts.po,
its template locales/layouts.pot; translated once per language, not once per handbook.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import io
import itertools
import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from email import message_from_string
from pathlib import Path
from typing import Any

from babel import UnknownLocaleError
from babel.messages.catalog import Catalog, Message, parse_separated_header
from babel.messages.extract import extract
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, PoFileParser, write_po
from jinja2 import TemplateSyntaxError

from . import plurals
from .diagnostics import CatalogError, Diagnostic, Place, RenderError, error, relative
from .locales import normalize
from .model import Handbook, iter_texts
from .output import write_atomic
from .plurals import PluralError
from .qa import forms, is_translated
from .source import CONTROL, outside_project, read_text

JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trimmed": "true",
    "silent": "false",
}  # Babel skips broken templates unless told
DRAFT_COMMENT = (
    "Translations of {title}.\n"
    "DRAFT: unreviewed machine-assisted draft written by the project team;\n"
    "not yet reviewed by a qualified translator."
)


LAYOUTS_DOMAIN = "layouts"  # the layouts' interface strings, shared by every handbook


def _where(path: Path, root: Path) -> str:
    """A location relative to the project root, wherever the command runs."""
    return path.resolve().relative_to(root.resolve()).as_posix()


def _template(project: str, version: str, header: str) -> Catalog:
    return Catalog(
        project=project,
        version=version,
        fuzzy=False,
        header_comment=f"# {header}\n#",
        msgid_bugs_address="",
        copyright_holder="",
    )


def template(handbook: Handbook, source: Path, root: Path) -> Catalog:
    """The handbook domain's .pot: the source's texts in reading order."""
    cat = _template(
        handbook.id, handbook.edition.isoformat(), f"Messages of the handbook '{handbook.id}'."
    )
    for text in iter_texts(handbook):  # what extract_handbook yields for pybabel
        if text.value:
            cat.add(
                text.value,
                context=text.key,
                locations=[(_where(source, root), text.place.line)],
                auto_comments=[text.comment] if text.comment else [],
            )
    return cat


def layout_template(layouts: Path, root: Path) -> Catalog:
    """The layouts domain's .pot: every layout's interface strings, shared by every handbook."""
    from . import __version__

    cat = _template(
        LAYOUTS_DOMAIN, __version__, "Interface strings of the layouts, shared by every handbook."
    )
    messages, problems = layout_messages(layouts)
    if problems:
        raise RenderError(list(problems))
    for path, lineno, msg, comments, context in messages:
        where = [(_where(path, root), lineno)]
        cat.add(msg, context=context, locations=where, auto_comments=comments)
    return cat


LayoutMessage = tuple[Path, int, str | tuple[str, ...], list[str], str | None]


def layout_messages(layouts: Path) -> tuple[tuple[LayoutMessage, ...], tuple[Diagnostic, ...]]:
    """The gettext strings of every layout, and a located problem for each template that does
    not parse. Every translated edition reads them (its catalog is compared with them):
    extracted once per state of the files, so a bilingual edition or a card does not parse
    every template twice."""
    paths = sorted(layouts.glob("**/*.j2"))
    state = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())
    return _layout_messages(tuple(paths), state, os.getcwd())


@functools.lru_cache(maxsize=8)
def _layout_messages(
    paths: tuple[Path, ...], state: object, cwd: str
) -> tuple[tuple[LayoutMessage, ...], tuple[Diagnostic, ...]]:
    """(`state` and `cwd`, the working folder the places are shown from, are the cache key.)"""
    messages: list[LayoutMessage] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if outside_project(path):  # never read: no message may quote what it holds
            problems.append(
                error(
                    "layout-outside",
                    "this layout is a link to a file outside the project, which is never "
                    "read: copy the file into layouts/ instead",
                    Place(relative(path), 1),
                )
            )
            continue
        try:
            with path.open("rb") as f:
                for lineno, msg, comments, context in extract(
                    "jinja2", f, comment_tags=("TRANSLATORS:",), options=JINJA_OPTIONS
                ):
                    messages.append((path, lineno, msg, comments, context))
        except TemplateSyntaxError as exc:
            problems.append(
                error("layout-syntax", exc.message or str(exc), Place(relative(path), exc.lineno))
            )
        except UnicodeDecodeError as exc:
            problems.append(
                error(
                    "layout-encoding",
                    f"not UTF-8 ({exc.reason} at byte {exc.start})",
                    Place(relative(path)),
                )
            )
    return tuple(messages), tuple(problems)


def po_bytes(catalog: Catalog, *, include_previous: bool = True) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, include_previous=include_previous, sort_output=False)
    return buf.getvalue()


def _without_creation_date(data: bytes) -> bytes:
    return b"\n".join(
        line for line in data.split(b"\n") if not line.startswith(b'"POT-Creation-Date:')
    )


def write_if_changed(path: Path, data: bytes, *, ignore_dates: bool = True) -> bool:
    """Write only when something other than the creation date changed."""
    if path.exists():
        old = path.read_bytes()
        if old == data or (
            ignore_dates and _without_creation_date(old) == _without_creation_date(data)
        ):
            return False
    write_atomic(path, data)
    return True


# A PO line: an optional keyword, then one C string. Babel's own parser is
# lenient (it drops the last character of an unclosed string without a word),
# so every line is checked here first.
PO_KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr")
PO_KEYWORD = re.compile(r"(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)(?:\s+|$)")
PO_STRING = re.compile(r'"(?:[^"\\]|\\[\\"nrt])*"')
PO_CONTROL = re.compile(rf"(?!\r\n){CONTROL.pattern}")


def _string_problem(literal: str) -> tuple[int, str]:
    """Where and why `literal` (from its opening quote) is not one PO string."""
    i = 1
    while i < len(literal):
        if literal[i] == "\\":
            if i + 1 == len(literal):
                break
            if literal[i + 1] not in '\\"nrt':
                return i, f"unknown escape '\\{literal[i + 1]}': write a backslash as \\\\"
            i += 2
            continue
        if literal[i] == '"':
            return (
                i,
                'a double quote inside the text must be written \\" (or use typographic quotes)',
            )
        i += 1
    return 0, 'the string is not closed: end it with a double quote (")'


def lint_po_lines(text: str, shown: str) -> list[Diagnostic]:
    """Every line that is not a comment, a keyword with a string, or a string."""
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if line.startswith("#~"):  # obsolete messages keep PO syntax after the marker
            body = line[2:].lstrip()
            indent += len(line) - len(body)
            line = body
        if (
            line.startswith(("#", "|")) or not line
        ):  # comments; "#~|" is an obsolete message's previous msgid
            continue
        keyword = PO_KEYWORD.match(line)
        rest = line[keyword.end() :] if keyword else line
        col = indent + (keyword.end() if keyword else 0) + 1
        if not keyword and not line.startswith('"'):
            word = line.split()[0][:40]
            hint = difflib.get_close_matches(word, PO_KEYWORDS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            out.append(
                error(
                    "po-syntax",
                    f"'{word}' is not a PO keyword{suggestion}: a line is msgctxt, msgid, msgstr "
                    'followed by a "quoted text", or a "quoted text" that continues the one above',
                    Place(shown, n, indent + 1),
                )
            )
        elif keyword and not rest.startswith('"'):
            out.append(
                error(
                    "po-syntax",
                    f'the text after {keyword.group(1)} must be in double quotes: "..."',
                    Place(shown, n, col),
                )
            )
        elif not PO_STRING.fullmatch(rest.rstrip()):
            offset, why = _string_problem(rest.rstrip())
            out.append(error("po-syntax", why, Place(shown, n, col + offset)))
    return out


# A header Babel reads as this catalog's charset or plural rule is checked before
# Babel applies it: another charset breaks writing the .mo file, and Python's
# gettext compiles `plural=` with exec (pipeline/plurals.py reads it without).
PLURAL_FORMS = re.compile(r"nplurals\s*=\s*(\d{1,2})\s*;\s*plural\s*=\s*([^;]*?)\s*;?")
# n = 0..1000 as asked of every rule, and the millions where es, fr, pt use a third form.
PLURAL_SAMPLES = (*range(1001), 10_000, 100_000, 1_000_000, 2_000_000)


def parse_header(text: str) -> dict[str, str]:
    """The fields of a header as Babel reads them (email syntax: any case, folded lines)."""
    return {name.lower(): value.strip() for name, value in message_from_string(text).items()}


def _field_line(lines: list[str], start: int, field: str) -> int:
    """1-based line of a header field, from the header's msgid on (0 when not found)."""
    pattern = re.compile(rf'(?:msgstr\s+)?"\s*{re.escape(field)}\s*:', re.IGNORECASE)
    for n in range(max(start, 1), len(lines) + 1):
        if pattern.match(lines[n - 1].strip()):
            return n
        if n > start and not lines[n - 1].strip():
            break  # the header message ends at the first blank line
    return 0


def _expected_forms(code: str | None) -> str:
    try:
        return f"; write Plural-Forms: {get_plural(code).plural_forms}" if code else ""
    except (UnknownLocaleError, ValueError):
        return ""  # header_problems says the folder names no locale


def unsafe_header(
    fields: dict[str, str], at: Callable[[str], Place], code: str | None
) -> list[Diagnostic]:
    """What Babel must not apply: a charset other than UTF-8, a Plural-Forms that is not
    nplurals=N; plural=RULE; with a rule in gettext's grammar."""
    out = []
    charset = parse_separated_header(fields.get("content-type", "")).get("charset", "")
    if charset and charset.lower() not in ("utf-8", "utf8"):
        why = (
            f"the header says charset={charset}, but catalogs are read and written as UTF-8: "
            "write Content-Type: text/plain; charset=UTF-8"
        )
        out.append(error("po-charset", why, at("Content-Type")))
    if "plural-forms" not in fields:
        return out
    m = PLURAL_FORMS.fullmatch(fields["plural-forms"])
    try:
        if m is None or int(m.group(1)) == 0:
            raise PluralError("it must read nplurals=N; plural=RULE; with N from 1 up")
        plurals.parse(m.group(2))
    except PluralError as exc:
        why = f"Plural-Forms cannot be used: {exc}{_expected_forms(code)}"
        out.append(error("po-plural-forms", why, at("Plural-Forms")))
    return out


def _rule_difference(declared: str, expected: str) -> tuple[int, int, int] | None:
    """The first n two plural rules give different forms for: (n, declared's, expected's)."""
    ours, theirs = plurals.parse(declared), plurals.parse(expected)
    return next(((n, ours(n), theirs(n)) for n in PLURAL_SAMPLES if ours(n) != theirs(n)), None)


class _Parser(PoFileParser):
    """Babel's parser, told to remember the messages it silently merges, and to
    check each header before the catalog applies it."""

    def __init__(
        self, catalog: Catalog, shown: str, check_header: Callable[[str, int], list[Diagnostic]]
    ) -> None:
        super().__init__(catalog, abort_invalid=True)
        self.duplicates: list[tuple[int, int]] = []  # 1-based lines: (repeated msgid, its first)
        self.shown, self.check_header = shown, check_header
        self.header: tuple[int, str] | None = None  # line of the header's msgid, and its text
        self.refused: list[Diagnostic] = []

    def _add_message(self) -> None:
        before, line, obsolete = len(self.catalog), self.offset + 1, self.obsolete
        msgid = self.messages[0].denormalize()
        context = self.context.denormalize() if self.context else None
        if not msgid and len(self.messages) == 1 and not obsolete:  # Babel's header: any msgid ""
            if self.header is None:
                self.header = (line, self.translations[0][1].denormalize())
                problems = self.check_header(self.header[1], line)
            else:
                header_line = self.header[0]
                why = f'a second header (msgid ""): the header is at line {header_line}; delete it'
                problems = [error("po-header", why, Place(self.shown, line))]
            if problems:  # never applied: the catalog keeps its locale's own plural forms
                self.refused.extend(problems)
                self._reset_message_state()
                return
        super()._add_message()
        if len(self.catalog) == before and not obsolete and (msgid or context):
            first = self.catalog.get(msgid, context=context)
            self.duplicates.append((line, first.lineno if first and first.lineno else 0))


def header_problems(
    header: tuple[int, str] | None, lines: list[str], code: str, shown: str
) -> list[Diagnostic]:
    """The header must name the catalog's own locale, and CLDR's plural forms for it."""
    start, text = header or (0, "")
    fields = parse_header(text)

    def at(field: str) -> Place:
        return Place(shown, _field_line(lines, start, field) or 1)

    try:
        expected = get_plural(code)
    except (UnknownLocaleError, ValueError):
        return [
            error(
                "po-locale",
                f"the folder locales/{code}/ is named for no locale CLDR knows: "
                "name it as gettext does (es, pt_BR, zh_Hans)",
                at("Language"),
            )
        ]
    out = []
    language = fields.get("language")
    if language is None:
        out.append(
            error(
                "po-header-language",
                f'the header has no Language; add the line "Language: {code}\\n"',
                Place(shown, 1),
            )
        )
    elif normalize(language or "?") != code:
        out.append(
            error(
                "po-header-language",
                f"the header says Language: {language or '(empty)'}, but this is the catalog "
                f"of {code} (locales/{code}/); write Language: {code}",
                at("Language"),
            )
        )
    declared = PLURAL_FORMS.fullmatch(fields.get("plural-forms", ""))
    if "plural-forms" not in fields:
        out.append(
            error(
                "po-plural-forms",
                "the header has no Plural-Forms; add the line "
                f'"Plural-Forms: {expected.plural_forms}\\n"',
                Place(shown, 1),
            )
        )
    elif declared is None or int(declared.group(1)) != expected.num_plurals:
        found = f"nplurals={declared.group(1)}" if declared else "no nplurals"
        out.append(
            error(
                "po-plural-forms",
                f"Plural-Forms has {found}, but {code} has {expected.num_plurals} plural form(s); "
                f"write Plural-Forms: {expected.plural_forms}",
                at("Plural-Forms"),
            )
        )
    elif differs := _rule_difference(declared.group(2), expected.plural_expr):
        n, ours, theirs = differs
        why = (
            f"Plural-Forms picks msgstr[{ours}] for n = {n}, where {code} (CLDR) uses "
            f"msgstr[{theirs}]; write Plural-Forms: {expected.plural_forms}"
        )
        out.append(error("po-plural-forms", why, at("Plural-Forms")))
    return out


def control_characters(text: str, shown: str) -> list[Diagnostic]:
    """Control characters anywhere in the file (a line ending \\r\\n is fine), one per line."""
    seen: dict[int, Diagnostic] = {}
    for m in PO_CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - text.rfind("\n", 0, m.start())
        why = f"control character U+{ord(m.group(0)):04X} is not allowed in a catalog; delete it"
        seen.setdefault(line, error("po-control", why, Place(shown, line, col)))
    return list(seen.values())


def review_problems(lines: list[str], shown: str) -> list[Diagnostic]:
    """The review comments above the header (`# Review:` ...), as catalog_status reads them."""
    head = list(itertools.takewhile(lambda line: line.startswith("#") or not line.strip(), lines))
    return [error("po-review", why, Place(shown, i + 1)) for i, why in read_review(head).problems]


PO_ERRORS = {  # Babel's words for structural problems, in a translator's words
    "msg has more translations than num_plurals of catalog": (
        "more msgstr[N] forms than the Plural-Forms header allows"
    ),
    'Got line starting with " but not in msgid, msgstr or msgctxt': (
        "a quoted line that belongs to no msgid, msgstr or msgctxt"
    ),
}


REVIEW = re.compile(r"#\s*(Review|Reviewer|Review-Date):[ \t]*(.*?)\s*$")
DRAFT = re.compile(r"draft(?:\s.*)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclasses.dataclass(frozen=True)
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
        problems.append(
            (
                at,
                f"Review: '{said}' must be 'reviewed' (with a Reviewer and a "
                "Review-Date) or 'draft' (a note may follow it)",
            )
        )
    elif said == "reviewed" and not reviewer:
        problems.append(
            (named_at, "Review: reviewed needs the reviewer's name: write '# Reviewer: NAME'")
        )
    if said == "reviewed" and not _is_date(when):
        problems.append(
            (
                dated_at,
                "Review: reviewed needs the date of the review, written "
                f"YYYY-MM-DD (found '{when}'): write '# Review-Date: 2026-01-31'",
            )
        )
    state = "reviewed" if said == "reviewed" and not problems else "draft"
    return Review(state, reviewer, when, tuple(problems))


def read_catalog(path: Path, locale: str | None = None, *, missing_ok: bool = False) -> Catalog:
    """Parse a PO file strictly and report every problem found, located.

    Checks what Babel lets pass: control characters, string syntax, the review
    comments, a header Babel must not apply (charset, Plural-Forms), repeated
    msgids (Babel keeps the first and drops the other), and, given the locale,
    a header naming another language or plural forms other than CLDR's for it.
    With `missing_ok`, a file that does not exist reads as an empty catalog (a locale
    without layouts.po yet: its messages are then new, and `handbook update` writes it).
    """
    if missing_ok and not os.path.lexists(path):
        return Catalog(locale=locale, fuzzy=False)
    shown = relative(path)
    text = read_text(path, shown, CatalogError)  # a source's file problems, named po-bom, ...
    problems = control_characters(text, shown)
    if problems:  # before anything splits the text into lines: some of them end a line for Python
        raise CatalogError(problems)
    lines = text.splitlines()
    problems = lint_po_lines(text, shown) + review_problems(lines, shown)

    def check_header(header: str, line: int) -> list[Diagnostic]:
        def at(field: str) -> Place:
            return Place(shown, _field_line(lines, line, field) or line)

        return unsafe_header(parse_header(header), at, locale)

    catalog = Catalog(locale=locale)
    parser = _Parser(catalog, shown, check_header)
    try:
        parser.parse(lines)
    except PoFileError as exc:
        if not any(p.place.line == exc.lineno + 1 for p in problems):
            what = str(exc).rsplit(" on ", 1)[0]
            what = (
                "this message has no msgstr line"
                if what.startswith("missing msgstr for msgid")
                else PO_ERRORS.get(what, what)
            )
            problems.append(error("po-syntax", what, Place(shown, exc.lineno + 1)))
    except ValueError as exc:  # a header Babel cannot read (dates)
        problems.append(error("po-header", f"the header cannot be read: {exc}", Place(shown, 1)))
    else:
        problems.extend(
            error(
                "po-duplicate",
                f"this msgid (with its msgctxt) is already at line {first}; only one translation "
                "can be used: delete the other",
                Place(shown, line),
            )
            for line, first in parser.duplicates
        )
        if locale is not None and not parser.refused:
            problems.extend(header_problems(parser.header, lines, locale, shown))
    problems.extend(parser.refused)
    if problems:
        raise CatalogError(sorted(set(problems), key=lambda d: (d.place, d.code)))
    return catalog


def now() -> datetime:
    return datetime.now(UTC)


REVIEW_DRAFT = "# Review: draft (not yet reviewed by a qualified translator)"


def catalog_path(locales_dir: Path, code: str, domain: str) -> Path:
    """A domain's catalog: a handbook's id, or LAYOUTS_DOMAIN."""
    return locales_dir / code / "LC_MESSAGES" / f"{domain}.po"


def catalog_paths(locales_dir: Path, code: str, handbook_id: str) -> tuple[Path, Path]:
    """The catalogs a locale's edition reads: the handbook's domain first, then the layouts'."""
    return catalog_path(locales_dir, code, handbook_id), catalog_path(
        locales_dir, code, LAYOUTS_DOMAIN
    )


def read_domain(path: Path, code: str) -> Catalog:
    """One of a locale's catalogs: a handbook's must exist, layouts.po may not yet (it reads as
    empty, so each layout message is new: `handbook update` writes the file)."""
    return read_catalog(path, code, missing_ok=path.stem == LAYOUTS_DOMAIN)


def init_catalog(pot: Catalog, code: str, domain: str) -> Catalog:
    """A new, empty catalog with the locale's Plural-Forms, marked as a draft."""
    cat = Catalog(
        locale=code,
        domain=domain,
        project=pot.project,
        version=pot.version,
        fuzzy=False,
        header_comment=(
            f"# {domain}: translation into {code}.\n{REVIEW_DRAFT}\n# Reviewer:\n# Review-Date:"
        ),
        creation_date=pot.creation_date,
    )
    cat.update(pot, no_fuzzy_matching=True)
    return cat


def update_catalog(catalog: Catalog, pot: Catalog) -> Catalog:
    """Merge the template into a catalog.

    Babel's fuzzy matching ignores msgctxt and may pair unrelated sentences, so
    we match on the stable key instead: a message whose source text changed
    keeps its old translation, marked fuzzy, with the previous msgid (`#|`).
    Messages gone from the source become obsolete (`#~`).
    """
    pot = copy.deepcopy(
        pot
    )  # Babel's update shares the template's Message objects with the catalog
    before = {m.context: m for m in catalog if m.id and m.context}
    catalog.update(
        pot, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=True
    )
    for message in catalog:
        old = before.get(message.context) if message.id and message.context else None
        if (
            old is None
            or old.id == message.id
            or not any(forms(old.string))
            or any(forms(message.string))
        ):
            continue
        message.string = old.string
        message.flags.add("fuzzy")
        message.previous_id = [old.id] if isinstance(old.id, str) else list(old.id)
        key: Any = (
            old.id if old.context is None else (old.id, old.context)
        )  # Babel's own key scheme
        catalog.obsolete.pop(key, None)
    return catalog


PREFILLED = "Prefilled from "  # a translator comment: where a suggestion came from


def _msgid(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def compendium(locales_dir: Path, code: str, exclude: Path) -> list[tuple[str, Catalog]]:
    """The language's other catalogs (every domain), sorted, each with its file name; a
    catalog that does not read is left out (`check` reports it)."""
    out = []
    for path in sorted((locales_dir / code / "LC_MESSAGES").glob("*.po")):
        if path.resolve() == exclude.resolve():
            continue
        try:
            out.append((path.name, read_catalog(path, code)))
        except CatalogError:
            continue
    return out


def prefill(catalog: Catalog, others: list[tuple[str, Catalog]]) -> int:
    """Fill every untranslated message from the first of `others` that has the same msgid
    translated (msgctxt aside, as msgmerge --compendium does), marked fuzzy with a comment
    naming that catalog: a suggestion, untranslated until a reviewer clears the flag.
    Returns how many were filled. A message checked since loses the comment."""
    known: dict[str | tuple[str, ...], tuple[str, Message]] = {}
    for shown, other in others:
        for m in other:
            if m.id and is_translated(m):
                known.setdefault(_msgid(m), (shown, m))
    filled = 0
    for m in catalog:
        if not m.id:
            continue
        if not m.fuzzy:
            m.user_comments = [c for c in m.user_comments if not c.startswith(PREFILLED)]
        found = known.get(_msgid(m))
        if any(forms(m.string)) or found is None:
            continue
        shown, done = found
        if m.pluralizable and len(forms(done.string)) != catalog.num_plurals:
            continue
        m.string = done.string if isinstance(done.string, str) else tuple(forms(done.string))
        m.flags.add("fuzzy")
        m.user_comments.append(f"{PREFILLED}{shown} (check it)")  # Babel wraps at 76 columns
        filled += 1
    return filled

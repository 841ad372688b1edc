"""Load a handbook source: YAML with places, JSON Schema, then the typed model.

PyYAML's `compose()` keeps node marks that `safe_load` throws away; we turn the
node tree into plain data plus a map from JSON path to place, so every schema
problem is reported where it is in the file.
"""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import functools
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .brand import logo_problems, theme_problems
from .diagnostics import CatalogError, Diagnostic, Place, SourceError, error, relative
from .inline import BIDI_MARKS, check_markup
from .model import (
    Card,
    Change,
    Citation,
    Contact,
    Entry,
    Footer,
    Handbook,
    Item,
    ItemList,
    Logo,
    Paragraph,
    Section,
    Text,
    Theme,
    iter_texts,
)

SCHEMA_PATH = Path(__file__).with_name("handbook.schema.json")
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a handbook is tens of KB; more is a mistake
PROJECT_FOLDERS = frozenset(
    {"source", "locales", "layouts"}
)  # read_text reads nothing that links out of them
JsonPath = tuple[str | int, ...]
CHANGELOG_PARTS = frozenset(
    {"*", "contacts", "sections", "disclaimer", "title", "subtitle", "card"}
)
# Plain YAML only: Python tags (!!python/object...) and the like are refused, never constructed.
SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


# Characters no text may hold, source or translation. Control characters print as
# nothing or as boxes (NUL ends a string in the .mo file). Bidi embeddings and
# overrides reorder everything after them, numbers included: 1-888-373-7888 shows
# as 8887-373-888-1. Isolates and marks are fine when an isolate is closed and
# no mark sits inside a number.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and line feed, DEL, C1
OVERRIDE = re.compile(r"[\u202a-\u202e]")
OPENERS, PDI = "\u2066\u2067\u2068", "\u2069"
ISOLATE = re.compile("[\u2066-\u2069]")
# A mark or an isolate between the digits of a number (or after its +).
BIDI_IN_NUMBER = re.compile(rf"(?<=[\d+])[-.]?[{BIDI_MARKS}]+[-.]?(?=\d)")


def _named(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip()


def _listed(chars: Iterable[str]) -> str:
    return ", ".join(map(_named, dict.fromkeys(chars)))


def _unbalanced(text: str) -> list[str]:
    """Why the isolates of `text` do not pair up: every opener needs its PDI."""
    if not ISOLATE.search(text):
        return []  # most texts: no isolate to pair
    unclosed: list[str] = []
    for ch in text:
        if ch in OPENERS:
            unclosed.append(ch)
        elif ch == PDI and not unclosed:
            return [f"{_named(PDI)} closes no isolate: delete it"]
        elif ch == PDI:
            unclosed.pop()
    return [
        f"{_named(ch)} is never closed by {_named(PDI)}: close it after the text it isolates, "
        "or delete it"
        for ch in dict.fromkeys(unclosed)
    ]


def character_problems(text: str) -> list[tuple[str, str]]:
    """(kind, why) for each kind of character `text` must not hold: "control" or "bidi"."""
    out = []
    if controls := CONTROL.findall(text):
        why = f"a control character is not allowed in a text ({_listed(controls)}); delete it"
        out.append(("control", why))
    if overrides := OVERRIDE.findall(text):
        why = (
            f"a bidi embedding or override ({_listed(overrides)}) reorders the text after it, "
            "numbers included: delete it (the pipeline keeps numbers and names in reading "
            "order itself)"
        )
        out.append(("bidi", why))
    out += [("bidi", why) for why in _unbalanced(text)]
    if marks := [m.group(0).strip("-.")[0] for m in BIDI_IN_NUMBER.finditer(text)]:
        why = (
            f"a bidi mark or isolate inside a number splits it ({_listed(marks)}): delete it, "
            "and write the number as one run of digits and hyphens"
        )
        out.append(("bidi", why))
    return out


@dataclass(frozen=True)
class Located:
    """Plain data from YAML plus the place of every value and mapping key."""

    data: Any
    places: dict[JsonPath, Place]
    key_places: dict[JsonPath, Place]
    written: dict[JsonPath, str]  # the text of each value YAML read as a number or a boolean

    def at(self, path: JsonPath) -> Place:
        while path not in self.places and path:
            path = path[:-1]
        return self.places.get(path, Place(""))


_READS: contextvars.ContextVar[dict[Path, str] | None] = contextvars.ContextVar(
    "reads", default=None
)


@contextmanager
def recording_reads() -> Iterator[dict[Path, str]]:
    """Within the block: the sha256 of every file read_text read (sources, catalogs,
    locale.yaml), as it was read: what a build really used, even if the file changed since."""
    reads: dict[Path, str] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def outside_project(path: Path) -> bool:
    """Whether a project file, named <project>/source|locales|layouts/..., resolves
    through a link to somewhere outside <project>. Such a file is never read, so
    no message can quote what it holds."""
    parts = Path(os.path.abspath(path)).parts
    folders = [i for i, part in enumerate(parts[:-1]) if part in PROJECT_FOLDERS]
    return bool(folders) and not path.resolve().is_relative_to(
        Path(*parts[: folders[-1]]).resolve()
    )


def read_text(
    path: Path, shown: str, failure: type[SourceError | CatalogError] = SourceError
) -> str:
    """Read UTF-8 text, or fail with the place of the first bad byte. A source and a
    catalog share these checks; `failure` is the error raised, and names the codes."""

    def fail(problem: str, why: str, where: Place) -> NoReturn:
        raise failure([error(f"{failure.prefix}-{problem}", why, where)]) from None

    if outside_project(path):
        why = (
            "this file is a link to a file outside the project, which is never read: "
            "copy the file into the project instead"
        )
        fail("outside", why, Place(shown, 1))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail("unreadable", f"cannot read the file: {exc.strerror}", Place(shown))
    if (reads := _READS.get()) is not None:
        reads[path.absolute()] = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_SOURCE_BYTES:
        why = f"file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_SOURCE_BYTES / 1e6:.0f} MB"
        fail("too-large", why, Place(shown, 1))
    if raw.startswith(b"\xef\xbb\xbf"):
        why = "file starts with a byte-order mark; save it as UTF-8 without BOM"
        fail("bom", why, Place(shown, 1, 1))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        why = f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8"
        fail("encoding", why, Place(shown, line, col))


def _runaway_quote(text: str, mark: yaml.Mark) -> yaml.Mark | None:
    """The start of a quoted text that spans lines and ends on the error's line:
    its closing quote is most likely missing where it starts."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line > mark.line:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ("'", '"')
            if quoted and token.start_mark.line < token.end_mark.line == mark.line:
                start: yaml.Mark = token.start_mark
                return start
    except yaml.YAMLError:
        pass
    return None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Diagnostic:
    """PyYAML's parser words, turned into what an editor can act on."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return error("yaml-syntax", " ".join(filter(None, [context, problem])), Place(shown))

    def at(m: yaml.Mark) -> Place:
        return Place(shown, m.line + 1, m.column + 1)

    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "'\\t'" in problem:
        return error(
            "yaml-syntax", "a tab character here: YAML indents with spaces, never tabs", at(mark)
        )
    if context.startswith("while scanning a quoted scalar") and exc.context_mark:
        return error(
            "yaml-syntax",
            "the quote opened here is never closed: add the closing quote",
            at(exc.context_mark),
        )
    opened = _runaway_quote(text, mark)
    if opened is not None:
        return error(
            "yaml-syntax",
            f"the quoted text opened here runs on to line {mark.line + 1}: "
            "add its closing quote on this line",
            at(opened),
        )
    if context.startswith("while parsing a flow") and exc.context_mark:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        return error(
            "yaml-syntax",
            f"the '{opener}' opened here is not closed: add '{closer}', "
            "or put the whole text in quotes",
            at(exc.context_mark),
        )
    if problem == "mapping values are not allowed here":
        if ": " in line[: mark.column]:
            return error(
                "yaml-syntax",
                "a second ': ' on this line: put the text after the key in quotes ('...')",
                at(mark),
            )
        return error(
            "yaml-syntax",
            "this line is indented deeper than the key above it: line it up with its neighbours",
            at(mark),
        )
    if problem.startswith("expected <block end>"):
        return error(
            "yaml-syntax",
            "bad indentation: this line does not line up with the lines above it "
            "(indent with spaces, as many as its neighbours)",
            at(mark),
        )
    return error("yaml-syntax", " ".join(filter(None, [context, problem])), at(mark))


class _Loader(yaml.SafeLoader):
    """The safe loader, noting where aliases (*name) are used."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases: list[yaml.Mark] = []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases.append(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def _shares_nodes(root: yaml.Node) -> bool:
    """True when a node appears twice in the tree: libyaml resolved an alias."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if not isinstance(node, yaml.ScalarNode):
            stack.extend(
                v for pair in node.value for v in (pair if isinstance(pair, tuple) else (pair,))
            )
    return False


def _compose(text: str) -> tuple[yaml.Node | None, list[yaml.Mark]]:
    """libyaml when the text is plain and valid (ten times faster); otherwise the
    pure-Python parser, whose errors and alias marks we turn into diagnostics."""
    if getattr(yaml, "__with_libyaml__", False):
        try:
            root = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            root = None
        else:
            if root is None or not _shares_nodes(root):
                return root, []
    loader = _Loader(text)
    try:
        return loader.get_single_node(), loader.aliases
    finally:
        loader.dispose()


def parse_yaml(text: str, shown: str) -> Located:
    try:
        root, aliases = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise SourceError([_syntax_error(exc, text, shown)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        problem = error(
            "yaml-syntax",
            f"control character {what} is not allowed in the text; delete it",
            Place(shown, line, col),
        )
        raise SourceError([problem]) from None
    except yaml.YAMLError as exc:
        raise SourceError([error("yaml-syntax", str(exc), Place(shown))]) from None
    except RecursionError:
        raise SourceError(
            [error("yaml-syntax", "lists or mappings are nested too deeply", Place(shown, 1))]
        ) from None
    if root is None:
        raise SourceError([error("yaml-empty", "the file is empty", Place(shown, 1))])
    # aliases: a handbook has no use for them, and expanding them can blow a small file up into
    # billions of values
    if aliases:
        raise SourceError(
            [
                error(
                    "yaml-alias",
                    "aliases (*name) are not supported: write the value out",
                    Place(shown, m.line + 1, m.column + 1),
                )
                for m in aliases
            ]
        )
    places: dict[JsonPath, Place] = {}
    key_places: dict[JsonPath, Place] = {}
    written: dict[JsonPath, str] = {}
    problems: list[Diagnostic] = []
    constructor = yaml.SafeLoader("")

    def place(node: yaml.Node) -> Place:
        return Place(shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(node: yaml.Node, path: JsonPath) -> Any:
        places[path] = place(node)
        if node.tag not in SAFE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(
                error(
                    "yaml-tag",
                    f"tag '{tag}' is not allowed: "
                    "a handbook holds only text, numbers, lists and mappings",
                    place(node),
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append(
                        error(
                            "yaml-key",
                            "a key must be a plain word, not a list or a mapping",
                            place(key_node),
                        )
                    )
                    continue
                key = str(key_node.value)
                if key in out:
                    problems.append(
                        error(
                            "yaml-duplicate-key",
                            f"key '{key}' appears twice in this mapping",
                            place(key_node),
                        )
                    )
                    continue
                key_places[(*path, key)] = place(key_node)
                out[key] = convert(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(child, (*path, i)) for i, child in enumerate(node.value)]
        # Scalars: resolve with the safe constructor, but keep dates as the
        # strings the schema expects.
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        try:
            value = constructor.construct_object(node, deep=True)
        except (
            yaml.YAMLError,
            ValueError,
            KeyError,
        ):  # an explicit tag the value does not fit: !!int abc
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(
                error("yaml-value", f"{node.value!r} is not a valid {tag}"[:200], place(node))
            )
            return None
        if isinstance(value, str):  # escapes ("\0", "\u202e") get past the YAML reader's own check
            problems.extend(
                error(f"source-{kind}", why, place(node)) for kind, why in character_problems(value)
            )
        elif value is not None:  # 0207 is the number 135 to YAML: say what was typed
            written[path] = str(node.value)
        return value

    try:
        data = convert(root, ())
    except RecursionError:
        raise SourceError(
            [error("yaml-syntax", "lists or mappings are nested too deeply", Place(shown, 1))]
        ) from None
    if problems:
        raise SourceError(problems)
    return Located(data, places, key_places, written)


@functools.cache
def _validator() -> Any:
    import jsonschema  # imported here: only loading needs it

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


KINDS = {
    "string": "a text",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}
# What each pattern of the schema means, said the way an editor can act on it.
PATTERNS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": (
        "is not an id: use lower-case letters and digits joined by hyphens, e.g. 'get-help'"
    ),
    "^\\d{4}-\\d{2}-\\d{2}$": "is not a date written YYYY-MM-DD",
    "^\\+?(?:[0-9]|\\([0-9]+\\))(?:[ .-]?(?:[0-9]|\\([0-9]+\\)))*$": (
        "is not a phone number: write digits, grouped by single spaces, hyphens or dots, "
        "an area code in brackets if you like, e.g. (202) 671-1880 or +1 202 671 1880"
    ),
    "^https://": "is not a web address starting with https://",
    "^#[0-9A-Fa-f]{6}$": "is not a colour: write # and six hex digits, such as '#1f4e79'",
}
BLOCK = "an answer block is either 'paragraph: TEXT' or 'items: [...]', one per list entry"
# A schema error in words, by the JSON Schema keyword that failed: its code and a template
# over the fields _schema_diagnostic gives. The keywords that report several places, or
# choose between messages, have a function in EXPLAIN instead.
MESSAGES = {
    "pattern": ("schema-pattern", "{instance!r} {meaning}"),
    "const": ("schema-const", "{name} must be {expected!r}, found {instance!r}{to_write}"),
    "enum": ("schema-enum", "{name} is {instance!r}, not one of {expected}{to_write}"),
    "minProperties": ("schema-block", BLOCK),
    "maxProperties": ("schema-block", BLOCK),
    "anyOf": ("schema-contact", "a contact needs a phone, sms or url"),  # the schema's one anyOf
}
ENTRY = "sections.*.entries.*"
# What each key is for and what to write in it, said when a required key is missing and
# when a key is empty: `check` on a new or imported handbook names every key still to
# fill. Keys are JSON paths, '*' for any position in a list.
PURPOSES = {
    "id": (
        "write the handbook's id, lower-case words joined by hyphens such as 'ct-trafficking'; "
        "it names the output files and the translation catalogs"
    ),
    "language": (
        "write en: the source is in English; every other language, British English too, is a "
        "translation of it (handbook init LANG)"
    ),
    "edition": "write the date of this edition, YYYY-MM-DD, printed in every edition's colophon",
    "title": "write the handbook's title, printed on the cover and shown in e-reader libraries",
    "disclaimer": "write the sentence every edition prints on its back cover",
    "names": "list the proper names every translation must keep as written, or delete the key",
    "names.*": "write a proper name, or delete the line",
    "contacts": (
        "list at least one contact (id, label, and a phone, sms or url): the first one is the "
        "hotline every page prints, and all are printed on the cover and the back cover"
    ),
    "contacts.*.id": "write the contact's id, lower-case words joined by hyphens such as 'hotline'",
    "contacts.*.label": (
        "write what the contact is for, such as 'Human trafficking hotline: call or text'"
    ),
    "contacts.*.name": "write the organisation's name (never translated), or delete the key",
    "contacts.*.phone": "write the number to call, such as 1-888-373-7888, or delete the key",
    "contacts.*.sms": "write the number to text, such as 233733, or delete the key",
    "contacts.*.url": "write the web address, starting with https://, or delete the key",
    "sections": "list at least one section (id, title, entries) of questions and answers",
    "sections.*.id": "write the section's id, lower-case words joined by hyphens such as 'basics'",
    "sections.*.title": "write the section's title, printed above its questions and in contents",
    "sections.*.entries": "list at least one entry (id, question, answer) in this section",
    f"{ENTRY}.id": (
        "write the entry's id, lower-case words joined by hyphens; translations and links name "
        "the entry by it"
    ),
    f"{ENTRY}.question": "write the question, as a reader would ask it",
    f"{ENTRY}.answer": "write at least one block, a 'paragraph: TEXT' or a list of 'items:'",
    f"{ENTRY}.answer.*.paragraph": "write the paragraph, or delete the block",
    f"{ENTRY}.answer.*.items": "list at least one item ('- text: ...'), or delete the block",
    f"{ENTRY}.answer.*.items.*.text": "write the item's text, or delete the item",
    f"{ENTRY}.answer.*.items.*.term": "write the item's short label, or delete the key",
    f"{ENTRY}.sources": "list at least one source (title, url, accessed), or delete the key",
    f"{ENTRY}.sources.*.title": "write the title of the law, page or document, as written",
    f"{ENTRY}.sources.*.url": "write the source's web address, starting with https://",
    f"{ENTRY}.sources.*.accessed": "write the day the source was read, YYYY-MM-DD",
    f"{ENTRY}.reviewed": "write the day the answer was last checked, YYYY-MM-DD, or delete the key",
    "card.title": "write the title line of the wallet card",
    "card.contacts": "list the ids of the contacts the card shows, or delete the key for all",
    "card.contacts.*": "write the id of a contact, or delete the line",
    "card.lines": "list one to four short lines the card prints",
    "card.lines.*": "write the line, or delete it",
    "changelog.*.entry": (
        "write the id of the entry that changed, or the part of the handbook: "
        + ", ".join(sorted(CHANGELOG_PARTS))
    ),
    "changelog.*.reason": "write why the entry changed",
    "publisher": (
        "write who publishes the handbook, as written (the PDF's author, the EPUB's creator "
        "and publisher), or delete the key"
    ),
    "paper": "write a4 or letter, the paper your printers take, or delete the key (letter)",
    "theme": "write the colours 'primary' and 'accent', or delete the key for the default ones",
    "theme.primary": (
        "write the cover's colour, such as '#1f4e79': the cover's text is white on it, and "
        "section titles and questions are printed in it on white"
    ),
    "theme.accent": (
        "write the colour of 'Get help now' and the question numbers, such as '#b03a2e' (on "
        "white; the web edition's call buttons are white on it)"
    ),
    "logo": "write the logo's 'file' and 'alt' text, or delete the key",
    "logo.file": (
        "write the name of an SVG or PNG file in the handbook's folder, such as 'logo.svg': "
        "it is printed on the cover and the wallet card"
    ),
    "logo.alt": (
        "write what the logo says, such as 'Example Coalition logo', for readers who cannot see it"
    ),
    "footer": "write which contact every page's footer shows, or delete the key for the first",
    "footer.contact": "write the id of a contact with a phone or sms number, such as 'hotline'",
    "footer.label": (
        "write the footer's words with %(number)s where the number goes, such as "
        "'Wage office: %(number)s', or delete the key for 'Hotline: %(number)s'"
    ),
}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    return "a list" if isinstance(value, list) else "a mapping"


def _suggestion(key: str, allowed: list[str]) -> str | None:
    hint = difflib.get_close_matches(key, allowed, n=1)
    return hint[0] if hint else None


def _name(path: JsonPath) -> str:
    """How a message names the value at `path`: its key, or its place in a list."""
    if not path:
        return "the file"
    last = path[-1]
    return f"item {last + 1} of {_name(path[:-1])}" if isinstance(last, int) else last


def _to_write(path: JsonPath) -> str:
    """': what to write' for the value at `path`, when PURPOSES knows it."""
    purpose = PURPOSES.get(".".join("*" if isinstance(p, int) else p for p in path))
    return f": {purpose}" if purpose else ""


def _blank(err: Any) -> bool:
    """Whether the value is left empty (nothing, blank text, no list item) where the schema
    wants one: said as '<key> is empty' rather than in the words of the keyword that failed."""
    value = err.instance
    if err.validator == "type":  # nothing where a text or a list belongs; a mapping says more
        return value is None and err.validator_value in ("string", "array")
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _unknown_keys(err: Any, doc: Located, path: JsonPath) -> list[Diagnostic]:
    allowed = sorted(err.schema.get("properties", {}))
    out = []
    for key in sorted(set(err.instance) - set(allowed)):
        hint = _suggestion(key, allowed)
        suggestion = f" (did you mean '{hint}'?)" if hint else f" (allowed: {', '.join(allowed)})"
        where = doc.key_places.get((*path, key), doc.at(path))
        out.append(error("schema-unknown-key", f"unknown key '{key}'{suggestion}", where))
    return out


def _required(err: Any, doc: Located, path: JsonPath) -> list[Diagnostic]:
    key = err.message.split("'")[1] if "'" in err.message else err.message
    why = f"missing required key '{key}'{_to_write((*path, key))}"
    return [error("schema-required", why, doc.at(path))]


def _wrong_type(err: Any, doc: Located, path: JsonPath) -> list[Diagnostic]:
    expected = err.validator_value
    quote = (
        " (put it in quotes to make it a text)"
        if expected == "string" and isinstance(err.instance, int | float | bool)
        else ""
    )
    typed = doc.written.get(path)
    found = "" if err.instance is None else f": {typed or repr(err.instance)}"[:120]
    why = f"expected {KINDS.get(expected, expected)}, found {_kind(err.instance)}{found}{quote}"
    return [error("schema-type", why, doc.at(path))]


def _repeated(err: Any, doc: Located, path: JsonPath) -> list[Diagnostic]:
    firsts: dict[str, int] = {}
    out = []
    for i, item in enumerate(err.instance):
        if str(item) in firsts:
            first = doc.at((*path, firsts[str(item)])).line
            why = f"{item!r} is already listed at line {first}"[:200]
            out.append(error("schema-repeated", why, doc.at((*path, i))))
        firsts.setdefault(str(item), i)
    return out


EXPLAIN: dict[str, Callable[[Any, Located, JsonPath], list[Diagnostic]]] = {
    "additionalProperties": _unknown_keys,
    "required": _required,
    "type": _wrong_type,
    "uniqueItems": _repeated,
}


def _schema_diagnostic(err: Any, doc: Located) -> list[Diagnostic]:
    path: JsonPath = tuple(err.absolute_path)
    if _blank(err):
        return [error("schema-empty", f"{_name(path)} is empty{_to_write(path)}", doc.at(path))]
    if err.validator in EXPLAIN:
        return EXPLAIN[err.validator](err, doc, path)
    code, template = MESSAGES.get(err.validator, (f"schema-{err.validator}", "{message}"))
    expected = err.validator_value
    why = template.format(
        name=_name(path),
        instance=err.instance,
        expected=expected,
        message=err.message,
        meaning=PATTERNS.get(str(expected), f"does not match the expected form {expected}"),
        to_write=_to_write(path),
    )
    return [error(code, why[:200], doc.at(path))]


def _misspelled(errors: list[Any]) -> set[tuple[JsonPath, str]]:
    """Required keys that an unknown key near them probably meant: reported once, as the unknown
    key."""
    out = set()
    for err in errors:
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            for key in set(err.instance) - set(allowed):
                hint = _suggestion(key, allowed)
                if hint:
                    out.add((tuple(err.absolute_path), hint))
    return out


def _dates(data: Any) -> Iterator[tuple[JsonPath, Any]]:
    """Where the source writes dates, and what it writes: the edition, each entry's
    review and the day each of its sources was read."""
    yield ("edition",), data.get("edition") if isinstance(data, dict) else None
    sections = data.get("sections") if isinstance(data, dict) else None
    for s, section in enumerate(sections if isinstance(sections, list) else ()):
        entries = section.get("entries") if isinstance(section, dict) else None
        for e, entry in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(entry, dict):
                continue
            ep: JsonPath = ("sections", s, "entries", e)
            yield (*ep, "reviewed"), entry.get("reviewed")
            sources = entry.get("sources")
            for i, source in enumerate(sources if isinstance(sources, list) else ()):
                yield (
                    (*ep, "sources", i, "accessed"),
                    source.get("accessed") if isinstance(source, dict) else None,
                )


def _calendar_dates(doc: Located) -> list[Diagnostic]:
    """Dates written YYYY-MM-DD that no calendar has (2026-02-30); the schema reports the rest."""
    out = []
    for path, value in _dates(doc.data):
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            continue
        try:
            date.fromisoformat(value)
        except ValueError:
            why = (
                f"{path[-1]} '{value}' is not a date in the calendar: write a real day, YYYY-MM-DD"
            )
            out.append(error("schema-date", why, doc.at(path)))
    return out


def _changelog(doc: Located) -> list[Diagnostic]:
    """Changelog lines name entries (or a few whole-handbook parts) that exist."""
    known = {e["id"] for s in doc.data["sections"] for e in s["entries"]} | CHANGELOG_PARTS
    return [
        error(
            "changelog-entry",
            f"changelog names unknown entry '{c['entry']}'",
            doc.at(("changelog", i, "entry")),
        )
        for i, c in enumerate(doc.data.get("changelog", ()))
        if c["entry"] not in known
    ]


def validate(doc: Located) -> list[Diagnostic]:
    """Every schema problem, located; then the checks that need schema-valid data."""
    errors = list(_validator().iter_errors(doc.data))
    skip = _misspelled(errors)
    out = [
        d
        for err in errors
        if not (
            err.validator == "required"
            and (tuple(err.absolute_path), err.message.split("'")[1]) in skip
        )
        for d in _schema_diagnostic(err, doc)
    ]
    out.extend(_calendar_dates(doc))
    data = doc.data if isinstance(doc.data, dict) else {}  # the schema reports a non-mapping
    if isinstance(theme := data.get("theme"), dict):
        out.extend(theme_problems(theme, lambda key: doc.at(("theme", key))))
    if not out:
        out.extend(_changelog(doc))
    return sorted(set(out), key=lambda d: (d.place, d.code, d.message))


def build_model(doc: Located, shown: str) -> Handbook:
    """Turn schema-valid data into the model; message keys are built here."""
    data = doc.data
    lang = data["language"]

    def doc_get(path: JsonPath) -> Any:
        value = doc.data
        for part in path:
            value = value[part]
        return value

    def text(path: JsonPath, key: str, comment: str = "", rich: bool = False) -> Text:
        return Text(
            key=key,
            value=str(doc_get(path)).strip(),
            place=doc.at(path),
            lang=lang,
            comment=comment,
            rich=rich,
        )

    def blocks(path: JsonPath, entry_id: str) -> tuple[Paragraph | ItemList, ...]:
        out: list[Paragraph | ItemList] = []
        for b, block in enumerate(doc_get(path), start=1):
            if "paragraph" in block:
                out.append(
                    Paragraph(text((*path, b - 1, "paragraph"), f"{entry_id}/p{b}", rich=True))
                )
                continue
            items = []
            for i, item in enumerate(block["items"], start=1):
                ip = (*path, b - 1, "items", i - 1)
                term = (
                    text(
                        (*ip, "term"), f"{entry_id}/l{b}.{i}/term", "A short label; keep it short."
                    )
                    if "term" in item
                    else None
                )
                item_text = text((*ip, "text"), f"{entry_id}/l{b}.{i}", rich=True)
                items.append(Item(text=item_text, term=term))
            out.append(ItemList(tuple(items), block.get("style", "numbered")))
        return tuple(out)

    sections = []
    for s, section in enumerate(data["sections"]):
        entries = []
        for e, entry in enumerate(section["entries"]):
            ep: JsonPath = ("sections", s, "entries", e)
            entries.append(
                Entry(
                    id=entry["id"],
                    question=text((*ep, "question"), f"{entry['id']}/question"),
                    answer=blocks((*ep, "answer"), entry["id"]),
                    place=doc.at(ep),
                    sources=tuple(
                        Citation(
                            c["title"].strip(), c["url"], date.fromisoformat(c["accessed"]), lang
                        )
                        for c in entry.get("sources", ())
                    ),
                    reviewed=date.fromisoformat(entry["reviewed"]) if "reviewed" in entry else None,
                )
            )
        title = text(("sections", s, "title"), f"section/{section['id']}")
        sections.append(
            Section(
                id=section["id"], title=title, entries=tuple(entries), place=doc.at(("sections", s))
            )
        )
    contacts = tuple(
        Contact(
            id=c["id"],
            label=text(("contacts", i, "label"), f"contact/{c['id']}"),
            name=c.get("name", ""),
            phone=c.get("phone", ""),
            sms=c.get("sms", ""),
            url=c.get("url", ""),
        )
        for i, c in enumerate(data["contacts"])
    )
    card = (
        _card(doc, text, (text(("title",), "title"), contacts, tuple(sections)))
        if "card" in data
        else None
    )
    return Handbook(
        id=data["id"],
        language=lang,
        edition=date.fromisoformat(data["edition"]),
        title=text(("title",), "title"),
        subtitle=text(("subtitle",), "subtitle")
        if data.get("subtitle")
        else Text("subtitle", "", doc.at(()), lang),
        disclaimer=text(("disclaimer",), "disclaimer"),
        contacts=contacts,
        sections=tuple(sections),
        names=tuple(data.get("names", ())),
        changelog=tuple(Change(**c) for c in data.get("changelog", ())),
        path=shown,
        publisher=data.get("publisher", ""),
        paper=data.get("paper", "letter"),
        card=card,
        require_sources=data.get("require_sources", False),
        review_max_months=data.get("review_max_months", 12),
        theme=Theme(**{k: v.lower() for k, v in data.get("theme", {}).items()}),
        logo=Logo(
            file=data["logo"]["file"],
            alt=text(("logo", "alt"), "logo/alt", LOGO_NOTE),
            place=doc.at(("logo", "file")),
        )
        if "logo" in data
        else None,
        footer=Footer(
            contact=data["footer"]["contact"],
            place=doc.at(("footer", "contact")),
            label=text(("footer", "label"), FOOTER_KEY, FOOTER_NOTE)
            if "label" in data["footer"]
            else None,
        )
        if "footer" in data
        else None,
    )


FOOTER_KEY = "footer/label"  # its msgctxt: qa.footer_label checks its translations
LOGO_NOTE = "The logo's alternative text, read aloud to readers who cannot see it."
FOOTER_NOTE = "Every page's footer: keep %(number)s where the phone number goes; keep it short."


CARD_NOTE = "Wallet card (3.5 x 2 in): keep it about as short as the English."


def _card(doc: Located, text: Callable[[JsonPath, str, str], Text], handbook_texts: object) -> Card:
    """The wallet card. A text that repeats a handbook text word for word takes
    that text's key: one message, so the existing translations apply."""
    data = doc.data["card"]
    known = {
        t.value: t.key for t in reversed(list(iter_texts(handbook_texts)))
    }  # the first of equal texts wins

    def card_text(path: JsonPath, key: str) -> Text:
        value = str(functools.reduce(lambda node, part: node[part], path, data)).strip()
        return text(("card", *path), known.get(value, key), "" if value in known else CARD_NOTE)

    return Card(
        title=card_text(("title",), "card/title"),
        lines=tuple(
            card_text(("lines", i), f"card/line{i + 1}") for i in range(len(data["lines"]))
        ),
        contacts=tuple(data.get("contacts") or [c["id"] for c in doc.data["contacts"]]),
        back=data.get("back", ""),
        place=doc.at(("card",)),
    )


def check_ids(handbook: Handbook) -> list[Diagnostic]:
    """Ids name messages and links: each must be unique in its kind."""
    out: list[Diagnostic] = []
    kinds = (
        ("section", [(s.id, s.place) for s in handbook.sections]),
        ("entry", [(e.id, e.place) for e in handbook.entries]),
        ("contact", [(c.id, c.label.place) for c in handbook.contacts]),
    )
    for kind, items in kinds:
        seen: dict[str, Place] = {}
        for ident, where in items:
            if ident in seen:
                out.append(
                    error(
                        "duplicate-id",
                        f"{kind} id '{ident}' is already used at line {seen[ident].line}: "
                        f"give this {kind} an id of its own (translations and links find it "
                        "by its id)",
                        where,
                    )
                )
            else:
                seen[ident] = where
    if handbook.card:
        known = [c.id for c in handbook.contacts]
        out.extend(
            error(
                "card-contact",
                f"the card names unknown contact '{c}' (known: {', '.join(known)})",
                handbook.card.place,
            )
            for c in handbook.card.contacts
            if c not in known
        )
    if handbook.footer:
        out.extend(_footer_problems(handbook, handbook.footer))
    return sorted(out, key=lambda d: d.place)


def _footer_problems(handbook: Handbook, footer: Footer) -> list[Diagnostic]:
    """The footer names a contact the handbook has, with a number to print."""
    by_id = {c.id: c for c in handbook.contacts}
    contact = by_id.get(footer.contact)
    if contact is None:
        why = f"the footer names unknown contact '{footer.contact}' (known: {', '.join(by_id)})"
        return [error("footer-contact", why, footer.place)]
    if not (contact.phone or contact.sms):
        why = (
            f"the footer's contact '{footer.contact}' has no phone or sms number to print: "
            "name a contact that has one"
        )
        return [error("footer-contact", why, footer.place)]
    label = footer.label
    if label and label.value.count("%(number)s") != 1:
        why = "the footer's label must hold %(number)s once, where the number goes"
        return [error("footer-label", why, label.place)]
    return []


def load(path: Path) -> Handbook:
    """Read, parse, validate and build; raise SourceError with every problem."""
    shown = relative(path)
    if not path.is_file():
        raise SourceError([error("source-missing", "no such handbook source", Place(shown))])
    handbook = _load(read_text(path, shown), shown)
    if handbook.logo is None:
        return handbook
    # Checked on every load, not cached with the text: the file may change on its own.
    file, problems = logo_problems(handbook.logo, path.parent)
    if file is None:
        raise SourceError(problems)
    return dataclasses.replace(handbook, logo=dataclasses.replace(handbook.logo, path=str(file)))


@functools.lru_cache(maxsize=4)
def _load(text: str, shown: str) -> Handbook:
    """A worker building several locales of one handbook parses and validates it
    once: the Handbook is immutable, and a changed text is a new key."""
    doc = parse_yaml(text, shown)
    problems = validate(doc)
    if problems:
        raise SourceError(problems)
    handbook = build_model(doc, shown)
    problems = check_ids(handbook) + check_markup(handbook)
    if problems:
        raise SourceError(problems)
    return handbook

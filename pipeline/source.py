"""Load a handbook source: YAML with places, JSON Schema, then the typed model.

PyYAML's `compose()` keeps node marks that `safe_load` throws away; we turn the
node tree into plain data plus a map from JSON path to place, so every schema
problem is reported where it is in the file.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, Place, SourceError, error, relative
from .model import Change, Contact, Entry, Handbook, Item, ItemList, Paragraph, Section, Text

SCHEMA_PATH = Path(__file__).with_name("handbook.schema.json")
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a handbook is tens of KB; more is a mistake
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Plain data from YAML plus the place of every value and mapping key."""

    data: Any
    places: dict[JsonPath, Place]
    key_places: dict[JsonPath, Place]

    def at(self, path: JsonPath) -> Place:
        while path not in self.places and path:
            path = path[:-1]
        return self.places.get(path, Place(""))


def read_text(path: Path, shown: str) -> str:
    """Read UTF-8 text, or fail with the place of the first bad byte."""
    raw = path.read_bytes()
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError([error("source-too-large", f"file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_SOURCE_BYTES / 1e6:.0f} MB", Place(shown, 1))])
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SourceError([error("source-bom", "file starts with a byte-order mark; save it as UTF-8 without BOM", Place(shown, 1, 1))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError([error("source-encoding", f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8", Place(shown, line, col))]) from None


def parse_yaml(text: str, shown: str) -> Located:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Place(shown, mark.line + 1, mark.column + 1) if mark else Place(shown)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        if "\t" in text and "tab" in str(exc.problem or ""):
            what += " (YAML indents with spaces, never tabs)"
        raise SourceError([error("yaml-syntax", what, where)]) from None
    except yaml.YAMLError as exc:
        raise SourceError([error("yaml-syntax", str(exc), Place(shown))]) from None
    if root is None:
        raise SourceError([error("yaml-empty", "the file is empty", Place(shown, 1))])
    places: dict[JsonPath, Place] = {}
    key_places: dict[JsonPath, Place] = {}
    problems: list[Diagnostic] = []
    constructor = yaml.SafeLoader("")

    def place(node: yaml.Node) -> Place:
        return Place(shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(node: yaml.Node, path: JsonPath) -> Any:
        places[path] = place(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in out:
                    problems.append(error("yaml-duplicate-key", f"key '{key}' appears twice in this mapping", place(key_node)))
                    continue
                key_places[(*path, key)] = place(key_node)
                out[key] = convert(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(child, (*path, i)) for i, child in enumerate(node.value)]
        # Scalars: resolve with the safe constructor (no Python tags), but keep
        # dates as the strings the schema expects.
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problems.append(error("yaml-value", str(exc).splitlines()[0], place(node)))
            return None

    data = convert(root, ())
    if problems:
        raise SourceError(problems)
    return Located(data, places, key_places)


@functools.cache
def _validator() -> Any:
    import jsonschema  # imported here: only loading needs it

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_diagnostic(err: Any, doc: Located) -> list[Diagnostic]:
    path: JsonPath = tuple(err.absolute_path)
    where = doc.at(path)
    validator = err.validator
    if validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        out = []
        for key in extra:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(allowed)})"
            out.append(error("schema-unknown-key", f"unknown key '{key}'{suggestion}", doc.key_places.get((*path, key), where)))
        return out
    if validator == "required":
        field = err.message.split("'")[1] if "'" in err.message else err.message
        return [error("schema-required", f"missing required key '{field}'", where)]
    if validator == "type":
        return [error("schema-type", f"expected {err.validator_value}, found {type(err.instance).__name__}: {err.instance!r}"[:200], where)]
    if validator == "minLength":
        return [error("schema-empty", "text is empty", where)]
    if validator == "minItems":
        return [error("schema-empty", "list is empty", where)]
    if validator == "pattern":
        return [error("schema-pattern", f"{err.instance!r} does not match the expected form {err.validator_value}", where)]
    if validator in ("maxProperties", "minProperties"):
        return [error("schema-block", "an answer block is either 'paragraph: TEXT' or 'items: [...]', one per list entry", where)]
    if validator == "anyOf" and "contacts" in path:
        return [error("schema-contact", "a contact needs a phone, sms or url", where)]
    return [error(f"schema-{validator}", err.message[:200], where)]


def validate(doc: Located) -> list[Diagnostic]:
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: tuple(map(str, e.absolute_path)))
    out: list[Diagnostic] = []
    for err in errors:
        out.extend(_schema_diagnostic(err, doc))
    return sorted(set(out), key=lambda d: (d.place, d.code))


def build_model(doc: Located, shown: str) -> Handbook:
    """Turn schema-valid data into the model; message keys are built here."""
    data = doc.data
    lang = data["language"]

    def doc_get(path: JsonPath) -> Any:
        value = doc.data
        for part in path:
            value = value[part]
        return value

    def text(path: JsonPath, key: str, comment: str = "") -> Text:
        return Text(key=key, value=str(doc_get(path)).strip(), place=doc.at(path), lang=lang, comment=comment)

    def blocks(path: JsonPath, entry_id: str) -> tuple[Paragraph | ItemList, ...]:
        out: list[Paragraph | ItemList] = []
        for b, block in enumerate(doc_get(path), start=1):
            if "paragraph" in block:
                out.append(Paragraph(text((*path, b - 1, "paragraph"), f"{entry_id}/p{b}")))
                continue
            items = []
            for i, item in enumerate(block["items"], start=1):
                ip = (*path, b - 1, "items", i - 1)
                term = text((*ip, "term"), f"{entry_id}/l{b}.{i}/term", "A short label; keep it short.") if "term" in item else None
                items.append(Item(text=text((*ip, "text"), f"{entry_id}/l{b}.{i}"), term=term))
            out.append(ItemList(tuple(items)))
        return tuple(out)

    sections = []
    for s, section in enumerate(data["sections"]):
        entries = []
        for e, entry in enumerate(section["entries"]):
            ep: JsonPath = ("sections", s, "entries", e)
            entries.append(Entry(
                id=entry["id"],
                question=text((*ep, "question"), f"{entry['id']}/question"),
                answer=blocks((*ep, "answer"), entry["id"]),
                place=doc.at(ep),
            ))
        sections.append(Section(id=section["id"], title=text(("sections", s, "title"), f"section/{section['id']}"), entries=tuple(entries), place=doc.at(("sections", s))))
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
    return Handbook(
        id=data["id"],
        language=lang,
        edition=date.fromisoformat(data["edition"]),
        title=text(("title",), "title"),
        subtitle=text(("subtitle",), "subtitle") if data.get("subtitle") else Text("subtitle", "", doc.at(()), lang),
        disclaimer=text(("disclaimer",), "disclaimer"),
        contacts=contacts,
        sections=tuple(sections),
        names=tuple(data.get("names", ())),
        changelog=tuple(Change(**c) for c in data.get("changelog", ())),
        path=shown,
    )


def check_ids(handbook: Handbook) -> list[Diagnostic]:
    """Ids name messages and links: each must be unique in its kind."""
    out: list[Diagnostic] = []
    seen: dict[str, Place] = {}
    for kind, items in (("section", [(s.id, s.place) for s in handbook.sections]), ("entry", [(e.id, e.place) for e in handbook.entries])):
        seen.clear()
        for ident, where in items:
            if ident in seen:
                out.append(error("duplicate-id", f"{kind} id '{ident}' is already used at line {seen[ident].line}", where))
            else:
                seen[ident] = where
    known = {e.id for e in handbook.entries}
    for change in handbook.changelog:
        if change.entry not in known and change.entry not in {"*", "contacts", "sections", "disclaimer", "title", "subtitle"}:
            out.append(error("changelog-entry", f"changelog names unknown entry '{change.entry}'", Place(handbook.path)))
    return out


def load(path: Path) -> Handbook:
    """Read, parse, validate and build; raise SourceError with every problem."""
    shown = relative(path)
    if not path.is_file():
        raise SourceError([error("source-missing", "no such handbook source", Place(shown))])
    doc = parse_yaml(read_text(path, shown), shown)
    problems = validate(doc)
    if problems:
        raise SourceError(problems)
    handbook = build_model(doc, shown)
    problems = check_ids(handbook)
    if problems:
        raise SourceError(problems)
    return handbook

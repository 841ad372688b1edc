"""Schema messages: a key left out or left empty is named, with what to write in it.

A new or imported handbook starts with empty keys; `check` must name each one and say
what it is for, not "text is empty". The table of purposes (source.PURPOSES) has to
keep up with the schema: these tests walk the schema itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.source import PURPOSES, SCHEMA_PATH, parse_yaml, validate

TINY = Path(__file__).parent / "roots" / "tiny" / "source" / "tiny" / "handbook.yaml"


def schema_keys(
    node: dict[str, Any], defs: dict[str, Any], path: str = ""
) -> Iterator[tuple[str, bool]]:
    """(path, required) of every key and list item the schema knows, '*' for a list position."""
    if "$ref" in node:
        node = defs[node["$ref"].removeprefix("#/$defs/")]
    required = set(node.get("required", ()))
    for key, sub in node.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        yield here, key in required
        yield from schema_keys(sub, defs, here)
    if "items" in node:
        yield f"{path}.*", False
        yield from schema_keys(node["items"], defs, f"{path}.*")


SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
KEYS = dict(schema_keys(SCHEMA, SCHEMA["$defs"]))


def test_every_required_key_says_what_to_write() -> None:
    assert sorted(k for k, required in KEYS.items() if required and k not in PURPOSES) == []


def test_every_purpose_names_a_key_of_the_schema() -> None:
    assert sorted(PURPOSES.keys() - KEYS.keys()) == []


def problems(text: str) -> list[str]:
    return [str(d) for d in validate(parse_yaml(text, "handbook.yaml"))]


@pytest.mark.parametrize(
    ("line", "blank", "expected"),
    [
        (
            5,
            "disclaimer:",  # nothing after the colon
            "handbook.yaml:5:12: error: disclaimer is empty: write the sentence every edition "
            "prints on its back cover [schema-empty]",
        ),
        (
            8,
            "  label: '  '",
            "handbook.yaml:8:10: error: label is empty: write what the contact is for, such as "
            "'Human trafficking hotline: call or text' [schema-empty]",
        ),
        (
            10,
            "  phone: ''",
            "handbook.yaml:10:10: error: phone is empty: write the number to call, such as "
            "1-888-373-7888, or delete the key [schema-empty]",
        ),
        (
            13,
            "- ''",
            "handbook.yaml:13:3: error: item 1 of names is empty: write a proper name, or delete "
            "the line [schema-empty]",
        ),
        (
            15,
            "- id: ''",
            "handbook.yaml:15:7: error: id is empty: write the section's id, lower-case words "
            "joined by hyphens such as 'basics' [schema-empty]",
        ),
        (
            16,
            "  title:",
            "handbook.yaml:16:9: error: title is empty: write the section's title, printed above "
            "its questions and in contents [schema-empty]",
        ),
    ],
)
def test_an_empty_key_is_named_with_what_to_write(line: int, blank: str, expected: str) -> None:
    lines = TINY.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = blank
    assert problems("\n".join(lines) + "\n") == [expected]


def test_a_missing_key_says_what_to_write() -> None:
    text = TINY.read_text(encoding="utf-8").replace("    question: Where can I get help?\n", "")
    assert problems(text) == [
        "handbook.yaml:18:5: error: missing required key 'question': write the question, "
        "as a reader would ask it [schema-required]"
    ]


def test_a_wrong_value_that_is_not_empty_keeps_its_own_message() -> None:
    text = TINY.read_text(encoding="utf-8")
    assert problems(
        text.replace("id: tiny", "id: Tiny Book").replace("language: en", "language: es")
    ) == [
        "handbook.yaml:1:5: error: 'Tiny Book' is not an id: use lower-case letters and digits "
        "joined by hyphens, e.g. 'get-help' [schema-pattern]",
        "handbook.yaml:2:11: error: language must be 'en', found 'es': write en: the source is "
        "in English; every other language, British English too, is a translation of it "
        "(handbook init LANG) [schema-const]",
    ]

"""The importer: faithful to the seed, and loud about anything ambiguous."""

from __future__ import annotations

import pytest

from pipeline.diagnostics import SourceError
from pipeline.importer import parse_qa
from pipeline.model import iter_texts

from .conftest import SEED


def seed_texts() -> tuple[list[str], list[str]]:
    entries = parse_qa(SEED.read_text(encoding="utf-8"), str(SEED))
    questions = [e["question"] for e in entries]
    body = []
    for e in entries:
        for block in e["answer"]:
            if "paragraph" in block:
                body.append(block["paragraph"])
            for item in block.get("items", []):
                body.append(f"{item['term']}: {item['text']}" if "term" in item else item["text"])
    return questions, body


@pytest.mark.skipif(not SEED.exists(), reason="the seed lives in ../shared")
def test_seed_import_is_faithful(handbook) -> None:  # type: ignore[no-untyped-def]
    questions, body = seed_texts()
    assert len(questions) == 20
    raw = SEED.read_text(encoding="utf-8")
    # Every imported text is a line (or the rest of a numbered line) of the seed.
    for text in questions + body:
        assert text in raw
    shipped = {t.value for t in iter_texts(handbook)}
    shipped_items = set(shipped)
    for e in handbook.entries:
        for block in e.answer:
            for item in getattr(block, "items", ()):
                if item.term:
                    shipped_items.add(f"{item.term.value}: {item.text.value}")
    edited = {c.original for c in handbook.changelog if c.original}
    assert {q for q in questions} <= shipped
    missing = [
        t
        for t in body
        if t not in shipped_items and t not in edited and t.split(": ", 1)[-1] not in edited
    ]
    assert missing == []
    assert (
        len(edited) == 2
    )  # the persona opener of question 2; the federal U and T visas (laws-and-policies)


def test_items_restart_and_terms_are_optional() -> None:
    text = "1. First?\nIntro.\n1. A: one.\n2. two without term\nClosing.\n2. Second?\nOnly a paragraph.\n"
    entries = parse_qa(text, "t.txt")
    assert [e["question"] for e in entries] == ["First?", "Second?"]
    assert entries[0]["answer"][1]["items"] == [
        {"term": "A", "text": "one."},
        {"text": "two without term"},
    ]
    assert entries[1]["answer"] == [{"paragraph": "Only a paragraph."}]


def test_question_after_a_termed_list_is_not_an_item() -> None:
    text = "1. First?\n1. A: one.\n2. Second?\nAnswer.\n"
    assert [e["question"] for e in parse_qa(text, "t.txt")] == ["First?", "Second?"]


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("Preamble\n1. Q?\nA.\n", 1, "import-preamble"),
        ("1. Q?\n1. one\n3. three\n", 3, "import-numbering"),
        ("1. Q?\n1. one\n2. Could be both?\n", 3, "import-ambiguous"),
        ("1. Q?\n2. Next?\nA.\n", 1, "import-empty-answer"),
    ],
)
def test_bad_import_is_located(text: str, line: int, code: str) -> None:
    with pytest.raises(SourceError) as exc:
        parse_qa(text, "bad.txt")
    first = exc.value.diagnostics[0]
    assert (first.place.path, first.place.line, first.code) == ("bad.txt", line, code)
    assert str(first).startswith(f"bad.txt:{line}: error: ")

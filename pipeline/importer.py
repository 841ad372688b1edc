"""Import the plain-text Q&A format into a handbook source (a plain dict).

The format: numbered questions ending in '?', then the answer: paragraphs and
numbered items (optionally `Term: text`), item numbers restarting at 1 in every
answer. A numbered line must be either the next question or the next item.
When both fit (a list of five items, then "6. ...?" as question 6), the line is
the question only if the list's items all have terms and it has none; anything
else that could be both, or neither, is an error: we never guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from .diagnostics import Diagnostic, Place, SourceError, UsageError, error

NUMBERED = re.compile(r"^(\d+)\.\s+(\S.*)$")
# A term is a short label before the first colon: at most 8 words, no sentence punctuation.
TERM = re.compile(r"^([^.,;:?!]{1,80}):\s+(\S.*)$")
MAX_TERM_WORDS = 8
STOP_WORDS = frozenset(
    "a an and are any as at by can do does for from how in into is of on or "
    "s that the their there these this to what which who with connecticut".split()
)
SLUG_WORDS = 4
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as the schema's ids


@dataclass
class _Answer:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    next_item: int = 1

    def paragraph(self, text: str) -> None:
        self.blocks.append({"paragraph": text})
        self.next_item = 1

    def term_list_breaks(self, text: str) -> bool:
        """True when the current list's items all have terms and `text` has none:
        then a numbered question after a list cannot be read as its next item."""
        items = self.blocks[-1].get("items", []) if self.blocks else []
        return bool(items) and all("term" in i for i in items) and "term" not in split_term(text)

    def item(self, text: str) -> None:
        if not self.blocks or "items" not in self.blocks[-1]:
            self.blocks.append({"items": []})
        self.blocks[-1]["items"].append(split_term(text))
        self.next_item += 1


def split_term(text: str) -> dict[str, str]:
    m = TERM.match(text)
    if m and len(m.group(1).split()) <= MAX_TERM_WORDS:
        return {"term": m.group(1).strip(), "text": m.group(2).strip()}
    return {"text": text}


def slugify(question: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    content = [w for w in words if w not in STOP_WORDS][:SLUG_WORDS] or ["entry"]
    slug = "-".join(content)
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def parse_qa(text: str, path: str) -> list[dict[str, Any]]:
    """Parse the Q&A text into entries; raise SourceError with every problem."""
    problems: list[Diagnostic] = []
    entries: list[dict[str, Any]] = []
    answer: _Answer | None = None
    question_line = 0
    taken: set[str] = set()

    def close(line: int) -> None:
        if answer is not None and not answer.blocks:
            problems.append(
                error(
                    "import-empty-answer",
                    f"question {len(entries)} has no answer",
                    Place(path, question_line),
                )
            )
        if answer is not None:
            entries[-1]["answer"] = answer.blocks

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        here = Place(path, lineno)
        m = NUMBERED.match(line)
        next_question = len(entries) + 1
        if m:
            number, body = int(m.group(1)), m.group(2).strip()
            is_question = number == next_question and body.endswith("?")
            is_item = answer is not None and number == answer.next_item
            if is_question and is_item and answer is not None and not answer.term_list_breaks(body):
                problems.append(
                    error(
                        "import-ambiguous",
                        f"'{number}.' could be question {next_question} or item {number} of the answer above; "
                        "renumber or reword so only one reading fits",
                        here,
                    )
                )
            if is_question:
                close(lineno)
                entries.append({"id": slugify(body, taken), "question": body})
                answer, question_line = _Answer(), lineno
                continue
            if is_item and answer is not None:
                answer.item(body)
                continue
            expected = f"question {next_question} (ending in '?')"
            if answer is not None:
                expected = f"item {answer.next_item} or {expected}"
            problems.append(
                error("import-numbering", f"line numbered {number}, expected {expected}", here)
            )
            continue
        if answer is None:
            problems.append(
                error("import-preamble", "text before the first numbered question", here)
            )
            continue
        answer.paragraph(line)
    close(0)
    if not entries and not problems:
        problems.append(error("import-empty", "no numbered questions found", Place(path, 1)))
    if problems:
        raise SourceError(problems)
    return entries


def import_handbook(
    text: str, path: str, handbook_id: str, title: str, edition: date
) -> dict[str, Any]:
    """A minimal valid source: the editor then adds contacts, sections and metadata."""
    if not SLUG.fullmatch(handbook_id):
        raise UsageError(
            [
                error(
                    "import-id",
                    f"'{handbook_id}' is not a handbook id: use lower-case letters and digits "
                    "joined by hyphens, e.g. 'ct-trafficking'",
                    Place("--id"),
                )
            ]
        )
    return {
        "id": handbook_id,
        "language": "en",
        "edition": edition.isoformat(),
        "title": title,
        "subtitle": "",
        "disclaimer": "",
        "contacts": [],
        "sections": [
            {"id": "questions", "title": "Questions and answers", "entries": parse_qa(text, path)}
        ],
    }


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML for people: keys in order, one text per line, UTF-8 as is."""
    header = "# yaml-language-server: $schema=../../pipeline/handbook.schema.json\n"
    return header + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100_000, indent=2
    )

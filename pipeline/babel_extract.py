"""Babel extraction method for handbook sources (`pybabel extract -F babel.cfg`).

Yields one `pgettext` message per text, with the stable key as context, so our
own `handbook extract` and pybabel find exactly the same messages: pybabel writes
both domains into one .pot; those from source/ are locales/<handbook>.pot, those
from layouts/ (Babel's jinja2 method) locales/layouts.pot.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from .diagnostics import SourceError
from .model import iter_texts
from .source import build_model, parse_yaml, validate

Extracted = tuple[int, str, tuple[str, str], list[str]]


def extract_handbook(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    shown = getattr(fileobj, "name", "handbook.yaml")
    doc = parse_yaml(fileobj.read().decode("utf-8"), str(shown))
    problems = validate(doc)
    if problems:
        raise SourceError(problems)
    for text in iter_texts(build_model(doc, str(shown))):
        if text.value:
            yield (
                text.place.line,
                "pgettext",
                (text.key, text.value),
                [text.comment] if text.comment else [],
            )

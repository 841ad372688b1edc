"""Content lints fit real FAQs: a model's persona is flagged, an ordinary first-person question
is not."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.lint import lint
from pipeline.model import Handbook


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("What if I am undocumented and my employer keeps my passport?", False),
        ("Can I get help if I cannot speak English?", False),
        (
            "As an expert in immigration policy, I must clarify that my expertise lies elsewhere?",
            True,
        ),
        ("As an AI, what can you tell me about trafficking?", True),
        ("I am a language model; where can victims get help?", True),
    ],
)
def test_persona_lint(handbook: Handbook, question: str, flagged: bool) -> None:
    entry = handbook.entries[0]
    edited = dataclasses.replace(
        entry, question=dataclasses.replace(entry.question, value=question)
    )
    sections = tuple(
        dataclasses.replace(s, entries=tuple(edited if e is entry else e for e in s.entries))
        for s in handbook.sections
    )
    codes = [
        d.code
        for d in lint(dataclasses.replace(handbook, sections=sections))
        if d.place == entry.question.place
    ]
    assert ("lint-persona" in codes) is flagged


@pytest.mark.parametrize(
    ("phone", "flagged"),
    [
        ("1-888-373-7888", False),
        ("+1 202 671 1880", False),
        ("(202) 671-1880", False),
        ("0800 0121 700", False),  # not North American: its shape is the country's
        ("116 006", False),
        ("1-888-373-788", True),  # a digit short
        ("1-888-373-78888", True),
        ("(202) 671-18800", True),
    ],
)
def test_a_north_american_number_with_a_digit_too_many_or_too_few(
    handbook: Handbook, phone: str, flagged: bool
) -> None:
    hotline = dataclasses.replace(handbook.contacts[0], phone=phone)
    edited = dataclasses.replace(handbook, contacts=(hotline, *handbook.contacts[1:]))
    codes = [d.code for d in lint(edited) if d.place == hotline.label.place]
    assert ("lint-number-shape" in codes) is flagged


def first_paragraph_codes(handbook: Handbook, paragraph: str) -> list[str]:
    """The lint codes of the handbook's first answer paragraph, written as `paragraph`."""
    entry = handbook.entries[0]
    block = entry.answer[0]
    text = dataclasses.replace(block.text, value=paragraph)  # type: ignore[union-attr]
    edited_entry = dataclasses.replace(
        entry, answer=(dataclasses.replace(block, text=text), *entry.answer[1:])
    )
    sections = tuple(
        dataclasses.replace(s, entries=tuple(edited_entry if e is entry else e for e in s.entries))
        for s in handbook.sections
    )
    edited = dataclasses.replace(handbook, sections=sections)
    return [d.code for d in lint(edited) if d.place == text.place]


@pytest.mark.parametrize(
    ("paragraph", "flagged"),
    [
        ("See http://ayuda.example.org/trata for more.", True),
        ("See [the page](HTTP://ayuda.example.org).", True),
        ("See https://ayuda.example.org/trata for more.", False),
    ],
)
def test_an_unencrypted_address_is_a_warning(
    handbook: Handbook, paragraph: str, flagged: bool
) -> None:
    codes = first_paragraph_codes(handbook, paragraph)
    assert ("lint-http" in codes) is flagged


@pytest.mark.parametrize(
    ("paragraph", "flagged"),
    [
        ("Call the helpline on 116 123 at any time.", True),
        ("Call [116 123](tel:116123) at any time.", False),
        ("Call 0800 0121 700 at any time.", False),  # a phone number the pipeline links
        ("Call 911 or 233733.", False),
        ("In 2019 2,000 people called.", False),
        ("In 2019 20 people called.", False),
        ("Call +49 30 1234 now.", True),
        ("Call 0800 0121 700 or 116 123.", True),
    ],
)
def test_a_number_written_like_a_phone_number_that_nothing_links(
    handbook: Handbook, paragraph: str, flagged: bool
) -> None:
    codes = first_paragraph_codes(handbook, paragraph)
    assert ("lint-number-spaced" in codes) is flagged

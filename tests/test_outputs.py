"""Real output, parsed: PDF text and structure, EPUB contents, per shipped locale."""

from __future__ import annotations

import re
import unicodedata

import pikepdf
import pytest
from ebooklib import epub

from pipeline.build import prepare, resolve_locale

from .conftest import Built


def normalize(text: str) -> str:
    """pdftotext breaks lines and hyphenates; compare on letters and digits only."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"-\n", "", text)  # soft hyphenation at line ends
    return re.sub(r"[\W_]+", "", text)


@pytest.fixture
def view(project, handbook, locale):  # type: ignore[no-untyped-def]
    return prepare(project, handbook, resolve_locale(project, handbook, locale), allow_partial=False).view


def test_pdf_text_has_every_question(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    text = normalize(built[locale].pdftext())
    missing = [q.entry.question.value for s in view.sections for q in s.entries if normalize(q.entry.question.value) not in text]
    assert missing == []


def test_pdf_keeps_every_contact_number(built: dict[str, Built], handbook, locale: str) -> None:  # type: ignore[no-untyped-def]
    text = built[locale].pdftext()
    for contact in handbook.contacts:
        for number in filter(None, (contact.phone, contact.sms)):
            assert number in text


def test_pdf_structure(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(built[locale].pdf) as pdf:
        assert str(pdf.Root.Lang) == view.loc.tag
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        meta = pdf.open_metadata()
        assert "pdfuaid:part" in str(meta) or meta.get("pdfuaid:part") == "1"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            children = [c.title for item in outline.root for c in item.children]
    sections = [s.title.value for s in view.sections]
    assert titles == sections
    assert len(children) == view.entry_count


def test_epub_opens_with_the_right_language(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    book = epub.read_epub(str(built[locale].epub), {"ignore_ncx": True})
    assert book.get_metadata("DC", "language")[0][0] == view.loc.tag
    assert book.get_metadata("DC", "title")[0][0] == view.hb.title.value
    documents = [i for i in book.get_items() if i.media_type == "application/xhtml+xml"]
    body = "".join(d.get_content().decode() for d in documents)
    for s in view.sections:
        for q in s.entries:
            assert q.entry.id in body
    for d in documents:
        head = d.get_content().decode()[:600]
        assert f'lang="{view.loc.tag}"' in head and f'xml:lang="{view.loc.tag}"' in head and f'dir="{view.loc.dir}"' in head

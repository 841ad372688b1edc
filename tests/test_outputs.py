"""Real output, parsed: PDF text and structure, EPUB contents, per shipped locale."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from xml.etree import ElementTree

import pikepdf
import pytest
from ebooklib import epub

from .conftest import Built


def normalize(text: str) -> str:
    """pdftotext breaks lines and hyphenates; compare on letters and digits only."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"-\n", "", text)  # soft hyphenation at line ends
    return re.sub(r"[\W_]+", "", text)


def found(needle: str, haystack: str) -> bool:
    """`needle` in the extracted text. pdftotext's layout mode puts Arabic marks
    (shadda, tanween) on lines of their own and then may print the pieces of a
    wrapped heading out of order; for those we accept every word of the needle
    within a window around it (the text of the page, if not its line order)."""
    flat, text = normalize(needle), normalize(haystack)
    if flat in text:
        return True
    words = [w for w in map(normalize, needle.split()) if w]
    width = 2 * len(flat)
    for m in re.finditer(re.escape(words[0]), text):
        window = text[max(0, m.start() - width) : m.start() + width]
        if all(w in window for w in words):
            return True
    return False


def test_pdf_text_has_every_question(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    text = built[locale].pdftext()
    missing = [
        q.entry.question.value
        for s in view.sections
        for q in s.entries
        if not found(q.entry.question.value, text)
    ]
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


XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_epub_opens_with_the_right_language(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    book = epub.read_epub(str(built[locale].epub), {"ignore_ncx": True})
    assert book.get_metadata("DC", "language")[0][0] == view.loc.tag
    assert book.get_metadata("DC", "title")[0][0] == view.hb.title.value
    with zipfile.ZipFile(built[locale].epub) as z:
        documents = {
            n: ElementTree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")
        }
    ids = {el.get("id") for root in documents.values() for el in root.iter()}
    assert {q.anchor for s in view.sections for q in s.entries} <= ids
    for name, root in documents.items():
        assert (root.get("lang"), root.get(XML_LANG), root.get("dir")) == (
            view.loc.tag,
            view.loc.tag,
            view.loc.dir,
        ), name


@pytest.mark.parametrize("code", ["ar", "fa_AF"])
def test_right_to_left_text_copies_out_in_logical_order(built: dict[str, Built], code: str) -> None:
    """Lam-alef ligatures and numbers inside RTL sentences (docs/pitfalls.md)."""
    text = built[code].pdftext()
    assert "1-888-373-7888" in text
    assert "7888-373-888-1" not in text
    lam_alef = {"ar": "الاتجار", "fa_AF": "مشکلات"}[code]
    assert lam_alef in text

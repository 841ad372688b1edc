"""Real output, parsed: PDF text and structure, EPUB contents, per shipped locale."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest
from ebooklib import epub

from pipeline.model import Handbook, ItemList

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


def list_items(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """The kinds of the kids of every /LI in the PDF's structure tree (walked from the
    StructTreeRoot down /K, as a screen reader does): those inside an entry (/Art, the
    answers' lists, which show a marker) and the others (contents, contacts: no marker)."""
    answers: list[list[str]] = []
    others: list[list[str]] = []

    def walk(element: pikepdf.Object, in_entry: bool) -> None:
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        kids = [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        if element.get("/S") == "/LI":
            (answers if in_entry else others).append([str(k.S) for k in kids])
        for kid in kids:
            walk(kid, in_entry or element.get("/S") == "/Art")

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot, False)
    return answers, others


def item_count(handbook: Handbook) -> int:
    """The items of the answers' lists (the same in every language)."""
    return sum(
        len(block.items)
        for s in handbook.sections
        for e in s.entries
        for block in e.answer
        if isinstance(block, ItemList)
    )


def test_every_list_item_is_one_item_with_its_marker(
    built: dict[str, Built], handbook: Handbook, locale: str
) -> None:
    """PDF/UA: an item's marker is its /Lbl, its text its /LBody. An item broken across
    pages was two items there, the second without /Lbl (es, en: 118 and 116 /LI for 85
    items); screen readers count items and read their numbers from the tree."""
    answers, others = list_items(built[locale].pdf)
    assert answers == [["/Lbl", "/LBody"]] * item_count(handbook)
    assert others
    assert all(kinds == ["/LBody"] for kinds in others)


def test_every_list_item_of_a_bilingual_edition_has_its_marker(
    bilingual: dict[str, Built], handbook: Handbook
) -> None:
    for code, edition in bilingual.items():
        answers, others = list_items(edition.pdf)
        assert answers == [["/Lbl", "/LBody"]] * (2 * item_count(handbook)), code
        assert others, code
        assert all(kinds == ["/LBody"] for kinds in others), code


def structure_kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def test_every_section_and_entry_is_one_element(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    """WeasyPrint makes a page's elements afresh on every page: a section or an entry going
    on over a page break was two /Sect or two /Art there (es: a question's answer split from
    it, an entry more for a screen reader to list). Each section is one /Sect holding one
    /Art per entry, in order, and the key that joins the pieces is gone from the file."""
    with pikepdf.open(built[locale].pdf) as pdf:
        top = structure_kids(pdf.Root.StructTreeRoot.K[0])
        entries = [
            [str(k.S) for k in structure_kids(e)].count("/Art")
            for e in top
            if "/Art" in [str(k.S) for k in structure_kids(e)]
        ]
        leftovers = [
            o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/HandbookElement" in o
        ]
    assert entries == [len(s.entries) for s in view.sections]
    assert leftovers == []


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

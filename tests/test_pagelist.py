"""The EPUB's page-list against the print edition it names (es, ar, es+en): every body
page that has text is listed, from page 1 to the back cover, and its marker sits before
the words that start the page, inside a paragraph or list item too. The front matter (roman
pages) is left out by design (pipeline/epub.py render_epub). And the nav's questions,
numbered by their lists, say each number once in a reader that numbers lists (Pandoc)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from lxml import etree

from pipeline.epub import page_breaks, print_pages, word_offset

from .conftest import Built

EDITIONS = ("es", "ar", "es+en")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
HEAD, FOOT = 60, 66  # points above and below the text block: running heads and folios
WORDS = 3  # words compared at each marker
BLOCKS = ("p", "li", "h2", "h3")


@pytest.fixture(scope="module")
def editions(built: dict[str, Built], bilingual: dict[str, Built]) -> dict[str, Built]:
    """The session's builds (tests/conftest.py): nothing is built again here."""
    return {code: {**built, **bilingual}[code] for code in EDITIONS}


def ascii_number(label: str) -> str:
    """A page label in the locale's digits ('١٢') as ASCII ('12')."""
    return "".join(str(unicodedata.digit(c)) for c in label)


def words(text: str) -> list[str]:
    """The words of a text, without numbers (list numbers are typed in print, counted in
    the EPUB), hyphenated line ends joined, combining marks left out (the PDF's text layer
    detaches Arabic shadda and tanwin: docs/pitfalls.md)."""
    text = re.sub(r"[\u00ad\u2010-]\n", "", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return [
        w for w in re.findall(r"\w+", text) if not w.isdigit() and not any(c.isdigit() for c in w)
    ]


@dataclass(frozen=True)
class Page:
    label: str
    words: list[str]  # in pdftotext's order
    top: set[str]  # the words of its first two lines


def top_words(pdf: Path) -> list[set[str]]:
    """The words of each page's first two lines of text below the running head, as pdfium
    reads them (pdftotext may give an Arabic page's wrapped lines out of order)."""
    doc = pypdfium2.PdfDocument(pdf)
    out = []
    for page in doc:
        width, height = page.get_size()
        text = page.get_textpage().get_text_bounded(0, FOOT, width, height - HEAD)
        out.append(set(words("\n".join(text.strip().splitlines()[:2]))))
    return out


def pdf_pages(pdf: Path) -> list[Page]:
    """Each page's label (physical number where the PDF has no labels) and the words of
    its text block, without the running head and the folio."""
    with pikepdf.open(pdf) as doc:
        boxes = [
            (i + 1, page.label or str(i + 1), page.mediabox) for i, page in enumerate(doc.pages)
        ]
    top = top_words(pdf)
    out = []
    for number, label, box in boxes:
        width, height = int(box[2]), int(box[3])
        text = subprocess.run(
            [
                "pdftotext",
                "-enc",
                "UTF-8",
                "-f",
                str(number),
                "-l",
                str(number),
                "-x",
                "0",
                "-y",
                str(HEAD),
                "-W",
                str(width),
                "-H",
                str(height - HEAD - FOOT),
                str(pdf),
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out.append(Page(label, words(text), top[number - 1]))
    return out


def body(pages: list[Page], first_words: list[str]) -> list[Page]:
    """The pages from the body's first on: the first page (after the contents) whose text
    starts with the first section's title."""
    starts = [i for i, p in enumerate(pages) if p.words[:WORDS] == first_words]
    return pages[starts[-1] :]


@dataclass(frozen=True)
class Marker:
    label: str
    words: list[str]  # the words that follow the marker


def epub_markers(ebook: Path) -> tuple[list[str], list[Marker], list[list[str]]]:
    """The page-list's labels, every pagebreak marker in reading order with the words after
    it, and the opening words of every block (heading, paragraph, list item)."""
    with zipfile.ZipFile(ebook) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        page_list = next(n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "page-list")
        labels = [a.text or "" for a in page_list.iter(f"{XHTML}a")]
        docs = [
            *sorted(n for n in z.namelist() if re.search(r"section-\d+\.xhtml$", n)),
            "EPUB/back.xhtml",
        ]
        trees = [etree.fromstring(z.read(n)) for n in docs]
    markers, blocks = [], []
    for tree in trees:
        text = ""  # the document's text, with a marker's place noted
        places = []
        for event, el in etree.iterwalk(tree.find(f"{XHTML}body"), events=("start", "end")):
            if event == "start":
                if "pagebreak" in el.get(EPUB_TYPE, ""):
                    places.append((el.get("aria-label", ""), len(text)))
                if etree.QName(el).localname in BLOCKS:
                    blocks.append(words(" ".join(el.itertext()))[:WORDS])
                text += " " + (el.text or "")
            else:
                text += " " + (el.tail or "")
        markers += [Marker(label, words(text[at:])[:WORDS]) for label, at in places]
    return labels, markers, blocks


def starts(page: Page, marker: Marker) -> bool:
    """Whether the page opens with the marker's words."""
    return bool(marker.words) and set(marker.words) <= page.top


@pytest.mark.parametrize("code", EDITIONS)
def test_page_list_has_every_body_page_with_text(editions: dict[str, Built], code: str) -> None:
    labels, markers, blocks = epub_markers(editions[code].epub)
    first_section = blocks[0]  # the first document's first block: the first section's title
    pages = body(pdf_pages(editions[code].pdf), first_section)
    with_text = [p.label for p in pages if p.words]
    assert [ascii_number(label) for label in labels] == with_text
    assert [ascii_number(m.label) for m in markers] == with_text  # in reading order, one each


@pytest.mark.parametrize("code", EDITIONS)
def test_each_marker_is_where_its_page_starts(editions: dict[str, Built], code: str) -> None:
    """Every marker is followed by the words its print page starts with, also where the page
    starts inside a paragraph or list item (after a word hyphenated across the turn)."""
    _labels, markers, blocks = epub_markers(editions[code].epub)
    pages = {p.label: p for p in body(pdf_pages(editions[code].pdf), blocks[0])}
    wrong = [
        (m.label, m.words, sorted(pages[ascii_number(m.label)].top))
        for m in markers
        if not starts(pages[ascii_number(m.label)], m)
    ]
    assert wrong == []


@pytest.mark.parametrize("code", EDITIONS)
def test_nav_says_each_question_number_once(editions: dict[str, Built], code: str) -> None:
    with zipfile.ZipFile(editions[code].epub) as z:
        nav = z.read("EPUB/nav.xhtml")
    entries = len(
        etree.fromstring(nav).findall(f".//{XHTML}nav/{XHTML}ol/{XHTML}li/{XHTML}ol/{XHTML}li")
    )
    plain = subprocess.run(
        ["pandoc", "-f", "html", "-t", "plain", "--wrap=none"],
        input=nav,
        capture_output=True,
        check=True,
    ).stdout.decode()
    numbered = re.findall(r"^ {4}(\d+)\.\s+(\S+)", plain, re.M)  # the questions: the second level
    assert [int(n) for n, _ in numbered] == list(range(1, entries + 1))
    assert entries > 10
    assert not [
        first for _, first in numbered if re.match(r"\d", first)
    ]  # no number typed in as well, in any digits


def test_page_breaks_before_blocks_and_within_them() -> None:
    order = [("a.xhtml", "s"), ("a.xhtml", "p1"), ("a.xhtml", "p2"), ("b.xhtml", "back")]
    starts = {"s": 1, "p1": 1, "p2": 4, "back": 5}
    # Page 2 starts inside p1 (found by its first line); page 3 inside a block the EPUB lacks.
    breaks = page_breaks(order, starts, {2: ("p1", "line two"), 3: ("elsewhere", "x")})
    assert breaks.before == {"s": (1,), "p2": (3, 4), "back": (5,)}
    assert breaks.within == {"p1": (2,)}
    assert breaks.lines == {2: "line two"}
    assert [p["href"] for p in print_pages(order, breaks, str)] == [
        "a.xhtml#page-1",
        "a.xhtml#page-2",
        "a.xhtml#page-3",
        "a.xhtml#page-4",
        "b.xhtml#page-5",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("dades pueden ayudar a", "pueden</a> ayudar"),  # after a word hyphenated across the turn
        ("evaluar & más.", "evaluar &amp; más."),  # text, not markup
        ("Tom & Jerry", None),  # not in the block: the marker stays at its end
        ("tra\u2010", None),  # only the start of a hyphenated word: nothing to look for
    ],
)
def test_word_offset(line: str, expected: str | None) -> None:
    markup = 'Las comunidades <a href="#x">pueden</a> ayudar a evaluar &amp; más.'
    offset = word_offset(markup, line)
    assert (None if offset is None else markup[offset : offset + len(expected or "")]) == expected

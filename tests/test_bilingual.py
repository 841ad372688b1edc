"""The bilingual edition (es+en, fa_AF+en): pairs on the same page, the first
language on the reading-start side, tagged PDF, and an EPUB that passes
EPUBCheck with every paired block in its own language and direction."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pypdfium2
import pytest
from ebooklib import epub

from pipeline.build import Project, build, prepare, resolve_locale
from pipeline.diagnostics import UsageError
from pipeline.model import ItemList
from pipeline.present import View

from .conftest import BILINGUAL, HANDBOOK, ROOT, Built
from .test_epubcheck import run_epubcheck
from .test_outputs import found
from .test_parts import assert_structure_holds, languages_tagged
from .test_safety import PO, tiny_project

PAIRS = BILINGUAL
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def editions(bilingual: dict[str, Built]) -> dict[str, Built]:
    return bilingual


@pytest.fixture(scope="module")
def views() -> dict[str, View]:
    project = Project(ROOT)
    handbook = project.load(HANDBOOK)
    return {
        code: prepare(
            project, handbook, resolve_locale(project, handbook, code), allow_partial=False
        ).view
        for code in ("es", "fa_AF", "en")
    }


def sides(pair: str, views: dict[str, View]) -> tuple[View, View]:
    first, second = pair.split("+")
    return views[first], views[second]


@pytest.mark.parametrize("pair", PAIRS)
def test_output_names(editions: dict[str, Built], pair: str) -> None:
    built = editions[pair]
    assert built.tag == pair.replace("_", "-")
    assert (built.pdf.name, built.epub.name) == (f"{HANDBOOK}.pdf", f"{HANDBOOK}.epub")


def question_pages(pdf: Path) -> list[int]:
    """The 1-based page each question's bookmark points to, in order."""
    with pikepdf.open(pdf) as doc:
        index = {page.obj.objgen: n for n, page in enumerate(doc.pages, start=1)}
        with doc.open_outline() as outline:
            return [
                index[q.destination[0].objgen] for section in outline.root for q in section.children
            ]


@pytest.mark.parametrize("pair", PAIRS)
def test_each_question_in_both_languages_on_its_bookmarked_page(
    editions: dict[str, Built], views: dict[str, View], pair: str
) -> None:
    a, b = sides(pair, views)
    built = editions[pair]
    questions = [
        (qa.entry.question.value, qb.entry.question.value)
        for sa, sb in zip(a.sections, b.sections, strict=True)
        for qa, qb in zip(sa.entries, sb.entries, strict=True)
    ]
    pages = question_pages(built.pdf)
    assert len(pages) == len(questions) == a.entry_count
    texts = {n: built.pdftext("-f", str(n), "-l", str(n)) for n in set(pages)}
    missing = [
        (n, qa, qb)
        for n, (qa, qb) in zip(pages, questions, strict=True)
        if not (found(qa, texts[n]) and found(qb, texts[n]))
    ]
    assert missing == []


@pytest.mark.parametrize("pair", PAIRS)
def test_no_pair_breaks_across_pages(pair: str) -> None:
    """Measured on WeasyPrint's layout (text extraction of Arabic script with
    marks is too unreliable to tell): every pair lies on one page, whole."""
    from weasyprint.formatting_structure.boxes import Box

    from pipeline.bilingual import Side, edition, print_html
    from pipeline.pdf import _render

    project = Project(ROOT)
    handbook = project.load(HANDBOOK)
    pair_sides = tuple(
        Side(
            prepare(
                project, handbook, resolve_locale(project, handbook, code), allow_partial=False
            ),
            n,
        )
        for n, code in enumerate(pair.split("+"), start=1)
    )
    html = print_html(
        project.layouts,
        edition(project.layouts, pair_sides, epub=False),
        size="letter",
        press=None,
    )
    document = _render(html, project.layouts, (project.layouts, project.source))
    pages_of: dict[int, set[int]] = {}

    def walk(box: Box, page: int) -> None:
        element = getattr(box, "element", None)
        if element is not None and "pair" in (element.get("class") or "").split():
            pages_of.setdefault(id(element), set()).add(page)
        for child in getattr(box, "children", ()):
            walk(child, page)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number)
    a = pair_sides[0].view
    blocks = sum(
        len(block.items) if hasattr(block, "items") else 1
        for s in a.sections
        for q in s.entries
        for block in q.entry.answer
    )
    assert len(pages_of) >= len(a.sections) + a.entry_count + blocks
    assert [p for p in pages_of.values() if len(p) > 1] == []


@pytest.mark.parametrize("pair", PAIRS)
def test_answers_in_both_languages(
    editions: dict[str, Built], views: dict[str, View], pair: str
) -> None:
    text = editions[pair].pdftext()
    for view in sides(pair, views):
        last = view.sections[-1].entries[-1].entry.answer[-1]
        assert found(last.text.value, text)  # the closing paragraph of the last answer
        assert "1-888-373-7888" in text
        assert "7888-373-888-1" not in text


def half_text(pdf: Path, page: int, side: str) -> str:
    """The text inside one half of a page (pdfium: PDF coordinates, origin bottom left)."""
    doc = pypdfium2.PdfDocument(pdf)
    width, height = doc[page - 1].get_size()
    text = doc[page - 1].get_textpage()
    return str(
        text.get_text_bounded(0, 0, width / 2, height)
        if side == "left"
        else text.get_text_bounded(width / 2, 0, width, height)
    )


@pytest.mark.parametrize(("pair", "first_side"), [("es+en", "left"), ("fa_AF+en", "right")])
def test_first_language_on_the_reading_start_side(
    editions: dict[str, Built], views: dict[str, View], pair: str, first_side: str
) -> None:
    a, b = sides(pair, views)
    page = question_pages(editions[pair].pdf)[0]
    other = "right" if first_side == "left" else "left"
    qa, qb = (
        a.sections[0].entries[0].entry.question.value,
        b.sections[0].entries[0].entry.question.value,
    )
    assert found(qa, half_text(editions[pair].pdf, page, first_side))
    assert found(qb, half_text(editions[pair].pdf, page, other))
    assert not found(qb, half_text(editions[pair].pdf, page, first_side))


@pytest.mark.parametrize("pair", PAIRS)
def test_pdf_tagged_with_bookmarks_in_both_languages_and_own_fonts(
    editions: dict[str, Built], views: dict[str, View], pair: str
) -> None:
    a, b = sides(pair, views)
    with pikepdf.open(editions[pair].pdf) as pdf:
        assert str(pdf.Root.Lang) == a.loc.tag
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert titles == [
        f"{sa.title.value} / {sb.title.value}"
        for sa, sb in zip(a.sections, b.sections, strict=True)
    ]
    rows = subprocess.run(
        ["pdffonts", str(editions[pair].pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    families = {f.replace(" ", "-") for view in (a, b) for f in view.loc.fonts.families}
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        assert name.split("+")[-1].removesuffix("-Bold") in families, (
            f"{row}: a fallback font, not one chosen for {pair}"
        )


@pytest.mark.parametrize("pair", PAIRS)
def test_structure_holds(editions: dict[str, Built], pair: str) -> None:
    assert_structure_holds(editions[pair].pdf, rtl=pair.startswith("fa"))
    assert (
        languages_tagged(editions[pair].pdf).get("en", 0) > 100
    )  # every English cell, not the document's language
    with pikepdf.open(
        editions[pair].pdf
    ) as pdf:  # each side's links are described in its own language
        described = {str(a.Contents) for a in pdf.pages[0].obj.Annots}
    assert "Call 1-888-373-7888" in described
    assert len(described) == 6  # three contacts, in two languages


def list_items(path: Path) -> list[list[str]]:
    """The kids of each LI of the PDF's structure tree that holds a label (its number)."""
    out = []
    with pikepdf.open(path) as pdf:
        for o in pdf.objects:
            if (
                isinstance(o, pikepdf.Dictionary)
                and o.get("/Type") == "/StructElem"
                and o.get("/S") == "/LI"
            ):
                kids = o.K if isinstance(o.K, pikepdf.Array) else [o.K]
                out.append(
                    [str(k.S) for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
                )
    return [kids for kids in out if "/Lbl" in kids]


@pytest.mark.parametrize("pair", PAIRS)
def test_answer_lists_are_tagged_lists(
    editions: dict[str, Built], views: dict[str, View], pair: str
) -> None:
    """Each list item, in each language, is an LI with its number as Lbl and its text as LBody
    (not a paragraph with the number typed in); in the EPUB, Pandoc numbers each item once."""
    a, b = sides(pair, views)
    items = [
        i
        for s in a.sections
        for q in s.entries
        for block in q.entry.answer
        if isinstance(block, ItemList)
        for i in block.items
    ]
    assert list_items(editions[pair].pdf) == [["/Lbl", "/LBody"]] * (2 * len(items))
    numbers = [
        str(n)
        for s in a.sections
        for q in s.entries
        for block in q.entry.answer
        if isinstance(block, ItemList)
        for n in range(1, len(block.items) + 1)
        for _side in (a, b)
    ]
    with zipfile.ZipFile(editions[pair].epub) as z:
        chapters = sorted(n for n in z.namelist() if n.startswith("EPUB/section-"))
        plain = [
            subprocess.run(
                ["pandoc", "-f", "html", "-t", "plain", "--wrap=none"],
                input=z.read(n),
                capture_output=True,
                check=True,
            ).stdout.decode()
            for n in chapters
        ]
    # Pandoc numbers each item from its list, once: "2.  Debt Bondage: …", never "1.  2. …".
    assert [n for text in plain for n in re.findall(r"^(\d+)\.  (?!\S*\d)", text, re.M)] == numbers


@pytest.mark.parametrize("pair", PAIRS)
def test_epub_passes_epubcheck(editions: dict[str, Built], pair: str, tmp_path: Path) -> None:
    assert run_epubcheck(editions[pair].epub, tmp_path) == []


@pytest.mark.parametrize("pair", PAIRS)
def test_epub_pairs_carry_their_own_lang_and_dir(
    editions: dict[str, Built], views: dict[str, View], pair: str
) -> None:
    a, b = sides(pair, views)
    expected = [(v.loc.tag, v.loc.tag, v.loc.dir) for v in (a, b)]
    book = epub.read_epub(str(editions[pair].epub), {"ignore_ncx": True})
    assert [m[0] for m in book.get_metadata("DC", "language")] == [a.loc.tag, b.loc.tag]
    with zipfile.ZipFile(editions[pair].epub) as z:
        documents = {
            n: ElementTree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")
        }
    pairs = 0
    for name, root in documents.items():
        assert (root.get("lang"), root.get("dir")) == (a.loc.tag, a.loc.dir), name
        for element in root.iter(f"{XHTML}div"):
            if "pair" not in element.get("class", "").split():
                continue
            pairs += 1
            cells = list(element)
            assert [(c.get("lang"), c.get(XML_LANG), c.get("dir")) for c in cells] == expected, (
                name,
                element.get("class"),
            )
            assert all("".join(c.itertext()).strip() for c in cells), name
    blocks = sum(
        len(block.items) if hasattr(block, "items") else 1
        for s in a.sections
        for q in s.entries
        for block in q.entry.answer
    )
    assert (
        pairs == 4 + len(a.sections) + a.entry_count + blocks
    )  # cover, help, colophon, back; then every heading and block
    ids = {el.get("id") for root in documents.values() for el in root.iter()}
    assert {q.anchor for s in a.sections for q in s.entries} <= ids
    toc = next(
        el for el in documents["EPUB/nav.xhtml"].iter(f"{XHTML}nav") if el.get("id") == "toc"
    )
    links = list(toc.iter(f"{XHTML}a"))
    assert len(links) == len(a.sections) + a.entry_count
    for link in links:
        spans = [s for s in link if "cell" in s.get("class", "")]
        assert [(s.get("lang"), s.get(XML_LANG), s.get("dir")) for s in spans] == expected


def test_bilingual_needs_two_different_locales(tmp_path: Path) -> None:
    project = Project(ROOT, tmp_path)
    for bad in ("es+es", "es+en+fr", "es+"):
        with pytest.raises(UsageError):
            build(project, HANDBOOK, bad)
    with pytest.raises(UsageError):
        build(project, HANDBOOK, "es+xx")
    assert list(tmp_path.iterdir()) == []


def test_a_reviewed_catalog_is_credited_in_the_single_and_the_bilingual_edition(
    tmp_path: Path,
) -> None:
    """Every edition's colophon is the one in layouts/_colophon.j2: the bilingual edition's
    copy of it once left the reviewer's credit out."""
    project = tiny_project(tmp_path / "tiny")
    signed = "# Review: reviewed\n# Reviewer: Ana Pérez\n# Review-Date: 2026-12-01"
    for po in (project.root / PO, (project.root / PO).with_name("layouts.po")):  # both signed
        po.write_text(re.sub(r"# Review: draft.*", signed, po.read_text("utf-8")), "utf-8")
    credit = "Traducción revisada por Ana Pérez el 2026-12-01."
    for code in ("es", "es+en"):
        pdf, ebook = build(project, "tiny", code)
        built = Built(code, code, pdf, ebook)
        with zipfile.ZipFile(ebook) as z:
            colophon = ElementTree.fromstring(z.read("EPUB/colophon.xhtml"))
        assert credit in " ".join(built.pdftext().split()), code
        assert credit in " ".join("".join(colophon.itertext()).split()), code
        assert "borrador" not in built.pdftext(), code


def test_a_bullet_list_keeps_its_bullets_in_the_bilingual_edition(tmp_path: Path) -> None:
    """Each item's cell is a list of one item in its list's style: a bullet list's items are
    bullets in both languages (a <ul>, no number in the PDF's text), never numbered."""
    project = tiny_project(tmp_path / "tiny")
    source = project.handbook_path("tiny")
    text = source.read_text("utf-8")
    assert "    - items:\n" in text
    source.write_text(
        text.replace("    - items:\n", "    - style: bullet\n      items:\n"), "utf-8"
    )
    pdf, ebook = build(project, "tiny", "es+en")
    with zipfile.ZipFile(ebook) as z:
        (chapter,) = [n for n in z.namelist() if n.startswith("EPUB/section-")]
        body = ElementTree.fromstring(z.read(chapter))
    bullets = list(body.iter(XHTML + "ul"))
    assert [b.get("class") for b in bullets] == ["items"] * 4  # 2 items x 2 languages
    assert [len(b.findall(XHTML + "li")) for b in bullets] == [1] * 4
    assert not [ol for ol in body.iter(XHTML + "ol") if ol.get("class") == "items"]
    words = " ".join(Built("es+en", "es+en", pdf, ebook).pdftext().split())
    for item in ("In an emergency", "Text 233733"):
        assert item in words
        assert not re.search(rf"\d\. (Emergency: )?{item}", words), item
    assert list_items(pdf) == [["/Lbl", "/LBody"]] * 4  # still tagged lists, bullet as label

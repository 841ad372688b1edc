"""The print edition: fonts, contents, bookmarks, sizes, metadata, links, no tofu."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from pipeline.build import Project, build
from pipeline.diagnostics import Place
from pipeline.fonts import check_coverage
from pipeline.locales import FONTS
from pipeline.model import Text

from .conftest import HANDBOOK, ROOT, Built

LOCAL_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
TOC_NUMBER = re.compile(r"(\d+)\s*\.{4,}|\.{4,}\s*(\d+)")


def outline_pages(pdf: pikepdf.Pdf) -> list[int]:
    """1-based page of every bookmark, sections and their questions in order."""
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages, start=1)}
    with pdf.open_outline() as outline:
        return [index[item.destination[0].objgen] for section in outline.root for item in (section, *section.children)]


def test_fonts_embedded_and_subset(built: dict[str, Built], locale: str) -> None:
    rows = subprocess.run(["pdffonts", str(built[locale].pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb, sub = row.split()[0], row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert "Oblique" not in name
        assert "Italic" not in name


def test_contents_page_numbers_are_where_the_questions_are(built: dict[str, Built], locale: str) -> None:
    text = built[locale].pdftext("-f", "2", "-l", "4").translate(LOCAL_DIGITS)
    printed = [int(a or b) for a, b in TOC_NUMBER.findall(text)]
    with pikepdf.open(built[locale].pdf) as pdf:
        assert printed == outline_pages(pdf)


def test_metadata_and_link_descriptions(built: dict[str, Built], locale: str) -> None:
    with pikepdf.open(built[locale].pdf) as pdf:
        info = pdf.docinfo
        assert str(info.Title)
        assert str(info.Subject)
        assert str(info.Keywords)
        assert str(info.CreationDate).startswith("D:20261128")  # SOURCE_DATE_EPOCH, not the clock
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                description = str(annot.get("/Contents", ""))
                assert description
                assert not re.fullmatch(r"[sq]-[a-z0-9-]+|(tel|sms):\+?\d+", description), description


def test_page_furniture_in_the_locale(built: dict[str, Built]) -> None:
    arabic = built["ar"].pdftext("-f", "5", "-l", "5")
    assert "صفحة ٥" in arabic or "٥ صفحة" in arabic  # folio in Arabic-Indic digits
    assert "1-888-373-7888" in arabic  # hotline in the footer, in order
    assert "Página 5" in built["es"].pdftext("-f", "5", "-l", "5")


@pytest.mark.parametrize(("size", "press", "width", "height"), [("a5", False, 419.5, 595.3), ("a4", True, 595.3, 841.9)])
def test_sizes_and_press_variant(tmp_path: Path, size: str, press: bool, width: float, height: float) -> None:
    pdf_path, _ = build(Project(ROOT, tmp_path), HANDBOOK, "es", size=size, press=press)
    assert pdf_path.name == f"{HANDBOOK}-{size}{'-press' if press else ''}.pdf"
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[3]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        assert trim[2] - trim[0] == pytest.approx(width, abs=1)
        assert trim[3] - trim[1] == pytest.approx(height, abs=1)
        media = [float(v) for v in page.mediabox]
        bleed = (media[2] - media[0] - width) / 2
        assert bleed > 8 if press else bleed == pytest.approx(0, abs=0.5)  # 3 mm bleed plus room for crop marks


def test_a_script_no_font_covers_fails_before_rendering() -> None:
    text = Text("trafficker-methods/p1", "النص العربي هنا", Place("x.po", 12), "ar")
    problems = check_coverage([text], "", FONTS["latin"], "locales/xx")
    assert len(problems) == 1
    message = str(problems[0])
    assert "[font-coverage]" in message
    assert "U+0627" in message
    assert "trafficker-methods" in message
    assert "fonts-noto-core" in message



def test_no_question_is_orphaned_at_a_page_bottom(built: dict[str, Built], locale: str) -> None:
    """A question heading always has answer lines below it on its page."""
    bottom_margin = 24 / 25.4 * 72  # print.css: @page margin-bottom 24mm
    with pikepdf.open(built[locale].pdf) as pdf, pdf.open_outline() as outline:
        tops = [float(q.destination[3]) for section in outline.root for q in section.children]
    assert min(tops) - bottom_margin > 60, f"a question starts {min(tops) - bottom_margin:.0f} pt above the bottom margin"


def test_hyphenation_only_where_pyphen_has_the_language(built: dict[str, Built]) -> None:
    """Spanish breaks words at line ends (pdftotext shows the hyphens); Chinese and Arabic never get 'hyphens: auto'."""
    from pipeline.locales import locale_info

    assert [locale_info(c, ROOT / "locales").hyphenate for c in ("es", "pt_BR", "uk", "ht", "zh_Hans", "ar", "fa_AF")] == [
        True, True, True, False, False, False, False]
    assert re.search(r"\w[-\u2010]\n\w", built["es"].pdftext())  # WeasyPrint hyphenates with U+2010
    assert not re.search(r"\w[-\u2010]\n\w", built["zh_Hans"].pdftext())


def test_publisher_names_the_author(tmp_path: Path) -> None:
    from .conftest import copy_project

    project = copy_project(tmp_path)
    source = project.handbook_path(HANDBOOK)
    text = source.read_text(encoding="utf-8").replace("\nlanguage: en\n", "\nlanguage: en\npublisher: Example Coalition\n")
    source.write_text(text, encoding="utf-8")
    pdf_path, epub_path = build(project, HANDBOOK, "en")
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo.Author) == "Example Coalition"
    with zipfile.ZipFile(epub_path) as z:
        assert "<dc:publisher>Example Coalition</dc:publisher>" in z.read("EPUB/content.opf").decode()

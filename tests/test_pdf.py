"""The print edition: fonts, contents, bookmarks, sizes, metadata, links, no tofu."""

from __future__ import annotations

import logging
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from pipeline.build import Project, build
from pipeline.diagnostics import Place, RenderError
from pipeline.fonts import check_coverage
from pipeline.locales import fonts_for
from pipeline.model import Text
from pipeline.pdf import HARMLESS_LOG, _watched, lay_out
from pipeline.present import View
from pipeline.press import load_press

from .conftest import HANDBOOK, ROOT, Built

LOCAL_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def outline_pages(pdf: pikepdf.Pdf) -> list[int]:
    """1-based page of every bookmark, sections and their questions in order."""
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages, start=1)}
    with pdf.open_outline() as outline:
        return [
            index[item.destination[0].objgen]
            for section in outline.root
            for item in (section, *section.children)
        ]


def question_labels(pdf: pikepdf.Pdf) -> list[str]:
    """The page label (the printed folio) of every question's bookmark, in order."""
    labels = {page.obj.objgen: page.label for page in pdf.pages}
    with pdf.open_outline() as outline:
        return [
            labels[q.destination[0].objgen] for section in outline.root for q in section.children
        ]


def contents_numbers(path: Path, pdf: pikepdf.Pdf) -> dict[str, str]:
    """The page number printed in each contents entry (the one number inside its
    link that is not the entry's own 'n.'), by the question the link leads to."""
    found: dict[str, set[str]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        links = [
            (str(a.Dest), [float(v) for v in a.Rect])
            for a in page.obj.get("/Annots", [])
            if str(a.get("/Dest", "")).startswith("q-")
        ]
        if not links:
            continue
        bbox = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        height = float(page.mediabox[3])
        for x0, y0, x1, y1, word in WORD.findall(bbox):
            x, y = (float(x0) + float(x1)) / 2, height - (float(y0) + float(y1)) / 2
            digits = word.translate(LOCAL_DIGITS)
            for name, (x1, y1, x2, y2) in links:  # WeasyPrint writes the corners in any order
                if (
                    digits.isdigit()
                    and min(x1, x2) <= x <= max(x1, x2)
                    and min(y1, y2) <= y <= max(y1, y2)
                ):
                    found.setdefault(name, set()).add(digits)
    assert all(len(numbers) == 1 for numbers in found.values()), found
    return {name: numbers.pop() for name, numbers in found.items()}


def test_fonts_embedded_and_subset(built: dict[str, Built], locale: str) -> None:
    rows = subprocess.run(
        ["pdffonts", str(built[locale].pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb, sub = row.split()[0], row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert "Oblique" not in name
        assert "Italic" not in name


def test_contents_page_numbers_are_where_the_questions_are(
    built: dict[str, Built], locale: str, view: View
) -> None:
    """Each contents entry prints the folio of the page its question's bookmark
    is on; folios (and page labels) start at 1 on the body's first page, a recto."""
    with pikepdf.open(built[locale].pdf) as pdf:
        printed = contents_numbers(built[locale].pdf, pdf)
        names = [q.anchor for s in view.sections for q in s.entries]
        assert list(printed) == names  # every question, in order
        assert list(printed.values()) == question_labels(pdf)
        labels = [page.label for page in pdf.pages]
        front = labels.index("1")
        assert front % 2 == 0  # so page 1 is a recto
        assert labels == [
            *(roman(i) for i in range(1, front + 1)),
            *(str(i) for i in range(1, len(labels) - front + 1)),
        ]


def roman(n: int) -> str:
    return ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][n - 1]


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
                assert not re.fullmatch(r"[sq]-[a-z0-9-]+|(tel|sms):\+?\d+", description), (
                    description
                )


def test_page_furniture_in_the_locale(built: dict[str, Built]) -> None:
    """Folios in the locale's digits from the body's first page; the front matter has none."""

    def page(code: str, label: str) -> str:
        with pikepdf.open(built[code].pdf) as pdf:
            number = 1 + [p.label for p in pdf.pages].index(label)
        return built[code].pdftext("-f", str(number), "-l", str(number))

    arabic = page("ar", "5")
    assert "صفحة ٥" in arabic or "٥ صفحة" in arabic  # folio in Arabic-Indic digits
    assert "1-888-373-7888" in arabic  # hotline in the footer, in order
    assert "Página 5" in page("es", "5")
    contents = page("es", "iii")
    assert "Contenido" in contents
    assert "Línea contra la trata: 1-888-373-7888" in contents
    assert "Página" not in contents
    assert page("ar", "iv").strip() == ""  # the spare page that makes page 1 a recto is blank


@pytest.mark.parametrize(
    ("size", "press", "width", "height"), [("a5", False, 419.5, 595.3), ("a4", True, 595.3, 841.9)]
)
def test_sizes_and_press_variant(
    tmp_path: Path, size: str, press: bool, width: float, height: float
) -> None:
    variant = load_press() if press else None
    pdf_path, _ = build(Project(ROOT, tmp_path), HANDBOOK, "es", size=size, press=variant)
    assert pdf_path.name == f"{HANDBOOK}-{size}{'-press' if press else ''}.pdf"
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[3]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        assert trim[2] - trim[0] == pytest.approx(width, abs=1)
        assert trim[3] - trim[1] == pytest.approx(height, abs=1)
        media = [float(v) for v in page.mediabox]
        bleed = (media[2] - media[0] - width) / 2
        assert (
            bleed > 8 if press else bleed == pytest.approx(0, abs=0.5)
        )  # 3 mm bleed plus room for crop marks


def test_a_script_no_font_covers_fails_before_rendering() -> None:
    text = Text("trafficker-methods/p1", "النص العربي هنا", Place("x.po", 12), "ar")
    fonts = fonts_for("Latn", ROOT / "layouts")
    assert fonts is not None
    problems = check_coverage([text], "", fonts, "locales/xx")
    assert len(problems) == 1
    message = str(problems[0])
    assert "[font-coverage]" in message
    assert "U+0627" in message
    assert "trafficker-methods" in message
    assert "layouts/fonts.yaml" in message  # where to name a font that has them


@pytest.mark.parametrize(
    ("css", "logged"),
    [
        # Both used to pass, being judged by words in the message ("not supported", "Ignored").
        (
            "p::after { content: target-counter('#missing', page) }",
            "Content discarded: target points to undefined anchor",
        ),
        ("@page :nth(x) { margin: 1cm }", "Unsupported @page selector ' :nth(x) '"),
    ],
)
def test_anything_weasyprint_logs_stops_the_build(css: str, logged: str) -> None:
    layouts = ROOT / "layouts"
    html = f'<html lang="en"><style>{css}</style><p>Call 1-888-373-7888.</p></html>'
    with pytest.raises(RenderError) as raised:
        lay_out(html, layouts, (layouts,), {}).finished()
    [problem] = raised.value.diagnostics
    assert (problem.code, problem.place.path) == ("pdf-render", "layouts/print.css")
    assert problem.message.startswith(logged)


def test_only_the_known_harmless_log_messages_pass() -> None:
    logger = logging.getLogger("weasyprint")
    with _watched(ROOT / "layouts"):
        for message in sorted(HARMLESS_LOG):
            logger.warning(message, "Noto Sans")
        logger.info("Step 5 - Creating layout - Page 3")  # progress: below WARNING
    with pytest.raises(RenderError) as raised, _watched(ROOT / "layouts"):
        logger.warning('Unable to instantiate "%s" variable font', "Noto Sans")
    [problem] = raised.value.diagnostics
    assert problem.message == 'Unable to instantiate "Noto Sans" variable font'


def test_no_question_is_orphaned_at_a_page_bottom(built: dict[str, Built], locale: str) -> None:
    """A question heading always has answer lines below it on its page."""
    bottom_margin = 24 / 25.4 * 72  # print.css: @page margin-bottom 24mm
    with pikepdf.open(built[locale].pdf) as pdf, pdf.open_outline() as outline:
        tops = [float(q.destination[3]) for section in outline.root for q in section.children]
    assert min(tops) - bottom_margin > 60, (
        f"a question starts {min(tops) - bottom_margin:.0f} pt above the bottom margin"
    )


def test_hyphenation_only_where_pyphen_has_the_language(built: dict[str, Built]) -> None:
    """Spanish breaks words at line ends (pdftotext shows the hyphens); Chinese and Arabic never
    get 'hyphens: auto'."""
    from pipeline.locales import locale_info

    assert [
        locale_info(c, ROOT / "locales").hyphenate
        for c in ("es", "pt_BR", "uk", "ht", "zh_Hans", "ar", "fa_AF")
    ] == [True, True, True, False, False, False, False]
    # the hyphen at a break copies out as a soft hyphen (pipeline/text_layer.py)
    assert re.search(r"\w\u00ad\n\w", built["es"].pdftext())
    assert not re.search(r"\w[-\u2010\u00ad]\n\w", built["zh_Hans"].pdftext())


def test_publisher_names_the_author(tmp_path: Path) -> None:
    from .conftest import copy_project

    project = copy_project(tmp_path)
    source = project.handbook_path(HANDBOOK)
    text = source.read_text(encoding="utf-8").replace(
        "\nlanguage: en\n", "\nlanguage: en\npublisher: Example Coalition\n"
    )
    source.write_text(text, encoding="utf-8")
    pdf_path, epub_path = build(project, HANDBOOK, "en")
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo.Author) == "Example Coalition"
    with zipfile.ZipFile(epub_path) as z:
        assert (
            "<dc:publisher>Example Coalition</dc:publisher>" in z.read("EPUB/content.opf").decode()
        )

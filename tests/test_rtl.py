"""Right-to-left editions laid out inside their text block; numbers and Latin runs
that keep their order in every reader, markup or not; lists numbered once."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from pipeline.build import Project
from pipeline.html import LRM
from pipeline.locales import locale_info

from .conftest import BIDI_MARKS, HANDBOOK, ROOT, Built

HOTLINE = "1-888-373-7888"
REVERSED = "7888-373-888-1"
NAME = "National Human Trafficking Hotline"
MM = 72 / 25.4
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
)
LINE = re.compile(
    r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', re.S
)
BLOCK = re.compile(r"<(p|li|h[1-6])\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def rtl_locales() -> list[str]:
    project = Project(ROOT)
    return [
        c
        for c in project.locales_of(project.load(HANDBOOK))
        if locale_info(c, project.locales).dir == "rtl"
    ]


RTL = rtl_locales()


def text_blocks() -> dict[str, tuple[float, float]]:
    """The side margins (pt) of left and right pages, as print.css sets them."""
    css = (ROOT / "layouts" / "print.css").read_text(encoding="utf-8")
    out = {}
    for side in ("left", "right"):
        rule = re.search(rf"@page :{side} \{{([^}}]*)\}}", css)
        assert rule, f"print.css has no @page :{side} rule"
        margins = dict(re.findall(r"margin-(left|right): ([\d.]+)mm", rule.group(1)))
        out[side] = (float(margins["left"]) * MM, float(margins["right"]) * MM)
    return out


def words_outside_text_block(pdf: Path, *, rtl: bool) -> list[str]:
    """Words (pdftotext -bbox) beyond the side margins of their page. A
    right-to-left book starts on a left page (WeasyPrint), then sides alternate."""
    blocks = text_blocks()
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S)
    assert pages
    outside = []
    for number, (width, body) in enumerate(pages, start=1):
        side = ("left" if number % 2 else "right") if rtl else ("right" if number % 2 else "left")
        left, right = blocks[side][0], float(width) - blocks[side][1]
        for x0, x1, word in WORD.findall(body):
            if float(x0) < left - 0.5 or float(x1) > right + 0.5:
                outside.append(
                    f"page {number} ({side} page, text block {left:.1f}-{right:.1f} pt): "
                    f"{html.unescape(word)!r} at {float(x0):.1f}-{float(x1):.1f}"
                )
    return outside


def test_there_are_right_to_left_editions() -> None:
    assert {"ar", "fa_AF"} <= set(RTL)


@pytest.mark.parametrize("code", RTL)
def test_no_word_outside_the_text_block(built: dict[str, Built], code: str) -> None:
    """List numbers hung 6 mm into the left margin before: the indent was not mirrored."""
    assert words_outside_text_block(built[code].pdf, rtl=True) == []


@pytest.mark.parametrize("code", RTL)
def test_english_name_lines_up_with_its_label(built: dict[str, Built], code: str) -> None:
    """On the cover's help box, the hotline's English name starts where the
    right-to-left lines around it start: on the right."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(built[code].pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [
        (float(x0), float(x1), " ".join(w for *_, w in WORD.findall(body)))
        for x0, x1, body in LINE.findall(out)
    ]
    at = next(i for i, line in enumerate(lines) if line[2] == NAME)
    label, name, numbers = lines[at - 1], lines[at], lines[at + 1]
    assert name[1] == pytest.approx(label[1], abs=1)
    assert name[1] == pytest.approx(numbers[1], abs=1)
    assert name[0] > label[0] + 20  # and it is shorter than its label: not stretched across


def xhtml_texts(epub: Path) -> list[str]:
    """The text of every paragraph, list item and heading of the EPUB, markup dropped
    as a reader that ignores it would (Calibre's MOBI drops <bdi>)."""
    with zipfile.ZipFile(epub) as z:
        names = sorted(n for n in z.namelist() if n.endswith((".xhtml", ".html")))
        documents = [z.read(n).decode() for n in names]
    return [
        html.unescape(TAG.sub("", body)) for doc in documents for _tag, body in BLOCK.findall(doc)
    ]


@pytest.mark.parametrize("code", RTL)
def test_numbers_and_names_are_marked_in_the_text(built: dict[str, Built], code: str) -> None:
    with_hotline = [t for t in xhtml_texts(built[code].epub) if HOTLINE in t]
    assert len(with_hotline) >= 3  # the cover, a list item, the back
    assert all(t.count(HOTLINE) == t.count(f"{LRM}{HOTLINE}{LRM}") for t in with_hotline)
    with_name = [t for t in xhtml_texts(built[code].epub) if NAME in t]
    assert with_name
    assert all(t.count(NAME) == t.count(f"{LRM}{NAME}{LRM}") for t in with_name)


def render_rtl(tmp_path: Path, body: str, lang: str = "ar") -> Path:
    """HTML in a right-to-left page set as the Arabic edition sets it."""
    from weasyprint import HTML

    pdf = tmp_path / f"page-{len(list(tmp_path.iterdir()))}.pdf"
    style = (
        "font-family: 'Noto Naskh Arabic', 'Noto Serif', serif; font-size: 11pt; line-height: 1.7"
    )
    HTML(
        string=f'<html lang="{lang}" dir="rtl"><body style="{style}">{body}</body></html>'
    ).write_pdf(pdf)
    return pdf


def pdftext(pdf: Path, *args: str) -> str:
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.translate(BIDI_MARKS)


def png(pdf: Path) -> bytes:
    run = subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf)], capture_output=True, check=True
    )
    return run.stdout


def as_plain_text(paragraphs: list[str]) -> str:
    """Paragraphs with no markup, as a reader that drops it shows them."""
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


@pytest.mark.parametrize("code", RTL)
def test_without_markup_the_hotline_stays_in_order(
    built: dict[str, Built], code: str, tmp_path: Path
) -> None:
    """The EPUB's paragraphs with the hotline, markup dropped, set by WeasyPrint."""
    paragraphs = [t for t in xhtml_texts(built[code].epub) if HOTLINE in t and len(t) > 60]
    assert paragraphs
    text = pdftext(render_rtl(tmp_path, as_plain_text(paragraphs), built[code].tag))
    assert text.count(HOTLINE) == len(paragraphs)
    assert REVERSED not in text
    bare = [p.replace(LRM, "") for p in paragraphs]
    # unmarked, it comes out reversed: the check can fail
    assert REVERSED in pdftext(render_rtl(tmp_path, as_plain_text(bare), built[code].tag))


def test_marks_draw_nothing(tmp_path: Path) -> None:
    """WeasyPrint draws no ink for LRM (a page of nothing else stays white); inside
    <bdi>, as html.py writes them, they change no pixel, and pdftotext copies the
    number out in order and without them."""
    from PIL import Image

    blank = Image.open(io.BytesIO(png(render_rtl(tmp_path, f"<p>{LRM} {LRM}</p>"))))
    assert blank.convert("L").getextrema() == (255, 255)
    template = (
        "<p>إلى الخط الساخن الوطني (<bdi dir='ltr'>{0}National Human Trafficking "
        "Hotline{0}</bdi>) على الرقم <bdi dir='ltr'>{0}1-888-373-7888{0}</bdi>.</p>"
    )
    marked = render_rtl(tmp_path, template.format(LRM))
    bdi_only = render_rtl(tmp_path, template.format(""))
    assert png(marked) == png(bdi_only)
    text = pdftext(marked)
    assert HOTLINE in text
    assert LRM not in text


def calibre(source: Path, target: Path) -> Path:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
    }
    subprocess.run(
        ["ebook-convert", str(source), str(target)],
        capture_output=True,
        check=True,
        env=env,
        timeout=600,
    )
    return target


def test_calibre_mobi_keeps_the_hotline_in_order(built: dict[str, Built], tmp_path: Path) -> None:
    """Older Kindles read MOBI: Calibre's EPUB -> MOBI -> EPUB -> PDF of the Arabic
    edition drops <bdi> (and the text's direction), and still shows the hotline in order."""
    back = calibre(calibre(built["ar"].epub, tmp_path / "ar.mobi"), tmp_path / "back.epub")
    with zipfile.ZipFile(back) as z:
        markup = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith("html"))
    assert "<bdi" not in markup
    assert f"{LRM}{HOTLINE}{LRM}" in " ".join(xhtml_texts(back))
    text = pdftext(calibre(back, tmp_path / "back.pdf")).replace(LRM, "")
    assert HOTLINE in text
    assert REVERSED not in text


def test_calibre_reverses_an_unmarked_hotline(tmp_path: Path) -> None:
    """What the marks are for: the same sentence, unmarked, comes out reversed."""
    page = tmp_path / "page.html"
    sentence = "<p>اتصل بالرقم {} أو أرسل رسالة نصية.</p>"
    body = sentence.format(HOTLINE) + sentence.format(f"{LRM}{HOTLINE}{LRM}")
    head = '<head><meta charset="utf-8"/><title>t</title></head>'
    page.write_text(f'<html lang="ar" dir="rtl">{head}<body>{body}</body></html>', encoding="utf-8")
    mobi = calibre(page, tmp_path / "page.mobi")
    text = pdftext(calibre(mobi, tmp_path / "page.pdf")).replace(LRM, "")
    assert (text.count(REVERSED), text.count(HOTLINE)) == (1, 1)


def pandoc_plain(epub: Path) -> str:
    return subprocess.run(
        ["pandoc", "-f", "epub", "-t", "plain", "--wrap=none", str(epub)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("code", ["es", "ar", "zh_Hans"])
def test_pandoc_numbers_each_item_once(built: dict[str, Built], code: str) -> None:
    """A reader that numbers lists itself shows one number per item: none is typed into the text."""
    text = pandoc_plain(built[code].epub)
    numbered = re.findall(r"^\s*\d+\.\s+(\S+)", text, re.M)
    assert len(numbered) > 40
    twice = [first for first in numbered if first.rstrip(".").isdigit() and first.endswith(".")]
    assert twice == []

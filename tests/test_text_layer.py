"""The PDF text layer copies out in logical order: what pdftotext (poppler) and pdfium read from
every edition is the text as written, marks on their letters, joiners kept, vowels in place,
numbers in order (pipeline/text_layer.py; why it takes this shape: docs/text-layer.md)."""

from __future__ import annotations

import io
import subprocess
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PIL import ImageChops

from pipeline.pdf import render_document
from pipeline.present import View
from pipeline.text_layer import Unit, install, is_mark, is_rtl, reversed_runs, units

from .conftest import BIDI_MARKS, ROOT, Built

TANWIN_FATHA, SHADDA, ZWNJ = "\u064b", "\u0651", "\u200c"
LAM_ALEF = ("لا", "لأ", "لإ", "لآ")
SAMPLES = {  # pre-base vowels (ि, ေ), conjuncts, stacked consonants
    ("ne", "Noto Sans Devanagari"): (
        "मानव बेचबिखनबाट बचेका व्यक्तिहरूलाई कसरी सहयोग गर्न सकिन्छ?",
        "किन आप्रवासीहरू बढी जोखिममा छन्?",
        "तुरुन्त सम्पर्क गर्नुहोस्: प्रहरी र निःशुल्क कानुनी सहायता",
    ),
    ("my", "Noto Sans Myanmar"): (
        "လူကုန်ကူးခံရသူများကို မည်သို့ ကူညီနိုင်သနည်း။",
        "ရွှေ့ပြောင်းလုပ်သားများ ဘာကြောင့် အန္တရာယ်ပိုများသနည်း။",
        "ကျေးဇူးပြု၍ အရေးပေါ်ဖုန်းကို ချက်ချင်းခေါ်ပါ။",
    ),
}


def flat(text: str) -> str:
    """Text compared exactly, whitespace aside (and the bidi embeddings pdftotext adds)."""
    return "".join(text.translate(BIDI_MARKS).split())


def pdfium_text(path: Path) -> str:
    """The page's text as pdfium lists its characters (FPDFText_GetText: what a viewer built
    on it copies and searches)."""
    return "\n".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(path))


def extracted(book: Built) -> dict[str, str]:
    return {"pdftotext": book.pdftext(), "pdfium": pdfium_text(book.pdf)}


def words(text: str) -> Counter[str]:
    """Words as letters of one direction with their marks and joiners: 'معيّنة', 'می‌توانند'
    (pdftotext may leave no space between a Latin and an Arabic word: still two words)."""
    found, word, rtl = Counter[str](), "", False
    for char in text + " ":
        if is_mark(char) and word:
            word += char
        elif unicodedata.category(char)[0] == "L" and (not word or is_rtl(char) == rtl):
            word, rtl = word + char, is_rtl(char)
        else:
            found[word] += bool(word)
            letter = unicodedata.category(char)[0] == "L"
            word, rtl = (char, is_rtl(char)) if letter else ("", False)
    return +found


def epub_sections(book: Built) -> str:
    """The text of the EPUB's chapters: everything the print edition's body also says."""
    parts: list[str] = []
    parser = HTMLParser()
    parser.handle_data = parts.append  # type: ignore[method-assign]
    with zipfile.ZipFile(book.epub) as z:
        for name in sorted(n for n in z.namelist() if "/section-" in n):
            parser.feed(z.read(name).decode())
    return "".join(parts)


def test_questions_and_numbers_copy_out_exactly(
    built: dict[str, Built], locale: str, view: View
) -> None:
    questions = [q.entry.question.value for section in view.sections for q in section.entries]
    numbers = [n for contact in view.hb.contacts for n in (contact.phone, contact.sms) if n]
    assert questions
    assert numbers
    for tool, text in extracted(built[locale]).items():
        found = flat(text)
        assert [q for q in questions if flat(q) not in found] == [], f"{tool} loses questions"
        assert [n for n in numbers if flat(n) not in found] == [], f"{tool} loses numbers"


@pytest.mark.parametrize(
    ("code", "wanted"),
    [
        ("ar", lambda w: TANWIN_FATHA in w),
        ("ar", lambda w: SHADDA in w),
        ("ar", lambda w: any(pair in w for pair in LAM_ALEF)),
        ("fa_AF", lambda w: ZWNJ in w),
    ],
    ids=["ar-tanwin", "ar-shadda", "ar-lam-alef", "fa_AF-zwnj"],
)
def test_words_with_marks_and_joiners_copy_out_whole(
    built: dict[str, Built], code: str, wanted: Callable[[str], bool]
) -> None:
    """Each such word of the body (as the EPUB has it) is in the PDF's text at least as often:
    before, 54 of 55 tanwin words came out broken and every ZWNJ of the Dari edition was lost."""
    expected = Counter({w: n for w, n in words(epub_sections(built[code])).items() if wanted(w)})
    assert len(expected) > 10
    for tool, text in extracted(built[code]).items():
        found = words(text)
        broken = {w: n for w, n in expected.items() if found[w] < n}
        assert broken == {}, f"{tool} breaks or drops these words"
        if code == "fa_AF":
            assert text.count(ZWNJ) >= epub_sections(built[code]).count(ZWNJ), tool


def marked_content(content: Any, xobjects: Any) -> Iterator[tuple[str, str, Any]]:
    """(operator, tag, properties) of marked content and text objects, the forms drawn too."""
    import pikepdf

    for operands, operator in pikepdf.parse_content_stream(content):
        name = str(operator)
        if name == "Do" and xobjects[operands[0]].Subtype == "/Form":
            yield from marked_content(xobjects[operands[0]], xobjects)
        elif name in ("BDC", "BMC"):
            yield name, str(operands[0]), operands[1] if name == "BDC" else {}
        elif name in ("EMC", "BT", "ET"):
            yield name, "", {}


@pytest.mark.parametrize("code", ["ar", "fa_AF", "ps"])
def test_tagging_is_kept(built: dict[str, Built], code: str) -> None:
    """The added marked content nests inside WeasyPrint's tagged spans (or page artifacts such
    as running heads), never across a text object, and carries no MCID: the structure tree
    still finds its content, once."""
    import pikepdf

    added = 0
    with pikepdf.open(built[code].pdf) as pdf:
        for page in pdf.pages:
            mcids: list[int] = []
            outer: list[bool] = []  # per open sequence: tagged content or an artifact?
            in_text = None
            for name, tag, props in marked_content(page, page.Resources.get("/XObject", {})):
                if name in ("BDC", "BMC"):
                    mcids += [int(props["/MCID"])] if "/MCID" in props else []
                    if "/ActualText" in props and "/MCID" not in props:
                        added += 1
                        assert any(outer), "ActualText outside tagged content and artifacts"
                    outer.append("/MCID" in props or tag == "/Artifact")
                elif name == "EMC":
                    outer.pop()
                    assert in_text is None or len(outer) >= in_text, "closed across a text object"
                else:
                    assert in_text is None or len(outer) == in_text, "open across a text object"
                    in_text = len(outer) if name == "BT" else None
            assert outer == []
            assert len(mcids) == len(set(mcids))
    assert added > 100


@pytest.mark.parametrize(("lang", "family"), list(SAMPLES))
def test_complex_scripts_copy_out_exactly(tmp_path: Path, lang: str, family: str) -> None:
    """Devanagari and Myanmar, drawn with their vowels before the consonant they follow."""
    lines = SAMPLES[(lang, family)]
    style = f"font-family: '{family}'; font-size: 13pt; width: 9cm"
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    html = f'<html lang="{lang}"><body style="{style}">{paragraphs}</body></html>'
    layouts = ROOT / "layouts"
    path = tmp_path / f"{lang}.pdf"
    path.write_bytes(render_document(html, layouts, (layouts,), {}).pdf)
    poppler = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for tool, text in {"pdftotext": poppler, "pdfium": pdfium_text(path)}.items():
        assert [line for line in lines if flat(line) not in flat(text)] == [], tool


def test_raised_marks_are_drawn_where_weasyprint_draws_them() -> None:
    """Raised marks moved out of the text (forms of the same outline) land on the same pixels:
    the untagged render, which the hook leaves alone, is the reference."""
    import pikepdf
    import weasyprint

    install()
    style = "font-family: 'Noto Naskh Arabic'; font-size: 14pt"
    html = (
        f'<html lang="ar" dir="rtl"><body style="{style}"><p>ما مدى انتشاره مقارنةً بالولايات'
        " الأخرى؟ جدًّا، نسبتاً، يُخضعونهم، الدَّين</p></body></html>"
    )
    document = weasyprint.HTML(string=html)
    tagged, plain = document.write_pdf(pdf_variant="pdf/ua-1"), document.write_pdf()
    with pikepdf.open(io.BytesIO(tagged)) as pdf:
        content = pikepdf.parse_content_stream(pdf.pages[0])
    assert [op for op in content if str(op.operator) == "Do"], "no raised mark: this proves nothing"
    a, b = (
        pypdfium2.PdfDocument(pdf)[0].render(scale=8).to_pil().convert("L")
        for pdf in (tagged, plain)
    )
    assert ImageChops.difference(a, b).getextrema()[1] < 48  # anti-aliasing, not displacement


def test_units_of_a_right_to_left_run() -> None:
    """A word with a mark gets poppler's text (reversed) and pdfium's (each run reversed); a
    number drawn out of its order gets its text; words without marks and numbers drawn as
    written keep WeasyPrint's glyphs."""
    text = "في عام ٢٠٢٦، مقارنةً ١."
    drawn = [*range(21), 22, 21]  # "1." drawn ".1", "2026" as written
    assert units(text, drawn) == [Unit(13, 20, "ًةنراقم", "ةنراقمً"), Unit(21, 23, "١.")]
    assert reversed_runs("جدًّا") == "دج" + SHADDA + TANWIN_FATHA + "ا"

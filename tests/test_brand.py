"""Branding from the source alone (issue 14, item 3): theme colours, a logo with translated alt
text, the publisher as author, the footer's contact. A tiny project is themed once per module
(an SVG logo, Spanish beside English) and built as a reader gets it: PDF, EPUB, wallet card,
web edition (axe-core in Chromium too); a second copy carries a PNG logo. The refusals (too
little contrast, a logo outside the handbook's folder, missing, or not an image) are golden
cases in tests/roots/."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree
from PIL import Image
from selenium.webdriver.remote.webdriver import WebDriver

from pipeline.brand import (
    AA_TEXT,
    DEFAULT,
    PRESS,
    contrast,
    on_primary,
    press_colour,
    theme_problems,
)
from pipeline.build import Project, build, build_web
from pipeline.card import build_card
from pipeline.diagnostics import Place
from pipeline.press import DEFAULT_PROFILE
from pipeline.source import load
from pipeline.tagging import elements

from . import test_web
from .conftest import ROOT
from .test_epubcheck import run_epubcheck

TINY = Path(__file__).parent / "roots" / "tiny"
PRIMARY, ACCENT = "#1f4e79", "#b03a2e"
BRANDING = f"""publisher: Example Coalition
theme:
  primary: '{PRIMARY}'
  accent: '{ACCENT}'
logo:
  file: LOGO
  alt: Example Coalition logo
footer:
  contact: emergency
  label: 'Emergency line: %(number)s'
"""
EMERGENCY = """- id: emergency
  label: In an emergency, call
  phone: '911'
"""
CARD = """card:
  title: A tiny handbook
  lines:
  - General information, not legal advice.
  back: es
"""
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect width="120" height="40" fill="#1f4e79"/><circle cx="20" cy="20" r="14" fill="#b03a2e"/>'
    "</svg>\n"
)
SPANISH = {
    "contact/emergency": "En una emergencia, llame al",
    "logo/alt": "Logotipo de Example Coalition",
    "footer/label": "Línea de emergencia: %(number)s",
    "card/line1": "Información general, no asesoría legal.",
}
OPF = {"dc": "http://purl.org/dc/elements/1.1/", "opf": "http://www.idpf.org/2007/opf"}


def themed(root: Path, logo: str) -> Project:
    """The tiny project with every branding key, an emergency contact for the footer, a card,
    and its Spanish catalog brought up to date (the new messages translated)."""
    shutil.copytree(TINY, root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source" / "tiny" / "handbook.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("disclaimer:", BRANDING.replace("LOGO", logo) + "disclaimer:", 1)
    text = text.replace("names:", EMERGENCY + "names:", 1) + CARD
    source.write_text(text, encoding="utf-8")
    if logo.endswith(".svg"):
        (source.parent / logo).write_text(SVG, encoding="utf-8")
    else:
        Image.new("RGB", (120, 40), PRIMARY).save(source.parent / logo, "PNG")
    project = Project(root)
    po = root / "locales" / "es" / "LC_MESSAGES" / "tiny.po"
    with po.open("rb") as f:
        catalog = read_po(f, abort_invalid=True)
    catalog.update(project.messages(project.load("tiny")))
    for message in catalog:
        if message.context in SPANISH:  # new, or matched fuzzily by Babel: translated here
            message.string = SPANISH[message.context]
            message.flags.discard("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog, include_previous=False)
    po.write_bytes(out.getvalue())
    return project


@dataclass(frozen=True)
class Editions:
    project: Project
    pdf: dict[str, Path]
    epub: dict[str, Path]
    card: Path
    web: Path


@pytest.fixture(scope="module")
def svg(tmp_path_factory: pytest.TempPathFactory) -> Editions:
    project = themed(tmp_path_factory.mktemp("brand") / "svg", "logo.svg")
    pdf, epub = {}, {}
    for code in ("en", "es"):
        pdf[code], epub[code] = build(project, "tiny", code)
    card = build_card(project, "tiny", "en")[0]
    return Editions(project, pdf, epub, card, build_web(project, "tiny", "en"))


def figures(path: Path) -> list[str]:
    """The /Alt of every Figure in the PDF's structure tree."""
    with pikepdf.open(path) as pdf:
        return [
            str(e.get("/Alt"))
            for e in elements(pdf.Root.StructTreeRoot)
            if e.get("/S") == pikepdf.Name.Figure
        ]


def fills(path: Path, page: int) -> set[tuple[float, ...]]:
    """The RGB fill colours a page's content stream sets (`r g b rg`)."""
    with pikepdf.open(path) as pdf:
        ops = pikepdf.parse_content_stream(pdf.pages[page])
        return {
            tuple(round(float(v), 3) for v in operands) for operands, op in ops if str(op) == "rg"
        }


def rgb(colour: str) -> tuple[float, ...]:
    return tuple(round(int(colour[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))


def pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return out.stdout.split("\f")


def opf(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def test_the_pdf_prints_the_theme_colours(svg: Editions) -> None:
    cover = fills(svg.pdf["en"], 0)
    assert rgb(PRIMARY) in cover  # the cover's background
    assert rgb(on_primary(PRIMARY)) in cover  # its language name and count
    body = set().union(*(fills(svg.pdf["en"], i) for i in range(1, len(pages(svg.pdf["en"])) - 1)))
    assert {rgb(PRIMARY), rgb(ACCENT)} <= body  # questions; their numbers
    assert rgb(DEFAULT.primary) not in cover | body
    assert rgb(DEFAULT.accent) not in cover | body
    card = fills(svg.card, 0)
    assert {rgb(PRIMARY), rgb(ACCENT)} <= card


def test_the_cover_looks_themed(svg: Editions, tmp_path: Path) -> None:
    """The cover as a reader sees it: the primary colour at its corner, the logo on its plate."""
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(svg.pdf["en"]), tmp_path / "c"],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("c*.png"))).convert("RGB")
    assert image.getpixel((5, 5)) == tuple(int(PRIMARY[i : i + 2], 16) for i in (1, 3, 5))
    top = image.crop((0, 0, image.width, image.height // 4)).getcolors(1 << 16) or []
    assert any(c == (255, 255, 255) for _n, c in top)  # the logo's white plate


def test_untranslated_text_on_the_cover_stays_readable(tmp_path: Path) -> None:
    """A proof (or a locale that falls back) marks text still in English in pale yellow; on
    the cover, whose text is white, the marked title turns dark to be read."""
    root = tmp_path / "p"
    shutil.copytree(TINY, root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    po = root / "locales" / "es" / "LC_MESSAGES" / "tiny.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Un manual pequeño"', 'msgstr ""'), encoding="utf-8")
    pdf, _epub = build(Project(root), "tiny", "es", allow_partial=True)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    box = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">handbook<'
    words = re.findall(box, boxes)
    assert len(words) == 1  # the title, in English
    subprocess.run(  # 72 dpi: a pixel is a point, as pdftotext measures
        ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(pdf), tmp_path / "c"],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("c*.png"))).convert("RGB")
    word = image.crop(tuple(round(float(v)) for v in words[0]))
    shades = sorted(word.getcolors(1 << 16) or [], key=lambda nc: sum(nc[1]))
    darkest, lightest = ("#{:02x}{:02x}{:02x}".format(*shades[i][1]) for i in (0, -1))
    assert lightest == "#fff4cc"  # the marker
    assert contrast(darkest, lightest) >= AA_TEXT


def test_the_epub_and_web_carry_the_accent(svg: Editions) -> None:
    with zipfile.ZipFile(svg.epub["en"]) as z:
        css = z.read("EPUB/style.css").decode()
    assert ACCENT in css
    assert DEFAULT.accent not in css
    web = (svg.web.parent / "style.css").read_text(encoding="utf-8")
    assert f"background: {ACCENT}" in web  # the call buttons, white on it


def test_the_logo_has_its_alt_text_in_every_format(svg: Editions) -> None:
    assert figures(svg.pdf["en"]) == ["Example Coalition logo"]
    assert figures(svg.pdf["es"]) == ["Logotipo de Example Coalition"]
    assert figures(svg.card) == ["Example Coalition logo"]  # the front only
    for code, alt in (("en", "Example Coalition logo"), ("es", "Logotipo de Example Coalition")):
        with zipfile.ZipFile(svg.epub[code]) as z:
            assert z.read("EPUB/images/logo.svg").decode() == SVG
            cover = etree.fromstring(z.read("EPUB/cover.xhtml"))
        imgs = cover.findall(".//{http://www.w3.org/1999/xhtml}img")
        assert [(i.get("src"), i.get("alt")) for i in imgs] == [("images/logo.svg", alt)]
        item = opf(svg.epub[code]).find(".//opf:item[@href='images/logo.svg']", OPF)
        assert item is not None
        assert item.get("media-type") == "image/svg+xml"
    page = svg.web.read_text(encoding="utf-8")
    assert '<img class="cover-logo" src="logo.svg" alt="Example Coalition logo"/>' in page
    assert (svg.web.parent / "logo.svg").read_text(encoding="utf-8") == SVG


def test_the_logo_alt_text_and_footer_label_are_messages(svg: Editions) -> None:
    template = svg.project.messages(svg.project.load("tiny"))
    assert template.get("Example Coalition logo", context="logo/alt") is not None
    assert template.get("Emergency line: %(number)s", context="footer/label") is not None


def test_the_publisher_is_the_author(svg: Editions) -> None:
    with pikepdf.open(svg.pdf["en"]) as pdf:
        assert str(pdf.docinfo.Author) == "Example Coalition"
        assert "Example Coalition" in str(pdf.open_metadata().get("dc:creator"))
    package = opf(svg.epub["en"])
    assert package.findtext(".//dc:creator", namespaces=OPF) == "Example Coalition"
    assert package.findtext(".//dc:publisher", namespaces=OPF) == "Example Coalition"


def test_the_footer_shows_the_chosen_contact(svg: Editions) -> None:
    for code, label in (("en", "Emergency line: 911"), ("es", "Línea de emergencia: 911")):
        text = pages(svg.pdf[code])
        body = [p for p in text if re.search(r"Page 1\b|Página 1\b", p)]
        assert body
        assert all(label in p for p in body)
        assert not any("Hotline: 1-888" in p or "Línea contra la trata" in p for p in text)


def test_the_themed_epub_passes_epubcheck(svg: Editions, tmp_path: Path) -> None:
    assert run_epubcheck(svg.epub["es"], tmp_path) == []


def test_a_png_logo(tmp_path: Path) -> None:
    project = themed(tmp_path / "png", "logo.png")
    pdf, epub = build(project, "tiny", "en")
    assert figures(pdf) == ["Example Coalition logo"]
    with zipfile.ZipFile(epub) as z:
        assert z.read("EPUB/images/logo.png").startswith(b"\x89PNG")
    item = opf(epub).find(".//opf:item[@href='images/logo.png']", OPF)
    assert item is not None
    assert item.get("media-type") == "image/png"


def test_without_branding_the_epub_still_names_a_creator(tmp_path: Path) -> None:
    shutil.copytree(TINY, tmp_path / "tiny")
    shutil.copytree(ROOT / "layouts", tmp_path / "tiny" / "layouts")
    pdf, epub = build(Project(tmp_path / "tiny"), "tiny", "en")
    assert opf(epub).findtext(".//dc:creator", namespaces=OPF) == "A tiny handbook"
    assert any("Hotline: 1-888-373-7888" in p for p in pages(pdf))  # the first contact


def test_contrast_is_wcag() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the AA borderline
    assert contrast(DEFAULT.primary, "#ffffff") >= AA_TEXT
    assert on_primary(DEFAULT.primary) == "#e9ebef"  # print.css's cover grey, as it was


def test_a_light_colour_is_refused_where_it_is_written() -> None:
    places = {"primary": Place("h.yaml", 3, 12), "accent": Place("h.yaml", 4, 11)}
    problems = theme_problems({"primary": "#777777", "accent": "#767676"}, places.__getitem__)
    assert [(d.code, d.place) for d in problems] == [("theme-contrast", places["primary"])]
    assert "4.5:1" in problems[0].message


def test_the_press_inks_of_the_default_colours_are_kept() -> None:
    assert press_colour(DEFAULT.primary) == "device-cmyk(1 0.85 0.36 0.38)"
    assert re.fullmatch(r"device-cmyk\((\S+ ){3}\S+\)", press_colour(PRIMARY))


def test_the_press_inks_follow_the_print_shops_profile() -> None:
    """With PROFILE= the theme's colours are converted with the print shop's profile (here
    Ghostscript's PostScript one, which has no black generation), not Ghostscript's SWOP."""
    shop = (DEFAULT_PROFILE.parent / "ps_cmyk.icc").read_bytes()
    assert press_colour(DEFAULT.primary, DEFAULT_PROFILE.read_bytes()) == PRESS[DEFAULT.primary]
    assert press_colour(DEFAULT.primary, shop) == "device-cmyk(0.96 0.96 0.89 0)"
    assert press_colour(PRIMARY, shop) == "device-cmyk(0.93 0.93 0.81 0)"
    assert press_colour(PRIMARY) == "device-cmyk(1 0.78 0.31 0.16)"  # Ghostscript's SWOP


def test_a_bad_colour_says_how_to_write_one(tmp_path: Path) -> None:
    from pipeline.diagnostics import SourceError

    shutil.copytree(TINY, tmp_path / "tiny")
    source = tmp_path / "tiny" / "source" / "tiny" / "handbook.yaml"
    text = source.read_text(encoding="utf-8").replace(
        "disclaimer:", "theme: {accent: red}\ndisclaimer:"
    )
    source.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        load(source)
    [problem] = exc.value.diagnostics
    assert (problem.code, problem.place.line) == ("schema-pattern", 5)
    assert "six hex digits" in problem.message


browser = test_web.browser  # the module's Chromium, shared with tests/test_web.py


def test_the_themed_web_page_passes_axe(svg: Editions, browser: WebDriver) -> None:
    """axe-core, which measures contrast in the browser, agrees: the accent's call buttons and
    'Get help now' are readable, and the logo has its alternative text."""
    assert test_web.AXE.exists(), test_web.INSTALL
    page = build_web(svg.project, "tiny", "es")
    test_web.open_as_phone(browser, page)
    browser.execute_script(test_web.AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => [v.id, v.nodes.length])), e => done(String(e)));"
    )
    assert result == []
    colour = browser.execute_script(
        "return getComputedStyle(document.querySelector('.contact .number a')).backgroundColor;"
    )
    assert colour == "rgb({}, {}, {})".format(*(int(ACCENT[i : i + 2], 16) for i in (1, 3, 5)))


def test_from_handbook_new_to_a_themed_build(tmp_path: Path) -> None:
    """As a new user goes: `handbook new`, the keys it names filled, the branding lines it
    writes commented out switched on, a logo dropped in the folder, then build."""
    from pipeline.cli import main

    from .test_importer import CONTACT, fill

    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    assert main(["--root", str(tmp_path), "new", "dw-rights", "--edition", "2026-11-28"]) == 0
    path = tmp_path / "source" / "dw-rights" / "handbook.yaml"
    fill(path, {**CONTACT, "title": "Your rights at work", "question": "Who can help me?"})
    fill(path, {"title": "Getting help", "id": "who-can-help", "paragraph": "Call us."})
    fill(path, {"publisher": "Example Coalition"})
    text = path.read_text(encoding="utf-8")
    for key in ("theme", "logo", "footer"):
        text = re.sub(rf"^# ({key}: .*)$", r"\1", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    (path.parent / "logo.svg").write_text(SVG, encoding="utf-8")
    pdf, epub = build(Project(tmp_path), "dw-rights", "en")
    assert figures(pdf) == ["Example Coalition logo"]
    assert {rgb(PRIMARY), rgb(on_primary(PRIMARY))} <= fills(pdf, 0)
    assert any("Helpline: 1-888-373-7888" in p for p in pages(pdf))
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo.Author) == "Example Coalition"
    assert opf(epub).findtext(".//dc:creator", namespaces=OPF) == "Example Coalition"

"""The verifier reads finished files as a reader's software does: the real editions of
every shipped locale pass; doctored PDFs (small HTML rendered with WeasyPrint) and
doctored EPUBs (the real one, its XHTML edited) fail with the message that says
what a reader would meet, on which page or line."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import weasyprint

from pipeline import checks, verify
from pipeline.build import Project, build, build_web, prepare, resolve_locale
from pipeline.card import build_card
from pipeline.cli import main
from pipeline.diagnostics import Diagnostic, RenderError
from pipeline.model import Handbook
from pipeline.present import View
from pipeline.verify import Expected, expect, read_pdf, verify_epub, verify_pdf, verify_web
from pipeline.web import INDEX

from .conftest import HANDBOOK, ROOT, Built, copy_project

HOTLINE = "1-888-373-7888"
HELP = "<p>Call 1-888-373-7888</p><p>Text 233733</p><p>In an emergency, call 911</p>"
ADVICE = (
    "the translation of the line that prints it must keep %(number)s, with nothing in or "
    "around it that changes its direction"
)
PAGE_CSS = """@page {{ size: {size}; margin: {margin}; @bottom-right {{ content: "{footer}"; }} }}
@page :first {{ @bottom-right {{ content: none; }} }}
section + section {{ break-before: page; }}"""
BACK_CSS = "section:last-child { page: back; } @page back { @bottom-right { content: none; } }"


def view_of(project: Project, handbook: Handbook, code: str) -> View:
    loc = resolve_locale(project, handbook, code)
    return prepare(project, handbook, loc, allow_partial=False).view


@pytest.fixture(scope="module")
def english(project: Project, handbook: Handbook) -> Expected:
    return expect(handbook, [view_of(project, handbook, "en")])


def pdf_of(
    *sections: str,
    footer: str = "",
    head: str = "",
    size: str = "5in 6in",
    margin: str = "0.8in 0.6in",
    css: str = "",
) -> bytes:
    css = PAGE_CSS.format(size=size, margin=margin, footer=footer) + css
    body = "".join(f"<section>{s}</section>" for s in sections)
    html = f"<html lang='en'><head><style>{css}</style></head><body>{head}{body}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def edition_pdf(
    *,
    cover: str = HELP,
    body: str = "<p>Questions and answers.</p>",
    back: str = HELP,
    footer: str = f"Hotline: {HOTLINE}",
    head: str = "",
) -> bytes:
    """A three-page stand-in for an edition: a cover with the help box, a body page with
    the running footer, a back cover with the help box and no footer."""
    return pdf_of(cover, body, back, footer=footer, head=head, css=BACK_CSS)


def lines(diagnostics: list[Diagnostic]) -> list[str]:
    return [str(d) for d in diagnostics]


# The real editions.


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory, bilingual: dict[str, Built]) -> list[Path]:
    """The bilingual edition, and the wallet card and its sheet, as their builds write them."""
    project = Project(ROOT, tmp_path_factory.mktemp("dist"))
    return [bilingual["es+en"].pdf, bilingual["es+en"].epub, *build_card(project, HANDBOOK, "es")]


def test_real_editions_of_every_locale_pass(
    project: Project, built: dict[str, Built], more: list[Path]
) -> None:
    files = [p for b in built.values() for p in (b.pdf, b.epub)] + more
    folders = {p.parent.name for p in files}
    assert folders >= {"en", "es", "pt-BR", "ht", "zh-Hans", "ar", "fa-AF", "uk", "es+en"}
    assert {p.name for p in more} >= {f"{HANDBOOK}-card.pdf", f"{HANDBOOK}-card-sheet.pdf"}
    assert lines(checks.verify_files(project, files)) == []


def test_real_footers_are_read_in_order(built: dict[str, Built]) -> None:
    """What the checks read is what a reader reads: right-to-left footers, in order."""
    for code in ("ar", "fa_AF"):
        body = [p for p in read_pdf(built[code].pdf.read_bytes()).pages if p.body]
        assert [p.label for p in body][:2] == ["1", "2"]
        assert all(
            HOTLINE in p.footer for p in body[:-1]
        )  # all but the back cover, which has no footer


# Doctored PDFs.


def test_stand_in_edition_passes(english: Expected) -> None:
    """Else the failures below would prove nothing."""
    assert lines(verify_pdf(english, edition_pdf(), "doctored.pdf")) == []


def test_reversed_number_in_footer(english: Expected) -> None:
    pdf = edition_pdf(footer=f"Hotline: \u202e{HOTLINE}\u202c")
    assert lines(verify_pdf(english, pdf, "x.pdf")) == [  # one line, not 'added' as well
        "x.pdf: page 2: error: the hotline number 1-888-373-7888 is missing from the page "
        f"footer (found '8887-373-888-1'); {ADVICE} [verify-number-order]"
    ]


def test_number_split_in_footer(english: Expected) -> None:
    found = lines(verify_pdf(english, edition_pdf(footer="Hotline: 1-888-373 7888"), "x.pdf"))
    assert "missing from the page footer (found '1-888-373', '7888')" in found[0]


def test_missing_number_on_cover(english: Expected) -> None:
    cover = HELP.replace("<p>Text 233733</p>", "<p>Text %(number)s</p>")
    assert lines(verify_pdf(english, edition_pdf(cover=cover), "doctored.pdf")) == [
        "doctored.pdf: page 1: error: the hotline text number 233733 is missing from the cover's "
        f"help box; {ADVICE} [verify-number-missing]"
    ]


SPACED = "+1 202 671 1880"


@pytest.mark.parametrize(
    ("cover", "reads"),
    [
        (f"{HELP}<p>Text {SPACED.replace('671 ', '671<br>')}</p>", "+1 202 671 / 1880"),
        (f"{HELP}<p>Text 671 202 +1<br>1880</p>", "671 202 +1 / 1880"),  # pdfium, in Arabic
        (f"<p>Call 1-888-<br>373-7888</p>{HELP}<p>Text {SPACED}</p>", "1-888- / 373-7888"),
    ],
)
def test_number_broken_across_lines(english: Expected, cover: str, reads: str) -> None:
    """A reader dials what they see: the verifier refuses a number of the source broken across
    two lines, and says so (before, a broken contact number read as one in the wrong order,
    blamed on the translation, and one broken in an answer passed: each part is a number the
    source has). A whole number beside a line starting with a digit is no such thing."""
    spaced = dataclasses.replace(
        english,
        help=(*english.help, verify.Number("hotline text number", SPACED)),
        numbers=english.numbers | {"12026711880", "202", "671", "1880"},
        phones=(*english.phones, SPACED, "202 671 1880"),  # the second as in an answer
    )
    help_box = HELP + f"<p>Text {SPACED}</p>"
    assert verify_pdf(spaced, edition_pdf(cover=help_box, back=help_box), "ok.pdf") == []
    body = f"<p>Text {SPACED}<br>1. Text 202 671<br>1880 for help</p>"
    number = "1-888-373-7888" if "888" in reads else SPACED
    assert lines(
        verify_pdf(spaced, edition_pdf(cover=cover, body=body, back=help_box), "x.pdf")
    ) == [
        f"x.pdf: page {page}: error: the number {shown} is broken across two lines (it reads "
        f"'{quoted}'): a reader dials what they see; the layout must keep a number on one line "
        "[verify-number-broken]"
        for page, shown, quoted in [(1, number, reads), (2, "202 671 1880", "202 671 / 1880")]
    ]


def test_address_hyphenated_across_lines(english: Expected) -> None:
    """An address hyphenated at a line's end (WeasyPrint draws U+2010) is one the source does not
    have: the verifier says so, and not that the piece after the break is an address added."""
    mail = "help@humantrafficking-hotline.org"
    expected = dataclasses.replace(english, links=frozenset(verify.link_keys(mail)))
    back = HELP + "<p>Write to {} for help.</p>"
    assert verify_pdf(expected, edition_pdf(back=back.format(mail)), "ok.pdf") == []
    for printed, how in [
        ("help@humantraffic\u2010<br>king-hotline.org", "with a hyphen it does not have"),
        ("help@humantrafficking-<br>hotline.org", "at its punctuation"),
    ]:
        found = lines(verify_pdf(expected, edition_pdf(back=back.format(printed)), "x.pdf"))
        reads = printed.replace("<br>", " / ")
        assert found == [
            f"x.pdf: page 3: error: the address '{mail}' is broken across two lines {how} (it "
            f"reads '{reads}'): a reader types what they see and reaches another address; the "
            "layout must keep an address on one line, unhyphenated [verify-link-broken]"
        ]


def test_missing_number_in_footer_quotes_it(english: Expected) -> None:
    found = lines(verify_pdf(english, edition_pdf(footer="Hotline: %(number)s"), "x.pdf"))
    assert (
        "the hotline number 1-888-373-7888 is missing from the page footer "
        "(it reads 'Hotline: %(number)s')"
    ) in found[0]


@pytest.mark.parametrize(
    "added",
    [
        "Nº1-800-555-0199",
        "ب1-800-555-0199",
        "call 1-800-555-0199",
        "١-٨٠٠-٥٥٥-٠١٩٩",
        "۱-۸۰۰-۵۵۵-۰۱۹۹",
        "(860) 555-0199",
    ],
)
def test_extra_number(english: Expected, added: str) -> None:
    body = f"<p>Questions and answers. {added}</p>"
    found = lines(verify_pdf(english, edition_pdf(body=body), "doctored.pdf"))
    assert found
    for line in found:
        assert line.startswith("doctored.pdf: page 2: error: the number '")
        assert "' is not in the source, and a reader could call it: remove it" in line
        assert line.endswith("[verify-number-added]")


@pytest.mark.parametrize(
    ("added", "shown"),
    [
        ("www.ayuda-trata.example", "www.ayuda-trata.example"),
        ("Visite ayuda-trata.example.", "ayuda-trata.example"),
        ("https://ayuda.example/trata", "https://ayuda.example/trata"),
        ("ayuda@trata.example", "ayuda@trata.example"),
    ],
)
def test_added_domain(english: Expected, added: str, shown: str) -> None:
    found = lines(verify_pdf(english, edition_pdf(back=HELP + f"<p>{added}</p>"), "doctored.pdf"))
    assert found == [
        f"doctored.pdf: page 3: error: the address '{shown}' is not in the source, "
        "and a reader could follow it: remove it (an address readers should use "
        f"belongs in the source, {english.source}) [verify-link-added]"
    ]


def test_reversed_address(english: Expected) -> None:
    """A web address of the source read out of order (as pdfium read one in Arabic text,
    pieces listed from the right) is an address the source does not have; read as written, it
    passes."""
    address = "https://humantraffickinghotline.org"
    expected = dataclasses.replace(english, links=frozenset(verify.link_keys(address)))
    back = HELP + "<p>{}</p>"
    assert verify_pdf(expected, edition_pdf(back=back.format(address)), "ok.pdf") == []
    reversed_pdf = edition_pdf(back=back.format("org.humantraffickinghotline://https"))
    assert lines(verify_pdf(expected, reversed_pdf, "doctored.pdf")) == [
        "doctored.pdf: page 3: error: the address 'org.humantraffickinghotline' is not in the "
        "source, and a reader could follow it: remove it (an address readers should use "
        f"belongs in the source, {english.source}) [verify-link-added]"
    ]


def test_bidi_override_in_bookmarks(english: Expected) -> None:
    found = lines(verify_pdf(english, edition_pdf(head="<h1>\u202eGet help</h1>"), "x.pdf"))
    assert found == [
        "x.pdf: error: RIGHT-TO-LEFT OVERRIDE (U+202E) in '<U+202E>Get help': it "
        "reverses or re-embeds the text after it for every reader; remove it (where a "
        "direction must be set, the layouts isolate the run) in the PDF's bookmarks "
        "or metadata [verify-bidi-control]"
    ]


def test_text_outside_the_page_box(english: Expected) -> None:
    hidden = "<p style='position: absolute; top: -2in'>Hidden line</p>"
    assert lines(verify_pdf(english, edition_pdf(cover=HELP + hidden), "doctored.pdf")) == [
        "doctored.pdf: page 1: error: text is drawn outside the page box (71 pt above its top "
        "edge): 'Hidden line'; no reader sees it, but search, copying and screen readers read "
        "it: the layout that places it there needs fixing [verify-outside-page]"
    ]


def test_hidden_number_does_not_count(english: Expected) -> None:
    """A number below the page edge is no number a reader can see."""
    cover = HELP.replace("<p>Text", "<p style='position: absolute; top: 7in'>Text")
    codes = [d.code for d in verify_pdf(english, edition_pdf(cover=cover), "x.pdf")]
    assert codes == ["verify-number-missing", "verify-outside-page"]


def test_each_language_of_a_bilingual_edition(project: Project, handbook: Handbook) -> None:
    both = expect(handbook, [view_of(project, handbook, "es"), view_of(project, handbook, "en")])
    twice = f"{HOTLINE} {HOTLINE}"
    assert verify_pdf(both, edition_pdf(cover=HELP * 2, back=HELP * 2, footer=twice), "x.pdf") == []
    found = lines(verify_pdf(both, edition_pdf(cover=HELP * 2, back=HELP, footer=twice), "x.pdf"))
    assert found[0] == (
        "x.pdf: page 3: error: the hotline number 1-888-373-7888 appears 1 time(s) "
        "in the back cover, where the layout prints it once in each language "
        f"(es, en); {ADVICE} [verify-number-missing]"
    )
    assert len(found) == 3  # 233733 and 911 too: the back cover's footer cannot stand in
    found = lines(verify_pdf(both, edition_pdf(cover=HELP * 2, back=HELP * 2), "x.pdf"))
    assert [line.split(": error: ")[0] for line in found] == ["x.pdf: page 2"]


def test_two_footers_on_one_line(project: Project, handbook: Handbook) -> None:
    """pdfium glues the texts of two margin boxes on one line ('78881-888'): each is read alone."""
    both = expect(handbook, [view_of(project, handbook, "es"), view_of(project, handbook, "en")])
    footers = """@page { @bottom-left { content: "Página 3 Línea contra la trata: 1-888-373-7888";
                          width: 45%; font-size: 8pt; }
                         @bottom-right { content: "Page 3 Hotline: 1-888-373-7888"; width: 45%;
                          font-size: 8pt; } }
                 @page :first { @bottom-left { content: none; } }"""
    pdf = pdf_of(
        HELP * 2, "<p>Body</p>", HELP * 2, size="3.5in 5in", margin="0.5in 0.3in 0.8in", css=footers
    )
    assert lines(verify_pdf(both, pdf, "x.pdf")) == []


def test_cover_that_runs_over(english: Expected) -> None:
    cover = f"<div style='height: 3.9in'></div>{HELP}"
    found = lines(verify_pdf(english, edition_pdf(cover=cover), "x.pdf"))
    assert found[-1] == (
        "x.pdf: page 1: error: the emergency number 911 is missing from the "
        "cover's help box (it is on the next page); the box runs over its page: "
        "the layout must make it fit [verify-number-missing]"
    )
    assert all("(it is on the next page); the box runs over" in line for line in found)


def test_card_sides(project: Project, handbook: Handbook) -> None:
    sides = expect(handbook, [view_of(project, handbook, "es"), view_of(project, handbook, "en")])

    def card(front: str, back: str) -> list[str]:
        pdf = pdf_of(front, back, size="3.5in 2in", margin="0.1in")
        return lines(verify.verify_card_pdf(sides, pdf, "card.pdf", sheet=False))

    assert card(HELP, HELP) == []
    assert card(HELP, HELP.replace("233733", "337332")) == [
        "card.pdf: page 2: error: the hotline text number 233733 is missing from the card's back "
        f"(en) (found '337332'); {ADVICE} [verify-number-order]"
    ]


def test_unreadable_file(english: Expected) -> None:
    assert [d.code for d in verify_pdf(english, b"%PDF-1.7 no", "x.pdf")] == ["verify-unreadable"]
    assert [d.code for d in verify_epub(english, b"PK no", "x.epub")] == ["verify-unreadable"]


# Doctored EPUBs: the real Spanish one, one document edited.


def edited(epub: Path, name: str, old: str, new: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == name:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            dst.writestr(info, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def spanish(project: Project, handbook: Handbook) -> Expected:
    return expect(handbook, [view_of(project, handbook, "es")])


def test_real_epub_passes(spanish: Expected, built: dict[str, Built]) -> None:
    assert verify_epub(spanish, built["es"].epub.read_bytes(), "es.epub") == []


def line_of(epub: Path, name: str, needle: str) -> int:
    """The line of a built EPUB document that holds `needle` (where the layouts put it)."""
    with zipfile.ZipFile(epub) as z:
        text = z.read(name).decode()
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("control", ["\u202e", "&#x202E;"])
def test_bidi_override_in_epub(spanish: Expected, built: dict[str, Built], control: str) -> None:
    before = '<span class="number">Llame al <bdi'
    after = before.replace("<bdi", f"{control}<bdi")
    data = edited(built["es"].epub, "EPUB/back.xhtml", before, after)
    found = lines(verify_epub(spanish, data, "es.epub"))
    assert len(found) == 1
    line = line_of(built["es"].epub, "EPUB/back.xhtml", before)
    assert found[0].startswith(
        f"es.epub: EPUB/back.xhtml:{line}: error: RIGHT-TO-LEFT OVERRIDE "
        "(U+202E) in 'Llame al <U+202E>': it reverses"
    )
    assert found[0].endswith("[verify-bidi-control]")


def test_missing_number_in_epub_help(spanish: Expected, built: dict[str, Built]) -> None:
    data = edited(
        built["es"].epub, "EPUB/cover.xhtml", '<bdi class="tel" dir="ltr">233733</bdi>', ""
    )
    assert lines(verify_epub(spanish, data, "es.epub")) == [
        "es.epub: EPUB/cover.xhtml: error: the hotline text number 233733 is missing from the help "
        f"section of the cover; {ADVICE} [verify-number-missing]"
    ]


def test_reversed_number_in_epub(spanish: Expected, built: dict[str, Built]) -> None:
    data = edited(built["es"].epub, "EPUB/back.xhtml", f">{HOTLINE}</a>", ">8887-373-888-1</a>")
    assert lines(verify_epub(spanish, data, "es.epub")) == [
        "es.epub: EPUB/back.xhtml: error: the hotline number 1-888-373-7888 is missing from the "
        f"help section at the back (found '8887-373-888-1'); {ADVICE} [verify-number-order]"
    ]


def test_added_number_and_domain_in_epub(spanish: Expected, built: dict[str, Built]) -> None:
    added = "</h3>\n<p>Llame al Nº1-800-555-0199 o visite www.ayuda-trata.example</p>"
    data = edited(built["es"].epub, "EPUB/section-01.xhtml", "</h3>", added)
    found = lines(verify_epub(spanish, data, "es.epub"))
    places = [line.split(": error: ")[0] for line in found]
    assert places == ["es.epub: EPUB/section-01.xhtml:16"] * 2
    codes = [line.rsplit(" ", 1)[1] for line in found]
    assert codes == ["[verify-number-added]", "[verify-link-added]"]


def test_addresses_between_bidi_marks_in_epub(spanish: Expected, built: dict[str, Built]) -> None:
    """The left-to-right marks the layouts put around an address in right-to-left text are not
    part of it: the source's address passes, an added one is named without them."""
    source = "https://humantraffickinghotline.org"
    expected = dataclasses.replace(spanish, links=frozenset(verify.link_keys(source)))
    marked = "\u200e{}\u200e"
    added = (
        f"</h3>\n<p>زر {marked.format(source)}، أو {marked.format('https://ayuda.example')}.</p>"
    )
    data = edited(built["es"].epub, "EPUB/section-01.xhtml", "</h3>", added)
    assert lines(verify_epub(expected, data, "es.epub")) == [
        "es.epub: EPUB/section-01.xhtml:16: error: the address 'https://ayuda.example' is not in "
        "the source, and a reader could follow it: remove it (an address readers should use "
        f"belongs in the source, {spanish.source}) [verify-link-added]"
    ]


def test_changed_phone_link_in_epub(spanish: Expected, built: dict[str, Built]) -> None:
    data = edited(built["es"].epub, "EPUB/back.xhtml", "tel:+18883737888", "tel:+18005550199")
    line = line_of(built["es"].epub, "EPUB/back.xhtml", "tel:+18883737888")
    assert lines(verify_epub(spanish, data, "es.epub")) == [
        f"es.epub: EPUB/back.xhtml:{line}: error: the link 'tel:+18005550199' leads to an "
        "address or number the source does not have: remove it [verify-link-added]"
    ]


# Doctored web pages: the real Spanish and Arabic ones, one line edited.


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The web editions, as `handbook web` writes them."""
    project = Project(ROOT, tmp_path_factory.mktemp("dist"))
    return {lang: build_web(project, HANDBOOK, lang) for lang in ("es", "ar")}


def page_line(page: Path, needle: str) -> int:
    """The line of the page that holds `needle` (where the layouts put it)."""
    html = page.read_text(encoding="utf-8")
    return html[: html.index(needle)].count("\n") + 1


def web_page(page: Path, old: str, new: str) -> bytes:
    html = page.read_text(encoding="utf-8")
    assert old in html
    return html.replace(old, new, 1).encode()


def test_real_web_editions_pass(
    project: Project, handbook: Handbook, pages: dict[str, Path]
) -> None:
    assert lines(checks.verify_files(project, list(pages.values()))) == []
    arabic = expect(handbook, [view_of(project, handbook, "ar")])
    assert verify_web(arabic, pages["ar"].read_bytes(), "ar/index.html") == []


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_reversed_number_on_the_web(
    project: Project, handbook: Handbook, pages: dict[str, Path], lang: str
) -> None:
    expected = expect(handbook, [view_of(project, handbook, lang)])
    data = web_page(pages[lang], f"{HOTLINE}", "8887-373-888-1")
    line = page_line(pages[lang], HOTLINE)
    assert lines(verify_web(expected, data, "index.html")) == [
        f"index.html:{line}: error: the hotline number 1-888-373-7888 is missing from the help "
        f"box at the top of the page (found '8887-373-888-1'); {ADVICE} [verify-number-order]"
    ]


@pytest.mark.parametrize(
    ("href", "why"),
    [
        ("tel:911", "dials 911: a reader who taps it reaches someone else; it must dial"),
        ("tel:+18005550199", "dials 18005550199: a reader who taps it reaches someone else"),
        ("sms:+18883737888", "opens the wrong app: a tel: link calls this number"),
    ],
)
def test_changed_phone_link_on_the_web(
    spanish: Expected, pages: dict[str, Path], href: str, why: str
) -> None:
    """A link that dials another number of the source is refused too: a reader who taps
    the hotline must reach the hotline."""
    data = web_page(pages["es"], 'href="tel:+18883737888"', f'href="{href}"')
    found = lines(verify_web(spanish, data, "index.html"))
    line = page_line(pages["es"], 'href="tel:+18883737888"')
    assert len(found) == 1
    assert found[0].startswith(
        f"index.html:{line}: error: the link '{href}' beside the hotline number "
        f"1-888-373-7888 {why}"
    )
    assert found[0].endswith("[verify-link-number]")


def test_added_host_on_the_web(spanish: Expected, pages: dict[str, Path]) -> None:
    data = web_page(pages["es"], "</h3>", " Visite www.ayuda-trata.example.</h3>")
    assert lines(verify_web(spanish, data, "index.html")) == [
        "index.html:103: error: the address 'www.ayuda-trata.example' is not in the source, and a "
        "reader could follow it: remove it (an address readers should use belongs in the source, "
        f"{spanish.source}) [verify-link-added]"
    ]


@pytest.mark.parametrize("control", ["\u202e", "&#x202E;"])
def test_bidi_override_on_the_web(spanish: Expected, pages: dict[str, Path], control: str) -> None:
    data = web_page(pages["es"], "Llame al <bdi", f"Llame al {control}<bdi")
    line = page_line(pages["es"], "Llame al <bdi")
    assert lines(verify_web(spanish, data, "index.html")) == [
        f"index.html:{line}: error: RIGHT-TO-LEFT OVERRIDE (U+202E) in 'Llame al <U+202E>': it "
        "reverses or re-embeds the text after it for every reader; remove it (where a direction "
        "must be set, the layouts isolate the run) [verify-bidi-control]"
    ]


def test_help_box_first_and_present(spanish: Expected, pages: dict[str, Path]) -> None:
    first = web_page(
        pages["es"], '<header class="masthead">', '<p>Hola</p><header class="masthead">'
    )
    assert [d.code for d in verify_web(spanish, first, "index.html")] == ["verify-help-first"]
    gone = web_page(pages["es"], 'class="help-box"', 'class="box"')
    assert lines(verify_web(spanish, gone, "index.html")) == [
        "index.html: error: the page has no help box (class 'help-box'): a reader in danger finds "
        "no number to call; build it again from the layouts of the web edition "
        "[verify-help-missing]"
    ]


# Words that are, and are not, numbers and addresses.


@pytest.mark.parametrize(
    ("token", "phone"),
    [
        ("911", True),
        ("1-888-373-7888", True),
        ("٢٠٢٦", True),
        ("28", False),
        ("1", False),
        ("3.2", True),
    ],
)
def test_phone_like(token: str, phone: bool) -> None:
    assert verify.phone_like(token) is phone


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Los EE.UU. y p.ex. U.S. e.g. i.e.", []),
        ("1.Promesas falsas", []),
        ("visite بwww.ayuda-trata.example.", ["www.ayuda-trata.example"]),
        (
            "see https://example.org/a, or mail a@b.example",
            ["https://example.org/a", "a@b.example"],
        ),
        (
            "زر \u200ehttps://example.org/a\u200e، \u2067mailto:a@b.example\u2069",
            ["https://example.org/a", "mailto:a@b.example"],
        ),
        # An address that goes on after a mark is another address, not the one before it.
        ("https://example.org\u200e.evil.example", ["https://example.org\u200e.evil.example"]),
    ],
)
def test_links_in(text: str, found: list[str]) -> None:
    assert list(verify.links_in(text)) == found


# The build's gates and the command line.


def test_build_writes_nothing_that_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    back = project.layouts / "_back.j2"
    added = "<p>Ayuda: 1-800-555-0199</p>\n</section>"
    back.write_text(back.read_text().replace("</section>", added))
    with pytest.raises(RenderError) as exc:
        build(Project(project.root, tmp_path / "dist"), HANDBOOK, "en")
    found = [str(d) for d in exc.value.diagnostics if d.code == "verify-number-added"]
    assert found[0].startswith(f"{tmp_path / 'dist' / 'en' / HANDBOOK}.pdf: page ")
    assert not (tmp_path / "dist").exists()


def test_card_writes_nothing_that_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    side = project.layouts / "card" / "_side.j2"
    side.write_text(side.read_text().replace("</div>", "<p>www.ayuda-trata.example</p>\n</div>"))
    with pytest.raises(RenderError) as exc:
        build_card(Project(project.root, tmp_path / "dist"), HANDBOOK, "es")
    assert str(exc.value.diagnostics[0]) == (
        f"{tmp_path / 'dist' / 'es' / HANDBOOK}-card.pdf: pages 1-2: error: the address "
        "'www.ayuda-trata.example' is not in the source, and a reader could follow it: remove it "
        f"(an address readers should use belongs in the source, {project.handbook_path(HANDBOOK)}) "
        "[verify-link-added]"
    )
    assert not (tmp_path / "dist").exists()


def test_web_build_writes_nothing_that_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    page = project.layouts / "web" / "index.html.j2"
    page.write_text(page.read_text().replace("</main>", "<p>www.ayuda-trata.example</p></main>"))
    with pytest.raises(RenderError) as exc:
        build_web(Project(project.root, tmp_path / "dist"), HANDBOOK, "es")
    found = str(exc.value.diagnostics[0])
    web = tmp_path / "dist" / "es" / f"{HANDBOOK}-web"
    assert found.startswith(f"{web / INDEX}:")
    assert found.endswith(
        "'www.ayuda-trata.example' is not in the source, and a reader could "
        f"follow it: remove it (an address readers should use belongs in the source, "
        f"{project.handbook_path(HANDBOOK)}) [verify-link-added]"
    )
    assert not (tmp_path / "dist").exists()


def test_command_line_reads_web_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pages: dict[str, Path]
) -> None:
    def run(*args: str) -> int:
        return main(["--root", str(ROOT), "verify", *args])

    assert run(*map(str, pages.values())) == 0
    assert capsys.readouterr().err == "verified 2 file(s): 0 error(s)\n"
    copy = tmp_path / "es" / f"{HANDBOOK}-web" / INDEX
    copy.parent.mkdir(parents=True)
    copy.write_bytes(web_page(pages["es"], 'href="tel:+18883737888"', 'href="tel:911"'))
    assert run(str(copy)) == 1
    line = page_line(pages["es"], 'href="tel:+18883737888"')
    assert capsys.readouterr().err.startswith(
        f"{copy}:{line}: error: the link 'tel:911' beside the hotline number "
        "1-888-373-7888 dials 911"
    )
    assert run("--lang", "es+en", str(pages["es"])) == 2
    assert "a web page has one language" in capsys.readouterr().err


def test_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], built: dict[str, Built]
) -> None:
    def run(*args: str) -> int:
        return main(["--root", str(ROOT), "verify", *args])

    target = tmp_path / "es" / f"{HANDBOOK}.pdf"
    target.parent.mkdir()
    shutil.copy(built["es"].pdf, target)
    assert run(str(target), str(built["es"].epub)) == 0
    assert capsys.readouterr().err == "verified 2 file(s): 0 error(s)\n"
    target.write_bytes(edition_pdf(footer=f"Hotline: \u202e{HOTLINE}\u202c"))
    assert run(str(target)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        f"{target}: page 2: error: the hotline number 1-888-373-7888 is "
        "missing from the page footer (found '8887-373-888-1')"
    )
    assert err[-1] == "verified 1 file(s): 1 error(s)"
    assert run(str(tmp_path / "notes.pdf")) == 2
    assert "no such file" in capsys.readouterr().err
    shutil.copy(built["es"].pdf, tmp_path / "draft.pdf")
    assert run(str(tmp_path / "draft.pdf")) == 2
    assert "pass --handbook" in capsys.readouterr().err
    assert run("--handbook", HANDBOOK, "--lang", "es", str(tmp_path / "draft.pdf")) == 0


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    example = "handbook verify dist/es/ct-trafficking.pdf dist/es/ct-trafficking.epub"
    assert example in capsys.readouterr().out


def test_a_contact_number_in_any_form_may_be_dialled(tmp_path: Path) -> None:
    """A contact's own tel: link dials its number however the source writes it: 116 006 (the
    EU's number for victims of crime) is no phone number to inline.PHONE, and the verifier
    refused the cover's and back cover's links to it as leading to a number the source does
    not have."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "tests/roots/tiny", root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source/tiny/handbook.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("phone: 1-888-373-7888", "phone: '116 006'"), encoding="utf-8")
    pdf, epub = build(Project(root, root / "dist"), "tiny", "en")
    with zipfile.ZipFile(epub) as z:
        cover = z.read("EPUB/cover.xhtml").decode()
    assert 'href="tel:116006"' in cover
    assert pdf.is_file()  # read back by the verifier: the number on the cover and in footers

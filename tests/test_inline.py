"""Rich text that survives translation (issue 14, items 2 and 4): inline markup in answers,
phone numbers as people write them, bullet lists; parsed, rendered, checked and built."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest
from babel.messages.catalog import Message

from pipeline.babel_extract import extract_handbook
from pipeline.build import Project, build
from pipeline.diagnostics import Place, SourceError
from pipeline.inline import PHONE, Em, Link, Plain, Strong, dial, parse, plain, signature
from pipeline.qa import check_message
from pipeline.source import load

from .conftest import ROOT
from .test_bad_inputs import ROOTS

TINY = ROOTS / "tiny"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_parse_gives_a_typed_tree() -> None:
    parsed = parse("Call **now**, *free*: [the hotline](https://example.org/a?b=1) or \\*.")
    assert parsed.problems == ()
    assert parsed.nodes == (
        Plain("Call "),
        Strong((Plain("now"),)),
        Plain(", "),
        Em((Plain("free"),)),
        Plain(": "),
        Link("https://example.org/a?b=1", (Plain("the hotline"),)),
        Plain(" or *."),
    )
    assert plain(parsed.nodes) == "Call now, free: the hotline or *."
    assert signature(parsed.nodes) == ("strong", "em", "link https://example.org/a?b=1")


def test_marks_nest_and_links_hold_marks() -> None:
    parsed = parse("***both*** and [**call**](tel:+1-202-671-1880) or [mail](mailto:a@b.org)")
    assert parsed.problems == ()
    assert signature(parsed.nodes) == (
        "strong",
        "em",
        "link tel:+12026711880",  # a tel: target compares by the number it dials
        "strong",
        "link mailto:a@b.org",
    )


def test_a_star_between_spaces_is_a_character() -> None:
    assert parse("5 * 3 = 15").nodes == (Plain("5 * 3 = 15"),)
    assert parse("5 * 3 = 15").problems == ()


@pytest.mark.parametrize(
    ("text", "offset", "words"),
    [
        ("Call **now to get help", 5, "the bold text opened here with '**' is never closed"),
        ("Call *now to get help", 5, "the italic text opened here with '*' is never closed"),
        ("Call now** to get help", 8, "'**' here closes no bold text"),
        ("a *b **c* d**", 5, "the bold text opened here is still open"),
        ("see [the site] for more", 4, "no '(address)' follows its ']'"),
        ("see [the site](https://a.org for more", 4, "no '(address)' follows its ']'"),
        ("see [the site for more", 4, "never closed with ']'"),
        ("[click](javascript:alert(1)) now", 8, "not to 'javascript:alert(1'"),
        ("[click](http://example.org) now", 8, "not to 'http://example.org'"),
        ("[click](data:text/html,x) now", 8, "a link may lead only to https://"),
        ("[call](tel:911 now) x", 7, "a link may lead only to https://"),
    ],
)
def test_malformed_markup_is_located(text: str, offset: int, words: str) -> None:
    parsed = parse(text)
    assert parsed.problems[0].offset == offset  # the first problem; one may cause another
    assert words in parsed.problems[0].message
    assert f"(at {text[offset : offset + 20]!r}"[:-1] in parsed.problems[0].message  # the place


def test_a_refused_link_keeps_its_words_and_links_nowhere() -> None:
    parsed = parse("[click here](javascript:alert(1)) now")
    assert "javascript" not in str(parsed.nodes)
    assert not any(isinstance(n, Link) for n in parsed.nodes)
    assert plain(parsed.nodes).startswith("click here")


@pytest.mark.parametrize(
    ("written", "dialled"),
    [
        ("(202) 671-1880", "2026711880"),
        ("202-671-1880", "2026711880"),
        ("202.671.1880", "2026711880"),
        ("+1 202 671 1880", "+12026711880"),
        ("1-888-373-7888", "+18883737888"),
        ("+44 20 7946 0958", "+442079460958"),
        ("911", "911"),
        ("233733", "233733"),
    ],
)
def test_dial_is_the_one_normal_form(written: str, dialled: str) -> None:
    assert dial(written) == dialled


def test_phone_numbers_as_people_write_them() -> None:
    text = "Call (202) 671-1880, +1 202 671 1880, 202.671.1880 or 1-888-373-7888; not 2026 or 911."
    assert [m.group() for m in PHONE.finditer(text)] == [
        "(202) 671-1880",
        "+1 202 671 1880",
        "202.671.1880",
        "1-888-373-7888",
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Call 0800 0121 700 free", "0800 0121 700"),
        ("+44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
        ("(030) 1234 5678", "(030) 1234 5678"),
        ("+49 30 12345678", "+49 30 12345678"),
        ("+33 1 23 45 67 89 ou 01 23 45 67 89", "+33 1 23 45 67 89"),
        ("Tel. 0221 123456", "0221 123456"),
        ("+52 55 5533 5533", "+52 55 5533 5533"),
        # a number, then an hour count: never one number that a link would dial wrong
        ("0800 0121 700 24 hours a day", "0800 0121 700"),
        ("+44 20 7946 0958 24 hours a day", "+44 20 7946 0958"),
        ("(030) 1234 5678 24", "(030) 1234 5678"),
        # not phone numbers: a short code, counts, a date, years, a statute
        ("call 116 006", None),
        ("1 000 000 people", None),
        ("on 01.02.2024", None),
        ("in 2019-2020", None),
        ("section 53a-192", None),
        ("+1 911", None),
        ("from 0 to 5 years", None),
    ],
)
def test_phone_numbers_as_the_rest_of_the_world_writes_them(text: str, number: str | None) -> None:
    found = PHONE.search(text)
    assert (found.group() if found else None) == number


# The QA gate: a translation keeps the markup of its msgid (located at the message's line).


def qa(source: str, translation: str) -> list[str]:
    problems = check_message(Message(source, translation, context="x/p1"), [], Place("es.po", 7))
    assert all(str(p).startswith("es.po:7: error: ") for p in problems)
    return [f"{p.code}: {p.message}" for p in problems]


SOURCE = "Call **now**: *free* help at [the hotline](https://example.org) or (202) 671-1880."


def test_a_faithful_translation_may_reorder_and_rewrite_the_number() -> None:
    translation = "*Gratis*: llame **ya** a [la línea](https://example.org) o al 202-671-1880."
    assert qa(SOURCE, translation) == []


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        (
            "Llame **ya**: ayuda *gratis* en la línea https://example.org o al (202) 671-1880.",
            "qa-rich-text: the source links to https://example.org, the translation does not: "
            "write the linked words as [words](https://example.org)",
        ),
        (
            "Llame ya: ayuda *gratis* en [la línea](https://example.org) o al (202) 671-1880.",
            "qa-rich-text: the source has 1 bold text(s) (**…**) and the translation 0: "
            "mark the same words bold as the source does",
        ),
        (
            "Llame **ya: ayuda *gratis* en [la línea](https://example.org) o al (202) 671-1880.",
            "qa-rich-text: in the translation, the bold text opened here with '**' is never "
            "closed: end it with ** (at '**ya: ayuda *gratis* en [la lí…')",
        ),
        (
            "Llame **ya**: *gratis* [aquí](javascript:alert(1)) o al (202) 671-1880.",
            "qa-rich-text: in the translation, a link may lead only to https://…, tel:+… (digits "
            "and hyphens) or mailto:…, not to 'javascript:alert(1' (at 'javascript:alert(1)) o al "
            "(202…')",
        ),
        (
            "Llame **ya**: *gratis* [aquí](https://example.org) o al (202) 671-1881.",
            "qa-changed-number: phone number or number '(202) 671-1880' of the source is missing "
            "or changed in the translation (it has '(202) 671-1881')",
        ),
        (
            "Llame **ya**: *gratis* [aquí](https://example.org) o al +1 202 671 1880.",
            "qa-changed-number: phone number or number '(202) 671-1880' of the source is missing "
            "or changed in the translation (it has '+1 202 671 1880')",
        ),
    ],
)
def test_a_translation_that_changes_markup_or_number_is_refused(
    translation: str, expected: str
) -> None:
    assert expected in qa(SOURCE, translation)


def test_a_changed_link_target_is_reported_once() -> None:
    problems = qa(SOURCE, SOURCE.replace("https://example.org", "https://evil.example"))
    assert problems == [
        "qa-changed-link: URL 'https://example.org' of the source is missing or changed in the "
        "translation (it has 'https://evil.example')"
    ]


def test_a_link_the_source_only_prints_is_refused() -> None:
    source = "Visit https://example.org or call (202) 671-1880."
    translation = (
        "Visite [el sitio](https://example.org) o llame al [202-671-1880](tel:2026711880)."
    )
    assert qa(source, translation) == [
        "qa-rich-text: the translation links to https://example.org, the source does not: "
        "remove the link (keep the words)",
        "qa-rich-text: the translation links to tel:2026711880, the source does not: "
        "remove the link (keep the words)",
    ]


def test_texts_without_markup_are_left_alone() -> None:
    assert qa("Rated 5 * 3 stars?", "¿Calificado 5 * 3 estrellas?") == []
    assert qa("A *footnote", "Una *nota") == []  # not markup in the source: its characters


# Sources: a broken mark in an answer is refused at the answer's line.


def write_source(root: Path, replace: dict[str, str]) -> Path:
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("README.md"))
    path = root / "source/tiny/handbook.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_source_with_broken_markup_is_refused_where_it_is(tmp_path: Path) -> None:
    path = write_source(
        tmp_path / "p",
        {"Text 233733 to reach the hotline.": "Text 233733 to reach [the hotline](javascript:x)."},
    )
    with pytest.raises(SourceError) as caught:
        load(path)
    (problem,) = caught.value.diagnostics
    assert problem.code == "source-markup"
    assert (problem.place.line, problem.place.col) == (25, 15)
    assert "not to 'javascript:x'" in problem.message


def test_markup_outside_an_answer_is_refused(tmp_path: Path) -> None:
    path = write_source(
        tmp_path / "p", {"question: Where can I get help?": "question: Where can I get *help*?"}
    )
    with pytest.raises(SourceError) as caught:
        load(path)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.place.line) == ("source-markup", 19)
    assert problem.message.startswith("bold, italic and links are read only in answers")


# A build: the markup, the bullet list and the numbers in the EPUB and the PDF.

RICH = {
    "  phone: 1-888-373-7888\n": "  phone: (202) 671-1880\n",
    "    - paragraph: Call the National Human Trafficking Hotline at 1-888-373-7888 or visit "
    "https://humantraffickinghotline.org for more information.": (
        "    - paragraph: '**Call** the National Human Trafficking Hotline at (202) 671-1880, "
        "*day or night*, or visit [the hotline''s website](https://humantraffickinghotline.org)"
        " for more information.'"
    ),
    "    - items:\n": "    - style: bullet\n      items:\n",
}


P1 = "get-help/p1"
P1_ES = (
    "**Llame** a la National Human Trafficking Hotline al 202-671-1880, *de día o de noche*, "
    "o visite [su sitio web](https://humantraffickinghotline.org) para más información."
)


@pytest.fixture(scope="module")
def rich_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """tiny with bold, italic, a link, a phone number in a text and a bullet list; its
    Spanish catalog writes the number as 202-671-1880 (the same when dialled)."""
    root = tmp_path_factory.mktemp("rich") / "p"
    source = write_source(root, RICH)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    po = root / "locales/es/LC_MESSAGES/tiny.po"
    msgid = next(m for m in extract(source) if m[2][0] == P1)[2][1]
    old = re.search(rf'msgctxt "{P1}"\nmsgid ".*"\nmsgstr ".*"', po.read_text(encoding="utf-8"))
    assert old is not None
    new = f'msgctxt "{P1}"\nmsgid "{msgid}"\nmsgstr "{P1_ES}"'
    po.write_text(po.read_text(encoding="utf-8").replace(old.group(), new), encoding="utf-8")
    return Project(root, root / "dist")


def extract(source: Path) -> list[tuple[int, str, tuple[str, str], list[str]]]:
    with source.open("rb") as f:
        return list(extract_handbook(f, {}, [], {}))


def built_files(project: Project, lang: str) -> tuple[Path, Path]:
    paths = build(project, "tiny", lang)
    return next(p for p in paths if p.suffix == ".pdf"), next(
        p for p in paths if p.suffix == ".epub"
    )


@pytest.fixture(scope="module")
def rich_build(rich_project: Project) -> tuple[Path, Path]:
    return built_files(rich_project, "en")


def test_pybabel_finds_the_same_messages_with_the_markup_in_them(rich_project: Project) -> None:
    ours = extract(rich_project.root / "source/tiny/handbook.yaml")
    plain_tiny = extract(TINY / "source/tiny/handbook.yaml")
    assert [m[2][0] for m in ours] == [m[2][0] for m in plain_tiny]
    assert dict(m[2] for m in ours)[P1].startswith("**Call** the National")


def test_the_epub_has_the_markup_links_and_bullets(rich_build: tuple[Path, Path]) -> None:
    _pdf, epub = rich_build
    with zipfile.ZipFile(epub) as z:
        (section,) = [n for n in z.namelist() if n.endswith("section-01.xhtml")]
        body = ElementTree.fromstring(z.read(section))

    def found(tag: str) -> list[tuple[str, str]]:
        return [(el.get("href", ""), "".join(el.itertext())) for el in body.iter(XHTML + tag)]

    assert ("", "Call") in found("strong")
    assert ("", "day or night") in found("em")
    links = found("a")
    assert ("https://humantraffickinghotline.org", "the hotline's website") in links
    assert ("tel:2026711880", "(202) 671-1880") in links  # a number in the text, as written
    (bullets,) = body.iter(XHTML + "ul")
    assert bullets.get("class") == "items"
    assert len(bullets.findall(XHTML + "li")) == 2
    assert not list(body.iter(XHTML + "ol"))


def test_the_pdf_has_one_annotation_per_link(rich_build: tuple[Path, Path]) -> None:
    pdf, _epub = rich_build
    with pikepdf.open(pdf) as doc:
        annotations = [
            (str(a.A.URI), str(a.get("/Contents", "")))
            for page in doc.pages
            for a in page.obj.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        ]
    uris, descriptions = [u for u, _ in annotations], dict(annotations)
    assert "tel:2026711880" in uris
    assert "https://humantraffickinghotline.org" in uris
    assert descriptions["tel:2026711880"] == "Call (202) 671-1880"
    assert all(u.startswith(("tel:", "sms:", "https:")) for u in uris)
    text = pdf.read_bytes()
    assert b"javascript" not in text


def test_a_translation_may_write_the_number_another_way(rich_project: Project) -> None:
    """The QA gates and the verifier judge 202-671-1880 by the number it dials: the build
    passes both, prints the number as the translator wrote it and links it."""
    _pdf, epub = built_files(rich_project, "es")
    with zipfile.ZipFile(epub) as z:
        (section,) = [n for n in z.namelist() if n.endswith("section-01.xhtml")]
        body = ElementTree.fromstring(z.read(section))
    links = [(el.get("href"), "".join(el.itertext())) for el in body.iter(XHTML + "a")]
    assert ("tel:2026711880", "202-671-1880") in links
    assert ("https://humantraffickinghotline.org", "su sitio web") in links


@pytest.mark.parametrize("phone", ["(202) 671-1880", "+1 202 671 1880", "202.671.1880"])
def test_the_schema_takes_phone_numbers_as_people_write_them(tmp_path: Path, phone: str) -> None:
    path = write_source(tmp_path / "p", {"phone: 1-888-373-7888": f"phone: '{phone}'"})
    assert load(path).contacts[0].phone == phone  # printed as written


@pytest.mark.parametrize("phone", ["202/671/1880", "(202 671-1880", "202--671-1880", "call 911"])
def test_the_schema_refuses_what_is_not_a_phone_number(tmp_path: Path, phone: str) -> None:
    path = write_source(tmp_path / "p", {"phone: 1-888-373-7888": f"phone: '{phone}'"})
    with pytest.raises(SourceError) as caught:
        load(path)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.place.line) == ("schema-pattern", 10)
    assert problem.message == (
        f"{phone!r} is not a phone number: write digits, grouped by single spaces, hyphens or "
        "dots, an area code in brackets if you like, e.g. (202) 671-1880 or +1 202 671 1880"
    )

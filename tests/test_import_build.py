"""From an imported file to a built handbook (issue 14, the first "Done when"): the Markdown
and the Word document of tests/test_importer.py, imported with `handbook import`, the keys it
leaves empty filled, built in English; every piece of their markup is found in the EPUB's XHTML
and as a link annotation in the PDF, and every question in the PDF's text."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest

from pipeline.build import Project, build
from pipeline.cli import main

from .conftest import ROOT
from .test_importer import CONTACT, EXPECTED, MARKDOWN, fill, write_docx

XHTML = "{http://www.w3.org/1999/xhtml}"
QUESTIONS = [e["question"] for s in EXPECTED.sections for e in s["entries"]]


@dataclass(frozen=True)
class Edition:
    pdf: Path
    epub: Path


@pytest.fixture(scope="module", params=["md", "docx"])
def edition(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Edition:
    """The file imported into a fresh project as `dw`, its empty keys filled, built in English."""
    root = tmp_path_factory.mktemp(request.param)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    path = root / f"faq.{request.param}"
    if request.param == "md":
        path.write_text(MARKDOWN, encoding="utf-8")
    else:
        write_docx(path)
    assert main(["--root", str(root), "import", str(path), "--id", "dw"]) == 0
    fill(root / "source" / "dw" / "handbook.yaml", CONTACT)
    pdf, epub = build(Project(root), "dw", "en")
    return Edition(pdf, epub)


def chapters(epub: Path) -> list[ElementTree.Element]:
    with zipfile.ZipFile(epub) as z:
        names = sorted(n for n in z.namelist() if "section-" in n and n.endswith(".xhtml"))
        return [ElementTree.fromstring(z.read(n)) for n in names]


def found(bodies: list[ElementTree.Element], tag: str) -> list[tuple[str, str]]:
    """(href, text) of every element `tag` of the chapters."""
    return [
        (el.get("href", ""), "".join(el.itertext()))
        for body in bodies
        for el in body.iter(XHTML + tag)
    ]


def test_the_epub_has_every_piece(edition: Edition) -> None:
    bodies = chapters(edition.epub)
    assert len(bodies) == 2  # Pay, Safety
    strong = [text for _, text in found(bodies, "strong")]
    assert "$17.50" in strong
    assert ("", "before") in found(bodies, "em")
    links = found(bodies, "a")
    assert ("https://does.dc.gov/wages", "the wage office") in links
    assert ("tel:2026711880", "(202) 671-1880") in links  # written in the text, linked
    assert ("tel:+18883737888", "the hotline") in links  # a link the file made
    (bullets,) = [ul for body in bodies for ul in body.iter(XHTML + "ul")]
    assert ["".join(li.itertext()) for li in bullets.iter(XHTML + "li")] == [
        "Overtime is paid after 40 hours.",
        "Press *67 to hide your number.",
    ]
    (numbered,) = [ol for body in bodies for ol in body.iter(XHTML + "ol")]
    items = numbered.findall(XHTML + "li")
    terms = [li.find(XHTML + "strong") for li in items]
    assert [(t.get("class"), t.text) for t in terms if t is not None] == [
        ("term", "Documents:"),
        ("term", "Call:"),
    ]
    assert [" ".join("".join(li.itertext()).split()) for li in items] == [
        "Documents: bring your pay slips.",
        "Call: the wage office at (202) 671-1880.",
    ]
    text = " ".join(" ".join(" ".join(body.itertext()) for body in bodies).split())
    assert all(q in text for q in QUESTIONS)


def test_the_pdf_links_every_target_and_prints_every_question(edition: Edition) -> None:
    with pikepdf.open(edition.pdf) as pdf:
        uris = {
            str(a.A.URI)
            for page in pdf.pages
            for a in page.obj.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        }
    assert {"https://does.dc.gov/wages", "tel:2026711880", "tel:+18883737888"} <= uris
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(edition.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    for question in QUESTIONS:
        assert question in flat
    assert "(202) 671-1880" in flat

"""Golden page texts: every shipped edition's PDF, page by page, and its EPUB, document by
document, as a reader's software copies them out. A change to the layouts or the pipeline
that changes what a reader sees shows here as a diff of tests/golden/; an intended change is
recorded with `UPDATE_GOLDEN=1 make test` (then read the diff before committing it)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from .conftest import BILINGUAL, Built

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def epub_text(path: Path) -> str:
    """Each content document's text in spine order, one block per document."""
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".xhtml"))
        out = []
        for name in names:
            root = etree.fromstring(z.read(name))
            words = " ".join("".join(root.itertext()).split())
            out.append(f"== {name}\n{words}\n")
    return "".join(out)


def compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden text {path.name}: record it with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        changed = [
            i + 1
            for i, (a, b) in enumerate(zip(actual.split("\f"), expected.split("\f"), strict=False))
            if a != b
        ]
        pytest.fail(f"{name} differs from tests/golden (pages {changed[:20]}); diff the files")


def test_pdf_pages(built: dict[str, Built], bilingual: dict[str, Built]) -> None:
    for code, edition in {**built, **bilingual}.items():
        compare(f"{code}.pdf.txt", edition.pdftext())


def test_epub_documents(built: dict[str, Built], bilingual: dict[str, Built]) -> None:
    for code, edition in {**built, **bilingual}.items():
        compare(f"{code}.epub.txt", epub_text(edition.epub))


def test_golden_set_is_current(built: dict[str, Built]) -> None:
    """A locale added or removed changes the golden set too."""
    expected = {f"{c}.{kind}.txt" for c in [*built, *BILINGUAL] for kind in ("pdf", "epub")}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected

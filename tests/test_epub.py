"""The EPUB's structure: navigation, page-list, direction, accessibility, size."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree

from .conftest import Built

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def read(book: Built, suffix: str) -> ElementTree.Element:
    with zipfile.ZipFile(book.epub) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return ElementTree.fromstring(z.read(name))


def nav(book: Built, kind: str) -> ElementTree.Element:
    return next(
        n for n in read(book, "nav.xhtml").iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == kind
    )


def test_nav_hierarchy_matches_the_source(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    toc = nav(built[locale], "toc").find("x:ol", NS)
    assert toc is not None
    sections = toc.findall("x:li", NS)
    assert [s.find("x:a", NS).text for s in sections] == [s.title.value for s in view.sections]  # type: ignore[union-attr]
    for li, section in zip(sections, view.sections, strict=True):
        links = li.findall("x:ol/x:li/x:a", NS)
        assert [a.get("href") for a in links] == [q.href for q in section.entries]


def test_landmarks_and_page_list(built: dict[str, Built], locale: str) -> None:
    landmarks = {a.get(EPUB_TYPE) for a in nav(built[locale], "landmarks").iter(f"{{{NS['x']}}}a")}
    assert landmarks == {"cover", "toc", "bodymatter"}
    pages = list(nav(built[locale], "page-list").iter(f"{{{NS['x']}}}a"))
    assert len(pages) >= 8
    with zipfile.ZipFile(built[locale].epub) as z:
        for a in pages:
            doc, fragment = a.get("href", "").split("#")
            assert f'id="{fragment}"' in z.read(f"EPUB/{doc}").decode()


def test_package_direction_and_accessibility(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    opf = read(built[locale], "content.opf")
    spine = opf.find("opf:spine", NS)
    assert spine is not None
    assert spine.get("page-progression-direction") == ("rtl" if view.loc.dir == "rtl" else None)
    properties = {m.get("property") for m in opf.iter(f"{{{NS['opf']}}}meta")}
    assert {
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
        "dcterms:modified",
    } <= properties
    manifest = {i.get("href"): i.get("properties") for i in opf.iter(f"{{{NS['opf']}}}item")}
    assert manifest["cover.jpg"] == "cover-image"
    assert manifest["nav.xhtml"] == "nav"


def test_size_and_embedded_fonts(built: dict[str, Built], view, locale: str) -> None:  # type: ignore[no-untyped-def]
    assert built[locale].epub.stat().st_size < 2_000_000
    with zipfile.ZipFile(built[locale].epub) as z:
        fonts = [n for n in z.namelist() if n.endswith(".woff")]
        names = z.namelist()
        info = z.infolist()[0]
    assert bool(fonts) == bool(view.loc.fonts.embed)
    assert names[0] == "mimetype"
    assert info.compress_type == zipfile.ZIP_STORED


def test_font_subsets_do_not_depend_on_the_clock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline.fonts import _subset, family_files

    face = family_files("Noto Naskh Arabic")[0]
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    first = _subset(face, "الاتجار بالبشر")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert _subset(face, "الاتجار بالبشر") == first


def test_every_number_is_its_own_left_to_right_isolate(
    built: dict[str, Built], locale: str
) -> None:
    """Each tel: or sms: link and each number of class tel has dir="ltr" (an isolate in HTML):
    a right-to-left mark a translation puts beside a spaced number cannot reverse its groups
    (Chromium showed 'al RLM 1 888 373 7888 RLM' as 7888 373 888 1 without it)."""
    numbers = 0
    with zipfile.ZipFile(built[locale].epub) as z:
        for name in (n for n in z.namelist() if n.endswith(".xhtml")):
            root = ElementTree.fromstring(z.read(name))
            parent = {child: element for element in root.iter() for child in element}
            for element in root.iter():
                href, classes = element.get("href", ""), element.get("class", "").split()
                if href.startswith(("tel:", "sms:")) or "tel" in classes:
                    numbers += 1
                    around = parent.get(element)
                    isolated = element.get("dir") == "ltr" or (
                        around is not None
                        and around.get("dir") == "ltr"
                        and "tel" in around.get("class", "").split()
                    )
                    assert isolated, (name, ElementTree.tostring(element, encoding="unicode"))
    assert numbers >= 10

"""The web edition, built as `handbook web` writes it, judged as a reader's phone meets it:
Spanish (left to right) and Arabic (right to left) from the real handbook, and the tiny
handbook with citations and a long address, through the command line.

The W3C Nu HTML checker (npm `vnu-jar`, run on Java) and axe-core (npm `axe-core`, run in
Debian's headless Chromium) come from the npm registry, like DAISY Ace: `make test` installs
them into .venv/web-checks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from pipeline import qa
from pipeline.build import Project, build, build_web, prepare, resolve_locale
from pipeline.cli import main
from pipeline.html import LRM, address_link
from pipeline.model import Handbook, iter_texts
from pipeline.web import INDEX, render_web

from .conftest import HANDBOOK, ROOT, Built
from .test_safety import tiny_project
from .test_serve import CHROMEDRIVER, CHROMIUM, FLAGS
from .test_sources import CITATIONS, with_source

CHECKS = ROOT / ".venv" / "web-checks" / "node_modules"
VNU = CHECKS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = CHECKS / "axe-core" / "axe.min.js"
INSTALL = "make test installs vnu-jar and axe-core (npm) into .venv/web-checks; run it through make"
PHONE = 360  # CSS pixels: the narrowest common phone screen
# A citation whose address is far wider than a phone (it must wrap, not scroll).
LONG_URL = "https://www.humantraffickinghotline.org/en/gethelp/connecticut/localservices"
LONG_CITATION = f"""\
    - title: Human Anti-Trafficking Response Team
      url: {LONG_URL}
      accessed: 2026-01-12
"""
EDITIONS = ("es", "ar", "tiny-es")
# Whole editions (page, stylesheet, fonts) a phone downloads, in bytes: measured 108 KB (es),
# 127 KB (ar) and 362 KB (zh-Hans; 1.34 MB when every face held the whole page's text).
BUDGET = {"es": 125_000, "ar": 145_000, "zh-Hans": 400_000}


@dataclass(frozen=True)
class Web:
    index: Path
    source: Handbook  # the source model, in its own language
    shown: Handbook  # the model the page shows: translated into the edition's language

    @property
    def html(self) -> str:
        return self.index.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Web]:
    out: dict[str, Web] = {}
    project = Project(ROOT, tmp_path_factory.mktemp("dist"))
    source = project.load(HANDBOOK)
    for lang in ("es", "ar", "zh-Hans"):
        loc = resolve_locale(project, source, lang)
        shown = prepare(project, source, loc, allow_partial=False).view.hb
        out[lang] = Web(build_web(project, HANDBOOK, lang), source, shown)
    root = tmp_path_factory.mktemp("tiny") / "p"
    tiny = tiny_project(root)
    with_source(root, CITATIONS + LONG_CITATION)
    assert main(["--root", str(root), "web", "--handbook", "tiny", "--lang", "es"]) == 0
    index = root / "dist" / "es" / "tiny-web" / INDEX
    hb = tiny.load("tiny")
    es = prepare(tiny, hb, resolve_locale(tiny, hb, "es"), allow_partial=False).view.hb
    out["tiny-es"] = Web(index, hb, es)
    return out


@pytest.fixture(params=EDITIONS)
def web(request: pytest.FixtureRequest, editions: dict[str, Web]) -> Web:
    return editions[request.param]


class Page(HTMLParser):
    """What a test needs of the page: the root's attributes, every element's attributes in
    order, and the text, with the marks that keep numbers in order taken out."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str] = {}
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = values
        self.elements.append((tag, values))

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).replace(LRM, "").split())


def test_language_and_direction(editions: dict[str, Web]) -> None:
    for lang, dir_ in (("es", "ltr"), ("ar", "rtl"), ("tiny-es", "ltr")):
        root = Page(editions[lang].html).root
        assert (root["lang"], root["dir"]) == (lang.removeprefix("tiny-"), dir_)


def test_help_comes_first(web: Web) -> None:
    """Every number of the source as a link, before the contents; the hotline first of all."""
    html = web.html
    contents = html.index('id="contents"')
    hotline = web.source.contacts[0].phone
    assert hotline == "1-888-373-7888"
    assert html.index(hotline) < contents
    links = [a["href"] for tag, a in Page(html).elements if tag == "a" and "href" in a]
    assert links[0] == "tel:+18883737888"
    for contact in web.source.contacts:
        for scheme, number in (("tel", contact.phone), ("sms", contact.sms)):
            if number:
                digits = re.sub(r"\D", "", number)
                link = re.search(rf'href="{scheme}:\+?{digits}"', html)
                assert link, f"{scheme}: {number}"
                assert link.start() < contents


def test_every_entry_as_in_the_source(web: Web) -> None:
    page = Page(web.html)
    articles = [a["id"] for tag, a in page.elements if tag == "article"]
    assert articles == [f"q-{e.id}" for e in web.source.entries]
    text = page.text
    for entry in web.shown.entries:
        assert entry.question.value in text, entry.id
        for shown in iter_texts(entry.answer):
            assert " ".join(shown.value.split()) in text, shown.key
        for citation in entry.sources:
            assert citation.title in text
            assert citation.url in text


def own_files(index: Path) -> set[str]:
    return {p.relative_to(index.parent).as_posix() for p in index.parent.rglob("*") if p.is_file()}


def test_fetches_nothing_from_elsewhere(web: Web) -> None:
    """What the page loads is its own, beside it; a web address is only ever a link the reader
    may follow, to a source the handbook cites."""
    files = own_files(web.index)
    page = Page(web.html)
    loads = [
        value
        for tag, attrs in page.elements
        for name, value in attrs.items()
        if name in ("src", "srcset", "poster", "data") or (tag == "link" and name == "href")
    ]
    css = (web.index.parent / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css
    loads += re.findall(r"url\(\s*[\"']?([^\"')]+)", css)
    assert loads, "the page loads no stylesheet or font at all"
    for target in loads:
        assert not urlsplit(target).scheme, target
        assert not urlsplit(target).netloc, target  # //host/file: another site too
        assert target in files, f"{target} is not beside the page"
    cited = {c.url for e in web.source.entries for c in e.sources}
    printed = {  # an answer's address is a link too: a reader on a phone taps it
        address_link(m.group())
        for t in iter_texts(web.source)
        if t.rich
        for m in qa.URL.finditer(t.value)
    }
    links = [a["href"] for tag, a in page.elements if tag == "a" and "href" in a]
    assert {h for h in links if urlsplit(h).scheme in ("http", "https")} == cited | printed
    assert "script" not in {tag for tag, _ in page.elements}
    assert re.search(r"https?:", css) is None


def test_nu_html_checker_finds_nothing(web: Web) -> None:
    assert VNU.exists(), INSTALL
    problems = []
    for option, name in (("--html", INDEX), ("--css", "style.css")):
        run = subprocess.run(
            ["java", "-jar", str(VNU), option, "--format", "json", str(web.index.parent / name)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        messages = json.loads(run.stderr)["messages"]
        problems += [
            (name, m.get("lastLine"), m["type"], m.get("subType", ""), m["message"])
            for m in messages
            if m["type"] != "info" or m.get("subType") == "warning"
        ]
    assert problems == []


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{', '.join(missing)} missing: .ci/system-packages test installs them"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--allow-file-access-from-files"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def open_as_phone(driver: WebDriver, index: Path) -> None:
    """The page from file://, as a phone 360 px wide shows it, once its fonts are in."""
    metrics = {"width": PHONE, "height": 780, "deviceScaleFactor": 2, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
    driver.get(index.as_uri())
    driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")


def test_in_the_browser(browser: WebDriver, web: Web) -> None:
    """axe-core finds no violation; nothing is wider than the phone; the fonts load from
    beside the page; on paper the language list is left out."""
    assert AXE.exists(), INSTALL
    open_as_phone(browser, web.index)
    widths = browser.execute_script(
        "const e = document.scrollingElement; return [e.clientWidth, e.scrollWidth];"
    )
    assert widths[0] == PHONE
    assert widths[1] <= PHONE, f"the page scrolls sideways: {widths[1]} px wide"
    faces = browser.execute_script(
        "return [...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.weight, f.status]);"
    )
    assert faces, "no @font-face"
    assert not [f for f in faces if f[2] == "error"], faces
    assert [f for f in faces if f[1] == "400" and f[2] == "loaded"], faces
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length,"
        "    v.nodes.slice(0, 3).map(n => n.html)])), e => done(String(e)));"
    )
    assert result == []
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = browser.execute_script(
        "return getComputedStyle(document.querySelector('.languages')).display;"
    )
    assert shown == "none"


def unembedded_text(driver: WebDriver) -> list[tuple[str, str, str]]:
    """(element, its text, font) of each text the browser draws with a font of the phone's
    instead of one beside the page (Chromium's DevTools protocol: the fonts it used)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    body = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]
    found, nodes = [], [body]
    while nodes:
        node = nodes.pop()
        kids = [k for k in node.get("children", []) if k.get("nodeName") != "HEAD"]
        nodes += kids
        text = "".join(k["nodeValue"] for k in kids if k["nodeType"] == 3).strip()
        if node["nodeType"] == 1 and text:
            used = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
            found += [
                (node["nodeName"], text[:40], f["postScriptName"])
                for f in used["fonts"]
                if not f["isCustomFont"]
            ]
    return found


@pytest.mark.parametrize("lang", ["es", "ar", "zh-Hans"])
def test_every_letter_from_the_fonts_beside_it(
    browser: WebDriver, editions: dict[str, Web], lang: str
) -> None:
    """Each face is cut to the characters the page sets in it, and yet the browser draws
    every letter from those faces, the languages' names in other scripts too: none comes
    from the phone's own fonts, which may not have the script at all."""
    index = editions[lang].index
    open_as_phone(browser, index)
    assert unembedded_text(browser) == []
    names = {"es": ("ar", "zh-Hans"), "ar": ("ti", "ne"), "zh-Hans": ("ar", "ti")}[lang]
    for tag in names:
        link = browser.find_element("css selector", f'.languages a[lang="{tag}"]')
        assert link.value_of_css_property("font-family").startswith('"Language names"')
    sizes = sum(p.stat().st_size for p in index.parent.rglob("*") if p.is_file())
    assert sizes <= BUDGET[lang], f"{lang}: {sizes} bytes"


def test_stale_files_go_and_nothing_else(tmp_path: Path) -> None:
    """A font the page no longer loads is removed once the new page is in; nothing the build
    did not write, and nothing a link points to, is touched."""
    project = Project(ROOT, tmp_path / "dist")
    index = build_web(project, HANDBOOK, "es")
    fonts = index.parent / "fonts"
    outside = tmp_path / "keep" / "Other-400.woff2"
    outside.parent.mkdir()
    outside.write_bytes(b"not ours")
    stale = fonts / "NotoSerifDevanagari-400.woff2"
    stale.write_bytes(b"an old subset")
    (fonts / "Linked-400.woff2").symlink_to(outside)
    (index.parent / "elsewhere").symlink_to(outside.parent, target_is_directory=True)
    (index.parent / "robots.txt").write_text("User-agent: *\n")
    before = own_files(index)
    assert build_web(project, HANDBOOK, "es") == index
    assert before - own_files(index) == {"fonts/NotoSerifDevanagari-400.woff2"}
    assert outside.read_bytes() == b"not ours"
    loaded = re.findall(r'url\("([^"]+)"\)', (index.parent / "style.css").read_text())
    assert {f for f in own_files(index) if f.endswith(".woff2")} == {
        *loaded,
        "fonts/Linked-400.woff2",
    }


def test_same_inputs_same_bytes(
    project: Project, handbook: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Font subsets made afresh (no cache) come out byte for byte the same."""
    prepared = prepare(
        project, handbook, resolve_locale(project, handbook, "ar"), allow_partial=False
    )
    builds = []
    for cache in ("one", "two"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / cache))
        builds.append(render_web(project.layouts, prepared.view, prepared.gettext))
    assert builds[0] == builds[1]
    assert [name for name in builds[0] if name.endswith(".woff2")]
    for cache in ("one", "two"):  # each made its subsets anew
        assert list((tmp_path / cache / "handbook-pipeline" / "fonts").glob("*.woff2"))


def test_one_language_per_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(ROOT), "web", "--lang", "es+en"]) == 2
    assert capsys.readouterr().err.startswith(
        "LANG: error: the web edition has one language per page: build es and en each on its own"
    )


LONG_URL = "https://www.humantraffickinghotline.org/en/gethelp/connecticut/localservices"


@pytest.fixture(scope="module")
def long_address(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny's English EPUB, an answer giving a web address longer than a phone's line."""
    root = tmp_path_factory.mktemp("long-address") / "p"
    shutil.copytree(ROOT / "tests/roots/tiny", root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source/tiny/handbook.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("https://humantraffickinghotline.org", LONG_URL), "utf-8")
    return next(p for p in build(Project(root, root / "dist"), "tiny", "en") if p.suffix == ".epub")


@pytest.mark.parametrize("code", ["es", "ar", "long-address"])
def test_no_epub_page_is_wider_than_a_phone(
    browser: WebDriver,
    built: dict[str, Built],
    long_address: Path,
    code: str,
    tmp_path: Path,
) -> None:
    """Each of the EPUB's documents, as a reading app on a phone 360 px wide lays it out
    (Chromium, the engine of many): nothing scrolls sideways. A web address longer than the
    line went on past the screen's edge (its end cut off) before it could break; it breaks
    now where it must, never with a hyphen."""
    epub = long_address if code == "long-address" else built[code].epub
    with zipfile.ZipFile(epub) as z:
        z.extractall(tmp_path)
    # A reading app lays a document out at the screen's width (an EPUB has no viewport meta,
    # which a phone browser's 980 px default would stand in for).
    metrics = {"width": PHONE, "height": 780, "deviceScaleFactor": 2, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    for document in sorted((tmp_path / "EPUB").glob("*.xhtml")):
        browser.get(document.as_uri())
        browser.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")
        width = browser.execute_script("return document.scrollingElement.scrollWidth;")
        assert width <= PHONE, f"{document.name} scrolls sideways: {width} px wide"

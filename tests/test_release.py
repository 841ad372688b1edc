"""`handbook release` on a copy of the project cut down to three locales: English (the
source), Arabic under the 'fallback' rule with one message left untranslated, and
Spanish under the 'complete' rule with one message left untranslated (so it is
left out; the English wallet card gets Arabic on its back instead). Only two
editions are built; the pages and the feed are parsed. Its dist/ is a symlink to a
web root, which must stay a symlink, and killed runs left staging folders behind.

Failures (a card line too long, a changed hotline, a crash) are released on a copy
with few locales, and the CLI is run in-process: a traceback would fail the test.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import lxml.html
import pikepdf
import pytest
from babel.messages.catalog import Message
from PIL import Image

from pipeline import cli, jobs
from pipeline.build import Project
from pipeline.catalog import catalog_path, po_bytes, read_catalog
from pipeline.diagnostics import Place, error
from pipeline.jobs import Job, Options, Outcome, State
from pipeline.locales import locale_info
from pipeline.release import (
    FEED_TYPE,
    THUMBNAIL,
    Release,
    _swap,
    epubcheck_jar,
    pdf_checks,
    release,
    remove_stale,
    run_epubcheck,
)

from .conftest import HANDBOOK, ROOT, copy_project
from .test_safety import TINY, tiny_project

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF = "{http://www.idpf.org/2007/opf}"
MEDIA_TYPES = {".pdf": "application/pdf", ".epub": "application/epub+zip"}
UNTRANSLATED = "trafficker-methods/p1"  # a paragraph: titles stay translated
DEAD_PID = 4_999_999  # above Linux's largest pid (2**22): no process has it
WEB = f"{HANDBOOK}-web"
DIAGNOSTIC = re.compile(r"\S+: (error|warning): .+ \[[a-z-]+\]")


def leave_untranslated(root: Path, code: str) -> None:
    path = catalog_path(root / "locales", code, HANDBOOK)
    catalog = read_catalog(path, code)
    next(m for m in catalog if m.context == UNTRANSLATED).string = ""
    path.write_bytes(po_bytes(catalog))


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Release]:
    root = tmp_path_factory.mktemp("release")
    for name in ("source", "layouts"):
        shutil.copytree(ROOT / name, root / name)
    for code in ("ar", "es"):
        shutil.copytree(ROOT / "locales" / code, root / "locales" / code)
        leave_untranslated(root, code)
    config = root / "locales" / "ar" / "locale.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("release: complete", "release: fallback"),
        encoding="utf-8",
    )
    source = root / "source" / HANDBOOK / "handbook.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("\n  back: es\n", "\n  back: ar\n"),
        encoding="utf-8",
    )
    web = root / "www" / "handbooks"  # dist/ links to a web root
    (web / "xx").mkdir(parents=True)
    (web / "xx" / "stale.pdf").write_bytes(b"%PDF- left from an earlier build")
    (root / "dist").symlink_to("www/handbooks")
    for folder in (root, root / "www"):  # left by killed runs (no such pid); below, one going on
        (folder / f".dist-release-{DEAD_PID}-x1y2" / "en").mkdir(parents=True)
        (folder / f".dist-old-{DEAD_PID}-x3y4").mkdir()
    (root / "www" / f".dist-release-{os.getpid()}-live").mkdir()
    project = Project(root)
    return project.dist, release(project, publisher="Test publisher", workers=2)


def downloads(dist: Path) -> list[Path]:
    """Every PDF and EPUB: handbooks and wallet cards."""
    return sorted(p for p in dist.rglob("*") if p.suffix in MEDIA_TYPES)


def books(dist: Path) -> list[Path]:
    return [p for p in downloads(dist) if p.stem == HANDBOOK]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_rule_decides_who_is_in(released: tuple[Path, Release]) -> None:
    dist, result = released
    assert result.published
    assert [e.view.loc.tag for e in result.editions] == ["en", "ar"]
    assert result.editions[1].view.status.fallbacks == 1
    (shelf,) = result.shelves
    assert [o.code for o in shelf.omitted] == ["es"]
    assert shelf.held_back == ()  # an incomplete translation the rule omits is not a failure
    assert "es" in shelf.omitted[0].diagnostics[0].message
    assert [p.relative_to(dist).as_posix() for p in downloads(dist)] == [
        f"{tag}/{HANDBOOK}{suffix}"
        for tag in ("ar", "en")
        for suffix in ("-card-sheet.pdf", "-card.pdf", ".epub", ".pdf")
    ]


def test_sha256sums_cover_every_file_and_nothing_else(released: tuple[Path, Release]) -> None:
    dist, _ = released
    lines = (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {
        "SHA256SUMS"
    }
    assert (
        set(listed) == files
    )  # the stale file of an earlier build is gone, no hidden bookkeeping files
    assert {"index.html", "opds.xml", "report.html", f"ar/{HANDBOOK}-cover.jpg"} <= files
    assert all(sha256(dist / name) == digest for name, digest in listed.items())


def test_index_lists_every_download_with_language_and_sha256(
    released: tuple[Path, Release],
) -> None:
    dist, result = released
    page = lxml.html.parse(str(dist / "index.html")).getroot()
    for path in downloads(dist):
        tag = path.parent.name
        loc = locale_info(tag.replace("-", "_"), ROOT / "locales")
        (link,) = page.xpath("//a[@href=$href]", href=path.relative_to(dist).as_posix())
        assert (link.get("hreflang"), link.get("type")) == (tag, MEDIA_TYPES[path.suffix])
        (card,) = link.xpath("ancestor::li[@class='edition']")
        (digest,) = card.xpath(".//code[@class='sha256'][@data-path=$href]", href=link.get("href"))
        assert digest.text_content() == sha256(path)
        name = card.find_class("language")[0].find("span")
        assert (name.text_content(), name.get("lang"), name.get("dir")) == (loc.name, tag, loc.dir)
    ar, status = page.get_element_by_id(f"{HANDBOOK}-ar"), result.editions[1].view.status
    percent = f"{int(status.share * 10) / 10:.1f}"  # rounded down: 99.96% is not "100%"
    expected = (
        f"Partial: {percent}% translated, the rest shown in English and marked · draft, unreviewed"
    )
    assert ar.find_class("state")[0].text_content() == expected
    assert (
        page.get_element_by_id(f"{HANDBOOK}-en").find_class("state")[0].text_content()
        == "Original text"
    )
    assert ar.xpath(".//time")[0].get("datetime") == result.editions[1].view.hb.edition.isoformat()
    assert "Español (es)" in page.find_class("omitted")[0].text_content()


def test_opds_feed_field_by_field(released: tuple[Path, Release]) -> None:
    dist, result = released
    feed = ElementTree.parse(dist / "opds.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    assert feed.findtext(f"{ATOM}title")
    datetime.fromisoformat(feed.findtext(f"{ATOM}updated", "").replace("Z", "+00:00"))
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Test publisher"
    assert {
        (link.get("rel"), link.get("href"), link.get("type"))
        for link in feed.findall(f"{ATOM}link")
    } >= {("self", "opds.xml", FEED_TYPE), ("start", "opds.xml", FEED_TYPE)}

    entries = feed.findall(f"{ATOM}entry")
    acquired = []
    for entry in entries:
        links = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
        acquisition = links["http://opds-spec.org/acquisition/open-access"]
        path = dist / acquisition.get("href", "")
        tag = path.parent.name
        edition = next(e for e in result.editions if e.view.loc.tag == tag)
        acquired.append(path)
        assert (acquisition.get("type"), acquisition.get("length")) == (
            MEDIA_TYPES[path.suffix],
            str(path.stat().st_size),
        )
        assert path.stem == HANDBOOK  # e-reader apps get the books, not the wallet cards
        assert entry.findtext(f"{DC}language") == tag
        assert entry.findtext(f"{DC}issued") == edition.view.hb.edition.isoformat()
        title = entry.find(f"{ATOM}title")
        assert title is not None
        assert (title.text, title.get(XML_LANG)) == (edition.view.hb.title.value, tag)
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated", "").replace("Z", "+00:00"))
        for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
            image = dist / links[rel].get("href", "")
            assert links[rel].get("type") == "image/jpeg"
            assert image.parent == path.parent
            with Image.open(image) as picture:
                assert picture.format == "JPEG"
                if rel.endswith("thumbnail"):
                    assert picture.width <= THUMBNAIL[0]
                    assert picture.height <= THUMBNAIL[1]
        if path.suffix == ".epub":  # the entry is the book readers already know by its identifier
            with zipfile.ZipFile(path) as z:
                opf = next(n for n in z.namelist() if n.endswith(".opf"))
                identifier = ElementTree.fromstring(z.read(opf)).findtext(
                    f"{OPF}metadata/{{http://purl.org/dc/elements/1.1/}}identifier"
                )
            assert entry.findtext(f"{ATOM}id") == identifier
    assert sorted(acquired) == books(dist)
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)


def test_each_web_edition_links_the_released_locales_only(released: tuple[Path, Release]) -> None:
    """Every released edition's web page is in the release, linked from the index and the feed,
    and its language switcher lists exactly the released locales (not Spanish, omitted)."""
    dist, result = released
    home = lxml.html.parse(str(dist / "index.html")).getroot()
    feed = ElementTree.parse(dist / "opds.xml").getroot()
    alternates = {
        link.get("href")
        for link in feed.iter(f"{ATOM}link")
        if link.get("rel") == "alternate" and link.get("type") == "text/html"
    }
    for edition in result.editions:
        tag = edition.view.loc.tag
        index = dist / tag / WEB / "index.html"
        assert edition.web[0].path == f"{tag}/{WEB}/index.html"
        on_disk = {p.relative_to(dist).as_posix() for p in index.parent.rglob("*") if p.is_file()}
        assert {f.path for f in edition.web} == on_disk
        assert any(path.endswith(".woff2") for path in on_disk)
        links = lxml.html.parse(str(index)).xpath('//ul[@class="languages"]//a/@href')
        assert links == [f"../../{t}/{WEB}/index.html" for t in ("en", "ar")]
        assert all((index.parent / link).resolve().is_file() for link in links)
        (online,) = home.get_element_by_id(f"{HANDBOOK}-{tag}").find_class("online")
        assert online.find("a").get("href") == edition.web[0].path
        assert edition.web[0].path in alternates
    assert not (dist / "es").exists()


def test_report_shows_every_check_passed(released: tuple[Path, Release]) -> None:
    dist, result = released
    assert result.held_back == []
    page = lxml.html.parse(str(dist / "report.html")).getroot()
    for edition in result.editions:
        row = page.get_element_by_id(f"{HANDBOOK}-{edition.view.loc.tag}")
        cells = [c.text_content() for c in row.find_class("check")]
        assert len(cells) == len(result.check_names) == 6  # the web page's among them
        assert all(c.startswith("pass") for c in cells), cells
        assert "0 errors, 0 warnings" in cells[0]
    assert "omitted by its release rule (not a failure)" in page.text_content()
    assert not page.find_class("held-back")


def test_a_dist_symlink_stays_and_its_target_is_replaced(released: tuple[Path, Release]) -> None:
    dist, _ = released
    root = dist.parent
    assert dist.is_symlink()
    assert os.readlink(dist) == "www/handbooks"
    web = root / "www" / "handbooks"
    assert (web / "SHA256SUMS").is_file()
    assert not (web / "xx").exists()
    live = f".dist-release-{os.getpid()}-live"
    assert sorted(p.name for p in (root / "www").iterdir()) == [live, "handbooks"]
    assert not [p.name for p in root.iterdir() if p.name.startswith(".dist-")]  # killed runs'


def test_pdf_checks_fail_an_untagged_pdf_with_a_font_not_embedded(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    pdf.add_blank_page().Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.save(tmp_path / "plain.pdf")
    pages, checks = pdf_checks(tmp_path / "plain.pdf", "en", Place("dist/en/plain.pdf"))
    assert pages == 1
    assert [(c.name, c.ok) for c in checks] == [
        ("PDF fonts embedded", False),
        ("PDF tagged", False),
        ("PDF language", False),
    ]
    assert "/Helvetica" in checks[0].detail
    assert str(checks[0].diagnostics[0]).startswith(
        "dist/en/plain.pdf: error: PDF fonts embedded failed: not embedded: /Helvetica"
    )


def test_epubcheck_findings_are_located_diagnostics(tmp_path: Path) -> None:
    book = tmp_path / "broken.epub"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", "<container/>")
    check = run_epubcheck(book, epubcheck_jar(), Place("dist/en/broken.epub"))
    assert not check.ok
    assert check.diagnostics
    assert all(
        str(d).startswith("dist/en/broken.epub: error: EPUBCheck ") for d in check.diagnostics
    )


# Held back, not crashed -----------------------------------------------------


def failing_project(root: Path) -> Project:
    """English and three locales: Spanish with a card line too long for the card, Brazilian
    Portuguese with a changed hotline number (QA), Ukrainian incomplete under the rule
    'complete' (omitted, not failed). The English card gets English on its back, so
    only the Spanish card carries the long line."""
    project = copy_project(root)
    for folder in project.locales.iterdir():
        if folder.is_dir() and folder.name not in ("es", "pt_BR", "uk"):
            shutil.rmtree(folder)
    # One clause more: three lines where the card has two (not so long that a length gate
    # stops it first).
    change(
        project,
        "es",
        lambda m: m.context == "card/line1",
        lambda s: s.rstrip(".") + ", y otras ayudas para empezar una vida nueva.",
    )
    change(
        project,
        "pt_BR",
        lambda m: "1-888-373-7888" in str(m.string),
        lambda s: s.replace("1-888-373-7888", "1-888-373-7800", 1),
    )
    leave_untranslated(root, "uk")
    source = project.handbook_path(HANDBOOK)
    text = source.read_text(encoding="utf-8")
    assert "\n  back: es\n" in text
    source.write_text(text.replace("\n  back: es\n", "\n  back: en\n"), encoding="utf-8")
    return project


def change(
    project: Project, code: str, which: Callable[[Message], bool], how: Callable[[str], str]
) -> None:
    path = catalog_path(project.locales, code, HANDBOOK)
    catalog = read_catalog(path, code)
    message = next(m for m in catalog if m.id and which(m))
    message.string = how(message.string)
    path.write_bytes(po_bytes(catalog))


def line_of(project: Project, code: str, context: str) -> int:
    catalog = read_catalog(catalog_path(project.locales, code, HANDBOOK), code)
    return next(m.lineno for m in catalog if m.context == context)


def release_cli(
    root: Path, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], str]:
    """Exit code, stderr lines and stdout of `handbook release`, run in-process: a
    traceback would fail the test."""
    code = cli.main(["--root", str(root), "release", "-j", "2", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err.splitlines(), out


def held_back_lines(err: list[str]) -> dict[str, list[str]]:
    """Each 'held back' heading with the diagnostics under it."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in err:
        if line.endswith(": held back, it failed:"):
            current = found.setdefault(line.split(":")[0], [])
        elif ": omitted by its release rule" in line or line.startswith("nothing released"):
            current = []
        elif DIAGNOSTIC.fullmatch(line):
            current.append(line)
    return found


def test_a_failing_edition_holds_the_release_back_or_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = failing_project(tmp_path)
    monkeypatch.chdir(tmp_path)  # paths print as a user sees them
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "earlier.txt").write_text("the release before", encoding="utf-8")
    line = line_of(project, "es", "card/line1")
    card_line = f"locales/es/LC_MESSAGES/{HANDBOOK}.po:{line}: error: card front (es): 'card/line1'"
    hotline = f"locales/pt_BR/LC_MESSAGES/{HANDBOOK}.po:"

    code, err, out = release_cli(tmp_path, capsys=capsys)
    assert code == 1
    assert out == ""
    held = held_back_lines(err)
    assert sorted(held) == [f"{HANDBOOK}/es", f"{HANDBOOK}/pt-BR"]
    assert held[f"{HANDBOOK}/es"][0].startswith(card_line)
    assert held[f"{HANDBOOK}/es"][0].endswith("[card-overflow]")
    (qa,) = held[f"{HANDBOOK}/pt-BR"]
    assert qa.startswith(hotline)
    assert "'1-888-373-7888'" in qa
    assert qa.endswith("[qa-changed-number]")
    omitted = "omitted by its release rule (an incomplete translation, not a failure)"
    assert f"{HANDBOOK}/uk: {omitted}" in err
    # its progress line agrees (it said "failed" before the summary said "not a failure")
    (progress,) = [line for line in err if line.startswith("[") and f"{HANDBOOK}/uk:" in line]
    assert f"{HANDBOOK}/uk: omitted, its translation not complete in " in progress
    assert err[-1].startswith(
        f"nothing released: 2 edition(s) failed and were held back ({HANDBOOK}/es, "
        f"{HANDBOOK}/pt-BR); dist/ is unchanged; fix them, or release the 1 edition(s) that "
        "passed with --allow-missing"
    )
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["earlier.txt"]
    assert not list(tmp_path.glob(".dist-*"))

    code, err, out = release_cli(tmp_path, "--allow-missing", capsys=capsys)
    assert code == 0
    assert sorted(held_back_lines(err)) == [f"{HANDBOOK}/es", f"{HANDBOOK}/pt-BR"]
    assert out.startswith("released 1 edition(s), ")
    assert f"held back 2 that failed: {HANDBOOK}/es, {HANDBOOK}/pt-BR, see dist/report.html" in out
    assert out.rstrip().endswith(f"omitted by their release rule: {HANDBOOK}/uk")
    dist = tmp_path / "dist"
    # en's web page first linked es and pt-BR too; made again, it lists what was released.
    page = lxml.html.parse(str(dist / "en" / WEB / "index.html"))
    assert page.xpath('//ul[@class="languages"]//a/@href') == [f"../../en/{WEB}/index.html"]
    top = ["SHA256SUMS", "en", "index.html", "opds.xml", "report.html"]
    assert sorted(p.name for p in dist.iterdir()) == top
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert {line.split("  ", 1)[1].split("/")[0] for line in sums} == set(top) - {"SHA256SUMS"}
    page = lxml.html.parse(str(dist / "report.html")).getroot()
    rows = {row.get("id"): row.text_content() for row in page.find_class("held-back")}
    assert sorted(rows) == [f"held-{HANDBOOK}-es", f"held-{HANDBOOK}-pt-BR"]
    assert card_line in rows[f"held-{HANDBOOK}-es"]
    assert "[qa-changed-number]" in rows[f"held-{HANDBOOK}-pt-BR"]
    (omitted,) = page.find_class("omitted")
    assert "(uk)" in omitted.text_content()
    assert "omitted by its release rule (not a failure)" in omitted.text_content()
    assert "2 edition(s) failed and were held back" in page.find_class("summary")[0].text_content()


def fake_run(
    outcomes: dict[str, Outcome], raise_: BaseException | None = None
) -> Callable[..., list[Outcome]]:
    """jobs.run replaced: each job's outcome as given (else built, with no files), or raising."""

    def run(project: Project, jobs: Sequence[Job], options: Options, **_: object) -> list[Outcome]:
        if raise_ is not None:
            raise raise_
        return [outcomes.get(job.locale) or Outcome(job, State.BUILT, 0.0) for job in jobs]

    return run


def two_locale_project(root: Path) -> Project:
    project = copy_project(root)
    for folder in project.locales.iterdir():
        if folder.is_dir() and folder.name != "es":
            shutil.rmtree(folder)
    (root / "dist").mkdir()
    (root / "dist" / "earlier.txt").write_text("the release before", encoding="utf-8")
    return project


def test_any_error_of_a_job_holds_only_that_edition_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    two_locale_project(tmp_path)
    # es: what a verification step's RenderError becomes; en: "built" with no files, which
    # makes the release's own next step fail with an error nobody foresaw (KeyError).
    wrong = error("verify-number", "the hotline reads 1-888-373-7800", Place("dist/es/x.pdf", 3))
    es = Outcome(Job(HANDBOOK, "es"), State.FAILED, 0.0, diagnostics=(wrong,))
    monkeypatch.setattr("pipeline.release.run", fake_run({"es": es}))
    code, err, _ = release_cli(tmp_path, capsys=capsys)
    assert code == 1
    held = held_back_lines(err)
    assert held[f"{HANDBOOK}/es"] == [str(wrong)]
    (crash,) = held[f"{HANDBOOK}/en"]
    assert f"building {HANDBOOK}/en failed unexpectedly (KeyError: " in crash
    assert crash.endswith("[internal-error]")
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["earlier.txt"]
    assert not list(tmp_path.glob(".dist-*"))


def test_a_worker_turns_any_error_of_its_job_into_the_job_s_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(*_: object, **__: object) -> Outcome:
        raise MemoryError("format width 99999999999")

    monkeypatch.setattr(jobs, "build_job", crash)
    monkeypatch.chdir(ROOT)
    job = Job(HANDBOOK, "es")
    outcome = jobs._work(Project(ROOT), job, Options(), True, os.environ["SOURCE_DATE_EPOCH"])
    assert outcome.state is State.FAILED
    (diagnostic,) = outcome.diagnostics
    assert str(diagnostic) == (
        f"source/{HANDBOOK}/handbook.yaml: error: building {HANDBOOK}/es failed unexpectedly "
        "(MemoryError: format width 99999999999); this is a bug in the pipeline, not in your "
        "files: please report it with this line [internal-error]"
    )


def test_a_release_of_some_handbooks_builds_only_theirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = two_locale_project(tmp_path)
    shutil.copytree(TINY / "source" / "tiny", project.source / "tiny")  # a second handbook
    asked: list[Job] = []

    def recorded(
        project: Project, jobs: Sequence[Job], options: Options, **_: object
    ) -> list[Outcome]:
        asked.extend(jobs)
        return fake_run({})(project, jobs, options)

    monkeypatch.setattr("pipeline.release.run", recorded)
    release_cli(tmp_path, "--handbook", "tiny", capsys=capsys)
    assert {job.handbook for job in asked} == {"tiny"}
    asked.clear()
    release_cli(tmp_path, capsys=capsys)  # by default, every handbook
    assert {job.handbook for job in asked} == {"tiny", HANDBOOK}
    code, err, _ = release_cli(tmp_path, "--handbook", "nope", capsys=capsys)
    assert code == 2
    assert "error: no handbook 'nope' (known: " in err[0]
    assert err[0].endswith("[unknown-handbook]")
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["earlier.txt"]
    assert not list(tmp_path.glob(".dist-*"))


@pytest.mark.parametrize(
    ("raised", "exit_code"), [(RuntimeError("a worker was killed"), 1), (KeyboardInterrupt(), 130)]
)
def test_a_broken_pool_fails_its_jobs_and_ctrl_c_stops_the_release(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raised: BaseException,
    exit_code: int,
) -> None:
    two_locale_project(tmp_path)
    monkeypatch.setattr("pipeline.release.run", fake_run({}, raised))
    code, err, _ = release_cli(tmp_path, capsys=capsys)
    assert code == exit_code
    if exit_code == 1:
        held = held_back_lines(err)
        assert sorted(held) == [f"{HANDBOOK}/en", f"{HANDBOOK}/es"]
        assert all("(RuntimeError: a worker was killed)" in lines[0] for lines in held.values())
    else:
        assert err[-1].startswith("interrupted")
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["earlier.txt"]
    assert not list(tmp_path.glob(".dist-*"))


# Staging -------------------------------------------------------------------


def test_stale_staging_folders_of_killed_runs_are_removed(tmp_path: Path) -> None:
    web = tmp_path / "srv" / "site"
    web.mkdir(parents=True)
    (tmp_path / "dist").symlink_to(web)
    stale = [
        tmp_path / f".dist-release-{DEAD_PID}-ab",
        web.parent / f".dist-old-{DEAD_PID}-cd",
        web / f".dist-release-{DEAD_PID}-ef",
        tmp_path / f".dist-old-{2**70}-gh",
        tmp_path / ".dist-release-k2j4x8_q",
    ]  # from before runs named their pid
    kept = [
        tmp_path / f".dist-release-{os.getpid()}-ij",
        tmp_path / f".dist-old-{os.getpid()}",
        web.parent / ".dist-notes",
        tmp_path / ".dist-release-notes",
        tmp_path / "dist-release-1-x",
    ]
    for folder in stale + kept:
        (folder / "es").mkdir(parents=True)
    assert sorted(remove_stale(tmp_path / "dist")) == sorted(stale)
    assert all(folder.is_dir() for folder in kept)
    assert not any(folder.exists() for folder in stale)


def test_a_release_staged_inside_its_folder_replaces_the_contents(tmp_path: Path) -> None:
    """When the web root's parent is not writable, the release is staged inside it."""
    home = tmp_path / "site"
    (home / "old").mkdir(parents=True)
    (home / "index.html").write_text("old", encoding="utf-8")
    staging = home / f".dist-release-{os.getpid()}-ab"
    (staging / "en").mkdir(parents=True)
    (staging / "index.html").write_text("new", encoding="utf-8")
    _swap(staging, home, "dist")
    # the caller removes the staging folder, now empty
    assert sorted(p.name for p in home.iterdir()) == [staging.name, "en", "index.html"]
    assert (home / "index.html").read_text(encoding="utf-8") == "new"
    assert not any(staging.iterdir())


def test_a_release_nobody_named_is_by_its_handbooks_publisher(tmp_path: Path) -> None:
    """A stranger's release page said "Released … by Handbook editors" under their own
    handbook: without --publisher it names the handbooks' publisher, when they share one."""
    from pipeline.release import DEFAULT_PUBLISHER, publisher_of

    project = tiny_project(tmp_path / "p")
    assert publisher_of(project, ["tiny"]) == DEFAULT_PUBLISHER
    source = project.handbook_path("tiny")
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("edition:", "publisher: Example Coalition\nedition:", 1), "utf-8"
    )
    assert publisher_of(project, ["tiny"]) == "Example Coalition"

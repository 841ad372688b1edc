"""A release on many machines: each builds a disjoint slice of its jobs, one folder joins them.

`handbook release --shard K/N` builds the K-th of N slices of the release's jobs and checks
them as a release does, into dist/ (or --out): the editions and shard-manifest.json, which
names the slice, the whole partition, what each job gave (an edition and its checks, or why
it is missing) and the SHA-256 of every input it was built from. The slices are balanced by
measured cost: release-costs.json at the project root holds the seconds each job took (a
merge writes it with --save-costs); a job never measured counts as the average one. Every
shard must read the same costs file, so it is committed, or absent.

`handbook release --merge DIR...` reads the manifests and joins the folders into dist/
(index.html, opds.xml, report.html, SHA256SUMS) without rebuilding: the editions are the
shards' bytes, which equal a one-machine release's because builds are reproducible with a
fixed SOURCE_DATE_EPOCH. Only the views the pages show are prepared again, from this
checkout's sources. It refuses shards built from other inputs (a source, catalog or
layout, the pipeline or its libraries, SOURCE_DATE_EPOCH) than each other or this checkout,
a missing or repeated slice, and a file whose SHA-256 is not the one its shard recorded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .build import views
from .diagnostics import Diagnostic, PipelineError, Place, Severity, UsageError, error, relative
from .jobs import Job, code_digest
from .output import write_atomic
from .project import Project
from .release import (
    Check,
    File,
    Missing,
    Release,
    Released,
    _shelf,
    publish,
    sha256,
    staged,
    write_pages,
)

MANIFEST = "shard-manifest.json"
COSTS = "release-costs.json"
FORMAT = 1  # of the manifest: a merge reads only the format it writes
SHARD = re.compile(r"(\d+)/(\d+)")
DIFFERENCES_SHOWN = 3
FILES = ("pdf", "epub", "cover", "thumbnail")  # every edition's, in Shipped's order


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as CI matrices count
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    match = SHARD.fullmatch(text.strip())
    if match and 1 <= int(match[1]) <= int(match[2]):
        return Shard(int(match[1]), int(match[2]))
    why = f"'{text}' is not a slice: write K/N, the K-th of N slices (1 <= K <= N), e.g. 2/3"
    raise UsageError([error("shard-usage", why, Place("--shard"))])


# Partition -----------------------------------------------------------------


def read_costs(path: Path) -> dict[str, float]:
    """Measured seconds per job ('handbook/tag'); no file: nothing measured yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        data = exc
    if not isinstance(data, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in data.values()
    ):
        why = (
            "cannot read the measured costs: expected a JSON object of job and seconds, "
            '{"ct-trafficking/es": 4.2}; delete the file or write it again with '
            "handbook release --merge DIR... --save-costs " + path.name
        )
        raise PipelineError([error("shard-costs", why, Place(relative(path)))])
    return {str(k): float(v) for k, v in data.items()}


def partition(
    jobs: Sequence[Job], costs: Mapping[str, float], count: int
) -> tuple[tuple[Job, ...], ...]:
    """`count` disjoint slices of `jobs`, balanced by cost: the longest job goes first to the
    least loaded slice (ties: the lower one). Only the inputs decide, so every machine
    computes the same slices; each slice keeps the jobs' order."""
    known = [costs[str(j)] for j in jobs if str(j) in costs]
    usual = statistics.fmean(known) if known else 1.0  # never measured: an average job

    def cost(job: Job) -> float:
        return costs.get(str(job), usual)

    order = {job: i for i, job in enumerate(jobs)}
    loads = [0.0] * count
    slices: list[list[Job]] = [[] for _ in range(count)]
    for job in sorted(jobs, key=lambda j: (-cost(j), order[j])):
        lightest = min(range(count), key=lambda k: (loads[k], k))
        slices[lightest].append(job)
        loads[lightest] += cost(job)
    return tuple(tuple(sorted(s, key=order.__getitem__)) for s in slices)


# What a release is built from ----------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """What a release's bytes depend on: source/, locales/ and layouts/ file by file (paths
    relative to the project, so copies agree), the pipeline's code and library versions
    (as pipeline/jobs.py hashes them for its records), and SOURCE_DATE_EPOCH."""

    files: dict[str, str]  # relative path -> sha256
    pipeline: str
    epoch: str


def inputs(project: Project) -> Inputs:
    files = {
        path.relative_to(project.root).as_posix(): sha256(path)
        for folder in (project.source, project.locales, project.layouts)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return Inputs(files, code_digest().hex(), os.environ.get("SOURCE_DATE_EPOCH", ""))


def differences(ours: Inputs, theirs: Inputs, names: tuple[str, str]) -> list[str]:
    """What differs between two sets of inputs (whose are `names`), in words: files first."""
    paths = sorted(set(ours.files) | set(theirs.files))
    found = [p for p in paths if ours.files.get(p) != theirs.files.get(p)]
    shown = [
        p if p in ours.files and p in theirs.files else f"{p} (only in {names[p in theirs.files]})"
        for p in found[:DIFFERENCES_SHOWN]
    ]
    if len(found) > DIFFERENCES_SHOWN:
        shown.append(f"{len(found) - DIFFERENCES_SHOWN} more file(s)")
    if ours.pipeline != theirs.pipeline:
        shown.append("the pipeline (its code or a library's version)")
    if ours.epoch != theirs.epoch:
        epochs = (ours.epoch or "unset", theirs.epoch or "unset")
        shown.append(f"SOURCE_DATE_EPOCH ({names[0]}: {epochs[0]}, {names[1]}: {epochs[1]})")
    return shown


# The manifest --------------------------------------------------------------


@dataclass(frozen=True)
class Shipped:
    """An edition as its shard released it: everything the pages show but its view."""

    pages: int
    pdf: File
    epub: File
    cover: File
    thumbnail: File
    card: tuple[File, ...]
    web: tuple[File, ...]
    seconds: float
    checks: tuple[Check, ...]

    @property
    def files(self) -> tuple[File, ...]:
        return self.pdf, self.epub, self.cover, self.thumbnail, *self.card, *self.web


@dataclass(frozen=True)
class Manifest:
    path: Path  # the file it was read from
    shard: Shard
    handbooks: tuple[str, ...]
    jobs: tuple[Job, ...]  # every job of the release, in its order
    slices: tuple[tuple[int, ...], ...]  # the partition, as indexes into jobs
    inputs: Inputs
    seconds: float  # the shard's building and checking
    results: dict[Job, Shipped | Missing]  # this slice's

    @property
    def place(self) -> Place:
        return Place(relative(self.path))

    @property
    def folder(self) -> str:
        return relative(self.path.parent) + "/"


@dataclass(frozen=True)
class Slicer:
    """One shard of a release (release.Part): its slice, and the manifest it writes."""

    shard: Shard
    costs: dict[str, float]
    inputs: Inputs  # hashed as the shard starts
    started: float = field(default_factory=time.perf_counter)

    def select(self, jobs: list[Job]) -> list[Job]:
        return list(partition(jobs, self.costs, self.shard.count)[self.shard.index - 1])

    def record(
        self, staging: Path, ids: list[str], jobs: list[Job], judged: dict[Job, Released | Missing]
    ) -> None:
        slices = partition(jobs, self.costs, self.shard.count)
        data = {
            "format": FORMAT,
            "shard": [self.shard.index, self.shard.count],
            "handbooks": ids,
            "jobs": [[j.handbook, j.locale] for j in jobs],
            "slices": [[jobs.index(j) for j in s] for s in slices],
            "inputs": asdict(self.inputs),
            "seconds": round(time.perf_counter() - self.started, 3),
            "results": [
                {"job": [job.handbook, job.locale], **_entry(result)}
                for job, result in judged.items()
            ],
        }
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(staging / MANIFEST, text.encode())


def slicer(project: Project, shard: str, costs: Path | None = None) -> Slicer:
    """The shard `K/N` of the project's release, balanced by `costs` (or release-costs.json)."""
    return Slicer(parse_shard(shard), read_costs(costs or project.root / COSTS), inputs(project))


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {"severity": d.severity.value, "code": d.code, "message": d.message, **asdict(d.place)}


def _check(c: Check) -> dict[str, Any]:
    return {"name": c.name, "ok": c.ok, "detail": c.detail, "diagnostics": _diagnostics(c)}


def _diagnostics(found: Check | Missing) -> list[dict[str, Any]]:
    return [_diagnostic(d) for d in found.diagnostics]


def _entry(result: Released | Missing) -> dict[str, Any]:
    if isinstance(result, Missing):
        missing = {k: v for k, v in asdict(result).items() if k != "diagnostics"}
        return {"missing": {**missing, "diagnostics": _diagnostics(result)}}
    e = result
    return {
        "edition": {
            "pages": e.pages,
            **{
                k: asdict(f)
                for k, f in zip(FILES, (e.pdf, e.epub, e.cover, e.thumbnail), strict=True)
            },
            "card": [asdict(f) for f in e.card],
            "web": [asdict(f) for f in e.web],
            "seconds": round(e.seconds, 3),
            "checks": [_check(c) for c in e.checks],
        }
    }


def _read_diagnostic(d: dict[str, Any]) -> Diagnostic:
    place = Place(str(d["path"]), int(d["line"]), int(d["col"]))
    return Diagnostic(Severity(d["severity"]), str(d["code"]), str(d["message"]), place)


def _read_result(data: dict[str, Any]) -> Shipped | Missing:
    if "missing" in data:
        m = data["missing"]
        found = tuple(_read_diagnostic(d) for d in m["diagnostics"])
        return Missing(m["code"], m["name"], m["tag"], m["dir"], found, bool(m["failed"]))
    e = data["edition"]
    checks = tuple(
        Check(c["name"], bool(c["ok"]), c["detail"], tuple(map(_read_diagnostic, c["diagnostics"])))
        for c in e["checks"]
    )
    pdf, epub, cover, thumbnail = (File(**e[k]) for k in FILES)
    card, web = (tuple(File(**f) for f in e[k]) for k in ("card", "web"))
    pages, seconds = int(e["pages"]), float(e["seconds"])
    return Shipped(pages, pdf, epub, cover, thumbnail, card, web, seconds, checks)


def read_manifest(folder: Path) -> Manifest:
    """The manifest a shard wrote into `folder`."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != FORMAT:
            raise ValueError(f"format {data['format']}, this pipeline reads format {FORMAT}")
        return Manifest(
            path,
            Shard(*map(int, data["shard"])),
            tuple(map(str, data["handbooks"])),
            tuple(Job(str(h), str(loc)) for h, loc in data["jobs"]),
            tuple(tuple(map(int, s)) for s in data["slices"]),
            Inputs(**data["inputs"]),
            float(data["seconds"]),
            {Job(*r["job"]): _read_result(r) for r in data["results"]},
        )
    except FileNotFoundError:
        why = (
            f"{relative(folder)}/ is not a shard's folder: it has no {MANIFEST}; pass the "
            "folders `handbook release --shard K/N` wrote (or --out named)"
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        why = (
            f"cannot read this shard's manifest ({type(exc).__name__}: {str(exc)[:200]}); "
            "build the shard again with the pipeline that merges it"
        )
    raise PipelineError([error("shard-manifest", why, Place(relative(path)))])


# Merging -------------------------------------------------------------------


def problems(
    manifests: Sequence[Manifest], here: Inputs, *, allow_missing: bool
) -> list[Diagnostic]:
    """Why these shards cannot be joined into one release in a checkout whose inputs are
    `here`: none when they are every slice of one partition, once, of the same inputs."""
    first, found = manifests[0], []
    for m in manifests[1:]:
        differ = differences(first.inputs, m.inputs, (f"shard {first.shard}", f"shard {m.shard}"))
        if differ:
            why = (
                f"shard {m.shard} was built from other inputs than shard {first.shard} "
                f"({first.folder}); these differ: {', '.join(differ)}; build every shard from the "
                "same commit with the same SOURCE_DATE_EPOCH, then merge them"
            )
            found.append(error("shard-inputs-differ", why, m.place))
        elif (m.shard.count, m.jobs, m.slices) != (first.shard.count, first.jobs, first.slices):
            why = (
                f"shard {m.shard} was cut from another partition than shard {first.shard} "
                f"({first.folder}): other measured costs ({COSTS}), another number of shards "
                "or other handbooks; build every shard with the same costs file, N and handbooks"
            )
            found.append(error("shard-partition-differs", why, m.place))
    differ = differences(first.inputs, here, ("the shards", "this checkout"))
    if differ and not found:
        why = (
            "the shards were built from other inputs than this checkout's; these differ: "
            f"{', '.join(differ)}; merge in a checkout of the commit the shards were built "
            "from, with its SOURCE_DATE_EPOCH"
        )
        found.append(error("shard-inputs-differ", why, first.place))
    if found:
        return found
    seen: dict[int, Manifest] = {}
    for m in manifests:
        if m.shard.index in seen:
            why = (
                f"shard {m.shard} is given twice, here and in {seen[m.shard.index].folder}; "
                "pass each shard's folder once"
            )
            found.append(error("shard-duplicated", why, m.place))
        seen.setdefault(m.shard.index, m)
    for index in range(1, first.shard.count + 1):
        if index not in seen:
            jobs = ", ".join(str(first.jobs[i]) for i in first.slices[index - 1]) or "none"
            why = (
                f"shard {index}/{first.shard.count} is missing (its editions: {jobs}); pass its "
                f"folder too, or build it with handbook release --shard {index}/{first.shard.count}"
            )
            found.append(error("shard-missing", why, first.place))
    for m in manifests if not allow_missing else ():
        for job, result in m.results.items():
            if isinstance(result, Missing) and result.failed:
                first_reason = result.diagnostics[0].message if result.diagnostics else ""
                why = (
                    f"{job} was held back by shard {m.shard}: {first_reason}; fix it and build "
                    "that shard again, or merge with --allow-missing to release the others"
                )
                found.append(error("shard-held-back", why, m.place))
    return found


def _copy(m: Manifest, shipped: Shipped, staging: Path) -> list[Diagnostic]:
    """The edition's files into the staged release, each as its shard recorded it."""
    found = []
    for f in shipped.files:
        source = m.path.parent / f.path
        if not source.is_file() or sha256(source) != f.sha256:
            state = "is missing" if not source.is_file() else "is not the file it recorded"
            why = (
                f"shard {m.shard} released this file but it {state} (its SHA-256 differs); "
                "download or copy the shard's folder again"
            )
            found.append(error("shard-file", why, Place(relative(source))))
            continue
        target = staging / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return found


def _released(project: Project, job: Job, shipped: Shipped) -> Released:
    """The released edition, with its view prepared again from the same sources (under
    the locale's release rule, as the shard built it)."""
    view = views(project, project.load(job.handbook), job.locale).views[0]
    s = shipped
    files = (s.pdf, s.epub, s.cover, s.thumbnail, s.card, s.web)
    return Released(view, s.pages, *files, s.seconds, s.checks)


def merge(
    project: Project,
    folders: Sequence[Path],
    *,
    publisher: str | None = None,
    allow_missing: bool = False,
) -> Release:
    """Join the shards' folders into dist/, or refuse (nothing changes then)."""
    start = time.perf_counter()
    manifests = _read_all(folders)
    found = problems(manifests, inputs(project), allow_missing=allow_missing)
    if found:
        raise PipelineError(found)
    first = manifests[0]
    results = {job: (m, r) for m in manifests for job, r in m.results.items()}
    if not any(isinstance(r, Shipped) for _, r in results.values()):
        why = "no shard released an edition: there is nothing to merge"
        raise PipelineError([error("shard-empty", why, first.place)])
    with staged(project) as staging:
        found = [
            d for m, r in results.values() if isinstance(r, Shipped) for d in _copy(m, r, staging)
        ]
        if found:
            raise PipelineError(found)
        judged: dict[Job, Released | Missing] = {}
        for job in first.jobs:
            _, got = results[job]
            judged[job] = got if isinstance(got, Missing) else _released(project, job, got)
        shelves = tuple(_shelf(project, hid, judged) for hid in first.handbooks)
        seconds = max(m.seconds for m in manifests) + time.perf_counter() - start
        result = Release(shelves, seconds, 0, published=True)
        write_pages(project, staging, result, publisher, first.handbooks)
        files = publish(project, staging)
    return Release(shelves, seconds, files, published=True)


def _read_all(folders: Iterable[Path]) -> list[Manifest]:
    """Every manifest, or every reason one cannot be read."""
    manifests, found = [], []
    for folder in folders:
        try:
            manifests.append(read_manifest(folder))
        except PipelineError as exc:
            found.extend(exc.diagnostics)
    if found:
        raise PipelineError(found)
    return manifests


def measured(result: Release) -> dict[str, float]:
    """The seconds each released edition took: the costs the next partition balances."""
    return {
        f"{s.id}/{e.view.loc.tag}": round(e.seconds, 3) for s in result.shelves for e in s.editions
    }


def write_costs(path: Path, costs: Mapping[str, float]) -> None:
    text = json.dumps(dict(sorted(costs.items())), indent=1, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode())

"""`handbook build --all`: every locale on a process pool, nothing rebuilt that is up
to date, and only what changed rebuilt. Two locales (en, es) keep it cheap; timing
is the benchmark's business (bench/), never asserted here."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from pipeline.build import Project
from pipeline.cli import main
from pipeline.jobs import (
    EVERY_FORMAT,
    Job,
    Options,
    inputs_digest,
    is_current,
    read_record,
    record_path,
)

from .conftest import HANDBOOK, ROOT

LOCALES = ("en", "es")
WEB = f"{HANDBOOK}-web"


@dataclass(frozen=True)
class Run:
    code: int
    out: str  # stdout and stderr together


def build_all(root: Path, *flags: str) -> Run:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = main(["--root", str(root), "build", "--all", "-j", "2", *flags])
    return Run(code, buf.getvalue())


def scratch(target: Path) -> Path:
    """The project's inputs with one translation (es), to change freely."""
    for name in ("source", "layouts"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copytree(ROOT / "locales" / "es", target / "locales" / "es")
    return target


def outputs(root: Path) -> dict[str, int]:
    """Every file under dist/ (records included) and its mtime in ns."""
    files = sorted(p for p in (root / "dist").rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in files}


def edit_catalog(root: Path, code: str) -> None:
    po = root / "locales" / code / "LC_MESSAGES" / f"{HANDBOOK}.po"
    po.write_text("# edited by a test\n" + po.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.fixture(scope="module")
def all_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """A scratch project after one quiet `build --all`."""
    root = scratch(tmp_path_factory.mktemp("jobs"))
    return root, build_all(root, "--quiet")


@pytest.fixture
def copy(all_built: tuple[Path, Run], tmp_path: Path) -> Path:
    """The built project copied with its outputs and mtimes, for a test to change."""
    return Path(shutil.copytree(all_built[0], tmp_path / "project"))


def test_builds_every_locale(all_built: tuple[Path, Run]) -> None:
    root, run = all_built
    assert run.code == 0
    for code in LOCALES:
        folder = root / "dist" / code
        assert (folder / f"{HANDBOOK}.pdf").read_bytes().startswith(b"%PDF-")
        assert (folder / f"{HANDBOOK}.epub").read_bytes().startswith(b"PK\x03\x04")
        record = read_record(folder / f".{HANDBOOK}.inputs")
        assert record is not None
        edition = {f"{HANDBOOK}.pdf", f"{HANDBOOK}.epub", f"{WEB}/index.html", f"{WEB}/style.css"}
        assert edition <= set(record.outputs)
        fonts = set(record.outputs) - edition
        assert fonts
        assert all(re.fullmatch(rf"{WEB}/fonts/[\w-]+\.woff2", name) for name in fonts), fonts
        for name in record.outputs:
            assert (folder / name).is_file(), name
        # The web edition's switcher links every locale `build --all` builds, each one there.
        page = lxml.html.parse(folder / WEB / "index.html")
        links = page.xpath('//ul[@class="languages"]//a/@href')
        assert links == [f"../../{c}/{WEB}/index.html" for c in LOCALES]
        assert all((folder / WEB / link).resolve().is_file() for link in links)


def test_quiet_prints_nothing(all_built: tuple[Path, Run]) -> None:
    assert all_built[1].out == ""


def test_second_run_skips_everything(copy: Path) -> None:
    before = outputs(copy)
    run = build_all(copy)
    assert run.code == 0
    assert outputs(copy) == before  # nothing rewritten, not even a record
    assert f"{HANDBOOK}/en: up to date" in run.out
    assert f"{HANDBOOK}/es: up to date" in run.out
    assert "0 built" in run.out


def test_proofs_are_built_beside_the_editions(copy: Path) -> None:
    """`make all ALLOW_PARTIAL=1` writes proofs under their own names, records included: the
    editions and their records stay as they were, and still count as up to date."""
    before = outputs(copy)
    run = build_all(copy, "--allow-partial")
    assert run.code == 0, run.out
    assert "2 built" in run.out  # a proof is not the edition: it is built
    after = outputs(copy)
    assert {k: v for k, v in after.items() if k in before} == before  # the editions untouched
    assert "not an edition to hand out" in run.out
    proofs = set(after) - set(before)
    for code in LOCALES:
        folder = copy / "dist" / code
        record = read_record(folder / f".{HANDBOOK}-proof.inputs")
        assert record is not None
        assert {f"{HANDBOOK}-proof.pdf", f"{HANDBOOK}-proof.epub"} <= set(record.outputs)
        assert {f"dist/{code}/{name}" for name in record.outputs} <= proofs
        assert all("-proof" in name for name in record.outputs)
        page = lxml.html.parse(folder / f"{WEB}-proof" / "index.html")
        links = page.xpath('//ul[@class="languages"]//a/@href')
        assert links == [f"../../{c}/{WEB}-proof/index.html" for c in LOCALES]  # other proofs
    assert "0 built" in build_all(copy).out  # the editions are still current


def test_changed_catalog_rebuilds_only_that_locale(copy: Path) -> None:
    before = outputs(copy)
    edit_catalog(copy, "es")
    run = build_all(copy)
    after = outputs(copy)
    assert run.code == 0, run.out
    assert f"{HANDBOOK}/es: built" in run.out
    assert f"{HANDBOOK}/en: up to date" in run.out
    changed = {name for name in after if after[name] != before.get(name)}
    web = {name for name in before if name.startswith(f"dist/es/{WEB}/")}
    assert web
    assert changed == {
        f"dist/es/{HANDBOOK}.pdf",
        f"dist/es/{HANDBOOK}.epub",
        *web,
        f"dist/es/.{HANDBOOK}.inputs",
    }


def test_failed_locale_is_reported_and_keeps_its_old_outputs(copy: Path) -> None:
    before = outputs(copy)
    po = copy / "locales" / "es" / "LC_MESSAGES" / f"{HANDBOOK}.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    run = build_all(copy)
    assert run.code == 1
    assert f"{HANDBOOK}/es: failed" in run.out
    assert re.search(
        rf"locales/es/LC_MESSAGES/{HANDBOOK}\.po:\d+(:\d+)?: error: ", run.out
    )  # located: file:line
    assert outputs(copy) == before


def test_concurrent_runs_build_each_locale_once(tmp_path: Path) -> None:
    """Two `build --all` at once (as `make -j` or two terminals may start them): the
    per-locale lock makes the later one find the first one's outputs up to date."""
    root = scratch(tmp_path)
    command = [sys.executable, "-m", "pipeline", "--root", str(root), "build", "--all", "-j", "2"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    out = "".join(run.communicate(timeout=300)[0] for run in runs)
    assert [run.returncode for run in runs] == [0, 0], out
    assert sorted(re.findall(r"\] (\S+): built", out)) == [f"{HANDBOOK}/{code}" for code in LOCALES]
    assert out.count(": up to date") == len(LOCALES)


def test_changed_output_is_built_again(copy: Path) -> None:
    project, job, options = Project(copy), Job(HANDBOOK, "en"), Options(formats=EVERY_FORMAT)
    digest = inputs_digest(project, job, options)
    assert is_current(project, job, options, digest)
    pdf = copy / "dist" / "en" / f"{HANDBOOK}.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    assert not is_current(project, job, options, digest)


@pytest.mark.parametrize(
    ("changed", "stale"),
    [
        (f"locales/es/LC_MESSAGES/{HANDBOOK}.po", {"es"}),
        ("locales/es/LC_MESSAGES/layouts.po", {"es"}),
        ("locales/es/locale.yaml", {"es"}),
        (f"source/{HANDBOOK}/handbook.yaml", {"en", "es"}),
        ("layouts/print.css", {"en", "es"}),
    ],
)
def test_digest_follows_exactly_the_inputs_of_a_job(
    tmp_path: Path, changed: str, stale: set[str]
) -> None:
    project = Project(scratch(tmp_path))
    jobs = [Job(HANDBOOK, code) for code in LOCALES]
    before = {job.locale: inputs_digest(project, job, Options()) for job in jobs}
    path = tmp_path / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = {job.locale: inputs_digest(project, job, Options()) for job in jobs}
    assert {code for code in before if before[code] != after[code]} == stale
    assert inputs_digest(project, jobs[0], Options(size="a4")) != after["en"]  # options count too
    assert record_path(project, jobs[0], Options(size="a4")) != record_path(
        project, jobs[0], Options()
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_lines_on_a_terminal_and_off_it(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """Each finished job is one plain line either way; a terminal also gets tqdm's bar
    (drawn in place with carriage returns, never in a log)."""
    from pipeline.cli import _Display
    from pipeline.jobs import Outcome, Progress, State

    err = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    es, en = Job(HANDBOOK, "es"), Job(HANDBOOK, "en")
    display = _Display(quiet=False)
    display(Progress(2, 0, (es, en), 0.5))
    built = Outcome(es, State.BUILT, 1.25)
    display(Progress(2, 1, (en,), 1.3, built))
    display.close([built, Outcome(en, State.SKIPPED, 0.0)], 1.5)
    assert threading.active_count() == 1  # no thread left behind: a build in this process may fork
    out = err.getvalue()
    assert f"[1/2] {HANDBOOK}/es: built in 1.2 s\n" in out
    assert "2 job(s) in 1.5 s: 1 built, 1 up to date, 0 failed" in out
    assert ("\r" in out and f"building {HANDBOOK}/en" in out and "1/2" in out) == terminal


def test_a_web_edition_follows_every_locale_settings(tmp_path: Path) -> None:
    """The web page's switcher names every language, so another locale's settings are an
    input of a job that makes the web edition, and of no other."""
    project = Project(scratch(tmp_path))
    en, web = Job(HANDBOOK, "en"), Options(formats=EVERY_FORMAT)
    before = (inputs_digest(project, en, Options()), inputs_digest(project, en, web))
    path = tmp_path / "locales/es/locale.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = (inputs_digest(project, en, Options()), inputs_digest(project, en, web))
    assert after[0] == before[0]
    assert after[1] != before[1]

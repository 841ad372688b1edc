"""Faults change nothing half-way: an edition's PDF and EPUB are written together or not at
all, an operating-system failure is one located line (never a traceback), and a build's
record holds what the build really read."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from pipeline import jobs, output
from pipeline.build import Project, build
from pipeline.cli import main
from pipeline.jobs import Job, Options, build_job, inputs_digest, is_current

from .test_safety import PO, tiny_project, translate_as


@pytest.fixture
def built(tmp_path: Path) -> Project:
    """The tiny project, built once; then a translation changes, so a rebuild would change the
    PDF."""
    project = tiny_project(tmp_path / "p")
    build(project, "tiny", "es")
    po = project.root / PO
    po.write_text(
        translate_as(po.read_text(encoding="utf-8"), "The basics", "Lo esencial"), encoding="utf-8"
    )
    return project


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


def run(project: Project, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        status = main(["--root", str(project.root), *argv])
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, err


def test_a_failed_epub_write_keeps_the_old_pdf(
    built: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    epub = built.dist / "es" / "tiny.epub"
    epub.unlink()
    (epub / "in-the-way").mkdir(parents=True)  # the EPUB cannot be renamed into place
    before = files(built.dist)
    status, err = run(built, capsys, "build", "--handbook", "tiny", "--lang", "es")
    assert status == 1
    assert err.splitlines()[0].endswith(
        "dist/es/tiny.epub: error: cannot write here: Is a directory [output-write]"
    )
    assert files(built.dist) == before  # the PDF is the old one; no temporary file is left


def test_a_full_disk_is_one_located_line(
    built: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full)
    before = files(built.dist)
    status, err = run(built, capsys, "build", "--handbook", "tiny", "--lang", "es")
    assert status == 1
    assert err.splitlines() == [
        f"{built.dist / 'es' / 'tiny.pdf'}: error: cannot write here: No space left on device "
        "[output-write]",
        "failed: 1 error(s)",
    ]
    assert files(built.dist) == before


def test_dist_that_is_not_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tiny_project(tmp_path / "p")
    project.dist.write_text("not a folder")
    status, err = run(project, capsys, "build", "--handbook", "tiny", "--lang", "es")
    assert status == 1
    assert (
        err.splitlines()[0]
        == f"{project.dist / 'es'}: error: cannot write here: Not a directory [output-write]"
    )
    assert project.dist.read_text() == "not a folder"


def test_a_catalog_saved_and_reverted_during_the_build_is_built_again(
    built: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = built.root / PO
    saved = po.read_text(encoding="utf-8")
    real_build = jobs.build

    def build_while_the_translator_types(*args: object, **kwargs: object) -> list[Path]:
        po.write_text(translate_as(saved, "The basics", "Lo básico (borrador)"), encoding="utf-8")
        try:
            return real_build(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            po.write_text(saved, encoding="utf-8")  # reverted before the job ends

    job, options = Job("tiny", "es"), Options()
    monkeypatch.setattr(jobs, "build", build_while_the_translator_types)
    build_job(built, job, options, force=True)
    monkeypatch.setattr(jobs, "build", real_build)
    # The outputs hold "Lo básico (borrador)"; the catalog says "Lo esencial": not up to date.
    assert not is_current(built, job, options, inputs_digest(built, job, options))
    assert build_job(built, job, options).state is jobs.State.BUILT
    assert is_current(built, job, options, inputs_digest(built, job, options))

"""The Makefile: `make handbook LANG=xx` never breaks the tools' own locale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.project import Project

from .conftest import ROOT
from .test_translations import UNTRANSLATED, untranslate


def make(*args: str, env_lang: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANG", "LC_ALL", "LANGUAGE", "MAKEFLAGS", "MFLAGS")
    }
    if env_lang is not None:
        env["LANG"] = env_lang
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("env_lang", ["C.UTF-8", None, "es_ES.UTF-8"])
def test_lang_names_the_book_not_the_process_locale(env_lang: str | None) -> None:
    run = make("-n", "-B", "dist/pt-BR/ct-trafficking.pdf", "LANG=pt-BR", env_lang=env_lang)
    assert run.returncode == 0, run.stderr
    assert "handbook build --handbook ct-trafficking --lang pt-BR" in run.stdout
    probe = make("-s", "--eval=probe: ; @echo $$LANG", "probe", "LANG=es", env_lang=env_lang)
    assert probe.stdout.strip() == "C.UTF-8"  # what the tools see


@pytest.mark.parametrize("env_lang", ["C.UTF-8", None])
def test_missing_lang_is_a_usage_error(env_lang: str | None) -> None:
    run = make("handbook", env_lang=env_lang)
    assert run.returncode != 0
    assert "say which language to build" in run.stderr
    assert "es" in run.stderr


def test_one_build_makes_the_pdf_and_the_epub_together() -> None:
    """One grouped target: a missing or older EPUB rebuilds the pair, with one build."""
    run = make(
        "-n",
        "-B",
        "dist/es/ct-trafficking.pdf",
        "dist/es/ct-trafficking.epub",
        "LANG=es",
        env_lang=None,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("handbook build --handbook ct-trafficking --lang es") == 1


def test_the_makefile_asks_the_pipeline_for_the_file_names() -> None:
    """Whatever the variant, the rule the Makefile writes is for the files the build writes."""
    run = make(
        "-n", "-B", "dist/pt-BR/ct-trafficking-a5-press.pdf", "LANG=pt_BR", "SIZE=a5",
        "PRINT=press", env_lang=None,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "handbook build --handbook ct-trafficking --lang pt_BR --size a5 --press" in run.stdout


def project_copy(target: Path) -> None:
    """What the Makefile reads, copied, and set up as far as make can tell (no pip, no
    virtualenv: its `handbook` runs the copy's pipeline with this interpreter)."""
    for name in ("source", "layouts", "locales", "pipeline"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    handbook = target / ".venv" / "bin" / "handbook"
    handbook.parent.mkdir(parents=True)
    handbook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipeline "$@"\n', encoding="utf-8")
    handbook.chmod(0o755)
    (target / ".venv" / ".installed").touch()


def test_an_edition_is_up_to_date_until_an_input_changes(tmp_path: Path) -> None:
    """`make handbook LANG=es` builds nothing when the edition is newer than its inputs."""
    project_copy(tmp_path)
    files = [tmp_path / "dist" / "es" / f"ct-trafficking.{kind}" for kind in ("pdf", "epub")]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    run = make("-C", str(tmp_path), "handbook", "LANG=es", env_lang=None)
    assert run.returncode == 0, run.stderr
    assert (
        run.stdout.strip() == "up to date: dist/es/ct-trafficking.pdf dist/es/ct-trafficking.epub"
    )
    later = files[0].stat().st_mtime + 10
    po = tmp_path / "locales" / "es" / "LC_MESSAGES" / "ct-trafficking.po"
    os.utime(po, (later, later))  # a translator saved the catalog
    targets = [str(p.relative_to(tmp_path)) for p in files]
    assert make("-C", str(tmp_path), "-q", *targets, "LANG=es", env_lang=None).returncode == 1


def test_a_proof_is_never_taken_for_the_edition(tmp_path: Path) -> None:
    """ALLOW_PARTIAL=1 writes a proof beside the edition, under its own names: the edition
    already in dist/ stays as it was, and `make handbook` without it still builds (here:
    refuses) the edition instead of calling the proof's files up to date."""
    project_copy(tmp_path)
    untranslate(Project(tmp_path))
    folder = tmp_path / "dist" / "es"
    folder.mkdir(parents=True)
    edition = [folder / f"ct-trafficking.{kind}" for kind in ("pdf", "epub")]
    for path in edition:
        path.write_bytes(b"the edition, built before the source changed")
        os.utime(path, (946684800, 946684800))  # 2000: older than every input
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in edition]

    proof = make("-C", str(tmp_path), "handbook", "LANG=es", "ALLOW_PARTIAL=1", env_lang=None)
    assert proof.returncode == 0, proof.stderr
    assert proof.stdout.splitlines() == [
        "wrote dist/es/ct-trafficking-proof.pdf",
        "wrote dist/es/ct-trafficking-proof.epub",
    ]
    assert "not an edition to hand out" in proof.stderr
    assert (folder / "ct-trafficking-proof.pdf").read_bytes().startswith(b"%PDF-")
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in edition] == before

    again = make("-C", str(tmp_path), "handbook", "LANG=es", "ALLOW_PARTIAL=1", env_lang=None)
    assert again.stdout.strip() == (
        "up to date: dist/es/ct-trafficking-proof.pdf dist/es/ct-trafficking-proof.epub"
    )
    real = make("-C", str(tmp_path), "handbook", "LANG=es", env_lang=None)
    assert real.returncode != 0
    assert "up to date" not in real.stdout + real.stderr
    assert "1 untranslated" in real.stderr
    assert UNTRANSLATED in real.stderr  # the message left to translate, named
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in edition] == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ""),
        (("HANDBOOK=ct-trafficking",), " --handbook ct-trafficking"),
        (("HANDBOOKS=a b",), " --handbook a --handbook b"),
    ],
)
def test_release_builds_the_handbooks_asked_for(args: tuple[str, ...], expected: str) -> None:
    run = make("-n", "release", *args, env_lang=None)
    assert run.returncode == 0, run.stderr
    command = " ".join(run.stdout.replace("\\\n", " ").split())  # the recipe's last command
    assert command.endswith(f"/handbook release{expected}")

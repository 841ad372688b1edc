"""The Makefile: `make handbook LANG=xx` never breaks the tools' own locale."""

from __future__ import annotations

import os
import subprocess

import pytest

from .conftest import ROOT


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

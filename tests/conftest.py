"""Shared fixtures: the real project, and every locale built once per test run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Imported before any render freezes the garbage collector (pipeline/pdf.py):
# trio's hypothesis plugin, run at import, asks the collector who refers to its
# Random, and a frozen collector answers "no one" (a warning, an error here).
import hypothesis  # noqa: F401
import pytest

from pipeline.build import Project, build, prepare, resolve_locale
from pipeline.present import View

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "connecticut-trafficking-qa.txt"
HANDBOOK = "ct-trafficking"
EPOCH = "1795824000"  # 2026-11-28, the edition date: builds in tests are repeatable
os.environ["SOURCE_DATE_EPOCH"] = EPOCH
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(
    prefix="handbook-cache-"
)  # font subsets made afresh each run
BIDI_MARKS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


@dataclass(frozen=True)
class Built:
    code: str
    tag: str
    pdf: Path
    epub: Path

    def pdftext(self, *args: str) -> str:
        """The PDF's text as pdftotext copies it out, less the bidi marks it adds."""
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *args, str(self.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.translate(BIDI_MARKS)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def handbook(project: Project):  # type: ignore[no-untyped-def]
    return project.load(HANDBOOK)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, handbook) -> dict[str, Built]:  # type: ignore[no-untyped-def]
    """Every shipped locale, built once into a temporary dist/."""
    project = Project(ROOT)
    return build_editions(tmp_path_factory.mktemp("dist"), project.locales_of(handbook))


BILINGUAL = ("es+en", "fa_AF+en")


@pytest.fixture(scope="session")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The bilingual editions, built once per test run."""
    return build_editions(tmp_path_factory.mktemp("dist"), BILINGUAL)


def build_editions(out: Path, codes: Iterable[str]) -> dict[str, Built]:
    project = Project(ROOT, out)
    result = {}
    for code in codes:
        pdf, epub = build(project, HANDBOOK, code)
        result[code] = Built(code, pdf.parent.name, pdf, epub)
    return result


@pytest.fixture
def view(project: Project, handbook, locale: str) -> View:  # type: ignore[no-untyped-def]
    """The presented handbook of the parametrized locale."""
    return prepare(
        project, handbook, resolve_locale(project, handbook, locale), allow_partial=False
    ).view


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`locale` parametrizes over every shipped locale (source language included)."""
    if "locale" in metafunc.fixturenames:
        project = Project(ROOT)
        metafunc.parametrize("locale", project.locales_of(project.load(HANDBOOK)))


def copy_project(target: Path) -> Project:
    """A scratch copy of the project's inputs, to change without touching the real files."""
    for name in ("source", "layouts", "locales"):
        shutil.copytree(ROOT / name, target / name)
    return Project(target)

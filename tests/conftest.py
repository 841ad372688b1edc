"""Shared fixtures: the real project, and every locale built once per test run."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.build import Project, build

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "connecticut-trafficking-qa.txt"
HANDBOOK = "ct-trafficking"


@dataclass(frozen=True)
class Built:
    code: str
    tag: str
    pdf: Path
    epub: Path

    def pdftext(self, *args: str) -> str:
        return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(self.pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def handbook(project: Project):  # type: ignore[no-untyped-def]
    return project.load(HANDBOOK)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, handbook) -> dict[str, Built]:  # type: ignore[no-untyped-def]
    """Every shipped locale, built once into a temporary dist/."""
    out = tmp_path_factory.mktemp("dist")
    project = Project(ROOT, out)
    result = {}
    for code in project.locales_of(handbook):
        pdf, epub = build(project, HANDBOOK, code)
        result[code] = Built(code, code.replace("_", "-"), pdf, epub)
    return result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`locale` parametrizes over every shipped locale (source language included)."""
    if "locale" in metafunc.fixturenames:
        project = Project(ROOT)
        metafunc.parametrize("locale", project.locales_of(project.load(HANDBOOK)))

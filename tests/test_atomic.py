"""Nothing lost: failed or interrupted builds leave the last good outputs as they were;
the same inputs give the same bytes, in another clone at another time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.catalog import catalog_path

from .conftest import HANDBOOK, Built, copy_project


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def good_build(tmp_path: Path) -> Path:
    project = copy_project(tmp_path)
    build(project, HANDBOOK, "es")
    return tmp_path


def test_failed_build_keeps_the_previous_outputs(good_build: Path) -> None:
    out = good_build / "dist" / "es"
    before = snapshot(out)
    po = catalog_path(good_build / "locales", "es", "layouts")  # the layouts' strings
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgid "Contents"', 'msgid "Contents"\ngarbage'),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pipeline", "--root", str(good_build), "build", "--lang", "es"]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 1
    assert "[po-syntax]" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_build_keeps_the_previous_outputs(
    good_build: Path, sig: signal.Signals
) -> None:
    out = good_build / "dist" / "es"
    before = snapshot(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--root", str(good_build), "build", "--lang", "es"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # past the imports, inside rendering (a build takes about 3 s)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    if sig != signal.SIGKILL:
        assert "interrupted" in err
        assert "Traceback" not in err
    assert snapshot(out) == before  # same files, same bytes, nothing half-written or left behind


def test_same_inputs_same_bytes_in_another_clone(tmp_path: Path, built: dict[str, Built]) -> None:
    """The session's builds ran from the repository; these run from a copy, later."""
    project = copy_project(tmp_path / "clone")
    time.sleep(1.1)
    for code, first in built.items():
        pdf, epub = build(project, HANDBOOK, code)
        assert pdf.read_bytes() == first.pdf.read_bytes(), f"{code} PDF differs"
        assert epub.read_bytes() == first.epub.read_bytes(), f"{code} EPUB differs"

"""DAISY Ace, the EPUB accessibility checker, on every shipped locale's EPUB: no violation."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .conftest import ROOT, Built

ACE = ROOT / ".venv" / "ace" / "node_modules" / ".bin" / "ace-cli"


def test_ace_finds_no_violation(built: dict[str, Built], locale: str, tmp_path: Path) -> None:
    assert ACE.exists(), "make test installs DAISY Ace (npm); run it through make"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"}
    command = [str(ACE), "--silent", "--force", "--outdir", str(tmp_path), str(built[locale].epub)]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if not (
        tmp_path / "report.json"
    ).exists():  # Ace waits 5 s for Chromium to start: on a busy machine, once more
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    violations = [
        (a["earl:testSubject"]["url"], t["earl:test"]["dct:title"], t["earl:test"]["earl:impact"])
        for a in report["assertions"]
        for t in a.get("assertions", [])
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"

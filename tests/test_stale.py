"""A catalog is read against the source as it is now, not as it was at the last `update`:
an English text edited since then is not translated, whatever the catalog file says."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.build import Project, build
from pipeline.checks import statuses

from .test_safety import tiny_project

EDITED = (
    "Text 233733 to reach the hotline.",
    "Send a text message to 233733 to reach the hotline.",
)


def edited_project(root: Path, release: str) -> Project:
    project = tiny_project(root)
    source = project.handbook_path("tiny")
    source.write_text(source.read_text(encoding="utf-8").replace(*EDITED), encoding="utf-8")
    (project.locales / "es" / "locale.yaml").write_text(f"release: {release}\n", encoding="utf-8")
    return project


def test_status_counts_the_edited_text_as_not_translated(tmp_path: Path) -> None:
    project = edited_project(tmp_path / "p", "complete")
    [es] = statuses(project, project.load("tiny"))
    assert (es.total, es.translated, es.fuzzy) == (31, 30, 1)
    assert (es.characters, es.translated_characters) == (898, 847)


def test_a_fallback_edition_shows_the_new_english_and_an_honest_percentage(tmp_path: Path) -> None:
    project = edited_project(tmp_path / "p", "fallback")
    pdf, _epub = build(project, "tiny", "es")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert EDITED[1] in text
    assert (
        "Envíe un texto al 233733" not in text
    )  # the translation of the old sentence is not shown
    # Of the text: the edited sentence is 51 of the 898 characters (5.7%); 1 of 31 messages.
    assert "El 94,3% de este manual está traducido" in text

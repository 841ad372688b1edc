"""Sources and freshness: each entry may cite its sources and the day it was last reviewed.

The editions print them after the answer, as written (citations are never translated), with
the fixed words and the dates in the locale's own form; `check` warns about entries without
sources (when the handbook asks for them) and about reviews older than its limit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.checks import check
from pipeline.cli import main
from pipeline.diagnostics import Severity, SourceError
from pipeline.source import load

from .conftest import Built
from .test_safety import tiny_project

SOURCE = Path("source/tiny/handbook.yaml")
CITATIONS = """\
    sources:
    - title: Trafficking Victims Protection Act
      url: https://www.state.gov/tvpa
      accessed: 2026-01-10
    - title: Connecticut General Statutes 53a-192a
      url: https://www.cga.ct.gov/current/pub/chap_952.htm
      accessed: '2026-01-11'
"""


def with_source(root: Path, entry_keys: str, top_keys: str = "") -> None:
    """Add keys to the tiny handbook's one entry (its keys come last in the file) and to the top."""
    path = root / SOURCE
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + entry_keys
    edition = "edition: '2026-01-15'\n"
    path.write_text(text.replace(edition, edition + top_keys), encoding="utf-8")


def entry_line(root: Path) -> int:
    lines = (root / SOURCE).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if "- id: get-help" in line)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "es",
            ["Fuentes:", "consultado el 10 de enero de 2026", "Revisado el 12 de enero de 2026."],
        ),
        ("en", ["Sources:", "accessed January 10, 2026", "Reviewed January 12, 2026."]),
    ],
)
def test_sources_print_after_the_answer(tmp_path: Path, lang: str, expected: list[str]) -> None:
    root = tmp_path / "p"
    project = tiny_project(root)
    with_source(root, CITATIONS + "    reviewed: 2026-01-12\n")
    paths = build(project, "tiny", lang)
    built = Built(lang, lang, *(next(p for p in paths if p.suffix == s) for s in (".pdf", ".epub")))
    with zipfile.ZipFile(built.epub) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    notes = re.search(r'<p class="sources">(.*?)</p>', xhtml, re.S)
    assert notes, "no source notes in the EPUB"
    for words in expected:
        assert words in notes.group(1)
    # Citations as written, marked as English, their addresses links.
    title = "Trafficking Victims Protection Act"
    assert f'<cite lang="en"><bdi dir="ltr">{title}</bdi></cite>' in notes.group(1)
    url = "https://www.cga.ct.gov/current/pub/chap_952.htm"
    assert f'<a href="{url}" lang="en"><bdi class="url" dir="ltr">{url}</bdi></a>' in notes.group(1)
    text = built.pdftext()
    joined = " ".join(text.split())  # pdftotext breaks the lines where the page does
    for words in [*expected, title, "Connecticut General Statutes 53a-192a"]:
        assert words in joined
    assert url in "".join(text.split())


def test_an_entry_without_sources_prints_no_notes(tmp_path: Path) -> None:
    root = tmp_path / "p"
    project = tiny_project(root)
    paths = build(project, "tiny", "en")
    with zipfile.ZipFile(next(p for p in paths if p.suffix == ".epub")) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "get-help" in xhtml
    assert 'class="sources"' not in xhtml


def test_check_warns_about_missing_sources_and_old_reviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "p"
    project = tiny_project(root)
    with_source(root, "    reviewed: 2024-12-01\n", "require_sources: true\n")
    found = {d.code: d for d in check(project, ["tiny"]) if d.code.startswith("lint-")}
    assert set(found) == {"lint-no-sources", "lint-review-old"}
    line = entry_line(root)
    for d in found.values():
        assert d.severity is Severity.WARNING
        assert d.place.path.endswith(str(SOURCE))
        assert d.place.line == line
    assert "2024-12-01" in found["lint-review-old"].message
    assert "12 months" in found["lint-review-old"].message
    assert main(["--root", str(root), "check"]) == 0
    assert main(["--root", str(root), "check", "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"{SOURCE}:{line}:" in err
    assert "[lint-no-sources]" in err
    assert "[lint-review-old]" in err
    assert main(["--root", str(root), "status", "--handbook", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "tiny: 1 of 1 entries without sources, 1 with a review older than 12 months" in out


def test_freshness_is_measured_at_the_edition_and_sources_are_opt_in(tmp_path: Path) -> None:
    root = tmp_path / "p"
    project = tiny_project(root)
    # 13 months before the edition, but the handbook allows 24; no sources, but none required.
    with_source(root, "    reviewed: 2024-12-01\n", "review_max_months: 24\n")
    assert not [d for d in check(project, ["tiny"]) if d.code.startswith("lint-")]


@pytest.mark.parametrize(
    ("accessed", "message"),
    [
        ("'2026-02-30'", "accessed '2026-02-30' is not a date in the calendar"),
        ("January 2026", "'January 2026' is not a date written YYYY-MM-DD"),
    ],
)
def test_a_bad_date_is_located(tmp_path: Path, accessed: str, message: str) -> None:
    root = tmp_path / "p"
    tiny_project(root)
    with_source(root, CITATIONS.replace("'2026-01-11'", accessed))
    with pytest.raises(SourceError) as exc:
        load(root / SOURCE)
    lines = (root / SOURCE).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if f"accessed: {accessed}" in text)
    (problem,) = exc.value.diagnostics
    assert message in problem.message
    assert problem.place.line == line
    assert problem.place.col == lines[line - 1].index(accessed) + 1

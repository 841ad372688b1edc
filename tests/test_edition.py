"""One edition, many formats: a build prepares each language once, and every format, the
writer and the release take the same value (pipeline/edition.py)."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import pytest

from pipeline import build as build_module
from pipeline import printing
from pipeline.build import make_edition, views, write_edition
from pipeline.cli import main
from pipeline.diagnostics import PipelineError, RenderError, UsageError
from pipeline.edition import Views
from pipeline.paths import output_path

from .test_safety import PO, tiny_project, translate_as


def preparations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The locale of every preparation the build makes from now on, in order."""
    prepared: list[str] = []
    real = build_module.prepare

    def counted(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        prepared.append(result.view.loc.code)
        return result

    monkeypatch.setattr(build_module, "prepare", counted)
    return prepared


@pytest.mark.parametrize("tag", ["es", "es+en"])
def test_one_preparation_feeds_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tag: str
) -> None:
    project = tiny_project(tmp_path / "p")
    prepared = preparations(monkeypatch)
    asked = views(project, project.load("tiny"), tag)
    edition = make_edition(asked, ("epub", "cover"))
    written = write_edition(edition)
    assert prepared == tag.split("+")  # each language once, whatever the formats
    assert edition.kinds() == ("pdf", "epub", "cover", "thumbnail")
    with zipfile.ZipFile(written.files["epub"]) as epub:
        assert epub.read("EPUB/cover.jpg") == edition.artifact("cover").data  # one cover
    names = {kind: output_path(project.dist, "tiny", tag, kind) for kind in edition.kinds()}
    assert written.files == names  # where pipeline/paths.py says, and nowhere else
    assert all(path.read_bytes() == edition.artifact(k).data for k, path in names.items())
    assert [v.loc.code for v in written.views] == tag.split("+")
    assert written.meta["epub"]["identifier"].startswith("urn:uuid:")


def test_the_web_edition_is_a_format_of_the_same_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page and its parts (stylesheet, fonts) come from the one preparation, are written
    with the PDF and EPUB, page last; a font the page no longer loads goes after it."""
    project = tiny_project(tmp_path / "p")
    prepared = preparations(monkeypatch)
    edition = make_edition(views(project, project.load("tiny"), "es"), ("epub", "web"))
    assert prepared == ["es"]
    web = [a for a in edition.artifacts if a.kind == "web"]
    assert (web[-1].part, web[-1].media_type) == ("", "text/html")  # what it loads goes first
    assert edition.artifact("web") == web[-1]
    assert "style.css" in {a.part for a in web}
    assert any(a.part.startswith("fonts/") and a.media_type == "font/woff2" for a in web)
    folder = project.dist / "es" / "tiny-web"
    (folder / "fonts").mkdir(parents=True)
    stale = folder / "fonts" / "Old-400.woff2"
    stale.write_bytes(b"a subset the page no longer loads")
    written = write_edition(edition)
    assert written.files["web"] == folder / "index.html"
    for a in web:
        assert written.files[a.key] == folder / (a.part or "index.html")
        assert written.files[a.key].read_bytes() == a.data
    assert not stale.exists()
    assert {k for k in written.files if not k.startswith("web")} == {"pdf", "epub"}
    with pytest.raises(UsageError) as caught:  # a reader picks the language on the page
        make_edition(views(project, project.load("tiny"), "es+en"), ("web",))
    assert caught.value.diagnostics[0].code == "web-bilingual"


def refuse_to_print(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make printing the edition (the print PDF, its page map, its cover) fail the test."""

    def refused(views: Views) -> NoReturn:
        raise AssertionError(f"printed the {views.tag} edition")

    monkeypatch.setattr(printing, "render", refused)


def test_the_web_edition_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`handbook web` makes the page alone: no format of it follows the print edition, so the
    book (most of a build's time) is neither printed nor written."""
    project = tiny_project(tmp_path / "p")
    refuse_to_print(monkeypatch)
    argv = ["--root", str(project.root), "web", "--handbook", "tiny", "--lang", "es"]
    assert main(argv) == 0
    assert capsys.readouterr().out == "wrote dist/es/tiny-web/index.html\n"
    assert [p.name for p in (project.dist / "es").iterdir()] == ["tiny-web"]
    asked = views(project, project.load("tiny"), "es")
    edition = make_edition(asked, ("web",))
    assert edition.printed is None
    assert set(edition.kinds()) == {"web"}
    with pytest.raises(AssertionError, match="printed the es edition"):  # the EPUB follows it
        make_edition(asked, ("epub", "web"))


def test_a_printed_pdf_is_verified_without_an_epub(tmp_path: Path) -> None:
    """The PDF is part of every printed edition, and the writer reads it before writing it
    whether or not an EPUB came with it."""
    project = tiny_project(tmp_path / "p")
    edition = make_edition(views(project, project.load("tiny"), "es"), ("cover",))
    assert edition.kinds() == ("pdf", "cover", "thumbnail")
    assert edition.printed is not None
    assert edition.artifact("cover").data == edition.printed.cover
    unreadable = tuple(
        replace(a, data=b"%PDF-1.7 no") if a.kind == "pdf" else a for a in edition.artifacts
    )
    with pytest.raises(RenderError) as caught:
        write_edition(replace(edition, artifacts=unreadable))
    assert [d.code for d in caught.value.diagnostics] == ["verify-unreadable"]
    assert not project.dist.exists()  # nothing written


def test_a_proof_is_written_under_its_own_names(tmp_path: Path) -> None:
    """A proof (untranslated passages in English, marked) is a different product from the
    edition: every file of it is named -proof, and the edition's files are left alone."""
    project = tiny_project(tmp_path / "p")
    po = project.root / PO
    po.write_text(translate_as(po.read_text(encoding="utf-8"), "A tiny handbook", ""))
    folder = project.dist / "es"
    folder.mkdir(parents=True)
    (folder / "tiny.pdf").write_bytes(b"the edition")
    hb = project.load("tiny")
    with pytest.raises(PipelineError):  # the edition itself is refused: es is not complete
        views(project, hb, "es")
    edition = make_edition(views(project, hb, "es", allow_partial=True), ("epub", "cover", "web"))
    written = write_edition(edition)
    names = {
        a.key: output_path(project.dist, "tiny", "es", a.kind, proof=True, part=a.part)
        for a in edition.artifacts
    }
    assert written.files == names
    assert {p.relative_to(folder).as_posix() for p in names.values()} >= {
        "tiny-proof.pdf",
        "tiny-proof.epub",
        "tiny-cover-proof.jpg",
        "tiny-thumbnail-proof.jpg",
        "tiny-web-proof/index.html",
    }
    on_disk = {p for p in folder.rglob("*") if p.is_file()}
    assert on_disk == {*names.values(), folder / "tiny.pdf"}
    assert (folder / "tiny.pdf").read_bytes() == b"the edition"
    page = names["web"].read_text(encoding="utf-8")
    assert 'href="../../es/tiny-web-proof/index.html"' in page  # its switcher: other proofs


def test_a_handbook_printed_on_a4_by_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second organisation outside the US writes `paper: a4` once: every build that asks no
    size lays its print edition out on A4 and names it so (the EPUB's page-list follows those
    pages), `handbook paths` (what the Makefile's rules name) agrees, and its booklet is on A4
    sheets. Before, every build without SIZE=a4 was US Letter."""
    import pypdfium2

    project = tiny_project(tmp_path / "p")
    source = project.handbook_path("tiny")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("edition:", "paper: a4\nedition:", 1), encoding="utf-8")
    pdf, epub = build_module.build(project, "tiny", "es")
    assert (pdf.name, epub.name) == ("tiny-a4.pdf", "tiny.epub")
    width, height = pypdfium2.PdfDocument(str(pdf))[0].get_size()
    assert (round(width, 1), round(height, 1)) == (595.3, 841.9)
    capsys.readouterr()
    assert main(["--root", str(project.root), "paths", "--handbook", "tiny", "--lang", "es"]) == 0
    assert capsys.readouterr().out.split() == ["dist/es/tiny-a4.pdf", "dist/es/tiny.epub"]
    letter = build_module.build(project, "tiny", "es", size="letter")[0]
    assert letter.name == "tiny.pdf"  # a size asked for still wins
    from pipeline.booklet import build_booklet

    assert build_booklet(project, "tiny", "es").name == "tiny-booklet-a4.pdf"


def test_paths_reads_the_paper_as_the_schema_allows(tmp_path: Path) -> None:
    from pipeline.paths import paper

    source = tmp_path / "handbook.yaml"
    for line, size in [
        ("paper: a4", "a4"),
        ("paper: 'a4'  # our printers", "a4"),
        ('paper: "letter"', "letter"),
        ("  paper: a4", "letter"),  # not the top level: the card's or a section's key
        ("", "letter"),
    ]:
        source.write_text(f"id: x\n{line}\nedition: '2026-01-01'\n", encoding="utf-8")
        assert paper(source) == size, line
    assert paper(tmp_path / "missing.yaml") == "letter"

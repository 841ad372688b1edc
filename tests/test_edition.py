"""One edition, many formats: a build prepares each language once, and every format, the
writer and the release take the same value (pipeline/edition.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline import build as build_module
from pipeline.build import make_edition, views, write_edition
from pipeline.paths import output_path

from .test_safety import tiny_project


@pytest.mark.parametrize("tag", ["es", "es+en"])
def test_one_preparation_feeds_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tag: str
) -> None:
    project = tiny_project(tmp_path / "p")
    prepared: list[str] = []
    real = build_module.prepare

    def counted(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        prepared.append(result.view.loc.code)
        return result

    monkeypatch.setattr(build_module, "prepare", counted)
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

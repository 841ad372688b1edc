"""What a new locale or a card in another language meets first: init writes a commented
locale.yaml that reads back, and a card names the side and language a problem is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.card import build_card
from pipeline.catalog import catalog_path
from pipeline.cli import main
from pipeline.diagnostics import CatalogError
from pipeline.locales import config_path, locale_info

from .conftest import HANDBOOK, copy_project


def test_init_writes_a_commented_locale_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    assert main(["--root", str(tmp_path), "init", "ko"]) == 0
    text = config_path(project.locales, "ko").read_text(encoding="utf-8")
    assert "release: complete" in text
    assert "# name: 한국어" in text
    assert locale_info("ko", project.locales).release == "complete"
    assert "created locales/ko/locale.yaml" in capsys.readouterr().out


def test_card_errors_name_the_back_and_its_language(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    po = catalog_path(project.locales, "es", HANDBOOK)
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Obtenga ayuda ahora"', 'msgstr ""'),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as failed:
        build_card(project, HANDBOOK, "en")
    first = failed.value.diagnostics[0]
    assert (first.code, first.place.line) == ("card-side", 1)
    assert first.message.startswith("the card's back is in es (Spanish)")
    build_card(project, HANDBOOK, "en", back="fr")  # another back, and the card builds

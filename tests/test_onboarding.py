"""What a new locale or a card in another language meets first: init writes a commented
locale.yaml that reads back, and a card names the side and language a problem is about."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.build import Project
from pipeline.card import build_card
from pipeline.catalog import catalog_path, catalog_paths, read_catalog
from pipeline.checks import check, statuses
from pipeline.cli import main, parser
from pipeline.diagnostics import CatalogError, UsageError
from pipeline.locales import config_path, locale_info

from .conftest import HANDBOOK, ROOT, copy_project


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


def test_init_takes_the_words_for_the_digits_from_the_languages_other_locale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """es_MX starts with es's number_words, so the gate against a number spelled out in words
    holds from its first check; a language the project has not asks for them."""
    project = copy_project(tmp_path)
    assert main(["--root", str(tmp_path), "init", "es_MX"]) == 0
    locale_info.cache_clear()  # init read es_MX before its locale.yaml was written
    spanish = locale_info("es", project.locales).number_words
    assert spanish is not None
    assert locale_info("es_MX", project.locales).number_words == spanish
    assert "its words for the digits come from es: check them" in capsys.readouterr().out
    assert main(["--root", str(tmp_path), "init", "ko"]) == 0
    assert locale_info("ko", project.locales).number_words is None
    assert "# number_words: []" in config_path(project.locales, "ko").read_text(encoding="utf-8")
    assert "write the language's words for the digits 0 to 9" in capsys.readouterr().out


def test_card_errors_name_the_back_and_its_language(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    po = catalog_path(project.locales, "es", "layouts")  # the layouts' strings
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


SHARED = "Understanding trafficking in Connecticut"  # a section title of ct-trafficking


def second_handbook(project: Project) -> Path:
    """A second handbook, tiny, one of whose texts is a sentence ct-trafficking has."""
    source = project.handbook_path("tiny")
    source.parent.mkdir(parents=True)
    text = (ROOT / "tests/roots/tiny/source/tiny/handbook.yaml").read_text(encoding="utf-8")
    source.write_text(text.replace("title: The basics", f"title: {SHARED}"), encoding="utf-8")
    return source


def test_init_prefills_from_the_languages_other_catalogs_as_fuzzy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    second_handbook(project)
    po, layouts = catalog_paths(project.locales, "es", "tiny")
    before = layouts.read_bytes()
    assert main(["--root", str(tmp_path), "init", "es", "--handbook", "tiny"]) == 0
    out = capsys.readouterr().out
    assert (
        "created locales/es/LC_MESSAGES/tiny.po (Español, 3 plural forms): 0 translated, "
        "1 fuzzy, 8 untranslated; 1 prefilled from other catalogs of es, marked fuzzy" in out
    )
    assert "layouts.po, the layouts' strings, is shared by every handbook: kept" in out
    assert layouts.read_bytes() == before
    catalog = read_catalog(po, "es")
    message = catalog.get(SHARED, context="section/basics")
    assert message.string == "Cómo entender la trata de personas en Connecticut"
    assert message.fuzzy
    assert message.user_comments == ["Prefilled from ct-trafficking.po (check it)"]
    [es] = statuses(project, project.load("tiny"))
    assert (es.translated, es.fuzzy) == (len(read_catalog(layouts, "es")), 1)  # not done yet
    # a reviewer clears the flag: the message counts as translated, and update drops the note
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("#, fuzzy\n", "", 1), encoding="utf-8")
    assert main(["--root", str(tmp_path), "update", "--handbook", "tiny"]) == 0
    message = read_catalog(po, "es").get(SHARED, context="section/basics")
    assert (message.fuzzy, message.user_comments) == (False, [])


def test_update_prefills_new_messages_and_a_new_language_starts_layouts_po(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    source = second_handbook(project)
    source.write_text(source.read_text(encoding="utf-8").replace(SHARED, "Basics"), "utf-8")
    assert main(["--root", str(tmp_path), "init", "fr", "--handbook", "tiny"]) == 0
    assert main(["--root", str(tmp_path), "init", "ko", "--handbook", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "created locales/ko/LC_MESSAGES/layouts.po (the layouts' strings" in out
    assert "prefilled" not in out  # nothing to reuse yet
    source.write_text(source.read_text(encoding="utf-8").replace("Basics", SHARED), "utf-8")
    assert main(["--root", str(tmp_path), "update", "--handbook", "tiny"]) == 0
    out = capsys.readouterr().out
    assert (
        "locales/fr/LC_MESSAGES/tiny.po: 0 translated, 1 fuzzy, 8 untranslated; "
        "1 prefilled from other catalogs of fr" in out
    )
    assert "locales/ko/LC_MESSAGES/tiny.po: 0 translated, 0 fuzzy, 9 untranslated\n" in out
    french = read_catalog(catalog_path(project.locales, "fr", "tiny"), "fr")
    ct = read_catalog(catalog_path(project.locales, "fr", HANDBOOK), "fr")
    message = french.get(SHARED, context="section/basics")
    assert message.fuzzy
    assert message.string == ct.get(SHARED, context="section/understanding").string


def test_every_command_has_help_with_examples_that_parse() -> None:
    """Each subcommand's --help ends with Example lines, and each example is a valid command."""
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert len(commands.choices) >= 12
    for name, sub in commands.choices.items():
        text = sub.format_help()
        assert "\nExamples:\n" in text, name
        examples = text.split("\nExamples:\n", 1)[1].strip().splitlines()
        assert examples, name
        for line in examples:
            argv = shlex.split(line, comments=True)
            assert argv[:2] == ["handbook", name], line
            args = parser().parse_args(argv[1:])  # exits (a failure here) when an option is wrong
            assert args.command == name


def test_a_problem_in_layouts_po_is_located_there_and_reported_once(tmp_path: Path) -> None:
    """layouts.po is read with every handbook of its language: `check` names it once."""
    project = copy_project(tmp_path)
    second_handbook(project)
    assert main(["--root", str(tmp_path), "init", "es", "--handbook", "tiny"]) == 0
    layouts = catalog_path(project.locales, "es", "layouts")
    text = layouts.read_text(encoding="utf-8")
    layouts.write_text(text.replace('"Llame al %(number)s"', '"Llame al %%(number)s"'), "utf-8")
    found = [d for d in check(project, project.handbooks()) if d.code == "qa-placeholder"]
    assert [d.place.path for d in found] == [str(layouts)]  # paths as seen from the cwd


def test_a_translation_just_started_is_not_the_cards_back(tmp_path: Path) -> None:
    """The source-language card of a handbook whose card names no back: a translation that
    cannot ship yet (here the card's own messages are untranslated) does not fail the card,
    nor the edition's release; once its release rule admits it, it is the back."""
    root = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests/roots/tiny", root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source/tiny/handbook.yaml"
    card = "card:\n  title: Keep this card\n  lines:\n  - Help is free.\n"
    source.write_text(source.read_text(encoding="utf-8") + card, encoding="utf-8")
    project = Project(root)

    def back_heading() -> str:
        pdf = build_card(project, "tiny", "en")[0]
        back = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(h for h in ("Get help now", "Obtenga ayuda ahora") if h in back)

    assert back_heading() == "Get help now"
    config_path(project.locales, "es").write_text("release: fallback\n", encoding="utf-8")
    locale_info.cache_clear()  # read once per process: this is the next command
    assert back_heading() == "Obtenga ayuda ahora"


def test_a_handbook_without_a_card_is_told_how_to_write_one() -> None:
    with pytest.raises(UsageError) as exc:
        build_card(Project(ROOT / "tests/roots/tiny"), "tiny", "en")
    (problem,) = exc.value.diagnostics
    assert problem.code == "no-card"
    assert "add a 'card:' block to its source, with a 'title:' and 'lines:'" in problem.message


def test_check_says_how_many_messages_it_did_not_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A translation just started has more messages to do than `check` lists: it says so."""
    root = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests/roots/tiny", root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    for po in (root / "locales/es/LC_MESSAGES").glob("*.po"):
        text = po.read_text(encoding="utf-8")
        po.write_text(re.sub(r'^msgstr ".+"$', 'msgstr ""', text, flags=re.M), encoding="utf-8")
    assert main(["--root", str(root), "check", "--handbook", "tiny"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    todo = re.search(r"the first 20 of its (\d+) messages to translate follow", errors[0])
    assert todo is not None
    assert int(todo.group(1)) > 20
    assert len([e for e in errors if e.endswith("[po-incomplete]")]) == 20

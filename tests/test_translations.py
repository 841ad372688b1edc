"""The gettext workflow: catalogs stay true to the source, and say where they stand."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from pipeline.build import Project
from pipeline.catalog import (
    LAYOUTS_DOMAIN,
    catalog_path,
    catalog_paths,
    layout_template,
    read_catalog,
    template,
)
from pipeline.checks import statuses
from pipeline.cli import main
from pipeline.diagnostics import Place
from pipeline.locales import available
from pipeline.qa import check_message
from pipeline.translate import catalog_status, locale_status

from .conftest import HANDBOOK, ROOT, copy_project

SHIPPED = (
    "es",
    "pt_BR",
    "ht",
    "zh_Hans",
    "ar",
    "fa_AF",
    "uk",
    "fr",
    "sw",
    "ru",
    "vi",
    "so",
    "ps",
    "ne",
    "ti",
)


def test_the_shipped_locales_ship(project: Project) -> None:
    assert set(available(project.locales, HANDBOOK)) == set(SHIPPED)


@pytest.mark.parametrize("domain", [HANDBOOK, LAYOUTS_DOMAIN])
@pytest.mark.parametrize("code", SHIPPED)
def test_catalog_passes_msgfmt_and_is_complete(project: Project, code: str, domain: str) -> None:
    path = catalog_path(project.locales, code, domain)
    msgfmt = ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)]
    run = subprocess.run(msgfmt, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    catalog = read_catalog(path, code)
    status = catalog_status(catalog, code)
    assert (status.percent, status.fuzzy, status.plurals_complete) == (100.0, 0, True)
    assert status.draft  # no qualified reviewer has signed these off yet
    assert catalog.num_plurals == get_plural(code).num_plurals


def test_pybabel_and_our_extractor_agree(tmp_path: Path, project: Project, handbook) -> None:  # type: ignore[no-untyped-def]
    """pybabel with the repo's mapping finds every message of both domains: those of source/
    are the handbook's template, those of layouts/ the layouts' template."""
    pot = tmp_path / "pybabel.pot"
    pybabel = [str(ROOT / ".venv/bin/pybabel"), "extract", "-F", "babel.cfg", "-o", str(pot), "."]
    subprocess.run(pybabel, cwd=ROOT, check=True, capture_output=True)

    def keys(messages: Iterable[Message], folder: str) -> set[tuple[str | None, str]]:
        return {
            (m.context, m.id if isinstance(m.id, str) else m.id[0])
            for m in messages
            if m.id and all(path.startswith(folder) for path, _line in m.locations)
        }

    with pot.open("rb") as f:
        theirs = list(read_po(f))
    ours = template(handbook, project.handbook_path(HANDBOOK), project.root)
    layouts = layout_template(project.layouts, project.root)
    assert keys(theirs, "source/") == keys(ours, "source/") == keys(ours, "")
    assert keys(theirs, "layouts/") == keys(layouts, "layouts/") == keys(layouts, "")
    assert len([m for m in theirs if m.id]) == len(keys(ours, "")) + len(keys(layouts, ""))
    assert len(keys(ours, "")) > 200


def test_changed_source_sentence_becomes_fuzzy_and_blocks_the_locale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    source = project.handbook_path(HANDBOOK)
    old = (
        "Law enforcement agencies in Connecticut face several challenges in identifying and "
        "prosecuting cases of migrant and refugee trafficking."
    )
    new = (
        "Law enforcement agencies in Connecticut face many challenges when they identify and "
        "prosecute migrant and refugee trafficking."
    )
    source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert main(["--root", str(tmp_path), "update"]) == 0
    po = catalog_path(project.locales, "es", HANDBOOK)
    message = next(m for m in read_catalog(po, "es") if m.id == new)
    spanish = "Las agencias del orden público en Connecticut enfrentan varios desafíos"
    assert message.fuzzy
    assert message.string.startswith(spanish)
    assert (
        '#| msgid "Law enforcement agencies in Connecticut face several challenges in'
        in po.read_text(encoding="utf-8")
    )
    capsys.readouterr()
    assert main(["--root", str(tmp_path), "build", "--lang", "es"]) == 1
    err = capsys.readouterr().err
    assert "[locale-incomplete]" in err
    assert "1 fuzzy" in err
    where = f"locales/es/LC_MESSAGES/{HANDBOOK}.po:{message.lineno}"
    assert f"{where}: error: message 'law-enforcement-challenges/p1' is fuzzy" in err
    assert not (tmp_path / "dist").exists()


def test_changed_hotline_number_fails_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    po = catalog_path(project.locales, "ar", HANDBOOK)
    lines = po.read_text(encoding="utf-8").splitlines()
    index = next(
        i for i, line in enumerate(lines) if line.startswith("msgstr") and "1-888-373-7888" in line
    )
    lines[index] = lines[index].replace("1-888-373-7888", "1-888-373-7887")
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--root", str(tmp_path), "check"]) == 1
    err = capsys.readouterr().err
    msgid_line = max(i for i in range(index) if lines[i].startswith("msgid")) + 1
    assert (
        f"locales/ar/LC_MESSAGES/{HANDBOOK}.po:{msgid_line}: error: "
        "phone number or number '1-888-373-7888'" in err
    )
    assert main(["--root", str(tmp_path), "build", "--lang", "ar"]) == 1


@pytest.mark.parametrize(
    ("source", "translation", "code"),
    [
        (
            "See https://humantraffickinghotline.org/en today.",
            "Vea https://humantraffickinghotline.org/es hoy.",
            "qa-changed-link",
        ),
        ("Write to help@example.org.", "Escriba a ayuda@example.org.", "qa-changed-link"),
        ("Text 233733", "Texto 233773", "qa-changed-number"),
        ("Plain text", '<img src="file:///etc/passwd">Texto', "qa-markup"),
        (
            "Ask the Office of Victim Services.",
            "Pregunte a la Oficina de Servicios a Víctimas.",
            "qa-name",
        ),
    ],
)
def test_qa_gates(source: str, translation: str, code: str) -> None:
    message = Message(source, translation, context="x/p1")
    problems = check_message(message, ["Office of Victim Services"], Place("es.po", 7))
    assert [p.code for p in problems] == [code]
    assert str(problems[0]).startswith("es.po:7: error: ")


@pytest.mark.parametrize(
    ("translation", "codes"),
    [
        ("زر https://humantraffickinghotline.org\u200f.", []),
        ("زر \u2067https://humantraffickinghotline.org\u2069.", []),
        ("زر https://humantraffickinghotline.org\u200e.evil.example", ["qa-added-link"]),
    ],
)
def test_a_bidi_mark_ends_an_address(translation: str, codes: list[str]) -> None:
    """A mark or isolate a translator puts after an address is not part of it; one inside it
    makes it another address."""
    message = Message("Visit https://humantraffickinghotline.org.", translation, context="x/p1")
    assert [p.code for p in check_message(message, [], Place("ar.po", 7), rtl=True)] == codes


UNTRANSLATED = "barriers-to-justice/p1"  # the context of the message untranslate() empties


def untranslate(project: Project) -> int:
    """Empty the Spanish translation of one paragraph (UNTRANSLATED): es is then incomplete.
    Returns how many messages es has, both domains."""
    po, layouts = catalog_paths(project.locales, "es", HANDBOOK)
    catalog = read_catalog(po, "es")
    english = (
        "Migrant and refugee victims in Connecticut face several barriers when trying to "
        "access justice and seek redress. These barriers include:"
    )
    text = po.read_text(encoding="utf-8")
    translated = catalog.get(english, context=UNTRANSLATED).string
    po.write_text(text.replace(f'msgstr "{translated}"', 'msgstr ""'), encoding="utf-8")
    return len([m for m in (*catalog, *read_catalog(layouts, "es")) if m.id])


def test_partial_locale_is_refused_then_built_with_marked_fallbacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = untranslate(copy_project(tmp_path))
    assert main(["--root", str(tmp_path), "build", "--lang", "es"]) == 1
    expected = (
        f"es has {total - 1} of its {total} messages translated "
        f"({100 * (total - 1) / total:.1f}%; 0 fuzzy, 1 untranslated)"
    )
    assert expected in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "build", "--lang", "es", "--allow-partial"]) == 0
    pdf = tmp_path / "dist" / "es" / f"{HANDBOOK}-proof.pdf"  # a proof, named as one
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        f"wrote dist/es/{HANDBOOK}-proof.pdf",
        f"wrote dist/es/{HANDBOOK}-proof.epub",
    ]
    assert "a proof (--allow-partial), not an edition to hand out" in printed.err
    assert sorted(p.name for p in pdf.parent.iterdir()) == [
        f".{HANDBOOK}-proof.inputs",
        f"{HANDBOOK}-proof.epub",
        pdf.name,
    ]  # nothing under the edition's names
    out = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "access justice and seek redress" in " ".join(out.split())
    # Of the text (its characters), not of the messages: what a reader finds in Spanish.
    catalogs = [
        read_catalog(p, "es") for p in catalog_paths(Project(tmp_path).locales, "es", HANDBOOK)
    ]
    share = locale_status(catalogs, "es").share
    percent = f"{share:.1f}".replace(".", ",")
    assert re.search(
        rf"{percent}\s?%", out
    )  # the colophon states the coverage, in Spanish number format


def test_init_starts_a_locale_with_its_plural_forms(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert main(["--root", str(tmp_path), "init", "pt-PT"]) == 0
    po = catalog_path(project.locales, "pt_PT", HANDBOOK)
    catalog = read_catalog(po, "pt_PT")
    assert catalog.num_plurals == get_plural("pt_PT").num_plurals
    assert "# Review: draft" in po.read_text(encoding="utf-8")
    assert catalog_status(catalog, "pt_PT").untranslated == len([m for m in catalog if m.id])


def test_status_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["--root", str(ROOT), "status", "--json"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(SHIPPED)
    assert all(
        r["percent"] == 100.0 and r["fuzzy"] == 0 and r["review"] == "draft" for r in rows.values()
    )


def test_extract_leaves_an_unchanged_template_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    pot = project.locales / f"{HANDBOOK}.pot"
    before = pot.read_bytes()
    assert main(["--root", str(tmp_path), "extract"]) == 0
    assert pot.read_bytes() == before  # only POT-Creation-Date would have changed
    assert "unchanged" in capsys.readouterr().out


def test_fallback_release_rule_builds_a_partial_locale(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project.locales / "uk" / "locale.yaml").write_text("release: fallback\n", encoding="utf-8")
    po = catalog_path(project.locales, "uk", HANDBOOK)
    catalog = read_catalog(po, "uk")
    title = catalog.get("Migrant and Refugee Trafficking in Connecticut", context="title").string
    po.write_text(
        po.read_text(encoding="utf-8").replace(f'msgstr "{title}"', 'msgstr ""', 1),
        encoding="utf-8",
    )
    assert main(["--root", str(tmp_path), "build", "--lang", "uk"]) == 0
    with zipfile.ZipFile(tmp_path / "dist" / "uk" / f"{HANDBOOK}.epub") as z:
        cover = z.read("EPUB/cover.xhtml").decode()
    assert (
        '<span class="fallback" lang="en" dir="ltr">'
        "Migrant and Refugee Trafficking in Connecticut</span>" in cover
    )


def sign(po: Path, reviewer: str) -> None:
    text = po.read_text(encoding="utf-8")
    signed = f"# Review: reviewed\n# Reviewer: {reviewer}\n# Review-Date: 2026-12-01"
    po.write_text(re.sub(r"# Review: draft.*\n# Reviewer:\n# Review-Date:", signed, text), "utf-8")


def test_a_reviewed_locale_drops_the_draft_notice(tmp_path: Path) -> None:
    """Reviewed means both catalogs are: the handbook's and the layouts' (its reviewer is
    credited); while layouts.po is a draft, the colophon still says so."""
    project = copy_project(tmp_path)
    po, layouts = catalog_paths(project.locales, "es", HANDBOOK)
    sign(po, "Ana Pérez")
    assert catalog_status(read_catalog(po, "es"), "es").review == "reviewed"
    [es] = [s for s in statuses(project, project.load(HANDBOOK)) if s.code == "es"]
    assert es.review == "draft"
    sign(layouts, "Luis Gómez")
    assert main(["--root", str(tmp_path), "build", "--lang", "es"]) == 0
    with zipfile.ZipFile(tmp_path / "dist" / "es" / f"{HANDBOOK}.epub") as z:
        colophon = z.read("EPUB/colophon.xhtml").decode()
    assert "Ana Pérez" in colophon
    assert "unreviewed draft" not in colophon

"""The wallet card: its size, its print sheet, and text that must fit, never clip."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from pipeline.build import Project, make_edition, views
from pipeline.card import build_card as build
from pipeline.cli import main
from pipeline.diagnostics import RenderError
from pipeline.sheet import CARD_H, CARD_W, SHEETS, crop_marks, slots

from .conftest import BIDI_MARKS, HANDBOOK, ROOT, copy_project
from .test_edition import refuse_to_print
from .test_parts import assert_structure_holds, languages_tagged

HOTLINE = "1-888-373-7888"


def pdftext(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.translate(BIDI_MARKS)


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The card and its sheet for a left-to-right, a right-to-left and the source locale."""
    project = Project(ROOT, tmp_path_factory.mktemp("dist"))
    return {code: tuple(build(project, HANDBOOK, code)) for code in ("es", "fa_AF", "en")}  # type: ignore[misc]


def test_a_proof_card_is_named_and_verified_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A card with a line not yet translated is a proof (card --allow-partial): named -proof,
    never the card's own file, and `handbook verify` reads it as the card it stands in for."""
    project = copy_project(tmp_path)
    po = project.locales / "es" / "LC_MESSAGES" / f"{HANDBOOK}.po"
    english = "Support services for victims include shelter, health care, legal assistance"
    text = po.read_text(encoding="utf-8")
    po.write_text(re.sub(rf'(msgid "{english}.*"\nmsgstr )".*"', r'\1""', text), encoding="utf-8")
    root = str(tmp_path)
    assert main(["--root", root, "card", "--lang", "es"]) == 1  # the card itself is refused
    capsys.readouterr()
    assert main(["--root", root, "card", "--lang", "es", "--allow-partial"]) == 0
    printed = capsys.readouterr()
    written = [f"dist/es/{HANDBOOK}-card-proof.pdf", f"dist/es/{HANDBOOK}-card-sheet-proof.pdf"]
    assert printed.out.splitlines() == [f"wrote {name}" for name in written]
    assert "not an edition to hand out" in printed.err
    assert sorted(p.name for p in (tmp_path / "dist" / "es").iterdir()) == [
        name.removeprefix("dist/es/") for name in written
    ]
    assert main(["--root", root, "verify", *(str(tmp_path / name) for name in written)]) == 0
    assert capsys.readouterr().err == "verified 2 file(s): 0 error(s)\n"


@pytest.mark.parametrize("code", ["es", "fa_AF", "en"])
def test_card_is_wallet_size_front_and_back(cards: dict[str, tuple[Path, Path]], code: str) -> None:
    card, _sheet = cards[code]
    assert (card.parent.name, card.name) == (code.replace("_", "-"), f"{HANDBOOK}-card.pdf")
    with pikepdf.open(card) as pdf:
        assert [[float(v) for v in page.MediaBox] for page in pdf.pages] == [[0, 0, 252, 144]] * 2
        assert "/StructTreeRoot" in pdf.Root


@pytest.mark.parametrize(
    ("code", "front", "back"),
    [
        ("es", "Obtenga ayuda ahora", "Get help now"),
        ("fa_AF", "همین حالا کمک بگیرید", "Get help now"),
        ("en", "Get help now", "Obtenga ayuda ahora"),  # the English card's back is Spanish
    ],
)
def test_front_in_the_language_back_in_the_other(
    cards: dict[str, tuple[Path, Path]], code: str, front: str, back: str
) -> None:
    card, _sheet = cards[code]
    for page, heading in ((1, front), (2, back)):
        text = pdftext(card, page)
        assert heading in text
        for number in (HOTLINE, "233733", "911"):
            assert number in text
        assert "7888-373-888-1" not in text  # numbers in right-to-left text stay in order


@pytest.mark.parametrize("code", ["es", "fa_AF", "en"])
def test_structure_holds(cards: dict[str, tuple[Path, Path]], code: str) -> None:
    for path in cards[code]:
        assert_structure_holds(path, rtl=code == "fa_AF")
        back = "es" if code == "en" else "en"
        assert languages_tagged(path).get(back, 0) >= 1  # the back declares its language


def test_sheet_has_ten_cards_per_side_and_crop_marks(cards: dict[str, tuple[Path, Path]]) -> None:
    _card, sheet = cards["es"]
    with pikepdf.open(sheet) as pdf:
        assert [[float(v) for v in page.MediaBox] for page in pdf.pages] == [[0, 0, 612, 792]] * 2
    assert pdftext(sheet, 1).count("Obtenga ayuda ahora") == 10
    assert pdftext(sheet, 2).count("Get help now") == 10
    scale = 4  # px per pt: a 0.5 pt hairline is 2 px wide
    for number in (0, 1):
        image = pypdfium2.PdfDocument(sheet)[number].render(scale=scale, grayscale=True).to_pil()
        marks = crop_marks()
        assert len(marks) == 2 * 3 + 2 * 6  # every cut line, at both ends
        for m in marks:
            centre = (round((m.x + m.w / 2) * scale), round((m.y + m.h / 2) * scale))
            assert image.getpixel(centre) < 128, f"no crop mark at {m} on page {number + 1}"
        # The corner of the sheet and the gap between a mark and the cut stay blank.
        assert image.getpixel((2, 2)) > 250
        left, top = slots(back=False)[0].x, slots(back=False)[0].y
        assert image.getpixel((round(left * scale), round((top - 2) * scale))) > 250


def test_the_card_prints_no_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The card is not made of the print edition: `handbook card`, and the card format of an
    edition that asks for nothing else, render the card alone."""
    refuse_to_print(monkeypatch)
    project = Project(ROOT, tmp_path)
    assert [p.name for p in build(project, HANDBOOK, "es")] == [
        f"{HANDBOOK}-card.pdf",
        f"{HANDBOOK}-card-sheet.pdf",
    ]
    edition = make_edition(views(project, project.load(HANDBOOK), "es"), ("card",))
    assert edition.printed is None
    assert edition.kinds() == ("card", "card-sheet")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_backs_mirror_the_fronts_for_duplex(paper: str) -> None:
    front, back = slots(back=False, paper=paper), slots(back=True, paper=paper)
    sheet_w, sheet_h = SHEETS[paper]
    assert len(front) == len(back) == 10
    for f, b in zip(front, back, strict=True):
        assert (b.y, b.w, b.h) == (f.y, CARD_W, CARD_H)
        assert b.x == pytest.approx(
            sheet_w - f.x - CARD_W
        )  # flipped on the long edge, the back lands behind its front
        assert 0 < f.x < f.x + CARD_W < sheet_w
        assert 0 < f.y < f.y + CARD_H < sheet_h
    for m in crop_marks(paper):  # marks stay in the margins, off every card, on the sheet
        assert 0 < m.x < m.x + m.w < sheet_w
        assert 0 < m.y < m.y + m.h < sheet_h
        assert not any(
            m.x < s.x + s.w and s.x < m.x + m.w and m.y < s.y + s.h and s.y < m.y + m.h
            for s in front
        )


def lengthen(po: Path, context: str, extra: str) -> int:
    """Append `extra` to one message's translation; return the line of its msgctxt."""
    lines = po.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgctxt "{context}"')
    assert lines[at + 2].startswith('msgstr "')
    lines[at + 2] = lines[at + 2][:-1] + extra + '"'
    po.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_overlong_translation_fails_naming_the_line_and_the_overflow(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    po = project.locales / "es" / "LC_MESSAGES" / f"{HANDBOOK}.po"
    line = lengthen(
        po,
        "card/line1",
        " Estos servicios son gratuitos y confidenciales para todas las personas que los "
        "necesiten.",
    )
    with pytest.raises(RenderError) as raised:
        build(project, HANDBOOK, "es")
    [problem] = raised.value.diagnostics
    assert problem.code == "card-overflow"
    assert "card/line1" in problem.message
    assert re.search(
        r"takes [3-9] lines where the card has room for 2: \d+\.\d pt too long", problem.message
    )
    assert problem.place.path.endswith("locales/es/LC_MESSAGES/ct-trafficking.po")
    assert line <= problem.place.line <= line + 3  # the message's own lines in the catalog
    assert not (project.dist / "es").exists()  # nothing written


def test_unbreakable_line_fails_with_how_much_too_wide(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    # Letters: digits glued to a word are a number the source does not have (qa-added-number).
    lengthen(
        project.locales / "es" / "LC_MESSAGES" / f"{HANDBOOK}.po",
        "contact/emergency",
        "-" + "W" * 60,
    )
    with pytest.raises(RenderError) as raised:
        build(project, HANDBOOK, "es")
    messages = [d.message for d in raised.value.diagnostics]
    assert any(
        "contact/emergency" in m and re.search(r"\d+\.\d pt wider than the card", m)
        for m in messages
    ), messages


def test_a_handbook_on_a4_gets_its_card_sheet_on_a4(tmp_path: Path) -> None:
    """`paper: a4`: the ten cards are centred on an A4 sheet (a Letter sheet printed on A4 at
    100 % loses its edges, and a printer that fits it to the page shrinks every card), the
    card keeps its 3.5 x 2 in, and the verifier reads each card in its place."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "tests/roots/tiny", root, ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(ROOT / "layouts", root / "layouts")
    source = root / "source/tiny/handbook.yaml"
    text = source.read_text(encoding="utf-8").replace("edition:", "paper: a4\nedition:", 1)
    card_block = "card:\n  title: Get help now\n  lines:\n  - Call the hotline, day or night.\n"
    source.write_text(text + card_block, encoding="utf-8")
    card, sheet = build(Project(root, root / "dist"), "tiny", "en")
    with pikepdf.open(sheet) as pdf:
        assert [[round(float(v), 2) for v in page.MediaBox] for page in pdf.pages] == [
            [0, 0, 595.28, 841.89]
        ] * 2
    with pikepdf.open(card) as pdf:
        assert [float(v) for v in pdf.pages[0].MediaBox] == [0, 0, CARD_W, CARD_H]
    assert pdftext(sheet, 1).count("Call the hotline, day or night.") == 10

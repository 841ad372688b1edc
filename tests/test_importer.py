"""The importer: faithful to the seed, and loud about anything ambiguous."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.diagnostics import PipelineError, SourceError
from pipeline.importer import Imported, parse_markdown, parse_qa, read_import
from pipeline.model import ItemList, Paragraph, iter_texts
from pipeline.source import load

from .conftest import ROOT, SEED


def seed_texts() -> tuple[list[str], list[str]]:
    entries = parse_qa(SEED.read_text(encoding="utf-8"), str(SEED))
    questions = [e["question"] for e in entries]
    body = []
    for e in entries:
        for block in e["answer"]:
            if "paragraph" in block:
                body.append(block["paragraph"])
            for item in block.get("items", []):
                body.append(f"{item['term']}: {item['text']}" if "term" in item else item["text"])
    return questions, body


@pytest.mark.skipif(not SEED.exists(), reason="the seed lives in ../shared")
def test_seed_import_is_faithful(handbook) -> None:  # type: ignore[no-untyped-def]
    questions, body = seed_texts()
    assert len(questions) == 20
    raw = SEED.read_text(encoding="utf-8")
    # Every imported text is a line (or the rest of a numbered line) of the seed.
    for text in questions + body:
        assert text in raw
    shipped = {t.value for t in iter_texts(handbook)}
    shipped_items = set(shipped)
    for e in handbook.entries:
        for block in e.answer:
            for item in getattr(block, "items", ()):
                if item.term:
                    shipped_items.add(f"{item.term.value}: {item.text.value}")
    edited = {c.original for c in handbook.changelog if c.original}
    assert {q for q in questions} <= shipped
    missing = [
        t
        for t in body
        if t not in shipped_items and t not in edited and t.split(": ", 1)[-1] not in edited
    ]
    assert missing == []
    assert (
        len(edited) == 2
    )  # the persona opener of question 2; the federal U and T visas (laws-and-policies)


def test_items_restart_and_terms_are_optional() -> None:
    text = (
        "1. First?\nIntro.\n1. A: one.\n2. two without term\nClosing.\n"
        "2. Second?\nOnly a paragraph.\n"
    )
    entries = parse_qa(text, "t.txt")
    assert [e["question"] for e in entries] == ["First?", "Second?"]
    assert entries[0]["answer"][1]["items"] == [
        {"term": "A", "text": "one."},
        {"text": "two without term"},
    ]
    assert entries[1]["answer"] == [{"paragraph": "Only a paragraph."}]


def test_question_after_a_termed_list_is_not_an_item() -> None:
    text = "1. First?\n1. A: one.\n2. Second?\nAnswer.\n"
    assert [e["question"] for e in parse_qa(text, "t.txt")] == ["First?", "Second?"]


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("Preamble\n1. Q?\nA.\n", 1, "import-preamble"),
        ("1. Q?\n1. one\n3. three\n", 3, "import-numbering"),
        ("1. Q?\n1. one\n2. Could be both?\n", 3, "import-ambiguous"),
        ("1. Q?\n2. Next?\nA.\n", 1, "import-empty-answer"),
    ],
)
def test_bad_import_is_located(text: str, line: int, code: str) -> None:
    with pytest.raises(SourceError) as exc:
        parse_qa(text, "bad.txt")
    first = exc.value.diagnostics[0]
    assert (first.place.path, first.place.line, first.code) == ("bad.txt", line, code)
    assert str(first).startswith(f"bad.txt:{line}: error: ")


def test_plain_text_bullets_and_markup() -> None:
    text = (
        "1. Q?\nIntro with **bold**.\n- one\n- **Keep:** your pay slips.\n"
        "1. A: first.\n2. Next?\nA.\n"
    )
    entries = parse_qa(text, "t.txt")
    assert entries[0]["answer"] == [
        {"paragraph": "Intro with **bold**."},
        {
            "style": "bullet",
            "items": [{"text": "one"}, {"term": "Keep", "text": "your pay slips."}],
        },
        {"items": [{"term": "A", "text": "first."}]},
    ]
    assert [e["question"] for e in entries] == ["Q?", "Next?"]


# --- Markdown and Word ---------------------------------------------------------------

MARKDOWN = """\
# Your rights at work

Questions and answers for domestic workers.

## Pay

### What is the minimum wage?

It is **$17.50** an hour, *before* taxes: see
[the wage office](https://does.dc.gov/wages).

- Overtime is paid after 40 hours.
- Press *67 to hide your number.

### How do I file a claim?

1. **Documents:** bring your pay slips.
2. **Call:** the wage office at (202) 671-1880.

## Safety

### What if my employer keeps my passport?

Call [the hotline](tel:1-888-373-7888) at once.
"""

# What both files hold, in the source's markup.
EXPECTED = Imported(
    title="Your rights at work",
    subtitle="Questions and answers for domestic workers.",
    sections=[
        {
            "id": "pay",
            "title": "Pay",
            "entries": [
                {
                    "id": "minimum-wage",
                    "question": "What is the minimum wage?",
                    "answer": [
                        {
                            "paragraph": "It is **$17.50** an hour, *before* taxes: see "
                            "[the wage office](https://does.dc.gov/wages)."
                        },
                        {
                            "style": "bullet",
                            "items": [
                                {"text": "Overtime is paid after 40 hours."},
                                {"text": "Press \\*67 to hide your number."},
                            ],
                        },
                    ],
                },
                {
                    "id": "file-claim",
                    "question": "How do I file a claim?",
                    "answer": [
                        {
                            "items": [
                                {"term": "Documents", "text": "bring your pay slips."},
                                {"term": "Call", "text": "the wage office at (202) 671-1880."},
                            ]
                        }
                    ],
                },
            ],
        },
        {
            "id": "safety",
            "title": "Safety",
            "entries": [
                {
                    "id": "employer-keeps-passport",
                    "question": "What if my employer keeps my passport?",
                    "answer": [{"paragraph": "Call [the hotline](tel:18883737888) at once."}],
                }
            ],
        },
    ],
)


def add_link(paragraph: DocxParagraph, text: str, url: str) -> None:
    """python-docx reads hyperlinks but has no call to write one: the XML Word writes."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def runs(paragraph: DocxParagraph, *parts: str) -> DocxParagraph:
    """Runs written as markup: '**bold**', '*italic*', else plain."""
    for part in parts:
        run = paragraph.add_run(part.strip("*"))
        run.bold = part.startswith("**") or None
        run.italic = (part.startswith("*") and not part.startswith("**")) or None
    return paragraph


def write_docx(path: Path) -> None:
    d = docx.Document()
    d.add_heading("Your rights at work", 0)
    d.add_paragraph("Questions and answers for domestic workers.")
    d.add_paragraph("")  # spacing, as people type it
    d.add_heading("Pay", 1)
    d.add_heading("What is the minimum wage?", 2)
    p = runs(d.add_paragraph(), "It is ", "**$17.50**", " an hour, ", "*before*", " taxes: see ")
    add_link(p, "the wage office", "https://does.dc.gov/wages")
    p.add_run(".")
    d.add_paragraph("Overtime is paid after 40 hours.", style="List Bullet")
    # Word's bullet button: List Paragraph with the numbering of a bullet list (numId 1 here).
    button = d.add_paragraph("Press *67 to hide your number.", style="List Paragraph")
    num = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        num.append(child)
    button._p.get_or_add_pPr().append(num)
    d.add_heading("How do I file a claim?", 2)
    runs(d.add_paragraph(style="List Number"), "**Documents:**", " bring your pay slips.")
    runs(d.add_paragraph(style="List Number"), "**Call**", ": the wage office at (202) 671-1880.")
    d.add_heading("Safety", 1)
    d.add_heading("What if my employer keeps my passport?", 2)
    p = d.add_paragraph("Call ")
    add_link(p, "the hotline", "tel:1-888-373-7888")
    p.add_run(" at once.")
    d.save(str(path))


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "faq.md").write_text(MARKDOWN, encoding="utf-8")
    write_docx(tmp_path / "faq.docx")
    return {"md": tmp_path / "faq.md", "docx": tmp_path / "faq.docx"}


@pytest.mark.parametrize("kind", ["md", "docx"])
def test_markdown_and_word_import_every_piece(kind: str, inputs: dict[str, Path]) -> None:
    assert read_import(inputs[kind], f"faq.{kind}") == EXPECTED


def fill(path: Path, values: dict[str, str]) -> None:
    """Write a value into each key left empty, as an editor would."""
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text = re.sub(rf"^(\s*-?\s*{key}): ''$", rf"\1: {value}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


CONTACT = {"disclaimer": "General information, not legal advice.", "label": "Call us"}
CONTACT["phone"] = "1-888-373-7888"


@pytest.mark.parametrize("kind", ["md", "docx"])
def test_imported_source_loads(
    kind: str, inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path), "import", str(inputs[kind]), "--id", "dw"]) == 0
    out = capsys.readouterr().out
    assert "imported 3 questions in 2 section(s)" in out
    assert "handbook check --handbook dw" in out
    assert "make handbook LANG=en HANDBOOK=dw" in out
    assert "handbook init es --handbook dw" in out
    path = tmp_path / "source" / "dw" / "handbook.yaml"
    fill(path, CONTACT)
    handbook = load(path)
    assert (handbook.title.value, handbook.subtitle.value) == (EXPECTED.title, EXPECTED.subtitle)
    assert [s.title.value for s in handbook.sections] == ["Pay", "Safety"]
    wage, claim, passport = handbook.entries
    assert wage.question.value == "What is the minimum wage?"
    paragraph, bullets = wage.answer
    assert isinstance(paragraph, Paragraph)
    assert isinstance(bullets, ItemList)
    assert "It is **$17.50** an hour, *before* taxes" in paragraph.text.value
    assert "[the wage office](https://does.dc.gov/wages)" in paragraph.text.value
    assert bullets.style == "bullet"
    (numbered,) = claim.answer
    assert isinstance(numbered, ItemList)
    assert [(i.term and i.term.value, i.text.value) for i in numbered.items] == [
        ("Documents", "bring your pay slips."),
        ("Call", "the wage office at (202) 671-1880."),
    ]
    (call,) = passport.answer
    assert isinstance(call, Paragraph)
    assert call.text.value == "Call [the hotline](tel:18883737888) at once."


# --- new -----------------------------------------------------------------------------

OPTIONAL = ("subtitle", "publisher")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    return tmp_path


def test_new_names_exactly_the_keys_to_fill(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    assert main(["new", "dw-rights", "--edition", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    path = scratch / "source" / "dw-rights" / "handbook.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    empty = {
        n: m.group(1)
        for n, line in enumerate(lines, start=1)
        if (m := re.fullmatch(r"[ -]*(\w+): ''", line)) and m.group(1) not in OPTIONAL
    }
    assert sorted(set(empty.values())) == [
        "disclaimer",
        "id",
        "label",
        "paragraph",
        "phone",
        "question",
        "title",
    ]
    assert all(lines[n - 2].lstrip().startswith("#") for n in empty)  # a comment above each
    for n in empty:  # the next steps name each key to fill, where it is
        assert f"source/dw-rights/handbook.yaml:{n}: " in out

    assert main(["check", "--handbook", "dw-rights"]) == 1
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if ": error: " in line]
    assert sorted(int(e.split(":")[1]) for e in errors) == sorted(empty)
    assert err[-1] == f"checked 1 handbook(s): {len(empty)} error(s), 0 warning(s)"

    fill(path, {**CONTACT, "title": "Your rights at work", "question": "Who can help me?"})
    fill(
        path, {"title": "Getting help", "id": "who-can-help", "paragraph": "Call us, day or night."}
    )
    assert main(["check", "--handbook", "dw-rights"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "checked 1 handbook(s): 0 error(s), 0 warning(s)"
    )
    handbook = load(path)
    assert handbook.contacts[0].phone == "1-888-373-7888"
    assert [e.id for e in handbook.entries] == ["who-can-help"]


def test_new_never_replaces_a_source(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    path = scratch / "source" / "dw" / "handbook.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("id: dw\n", encoding="utf-8")
    assert main(["new", "dw"]) == 2
    assert capsys.readouterr().err == (
        "source/dw/handbook.yaml: error: a handbook source is already here: choose another id, "
        "or edit this one [new-exists]\n"
    )
    assert path.read_text(encoding="utf-8") == "id: dw\n"


# --- bad files: located, never a traceback ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("# T\n\nSubtitle.\n\nAn introduction.\n\n### Q?\n\nA.\n", 5, "import-preamble"),
        ("### Q?\n\n- one\n  - nested\n", 4, "import-nested"),
        ("### Q?\n\nSee [this](http://example.org).\n", 3, "import-link"),
        ("### Q?\n\n#### Detail\n\nA.\n", 3, "import-heading"),
        ("## Section\n\n### Q?\n\n### R?\n\nA.\n", 3, "import-empty-answer"),
        ("### Q?\n\n3. three\n4. four\n", 3, "import-list-start"),
        ("### Q?\n\n> quoted\n", 3, "import-block"),
        ("Just a paragraph.\n", 1, "import-preamble"),
        ("### Q?\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", 3, "import-block"),
        ("---\ntitle: T\n---\n\n### Q?\n\nA.\n", 1, "import-front-matter"),
    ],
)
def test_bad_markdown_is_located(text: str, line: int, code: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        read_import(path, "bad.md")
    (first,) = [d for d in exc.value.diagnostics if d.code == code]
    assert first.place.line == line
    assert str(first).startswith(f"bad.md:{line}: error: ")


def test_comments_are_notes_not_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("<!-- draft 2 -->\n### Q?\n\nA <!-- check this -->fact.\n", encoding="utf-8")
    answer = read_import(path, "notes.md").sections[0]["entries"][0]["answer"]
    assert answer == [{"paragraph": "A fact."}]


def test_bad_word_documents_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    d = docx.Document()
    d.add_heading("Q?", 2)
    d.add_paragraph("Intro.")
    d.add_table(rows=1, cols=2)
    d.add_paragraph("Sub item", style="List Bullet 2")
    d.add_heading("Detail", 3)
    tracked = d.add_paragraph("Kept, ")
    insert = OxmlElement("w:ins")  # a tracked change, not accepted: python-docx skips it
    insert.append(tracked.add_run("inserted")._r)
    tracked._p.append(insert)
    d.save("bad.docx")
    Path("broken.docx").write_text("not a zip", encoding="utf-8")
    assert main(["import", "bad.docx", "--id", "bad"]) == 1
    assert main(["import", "broken.docx", "--id", "bad"]) == 1
    assert main(["import", "faq.pdf", "--id", "bad"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        "bad.docx:3: error: a table has no place in a handbook: write its rows as a list "
        "(one item per row, '**Term:** text') [import-table]",
        "bad.docx:4: error: “Sub item” is a list inside a list: a handbook's lists have one "
        "level; make it an item of the list above [import-nested]",
        "bad.docx:5: error: a 'Heading 3' paragraph has no place in a handbook: make it a "
        "question (a 'Heading 2' paragraph), or bold text in a paragraph [import-heading]",
        "bad.docx:6: error: part of this paragraph (“Kept, inserted”) is in a tracked change, "
        "a text box or a field, which cannot be read: in Word accept all changes and move the "
        "text into the paragraph, then save [import-hidden]",
        "failed: 4 error(s)",
        "broken.docx: error: cannot read this as a Word document: open it in Word or "
        "LibreOffice and save it as a Word document (.docx) [import-docx]",
        "failed: 1 error(s)",
        "faq.pdf: error: cannot import a '.pdf': handbook import reads .txt (the plain-text Q&A "
        "format), .md (Markdown) and .docx (Word); save the file as one of these [import-format]",
    ]
    assert not Path("source").exists()


MARKDOWN_LINES = st.sampled_from(
    [
        "# T",
        "## S",
        "### Q?",
        "#### D",
        "",
        "Text *a* **b**",
        "- i",
        "* j",
        "1. **T:** k",
        "3. n",
        "  - nested",
        "> q",
        "[l](https://x.org)",
        "[m](ftp://x)",
        "<b>h</b>",
        "---",
        "```",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKDOWN_LINES, st.text(max_size=20)), max_size=20).map("\n".join))
def test_markdown_import_returns_an_outline_or_located_errors(text: str) -> None:
    try:
        imported = parse_markdown(text, "p.md")
    except PipelineError as exc:
        diagnostics = exc.diagnostics
    else:
        diagnostics = []
        assert imported.sections
        for section in imported.sections:
            assert section["entries"]
            for entry in section["entries"]:
                assert entry["question"]
                assert entry["answer"]
    lines = len(re.split(r"\r\n|\r|\n", text))  # CommonMark's line endings
    for d in diagnostics:
        assert str(d).startswith(f"p.md:{d.place.line}: error: ")
        assert 1 <= d.place.line <= lines

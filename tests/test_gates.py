"""The input gates of sources and catalogs (issue 13): each hole is refused, located,
by `check` and by `build` alike, and what is fine stays fine."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel import localedata
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural

from pipeline.catalog import read_catalog
from pipeline.cli import main
from pipeline.diagnostics import CatalogError, Place, SourceError
from pipeline.locales import locale_info
from pipeline.plurals import PluralError, parse
from pipeline.qa import LENGTH_FLOOR, LENGTH_RATIO, check_message, is_translated
from pipeline.source import character_problems, load
from pipeline.translate import catalog_status, read_review

from .conftest import ROOT
from .test_bad_inputs import ROOTS, make_project, read_expected, run_cli, snapshot

TINY = ROOTS / "tiny"
TINY_PO = "locales/es/LC_MESSAGES/tiny.po"
BUILD = ["build", "--handbook", "tiny", "--lang", "es"]
# The golden cases of these gates: each runs one command; here the other must agree.
GATE_CASES = (
    "po-bidi-isolate-unclosed",
    "po-bidi-mark-in-number",
    "po-bidi-override",
    "po-blank-translation",
    "po-charset-not-utf8",
    "po-control-character",
    "po-placeholder-percent-escaped",
    "po-placeholder-width",
    "po-plural-forms-code",
    "po-plural-forms-modulo-zero",
    "po-plural-forms-rule-differs",
    "po-plural-forms-syntax",
    "po-review-incomplete",
    "po-review-not-reviewed",
    "qa-bidi-rtl-mark-in-ltr",
    "qa-domain-added",
    "qa-number-glued",
    "qa-number-in-words",
    "qa-translation-copied",
    "qa-translation-dropped",
    "qa-translation-english-left",
    "qa-translation-too-long",
    "source-bidi-override",
    "source-nul-escape",
)


@pytest.mark.parametrize("case", GATE_CASES)
def test_check_and_build_refuse_alike(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = read_expected(ROOTS / case / "expected.txt")
    other = BUILD if expected.argv[0] == "check" else ["check"]
    root = make_project(case, tmp_path)
    before = snapshot(root)
    status, out, err = run_cli(root, other, monkeypatch, capsys)
    assert (status, out) == (1, "")
    assert "Traceback" not in err
    assert err.splitlines()[0] == expected.output[0]
    assert snapshot(root) == before


def qa(
    source: str | tuple[str, str], translation: str | tuple[str, ...], context: str | None = "x/p1"
) -> list[str]:
    """The codes the gates give one message (context None: a layout string, %-formatted)."""
    message = Message(source, translation, context=context)
    problems = check_message(message, ["Office of Victim Services"], Place("es.po", 7))
    assert all(str(p).startswith("es.po:7: error: ") for p in problems)
    return [p.code for p in problems]


@pytest.mark.parametrize(
    "translation",
    [
        "Llame al Nº1-800-555-0199 o al 911.",
        "اتصل ب1-800-555-0199 أو 911.",
        "请拨打1-800-555-0199或911。",
        "Llame al 911 o al 1-800-555-0199-.",
        "Llame al 911 (１-８００-５５５-０１９９).",
    ],
)
def test_an_added_number_is_found_glued_to_anything(translation: str) -> None:
    assert qa("Call 911.", translation) == ["qa-added-number"]


@pytest.mark.parametrize(
    "translation",
    [
        "Llame al 1-888-373-7888 (o marque 373-7888).",
        "Llame al 1-888-373-7888 o al 1-8OO-373-7888.",
        "Llame al 1-888-373-7888 o al 888.",
    ],
)
def test_a_piece_of_a_source_number_is_another_number(translation: str) -> None:
    """check took a number for the source's when the source's text held it (373-7888 is in
    1-888-373-7888); only the build's verifier refused it. A number is the source's only when
    it is one of the source's numbers, or dials the same."""
    assert set(qa("Call 1-888-373-7888.", translation)) == {"qa-added-number"}
    assert qa("Call 1-888-373-7888.", "Llame al 1 888 373 7888.") == []


@pytest.mark.parametrize(
    "host", ["www.ayuda-trata.example", "WWW.AYUDA.ORG", "ayuda.org", "linea.ayuda.help/es"]
)
def test_an_added_host_is_a_link(host: str) -> None:
    assert qa("Call 911.", f"Llame al 911 o visite {host}.") == ["qa-added-link"]


def test_abbreviations_are_not_hosts() -> None:
    assert (
        qa(
            "In the U.S., call 911 (e.g. at night).",
            "En EE.UU., llame al 911 (p.ej. de noche, a.m. o p.m.).",
        )
        == []
    )


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        ("Llame al %(number)s", ""),
        ("Llame al %(number)s (100%% gratis)", ""),
        ("Llame", "placeholder %(number)s of the source is missing in the translation"),
        (
            "Llame al %%(number)s",
            "placeholder %(number)s of the source is missing in the translation "
            "('%%(number)s' prints the text '%(number)s': write %(number)s)",
        ),
        (
            "Llame al %(number)-9s",
            "placeholder '%(number)-9s' must be written as in the source, %(number)s: "
            "no width, precision or flag",
        ),
        (
            "Llame al %(number).1s",
            "placeholder '%(number).1s' must be written as in the source, %(number)s: "
            "no width, precision or flag",
        ),
        (
            "Llame al %(numero)s %(number)s",
            "placeholder '%(numero)s' is not in the source (it has %(number)s); copy it from there",
        ),
        (
            "Llame al %(number)s, 100% gratis",
            "'% g' is read as a placeholder: write a percent sign as %%",
        ),
        ("Llame al %(number)s 100%", "'%' is read as a placeholder: write a percent sign as %%"),
    ],
)
def test_layout_placeholders_are_read_as_python_formats_them(
    translation: str, expected: str
) -> None:
    message = Message("Call %(number)s", translation)
    problems = check_message(message, [], Place("es.po", 7))
    assert [p.message for p in problems if p.code == "qa-placeholder"] == (
        [expected] if expected else []
    )
    if not expected:
        assert translation % {"number": "911"}  # what the layouts do with it


@pytest.mark.parametrize(
    ("translation", "flagged"),
    [
        ("Llame al %(number)s", False),
        ("الخط الساخن لمكافحة الاتجار بالبشر: %(number)s", False),  # the longest shipped
        ("Llame al %(number)s o al ochocientos cincuenta y cinco, cuatro, cuatro", True),
        ("Llame al %(number)s o al 8", True),
        ("Llame al %(number)s o al ٨", True),  # an Arabic-Indic digit is a digit too
    ],
)
def test_a_contact_line_prints_one_number_and_short_words(translation: str, flagged: bool) -> None:
    """A second number in the line that prints the hotline, spelled out in words or as a
    lone digit, passes every digit-for-digit check: the line itself must stay short."""
    problems = check_message(Message("Call %(number)s", translation), [], Place("es.po", 7))
    assert [p.code for p in problems if p.code == "qa-contact-line"] == (
        ["qa-contact-line"] if flagged else []
    )


REPORT = (
    "Community members should report any suspicious activities or individuals they believe may "
    "be involved in human trafficking to the local authorities or the National Human "
    "Trafficking Hotline at 1-888-373-7888."
)


def spelled(source: str, translation: str, code: str = "es") -> list[str]:
    """The qa-number-in-words messages of one handbook text, with the shipped words of `code`."""
    words = locale_info(code, ROOT / "locales").number_words
    message = Message(source, translation, context="x/p1")
    problems = check_message(message, [], Place(f"{code}.po", 7), number_words=words)
    assert all(str(p).startswith(f"{code}.po:7: error: ") for p in problems)
    return [p.message for p in problems if p.code == "qa-number-in-words"]


@pytest.mark.parametrize(
    ("source", "translation", "read"),
    [
        (  # a red team's: the hotline in digits, then another number in words
            REPORT,
            "Los miembros de la comunidad deben denunciarlo al 1-888-373-7888, o, mejor, al uno, "
            "ocho ocho ocho, tres siete tres, siete ocho ocho nueve",
            "18883737889",
        ),
        (  # a contact's label, printed beside its number
            "Human trafficking hotline: call or text",
            "Línea contra la trata (este número ya no funciona; llame al ocho ocho ocho, cinco "
            "cinco cinco, cero uno nueve nueve)",
            "8885550199",
        ),
        ("Call for help.", "Llame al Ocho-Ocho-Ocho-Cinco.", "8885"),  # any case, any hyphen
        ("Call for help.", "Llame a uno, dos o tres amigos, o a los tres, o a cuatro.", ""),
        ("Hotline: call or text", "Línea de ayuda: llame o envíe un mensaje de texto", ""),
        ("Call for help.", "Ochocientos ocho ocho ocho: no es un número de cuatro cifras.", ""),
    ],
)
def test_a_number_spelled_out_in_words_is_refused(source: str, translation: str, read: str) -> None:
    """A number written in words passes every check of digits: a run of 4 digit words or
    more that the source does not spell out is refused, and said how it reads."""
    assert [re.search(r"\(read (\d+)\)", m)[1] for m in spelled(source, translation)] == (
        [read] if read else []
    )
    assert all(
        "a number must be written in digits exactly as the source has it, or left out" in m
        for m in spelled(source, translation)
    )


def test_a_number_spelled_out_is_refused_in_chinese_without_spaces() -> None:
    source = "Call the hotline at 1-888-373-7888."
    assert spelled(source, "请拨打热线1-888-373-7888。", "zh_Hans") == []
    assert spelled(source, "请拨打三四个朋友或热线1-888-373-7888。", "zh_Hans") == []
    (why,) = spelled(source, "请拨打热线八八八五五五零一九九。", "zh_Hans")
    assert "'八八八五五五零一九九' (read 8885550199)" in why


def test_a_number_the_source_spells_out_may_be_spelled_in_translation() -> None:
    source = "If the line breaks up, say the code one, eight, eight, eight slowly."
    assert spelled(source, "Si la línea se corta, diga el código uno, ocho, ocho, ocho.") == []
    assert len(spelled(source, "Si la línea se corta, diga el código uno, ocho, ocho, nueve.")) == 1


@pytest.mark.parametrize(
    "words",
    [
        "[cero, uno, dos]",  # not 0 to 9
        "[cero, uno, dos, tres, cuatro, cinco, seis, siete, ocho, 9]",
        "[cero, [uno, un una], dos, tres, cuatro, cinco, seis, siete, ocho, nueve]",
        "cero uno dos tres cuatro cinco seis siete ocho nueve",
    ],
)
def test_a_locales_number_words_are_ten_digits_of_words(tmp_path: Path, words: str) -> None:
    root = make_project("tiny", tmp_path)
    (root / "locales/es/locale.yaml").write_text(f"number_words: {words}\n", encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        locale_info("es", root / "locales")
    (problem,) = refused.value.diagnostics
    assert (problem.code, problem.place.line) == ("locale-config", 1)
    assert "the words for the digits 0 to 9 in order" in problem.message


def test_plural_forms_may_leave_the_count_out_but_not_reshape_it() -> None:
    source = ("%(num)s question and answer", "%(num)s questions and answers")
    assert (
        qa(source, ("Una pregunta", "%(num)s de preguntas", "%(num)s preguntas"), context=None)
        == []
    )
    assert qa(
        source, ("Una pregunta", "%(num)09s de preguntas", "%(num)s preguntas"), context=None
    ) == ["qa-placeholder"]


def test_a_handbook_text_is_printed_as_written_so_its_percent_is_plain() -> None:
    assert qa("Nearly 50% of victims are women.", "Casi el 50 % de las víctimas son mujeres.") == []


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\u200b", "\u2060\ufeff", "\t\n"])
def test_a_blank_translation_is_untranslated_and_refused(blank: str) -> None:
    message = Message("The basics", blank, context="section/basics")
    assert not is_translated(message)
    assert qa("The basics", blank, context="section/basics") == ["qa-blank"]
    catalog = Catalog(locale="es")
    catalog.add("The basics", blank, context="section/basics")
    catalog.add("Emergency", "Emergencia", context="get-help/l2.1/term")
    status = catalog_status(catalog, "es")
    assert (status.translated, status.untranslated) == (1, 1)


def test_a_blank_plural_form_is_refused_and_incomplete() -> None:
    source = ("%(num)s question", "%(num)s questions")
    assert qa(source, ("Una pregunta", "\u00a0", "%(num)s preguntas"), context=None) == ["qa-blank"]
    catalog = Catalog(locale="es")
    catalog.add(source, ("Una pregunta", "\u00a0", "%(num)s preguntas"))
    assert not catalog_status(catalog, "es").plurals_complete


def test_a_translation_may_be_three_times_its_source_plus_the_floor() -> None:
    source = "x" * 20
    limit = LENGTH_RATIO * len(source) + LENGTH_FLOOR
    assert qa(source, "y" * limit) == []
    assert qa(source, "y" * (limit + 1)) == ["qa-too-long"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Call 1-888-373-7888.", []),
        (
            "اتصل على \u20661-888-373-7888\u2069 الآن",
            [],
        ),  # an isolated number: what the pipeline itself writes
        ("\u200fالخط الساخن\u200f: 911", []),  # marks outside numbers
        ("پناهنده\u200cها", []),  # ZWNJ is part of Persian spelling
        ("Call \u202e1-888-373-7888\u202c.", ["bidi"]),
        ("Call \u202a911.", ["bidi"]),
        ("Call \u20671-888-373-7888.", ["bidi"]),
        ("Call 1-888-373-7888\u2069.", ["bidi"]),
        ("Call 1-888\u200e-373-7888.", ["bidi"]),
        ("Call +\u20661-888-373-7888\u2069.", ["bidi"]),
        ("Call\x00 911", ["control"]),
        ("Call\x85 911\x1b", ["control"]),
        ("Call\r 911", ["control"]),
        ("Call\t911\n", []),
    ],
)
def test_characters_no_text_may_hold(text: str, kinds: list[str]) -> None:
    assert [kind for kind, _ in character_problems(text)] == kinds


def test_a_translation_with_control_or_bidi_characters_is_refused() -> None:
    assert qa("The basics", "Lo\r básico", context="section/basics") == ["po-control"]
    assert qa("Call 911.", "Llame al \u202e911.") == ["qa-bidi"]


def tiny(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    return root


def test_an_escaped_override_in_the_source_is_refused_at_its_text(tmp_path: Path) -> None:
    source = tiny(tmp_path) / "source/tiny/handbook.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "title: A tiny handbook", 'title: "A tiny \\u202Ehandbook"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as exc:
        load(source)
    assert [(d.code, d.place.line) for d in exc.value.diagnostics] == [("source-bidi", 4)]


def every_cldr_rule() -> dict[str, str]:
    rules = {}
    for code in localedata.locale_identifiers():
        try:
            rules[get_plural(code).plural_expr] = code
        except ValueError:
            continue
    return rules


def test_every_cldr_plural_rule_parses_and_agrees_with_gettext() -> None:
    rules = every_cldr_rule()
    assert len(rules) > 20  # distinct rules (Babel 2.19: 27, over 1,100 locales)
    for rule, code in rules.items():
        ours, theirs = parse(rule), gettext.c2py(rule)
        assert all(ours(n) == theirs(n) for n in range(1001)), code


@pytest.mark.parametrize(
    "rule",
    [
        "n % 0",
        "(n == 1 ? 0 :",
        "__import__('os').system('id')",
        "n + 1",
        "n == 1 ? 0 : n",
        "",
        "n = 1",
        "0 1",
        "n % (10)",
        "(" * 60 + "n" + ")" * 60,
        "!" * 600 + "n",
        "n ? 1",
        "n" + " || n" * 400,
    ],
)
def test_a_plural_rule_outside_gettexts_grammar_is_refused(rule: str) -> None:
    if rule == "n == 1 ? 0 : n":  # in the grammar: CLDR comparison is what refuses it
        assert parse(rule)(5) == 5
        return
    with pytest.raises(PluralError):
        parse(rule)


def write_po(tmp_path: Path, old: str, new: str) -> Path:
    path = tiny(tmp_path) / TINY_PO
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


RULE = "plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"


def read_refused(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """What read_catalog refuses, and every Plural-Forms value Babel's catalog applied meanwhile."""
    applied: list[str] = []
    original = Catalog._set_mime_headers

    def spy(self: Catalog, headers: list[tuple[str, str]]) -> None:
        applied.extend(value for name, value in headers if name.lower() == "plural-forms")
        original(self, headers)

    monkeypatch.setattr(Catalog, "_set_mime_headers", spy)
    with pytest.raises(CatalogError) as exc:
        read_catalog(path, "es")
    return [d.message for d in exc.value.diagnostics], applied


def test_a_hostile_rule_folded_over_two_lines_is_never_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Babel joins a header line that starts with a space to the one before (email syntax); so do we.
    folded = '"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 :\\n"\n" n % 0 ? 1 : 2);\\n"'
    messages, applied = read_refused(
        write_po(tmp_path, f'"Plural-Forms: nplurals=3; {RULE}\\n"', folded), monkeypatch
    )
    assert any("'% 0' cannot be computed" in m for m in messages)
    assert applied == []


def test_a_second_header_is_never_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Babel takes any msgid "" for the header, even the last message of the file.
    path = write_po(tmp_path, "Language: es", "Language: es")
    hostile = '\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=n % 0;\\n"\n'
    path.write_text(path.read_text(encoding="utf-8") + hostile, encoding="utf-8")
    messages, applied = read_refused(path, monkeypatch)
    assert any("a second header" in m for m in messages)
    assert not any("% 0" in value for value in applied)


def test_a_sound_header_is_read(tmp_path: Path) -> None:
    catalog = read_catalog(write_po(tmp_path, "charset=utf-8", "charset=UTF-8"), "es")
    assert (catalog.num_plurals, catalog.charset) == (3, "utf-8")


@pytest.mark.parametrize(
    ("comments", "state", "lines"),
    [
        ([], "draft", []),
        (
            [
                "# Review: draft (not yet reviewed by a qualified translator)",
                "# Reviewer:",
                "# Review-Date:",
            ],
            "draft",
            [],
        ),
        (["# Review: draft"], "draft", []),
        (
            ["# Review: reviewed", "# Reviewer: Ana Pérez", "# Review-Date: 2026-02-01"],
            "reviewed",
            [],
        ),
        (["# Review: reviewed-ish", "# Reviewer: x", "# Review-Date: 2026-02-01"], "draft", [0]),
        (["# Review: Reviewed", "# Reviewer: x", "# Review-Date: 2026-02-01"], "draft", [0]),
        (["# Review: reviewed", "# Reviewer: x", "# Review-Date: 2026-02-30"], "draft", [2]),
        (["# Review: reviewed", "# Reviewer: x", "# Review-Date: 1.2.2026"], "draft", [2]),
        (["# Review: reviewed", "# Reviewer:", "# Review-Date:"], "draft", [1, 2]),
        (["# Review: reviewed"], "draft", [0, 0]),
    ],
)
def test_a_review_header_means_what_it_says(
    comments: list[str], state: str, lines: list[int]
) -> None:
    review = read_review(comments)
    assert review.state == state
    assert [line for line, _ in review.problems] == lines


def test_a_reviewed_catalog_is_read_as_reviewed(tmp_path: Path) -> None:
    header = "# Review: reviewed\n# Reviewer: Ana Pérez\n# Review-Date: 2026-02-01"
    path = write_po(
        tmp_path, "# Review: draft (not yet reviewed by a qualified translator)", header
    )
    status = catalog_status(read_catalog(path, "es"), "es")
    assert (status.review, status.reviewer, status.review_date) == (
        "reviewed",
        "Ana Pérez",
        "2026-02-01",
    )


def test_a_word_too_long_for_a_line_is_broken_never_clipped(tmp_path: Path) -> None:
    root = tiny(tmp_path)
    source = root / "source/tiny/handbook.yaml"
    word = "W" + "a" * 4999
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "for more information.", f"for more information. {word} end."
        ),
        encoding="utf-8",
    )
    assert main(["--root", str(root), "build", "--handbook", "tiny", "--lang", "en"]) == 0
    pdf = root / "dist/en/tiny.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        sum(
            line.count("a")
            for line in text.splitlines()
            if set(line) <= {"W", "a"} or line.endswith(" end.")
        )
        >= 4999
    )
    assert "W" + "a" * 80 in text  # broken across lines, not dropped
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(boxes.split('<page width="')[1].split('"')[0])
    right_edges = [float(part.split('"')[0]) for part in boxes.split('xMax="')[1:]]
    assert max(right_edges) < width  # no text outside the page
    body = [page for page in text.split("\f") if re.search(r"^Page \d+$", page, re.MULTILINE)]
    assert len(body) >= 2  # the long word fills pages, each with its folio and the hotline footer
    assert all("Hotline: 1-888-373-7888" in page for page in body)
    with zipfile.ZipFile(root / "dist/en/tiny.epub") as epub:
        css = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".css"))
    assert "overflow-wrap: anywhere" in css.split("body {")[1].split("}")[0]


@pytest.mark.parametrize(("code", "refused"), [("es", True), ("ar", False), ("fa_AF", False)])
def test_a_right_to_left_mark_is_refused_only_in_a_left_to_right_language(
    code: str, refused: bool
) -> None:
    """The catalog's language says which way it is written (its header's Language)."""
    from pipeline.qa import check_catalog

    catalog = Catalog(locale=code)
    catalog.add("Call 911 now.", "\u200f911\u200f ...", context="x/p1")
    codes = [d.code for d in check_catalog(catalog, f"{code}.po", [])]
    assert ("qa-bidi" in codes) is refused

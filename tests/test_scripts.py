"""Every script in the font table builds with no code change: a locale that ships
no catalog is started with `handbook init`, a few messages are translated, and the
partial build embeds a font of its script and copies the translations back out.

The font table (layouts/fonts.yaml) is the one source of fonts: the CSS stacks,
the coverage check and the EPUB's subsets all read it."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest

from pipeline.build import build
from pipeline.catalog import catalog_paths, po_bytes, read_catalog
from pipeline.cli import main
from pipeline.diagnostics import RenderError
from pipeline.fonts import check_coverage, family_files
from pipeline.html import LRM, LTR_RUN
from pipeline.locales import Fonts, Stack, font_table, locale_info

from .conftest import BIDI_MARKS, HANDBOOK, ROOT, Built, copy_project
from .test_rtl import words_outside_text_block

HOTLINE = "1-888-373-7888"
CALL = "Call %(number)s"
QUESTION = "trafficker-methods/question"
# Closing punctuation no line may start with (UAX #14 classes CL, CP, IS, EX and
# the CJK small kana and iteration marks Pango also keeps off a line's start).
CLOSING = "，。、；：？！）》」』】〕〉”’・…ー々ゝゞ,.;:?!)]}"


@dataclass(frozen=True)
class Sample:
    code: str
    script: str
    family: str  # of the script's stack: must be embedded in the PDF
    texts: dict[str, str]  # msgctxt (handbook) or msgid (layouts) -> translation
    # False: WeasyPrint's text layer puts pre-base vowels (Devanagari, Myanmar) or stacked
    # marks (Thai) out of logical order, issue 15.2; the EPUB has the text, the PDF the font
    text_layer: bool = True
    # more translations, looked for in the EPUB only (a right-to-left line wraps a
    # Latin run in two, and pdftotext may order those pieces left to right)
    extra: dict[str, str] = field(default_factory=dict)


SAMPLES = [
    Sample(
        "ko",
        "Kore",
        "Noto Serif CJK KR",
        {
            "title": "코네티컷주의 이주민 및 난민 인신매매",
            QUESTION: "코네티컷주에서 인신매매범들이 이주민과 난민을 착취하기 위해 "
            "흔히 사용하는 수법은 무엇입니까?",
            CALL: "%(number)s번으로 전화하세요",
        },
    ),
    Sample(
        "am",
        "Ethi",
        "Noto Serif Ethiopic",
        {
            "title": "በኮነቲከት የፍልሰተኞችና የስደተኞች ሕገወጥ ዝውውር",
            QUESTION: "በኮነቲከት ሕገወጥ የሰዎች አዘዋዋሪዎች ፍልሰተኞችንና ስደተኞችን ለመበዝበዝ "
            "በብዛት የሚጠቀሙባቸው ዘዴዎች ምንድን ናቸው?",
            CALL: "በ%(number)s ይደውሉ",
        },
    ),
    Sample(
        "zh_Hant",
        "Hant",
        "Noto Serif CJK TC",
        {
            "title": "康乃狄克州的移民與難民人口販運",
            QUESTION: "在康乃狄克州，人口販運者剝削移民和難民的常見手段有哪些？",
            CALL: "請撥打 %(number)s",
        },
    ),
    Sample(
        "bn",
        "Beng",
        "Noto Serif Bengali",
        {
            "title": "কানেকটিকাটে অভিবাসী ও শরণার্থী পাচার",
            QUESTION: "কানেকটিকাটে মানব পাচারকারীরা অভিবাসী ও শরণার্থীদের শোষণ করতে "
            "সাধারণত কোন কোন পদ্ধতি ব্যবহার করে?",
            CALL: "%(number)s নম্বরে ফোন করুন",
        },
        text_layer=False,
    ),
    Sample(
        "my",
        "Mymr",
        "Noto Sans Myanmar",
        {
            "title": "ကွန်နက်တီကတ်ပြည်နယ်ရှိ ရွှေ့ပြောင်းနေထိုင်သူများနှင့် ဒုက္ခသည်များ လူကုန်ကူးမှု",
            QUESTION: "ကွန်နက်တီကတ်ပြည်နယ်တွင် လူကုန်ကူးသူများသည် ရွှေ့ပြောင်းနေထိုင်သူများနှင့် ဒုက္ခသည်များကို "
            "အမြတ်ထုတ်ရန် အသုံးများသော နည်းလမ်းများမှာ အဘယ်နည်း။",
            CALL: "%(number)s သို့ ဖုန်းဆက်ပါ",
        },
        text_layer=False,
    ),
    Sample(
        "th",
        "Thai",
        "Noto Serif Thai",
        {
            "title": "การค้ามนุษย์ผู้ย้ายถิ่นและผู้ลี้ภัยในรัฐคอนเนตทิคัต",
            QUESTION: "ในรัฐคอนเนตทิคัต ผู้ค้ามนุษย์มักใช้วิธีการใดบ้างในการแสวงประโยชน์จากผู้ย้ายถิ่นและผู้ลี้ภัย",
            CALL: "โทร %(number)s",
        },
        text_layer=False,
    ),
    Sample(
        "he",
        "Hebr",
        "Noto Serif Hebrew",
        {
            "title": "סחר במהגרים ובפליטים בקונטיקט",
            QUESTION: "מהן השיטות הנפוצות שבהן סוחרי אדם מנצלים מהגרים ופליטים בקונטיקט?",
            CALL: "חייגו %(number)s",
        },
        extra={
            # a number and an English name inside right-to-left text
            "how-community-can-help/l2.2": (
                "על חברי הקהילה לדווח על כל פעילות חשודה או על אנשים שלדעתם עשויים להיות "
                "מעורבים בסחר בבני אדם לרשויות המקומיות או לקו החם הלאומי נגד סחר בבני אדם "
                "(National Human Trafficking Hotline) בטלפון 1-888-373-7888."
            )
        },
    ),
    Sample(
        "ja",
        "Jpan",
        "Noto Serif CJK JP",
        {
            "title": "コネチカット州における移民・難民の人身取引",
            QUESTION: "コネチカット州で人身取引業者が移民や難民を"
            "搾取するためによく使う手口は何ですか？",
            CALL: "%(number)s に電話してください",
        },
    ),
    Sample(
        "hy",
        "Armn",
        "Noto Serif Armenian",
        {
            "title": "Միգրանտների և փախստականների թրաֆիքինգը Կոնեկտիկուտում",
            QUESTION: "Ի՞նչ եղանակներով են թրաֆիքինգ իրականացնողները սովորաբար շահագործում "
            "միգրանտներին և փախստականներին Կոնեկտիկուտում։",
            CALL: "Զանգահարեք %(number)s համարով",
        },
    ),
    Sample(
        "ka",
        "Geor",
        "Noto Serif Georgian",
        {
            "title": "მიგრანტებისა და ლტოლვილების ტრეფიკინგი კონექტიკუტში",
            QUESTION: "რა მეთოდებს იყენებენ ხშირად ტრეფიკერები კონექტიკუტში მიგრანტებისა და "
            "ლტოლვილების ექსპლუატაციისთვის?",
            CALL: "დარეკეთ ნომერზე %(number)s",
        },
    ),
    Sample(
        "el",
        "Grek",
        "Noto Serif",
        {
            "title": "Εμπορία μεταναστών και προσφύγων στο Κονέκτικατ",
            QUESTION: "Ποιες είναι οι συνήθεις μέθοδοι που χρησιμοποιούν οι διακινητές "
            "για να εκμεταλλευτούν μετανάστες και πρόσφυγες στο Κονέκτικατ;",
            CALL: "Καλέστε στο %(number)s",
        },
    ),
]


@dataclass(frozen=True)
class Edition:
    sample: Sample
    init_output: str
    built: Built


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Edition]:
    """Each sample initialised, partly translated and built in one scratch project."""
    project = copy_project(tmp_path_factory.mktemp("scripts"))
    out = {}
    for sample in SAMPLES:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["--root", str(project.root), "init", sample.code.replace("_", "-")]) == 0
        texts = {**sample.texts, **sample.extra}
        for path in catalog_paths(project.locales, sample.code, HANDBOOK):  # and layouts.po
            catalog = read_catalog(path, sample.code)
            for message in catalog:
                key = message.context or message.id
                if key in texts:
                    message.string = texts[key]
            path.write_bytes(po_bytes(catalog))
        pdf, epub = build(project, HANDBOOK, sample.code, allow_partial=True)
        out[sample.code] = Edition(
            sample, printed.getvalue(), Built(sample.code, sample.code.replace("_", "-"), pdf, epub)
        )
    return out


def flat(text: str) -> str:
    """Whitespace and direction marks aside (pdftotext breaks lines and marks right-to-left
    ones; a hyphenated break copies out as a soft hyphen; the EPUB marks Latin runs in
    right-to-left text)."""
    return re.sub(
        r"\s+", "", re.sub("[\u00ad\u2010]\n", "", text).translate(BIDI_MARKS).replace(LRM, "")
    )


def expected_texts(texts: dict[str, str]) -> list[str]:
    return [t.replace("%(number)s", HOTLINE) for t in texts.values()]


def runs(text: str, rtl: bool) -> list[str]:
    """What must copy out of the PDF whole. pdftotext guesses a page's direction from
    most of its text: on a partly translated right-to-left page, mostly English, it
    orders a right-to-left line's runs left to right (and its final "?" first), so
    there each run (Latin or number, or right-to-left text) must come out whole."""
    if not rtl:
        return [text]
    return [r.strip(" ?.:()") for r in re.split(f"({LTR_RUN.pattern})", text) if r.strip(" ?.:()")]


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as z:
        return " ".join(
            re.sub(r"<[^>]+>", "", z.read(n).decode())
            for n in sorted(z.namelist())
            if n.endswith(".xhtml")
        )


def pdf_font_names(pdf: Path) -> set[str]:
    with pikepdf.open(pdf) as doc:
        return {
            str(f.get("/BaseFont", "")).split("+", 1)[-1]
            for page in doc.pages
            for f in (page.Resources.get("/Font") or {}).values()
        }


def test_samples_cover_six_scripts_with_no_catalog() -> None:
    """Six at least whose translations copy out of the PDF exactly, whitespace aside
    (left-to-right ones: right-to-left text is checked run by run, see runs())."""
    catalogs = (ROOT / "locales").glob("*/LC_MESSAGES/*.po")
    shipped = {locale_info(p.parent.parent.name, ROOT / "locales").script for p in catalogs}
    exact = [
        s for s in SAMPLES if s.text_layer and locale_info(s.code, ROOT / "locales").dir == "ltr"
    ]
    scripts = {s.script for s in exact} - shipped - {"Latn"}
    assert len(scripts) >= 6, scripts
    assert all(locale_info(s.code, ROOT / "locales").script == s.script for s in SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.code)
def test_translations_copy_out_of_the_pdf(editions: dict[str, Edition], sample: Sample) -> None:
    edition = editions[sample.code]
    text = flat(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(edition.built.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    epub = flat(epub_text(edition.built.epub))
    rtl = locale_info(sample.code, ROOT / "locales").dir == "rtl"
    for expected in expected_texts(sample.texts):
        assert flat(expected) in epub
        if sample.text_layer:
            assert [r for r in runs(expected, rtl) if flat(r) not in text] == []
    assert all(flat(expected) in epub for expected in expected_texts(sample.extra))
    assert HOTLINE in text


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.code)
def test_the_script_font_is_embedded(editions: dict[str, Edition], sample: Sample) -> None:
    """In the PDF (the table's serif for body text), and subset into the EPUB (its sans) where
    the table says so."""
    edition = editions[sample.code]
    assert sample.family.replace(" ", "-") in pdf_font_names(edition.built.pdf)
    stack = font_table(ROOT / "layouts")[sample.script]
    assert stack.serif == sample.family
    with zipfile.ZipFile(edition.built.epub) as z:
        fonts = sorted(n.rsplit("/", 1)[-1] for n in z.namelist() if n.endswith(".woff"))
    wanted = [f"{stack.sans.replace(' ', '')}-{w}.woff" for w in (400, 700)] if stack.embed else []
    assert fonts == wanted


def test_init_says_what_it_created(editions: dict[str, Edition]) -> None:
    for code, edition in editions.items():
        name = locale_info(code, ROOT / "locales").name
        assert edition.init_output.startswith(
            f"created locales/{code}/LC_MESSAGES/{HANDBOOK}.po ({name}, "
        )


def test_right_to_left_sample_stays_inside_its_text_block(editions: dict[str, Edition]) -> None:
    he = editions["he"].built
    assert words_outside_text_block(he.pdf, rtl=True) == []
    assert "7888-373-888-1" not in he.pdftext()


@pytest.mark.parametrize("code", ["zh_Hans", "zh_Hant", "ja", "ko"])
def test_no_line_starts_with_closing_punctuation(
    built: dict[str, Built], editions: dict[str, Edition], code: str
) -> None:
    """Pango breaks lines by UAX #14: closing punctuation stays on the line it closes."""
    book = built[code] if code in built else editions[code].built
    lines = [line.strip() for line in book.pdftext().splitlines()]
    starts = [
        line for line in lines if line[:1] in CLOSING and not set(line) <= set(". ")
    ]  # contents leaders aside
    assert starts == []
    assert len(lines) > 100


def apostrophe_fonts(pdf: Path) -> list[str]:
    """The font (pdfium) of every apostrophe (U+2019) between two Latin letters."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    out = []
    doc = pdfium.PdfDocument(pdf)
    for page in doc:
        text = page.get_textpage()
        chars = [chr(pdfium_c.FPDFText_GetUnicode(text.raw, i)) for i in range(text.count_chars())]
        for i in range(1, len(chars) - 1):
            if (
                chars[i] == "’"
                and chars[i - 1].isascii()
                and chars[i - 1].isalpha()
                and chars[i + 1].isascii()
                and chars[i + 1].isalpha()
            ):
                name = ctypes.create_string_buffer(128)
                pdfium_c.FPDFText_GetFontInfo(text.raw, i, name, len(name), None)
                out.append(name.value.decode())
    doc.close()
    return out


def test_latin_punctuation_in_chinese_is_proportional(built: dict[str, Built]) -> None:
    """The CJK fonts draw the apostrophe (U+2019) full width, a gap inside
    "Attorney's Office": inside a Latin run it comes from the Latin font."""
    fonts = apostrophe_fonts(built["zh_Hans"].pdf)
    assert len(fonts) >= 4
    assert [f for f in fonts if "CJK" in f] == []
    assert "Attorney’s Office" in built["zh_Hans"].pdftext()


def test_every_family_in_the_table_is_installed_in_regular_and_bold() -> None:
    """fc-list knows every family by exactly that name, with one regular and one bold face."""
    for stack in font_table(ROOT / "layouts").values():
        for family in {stack.serif, stack.sans}:
            assert [f.weight for f in family_files(family)] == [400, 700], family


def test_language_names_in_title_case_only_where_the_script_has_one() -> None:
    """Georgian has no capitals for names: upper() would give Mtavruli."""
    names = {c: locale_info(c, ROOT / "locales").name for c in ("ka", "hy", "el", "ne")}
    assert names == {"ka": "ქართული", "hy": "Հայերեն", "el": "Ελληνικά", "ne": "नेपाली"}


def test_a_script_not_in_the_table_names_the_table(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    with pytest.raises(RenderError) as caught:
        locale_info("chr", project.locales)
    (problem,) = caught.value.diagnostics
    assert problem.code == "font-script"
    assert "Cherokee script (Cher)" in problem.message
    assert "layouts/fonts.yaml" in problem.message


def test_a_missing_font_names_the_package_of_its_row() -> None:
    latin = font_table(ROOT / "layouts")["Latn"]
    own = Stack("Ethi", "Noto Serif Nowhere", "Noto Sans Nowhere", "fonts-nowhere", True, "plain")
    (problem,) = check_coverage([], "", Fonts(own, latin), "locales/xx")
    assert problem.code == "font-missing"
    assert "install the Debian package fonts-nowhere" in problem.message


def test_system_packages_installs_what_the_table_names(tmp_path: Path) -> None:
    """.ci/system-packages runs before Python is set up: it reads the table with sed.
    Without dpkg it lists what to install, which shows what it would install."""
    for tool in ("sed", "sort", "dirname", "bash"):
        (tmp_path / tool).symlink_to(shutil.which(tool) or tool)
    run = subprocess.run(
        [str(tmp_path / "bash"), str(ROOT / ".ci" / "system-packages"), "runtime"],
        capture_output=True,
        text=True,
        env={"PATH": str(tmp_path)},
        check=True,
    )
    listed = set(run.stderr.split("installed: ", 1)[1].split())
    table = {stack.package for stack in font_table(ROOT / "layouts").values()}
    assert table <= listed

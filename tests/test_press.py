"""The print shop's PDF (PRINT=press) preflighted as a print shop would, and the office
booklet (make booklet) checked sheet by sheet: size, count, page order, fold mark.

Each PDF is built once per module: Spanish, and Arabic (right to left) with another
CMYK profile, standing in for the one a print shop sends (PROFILE=)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Matrix, Name
from PIL import Image, ImageStat

from pipeline.booklet import SHEETS, build_booklet
from pipeline.build import Project, build
from pipeline.cli import main
from pipeline.diagnostics import UsageError
from pipeline.press import DEFAULT_PROFILE, cmyk, inks, load_press

from .conftest import HANDBOOK, ROOT
from .test_brand import ACCENT, themed

ICC = DEFAULT_PROFILE.parent
SHOP_PROFILE = ICC / "ps_cmyk.icc"  # another CMYK printer profile, as a print shop's would be
PROFILES = {"es": DEFAULT_PROFILE, "ar": SHOP_PROFILE}
MM = 72 / 25.4
CMYK_BLACK = ("cmyk", 0.0, 0.0, 0.0, 1.0)
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
COLOUR_SETTING = {"sc", "scn", "SC", "SCN", "k", "K"}
BIDI_MARKS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
LOGO_DPI = 50
BOOKLETS = [("es", "letter"), ("es", "a4"), ("ar", "letter")]


@pytest.fixture(scope="module")
def press(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Built without press.inks, which would convert any RGB left: so the preflight below
    still finds a colour of print.css that press.css does not give in CMYK (in text, the
    conversion would make rich black of it)."""
    project = Project(ROOT, tmp_path_factory.mktemp("press"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pipeline.press.inks", lambda _pdf: None)
        return {
            code: build(project, HANDBOOK, code, press=load_press(profile))[0]
            for code, profile in PROFILES.items()
        }


@pytest.fixture(scope="module")
def booklets(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Path]]:
    """(locale, sheet) -> (the booklet, the A5 edition it imposes)."""
    project = Project(ROOT, tmp_path_factory.mktemp("booklet"))
    editions = {code: build(project, HANDBOOK, code, size="a5")[0] for code, _ in BOOKLETS}
    return {
        (code, sheet): (build_booklet(project, HANDBOOK, code, sheet=sheet), editions[code])
        for code, sheet in BOOKLETS
    }


# A small interpreter of content streams: what is drawn, in which colour, where.


@dataclass(frozen=True)
class State:
    ctm: Matrix = field(default_factory=Matrix)
    fill: tuple[object, ...] = ("gray", 0.0)  # the PDF's initial colour
    stroke: tuple[object, ...] = ("gray", 0.0)
    fill_space: str = "gray"
    stroke_space: str = "gray"


@dataclass(frozen=True)
class Event:
    operator: str
    operands: tuple[object, ...]
    state: State  # after the operator
    marks: tuple[tuple[Name, Dictionary], ...]  # enclosing marked content: (tag, properties)
    form: bool  # inside a form XObject

    def mcid(self) -> int | None:
        return next((int(p.MCID) for _, p in reversed(self.marks) if "/MCID" in p), None)

    def artifact(self) -> Name | None:
        """The type of the artifact this is part of, if it is one."""
        types = (p.get("/Type", Name.Artifact) for tag, p in self.marks if tag == Name.Artifact)
        return next(types, None)

    def point(self) -> tuple[float, float]:
        x, y = (float(v) for v in self.operands[:2])  # type: ignore[arg-type]
        return self.state.ctm.transform((x, y))


def space_of(space: pikepdf.Object, resources: Dictionary) -> str:
    """A colour space (or its name in `resources`): 'cmyk' (DeviceCMYK or a CMYK ICC
    profile), or what else it is."""
    if isinstance(space, Name):
        space = resources.get("/ColorSpace", Dictionary()).get(space, space)
    if space == Name.DeviceCMYK:
        return "cmyk"
    if isinstance(space, Array) and space[0] == Name.ICCBased and int(space[1].N) == 4:
        return "cmyk"
    return str(space)


def walk(
    owner: pikepdf.Object, resources: Dictionary, state: State | None = None, form: bool = False
) -> Iterator[Event]:
    """Every operator of a page or form, with its graphics state; forms are entered."""
    state = state or State()
    stack: list[State] = []
    marks: list[tuple[Name, Dictionary]] = []
    for operands, operator in pikepdf.parse_content_stream(owner):
        op, values = str(operator), tuple(operands)
        if op == "q":
            stack.append(state)
        elif op == "Q":
            state = stack.pop()
        elif op == "cm":
            state = replace(state, ctm=Matrix(*(float(v) for v in values)) @ state.ctm)
        elif op in ("cs", "CS"):
            which = "fill_space" if op == "cs" else "stroke_space"
            state = replace(state, **{which: space_of(values[0], resources)})
        elif op in COLOUR_SETTING:
            space = state.fill_space if op.islower() else state.stroke_space
            colour = ("cmyk" if op in ("k", "K") else space, *(float(v) for v in values))
            state = replace(state, fill=colour) if op.islower() else replace(state, stroke=colour)
        elif op in ("BDC", "BMC"):
            properties = values[1] if op == "BDC" else None
            if not isinstance(properties, Dictionary):  # none, or a name in the page's /Properties
                properties = Dictionary()
            marks.append((values[0], properties))
        elif op == "EMC":
            marks.pop()
        yield Event(op, values, state, tuple(marks), form)
        if op == "Do" and (xobject := resources.XObject[values[0]]).Subtype == Name.Form:
            matrix = Matrix(*(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])))
            inner = replace(state, ctm=matrix @ state.ctm)
            yield from walk(xobject, xobject.get("/Resources", resources), inner, form=True)


def page_events(page: pikepdf.Page) -> list[Event]:
    return list(walk(page.obj, page.obj.get("/Resources", Dictionary())))


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.obj[name])
    return x0, y0, x1, y1


def inside(inner: tuple[float, ...], outer: tuple[float, ...], by: float) -> bool:
    """`inner` lies within `outer`, at least `by` points in from each edge."""
    return (
        inner[0] - outer[0] >= by
        and inner[1] - outer[1] >= by
        and outer[2] - inner[2] >= by
        and outer[3] - inner[3] >= by
    )


def pdftext(path: Path, page: int, crop: tuple[float, float, float, float] | None = None) -> str:
    """One page's text; `crop`: x, y from the top left, width, height, in points."""
    args = ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page)]
    if crop:  # pdftotext's pixels are points at its default 72 dpi
        flags = zip(("-x", "-y", "-W", "-H"), crop, strict=True)
        args += [arg for flag, value in flags for arg in (flag, str(round(value)))]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.translate(BIDI_MARKS)


def ancestors(element: Dictionary) -> list[Name]:
    out = []
    while "/P" in element and "/S" in element.P:
        element = element.P
        out.append(element.S)
    return out


# The press PDF.


@pytest.mark.parametrize("code", PROFILES)
def test_pdf_x4_with_the_profile_as_output_intent(press: dict[str, Path], code: str) -> None:
    with pikepdf.open(press[code]) as pdf:
        assert pdf.pdf_version == "1.6"
        [intent] = pdf.Root.OutputIntents
        assert intent.Type == Name.OutputIntent
        assert intent.S == Name.GTS_PDFX
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        assert profile.read_bytes() == PROFILES[code].read_bytes()  # the profile asked for, whole
        iccs = [
            o.objgen
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream)
            and o.get("/Type") is None
            and o.read_bytes()[36:40] == b"acsp"
        ]
        assert iccs == [profile.objgen]  # each part embedded one: they share the intent's now
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "/Filter" not in pdf.Root.Metadata  # PDF/X-4 wants the metadata readable
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert "pdfuaid" not in xmp  # one claim a file: the accessible edition is the other PDF
        assert re.search(r"<xmpMM:DocumentID>xmp\.did:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
        assert "<xmpMM:RenditionClass>proof:pdf</xmpMM:RenditionClass>" in xmp
        assert pdf.docinfo.Trapped == Name("/False")
        assert str(pdf.docinfo.Title) in xmp
        for page in pdf.pages:
            assert "/Annots" not in page.obj  # PDF/X allows none in the bleed: the links are gone
        if code == "ar":
            assert pdf.Root.ViewerPreferences.Direction == Name.R2L


def test_the_structure_tree_lost_its_links_cleanly(press: dict[str, Path]) -> None:
    with pikepdf.open(press["es"]) as pdf:
        dictionaries = [o for o in pdf.objects if isinstance(o, Dictionary)]
        assert not [o for o in dictionaries if o.get("/Type") == Name.OBJR]
        links = [o for o in dictionaries if o.get("/S") == Name.Link]
        assert links
        assert all(link.get("/K") is not None for link in links)  # their text is still tagged


def cmyk_only(path: Path) -> tuple[Counter[str], int]:
    """Asserts colours are set only as CMYK: k/K, or cs/CS naming DeviceCMYK or the CMYK
    profile and then four components in sc/scn/SC/SCN. No rg/RG (RGB), no g/G (grey: allowed
    by PDF/X, but nothing here should be grey ink), no inline images; image XObjects (but
    soft masks: alpha, grey by definition), shadings and transparency groups in CMYK too.
    The colour setters counted, and the pages."""
    setters = Counter[str]()
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        objects = [o for o in pdf.objects if isinstance(o, Dictionary | pikepdf.Stream)]
        masks = {o.SMask.objgen for o in objects if isinstance(o.get("/SMask"), pikepdf.Stream)}
        for page in pdf.pages:
            for event in page_events(page):
                op = event.operator
                assert op not in ("rg", "RG", "g", "G", "BI"), f"{op} {event.operands}"
                if op in ("cs", "CS"):
                    space = event.state.fill_space if op == "cs" else event.state.stroke_space
                    assert space == "cmyk", event.operands
                if op in COLOUR_SETTING:
                    colour = event.state.fill if op.islower() else event.state.stroke
                    assert colour[0] == "cmyk", colour
                    assert len(colour) == 5, colour
                    assert all(0 <= float(v) <= 1 for v in colour[1:])  # type: ignore[arg-type]
                    setters[op] += 1
        for obj in objects:
            if obj.objgen in masks:
                assert obj.ColorSpace == Name.DeviceGray
            elif obj.get("/Subtype") == Name.Image and not obj.get("/ImageMask", False):
                space = obj.ColorSpace
                assert space_of(space, Dictionary()) == "cmyk"
            if "/ShadingType" in obj:
                assert obj.ColorSpace == Name.DeviceCMYK
            if obj.get("/S") == Name.Transparency and "/CS" in obj:
                assert obj.CS == Name.DeviceCMYK
    return setters, pages


@pytest.mark.parametrize("code", PROFILES)
def test_every_colour_is_cmyk(press: dict[str, Path], code: str) -> None:
    setters, pages = cmyk_only(press[code])
    assert setters["scn"] > 100  # the text's colours
    assert setters["K"] == pages  # the crop marks, in registration (every plate)


def test_the_cover_is_in_the_inks_of_the_profile_asked_for(press: dict[str, Path]) -> None:
    """The default navy: Ghostscript's tuned inks (brand.PRESS) with its profile, converted
    with the print shop's profile when one is given (this one lays no black for a colour)."""
    inks = {"es": (1.0, 0.85, 0.36, 0.38), "ar": (0.96, 0.96, 0.89, 0.0)}
    for code, ink in inks.items():
        with pikepdf.open(press[code]) as pdf:
            fills = {e.state.fill for e in page_events(pdf.pages[0]) if e.operator in ("scn", "k")}
        assert ("cmyk", *ink) in fills, code


@pytest.mark.parametrize("code", PROFILES)
def test_body_text_is_black_ink_only(press: dict[str, Path], code: str) -> None:
    """The answers' paragraphs and list items (below an Art element: an entry) are filled
    0/0/0/100, one plate: never the rich black #1a1a1a becomes, whose four plates blur
    small type."""
    colours = Counter[tuple[object, ...]]()
    with pikepdf.open(press[code]) as pdf:
        tree = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(tree[i]): tree[i + 1] for i in range(0, len(tree), 2)}
        for page in pdf.pages:
            elements = parents.get(int(page.obj.get("/StructParents", -1)), Array())
            for event in page_events(page):
                if event.operator not in TEXT_SHOWING or (mcid := event.mcid()) is None:
                    continue
                element = elements[mcid]
                if (
                    isinstance(element, Dictionary)
                    and element.S == Name.Span
                    and element.P.S in (Name.P, Name.LBody)
                    and Name.Art in ancestors(element)
                ):
                    colours[event.state.fill] += 1
    assert colours[CMYK_BLACK] > 200
    assert set(colours) == {CMYK_BLACK}, colours


def test_any_rgb_left_is_converted(tmp_path: Path) -> None:
    """press.inks on RGB that WeasyPrint does not write today but an SVG or a layout could:
    RG, a named RGB profile, a DeviceRGB stroke space restored by Q, an RGB group."""
    pdf = pikepdf.new()
    srgb = pdf.make_stream((ICC / "srgb.icc").read_bytes(), N=3)
    profile = pdf.make_stream(DEFAULT_PROFILE.read_bytes(), N=4)
    pdf.Root.OutputIntents = Array([Dictionary(S=Name.GTS_PDFX, DestOutputProfile=profile)])
    resources = Dictionary(ColorSpace=Dictionary(CS0=Array([Name.ICCBased, srgb])))
    page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 10, 10]), Resources=resources)
    pdf.pages.append(pikepdf.Page(page))
    pdf.pages[0].obj.Group = Dictionary(S=Name.Transparency, CS=Name.DeviceRGB)
    pdf.pages[0].obj.Contents = pdf.make_stream(
        b"1 0 0 RG 0 0 1 rg /CS0 cs 0 1 0 sc /DeviceRGB CS"
        b" q /DeviceCMYK CS 0 0 0 1 SC Q 0.2 0.4 0.6 SC 0 0 10 10 re B"
    )
    inks(pdf)
    pdf.save(tmp_path / "rgb.pdf")
    setters, _pages = cmyk_only(tmp_path / "rgb.pdf")
    assert setters == Counter({"K": 1, "k": 1, "sc": 1, "SC": 2})
    with pikepdf.open(tmp_path / "rgb.pdf") as converted:
        assert converted.pages[0].Group.CS == Name.DeviceCMYK
        last = [v for v, op in pikepdf.parse_content_stream(converted.pages[0]) if str(op) == "SC"]
    assert [float(v) for v in last[-1]] == cmyk([0.2, 0.4, 0.6], DEFAULT_PROFILE.read_bytes())


def logo_box(path: Path) -> tuple[int, int, int, int]:
    """Where page 1 draws the logo (its /Figure: an image, or an SVG's shapes), in pixels of
    that page rendered at LOGO_DPI: left, top, right, bottom."""
    corners = []
    with pikepdf.open(path) as pdf:
        for event in page_events(pdf.pages[0]):
            if Name.Figure not in (tag for tag, _ in event.marks):
                continue
            if event.operator == "Do":  # an image fills the unit square
                x, y, w, h = 0.0, 0.0, 1.0, 1.0
            elif event.operator == "re":
                x, y, w, h = (float(v) for v in event.operands)  # type: ignore[arg-type]
            else:
                continue
            corners += [event.state.ctm.transform(p) for p in ((x, y), (x + w, y + h))]
        left, _, _, top = box(pdf.pages[0], "/MediaBox")
    assert corners
    xs, ys = [x - left for x, _ in corners], [top - y for _, y in corners]
    scale = LOGO_DPI / 72
    return (
        round(min(xs) * scale),
        round(min(ys) * scale),
        round(max(xs) * scale),
        round(max(ys) * scale),
    )


def logo_colour(path: Path, out: Path) -> tuple[float, ...]:
    """The mean colour of the logo (a pixel in from its edges) as pdftoppm shows page 1."""
    subprocess.run(
        ["pdftoppm", "-r", str(LOGO_DPI), "-png", "-f", "1", "-l", "1", str(path), out],
        check=True,
    )
    page = Image.open(f"{out}-1.png").convert("RGB")
    x0, y0, x1, y1 = logo_box(path)
    return tuple(ImageStat.Stat(page.crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1))).mean)


@pytest.mark.parametrize("logo", ["logo.svg", "logo.png"])
def test_a_logo_is_printed_in_the_profiles_cmyk(tmp_path: Path, logo: str) -> None:
    """A logo keeps its own colours, which WeasyPrint writes in RGB (a PNG's pixels, an SVG's
    fills): the press PDF has them in the profile's CMYK, and the logo looks as it does in
    the reader's PDF. The PNG has alpha (its right half transparent): its soft mask stays."""
    project = themed(tmp_path / "p", logo)
    if logo.endswith(".png"):
        image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
        image.paste((*(int(ACCENT[i : i + 2], 16) for i in (1, 3, 5)), 255), (0, 0, 60, 40))
        image.save(tmp_path / "p" / "source" / "tiny" / logo)
    printed = build(project, "tiny", "es", press=load_press())[0]
    cmyk_only(printed)
    with pikepdf.open(printed) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/SMask" in o]
        assert [o.ColorSpace for o in images] == ([Name.DeviceCMYK] if "png" in logo else [])
    read = build(project, "tiny", "es")[0]
    press, plain = logo_colour(printed, tmp_path / "press"), logo_colour(read, tmp_path / "plain")
    # poppler shows CMYK without the profile: the cover's own navy comes out some 15 levels
    # darker in green; a lost soft mask (black where the PNG is transparent) is off by over 100.
    assert press == pytest.approx(plain, abs=20)


@pytest.mark.parametrize("code", PROFILES)
def test_trim_and_bleed_boxes_with_crop_marks_in_the_slug(
    press: dict[str, Path], code: str
) -> None:
    with pikepdf.open(press[code]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            trim, bleed, media = (box(page, key) for key in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx((612, 792))  # Letter
            assert inside(trim, bleed, 3 * MM - 0.01)  # a 3 mm bleed
            assert not inside(trim, bleed, 3 * MM + 0.01)
            assert inside(bleed, media, 5 * MM)  # and a slug beyond it
            events = page_events(page)
            assert [e.operator for e in events[:4]] == ["q", "re", "W", "n"]  # the page, clipped:
            clip = tuple(float(v) for v in events[1].operands)  # type: ignore[arg-type]
            x0, y0, x1, y1 = bleed
            assert clip == pytest.approx((x0, y0, x1 - x0, y1 - y0), abs=0.01)
            segments = []
            start = (0.0, 0.0)
            for event in events:  # ISO 32000: cut marks are artifacts of type Page
                if event.artifact() == Name.Page and event.operator in ("m", "l"):
                    if event.operator == "l":
                        segments.append((start, event.point()))
                    start = event.point()
            assert len(segments) == 8, f"page {number}: {len(segments)} crop marks"
            for (ax, ay), (bx, by) in segments:
                on_trim = (ax == bx and min(abs(ax - trim[0]), abs(ax - trim[2])) < 0.01) or (
                    ay == by and min(abs(ay - trim[1]), abs(ay - trim[3])) < 0.01
                )
                assert on_trim, "a crop mark continues a trim edge"
                outside = (
                    max(ax, bx) < bleed[0]
                    or min(ax, bx) > bleed[2]
                    or max(ay, by) < bleed[1]
                    or min(ay, by) > bleed[3]
                )
                assert outside, f"page {number}: a crop mark {(ax, ay)}-{(bx, by)} in the bleed"
                assert inside((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)), media, 1)


@pytest.mark.parametrize("code", PROFILES)
def test_page_count_padded_with_blanks_before_the_back_cover(
    press: dict[str, Path], code: str
) -> None:
    with pikepdf.open(press[code]) as pdf:
        pages = len(pdf.pages)
        drawn = [sum(e.operator in TEXT_SHOWING for e in page_events(page)) for page in pdf.pages]
    assert pages % 4 == 0
    blanks = 0
    while not drawn[-2 - blanks]:
        blanks += 1
    assert blanks == -(pages - blanks) % 4  # just enough to fill the last sheet
    back = pdftext(press[code], pages)
    assert {"es": "Obtenga ayuda ahora", "ar": "احصل على المساعدة الآن"}[code] in back
    assert "911" in back


def test_a_profile_that_is_not_a_cmyk_output_profile_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tmp_path / "notes.icc"
    text.write_text("not a profile")
    monkeypatch.setattr("pipeline.press.DEFAULT_PROFILE", tmp_path / "default_cmyk.icc")
    with pytest.raises(UsageError) as caught:
        load_press()
    why = "error: the default CMYK colour profile is missing (No such file or directory): install"
    assert str(caught.value.diagnostics[0]).startswith(f"{tmp_path / 'default_cmyk.icc'}: {why}")
    cases = {
        ICC / "srgb.icc": "this colour profile is for RGB colour, not CMYK",
        text: "this file is not an ICC colour profile",
        tmp_path / "missing.icc": "cannot read the colour profile (No such file or directory)",
    }
    for path, why in cases.items():
        with pytest.raises(UsageError) as caught:
            load_press(path)
        [problem] = caught.value.diagnostics
        assert problem.code == "press-profile"
        assert str(problem).startswith(f"{path}: error: {why}")


def test_a_profile_without_press_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(ROOT), "build", "--lang", "es", "--profile", str(SHOP_PROFILE)]) == 2
    why = "error: a colour profile is for the print shop's PDF: add --press"
    assert capsys.readouterr().err.startswith(f"{SHOP_PROFILE}: {why}")


# The office booklet.


def letters(text: str) -> Counter[str]:
    """What a page says, as a bag of characters: spaces, line breaks and the combining
    marks pdftotext places differently as lines wrap (Arabic tanwin) do not count."""
    return Counter(c for c in text if not c.isspace() and unicodedata.category(c) != "Mn")


def reading_order(sides: list[tuple[Counter[str], Counter[str]]], rtl: bool) -> list[Counter[str]]:
    """The pages in the order a reader meets them in the folded stack: the right half of a
    sheet's outside, then the back of it (the inside's left half), sheet after sheet to
    the middle; then out again through the other halves. A right-to-left book opens the
    other way: the same with left and right exchanged."""
    start, end = (1, 0) if rtl else (0, 1)
    sheets = list(zip(sides[0::2], sides[1::2], strict=True))  # (outside, inside)
    inward = [page for outside, inner in sheets for page in (outside[end], inner[start])]
    outward = [page for outside, inner in reversed(sheets) for page in (inner[end], outside[start])]
    return inward + outward


@pytest.mark.parametrize(("code", "sheet"), BOOKLETS)
def test_booklet_sheets_in_saddle_stitch_order(
    booklets: dict[tuple[str, str], tuple[Path, Path]], code: str, sheet: str
) -> None:
    path, edition = booklets[code, sheet]
    width, height = SHEETS[sheet]
    rtl = code == "ar"
    with pikepdf.open(edition) as source:
        pages = len(source.pages)
        direction = source.Root.get("/ViewerPreferences", Dictionary()).get("/Direction")
        assert (direction == Name.R2L) is rtl
    sides = 2 * -(-pages // 4)  # four pages a sheet, two sides a sheet
    with pikepdf.open(path) as booklet:
        assert len(booklet.pages) == sides
        for side in booklet.pages:
            assert box(side, "/MediaBox") == pytest.approx((0, 0, width, height), abs=0.01)
        assert booklet.Root.ViewerPreferences.Duplex == Name.DuplexFlipShortEdge
    halves = [(0.0, 0.0, width / 2, height), (width / 2, 0.0, width / 2, height)]
    texts = [tuple(letters(pdftext(path, n, half)) for half in halves) for n in range(1, sides + 1)]
    book = [letters(pdftext(edition, n)) for n in range(1, pages + 1)]
    # Every page of the book once, in order, its folio with it; the blanks before the back cover.
    blanks: list[Counter[str]] = [Counter()] * (-pages % 4)
    assert reading_order(texts, rtl) == [*book[:-1], *blanks, book[-1]]  # type: ignore[arg-type]
    # The outside of the first sheet: the front cover on its right half (on the left in Arabic).
    language = {"es": "Español", "ar": "العربية"}[code]  # the cover's first line, on no other page
    assert language in pdftext(path, 1, halves[0 if rtl else 1])
    assert language not in pdftext(path, 1, halves[1 if rtl else 0])


@pytest.mark.parametrize("sheet", SHEETS)
def test_booklet_fold_mark_at_the_middle_of_each_side(
    booklets: dict[tuple[str, str], tuple[Path, Path]], sheet: str
) -> None:
    width, height = SHEETS[sheet]
    with pikepdf.open(booklets["es", sheet][0]) as booklet:
        for side in booklet.pages:
            events = [e for e in page_events(side) if not e.form]  # the sheet's own drawing
            dashes = [e.operands[0] for e in events if e.operator == "d"]
            assert dashes
            assert all(len(d) for d in dashes)  # type: ignore[arg-type]
            ends = [e.point() for e in events if e.operator in ("m", "l")]
            assert len(ends) == 4
            assert all(x == pytest.approx(width / 2) for x, _ in ends)
            ys = sorted(y for _, y in ends)
            assert ys[1] < 15 * MM  # at the bottom edge and the top, clear of the pages' text
            assert ys[2] > height - 15 * MM

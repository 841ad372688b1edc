"""The print shop's PDF (PRINT=press): PDF/X-4 with the press's CMYK profile.

WeasyPrint writes every part of the book as PDF/X-4 (pdf.Variant) with the CMYK ICC
profile as its output intent, and layouts/press.css gives every colour in CMYK, text
in black ink only. After merge.join (the front matter's catalog carries the output
intent and the PDF/X metadata), `finish` makes the book what a print shop takes:

- crop marks in a slug outside the bleed: WeasyPrint's MediaBox is the BleedBox, so
  its own marks sit inside the bleed (on the cover's navy). The MediaBox grows by
  SLUG beyond the BleedBox, the page's content is clipped to the BleedBox and the
  marks are drawn outside it, on every plate (registration: 100 % of each ink);
- no link annotations: PDF/X allows none inside the BleedBox, and paper has no links;
- blank pages before the back cover, to a multiple of 4 pages (a stapled booklet is
  folded sheets of 4 pages);
- one copy of the profile (each part embedded its own);
- no RGB left: press.css gives every colour of the layouts in CMYK, but a logo keeps its
  own colours (a PNG's pixels, an SVG's fills); `inks` converts whatever is still RGB
  with the output intent's profile, as the theme's colours are (brand.press_colour);
- a repeatable XMP DocumentID (WeasyPrint writes a random one).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import (
    Array,
    ContentStreamInlineImage,
    ContentStreamInstruction,
    Dictionary,
    Name,
    Operator,
    Pdf,
    Stream,
)

from .colour import DEFAULT_PROFILE, cmyk, cmyk_image
from .diagnostics import Place, UsageError, error, relative
from .pdf import Variant
from .tagging import elements

if TYPE_CHECKING:
    pass

MM = 72 / 25.4
MARK_GAP = 2 * MM  # between the bleed's edge and a crop mark
MARK_LENGTH = 5 * MM
SLUG = MARK_GAP + MARK_LENGTH + 2 * MM  # beyond the bleed, on every side
MARK_WIDTH = 0.25  # pt: a hairline, as presses expect
PAGE_ARTIFACT = "/Artifact <</Type /Page>> BDC"  # ISO 32000: production aids such as cut marks
DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


@dataclass(frozen=True)
class Press:
    """The press PDF's printing condition: the CMYK profile of the print shop's press and
    paper (their output intent), read once and handed to WeasyPrint in memory."""

    profile: Path
    sha256: str  # in the build record (jobs.py hashes the options): a changed profile rebuilds
    icc: bytes = field(repr=False)

    @property
    def variant(self) -> Variant:
        return Variant("pdf/x-4", self.icc)


def load_press(profile: Path | None = None) -> Press:
    """The press settings with `profile`, or Ghostscript's CMYK profile; a profile that is
    missing or not a CMYK output profile is a usage error."""
    path = profile or DEFAULT_PROFILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        why = exc.strerror or str(exc)
        if profile is None:
            message = (
                f"the default CMYK colour profile is missing ({why}): install Ghostscript's "
                "profiles (apt-get install libgs-common), or give the print shop's profile "
                "with PROFILE=path.icc"
            )
        else:
            message = (
                f"cannot read the colour profile ({why}): give the .icc file the print shop "
                "sent, PROFILE=path.icc"
            )
        raise UsageError([error("press-profile", message, Place(relative(path)))]) from None
    if problem := _icc_problem(data):
        message = (
            f"{problem}; the press PDF needs the CMYK output profile of the print shop's "
            "press and paper (an .icc file, such as PSO Coated v3 or GRACoL), given as "
            "PROFILE=path.icc"
        )
        raise UsageError([error("press-profile", message, Place(relative(path)))])
    return Press(path, hashlib.sha256(data).hexdigest(), data)


def _icc_problem(data: bytes) -> str:
    """What keeps `data` from being a press's output intent ('' if nothing does)."""
    from PIL import ImageCms

    if len(data) < 128 or data[36:40] != b"acsp":
        return "this file is not an ICC colour profile"
    space = data[16:20].decode("latin-1").strip()
    if space != "CMYK":
        return f"this colour profile is for {space or 'unknown'} colour, not CMYK"
    if data[12:16] != b"prtr":
        return "this CMYK profile does not describe a printing device (its class is not 'prtr')"
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (OSError, ValueError, ImageCms.PyCMSError):
        return "this colour profile is damaged (it cannot be read)"
    return ""


def finish(pdf: Pdf) -> None:
    """Every step in the module's docstring, in place, on the joined book."""
    drop_links(pdf)
    pad(pdf)
    for page in pdf.pages:
        mark(pdf, page)
    share_profile(pdf)
    inks(pdf)
    fix_document_id(pdf)


def finish_bytes(data: bytes) -> bytes:
    with Pdf.open(io.BytesIO(data)) as pdf:
        finish(pdf)
        buffer = io.BytesIO()
        pdf.save(
            buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
    return buffer.getvalue()


def drop_links(pdf: Pdf) -> None:
    """Remove link annotations, and their references in the structure tree."""
    gone: set[tuple[int, int]] = set()
    keys: set[int] = set()
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        links = [a for a in annots if a.get("/Subtype") == Name.Link]
        gone.update(a.objgen for a in links)
        keys.update(int(a.StructParent) for a in links if "/StructParent" in a)
        kept = [a for a in annots if a.get("/Subtype") != Name.Link]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or not gone:
        return
    nums = tree.ParentTree.Nums
    pairs = [(nums[i], nums[i + 1]) for i in range(0, len(nums), 2) if int(nums[i]) not in keys]
    tree.ParentTree.Nums = Array([x for pair in pairs for x in pair])
    for element in elements(tree):
        kids = element.get("/K")
        if isinstance(kids, Array):
            element.K = Array([k for k in kids if not _refers_to(k, gone)])
        elif isinstance(kids, Dictionary) and _refers_to(kids, gone):
            del element["/K"]


def _refers_to(kid: pikepdf.Object, annotations: set[tuple[int, int]]) -> bool:
    return (
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and kid.Obj.objgen in annotations
    )


def pad(pdf: Pdf) -> None:
    """Blank pages before the back cover, up to a multiple of 4."""
    back = pdf.pages[-1].obj
    for _ in range(-len(pdf.pages) % 4):
        blank = Dictionary(Type=Name.Page, Resources=Dictionary(), Contents=pdf.make_stream(b""))
        for key in ("/MediaBox", "/BleedBox", "/TrimBox"):
            if key in back:
                blank[key] = Array(list(back[key]))
        pdf.pages.insert(len(pdf.pages) - 1, pikepdf.Page(pdf.make_indirect(blank)))


def mark(pdf: Pdf, page: pikepdf.Page) -> None:
    """Grow the MediaBox by the slug, clip the content to the bleed, draw crop marks."""
    bleed = _box(page.obj.get("/BleedBox", page.mediabox))
    x0, y0, x1, y1 = _box(page.trimbox)
    page.obj.BleedBox = Array(bleed)
    page.obj.MediaBox = Array([bleed[0] - SLUG, bleed[1] - SLUG, bleed[2] + SLUG, bleed[3] + SLUG])
    width, height = bleed[2] - bleed[0], bleed[3] - bleed[1]
    clip = f"q {bleed[0]:.3f} {bleed[1]:.3f} {width:.3f} {height:.3f} re W n\n"
    page.contents_add(pdf.make_stream(clip.encode()), prepend=True)
    near = (x0 - bleed[0], y0 - bleed[1], bleed[2] - x1, bleed[3] - y1)  # the bleed on each side
    lines = []
    for x, sx, bx in ((x0, -1, near[0]), (x1, 1, near[2])):
        for y, sy, by in ((y0, -1, near[1]), (y1, 1, near[3])):
            start_x, start_y = x + sx * (bx + MARK_GAP), y + sy * (by + MARK_GAP)
            lines.append(f"{start_x:.3f} {y:.3f} m {start_x + sx * MARK_LENGTH:.3f} {y:.3f} l")
            lines.append(f"{x:.3f} {start_y:.3f} m {x:.3f} {start_y + sy * MARK_LENGTH:.3f} l")
    registration = f"{MARK_WIDTH} w 1 1 1 1 K"  # on every plate
    marks = "\n".join(["Q", PAGE_ARTIFACT, "q", registration, *lines, "S", "Q", "EMC", ""])
    page.contents_add(pdf.make_stream(marks.encode()))


def _box(box: pikepdf.Object) -> list[float]:
    return [float(v) for v in box]


def share_profile(pdf: Pdf) -> None:
    """Every part embedded the profile again: point each use at the output intent's copy."""
    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        return
    profile = intents[0].DestOutputProfile
    data = profile.read_bytes()
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary):
            continue
        for value in obj.values():
            if (
                isinstance(value, Array)
                and len(value) == 2
                and value[0] == Name.ICCBased
                and value[1].objgen != profile.objgen
                and value[1].read_bytes() == data
            ):
                value[1] = profile


def fix_document_id(pdf: Pdf) -> None:
    """The XMP DocumentID from the book's metadata and pages: the same book, the same id.
    The file's /ID goes too (WeasyPrint's hashes the random one): qpdf derives it when saving."""
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    xmp = metadata.read_bytes()
    h = hashlib.sha256(DOCUMENT_ID.sub(b"", xmp))
    for page in pdf.pages:
        for stream in _contents(page):
            h.update(stream.read_raw_bytes())
    did = f"xmp.did:{uuid.UUID(bytes=h.digest()[:16])}".encode()
    metadata.write(DOCUMENT_ID.sub(did, xmp))  # uncompressed, as PDF/X-4 asks


def _contents(page: pikepdf.Page) -> list[pikepdf.Object]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, Array) else [contents]


# What is still RGB after WeasyPrint (a logo's own colours), in the output intent's CMYK.

RGB_OPERANDS = re.compile(rb"\b(rg|RG)\b|/DeviceRGB|/CalRGB")  # cheap test before parsing
SETTING = {"sc", "scn", "SC", "SCN"}


def inks(pdf: Pdf) -> None:
    """Every RGB colour in the output intent's CMYK: colour operators in the pages and
    forms, images (their soft masks kept: PDF/X-4 allows transparency), shadings with
    interpolated colours (what an SVG gradient becomes), transparency groups."""
    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        return
    icc = intents[0].DestOutputProfile.read_bytes()
    for obj in list(pdf.objects):
        if not isinstance(obj, Dictionary | Stream):
            continue
        if isinstance(obj, Stream) and obj.get("/Subtype") == Name.Image:
            if _rgb(obj.get("/ColorSpace")):
                _recolour_image(obj, icc)
        elif obj.get("/Subtype") == Name.Form:
            _recolour_content(obj, obj.get("/Resources", Dictionary()), icc, obj.write)
        for shading in (obj, obj.get("/Shading")):  # itself, or a pattern's (often direct)
            if isinstance(shading, Dictionary | Stream) and "/ShadingType" in shading:
                if _rgb(shading.get("/ColorSpace")):
                    _recolour_shading(shading, icc)
        for group in (obj, obj.get("/Group")):  # itself, or a page's or form's
            if isinstance(group, Dictionary) and group.get("/S") == Name.Transparency:
                if _rgb(group.get("/CS")):
                    group.CS = Name.DeviceCMYK
    for page in pdf.pages:
        resources = page.obj.get("/Resources", Dictionary())

        def write(data: bytes, page: pikepdf.Page = page) -> None:
            page.contents_coalesce()
            page.obj.Contents.write(data)

        _recolour_content(page, resources, icc, write)


def _rgb(space: pikepdf.Object | None) -> bool:
    """An RGB colour space: DeviceRGB, CalRGB, a 3-component ICC profile, or an indexed one
    of those (a palette image)."""
    if isinstance(space, Name):
        return space in (Name.DeviceRGB, Name.CalRGB)
    if not isinstance(space, Array) or not len(space):
        return False
    if space[0] == Name.ICCBased:
        return int(space[1].N) == 3
    if space[0] == Name.Indexed:
        return _rgb(space[1])
    return bool(space[0] == Name.CalRGB)


def _recolour_content(
    owner: pikepdf.Object | pikepdf.Page,
    resources: pikepdf.Object,
    icc: bytes,
    write: Callable[[bytes], None],
) -> None:
    """rg/RG in CMYK (k/K), and cs/CS naming an RGB space with the sc/scn/SC/SCN after it;
    the colour space being part of the graphics state, q/Q save and restore it."""
    named = resources.get("/ColorSpace", Dictionary())
    rgb_names = {str(key) for key, space in named.items() if _rgb(space)}
    streams = _contents(owner) if isinstance(owner, pikepdf.Page) else [owner]
    if not rgb_names and not any(RGB_OPERANDS.search(s.read_bytes()) for s in streams):
        return
    fill = stroke = False  # the current space is RGB
    saved: list[tuple[bool, bool]] = []
    out: list[ContentStreamInstruction | ContentStreamInlineImage] = []
    changed = False
    for instruction in pikepdf.parse_content_stream(owner):
        op, operator = str(instruction.operator), instruction.operator
        values = original = list[pikepdf.Object](instruction.operands)
        if op == "q":
            saved.append((fill, stroke))
        elif op == "Q" and saved:
            fill, stroke = saved.pop()
        elif op in ("rg", "RG"):
            values, operator = list(Array(cmyk(values, icc))), Operator("k" if op == "rg" else "K")
        elif op in ("cs", "CS"):
            rgb = str(values[0]) in rgb_names or _rgb(values[0])
            fill, stroke = (rgb, stroke) if op == "cs" else (fill, rgb)
            if rgb:
                values = [Name.DeviceCMYK]
        elif op in SETTING and len(values) == 3 and (fill if op.islower() else stroke):
            values = list(Array(cmyk(values, icc)))
        if values is original or isinstance(instruction, ContentStreamInlineImage):
            out.append(instruction)
        else:
            out.append(ContentStreamInstruction(values, operator))
            changed = True
    if changed:
        write(pikepdf.unparse_content_stream(out))


def _recolour_image(image: Stream, icc: bytes) -> None:
    """An RGB image XObject as DeviceCMYK pixels; its /SMask (alpha) stays as it is."""
    space = image.ColorSpace
    source = b""
    if isinstance(space, Array) and space[0] == Name.ICCBased:
        source = space[1].read_bytes()  # the image's own RGB profile
    pixels = cmyk_image(pikepdf.PdfImage(image).as_pil_image(), icc, source)
    image.write(zlib.compress(pixels.tobytes()), filter=Name.FlateDecode)
    for key in ("/DecodeParms", "/Decode"):  # the PNG predictor, an inverted range
        if key in image:
            del image[key]
    image.ColorSpace = Name.DeviceCMYK
    image.BitsPerComponent = 8


def _recolour_shading(shading: Dictionary | Stream, icc: bytes) -> None:
    """A shading whose colours its function interpolates (axial, radial: WeasyPrint's
    gradients), the function's end colours in CMYK; a sampled function or a mesh is left,
    and the preflight (tests/test_press.py) refuses it."""
    function = shading.get("/Function")
    ends = _exponentials(function) if function is not None else None
    if ends is None:
        return
    for f in ends:
        f.C0 = Array(cmyk(f.get("/C0", Array([0, 0, 0])), icc))  # type: ignore[arg-type]
        f.C1 = Array(cmyk(f.get("/C1", Array([1, 1, 1])), icc))  # type: ignore[arg-type]
    shading.ColorSpace = Name.DeviceCMYK


def _exponentials(function: pikepdf.Object) -> list[pikepdf.Object] | None:
    """The exponential functions (type 2) `function` is, or stitches (type 3); None if it
    is made of anything else."""
    if function.get("/FunctionType") == 2:
        return [function]
    if function.get("/FunctionType") != 3:
        return None
    parts = [_exponentials(f) for f in function.Functions]
    return None if any(p is None for p in parts) else [f for p in parts for f in p or []]

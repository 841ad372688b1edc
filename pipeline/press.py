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
- a repeatable XMP DocumentID (WeasyPrint writes a random one).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .diagnostics import Place, UsageError, error, relative
from .pdf import Variant
from .tagging import elements

# Debian's libgs-common (Ghostscript's data) installs it: SWOP, a US printing condition.
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
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

"""The office booklet (make booklet LANG=es): the book imposed 2-up, to print on both
sides of landscape Letter or A4 sheets, fold in the middle and staple on the fold.

It imposes the A5 edition, rendered for it in memory (the files in dist/ stay as they
are: a build writes the EPUB too, whose page-list follows the PDF built with it). On A4
a page prints at its own size, on Letter at 94 %. Each side of a sheet shows two pages
as they are (form XObjects, scaled to fit half the sheet) in saddle-stitch order: the
outermost sheet holds the covers, and the stack, folded, reads in order. Blank pages
before the back cover fill the book up to a multiple of 4 (a sheet is 4 pages). A
right-to-left book opens the other way, its front cover on the left half of the outside
sheet: every side is mirrored. A short dashed mark at the middle of the top and bottom
edges shows where to fold. The file asks the print dialog for double-sided printing,
flipped on the short edge, at actual size (/ViewerPreferences).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .diagnostics import Place, UsageError, error
from .output import write_atomic
from .paths import SEPARATOR, output_path

if TYPE_CHECKING:
    from .project import Project

SHEETS = {"letter": (792.0, 612.0), "a4": (841.89, 595.28)}  # landscape, in points
SOURCE_SIZE = "a5"  # the edition imposed: half an A4 sheet
MM = 72 / 25.4
FOLD_MARK = (4 * MM, 12 * MM)  # from each edge: office printers leave the outer few mm blank

Side = tuple[int | None, int | None]  # 0-based pages on the (left, right) half; None: blank


def booklet_order(pages: int, *, rtl: bool) -> list[Side]:
    """The sides of the sheets in printing order (sheet 1 outside, sheet 1 inside,
    sheet 2 outside, …), each with its left and right page."""
    padded = [*range(pages - 1), *[None] * (-pages % 4), pages - 1]  # blanks before the back cover
    last = len(padded) - 1
    sides: list[Side] = []
    for i in range(len(padded) // 4):
        sides.append((padded[last - 2 * i], padded[2 * i]))
        sides.append((padded[2 * i + 1], padded[last - 2 * i - 1]))
    return [(right, left) for left, right in sides] if rtl else sides


def impose(data: bytes, sheet: str) -> bytes:
    """The booklet of the PDF `data`, on landscape `sheet`s."""
    width, height = SHEETS[sheet]
    with Pdf.open(io.BytesIO(data)) as book, Pdf.new() as out:
        rtl = book.Root.get("/ViewerPreferences", Dictionary()).get("/Direction") == Name.R2L
        forms = [out.copy_foreign(page.as_form_xobject()) for page in book.pages]
        for side in booklet_order(len(forms), rtl=rtl):
            resources = Dictionary()
            ops = []
            for half, page in enumerate(side):
                if page is None:
                    continue
                name = f"/P{page + 1}"
                resources[name] = forms[page]
                place = _fit(forms[page].BBox, half * width / 2, width / 2, height)
                ops.append(f"q {place} cm {name} Do Q")
            ops.append(_fold_mark(width, height))
            sheet_side = Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, width, height]),
                Resources=Dictionary(XObject=resources),
                Contents=out.make_stream("\n".join(ops).encode()),
            )
            out.pages.append(pikepdf.Page(out.make_indirect(sheet_side)))
        if "/Title" in book.docinfo:
            out.docinfo.Title = book.docinfo.Title
        out.Root.ViewerPreferences = Dictionary(
            Duplex=Name.DuplexFlipShortEdge, PrintScaling=Name("/None")
        )
        buffer = io.BytesIO()
        out.save(
            buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
    return buffer.getvalue()


def _fit(bbox: pikepdf.Object, left: float, width: float, height: float) -> str:
    """The matrix that scales a page's box to fit a half sheet, centred in it."""
    x0, y0, x1, y1 = (float(v) for v in bbox)
    scale = min(width / (x1 - x0), height / (y1 - y0))
    dx = left + (width - scale * (x1 - x0)) / 2 - scale * x0
    dy = (height - scale * (y1 - y0)) / 2 - scale * y0
    return f"{scale:.5f} 0 0 {scale:.5f} {dx:.3f} {dy:.3f}"


def _fold_mark(width: float, height: float) -> str:
    """A short dashed grey line at the middle of the top and the bottom edge."""
    near, far = FOLD_MARK
    x = width / 2
    return (
        f"q 0 0 0 0.5 K 0.5 w [3 2] 0 d {x:.3f} {near:.3f} m {x:.3f} {far:.3f} l "
        f"{x:.3f} {height - near:.3f} m {x:.3f} {height - far:.3f} l S Q"
    )


def build_booklet(
    project: Project,
    handbook_id: str,
    locale: str,
    *,
    sheet: str | None = None,
    allow_partial: bool = False,
) -> Path:
    """Render the A5 edition of `locale` and write its booklet beside the editions, on
    `sheet` (None: the handbook's paper)."""
    from .book import print_book
    from .prepare import prepare, resolve_locale

    if SEPARATOR in locale:
        why = (
            f"a booklet is printed from one language's edition: make booklet LANG="
            f"{locale.split(SEPARATOR)[0]} (the bilingual edition has none)"
        )
        raise UsageError([error("booklet-bilingual", why, Place("LANG"))])
    handbook = project.load(handbook_id)
    loc = resolve_locale(project, handbook, locale)
    prepared = prepare(project, handbook, loc, allow_partial=allow_partial)
    printed = print_book(
        project.layouts,
        project.roots,
        prepared.view,
        prepared.gettext,
        size=SOURCE_SIZE,
        press=None,
    )
    paper = sheet or handbook.paper
    target = output_path(
        project.dist, handbook.id, loc.code, "booklet", size=paper, proof=allow_partial
    )
    write_atomic(target, impose(printed.pdf, paper))
    return target

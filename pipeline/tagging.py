"""The last pass over a finished PDF, where WeasyPrint's tagging falls short of PDF/UA-1.

- Page furniture (running heads, folios, footers) is drawn in margin boxes that
  WeasyPrint tags as content whose structure elements hang from nothing: reachable
  from the parent tree, not from the structure root. Here it becomes what PDF/UA
  asks of furniture: /Artifact marked content, out of the parent tree.
- WeasyPrint declares one language, the document's. Text in another language (the
  second side of the bilingual edition, the card's back, an English fallback) has a
  `lang` in the HTML; its structure element gets /Lang from it, as PDF/UA 7.2 asks,
  so a screen reader speaks it with the right voice (install_language_tags).
- A link box that wraps, or holds inline boxes, gets an annotation (and a Link
  element) per box: five Tab stops for one contents entry, Links nested in Links.
  Annotations a larger one of the same target already covers go, nested Links
  become Spans, and each remaining annotation is described in the language of its
  own text (a bilingual edition's English links in English).
- WeasyPrint builds the tree page by page: a section, entry, list, item or paragraph
  broken across pages is two elements (an item's second with no /Lbl: its marker is
  drawn on the first page only). The pieces are joined (join_split_elements).
- A right-to-left edition says so to viewers: /ViewerPreferences /Direction /R2L.
- A book joined from parts embeds one subset of a face per part, each named with
  the same six-letter tag; ISO 32000 wants a tag per subset, so each subset is named
  after its own font program (the same bytes, the same name: still repeatable).
"""

from __future__ import annotations

import hashlib
import io
import re
import string
import zlib
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

SKIPPED = ("html", "body")  # WeasyPrint makes no element of these: their children come up


def finish(
    pdf: Pdf,
    *,
    rtl: bool,
    descriptions: Mapping[str, Mapping[str, str]] | None = None,
    restarts: Collection[int] = (),
) -> None:
    """Every fix above, in place (`descriptions`: per language, what each link target is;
    `restarts`: the pages where the parts of a book joined from parts begin)."""
    furniture_as_artifacts(pdf)
    one_annotation_per_link(pdf, descriptions or {})
    join_split_elements(pdf, restarts)
    if rtl:
        prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
        prefs.Direction = Name.R2L
        pdf.Root.ViewerPreferences = prefs
    name_subsets(pdf)


def finish_bytes(
    data: bytes, *, rtl: bool, descriptions: Mapping[str, Mapping[str, str]] | None = None
) -> bytes:
    with Pdf.open(io.BytesIO(data)) as pdf:
        finish(pdf, rtl=rtl, descriptions=descriptions)
        buffer = io.BytesIO()
        pdf.save(
            buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
    return buffer.getvalue()


def elements(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """Every structure element below `root`, each once, root first. Its kids are read after
    it is handed out, so a caller may change an element's /K as it gets it."""
    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        element = todo.pop()
        if element.objgen in seen:
            continue
        seen.add(element.objgen)
        yield element
        kids = element.get("/K")
        todo += [
            kid
            for kid in (kids if isinstance(kids, Array) else [kids])
            if isinstance(kid, Dictionary) and kid.get("/Type") not in (Name.MCR, Name.OBJR)
        ]


def reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    """The structure elements below the structure root (by object number)."""
    return {element.objgen for element in elements(root)}


def furniture_as_artifacts(pdf: Pdf) -> int:
    """Mark content whose structure element is unreachable as an artifact; return how many."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return 0
    linked = reachable(tree)
    nums = tree.ParentTree.Nums
    marks = {
        int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2) if isinstance(nums[i + 1], Array)
    }
    count = 0
    for page in pdf.pages:
        elements = marks.get(int(page.obj.get("/StructParents", -1)))
        if elements is None:
            continue
        loose = {
            mcid
            for mcid, element in enumerate(elements)
            if isinstance(element, Dictionary) and element.objgen not in linked
        }
        if not loose:
            continue
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, Array) else [contents]
        found: set[int] = set()
        for stream in streams:  # kept compressed: a long book has hundreds of pages
            data = zlib.compress(_as_artifacts(stream.read_bytes(), loose, found))
            stream.write(data, filter=Name.FlateDecode)
        if found != loose:  # WeasyPrint writes marked content differently: this must not pass
            raise RuntimeError(f"marked content {sorted(loose - found)} not found on a page")
        for mcid in loose:
            elements[mcid] = pikepdf.Object.parse(b"null")
        count += len(loose)
    return count


# A tagged box's marked content as WeasyPrint writes it (pydyf): "/Span <</MCID 3>> BDC", or
# with the text layer's "/ActualText <feff…>" after the MCID. Strings here are hex strings: no
# "<" or ">" inside them.
MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\b(?:[^<>]|<[0-9A-Fa-f\s]*>)*>>\s*BDC")
ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _as_artifacts(content: bytes, loose: set[int], found: set[int]) -> bytes:
    """The content stream with the marked content of `loose` MCIDs made pagination artifacts
    (each one changed is added to `found`)."""

    def mark(match: re.Match[bytes]) -> bytes:
        mcid = int(match[1])
        if mcid not in loose:
            return match[0]
        found.add(mcid)
        return ARTIFACT

    return MARKED.sub(mark, content)


def _target(annot: pikepdf.Object) -> str:
    if "/Dest" in annot:
        return str(annot.Dest)
    action = annot.get("/A")
    return str(action.get("/URI", "")) if action is not None else ""


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _box(annot: pikepdf.Object) -> Box:
    r = [float(x) for x in annot.Rect]
    (x0, x1), (y0, y1) = sorted(r[0::2]), sorted(r[1::2])
    return x0, y0, x1, y1


def _inside(a: Box, b: Box, slack: float = 0.5) -> bool:
    return (
        a[0] >= b[0] - slack
        and a[2] <= b[2] + slack
        and a[1] >= b[1] - slack
        and a[3] <= b[3] + slack
    )


def _kept(annots: list[pikepdf.Object]) -> set[tuple[int, int]]:
    """The annotations no larger one of the same target covers (of two the same, the first).
    Compared within a target only: a page of contents has a hundred links."""
    by_target: dict[str, list[tuple[int, Box]]] = {}
    for i, a in enumerate(annots):
        by_target.setdefault(_target(a), []).append((i, _box(a)))
    return {
        annots[i].objgen
        for same in by_target.values()
        for i, box in same
        if not any(
            j != i and _inside(box, other) and not (_inside(other, box) and j > i)
            for j, other in same
        )
    }


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    return list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]


def _language(element: pikepdf.Object | None, default: str) -> str:
    while isinstance(element, Dictionary) and "/S" in element:
        if "/Lang" in element:
            return str(element.Lang)
        element = element.get("/P")
    return default


def _outermost_link(element: pikepdf.Object) -> pikepdf.Object:
    found, up = element, element.get("/P")
    while isinstance(up, Dictionary) and "/S" in up:
        if up.S == Name.Link:
            found = up
        up = up.get("/P")
    return found


def one_annotation_per_link(pdf: Pdf, descriptions: Mapping[str, Mapping[str, str]]) -> None:
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    nums = tree.ParentTree.Nums
    owners = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    dropped: set[int] = set()
    default = str(pdf.Root.get("/Lang", ""))
    for page in pdf.pages:
        annots = [a for a in page.obj.get("/Annots", []) if a.get("/Subtype") == Name.Link]
        keep = _kept(annots)
        for annot in annots:
            owner = owners.get(int(annot.get("/StructParent", -1)))
            if owner is None:
                continue
            if annot.objgen in keep:
                outer = _outermost_link(owner)
                if outer.objgen != owner.objgen:  # the kept annotation belongs to the outer Link
                    owner.K = Array([k for k in _kids(owner) if not _is_objr_of(k, annot)])
                    outer.K = Array(
                        [*_kids(outer), Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj)]
                    )
                    owners[int(annot.StructParent)] = outer
                text = descriptions.get(_language(outer, default), {}).get(_target(annot))
                if text:
                    annot.Contents = pikepdf.String(text)
            else:
                owner.K = Array([k for k in _kids(owner) if not _is_objr_of(k, annot)])
                dropped.add(int(annot.StructParent))
        page.obj.Annots = Array(
            [
                a
                for a in page.obj.get("/Annots", [])
                if a.get("/Subtype") != Name.Link or a.objgen in keep
            ]
        )
    for element in pdf.objects:
        if (
            isinstance(element, Dictionary)
            and element.get("/S") == Name.Link
            and _outermost_link(element).objgen != element.objgen
        ):
            element.S = Name.Span  # a Link inside a Link: its annotation went to the outer one
    tree.ParentTree.Nums = Array(
        [
            x
            for i in range(0, len(nums), 2)
            if int(nums[i]) not in dropped
            for x in (nums[i], owners[int(nums[i])])
        ]
    )


TABLE_PARTS = frozenset(map(Name, ("/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD")))
# Which HTML element a structure element was made for: its number in the order the tagger met
# them (install_language_tags). WeasyPrint's own PDF has no such key; finish() removes it.
ELEMENT_KEY = "HandbookElement"
ELEMENT = Name("/" + ELEMENT_KEY)


def join_split_elements(pdf: Pdf, restarts: Collection[int] = ()) -> int:
    """Make each element broken across pages one again; return how many pieces were joined.

    WeasyPrint makes a page's elements afresh on every page: a section, an entry, a list,
    a list item, a paragraph that goes on over a page break is two elements, the second
    page's without a /Lbl if it is an item (a screen reader announces an item more, and an
    item that shows no number, an entry more). Each top-level element that continues the
    one before it (the same HTML element: ELEMENT) is joined to it, level by level down
    the last and first kids. Only whole elements move: an element holding content (an
    MCID, an annotation) directly stays a piece, as the parent tree names it. Table parts
    sit side by side, not one after another: left alone. `restarts`: the pages where a
    part of a book joined from parts begins (another document: its numbers are its own)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return 0
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    starts = set(restarts)
    document = _kids(tree)[0]
    kept: list[pikepdf.Object] = []
    joined = 0
    for element in _kids(document):
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        if kept and page not in starts and _join(kept[-1], element):
            joined += 1
        else:
            kept.append(element)
    document.K = Array(kept)
    for element in elements(tree):
        if ELEMENT in element:
            del element[ELEMENT]
    return joined


def _join(before: pikepdf.Object, after: pikepdf.Object) -> bool:
    """Join `after` to `before`, if it goes on with it, and say whether it did."""
    if not (
        _is_element(before)
        and _is_element(after)
        and before.S == after.S
        and before.S not in TABLE_PARTS
        and ELEMENT in before
        and before.get(ELEMENT) == after.get(ELEMENT)
        and str(before.get("/Lang", "")) == str(after.get("/Lang", ""))
    ):
        return False
    rest = _kids(after)
    if not all(_is_element(k) for k in rest):
        return False
    if rest and _kids(before) and _join(_kids(before)[-1], rest[0]):
        rest = rest[1:]
    _adopt(before, rest)
    return True


def _is_element(kid: pikepdf.Object) -> bool:
    return isinstance(kid, Dictionary) and "/S" in kid


def _adopt(parent: pikepdf.Object, kids: list[pikepdf.Object]) -> None:
    for kid in kids:
        kid.P = parent
    parent.K = Array([*_kids(parent), *kids])


def _is_objr_of(kid: pikepdf.Object, annot: pikepdf.Object) -> bool:
    return (
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and kid.Obj.objgen == annot.objgen
    )


def name_subsets(pdf: Pdf) -> None:
    """Tag each embedded subset after its font program (ABCDEF+Name)."""
    for font in _fonts(pdf):
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        base = str(font.BaseFont)
        if descriptor is None or len(base) < 8 or base[7] != "+":
            continue
        program = next(
            (descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor),
            None,
        )
        if program is None:
            continue
        digest = hashlib.sha256(program.read_raw_bytes()).digest()
        tag = "".join(string.ascii_uppercase[b % 26] for b in digest[:6])
        name = Name("/" + tag + base[7:])
        font.BaseFont = name
        descendant.BaseFont = name
        descriptor.FontName = name


def _fonts(pdf: Pdf) -> list[pikepdf.Object]:
    seen: set[tuple[int, int]] = set()
    out = []
    for page in pdf.pages:
        for font in page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary()).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                out.append(font)
    return out


def install_language_tags() -> None:
    """Wrap WeasyPrint's structure builder (weasyprint.pdf.tags._build_box_tree, which
    calls itself through its module, so every level passes here): an element made
    for a box whose HTML element has `lang` gets /Lang."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "with_languages", False):
        return

    def with_languages(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
        own = getattr(box, "element", None)
        lang = (
            own.get("lang")
            if own is not None and getattr(box, "element_tag", None) not in SKIPPED
            else None
        )
        number = _numbered(pdf, own) if own is not None else None
        for element in build(box, parent, pdf, *args):
            if lang and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            if number is not None and ELEMENT_KEY not in element:
                element[ELEMENT_KEY] = number
            yield element

    with_languages.with_languages = True  # type: ignore[attr-defined]
    tags._build_box_tree = with_languages


def _numbered(pdf: Any, element: Any) -> int:
    """The HTML element's number in this PDF: the order the tagger first met it, page by
    page (the same on every page the element goes on, and the same in every build)."""
    met: dict[int, tuple[int, Any]] = pdf.__dict__.setdefault("handbook_elements", {})
    # the element is kept beside its number: its id() is not reused while the PDF is made
    return met.setdefault(id(element), (len(met), element))[0]

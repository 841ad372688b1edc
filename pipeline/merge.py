"""Join the separately rendered parts of a print edition into one tagged PDF.

book.py renders a long book in parts (WeasyPrint holds every page of a document
in memory); this makes them one PDF with pikepdf (qpdf): pages, structure tree
and its parent tree, outline, named destinations, page labels. The first part
(the front matter) gives the catalog: language, metadata, PDF/UA identification
(or, for the press, PDF/X: output intent, XMP identification, Info's Trapped).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, Pdf

from .pdf import Rendered
from .tagging import finish


def join(
    parts: Sequence[Rendered],
    front_pages: int,
    *,
    rtl: bool,
    then: Callable[[Pdf], None] | None = None,
) -> bytes:
    """One PDF of `parts` in order. Pages before `front_pages` are labelled i, ii,
    iii…; the rest 1, 2, 3… as their folios are. A named destination comes from
    the part that rendered its anchor (the others hold stand-ins for links).
    `then` finishes the joined book before it is saved (press.finish)."""
    out = Pdf.open(io.BytesIO(parts[0].pdf))
    tree = out.Root.StructTreeRoot
    document = tree.K[0]
    nums = tree.ParentTree.Nums
    key = _next_key(nums)
    outline = _outline_items(out.Root)
    dests = _dests(out, parts[0].anchors)
    restarts = []  # the page where each part after the first begins
    for part in parts[1:]:
        restarts.append(len(out.pages))
        with Pdf.open(io.BytesIO(part.pdf)) as pdf:
            key = _append_pages(out, pdf, key, nums, document)
            outline += [out.copy_foreign(item) for item in _outline_items(pdf.Root)]
            dests |= {
                name: Array([out.copy_foreign(dest[0]), *dest[1:]])
                for name, dest in _dests(pdf, part.anchors).items()
            }
    _set_outline(out, outline)
    names = NameTree.new(out)
    for name in sorted(dests):
        names[name] = dests[name]
    out.Root.Names = Dictionary(Dests=names.obj)
    out.Root.PageLabels = Dictionary(
        Nums=Array([0, Dictionary(S=Name.r), front_pages, Dictionary(S=Name.D)])
    )
    finish(out, rtl=rtl, restarts=restarts)
    if then:
        then(out)
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _dests(pdf: Pdf, anchors: dict[str, int]) -> dict[str, pikepdf.Object]:
    """The named destinations of the anchors a part rendered ([page /XYZ x y zoom])."""
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return {}
    return {name: dest for name, dest in NameTree(pdf.Root.Names.Dests).items() if name in anchors}


def _own_streams(pages: Sequence[pikepdf.Page]) -> None:
    """qpdf copies a foreign stream's data only when it writes the file, so the
    part it came from would have to stay open (all of them: twice the memory).
    Take the data now, still encoded, and the part can be closed."""
    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object] = [page.obj for page in pages]
    while todo:
        obj = todo.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            raw, filters, parms = obj.read_raw_bytes(), obj.get("/Filter"), obj.get("/DecodeParms")
            obj.write(raw, filter=filters, decode_parms=parms)  # type: ignore[arg-type]
        children = (
            obj.items() if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) else enumerate(obj)
        )
        todo += [
            value
            for key, value in children
            if key not in ("/Parent", "/P", "/Annots")
            and isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)
        ]


def _next_key(nums: pikepdf.Object) -> int:
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _append_pages(
    out: Pdf, pdf: Pdf, offset: int, nums: pikepdf.Object, document: pikepdf.Object
) -> int:
    """Copy a part's pages and its structure tree below `document`, its parent
    tree keys (pages' and annotations' StructParents) shifted by `offset`; return
    the next free key. qpdf copies each foreign object once, so the structure
    elements' pages and annotations are the very pages and annotations copied here."""
    first = len(out.pages)
    with warnings.catch_warnings():  # that named destinations are not carried: join() carries them
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        out.pages.extend(pdf.pages)
    for page in out.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
    theirs = out.copy_foreign(pdf.Root.StructTreeRoot)
    their_document = theirs.K[0]
    their_nums = theirs.ParentTree.Nums
    for i in range(0, len(their_nums), 2):
        nums.append(int(their_nums[i]) + offset)
        nums.append(their_nums[i + 1])
    for element in their_document.K:
        element.P = document
        document.K.append(element)
    # Every element whose parent is their Document, listed in its /K or not
    # (WeasyPrint leaves running heads out of /K), now has ours.
    seen: set[tuple[int, int]] = set()
    for i in range(1, len(their_nums), 2):
        value = their_nums[i]
        for element in value if isinstance(value, Array) else [value]:
            while element.objgen not in seen and "/P" in element:
                seen.add(element.objgen)
                if element.P.objgen == their_document.objgen:
                    element.P = document
                    break
                element = element.P
    _own_streams(out.pages[first:])
    return offset + _next_key(their_nums)


def _outline_items(root: pikepdf.Object) -> list[pikepdf.Object]:
    """The top-level bookmarks of a part, in order."""
    if "/Outlines" not in root or "/First" not in root.Outlines:
        return []
    items = [root.Outlines.First]
    while "/Next" in items[-1]:
        items.append(items[-1].Next)
    return items


def _set_outline(out: Pdf, items: list[pikepdf.Object]) -> None:
    """The top-level bookmarks of every part, chained under one outline root."""
    if not items:
        return
    root = out.make_indirect(Dictionary(Type=Name.Outlines))
    count = 0
    for i, item in enumerate(items):
        item.Parent = root
        for key in ("/Prev", "/Next"):
            if key in item:
                del item[key]
        if i:
            item.Prev = items[i - 1]
        if i + 1 < len(items):
            item.Next = items[i + 1]
        count += 1 + max(int(item.get("/Count", 0)), 0)
    root.First, root.Last, root.Count = items[0], items[-1], count
    out.Root.Outlines = root

"""The last pass over a finished PDF, where WeasyPrint's tagging falls short of PDF/UA-1.

- Page furniture (running heads, folios, footers) is drawn in margin boxes that
  WeasyPrint tags as content whose structure elements hang from nothing: reachable
  from the parent tree, not from the structure root. Here it becomes what PDF/UA
  asks of furniture: /Artifact marked content, out of the parent tree.
- A right-to-left edition says so to viewers: /ViewerPreferences /Direction /R2L.
- A book joined from parts embeds one subset of a face per part, each named with
  the same six-letter tag; ISO 32000 wants a tag per subset, so each subset is named
  after its own font program (the same bytes, the same name: still repeatable).
"""

from __future__ import annotations

import hashlib
import io
import string

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

PAGINATION = Dictionary(Type=Name.Pagination)
BDC = pikepdf.Operator("BDC")


def finish(pdf: Pdf, *, rtl: bool) -> None:
    """Every fix above, in place."""
    furniture_as_artifacts(pdf)
    if rtl:
        prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
        prefs.Direction = Name.R2L
        pdf.Root.ViewerPreferences = prefs
    name_subsets(pdf)


def finish_bytes(data: bytes, *, rtl: bool) -> bytes:
    with Pdf.open(io.BytesIO(data)) as pdf:
        finish(pdf, rtl=rtl)
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    """The structure elements below the structure root (by object number)."""
    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        element = todo.pop()
        if element.objgen in seen:
            continue
        seen.add(element.objgen)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, Dictionary) and kid.get("/Type") not in (Name.MCR, Name.OBJR):
                todo.append(kid)
    return seen


def furniture_as_artifacts(pdf: Pdf) -> int:
    """Mark content whose structure element is unreachable as an artifact; return how many."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return 0
    linked = reachable(tree)
    nums = tree.ParentTree.Nums
    marks = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2) if isinstance(nums[i + 1], Array)}
    count = 0
    for page in pdf.pages:
        elements = marks.get(int(page.obj.get("/StructParents", -1)))
        if elements is None:
            continue
        loose = {mcid for mcid, element in enumerate(elements)
                 if isinstance(element, Dictionary) and element.objgen not in linked}
        if not loose:
            continue
        content = pikepdf.parse_content_stream(page)
        for i, instruction in enumerate(content):
            if isinstance(instruction, pikepdf.ContentStreamInstruction) and instruction.operator == BDC:
                properties = instruction.operands[1]
                if isinstance(properties, Dictionary) and int(properties.get("/MCID", -1)) in loose:
                    content[i] = pikepdf.ContentStreamInstruction([Name.Artifact, PAGINATION], BDC)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(content))
        for mcid in loose:
            elements[mcid] = pikepdf.Object.parse(b"null")
        count += len(loose)
    return count


def name_subsets(pdf: Pdf) -> None:
    """Tag each embedded subset after its font program (ABCDEF+Name)."""
    for font in _fonts(pdf):
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        base = str(font.BaseFont)
        if descriptor is None or len(base) < 8 or base[7] != "+":
            continue
        program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
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

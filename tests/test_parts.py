"""A book rendered in parts (pipeline/book.py) and joined (pipeline/merge.py):
one structure tree, every link and bookmark where it belongs, and pages exactly
as if rendered whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from pipeline.book import PART_ENTRIES, print_book, runs
from pipeline.build import Project, prepare, resolve_locale
from pipeline.present import View

from .conftest import HANDBOOK, ROOT, Built


def test_runs_group_whole_sections_up_to_the_budget(view: View) -> None:
    sizes = [len(s.entries) for s in view.sections]
    assert sizes == [6, 6, 4, 4]
    assert [[len(s.entries) for s in run] for run in runs(view.sections, 10)] == [[6], [6, 4], [4]]
    assert [len(run) for run in runs(view.sections, 16)] == [3, 1]
    assert [[len(s.entries) for s in run] for run in runs(view.sections, 3)] == [
        [6],
        [6],
        [4],
        [4],
    ]  # never split
    assert [len(run) for run in runs(view.sections, 1000)] == [4]
    assert runs((), 10) == []


def parent_tree(tree: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    nums = tree.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys))
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def test_one_structure_tree_that_every_page_and_link_belongs_to(
    built: dict[str, Built], locale: str
) -> None:
    assert_one_structure_tree(built[locale].pdf)


def test_every_internal_link_leads_where_its_bookmark_does(
    built: dict[str, Built], locale: str
) -> None:
    assert_links_lead_where_bookmarks_do(built[locale].pdf)


def assert_one_structure_tree(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        dicts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
        assert [o.get("/Type") for o in dicts].count("/StructTreeRoot") == 1
        assert [o.get("/S") for o in dicts].count("/Document") == 1
        tree = pdf.Root.StructTreeRoot
        document = tree.K[0]
        entries = parent_tree(tree)
        below_root = reachable_elements(tree)
        for page in pdf.pages:
            marked = [
                e for e in entries[int(page.obj.StructParents)] if isinstance(e, pikepdf.Dictionary)
            ]
            for element in marked:
                assert element.objgen in below_root, (
                    f"{element.get('/S')} is in the parent tree, not below the root"
                )
                while (
                    element.objgen != document.objgen
                ):  # every marked element hangs from the one Document
                    element = element.P
            for annot in page.obj.get("/Annots", []):
                owner = entries[
                    int(annot.StructParent)
                ]  # the element whose object reference is this annotation
                assert any(
                    k.get("/Obj") is not None and k.Obj.objgen == annot.objgen
                    for k in owner.K
                    if isinstance(k, pikepdf.Dictionary)
                )


def reachable_elements(tree: pikepdf.Dictionary) -> set[tuple[int, int]]:
    """Every structure element listed, directly or not, in the /K of the root (a walk down)."""
    seen: set[tuple[int, int]] = set()
    todo = [tree]
    while todo:
        element = todo.pop()
        seen.add(element.objgen)
        kids = element.get("/K")
        todo += [
            k
            for k in (kids if isinstance(kids, pikepdf.Array) else [kids])
            if isinstance(k, pikepdf.Dictionary) and "/S" in k and k.objgen not in seen
        ]
    return seen


def assert_links_lead_where_bookmarks_do(path: Path) -> None:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        bookmarks = {
            str(item.title): index[item.destination[0].objgen]
            for section in outline.root
            for item in (section, *section.children)
        }
        links = [
            (i, str(a.Dest), str(a.Contents))
            for i, page in enumerate(pdf.pages)
            for a in page.obj.get("/Annots", [])
            if "/Dest" in a
        ]
        assert len({name for _, name, _ in links}) == len(
            bookmarks
        )  # the contents link every section and question
        for page, name, description in links:
            target = index[dests[name][0].objgen]
            assert target == bookmarks[description], name  # the description is the bookmark's title
            assert target > page  # from the contents, forward into the body


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.mark.parametrize("code", ["en", "ar"])
def test_parts_change_only_where_pages_break(tmp_path: Path, code: str) -> None:
    """The body rendered in one part, or one section a part: the same headings in the
    same order, folios running on across parts, the contents leading where the bookmarks
    do; the one difference is that a part starts on a new page (sections otherwise flow)."""
    project = Project(ROOT)
    handbook = project.load(HANDBOOK)
    prepared = prepare(
        project, handbook, resolve_locale(project, handbook, code), allow_partial=False
    )
    outlines, pages = [], []
    for budget in (PART_ENTRIES, 10, 1):
        printed = print_book(
            project.layouts,
            (project.layouts, project.source),
            prepared.view,
            prepared.gettext,
            size="letter",
            press=False,
            budget=budget,
        )
        path = tmp_path / f"{budget}.pdf"
        path.write_bytes(printed.pdf)
        with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
            outlines.append(
                [(item.title, [c.title for c in item.children]) for item in outline.root]
            )
            pages.append(len(pdf.pages))
        assert_one_structure_tree(path)
        assert_links_lead_where_bookmarks_do(path)
    assert outlines[0] == outlines[1] == outlines[2]
    assert pages[0] <= pages[1] <= pages[2] <= pages[0] + 2 * len(prepared.view.sections)


def assert_structure_holds(path: Path, *, rtl: bool) -> None:
    """What a PDF/UA checker walks: no structure element outside the tree, page furniture
    as artifacts, the reading direction, one font program per subset name."""
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        below_root = reachable_elements(tree)
        for value in parent_tree(tree).values():
            for element in value if isinstance(value, pikepdf.Array) else [value]:
                assert (
                    not isinstance(element, pikepdf.Dictionary) or element.objgen in below_root
                ), element.get("/S")
        prefs = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
        assert (prefs.get("/Direction") == "/R2L") is rtl
        programs: dict[str, set[bytes]] = {}
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", pikepdf.Dictionary()).values():
                descriptor = (
                    font.DescendantFonts[0] if "/DescendantFonts" in font else font
                ).FontDescriptor
                program = next(
                    descriptor[k]
                    for k in ("/FontFile2", "/FontFile3", "/FontFile")
                    if k in descriptor
                )
                programs.setdefault(str(font.BaseFont), set()).add(program.read_raw_bytes())
        assert {name: len(p) for name, p in programs.items() if len(p) > 1} == {}
        links = [
            o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Link"
        ]
        for link in links:  # no Link inside a Link
            up = link.get("/P")
            while isinstance(up, pikepdf.Dictionary) and "/S" in up:
                assert up.S != "/Link"
                up = up.get("/P")
        for page in pdf.pages:  # one annotation a link: none inside another with the same target
            rects = [
                (str(a.get("/Dest") or a.get("/A", {}).get("/URI")), [float(x) for x in a.Rect])
                for a in page.obj.get("/Annots", [])
            ]
            for i, (target, r) in enumerate(rects):
                assert not any(
                    j != i
                    and t == target
                    and q[0] <= r[0]
                    and r[2] <= q[2]
                    and q[1] <= r[1]
                    and r[3] <= q[3]
                    for j, (t, q) in enumerate(rects)
                ), target


def artifact_text_pages(path: Path) -> list[int]:
    """Pages whose content has pagination artifacts (running heads, folios, footers)."""
    with pikepdf.open(path) as pdf:
        return [
            i
            for i, page in enumerate(pdf.pages)
            if any(
                isinstance(op, pikepdf.ContentStreamInstruction)
                and op.operator == pikepdf.Operator("BDC")
                and op.operands[0] == "/Artifact"
                for op in pikepdf.parse_content_stream(page)
            )
        ]


def test_structure_holds_in_every_locale(built: dict[str, Built], locale: str) -> None:
    from pipeline.locales import locale_info

    assert_structure_holds(
        built[locale].pdf, rtl=locale_info(locale, ROOT / "locales").dir == "rtl"
    )
    with pikepdf.open(built[locale].pdf) as pdf:
        body = range(
            int(pdf.Root.PageLabels.Nums[2]), len(pdf.pages) - 1
        )  # between the front matter and the back cover
    assert set(body) <= set(
        artifact_text_pages(built[locale].pdf)
    )  # every body page: head, folio, footer


def languages_tagged(path: Path) -> dict[str, int]:
    """How many structure elements declare each /Lang (PDF/UA 7.2: text in another language
    than the document's says so)."""
    with pikepdf.open(path) as pdf:
        out: dict[str, int] = {}
        for o in pdf.objects:
            if (
                isinstance(o, pikepdf.Dictionary)
                and o.get("/Type") == "/StructElem"
                and "/Lang" in o
            ):
                out[str(o.Lang)] = out.get(str(o.Lang), 0) + 1
        return out


def test_forked_parts_write_the_same_bytes_as_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts written in forked children (pipeline/fork.py), two at a time while the next is
    laid out, make the very PDF and cover that writing each in place makes."""
    import os

    from pipeline import fork
    from pipeline.pdf import page_image

    forks = []
    real_fork = os.fork

    def counted() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    project = Project(ROOT)
    handbook = project.load(HANDBOOK)
    prepared = prepare(
        project, handbook, resolve_locale(project, handbook, "es"), allow_partial=False
    )
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})  # on any machine
    monkeypatch.setattr(os, "fork", counted)
    out = []
    for serial in (False, True):
        monkeypatch.setattr(fork, "SERIAL", serial)
        printed = print_book(
            project.layouts,
            (project.layouts, project.source),
            prepared.view,
            prepared.gettext,
            size="letter",
            press=None,
            budget=6,
            cover=True,
        )
        out.append((printed.pdf, printed.cover))
    assert len(forks) == len(runs(prepared.view.sections, 6)) == 4  # a writer a part, once
    assert out[0] == out[1]
    assert out[0][1] == page_image(out[0][0])  # the EPUB's cover: the book's first page

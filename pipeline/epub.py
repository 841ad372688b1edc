"""EPUB 3 with ebooklib, from XHTML our own templates render.

ebooklib's EpubHtml re-parses markup (docs/pitfalls.md), so every document is a
plain EpubItem of complete XHTML. ebooklib's zip is then repacked so the same
inputs give the same bytes: mimetype first and stored, fixed dates and modes.
"""

from __future__ import annotations

import html
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import NullTranslations

from .brand import MEDIA_TYPES, logo_kind
from .html import block_id, render
from .model import Handbook, ItemList
from .present import View, build_date

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TAG = re.compile(r"<[^>]+>")
CSS_HREF = "style.css"
BACK = "back.xhtml"  # the back cover's document
NAMESPACE = uuid.UUID("6f1c1b52-8d1e-4b7e-9d0c-2f3c6a9e4d11")  # this project's uuid5 namespace


@dataclass(frozen=True)
class Asset:
    name: str  # path inside the EPUB's content folder
    media_type: str
    data: bytes


def urn(*parts: str) -> str:
    """A stable id: the uuid5 of the parts in this project's namespace."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '/'.join(parts))}"


def identifier(hb: Handbook, tag: str) -> str:
    """The EPUB's dc:identifier: the same handbook, language(s) and edition, the same id."""
    return urn(hb.id, tag, hb.edition.isoformat())


def accessibility(view: View, has_pages: bool) -> list[tuple[str, str]]:
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]  # no images in the text
    if has_pages:
        features.append("pageNavigation")
    if view.hb.logo:
        features.append("alternativeText")  # the logo's, from the source
    summary = (
        "Text-only handbook with a navigable table of contents, headings for every section and "
        "question, and the language of each passage marked. No images carry content; the cover "
        "image repeats the cover text."
    )
    return [
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        *[("schema:accessibilityFeature", f) for f in features],
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]


def declare_page_source(book: Any, edition: str) -> None:
    """The page-list maps the print edition's pages: say which edition (Ace: epub-pagesource)."""
    book.add_metadata("DC", "source", edition)
    book.add_metadata(
        None, "meta", edition, {"property": "pageBreakSource"}
    )  # incubating in EPUB 3.4; EPUBCheck 5 accepts it


def with_package_language(opf: bytes, lang: str) -> bytes:
    """ebooklib writes no xml:lang on <package>; Ace (epub-lang) wants it."""
    return opf.replace(b"<package ", f'<package xml:lang="{lang}" '.encode(), 1)


def repack(data: bytes, lang: str) -> bytes:
    """Deterministic zip: mimetype first and stored, then entries in a fixed order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in src.namelist() if n != "mimetype"]
    names.sort(key=lambda n: (not n.startswith("META-INF/"), n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:

        def put(name: str, body: bytes, method: int) -> None:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = method
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            dst.writestr(info, body, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None)

        put("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
        for name in names:
            body = src.read(name)
            put(
                name,
                with_package_language(body, lang) if name.endswith(".opf") else body,
                zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def embedded_fonts(view: View, text: str) -> tuple[list[Asset], list[dict[str, str]]]:
    """Subset the locale's script fonts to the book's characters (docs/pitfalls.md: ebooklib
    does not)."""
    from .fonts import family_files, subset

    assets, faces = [], []
    for family in view.loc.fonts.embed:
        for face in family_files(family):
            name = f"fonts/{family.replace(' ', '')}-{face.weight}.woff"
            assets.append(Asset(name, "font/woff", subset(face, text)))
            faces.append({"family": family, "weight": str(face.weight), "href": name})
    return assets, faces


def new_book(view: View, *, tag: str, page_source: str, cover_jpeg: bytes) -> Any:
    """An ebooklib book with the package metadata every edition shares: identifier,
    title, language and direction of `view`, accessibility, the print edition its
    page-list follows (if any), the cover image, the source's logo (if any)."""
    from ebooklib import epub

    hb = view.hb
    book = epub.EpubBook()
    book.set_identifier(identifier(hb, tag))
    book.set_title(hb.title.value)
    book.set_language(view.loc.tag)
    if view.loc.dir == "rtl":
        book.set_direction("rtl")
    if hb.subtitle.value:  # an empty dc:description fails EPUBCheck (RSC-005)
        book.add_metadata("DC", "description", hb.subtitle.value)
    book.add_metadata("DC", "date", hb.edition.isoformat())
    # E-readers show "Unknown" for a book without a creator: the publisher, else the title.
    book.add_metadata("DC", "creator", hb.publisher or hb.title.value)
    if hb.publisher:
        book.add_metadata("DC", "publisher", hb.publisher)
    for prop, value in accessibility(view, bool(page_source)):
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(
        None,
        "meta",
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
        {"property": "dcterms:conformsTo"},
    )
    if page_source:
        declare_page_source(book, page_source)
    book.set_cover("cover.jpg", cover_jpeg, create_page=False)
    if hb.logo:
        book.add_item(
            epub.EpubItem(
                uid="logo",
                file_name=logo_href(hb),
                media_type=MEDIA_TYPES[logo_kind(hb.logo)],
                content=Path(hb.logo.path).read_bytes(),
            )
        )
    return book


def logo_href(hb: Handbook) -> str:
    """Where the EPUB carries the source's logo (its documents' `logo_src`)."""
    return f"images/logo.{logo_kind(hb.logo)}" if hb.logo else ""


@dataclass(frozen=True)
class Chapter:
    """One section's document, as the EPUB's spine and table of contents list it."""

    href: str  # its document, with the section's anchor
    title: str
    node: Any  # what the chapter template renders: a SectionView, a paired section
    links: tuple[tuple[str, str, str], ...]  # (href, label, anchor) of each question


@dataclass(frozen=True)
class Content:
    """What an edition's EPUB holds, in one language or two paired: the walk through it
    (render_epub) is the same. Made by `single` here, by pipeline/bilingual.py for a pair."""

    views: tuple[View, ...]  # its languages; the first one's is the package's own
    gettext: NullTranslations  # the first language's
    tag: str  # es; es+en
    title: str  # the cover document's title, and the print edition's name
    templates: str  # the folder of chapter.xhtml.j2 and nav.xhtml.j2
    chapter: Mapping[str, Any]  # the context of every document but the nav
    nav: Mapping[str, Any]  # the nav's
    titles: tuple[str, str]  # the colophon's and the back cover's
    chapters: tuple[Chapter, ...]
    order: tuple[tuple[str, str], ...]  # reading_order: where print pages can start
    css: str = ""  # after the EPUB's stylesheet (a pair's columns)


def single(view: View, gettext: NullTranslations) -> Content:
    """The EPUB of one language."""
    _ = gettext.gettext
    chapters = tuple(
        Chapter(
            s.href,
            s.title.value,
            s,
            tuple((q.href, f"{q.number}. {q.entry.question.value}", q.anchor) for q in s.entries),
        )
        for s in view.sections
    )
    return Content(
        views=(view,),
        gettext=gettext,
        tag=view.loc.tag,
        title=view.hb.title.value,
        templates="epub",
        chapter={"sms_links": False, "logo_src": logo_href(view.hb)},
        nav={},
        titles=(_("About this handbook"), _("Get help now")),
        chapters=chapters,
        order=tuple(reading_order(view)),
    )


def render_epub(
    layouts: Path,
    content: Content,
    *,
    pages: Mapping[str, int],
    continued: Mapping[int, tuple[str, str]],
    cover_jpeg: bytes,
) -> bytes:
    """The EPUB's bytes. `pages` maps the body's anchors (sections, entries, blocks, the back
    cover) to the print page each starts on; the page-list has every page from the first
    section's to the back cover's; `continued` says which pages start inside a block
    (pipeline/pdf.py continued_pages). The front matter (cover, colophon, contents, roman
    folios) is left out: the EPUB's own cover is an image and its contents is the nav,
    which neither shows the print contents' page numbers nor follows the print order."""
    from ebooklib import epub  # heavy: imported only when rendering

    first, *others = content.views
    gettext, hb = content.gettext, first.hb
    languages = "-".join(v.loc.english_name for v in content.views)
    edition = f"{content.title}, {languages} print edition of {hb.edition.isoformat()}"
    page_source = edition if pages else ""
    book = new_book(first, tag=content.tag, page_source=page_source, cover_jpeg=cover_jpeg)
    for other in others:  # the package declares every language of the book
        book.add_metadata("DC", "title", other.hb.title.value)
        book.add_metadata("DC", "language", other.loc.tag)

    documents: list[tuple[str, str, str]] = []  # (uid, file name, XHTML)
    order = list(content.order)
    breaks = page_breaks(order, pages, continued)
    chapter = f"{content.templates}/chapter.xhtml.j2"

    def document(uid: str, name: str, title: str, **extra: object) -> None:
        context = {**content.chapter, **extra}
        xhtml = render(layouts, chapter, first, gettext, title=title, css_href=CSS_HREF, **context)
        documents.append((uid, name, place_within(xhtml, breaks)))

    document("cover", "cover.xhtml", content.title, part="cover", body_type="cover")
    page_list = print_pages(order, breaks, first.loc.digits)
    nav = f"{content.templates}/nav.xhtml.j2"
    context = {**content.nav, "css_href": CSS_HREF, "pages": page_list}
    documents.append(("nav", "nav.xhtml", render(layouts, nav, first, gettext, **context)))
    colophon, back = content.titles
    document("colophon", "colophon.xhtml", colophon, part="colophon", body_type="frontmatter")
    for i, c in enumerate(content.chapters, start=1):
        name = c.href.split("#")[0]
        body = {"section": c.node, "body_type": "bodymatter", "pagebreaks": breaks}
        document(f"section-{i:02d}", name, c.title, **body)
    document("back", BACK, back, part="back", body_type="backmatter", pagebreaks=breaks)

    text = visible_text(documents)
    assets: list[Asset] = []
    faces: list[dict[str, str]] = []
    for view in content.views:  # each language's script fonts, each file once
        fonts, view_faces = embedded_fonts(view, text)
        assets += [f for f in fonts if f.name not in {x.name for x in assets}]
        faces += [f for f in view_faces if f not in faces]
    css = render(layouts, "epub/style.css.j2", first, gettext, font_faces=faces)
    book.toc = [
        (
            epub.Section(c.title, href=c.href.split("#")[0]),
            [epub.Link(href, label, anchor) for href, label, anchor in c.links],
        )
        for c in content.chapters
    ]
    return package(book, documents, "\n".join([css, content.css]) if content.css else css, assets)


def reading_order(view: View) -> list[tuple[str, str]]:
    """(EPUB document, id) of every block of the body that a print page can start at, in
    reading order: section titles, questions, paragraphs, list items, and the back cover."""
    out = []
    for s in view.sections:
        doc = s.href.split("#")[0]
        out.append((doc, s.anchor))
        for q in s.entries:
            out.append((doc, q.anchor))
            for block in q.entry.answer:
                texts = (
                    [i.text for i in block.items] if isinstance(block, ItemList) else [block.text]
                )
                out += [(doc, block_id(t.key)) for t in texts]
    return [*out, (BACK, "back")]


@dataclass(frozen=True)
class PageBreaks:
    """Where the EPUB marks each print page of the body: before the block that starts
    the page, or inside the block the page starts in (a long paragraph or list item)."""

    before: dict[str, tuple[int, ...]]  # block id -> the pages that start at the block
    within: dict[str, tuple[int, ...]]  # block id -> the pages that start inside it
    lines: dict[int, str]  # such a page -> its first line, as laid out

    def pages(self, block: str) -> tuple[int, ...]:
        """The pages marked at or in `block`, in reading order."""
        return self.before.get(block, ()) + self.within.get(block, ())


def page_breaks(
    order: list[tuple[str, str]],
    starts: Mapping[str, int],
    continued: Mapping[int, tuple[str, str]],
) -> PageBreaks:
    """`starts` maps ids to the page each starts on; `continued`, a page that starts inside a
    block begun earlier to that block's id and the page's first line. The body's pages run
    from the first block's page to the back cover's, each one printed. A page starting
    inside a block the EPUB cannot find (not in `order`) gets its marker before the next
    block: the nearest place after the page's first words that the EPUB can point to."""
    known = {block for _doc, block in order}
    blocks = [(starts[i], i) for _doc, i in order if i in starts]
    before: dict[str, list[int]] = {}
    within: dict[str, list[int]] = {}
    page = blocks[0][0] if blocks else 1
    for start, block in blocks:
        while page <= start:
            inside = continued.get(page, ("", ""))[0]
            (
                within.setdefault(inside, []) if inside in known else before.setdefault(block, [])
            ).append(page)
            page += 1
    return PageBreaks(
        {b: tuple(p) for b, p in before.items()},
        {b: tuple(p) for b, p in within.items()},
        {page: continued[page][1] for pages in within.values() for page in pages},
    )


def print_pages(
    order: list[tuple[str, str]], breaks: PageBreaks, digits: Callable[[int], str]
) -> list[dict[str, str]]:
    """The nav's page-list: a link to each print page's marker, labelled in the locale's digits."""
    return [
        {"href": f"{doc}#page-{page}", "label": digits(page)}
        for doc, block in order
        for page in breaks.pages(block)
    ]


def place_within(xhtml: str, breaks: PageBreaks) -> str:
    """Move each marker of a page that starts inside a block from the block's end, where the
    layouts put it (_pagebreak.j2), to the word the page starts with: found by the page's
    first words (after a word split by a hyphen at the page's turn, which stays whole).
    Where they are not found, the marker stays at the block's end, before the next block."""
    for block, pages in breaks.within.items():
        for page in pages:
            marked, opening = xhtml.find(f' id="page-{page}"'), xhtml.find(f' id="{block}"')
            if marked < 0 or opening < 0:
                continue  # not this document's
            at = xhtml.rfind("<span ", 0, marked)
            end = xhtml.index("></span>", at) + len("></span>")
            marker = xhtml[at:end]
            content = xhtml.index(">", opening) + 1
            offset = word_offset(xhtml[content:at], breaks.lines[page])
            if offset is not None:
                xhtml = (
                    xhtml[: content + offset] + marker + xhtml[content + offset : at] + xhtml[end:]
                )
    return xhtml


def word_offset(markup: str, line: str) -> int | None:
    """Where in `markup` (a block's content) the text `line` begins, at a word's start; None
    when it is not there. Of several matches the last is taken: a line short enough to
    repeat is the block's last, or nearly."""
    chars: list[tuple[int, str]] = []  # (index in markup, character of the text)
    for m in re.finditer(r"<[^>]*>|&[^;\s]*;|[^<&]", markup, re.S):
        if not m.group().startswith("<"):
            chars.append((m.start(), html.unescape(m.group())))
    text = "".join(c for _i, c in chars)
    words = line.split()
    if words and words[-1].endswith(("\u2010", "-", "\u00ad")):
        words = words[:-1]  # the line's last word goes on to the next line
    found = list(re.finditer(r"\s+".join(map(re.escape, words[:6])), text)) if words else []
    if not found:
        return None
    start = found[-1].start()
    if start and not text[start - 1].isspace():  # the page goes on with a word begun before it
        space = re.compile(r"\s+").search(text, start)
        if space is None or space.end() >= len(text):
            return None
        start = space.end()
    return chars[start][0]


def visible_text(documents: list[tuple[str, str, str]]) -> str:
    """The characters a reader sees: what the embedded fonts must cover."""
    return " ".join(TAG.sub(" ", html.unescape(xhtml)) for _uid, _name, xhtml in documents)


def package(
    book: Any, documents: list[tuple[str, str, str]], css: str, assets: list[Asset]
) -> bytes:
    """Add the stylesheet, fonts, XHTML documents (the spine, in order) and the NCX; write and
    repack."""
    from ebooklib import epub

    book.add_item(
        epub.EpubItem(uid="style", file_name=CSS_HREF, media_type="text/css", content=css.encode())
    )
    for asset in assets:
        uid = asset.name.replace("/", "-").replace(".", "-")
        book.add_item(
            epub.EpubItem(
                uid=uid, file_name=asset.name, media_type=asset.media_type, content=asset.data
            )
        )
    spine = []
    for uid, name, xhtml in documents:
        item = epub.EpubItem(
            uid=uid, file_name=name, media_type="application/xhtml+xml", content=xhtml.encode()
        )
        if uid == "nav":
            item.properties = ["nav"]
        book.add_item(item)
        spine.append(item)
    book.spine = spine
    book.add_item(
        epub.EpubNcx()
    )  # older readers; the spine names it (docs/pitfalls.md: OPF-049 without it)
    buf = io.BytesIO()
    # Our nav carries landmarks and the page-list; ebooklib's English guide and pages are off.
    options = {
        "mtime": build_date(),
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
        "package_direction": True,
    }
    epub.write_epub(buf, book, options)
    return repack(buf.getvalue(), book.language)

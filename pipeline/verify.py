"""Verify the output, not only the input.

Gates on the source and the catalogs can be bypassed (a direction control, a
number glued to a letter, a layout that prints what no gate saw). This reads
the finished PDF and EPUB the way a reader's software does (pdfium for the
PDF's text layer, the EPUB's documents parsed as XML) and checks what a reader
depends on:

- every contact number of the source is there, digit for digit and in reading
  order, where the layouts promise it: the cover's help box, the footer of every
  body page and the back cover (once per language of the edition), both sides of
  the wallet card and every card of its print sheet, the EPUB's cover and back;
- no phone-like number, URL, domain or e-mail address the source does not have;
- no number or address of the source broken across two lines (a reader dials or types what
  they see: +1 202 671 / 1880, help@humantrafficking- / hotline.org with a hyphen the address
  does not have);
- no bidi embedding or override control (U+202A-U+202E) in any text;
- no text outside the page box.

A number is phone-like when a reader could dial it: three digits or more, or
several groups (1-800-555-0199); a phone number as people write it, (202) 671-1880,
is one number, and may be printed another way that dials the same (inline.dial). An
edition may print one when the source has it (in any text, contact or citation of a
source; digits compare in any script, so Arabic-Indic and Persian digits count as what
they are), when the edition prints it by itself (its date, the review date, the dates
entries were reviewed and their sources read, the share translated, the number of
entries), or when it is a plain count no larger than the pages, the entries or the items
of a list (folios, entry and list numbers). A number only a layout has is not
allowed: what a reader may call belongs in the source's contacts.

The build calls check_edition / check_card on the bytes in memory before it
writes anything; `handbook verify FILE...` calls verify_files on built files.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Place, RenderError, error, has_errors, relative
from .inline import BIDI_MARKS, PHONE, numbers, spaced
from .model import Contact, Handbook, ItemList, Text, iter_texts
from .sheet import faces

if TYPE_CHECKING:
    from .present import View

BIDI_CONTROL = re.compile("[\u202a-\u202e]")
BIDI_NAMES = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
}
# \d is every script's decimal digits; a number glued to a letter (Nº1-800...) is still one.
NUMBER = re.compile(r"\+?\d+(?:[-.\u2010\u2011]\d+)*")
GROUP_SEPARATOR = re.compile(r"[-.\u2010\u2011]")
# Bidi marks end an address (the layouts put LRM around it in right-to-left text), unless the
# address goes on after them: one changed by an invisible character is another address.
URL_PART = rf"[^\s<>\"'(){BIDI_MARKS}]+"
URL = re.compile(
    rf"(?i)(?:https?://|mailto:){URL_PART}"
    rf"(?:[{BIDI_MARKS}]+(?=[A-Za-z0-9_/?#=&%~+-]|\.[A-Za-z0-9]){URL_PART})*"
)
EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A bare host (www.ayuda-trata.example, ayuda.org), also when glued to non-Latin text.
HOST = re.compile(
    r"(?<![A-Za-z0-9.@/_-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}(?![A-Za-z0-9_-])"
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DIGIT_RUN = re.compile(r"\d+")
# pdfium ends a line with CR LF, or stands U+0002 for a hyphen that ends a line and the break
LINE_BREAK = re.compile(r"\r\n|[\r\n\x02]")
WORD, LAST_WORD = re.compile(r"\S+"), re.compile(r"\S+$")
# A number's part at the end of a line and at the start of the next: digits and what a
# number is written with between them (spaces, brackets, + - .), bidi marks.
NUMBER_PART = rf"[\d ()+.\u2010\u2011\-{BIDI_MARKS}]*"
NUMBER_END, NUMBER_START = re.compile(rf"{NUMBER_PART}$"), re.compile(NUMBER_PART)
HYPHENATION = "\u2010\u00ad"  # what WeasyPrint (U+2010) or a soft hyphen draws at a break
TRAILING = ".,;:!?)]}'\""
EDGE_TOLERANCE = 0.5  # pt a glyph box may graze the page edge by rounding
BOX_GAP = 12.0  # pt between runs of a line that are different boxes (footer left, right)
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
SPOKEN = ("aria-label", "alt", "title")  # attributes screen readers read out
EXTERNAL = re.compile(r"(?i)(?:tel|sms|https?|mailto):")
ADVICE = (
    "the translation of the line that prints it must keep %(number)s, with nothing in or "
    "around it that changes its direction"
)

Rect = tuple[float, float, float, float]  # left, bottom, right, top in pt (PDF space: y goes up)
Region = tuple[float, float, float, float]  # x, y, width, height in pt from the page's top left


def digits(token: str) -> str:
    """The token's digits in ASCII, whatever script they are written in."""
    return "".join(str(unicodedata.decimal(c)) for c in token if c.isdecimal())


def groups(token: str) -> int:
    return len(GROUP_SEPARATOR.split(token))


def phone_like(token: str) -> bool:
    return len(digits(token)) >= 3 or groups(token) > 1


def links_in(text: str) -> Iterator[str]:
    """URLs, e-mail addresses and bare hosts, each once (a host inside a URL is the URL)."""
    taken: list[tuple[int, int]] = []
    for pattern in (URL, EMAIL, HOST):
        for m in pattern.finditer(text):
            token = m.group().rstrip(TRAILING)
            inside = any(a < m.end() and m.start() < b for a, b in taken)
            if inside or (pattern is HOST and not _host(token)):
                continue
            taken.append(m.span())
            yield token


def _host(token: str) -> bool:
    """'www.x.example' and 'ayuda.org'; not abbreviations such as 'EE.UU' or 'p.ex' (labels
    of one or two letters) nor '1.Promesas' (a list number before a word)."""
    labels = token.lower().split(".")
    return labels[0] == "www" or (
        any(len(label) >= 3 for label in labels) and any(c.isalpha() for c in "".join(labels[:-1]))
    )


def link_keys(token: str) -> tuple[str, str]:
    """A link as compared with the source's (no scheme, 'www.' or case), and its host."""
    key = re.sub(r"^(?:https?://|mailto:)", "", token.lower().rstrip(TRAILING))
    key = key.removeprefix("www.").rstrip("/")
    return key, key.split("/")[0].split("@")[-1]


@dataclass(frozen=True)
class Number:
    """A number the layouts promise: 'the hotline number 1-888-373-7888'."""

    what: str
    value: str


def numbers_of(contacts: Iterable[Contact]) -> tuple[Number, ...]:
    out = []
    for c in contacts:
        if c.phone:
            out.append(Number(f"{c.id} number", c.phone))
        if c.sms:
            out.append(Number(f"{c.id} text number", c.sms))
    return tuple(out)


@dataclass(frozen=True)
class Expected:
    """What the source promises a reader, and what else an edition may print."""

    source: str  # the handbook's source file, where contacts are added
    help: tuple[Number, ...]  # on the cover, the back cover, the EPUB's help section
    card: tuple[Number, ...]  # on each side of the wallet card
    hotline: Number | None  # in the footer of every body page
    numbers: frozenset[str]  # digits (ASCII) of every number the edition may print
    links: frozenset[str]  # link keys and hosts of the source
    phones: tuple[str, ...]  # the source's numbers of several groups, as written
    most: int  # plain numbers up to this are counts (entries, list items); files add their pages
    languages: tuple[str, ...]  # each promised number is printed once per language
    texts: tuple[Text, ...] = field(repr=False)  # as translated: where a stray number came from
    paper: str = "letter"  # the card sheet's (pipeline/sheet.py)


def expect(source: Handbook, views: Sequence[View]) -> Expected:
    """What to expect of an edition of `source` in the languages of `views` (two: bilingual)."""
    from .present import edition_date

    by_id = {c.id: c for c in source.contacts}
    card = [by_id[i] for i in source.card.contacts if i in by_id] if source.card else []
    printed = [t.value for t in iter_texts(source)]
    printed += [v for c in source.contacts for v in (c.name, c.phone, c.sms, c.url)]
    printed += [*source.names, source.publisher]
    printed += [v for e in source.entries for c in e.sources for v in (c.title, c.url)]
    days = [d for e in source.entries for d in (e.reviewed, *(c.accessed for c in e.sources)) if d]
    for view in views:
        printed += [view.edition, view.coverage, view.loc.digits(view.entry_count)]
        printed += [view.loc.digits(edition_date(day, view.loc)) for day in days]
        if ISO_DATE.fullmatch(view.status.review_date):  # a catalog header says it: only a date
            printed.append(view.status.review_date)
    lists = [len(b.items) for e in source.entries for b in e.answer if isinstance(b, ItemList)]
    contacts = numbers_of(source.contacts)
    return Expected(
        source=source.path,
        help=contacts,
        card=numbers_of(card),
        hotline=next((n for n in contacts if n.value == views[0].hotline), None),
        # The digits of every number, and of each phone number as a whole: a translation may
        # write (202) 671-1880 as 202-671-1880 (inline.dial), and a line may break inside it.
        # A contact's number too, however it is written: its tel: link dials it (116 006).
        numbers=frozenset(
            digits(m.group())
            for text in printed
            for m in (*NUMBER.finditer(text), *PHONE.finditer(text))
        )
        | {digits(n.value) for n in contacts},
        links=frozenset(k for text in printed for t in links_in(text) for k in link_keys(t)),
        phones=tuple(
            dict.fromkeys(
                number
                for number in (
                    *(n.value for n in contacts),
                    *(m.group() for text in printed for m in PHONE.finditer(text)),
                )
                if spaced(number)
            )
        ),
        most=max([len(source.entries), len(source.sections), *lists]),
        languages=tuple(v.loc.tag for v in views),
        texts=tuple(t for v in views for t in iter_texts(v.hb)),
        paper=source.paper,
    )


# Reading: what a reader's software gets out of the files.


@dataclass(frozen=True)
class Page:
    index: int  # 0-based
    label: str  # from the PDF's /PageLabels ("" when it has none)
    text: str  # the text inside the page box, in the order a reader's software reads it
    footer: str  # the lowest line inside the page box
    above: str  # the text inside the page box above that line
    outside: str  # text drawn outside the page box ("" when none)
    beyond: str  # how far and where: "20 pt below its bottom edge"
    regions: tuple[str, ...] = ()  # the text of each region asked for (the cards of a sheet)

    @property
    def body(self) -> bool:
        """A page of the body carries the running footer. Page labels say which (the front
        matter's are roman); a PDF without labels has only its cover in front."""
        return bool(self.text.strip()) and (self.label.isdigit() if self.label else self.index > 0)


@dataclass(frozen=True)
class PdfText:
    pages: tuple[Page, ...]
    other: tuple[str, ...]  # bookmarks and metadata: viewers and screen readers show them


def read_pdf(data: bytes, regions: Sequence[Sequence[Region]] = ()) -> PdfText:
    """The text layer of every page, with pdfium. `regions[i]`: parts of page i whose
    text is wanted on its own."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = tuple(
            _page(pdf, i, regions[i] if i < len(regions) else ()) for i in range(len(pdf))
        )
        other = [item.get_title() for item in pdf.get_toc()]
        other += [str(v) for v in pdf.get_metadata_dict().values() if v]
    finally:
        pdf.close()
    return PdfText(pages, tuple(other))


def _page(pdf: Any, index: int, regions: Sequence[Region]) -> Page:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        box: Rect = page.get_trimbox()  # the finished page: the media box less any bleed
        left, bottom, right, top = box
        rects = [textpage.get_rect(k) for k in range(textpage.count_rects())]
        inside = [r for r in rects if not _beyond(r, box)[1]]
        line, runs = bottom, []  # the top of the lowest line, and its runs of text
        if inside:
            low = min(inside, key=lambda r: r[1])
            runs = _runs([r for r in inside if r[1] < low[3]])
            line = max(r[3] for r in runs)
        past: dict[str, list[Rect]] = {}  # edge -> the rectangles that reach past it
        for r in rects:
            edge, amount = _beyond(r, box)
            if amount:
                past.setdefault(edge, []).append(r)
        # One rectangle around all that passed an edge: pdfium cuts lines where direction changes.
        outside = {
            edge: (
                min(r[0] for r in rs),
                min(r[1] for r in rs),
                max(r[2] for r in rs),
                max(r[3] for r in rs),
            )
            for edge, rs in past.items()
        }
        return Page(
            index=index,
            label=pdf.get_page_label(index),
            text=textpage.get_text_bounded(*box),
            # Run by run: pdfium glues the texts of two boxes on one line, as '78881-888'.
            footer="   ".join(textpage.get_text_bounded(r[0], bottom, r[2], line) for r in runs),
            above=textpage.get_text_bounded(left, line, right, top),
            outside=" ".join(textpage.get_text_bounded(*r) for r in outside.values()),
            beyond=", ".join(_distance(edge, _beyond(r, box)[1]) for edge, r in outside.items()),
            regions=tuple(
                textpage.get_text_bounded(left + x, top - y - h, left + x + w, top - y)
                for x, y, w, h in regions
            ),
        )
    finally:
        textpage.close()
        page.close()


def _runs(rects: Sequence[Rect]) -> list[Rect]:
    """Rectangles of one line merged, left to right, where less than BOX_GAP apart (pdfium
    cuts a line at every change of direction, so a number in Arabic text is in pieces)."""
    runs: list[Rect] = []
    for r in sorted(rects):
        if runs and r[0] - runs[-1][2] < BOX_GAP:
            last = runs[-1]
            runs[-1] = (last[0], min(last[1], r[1]), max(last[2], r[2]), max(last[3], r[3]))
        else:
            runs.append(r)
    return runs


def _beyond(r: Rect, box: Rect) -> tuple[str, float]:
    """The edge of the box a rectangle reaches farthest past, and how far (0: it does not)."""
    over = {
        "left": box[0] - r[0],
        "bottom": box[1] - r[1],
        "right": r[2] - box[2],
        "top": r[3] - box[3],
    }
    edge, amount = max(over.items(), key=lambda kv: kv[1])
    return edge, amount if amount > EDGE_TOLERANCE else 0.0


def _distance(edge: str, amount: float) -> str:
    where = {"left": "left of", "bottom": "below", "right": "right of", "top": "above"}[edge]
    return f"{amount:.0f} pt {where} its {edge} edge"


@dataclass(frozen=True)
class Document:
    """One XML file of an EPUB."""

    name: str  # path inside the EPUB
    kind: str  # the body's epub:type: cover, frontmatter, bodymatter, backmatter ("": none)
    text: str  # what a reader's software reads of the body, in order, spoken labels included
    starts: tuple[tuple[int, int], ...]  # (offset in text, source line) of each piece of it
    links: tuple[tuple[str, int], ...]  # (href, line) of links out of the book: tel:, http:...
    controls: tuple[tuple[str, int, str], ...]  # (control, line, text around it), anywhere
    pages: int  # the highest print page its page-break markers name

    def line(self, offset: int) -> int:
        return next((line for start, line in reversed(self.starts) if start <= offset), 0)


def read_epub(data: bytes) -> list[Document]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [
            _document(name, etree.fromstring(z.read(name), parser))
            for name in z.namelist()
            if name.endswith((".xhtml", ".html", ".ncx", ".opf", ".xml"))
        ]


def _document(name: str, root: Any) -> Document:
    controls = [
        (m.group(), line, value[max(0, m.start() - 30) : m.end() + 30])
        for line, value in _strings(root, body=False)
        for m in BIDI_CONTROL.finditer(value)
    ]
    body = root.find(f"{XHTML}body")
    if body is None:
        return Document(name, "", "", (), (), tuple(controls), 0)
    pieces = list(_strings(body, body=True))
    starts, offset = [], 0
    for line, value in pieces:
        starts.append((offset, line))
        offset += len(value)
    links, pages = [], 0
    for el in body.iter(f"{XHTML}*"):
        if EXTERNAL.match(el.get("href", "")):
            links.append((el.get("href"), el.sourceline or 0))
        if "pagebreak" in el.get(EPUB_TYPE, "").split():
            pages = max(pages, int(digits(el.get("aria-label", ""))[:6] or 0))
    return Document(
        name,
        body.get(EPUB_TYPE, ""),
        "".join(v for _, v in pieces),
        tuple(starts),
        tuple(links),
        tuple(controls),
        pages,
    )


def _strings(root: Any, *, body: bool) -> Iterator[tuple[int, str]]:
    """(line, string) of every text node in document order, each element's attribute values
    before its text: in a `body`, only the labels screen readers speak."""
    from lxml import etree

    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start" and isinstance(el.tag, str):
            for attr, value in el.attrib.items():
                if not body or attr in SPOKEN:
                    yield el.sourceline or 0, f" {value} " if body else value
            if el.text:
                yield el.sourceline or 0, el.text
        elif event == "end" and el.tail and el is not root:
            yield el.sourceline or 0, el.tail


# Checking: findings, then diagnostics that name the file and the pages.


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    key: tuple[object, ...]  # the same problem on several pages: one diagnostic naming them all
    found: tuple[str, ...] = ()  # numbers the message quotes: not reported again as strays
    page: Page | None = None  # None: the file as a whole (bookmarks, metadata)

    def on(self, page: Page | None, suffix: str = "") -> Finding:
        return Finding(self.code, f"{self.message} {suffix}".strip(), self.key, self.found, page)


def _promised(
    region: str,
    numbers: Iterable[Number],
    where: str,
    languages: Sequence[str],
    *,
    quote: bool = False,
    spill: str = "",
) -> Iterator[Finding]:
    """Each number in `region`, digit for digit and in reading order, once per language
    (`spill`: the next page's text, where a region that runs over puts it)."""
    tokens = NUMBER.findall(region)
    for n in numbers:
        count = len(re.findall(rf"(?<!\d){re.escape(n.value)}(?!\d)", region))
        if count >= len(languages):
            continue
        want = digits(n.value)
        found = tuple(
            dict.fromkeys(
                t
                for t in tokens
                if t != n.value
                and (
                    sorted(digits(t)) == sorted(want) or (len(digits(t)) >= 3 and digits(t) in want)
                )
            )
        )
        what = f"the {n.what} {n.value}"
        message = f"{what} is missing from {where}"
        if count:
            message = (
                f"{what} appears {count} time(s) in {where}, where the layout prints it "
                f"once in each language ({', '.join(languages)})"
            )
        advice = ADVICE
        if found:
            message += f" (found {', '.join(map(repr, found))})"
        elif n.value in spill:
            message += " (it is on the next page)"
            advice = "the box runs over its page: the layout must make it fit"
        elif quote:
            message += f" (it reads {_quote(region)})"
        code = "verify-number-order" if found else "verify-number-missing"
        yield Finding(code, f"{message}; {advice}", ("promised", where, n.value), found)


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _strays(
    text: str, expected: Expected, most: int, cited: Iterable[str] = ()
) -> Iterator[tuple[int, Finding]]:
    """(offset, finding) of each number and link in `text` that the source does not have."""
    seen = set(cited)
    for m in numbers(NUMBER, text):
        token, d = m.group(), digits(m.group())
        counted = groups(token) == 1 and len(d) <= 4 and int(d) <= most
        if token in seen or not phone_like(token) or d in expected.numbers or counted:
            continue
        seen.add(token)
        origin = _origin(token, expected)
        twin = next(
            (n for n in (*expected.help, *expected.card) if sorted(digits(n.value)) == sorted(d)),
            None,
        )
        if twin:
            why = (
                f"the number '{token}' is the {twin.what} {twin.value} with its digits out of "
                f"order{origin}; {ADVICE}"
            )
            yield m.start(), Finding("verify-number-order", why, ("stray", token))
        else:
            why = (
                f"the number '{token}' is not in the source, and a reader could call "
                f"it{origin}: remove it (a number readers should call belongs in the contacts "
                f"of {expected.source})"
            )
            yield m.start(), Finding("verify-number-added", why, ("stray", token))
    for token in links_in(text):
        if token in seen or not set(link_keys(token)).isdisjoint(expected.links):
            continue
        seen.add(token)
        why = (
            f"the address '{token}' is not in the source, and a reader could follow "
            f"it{_origin(token, expected)}: remove it (an address readers should use belongs in "
            f"the source, {expected.source})"
        )
        yield text.find(token), Finding("verify-link-added", why, ("stray", token))


def _groups(number: str) -> tuple[str, ...]:
    """A number's groups of digits in ASCII: (202) 671-1880 -> ('202', '671', '1880')."""
    return tuple(digits(g) for g in DIGIT_RUN.findall(number))


Turn = tuple[re.Match[str], re.Match[str], re.Match[str]]


def _line_turns(text: str, ending: re.Pattern[str], starting: re.Pattern[str]) -> Iterator[Turn]:
    """At each line break of a page's text: the break, what `ending` finds at the end of the
    line before it (searched within that line) and what `starting` finds where the next begins;
    where both find something."""
    for lb in LINE_BREAK.finditer(text):
        line = max(text.rfind(c, 0, lb.start()) for c in "\n\x02") + 1
        end = ending.search(text, line, lb.start())
        start = starting.match(text, lb.end())
        if end and start:
            yield lb, end, start


def _broken_numbers(text: str, expected: Expected) -> Iterator[tuple[int, int, Finding]]:
    """(start, end, finding) of each number of the source broken across two lines: groups that
    end one line and groups that begin the next make it, in its order (pdfium may list either
    part backwards, as it reads a number's pieces in a right-to-left line: '671 202 +1 / 1880'),
    and neither part is a number of the source by itself (a list's '1.' before a whole number:
    pdfium ends a right-to-left line with it)."""
    wanted = {_groups(n): n for n in expected.phones}
    for lb, end, start in _line_turns(text, NUMBER_END, NUMBER_START):
        tail, head = DIGIT_RUN.findall(end.group()), DIGIT_RUN.findall(start.group())
        for i, j in itertools.product(range(len(tail)), range(1, len(head) + 1)):
            parts = (tail[i:], head[:j])
            if any(_groups(" ".join(part)) in wanted for part in parts):
                continue
            readings = itertools.product(*((p, p[::-1]) for p in parts))
            keys = (_groups(" ".join(t + h)) for t, h in readings)
            if number := next((wanted[k] for k in keys if k in wanted), None):
                shown = f"{end.group().strip()}{_hyphen(lb)} / {start.group().strip()}"
                why = (
                    f"the number {number} is broken across two lines (it reads {shown!r}): a "
                    "reader dials what they see; the layout must keep a number on one line"
                )
                yield (
                    end.start(),
                    start.end(),
                    Finding("verify-number-broken", why, ("broken", number)),
                )
                break


def _hyphen(line_break: re.Match[str]) -> str:
    """The hyphen pdfium took out of the text with the line break (U+0002 stands for both)."""
    return "-" if line_break.group() == "\x02" else ""


def _broken_links(text: str, expected: Expected) -> Iterator[tuple[int, int, Finding]]:
    """(start, end, finding) of each address of the source broken across two lines, by the
    hyphenation (a hyphen the address does not have: WeasyPrint draws U+2010) or at all."""
    for lb, end, start in _line_turns(text, LAST_WORD, WORD):
        tail, head = end.group() + _hyphen(lb), start.group()
        hyphen = tail[-1] in HYPHENATION
        joined, cut = tail[:-1] + head if hyphen else tail + head, len(tail) - hyphen
        for token in links_in(joined):
            at = joined.find(token)
            if at < cut < at + len(token) and link_keys(token)[0] in expected.links:
                how = "with a hyphen it does not have" if hyphen else "at its punctuation"
                why = (
                    f"the address '{token}' is broken across two lines {how} (it reads "
                    f"{tail + ' / ' + head!r}): a reader types what they see and reaches another "
                    "address; the layout must keep an address on one line, unhyphenated"
                )
                yield (
                    end.start(),
                    start.end(),
                    Finding("verify-link-broken", why, ("link-broken", token)),
                )
                break


def _origin(token: str, expected: Expected) -> str:
    return next(
        (f" (it is in the translation of '{t.key}')" for t in expected.texts if token in t.value),
        "",
    )


def _control(char: str, context: str) -> Finding:
    shown = _quote(BIDI_CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", context))
    why = (
        f"{BIDI_NAMES[char]} (U+{ord(char):04X}) in {shown}: it reverses or re-embeds the "
        "text after it for every reader; remove it (where a direction must be set, the layouts "
        "isolate the run)"
    )
    return Finding("verify-bidi-control", why, ("control", char, context))


def _controls(text: str) -> Iterator[Finding]:
    for m in BIDI_CONTROL.finditer(text):
        yield _control(m.group(), text[max(0, m.start() - 30) : m.end() + 30])


def _page_findings(
    page: Page,
    promised: list[Finding],
    expected: Expected,
    most: int,
    box: str,
) -> Iterator[Finding]:
    """Numbers and addresses broken across lines, the promised numbers' findings (a number
    broken there is not also missing), then strays, controls and text outside `box`."""
    text, split = page.text, set()
    for start, end, f in [*_broken_numbers(text, expected), *_broken_links(text, expected)]:
        yield f.on(page)
        split.add(f.key[1])
        text = text[:start] + " " * (end - start) + text[end:]  # its pieces are not strays
    promised = [f for f in promised if f.key[-1] not in split]  # nor a number missing
    yield from (f.on(page) for f in promised)
    cited = [t for f in promised for t in f.found]
    yield from (f.on(page) for _offset, f in _strays(text, expected, most, cited))
    yield from (f.on(page) for f in _controls(page.text + page.outside))
    if page.outside:
        why = (
            f"text is drawn outside the {box} ({page.beyond}): {_quote(page.outside)}; no "
            "reader sees it, but search, copying and screen readers read it: the layout that "
            "places it there needs fixing"
        )
        yield Finding("verify-outside-page", why, ("outside", page.outside), page=page)


def _file_findings(text: PdfText) -> Iterator[Finding]:
    for value in text.other:
        yield from (f.on(None, "in the PDF's bookmarks or metadata") for f in _controls(value))


def _diagnostics(name: str, findings: Iterable[Finding]) -> list[Diagnostic]:
    """One diagnostic per problem, naming every page it is on."""
    grouped: dict[tuple[object, ...], tuple[Finding, list[Page]]] = {}
    for f in findings:
        _first, pages = grouped.setdefault((f.code, *f.key), (f, []))
        if f.page is not None and all(p.index != f.page.index for p in pages):
            pages.append(f.page)
    return [
        error(f.code, f.message, Place(f"{name}: {_pages(pages)}" if pages else name))
        for f, pages in grouped.values()
    ]


def _pages(pages: Sequence[Page]) -> str:
    """'page 7 (folio 3)', 'pages 5-21 (folios 1-17)', 'page 2 (ii)', 'page 1'."""
    numbers = _ranges([p.index + 1 for p in pages])
    labels = [p.label for p in pages if p.label]
    if len(pages) == 1:
        label = pages[0].label
        shown = f" (folio {label})" if label.isdigit() else f" ({label})" if label else ""
        return f"page {numbers}{shown}"
    if labels and all(label.isdigit() for label in labels):
        return f"pages {numbers} (folios {_ranges([int(label) for label in labels])})"
    return f"pages {numbers}" + (f" ({', '.join(labels)})" if labels else "")


def _ranges(numbers: Sequence[int]) -> str:
    """[5, 6, 7, 9] -> '5-7, 9'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _read_pdf(
    data: bytes, name: str, regions: Sequence[Sequence[Region]] = ()
) -> PdfText | Diagnostic:
    import pypdfium2

    try:
        return read_pdf(data, regions)
    except pypdfium2.PdfiumError as exc:
        return _unreadable(name, "PDF", exc)


def _unreadable(name: str, what: str, exc: Exception) -> Diagnostic:
    why = f"cannot read this {what} ({exc}); build it again"
    return error("verify-unreadable", why, Place(name))


def verify_pdf(expected: Expected, data: bytes, name: str) -> list[Diagnostic]:
    """An edition's PDF: help box, page footers, back cover, strays, controls, the page box."""
    text = _read_pdf(data, name)
    if isinstance(text, Diagnostic):
        return [text]
    pages, findings = text.pages, list(_file_findings(text))
    for page in pages:
        promised: list[Finding] = []
        languages = expected.languages
        if page.index == 0:
            spill = pages[1].text if len(pages) > 1 else ""
            promised += _promised(
                page.text, expected.help, "the cover's help box", languages, spill=spill
            )
        elif page.index == len(pages) - 1:
            promised += _promised(page.text, expected.help, "the back cover", languages)
        if (
            page.body and expected.hotline and page.index != len(pages) - 1
        ):  # the back cover has no footer
            promised += _promised(
                page.footer, [expected.hotline], "the page footer", languages, quote=True
            )
        most = max(expected.most, len(pages))
        findings += _page_findings(page, promised, expected, most, "page box")
    return _diagnostics(name, findings)


def verify_card_pdf(expected: Expected, data: bytes, name: str, *, sheet: bool) -> list[Diagnostic]:
    """The wallet card (a page per side: front, back) or its print sheet (ten cards a page, on
    the handbook's paper)."""
    regions = [[(b.x, b.y, b.w, b.h) for b in boxes] for boxes in faces(expected.paper)]
    text = _read_pdf(data, name, regions if sheet else [])
    if isinstance(text, Diagnostic):
        return [text]
    findings = list(_file_findings(text))
    for page in text.pages:
        side = "front" if page.index == 0 else "back"
        language = [expected.languages[min(page.index, len(expected.languages) - 1)]]
        promised: list[Finding] = []
        if not sheet:
            where = f"the card's {side} ({language[0]})"
            promised += _promised(page.text, expected.card, where, language)
        for n in expected.card if sheet else ():
            # The sheet repeats one side ten times: one finding names every card it fails on.
            cards = page.regions
            failing = [
                i
                for i, card in enumerate(cards, start=1)
                if any(_promised(card, [n], "", language))
            ]
            if failing:
                where = (
                    f"card{'s' if len(failing) > 1 else ''} {_ranges(failing)} of "
                    f"{len(cards)} on the sheet's {side}s"
                )
                promised += _promised(cards[failing[0] - 1], [n], where, language)
        findings += _page_findings(page, promised, expected, expected.most, "card")
    return _diagnostics(name, findings)


def verify_epub(expected: Expected, data: bytes, name: str) -> list[Diagnostic]:
    """An EPUB: the help section of its cover and back, strays and controls in every document."""
    from lxml import etree

    try:
        documents = read_epub(data)
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        return [_unreadable(name, "EPUB", exc)]
    most = max([expected.most, *(d.pages for d in documents)])
    out: list[Diagnostic] = []
    for doc in documents:
        place = f"{name}: {doc.name}"
        promised: list[Finding] = []
        if doc.kind in ("cover", "backmatter"):
            where = "the help section " + ("of the cover" if doc.kind == "cover" else "at the back")
            promised += _promised(doc.text, expected.help, where, expected.languages)
        out += [error(f.code, f.message, Place(place)) for f in promised]
        strays = _strays(doc.text, expected, most, [t for f in promised for t in f.found])
        out += [error(f.code, f.message, Place(place, doc.line(offset))) for offset, f in strays]
        for href, line in doc.links:
            if not _allowed_link(href, expected):
                why = (
                    f"the link '{href}' leads to an address or number the source does not "
                    "have: remove it"
                )
                out.append(error("verify-link-added", why, Place(place, line)))
        out += [
            error(f.code, f.message, Place(place, line))
            for char, line, context in doc.controls
            for f in [_control(char, context)]
        ]
    return out


def _allowed_link(href: str, expected: Expected) -> bool:
    """tel:+18883737888 dials a number of the source; http: and mailto: lead to its addresses."""
    scheme, _, rest = href.partition(":")
    if scheme.lower() in ("tel", "sms"):
        return digits(rest) in expected.numbers
    return not set(link_keys(href)).isdisjoint(expected.links)


# The build's gates and `handbook verify`.


def verify_edition(
    source: Handbook,
    views: Sequence[View],
    pdf: bytes | None,
    epub: bytes | None,
    *,
    pdf_name: str,
    epub_name: str,
) -> list[Diagnostic]:
    """Every problem a reader would meet in an edition's PDF and EPUB (a view per language),
    each that it has (None: not made)."""
    expected = expect(source, views)
    return [
        *(verify_pdf(expected, pdf, pdf_name) if pdf is not None else ()),
        *(verify_epub(expected, epub, epub_name) if epub is not None else ()),
    ]


def check_edition(
    source: Handbook,
    views: Sequence[View],
    pdf: bytes | None,
    epub: bytes | None,
    paths: tuple[Path, Path],
) -> None:
    """The build's gate, before it writes `paths` (PDF, EPUB; None: that one is not made):
    raise if a reader would meet a problem."""
    pdf_name, epub_name = (relative(p) for p in paths)
    problems = verify_edition(source, views, pdf, epub, pdf_name=pdf_name, epub_name=epub_name)
    if has_errors(problems):
        raise RenderError(problems)


def verify_card(
    source: Handbook,
    views: Sequence[View],
    card: bytes,
    sheet: bytes,
    *,
    card_name: str,
    sheet_name: str,
) -> list[Diagnostic]:
    """Every problem of the wallet card and its sheet (views: front, back)."""
    expected = expect(source, views)
    return [
        *verify_card_pdf(expected, card, card_name, sheet=False),
        *verify_card_pdf(expected, sheet, sheet_name, sheet=True),
    ]


def check_card(
    source: Handbook, views: Sequence[View], card: bytes, sheet: bytes, paths: Sequence[Path]
) -> None:
    """The card build's gate, before it writes `paths` (card, sheet)."""
    names = {"card_name": relative(paths[0]), "sheet_name": relative(paths[1])}
    problems = verify_card(source, views, card, sheet, **names)
    if has_errors(problems):
        raise RenderError(problems)


# The web edition (pipeline/web.py): one HTML page, read as a browser's parser reads it.

HELP_BOX = "help-box"  # the class of the page's help box (layouts/web/index.html.j2)
DIALS = ("tel", "sms")  # the schemes of links that call or text a number


def read_web(data: bytes) -> Any:
    """The page as lxml's HTML parser reads it, its elements put in the XHTML namespace so
    that what reads an EPUB's documents reads it unchanged."""
    import lxml.html

    root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    lxml.html.html_to_xhtml(root)
    return root


def verify_web(expected: Expected, data: bytes, name: str) -> list[Diagnostic]:
    """A web edition's page: its help box comes first and holds every contact number, each
    link in it dials its contact's number; strays, links and controls anywhere on the page."""
    from lxml import etree

    try:
        root = read_web(data)
    except (etree.ParserError, ValueError) as exc:
        return [_unreadable(name, "web page", exc)]
    doc = _document(name, root)
    box = next((e for e in root.iter(f"{XHTML}*") if HELP_BOX in e.get("class", "").split()), None)
    promised: list[Finding] = []
    dials: list[tuple[str, int]] = []
    if box is None:
        why = (
            f"the page has no help box (class '{HELP_BOX}'): a reader in danger finds no number "
            "to call; build it again from the layouts of the web edition"
        )
        out = [error("verify-help-missing", why, Place(name))]
    else:
        pieces = list(_strings(box, body=True))
        region = "".join(v for _line, v in pieces)
        where = "the help box at the top of the page"
        promised += _promised(region, expected.help, where, expected.languages)
        dials = _help_links(box)
        out = _help_first(box, name)
        for f in promised:  # on the line of what was found instead, if anything was
            at = next((n for n, v in pieces for t in f.found[:1] if t in v), box.sourceline)
            out.append(error(f.code, f.message, Place(name, at or 0)))
        out += _dialled(dials, expected, name)
    strays = _strays(doc.text, expected, expected.most, [t for f in promised for t in f.found])
    out += [error(f.code, f.message, Place(name, doc.line(offset))) for offset, f in strays]
    checked = {(href, at) for href, at in dials}
    for href, at in doc.links:
        if (href, at) not in checked and not _allowed_link(href, expected):
            why = (
                f"the link '{href}' leads to an address or number the source does not have: "
                "remove it"
            )
            out.append(error("verify-link-added", why, Place(name, at)))
    out += [
        error(f.code, f.message, Place(name, at))
        for char, at, context in doc.controls
        for f in [_control(char, context)]
    ]
    return out


def _help_first(box: Any, name: str) -> list[Diagnostic]:
    """Someone in danger opens the page for the numbers: nothing is shown before them."""
    texts = box.xpath("preceding::text()[ancestor::x:body]", namespaces={"x": XHTML[1:-1]})
    before = " ".join(texts)
    if not before.strip():
        return []
    why = (
        f"the help box is not the first thing on the page: {_quote(before)} comes before it; "
        "the layout must put the help box first, where a reader in danger finds the numbers"
    )
    return [error("verify-help-first", why, Place(name, box.sourceline or 0))]


def _help_links(box: Any) -> list[tuple[str, int]]:
    """(href, line) of each tel: and sms: link in the help box, in order."""
    return [
        (a.get("href"), a.sourceline or 0)
        for a in box.iter(f"{XHTML}a")
        if a.get("href", "").partition(":")[0].lower() in DIALS
    ]


def _dialled(links: Sequence[tuple[str, int]], expected: Expected, name: str) -> list[Diagnostic]:
    """The help box's links, one per contact number and in the same order: each dials its own
    number (a link to another number of the source is as wrong as one to a stranger)."""
    out = []
    for k, n in enumerate(expected.help):
        if k >= len(links):
            why = (
                f"the {n.what} {n.value} is no link in the help box: a reader cannot tap it to "
                "call or text; the layout must write a tel: or sms: link for every number"
            )
            out.append(error("verify-link-missing", why, Place(name, links[-1][1] if links else 0)))
            continue
        href, at = links[k]
        scheme, _, rest = href.partition(":")
        dialled, want = digits(rest), _scheme(n)
        if dialled != digits(n.value):
            why = (
                f"the link '{href}' beside the {n.what} {n.value} dials "
                f"{dialled or 'nothing'}: a reader who taps it reaches someone else; it must dial "
                f"{n.value} (the layout writes it from the source's number)"
            )
            out.append(error("verify-link-number", why, Place(name, at)))
        elif scheme.lower() != want:
            why = (
                f"the link '{href}' beside the {n.what} {n.value} opens the wrong app: a "
                f"{want}: link {'texts' if want == 'sms' else 'calls'} this number (the layout "
                "writes it from the source's contact)"
            )
            out.append(error("verify-link-number", why, Place(name, at)))
    for href, at in links[len(expected.help) :]:
        why = (
            f"the link '{href}' in the help box belongs to no contact number of the source: "
            f"remove it (a number readers should call belongs in the contacts of {expected.source})"
        )
        out.append(error("verify-link-added", why, Place(name, at)))
    return out


def _scheme(n: Number) -> str:
    """How a reader reaches a number of numbers_of: a text number by sms:, the others by tel:."""
    return "sms" if n.what.endswith(" text number") else "tel"


def check_web(source: Handbook, view: View, page: bytes, path: Path) -> None:
    """The web build's gate, before it writes the folder of `path` (its index.html)."""
    problems = verify_web(expect(source, [view]), page, relative(path))
    if has_errors(problems):
        raise RenderError(problems)

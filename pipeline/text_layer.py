"""A PDF text layer that copies out in logical order: /ActualText on WeasyPrint's marked content.

WeasyPrint tags each run of text (a TextBox) as `/Span <</MCID n>> BDC … EMC` and maps every
glyph back to characters through the font's ToUnicode table. That table cannot say where a
combining mark, a zero-width non-joiner or a reordered vowel belongs: extractors drop the
joiners, detach Arabic marks ("معيّ نة") and leave Devanagari pre-base vowels where they are
drawn. This hook, installed once (`install`), gives those runs the text they stand for, written
the way each extractor reads it (measured with poppler 22.12 and pdfium 8149; docs/text-layer.md):

- a left-to-right run with marks: its text, on its /Span;
- a right-to-left word with marks or joiners: poppler honours ActualText only on /Span and
  reverses right-to-left lines itself, so the /Span carries the word reversed; pdfium honours
  the innermost ActualText of any tag and reverses each directional run of it in place, so an
  inner /ReversedRuns sequence carries the word with each run reversed;
- a number whose punctuation is drawn on its other side (an item number "1." in Arabic-Indic
  digits is drawn ".1"): its text, on a /Span;
- in a right-to-left document, a phone number with spaces or brackets, "(202) 671-1880", a web
  or e-mail address: pdfium reads every line of such a PDF (/Direction /R2L) right to left, cuts
  it where a character's class changes between strong left (letters), weak (digits and - . + : /)
  and neutral (spaces, brackets, @) and lists the pieces from the right, so it read
  "671-1880 (202)" and "org.example://https" though the run is isolated and drawn left to right.
  An inner sequence gives pdfium the run with its pieces already in that order, between the two
  left-to-right marks the text has around it: pdfium then puts them back, and reads the brackets
  left to right. poppler and MuPDF read the glyphs right already. In a left-to-right document
  pdfium reads a line right to left when it has as many runs of right-to-left letters as of
  left-to-right ones (the Arabic side of an en+ar edition, a footer of both languages): there,
  once the page is drawn and its lines known (`settle`), the same.

The hyphen of a hyphenated break (WeasyPrint draws U+2010) is drawn with the font's SOFT
HYPHEN glyph where that draws the same: the text then says U+00AD, as ISO 32000-1 asks, and
extractors read the word as one (MuPDF and poppler's structure text read no ActualText).

A raised mark (drawn with a text rise) is a text object of its own at another height: pdfium
cuts the line there and orders the pieces wrongly. Inside the words above, such marks are drawn
after the text as form XObjects of the same outline at the same place; their characters are in
the word's ActualText. Everything else is WeasyPrint's output, byte for byte.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import struct
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .inline import BIDI_MARKS, PHONE, WORD_JOINER
from .qa import EMAIL, URL

INNER_TAG = b"/ReversedRuns"
UNDRAWN = re.compile(f"[{BIDI_MARKS}{WORD_JOINER}]")  # WeasyPrint draws no glyph for these
LRM = "\u200e"
# What pdfium's line reading (CFX_BidiChar) counts as weak, with digits: a number's piece.
WEAK = frozenset(("EN", "AN", "NSM", "CS", "ES", "ET", "BN"))
JOINERS = frozenset("\u200c\u200d")
NUMBER_PUNCTUATION = frozenset(".,:;/%-\u066a\u066b\u066c")  # what a number carries, no space
TJ_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+(?:e-?[0-9]+)?)")  # draw_first_line's arrays
TJ_HEX = re.compile(rb"<([0-9a-fA-F]*)>")
# font hash -> (fontTools font, glyph set), read once per process
_outlines: dict[str, tuple[Any, Any]] = {}
_soft_glyphs: dict[tuple[str, int], int | None] = {}  # (font hash, hyphen glyph) -> soft hyphen's
SOFT_HYPHEN = "\u00ad"
NOT_A_WORD = re.compile(r"[\d@/.:]")  # a number or an address: its break stays visible in the text


def install() -> None:
    """Wrap WeasyPrint's `Stream.marked` (every tagged box goes through it) and its page
    drawing (`settle` what waited for the page's lines), once per process."""
    from weasyprint import document
    from weasyprint.pdf.stream import Stream

    if getattr(Stream.marked, "text_layer", False):
        return
    original, draw_page = Stream.marked, document.draw_page

    @contextmanager
    def marked(stream: Any, box: Any, tag: str) -> Iterator[None]:
        with original(stream, box, tag):
            start, font = len(stream.stream), stream._current_font
            yield
            if tag == "Span" and stream._tags is not None:
                _add_actual_text(stream, box, start, font)

    def drawn(page_box: Any, stream: Any) -> None:
        draw_page(page_box, stream)
        settle(stream)

    marked.text_layer = True  # type: ignore[attr-defined]
    Stream.marked = marked
    document.draw_page = drawn


@dataclass
class _Page:
    """What a page's drawing leaves for `settle`: its text boxes, and the boxes of a
    left-to-right document with runs pdfium may read backwards (their content's place)."""

    boxes: list[Any]
    waiting: list[tuple[Any, int, int, tuple[str, float] | None]]


def _page(stream: Any) -> _Page:
    if not isinstance(page := getattr(stream, "_text_layer_page", None), _Page):
        page = _Page([], [])
        stream._text_layer_page = page
    return page


def settle(stream: Any) -> None:
    """Give the waiting boxes of a drawn page their ActualText, and pdfium's text for runs in a
    line it reads right to left (`reads_right_to_left`): the page's text boxes on the same
    baseline make the line."""
    page = getattr(stream, "_text_layer_page", None)
    if not isinstance(page, _Page):
        return
    del stream._text_layer_page
    for box, start, end, font in reversed(page.waiting):  # a rewrite moves what follows it
        y = _baseline(box)
        near = box.style["font_size"] / 2
        line = sorted(
            (b for b in page.boxes if abs(_baseline(b) - y) <= near), key=lambda b: b.position_x
        )
        text = " ".join(_as_read(b.text) for b in line)
        _add_actual_text(stream, box, start, font, end=end, rtl_line=reads_right_to_left(text))


def _baseline(box: Any) -> float:
    return float(box.position_y + box.baseline)


def _as_read(text: str) -> str:
    """The text as pdfium finds it on the line: the bidi marks drawn as nothing left out,
    the runs cut_runs finds as this module writes them in a right-to-left line."""
    out, i = [], 0
    for start, end in cut_runs(text):
        out += [UNDRAWN.sub("", text[i:start]), _reversed_run(text[start:end], False)]
        i = end
    return "".join([*out, UNDRAWN.sub("", text[i:])])


def reads_right_to_left(line: str) -> bool:
    """Whether pdfium reads a line of a left-to-right document right to left: when it has runs
    of right-to-left letters and no fewer of them than runs of left-to-right letters
    (CFX_BidiString; an LRM counts as a left-to-right letter, digits as neither)."""
    runs = [kind for kind, _ in itertools.groupby(line, line_class)]
    return runs.count("R") > 0 and runs.count("R") >= runs.count("L")


@functools.cache
def is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in JOINERS


@functools.cache
def is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


@functools.cache
def is_digit(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("EN", "AN")


@dataclass(frozen=True)
class Unit:
    """Characters `start:end` of a run, whose glyphs get marked content of their own."""

    start: int
    end: int
    span_text: str | None  # ActualText of the /Span: poppler's (and pdfium's if no inner)
    inner_text: str | None = None  # ActualText of the inner /ReversedRuns: pdfium's

    @property
    def word(self) -> bool:
        """A right-to-left word: its raised marks are drawn as forms."""
        return self.span_text is not None and self.inner_text is not None

    def tags(self) -> list[tuple[bytes, str]]:
        pairs = ((b"/Span", self.span_text), (INNER_TAG, self.inner_text))
        return [(tag, text) for tag, text in pairs if text is not None]


def reversed_runs(word: str) -> str:
    """The word with each run of right-to-left letters, and each run of the rest, reversed."""
    out, run = [], ""
    for char in word:
        if run and is_rtl(char) != is_rtl(run[-1]):
            out.append(run[::-1])
            run = ""
        run += char
    return "".join(out) + run[::-1]


@functools.cache
def line_class(char: str) -> str:
    """The class pdfium's line reading gives a character: strong right (R), strong left (L),
    weak (W: digits, - . + : /) or neutral (N: spaces, brackets, @)."""
    bidi = unicodedata.bidirectional(char)
    if bidi in ("R", "AL"):
        return "R"
    return "L" if bidi == "L" else "W" if bidi in WEAK else "N"


def pieces(run: str) -> list[str]:
    """The pieces pdfium cuts a run of a line into: characters of one class (line_class)."""
    return ["".join(piece) for _, piece in itertools.groupby(run, line_class)]


def cut_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the left-to-right runs pdfium cuts into pieces and lists backwards in a
    right-to-left line: phone numbers (inline.PHONE) with a space or a bracket, web and e-mail
    addresses (qa.URL, qa.EMAIL); not one with right-to-left letters, nor one inside another.
    Word joiners are read through (a footer's number has them after its spaces)."""
    kept: Sequence[int] = range(len(text))  # each character of `plain`: its index in `text`
    plain = text
    if WORD_JOINER in text:  # rare (footers): most boxes are searched as they are
        kept = [i for i, char in enumerate(text) if char != WORD_JOINER]
        plain = "".join(text[i] for i in kept)
    found: list[tuple[int, int]] = []
    matches = (m for pattern in (PHONE, URL, EMAIL) for m in pattern.finditer(plain))
    for m in sorted(matches, key=lambda m: (m.start(), -m.end())):
        if found and kept[m.start()] < found[-1][1]:
            continue
        if len(pieces(m.group())) > 1 and not any(map(is_rtl, m.group())):
            found.append((kept[m.start()], kept[m.end() - 1] + 1))
    return found


def _reversed_run(run: str, rtl_document: bool) -> str:
    """pdfium's text for a run of cut_runs in a right-to-left line: LRM, the run, LRM, pieces in
    reverse order. In a left-to-right document an LRM beside a digit is left out: it would be a
    left-to-right word of its own, which can make pdfium read the line left to right; and, the
    run ending in a digit, nothing beside it can join it there."""
    run = run.replace(WORD_JOINER, "")
    ends = (rtl_document or line_class(run[0]) != "W", rtl_document or line_class(run[-1]) != "W")
    return pieces_reversed(LRM * ends[0] + run + LRM * ends[1])


def pieces_reversed(run: str) -> str:
    """The run as pdfium must find it to list it as written in a right-to-left line: its
    pieces in reverse order. An LRM (strong left) beside a bracket is a piece of its own, beside
    a letter it is part of the word: LRM "https" is one piece, and stays at the run's end."""
    return "".join(reversed(pieces(run)))


def units(
    text: str, drawn: list[int], rtl_document: bool = False, rtl_line: bool = False
) -> list[Unit]:
    """Words of right-to-left letters with marks or joiners, numbers drawn out of their
    written order and, in a right-to-left document or a line pdfium reads right to left, the
    runs pdfium lists backwards (cut_runs: phone numbers with spaces or brackets, addresses);
    `drawn` lists the character index of each glyph in drawing order."""
    rank = {char: n for n, char in enumerate(drawn)}
    rtl = rtl_document or rtl_line
    cut = dict(cut_runs(text)) if rtl else {}
    found: list[Unit] = []
    i = 0
    while i < len(text):
        j = i + 1
        if i in cut:
            j = cut[i]
            found.append(Unit(i, j, None, _reversed_run(text[i:j], rtl_document)))
        elif is_rtl(text[i]):
            while j < len(text) and (is_rtl(text[j]) or is_mark(text[j])):
                j += 1
            if any(map(is_mark, text[i:j])):
                found.append(Unit(i, j, text[i:j][::-1], reversed_runs(text[i:j])))
        elif is_digit(text[i]) or (text[i] in NUMBER_PUNCTUATION and _digit_at(text, j)):
            while j < len(text) and (is_digit(text[j]) or text[j] in NUMBER_PUNCTUATION):
                j += 1
            order = [rank[c] for c in range(i, j) if c in rank]
            if order != sorted(order):
                found.append(Unit(i, j, text[i:j]))
        i = j
    return found


def _digit_at(text: str, index: int) -> bool:
    return index < len(text) and is_digit(text[index])


def _add_actual_text(
    stream: Any,
    box: Any,
    start: int,
    font: tuple[str, float] | None,
    *,
    end: int | None = None,
    rtl_line: bool = False,
) -> None:
    """Give the box's tagged span (opened just before `start` by `Stream.marked`, its content
    ending at `end` or the stream's end) its ActualText; keep WeasyPrint's output where the
    glyphs drawn cannot be matched. `rtl_line`: pdfium reads its line right to left."""
    from weasyprint.formatting_structure.boxes import TextBox

    if not isinstance(box, TextBox):
        return
    text = box.text
    # Its PDF says /Direction /R2L (tagging.py): pdfium reads every line right to left.
    rtl_document = box.style.root_style["direction"] == "rtl"
    if not rtl_document and end is None:
        page = _page(stream)
        page.boxes.append(box)
        if cut_runs(text):  # its line is known once the page is drawn
            page.waiting.append((box, start, len(stream.stream), font))
            return
    _rewrite(stream, box, start, font, end, rtl_document, rtl_line)
    if (hyphen := hyphen_at(box)) is not None:
        _soft_hyphen(stream, box, start, font, end, hyphen)


def _rewrite(
    stream: Any,
    box: Any,
    start: int,
    font: tuple[str, float] | None,
    end: int | None,
    rtl_document: bool,
    rtl_line: bool,
) -> None:
    """The ActualText of runs with marks, right-to-left words and runs pdfium lists backwards."""
    import pydyf

    text = box.text
    cut = (rtl_document or rtl_line) and bool(cut_runs(text))
    if box.style["direction"] != "rtl" and not any(map(is_rtl, text)):
        if any(map(is_mark, text)):
            stream.stream[start - 2]["ActualText"] = pydyf.String(_written(box, text))
            return
        if not cut:
            return
    elif not (cut or any(map(is_mark, text)) or any(map(is_digit, text))):
        return
    drawn_text, glyphs = _drawn_glyphs(box)
    if any(glyph > 0xFFFF for glyph, _ in glyphs):  # a missing glyph: WeasyPrint draws another
        return
    drawn = [char for _, char in glyphs]
    found = units(_written(box, drawn_text), drawn, rtl_document, rtl_line)
    content = stream.stream[start:end]
    if found and (rewritten := _Rewrite(stream, glyphs, found, font).run(content)):
        stream.stream[start : start + len(content)] = rewritten


def hyphen_at(box: Any) -> int | None:
    """Where the hyphen WeasyPrint adds at a hyphenated break starts in the box's text: its
    hyphenate character (U+2010) ends the text after a letter or mark; None elsewhere, and
    in a word with digits or an address's punctuation (the verifier must see such a break)."""
    hyphen, text = box.style["hyphenate_character"], box.text
    if box.style["hyphens"] == "none" or not hyphen or not text.endswith(hyphen):
        return None
    at = len(text) - len(hyphen)
    word = (text[:at].split() or [""])[-1]
    if not word or unicodedata.category(word[-1])[0] not in "LM" or NOT_A_WORD.search(word):
        return None
    return at


def _written(box: Any, text: str) -> str:
    """The box's text as written: a hyphenated break's hyphen is a SOFT HYPHEN."""
    at = hyphen_at(box) if text == box.text else None
    return text if at is None else text[:at] + SOFT_HYPHEN


def _soft_hyphen(
    stream: Any, box: Any, start: int, font: tuple[str, float] | None, end: int | None, at: int
) -> None:
    """Draw the hyphen of a hyphenated break with the font's glyph for SOFT HYPHEN, when that
    glyph draws the same (outline and advance): its ToUnicode then says U+00AD, which ISO
    32000-1 14.8.2.2.3 asks for a hyphen the layout added. Every extractor reads the glyph's
    text (MuPDF and poppler's structure text read no ActualText); pdfium and poppler's
    structure text then read the word whole (docs/text-layer.md)."""
    _, glyphs = _drawn_glyphs(box)
    hyphens = [n for n, (_, char) in enumerate(glyphs) if char >= at]
    if len(hyphens) != 1:
        return
    fonts = {f.hash: f for f in stream._fonts.values()}
    name, g, place = font[0] if font else "", 0, None  # place: (item, offset, font) of the hyphen
    for i in range(start, len(stream.stream) if end is None else end):
        item = stream.stream[i]
        if not isinstance(item, bytes):
            continue
        if item.endswith(b" Tf"):
            name = item.split()[0][1:].decode()
        if not (item[:1] == b"[" and item[-4:] == b"] TJ"):
            continue
        for match in TJ_HEX.finditer(item):
            for k in range(match.start(1), match.end(1) - 3, 4):
                if g == len(glyphs) or int(item[k : k + 4], 16) != glyphs[g][0]:
                    return  # not the glyphs Pango gave: leave the box as WeasyPrint drew it
                if g == hyphens[0]:
                    place = (i, k, fonts.get(name))
                g += 1
    if g != len(glyphs) or place is None or (drawn := place[2]) is None:
        return
    i, k = place[:2]
    glyph = glyphs[hyphens[0]][0]
    if (soft := _soft_glyph(drawn, glyph)) is None:
        return
    if drawn.to_unicode.setdefault(soft, SOFT_HYPHEN) != SOFT_HYPHEN:
        return  # the glyph stands for other text already
    drawn.widths[soft] = drawn.widths[glyph]
    item = stream.stream[i]
    stream.stream[i] = item[:k] + b"%04x" % soft + item[k + 4 :]


def _drawn_glyphs(box: Any) -> tuple[str, list[tuple[int, int]]]:
    """The text Pango shaped for the box, and (glyph id, index of its first character) of every
    glyph WeasyPrint drew, in drawing order (empty glyphs are not drawn)."""
    from weasyprint.text.ffi import ffi, pango

    layout = box.pango_layout
    layout.reactivate(box.style)  # draw_text shaped it and let it go: shape it again, the same
    try:
        line, _ = layout.get_first_line()
        text: str = layout.text
        char_at, offset = {}, 0
        for index, char in enumerate(text):
            char_at[offset] = index
            offset += len(char.encode())
        glyphs = []
        run = line.runs[0] if line.runs != ffi.NULL else ffi.NULL
        while run != ffi.NULL:
            item, string = run.data.item, run.data.glyphs
            infos = ffi.unpack(string.glyphs, string.num_glyphs)
            clusters = ffi.unpack(string.log_clusters, string.num_glyphs)
            for info, cluster in zip(infos, clusters, strict=True):
                if info.glyph != pango.PANGO_GLYPH_EMPTY:
                    glyphs.append((info.glyph, char_at[item.offset + cluster]))
            run = run.next
        return text, glyphs
    finally:
        layout.deactivate()


class _Mismatch(Exception):
    """The content is not what Pango's glyphs say: leave the box as WeasyPrint drew it."""


class _Rewrite:
    """The box's content again: each unit's glyphs in marked content of their own, the raised
    glyphs of its words drawn as forms after the text. Show-text arrays without unit glyphs are
    kept as they are, unless positions must be followed to place raised glyphs."""

    def __init__(
        self,
        stream: Any,
        glyphs: list[tuple[int, int]],
        found: list[Unit],
        font: tuple[str, float] | None,
    ) -> None:
        self.stream, self.found = stream, found
        self.fonts = {f.hash: f for f in stream._fonts.values()}
        unit_of = {c: n for n, unit in enumerate(found) for c in range(unit.start, unit.end)}
        self.units = [unit_of.get(char) for _, char in glyphs]
        ids = [glyph for glyph, _ in glyphs]
        self.expected = struct.pack(f">{len(ids)}H", *ids).hex().encode()  # as arrays write them
        self.font, self.size = font if font else ("", 0.0)
        self.origin: tuple[float, float] | None = None  # (e, f) of a text matrix 1 0 0 -1 e f
        self.pen = self.rise = 0.0  # along the line in thousandths of the font size; text rise
        self.out: list[Any] = []
        self.array: list[bytes] = []
        self.current: int | None = None
        self.forms: list[bytes] = []

    def run(self, items: list[Any]) -> list[Any] | None:
        rises = [i for i in items if isinstance(i, bytes) and i.endswith(b" Ts")]
        words = any(unit.word for unit in self.found)
        follow = words and any(float(i.split()[0]) for i in rises)  # raised glyphs to place
        g = 0
        try:
            for item in items:
                if not (isinstance(item, bytes) and item[:1] == b"[" and item[-4:] == b"] TJ"):
                    self.operator(item)
                    continue
                codes = b"".join(TJ_HEX.findall(item))
                n = len(codes) // 4
                if len(codes) % 4 or codes != self.expected[4 * g : 4 * (g + n)]:
                    return None
                touched = any(u is not None for u in self.units[g : g + n])
                if follow:
                    self.show(item[1:-4], g)
                elif touched or self.current is not None:
                    self.cut(item[1:-4], g)
                else:
                    self.out.append(item)
                g += n
        except _Mismatch:
            return None
        return self.out if 4 * g == len(self.expected) else None

    def operator(self, item: Any) -> None:
        operands = item.split() if isinstance(item, bytes) else []
        if operands[-1:] == [b"Tf"]:
            self.font, self.size = operands[0][1:].decode(), float(operands[1])
        elif operands[-1:] == [b"Ts"]:
            self.rise = float(operands[0])
        elif operands[-1:] == [b"Tm"]:
            self.pen = 0.0
            plain = [float(x) for x in operands[:4]] == [1, 0, 0, -1]
            self.origin = (float(operands[4]), float(operands[5])) if plain else None
        if item == b"ET":  # marked content opened in a text object closes in it
            self.enter(None)
        self.out.append(item)
        if item == b"ET":
            self.out.extend(self.forms)
            self.forms = []

    def cut(self, body: bytes, g: int) -> None:
        """Split a show-text array where its glyphs change unit (positions are not needed)."""
        pieces, glyph = [], g  # (offset of the first glyph of each piece in `body`, its unit)
        for match in TJ_HEX.finditer(body):
            for k in range(0, len(match.group(1)), 4):
                if glyph == g or self.units[glyph] != self.units[glyph - 1]:
                    pieces.append((match.start(1) + k, self.units[glyph]))
                glyph += 1
        ends = [start for start, _ in pieces[1:]] + [len(body)]
        for (start, unit), end in zip(pieces, ends, strict=True):
            if start > pieces[0][0]:
                part = b"<" + body[start:end]
            elif unit is not None and start > 1:  # an array starts at its first glyph: pdfium
                self.out.append(b"[" + body[: start - 1] + b"] TJ")  # places a text object there
                part = b"<" + body[start:end]
            else:
                part = body[:end]
            if end < len(body):  # the next piece opens its own glyph string
                part = part[:-1] if part.endswith(b"<") else part + b">"
            self.enter(unit)
            self.out.append(b"[" + part + b"] TJ")

    def show(self, body: bytes, g: int) -> None:
        """Copy a show-text array glyph by glyph, following the pen to lift raised glyphs."""
        for match in TJ_TOKEN.finditer(body):
            if (number := match.group(2)) is not None:
                self.pen -= float(number)
                self.number(number)
                continue
            hexes = match.group(1)
            for k in range(0, len(hexes), 4):
                unit, glyph = self.units[g], int(hexes[k : k + 4], 16)
                font = self.fonts.get(self.font)
                g += 1
                if font is None or glyph not in font.widths:
                    raise _Mismatch
                width = font.widths[glyph]
                if unit is not None and self.found[unit].word and self.lift(font, glyph):
                    self.number(_number(-width))  # the pen moves on as if it were drawn
                else:
                    self.enter(unit)
                    self.array.append(b"<" + hexes[k : k + 4] + b">")
                self.pen += width
        self.flush()

    def lift(self, font: Any, glyph: int) -> bool:
        """Draw a raised glyph after the text, as a form of its outline at the same place."""
        if not self.rise or self.origin is None:
            return False
        if not (key := _glyph_form(self.stream, font, glyph)):
            return False
        scale = self.size / font.upem
        x, y = self.origin[0] + self.pen * self.size / 1000, self.origin[1] - self.rise
        self.forms.append(
            b"q %s 0 0 %s %s %s cm /%s Do Q"
            % (_number(scale), _number(-scale), _number(x), _number(y), key.encode())
        )
        return True

    def number(self, number: bytes) -> None:
        if self.array:  # a number after a number needs a space, after a glyph string none
            self.array.append(number if self.array[-1].endswith(b">") else b" " + number)
        else:  # an array starts at its first glyph: pdfium places a text object there
            self.out.append(b"[" + number + b"] TJ")

    def enter(self, unit: int | None) -> None:
        """Close the open unit's marked content and open `unit`'s, if they differ."""
        import pydyf

        if unit == self.current:
            return
        self.flush()
        if self.current is not None:
            self.out.append(b" ".join([b"EMC"] * len(self.found[self.current].tags())))
        self.current = unit
        if unit is not None:
            for tag, text in self.found[unit].tags():
                props = pydyf.Dictionary({"ActualText": pydyf.String(text)})
                self.out.append(tag + b" " + props.data + b" BDC")

    def flush(self) -> None:
        if self.array:
            self.out.append(b"[" + b"".join(self.array) + b"] TJ")
            self.array = []


def _number(value: float) -> bytes:
    import pydyf

    return bytes(pydyf._to_bytes(float(value)))


def _glyph_form(stream: Any, font: Any, glyph: int) -> str | None:
    """The name of a form XObject that fills the glyph's outline (font units, current colour),
    registered in the stream's resources; None for fonts drawn otherwise than by outlines."""
    import pydyf
    from fontTools.pens.basePen import BasePen
    from fontTools.pens.boundsPen import BoundsPen

    key = f"tl{font.hash}g{glyph}"
    forms = stream._resources["XObject"]
    if key in forms:
        return key
    if font.bitmap or font.png or font.svg or font.colr or font.variations:
        return None
    tt, glyph_set = _font_file(font)

    class PathPen(BasePen):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(glyph_set)
            self.ops: list[bytes] = []

        def _moveTo(self, pt: tuple[float, float]) -> None:
            self.ops.append(b"%s %s m" % (_number(pt[0]), _number(pt[1])))

        def _lineTo(self, pt: tuple[float, float]) -> None:
            self.ops.append(b"%s %s l" % (_number(pt[0]), _number(pt[1])))

        def _curveToOne(self, *points: tuple[float, float]) -> None:
            self.ops.append(b" ".join(_number(v) for point in points for v in point) + b" c")

        def _closePath(self) -> None:
            self.ops.append(b"h")

    path, bounds = PathPen(), BoundsPen(glyph_set)
    outline = glyph_set[tt.getGlyphName(glyph)]
    outline.draw(path)
    outline.draw(bounds)
    if not path.ops or bounds.bounds is None:
        return None
    extra = {"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(bounds.bounds)}
    forms[key] = pydyf.Stream([*path.ops, b"f"], extra, compress=stream.compress)
    return key


def _font_file(font: Any) -> tuple[Any, Any]:
    """The font's fontTools font and glyph set, read once per process."""
    if font.hash not in _outlines:
        from fontTools.ttLib import TTFont

        tt = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        _outlines[font.hash] = (tt, tt.getGlyphSet())
    return _outlines[font.hash]


def _soft_glyph(font: Any, glyph: int) -> int | None:
    """The font's glyph for SOFT HYPHEN when it draws as `glyph` does (same outline, same
    advance: in Noto both are the glyph "hyphen" as a component); None otherwise."""
    key = (font.hash, glyph)
    if key not in _soft_glyphs:
        _soft_glyphs[key] = None
        if not (font.bitmap or font.png or font.svg or font.colr or font.variations):
            from fontTools.pens.recordingPen import DecomposingRecordingPen

            tt, glyph_set = _font_file(font)
            soft, drawn = tt.getBestCmap().get(ord(SOFT_HYPHEN)), tt.getGlyphName(glyph)
            if soft is not None and soft != drawn:
                pens = DecomposingRecordingPen(glyph_set), DecomposingRecordingPen(glyph_set)
                glyph_set[soft].draw(pens[0])
                glyph_set[drawn].draw(pens[1])
                metrics = tt["hmtx"]
                if pens[0].value == pens[1].value and metrics[soft][0] == metrics[drawn][0]:
                    _soft_glyphs[key] = tt.getGlyphID(soft)
    return _soft_glyphs[key]

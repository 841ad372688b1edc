"""Rich text in an answer: **strong**, *emphasis*, [words](target) links, and phone numbers.

The markup is Markdown's, written inside the text (and so inside the msgid a translator
sees), never raw HTML: `**Call now**`, `*free*`, `[the hotline](https://example.org)`,
`[call us](tel:+12026711880)`, `[write](mailto:help@example.org)`. A backslash keeps a
markup character as written (`\\*`). A `*` with spaces on both sides is a character.

parse() reads a text into a small tree (Plain, Strong, Em, Link) and the problems of its
markup, each at a character offset; the tree is always usable (a mark that is never closed
stays a character, a link to a refused target stays its words), so a render never fails.
render() gives escaped HTML; plain() the text a reader sees; signature() the markup a
translation must keep (qa.py).

Phone numbers are written as people write them: (202) 671-1880, +1 202 671 1880,
202.671.1880, 1-888-373-7888. dial() is the one normal form of a number, used for tel:
links and to compare a translation's numbers with its source's (qa.py, verify.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .diagnostics import Diagnostic, error
from .model import iter_texts

# A phone number as people write it (the form the handbooks' readers dial). North American: an
# optional country code 1, the area code (in brackets or not), then 3 and 4 digits, separated
# by hyphens, dots or spaces. Elsewhere, nine digits or more: international (+44 20 7946 0958,
# +44 (0)20 7946 0958, +33 1 23 45 67 89) or national, from the trunk 0 (0800 0121 700,
# (030) 1234 5678, 01 23 45 67 89). Their last group has 3 digits or more, unless all are pairs
# (the French way): "0800 0121 700 24 hours a day" is a number and an hour count, never one
# number a link would dial wrong. ASCII digits: a number written in another script is
# compared digit by digit (qa.NUMBER, verify.NUMBER), never linked.
_SEP = "[-. ]"
_NANP = r"(?:\+?1[-. ])?(?:\([0-9]{3}\) ?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}"
_PAIRS = rf"[0-9](?:{_SEP}[0-9]{{2}}){{4}}"
_GROUPS = rf"(?:[0-9]{{1,8}}{_SEP}){{0,4}}[0-9]{{3,8}}"  # the last of 3 digits or more
_ELSEWHERE = (
    r"(?<![0-9][-. ])(?=\+?(?:[-. ()]{0,2}[0-9]){9})"  # not the tail of other digits; nine of them
    rf"(?:\+[1-9][0-9]{{0,2}}(?: ?\(0\) ?|{_SEP})(?:{_PAIRS}|\(?[0-9]{{1,5}}\)?{_SEP}{_GROUPS})"
    rf"|0{_PAIRS}|\(0[0-9]{{1,4}}\) ?{_GROUPS}|0[0-9]{{1,4}}{_SEP}{_GROUPS})"
)
PHONE = re.compile(rf"(?<![\w+-])(?:{_NANP}|{_ELSEWHERE})(?![\w-])")
# Bidi marks and isolates (LRM, RLM, ALM, LRI-PDI), as a regex class's body: invisible, they
# keep runs in order (the layouts put LRM around every left-to-right run in right-to-left text)
# and are never part of a number or an address.
BIDI_MARKS = "\u200e\u200f\u061c\u2066-\u2069"
# No line break beside it (UAX #14), drawn as nothing: after each space of a number printed where
# no markup can keep it on one line (html.unbroken: the footers, CSS content).
WORD_JOINER = "\u2060"
TEL = r"\+?[0-9][0-9().-]*[0-9]"  # the number of a tel: link, without spaces
DIALLED = re.compile(rf"(?<=tel:){TEL}|{PHONE.pattern}")  # a phone number, in a text or a link
TARGET = re.compile(rf"https://[^\s<>\"'`]+|tel:{TEL}|mailto:[^\s<>\"'`@]+@[^\s<>\"'`@]+")
ESCAPABLE = frozenset("\\*[]()")
DIGIT = re.compile(r"\d")  # a digit of any script
DIGIT_GROUP = re.compile(r"\d+")
SPECIAL = re.compile(r"[\\*\[\]]")  # the characters `run` looks at; text between them is copied
MARKS = {"strong": "**", "em": "*"}
WORDS = {"strong": "bold", "em": "italic"}


def dial(number: str) -> str:
    """A phone number as a tel: link dials it: its digits, after a '+' when it is written
    with one or is a North American number with its country code (11 digits from a 1).
    The rule for translations too: two numbers are the same when they dial the same, so
    (202) 671-1880, 202-671-1880 and 202.671.1880 are one number (2026711880), and
    1-888-373-7888 is +1 888 373 7888 (+18883737888); adding or dropping a country code
    is a change."""
    d = re.sub(r"[^0-9]", "", number)
    return f"+{d}" if number.lstrip().startswith("+") or (len(d) == 11 and d[0] == "1") else d


def numbers(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The matches of a number `pattern` in `text`, in order, except that a phone number as
    people write it ('(202) 671-1880', two numbers to `pattern`) or in a tel: link is one."""
    if not DIGIT.search(text):
        return []  # no digit, no number: most texts
    phones = list(DIALLED.finditer(text))
    rest = [
        m
        for m in pattern.finditer(text)
        if not any(p.start() <= m.start() < p.end() for p in phones)
    ]
    return sorted([*phones, *rest], key=lambda m: m.start())


def _phone_length(number: str) -> bool:
    """Long enough to be a phone number: 7 digits or more (shorter ones are codes and counts)."""
    return len(re.sub(r"[^0-9]", "", number)) >= 7


def same_number(number: str, text: str) -> bool:
    """Whether `text` has `number`: as written, or, for a phone number, one that dials the
    same (dial)."""
    return number in text or (
        _phone_length(number) and dial(number) in {dial(m.group()) for m in DIALLED.finditer(text)}
    )


def is_number(number: str, given: str) -> bool:
    """Whether `number` is the number `given`: as written, or, for a phone number, dialling the
    same. Not a piece of it (373-7888 is another number than 1-888-373-7888)."""
    return number == given or (_phone_length(number) and dial(number) == dial(given))


def spaced(number: str) -> bool:
    """Whether `number` has several groups of digits: a line may break between them."""
    return len(DIGIT_GROUP.findall(number)) > 1


def tel_targets(value: str) -> list[str]:
    """The numbers the [text](tel:…) links of a text's markup dial, as their links write them."""
    marked = signature(parse(value).nodes)
    return [s.removeprefix("link tel:") for s in marked if s.startswith("link tel:")]


@dataclass(frozen=True)
class Plain:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Em:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Link:
    target: str
    children: tuple[Node, ...]


Node = Plain | Strong | Em | Link


@dataclass(frozen=True)
class Problem:
    offset: int  # in the text, 0-based
    message: str


@dataclass(frozen=True)
class Parsed:
    nodes: tuple[Node, ...]
    problems: tuple[Problem, ...]


@dataclass
class _Open:
    """A mark or a '[' not yet closed, and what came after it."""

    kind: str  # root, strong, em, link
    offset: int
    children: list[Node] = field(default_factory=list)


def _near(value: str, offset: int) -> str:
    """The text from `offset` on, quoted, for a message."""
    end = min(len(value), offset + 30)
    return repr(value[offset:end] + ("…" if end < len(value) else ""))


class _Parser:
    def __init__(self, value: str) -> None:
        self.value = value
        self.stack = [_Open("root", 0)]
        self.buffer: list[str] = []
        self.problems: list[Problem] = []

    def problem(self, offset: int, why: str) -> None:
        self.problems.append(Problem(offset, f"{why} (at {_near(self.value, offset)})"))

    def flush(self) -> None:
        if self.buffer:
            self.stack[-1].children.append(Plain("".join(self.buffer)))
            self.buffer.clear()

    def push(self, kind: str, offset: int) -> None:
        self.flush()
        self.stack.append(_Open(kind, offset))

    def pop(self, node: Callable[[tuple[Node, ...]], Node]) -> None:
        self.flush()
        done = self.stack.pop()
        self.stack[-1].children.append(node(_merged(done.children)))

    def unwrap(self, opening: str, closing: str = "") -> None:
        """The innermost open mark was not markup after all: its characters stay as text."""
        self.flush()
        done = self.stack.pop()
        self.stack[-1].children += [Plain(opening), *done.children]
        self.buffer.append(closing)

    def star(self, i: int) -> int:
        value = self.value
        before = value[i - 1] if i else " "
        closes_em = self.stack[-1].kind == "em" and not before.isspace()  # ***both***
        kind = "strong" if value.startswith("**", i) and not closes_em else "em"
        mark = MARKS[kind]
        after = value[i + len(mark)] if i + len(mark) < len(value) else " "
        kinds = [o.kind for o in self.stack]
        if kind in kinds and not before.isspace():
            while self.stack[-1].kind != kind:  # closed across another mark: that one is open
                inner = self.stack[-1]
                what = "link" if inner.kind == "link" else f"{WORDS[inner.kind]} text"
                self.problem(
                    inner.offset,
                    f"the {what} opened here is still open where the {WORDS[kind]} text "
                    f"around it ends: close it first",
                )
                self.unwrap("[" if inner.kind == "link" else MARKS[inner.kind])
            self.pop(Strong if kind == "strong" else Em)
        elif not after.isspace():
            self.push(kind, i)
        elif not before.isspace():
            escaped = "\\*" * len(mark)
            why = f"'{mark}' here closes no {WORDS[kind]} text: remove it, or write {escaped}"
            self.problem(i, f"{why} to print {mark}")
            self.buffer.append(mark)
        else:  # a star between spaces, as in "5 * 3", is a character
            self.buffer.append(mark)
        return i + len(mark)

    def close_link(self, i: int) -> int:
        """At a ']' that ends a link's words: its target, in brackets, must follow."""
        value = self.value
        while self.stack[-1].kind != "link":
            inner = self.stack[-1]
            self.problem(
                inner.offset,
                f"the {WORDS[inner.kind]} text opened here is still open where the link's "
                "words end: close it before ']'",
            )
            self.unwrap(MARKS[inner.kind])
        opened = self.stack[-1].offset
        end = value.find(")", i + 2) if value.startswith("(", i + 1) else -1
        if end < 0:
            why = (
                "this '[' opens a link, but no '(address)' follows its ']': write "
                "[words](https://…), or \\[ to print ["
            )
            self.problem(opened, why)
            self.unwrap("[", "]")
            return i + 1
        target = value[i + 2 : end]
        if not TARGET.fullmatch(target):
            why = (
                f"a link may lead only to https://…, tel:+… (digits and hyphens) or mailto:…, "
                f"not to '{target}'"
            )
            self.problem(i + 2, why)
            self.flush()
            words = self.stack.pop()
            self.stack[-1].children += words.children  # the words stay, without the link
            return end + 1
        self.pop(lambda children: Link(target, children))
        return end + 1

    def run(self) -> Parsed:
        value, i = self.value, 0
        while i < len(value):
            ch = value[i]
            if ch == "\\" and value[i + 1 : i + 2] in ESCAPABLE:
                self.buffer.append(value[i + 1])
                i += 2
            elif ch == "*":
                i = self.star(i)
            elif ch == "[" and "link" not in [o.kind for o in self.stack]:
                self.push("link", i)
                i += 1
            elif ch == "]" and "link" in [o.kind for o in self.stack]:
                i = self.close_link(i)
            else:
                special = SPECIAL.search(value, i + 1)
                end = special.start() if special else len(value)
                self.buffer.append(value[i:end])
                i = end
        while len(self.stack) > 1:
            inner = self.stack[-1]
            if inner.kind == "link":
                why = (
                    "this '[' opens a link that is never closed with ']': write [words](https://…)"
                )
                why += ", or \\[ to print ["
                self.problem(inner.offset, why)
                self.unwrap("[")
            else:
                mark = MARKS[inner.kind]
                why = f"the {WORDS[inner.kind]} text opened here with '{mark}' is never closed"
                self.problem(inner.offset, f"{why}: end it with {mark}")
                self.unwrap(mark)
        self.flush()
        return Parsed(_merged(self.stack[0].children), tuple(self.problems))


def _merged(nodes: Iterable[Node]) -> tuple[Node, ...]:
    """Neighbouring plain texts as one (an unclosed mark leaves them split)."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Plain) and out and isinstance(out[-1], Plain):
            out[-1] = Plain(out[-1].text + node.text)
        elif not (isinstance(node, Plain) and not node.text):
            out.append(node)
    return tuple(out)


def parse(value: str) -> Parsed:
    return _Parser(value).run()


def plain(nodes: Iterable[Node]) -> str:
    """What a reader sees of the text: the words, without marks or link targets."""
    return "".join(n.text if isinstance(n, Plain) else plain(n.children) for n in nodes)


def link_key(target: str) -> str:
    """A link's target as compared: a tel: link by the number it dials."""
    return f"tel:{dial(target[4:])}" if target.startswith("tel:") else target


def signature(nodes: Iterable[Node]) -> tuple[str, ...]:
    """The markup of a text, in order: 'strong', 'em', 'link <target>'."""
    out: list[str] = []
    for n in nodes:
        if isinstance(n, Strong):
            out += ["strong", *signature(n.children)]
        elif isinstance(n, Em):
            out += ["em", *signature(n.children)]
        elif isinstance(n, Link):
            out += [f"link {link_key(n.target)}", *signature(n.children)]
    return tuple(out)


Leaf = Callable[[str, bool], Markup]  # (plain text, inside a link) -> HTML


def render(nodes: Iterable[Node], leaf: Leaf, linked: bool = False) -> Markup:
    """HTML for the layouts; `leaf` renders each plain text (direction, scripts, numbers)."""
    out: list[Markup] = []
    for n in nodes:
        if isinstance(n, Plain):
            out.append(leaf(n.text, linked))
        elif isinstance(n, Link):
            inner = render(n.children, leaf, True)
            out.append(Markup('<a href="{}">{}</a>').format(link_key(n.target), inner))
        else:
            tag = "strong" if isinstance(n, Strong) else "em"
            out.append(
                Markup("<{0}>{1}</{0}>").format(Markup(tag), render(n.children, leaf, linked))
            )
    return Markup("").join(out)


@functools.cache
def phone_pattern(known: tuple[str, ...]) -> re.Pattern[str]:
    """PHONE, and the `known` numbers as written (a handbook's contacts: 116 006 is no phone
    number to PHONE, and it breaks at its space like one)."""
    if not known:
        return PHONE
    written = "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True))
    return re.compile(rf"(?<![\w+-])(?:{written})(?![\w-])|{PHONE.pattern}")


def phone_links(value: str, *, linked: bool = False, known: tuple[str, ...] = ()) -> Markup:
    """`value` escaped, each phone number in it a tel: link (`linked`, inside a link, which holds
    no other: a span), printed as written, of class `tel`: the layouts keep it on one line (a
    reader dials what they see; +1 202 671 1880 would otherwise break at its spaces). Its own
    left-to-right isolate (dir): a right-to-left mark beside it in a translation would
    otherwise show its groups in reverse, 7888 373 888 1, in an EPUB reader."""
    out, last = [], 0
    for m in phone_pattern(known).finditer(value):
        number = (
            Markup('<span class="tel" dir="ltr">{}</span>').format(m.group())
            if linked
            else Markup('<a class="tel" dir="ltr" href="tel:{}">{}</a>').format(
                dial(m.group()), m.group()
            )
        )
        out += [escape(value[last : m.start()]), number]
        last = m.end()
    return Markup("").join([*out, escape(value[last:])])


def check_markup(node: object) -> list[Diagnostic]:
    """The markup problems of every answer's text below `node`, at the text's place; and
    markup in any other text (a title, a question), which is printed as written."""
    out = []
    for t in iter_texts(node):
        parsed = parse(t.value)
        if t.rich:
            out += [error("source-markup", p.message, t.place) for p in parsed.problems]
        elif signature(parsed.nodes) and not parsed.problems:
            why = (
                "bold, italic and links are read only in answers (paragraphs and list items): "
                "here they would print as typed; write this text without ** * or [words](…)"
            )
            out.append(error("source-markup", why, t.place))
    return out

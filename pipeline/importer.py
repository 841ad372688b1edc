"""Start a handbook source: `new` writes a template, `import` reads a plain-text Q&A file,
Markdown (.md) or a Word document (.docx).

Every reader fills the same outline (title, subtitle, sections of questions and answers) and
writes texts in the source's inline markup: **strong**, *emphasis*, [text](https://...) and
[text](tel:+12026711880). Nothing is dropped: what has no place in a handbook (text before
the first question, a table, a picture, a list inside a list) is refused with its line, and
the editor decides where it goes. The written source explains every key in a comment above
it, and leaves empty ('') the keys the editor must fill; `check` names them.

The plain-text format: numbered questions ending in '?', then the answer: paragraphs,
numbered items and `-` bullet items (optionally `Term: text`), item numbers restarting at 1
in every answer. A numbered line must be either the next question or the next item. When
both fit (a list of five items, then "6. ...?" as question 6), the line is the question only
if the list's items all have terms and it has none; anything else that could be both, or
neither, is an error: we never guess. Its texts are taken as written, markup included.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import yaml

from .diagnostics import Diagnostic, Place, SourceError, UsageError, error

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    from markdown_it.tree import SyntaxTreeNode

NUMBERED = re.compile(r"^(\d+)\.\s+(\S.*)$")
BULLETED = re.compile(r"^[-*•]\s+(\S.*)$")
# A term is a short label before the first colon: at most 8 words, no sentence punctuation.
TERM = re.compile(r"^([^.,;:?!]{1,80}):\s+(\S.*)$")
# In markup, a term is bold at the start of an item: "**Term:** text" or "**Term**: text".
MARKUP_TERM = re.compile(r"^\*\*([^*]{1,80}?)(?::\*\*|\*\*:)(?:\s+(.*))?$")
MAX_TERM_WORDS = 8
# Left out of ids made from questions: "Who do I call if I am not paid?" is call-not-paid.
STOP_WORDS = frozenset(
    "a am an and are any as at be by can do does for from get how i if in into is it me my "
    "of on or our s that the their there these this to we what which who with you your "
    "connecticut".split()
)
SLUG_WORDS = 4
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as the schema's ids
MARKUP_CHARS = re.compile(r"([\\*\[\]])")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
DEFAULT_SECTION = {"id": "questions", "title": "Questions and answers"}


# --- the forms the source reads: one function each -----------------------------------


def literal(text: str) -> str:
    """Plain text in markup: its own \\, *, [ and ] are escaped, never read as markup."""
    return MARKUP_CHARS.sub(r"\\\1", text)


def wrap(mark: str, inner: str) -> str:
    """`inner` between two marks (** or *), its outer spaces kept outside the marks:
    CommonMark does not close '**bold **'."""
    core = inner.strip()
    if not core:
        return inner
    start = inner.index(core[0])
    return f"{inner[:start]}{mark}{core}{mark}{inner[start + len(core) :]}"


def paragraph_block(text: str) -> dict[str, Any]:
    return {"paragraph": text}


def list_block(items: list[dict[str, str]], bullet: bool) -> dict[str, Any]:
    """A list of items; the schema numbers a list unless its style says bullet."""
    return {"style": "bullet", "items": items} if bullet else {"items": items}


def split_term(text: str) -> dict[str, str]:
    """An item of the plain-text format: 'Term: text', or '**Term:** text' as in markup."""
    if MARKUP_TERM.match(text):
        return split_markup_term(text)
    m = TERM.match(text)
    if m and len(m.group(1).split()) <= MAX_TERM_WORDS:
        return {"term": m.group(1).strip(), "text": m.group(2).strip()}
    return {"text": text}


def split_markup_term(text: str) -> dict[str, str]:
    """An item whose text starts with '**Term:**' (or '**Term**:'): the term and the rest."""
    m = MARKUP_TERM.match(text)
    if m is None:
        return {"text": text}
    return {"term": m.group(1).strip(), "text": (m.group(2) or "").strip()}


def slugify(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", LINK_TARGET.sub("]", text).lower())
    content = [w for w in words if w not in STOP_WORDS][:SLUG_WORDS] or ["entry"]
    slug = "-".join(content)
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def check_id(handbook_id: str, where: str) -> None:
    if not SLUG.fullmatch(handbook_id):
        why = (
            f"'{handbook_id}' is not a handbook id: use lower-case letters and digits "
            "joined by hyphens, e.g. 'ct-trafficking'"
        )
        raise UsageError([error("import-id", why, Place(where))])


@dataclass(frozen=True)
class Imported:
    """What an import found: title and subtitle ('' when the input has none) and the
    sections, as the source writes them."""

    title: str
    subtitle: str
    sections: list[dict[str, Any]]

    @property
    def questions(self) -> int:
        return sum(len(s["entries"]) for s in self.sections)


# --- the plain-text format -----------------------------------------------------------


@dataclass
class _Answer:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    next_item: int = 1
    last: str = ""  # the kind of the last block: paragraph, number or bullet

    def paragraph(self, text: str) -> None:
        self.blocks.append(paragraph_block(text))
        self.next_item, self.last = 1, "paragraph"

    def term_list_breaks(self, text: str) -> bool:
        """True when the current list's items all have terms and `text` has none:
        then a numbered question after a list cannot be read as its next item."""
        items = self.blocks[-1]["items"] if self.last == "number" else []
        return bool(items) and all("term" in i for i in items) and "term" not in split_term(text)

    def item(self, text: str, bullet: bool = False) -> None:
        kind = "bullet" if bullet else "number"
        if self.last != kind:
            self.blocks.append(list_block([], bullet))
        self.blocks[-1]["items"].append(split_term(text))
        self.next_item, self.last = (1 if bullet else self.next_item + 1), kind


def parse_qa(text: str, path: str) -> list[dict[str, Any]]:
    """Parse the Q&A text into entries; raise SourceError with every problem."""
    problems: list[Diagnostic] = []
    entries: list[dict[str, Any]] = []
    answer: _Answer | None = None
    question_line = 0
    taken: set[str] = set()

    def close() -> None:
        if answer is not None and not answer.blocks:
            why = f"question {len(entries)} has no answer: write it on the lines below"
            problems.append(error("import-empty-answer", why, Place(path, question_line)))
        if answer is not None:
            entries[-1]["answer"] = answer.blocks

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        here = Place(path, lineno)
        m = NUMBERED.match(line)
        next_question = len(entries) + 1
        if m:
            number, body = int(m.group(1)), m.group(2).strip()
            is_question = number == next_question and body.endswith("?")
            is_item = answer is not None and number == answer.next_item
            if is_question and is_item and answer is not None and not answer.term_list_breaks(body):
                why = (
                    f"'{number}.' could be question {next_question} or item {number} of the "
                    "answer above; renumber or reword so only one reading fits"
                )
                problems.append(error("import-ambiguous", why, here))
            if is_question:
                close()
                entries.append({"id": slugify(body, taken), "question": body})
                answer, question_line = _Answer(), lineno
                continue
            if is_item and answer is not None:
                answer.item(body)
                continue
            expected = f"question {next_question} (ending in '?')"
            if answer is not None:
                expected = f"item {answer.next_item} or {expected}"
            problems.append(
                error("import-numbering", f"line numbered {number}, expected {expected}", here)
            )
            continue
        if answer is None:
            why = (
                "text before the first numbered question: a handbook has no place for it; "
                "move it into an answer, or delete it (the title is given with --title)"
            )
            problems.append(error("import-preamble", why, here))
            continue
        if b := BULLETED.match(line):
            answer.item(b.group(1), bullet=True)
        else:
            answer.paragraph(line)
    close()
    if not entries and not problems:
        problems.append(error("import-empty", "no numbered questions found", Place(path, 1)))
    if problems:
        raise SourceError(problems)
    return entries


# --- the outline that Markdown and Word documents fill -------------------------------


@dataclass
class _Outline:
    """Headings and blocks in document order, checked as they come."""

    path: str
    names: dict[int, str]  # heading level (1 title, 2 section, 3 question) -> as the input says it
    title: str = ""
    subtitle: str = ""
    sections: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    answer: list[dict[str, Any]] | None = None
    after_title: bool = False  # the next paragraph is the subtitle
    placed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # line, section/entry
    section_ids: set[str] = field(default_factory=set)
    entry_ids: set[str] = field(default_factory=set)

    def fail(self, code: str, why: str, line: int) -> None:
        self.problems.append(error(code, why, Place(self.path, line)))

    def heading(self, level: int, text: str, line: int, shown: str) -> None:
        if level > 3:
            why = (
                f"{shown} has no place in a handbook: make it a question "
                f"({self.names[3]}), or bold text in a paragraph"
            )
            self.fail("import-heading", why, line)
            return
        self.answer, self.after_title = None, False
        if not text:
            self.fail("import-heading", f"{shown} is empty: write it, or delete it", line)
        elif level == 1 and (self.title or self.sections):
            why = (
                f"a second title ({shown}) after '{self.title or self.sections[0]['title']}': "
                f"the handbook has one; make this a section ({self.names[2]})"
            )
            self.fail("import-title", why, line)
        elif level == 1:
            self.title, self.after_title = text, True
        elif level == 2:
            self._section(slugify(text, self.section_ids), text, line)
        else:
            if not self.sections:
                self._section(DEFAULT_SECTION["id"], DEFAULT_SECTION["title"], line)
            entry: dict[str, Any] = {
                "id": slugify(text, self.entry_ids),
                "question": text,
                "answer": [],
            }
            self.sections[-1]["entries"].append(entry)
            self.placed.append((line, entry))
            self.answer = entry["answer"]

    def _section(self, ident: str, title: str, line: int) -> None:
        self.section_ids.add(ident)
        self.sections.append({"id": ident, "title": title, "entries": []})
        self.placed.append((line, self.sections[-1]))

    def block(self, block: dict[str, Any], line: int) -> None:
        if self.answer is not None:
            self.answer.append(block)
            return
        if self.after_title and "paragraph" in block:
            self.subtitle, self.after_title = block["paragraph"], False
            return
        self.after_title = False
        quoted = block["paragraph"] if "paragraph" in block else block["items"][0]["text"]
        why = (
            f"this text ({_quote(quoted)}) comes before the first question, and a handbook has no "
            f"place for it: move it into an answer, or delete it (a question is "
            f"{self.names[3]}; the paragraph right under the title is the subtitle)"
        )
        self.fail("import-preamble", why, line)

    def item(self, markup: str, line: int) -> dict[str, str]:
        item = split_markup_term(markup)
        if not item["text"]:
            why = (
                f"this item has a term ('{item['term']}') but no text: write the text after it"
                if "term" in item
                else "this list item is empty: write it, or delete it"
            )
            self.fail("import-empty-item", why, line)
        return item

    def link(self, text: str, url: str, line: int) -> str:
        """A link in the source's markup: https:// pages and tel: numbers only."""
        if url.startswith("tel:"):
            number = re.sub(r"[^\d+]", "", unquote(url[4:]))
            target = f"tel:{number[:1]}{number[1:].replace('+', '')}"
        else:
            target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        if not url.startswith("https://") and not (url.startswith("tel:") and target[4:]):
            why = (
                f"a link to '{url[:80]}': a handbook links only to https:// pages and tel: "
                "phone numbers; change the link, or write the address as text"
            )
            self.fail("import-link", why, line)
        return f"[{text or literal(url)}]({target})"

    def finish(self) -> Imported:
        for line, part in self.placed:
            if "entries" in part and not part["entries"]:
                why = f"section '{part['title']}' has no questions: add one ({self.names[3]})"
                self.fail("import-empty-section", why, line)
            elif "answer" in part and not part["answer"]:
                why = f"question {_quote(part['question'], 60)} has no answer: write it below"
                self.fail("import-empty-answer", why, line)
        if not self.sections and not self.problems:
            why = f"no questions found: a question is {self.names[3]}"
            self.fail("import-empty", why, 1)
        if self.problems:
            raise SourceError(sorted(self.problems, key=lambda d: d.place))
        return Imported(self.title, self.subtitle, self.sections)


def _quote(text: str, size: int = 40) -> str:
    """The start of a text, to say which one a message is about."""
    return f"“{text[:size]}…”" if len(text) > size else f"“{text}”"


def _text(parts: Iterable[str]) -> str:
    """One line of text: line breaks of the input are spaces, as in any paragraph."""
    return re.sub(r"\s+", " ", "".join(parts)).strip()


# --- Markdown ------------------------------------------------------------------------

MARKDOWN_NAMES = {1: "a '# ' heading", 2: "a '## ' heading", 3: "a '### ' heading"}
MARKDOWN_BLOCKS = {  # what CommonMark blocks a handbook has no place for are, to a writer
    "blockquote": "a quotation (>)",
    "table": "a table",
    "code_block": "an indented code block",
    "fence": "a code block (```)",
    "html_block": "raw HTML",
}


# Notes to writers, not text for readers.
HTML_COMMENTS = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.DOTALL)
FRONT_MATTER = re.compile(r"---[ \t]*\r?\n.*?^---[ \t]*$", re.DOTALL | re.MULTILINE)


def parse_markdown(text: str, path: str) -> Imported:
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    out = _Outline(path, MARKDOWN_NAMES)
    if FRONT_MATTER.match(text):
        why = (
            "front matter (the block between two '---' lines) is not read: put its title in "
            "a '# ' heading, and delete the block"
        )
        out.fail("import-front-matter", why, 1)
        raise SourceError(out.problems)
    # Tables on, so that a table is refused as one rather than read as a paragraph of pipes.
    root = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(text))
    for node in root.children:
        line = node.map[0] + 1 if node.map else 1
        if node.type == "html_block" and HTML_COMMENTS.fullmatch(node.content):
            continue
        if node.type == "heading":
            level = int(node.tag[1:])
            shown = MARKDOWN_NAMES.get(level, f"a '{'#' * level} ' heading")
            out.heading(level, _md_inline(node, line, out), line, shown)
        elif node.type == "paragraph":
            if text := _md_inline(node, line, out):  # spaces only (a form feed, say): nothing
                out.block(paragraph_block(text), line)
        elif node.type in ("bullet_list", "ordered_list"):
            out.block(_md_list(node, line, out), line)
        elif node.type != "hr":  # a rule between parts is decoration: nothing to keep
            what = MARKDOWN_BLOCKS.get(node.type, node.type)
            why = f"{what} has no place in a handbook: write it as a paragraph or a list"
            out.fail("import-block", why, line)
    return out.finish()


def _md_list(node: SyntaxTreeNode, line: int, out: _Outline) -> dict[str, Any]:
    bullet = node.type == "bullet_list"
    start = node.attrs.get("start", 1)
    if not bullet and start != 1:
        why = (
            f"this list starts at {start}: every list in a handbook is numbered from 1; "
            "number it from 1, or join it to the list above"
        )
        out.fail("import-list-start", why, line)
    items = []
    for li in node.children:
        here = li.map[0] + 1 if li.map else line
        paragraphs = [c for c in li.children if c.type == "paragraph"]
        for other in (c for c in li.children if c.type != "paragraph"):
            where = other.map[0] + 1 if other.map else here
            why = (
                "a list or block inside a list item: a handbook's lists have one level; "
                "make it items of the list, or a paragraph after it"
            )
            out.fail("import-nested", why, where)
        if len(paragraphs) > 1:
            why = (
                f"this item has {len(paragraphs)} paragraphs: an item is one paragraph; join "
                "them, or put the rest in a paragraph after the list"
            )
            out.fail("import-item-paragraphs", why, here)
        items.append(out.item(" ".join(_md_inline(p, here, out) for p in paragraphs), here))
    return list_block(items, bullet)


def _md_inline(node: SyntaxTreeNode, line: int, out: _Outline) -> str:
    """The text of a heading or paragraph in the source's markup."""

    def walk(children: list[SyntaxTreeNode]) -> Iterable[str]:
        for child in children:
            kind = child.type
            if kind in ("text", "code_inline"):
                yield literal(child.content)
            elif kind in ("softbreak", "hardbreak"):
                yield " "
            elif kind == "strong":
                yield wrap("**", "".join(walk(child.children)))
            elif kind == "em":
                yield wrap("*", "".join(walk(child.children)))
            elif kind == "link":
                yield out.link(_text(walk(child.children)), str(child.attrs["href"]), line)
            elif kind == "inline":
                yield from walk(child.children)
            elif kind == "html_inline" and HTML_COMMENTS.fullmatch(child.content):
                continue
            else:
                what = "a picture" if kind == "image" else "raw HTML"
                why = f"{what} has no place in an answer's text: write it as text, or delete it"
                out.fail("import-inline", why, line)

    return _text(walk(node.children))


# --- Word documents ------------------------------------------------------------------

WORD_NAMES = {1: "a 'Title' paragraph", 2: "a 'Heading 1' paragraph", 3: "a 'Heading 2' paragraph"}
WORD_LEVELS = {"Title": 1, "Heading 1": 2, "Heading 2": 3}  # styles Word itself names so


def parse_docx(path: Path, shown: str) -> Imported:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError):
        why = (
            "cannot read this as a Word document: open it in Word or LibreOffice and save it "
            "as a Word document (.docx)"
        )
        raise SourceError([error("import-docx", why, Place(shown))]) from None
    out = _Outline(shown, WORD_NAMES)
    formats = _numbering(document)
    pending: list[tuple[str, str, int]] = []  # a list being read: kind, markup, paragraph

    def flush() -> None:
        if pending:
            items = [out.item(markup, n) for _, markup, n in pending]
            out.block(list_block(items, pending[0][0] == "bullet"), pending[0][2])
            pending.clear()

    # "Line" n is the n-th paragraph or table of the document, counting empty paragraphs.
    for n, block in enumerate(document.iter_inner_content(), start=1):
        if isinstance(block, Table):
            flush()
            why = (
                "a table has no place in a handbook: write its rows as a list "
                "(one item per row, '**Term:** text')"
            )
            out.fail("import-table", why, n)
            continue
        style = block.style.name if block.style is not None and block.style.name else ""
        markup = _docx_inline(block, n, out)
        kind = _list_kind(block, style, formats) if style not in WORD_LEVELS else None
        if kind is not None:
            if kind[1] > 0:
                why = (
                    f"{_quote(markup)} is a list inside a list: a handbook's lists have one "
                    "level; make it an item of the list above"
                )
                out.fail("import-nested", why, n)
            if pending and pending[0][0] != kind[0]:
                flush()
            pending.append((kind[0], markup, n))
            continue
        flush()
        if not markup:
            continue  # an empty paragraph is spacing
        if style in WORD_LEVELS:
            out.heading(WORD_LEVELS[style], markup, n, WORD_NAMES[WORD_LEVELS[style]])
        elif re.fullmatch(r"Heading \d", style):
            out.heading(int(style[-1]) + 1, markup, n, f"a '{style}' paragraph")
        else:
            out.block(paragraph_block(markup), n)
    flush()
    _hidden_blocks(document, shown, out)
    return out.finish()


def _numbering(document: Document) -> dict[tuple[str, str], str]:
    """(numId, level) -> the number format of lists Word made with its list buttons
    ('bullet', 'decimal', ...), read from the document's numbering definitions."""
    from docx.oxml.ns import qn

    root = document.part.numbering_part.element
    abstract = {
        a.get(qn("w:abstractNumId")): {
            lvl.get(qn("w:ilvl")): fmt.get(qn("w:val"))
            for lvl in a.findall(qn("w:lvl"))
            if (fmt := lvl.find(qn("w:numFmt"))) is not None
        }
        for a in root.findall(qn("w:abstractNum"))
    }
    out: dict[tuple[str, str], str] = {}
    for num in root.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        levels = abstract.get(ref.get(qn("w:val")) if ref is not None else None, {})
        for level, fmt in levels.items():
            out[(str(num.get(qn("w:numId"))), str(level))] = str(fmt)
    return out


def _list_kind(
    paragraph: Paragraph, style: str, formats: dict[tuple[str, str], str]
) -> tuple[str, int] | None:
    """('bullet' or 'number', nesting level) of a list paragraph: by its style (List Bullet,
    List Number 2, ...), or by the numbering Word's list buttons give a paragraph."""
    if m := re.fullmatch(r"List (Bullet|Number)(?: (\d))?", style):
        return ("bullet" if m.group(1) == "Bullet" else "number", int(m.group(2) or 1) - 1)
    # python-docx has no public reading of the numbering Word's list buttons give a paragraph
    num_id = str(paragraph._p.xpath("string(./w:pPr/w:numPr/w:numId/@w:val)"))
    if num_id in ("", "0"):  # 0: numbering switched off
        return None
    level = str(paragraph._p.xpath("string(./w:pPr/w:numPr/w:ilvl/@w:val)") or "0")
    fmt = formats.get((num_id, level), "decimal")
    return ("bullet" if fmt == "bullet" else "number", int(level))


def _docx_inline(paragraph: Paragraph, n: int, out: _Outline) -> str:
    """A paragraph's text in markup: bold and italic runs, hyperlinks. Text python-docx
    cannot see (tracked changes, text boxes, fields) is refused, never lost."""
    from docx.text.hyperlink import Hyperlink

    parts: list[str] = []
    seen: list[Run] = []
    for inner in paragraph.iter_inner_content():
        if isinstance(inner, Hyperlink):
            text = _docx_runs(inner.runs)
            url = inner.address + (f"#{inner.fragment}" if inner.fragment else "")
            # A link to a place in the document itself means nothing in a handbook: its text stays.
            parts.append(out.link(text.strip(), url, n) if inner.address else text)
            seen += inner.runs
        else:
            parts.append(_docx_runs([inner]))
            seen.append(inner)
    if any(run._r.xpath("./w:drawing | ./w:pict") for run in seen):
        why = "a picture has no place in a handbook's text: delete it, or describe it in words"
        out.fail("import-inline", why, n)
    if any(run._r.xpath("./w:footnoteReference | ./w:endnoteReference") for run in seen):
        why = "a footnote is not read: write its text into the paragraph, and delete the note"
        out.fail("import-inline", why, n)
    every = "".join(paragraph._p.xpath(".//w:t/text()"))
    if every != "".join(t for run in seen for t in run._r.xpath("./w:t/text()")):
        why = (
            f"part of this paragraph ({_quote(every)}) is in a tracked change, a text box or a "
            "field, which cannot be read: in Word accept all changes and move the text into "
            "the paragraph, then save"
        )
        out.fail("import-hidden", why, n)
    return _text(parts)


def _docx_runs(runs: Iterable[Run]) -> str:
    """Runs in markup: neighbours with the same bold and italic share their marks."""
    groups: list[tuple[bool, bool, str]] = []
    for run in runs:
        style = run.style.name if run.style is not None else ""
        bold = bool(run.bold) or style == "Strong"
        italic = bool(run.italic) or style == "Emphasis"
        text = literal(run.text)
        if groups and groups[-1][:2] == (bold, italic):
            groups[-1] = (bold, italic, groups[-1][2] + text)
        else:
            groups.append((bold, italic, text))
    out = []
    for bold, italic, text in groups:
        text = wrap("*", text) if italic else text
        out.append(wrap("**", text) if bold else text)
    return "".join(out)


def _hidden_blocks(document: Document, shown: str, out: _Outline) -> None:
    """Text beside the paragraphs and tables (in a content control, say) is refused, not lost."""
    from docx.oxml.ns import qn

    n = 0
    for child in document.element.body.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            n += 1
        elif child.xpath(".//w:t"):
            why = (
                "text in a content control or another part python-docx cannot read: in Word "
                "remove the content control (keep its text), then save"
            )
            out.fail("import-hidden", why, n + 1)


# --- reading an input, writing a source ----------------------------------------------

READERS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}


def read_import(path: Path, shown: str) -> Imported:
    """The outline of a file to import, read by its extension."""
    from .source import read_text

    suffix = path.suffix.lower()
    if suffix == ".docx":
        if not path.is_file():
            raise SourceError([error("source-missing", "no such file", Place(shown))])
        return parse_docx(path, shown)
    if suffix not in READERS:
        why = (
            f"cannot import a '{suffix or 'file without extension'}': handbook import reads "
            ".txt (the plain-text Q&A format), .md (Markdown) and .docx (Word); save the "
            "file as one of these"
        )
        raise UsageError([error("import-format", why, Place(shown))])
    text = read_text(path, shown)
    if READERS[suffix] == "markdown":
        return parse_markdown(text, shown)
    entries = parse_qa(text, shown)
    return Imported("", "", [{**DEFAULT_SECTION, "entries": entries}])


@dataclass(frozen=True)
class Written:
    """A source's text and the keys left for the editor to fill: (line, key)."""

    text: str
    to_fill: tuple[tuple[int, str], ...]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.to_fill: list[tuple[int, str]] = []

    def comment(self, indent: str, *lines: str) -> None:
        self.lines += [f"{indent}# {line}".rstrip() for line in lines]

    def key(self, prefix: str, key: str, value: Any, fill: str = "") -> None:
        """`prefix` (indent, or '- '), then key: value as YAML writes it; '' is to fill."""
        dumped = yaml.safe_dump({key: value}, allow_unicode=True, width=100_000)
        self.lines.append(prefix + dumped.rstrip("\n"))
        if fill and value == "":
            self.to_fill.append((len(self.lines), fill))


def source_text(handbook_id: str, edition: date, imported: Imported | None) -> Written:
    """The source of a new handbook (an import's outline, or a question to write), every
    key explained in a comment above it."""
    w = _Writer()
    w.lines.append("# yaml-language-server: $schema=../../pipeline/handbook.schema.json")
    w.comment(
        "",
        f"The source of the handbook '{handbook_id}'. Fill in every key left empty ('') whose",
        "comment does not say Optional, then run: handbook check --handbook " + handbook_id,
        "Texts may hold **strong**, *emphasis*, [a link](https://example.org) and",
        "[a phone link](tel:+18883737888).",
        "",
        "The handbook's id: it names the folder, the output files and the translation catalogs.",
    )
    w.key("", "id", handbook_id)
    w.comment("", "The language this source is written in; translations are made from it.")
    w.key("", "language", "en")
    w.comment(
        "", "The edition date, YYYY-MM-DD, printed on the cover: change it for a new edition."
    )
    w.key("", "edition", edition.isoformat())
    w.comment("", "The paper your printers take: letter (US Letter) or a4 (most other countries).")
    w.key("", "paper", "letter")
    w.comment("", "The title on the cover and in the page headers, in a few words.")
    w.key("", "title", imported.title if imported else "", "title")
    w.comment("", "Optional: one line under the title on the cover.")
    w.key("", "subtitle", imported.subtitle if imported else "")
    w.comment("", "Optional: who publishes the handbook, as written (the PDF's and EPUB's author).")
    w.key("", "publisher", "")
    w.comment(
        "",
        "Optional, delete the '# ' to use them: the colours of the cover and headings (text on",
        "them must stay readable: check says when it does not), a logo (SVG or PNG) in this",
        "folder for the cover and the card, and the contact every page's footer shows.",
        "theme: {primary: '#1f4e79', accent: '#b03a2e'}",
        "logo: {file: logo.svg, alt: Example Coalition logo}",
        "footer: {contact: helpline, label: 'Helpline: %(number)s'}",
    )
    w.comment(
        "",
        "The sentence every edition prints on its back cover, e.g. 'This handbook gives",
        "general information. It is not legal advice.'",
    )
    w.key("", "disclaimer", "", "disclaimer")
    w.comment(
        "",
        "Who the reader can call, text or visit, printed on the cover, in the page footers and",
        "on the back cover: at least one contact.",
    )
    w.lines.append("contacts:")
    w.comment("  ", "A short id for the contact: lower-case words joined by hyphens.")
    w.key("- ", "id", "helpline")
    w.comment(
        "  ",
        "What the contact is for (it is translated), e.g. 'Our helpline, day and night'",
        "(the cover prints it above 'Call' and the number).",
    )
    w.key("  ", "label", "", "contacts: label")
    w.comment(
        "  ",
        "The number to call, as people write it: (202) 671-1880, +44 20 7946 0958.",
        "Besides or instead of a phone, a contact may have sms: (a number) and url: https://...",
    )
    w.key("  ", "phone", "", "contacts: phone")
    w.comment(
        "", "Optional: proper names (organisations, laws) every translation keeps as written."
    )
    w.key("", "names", [])
    w.comment(
        "",
        "The questions and answers, in sections. An id names a section or a question for good:",
        "translations hang on it, so never give it to another one.",
    )
    if imported:
        w.lines += yaml.safe_dump(
            {"sections": imported.sections}, sort_keys=False, allow_unicode=True, width=100_000
        ).splitlines()
    else:
        _question_template(w)
    return Written("\n".join(w.lines) + "\n", tuple(w.to_fill))


def _question_template(w: _Writer) -> None:
    w.lines.append("sections:")
    w.comment("  ", "A short id for the section: lower-case words joined by hyphens.")
    w.key("- ", "id", DEFAULT_SECTION["id"])
    w.comment("  ", "The section's heading, e.g. 'Your rights at work'.")
    w.key("  ", "title", "", "sections: title")
    w.lines.append("  entries:")
    w.comment("    ", "A short id for the question, e.g. 'who-can-help'.")
    w.key("  - ", "id", "", "entries: id")
    w.comment("    ", "The question, as a reader would ask it, e.g. 'Who can help me?'")
    w.key("    ", "question", "", "entries: question")
    w.comment(
        "    ",
        "The answer: paragraphs and lists, in order. A list is written",
        "  - items:",
        "    - text: Call the helpline.",
        "    - term: Bring",
        "      text: your pay slips.",
        "and is numbered; add 'style: bullet' beside 'items:' for bullets.",
    )
    w.lines.append("    answer:")
    w.comment("      ", "The first paragraph of the answer.")
    w.key("    - ", "paragraph", "", "answer: paragraph")

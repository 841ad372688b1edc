"""Where every output goes and what it is called: the one owner of the names.

    dist/<tag>/<id>.pdf                  the print edition (Letter; <id>-a5.pdf, <id>-a4-press.pdf)
    dist/<tag>/<id>.epub                 the EPUB
    dist/<tag>/<id>-cover.jpg, ...       the release's cover and thumbnail
    dist/<tag>/<id>-card.pdf, ...        the wallet card and its sheet
    dist/<tag>/<id>-booklet.pdf, ...     the office booklet (<id>-booklet-a4.pdf)
    dist/<tag>/<id>-web/index.html       the web edition
    dist/<tag>/<id>-proof.pdf, ...       a proof (--allow-partial): every name above ends in
                                         -proof before its extension (<id>-a5-press-proof.pdf,
                                         <id>-card-sheet-proof.pdf, <id>-web-proof/index.html)

<tag> is the locale's BCP 47 tag, or two joined by '+' (es+en, a bilingual edition). A proof
shows untranslated passages in English, marked: it is not an edition to hand out, so it never
takes an edition's name (it would overwrite one, and `make handbook`, which goes by the files'
dates, would then call the edition up to date). The Makefile asks `handbook paths` for these
names instead of deriving them. Standard library only: `handbook paths` runs before the
pipeline's dependencies are installed.
"""

from __future__ import annotations

import re
from pathlib import Path

SEPARATOR = "+"  # es+en: a bilingual edition, the first language, then the second
LETTER = "letter"  # the print size whose PDF has no suffix
PROOF = "-proof"  # ends the name of every file of a proof, before its extension
FILES = {
    "pdf": "{id}{variant}{proof}.pdf",
    "epub": "{id}{proof}.epub",
    "cover": "{id}-cover{proof}.jpg",
    "thumbnail": "{id}-thumbnail{proof}.jpg",
    "card": "{id}-card{proof}.pdf",
    "card-sheet": "{id}-card-sheet{proof}.pdf",
    "booklet": "{id}-booklet{sheet}{proof}.pdf",
    "web": "{id}-web{proof}/index.html",
    "inputs": ".{id}{variant}{proof}.inputs",  # the parallel builder's record (pipeline/jobs.py)
}
EDITION = ("pdf", "epub")  # what `handbook build` writes, both or neither
SIZES = (LETTER, "a4", "a5")  # the print edition's page sizes


# The source's `paper:` line, read without YAML (this module runs before anything is installed):
# the key at the top level, its value bare or quoted; the schema allows these two.
PAPER = re.compile(r"""^paper:[ \t]*(['"]?)(letter|a4)\1[ \t]*(?:#.*)?$""", re.MULTILINE)


def paper(source: Path) -> str:
    """The page size a handbook's source asks for (`paper: a4`), else Letter. A source that
    cannot be read is the build's to report: Letter here."""
    try:
        found = PAPER.search(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return LETTER
    return found.group(2) if found else LETTER


def normalize(name: str) -> str:
    """`pt-BR`, `pt_br`, `zh-Hans` -> gettext form `pt_BR`, `zh_Hans` (a bilingual
    `fa-AF+en`: each part)."""
    if SEPARATOR in name:
        return SEPARATOR.join(normalize(part) for part in name.split(SEPARATOR))
    parts = name.replace("-", "_").split("_")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.title() if len(p) == 4 else p.upper())
    return "_".join(out)


def tag(locale: str) -> str:
    """The folder of a locale's editions: its BCP 47 tag (pt_BR -> pt-BR, fa_AF+en -> fa-AF+en)."""
    return normalize(locale).replace("_", "-")


def variant_suffix(size: str, press: bool) -> str:
    """How a print variant's PDF is named: ct-trafficking-a5-press.pdf."""
    return "" if size == LETTER and not press else f"-{size}{'-press' if press else ''}"


def file_name(
    handbook_id: str, kind: str, *, size: str = LETTER, press: bool = False, proof: bool = False
) -> str:
    """The name of one of a handbook's files in its locale's folder. `size` is the print
    edition's page size, or a booklet's sheet; `proof`: a proof's (--allow-partial)."""
    sheet = "" if size == LETTER else f"-{size}"
    variant = variant_suffix(size, press)
    return FILES[kind].format(
        id=handbook_id, variant=variant, sheet=sheet, proof=PROOF if proof else ""
    )


def unproofed(name: str) -> str:
    """The name of the file a proof stands in for (x-card-proof.pdf -> x-card.pdf): what
    tells the kind of a file, whichever it is."""
    stem, dot, extension = name.rpartition(".")
    return f"{stem.removesuffix(PROOF)}{dot}{extension}" if dot else name.removesuffix(PROOF)


def output_path(
    dist: Path,
    handbook_id: str,
    locale: str,
    kind: str,
    *,
    size: str = LETTER,
    press: bool = False,
    proof: bool = False,
    part: str = "",
) -> Path:
    """Where one file of a handbook in `locale` (es, pt_BR, es+en) is written below dist/;
    `proof`: a proof's (--allow-partial), never the edition's own file; `part`: a file beside
    it, in a format's own folder (the web edition's assets)."""
    name = file_name(handbook_id, kind, size=size, press=press, proof=proof)
    path = dist / tag(locale) / name
    return path.parent / part if part else path

"""Where every output goes and what it is called: the one owner of the names.

    dist/<tag>/<id>.pdf                  the print edition (Letter; <id>-a5.pdf, <id>-a4-press.pdf)
    dist/<tag>/<id>.epub                 the EPUB
    dist/<tag>/<id>-cover.jpg, ...       the release's cover and thumbnail
    dist/<tag>/<id>-card.pdf, ...        the wallet card and its sheet
    dist/<tag>/<id>-booklet.pdf, ...     the office booklet (<id>-booklet-a4.pdf)
    dist/<tag>/<id>-web/index.html       the web edition

<tag> is the locale's BCP 47 tag, or two joined by '+' (es+en, a bilingual edition). The
Makefile asks `handbook paths` for these names instead of deriving them. Standard library
only: `handbook paths` runs before the pipeline's dependencies are installed.
"""

from __future__ import annotations

from pathlib import Path

SEPARATOR = "+"  # es+en: a bilingual edition, the first language, then the second
LETTER = "letter"  # the print size whose PDF has no suffix
FILES = {
    "pdf": "{id}{variant}.pdf",
    "epub": "{id}.epub",
    "cover": "{id}-cover.jpg",
    "thumbnail": "{id}-thumbnail.jpg",
    "card": "{id}-card.pdf",
    "card-sheet": "{id}-card-sheet.pdf",
    "booklet": "{id}-booklet{sheet}.pdf",
    "web": "{id}-web/index.html",
    "inputs": ".{id}{variant}.inputs",  # the parallel builder's record (pipeline/jobs.py)
}
EDITION = ("pdf", "epub")  # what `handbook build` writes, both or neither
SIZES = (LETTER, "a4", "a5")  # the print edition's page sizes


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


def file_name(handbook_id: str, kind: str, *, size: str = LETTER, press: bool = False) -> str:
    """The name of one of a handbook's files in its locale's folder. `size` is the print
    edition's page size, or a booklet's sheet."""
    sheet = "" if size == LETTER else f"-{size}"
    return FILES[kind].format(id=handbook_id, variant=variant_suffix(size, press), sheet=sheet)


def output_path(
    dist: Path,
    handbook_id: str,
    locale: str,
    kind: str,
    *,
    size: str = LETTER,
    press: bool = False,
    part: str = "",
) -> Path:
    """Where one file of a handbook in `locale` (es, pt_BR, es+en) is written below dist/;
    `part`: a file beside it, in a format's own folder (the web edition's assets)."""
    path = dist / tag(locale) / file_name(handbook_id, kind, size=size, press=press)
    return path.parent / part if part else path

"""No tofu: before rendering, the locale's fonts must cover every character.

The families come from the font table, layouts/fonts.yaml (locales.py), as
do the EPUB's embedded subsets. Fonts are found with fontconfig (`fc-list`,
exact family names) and their character maps read with fontTools; both are
cached per process.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Place, error
from .locales import Fonts
from .model import Text
from .output import write_atomic

IGNORED_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # controls, format marks, spaces


@dataclass(frozen=True, order=True)
class Face:
    weight: int  # CSS weight: 400 regular, 700 bold
    path: str
    index: int  # face number inside a .ttc collection


FC_WEIGHTS = {80: 400, 200: 700}  # fontconfig's regular and bold


@functools.cache
def family_files(family: str) -> tuple[Face, ...]:
    """The installed upright regular and bold faces of exactly this family."""
    try:
        out = subprocess.run(
            [
                "fc-list",
                "--format",
                "%{file}\t%{index}\t%{weight}\t%{slant}\t%{family}\n",
                f":family={family}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ()
    faces = set()
    for line in out.splitlines():
        path, index, weight, slant, families = line.split("\t", 4)
        if family in families.split(",") and slant in ("0", "") and int(weight or 80) in FC_WEIGHTS:
            faces.add(Face(FC_WEIGHTS[int(weight or 80)], path, int(index or 0)))
    return tuple(sorted(faces))


@functools.cache
def family_cmap(family: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # heavy; only the coverage check needs it

    chars: set[int] = set()
    for face in family_files(family)[:1]:
        font = TTFont(face.path, fontNumber=face.index, lazy=True)
        chars.update(font.getBestCmap() or {})
        font.close()
    return frozenset(chars)


def uncovered(text: str, fonts: Fonts) -> set[str]:
    cmaps = [family_cmap(f) for f in fonts.families]
    return {
        ch
        for ch in set(text)
        if unicodedata.category(ch) not in IGNORED_CATEGORIES
        and not any(ord(ch) in cmap for cmap in cmaps)
    }


def check_coverage(texts: Iterable[Text], extra: str, fonts: Fonts, where: str) -> list[Diagnostic]:
    """Every character of the texts (and of the layout strings) must have a glyph."""
    texts = list(texts)
    missing_families = [f for f in fonts.families if not family_files(f)]
    if missing_families:
        packages = ", ".join(dict.fromkeys(fonts.package(f) for f in missing_families))
        why = (
            f"font {', '.join(missing_families)} is not installed: install the Debian package "
            f"{packages} (or name installed fonts for {fonts.own.script} in layouts/fonts.yaml)"
        )
        return [error("font-missing", why, Place(where))]
    missing = uncovered("".join(t.value for t in texts) + extra, fonts)
    if not missing:
        return []
    shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in sorted(missing)[:12])
    places = sorted({str(t.place) for t in texts if missing & set(t.value)})[:5]
    keys = sorted({t.key.split("/")[0] for t in texts if missing & set(t.value)})[:8]
    return [
        error(
            "font-coverage",
            f"no font of {', '.join(fonts.families)} has a glyph for {shown}; "
            f"in {', '.join(keys) or 'the layouts'} "
            f"({', '.join(places) or where}); fix the text, or name fonts that cover them "
            f"in layouts/fonts.yaml",
            Place(where),
        )
    ]


def cache_dir() -> Path:
    return (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "handbook-pipeline"
        / "fonts"
    )


def subset(
    face: Face, text: str, flavor: str = "woff", *, drop: Sequence[str] = (), hinting: bool = True
) -> bytes:
    """A subset of one face for the characters of `text`: WOFF for the EPUB (not every
    reading system reads WOFF2), WOFF2 for the web edition (every current browser does);
    without the glyphs only the OpenType features in `drop` reach, and without hinting
    instructions unless `hinting`.

    Subsetting a CJK face takes seconds, and an edit rarely changes the set of
    characters, so subsets are cached by face file and character set."""
    import fontTools

    stat = Path(face.path).stat()
    chars = "".join(sorted(set(text)))
    key = hashlib.sha256(
        f"{face.path}\0{face.index}\0{stat.st_size}\0{stat.st_mtime_ns}\0{fontTools.version}\0{chars}".encode()
    )
    if drop or not hinting:  # the EPUB's keys are unchanged: their caches stay warm
        key.update(f"\0drop:{','.join(sorted(drop))}\0hinting:{hinting}".encode())
    cached = cache_dir() / f"{key.hexdigest()}.{flavor}"
    if cached.is_file():
        return cached.read_bytes()
    data = _subset(face, chars, flavor, drop, hinting)
    try:
        write_atomic(cached, data)
    except OSError:
        pass  # a read-only home only costs time
    return data


def _subset(
    face: Face, text: str, flavor: str = "woff", drop: Sequence[str] = (), hinting: bool = True
) -> bytes:
    """The font's own timestamp is kept, so the bytes repeat (WOFF2 needs brotli)."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.flavor = flavor
    options.recalc_timestamp = False
    options.layout_features = ["*"]  # Arabic shaping needs init/medi/fina/rlig and friends
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = hinting
    font = TTFont(
        face.path, fontNumber=face.index, recalcTimestamp=False
    )  # the subsetter option alone is not enough
    if drop:
        tables = [font[t].table for t in ("GSUB", "GPOS") if t in font]
        tags = {r.FeatureTag for t in tables if t.FeatureList for r in t.FeatureList.FeatureRecord}
        options.layout_features = sorted(tags - set(drop))
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = flavor
    font.save(out, reorderTables=True)
    return out.getvalue()

"""Locales: names, tags, direction, digits, fonts and hyphenation, from CLDR (Babel).

A locale is named as gettext names it (`pt_BR`, `zh_Hans`, `fa_AF`); `LANG=`
also accepts BCP 47 (`pt-BR`). Output folders use the BCP 47 tag. A small
`locales/<code>/locale.yaml` may set the release rule and override CLDR where
our readers differ from its default (Dari's own name; Arabic-Indic digits).
Fonts are data: the row of `layouts/fonts.yaml` for the locale's script.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .diagnostics import (
    CatalogError,
    Diagnostic,
    Place,
    RenderError,
    SourceError,
    UsageError,
    error,
    relative,
)
from .paths import normalize as normalize  # its home is paths.py: `handbook paths` needs it
from .source import Located, parse_yaml, read_text

# CLDR numbering systems whose digits CSS can count in: the zero, and the counter style.
NUMBERING = {
    "latn": ("0", "decimal"),
    "arab": ("\u0660", "arabic-indic"),
    "arabext": ("\u06f0", "persian"),
    "beng": ("\u09e6", "bengali"),
    "deva": ("\u0966", "devanagari"),
    "gujr": ("\u0ae6", "gujarati"),
    "guru": ("\u0a66", "gurmukhi"),
    "khmr": ("\u17e0", "khmer"),
    "knda": ("\u0ce6", "kannada"),
    "laoo": ("\u0ed0", "lao"),
    "mlym": ("\u0d66", "malayalam"),
    "mymr": ("\u1040", "myanmar"),
    "orya": ("\u0b66", "oriya"),
    "tamldec": ("\u0be6", "tamil"),
    "telu": ("\u0c66", "telugu"),
    "thai": ("\u0e50", "thai"),
    "tibt": ("\u0f20", "tibetan"),
}
RELEASE_RULES = ("complete", "fallback")
CONFIG_KEYS: dict[str, tuple[str, ...]] = {  # () = any text
    "release": RELEASE_RULES,
    "name": (),
    "english_name": (),
    "digits": tuple(NUMBERING),
    "number_words": (),  # a list: see _number_words_problem
}
FONT_TABLE = "fonts.yaml"  # in the project's layouts/: one font stack per script
STYLES = ("plain", "cjk", "arabic", "tall")  # script typography in the CSS (see the table)
# One word: a letter, then letters, marks (Devanagari छः) or apostrophes (Ukrainian п'ять).
WORD_ONLY = re.compile(r"[^\W\d_][^\s\d_,;.:/()\[\]\"«»-]*")
# Scripts whose words are written without spaces between: a number spelled in them is a run of
# digit words glued together (八八八五五五).
UNSPACED = frozenset({"Hans", "Hant", "Jpan", "Thai", "Laoo", "Khmr", "Mymr"})


@dataclass(frozen=True)
class Stack:
    """One row of layouts/fonts.yaml: the fonts of one script (ISO 15924)."""

    script: str
    serif: str
    sans: str
    package: str  # the Debian package that ships them
    embed: bool  # subset the sans into the EPUB: scripts that cheap readers often lack
    style: str  # one of STYLES


def css_families(*names: str) -> str:
    """A CSS font-family list: the names quoted, without repeats, the last one generic."""
    *families, generic = names
    return ", ".join([*(f'"{n}"' for n in dict.fromkeys(families)), generic])


@dataclass(frozen=True)
class Fonts:
    """A locale's fonts: its script's stack, then the Latin stack for numbers, URLs
    and English names."""

    own: Stack
    latin: Stack

    @property
    def body(self) -> str:  # CSS font-family lists, most specific first
        return css_families(self.own.serif, self.latin.serif, "serif")

    @property
    def heading(self) -> str:
        return css_families(self.own.sans, self.latin.sans, "sans-serif")

    @property
    def latin_body(self) -> str:
        """For Latin runs in CJK text (html.py): the CJK fonts draw quotes full width."""
        return css_families(self.latin.serif, self.own.serif, "serif")

    @property
    def latin_heading(self) -> str:
        return css_families(self.latin.sans, self.own.sans, "sans-serif")

    @property
    def families(self) -> tuple[str, ...]:
        """What must be installed, for the coverage check."""
        own, latin = self.own, self.latin
        return tuple(dict.fromkeys((own.serif, own.sans, latin.serif, latin.sans)))

    @property
    def embed(self) -> tuple[str, ...]:
        return (self.own.sans,) if self.own.embed else ()

    @property
    def style(self) -> str:
        return self.own.style

    def package(self, family: str) -> str:
        """The Debian package that ships one of the families."""
        return self.own.package if family in (self.own.serif, self.own.sans) else self.latin.package


@dataclass(frozen=True)
class NumberWords:
    """A language's words for the digits (locale.yaml `number_words`): forms[d] are the ways
    to write digit d (Spanish 1: uno, un, una); `glued` when its script has no spaces."""

    forms: tuple[tuple[str, ...], ...]
    glued: bool = False


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # gettext: pt_BR
    tag: str  # BCP 47: pt-BR
    name: str  # the language's own name: Português (Brasil)
    english_name: str
    dir: str  # ltr | rtl
    numbering: str  # CLDR numbering system, one of NUMBERING: latn, arab, arabext, deva
    script: str  # ISO 15924: Latn, Arab, Hans, Ethi
    fonts: Fonts
    release: str  # complete | fallback
    hyphenate: bool
    number_words: NumberWords | None = None  # None: locale.yaml does not list them

    @property
    def falls_back(self) -> bool:
        """The release rule, decided here only: 'fallback' ships an incomplete translation
        with the missing passages in the source language, marked; 'complete' refuses it."""
        return self.release == "fallback"

    @property
    def counter_style(self) -> str:
        return NUMBERING[self.numbering][1]

    @property
    def babel(self) -> Locale:
        return Locale.parse(self.code)

    def digits(self, value: int | str) -> str:
        zero = ord(NUMBERING[self.numbering][0])
        return str(value).translate({ord("0") + i: zero + i for i in range(10)})


def script_code(loc: Locale) -> str:
    """The locale's script (ISO 15924) from CLDR's likely subtags: am -> Ethi, fa_AF -> Arab."""
    if loc.script:
        return str(loc.script)
    likely = get_global("likely_subtags")
    for key in (str(loc), loc.language):
        parts = str(likely.get(key, "")).split("_")
        if len(parts) > 1 and len(parts[1]) == 4:
            return parts[1]
    return "Latn"


def config_path(locales_dir: Path, code: str) -> Path:
    return locales_dir / code / "locale.yaml"


Kin = tuple[str, list[Any]]  # another locale of the language, and its number_words


def kin_words(locales_dir: Path, code: str) -> Kin | None:
    """The number_words of another locale of the same language (es for es_MX, fa_AF for fa):
    a new locale's locale.yaml starts with them."""
    language = code.split("_")[0]
    for path in sorted(locales_dir.glob(f"{language}*/locale.yaml")):
        other = path.parent.name
        if other == code or other.split("_")[0] != language:
            continue
        try:
            words = _config(locales_dir, other).get("number_words")
        except CatalogError:
            continue  # `check` says what is wrong with it
        if words:
            return other, words
    return None


def config_template(loc: LocaleInfo, kin: Kin | None = None) -> str:
    """A new locale's locale.yaml: the release rule, the words for the digits (those of
    `kin`, another locale of the language, if any) and the overrides, commented out."""
    what = (
        "# number_words: the words for the digits 0 to 9, in order, a digit's other forms in\n"
        "# brackets ([cero, [uno, un, una], dos, ...]): `check` refuses 4 or more of them in a\n"
        "# row, a phone number spelled out, which no check of digits sees."
    )
    if kin:
        flow = yaml.safe_dump(kin[1], default_flow_style=True, allow_unicode=True, width=10**6)
        words = f"{what} From {kin[0]}'s: check them.\nnumber_words: {flow}"
    else:
        words = f"{what} Write them in the brackets, then delete the '# ':\n# number_words: []\n"
    return (
        f"# {loc.english_name} ({loc.name}): release rule and overrides of CLDR's data.\n"
        "# release: complete ships this language only when every message is translated;\n"
        "#          fallback ships it with untranslated passages shown in English, marked.\n"
        "release: complete\n"
        f"{words}"
        f"# name: {loc.name}  # the language's own name, where readers call it otherwise\n"
        f"# english_name: {loc.english_name}  # its name in English (release index, colophon)\n"
        f"# digits: {loc.numbering}  # the digits of page and list numbers: "
        f"{', '.join(NUMBERING)}\n"
    )


def unknown_key(key: str, allowed: Iterable[str]) -> str:
    hint = difflib.get_close_matches(key, list(allowed), n=1)
    suggestion = f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(allowed)}"
    return f"unknown key '{key}' ({suggestion})"


def _config(locales_dir: Path, code: str) -> dict[str, Any]:
    """The locale's own settings; every problem located, as a catalog problem (exit 1)."""
    path = config_path(locales_dir, code)
    if not path.exists():
        return {}
    shown = relative(path)
    try:
        doc = parse_yaml(read_text(path, shown), shown)
    except SourceError as exc:
        if [d.code for d in exc.diagnostics] == ["yaml-empty"]:
            return {}  # only comments: CLDR's defaults
        raise CatalogError(exc.diagnostics) from None
    if not isinstance(doc.data, dict):
        raise CatalogError(
            [
                error(
                    "locale-config",
                    f"expected key: value lines ({', '.join(CONFIG_KEYS)})",
                    doc.at(()),
                )
            ]
        )
    problems = []
    for key, value in doc.data.items():
        allowed = CONFIG_KEYS.get(key)
        if key not in CONFIG_KEYS:
            where = doc.key_places.get((key,), doc.at(()))
            problems.append(error("locale-config", unknown_key(key, CONFIG_KEYS), where))
        elif allowed and value not in allowed:
            problems.append(
                error(
                    "locale-config",
                    f"{key} is {value!r}; it must be one of: {', '.join(allowed)}",
                    doc.at((key,)),
                )
            )
        elif key == "number_words":
            if why := _number_words_problem(value):
                problems.append(error("locale-config", why, doc.at((key,))))
        elif not allowed and not (isinstance(value, str) and value.strip()):
            problems.append(error("locale-config", f"{key} must be a text", doc.at((key,))))
    if problems:
        raise CatalogError(problems)
    return dict(doc.data)


def _number_words_problem(value: Any) -> str | None:
    """What is wrong with a locale.yaml's number_words, if anything."""
    what = (
        "number_words lists the words for the digits 0 to 9 in order, a digit's other forms "
        "in brackets: [cero, [uno, un, una], dos, tres, cuatro, cinco, seis, siete, ocho, nueve]"
    )
    if not isinstance(value, list):
        return f"{what}; it is not a list"
    if len(value) != 10:
        return f"{what}; it has {len(value)} entries"
    for digit, forms in enumerate(value):
        for word in forms if isinstance(forms, list) and forms else [forms]:
            if not (isinstance(word, str) and WORD_ONLY.fullmatch(word)):
                return f"{what}; the words for {digit} are {forms!r}: write letters only"
    return None


def _forms(value: Any) -> tuple[str, ...]:
    words = value if isinstance(value, list) else [value]
    return tuple(unicodedata.normalize("NFC", w) for w in words)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# What each column of the font table must hold, and what to write instead.
ROW_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "serif": (_is_text, "write a font family as `fc-list : family` names it"),
    "sans": (_is_text, "write a font family as `fc-list : family` names it"),
    "package": (_is_text, "write the Debian package that ships the fonts"),
    "embed": (lambda v: isinstance(v, bool), "write true or false"),
    "style": (lambda v: v in STYLES, f"write one of: {', '.join(STYLES)}"),
}


def _row_problems(doc: Located, script: str, row: Any) -> list[Diagnostic]:
    where = doc.key_places.get((script,), doc.at((script,)))
    if not (len(script) == 4 and script.istitle() and script in Locale("en").scripts):
        why = f"'{script}' is not an ISO 15924 script code (Latn, Arab, Hans, Ethi, ...)"
        return [error("font-table", why, where)]
    if not isinstance(row, dict):
        return [error("font-table", f"{script} must give {', '.join(ROW_RULES)}", where)]
    out = [error("font-table", f"{script} has no '{k}'", where) for k in ROW_RULES if k not in row]
    for key, value in row.items():
        rule = ROW_RULES.get(key)
        if rule is None:
            at = doc.key_places.get((script, key), where)
            out.append(error("font-table", unknown_key(key, ROW_RULES), at))
        elif not rule[0](value):
            out.append(error("font-table", f"{key} is {value!r}: {rule[1]}", doc.at((script, key))))
    return out


@functools.cache
def font_table(layouts: Path) -> dict[str, Stack]:
    """layouts/fonts.yaml: ISO 15924 script -> its font stack; every problem located."""
    shown = relative(layouts / FONT_TABLE)
    try:
        doc = parse_yaml(read_text(layouts / FONT_TABLE, shown), shown)
    except SourceError as exc:
        raise RenderError(exc.diagnostics) from None
    if not isinstance(doc.data, dict):
        why = "expected one entry per script: `Latn:`, then its fonts"
        raise RenderError([error("font-table", why, doc.at(()))])
    problems = [d for script, row in doc.data.items() for d in _row_problems(doc, str(script), row)]
    if "Latn" not in doc.data:
        why = "Latn is missing: every stack falls back on it for numbers, URLs and English names"
        problems.append(error("font-table", why, doc.at(())))
    if problems:
        raise RenderError(problems)
    return {script: Stack(script, **row) for script, row in doc.data.items()}


def fonts_for(script: str, layouts: Path) -> Fonts | None:
    """The fonts of a script, or None when the table has no row for it."""
    table = font_table(layouts)
    return Fonts(table[script], table["Latn"]) if script in table else None


@functools.cache
def locale_info(code: str, locales_dir: Path) -> LocaleInfo:
    """The locale's settings. Its fonts come from the font table in the layouts
    folder beside `locales_dir` (a project keeps both at its root)."""
    import pyphen

    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        why = f"'{code}' is not a locale CLDR knows (try es, pt-BR, zh-Hans, fa-AF)"
        raise UsageError([error("unknown-locale", why, Place("LANG"))]) from None
    script = script_code(loc)
    layouts = locales_dir.parent / "layouts"
    fonts = fonts_for(script, layouts)
    if fonts is None:
        name = Locale("en").scripts.get(script, script)
        shown = relative(layouts / FONT_TABLE)
        why = (
            f"{code} is written in the {name} script ({script}), and the font table {shown} "
            f"has no entry for it: add `{script}:` with the {', '.join(ROW_RULES)} of fonts "
            f"that draw {name} (`fc-list : family` lists the installed ones)"
        )
        raise RenderError([error("font-script", why, Place(relative(locales_dir / code)))])
    cfg = _config(locales_dir, code)
    name = cfg.get("name") or loc.get_display_name(loc) or code
    if loc.character_order == "left-to-right":
        name = name[:1].title() + name[1:]  # title case: none in Georgian (upper() gives Mtavruli)
    tag = code.replace("_", "-")
    numbering = str(cfg.get("digits") or getattr(loc, "default_numbering_system", None) or "latn")
    return LocaleInfo(
        code=code,
        tag=tag,
        name=name,
        english_name=cfg.get("english_name") or loc.get_display_name("en") or code,
        dir="rtl" if loc.character_order == "right-to-left" else "ltr",
        numbering=numbering if numbering in NUMBERING else "latn",  # CSS cannot count in the others
        script=script,
        fonts=fonts,
        release=cfg.get("release", "complete"),
        hyphenate=bool(pyphen.language_fallback(code)),
        number_words=NumberWords(tuple(map(_forms, words)), script in UNSPACED)
        if (words := cfg.get("number_words"))
        else None,
    )


def available(locales_dir: Path, handbook_id: str) -> list[str]:
    """Locales with a catalog for this handbook, sorted."""
    return sorted(p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{handbook_id}.po"))

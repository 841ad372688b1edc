"""Locales: names, tags, direction, digits, fonts and hyphenation, from CLDR (Babel).

A locale is named as gettext names it (`pt_BR`, `zh_Hans`, `fa_AF`); `LANG=`
also accepts BCP 47 (`pt-BR`). Output folders use the BCP 47 tag. A small
`locales/<code>/locale.yaml` may set the release rule and override CLDR where
our readers differ from its default (Dari's own name; Arabic-Indic digits).
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .diagnostics import CatalogError, Place, RenderError, SourceError, UsageError, error, relative
from .source import parse_yaml, read_text

DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
COUNTER_STYLES = {"latn": "decimal", "arab": "arabic-indic", "arabext": "persian"}
# ISO 15924 scripts we have a font stack for (CLDR tells each locale's script).
SCRIPTS = {"Latn": "latin", "Cyrl": "cyrillic", "Arab": "arabic", "Hans": "han"}
RELEASE_RULES = ("complete", "fallback")
CONFIG_KEYS: dict[str, tuple[str, ...]] = {  # () = any text
    "release": RELEASE_RULES, "name": (), "english_name": (), "digits": tuple(DIGITS)}


@dataclass(frozen=True)
class Fonts:
    body: str  # CSS font-family lists, most specific first
    heading: str
    families: tuple[str, ...]  # what must be installed, for the coverage check
    package: str  # the Debian package that ships them
    embed: tuple[str, ...] = ()  # subset into the EPUB: scripts that cheap readers often lack


FONTS = {
    "latin": Fonts('"Noto Serif", serif', '"Noto Sans", sans-serif', ("Noto Serif", "Noto Sans"), "fonts-noto-core"),
    "cyrillic": Fonts('"Noto Serif", serif', '"Noto Sans", sans-serif', ("Noto Serif", "Noto Sans"), "fonts-noto-core"),
    "arabic": Fonts('"Noto Naskh Arabic", "Noto Serif", serif', '"Noto Naskh Arabic", "Noto Sans", sans-serif',
                    ("Noto Naskh Arabic", "Noto Serif", "Noto Sans"), "fonts-noto-core", ("Noto Naskh Arabic",)),
    "han": Fonts('"Noto Serif CJK SC", "Noto Serif", serif', '"Noto Sans CJK SC", "Noto Sans", sans-serif',
                 ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif", "Noto Sans"), "fonts-noto-cjk", ("Noto Sans CJK SC",)),
}


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # gettext: pt_BR
    tag: str  # BCP 47: pt-BR
    name: str  # the language's own name: Português (Brasil)
    english_name: str
    dir: str  # ltr | rtl
    numbering: str  # CLDR numbering system: latn, arab, arabext
    script: str  # latin, cyrillic, arabic, han
    release: str  # complete | fallback
    hyphenate: bool

    @property
    def fonts(self) -> Fonts:
        return FONTS[self.script]

    @property
    def counter_style(self) -> str:
        return COUNTER_STYLES[self.numbering]

    @property
    def babel(self) -> Locale:
        return Locale.parse(self.code)

    def digits(self, value: int | str) -> str:
        return str(value).translate(str.maketrans("0123456789", DIGITS[self.numbering]))


def normalize(name: str) -> str:
    """`pt-BR`, `pt_br`, `zh-Hans` -> gettext form `pt_BR`, `zh_Hans` (a bilingual `fa-AF+en`: each part)."""
    if "+" in name:
        return "+".join(normalize(part) for part in name.split("+"))
    parts = name.replace("-", "_").split("_")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.title() if len(p) == 4 else p.upper())
    return "_".join(out)


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
        raise CatalogError([error("locale-config", f"expected key: value lines ({', '.join(CONFIG_KEYS)})", doc.at(()))])
    problems = []
    for key, value in doc.data.items():
        allowed = CONFIG_KEYS.get(key)
        if key not in CONFIG_KEYS:
            hint = difflib.get_close_matches(key, list(CONFIG_KEYS), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(CONFIG_KEYS)}"
            problems.append(error("locale-config", f"unknown key '{key}' ({suggestion})", doc.key_places.get((key,), doc.at(()))))
        elif allowed and value not in allowed:
            problems.append(error("locale-config", f"{key} is {value!r}; it must be one of: {', '.join(allowed)}", doc.at((key,))))
        elif not allowed and not (isinstance(value, str) and value.strip()):
            problems.append(error("locale-config", f"{key} must be a text", doc.at((key,))))
    if problems:
        raise CatalogError(problems)
    return dict(doc.data)


@functools.cache
def locale_info(code: str, locales_dir: Path) -> LocaleInfo:
    import pyphen

    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        why = f"'{code}' is not a locale CLDR knows (try es, pt-BR, zh-Hans, fa-AF)"
        raise UsageError([error("unknown-locale", why, Place("LANG"))]) from None
    script = script_code(loc)
    if script not in SCRIPTS:
        name = Locale("en").scripts.get(script, script)
        raise RenderError([error("font-script", f"{code} is written in the {name} script ({script}); the pipeline has fonts only "
                                 f"for {', '.join(SCRIPTS)}: add a font stack for {name} to pipeline/locales.py",
                                 Place(relative(locales_dir / code)))])
    cfg = _config(locales_dir, code)
    name = cfg.get("name") or loc.get_display_name(loc) or code
    if loc.character_order == "left-to-right":
        name = name[:1].upper() + name[1:]
    tag = code.replace("_", "-")
    return LocaleInfo(
        code=code,
        tag=tag,
        name=name,
        english_name=cfg.get("english_name") or loc.get_display_name("en") or code,
        dir="rtl" if loc.character_order == "right-to-left" else "ltr",
        numbering=str(cfg.get("digits") or getattr(loc, "default_numbering_system", None) or "latn"),
        script=SCRIPTS[script],
        release=cfg.get("release", "complete"),
        hyphenate=bool(pyphen.language_fallback(code)),
    )


def available(locales_dir: Path, handbook_id: str) -> list[str]:
    """Locales with a catalog for this handbook, sorted."""
    return sorted(p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{handbook_id}.po"))

"""Locales: names, tags, direction, digits, fonts and hyphenation, from CLDR (Babel).

A locale is named as gettext names it (`pt_BR`, `zh_Hans`, `fa_AF`); `LANG=`
also accepts BCP 47 (`pt-BR`). Output folders use the BCP 47 tag. A small
`locales/<code>/locale.yaml` may set the release rule and override CLDR where
our readers differ from its default (Dari's own name; Arabic-Indic digits).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError

from .diagnostics import Place, UsageError, error, relative

DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
COUNTER_STYLES = {"latn": "decimal", "arab": "arabic-indic", "arabext": "persian"}
SCRIPTS = {"ar": "arabic", "fa": "arabic", "ps": "arabic", "ur": "arabic", "zh": "han", "uk": "cyrillic", "ru": "cyrillic"}
RELEASE_RULES = ("complete", "fallback")


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
    """`pt-BR`, `pt_br`, `zh-Hans` -> gettext form `pt_BR`, `zh_Hans`."""
    parts = name.replace("-", "_").split("_")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.title() if len(p) == 4 else p.upper())
    return "_".join(out)


def config_path(locales_dir: Path, code: str) -> Path:
    return locales_dir / code / "locale.yaml"


def _config(locales_dir: Path, code: str) -> dict[str, Any]:
    path = config_path(locales_dir, code)
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise UsageError([error("locale-config", "expected a mapping (release, name, digits)", Place(relative(path), 1))])
    unknown = set(data) - {"release", "name", "digits"}
    if unknown or data.get("release", "complete") not in RELEASE_RULES or data.get("digits", "latn") not in DIGITS:
        raise UsageError([error("locale-config", f"keys are release ({'|'.join(RELEASE_RULES)}), name, digits ({'|'.join(DIGITS)})", Place(relative(path), 1))])
    return data


@functools.cache
def locale_info(code: str, locales_dir: Path) -> LocaleInfo:
    import pyphen

    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise UsageError([error("unknown-locale", f"'{code}' is not a locale CLDR knows (try es, pt-BR, zh-Hans, fa-AF)", Place("LANG"))]) from None
    cfg = _config(locales_dir, code)
    name = cfg.get("name") or loc.get_display_name(loc) or code
    if loc.character_order == "left-to-right":
        name = name[:1].upper() + name[1:]
    tag = code.replace("_", "-")
    return LocaleInfo(
        code=code,
        tag=tag,
        name=name,
        english_name=loc.get_display_name("en") or code,
        dir="rtl" if loc.character_order == "right-to-left" else "ltr",
        numbering=cfg.get("digits") or getattr(loc, "default_numbering_system", "latn"),
        script=SCRIPTS.get(loc.language, "latin"),
        release=cfg.get("release", "complete"),
        hyphenate=bool(pyphen.language_fallback(code)),
    )


def available(locales_dir: Path, handbook_id: str) -> list[str]:
    """Locales with a catalog for this handbook, sorted."""
    return sorted(p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{handbook_id}.po"))

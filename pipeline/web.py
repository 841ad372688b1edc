"""The web edition: one responsive page per locale, with its stylesheet and fonts beside it,
for a service provider to host anywhere or text to someone; it opens from `file://` too.

The page comes from the same view and partials as the print edition (layouts/web/ holds
what is its own), loads nothing from any other site, and carries the locale's fonts
(layouts/fonts.yaml) as WOFF2 subsets: each face holds exactly the characters it draws,
found by applying the stylesheet's own font rules to the page (a phone on a slow line
pays for no glyph it does not show). The language switcher names each language in its
own script: the few letters of those names that this page's fonts lack come from a face of
that language's font, cut to just them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.support import NullTranslations

from .brand import logo_kind
from .diagnostics import Place, UsageError, error
from .fonts import family_cmap, family_files, subset, uncovered
from .html import Part, render
from .present import View

if TYPE_CHECKING:
    from .project import Project

INDEX = "index.html"
STYLESHEET = "style.css"
FONTS = "fonts"
OWNED = (INDEX, STYLESHEET, f"{FONTS}/*.woff2")  # what the build writes in the edition's folder
NAMES = "Language names"  # the family of the switcher's faces (style.css.j2)
BOLD = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "th"})  # browsers' own
# Never applied unless a page asks for it (aalt), or only for another language than the
# page's (locl: a CJK face is chosen per locale already, and its other regions' forms
# are half its glyphs).
UNUSED_FEATURES = ("aalt",)
CJK_UNUSED_FEATURES = ("aalt", "locl")
# Hinting instructions are up to half of a TrueType subset, and phones' screens ignore them
# (only Windows at small sizes uses them): the web's faces go without.
HINTING = False


@dataclass(frozen=True)
class Language:
    """A language in the switcher."""

    tag: str  # BCP 47
    name: str  # its own name, in its own script
    href: str  # its page, relative to this one
    family: str  # its script's sans family: draws the letters of `name` this page lacks


@dataclass(frozen=True)
class Style:
    """The two properties that choose a face."""

    families: tuple[str, ...] = ()  # font-family, most specific first
    weight: int = 400  # font-weight


def render_web(
    layouts: Path, view: View, gettext: NullTranslations, *, languages: Sequence[Language] = ()
) -> dict[str, bytes]:
    """The files of the web edition, by path relative to its folder: index.html first."""
    logo = view.hb.logo
    logos = {f"logo.{logo_kind(logo)}": Path(logo.path).read_bytes()} if logo else {}
    page = render(
        layouts,
        "web/index.html.j2",
        view,
        gettext,
        part=Part(view.sections),
        languages=tuple(languages),
        stylesheet=STYLESHEET,
        logo_src=next(iter(logos), ""),
    )
    names, name_faces = name_fonts(view, languages)

    def stylesheet(faces: list[dict[str, str]]) -> str:
        return render(
            layouts,
            "web/style.css.j2",
            view,
            gettext,
            font_faces=faces,
            language_names=NAMES if names else "",
        )

    fonts, faces = web_fonts(view, drawn(page, stylesheet([]), view))
    css = stylesheet(faces + name_faces)
    return {INDEX: page.encode(), STYLESHEET: css.encode(), **logos, **fonts, **names}


def drawn(page: str, css: str, view: View) -> dict[tuple[str, int], str]:
    """The characters each face of the locale's families draws on the page, by (family,
    weight): each text is set in the first family of its font-family list that has a glyph
    for it, in the face of its weight (as a browser picks, character by character)."""
    families = {f: family_cmap(f) for f in view.loc.fonts.families}
    weights = {f: {face.weight for face in family_files(f)} for f in families}
    # The numbers the browser draws itself before list items, in the locale's counter style.
    counters = view.loc.digits("0123456789") + "."
    out: dict[tuple[str, int], set[str]] = {}
    for style, text in _texts(page, css, counters):
        for ch in set(text):
            family = next((f for f in style.families if ord(ch) in families.get(f, ())), None)
            if family is not None:
                have = weights[family]
                weight = style.weight if style.weight in have else min(have)
                out.setdefault((family, weight), set()).add(ch)
    return {key: "".join(sorted(chars)) for key, chars in out.items()}


def _texts(page: str, css: str, counters: str) -> Iterator[tuple[Style, str]]:
    """Each text of the page's body with the style it is set in: the stylesheet's
    font-family and font-weight rules by the cascade (specificity, then order), inherited,
    over the browsers' bold headings and strong text. Rules under @media are taken as
    applying: the stylesheet sets no font inside one (tests/test_web.py asks the browser
    which fonts drew every text of the page)."""
    import cssselect2
    import lxml.html

    matcher = _font_rules(css)

    def walk(element: Any, inherited: Style) -> Iterator[tuple[Style, str]]:
        el = element.etree_element
        style = replace(inherited, weight=700) if el.tag in BOLD else inherited
        for _specificity, _order, pseudo, props in matcher.match(element):
            if pseudo is None:
                style = _apply(style, props, inherited)
        yield style, (el.text or "") + "".join(c.tail or "" for c in el)
        if el.tag in ("ol", "ul"):
            yield style, counters
        for child in element.iter_children():
            if child.etree_element.tag != "head":  # not drawn
                yield from walk(child, style)

    root = lxml.html.document_fromstring(page)
    yield from walk(cssselect2.ElementWrapper.from_html_root(root), Style())


def _font_rules(css: str) -> Any:
    import cssselect2
    import tinycss2

    matcher = cssselect2.Matcher()
    for rule in _qualified(tinycss2.parse_stylesheet(css, True, True)):
        declarations = tinycss2.parse_declaration_list(rule.content, True, True)
        props = {
            d.lower_name: tinycss2.serialize(d.value).strip()
            for d in declarations
            if d.type == "declaration" and d.lower_name in ("font-family", "font-weight")
        }
        if props:
            for selector in cssselect2.compile_selector_list(rule.prelude):
                matcher.add_selector(selector, props)
    return matcher


def _qualified(rules: Sequence[Any]) -> Iterator[Any]:
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            yield from _qualified(tinycss2.parse_rule_list(rule.content, True, True))


def _apply(style: Style, props: Mapping[str, str], parent: Style) -> Style:
    """A rule's font-family and font-weight over `style` (a property it does not set stays)."""
    family = props.get("font-family")
    if family == "inherit":
        style = replace(style, families=parent.families)
    elif family:
        style = replace(style, families=tuple(f.strip().strip("\"'") for f in family.split(",")))
    weight = props.get("font-weight", "")
    named = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 400, "inherit": parent.weight}
    if weight in named or weight.isdigit():
        value = named[weight] if weight in named else int(weight)
        style = replace(style, weight=700 if value >= 600 else 400)  # faces: 400 and 700
    return style


def web_fonts(
    view: View, text: Mapping[tuple[str, int], str]
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """Each face of the locale's families that draws something (its script's, then the Latin
    ones for numbers and addresses), subset to what it draws; and their @font-face rows."""
    unused = CJK_UNUSED_FEATURES if view.loc.fonts.style == "cjk" else UNUSED_FEATURES
    files, faces = {}, []
    for family in view.loc.fonts.families:
        own = family in (view.loc.fonts.own.serif, view.loc.fonts.own.sans)
        for face in family_files(family):
            chars = text.get((family, face.weight))
            if not chars:
                continue
            name = f"{FONTS}/{family.replace(' ', '')}-{face.weight}.woff2"
            drop = unused if own else UNUSED_FEATURES
            files[name] = subset(face, chars, "woff2", drop=drop, hinting=HINTING)
            faces.append({"family": family, "weight": str(face.weight), "href": name})
    return files, faces


def name_fonts(
    view: View, languages: Sequence[Language]
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """For the switcher, a face per script family with the letters of the languages' names
    that this page's fonts lack (a reader looks for their language by its own name, on a
    phone that may have no font for its script); and their @font-face rows, each limited to
    its letters (unicode-range), so it draws nothing else."""
    wanted: dict[str, set[str]] = {}
    for language in languages:
        cmap = family_cmap(language.family)
        lacking = {ch for ch in uncovered(language.name, view.loc.fonts) if ord(ch) in cmap}
        if lacking:
            wanted.setdefault(language.family, set()).update(lacking)
    files, faces = {}, []
    for family, chars in sorted(wanted.items()):
        face = family_files(family)[0]  # regular: only this page's own name is bold
        name = f"{FONTS}/names-{family.replace(' ', '')}.woff2"
        text = "".join(sorted(chars))
        files[name] = subset(face, text, "woff2", drop=UNUSED_FEATURES, hinting=HINTING)
        ranges = ", ".join(f"U+{ord(c):X}" for c in sorted(chars))
        faces.append({"family": NAMES, "weight": "400", "href": name, "range": ranges})
    return files, faces


def build_web(
    project: Project, handbook_id: str, locale: str, *, allow_partial: bool = False
) -> Path:
    """Write dist/<tag>/<id>-web/ (all its files or none) and return its index.html, once the
    page has passed the verifier (pipeline/verify.py). The switcher lists every locale of the
    handbook (this one marked as the current page), each edition at the same place in its own
    locale's folder."""
    from .locales import locale_info
    from .output import write_folder
    from .paths import output_path
    from .prepare import prepare, resolve_locale
    from .verify import check_web

    if "+" in locale:  # a reader picks the language from the page's list instead
        parts = locale.split("+")
        why = (
            f"the web edition has one language per page: build {' and '.join(parts)} each on"
            f" its own ({', then '.join(f'--lang {p}' for p in parts)}); each page links to the"
            " others"
        )
        raise UsageError([error("web-bilingual", why, Place("LANG"))])
    handbook = project.load(handbook_id)
    loc = resolve_locale(project, handbook, locale)
    prepared = prepare(project, handbook, loc, allow_partial=allow_partial)
    out = output_path(project.dist, handbook.id, loc.code, "web").parent
    folder = out.name
    every = [locale_info(code, project.locales) for code in project.locales_of(handbook)]
    languages = [
        Language(e.tag, e.name, f"../../{e.tag}/{folder}/{INDEX}", e.fonts.own.sans) for e in every
    ]
    files = render_web(project.layouts, prepared.view, prepared.gettext, languages=languages)
    check_web(handbook, prepared.view, files[INDEX], out / INDEX)
    # What a file loads goes in before it (fonts, stylesheet, page), and what the page no
    # longer loads goes only after it: whoever opens the page meanwhile finds its fonts.
    order = sorted(files, key=lambda name: (name == INDEX, name == STYLESHEET))
    write_folder(out, {name: files[name] for name in order}, OWNED)
    return out / INDEX

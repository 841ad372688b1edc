"""Render the shared Jinja2 layouts: one HTML document for print, XHTML for EPUB."""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from babel.support import NullTranslations
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from . import inline
from .brand import data_url, palette
from .diagnostics import Place, RenderError, error, relative
from .inline import PHONE, WORD_JOINER, dial
from .locales import LocaleInfo
from .model import Handbook, Text, iter_texts
from .present import SectionView, View, edition_date
from .qa import EMAIL, URL

if TYPE_CHECKING:
    from .press import Press

# Runs of Latin letters and digits (names, numbers, URLs): kept left to right
# inside right-to-left text, on the page and in copied text; set in the Latin
# fonts inside CJK text.
# A phone number is one run, brackets and all: (202) 671-1880.
RUN_ON = r"[A-Za-z0-9 .,’'&@:/+_-]*[A-Za-z0-9]"
LTR_RUN = re.compile(rf"{PHONE.pattern}(?:{RUN_ON})?|[A-Za-z0-9@:/+]{RUN_ON}|[A-Za-z0-9]")
# Beside <bdi>, a left-to-right mark on each side of a run, in the text itself,
# keeps it in order where markup is dropped. Measured with Calibre (EPUB, MOBI,
# EPUB, PDF): MOBI drops <bdi>; its renderer ignores the isolates LRI and PDI
# (U+2066, U+2069), so 1-888-373-7888 still comes out reversed, and garbles the
# Arabic beside them; with LRM the number stays in order. WeasyPrint draws
# nothing for LRM (no pixel changes) and leaves it out of the text layer.
LRM = "\u200e"


def ltr_marked(value: str) -> str:
    return f"{LRM}{value}{LRM}"


Runs = Callable[[str], Markup]


def _runs(value: str, template: Markup, inner: Runs) -> Markup:
    out, last = [], 0
    for m in LTR_RUN.finditer(value):
        out.append(escape(value[last : m.start()]))
        out.append(template.format(inner(m.group(0))))
        last = m.end()
    out.append(escape(value[last:]))
    return Markup("").join(out)


def isolate_ltr(value: str, inner: Runs = escape) -> Markup:
    return _runs(value, Markup(f'<bdi dir="ltr">{LRM}{{}}{LRM}</bdi>'), inner)


def latin_runs(value: str, inner: Runs = escape) -> Markup:
    """CJK fonts draw the apostrophe and quotes (U+2019, U+201C) full width, as in
    "Attorney[wide gap]s Office"; page.css.j2 sets these runs in the Latin fonts."""
    return _runs(value, Markup('<span class="latn">{}</span>'), inner)


def address_link(address: str) -> str:
    """Where an address printed in a text leads: mail to it, or its page (https:// for a
    bare host, as a browser would)."""
    if EMAIL.fullmatch(address):
        return f"mailto:{address}"
    return address if re.match(r"(?i)https?://", address) else f"https://{address}"


def keep_urls(
    value: str,
    rest: Callable[[str], Markup],
    *,
    rtl: bool = False,
    cjk: bool = False,
    linked: bool = False,
) -> Markup:
    """Addresses (web and e-mail, bare hosts) in a link that is never hyphenated or broken (a
    hyphen inside an address sends the reader elsewhere), kept left to right and in Latin type
    like the runs around them (a span inside a link: `linked`); the text between them through
    `rest`. A reader on a phone taps the address instead of typing it."""
    span = Markup('<span class="url{}" dir="ltr">{}</span>')
    anchor = Markup('<a class="url{}" dir="ltr" href="{}">{}</a>')
    out, last = [], 0
    for m in sorted((*URL.finditer(value), *EMAIL.finditer(value)), key=lambda m: m.start()):
        if m.start() < last:  # inside the address before it
            continue
        latn, shown = " latn" if cjk else "", ltr_marked(m.group(0)) if rtl else m.group(0)
        address = (
            span.format(latn, shown)
            if linked
            else anchor.format(latn, address_link(m.group(0)), shown)
        )
        out += [rest(value[last : m.start()]), address]
        last = m.end()
    return Markup("").join([*out, rest(value[last:])])


def text_filter(loc: LocaleInfo, known: tuple[str, ...] = ()) -> Callable[[Text], Markup]:
    """A text as HTML. An answer's text (rich) has its markup rendered (pipeline/inline.py)
    and its phone numbers linked; the runs of each piece of its plain text are kept as in
    any text. Other texts (titles, questions: headings, contents links) print as written."""
    rtl, cjk = loc.dir == "rtl", loc.fonts.style == "cjk"

    def leaf(fallback: bool) -> inline.Leaf:
        def render(value: str, linked: bool) -> Markup:
            inner = functools.partial(inline.phone_links, linked=linked, known=known)
            if fallback:
                return keep_urls(value, inner, linked=linked)
            if rtl:
                return keep_urls(value, lambda v: isolate_ltr(v, inner), rtl=True, linked=linked)
            rest = (lambda v: latin_runs(v, inner)) if cjk else inner
            return keep_urls(value, rest, cjk=cjk, linked=linked)

        return render

    def render(text: Text) -> Markup:
        pieces = leaf(text.fallback)
        if text.rich:
            body = inline.render(inline.parse(text.value).nodes, pieces)
        else:
            body = pieces(text.value, True)
        if text.fallback:  # the source language's text, marked, and kept in order like a run
            kind = "fallback latn" if cjk else "fallback"
            span = Markup('<span class="{}" lang="{}" dir="ltr">{}</span>')
            return span.format(kind, text.lang, Markup(ltr_marked(body)) if rtl else body)
        return body

    return render


def link(scheme: str, rtl: bool) -> Callable[[str], Markup]:
    """A number as a `scheme:` link (no scheme: as text), isolated left to right and kept on
    one line (class `tel`, as inline.phone_links); in right-to-left text marked too, inside the
    link, where a converter keeps it with the number."""
    mark = ltr_marked if rtl else str
    isolated = Markup('<bdi class="tel" dir="ltr">{}</bdi>')

    def render(number: str) -> Markup:
        if not scheme:
            return isolated.format(mark(number))
        a = Markup('<a href="{}:{}">{}</a>').format(scheme, dial(number), mark(number))
        return isolated.format(a)

    return render


def link_descriptions(view: View, gettext: NullTranslations) -> dict[str, str]:
    """What each link in the PDF leads to, for screen readers (WeasyPrint's own
    description is the bare fragment id or URL)."""
    out = {s.anchor: s.title.value for s in view.sections}
    out.update(
        {
            q.anchor: f"{q.number}. {q.entry.question.value}"
            for s in view.sections
            for q in s.entries
        }
    )
    for t in iter_texts(view.hb.sections):  # numbers in answers, and their tel: links
        if not t.rich:
            continue
        for number in [*inline.tel_targets(t.value), *(m.group() for m in PHONE.finditer(t.value))]:
            out[f"tel:{dial(number)}"] = gettext.gettext("Call %(number)s") % {"number": number}
    for c in view.hb.contacts:
        if c.phone:
            out[f"tel:{dial(c.phone)}"] = gettext.gettext("Call %(number)s") % {"number": c.phone}
        if c.sms:
            out[f"sms:{dial(c.sms)}"] = gettext.gettext("Text %(number)s") % {"number": c.sms}
    return out


def spaced_phones(hb: Handbook) -> tuple[str, ...]:
    """The contacts' phone numbers (not their text numbers: a tel: link would call those) of
    more than one group, as written: an answer that gives one links it and keeps it whole."""
    return tuple(c.phone for c in hb.contacts if inline.spaced(c.phone))


def unbroken(number: str) -> str:
    """A number for CSS content (the footers), where no markup can keep it on one line: a word
    joiner after each space. WeasyPrint draws nothing for it and leaves it out of the text layer,
    so the number copies out as written (a no-break space copied out of pdfium as U+00A0)."""
    return number.replace(" ", f" {WORD_JOINER}")


def css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def css_content(message: str, counter: str) -> Markup:
    """A translated 'Page @@N@@' as CSS content: strings around a counter."""
    before, _, after = str(message).partition("@@N@@")
    parts = [css_string(before)] if before else []
    if counter and _:
        parts.append(counter)
    if after:
        parts.append(css_string(after))
    return Markup(" ".join(parts) or '""')


class OutsideLayouts(jinja2.TemplateNotFound):
    """A template the loader refuses to read: it is, or links to, a file outside layouts/."""


class LayoutLoader(jinja2.FileSystemLoader):
    """Templates from layouts/ only: a name that climbs out ('../') or a link that
    resolves outside the folder is refused before anything is read."""

    def __init__(self, layouts: Path) -> None:
        super().__init__(layouts)
        self.root = layouts.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if ".." in template.split("/"):
            raise OutsideLayouts(
                template,
                f"'{template}' is outside layouts/: a layout may include only files in layouts/",
            )
        path = Path(
            self.searchpath[0], *split_template_path(template)
        )  # as Jinja finds it: '/etc/x' is layouts/etc/x
        if path.exists() and not path.resolve().is_relative_to(self.root):
            raise OutsideLayouts(
                template,
                f"layouts/{template} is a link to a file outside layouts/: "
                "copy the file into layouts/ instead of linking to it",
            )
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(
                template, f"there is no layout '{template}' in layouts/"
            ) from None


class CompiledLayouts(jinja2.BytecodeCache):
    """Compiled layouts, shared by the environments of every locale: a template is compiled
    once per state of its file (Jinja checks the source's checksum), not once per locale."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledLayouts()


def sandbox(layouts: Path, compiled: jinja2.BytecodeCache | None) -> jinja2.Environment:
    """Layouts run sandboxed: a template reads what it is given and cannot reach
    Python's internals (os, subprocess, files), nor change the view it renders."""
    env = ImmutableSandboxedEnvironment(
        loader=LayoutLoader(layouts),
        autoescape=lambda name: name is None or not name.endswith(".css.j2"),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=False,
        keep_trailing_newline=True,
        bytecode_cache=compiled,
    )
    env.filters["css_content"] = css_content
    env.filters["unbroken"] = unbroken
    env.filters["block_id"] = block_id
    return env


@functools.cache
def plain_environment(layouts: Path) -> jinja2.Environment:
    """For templates that need no handbook view; the layout strings stay in English. It has
    no locale filters, so it compiles its templates itself (compiled code names its filters)."""
    env = sandbox(layouts, None)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


@functools.lru_cache(maxsize=32)  # a build uses one or two locales; the preview, each one shown
def environment(
    layouts: Path, loc: LocaleInfo, gettext: NullTranslations, known: tuple[str, ...] = ()
) -> jinja2.Environment:
    """The layouts of one locale (`known`: the handbook's phone numbers that answers may give,
    linked like any phone number): its translations and filters are set here, once, and never
    changed after, so renders share it, in threads too, without a lock. A catalog read again
    is a new `gettext` (pipeline/build.py prepare), hence a new environment; a changed layout
    is read again by the loader, which checks each file's time."""
    env = sandbox(layouts, COMPILED)
    rtl = loc.dir == "rtl"
    # Jinja marks translations safe; a catalog is not trusted markup, so escape it.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: escape(gettext.gettext(s)),
        ngettext=lambda s, p, n: escape(gettext.ngettext(s, p, n)),
        pgettext=lambda c, s: escape(gettext.pgettext(c, s)),
        npgettext=lambda c, s, p, n: escape(gettext.npgettext(c, s, p, n)),
        newstyle=True,
    )
    env.filters["t"] = text_filter(loc, known)
    env.filters["digits"] = loc.digits
    env.filters["day"] = lambda day: loc.digits(edition_date(day, loc))
    # CSS content cannot hold <bdi>: left-to-right marks keep numbers in order there.
    env.filters["ltr"] = ltr_marked if rtl else str
    env.filters["tel"] = link("tel", rtl)
    env.filters["sms"] = sms_filter(rtl)
    return env


def sms_filter(rtl: bool) -> Callable[[Context, str], Markup]:
    """`sms:` links where the render allows them (its `sms_links`), else the number as text."""
    sms, text = link("sms", rtl), link("", rtl)

    @jinja2.pass_context
    def render(context: Context, number: str) -> Markup:
        return (sms if context["sms_links"] else text)(number)

    return render


def block_id(key: str) -> str:
    """A text's key as an HTML id (get-help/p1 -> b-get-help-p1): each block of the book is
    an anchor, so the print edition reports the page it starts on (the EPUB's page-list)."""
    return "b-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def render(
    layouts: Path,
    name: str,
    view: View,
    gettext: NullTranslations,
    *,
    sms_links: bool = True,
    **extra: Any,
) -> str:
    """Render one template for a view, in the environment of its locale; template errors
    become located RenderErrors. EPUBCheck flags `sms:` links (HTM-025), so the EPUB shows
    SMS numbers as text. The logo is a data: URL, which WeasyPrint and the preview's browser
    both read (`logo_src` names its copy where a format carries one: the EPUB, the web edition)."""
    env = environment(layouts, view.loc, gettext, spaced_phones(view.hb))
    logo = view.hb.logo
    extra.setdefault("logo_src", data_url(logo.path) if logo and logo.path else "")
    with located(layouts, name):
        return env.get_template(name).render(
            hb=view.hb,
            loc=view.loc,
            status=view.status,
            sections=view.sections,
            edition=view.edition,
            entry_count=view.entry_count,
            contacts=view.hb.contacts,
            keywords=view.keywords,
            created=view.created,
            publisher=view.hb.publisher,
            hotline=view.hotline,
            coverage=view.coverage,
            theme=palette(view.hb.theme, press.icc if (press := extra.get("press")) else b""),
            sms_links=sms_links,
            **extra,
        )


@contextmanager
def located(layouts: Path, name: str) -> Iterator[None]:
    """Template errors become RenderErrors at the template's file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = Place(relative(exc.filename or layouts / (exc.name or name)), exc.lineno)
        raise RenderError([error("layout-syntax", exc.message or str(exc), where)]) from None
    except SecurityError as exc:
        why = (
            "a layout may use only the values it is given, not Python's internals "
            f"({str(exc).rstrip('.')})"
        )
        raise RenderError(
            [error("layout-unsafe", why, template_place(exc, layouts, name))]
        ) from None
    except OutsideLayouts as exc:
        raise RenderError(
            [error("layout-outside", str(exc), template_place(exc, layouts, name))]
        ) from None
    except jinja2.TemplateError as exc:
        raise RenderError(
            [error("layout-error", str(exc), template_place(exc, layouts, name))]
        ) from None


def template_place(exc: Exception, layouts: Path, name: str) -> Place:
    """The innermost template line of a render error: Jinja rewrites the traceback
    so that its frames name the template files and their lines."""
    root = layouts.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).resolve().is_relative_to(root):
            return Place(relative(frame.filename), frame.lineno or 0)
    return Place(relative(layouts / name), 1)


def render_plain(layouts: Path, name: str, **context: Any) -> str:
    """A template that needs no handbook view (release pages, preview chrome)."""
    with located(layouts, name):
        return plain_environment(layouts).get_template(name).render(**context)


PAGE_SIZES = {"letter": "letter", "a4": "A4", "a5": "A5", "cover": "5in 7.5in"}
COMPACT = ("a5", "cover")  # pages too small for the cover's full-size type: it must fit one page


@dataclass(frozen=True)
class Part:
    """What one print document holds. A long book is rendered in parts (book.py):
    the body in runs of sections, each going on from the folio the one before
    ended at, then the front matter, whose contents lists `pages`."""

    sections: tuple[SectionView, ...]
    front: bool = True
    back: bool = True
    first_page: int = 1  # folio of its first page; an even one is a verso
    pages: Mapping[str, str] = field(
        default_factory=dict
    )  # entry anchor -> folio, in the locale's digits


def print_html(
    layouts: Path,
    view: View,
    gettext: NullTranslations,
    *,
    size: str = "letter",
    press: Press | None = None,
    template: str = "handbook.html.j2",
    part: Part | None = None,
) -> str:
    """The print edition, or `part` of it (or, with cover.html.j2, its cover alone).
    A right-to-left root makes WeasyPrint start on a left page, so :left/:right
    (outer margins, heads, folios) mirror by themselves."""
    part = part or Part(view.sections)
    page_css = render(
        layouts, "page.css.j2", view, gettext, page_size=PAGE_SIZES[size], press=press, part=part
    )
    return render(
        layouts,
        template,
        view,
        gettext,
        page_css=Markup(page_css),
        part=part,
        compact=size in COMPACT,
    )

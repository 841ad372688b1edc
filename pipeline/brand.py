"""A handbook's branding, checked where it is written: theme colours that keep text on them
readable, and a logo file that is an image in the handbook's own folder.

Contrast is WCAG 2.x's: relative luminance of sRGB, (L1 + 0.05) / (L2 + 0.05), at least
4.5:1 for text of normal size (AA). Every use the layouts make of a colour is listed in
USES, so a colour that passes here passes wherever the layouts print text on it or in it.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .colour import cmyk, default_icc
from .diagnostics import Diagnostic, Place, error
from .model import Logo, Theme

AA_TEXT = 4.5
WHITE = "#ffffff"
DEFAULT = Theme()
# The cover prints its language name and question count in white at 90 % over the primary
# colour, as a solid colour (print.css: opacity would put the text in a form XObject).
COVER_SHARE = 0.9
# The print shop's edition (layouts/press.css) prints the default colours in these inks:
# print.css's sRGB converted with Ghostscript's SWOP profile, the red's ink total kept
# under 300 %. Another colour, or any colour with the print shop's own profile
# (PROFILE=), is converted with the press PDF's profile (press_colour).
PRESS = {
    "#1f3a5f": "device-cmyk(1 0.85 0.36 0.38)",
    "#b3261e": "device-cmyk(0.1 1 1 0.1)",
    "#e9ebef": "device-cmyk(0.1 0.08 0.04 0.04)",
}


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(top: str, bottom: str, share: float) -> str:
    """`top` laid at `share` opacity over `bottom`, as one solid colour."""
    pairs = zip(rgb(top), rgb(bottom), strict=True)
    return "#" + "".join(f"{round(t * share + b * (1 - share)):02x}" for t, b in pairs)


def on_primary(primary: str) -> str:
    """The cover's near-white for small text on the primary colour."""
    return mix(WHITE, primary, COVER_SHARE)


# How the layouts use each colour: (what a reader sees, foreground, background).
Use = tuple[str, Callable[[str], str], Callable[[str], str]]
USES: dict[str, tuple[Use, ...]] = {
    "primary": (
        ("white text on it (the cover's title)", lambda _c: WHITE, lambda c: c),
        ("near-white text on it (the cover's language name and count)", on_primary, lambda c: c),
        ("text in it on white (section titles and questions)", lambda c: c, lambda _c: WHITE),
    ),
    "accent": (
        ("text in it on white ('Get help now', question numbers)", lambda c: c, lambda _c: WHITE),
        ("white text on it (the web edition's call buttons)", lambda _c: WHITE, lambda c: c),
    ),
}


def weakest(key: str, colour: str) -> tuple[float, str]:
    """The lowest contrast of text where the layouts use `colour` as `key`, and that use."""
    return min((contrast(fg(colour), bg(colour)), what) for what, fg, bg in USES[key])


def darker(key: str, colour: str) -> str:
    """The lightest shade of `colour` (mixed with black) that passes every use."""
    for step in range(1, 21):
        shade = mix(colour, "#000000", 1 - step / 20)
        if weakest(key, shade)[0] >= AA_TEXT:
            return shade
    return "#000000"


def theme_problems(theme: dict[str, str], where: Callable[[str], Place]) -> list[Diagnostic]:
    """A colour of `theme` (the source's mapping) on or in which the layouts' text fails AA;
    `where(key)` is the place the colour is written."""
    out = []
    for key in USES:
        colour = theme.get(key)
        if colour is None or not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
            continue  # absent, or reported by the schema
        ratio, what = weakest(key, colour.lower())
        if ratio < AA_TEXT:
            why = (
                f"the {key} colour {colour} is too light: {what} has a contrast of "
                f"{ratio:.1f}:1, and WCAG AA asks at least {AA_TEXT}:1 for text; "
                f"choose a darker colour, such as {darker(key, colour.lower())}"
            )
            out.append(error("theme-contrast", why, where(key)))
    return out


@dataclass(frozen=True)
class Palette:
    """The theme as the stylesheets write it: sRGB, or CMYK for the print shop."""

    primary: str
    accent: str
    on_primary: str
    icc: bytes = field(default=b"", repr=False)  # the press PDF's output profile, if it is one

    def cmyk(self) -> Palette:
        """In the inks of the press PDF's profile (Ghostscript's if none was given)."""
        primary, accent, on = (press_colour(c, self.icc or None) for c in self.colours)
        return Palette(primary, accent, on, self.icc)

    @property
    def colours(self) -> tuple[str, str, str]:
        return self.primary, self.accent, self.on_primary


def palette(theme: Theme, icc: bytes = b"") -> Palette:
    """The theme's colours; `icc`: the press PDF's output profile, for its inks."""
    return Palette(theme.primary, theme.accent, on_primary(theme.primary), icc)


@functools.cache
def press_colour(colour: str, icc: bytes | None = None) -> str:
    """`colour` in the press's inks, for the press PDF's output profile `icc` (None:
    Ghostscript's): PRESS for the defaults with Ghostscript's profile, otherwise converted
    with the profile (press.cmyk: relative colorimetric, ink total under 300 %)."""
    icc = icc or default_icc()
    if colour in PRESS and icc == default_icc():
        return PRESS[colour]
    inks = cmyk([v / 255 for v in rgb(colour)], icc)
    return "device-cmyk({})".format(" ".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in inks))


# The logo.
PNG = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}svg"
MAX_LOGO_BYTES = 1024 * 1024  # a logo is a few KB; a photograph is a mistake
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def image_kind(data: bytes) -> str:
    """'png' or 'svg' by content (never by the file's name), or '' for anything else."""
    if data.startswith(PNG):
        return "png"
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return ""
    return "svg" if root.tag == SVG_NS else ""


def logo_problems(logo: Logo, folder: Path) -> tuple[Path | None, list[Diagnostic]]:
    """The logo's file, resolved inside the handbook's `folder`, or why it cannot be used."""
    path = folder / logo.file

    def fail(code: str, why: str) -> tuple[None, list[Diagnostic]]:
        return None, [error(code, why, logo.place)]

    if Path(logo.file).is_absolute() or not path.resolve().is_relative_to(folder.resolve()):
        return fail(
            "logo-outside",
            f"the logo '{logo.file}' is outside the handbook's folder ({folder.name}/): "
            "copy the file into that folder and write its name, such as 'logo.svg'",
        )
    if not path.is_file():
        return fail(
            "logo-missing",
            f"there is no file '{logo.file}' in the handbook's folder ({folder.name}/): "
            "put the logo there, or correct its name",
        )
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        return fail(
            "logo-too-large",
            f"the logo '{logo.file}' is {len(data) / 1e6:.1f} MB; the limit is "
            f"{MAX_LOGO_BYTES / 1e6:.0f} MB: save a smaller PNG, or an SVG",
        )
    if not image_kind(data):
        return fail(
            "logo-type",
            f"the logo '{logo.file}' is not an SVG or PNG image (its content is neither, "
            "whatever its name): save the logo as SVG or PNG",
        )
    return path.resolve(), []


def data_url(path: str) -> str:
    """The checked logo at `path` as a data: URL."""
    data = Path(path).read_bytes()
    return f"data:{MEDIA_TYPES[image_kind(data)]};base64,{base64.b64encode(data).decode()}"


def logo_kind(logo: Logo) -> str:
    """'png' or 'svg': the checked logo's kind, which names its copy in an EPUB or web folder."""
    return image_kind(Path(logo.path).read_bytes())

"""Colours in a press's inks: sRGB (as CSS gives them) or an image's own RGB profile,
converted to the CMYK of an ICC profile, relative colorimetric, the ink total capped. The
press PDF (pipeline/press.py) and the theme's press colours (pipeline/brand.py) both
convert here, so a logo and the cover around it print in the same inks."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf
    from PIL import Image, ImageCms

MAX_INK = 3.0  # 300 %: more ink than a press lays down without smearing
# Debian's libgs-common (Ghostscript's data) installs it: SWOP, a US printing condition.
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@functools.cache
def default_icc() -> bytes:
    """Ghostscript's profile, b"" where it is not installed (a print shop's is given)."""
    try:
        return DEFAULT_PROFILE.read_bytes()
    except OSError:
        return b""


@functools.cache
def _transform(icc: bytes, source: bytes = b"") -> ImageCms.ImageCmsTransform:
    """RGB (`source`, or sRGB as CSS colours are) to the CMYK of the profile `icc`,
    relative colorimetric, as the theme's colours (brand.press_colour)."""
    from PIL import ImageCms

    def profile(data: bytes) -> ImageCms.ImageCmsProfile:
        return ImageCms.ImageCmsProfile(io.BytesIO(data))

    transform = ImageCms.buildTransform(
        profile(source) if source else ImageCms.createProfile("sRGB"),
        profile(icc),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    # LittleCMS alters the profile it built with, after which Pillow cannot copy it into the
    # output's info (OSError "Could not determine profile size", seen with Ghostscript's
    # ps_cmyk.icc): the output is tagged with a copy that was never built with.
    transform.output_profile = profile(icc)
    return transform


def cmyk_image(image: Image.Image, icc: bytes, source: bytes = b"") -> Image.Image:
    """An image's colour in the profile's CMYK (its alpha, if any, is the caller's)."""
    from PIL import ImageCms

    out = ImageCms.applyTransform(image.convert("RGB"), _transform(icc, source))
    assert out is not None  # None only when converting in place
    return out


def cmyk(colour: Sequence[float | pikepdf.Object], icc: bytes) -> list[float]:
    """An RGB colour (components 0 to 1) in the profile's CMYK, its ink total under MAX_INK
    (the black kept, less of the colour inks)."""
    from PIL import Image

    pixel = Image.new("RGB", (1, 1), tuple(round(float(v) * 255) for v in colour))
    c, m, y, k = (v / 255 for v in cmyk_image(pixel, icc).tobytes())
    if (total := c + m + y + k) > MAX_INK:
        scale = (MAX_INK - k) / (total - k)
        c, m, y = c * scale, m * scale, y * scale
    return [round(v, 4) for v in (c, m, y, k)]

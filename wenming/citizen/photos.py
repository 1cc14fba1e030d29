"""Photos the public sends: bounded, checked by content, their location read and then removed.

The office keeps where and when a photo was taken (read from its EXIF into the report); the
image itself is re-encoded without any metadata before it is stored, so no stored copy — the
one the responsible unit sees with its problem included — carries the reporter's location.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from PIL import Image, ImageOps

from wenming.core.errors import ActionRefused

MAX_PHOTOS = 3
PHOTO_MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything larger is not a phone's
KINDS = {"JPEG", "PNG", "WEBP"}
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003

TOO_LARGE = "照片“{name}”超过{mb}MB上限"
NOT_PHOTO = "照片“{name}”不是可识别的JPEG、PNG或WebP图片"
TOO_MANY_PIXELS = "照片“{name}”像素过多,请压缩后再上传"
TOO_MANY = f"最多上传{MAX_PHOTOS}张照片"


class PhotoRefused(ActionRefused):
    """The photo is refused; the message says why in Chinese."""


@dataclass(frozen=True)
class Photo:
    name: str  # the name to store it under (.jpg: it is re-encoded)
    data: bytes  # the image without metadata
    latitude: Decimal | None
    longitude: Decimal | None
    taken_at: str  # "YYYY-MM-DD HH:MM:SS" from the camera, or ""


def _degrees(value: Any, ref: Any, limit: int) -> Decimal | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper() in ("S", "W"):
        result = -result
    if not -limit <= result <= limit:
        return None
    return Decimal(f"{result:.6f}")


def _location(image: Image.Image) -> tuple[Decimal | None, Decimal | None, str]:
    try:
        exif = image.getexif()
        gps = exif.get_ifd(GPS_IFD)
        taken = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL, "")
    except Exception:  # a damaged EXIF block: the photo is still a photo
        return None, None, ""
    latitude = _degrees(gps.get(2), gps.get(1), 90) if gps else None
    longitude = _degrees(gps.get(4), gps.get(3), 180) if gps else None
    if latitude is None or longitude is None:
        latitude = longitude = None
    text = str(taken).strip()[:19] if isinstance(taken, str) else ""
    if len(text) == 19:
        text = text[:10].replace(":", "-") + text[10:]
    return latitude, longitude, text if len(text) == 19 else ""


def photo_read(name: str, stream: IO[bytes]) -> Photo:
    """Read one uploaded photo; refuse it (Chinese message) when too large or not an image."""
    shown = (name or "照片")[:60]
    raw = stream.read(PHOTO_MAX_BYTES + 1)
    if len(raw) > PHOTO_MAX_BYTES:
        raise PhotoRefused(TOO_LARGE.format(name=shown, mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.format not in KINDS:
                    raise PhotoRefused(NOT_PHOTO.format(name=shown))
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(TOO_MANY_PIXELS.format(name=shown))
                latitude, longitude, taken_at = _location(image)
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                # a new image from the pixels alone: no EXIF, XMP, ICC or text chunks follow
                upright.convert("RGB").save(out, "JPEG", quality=88)
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(TOO_MANY_PIXELS.format(name=shown)) from None
    except Exception:  # Pillow raises many kinds for a damaged or disguised file
        raise PhotoRefused(NOT_PHOTO.format(name=shown)) from None
    stem = shown.rsplit(".", 1)[0] or "照片"
    return Photo(f"{stem}.jpg", out.getvalue(), latitude, longitude, taken_at)

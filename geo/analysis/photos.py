"""Photos sent with grid events: checked, shrunk and stripped before they are kept.

A phone's photo is several megabytes and carries EXIF metadata (the GPS position of the
resident's home, the phone's make). What is kept is a re-encoded JPEG of at most
``MAX_SIDE`` pixels a side, with no metadata. The type is decided by decoding the image,
never by the file's name or the client's word; an image that would decode to more than
``MAX_PIXELS`` pixels (a decompression bomb) is refused before it is decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .text import Text

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "WEBP")


class PhotoError(ValueError):
    """A file that is not a photo we keep; ``message`` says why."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class Photo:
    """A cleaned photo: JPEG bytes and its size in pixels."""

    data: bytes
    width: int
    height: int


def clean_photo(raw: bytes) -> Photo:
    """The photo in ``raw`` as a metadata-free JPEG of at most MAX_SIDE px a side."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise PhotoError(Text("照片太大：%(mb).1f MB，最多 %(max)s MB",
                              mb=len(raw) / 1048576, max=MAX_UPLOAD_BYTES // 1048576))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise PhotoError(Text("照片应为 JPEG、PNG 或 WebP 图片"))
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(Text("照片像素太多：%(w)s×%(h)s", w=probe.width, h=probe.height))
            image = ImageOps.exif_transpose(probe)  # upright, as the phone showed it
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoError(Text("无法读取照片：不是图片或文件已损坏")) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)  # no exif= : metadata is dropped
    return Photo(out.getvalue(), image.width, image.height)

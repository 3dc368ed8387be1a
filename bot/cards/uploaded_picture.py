"""A picture a person uploads for a card's front, checked by its content.

The type a request claims is never trusted: the bytes must open as a JPEG, PNG or WebP image, and
the image must stay within a pixel count Telegram and the bot can handle (a small file may
declare a huge image: a decompression bomb).
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image

from bot.cards.formats.apkg_media import MediaFile

# The largest upload: what an Anki package's picture may be (bot.cards.formats.apkg_media).
MAX_PICTURE_BYTES = 5 * 1024 * 1024
# 40 megapixels: past any phone camera, far below what would exhaust memory when decoded.
MAX_PICTURE_PIXELS = 40_000_000
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_MIME_OF_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def checked_picture(data: bytes) -> MediaFile | None:
    """The upload as a stored photo (its type read from its bytes), or None when it is not a
    JPEG, PNG or WebP picture of at most MAX_PICTURE_PIXELS pixels."""
    if not data or len(data) > MAX_PICTURE_BYTES:
        return None
    try:
        with warnings.catch_warnings():
            # Pillow warns (then refuses) past its own pixel limit; ours is checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_MIME_OF_FORMAT)) as image:
                if image.width * image.height > MAX_PICTURE_PIXELS:
                    return None
                found = image.format
                image.verify()
    # Pillow's readers raise many kinds of errors on malformed data: any of them means "no".
    except Exception:
        return None
    mime = _MIME_OF_FORMAT.get(found or "")
    if mime is None:
        return None
    return MediaFile(hashlib.sha256(data).hexdigest(), "photo", mime, data)

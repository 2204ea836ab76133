"""Scanned pages as image files (.png, .jpg, .tif — several pages in one TIFF — .bmp, .gif, .webp) → OCR.

The pixel count is checked from the header before anything is decoded (a 30000 × 30000 image is a
decompression bomb, not a page).
"""

from __future__ import annotations

import re
import warnings as pywarnings
from collections.abc import Iterator
from io import BytesIO

from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import InputError
from .model import PageProgress, Reading, ReadLimits
from .ocr import assemble, ocr_pages


def read_image(data: bytes, name: str, limits: ReadLimits, on_page: PageProgress | None = None) -> Reading:
    image = _open(data, name, limits)
    frames = getattr(image, "n_frames", 1)
    if frames > limits.max_pages:
        raise InputError(name, f"{frames} pages; the limit is {limits.max_pages} (raise it with --max-pages)")
    pages = ocr_pages(_frames(image, name, limits), name, limits, frames, on_page)
    text, starts, ocr, warnings = assemble([pages[k] for k in sorted(pages)])
    return Reading(text, "image", frames, ocr, warnings, starts)


def _open(data: bytes, name: str, limits: ReadLimits) -> Image.Image:
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            image = Image.open(BytesIO(data))
    except Image.DecompressionBombError as e:  # Pillow's own cap, above ours: its message has the size
        found = re.search(r"\((\d+) pixels\)", str(e))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise InputError(name, f"an image of {size}; the limit is {limits.max_pixels:,} pixels "
                         "(a decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputError(name, f"a damaged or unknown image ({e})") from None
    _check_size(image, name, limits)
    return image


def _check_size(image: Image.Image, name: str, limits: ReadLimits) -> None:
    width, height = image.size
    if width * height > limits.max_pixels:
        raise InputError(name, f"an image of {width} × {height} = {width * height:,} pixels; the limit is "
                         f"{limits.max_pixels:,} pixels (a decompression bomb?)")


def _frames(image: Image.Image, name: str, limits: ReadLimits) -> Iterator[tuple[int, Image.Image]]:
    for number, frame in enumerate(ImageSequence.Iterator(image), 1):
        _check_size(frame, name, limits)
        try:
            with pywarnings.catch_warnings():
                pywarnings.simplefilter("ignore", Image.DecompressionBombWarning)
                yield number, frame.convert("L")
        except (OSError, ValueError) as e:
            raise InputError(name, f"cannot decode page {number} of the image ({e})") from None

"""Text files: UTF-8 (± BOM), UTF-16, and the old 8-bit Vietnamese encodings recognised by content."""

from __future__ import annotations

import re

from ..errors import InputError
from . import legacy

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """Bytes to text and the warnings of the reading: UTF-8 (with or without BOM), UTF-16 (BOM or
    evident), else an 8-bit Vietnamese encoding that the text itself gives away (Windows-1258, TCVN3,
    VNI); InputError otherwise."""
    if not data.strip():
        raise InputError(source, "empty file")
    wide = _utf32(data)
    if wide is not None:
        try:
            return data.decode(wide), ()
        except UnicodeDecodeError as e:
            raise InputError(source, f"broken UTF-32 at byte {e.start}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError as e:
            raise InputError(source, f"broken UTF-16 at byte {e.start}") from None
    else:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if len(head) >= 4 and max(even, odd) > len(head) // 4 and min(even, odd) == 0:
            try:
                return data.decode("utf-16-le" if odd > even else "utf-16-be"), ()
            except UnicodeDecodeError:
                pass
    if b"\x00" in data:  # anywhere: a text file with a binary tail is no document either
        raise InputError(source, "binary file (NUL bytes), not a text document")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return _eight_bit(data, source, e)
    _refuse_binary(text, source)
    return text, ()


def _eight_bit(data: bytes, source: str, error: UnicodeDecodeError) -> tuple[str, tuple[str, ...]]:
    found = legacy.guess(data)
    if found is None:
        raise InputError(
            source,
            f"not UTF-8 or UTF-16 (invalid byte 0x{data[error.start]:02x} at offset {error.start}), and no "
            "Vietnamese 8-bit encoding (Windows-1258, TCVN3, VNI) reads it: save it as UTF-8",
        )
    _refuse_binary(found.text, source)
    return found.text, (f"not UTF-8: read as {found.encoding} (the text looks Vietnamese that way; check it)",)


def _refuse_binary(text: str, source: str) -> None:
    """Control characters past one in a hundred, counted in every 64 KiB block (not only the first): a
    text file with a binary tail is refused like a binary one."""
    for start in range(0, max(len(text), 1), 65536):
        block = text[start : start + 65536]
        if len(_CONTROL.findall(block)) > max(8, len(block) // 100):
            raise InputError(source, "binary file (control characters), not a text document")


def _utf32(data: bytes) -> str | None:
    """The codec of UTF-32 text (by its BOM, or by three zero bytes in every four), else None: read as
    UTF-16 it would be junk with a NUL between every letter."""
    if data.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32"
    if data.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32"
    head = data[:4096]
    if len(head) < 8 or len(head) % 4:
        head = head[: len(head) - len(head) % 4]
    if len(head) < 8:
        return None
    zeros = [head[i::4].count(0) for i in range(4)]
    quarter = len(head) // 4
    if zeros[2] == zeros[3] == quarter and zeros[1] > quarter // 2:
        return "utf-32-le"
    if zeros[0] == zeros[1] == quarter and zeros[2] > quarter // 2:
        return "utf-32-be"
    return None

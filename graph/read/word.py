"""Word 97–2003 (.doc), RTF and OpenDocument text: converted to .docx by LibreOffice (headless), then
read like any .docx — tables, footnotes, list numbers and legacy fonts included.

LibreOffice over antiword/catdoc: on the corpus's .doc files both of those flatten the header table
into one line per row ("|ỦY BAN … |CỘNG HÒA …|"), lose footnotes and list numbers, and have not been
maintained for years; LibreOffice keeps the structure the .docx reader uses. Each conversion runs in a
profile folder of its own (two at once do not share one) and under a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from ..errors import InputError, ToolMissing
from .docx import read_docx
from .model import Block, ReadLimits

PACKAGES = "libreoffice-writer-nogui"


@lru_cache(maxsize=1)
def _soffice() -> str | None:
    """LibreOffice when it runs (a removed one can leave its launcher behind)."""
    for name in ("soffice", "libreoffice"):
        exe = shutil.which(name)
        if exe is None:
            continue
        try:
            if subprocess.run([exe, "--version"], capture_output=True, timeout=60).returncode == 0:
                return exe
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def convert_to_docx(data: bytes, name: str, fmt: str, limits: ReadLimits) -> bytes:
    exe = _soffice()
    if exe is None:
        raise ToolMissing(name, f"it is {'a Word 97–2003 file' if fmt == 'doc' else 'an ' + fmt.upper() + ' file'}",
                          "LibreOffice", PACKAGES)
    with tempfile.TemporaryDirectory(prefix="vanban-lo-") as tmp:
        work = Path(tmp)
        src = work / f"in.{fmt}"
        src.write_bytes(data)
        argv = [exe, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
                "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(src)]
        try:
            subprocess.run(argv, capture_output=True, timeout=limits.convert_timeout, check=False,
                           stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise InputError(name, f"LibreOffice did not convert it within {limits.convert_timeout:.0f} s") from None
        except OSError as e:
            raise InputError(name, f"cannot run LibreOffice: {e}") from None
        out = work / "out" / "in.docx"
        if not out.is_file():
            raise InputError(name, f"LibreOffice could not convert this {fmt} file (damaged or protected?)")
        return out.read_bytes()


def read_word(data: bytes, name: str, fmt: str, limits: ReadLimits) -> tuple[list[Block], list[str]]:
    return read_docx(convert_to_docx(data, name, fmt, limits), name, limits)

"""Flowing documents (Word, HTML) as text: one line per paragraph, tables as the text reads them.

A table of at most three columns is layout — the two-column header of a Party or state document
(issuing body | national motto; `Số …` | place and date), the signature block — and is read cell by
cell, each cell's paragraphs on lines of their own, so that the header parser meets the issuing block,
the number line and the date line as it does in text. A wider table holds data, read row by row: one
line per row, cells between `|`, so that a date stays in the row of the document it dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .model import Block, Para, Table

LAYOUT_COLUMNS = 3
_SPACES = re.compile(r"[ \t\u00a0]+")


def render(blocks: Iterable[Block]) -> str:
    """The text of a sequence of blocks: paragraphs on their own lines, no runs of blank lines."""
    out: list[str] = []
    for line in _lines(blocks):
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _lines(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Para):
            for line in block.text.split("\n"):
                yield _SPACES.sub(" ", line).strip()
        elif _is_layout(block):
            for row in block.rows:
                for cell in row:
                    yield from _lines(cell)
            yield ""
        else:
            for row in block.rows:
                cells = [" ".join(ln for ln in _lines(cell) if ln) for cell in row]
                if any(cells):
                    yield "| " + " | ".join(cells) + " |"
            yield ""


def _is_layout(table: Table) -> bool:
    return max((len(row) for row in table.rows), default=0) <= LAYOUT_COLUMNS

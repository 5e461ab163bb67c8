"""Helpers shared by the channels that cut a reply into several messages."""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """Length as Telegram and Zalo count it: in UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def carry_last_paragraph(lines: list[str]) -> list[str]:
    """Move the paragraph under way to the next message when a blank line ends an earlier
    one in the second half of this message, so a paragraph is not cut in two needlessly.
    Mutates `lines` (drops what is carried) and returns the carried lines."""
    for index in range(len(lines) - 1, len(lines) // 2, -1):
        if not lines[index].strip():
            carried = lines[index + 1 :]
            del lines[index:]
            return carried
    return []


def pack_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines (each already at most `limit` long) into messages of at most `limit` UTF-16
    units, cutting at line breaks and keeping a paragraph whole where that costs nothing."""
    chunks: list[list[str]] = [[]]
    for line in lines:
        current = chunks[-1]
        if current and utf16_len("\n".join([*current, line])) > limit:
            carried = carry_last_paragraph(current)
            chunks.append(carried)
            if carried and utf16_len("\n".join([*carried, line])) > limit:
                chunks.append([])
        chunks[-1].append(line)
    return ["\n".join(chunk).strip("\n") for chunk in chunks]

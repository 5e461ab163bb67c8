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

"""The canonical text and its plain twin, with a map back to the original characters.

`canonical`: NFKC; invisible and format characters deleted (zero-width space/joiner/
non-joiner, word joiner, soft hyphen, BOM, bidi marks, variation selectors, tag characters,
control characters); Cyrillic and Greek look-alike letters mapped to Latin; each run of
whitespace made one space (a newline when the run holds a line break, so sentence breaks
survive); case and diacritics kept.

`plain`: the canonical text lowercased with diacritics stripped and đ→d, one character for
one character, so a regex run on `plain` gives spans that are valid in `canonical`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that look Latin but are not: Cyrillic, Greek, small capitals and a few Latin
# variants that NFKC leaves alone. One character for one character.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "п": "n", "г": "r", "ь": "b", "ш": "w",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "Һ": "H",
    "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "c",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # small capitals and other Latin look-alikes
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i", "ɑ": "a", "ɩ": "i",
}  # fmt: skip
LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)

# Invisible characters of other categories than Cf/Cc (which are all invisible).
_INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")

NORMAL, INVISIBLE, MARK = 0, 1, 2


@lru_cache(maxsize=4096)
def kind(ch: str) -> int:
    if ch in _INVISIBLE_EXTRA:
        return INVISIBLE
    category = unicodedata.category(ch)
    if category == "Cf" or (
        category in ("Cc", "Cs", "Co", "Cn") and ch not in _WHITESPACE_CONTROLS
    ):
        return INVISIBLE
    if category in ("Mn", "Me"):
        return MARK
    return NORMAL


@lru_cache(maxsize=8192)
def _cluster_form(cluster: str) -> str:
    """NFKC of one base character with its marks; look-alikes mapped; stray marks dropped."""
    out = unicodedata.normalize("NFKC", cluster.translate(LOOKALIKE_TABLE))
    out = out.translate(LOOKALIKE_TABLE)
    if out.isascii():
        return out
    return "".join(ch for ch in out if kind(ch) == NORMAL)


_PLAIN_TABLE_MAX = 65536


class _PlainTable(dict[int, str]):
    """str.translate table computed on demand: one lowercase accent-free char per char."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        if len(low) != 1:
            low = base
        low = {"đ": "d", "ð": "d", "ɗ": "d"}.get(low, low)
        if len(self) < _PLAIN_TABLE_MAX:  # bounded: a flood of rare characters is not kept
            self[code] = low
        return low


PLAIN_TABLE = _PlainTable()
_ASCII_WORDS = re.compile(r"[^\t\n\r\x0b\x0c\x1c-\x1f ]+")
_ASCII_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_WORDS = re.compile(r"\S+")  # \s is str.isspace(), as the cluster loop reads a space


def to_plain(canonical: str) -> str:
    if canonical.isascii():
        return canonical.lower()
    return canonical.translate(PLAIN_TABLE)


@lru_cache(maxsize=8192)
def _stays(ch: str) -> bool:
    """Is `ch` its own canonical form, whatever surrounds it (no mark on it, itself no mark)?
    Then a text of such characters only changes in its whitespace."""
    if kind(ch) != NORMAL:
        return False
    return ch.isascii() or _cluster_form(ch) == ch


def canonicalise(text: str) -> tuple[str, list[int], list[int]]:
    """The canonical text, and for each of its characters the original span it came from."""
    if text.isascii() and not _ASCII_INVISIBLE.search(text):
        return _canonicalise_ascii(text)
    if all(map(_stays, set(text))):
        # most Vietnamese messages (NFC, no invisible or look-alike letters): only the
        # whitespace changes, as in an ASCII text; decided per distinct character (#18)
        return _canonicalise_ascii(text, _WORDS)
    return _canonicalise_clusters(text)


def _canonicalise_clusters(text: str) -> tuple[str, list[int], list[int]]:
    """`canonicalise` character cluster by character cluster (any text)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    space_start = -1
    space_end = -1
    space_break = False
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        k = kind(ch)
        if k != NORMAL:  # invisible, or a mark with no letter to sit on
            i += 1
            continue
        j = i + 1
        marks = ""
        while j < n and (k := kind(text[j])) != NORMAL:
            if k == MARK:
                marks += text[j]
            j += 1
        form = _cluster_form(ch + marks) if marks or not ch.isascii() else ch
        for c in form:
            if c.isspace():
                if space_start < 0:
                    space_start = i
                    space_break = False
                space_end = j
                space_break = space_break or c in _LINE_BREAKS
                continue
            if space_start >= 0:
                if out:
                    out.append("\n" if space_break else " ")
                    starts.append(space_start)
                    ends.append(space_end)
                space_start = -1
            out.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


def _canonicalise_ascii(
    text: str, words: re.Pattern[str] = _ASCII_WORDS
) -> tuple[str, list[int], list[int]]:
    """A text whose characters all stay as they are: its words, one space (or a line break)
    between them."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous = -1
    for match in words.finditer(text):
        a, b = match.span()
        if previous >= 0:
            gap = text[previous:a]
            out.append("\n" if not _LINE_BREAKS.isdisjoint(gap) else " ")
            starts.append(previous)
            ends.append(a)
        out.append(match.group())
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))
        previous = b
    return "".join(out), starts, ends

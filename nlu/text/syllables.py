"""Vietnamese syllables, folded (no diacritics, đ→d), generated from onsets × rhymes.

Vietnamese writes every word as syllables of one shape: an optional onset, a rhyme (an
optional medial o/u, a vowel nucleus, an optional final). Folded, the whole language has
about two thousand of them, so the set is generated rather than listed, with the spelling
rules that keep impossible ones out (k/gh/ngh only before e, i, y; c/g/ng never before
them; q only as qu). `segment` splits words run together ("emmuontutu" → em muon tu tu),
preferring the syllables that are common in real messages (data/common_syllables.txt).
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from pathlib import Path

_ONSETS = (
    "", "b", "c", "ch", "d", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip
_RHYMES_TEXT = (
    "a ac ach ai am an ang anh ao ap at au ay "
    "e ec ech em en eng enh eo ep et eu "
    "i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu "
    "o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong ooc "
    "oong op ot "
    "u ua uan uang uanh uat uay uc ue uenh ui um un ung uo uoc uoi uom uon uong uop uot uou "
    "up ut uu uy uya uych uyen uyet uynh uyt uyu "
    "y yen yet yeu"
)
_RHYMES = _RHYMES_TEXT.split()
_FRONT = ("e", "i", "y")


def _allowed(onset: str, rhyme: str) -> bool:
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh"):
        return (front and not rhyme.startswith("y")) or (onset == "k" and rhyme.startswith("y"))
    if onset in ("c", "ng"):
        return not front
    if onset == "g":
        return not rhyme.startswith(("e", "y"))
    if onset == "gi":
        return not rhyme.startswith(("i", "y"))
    if onset == "qu":
        return not rhyme.startswith(("u", "o"))
    if rhyme in ("oong", "ooc"):
        return onset in ("b", "c", "x", "m", "s", "v")  # boong, xoong, moóc, soóc, voọc
    if rhyme.startswith("y") and len(rhyme) > 1:
        return onset == ""  # yêu, yên; after a consonant it is spelled uyê (khuyên)
    return True


def _generate() -> frozenset[str]:
    return frozenset(
        onset + rhyme for onset in _ONSETS for rhyme in _RHYMES if _allowed(onset, rhyme)
    )


SYLLABLES: frozenset[str] = _generate()
_MAX_LEN = max(map(len, SYLLABLES))


def _load_counts() -> dict[str, int]:
    """Syllables as written (with diacritics) and how often, in real Vietnamese text."""
    path = Path(__file__).parent / "data" / "common_syllables.txt"
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, count = line.split()
            counts[word] = int(count)
    return counts


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_WRITTEN = _load_counts()
_COUNTS: dict[str, int] = {}
for _word, _count in _WRITTEN.items():
    _COUNTS[_fold(_word)] = _COUNTS.get(_fold(_word), 0) + _count
COMMON: frozenset[str] = frozenset(_COUNTS)
_TOTAL = sum(_COUNTS.values())
# Cost of a piece: its surprise (-log p) in real text, so "bo me danh em" beats "bo me da
# nhem"; a syllable never seen costs as much as one seen once in ten times the text.
_COST = {word: -math.log(count / _TOTAL) for word, count in _COUNTS.items()}
_COST_UNSEEN = -math.log(0.1 / _TOTAL)
_WRITTEN_COST = {word: -math.log(count / _TOTAL) for word, count in _WRITTEN.items()}
_MAX_SEGMENT = 64
# In a word this short a one-letter piece is more likely slang than a syllable ("oki",
# "okela" are not "o ki", "o ke la"); longer runs may hold one ("toiodau": toi o dau).
_SHORT_WORD = 5


def is_syllable(word: str) -> bool:
    return word in SYLLABLES


def is_written_syllable(written: str) -> bool:
    """A common syllable as written with its diacritics ("muốn", not "thìem")."""
    return written in _WRITTEN


def cost(word: str) -> float:
    """How surprising a folded word is as Vietnamese: a syllable's -log p, or the cheapest
    split's sum; infinite when it is no Vietnamese at all. Lower is likelier."""
    if word in SYLLABLES:
        return _COST.get(word, _COST_UNSEEN)
    pieces = segment(word)
    if pieces is None:
        return math.inf
    return sum(_COST.get(piece, _COST_UNSEEN) for piece in pieces)


@lru_cache(maxsize=16384)
def segment(word: str) -> tuple[str, ...] | None:
    """The most likely split of a folded word into two or more syllables; None if none."""
    if not word.isascii():
        return None
    return _split(word, word, _COST)


@lru_cache(maxsize=16384)
def segment_written(word: str) -> tuple[str, ...] | None:
    """Like `segment`, for a lowercase word typed with its diacritics ("anhấy", "tựtử"):
    the accents say where syllables are ("anh ấy", not "an hấy"). Folded pieces."""
    folded = _fold(word)
    if len(folded) != len(word) or not folded.isascii():
        return None
    return _split(word, folded, _WRITTEN_COST)


@lru_cache(maxsize=16384)
def spell_written(written: str) -> tuple[tuple[str, ...], float] | None:
    """A lowercase string with its diacritics read as one syllable or several ("chémemở":
    chem em o), with the reading's cost by written syllables; None when it is no Vietnamese."""
    folded = _fold(written)
    if len(folded) != len(written) or not folded.isascii() or not folded.isalpha():
        return None
    best: tuple[tuple[str, ...], float] | None = None
    if folded in SYLLABLES:
        best = ((folded,), _WRITTEN_COST.get(written, _COST_UNSEEN))
    pieces = _split(written, folded, _WRITTEN_COST)
    if pieces is not None:
        total, at = 0.0, 0
        for piece in pieces:
            total += _WRITTEN_COST.get(written[at : at + len(piece)], _COST_UNSEEN)
            at += len(piece)
        if best is None or total < best[1]:
            best = (pieces, total)
    return best


@lru_cache(maxsize=4096)
def segment_with(word: str, extra: frozenset[str]) -> tuple[str, ...] | None:
    """Like `segment`, with `extra` pieces besides syllables (chat spellings such as "ko",
    "mk"), each as costly as a syllable never seen, so syllables come first."""
    if not word.isascii():
        return None
    return _split(word, word, _COST, extra)


def _split(
    word: str, folded: str, costs: dict[str, float], extra: frozenset[str] = frozenset()
) -> tuple[str, ...] | None:
    n = len(word)
    if n < 2 or n > _MAX_SEGMENT or not folded.isalpha():
        return None
    # best[j][short]: cheapest split of word[:j], whose last piece is one letter (short=1)
    # or longer (short=0). Two one-letter syllables in a row ("y o o a") are not a reading.
    inf = (math.inf, -1, 0)
    best = [[inf, inf] for _ in range(n + 1)]
    best[0][0] = (0.0, 0, 0)
    for i in range(n):
        for came_short in (0, 1):
            cost_here = best[i][came_short][0]
            if cost_here == math.inf:
                continue
            for j in range(i + 1, min(n, i + _MAX_LEN) + 1):
                short = int(j - i == 1)
                if short and (came_short or n <= _SHORT_WORD):
                    continue
                if folded[i:j] not in SYLLABLES and folded[i:j] not in extra:
                    continue
                total = cost_here + costs.get(word[i:j], _COST_UNSEEN)
                if total < best[j][short][0]:
                    best[j][short] = (total, i, came_short)
    short = 0 if best[n][0][0] <= best[n][1][0] else 1
    if best[n][short][0] == math.inf:
        return None
    pieces: list[str] = []
    j = n
    while j > 0:
        _, i, came_short = best[j][short]
        pieces.append(folded[i:j])
        j, short = i, came_short
    if len(pieces) < 2:
        return None
    return tuple(reversed(pieces))

"""`read(text) -> Reading`: the message as every part of the product reads it.

In order:
1. canonical (nlu/text/canonical.py): NFKC, invisible characters deleted, look-alike letters
   mapped to Latin, whitespace collapsed; `plain` is its lowercase accent-free twin.
2. folded, from the lowercased canonical text:
   a. emoji: inside a word dropped ("tự🔪tử"), on their own read as words (😭 → khoc);
   b. symbols used as letters between letters undone ("s@d" → sad);
   c. dotted or dashed pieces of a word rejoined ("ch.ết", "t.ự"), when they make a word;
   d. single letters typed apart rejoined ("c h ế t", "c.h.ế.t"), when they make words;
   e. each word, on its own (cached): the teen-code table; digits used as letters (VNI
      "chet61", leetspeak "ch3t", "4nh") but never a real number; held-down letters
      ("chếttttt"); Telex leftovers ("tuwj", "chetsj"); words run together split into
      syllables ("emmuontutu"). Each repair is kept only when it turns a word that is not
      Vietnamese (nor known English) into one that is.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import wordfreq

from nlu.text.canonical import LOOKALIKE_TABLE, PLAIN_TABLE, canonicalise, kind, to_plain
from nlu.text.lexicon import EMOJI, ENGLISH, TEEN
from nlu.text.syllables import (
    SYLLABLES,
    cost,
    is_written_syllable,
    segment,
    segment_with,
    segment_written,
    spell_written,
)

# Bump when the reading of any text changes: models trained on folded text retrain.
READER_VERSION = "3"

_LETTER = r"[^\W\d_]"
_EMOJI_RE = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff\u3030\u303d"
    "\U0001f000-\U0001faff]+"
)
_EMOJI_INSIDE_RE = re.compile(rf"(?<={_LETTER}){_EMOJI_RE.pattern}(?={_LETTER})")
_LEFT_WORD_RE = re.compile(rf"{_LETTER}+$")
_RIGHT_WORD_RE = re.compile(rf"{_LETTER}+")
_SYMBOL_LEET = {"@": "a", "$": "s", "!": "i", "|": "l", "€": "e"}
_SYMBOL = r"(?:[$!|€]|@(?![\w-]+\.[a-z]{2,}))"
# between letters, or a letter and a digit ("s@d", "8@n", "c@7")
_SYMBOL_LEET_RE = re.compile(
    rf"(?<={_LETTER}){_SYMBOL}(?=[^\W_])|(?<=[^\W_]){_SYMBOL}(?={_LETTER})"
)
# a symbol at a word's edge: "@", "$" or "!" after a word ("nu@", "ch!"), "@" or "$" before
_EDGE_SYMBOL_RE = re.compile(
    r"(?<=[^\W_])[@$!](?![\w@$!])|(?<![\w@$!])(?:@(?=[^\W_])|\$(?=\d*[^\W\d_]))"
)
_DOTTED_RE = re.compile(rf"(?<![\w.])(?:{_LETTER}{{1,2}}[.\-_*·•~+]+)+{_LETTER}{{1,2}}(?!\w)")
_DOT_SEPARATORS_RE = re.compile(r"[.\-_*·•~+]+")
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W\d_]+)?")
# a word, or punctuation that ends a sentence or a clause (before a space or the end)
_WORD_OR_BREAK_RE = re.compile(r"[^\W_]+(?:'[^\W\d_]+)?|[.!?…]+(?=\s|$)|[,;:]+(?=\s|$)|\n")
_SENTENCE_END = "."
_CLAUSE_END = ","
_BREAKS = frozenset((_SENTENCE_END, _CLAUSE_END))
_RUN_RE = re.compile(r"([a-z])\1{2,}")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_VOWELS = frozenset("aeiouy")
# Digits typed for the letters they look like.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)
_LEET_L = str.maketrans({"1": "l"})
_LEET_NOT_ONE = str.maketrans(
    {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)
_MAX_ONES = 4  # "1" is an l as often as an i ("1am", "11en 1ac")
# VNI keys that mark a vowel (6 â/ê/ô, 7 ơ/ư, 8 ă): each needs its vowel in the word
_VNI_MARKED = {"6": frozenset("aeo"), "7": frozenset("ou"), "8": frozenset("a")}
# a message with this many words that read only with their digits as letters is written in
# leetspeak: its shorter and denser words are read that way too ("3m b1 8a7 c0c")
_LEETY_WORDS = 2
# a bare number read as a syllable only in a leetspeak message and only like these ("80": bo,
# "84": ba); an age or an hour ("14", "9") stays a number
_DIGITS_AS_SYLLABLE = re.compile(r"[78][01345]")
_UNIT_RE = re.compile(r"\d+(?:am|pm|kg|km|cm|mm|ml|th|st|nd|rd|gb|mb|tb|hz|ms|mp|fps)")
# "5h", "7a", "3m": a number and its unit or class
_NUMBER_UNIT_RE = re.compile(r"\d+[a-dghklmpstx]")
_TELEX_TONES = frozenset("sfrxjz")
_NUMBER_RE = re.compile(r"\d{2,}")
_LETTERS_RE = re.compile(r"[a-z]{2}")
_NUMBER_SPLIT_RE = re.compile(r"\d+|[^\d]+")
_NUMBER_FIRST_RE = re.compile(r"(\d+)([a-z]{3,})")
_VNI_PAIR_RE = re.compile(r"\d{3,}|[1-5]{2}")
_FOREIGN_ZIPF = 3.3
# In a message written in English, a rarer English word ("homeroom", "headteacher") stays whole:
# split, its pieces would read as Vietnamese syllables ("ho me ro om")
_ENGLISH_IN_ENGLISH_ZIPF = 2.0
_WORD_LETTERS = frozenset("iaeo")  # letters that are words alone: "i", "a", "e" (em), "o" (ở)
_SETTLE_ROUNDS = 3  # readings of a folded text until it reads as itself
_LONE_LETTER = 1.5  # the cost of leaving a letter alone when rejoining spaced letters
_RARITY = 0.1  # weight of a word's surprise (-log p, about 4 to 13) in rejoining letters
_MAX_RARITY = 13.0
_MAX_LEN_LEETY = 7
_MAX_WORD = 64  # how far back an emoji looks for the word it sits in
_MAX_JOINED = 24
_MAX_SPELLED = 240  # letters rejoined at a time (a block of a long spelled-out text)
_FOREIGN_COST = 10.0
_COST_TEEN = 10.0  # a chat spelling spelled out ("m i k") costs as much as an English word
# English words run together: each piece at least this common in English (Zipf; "of" 7.4,
# "drowning" 3.4), scored by how rare it is under the commonest word's 7.7
_ENGLISH_PIECE_ZIPF = 3.0
_MAX_ZIPF = 7.7
_MIN_ENGLISH_RUN = 4
_MAX_ENGLISH_WORD = 16
_MAX_SEGMENT_EN = 64
_MIN_ENGLISH_PIECE_IN_VIETNAMESE = 3
_AFFIXES = frozenset({
    "ing", "ion", "ive", "est", "ers", "ism", "ist", "ment", "ness", "ies", "ous", "dis", "pre",
    "tion", "ful", "able", "ible",
})  # fmt: skip
_SHORT_ENGLISH = frozenset({
    "a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "hi", "if", "in", "is",
    "it", "me", "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "us", "we",
})  # fmt: skip
_WELL_KNOWN_ZIPF = 4.0
_COMMON_ENGLISH_ZIPF = 5.0  # "his", "was", "now", "sex": never Telex
# wordfreq's small English list (words down to about Zipf 3.0, 29k of them) gives the same
# answers at these thresholds as its default large one (321k words, about 28 MB resident
# and a fifth of a second to load at the first message), word for word (#18)
_ENGLISH_LIST = "small"
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


# chat spellings of two letters or more ("ko", "mk", "ng", "thg") as pieces of words run
# together; single letters ("k", "j") would let any consonant pass for a word
_TEEN_PIECES = frozenset(k for k in TEEN if len(k) > 1 and k.isascii() and k.isalpha())


@dataclass(frozen=True, slots=True)
class Reading:
    original: str
    canonical: str
    plain: str
    folded: str
    tokens: tuple[str, ...]
    _starts: tuple[int, ...] = field(repr=False, compare=False)
    _ends: tuple[int, ...] = field(repr=False, compare=False)
    # The folded text undid a disguise: letters typed apart or dotted, digits or symbols for
    # letters, held-down letters, emoji inside words, Telex or VNI keys, words run together.
    # (Chat spellings, invisible characters, fullwidth and look-alike letters are no disguise
    # here: the canonical text has them undone or reads them as they are.)
    disguised: bool = False
    # For a disguised message, its words as read, with the accents they were typed with where
    # the disguise kept them ("c h ế t" → "chết", "ch3t" → "chet") and its sentence and clause
    # breaks ("A0L0. em muốn tự tử." → "ao lo. em muốn tự tử."): what safety reads of it.
    # Empty when not disguised.
    clear: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing to read: no words, no digits, no meaningful emoji."""
        return not self.tokens

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of `original` that canonical/plain[start:end] was read from."""
        n = len(self._starts)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            at = self._starts[start] if start < n else len(self.original)
            return at, at
        return self._starts[start], self._ends[end - 1]


def read(text: object) -> Reading:
    """Never raises; anything but a str reads as empty."""
    if not isinstance(text, str):
        text = ""
    text = _valid_utf(text)
    canonical, starts, ends = canonicalise(text)
    plain = to_plain(canonical)
    marked, accented, disguised = _fold_tokens(canonical.lower())
    tokens = tuple(t for t in marked if t not in _BREAKS)
    for _ in range(_SETTLE_ROUNDS):
        # lone letters a break kept apart ("B\rA" -> "b a") or digits left as typed may read
        # otherwise once folded ("ba"); the folded text is read again until it reads as itself
        if not any(len(t) == 1 or not t.isalpha() for t in tokens):
            break
        again = tuple(t for t in _fold_tokens(" ".join(tokens))[0] if t not in _BREAKS)
        if again == tokens:
            break
        tokens = again
    clear = _with_breaks(accented) if disguised else ""
    return Reading(
        text,
        canonical,
        plain,
        " ".join(tokens),
        tokens,
        tuple(starts),
        tuple(ends),
        disguised,
        clear,
    )


def _with_breaks(marked: tuple[str, ...]) -> str:
    """The words with the sentence and clause breaks between them ("ao lo. em ...")."""
    out: list[str] = []
    for token in marked:
        if token in _BREAKS:
            if out and out[-1] not in _BREAKS:
                out.append(token)
        else:
            out.append(f" {token}" if out else token)
    return "".join(out)


def fold(text: str) -> str:
    """The quick accent-insensitive key: NFKC, invisible characters gone, look-alikes mapped,
    lowercase, no diacritics, đ→d. Spacing and punctuation are left as they are."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text.translate(LOOKALIKE_TABLE))
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    kept = "".join(ch for ch in decomposed if kind(ch) == 0)
    return kept.translate(LOOKALIKE_TABLE).lower().translate(_FOLD_EXTRA)


def _valid_utf(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a broken client
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


# --------------------------------------------------------------------------- folding


def _fold_tokens(low: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The folded tokens with sentence and clause breaks among them (`_BREAKS`), the same
    tokens with the accents they were typed with (where known), and whether reading them
    undid a disguise."""
    text = low
    disguised = False
    if not text.isascii():
        disguised = _EMOJI_INSIDE_RE.search(text) is not None
        text = _EMOJI_RE.sub(_emoji_words, text)
    symbols = False
    if any(ch in text for ch in _SYMBOL_LEET):
        text, count = _SYMBOL_LEET_RE.subn(lambda m: _SYMBOL_LEET[m.group()], text)
        symbols = count > 0
    undotted = _DOTTED_RE.sub(_join_dotted, text)
    disguised = disguised or symbols or undotted != text
    text = undotted
    words, raws, run_together = _words_of(text)
    plain_words = [w for w in words if w not in _BREAKS]
    leety = symbols or _leety(plain_words, english=not _vietnamese(plain_words))
    if leety and _EDGE_SYMBOL_RE.search(text):
        # in a message written in leetspeak, a symbol at a word's edge is a letter too
        # ("ch!", "nu@", "$uot"), unless it ends the message ("cứu em!")
        text = _EDGE_SYMBOL_RE.sub(_edge_symbol, text)
        words, raws, run_together = _words_of(text)
    vietnamese = _vietnamese([w for w in words if w not in _BREAKS])
    joined: list[bool] = []
    accented: list[str] = []
    tokens = _tokens(words, raws, vietnamese, leety, joined, accented)
    # Reading the folded text again must give it back (folding is idempotent): when the words
    # it came out as tip the language the other way ("L0U0:IPSUM" → "lo uo ipsum"), read the
    # message with what its folded words say.
    for _ in range(2):
        settled = _vietnamese([t for t in tokens if t not in _BREAKS])
        if settled == vietnamese:
            break
        vietnamese = settled
        accented.clear()
        tokens = _tokens(words, raws, vietnamese, leety, joined, accented)
    disguised = (
        disguised
        or any(joined)
        or leety
        or run_together
        or any(_repaired(w, vietnamese, leety) for w in words)
    )
    return tokens, tuple(accented), disguised


def _repaired(word: str, vietnamese: bool, leety: bool) -> bool:
    """Did reading this word undo a disguise (not merely expand a chat spelling)?"""
    if len(word) < 2 or word in TEEN:
        return False
    return _folded_word(word, vietnamese, leety) != (word,)


def _edge_symbol(match: re.Match[str]) -> str:
    symbol = match.group()
    if symbol == "!":
        rest = match.string[match.end() :]
        if not re.match(r"[,.;:]? +[^\W_]", rest):  # "!" before a word only: else it exclaims
            return symbol
    return _SYMBOL_LEET[symbol]


def _leety(words: list[str], english: bool = False) -> bool:
    """Written in leetspeak: a word of two letters or more reads only with its digits as
    letters ("ch3t"), or several shorter or denser ones read as syllables that way ("3m",
    "8a7", "ch37"); a number with its unit ("5h", "7a", "50kg") alone never makes it so."""
    mixed = [w for w in words if not w.isalpha() and not w.isdigit()]
    if any(_undigit(w) != w and (w[0].isdigit() or _unvni(w) is None) for w in mixed):
        return True  # read as leetspeak, not VNI ("co1" is có)
    if english and any(_english_leet(w) is not None for w in mixed if _unvni(w) is None):
        return True  # English in leetspeak: "h31p", "k!11" ("ki11")
    dense = [w for w in words if not w.isalpha() and _dense_leet(w)]  # "80" (bo) counts too
    return len(dense) >= _LEETY_WORDS and any(
        not w.isdigit() and not _NUMBER_UNIT_RE.fullmatch(w) for w in dense
    )


@lru_cache(maxsize=16384)
def _english_leet(word: str) -> str | None:
    """A word of English spelled with digits for letters, each 1 an i or an l ("k1ll",
    "p11l5", "h31p", "90in9", "d13"): the commonest English reading, or None. Three
    characters and a letter at least, and never a number with its unit ("5kg", "7am")."""
    if (
        not any(ch.isalpha() for ch in word)
        or len(word) < 3
        or len(word) > _MAX_ENGLISH_WORD
        or _UNIT_RE.fullmatch(word)
        or _NUMBER_UNIT_RE.fullmatch(word)
    ):
        return None
    ones = [i for i, ch in enumerate(word) if ch == "1"]
    if len(ones) > _MAX_ONES:
        return None
    base = word.translate(_LEET_NOT_ONE)
    best: tuple[float, str] | None = None
    for mask in range(1 << len(ones)):
        letters = list(base)
        for bit, at in enumerate(ones):
            letters[at] = "l" if mask >> bit & 1 else "i"
        candidate = "".join(letters)
        if not candidate.isalpha() or candidate in SYLLABLES:
            continue
        zipf = _english_zipf(candidate)
        if zipf >= _FOREIGN_ZIPF and (best is None or zipf > best[0]):
            best = (zipf, candidate)
    return best[1] if best else None


def _dense_leet(word: str) -> str | None:
    """A short word whose digits, read as letters, make a Vietnamese syllable."""
    if len(word) > _MAX_LEN_LEETY or (word.isdigit() and not _DIGITS_AS_SYLLABLE.fullmatch(word)):
        return None
    candidates = [word.translate(_LEET)]
    if "1" in word:
        candidates.append(word.translate(_LEET_L).translate(_LEET))
    readable = [c for c in candidates if c.isalpha() and c in SYLLABLES]
    return min(readable, key=_reading_cost) if readable else None


def _words_of(text: str) -> tuple[list[str], list[str], bool]:
    """The folded words of a text, beside each the word as typed (accents kept), and whether
    words typed together were split by their accents."""
    run_together = False
    words: list[str] = []
    raws: list[str] = []  # each word as typed (lowercase, accents kept), for rejoining letters
    for match in _WORD_OR_BREAK_RE.finditer(text):
        raw = match.group()
        if not raw[0].isalnum():
            mark = _CLAUSE_END if raw[0] in ",;:" else _SENTENCE_END
            words.append(mark)
            raws.append(mark)
            continue
        folded = _fold_word(raw)
        if folded.isascii():
            if (
                folded != raw
                and not _is_plain_word(folded)
                and _undouble(folded) is None  # "đauu": đau with its last letter held
                and (split := segment_written(raw))
            ):
                words.extend(split)  # "anhấy": the accents say where the syllables are
                raws.extend(_slices(raw, split) or split)
                run_together = True
            else:
                words.append(folded)
                raws.append(raw)
        else:  # letters of other scripts are not read
            ascii_words = _ASCII_WORD_RE.findall(folded)
            words.extend(ascii_words)
            raws.extend(ascii_words)
    return words, raws, run_together


def _tokens(
    words: list[str],
    raws: list[str],
    vietnamese: bool,
    leety: bool,
    joined: list[bool] | None = None,
    accented: list[str] | None = None,
) -> tuple[str, ...]:
    """The folded tokens of the words; into `accented`, each token as typed with its accents
    when the reading kept its letters ("chếttt" → chết, "c h ế t" → chết), else as folded."""
    # Words first; single letters wait, in case they spell a word together ("c h ế t").
    stream: list[str] = []
    written: list[str] = []  # the letters as typed, accents kept ("t ự t ử": two tones)
    alone: list[bool] = []  # typed as a letter on its own (not a word read as one: "uk")
    # a two-letter syllable typed beside lone letters may be a piece of the word they spell
    # ("cu u e v o i": cuu e voi)
    short: list[bool] = []
    for word, raw in zip(words, raws, strict=True):
        if word in _BREAKS:
            stream.append(word)
            written.append(word)
            alone.append(False)
            short.append(False)
        elif len(word) == 1:
            stream.append(word)
            written.append(raw)
            alone.append(True)
            short.append(False)
        else:
            folded = _folded_word(word, vietnamese, leety)
            stream.extend(folded)
            written.extend(_as_typed(word, raw, folded))
            alone.extend([False] * len(folded))
            unit = len(word) == 2 and word in SYLLABLES and folded == (word,)
            short.extend([unit] * len(folded))
    tokens: list[str] = []
    typed: list[str] = []
    i = 0
    n = len(stream)
    while i < n:
        j = i
        while j < n and (alone[j] or short[j]) and stream[j].isalpha():
            j += 1
        if any(short[i:j]) and all(
            stream[k] in _WORD_LETTERS for k in range(i, j) if alone[k]
        ):  # "I am a", "e o Ha Noi": the lone letters are words, the syllable is its own
            j = i
            while j < n and alone[j] and stream[j].isalpha():
                j += 1
        if sum(alone[i:j]) < 2:  # two lone letters at least make a run of letters typed apart
            j = i + 1 if alone[i] and stream[i].isalpha() else i
        if j - i >= 2:
            at = i
            for piece, size in _join_letters(stream[i:j], written[i:j]):
                chunk = "".join(written[at : at + size])
                at += size
                if size == 1:
                    folded = _folded_word(piece[0], vietnamese, leety)
                    tokens.extend(folded)
                    typed.extend((chunk,) if folded == piece else folded)
                else:
                    words_of_piece = _teen(piece)
                    tokens.extend(words_of_piece)
                    slices = _slices(chunk, piece) if words_of_piece == piece else None
                    typed.extend(slices or words_of_piece)
                    if joined is not None:
                        joined.append(True)
            i = j
        elif stream[i] in _BREAKS:
            tokens.append(stream[i])
            typed.append(stream[i])
            i += 1
        else:
            folded = _folded_word(stream[i], vietnamese, leety)
            tokens.extend(folded)
            typed.extend((written[i],) if folded == (stream[i],) else folded)
            i += 1
    if accented is not None:
        accented.extend(typed)
    return tuple(tokens)


def _slices(written: str, pieces: tuple[str, ...]) -> tuple[str, ...] | None:
    """`written` cut where its folded `pieces` are ("chếtđi", (chet, di) → chết, đi), when
    they are its letters one for one; None otherwise."""
    if len(written) != sum(map(len, pieces)) or _fold_word(written) != "".join(pieces):
        return None
    out: list[str] = []
    at = 0
    for piece in pieces:
        out.append(written[at : at + len(piece)])
        at += len(piece)
    return tuple(out)


_HELD_RE = re.compile(r"(.)\1{2,}")


def _as_typed(word: str, raw: str, folded: tuple[str, ...]) -> tuple[str, ...]:
    """The folded readings of one typed word, each with the accents it was typed with where
    the reading kept its letters: as typed ("chết"), held letters let go ("chếếết" → chết),
    split by its syllables; else as folded ("ch3t" → chet)."""
    if folded == (word,):
        return (raw,)
    if raw.isascii():
        return folded
    if len(folded) == 1:
        for held in (_HELD_RE.sub(r"\1", raw), _HELD_RE.sub(r"\1\1", raw)):
            if _fold_word(held) == folded[0]:
                return (held,)
    return _slices(raw, folded) or folded


def _emoji_words(match: re.Match[str]) -> str:
    text = match.string
    start, end = match.span()
    inside = start > 0 and text[start - 1].isalpha() and end < len(text) and text[end].isalpha()
    if inside:
        left = _LEFT_WORD_RE.search(text, max(0, start - _MAX_WORD), start)
        right = _RIGHT_WORD_RE.match(text, end)
        if left and right:
            a, b = _fold_word(left.group()), _fold_word(right.group())
            written = left.group() + right.group()
            one = is_word(a + b) if written.isascii() else is_written_syllable(written)
            if _stands_alone(a) and _stands_alone(b) and not one:
                return " "  # "tự🔪tử", "i😢feel", "mk👉vào", "thì🖤em": two words
        return ""  # "ch💀ết": one word
    return f" {' '.join(EMOJI[ch] for ch in match.group() if ch in EMOJI)} "


def _stands_alone(word: str) -> bool:
    """A word on its own: a syllable, English, a loanword or a chat spelling ("mk")."""
    return is_word(word) or (len(word) > 1 and word in TEEN)


def _join_dotted(match: re.Match[str]) -> str:
    joined = _DOT_SEPARATORS_RE.sub("", match.group())
    return joined if _spelled(_fold_word(joined), joined) is not None else match.group()


def _join_letters(letters: list[str], written: list[str]) -> list[tuple[tuple[str, ...], int]]:
    """Single letters typed apart ("c h ế t", "c.h.ế.t", "t ự t ử") rejoined where they spell
    words: the cheapest cover of the run by words that read (a word each, a little more for
    rare ones) and letters left alone, so "o t r u o n g" is "o truong", "c ứ u e" is
    "cuu e", and "e k j" stays three letters. Each piece: the words it spells, or one letter,
    and how many letters it took.
    Two letters alone ("đ i", "e m") join only into a syllable ("di", "em")."""
    n = len(letters)
    if n > _MAX_SPELLED:  # a long spelled-out message: a block at a time
        return [
            piece
            for at in range(0, n, _MAX_SPELLED)
            for piece in _join_letters(
                letters[at : at + _MAX_SPELLED], written[at : at + _MAX_SPELLED]
            )
        ]
    if n == 2:
        pair = _spelled_pair(letters[0] + letters[1], written[0] + written[1])
        return [(pair, 2)] if pair else [((letters[0],), 1), ((letters[1],), 1)]
    nothing: tuple[str, ...] = ()
    best = [(0.0, 0, nothing)] + [(math.inf, 0, nothing)] * n
    for j in range(1, n + 1):
        best[j] = (best[j - 1][0] + _LONE_LETTER, j - 1, (letters[j - 1],))
        for i in range(max(0, j - _MAX_JOINED), j - 2):
            if best[i][0] + 1.0 >= best[j][0]:
                continue
            spelled = _spelled("".join(letters[i:j]), "".join(written[i:j]))
            if spelled is not None:
                words, costs = spelled
                chunk = sum(1.0 + _RARITY * min(c, _MAX_RARITY) for c in costs)
                if best[i][0] + chunk < best[j][0]:
                    best[j] = (best[i][0] + chunk, i, words)
    out: list[tuple[tuple[str, ...], int]] = []
    j = n
    while j > 0:
        _, i, words = best[j]
        out.append((words, j - i))
        j = i
    return out[::-1]


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _tones(written: str) -> int:
    """How many tone marks a written string carries: a syllable carries one at most."""
    if written.isascii():
        return 0
    return sum(ch in _TONE_MARKS for ch in unicodedata.normalize("NFD", written))


@lru_cache(maxsize=16384)
def _spelled(word: str, written: str) -> tuple[tuple[str, ...], tuple[float, ...]] | None:
    """The words a run of letters typed apart spells and the cost of each, or None: a syllable,
    a word of English or a loanword, a chat spelling ("mik"), or syllables run together.
    Written with Vietnamese diacritics, it is syllables only, split where the accents say
    ("tựtử": tu tu, never "tutu"; "chémemở": chem em o, never "che memo")."""
    if len(word) < 2 or not word.isalpha():
        return None
    if not written.isascii():
        reading = spell_written(written)
        if reading is None:
            return None
        pieces, total = reading
        return pieces, (total / len(pieces),) * len(pieces)
    if word in SYLLABLES or word in ENGLISH or is_foreign(word):
        return (word,), (_reading_cost(word),)
    if (teen := TEEN.get(word)) is not None:
        return tuple(teen.split()), (_COST_TEEN,)
    split = segment(word)
    if split is None:
        return None
    return split, tuple(_reading_cost(p) for p in split)


def _spelled_pair(word: str, written: str) -> tuple[str, ...] | None:
    """Two letters alone: a syllable or a chat spelling ("m k"), unless both are chat letters
    ("k j", "v r") or both vowels, each a word of its own ("e ở", "a i")."""
    if _tones(written) >= 2 or (written.isascii() and word[0] in TEEN and word[1] in TEEN):
        return None
    if word[0] in _VOWELS and word[1] in _VOWELS:
        return None
    if word in SYLLABLES:
        return (word,)
    if written.isascii() and (teen := TEEN.get(word)) is not None:
        return tuple(teen.split())
    return None


def _fold_word(word: str) -> str:
    if word.isascii():
        return word
    return word.translate(PLAIN_TABLE)


def _is_plain_word(f: str) -> bool:
    return f in SYLLABLES or f in ENGLISH or f in TEEN or not f.isalpha() or bool(_RUN_RE.search(f))


def _vietnamese(words: list[str]) -> bool:
    """Is the message mostly Vietnamese? Then a word that is both rare English and Telex
    ("cos" for có) is read as Telex."""
    words = [_undigit(w) if not w.isalpha() else w for w in words]
    english = sum(1 for w in words if w in ENGLISH or is_common_english(w))
    vietnamese = sum(
        1
        for w in words
        if w not in ENGLISH
        and (w in SYLLABLES or (not is_common_english(w) and _untelex(w) is not None))
    )
    return vietnamese > english


@lru_cache(maxsize=65536)
def _folded_word(f: str, vietnamese: bool = False, leety: bool = False) -> tuple[str, ...]:
    """The folded word(s) one typed word stands for, from its folded spelling alone, so case
    and diacritics never change a reading."""
    if f.isdigit():
        return (leet,) if leety and (leet := _dense_leet(f)) else (f,)
    if hit := TEEN.get(f):
        return tuple(hit.split())
    held = _RUN_RE.search(f) is not None
    if not held and (as_is := _as_is(f, vietnamese)) is not None:
        return as_is
    g = f
    if not g.isalpha():
        g = _undigit(g, leety)
        if not g[0].isdigit() and _NUMBER_RE.search(g) and _LETTERS_RE.search(g):
            # "tongdai111", "em13tuoi": a word and a number typed together
            return tuple(t for piece in _NUMBER_SPLIT_RE.findall(g) for t in _folded_word(piece))
        if (m := _NUMBER_FIRST_RE.fullmatch(g)) and _reads_vietnamese(m.group(2)):
            # "17tuoi", "5phut": a number and the word it counts (never a unit: "40kg")
            return (m.group(1), *_folded_word(m.group(2), vietnamese, leety))
    if held:
        g = _unrepeat(g)
    if g != f:
        if hit := TEEN.get(g):
            return tuple(hit.split())
        if not g.isalpha():
            return (g,)
        if (as_is := _as_is(g, vietnamese)) is not None:
            return as_is
    if len(g) > 2 and (telex := _untelex(g)) is not None:
        return _teen((telex,))
    if (once := _undouble(g)) is not None:
        return _teen((once,))
    if not vietnamese and (english := _english_split(g)) is not None:
        return english  # "iwantto", "nobodywouldcare" in an English message
    if (pieces := segment(g)) is not None:
        return _teen(pieces)
    if len(g) > 4 and g.isalpha() and (pieces := segment_with(g, _TEEN_PIECES)) is not None:
        return _teen(pieces)  # chat spellings run together: "koaicanenua", "mkvaoquan"
    if (english := _english_split(g)) is not None and (
        not vietnamese or min(map(len, english)) >= _MIN_ENGLISH_PIECE_IN_VIETNAMESE
    ):
        return english  # in a Vietnamese message, only English of real words ("clip", "video")
    return (g,)


@lru_cache(maxsize=65536)
def _english_zipf(word: str) -> float:
    return wordfreq.zipf_frequency(word, "en", _ENGLISH_LIST)


@lru_cache(maxsize=16384)
def _english_split(word: str) -> tuple[str, ...] | None:
    """English words typed without spaces ("iwantto", "akid", "nobodywouldcare"): the split
    into common English words (wordfreq) with the fewest and commonest pieces, or None."""
    n = len(word)
    if n < _MIN_ENGLISH_RUN or n > _MAX_SEGMENT_EN or not word.isalpha():
        return None
    if wordfreq.zipf_frequency(word, "en") > 0:
        return None  # a word of English, however rare ("sextortion", "childproofing")
    best: list[tuple[float, int]] = [(0.0, 0)] + [(math.inf, 0)] * n
    for j in range(1, n + 1):
        for i in range(max(0, j - _MAX_ENGLISH_WORD), j):
            if best[i][0] == math.inf:
                continue
            piece = word[i:j]
            if (len(piece) <= 2 and piece not in _SHORT_ENGLISH) or piece in _AFFIXES:
                continue  # "ko", "nh", "ing" are common tokens, not words ("sextorting")
            zipf = _english_zipf(piece)
            if zipf < _ENGLISH_PIECE_ZIPF:
                continue
            total = best[i][0] + 1.0 + (_MAX_ZIPF - zipf)
            if total < best[j][0]:
                best[j] = (total, i)
    if best[n][0] == math.inf:
        return None
    pieces: list[str] = []
    j = n
    while j > 0:
        i = best[j][1]
        pieces.append(word[i:j])
        j = i
    return tuple(reversed(pieces)) if len(pieces) > 1 else None


def _as_is(word: str, vietnamese: bool) -> tuple[str, ...] | None:
    """A word that stands as it is (a syllable, known English, a loanword), or None. In a
    Vietnamese message a rarer English word that is also Telex ("cos") is read as Telex."""
    if word in SYLLABLES or word in ENGLISH:
        return (word,)
    if not is_foreign(word):
        if not vietnamese and is_english_word(word):
            return (word,)
        return None
    telex = _untelex(word) if vietnamese and not is_common_english(word) else None
    if telex is None and vietnamese and not is_common_english(word) and not _well_known(word):
        telex = _undouble(word)  # "conn": con with its last letter held ("app", "inn" stay)
    return _teen((telex,)) if telex else (word,)


def _teen(words: tuple[str, ...]) -> tuple[str, ...]:
    """Expand teen spellings a repair produced, so every output word reads as itself."""
    if all(w not in TEEN for w in words):
        return words
    return tuple(t for w in words for t in TEEN.get(w, w).split())


def is_word(word: str) -> bool:
    """A Vietnamese syllable, or a word of English or a loanword that Vietnamese writes as it
    is ("game", "video", "axit"): left as it is, never repaired or split."""
    return word in SYLLABLES or word in ENGLISH or is_foreign(word)


@lru_cache(maxsize=65536)
def _well_known(word: str) -> bool:
    """An English word written often enough ("app", "inn") never to be a held-down letter."""
    return wordfreq.zipf_frequency(word, "en", _ENGLISH_LIST) >= _WELL_KNOWN_ZIPF


@lru_cache(maxsize=65536)
def is_common_english(word: str) -> bool:
    return wordfreq.zipf_frequency(word, "en", _ENGLISH_LIST) >= _COMMON_ENGLISH_ZIPF


@lru_cache(maxsize=65536)
def is_english_word(word: str) -> bool:
    """A word English text uses, even rarely ("homeroom"), and Vietnamese text does not."""
    return (
        len(word) >= 4
        and wordfreq.zipf_frequency(word, "en") >= _ENGLISH_IN_ENGLISH_ZIPF
        and wordfreq.zipf_frequency(word, "vi") < _ENGLISH_IN_ENGLISH_ZIPF
    )


@lru_cache(maxsize=65536)
def is_foreign(word: str) -> bool:
    """Common in English text, or in Vietnamese text spelled this way (loanwords), by the
    word frequencies of `wordfreq` (Zipf scale: 3 is once per million words)."""
    if len(word) < 3:
        return False
    return (
        wordfreq.zipf_frequency(word, "en", _ENGLISH_LIST) >= _FOREIGN_ZIPF
        or wordfreq.zipf_frequency(word, "vi") >= _FOREIGN_ZIPF
    )


@lru_cache(maxsize=16384)
def _undigit(word: str, leety: bool = False) -> str:
    """VNI ("chet61", "d9i") or leetspeak ("ch3t", "t4o", "4nh", "1am") inside a word; a
    number, a number with its unit ("5h", "10a1", "50kg") or a name like "mp3" stays as it
    is. In a message already written in leetspeak (`leety`), shorter and denser ones are read
    too ("4y", "t01", "r13ng", "84t") when they make a syllable, and a word that reads both
    ways is leetspeak ("vu4": vừa, not vũ)."""
    letters = sum(ch.isalpha() for ch in word)
    if letters == 0 or (word[0].isdigit() and (len(word) < 2 or word[1].isdigit())):
        if leety and (english := _english_leet(word)) is not None:
            return english  # "90in9": going
        return (_dense_leet(word) if leety else None) or word
    if _UNIT_RE.fullmatch(word) and not leety:
        return word  # "7am", "5kg": a number and its unit
    vni = None if word[0].isdigit() else _unvni(word)
    leet = None
    if letters >= 2 and not _NUMBER_RE.search(word):
        leet = _leet_reading(word, word[0].isdigit())
    if leety:
        return leet or _dense_leet(word) or _english_leet(word) or vni or word
    if vni is not None and leet is not None and any(d in word for d in "6789"):
        return vni  # "tu7": tư, a VNI mark where its vowel is ("che7", with no ơ/ư, is leet)
    if vni is not None and leet is not None:  # "di3u": điều (leet), not dỉu (VNI)
        return leet if _reading_cost(leet) <= _reading_cost(vni) else vni
    return vni or leet or word


def _leet_reading(word: str, strict: bool) -> str | None:
    """The likeliest word the digits of `word` spell as letters ("1" an i or an l), or None.
    `strict`: a word of its own only (a syllable, English), not syllables run together."""
    candidates = [word.translate(_LEET)]
    if "1" in word:
        candidates.append(word.translate(_LEET_L).translate(_LEET))
    readable = [c for c in candidates if c.isalpha() and (is_word(c) if strict else _reads(c))]
    return min(readable, key=_reading_cost) if readable else None


def _reading_cost(word: str) -> float:
    """Vietnamese first: an English reading costs as much as a rare syllable."""
    return min(cost(word), _FOREIGN_COST if word in ENGLISH or is_foreign(word) else math.inf)


def _unvni(word: str) -> str | None:
    """VNI keys: tones 1-5, 6 â/ê/ô, 7 ơ/ư, 8 ă, each after the vowel it marks; 9 after d."""
    if _VNI_PAIR_RE.search(word):  # at most a mark and a tone per syllable: "61", "72"
        return None
    seen_vowel = False
    for mark, vowels in _VNI_MARKED.items():
        if mark in word and vowels.isdisjoint(word):
            return None  # "che7": no ơ/ư to mark, so not VNI
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            seen_vowel = True
        elif ch.isdigit():
            if ch == "9" and i > 0 and word[i - 1] == "d":
                continue
            if not seen_vowel or ch in "09":
                return None
    plain = "".join(ch for ch in word if not ch.isdigit())
    return plain if _reads(plain) else None


def _reads_vietnamese(word: str) -> bool:
    return word in SYLLABLES or segment(word) is not None


def _reads(word: str) -> bool:
    return is_word(word) or word in TEEN or segment(word) is not None


def _undouble(word: str) -> str | None:
    """A last letter held down once ("dangg", "emm", "dii"): the word without it, when that is
    a syllable and the word is none. Never a doubled a, e, o (Telex â, ê, ô) or d (đ)."""
    if len(word) < 3 or word[-1] != word[-2] or word[-1] in "aeod" or not word.isalpha():
        return None
    once = word[:-1]
    return once if once in SYLLABLES else None


def _unrepeat(word: str) -> str:
    """Held-down letters: "chettttt" → chet, "cuuuu" → cuu, "khongggg" → khong."""
    one = _RUN_RE.sub(r"\1", word)
    two = _RUN_RE.sub(r"\1\1", word)
    for candidate in (one, two):
        if candidate in TEEN or candidate in ENGLISH:
            return candidate
    if one in SYLLABLES or two in SYLLABLES:  # "chúúú" is chú, "cuuuu" is cứu
        return min((one, two), key=cost)
    for candidate in (two, one):
        if is_foreign(candidate):
            return candidate
    for candidate in (one, two):
        if segment(candidate) is not None:
            return candidate
    return two if word[_RUN_RE.search(word).start()] in "eo" else one  # type: ignore[union-attr]


@lru_cache(maxsize=65536)
def _untelex(word: str) -> str | None:
    """A syllable typed with Telex and the input method off: "tuwj" → tu, "cheets" → chet,
    "ddi" → di, "nguwowif" → nguoi. None unless the result is a Vietnamese syllable."""
    if not (set(word) & _TELEX_TONES or "w" in word or re.search(r"aa|ee|oo|dd", word)):
        return None
    first_vowel = next((i for i, ch in enumerate(word) if ch in _VOWELS or ch == "w"), -1)
    if first_vowel < 0:
        return None
    head, tail = word[:first_vowel], word[first_vowel:]
    tones = [ch for ch in tail if ch in _TELEX_TONES]
    if re.search(r"([sfrxj])\1", tail):
        return None  # a tone key typed twice is the letter itself: "boss", "mess", "jazz"
    tail = "".join(ch for ch in tail if ch not in _TELEX_TONES)
    if tones and tail.endswith(("p", "t", "c", "ch")) and not set(tones) <= {"s", "j"}:
        return None  # a syllable closed by p, t, c, ch takes only the sắc or nặng tone
    if head.startswith("dd"):
        head = head[1:]
    body = head + tail
    body = re.sub(r"(?<=[aou])w", "", body)
    body = body.replace("w", "u")
    body = re.sub(r"aa|ee|oo", lambda m: m.group()[0], body)
    if body in SYLLABLES and body != word:
        return body
    return None

"""The redactor's reading of a text (#6, #17): tokens with the facts the rules ask about them,
the writer's style (accents, capitals), and the word sets every rule shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from handlers import redact_lexicon as lex
from handlers.redact_lexicon import words
from nlu.text import fold

TYPES: tuple[str, ...] = (
    "EMAIL", "MXH", "THẺ", "CCCD", "SĐT", "STK", "CMND", "NGÀY_SINH", "BIỂN_SỐ", "ĐỊA_CHỈ",
    "TRƯỜNG", "TÊN",
)  # fmt: skip
PRIORITY = {name: rank for rank, name in enumerate(TYPES)}  # earlier wins an overlap
PLACEHOLDERS = {name: f"<{name}>" for name in TYPES}
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    type: str


# ---------------------------------------------------------------------------- the document


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded if len(folded) == 1 else ch.lower()[:1] or " "


class _FoldChars(dict[int, str]):
    """`str.translate` table of `_fold_char`, filled on demand: one pass in C per text (#18)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 65536:  # bounded: a flood of rare characters is not kept
            self[code] = folded
        return folded


_FOLD_CHARS = _FoldChars()


class _Tok:
    """One token with the facts the rules ask about it, computed once."""

    __slots__ = ("end", "fold", "is_alpha", "is_cap", "is_digit", "is_upper", "is_word", "loose",
                 "low", "plain", "start", "text")  # fmt: skip

    def __init__(self, start: int, end: int, text: str, folded: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low = text.lower()
        self.fold = folded
        self.is_word = text[0].isalnum()
        self.is_alpha = text.isalpha()
        self.is_digit = text[0].isdigit()
        # Title case: "Lan", "Đức" (not "THCS", not "lan")
        # or "ThuỶ": a capital inside a word typed on a phone says nothing
        self.is_cap = (
            self.is_alpha
            and len(text) > 1  # "E", "O", "A": a letter, a word (em, ở, anh), rarely a name
            and text[0].isupper()
            and (text[1:] == self.low[1:] or (len(text) > 2 and not text[1:-1].isupper()))
        )
        self.is_upper = self.is_alpha and text.isupper()
        # written without diacritics (đ aside)
        self.plain = self.low.replace("đ", "d") == folded
        # may stand for any accented word: set by _Doc when the writer skips diacritics
        self.loose = False


_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class _Doc:
    """The text, its length-aligned folded twin, and its tokens."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.translate(_FOLD_CHARS)
        self.cues: dict[int, str | None] = {}
        self.looking_ahead = False  # see _more_address
        # (#17) districts and provinces read after an address, kept: no name or school there
        self.kept_places: list[tuple[int, int]] = []
        # (#17) words read as a school's kind ("trường Trung cấp nghề"): no name there
        self.no_names: list[tuple[int, int]] = []
        barriers = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        self.toks: list[_Tok] = []
        for m in _TOKEN_RE.finditer(text):
            if any(b0 <= m.start() < b1 for b0, b1 in barriers):
                if not self.toks or self.toks[-1].text != "<>":
                    self.toks.append(_Tok(m.start(), m.end(), "<>", "<>"))
                continue
            word = m.group()
            self.toks.append(_Tok(m.start(), m.end(), word, self.folded[m.start() : m.end()]))
        # A writer who uses diacritics means "Ban" (a board) when writing "Ban", not "bạn";
        # one who never does may mean any accented word.
        alpha = [t for t in self.toks if t.is_alpha]
        accented = sum(1 for t in alpha if not t.plain)
        self.accented = bool(alpha) and accented >= 0.3 * len(alpha)
        for tok in self.toks:
            tok.loose = tok.plain and not self.accented
        # A writer Who Capitalises Every Word tells nothing by a capital: only known name
        # syllables count as a name then.
        # A name of three capitalised syllables is one capital, not three ("Con tên là:
        # Nguyễn Hải Đăng" is no title): capitals are counted by runs
        capitals = sum(1 for t in alpha if t.is_cap or t.is_upper)
        units = runs = 0
        previous: _Tok | None = None
        for t in alpha:
            capital = t.is_cap or t.is_upper
            joined = (
                capital
                and previous is not None
                and (previous.is_cap or previous.is_upper)
                and self.text[previous.end : t.start].strip() in {"", "'", "’"}  # "H'Hen"
            )
            if not joined:
                units += 1
                runs += capital
            previous = t
        self.title_style = (
            len(alpha) >= 4
            and capitals >= 0.6 * len(alpha)
            and runs >= 0.6 * units
            and not all(t.is_upper for t in alpha)
        )
        # A writer who never capitalises, or never uses diacritics, may write a street or
        # hamlet name in lowercase; in careful text a lowercase word there is a common word.
        # A MESSAGE WRITTEN IN CAPITALS: a place name there is a run of capitals.
        long_words = [t for t in alpha if len(t.text) > 1]
        self.caps_style = len(long_words) >= 3 and sum(t.is_upper for t in long_words) >= 0.8 * len(
            long_words
        )
        self.lowercase_style = not any(
            (t.is_cap or t.is_upper) and not self.sentence_start(n) for n, t in enumerate(self.toks)
        )

    def adjacent(self, i: int) -> bool:
        """Token i follows token i-1 with only spaces between (no newline)."""
        if i <= 0 or i >= len(self.toks):
            return False
        gap = self.text[self.toks[i - 1].end : self.toks[i].start]
        return "\n" not in gap

    def word(self, i: int) -> _Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) and self.toks[i].is_word else None

    def sentence_start(self, i: int) -> bool:
        """First word of a sentence, line, bullet or bracket: capitalised for that reason."""
        if i == 0 or not self.adjacent(i):
            return True
        before = self.toks[i - 1]
        return not before.is_word and before.text != ","

    def match(self, i: int, phrase: tuple[str, ...]) -> int | None:
        """End index if the words of `phrase` start at token i, adjacent, else None."""
        j = i
        for k, w in enumerate(phrase):
            tok = self.word(j)
            if tok is None or not _word_is(tok, w) or (k and not self.adjacent(j)):
                return None
            j += 1
        return j

    def match_any(self, i: int, phrases: _Phrases) -> tuple[int, tuple[str, ...]] | None:
        tok = self.word(i)
        if tok is None:
            return None
        for phrase in phrases.starting_with(tok.fold):  # longest first
            end = self.match(i, phrase)
            if end is not None:
                return end, phrase
        return None


def _word_is(tok: _Tok, word: str) -> bool:
    return tok.low == word or (tok.loose and tok.fold == _fold_word(word))


@lru_cache(maxsize=8192)
def _fold_word(word: str) -> str:
    return fold(word)


def _in(tok: _Tok, words: frozenset[str], folded: frozenset[str]) -> bool:
    return tok.low in words or (tok.loose and tok.fold in folded)


class _Phrases:
    """Multi-word cues indexed by their first word, folded, so a token looks up only its own."""

    def __init__(self, items: Iterable[str]) -> None:
        self.all = tuple(sorted((tuple(p.split()) for p in items), key=len, reverse=True))
        self._index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self.all:
            self._index.setdefault(fold(phrase[0]), []).append(phrase)

    def starting_with(self, folded_word: str) -> list[tuple[str, ...]]:
        return self._index.get(folded_word, [])


def _phrases(items: Iterable[str]) -> _Phrases:
    return _Phrases(items)


def _folded(words: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


_SURNAMES_F = _folded(lex.SURNAMES)
_GIVEN_F = _folded(lex.GIVEN_NAMES)
# after a cue or a surname, any given or middle name's syllable
_CUED_GIVEN = lex.GIVEN_NAMES | lex.MORE_GIVEN_NAMES
# unaccented, most of the added syllables are other words too ("tien" tiền, "nha" nhé):
# read loosely only those that are not
_CUED_GIVEN_F = _GIVEN_F | _folded(
    words("quốc tuệ diệu toản phụng thoa hoài nguyên phước huân khiêm kiệt tuyền khuê")
)
_STOP_F = _folded(lex.STOP_WORDS)
_TITLE_F = _folded(lex.TITLE_WORDS)
# What follows a title word when it is a title ("hiệu trưởng", "tư vấn", "nhân viên").
_TITLE_NEXT = words(
    """trưởng phó phẩm viên vấn pháp lệnh nhiệm tịch thư vụ sự trị lý đốc sĩ giáo tá
    tướng quản tế tá dân"""
)
_TITLE_NEXT_F = _folded(_TITLE_NEXT)


def _title_at(doc: _Doc, k: int, also_a_name: bool) -> bool:
    """Token k is a title or role ("cô Giáo", "thầy hiệu trưởng"); a word that is also a name
    ("hiếu", "Nhân", "Tư") is one only when the rest of the title follows it."""
    tok = doc.toks[k]
    if not _in(tok, lex.TITLE_WORDS, _TITLE_F):
        return False
    if not also_a_name:
        return True
    after = doc.word(k + 1)
    # (#17, round 5) written with its accents, the next word must be the title's: "Tư Vân"
    # is a name, "tư vấn" a counsellor
    return (
        after is not None
        and doc.adjacent(k + 1)
        and (after.low in _TITLE_NEXT or (after.plain and after.fold in _TITLE_NEXT_F))
    )


_NOT_BEFORE_F = _folded(lex.NOT_NAME_BEFORE)


# "nữ", "thất": the middle syllables of the Tôn Nữ and Tôn Thất families
_NAME_SYLLABLES = _CUED_GIVEN | lex.SURNAMES | frozenset({"văn", "thị", "nữ", "thất"})
_NAME_SYLLABLES_F = _folded(_NAME_SYLLABLES)
_NAME_OR_ORDER = _CUED_GIVEN | lex.BIRTH_ORDER
_NAME_OR_ORDER_F = _folded(_NAME_OR_ORDER)


def _is_name_syllable(folded: str) -> bool:
    return folded in _NAME_SYLLABLES_F

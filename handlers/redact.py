"""Redaction of personal data before anything is stored: `redact(text) -> RedactionResult`.

Every personal detail becomes a typed placeholder: `<SĐT>`, `<CCCD>`, `<CMND>`, `<EMAIL>`,
`<STK>`, `<THẺ>`, `<BIỂN_SỐ>`, `<ĐỊA_CHỈ>`, `<TÊN>`, `<TRƯỜNG>` (a school's proper name)
and `<MXH>` (a social-media profile). Cues stay, the detail goes: "cô giáo <TÊN>",
"trường THCS <TRƯỜNG>", "ở <ĐỊA_CHỈ>", so staff still read who and where in general terms.

How it decides, in short (tests/data/redaction_corpus.yml measures it; `childsafe
eval-redaction` prints the figures):
- Numbers: every run of digits (spaces, dots, dashes, brackets, +84/0084/84 allowed) is
  classified by length, prefix and the nearest cue before it ("sđt", "cccd", "stk", "thẻ"):
  Vietnamese mobiles and landlines, 12-digit CCCD, 9-digit CMND, Luhn-valid card numbers,
  other long numbers as bank accounts. Money, dates, ages, hotlines (111–115, 1800/1900
  numbers) and legal references ("56/2017/NĐ-CP") have shapes of their own and stay.
  Own rules rather than `phonenumbers.PhoneNumberMatcher` (measured on the corpus): alone,
  the matcher missed old 11-digit mobiles (0168 ...) and flagged the 1800 6605 hotline;
  added to the rules it found no phone they missed and doubled the time per message.
- Addresses: address words (số nhà, ngõ, ngách, hẻm, kiệt, đường, phố, tổ, thôn, xóm, ấp,
  phường, xã, ...) followed by a number or a name, then everything that still reads as the
  address (", Đống Đa, Hà Nội"). A district or province named on its own stays: it
  identifies nobody and staff need it for trends.
- Names: after a cue ("tên là", "cô giáo", "bố dượng", "thằng", ...), a capitalised full name
  starting with a common surname, or a capitalised given name in mid-sentence. Lowercase
  names only after "tên"/"tên là" or as a surname-first full name after a cue.
The writer's style is read first: in a message written without diacritics a word may stand
for any accented word ("ten" for "tên"), in one written with them it must match exactly
("Phương" is a name, "phường" a ward, "Ban" a board and not "bạn"); in a message Written In
Title Case a capital says nothing, so only known name syllables make a name.

`redact` never raises: if something inside fails, the whole text is replaced (fail closed).
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from handlers import redact_lexicon as lex
from handlers.redact_disguise import (
    birth_date_spans,
    compose,
    obfuscated_email_spans,
    undisguise_letters,
    undisguise_numbers,
)
from handlers.redact_lexicon import words
from nlu.text import Reading, fold, read

log = logging.getLogger(__name__)

TYPES: tuple[str, ...] = (
    "EMAIL", "MXH", "THẺ", "CCCD", "SĐT", "STK", "CMND", "NGÀY_SINH", "BIỂN_SỐ", "ĐỊA_CHỈ",
    "TRƯỜNG", "TÊN",
)  # fmt: skip
PRIORITY = {name: rank for rank, name in enumerate(TYPES)}  # earlier wins an overlap
PLACEHOLDERS = {name: f"<{name}>" for name in TYPES}
FAILED_PLACEHOLDER = "<KHÔNG_ẨN_DANH_ĐƯỢC>"
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    type: str


@dataclass(frozen=True, slots=True)
class RedactionResult:
    text: str
    counts_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts_by_type.values())


def redact(text: str, reading: Reading | None = None) -> RedactionResult:
    """The text with every personal detail replaced by its placeholder. Never raises.
    `reading`: the message's reading already made (`nlu.text.read`), reused when it is the
    reading of exactly this text (#18: a message is read once); otherwise the text is read."""
    try:
        if not isinstance(text, str):
            return RedactionResult("")
        text = unicodedata.normalize("NFC", text)
        if reading is None or reading.original != text:
            reading = read(text)
        spans = find_spans(reading.original, reading)
        return RedactionResult(
            apply_spans(reading.original, spans), dict(Counter(s.type for s in spans))
        )
    except Exception:  # fail closed: storing nothing beats storing a phone number
        log.exception("redaction failed; the message text is withheld")
        return RedactionResult(FAILED_PLACEHOLDER, {"FAILED": 1})


def apply_spans(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    last = 0
    for span in sorted(spans, key=lambda s: s.start):
        parts.append(text[last : span.start])
        parts.append(PLACEHOLDERS[span.type])
        last = span.end
    parts.append(text[last:])
    return "".join(parts)


def find_spans(text: str, reading: Reading | None = None) -> list[Span]:
    """Non-overlapping personal-data spans of `text`, in order (indices into `text`).

    The rules read the canonical text (nlu.text), with numbers written in letters or words
    turned back into digits; every span found there is mapped back to `text`."""
    reading = reading if reading is not None and reading.original == text else read(text)
    canonical = reading.canonical
    numbers = undisguise_numbers(canonical)
    rewrite = compose(numbers, undisguise_letters(numbers.text, _is_name_syllable))
    found = _find_spans_in(rewrite.text)
    extra = [Span(a, b, "EMAIL") for a, b in obfuscated_email_spans(canonical)]
    extra += [Span(a, b, "NGÀY_SINH") for a, b in birth_date_spans(canonical)]
    in_canonical = [Span(*rewrite.source_span(s.start, s.end), s.type) for s in found]
    merged = _choose([*extra, *in_canonical], [])
    spans = []
    for span in merged:
        start, end = reading.to_original(span.start, span.end)
        if end > start:
            spans.append(Span(start, end, span.type))
    return spans


def _choose(candidates: list[Span], protected_ranges: list[tuple[int, int]]) -> list[Span]:
    protected = _Intervals()
    for start, end in protected_ranges:
        protected.add(start, end)
    chosen = _Intervals()
    spans: list[Span] = []
    for span in sorted(candidates, key=lambda s: (PRIORITY[s.type], s.start - s.end)):
        if span.type in _TEXTUAL and protected.overlaps(span.start, span.end):
            continue
        if chosen.overlaps(span.start, span.end):
            continue
        chosen.add(span.start, span.end)
        spans.append(span)
    return sorted(spans, key=lambda s: s.start)


def _find_spans_in(text: str) -> list[Span]:
    doc = _Doc(text)
    candidates: list[Span] = []
    candidates += _email_spans(text)
    candidates += _social_spans(text, doc.folded)
    candidates += _number_spans(doc)
    candidates += _plate_spans(doc)
    candidates += _address_spans(doc)
    candidates += _school_spans(doc)
    candidates += _name_spans(doc)
    return _choose(candidates, _protected_ranges(text))


class _Intervals:
    """Disjoint intervals kept sorted, so each overlap test is a bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end)  # intervals starting before `end`
        return index > 0 and self.ends[index - 1] > start

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


_TEXTUAL = frozenset({"ĐỊA_CHỈ", "TRƯỜNG", "TÊN", "BIỂN_SỐ"})

# ---------------------------------------------------------------------------- the document


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded if len(folded) == 1 else ch.lower()[:1] or " "


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
        self.folded = "".join(_fold_char(ch) for ch in text)
        self.cues: dict[int, str | None] = {}
        self.looking_ahead = False  # see _more_address
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
        capitals = sum(1 for t in alpha if t.is_cap or t.is_upper)
        self.title_style = (
            len(alpha) >= 4 and capitals >= 0.6 * len(alpha) and not all(t.is_upper for t in alpha)
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
_TITLE_NEXT_F = _folded(
    words(
        """trưởng phó phẩm viên vấn pháp lệnh nhiệm tịch thư vụ sự trị lý đốc sĩ giáo tá
        tướng quản tế tá dân"""
    )
)


def _title_at(doc: _Doc, k: int, also_a_name: bool) -> bool:
    """Token k is a title or role ("cô Giáo", "thầy hiệu trưởng"); a word that is also a name
    ("hiếu", "Nhân", "Tư") is one only when the rest of the title follows it."""
    tok = doc.toks[k]
    if not _in(tok, lex.TITLE_WORDS, _TITLE_F):
        return False
    if not also_a_name:
        return True
    after = doc.word(k + 1)
    return after is not None and doc.adjacent(k + 1) and after.fold in _TITLE_NEXT_F


_NOT_BEFORE_F = _folded(lex.NOT_NAME_BEFORE)

# ---------------------------------------------------------------------------- emails, profiles

_EMAIL_LOCAL_RE = re.compile(r"[\w.+-]{1,64}$")
_EMAIL_DOMAIN_RE = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# "tuanpro2009@gmail": a webmail address with its ".com" left off
_WEBMAIL_RE = re.compile(r"(?:gmail|yahoo|outlook|hotmail|icloud|ymail)(?![\w.@])", re.IGNORECASE)
_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.|m\.|web\.|vt\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|tiktok\.com|instagram\.com|zalo\.me|youtube\.com|"
    r"twitter\.com|x\.com|t\.me|threads\.net)/[^\s,;!)]*[^\s,;!).?]",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9._]{2,29}(?![\w@:])")


def _email_spans(text: str) -> list[Span]:
    """Each "@" with a local part before it and a dotted domain after it. Anchored on the "@"
    so a long run of letters costs one pass, not one pass per starting position."""
    spans = []
    at = text.find("@")
    while at != -1:
        local = _EMAIL_LOCAL_RE.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1) or _WEBMAIL_RE.match(text, at + 1)
        if local and domain:
            spans.append(Span(local.start(), domain.end(), "EMAIL"))
        at = text.find("@", at + 1)
    return spans


_ACCOUNT_CUE_RE = re.compile(
    r"(?<!\w)(?:nick|nickname|username|user|ten dang nhap|ten tai khoan|tai khoan|acc|id|"
    r"roblox|free fire|ff|lien quan|game|tiktok|insta|instagram|ig|fb|facebook|discord|"
    r"telegram|tele|messenger|twitter|youtube|kenh|steam|garena)(?!\w)"
)
_ACCOUNT_NAME_RE = re.compile(r"(?<![\w.@/])[A-Za-z0-9][A-Za-z0-9._]{4,29}(?![\w@/])")
_ACCOUNT_SHAPE_RE = re.compile(r".*(?:[A-Za-z].*\d|\d.*[A-Za-z]|_|[a-z][A-Z]).*")
_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def _social_spans(text: str, folded: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "MXH") for m in _PROFILE_URL_RE.finditer(text)]
    for m in _HANDLE_RE.finditer(text):
        end = m.end() - (1 if m.group().endswith(".") else 0)
        spans.append(Span(m.start(), end, "MXH"))
    # "tên đăng nhập roblox của nó là ShadowKing2010": an account name after an account cue
    for sentence in _SENTENCE_RE.finditer(folded):
        cue = _ACCOUNT_CUE_RE.search(sentence.group())
        if cue is None:
            continue
        start = sentence.start() + cue.end()
        for m in _ACCOUNT_NAME_RE.finditer(text, start, sentence.end()):
            name = m.group().rstrip(".")
            if _ACCOUNT_SHAPE_RE.fullmatch(name) and not name.isdigit():
                spans.append(Span(m.start(), m.start() + len(name), "MXH"))
    return spans


# ---------------------------------------------------------------------------- numbers

_RUN_RE = re.compile(r"(?<!\d)(?<!\d[.,])(?:\+|\(\+?)?\d(?:[ .\-–()]{0,3}\d)*\)?")
_GROUP_RE = re.compile(r"\d+")
_CUES = {
    "phone": r"s\.?đ\.?t|s\.?d\.?t|đt|dt|điện thoại|dien thoai|đthoai|phone|tel|zalo|gọi|goi|"
    r"liên hệ|lien he|liên lạc|lien lac|nhắn tin|nhan tin|hotline|sim|số máy|so may|máy bàn|"
    r"may ban|di động|di dong|call",
    "cccd": r"cccd|căn cước|can cuoc|định danh|dinh danh|cc công dân",
    "cmnd": r"cmnd|cmt|chứng minh|chung minh",
    "bank": r"stk|số tk|so tk|tk|tài khoản|tai khoan|ngân hàng|ngan hang|bank|vietcombank|vcb|"
    r"techcombank|tcb|agribank|bidv|vietinbank|mbbank|mb|acb|tpbank|sacombank|vpbank|shb|"
    r"hdbank|ocb|scb|momo|ví điện tử|vi dien tu|chuyển khoản|chuyen khoan|ck",
    "card": r"thẻ|visa|master|mastercard|atm|napas|jcb",
}
_CUE_RE = re.compile(
    "|".join(rf"(?P<{name}>(?<!\w)(?:{pattern})(?!\w))" for name, pattern in _CUES.items())
)
_UNIT_AFTER_RE = re.compile(
    r"[ \t]?(?:đ|₫|đồng|dong|vnd|vnđ|k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|ty|usd|\$|%|"
    r"kg|tuổi|tuoi|t|năm|nam|tháng|thang|giờ|gio|h|phút|phut|người|nguoi|học sinh|"
    r"hoc sinh|hs|lớp|lop|suất|suat|m|km|cm|lần|lan)(?!\w)",
    re.IGNORECASE,
)
_CURRENCY_AFTER_RE = re.compile(
    r"\s?(?:đ|₫|đồng|dong|vnd|vnđ|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|usd|\$)(?!\w)",
    re.IGNORECASE,
)
_MONEY_SHAPE_RE = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
_DATE_SHAPE_RE = re.compile(
    r"\d{1,2}[.\-]\d{1,2}[.\-](?:\d{2}|\d{4})|(?:19|20)\d\d\s?[-–]\s?(?:19|20)\d\d"
)
_GROUPED_BY_FOUR_RE = re.compile(r"\d{4}(?:[ .-]\d{4}){3}")
_PHONE_NATIONAL_RE = re.compile(r"0(?:[35789]\d{8}|2\d{9}|1[2689]\d{8})")
_SERVICE_PREFIXES = ("1800", "1900")
_HOTLINES = frozenset({"111", "112", "113", "114", "115"})


_SPECIFIC = frozenset({"SĐT", "CCCD", "THẺ"})  # recognisable by shape, not just by length


def _number_spans(doc: _Doc) -> list[Span]:
    """Classify each run of digits. A run may hold several numbers ("hẻm 5 0912 345 678"):
    if it is not one recognisable number, look inside it for phones, CCCDs and cards, then
    classify what lies between them as a whole."""
    spans: list[Span] = []
    for run in _RUN_RE.finditer(doc.text):
        groups = [
            (run.start() + g.start(), run.start() + g.end())
            for g in _GROUP_RE.finditer(run.group())
        ]
        whole = _classify_number(doc, run.start(), run.end())
        loose_card = whole == "THẺ" and len(groups) > 1 and _loose_card(doc, *run.span())
        if loose_card and _specific_inside(doc, run.start(), groups):
            whole = None
        if (
            (whole in _SPECIFIC and not loose_card)
            or len(groups) == 1
            or (whole == "STK" and _cue_at(doc, run.start()) == "bank")
        ):
            if whole:
                spans.append(Span(run.start(), run.end(), whole))
            continue
        inner = _specific_inside(doc, run.start(), groups)
        if not inner:
            if whole:
                spans.append(Span(run.start(), run.end(), whole))
            continue
        spans += inner
        covered = {
            index
            for span in inner
            for index, g in enumerate(groups)
            if span.start <= g[0] < span.end
        }
        gap: list[int] = []
        for index in [*range(len(groups)), len(groups)]:
            if index < len(groups) and index not in covered:
                gap.append(index)
                continue
            if gap:
                gap_start, gap_end = groups[gap[0]][0], groups[gap[-1]][1]
                kind = _classify_number(doc, gap_start, gap_end)
                if kind:
                    spans.append(Span(gap_start, gap_end, kind))
                gap = []
    return spans


def _specific_inside(doc: _Doc, run_start: int, groups: list[tuple[int, int]]) -> list[Span]:
    """Phones, CCCDs and cards inside a longer run, longest first from the left."""
    text = doc.text
    spans = []
    i = 0
    while i < len(groups):
        found: tuple[int, str, int, int] | None = None
        last = i  # the longest number worth trying holds at most 19 digits (a card)
        while last + 1 < len(groups) and groups[last + 1][1] - groups[i][0] <= 40:
            last += 1
        for j in range(last, i - 1, -1):
            if i == 0 and j == len(groups) - 1:
                continue  # the whole run, already tried
            start = run_start if i == 0 else groups[i][0]
            end = groups[j][1]
            if j == len(groups) - 1 and text[end : end + 1] == ")" and "(" in text[start:end]:
                end += 1
            kind = _classify_number(doc, start, end)
            if kind == "THẺ" and _loose_card(doc, start, end):
                continue
            if kind in _SPECIFIC:
                found = (j, kind or "", start, end)
                break
        if found is None:
            i += 1
            continue
        j, kind, start, end = found
        spans.append(Span(start, end, kind))
        i = j + 1
    return spans


def _loose_card(doc: _Doc, start: int, end: int) -> bool:
    """Sixteen digits that pass Luhn but are neither printed like a card nor cued as one:
    "2024 0084 33 00 03 39 0" is a year and a phone."""
    raw = doc.text[start:end].strip("() ")
    return not _GROUPED_BY_FOUR_RE.fullmatch(raw) and _cue_at(doc, start) != "card"


def _cue_at(doc: _Doc, start: int) -> str | None:
    """The nearest cue before `start`, looked up once per position (a long run of digits
    asks about the same positions many times)."""
    if start not in doc.cues:
        doc.cues[start] = _nearest_cue(doc.text, start)
    return doc.cues[start]


def _nearest_cue(text: str, start: int) -> str | None:
    window = text[max(0, start - 40) : start].lower()
    best: tuple[int, str] | None = None
    for m in _CUE_RE.finditer(window):
        name = m.lastgroup
        if name and (best is None or m.end() >= best[0]):
            best = (m.end(), name)
    return best[1] if best else None


def _phone_national(digits: str, raw: str) -> str | None:
    if raw.startswith(("+", "(+")) and digits.startswith("84"):
        national = "0" + digits[2:]
    elif digits.startswith("0084"):
        national = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = "0" + digits[2:]
    elif digits.startswith("0"):
        national = digits
    else:
        return None
    if national.startswith("00"):  # "+84 (0) 912 ..."
        national = national[1:]
    return national if _PHONE_NATIONAL_RE.fullmatch(national) else None


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _classify_number(doc: _Doc, start: int, end: int) -> str | None:
    raw = doc.text[start:end].strip("() ")
    digits = "".join(ch for ch in raw if ch.isdigit())
    n = len(digits)
    if n < 7:
        return None
    if all(g in _HOTLINES for g in _GROUP_RE.findall(raw)):
        return None  # "113 114 115 là số gì"
    if n == 12 and digits.startswith("0") and _cue_at(doc, start) == "cccd":
        return "CCCD"  # "cccd: 001205098765" reads as an old 11-digit mobile after "00"
    phone = _phone_national(digits, raw)
    after = doc.text[end : end + 12]
    if phone and (digits.startswith("0") or raw.startswith("+")):
        return "SĐT"  # a phone number followed by "k" is "không", not thousands
    if phone and not _MONEY_SHAPE_RE.fullmatch(raw) and not _CURRENCY_AFTER_RE.match(after):
        return "SĐT"  # "84 912 345 678 lớp 7": a count word after it does not make it a count
    cued = _cue_at(doc, start)
    if _DATE_SHAPE_RE.fullmatch(raw):
        return None
    if _UNIT_AFTER_RE.match(after) and not (n >= 9 and cued in {"bank", "cccd", "cmnd", "card"}):
        return None  # "120 học sinh"; but "stk 123456789 lớp 7" is an account and a class
    if n == 8 and digits.startswith(_SERVICE_PREFIXES):
        return None  # 1800/1900 service lines belong to organisations
    cue = _cue_at(doc, start)
    if _MONEY_SHAPE_RE.fullmatch(raw) and cue not in {"phone", "cccd", "cmnd", "bank", "card"}:
        return None
    if cue == "card" and 12 <= n <= 19:
        return "THẺ"
    if n == 16 and _luhn(digits) and _GROUPED_BY_FOUR_RE.fullmatch(raw):
        return "THẺ"  # printed like a card: "9704 1500 0123 4569", whatever the cue says
    if cue == "bank" and n >= 6:
        return "STK"
    if 13 <= n <= 19 and _luhn(digits) and (n == 16 or (n == 19 and digits.startswith("9704"))):
        return "THẺ"
    if cue == "cccd" and n == 12:
        return "CCCD"
    if cue == "cmnd" and n in (9, 12):
        return "CMND" if n == 9 else "CCCD"
    if phone:
        return "SĐT"
    if cue == "phone" and 8 <= n <= 11:
        return "SĐT"  # a landline without its area code, or a mobile missing its 0
    if n == 12 and digits.startswith("0"):
        return "CCCD"
    if n == 9:
        return "CMND"
    if n >= 10:
        return "STK"
    return None


# ---------------------------------------------------------------------------- licence plates

_PLATE_RE = re.compile(
    r"(?<![\w.])(?P<province>[1-9]\d)\s?-?\s?(?P<series>[A-Za-z]{1,2}\d?)(?P<sep>\s?[-.]?\s?)"
    r"(?P<number>\d{3}[.\s]?\d{2}|\d{4})(?![\w])"
)
_PLATE_CUE_RE = re.compile(r"(?<!\w)(?:bien so|bien|bks|bsx|bs|xe|plate)(?!\w)")
_CLASS_BEFORE_RE = re.compile(r"(?<!\w)(?:lop|phong|nha|toa|khu)\s*$")


def _plate_spans(doc: _Doc) -> list[Span]:
    spans = []
    for m in _PLATE_RE.finditer(doc.text):
        before = doc.folded[max(0, m.start() - 20) : m.start()]
        if _CLASS_BEFORE_RE.search(before):
            continue
        cued = bool(_PLATE_CUE_RE.search(before))
        series = m.group("series")
        formatted = bool(m.group("sep").strip()) or "." in m.group("number")
        if cued or (series[0].isupper() and formatted):
            spans.append(Span(m.start(), m.end(), "BIỂN_SỐ"))
    return spans


# ---------------------------------------------------------------------------- addresses

_FINE = _phrases(lex.ADDRESS_FINE)
_COARSE = _phrases(lex.ADDRESS_COARSE)
_LOCATION_CUES = _phrases(lex.LOCATION_CUES)
_ADDRESS_CUE = (("địa", "chỉ"), ("đ", "/", "c"))
_ADDRESS_WORDS_F = frozenset(
    fold(w) for p in lex.ADDRESS_FINE + lex.ADDRESS_COARSE for w in p.split()
)
_ABBREVIATIONS = {
    "p": "fine",
    "f": "fine",
    "q": "coarse",
    "tp": "coarse",
    "tx": "coarse",
    "h": "coarse",
    "t": "coarse",
}
_GLUED_ABBREV_RE = re.compile(r"[pqf]\d{1,2}")
_SENTENCE_END = {".", "!", "?", ";", "<>"}
_NOT_AFTER = {("xóm",): ("hàng",), ("xã",): ("thị",), ("phố",): ("thành",)}
_NEVER_AFTER: dict[tuple[str, ...], set[str]] = {
    ("xã",): {"hội", "hoi"},
    ("tổ",): {"chức", "chuc", "trưởng", "truong", "cáo", "cao"},
    # "đường dây nóng", "đường link", "số điện thoại", "khu vực", "đội đá"
    ("đường",): {"dây", "link", "truyền", "sắt", "ray", "tàu", "đi", "về", "cùng", "phố", "xá"},
    ("số",): {"điện", "tiền", "lượng", "phận", "liệu", "đt", "dt", "sđt", "tài", "máy"},
    ("khu",): {"vực", "vui", "chế", "công", "dân"},
    ("đội",): {"đá", "bóng", "tuyển", "nhóm", "viên", "trưởng", "mũ", "lên"},
}


@lru_cache(maxsize=32)
def _never_after_f(phrase: tuple[str, ...]) -> frozenset[str]:
    return _folded(frozenset(_NEVER_AFTER[phrase]))


_WEAK_FINE = {("tổ",), ("đội",), ("khu",), ("lô",), ("số",), ("bản",), ("tòa",)}
_ACCENT_ENOUGH = {("tổ",), ("đội",)}  # "tổ 7" written with its accent is an address
_NAMED_AFTER_PEOPLE = {("đường",), ("phố",)}
_NEEDS_CAPITAL = {("chung", "cư"), ("tòa",), ("khu",)}
_PLACE_STOP = words(
    """bên trên dưới khác ngoài trong gần xa tàu nhỏ lớn này đó kia chính cao tầng
    làng quê xóm huyện tỉnh nhà đặc vùng miền nghèo biên khó mình ta nào"""
)
_PLACE_STOP_F = _folded(_PLACE_STOP)


def _address_spans(doc: _Doc) -> list[Span]:
    spans: list[Span] = []
    i = 0
    while i < len(doc.toks):
        found = _address_start(doc, i)
        if found is None:
            i += 1
            continue
        first, end = found
        end = _address_extend(doc, end)
        spans.append(Span(doc.toks[first].start, doc.toks[end - 1].end, "ĐỊA_CHỈ"))
        i = end
    return spans


def _location_cue_before(doc: _Doc, i: int) -> bool:
    for phrase in _LOCATION_CUES.all:
        j = i - len(phrase)
        if j >= 0 and doc.match(j, phrase) == i and doc.adjacent(i):
            return True
    return False


def _address_start(doc: _Doc, i: int) -> tuple[int, int] | None:
    """(first token, end) of an address starting at token i."""
    tok = doc.word(i)
    if tok is None:
        return None
    # "địa chỉ: ..." / "địa chỉ nhà em là ...": the rest of the clause is the address
    for phrase in _ADDRESS_CUE:
        end = doc.match(i, phrase) if phrase[0] != "đ" else _match_slash_abbrev(doc, i)
        if end is None:
            continue
        k = end
        announced = False
        while k < len(doc.toks) and (
            doc.toks[k].text == ":" or _in(doc.toks[k], _FILLER, _FILLER_F)
        ):
            announced = announced or doc.toks[k].text == ":" or _word_is(doc.toks[k], "là")
            k += 1
        if k < len(doc.toks):
            element = _address_element(doc, k, lowercase_ok=True)
            stop = element or (_clause_end(doc, k) if announced else k)
            if stop > k:
                return k, stop
    if tok.is_digit or tok.fold in _ADDRESS_WORDS_F or tok.low in _ABBREVIATIONS:
        cued = _location_cue_before(doc, i)
    else:
        return None
    element_end = _keyword_element(doc, i, lowercase_ok=cued, starting=True)
    if element_end is not None:
        return i, element_end
    # a house number right after "ở"/"tại": "ở 123/45 Nguyễn Trãi", "tại 56 đường 3/2"
    if cued and tok.is_digit:
        house = _number_chain(doc, i)
        if house is not None and doc.adjacent(house):
            street = _place_run_at(doc, house, 5) or _keyword_element(doc, house, lowercase_ok=True)
            if street:
                return i, street
    return None


_FILLER = words("nhà của em tôi mình tui con cháu là nhà")
_FILLER_F = _folded(_FILLER)


def _match_slash_abbrev(doc: _Doc, i: int) -> int | None:
    toks = doc.toks
    if (
        i + 2 < len(toks)
        and toks[i].low in {"đ", "d"}
        and toks[i + 1].text == "/"
        and toks[i + 2].low == "c"
    ):
        return i + 3
    return None


def _clause_end(doc: _Doc, k: int) -> int:
    j = k
    while (
        j < len(doc.toks)
        and doc.toks[j].text not in _SENTENCE_END | {","}
        and (j == k or doc.adjacent(j))
    ):
        j += 1
    return j


def _keyword_element(doc: _Doc, i: int, lowercase_ok: bool, starting: bool = False) -> int | None:
    """End of "keyword + name" at token i (ngõ 34, phường Bến Nghé, P.7), else None."""
    tok = doc.word(i)
    if tok is None:
        return None
    glued = _GLUED_ABBREV_RE.fullmatch(tok.low)
    if glued and not starting:
        return i + 1  # "Q1", "P12", "F7": district or ward written without the dot
    abbrev = _ABBREVIATIONS.get(tok.low)
    if abbrev and i + 1 < len(doc.toks) and doc.toks[i + 1].text == "." and doc.adjacent(i + 1):
        if starting and abbrev == "coarse":
            return None
        k = i + 2
        name = _number_chain(doc, k) or _place_run_at(doc, k, 4)
        return name
    if tok.low == "tp" and starting is False:
        return _place_run_at(doc, i + 1, 4) if doc.adjacent(i + 1) else None
    found = doc.match_any(i, _FINE) or _plain_keyword(doc, i)
    if found is None:
        found = doc.match_any(i, _COARSE) or (None if starting else _plain_coarse(doc, i))
        if found is None or starting:
            return None  # a district or province alone is no address
    k, phrase = found
    before = doc.word(i - 1)
    if (
        phrase in _NOT_AFTER
        and before is not None
        and any(_word_is(before, w) for w in _NOT_AFTER[phrase])
    ):
        return None
    after = doc.word(k)
    if after is None or not doc.adjacent(k):
        return None
    if phrase in _NEVER_AFTER and (
        after.low in _NEVER_AFTER[phrase] or (after.loose and after.fold in _never_after_f(phrase))
    ):
        return None
    if tok.is_cap and not doc.sentence_start(i) and not after.is_digit:
        return None  # "Phường" mid-sentence capitalised is more often part of a name
    if _office_before(doc, i) and _in(after, lex.SURNAMES, _SURNAMES_F) and after.is_cap:
        return None  # "chủ tịch xã Đỗ Minh Hải": a person, named by office
    if after.low in {"số", "so"} and doc.word(k + 1) and doc.toks[k + 1].is_digit:
        k += 1
    weak = phrase in _WEAK_FINE
    if phrase in _VILLAGES:
        return _village(doc, i, k, phrase, _location_cue_before(doc, i), lowercase_ok)
    name = _number_chain(doc, k)
    if name is not None and doc.adjacent(name):
        lower = lowercase_ok and (doc.lowercase_style or not doc.accented)
        # "hẻm 42 Lê Văn Sỹ", "kiệt 25 Hoàng Diệu", "hem 45 le van sy"
        name = _place_run_at(doc, name, 5) or (lower and _lower_street(doc, name)) or name
    if name is None:
        name = _place_run_at(doc, k, 5, inside=not starting)
        if (
            name is not None
            and starting
            and phrase not in _NEVER_A_WORD
            and not doc.toks[k].is_cap
            and not _location_cue_before(doc, i)
            and not _more_address(doc, name)
        ):
            return None  # in capitals, "KIỆT SỨC", "NGÕ CỤT": an address needs more
    if name is None and lowercase_ok and not weak and (doc.lowercase_style or not doc.accented):
        name = _lower_place_name(doc, k, phrase, starting)
    if name is None:
        return None
    if starting and weak and not (phrase in _ACCENT_ENOUGH and _word_is_accented(tok, phrase[0])):
        follow = _address_extend(doc, name)
        if follow == name:
            return None  # "xe buýt số 32", "lô 5": only part of an address with more after it
    return name


# Address words that are no other word ("kiệt" is also kiệt sức, "ngõ" ngõ cụt)
_NEVER_A_WORD = {
    ("thôn",), ("ngách",), ("phường",), ("khóm",), ("thị", "trấn"), ("khu", "phố"),
    ("tổ", "dân", "phố"), ("số", "nhà"),
}  # fmt: skip
_VILLAGES = {("bản",), ("buôn",), ("làng",), ("sóc",), ("plei",)}
# Words before "bản" that make it no village: văn bản, phiên bản, cơ bản, Nhật Bản
_NOT_BEFORE_VILLAGE_F = _folded(
    words("văn phiên cơ nhật kịch tái xuất căn nguyên bộ viết đọc in ký nộp làm một từng mỗi")
)
_NOT_VILLAGE_NAME_F = _folded(
    words(
        """bán người lậu chuyện làng xóm quê nghề trẻ tin đồ thân sao chất kiểm cam nhạc hợp
        tường tự báo khai vẽ nháp gốc chính"""
    )
)


def _village(
    doc: _Doc, i: int, k: int, phrase: tuple[str, ...], cued: bool, lowercase_ok: bool
) -> int | None:
    """A village of the highlands or the Mekong (bản, buôn, làng, sóc, plei) is always named:
    "bản Hua Pao", "buôn Ko Siêr", "làng Kon Jơ Dri". Written in lowercase, it counts only
    when more of the address follows ("ban hua pao xa sin suoi ho"); "buôn bán", "làng xóm",
    "văn bản" are words."""
    before = doc.word(i - 1)
    if before is not None and doc.adjacent(i) and before.fold in _NOT_BEFORE_VILLAGE_F:
        return None
    first = doc.toks[k]
    if first.fold in _NOT_VILLAGE_NAME_F:
        return None
    name = _place_run_at(doc, k, 4)
    if name is None and cued and first.is_alpha and len(first.text) <= 4 and doc.adjacent(k + 1):
        # "ở buôn Ko Siêr", "o buon ko sier": after "ở", the first syllable may be any word
        rest = doc.toks[k + 1] if k + 1 < len(doc.toks) else None
        if rest is not None and rest.is_alpha and (rest.is_cap or rest.is_upper or lowercase_ok):
            name = _place_run_at(doc, k + 1, 3) or _lower_run(doc, k + 1, 2)
    if name is None and first.is_digit:
        name = _number_chain(doc, k)  # "bản 3" is rare but written
        return name if name is not None and _more_address(doc, name) else None
    if name is not None:
        if " ".join(t.fold for t in doc.toks[i:name]) in lex.PLACES:
            return None
        # "bản Nà Phặc" alone; in capitals ("BẢN KIỂM ĐIỂM", a school form) only after "ở" or
        # with more of the address after it
        if (first.is_cap and len(first.text) > 1) or cued or _more_address(doc, name):
            return name
        return None
    end = _lower_run(doc, k, 3)
    if end is None and phrase == ("plei",):  # no common word: whatever follows is its name
        end = _clause_end(doc, k) if _clause_end(doc, k) - k <= 3 else None
    if end is None or (not _more_address(doc, end) and not (cued and lowercase_ok)):
        return None
    if " ".join(t.fold for t in doc.toks[i:end]) in lex.PLACES:
        return None  # "tui o soc trang": a province
    return end


_STREET_STOP = words(
    """là bị và thì mà có không ko k đã đang sẽ rồi cũng với của cho ở tại này đó kia ấy
        nó em e tôi toi tui mình mik t bạn anh chị cô thầy ông bà bố mẹ con cháu nhà đi về
        đến nói kể hay hỏi gì ạ nhé nha ơi vậy sao làm đánh chửi được nên phải cần muốn biết
        qua quá lắm rất đây nay xin một mấy những các người đứa thằng bé nhỏ tuổi số sđt"""
)
_STREET_STOP_F = _folded(_STREET_STOP)


def _more_address(doc: _Doc, end: int) -> bool:
    """More of an address follows token `end` (", xã ...", " huyện ...", ", Hà Nội"): a look
    at the next element only, one level deep, so checking costs no recursion into the rest."""
    if doc.looking_ahead:
        return False
    k = end
    comma = False
    while k < len(doc.toks) and doc.toks[k].text in {",", "-", "–"} and k - end < 2:
        comma = True
        k += 1
    if doc.word(k) is None:
        return False
    doc.looking_ahead = True
    try:
        element = _address_element(doc, k, lowercase_ok=True)
        return element is not None or (comma and _place_run(doc, k) is not None)
    finally:
        doc.looking_ahead = False


def _closes_clause(doc: _Doc, j: int) -> bool:
    """Token j ends the clause: the end, or a comma or full stop ("le dinh duong, gan cho":
    "duong" there is the name's last syllable, not "đường" starting another element)."""
    return j >= len(doc.toks) or doc.toks[j].text in _SENTENCE_END | {","}


def _lower_street(doc: _Doc, k: int) -> int | None:
    """A street name in lowercase after a house or alley number ("hem 45 le van sy", "ngo
    102 truong chinh"): two to four syllables, none a common word, one at least a name's
    (streets are named after people)."""
    j = k
    while j < len(doc.toks) and j - k < 4 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or not tok.text.islower()
            or len(tok.text) > 7
            or _in(tok, _STREET_STOP, _STREET_STOP_F)
            or (_address_word_at(doc, j) and not (j > k and _closes_clause(doc, j + 1)))
        ):
            break
        j += 1
    if j - k < 2 or not any(t.fold in _NAME_SYLLABLES_F for t in doc.toks[k:j]):
        return None
    return j


def _lower_place_name(
    doc: _Doc, k: int, phrase: tuple[str, ...], starting: bool = True
) -> int | None:
    """A street, hamlet or ward name written in lowercase ("o xom chua", "duong le loi").
    Streets are nearly always named after people, so a lowercase street name must start like
    one; "đường tàu", "xã bên", "chung cư cao tầng" are not addresses."""
    end = _lower_run(doc, k, 3)
    if end is None:
        return None
    first = doc.toks[k]
    if _in(first, _PLACE_STOP, _PLACE_STOP_F):
        return None
    if phrase in _NAMED_AFTER_PEOPLE and starting:  # inside an address, "phố tây sơn" too
        person_like = _in(first, lex.SURNAMES, _SURNAMES_F) or _in(first, lex.GIVEN_NAMES, _GIVEN_F)
        if not person_like or end - k < 2:
            return None
    if phrase in _NEEDS_CAPITAL:
        return None
    return end


_OFFICES = _phrases(("chủ tịch", "cán bộ", "công an", "trưởng", "bí thư", "ủy ban", "ubnd"))


def _office_before(doc: _Doc, i: int) -> bool:
    for phrase in _OFFICES.all:
        j = i - len(phrase)
        if j >= 0 and doc.match(j, phrase) == i:
            return True
    return False


def _word_is_accented(tok: _Tok, word: str) -> bool:
    return tok.low == word and not tok.plain


def _address_element(doc: _Doc, k: int, lowercase_ok: bool) -> int | None:
    element = _keyword_element(doc, k, lowercase_ok=lowercase_ok)
    if element is not None:
        return element
    tok = doc.word(k)
    if tok is not None and tok.is_digit:
        chain = _number_chain(doc, k)
        if chain is not None and doc.adjacent(chain):
            return _place_run_at(doc, chain, 5) or _keyword_element(doc, chain, lowercase_ok=True)
    return None


def _address_extend(doc: _Doc, end: int) -> int:
    """Carry an address on over what still belongs to it: ", Đống Đa, Hà Nội", " quận 3"."""
    while end < len(doc.toks):
        k = end
        comma = False
        while k < len(doc.toks) and doc.toks[k].text in {",", "-", "–"}:
            comma = True
            k += 1
        if k >= len(doc.toks):
            break
        element = _address_element(doc, k, lowercase_ok=True)
        if element is None and comma:
            element = _cap_run(doc, k, 4)  # in capitals, only known places (below)
            if element is None:
                element = _place_run(doc, k)
            if element is None and comma:
                element = _lower_tail(doc, k)
        if element is None:
            break
        end = element
    return end


def _lower_tail(doc: _Doc, k: int) -> int | None:
    """ ", bình tân" / ", thu duc" after an address: a two-syllable place name in lowercase,
    closed by a comma or the end of the clause."""
    end = _lower_run(doc, k, 2)
    if end is None or end - k != 2 or _in(doc.toks[k], _PLACE_STOP, _PLACE_STOP_F):
        return None
    if end >= len(doc.toks) or doc.toks[end].text in _SENTENCE_END | {","}:
        return end
    return None


def _place_run(doc: _Doc, k: int) -> int | None:
    """End of a known district, city or province at token k, however it is written."""
    for size in (4, 3, 2, 1):
        words = doc.toks[k : k + size]
        if (
            len(words) == size
            and all(w.is_alpha for w in words)
            and all(doc.adjacent(k + n) for n in range(1, size))
            and " ".join(w.fold for w in words) in lex.PLACES
        ):
            return k + size
    return None


def _number_chain(doc: _Doc, k: int) -> int | None:
    """End of "12", "15/8", "123/45B" at token k."""
    tok = doc.word(k)
    if tok is None or not tok.is_digit or len(tok.text) > 6:
        return None
    j = k + 1
    while (
        j + 1 < len(doc.toks)
        and doc.toks[j].text == "/"
        and doc.toks[j + 1].is_digit
        and doc.toks[j].start == doc.toks[j - 1].end
    ):
        j += 2
    return j


def _place_run_at(doc: _Doc, k: int, limit: int, inside: bool = False) -> int | None:
    """A place name at token k: capitalised ("Khâm Thiên"), or, in a message written in
    capitals, a run of capitals up to a common word ("NGÕ 34 KHÂM THIÊN, HÀ NỘI")."""
    end = _cap_run(doc, k, limit)
    if end is not None or not (doc.caps_style or _keyword_in_caps(doc, k)):
        return end
    before = doc.toks[k - 1] if k > 0 else None
    if (
        not doc.accented
        and not inside
        and not (before is not None and before.is_digit)
        and not _keyword_in_caps(doc, k, accented=True)
    ):
        return None  # "TO TALK", "SO MUCH", "BAN BE": unaccented capitals say nothing
    j = k
    while j < len(doc.toks) and j - k < limit and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        if (
            not tok.is_upper
            or len(tok.text) > 7
            or _in(tok, _STREET_STOP, _STREET_STOP_F)
            or (j == k and tok.low in _PLACE_STOP)
            or _address_word_at(doc, j)
        ):
            break
        j += 1
    return j if j > k else None


# Address words typed without their accent in a message that has accents elsewhere ("em sống
# ở kiet 25 hoang dieu"): those that are no other word, or any before a number.
_PLAIN_KEYWORDS = {fold(p[0]): p for p in _FINE.all if len(p) == 1}
_PLAIN_ALONE = frozenset({"thon", "xom", "ngach", "khom", "hem", "plei"})
_PLAIN_VILLAGES = frozenset({"ban", "buon", "lang", "soc", "ap"})


def _plain_keyword(doc: _Doc, i: int) -> tuple[int, tuple[str, ...]] | None:
    tok = doc.toks[i]
    if tok.loose or not tok.plain or not tok.text.islower():
        return None  # unaccented text is read loosely already; accented words are themselves
    phrase = _PLAIN_KEYWORDS.get(tok.fold)
    after = doc.word(i + 1)
    if phrase is None or after is None or not doc.adjacent(i + 1):
        return None
    if after.is_digit and tok.fold not in {"so", "to", "lo", "doi", "khu", "toa"}:
        return i + 1, phrase  # "kiet 25", "hem 42", "ngo 34"
    if tok.fold in _PLAIN_ALONE:
        return i + 1, phrase
    if tok.fold in _PLAIN_VILLAGES and _location_cue_before(doc, i):
        return i + 1, phrase  # "em sống ở ban na phac"
    return None


_PLAIN_COARSE = {fold(p[0]): p for p in _COARSE.all if len(p) == 1}


def _plain_coarse(doc: _Doc, i: int) -> tuple[int, tuple[str, ...]] | None:
    """ ", quan 3", ", huyen Cu Chi" typed without accents inside an address already begun."""
    tok = doc.toks[i]
    phrase = _PLAIN_COARSE.get(tok.fold)
    if phrase is None or tok.loose or not tok.plain or doc.word(i + 1) is None:
        return None
    return i + 1, phrase


def _keyword_in_caps(doc: _Doc, k: int, accented: bool = False) -> bool:
    """The address word before token k (past a house number) is written in capitals (and,
    with `accented`, with its diacritics: "BẢN", not "BAN")."""
    for j in range(k - 1, max(-1, k - 7), -1):
        tok = doc.toks[j]
        if tok.is_alpha:
            return tok.is_upper and len(tok.text) > 1 and not (accented and tok.plain)
    return False


def _cap_run(doc: _Doc, k: int, limit: int) -> int | None:
    """End of a run of capitalised words at token k ("Khâm Thiên", "Linh Trung")."""
    j = k
    while j < len(doc.toks) and j - k < limit:
        tok = doc.toks[j]
        if not (
            tok.is_cap or (tok.is_upper and len(tok.text) <= 4 and j > k and not doc.caps_style)
        ) or (j > k and not doc.adjacent(j)):
            break
        j += 1
    return j if j > k else None


def _address_word_at(doc: _Doc, j: int) -> bool:
    """An address keyword starts at token j: "xã", "thị trấn" (not "thanh" of "bình thanh")."""
    return doc.match_any(j, _FINE) is not None or doc.match_any(j, _COARSE) is not None


def _lower_run(doc: _Doc, k: int, limit: int) -> int | None:
    j = k
    while j < len(doc.toks) and j - k < limit:
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or tok.text[0].isupper()
            or len(tok.text) > 7
            or _in(tok, lex.STOP_WORDS, _STOP_F)
            or (tok.fold in _ADDRESS_WORDS_F and _address_word_at(doc, j))
            or (j > k and not doc.adjacent(j))
        ):
            break
        j += 1
    return j if j > k else None


# ---------------------------------------------------------------------------- schools


def _school_spans(doc: _Doc) -> list[Span]:
    spans = []
    for i, tok in enumerate(doc.toks):
        is_school_word = _word_is(tok, "trường")
        is_level = tok.is_upper and tok.low in {"thcs", "thpt", "th", "mn", "ptdtnt", "ptdtbt"}
        if not (is_school_word or is_level):
            continue
        k = i + 1 if is_school_word else i
        levels = 0
        while k < len(doc.toks) and doc.adjacent(k):
            level = doc.match_any(k, _SCHOOL_LEVELS)
            if level is None:
                break
            k = level[0]
            levels += 1
        if k >= len(doc.toks) or not doc.adjacent(k):
            continue
        end = _cap_run(doc, k, 5)
        first = doc.toks[k]
        if (
            end is None
            and levels
            and first.text[0].islower()
            and _in(first, lex.SURNAMES, _SURNAMES_F)
        ):
            end = _lower_run(doc, k, 3)  # "thcs lê lợi": schools are named after people
            end = end if end is not None and end - k >= 2 else None
        if end is not None and (levels or is_school_word):
            spans.append(Span(doc.toks[k].start, doc.toks[end - 1].end, "TRƯỜNG"))
    return spans


# ---------------------------------------------------------------------------- names

_SCHOOL_LEVELS = _phrases(lex.SCHOOL_LEVELS)
_STRONG_CUES = _phrases(lex.NAME_CUES_STRONG)
_WEAK_CUES = _phrases(lex.NAME_CUES_WEAK)
_TEN_NOT = words(
    "trộm cướp khốn lửa tuổi gọi miền riêng đệm thật đầy đăng tài biến sát côn lưu người"
)
_TEN_NOT_F = _folded(_TEN_NOT)


def _name_spans(doc: _Doc) -> list[Span]:
    spans: list[Span] = []
    toks = doc.toks
    i = 0
    while i < len(toks):
        end = _name_at(doc, i)
        if end is None:
            i += 1
            continue
        start, stop = end
        spans.append(Span(toks[start].start, toks[stop - 1].end, "TÊN"))
        i = stop
    return spans


def _name_at(doc: _Doc, i: int) -> tuple[int, int] | None:
    tok = doc.word(i)
    if tok is None:
        return None
    before = doc.word(i - 1)
    if (
        tok.is_cap
        and before is not None
        and (_in(before, lex.WORK_TITLE_BEFORE, _WORK_F) or _in(before, lex.PLACE_BEFORE, _PLACE_F))
    ):
        return None  # "bài Hoa Sữa": a song, a film, a book; "bệnh viện Từ Dũ", "màu Hồng"
    cued = _cued_name(doc, i) or _account_holder(doc, i) or _introduction(doc, i)
    if cued is not None:
        return cued
    strong = doc.match_any(i, _STRONG_CUES)
    if strong is not None:
        k, phrase = strong
        if k < len(doc.toks) and doc.toks[k].text == ":":
            k += 1
        owner, verb = doc.word(k), doc.word(k + 1)
        if owner and verb and _in(owner, _PERSON_WORDS, _PERSON_WORDS_F) and _word_is(verb, "là"):
            k += 1  # "tên nó là ...", "tên em là ..."
        while doc.word(k) and doc.adjacent(k) and _in(doc.toks[k], _AFTER_TEN, _AFTER_TEN_F):
            k += 1
        # "em tên ngân", "tên là khang", "họ tên: ..." may be lowercase; "giấu tên khi báo"
        # is not a name, so a bare "tên" needs a person before it for a lowercase name
        lowercase_ok = len(phrase) > 1 or k > strong[0] or _person_before(doc, i)
        # "thầy giáo dạy thể dục tên hải": a person earlier in the clause, a known given name
        known_only = not lowercase_ok and _person_in_clause(doc, i)
        if (
            doc.word(k)
            and (doc.adjacent(k) or doc.toks[k - 1].text == ":")
            and (not _in(doc.toks[k], _TEN_NOT, _TEN_NOT_F) or _middle_name_next(doc, k))
        ):
            end = _person_run(doc, k) or _upper_name(doc, k)
            if end is None and lowercase_ok:
                end = _lower_name(doc, k)
            if end is None and known_only and _known_lower_name(doc, k):
                end = _lower_name(doc, k)
            if end is not None:
                return k, end
    weak = doc.match_any(i, _WEAK_CUES)
    # "Thầy Sơn" mid-sentence is a title written with respect; "Ban" in "Ban Thường vụ" is
    # a board, which the loose matching of an accented text already keeps apart from "bạn"
    if weak is not None:
        k = weak[0]
        if k < len(doc.toks) and doc.toks[k].text == ":" and doc.adjacent(k):
            k += 1  # "zalo: Minh Thư"
        if doc.word(k) and doc.adjacent(k):
            end = _person_run(doc, k, single_ok=True)
            if end is None:
                end = _lower_full_name(doc, k)
            if end is not None:
                return k, end
    if _uncued_lower_full_name(doc, i):
        end = _lower_full_name(doc, i)  # "nguyễn thị lan", "tran van nam": the middle name
        if end is not None:
            return i, end
    if _in(tok, lex.SURNAMES, _SURNAMES_F) and (
        tok.is_cap or (tok.is_upper and (not tok.plain or tok.fold in _PLAIN_SURNAMES))
    ):
        end = _full_name(doc, i)
        if end is not None and not (doc.caps_style and not _caps_full_name(doc, i, end)):
            return i, end
    if tok.is_cap and not doc.sentence_start(i) and _in(tok, lex.GIVEN_NAMES, _GIVEN_F):
        before = doc.word(i - 1)
        if (
            tok.low not in {"anh", "an"}
            and not _tomorrow(doc, i)
            and not (before and _in(before, lex.NOT_NAME_BEFORE, _NOT_BEFORE_F))
            and not (before and (before.is_cap or before.is_upper) and doc.adjacent(i))
        ):
            end = _person_run(doc, i, single_ok=True)
            # with no cue, a run of words that are mostly no names is a title: "Hội thi Bông
            # Hoa Điểm Tốt" (but "Hùng Béo", a name and a nickname, is a person)
            run = _cap_run(doc, i, 4) or i
            others = sum(not _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F) for w in doc.toks[i:run])
            if end is not None and others < 2:
                return i, end
    return None


_TOMORROW_AFTER_F = _folded(
    words("em e con mình tôi tui tao anh chị cô chú bọn tụi cả nhà là đi sẽ phải")
)


def _tomorrow(doc: _Doc, i: int) -> bool:
    """ "Thôi, Mai em nói sau": "mai" (tomorrow) before who does what, not a name."""
    after = doc.word(i + 1)
    return (
        doc.toks[i].fold == "mai"
        and after is not None
        and doc.adjacent(i + 1)
        and after.fold in _TOMORROW_AFTER_F
    )


_WORK_F = _folded(lex.WORK_TITLE_BEFORE)
_PLACE_F = _folded(lex.PLACE_BEFORE)
_PERSON_CUES = _phrases(lex.PERSON_CUES)
_LOOSE_CUES = frozenset(tuple(p.split()) for p in lex.PERSON_CUES_LOOSE)
_BIRTH_ORDER_F = _folded(lex.BIRTH_ORDER)
_NUMBER_WORDS_F = _folded(words("một mốt hai ba bốn tư năm lăm sáu bảy tám chín mười giêng chạp"))
_COUNT_AFTER_F = _folded(words("tuổi tháng năm ngày lần người đứa đồng nghìn triệu giờ tiếng"))
_KINSHIP_F = _folded(lex.KINSHIP)
_VERB_NAMES_F = _folded(lex.VERB_NAMES)
_NAME_CONTEXT_F = _folded(lex.NAME_CONTEXT_AFTER)


_BANK_LINE_RE = re.compile(
    r"(?<!\w)(?:stk|so tk|tk|tai khoan|ngan hang|bank|chuyen khoan|ck|vietcombank|vcb|"
    r"techcombank|agribank|bidv|vietinbank|mbbank|mb|acb|tpbank|sacombank|vpbank|momo)(?!\w)"
)


def _account_holder(doc: _Doc, i: int) -> tuple[int, int] | None:
    """A name in capitals on a bank-transfer line ("STK 0123456789 BIDV DO VAN LOC"):
    a surname, then one to three name syllables, all in capitals."""
    tok = doc.toks[i]
    if not tok.is_upper or tok.fold not in _SURNAMES_F:
        return None
    j = i + 1
    while (
        j < len(doc.toks)
        and j - i < 4
        and doc.adjacent(j)
        and doc.toks[j].is_upper
        and doc.toks[j].fold in _NAME_SYLLABLES_F
    ):
        j += 1
    if j - i < 2:
        return None
    line_start = doc.text.rfind("\n", 0, tok.start) + 1
    line_end = doc.text.find("\n", tok.end)
    line = doc.folded[line_start : line_end if line_end != -1 else len(doc.text)]
    return (i, j) if _BANK_LINE_RE.search(line) else None


_MONTH_BEFORE_F = _folded(words("hàng mỗi các mấy những vài mười hai ba cuối đầu giữa"))


def _month_before(doc: _Doc, i: int) -> bool:
    """ "thang" after "hàng", "mỗi", a number: tháng (a month), not thằng."""
    before = doc.toks[i - 1] if i > 0 and doc.adjacent(i) else None
    return before is not None and (before.is_digit or before.fold in _MONTH_BEFORE_F)


_SELF_F = _folded(words("em e mình mik mk tớ tui tôi t con cháu tao"))
_INTRO_END_F = _folded(words("nè đây nha nhé ạ tuổi lớp học năm đang ở"))


def _introduction(doc: _Doc, i: int) -> tuple[int, int] | None:
    """ "mình là linh, 14 tuổi", "em là hoa ạ": a writer introducing themself with a
    lowercase given name. Only where an introduction ends there (a comma, the end, "nè",
    an age, a class): "em là nam" (a boy), "em là học sinh" are no names."""
    tok = doc.word(i)
    if tok is None or not _word_is(tok, "là") or i == 0:
        return None
    me = doc.word(i - 1)
    if me is None or not doc.adjacent(i) or me.fold not in _SELF_F:
        return None
    owner = doc.word(i - 2)
    if owner is not None and doc.adjacent(i - 1) and _in(owner, lex.KINSHIP, _KINSHIP_F):
        return None  # "bố em là thợ hàn": what a parent is, not who the writer is
    k = i + 1
    name = doc.word(k)
    if name is None or not doc.adjacent(k) or not name.text.islower():
        return None
    if not (name.low in _CUED_GIVEN or (name.loose and name.fold in _CUED_GIVEN_F)):
        return None
    if name.fold in {"nam", "nu", "gai", "trai"} or _in(name, lex.STOP_WORDS, _STOP_F):
        return None
    end = k + 1
    nxt = doc.word(end)
    if (
        nxt is not None
        and doc.adjacent(end)
        and nxt.text.islower()
        and (nxt.low in _CUED_GIVEN or (nxt.loose and nxt.fold in _CUED_GIVEN_F))
        and (not _in(nxt, lex.STOP_WORDS, _STOP_F) or _second_anh(doc, end))
    ):
        end += 1  # "mình là ngọc anh"
    after = doc.toks[end] if end < len(doc.toks) else None
    if after is None or not after.is_word or not doc.adjacent(end):
        return k, end
    if after.fold in _INTRO_END_F or after.is_digit:
        return k, end
    return None


def _cued_name(doc: _Doc, i: int) -> tuple[int, int] | None:
    """A lowercase or all-caps given name after a person cue ("thằng tuấn", "anh HÙNG",
    "chị ba"); a capitalised one is the weak cues' business."""
    cue = doc.match_any(i, _PERSON_CUES)
    if cue is None:
        return None
    k, phrase = cue
    cue_toks = doc.toks[i:k]
    loose_cue = any(t.loose and t.low != w for t, w in zip(cue_toks, phrase, strict=True))
    if loose_cue and phrase not in _LOOSE_CUES:
        return None
    name = doc.word(k)
    if name is None or not doc.adjacent(k) or not name.is_alpha or len(name.text) > 7:
        return None
    if name.is_cap and not (name.is_upper or doc.toks[i].is_upper):
        return None
    if not (name.text.islower() or name.is_upper):
        return None
    in_caps = name.is_upper and not doc.toks[i].is_upper  # "anh HÙNG": a name, not a hero
    pair = f"{fold(phrase[-1])} {name.fold}"
    if pair in lex.NOT_PERSON_PAIRS and not in_caps:
        return None
    if pair in lex.NOT_PERSON_PAIRS_UNACCENTED and (
        doc.toks[k - 1].loose or doc.toks[k - 1].low != phrase[-1]
    ):
        return None
    if loose_cue and phrase == ("thằng",) and _month_before(doc, i):
        return None  # "hang thang phat": hàng tháng phát
    exact = name.low
    # "anh HUNG" may be Hùng; in a message written in capitals WITH diacritics, "BẠN TRONG"
    # is trong
    loose = name.loose or (name.is_upper and name.plain and not (doc.caps_style and doc.accented))
    given = exact in _CUED_GIVEN or (loose and name.fold in _CUED_GIVEN_F)
    order = exact in lex.BIRTH_ORDER or (loose and name.fold in _BIRTH_ORDER_F)
    nickname = exact in lex.NICKNAMES and not name.loose  # "bé bắp"; "con be bo hoc" is bỏ
    if not (given or order or nickname):
        return None
    if (name.text.islower() or doc.caps_style) and _in(name, lex.VERB_NAMES, _VERB_NAMES_F):
        after = doc.word(k + 1)
        if (
            after is not None
            and doc.adjacent(k + 1)
            and not _in(after, lex.NAME_CONTEXT_AFTER, _NAME_CONTEXT_F)
        ):
            return None  # "chú bảo em lên xe", "ông thương em lắm"
    if loose_cue and name.fold in _NUMBER_WORDS_F:
        return None  # "thang nam": tháng năm
    if loose_cue and name.loose and name.fold in _STOP_F and not order:
        return None  # "thang bi": tháng bị, not thằng Bi
    common = (
        (_in(name, lex.STOP_WORDS, _STOP_F) and not given)
        or _in(name, lex.KINSHIP, _KINSHIP_F)
        or _title_at(doc, k, given or order)
        or name.low in lex.NOT_NAMES
    )
    if common and not (order and not given) and not nickname:
        return None
    after = doc.word(k + 1)
    if (
        after is not None
        and doc.adjacent(k + 1)
        and (f"{name.fold} {after.fold}" in lex.COMPOUNDS or after.fold in _COUNT_AFTER_F)
    ):
        return None
    end = k + 1
    if (
        given
        and after is not None
        and doc.adjacent(k + 1)
        and (after.text.islower() or after.is_upper) == (name.text.islower() or name.is_upper)
        and after.is_alpha
        and (after.low in _CUED_GIVEN or (after.loose and after.fold in _CUED_GIVEN_F))
        and (not _in(after, lex.STOP_WORDS, _STOP_F) or _second_anh(doc, k + 1))
    ):
        end += 1  # "quỳnh anh"
    return k, end


# Surnames that, written in capitals without diacritics, are no common word ("PHAN CONG").
# ("TRINH" is also trình: "CHUONG TRINH", "QUY TRINH")
_PLAIN_SURNAMES = frozenset({"nguyen", "tran", "pham", "hoang", "huynh", "nghiem"})
_AFTER_TEN = frozenset({"là", "bé", "thật", "gọi"})
_PERSON_WORDS = words(
    """em e tôi toi tui mình mik mk t con cháu bé nó bạn anh chị cô thầy chú ông bà dượng giáo
    ba bố mẹ má chồng vợ ny ấy ta đó kia thằng đứa nhỏ gái trai"""
)
_PERSON_WORDS_F = _folded(_PERSON_WORDS)


_CLAUSE_PERSON_F = _folded(words("thầy giáo cô chú bác anh chị dì cậu ông bà bạn"))


def _person_in_clause(doc: _Doc, i: int) -> bool:
    """A person named earlier in the same clause, within six words ("thầy giáo dạy ... tên")."""
    for j in range(i - 1, max(-1, i - 7), -1):
        tok = doc.toks[j]
        if not tok.is_word:
            return False
        if tok.fold in _CLAUSE_PERSON_F and not tok.loose:
            return True
    return False


def _known_lower_name(doc: _Doc, k: int) -> bool:
    tok = doc.word(k)
    return (
        tok is not None
        and tok.text.islower()
        and (tok.low in lex.GIVEN_NAMES or tok.low in lex.SURNAMES)
        and tok.low not in lex.STOP_WORDS
    )


def _person_before(doc: _Doc, i: int) -> bool:
    before = doc.word(i - 1)
    return before is not None and doc.adjacent(i) and _in(before, _PERSON_WORDS, _PERSON_WORDS_F)


_AFTER_TEN_F = _folded(_AFTER_TEN)


def _person_run(doc: _Doc, k: int, single_ok: bool = True) -> int | None:
    """End of a capitalised name at token k, or None if it reads as a place, brand or title."""
    end = _cap_run(doc, k, 4)
    if end is None:
        return None
    words = doc.toks[k:end]
    if any(not w.is_alpha or len(w.text) > 7 for w in words):
        return None
    if _starts_with_place(words):
        return None
    if doc.title_style or doc.caps_style:  # a capital says nothing: known syllables only
        known = [w for w in words if _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F)]
        if len(known) < len(words):
            words = words[: words.index(next(w for w in words if w not in known))]
            if not words:
                return None
            end = k + len(words)
    first = words[0]
    if first.low in lex.NOT_NAMES or (first.loose and first.fold in _NOT_NAMES_PLAIN):
        return None
    if _title_at(doc, k, _in(first, _NAME_OR_ORDER, _NAME_OR_ORDER_F)) or first.low in lex.KINSHIP:
        return None
    folded = " ".join(w.fold for w in words)
    if _starts_with_place(words):
        return None
    if len(words) == 1:
        following = doc.word(end)
        if (
            following is not None
            and doc.adjacent(end)
            and f"{folded} {following.fold}" in lex.COMPOUNDS
        ):
            return None
        if not single_ok:
            return None
    return end


def _starts_with_place(words: list[_Tok]) -> bool:
    if len(words) == 1 and _not_that_place(words[0]):
        return False
    return any(" ".join(w.fold for w in words[:n]) in lex.PLACES for n in range(1, len(words) + 1))


# One-word places whose unaccented spelling is also a name's: "Huệ" is a person, "Huế" a city.
_ACCENTED_PLACES = {"hue": "huế"}


def _not_that_place(tok: _Tok) -> bool:
    place = _ACCENTED_PLACES.get(tok.fold)
    return place is not None and not tok.loose and tok.low != place


_NOT_NAMES_PLAIN = frozenset(w for w in lex.NOT_NAMES if w == fold(w))
_NAME_SYLLABLES = _CUED_GIVEN | lex.SURNAMES | frozenset({"văn", "thị"})
_NAME_SYLLABLES_F = _folded(_NAME_SYLLABLES)
_NAME_OR_ORDER = _CUED_GIVEN | lex.BIRTH_ORDER
_NAME_OR_ORDER_F = _folded(_NAME_OR_ORDER)


def _is_name_syllable(folded: str) -> bool:
    return folded in _NAME_SYLLABLES_F


# Surnames that are also everyday words ("TỪ TỪ", "XỬ LÝ", "THÂN THIỆN", "TĂNG CƯỜNG")
_WORDLIKE_SURNAMES_F = _folded(
    words(
        """từ lý thân tăng mai lâm hà cao tô chu đào giang lục mạc khúc âu hứa lã lò châu thái
        kiều quách lưu tạ lương đoàn hồ doãn triệu phùng"""
    )
)


def _caps_full_name(doc: _Doc, i: int, end: int) -> bool:
    """In a message written in capitals a capital says nothing: a full name with no cue needs
    a middle name ("TRẦN VĂN AN") or, with diacritics, a surname that is no everyday word."""
    middle = doc.toks[i + 1] if i + 1 < end else None
    if middle is not None and middle.low in _MIDDLE_NAMES:
        after = doc.word(i + 2)
        return after is None or after.fold not in {"ban", "hoa", "hoc", "phong", "nghe"}  # văn bản
    return doc.accented and doc.toks[i].fold not in _WORDLIKE_SURNAMES_F


def _full_name(doc: _Doc, i: int) -> int | None:
    """A surname followed by 1-3 capitalised (or, in capitals, uppercase) syllables."""
    first = doc.toks[i]
    j = i + 1
    while j < len(doc.toks) and j - i < 4 and doc.adjacent(j):
        tok = doc.toks[j]
        if (
            not tok.is_alpha
            or len(tok.text) > 7
            or not (tok.is_cap or (first.is_upper and tok.is_upper))
        ):
            break
        j += 1
    if doc.title_style or doc.caps_style:  # "Nguyễn Văn An" counts, "Lê Bị Đánh" does not
        while j > i + 1 and not all(
            _in(w, _NAME_SYLLABLES, _NAME_SYLLABLES_F) for w in doc.toks[i + 1 : j]
        ):
            j -= 1
    if j - i < 2:
        return None
    words = doc.toks[i:j]
    if any(" ".join(w.fold for w in words[:n]) in lex.PLACES for n in range(2, len(words) + 1)):
        return None
    if any(w.low in lex.NOT_NAMES for w in words):
        return None
    return j


_MIDDLE_NAMES = frozenset({"thị", "thi", "văn", "van"})


def _middle_name_next(doc: _Doc, k: int) -> bool:
    """ "dang thi lan": a surname (however it reads unaccented) before thị/văn."""
    tok, middle = doc.word(k), doc.word(k + 1)
    return (
        tok is not None
        and middle is not None
        and _in(tok, lex.SURNAMES, _SURNAMES_F)
        and middle.low in _MIDDLE_NAMES
        and doc.adjacent(k + 1)
    )


def _upper_name(doc: _Doc, k: int) -> int | None:
    """A name in capitals after a cue, in a message written in capitals: "TÊN LÀ NGUYỄN VĂN AN".
    After a surname and a middle name nothing stops it: "PHAM THI NGA", "NGO VAN HAI"."""
    full = (
        _in(doc.toks[k], lex.SURNAMES, _SURNAMES_F)
        and k + 1 < len(doc.toks)
        and doc.toks[k + 1].low in _MIDDLE_NAMES
    )
    j = k
    while j < len(doc.toks) and j - k < 4 and (j == k or doc.adjacent(j)):
        tok = doc.toks[j]
        stop = (
            (
                tok.low in lex.STOP_WORDS
                or (tok.loose and tok.fold in _STOP_F and tok.fold not in _GIVEN_F)
            )
            and not (full and j <= k + 2)
            and not (j > k and _second_anh(doc, j))
        )
        if not tok.is_upper or len(tok.text) > 7 or (j > k and stop):
            break
        if doc.caps_style and not (full and j <= k + 2):
            # all in capitals, "TÊN GÌ", "TÊN KHÔNG", "TÊN TRƯỜNG": a name's syllables only
            known = _in(tok, _NAME_SYLLABLES, _NAME_SYLLABLES_F) or (
                tok.plain and tok.fold in _NAME_SYLLABLES_F
            )
            if not known or stop:
                break
        j += 1
    return j if j > k else None


def _lower_name(doc: _Doc, k: int) -> int | None:
    """A lowercase name after "tên (là)": up to four syllables; "thi"/"van" after a surname
    are the middle names thị/văn, not "thì"."""
    first = doc.word(k)
    if (
        first is not None
        and not first.loose
        and first.text.islower()
        and first.low in lex.GIVEN_NAMES
        and _lower_run(doc, k, 1) is None
    ):
        return k + 1  # "em tên là nhung": in accented writing, "nhung" is no "nhưng"
    if first is None or not _in(first, lex.SURNAMES, _SURNAMES_F):
        return _lower_run(doc, k, 4)
    j = k + 1
    while j < len(doc.toks) and j - k < 4 and doc.adjacent(j):
        tok = doc.toks[j]
        if tok.low in _MIDDLE_NAMES and j == k + 1:
            j += 1
            continue
        if _given_after_surname(doc, j):
            j += 1  # "le hoang nam": năm is a stop word, Nam after a surname a name
            continue
        end = _lower_run(doc, j, 1)
        if end is None:
            break
        j = end
    return j


_NOT_AFTER_ANH_F = _folded(
    words("ấy ta trai họ ơi em chị nó ruột rể kia đó này với và cũng ko không có là bị đã")
)


def _second_anh(doc: _Doc, j: int) -> bool:
    """ "anh" as the last syllable of a name ("ngọc anh", "hoàng anh thư"), not a pronoun:
    nothing that goes with the pronoun follows it."""
    tok = doc.toks[j]
    if tok.fold != "anh":
        return False
    after = doc.word(j + 1)
    return after is None or not doc.adjacent(j + 1) or after.fold not in _NOT_AFTER_ANH_F


def _given_after_surname(doc: _Doc, j: int) -> bool:
    tok = doc.toks[j]
    if not (tok.is_alpha and tok.text.islower()):
        return False
    if tok.low in lex.STOP_WORDS and not _second_anh(doc, j):
        # a stop word after a surname and a middle name is the given name: "ngo van hai"
        middle = doc.word(j - 1)
        if not (
            middle is not None
            and middle.low in _MIDDLE_NAMES
            and j >= 2
            and _in(doc.toks[j - 2], lex.SURNAMES, _SURNAMES_F)
        ):
            return False
        return tok.low in _NAME_OR_ORDER or (tok.loose and tok.fold in _NAME_OR_ORDER_F)
    if not (tok.low in _CUED_GIVEN or (tok.loose and tok.fold in _CUED_GIVEN_F)):
        return False
    after = doc.word(j + 1)
    return not (after is not None and doc.adjacent(j + 1) and after.fold in {"nay", "ngoai"})


def _uncued_lower_full_name(doc: _Doc, i: int) -> bool:
    """A lowercase full name with no cue before it is read only where nothing else reads:
    a surname that is no everyday word, then "thị"/"văn" as written ("mai thi trượt" is an
    exam failed tomorrow, "tu van" is tư vấn)."""
    tok, middle = doc.toks[i], doc.word(i + 1)
    if not tok.text.islower() or middle is None or tok.fold in _WORDLIKE_SURNAMES_F:
        return False
    if tok.loose:
        return tok.fold in _PLAIN_SURNAMES and middle.fold in {"thi", "van"}
    return middle.low in {"thị", "văn"}


def _lower_full_name(doc: _Doc, k: int) -> int | None:
    """ "ông do van thanh": after a cue, a lowercase surname, then văn/thị, then the name.
    Without the middle name too many words look like surnames ("làm" Lâm, "từ", "đang")."""
    tok = doc.word(k)
    if tok is None or not tok.text.islower() or not _in(tok, lex.SURNAMES, _SURNAMES_F):
        return None
    middle = doc.word(k + 1)
    if middle is None or middle.low not in _MIDDLE_NAMES or not doc.adjacent(k + 1):
        return None
    if f"{tok.fold} {middle.fold}" in lex.COMPOUNDS:
        return None  # "tu van" is tư vấn
    end = _lower_name(doc, k)
    if end is None or end - k < 3:
        return None
    return end


# ---------------------------------------------------------------------------- protected text

_PROTECTED_RE = re.compile(
    r"(?<!\d)\d{1,6}/\d{4}/[\wĐđ-]+|(?<!\d)\d{1,6}/[A-ZĐ]{1,8}(?:-[A-ZĐ]{1,10})+"  # 56/2017/NĐ-CP
    r"|(?<!\w)(?:Điều|Khoản|Chương|Mục|Điểm)\s+\d+"
)


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED_RE.finditer(text)]

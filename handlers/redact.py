"""Redaction of personal data before anything is stored: `redact(text) -> RedactionResult`.

Every personal detail becomes a typed placeholder: `<SĐT>`, `<CCCD>`, `<CMND>`, `<EMAIL>`,
`<STK>`, `<THẺ>`, `<BIỂN_SỐ>`, `<ĐỊA_CHỈ>`, `<TÊN>`, `<TRƯỜNG>` (a school's proper name)
and `<MXH>` (a social-media profile). Cues stay, the detail goes: "cô giáo <TÊN>",
"trường THCS <TRƯỜNG>", "ở <ĐỊA_CHỈ>", so staff still read who and where in general terms.

How it decides, in short (tests/data/redaction_corpus.yml measures it; `childsafe
eval-redaction` prints the figures). Disguises are undone first (`redact_disguise`: letters
and words for digits, names typed apart or in digits, obfuscated emails, dates of birth),
then each kind has its module, all reading one `redact_doc._Doc`:
- Numbers (`redact_numbers`): every run of digits (spaces, dots, dashes, brackets,
  +84/0084/84 allowed) is classified by length, prefix and the nearest cue before it ("sđt",
  "cccd", "stk", "thẻ"): Vietnamese mobiles and landlines, 12-digit CCCD, 9-digit CMND,
  Luhn-valid card numbers, other long numbers as bank accounts. Money, dates, ages, hotlines
  (111–115, 1800/1900 numbers) and legal references ("56/2017/NĐ-CP") have shapes of their
  own and stay. Own rules rather than `phonenumbers.PhoneNumberMatcher` (measured on the
  corpus): alone, the matcher missed old 11-digit mobiles (0168 ...) and flagged the 1800
  6605 hotline; added to the rules it found no phone they missed and doubled the time per
  message.
- Addresses, schools, plates (`redact_places`): address words (số nhà, ngõ, ngách, hẻm,
  kiệt, đường, phố, tổ, thôn, xóm, ấp, phường, xã, ...) followed by a number or a name,
  then everything that still reads as the address (", Đống Đa, Hà Nội"); villages (bản,
  buôn, làng, sóc, plei) by their name. A district or province named on its own stays: it
  identifies nobody and staff need it.
- Social-media profiles (`redact_social`): links, "@handles", and the account right after
  its cue, by its shape (a handle in any letters, a decorated nickname, a "#1234" tag, an
  announced display name: "ig: linhxinhdep", "fb của nó là Tuấn Hưng Official").
- Names (`redact_names`): after a cue ("tên là", "cô giáo", "bố dượng", "thằng", ...), a
  capitalised full name starting with a common surname, or a capitalised given name in
  mid-sentence. Lowercase and all-caps names after a person word ("thằng tuấn", "anh HÙNG"),
  in an introduction ("mình là linh, 14 tuổi"), or as a full name with its middle name.
The writer's style is read first: in a message written without diacritics a word may stand
for any accented word ("ten" for "tên"), in one written with them it must match exactly
("Phương" is a name, "phường" a ward, "Ban" a board and not "bạn"); in a message Written In
Title Case or ALL IN CAPITALS a capital says nothing, so only known name syllables make a name.

`redact` never raises: if something inside fails, the whole text is replaced (fail closed).
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from handlers.redact_disguise import (
    birth_date_spans,
    compose,
    obfuscated_email_spans,
    undisguise_letters,
    undisguise_numbers,
)
from handlers.redact_doc import (
    PLACEHOLDERS,
    PRIORITY,
    TYPES,
    Span,
    _Doc,
    _is_name_syllable,
)
from handlers.redact_names import (
    _name_spans,
)
from handlers.redact_numbers import (
    _number_spans,
)
from handlers.redact_places import (
    _address_spans,
    _plate_spans,
    _school_spans,
)
from handlers.redact_social import _social_spans
from nlu.text import Reading, read

log = logging.getLogger(__name__)

__all__ = [
    "FAILED_PLACEHOLDER",
    "PLACEHOLDERS",
    "TYPES",
    "RedactionResult",
    "Span",
    "apply_spans",
    "find_spans",
    "redact",
]

FAILED_PLACEHOLDER = "<KHÔNG_ẨN_DANH_ĐƯỢC>"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


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
        # a lone surrogate half can be neither read nor stored: it goes (never a stand-in)
        text = _SURROGATE_RE.sub("", unicodedata.normalize("NFC", text))
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
    merged = _choose([*extra, *in_canonical], [], canonical)
    spans = []
    for span in merged:
        start, end = reading.to_original(span.start, span.end)
        if end > start:
            spans.append(Span(start, end, span.type))
    return spans


def _choose(
    candidates: list[Span], protected_ranges: list[tuple[int, int]], text: str | None = None
) -> list[Span]:
    protected = _Intervals()
    for start, end in protected_ranges:
        protected.add(start, end)
    chosen = _Intervals()
    spans: list[Span] = []
    for span in sorted(candidates, key=lambda s: (PRIORITY[s.type], s.start - s.end)):
        if span.type in _TEXTUAL and protected.overlaps(span.start, span.end):
            continue
        if chosen.overlaps(span.start, span.end):
            if text is None or span.type not in _TRIMMABLE:
                continue
            # "nhà ở số 5 ngõ 12 phố Vọng, mail baoanh.trinh@gmail.com": an address run on
            # into an email keeps what comes before it rather than vanishing with it
            first = chosen.first_start_after(span.start)
            if first is None or first <= span.start:
                continue
            kept = text[span.start : first].rstrip(" ,;:-–")
            end = span.start + len(kept)
            if " " not in kept or chosen.overlaps(span.start, end):
                continue  # a keyword left alone ("sn", "ngõ") is no address
            span = Span(span.start, end, span.type)
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
    candidates = [
        c
        for c in candidates
        if c.type != "TÊN" or not any(a < c.end and c.start < b for a, b in doc.no_names)
    ]
    return _choose(candidates, _protected_ranges(text) + doc.kept_places, text)


class _Intervals:
    """Disjoint intervals kept sorted, so each overlap test is a bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end)  # intervals starting before `end`
        return index > 0 and self.ends[index - 1] > start

    def first_start_after(self, position: int) -> int | None:
        """The start of the first interval that ends after `position`."""
        index = bisect.bisect_right(self.starts, position)
        if index > 0 and self.ends[index - 1] > position:
            return self.starts[index - 1]
        return self.starts[index] if index < len(self.starts) else None

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


_TEXTUAL = frozenset({"ĐỊA_CHỈ", "TRƯỜNG", "TÊN", "BIỂN_SỐ"})
_TRIMMABLE = frozenset({"ĐỊA_CHỈ", "TRƯỜNG"})

# ---------------------------------------------------------------------------- emails, profiles

_EMAIL_LOCAL_RE = re.compile(r"[\w.+-]{1,64}$")
_EMAIL_DOMAIN_RE = re.compile(r"[\w-]{1,63}(?:\.{1,2}[\w-]{1,63}){1,8}")  # "gmail..com" too
# "tuanpro2009@gmail": a webmail address with its ".com" left off
_WEBMAIL_RE = re.compile(
    r"(?:gmail|yahoo|outlook|hotmail|icloud|ymail)(?:com)?(?![\w.@])",  # "@gmailcom" too
    re.IGNORECASE,
)
_COMMA_TLD_RE = re.compile(r",\s?(?:com|vn|net)(?:[.,](?:com|vn))?(?!\w)", re.IGNORECASE)


def _email_spans(text: str) -> list[Span]:
    """Each "@" with a local part before it and a dotted domain after it. Anchored on the "@"
    so a long run of letters costs one pass, not one pass per starting position."""
    spans = []
    at = text.find("@")
    while at != -1:
        local = _EMAIL_LOCAL_RE.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1) or _WEBMAIL_RE.match(text, at + 1)
        if local and domain:
            # "@gmail,com": a comma for the dot of a webmail's ".com"
            tail = None if "." in domain.group() else _COMMA_TLD_RE.match(text, domain.end())
            spans.append(Span(local.start(), tail.end() if tail else domain.end(), "EMAIL"))
        at = text.find("@", at + 1)
    return spans


# ---------------------------------------------------------------------------- protected text

_PROTECTED_RE = re.compile(
    r"(?<!\d)\d{1,6}/\d{4}/[\wĐđ-]+|(?<!\d)\d{1,6}/[A-ZĐ]{1,8}(?:-[A-ZĐ]{1,10})+"  # 56/2017/NĐ-CP
    r"|(?<!\w)(?:Điều|Khoản|Chương|Mục|Điểm)\s+\d+"
    # (#17, round 7) a legal document by its kind and number: "Thông tư 31/2017", "nghị định
    # 56", "Luật Trẻ em 2016", "thong tu so 32/2020"
    r"|(?i:(?<!\w)(?:thông tư|thong tu|nghị định|nghi dinh|quyết định|quyet dinh|chỉ thị|chi thi"
    r"|nghị quyết|nghi quyet|công văn|cong van|luật|luat)(?:\s+[^\W\d]+){0,3}?\s+(?:số\s+|so\s+)?"
    r"\d+(?:/[\wĐđ-]+)*)"
)


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED_RE.finditer(text)]

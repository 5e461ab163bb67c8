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
from handlers.redact_lexicon import words
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
from nlu.text import Reading, fold, read
from nlu.text.syllables import is_syllable

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
    return _choose(candidates, _protected_ranges(text), text)


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
_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.|m\.|web\.|vt\.|vm\.|mobile\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|fb\.watch|tiktok\.com|instagram\.com|instagr\.am|"
    r"zalo\.me|youtube\.com|youtu\.be|twitter\.com|x\.com|t\.me|threads\.net|m\.me|"
    r"snapchat\.com|discord\.gg|linkedin\.com)/[^\s,;!)]*[^\s,;!).?]",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9._]{2,29}(?![\w@:])")


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


_ACCOUNT_CUE_RE = re.compile(
    r"(?<!\w)(?:nick|nickname|username|user|ten dang nhap|ten tai khoan|tai khoan|acc|id|"
    r"roblox|free fire|ff|lien quan|game|tiktok|insta|instagram|ig|fb|facebook|discord|"
    r"telegram|tele|messenger|twitter|youtube|kenh|steam|garena)(?!\w)"
)
# (#17, round 5) the cues after which the very next thing is read as the account
_HANDLE_CUE_RE = re.compile(
    r"(?<!\w)(?:nick|nickname|username|ten dang nhap|roblox|free fire|ff|lien quan|tiktok|"
    r"tik tok|insta|instagram|ig|fb|facebook|face|discord|telegram|tele|messenger|twitter|"
    r"youtube|steam|garena|snapchat|snap|threads|zalo|profile|trang ca nhan|minecraft|pubg)"
    r"(?!\w)"
)
_ACCOUNT_NAME_RE = re.compile(r"(?<![\w.@/])[A-Za-z0-9][A-Za-z0-9._]{4,29}(?![\w@/])")
_ACCOUNT_SHAPE_RE = re.compile(r".*(?:[A-Za-z].*\d|\d.*[A-Za-z]|_|[a-z][A-Z]).*")
# a sentence ends at a full stop before a space or the end, not at the dot inside a handle
_SENTENCE_RE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+(?:[.!?]+|\n|$)")
# (#17, round 5) what may stand between an account cue and the account: whose it is, "tên",
# "là", a colon ("fb của nó là ...", "ig: ...", "nick zalo em tên là ...")
_HANDLE_LEAD_WORD_RE = re.compile(
    r"\s*(?:cua|no|em|e|minh|toi|tui|to|tao|chi|anh|ban|be|con|chau|ay|do|kia|moi|cu|"
    r"phu|clone|ao|chinh|rieng|ca nhan|thang|dua|nguoi|ke|han|nhe|ne|nha|ten|nick|id|"
    r"username|user|link|dang nhap|la|moi|hien tai|tiktok|tik tok|fb|facebook|insta|ig|voi|"
    r"ket ban|kb|add|tim|search|"
    r"zalo|game)(?=[\s:=|]|$)"
    r"|\s*[:=|\-–—]"
)
_EXPLICIT_RE = re.compile(r"(?<!\w)(?:la|ten)(?!\w)|:|=")
_HANDLE_TOKEN_RE = re.compile(r"[^\W_][\w.\-]*[\w]|[^\W_]")
_HANDLE_TAG_RE = re.compile(r"#\d{2,6}(?!\w)")  # "Tuan#1234" (Discord)
# Words that follow an account cue without being an account ("fb messenger", "tiktok video")
_NOT_HANDLES = words(
    """video clip story live post page group nhom link profile account online offline chat
    inbox comment like share status reels reel trend follow follower sub channel official game
    acc nick add ket ban report block chan messenger facebook instagram tiktok zalo youtube
    discord telegram twitter snapchat threads google gmail email mail roblox minecraft pubg
    garena steam free fire lien quan hack clone spam fake scam admin app web website online
    notification message messages photo photos image anh hinh tin nhan ok okay dm ib
    insta ig fb face tele tik tok snap nick ff zalo tiktok nickname username
    vietcombank techcombank agribank
    vietinbank mbbank tpbank sacombank vpbank momo zalopay"""
)


_CHANNEL_RE = re.compile(r"[A-Z]{2,4}\d{0,2}")  # "VTV3", "HTV7": a broadcaster


def _looks_like_handle(token: str, explicit: bool = True) -> bool:
    """One token that no Vietnamese word is: digits or "_" or "." among letters, a capital
    inside it ("SieuNhanDo", "BoyLạnhLùng"), or, announced (`explicit`: "ig: ...", "là"),
    letters that are no single syllable ("linhxinhdep"; "discord keeps" is English)."""
    if token.isdigit() or len(token) < 3 or _CHANNEL_RE.fullmatch(token):
        return False
    low = token.lower()
    if low in _NOT_HANDLES or fold(low) in _NOT_HANDLES:
        return False
    if _ACCOUNT_SHAPE_RE.fullmatch(token) or "." in token.strip("."):
        return any(ch.isalpha() for ch in token)
    if any(ch.isupper() for ch in token[1:]) and not token.isupper():
        return True
    folded = fold(low)
    return (
        explicit
        and folded.isascii()
        and folded.isalpha()
        and len(folded) >= 5
        and not is_syllable(folded)
    )


def _display_name_end(text: str, start: int) -> int | None:
    """End of a profile's display name at `start`: capitalised words ("Tuấn Hưng Official",
    "Gaming Vlog TV"), up to five, on one line."""
    end = None
    position = start
    for n, m in enumerate(re.finditer(r"[^\W_][\w'’-]*", text[start : start + 80])):
        if n >= 5:
            break
        a = start + m.start()
        if text[position:a].strip(" "):
            break
        word = m.group()
        if not (word[0].isupper() or word[0].isdigit()):
            break
        end = start + m.end()
        position = end
    return end


def _social_spans(text: str, folded: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "MXH") for m in _PROFILE_URL_RE.finditer(text)]
    for m in _HANDLE_RE.finditer(text):
        end = m.end() - (1 if m.group().endswith(".") else 0)
        spans.append(Span(m.start(), end, "MXH"))
    # "tên đăng nhập roblox của nó là ShadowKing2010": an account name after an account cue
    for sentence in _SENTENCE_RE.finditer(folded):
        cue = _ACCOUNT_CUE_RE.search(sentence.group())
        if cue is not None:
            start = sentence.start() + cue.end()
            for m in _ACCOUNT_NAME_RE.finditer(text, start, sentence.end()):
                name = m.group().rstrip(".")
                if len(name) >= 5 and _ACCOUNT_SHAPE_RE.fullmatch(name) and not name.isdigit():
                    spans.append(Span(m.start(), m.start() + len(name), "MXH"))
        for cue in _HANDLE_CUE_RE.finditer(sentence.group()):
            at = sentence.start() + cue.end()
            spans += _handle_after_cue(text, folded, at, sentence.end(), _in_english(folded))
    return spans


_LONG_WORD_RE = re.compile(r"[a-z]{4,}")


def _in_english(folded: str) -> bool:
    """Most long words of the message are no Vietnamese syllable: it is written in English,
    where any word after "roblox" or "discord" may be English too ("wants", "keeps")."""
    words = [w for w in _LONG_WORD_RE.findall(folded) if w not in _NOT_HANDLES]
    vietnamese = sum(is_syllable(w) for w in words)
    return len(words) >= 2 and vietnamese < 0.5 * len(words)


def _handle_after_cue(
    text: str, folded: str, at: int, limit: int, english: bool = False
) -> list[Span]:
    """(#17, round 5) The account right after its cue: "ig: linhxinhdep", "nick liên quân:
    BoyLạnhLùng", "fb của nó là Tuấn Hưng Official", "discord: Tuan#1234", "nick là
    ☆Ngọc_Lan☆"; and another after "hoặc" ("zalo: @hai.dang.99 hoặc Hải Đăng Nè")."""
    if folded[max(0, at - 10) : at].endswith(("tai khoan", "tk")):
        return []  # "tài khoản Agribank": a bank's, read by the number rules
    start = at
    explicit = False
    while start < limit:  # whose account, "tên", "là", a colon: lowercase words, not a name
        lead = _HANDLE_LEAD_WORD_RE.match(folded, start, limit)
        if (
            lead is None
            or lead.end() == start
            or text[lead.start() : lead.end()].strip()[:1].isupper()
        ):
            break
        explicit = explicit or bool(_EXPLICIT_RE.search(folded, lead.start(), lead.end()))
        start = lead.end()
    spans: list[Span] = []
    for _ in range(3):  # the account, and up to two more offered as alternatives
        while start < limit and text[start] == " ":
            start += 1
        if start >= limit:
            break
        found = _one_handle(text, start, limit, explicit, letters_ok=explicit or not english)
        if found is None:
            break
        if found.end > found.start:
            spans.append(found)
        more = _ALTERNATIVE_RE.match(folded, found.end, limit)
        if more is None:
            break
        start = more.end()
    return spans


_SPACED_AT_RE = re.compile(r"@ (?=[A-Za-z0-9_])[\w.]{3,30}(?<![.])")
# a name in quotes: capitalised words, or one word ("Bé Na Review", "meo_con")
_QUOTED_RE = re.compile(
    r"[\"“«](?:[A-ZĐÀ-Ỹ][^\s\"”»]*(?: [A-ZĐÀ-Ỹ0-9][^\s\"”»]*){0,4}|[^\s\"”»]{3,30})[\"”»]"
)
_NON_SPACE_RE = re.compile(r"[^\s,;!?()\"“”]+(?<![.:])")
# a symbol or an underscore at the edge or a decoration inside: "strong•Boy", "_thu.ha_"
_SYMBOL_INSIDE_RE = re.compile(r"^[_.]|[_]$|[^\w\s.,;:!?'’\-@#/]")
_ALTERNATIVE_RE = re.compile(r"\s*(?:hoac|hay la|or|/|,)\s*")
# a nickname decorated with symbols, as games allow: "☆Ngọc_Lan☆", "꧁Bé_Mèo꧂"
_DECORATED_RE = re.compile(r"[^\w\s\"'“”(\[{<,.;:!?@#-][^\s,;]*")


def _one_handle(
    text: str, start: int, limit: int, explicit: bool, letters_ok: bool = True
) -> Span | None:
    """The account at `start`: an "@handle" (an empty span: it is read on its own), a
    decorated nickname, a handle-shaped word, or, announced, a display name in capitals."""
    if text[start] == "@":
        m = _HANDLE_RE.match(text, start)
        if m:
            return Span(m.end(), m.end(), "MXH")
        spaced = _SPACED_AT_RE.match(text, start, limit)  # "ig của nó @ minh.tuan.09"
        return Span(start, spaced.end(), "MXH") if spaced else None
    quoted = _QUOTED_RE.match(text, start, limit)  # kênh tiktok "Bé Na Review"
    if quoted:
        return Span(start, quoted.end(), "MXH")
    decorated = _DECORATED_RE.match(text, start, limit)
    if decorated and sum(ch.isalpha() for ch in decorated.group()) >= 2:
        return Span(start, start + len(decorated.group().rstrip(".")), "MXH")
    run = _NON_SPACE_RE.match(text, start, limit)  # "strong•Boy", "_thu.ha.2012_"
    if (
        run
        and _SYMBOL_INSIDE_RE.search(run.group())
        and sum(ch.isalpha() for ch in run.group()) >= 3
    ):
        return Span(start, run.end(), "MXH")
    m = _HANDLE_TOKEN_RE.match(text, start, limit)
    if m is None or not m.group()[0].isalpha():
        return None
    end = m.end()
    while text[end - 1 : end] in {".", "-"}:
        end -= 1
    token = text[start:end]
    tag = _HANDLE_TAG_RE.match(text, end)
    if tag:
        return Span(start, tag.end(), "MXH")
    word = fold(token.lower())
    if explicit and token[:1].isupper() and word not in _NOT_HANDLES:
        name_end = _display_name_end(text, start)
        if name_end is not None and name_end > end:
            return Span(start, name_end, "MXH")
    # "fb: Trung tâm ...": a capital that starts a sentence is no display name
    sentence_after = re.match(r" [a-zà-ỹđ]", text[end : end + 2]) is not None
    capitalised_name = (
        explicit
        and token[:1].isupper()
        and not sentence_after
        and (_is_name_syllable(word) or not is_syllable(word))
    )
    if _looks_like_handle(token, letters_ok) or capitalised_name:
        return Span(start, end, "MXH")
    return None


# ---------------------------------------------------------------------------- protected text

_PROTECTED_RE = re.compile(
    r"(?<!\d)\d{1,6}/\d{4}/[\wĐđ-]+|(?<!\d)\d{1,6}/[A-ZĐ]{1,8}(?:-[A-ZĐ]{1,10})+"  # 56/2017/NĐ-CP
    r"|(?<!\w)(?:Điều|Khoản|Chương|Mục|Điểm)\s+\d+"
)


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED_RE.finditer(text)]

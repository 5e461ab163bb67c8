"""Social-media profiles (#6, #17): links, "@handles", and the account named right after
its cue ("ig: linhxinhdep", "nick liên quân: BoyLạnhLùng", "fb của nó là Tuấn Hưng Official",
"discord: Tuan#1234", "nick là ☆Ngọc_Lan☆"), read on the rewritten text and its folded twin."""

from __future__ import annotations

import re

from handlers.redact_doc import Span, _is_name_syllable
from handlers.redact_lexicon import words
from nlu.text import fold
from nlu.text.syllables import is_syllable

_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.|m\.|web\.|vt\.|vm\.|mobile\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|fb\.watch|tiktok\.com|instagram\.com|instagr\.am|"
    r"zalo\.me|youtube\.com|youtu\.be|twitter\.com|x\.com|t\.me|threads\.net|m\.me|"
    r"snapchat\.com|discord\.gg|linkedin\.com)/[^\s,;!)]*[^\s,;!).?]",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9._]{2,29}(?![\w@:])")
# (#17, round 6) a platform's short name, a slash and the account: "ig/cam.tu.0411",
# "fb/linh.chi.2010", "tiktok/@be.na"
_SLASHED_RE = re.compile(
    r"(?<![\w./])(?:ig|insta|fb|face|tiktok|tt|yt|youtube|twitter|zalo|snap|threads|discord)"
    r"\s?/\s?@?[A-Za-z0-9_][A-Za-z0-9._]{2,29}(?<!\.)(?![\w/])",
    re.IGNORECASE,
)


_ACCOUNT_CUE_RE = re.compile(
    r"(?<!\w)(?:nick|nickname|username|user|ten dang nhap|ten tai khoan|tai khoan|acc|id|"
    r"roblox|free fire|ff|lien quan|game|tiktok|insta|instagram|ig|fb|facebook|discord|"
    r"telegram|tele|messenger|twitter|youtube|kenh|steam|garena)(?!\w)"
)
# (#17, round 5) the cues after which the very next thing is read as the account
_HANDLE_CUE_RE = re.compile(
    r"(?<!\w)(?:nick|nickname|username|ten dang nhap|roblox|free fire|ff|lien quan|tiktok|"
    r"tik tok|insta|instagram|ig|fb|facebook|face|discord|telegram|tele|messenger|twitter|"
    r"youtube|steam|garena|snapchat|snap|threads|zalo|profile|trang ca nhan|minecraft|pubg|"
    r"skype|wechat|viber|kakaotalk|kakao|twitch|reddit|pinterest|locket)"
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
    r"ket ban|kb|add|tim|search|de|dat|doi|dung|xai|me|bo|ba|ma|ong|co|chu|bac|di|cau|thay|"
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
    vietinbank mbbank tpbank sacombank vpbank momo zalopay
    server sever sv shop marketplace stream streamer livestream skin rank team clan guild event
    mod hacker account password pass level map world survival creative update download gamer
    youtuber tiktoker idol challenge group chat room voice call code gift card topup nap
    zombie creeper mob boss pet quest raid"""
)


_CHANNEL_RE = re.compile(r"[A-Z]{2,4}\d{0,2}")  # "VTV3", "HTV7": a broadcaster
# (#17, round 6) broadcasters and the state's channels, on any platform: "kênh youtube VTV24"
_BROADCASTER_RE = re.compile(r"(?:VTV|HTV|VTC|THVL|VOV|ANTV|QPVN|VNews|VTVcab)\d{0,2}", re.I)


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
    spans += [Span(m.start(), m.end(), "MXH") for m in _SLASHED_RE.finditer(text)]
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
                if _BROADCASTER_RE.fullmatch(name):
                    continue
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
# (#17, round 6) or single quotes: zalo nó tên 'Anh Hai Sài Gòn'
_QUOTED_RE = re.compile(
    r"[\"“«](?:[A-ZĐÀ-Ỹ][^\s\"”»]*(?: [A-ZĐÀ-Ỹ0-9][^\s\"”»]*){0,4}|[^\s\"”»]{3,30})[\"”»]"
    r"|['‘](?:[A-ZĐÀ-Ỹ][^\s'’]*(?: [A-ZĐÀ-Ỹ0-9][^\s'’]*){0,4}|[^\s'’]{3,30})['’](?!\w)"
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

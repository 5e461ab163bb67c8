"""Who the safety reply speaks to, and what they said about calling.

All functions read folded text (lowercase, accent-free, teen code expanded).
"""

from __future__ import annotations

import re
from enum import StrEnum

from handlers.audience import about_a_child
from handlers.models import Audience


class Voice(StrEnum):
    """The person the reply speaks to."""

    STUDENT = "student"  # a child or teenager writing: "em" throughout
    ADULT = "adult"  # a parent, teacher or neighbour reporting about a child
    ANYONE = "anyone"  # not known: "bạn", written for the one in danger


_NOT = r"(?:khong|ko|k|kh|khg|kg|hok|hong|hem|chang|cha|chua)"
_ABLE = r"(?:duoc|dc|dk|duoc)"
# "em sợ gọi", "ko dám gọi", "không gọi được", "gọi ko đc", "can't talk"
_CANNOT_CALL = re.compile(
    rf"\bso (?:phai |bi )?(?:goi|noi|nghe may|bi nghe thay)\b"
    rf"|\b{_NOT} (?:dam|the|tien) (?:goi|noi|nghe may|noi chuyen)\b"
    rf"|\b{_NOT} (?:goi|noi|noi chuyen|goi dien) (?:dien )?{_ABLE}\b"
    rf"|\b(?:goi|noi) (?:dien )?{_NOT} {_ABLE}\b"
    rf"|\b{_NOT} co (?:dien thoai|dt|sim|may)(?: de goi)?\b"
    rf"|\b{_NOT} tien (?:goi|noi|nghe may|noi chuyen)\b"
    r"|\bso (?:bo|me|ba|ma|cha|nguoi ta|ho|no|chu|duong|bo duong|me ke|ca nha) "
    r"(?:nghe|nghe thay|nghe duoc|biet|phat hien)\b"
    r"|\b(?:dien thoai|dt)(?: (?:cua )?(?:em|toi|tui|minh|tao|to))? (?:het tien|het pin)\b"
    r"|\b(?:dien thoai|dt) (?:cua )?(?:em|toi|tui|minh|tao|to)"
    r" (?:bi |da bi )?(?:\w+ )?(?:thu|lay|giu|tich thu)\b"
    r"|\b(?:can ?t|can't|cannot|can not|dont dare to|scared to|afraid to) (?:call|talk|speak)\b"
)

# A self-statement of danger: the writer is the one it happens to.
_SELF = re.compile(
    r"(?<!nha )(?<!cua )\b(?:em|e|toi|minh|tui|tao|to|t)(?: dang| vua| da| sap| lai| cung)? "
    r"(?:bi|muon chet|muon tu tu|khong muon song|so qua|so lam|dang o|dang bi)\b"
    r"|\bcuu (?:em|toi|minh|tui|tao|to|con|chau) voi\b"
    r"|\b(?:bo|me|ba|ma|cha|bo duong|me ke|cha duong|chu|cau|anh|nguoi yeu) "
    r"(?:em|tui|tao|to)\b"
)


# The writer calls themselves "em" in a self-statement: a child or teenager, most often.
_SELF_AS_EM = re.compile(
    r"\b(?:em|e)(?: dang| vua| da| sap| lai| cung)? (?:bi|muon|so|khong|dang|phai)\b"
    r"|\bcuu (?:em|e)\b|\b(?:bo|me|ba|ma|cha|bo duong|me ke|cha duong|nha|anh|chi) (?:em|e)\b"
    r"|\b(?:cua|voi|danh|doa|ep) em\b"
)


def speaks_for_self(folded: str) -> bool:
    return bool(_SELF.search(folded))


def voice_for(audience: Audience, folded: str) -> Voice:
    """A report about a child gets the adult's steps; a self-statement gets the child's."""
    if audience is not Audience.STUDENT and about_a_child(folded):
        return Voice.ADULT
    if speaks_for_self(folded) or _SELF_AS_EM.search(folded):
        young = audience is Audience.STUDENT or bool(_SELF_AS_EM.search(folded))
        return Voice.STUDENT if young else Voice.ANYONE
    if audience in (Audience.PARENT, Audience.TEACHER):
        return Voice.ADULT
    return Voice.STUDENT if audience is Audience.STUDENT else Voice.ANYONE


def cannot_call(folded: str) -> bool:
    """The writer is afraid to call, cannot call or cannot talk right now."""
    return bool(_CANNOT_CALL.search(folded))


_IN_DANGER = frozenset(
    {
        "khong",
        "khong an toan",
        "chua",
        "chua an toan",
        "nguy hiem",
        "dang nguy hiem",
        "co nguy hiem",
        "dang gap nguy hiem",
        "cuu",
        "cuu em",
        "cuu voi",
        "cuu em voi",
        "help",
        "help me",
        "no",
        "not safe",
        "im not safe",
        "i m not safe",
    }
)
_SAFE = frozenset(
    {
        "co",
        "co an toan",
        "an toan",
        "on",
        "van on",
        "khong sao",
        "khong nguy hiem",
        "chi hoi",
        "hoi thong tin",
        "chi hoi thong tin",
        "yes",
        "safe",
        "im safe",
        "i m safe",
        "just asking",
    }
)
_PLEA = {"cuu", "voi", "sos", "help", "me", "giup"}
_TRUE_WORDS = {"em", "toi", "minh", "tui", "nguy", "hiem", "voi", "me"}
_LEAD = {"em", "e", "minh", "toi", "tui", "to", "con", "chau", "da", "vang", "uh", "u"}
_TAIL = {"a", "ah", "nha", "nhe", "ma", "roi", "lam", "thoi", "dau", "ak", "ha"}


def check_answer(folded: str) -> bool | None:
    """A typed answer to "Bạn có đang an toàn không?": True = in danger, False = safe.

    Only short, unambiguous answers count; note "không" answers "are you safe?", so it
    means in danger. Anything else is read as a new message (None).
    """
    words = re.sub(r"[^a-z0-9 ]+", " ", folded).split()
    if words and all(w in _PLEA for w in words):
        return True  # "cứu", "sos", "help me"
    if words and words[0] in _PLEA and _TRUE_WORDS & set(words):
        return True  # "cứu em", "🆘 Đang gặp nguy hiểm" (the emoji reads as "cứu với")
    while len(words) > 1 and words[0] in _PLEA | _LEAD:
        words.pop(0)
    while len(words) > 1 and words[-1] in _TAIL:
        words.pop()
    key = " ".join(words)
    if key in _IN_DANGER:
        return True
    if key in _SAFE:
        return False
    return None

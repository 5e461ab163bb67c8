"""Acknowledgements, thanks, yes and no, "xem thêm": the short turns of a chat.

Each reader takes the folded message and returns what it is, or None. A message counts only
when it is nothing else: "ok" is an acknowledgement, "ok nhưng báo tin ở đâu" is a question.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Short(StrEnum):
    ACK = "ack"
    THANKS = "thanks"
    YES = "yes"
    NO = "no"
    MORE = "more"
    BYE = "bye"


_ACK_WORDS = frozenset(
    [
        "ok",
        "oke",
        "oki",
        "okie",
        "okela",
        "okay",
        "okok",
        "k",
        "kk",
        "uk",
        "uhm",
        "uh",
        "um",
        "u",
        "o",
        "ok",
        "oh",
        "da",
        "vang",
        "dung",
        "roi",
        "hieu",
        "duoc",
        "biet",
        "a",
        "ah",
        "a",
        "ha",
        "hihi",
        "haha",
        "hehe",
        "hix",
        "huhu",
        "v",
        "vay",
        "the",
        "nhe",
        "nha",
        "nhen",
        "ne",
        "ad",
        "ban",
        "minh",
        "em",
        "e",
        "ak",
        "chac",
        "tot",
        "hay",
        "good",
        "nice",
        "great",
        "cool",
        "chuan",
        "ro",
        "la",
        "thay",
        "ui",
        "oi",
        "ạ",
        "luon",
        "lun",
        "y",
    ]
)
_ACK_ONLY = re.compile(
    r"^(?:ok\w*|oke\w*|uk|uh|um|u|o|da|vang|da vang|da vang a|hieu roi|hieu|da hieu|duoc roi"
    r"|biet roi|vay a|the a|a|ah|a ha|hihi|haha|hehe|roi|ro roi|chac roi|dung roi|good|tot qua"
    r"|hay qua|hay|nice|cool|v|vay|de xem|de minh xem|de em xem|de toi xem)$"
)
_THANKS = re.compile(
    r"\b(?:cam on|cam ou|camon|cmon|thank|thanks|thank you|thank u|thanks you|tks|thx|ty"
    r"|biet on|on qua|cam on nhieu)\b"
)
_YES = re.compile(
    r"^(?:co|co a|co chu|co nhe|co ạ|u|uk|um|uh|vang|da|da vang|da co|dung|dung roi|muon|em muon"
    r"|toi muon|minh muon|ok|oke|okay|yes|y|duoc|duoc a|cung duoc|co muon)(?: a| nhe| nha| ad)?$"
)
_NO = re.compile(
    r"^(?:khong|ko|k|kg|hong|hem|khong a|ko a|thoi|thoi khong|khong can|ko can|k can|thoi khoi"
    r"|khoi|no|nope|chua|chua can|het roi|khong co|ko co|hok|hk|da khong|da khong a"
    r"|khong dau|khong them|het|du roi)(?: a| nhe| nha| ad| cam on| dau)?$"
)
_MORE = re.compile(
    r"^(?:xem them|them|doc them|xem tiep|doc tiep|tiep|tiep di|con nua|more|xem het)"
    r"(?: a| nhe| nha| di)?$"
)
_BYE = re.compile(
    r"^(?:(?:thoi )?(?:em|e|minh|toi|tui|con|chau)? ?(?:di|off|out|nghi|ngu)(?: day| nhe| nha| a)?"
    r"|bye|bye bye|bai|bai bai|tam biet|hen gap lai|chao nhe|chao nha|pp|bb)(?: a| nhe| nha| ad)?$"
)


def read_short(folded: str) -> Short | None:
    """What a short turn is, if it is only that."""
    text = folded.strip()
    if not text or len(text) > 60:
        return None
    if _MORE.match(text):
        return Short.MORE
    if _THANKS.search(text) and all(
        w in _ACK_WORDS or _THANKS.fullmatch(w) for w in _THANKS.sub(" ", text).split()
    ):
        return Short.THANKS
    if _BYE.match(text):
        return Short.BYE
    if _NO.match(text):
        return Short.NO
    if _YES.match(text):
        return Short.YES
    if _ACK_ONLY.match(text) or all(w in _ACK_WORDS for w in text.split()):
        return Short.ACK
    return None

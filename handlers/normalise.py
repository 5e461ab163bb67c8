"""Normalisation: one shared folding for NLU input, safety rules, search and redaction.

"Em bị bố đánh", "e bi bo danh" and "EM BỊ BỐ ĐÁNH!!!" all fold to "em bi bo danh".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})

# Teen spelling and chat abbreviations, keyed on the folded token. Values are folded words.
# Only unambiguous expansions: "e" stays "e" (it is also "em" in context, handled by NLU data).
_TEEN: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "kh": "khong",
    "khg": "khong",
    "hok": "khong",
    "hong": "khong",
    "hem": "khong",
    "hk": "khong",
    "kô": "khong",
    "khum": "khong",
    "kp": "khong phai",
    "dc": "duoc",
    "dk": "duoc",
    "dx": "duoc",
    "duoc": "duoc",
    "bik": "biet",
    "bit": "biet",
    "bjk": "biet",
    "j": "gi",
    "ji": "gi",
    "gj": "gi",
    "z": "vay",
    "v": "vay",
    "dzay": "vay",
    "zay": "vay",
    "vs": "voi",
    "ms": "moi",
    "r": "roi",
    "rùi": "roi",
    "rui": "roi",
    "ng": "nguoi",
    "ngta": "nguoi ta",
    "nc": "nuoc",
    "mk": "minh",
    "mik": "minh",
    "mjk": "minh",
    "cj": "chi",
    "bn": "ban",
    "bbi": "bo",
    "ck": "chong",
    "vk": "vo",
    "gv": "giao vien",
    "hs": "hoc sinh",
    "ph": "phu huynh",
    "pgd": "phong giao duc",
    "sgd": "so giao duc",
    "ubnd": "uy ban nhan dan",
    "ubx": "uy ban xa",
    "cq": "co quan",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "tl": "tra loi",
    "ns": "noi",
    "nhiu": "nhieu",
    "iu": "yeu",
    "thik": "thich",
    "trc": "truoc",
    "ntn": "nhu the nao",
    "tks": "cam on",
    "thanks": "cam on",
    "thank": "cam on",
    "thx": "cam on",
    "ok": "ok",
    "oke": "ok",
    "okie": "ok",
    "uk": "u",
    "uh": "u",
    "ukm": "u",
    "bme": "bo me",
    "bm": "bo me",
    "ae": "anh em",
    "bl": "bao luc",
    "blhd": "bao luc hoc duong",
    "xhtd": "xam hai tinh duc",
    "qtre": "quyen tre",
    "tg": "thoi gian",
    "lm": "lam",
    "ik": "di",
    "ib": "nhan tin",
    "cx": "cung",
    "cug": "cung",
    "wa": "qua",
    "qa": "qua",
    "nta": "nguoi ta",
    "đc": "duoc",
    "đk": "duoc",
}

# Read-only view for other readers of the same spelling table (safety triage).
TEEN_SPELLINGS: Mapping[str, str] = MappingProxyType(_TEEN)

_EMOJI_MEANING: dict[str, str] = {
    "😭": " khoc ",
    "😢": " buon ",
    "😞": " buon ",
    "💔": " dau long ",
    "😱": " so hai ",
    "😨": " so hai ",
    "😰": " so hai ",
    "🆘": " cuu voi ",
    "🔪": " dao ",
    "🩸": " mau ",
    "🙏": " xin ",
    "❤️": " ",
    "👋": " chao ",
    "😡": " tuc gian ",
    "🤕": " bi thuong ",
}

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE_RE = re.compile(r"\s+")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")


def _collapse(match: re.Match[str]) -> str:
    # "cuuuuu" (cứuuuu) keeps "uu"; "dauuu" becomes "dauu", harmless for char n-grams.
    char = match.group(1)
    return char * 2 if char in "uo" else char


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, strip every combining mark, map đ→d. The accent-insensitive key."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower().translate(_FOLD_EXTRA)


def _strip_controls(text: str) -> str:
    return "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in text)


@dataclass(frozen=True, slots=True)
class Normalised:
    original: str  # NFC, control characters removed, whitespace collapsed
    folded: str  # accent-free, teen spelling expanded, punctuation removed
    tokens: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.tokens


def normalise(text: str) -> Normalised:
    clean = _SPACE_RE.sub(" ", _strip_controls(nfc(text))).strip()
    with_emoji = clean
    for emoji, meaning in _EMOJI_MEANING.items():
        if emoji in with_emoji:
            with_emoji = with_emoji.replace(emoji, meaning)
    folded = fold(with_emoji)
    folded = _REPEAT_RE.sub(_collapse, folded)
    words = _WORD_RE.findall(folded)
    expanded: list[str] = []
    for word in words:
        expanded.extend(_TEEN.get(word, word).split())
    return Normalised(original=clean, folded=" ".join(expanded), tokens=tuple(expanded))

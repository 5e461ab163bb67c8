"""Disguises: a plain message rewritten the ways a frightened or joking teenager hides it.

`disguise(text, style, seed)` rewrites some words of `text` in one style (or two, for the
"combo" style), at random but reproducibly: the same text, style and seed give the same
disguise on every machine. The safety stress harness (handlers/safety/stress.py) runs every
style over the training corpus and checks that each disguise reads as its plain message.

Styles (``STYLES``):
  invisible     zero-width and other invisible characters inside words ("ch\u200bết")
  leet          digits and symbols for letters, on accent-free words ("ch3t", "7ự 7ử", "b@n")
  spaced        the letters of words typed apart ("c h ế t")
  dotted        the letters of words joined by . - _ * ("c.h.ế.t")
  held          a letter held down ("cứuuuu", "chếttt", "chếếết")
  fullwidth     fullwidth forms ("ｃｈếｔ")
  lookalike     Cyrillic and Greek letters that look Latin ("сhết" with a Cyrillic с)
  emoji_inside  an emoji inside a word or between two syllables ("ch💀ết", "tự🔪tử")
  runtogether   words typed without spaces, with or without accents ("emmuốnchết")
  telex         Telex keys left in words, as typed with the input method off ("cheets")
  vni           VNI digits left in words ("chet61", "che61t")
  combo         two of the above, one after the other
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

_WORD_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RUN = re.compile(r"\S+")

INVISIBLES = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2062", "\u2063",
    "\u2064",
)  # fmt: skip
_LEET = {
    "a": ("4", "@"), "e": ("3",), "i": ("1", "!"), "o": ("0",), "s": ("5", "$"), "t": ("7",),
    "g": ("9",), "b": ("8",), "l": ("1",),
}  # fmt: skip
_DOTS = (".", "-", "_", "*")
# One look-alike per Latin letter, Cyrillic first where there is one, else Greek.
_LOOKALIKES = {
    "a": ("а", "α"), "e": ("е", "ε"), "o": ("о", "ο"), "p": ("р", "ρ"), "c": ("с",),
    "y": ("у",), "x": ("х", "χ"), "i": ("і", "ι"), "k": ("к", "κ"), "h": ("һ",), "t": ("т", "τ"),
    "n": ("η",), "v": ("ν",), "u": ("υ",), "s": ("ѕ",), "j": ("ј",), "d": ("ԁ",), "w": ("ԝ",),
    "A": ("А", "Α"), "E": ("Е", "Ε"), "O": ("О", "Ο"), "P": ("Р", "Ρ"), "C": ("С",),
    "H": ("Н", "Η"), "K": ("К", "Κ"), "M": ("М", "Μ"), "T": ("Т", "Τ"), "X": ("Х", "Χ"),
    "B": ("В", "Β"), "I": ("І", "Ι"), "N": ("Ν",), "Y": ("У", "Υ"),
}  # fmt: skip
EMOJIS = ("💀", "🔪", "😭", "💔", "🩸", "🥺", "😢", "🙏", "👉", "❤️", "😱", "🆘", "😵", "🖤")

# Telex and VNI keys of the marks a Vietnamese letter carries (after NFD).
_TONE_TELEX = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TONE_VNI = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_SHAPE_TELEX = {"\u0302": None, "\u0306": "w", "\u031b": "w"}  # circumflex: the vowel twice
_SHAPE_VNI = {"\u0302": "6", "\u031b": "7", "\u0306": "8"}


def strip_accents(text: str) -> str:
    """The text as typed without an input method: no diacritics, đ→d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not _is_mark(c)))


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me")


# --------------------------------------------------------------------------- helpers


def _pick_words(rng: random.Random, words: list[re.Match[str]], share: float) -> set[int]:
    """Indexes of the words to disguise: each with probability `share`, at least one (a word
    of two letters or more when there is one)."""
    if not words:
        return set()
    chosen = {i for i in range(len(words)) if rng.random() < share}
    if not chosen:
        longer = [i for i, m in enumerate(words) if len(m.group()) >= 2] or list(range(len(words)))
        chosen.add(rng.choice(longer))
    return chosen


def _per_word(
    text: str,
    rng: random.Random,
    change: Callable[[str, random.Random], str],
    share: float = 0.6,
    pattern: re.Pattern[str] = _WORD_RE,
) -> str:
    words = list(pattern.finditer(text))
    chosen = _pick_words(rng, words, share)
    out: list[str] = []
    last = 0
    for i, match in enumerate(words):
        out.append(text[last : match.start()])
        out.append(change(match.group(), rng) if i in chosen else match.group())
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _clusters(word: str) -> list[str]:
    """Letters with their marks (NFD), so a disguise never splits a letter from its accent."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if out and _is_mark(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return [unicodedata.normalize("NFC", c) for c in out]


# ---------------------------------------------------------------------------- styles


def _invisible(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        letters = _clusters(word)
        if len(letters) < 2:
            return word + rng.choice(INVISIBLES) if rng.random() < 0.5 else word
        cuts = rng.sample(range(1, len(letters)), k=rng.randint(1, min(3, len(letters) - 1)))
        for cut in sorted(cuts, reverse=True):
            letters.insert(cut, "".join(rng.choices(INVISIBLES, k=rng.randint(1, 2))))
        return "".join(letters)

    return _per_word(text, rng, change, pattern=_TOKEN_RUN)


def _leet(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        plain = strip_accents(word)
        out = []
        for ch in plain:
            options = _LEET.get(ch.lower())
            out.append(rng.choice(options) if options and rng.random() < 0.6 else ch)
        if "".join(out) == plain:  # at least one letter changed when one can be
            spots = [i for i, ch in enumerate(plain) if ch.lower() in _LEET]
            if spots:
                i = rng.choice(spots)
                out[i] = rng.choice(_LEET[plain[i].lower()])
        return "".join(out)

    return _per_word(text, rng, change, share=0.5)


def _spaced(text: str, rng: random.Random) -> str:
    if rng.random() < 0.25:  # the whole message spelled out
        return _per_word(text, rng, lambda w, _: " ".join(_clusters(w)), share=1.0)
    return _per_word(text, rng, lambda w, _: " ".join(_clusters(w)), share=0.4)


def _dotted(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        return rng.choice(_DOTS).join(_clusters(word))

    return _per_word(text, rng, change, share=0.4)


def _held(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        letters = _clusters(word)
        times = rng.randint(3, 6)
        vowels = [i for i, c in enumerate(letters) if strip_accents(c).lower() in "aeiouy"]
        # the vowel, accent and all ("chếếết"), or the last letter ("cứuuuu", "chếttt")
        i = rng.choice(vowels) if vowels and rng.random() < 0.4 else len(letters) - 1
        letters[i] = letters[i] * times
        return "".join(letters)

    return _per_word(text, rng, change, share=0.4)


def _fullwidth_char(ch: str) -> str:
    if "!" <= ch <= "~":
        return chr(ord(ch) + 0xFEE0)
    return ch


def _fullwidth(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        decompose = rng.random() < 0.5  # accented letters as base + marks, the base fullwidth
        form = unicodedata.normalize("NFD", word) if decompose else word
        return "".join(map(_fullwidth_char, form))

    if rng.random() < 0.5:  # the whole message, spaces too
        out = _per_word(text, rng, change, share=1.0, pattern=_TOKEN_RUN)
        return out.replace(" ", "\u3000") if rng.random() < 0.5 else out
    return _per_word(text, rng, change, pattern=_TOKEN_RUN)


def _lookalike(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        out = []
        for cluster in _clusters(word):
            nfd = unicodedata.normalize("NFD", cluster)
            base, marks = nfd[0], nfd[1:]
            options = _LOOKALIKES.get(base)
            if options and rng.random() < 0.5:
                base = rng.choice(options)
            out.append(base + marks if base != nfd[0] else cluster)
        if "".join(out) == word:
            spots = [
                i for i, c in enumerate(out) if unicodedata.normalize("NFD", c)[0] in _LOOKALIKES
            ]
            if spots:
                i = rng.choice(spots)
                nfd = unicodedata.normalize("NFD", out[i])
                out[i] = rng.choice(_LOOKALIKES[nfd[0]]) + nfd[1:]
        return "".join(out)

    return _per_word(text, rng, change)


def _emoji_inside(text: str, rng: random.Random) -> str:
    words = list(_WORD_RE.finditer(text))
    # between two syllables now and then: "tự🔪tử"
    if len(words) >= 2 and rng.random() < 0.3:
        i = rng.randrange(len(words) - 1)
        a, b = words[i], words[i + 1]
        if text[a.end() : b.start()] == " ":
            return text[: a.end()] + rng.choice(EMOJIS) + text[b.start() :]

    def change(word: str, rng: random.Random) -> str:
        letters = _clusters(word)
        if len(letters) < 2:
            return word
        cut = rng.randrange(1, len(letters))
        return "".join(letters[:cut]) + rng.choice(EMOJIS) + "".join(letters[cut:])

    return _per_word(text, rng, change, share=0.4)


def _runtogether(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        text = strip_accents(text)
    words = text.split(" ")
    if len(words) < 2:
        return text
    share = 1.0 if rng.random() < 0.3 else 0.6  # the whole message now and then
    gaps = [rng.random() < share for _ in words[1:]]
    if not any(gaps):
        gaps[rng.randrange(len(gaps))] = True
    out = [words[0]]
    for word, joined in zip(words[1:], gaps, strict=True):
        out.append(word if joined else " " + word)
    return "".join(out)


def _keys(word: str, tones: dict[str, str], shapes: dict[str, str | None], d_key: str,
          at_end: bool) -> str:  # fmt: skip
    """A word as typed with an input method that was off: each letter's keys in order."""
    out: list[str] = []
    tone_key = ""
    shape_keys: list[str] = []
    for cluster in _clusters(word):
        nfd = unicodedata.normalize("NFD", cluster)
        base, marks = nfd[0], nfd[1:]
        if base in "đĐ":
            out.append(("d" if base == "đ" else "D") + d_key)
            continue
        out.append(base)
        for mark in marks:
            if mark in tones:
                tone_key = tones[mark]
            elif mark in shapes:
                key = shapes[mark]
                key = base if key is None else key
                if at_end and d_key == "9":
                    shape_keys.append(key)
                else:
                    out.append(key)
    if at_end:  # one key for a pair of letters that share it ("ươ": nguoi72)
        shape_keys = [k for i, k in enumerate(shape_keys) if i == 0 or k != shape_keys[i - 1]]
        return "".join(out) + "".join(shape_keys) + tone_key
    # the tone key right after the last vowel of the word
    text = "".join(out)
    last = max((i for i, ch in enumerate(text) if ch.lower() in "aeiouyw"), default=-1)
    if last < 0 or not tone_key:
        return text + tone_key
    last += 1
    while last < len(text) and text[last].isdigit():  # after the vowel's own key: "che61t"
        last += 1
    return text[:last] + tone_key + text[last:]


def _telex(text: str, rng: random.Random) -> str:
    def change(word: str, rng: random.Random) -> str:
        return _keys(word, _TONE_TELEX, _SHAPE_TELEX, "d", at_end=rng.random() < 0.7)

    return _per_word(text, rng, change, share=0.6)


def _vni(text: str, rng: random.Random) -> str:
    shapes: dict[str, str | None] = dict(_SHAPE_VNI)

    def change(word: str, rng: random.Random) -> str:
        return _keys(word, _TONE_VNI, shapes, "9", at_end=rng.random() < 0.5)

    return _per_word(text, rng, change, share=0.6)


Disguise = Callable[[str, random.Random], str]

SINGLE_STYLES: dict[str, Disguise] = {
    "invisible": _invisible,
    "leet": _leet,
    "spaced": _spaced,
    "dotted": _dotted,
    "held": _held,
    "fullwidth": _fullwidth,
    "lookalike": _lookalike,
    "emoji_inside": _emoji_inside,
    "runtogether": _runtogether,
    "telex": _telex,
    "vni": _vni,
}
# Two disguises in a row: how a word is spelled first, then how its characters are written.
_SHAPES = ("leet", "spaced", "dotted", "held", "runtogether", "telex", "vni")
_CHARACTERS = ("invisible", "fullwidth", "lookalike", "emoji_inside")
COMBOS: tuple[tuple[str, str], ...] = (
    *((a, b) for a in _SHAPES for b in _CHARACTERS if (a, b) != ("held", "emoji_inside")),
    ("leet", "held"),
    ("runtogether", "held"),
)
STYLES: tuple[str, ...] = (*SINGLE_STYLES, "combo")


def _rng(text: str, style: str, seed: int) -> random.Random:
    # a str seed is hashed with SHA-512 by random.Random: the same on every run and machine
    return random.Random(f"{seed}\x00{style}\x00{text}")


def disguise(text: str, style: str, seed: int = 0) -> str:
    """`text` written in `style` (one of STYLES); the same inputs give the same output."""
    text = unicodedata.normalize("NFC", text)
    rng = _rng(text, style, seed)
    if style == "combo":
        first, second = rng.choice(COMBOS)
        return SINGLE_STYLES[second](SINGLE_STYLES[first](text, rng), rng)
    try:
        return SINGLE_STYLES[style](text, rng)
    except KeyError:
        raise ValueError(f"unknown disguise style {style!r}; one of {', '.join(STYLES)}") from None


def combo_of(text: str, seed: int = 0) -> tuple[str, str]:
    """The two styles the "combo" disguise of `text` uses."""
    rng = _rng(unicodedata.normalize("NFC", text), "combo", seed)
    return rng.choice(COMBOS)

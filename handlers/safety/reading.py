"""The safety reading of a message: the text the danger patterns and the gate run on.

The canonical text (from the shared reader) is folded to plain ASCII words, with sentence
breaks kept as ``|`` and commas as ``,``. Diacritics are thrown away, but not before they are
used: a word whose accents show its harmless sense ("học" next to "hóc" (choke), "rồi" next to
"rơi" (fall)) is written in UPPER CASE, which the danger patterns (all lower case) cannot
match, while the context cues read the lower-cased copy. Teen spellings, letter repeats,
leftover Telex keys and one-slip typos inside known danger phrases are undone. The word
tables live in ``data/reading.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from handlers.safety.patterns import COMMON_WORDS, DATA_DIR, danger_files, split_words, word_set
from nlu.text.lexicon import TEEN

# libyaml's parser when PyYAML has it: the same safe subset, faster at start-up (#18)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class SafetyReading:
    sense: str  # folded words; harmless-sense words in UPPER CASE; "|" breaks, "," commas
    lower: str  # the original, lower-cased, diacritics kept
    command: bool  # the whole message is a bot command ("/help")


@dataclass(frozen=True, slots=True)
class _Tables:
    marks: dict[str, str]  # accented word -> folded word (UPPER CASE when harmless)
    marks_in_accented: dict[str, str]
    harmless_phrases: tuple[tuple[str, str], ...]
    teen: dict[str, str]
    emoji: dict[str, str]
    vocabulary: frozenset[str]
    typos: dict[str, tuple[tuple[tuple[str, ...], int], ...]]


def _load() -> dict[str, Any]:
    data = yaml.load((DATA_DIR / "reading.yml").read_text(encoding="utf-8"), Loader=_LOADER)
    assert isinstance(data, dict)
    return data


@cache
def tables() -> _Tables:
    data = _load()
    harmless = {
        word: folded.upper()
        for folded, words in data["harmless_accented"].items()
        for word in str(words).split()
    }
    bare = {word: word.upper() for word in str(data["harmless_bare"]).split()}
    marks = {**harmless, **{str(k): str(v) for k, v in data["accented_teen"].items()}}
    teen = dict(TEEN)  # the product's one teen-code table (nlu/text/data/lexicon.yml)
    vocabulary = frozenset(
        re.findall(
            r"[a-z]+",
            " ".join(
                regex
                for file in danger_files().values()
                for group in (*file.kinds.values(), *file.cues.values())
                for regex in group
            ),
        )
    )
    return _Tables(
        marks=marks,
        marks_in_accented={**marks, **bare},
        harmless_phrases=tuple((str(k), f" {v} ") for k, v in data["harmless_phrases"].items()),
        teen=teen,
        emoji={str(k): f" {v} " for k, v in data["emoji"].items()},
        vocabulary=vocabulary,
        typos=_build_typos(
            tuple(data["typo_phrases"]), word_set(str(data["typo_real_words"])), teen
        ),
    )


_COMMAND_RE = re.compile(r"\s*/[A-Za-z]+(?:@\w+)?\s*")  # "/help", "/start@childsafe_bot"
_ELLIPSIS_RE = re.compile(r"\.\.+|…")  # a pause, not the end of a sentence
_BREAK_RE = re.compile(r"[.!?;\n\r]+")
_FOLDABLE = "".join(
    sorted(
        {
            ch
            for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
            if (ch := chr(cp)).islower()
            and unicodedata.normalize("NFD", ch).encode("ascii", "ignore")
        }
    )
)
_DROP_RE = re.compile(f"[^ a-zA-Z0-9đ{_FOLDABLE}|,]+")
_REPEAT_RE = re.compile(r"([a-tv-z])\1+|(u)\2{2,}")
_DOUBLE_RE = re.compile(r"([a-tv-z])\1")


def _collapse(match: re.Match[str]) -> str:
    return match.group(1) or "uu"


_RUN_RE = re.compile(r"([a-z])\1{2,}")


def _unrepeat(word: str, vocabulary: frozenset[str]) -> str:
    """Letters held down ("chếttt", "cứuuuu", "killll"), undone: a word the patterns use keeps
    its double letters ("kill", "will"); Vietnamese has none (but "uu" in "cứu")."""
    if word in vocabulary:
        return word
    two = _RUN_RE.sub(r"\1\1", word)
    if two in vocabulary:
        return two
    return _REPEAT_RE.sub(_collapse, word)


def _untelex(word: str, vocabulary: frozenset[str]) -> str:
    """'tuwj' -> 'tu', 'cheets' -> 'chet': Vietnamese typed with the input method off.
    Only into a word the danger patterns use, and never from one ("sos" stays)."""
    if word in vocabulary or not ("w" in word or word[-1] in "sfrxj"):
        return word
    plain = word.replace("w", "")
    if len(plain) > 1 and plain[-1] in "sfrxj":
        plain = plain[:-1]
    plain = _REPEAT_RE.sub(_collapse, plain)
    return plain if plain in vocabulary else word


def read_for_safety(raw: str) -> SafetyReading:
    """The safety reading of a message's canonical text (diacritics kept)."""
    t = tables()
    low = raw.lower()
    for emoji, meaning in t.emoji.items():
        if emoji in low:
            low = low.replace(emoji, meaning)
    text = low
    for phrase, replacement in t.harmless_phrases:
        if phrase in text:
            text = text.replace(phrase, replacement)
    if ".." in text or "…" in text:
        text = _ELLIPSIS_RE.sub(" ", text)
    text = _BREAK_RE.sub(" | ", text)
    if "," in text:
        text = text.replace(",", " , ")
    text = _DROP_RE.sub(" ", text)
    surface = text.split()
    folded = unicodedata.normalize("NFD", text.replace("đ", "d"))
    folded = folded.encode("ascii", "ignore").decode()
    words = folded.split()
    if _DOUBLE_RE.search(folded) or "uuu" in folded:
        words = [_unrepeat(w, t.vocabulary) for w in words]
    n_accented = len(surface) - sum(map(str.isascii, surface))
    accented = n_accented >= 3 and n_accented * 3 >= len(surface)
    marks = t.marks_in_accented if accented else t.marks
    tokens = [marks.get(s) or t.teen.get(f, f) for s, f in zip(surface, words, strict=True)]
    if not n_accented:
        fixes = {w: fixed for w in set(tokens) if w and (fixed := _untelex(w, t.vocabulary)) != w}
        if fixes:
            tokens = [fixes.get(tok, tok) for tok in tokens]
    if not t.typos.keys().isdisjoint(tokens):
        _correct_typos(tokens, t.typos)
    return SafetyReading(" ".join(tokens), low, bool(_COMMAND_RE.fullmatch(raw)))


# --- typos inside danger phrases ----------------------------------------------------------
# One word of a known phrase mistyped while the others are exact: "muốm chết", "tự tửu",
# "đuối nướt". A variant that is itself a word the rules know is never "corrected".
_KEYBOARD = dict(  # QWERTY neighbours
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        split_words(
            "wa qeas wrsd etdf ryfg tugh yihj uojk ipkl ol qwsz adwezx sferxc dgrtcv fhtyvb gjyubn"
            " hkuinm jlio kop asx zcsd xvdf cbfg vngh bmhj njk"
        ),
        strict=True,
    )
)
# Regional spellings: final c/t, n/ng, ch/t; initial s/x, tr/ch, l/n, d/gi/r.
_SOUND_SWAPS = (
    (r"c$", "t"),
    (r"t$", "c"),
    (r"ng$", "n"),
    (r"(?<!n)n$", "ng"),
    (r"ch$", "t"),
    (r"^s", "x"),
    (r"^x", "s"),
    (r"^tr", "ch"),
    (r"^ch", "tr"),
    (r"^l", "n"),
    (r"^n(?!g)", "l"),
    (r"^d", "gi"),
    (r"^gi", "d"),
    (r"^d", "r"),
)


def _typo_variants(word: str) -> set[str]:
    out: set[str] = set()
    for i in range(1, len(word)):  # a neighbouring key (never the first letter)
        out.update(word[:i] + key + word[i + 1 :] for key in _KEYBOARD.get(word[i], ""))
    for i in range(len(word)):  # a letter typed twice ("tửu"); doubled consonants fold anyway
        out.add(word[: i + 1] + word[i] + word[i + 1 :])
    for i in range(len(word) - 1):  # two letters swapped
        out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    for pattern, swap in _SOUND_SWAPS:
        out.add(re.sub(pattern, swap, word))
    return out


def _build_typos(
    phrases: tuple[str, ...], real_words: frozenset[str], teen: dict[str, str]
) -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    known = COMMON_WORDS | real_words | set(teen) | {w for v in teen.values() for w in v.split()}
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for phrase in phrases:
        words = tuple(phrase.split())
        for position, word in enumerate(words):
            for variant in _typo_variants(word) - known:
                if len(variant) >= 3 and variant.isalpha():
                    table.setdefault(variant, []).append((words, position))
    return {variant: tuple(places) for variant, places in table.items()}


def _correct_typos(
    tokens: list[str], typos: dict[str, tuple[tuple[tuple[str, ...], int], ...]]
) -> None:
    for typo in typos.keys() & set(tokens):
        i = -1
        while (i := _index(tokens, typo, i + 1)) >= 0:
            for words, position in typos[typo]:
                start = i - position
                if start < 0 or start + len(words) > len(tokens):
                    continue
                if all(tokens[start + k] == w for k, w in enumerate(words) if k != position):
                    tokens[i] = words[position]
                    break


def _index(items: list[str], item: str, start: int) -> int:
    try:
        return items.index(item, start)
    except ValueError:
        return -1

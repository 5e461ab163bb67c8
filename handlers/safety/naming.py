"""Which danger an urgent message names: the cues of `data/naming.yml` (#12).

The written rules name the danger they matched. When the learned model raised the message,
only its kind head says which danger it is, and that head confuses dangers whose words sit
close (thoughts and an attempt, an attack and abuse, a fire and the injury it caused). These
cues are words that tell a danger apart once a message is known to be urgent ("khói", "co
giật", "mất tích", "took 20 pills"): loose enough to miss nothing, never used to raise a
message. `cued_dangers` is read by the engine with the kind head's verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from handlers.safety.dangers import Danger
from handlers.safety.patterns import DATA_DIR, expand

NAMING_FILE: Path = DATA_DIR / "naming.yml"


@dataclass(frozen=True, slots=True)
class _Cues:
    folded: re.Pattern[str] | None
    accented: re.Pattern[str] | None
    # a match with one of these in the few words before it does not count ("em muốn uống hết
    # thuốc" is a thought, not an attempt made)
    not_after: re.Pattern[str] | None
    # cues that count only beside one of `needs` (found, or cued by `folded`/`accented`) and
    # none of `not_beside`: on a balcony with a wish to die is an attempt, with a fire it is
    # a way out
    position: re.Pattern[str] | None
    needs: frozenset[Danger]
    not_beside: frozenset[Danger]


_BEFORE_CHARS = 24


def _joined(name: str, key: str, parts: list[str]) -> re.Pattern[str] | None:
    if not parts:
        return None
    try:
        return re.compile("|".join(f"(?:{expand(p)})" for p in parts))
    except re.error as error:
        raise ValueError(f"{NAMING_FILE.name}: {name}.{key}: {error}") from error


@cache
def _cues() -> dict[Danger, _Cues]:
    data = yaml.safe_load(NAMING_FILE.read_text(encoding="utf-8")) or {}
    out: dict[Danger, _Cues] = {}
    for name, entry in data.items():
        danger = Danger(name)  # an unknown danger name fails loudly here
        entry = entry or {}
        parts = {key: [str(p) for p in entry.get(key, ()) or ()] for key in entry}
        unknown = set(parts) - {*_PATTERN_KEYS, "needs", "not_beside"}
        if unknown:
            raise ValueError(f"{NAMING_FILE.name}: {name}: unknown keys {sorted(unknown)}")
        patterns = {key: _joined(name, key, parts.get(key, [])) for key in _PATTERN_KEYS}
        out[danger] = _Cues(
            folded=patterns["folded"],
            accented=patterns["accented"],
            not_after=patterns["not_after"],
            position=patterns["position"],
            needs=frozenset(Danger(d) for d in parts.get("needs", [])),
            not_beside=frozenset(Danger(d) for d in parts.get("not_beside", [])),
        )
    return out


_PATTERN_KEYS = ("folded", "accented", "not_after", "position")


def _found(pattern: re.Pattern[str] | None, text: str, not_after: re.Pattern[str] | None) -> bool:
    if pattern is None or not text:
        return False
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - _BEFORE_CHARS) : match.start() + 1]
        if not_after is None or not not_after.search(before):
            return True
    return False


def cued_dangers(sense: str, lower: str = "", *known: Danger | None) -> frozenset[Danger]:
    """The dangers whose naming cues are in a message: `sense` is the safety reading's folded
    text, `lower` the message lower-cased with its accents, `known` the dangers already found
    (by the rules, or the kind head's most likely one) that a `position` cue may lean on."""
    sense = f" {sense} "
    accented = f" {lower} " if lower else ""
    cues = _cues()
    found = {
        danger
        for danger, cue in cues.items()
        if _found(cue.folded, sense, cue.not_after) or _found(cue.accented, accented, cue.not_after)
    }
    beside = found | {d for d in known if d is not None}
    for danger, cue in cues.items():
        if (
            danger not in found
            and cue.needs & beside
            and not cue.not_beside & beside
            and _found(cue.position, sense, cue.not_after)
        ):
            found.add(danger)
    return frozenset(found)

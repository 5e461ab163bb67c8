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
from functools import cache
from pathlib import Path

import yaml

from handlers.safety.dangers import Danger
from handlers.safety.patterns import DATA_DIR, expand

NAMING_FILE: Path = DATA_DIR / "naming.yml"


@cache
def _cues() -> dict[Danger, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    data = yaml.safe_load(NAMING_FILE.read_text(encoding="utf-8")) or {}
    out: dict[Danger, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {}
    for name, entry in data.items():
        danger = Danger(name)  # an unknown danger name fails loudly here
        compiled: list[re.Pattern[str] | None] = []
        for key in ("folded", "accented"):
            parts = [expand(str(p)) for p in (entry or {}).get(key, ()) or ()]
            try:
                compiled.append(re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None)
            except re.error as error:
                raise ValueError(f"{NAMING_FILE.name}: {name}.{key}: {error}") from error
        out[danger] = (compiled[0], compiled[1])
    return out


def cued_dangers(sense: str, lower: str = "") -> frozenset[Danger]:
    """The dangers whose naming cues are in a message: `sense` is the safety reading's folded
    text, `lower` the message lower-cased with its accents."""
    sense = f" {sense} "
    found = set()
    for danger, (folded, accented) in _cues().items():
        if (folded is not None and folded.search(sense)) or (
            accented is not None and lower and accented.search(lower)
        ):
            found.add(danger)
    return frozenset(found)

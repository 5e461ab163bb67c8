"""Places: Vietnam's provincial-level units after the 2025 merger, the names people still use
for the former ones, and the support lines verified for each place (content/places.yml).

`Gazetteer.find(folded)` finds the place names in accent-free text, longest name first, so
"vinh long" is Vĩnh Long and never Vinh. Lines are only what the data holds, with their sources.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from content.base import CONTENT_DIR, ContentError, Source
from nlu.text import fold

# libyaml's parser when PyYAML has it: the same safe subset, faster at start-up (#18)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLACES_PATH = CONTENT_DIR / "places.yml"


def fold_name(text: str) -> str:
    """Accent-free, lower-case, punctuation as spaces: how place names (and titles) are
    compared with a message's folded reading."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


@dataclass(frozen=True, slots=True)
class PlaceLine:
    number: str
    name: str
    sources: tuple[Source, ...]
    verified_on: dt.date
    serves_former: tuple[str, ...] = ()  # former names the line is known to serve


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # the unit's name since 1/7/2025, "Cần Thơ"
    kind: str  # "city" (thành phố trực thuộc trung ương) or "province"
    certainty: str  # the reference sheet's tag for this row: "V" or "S"
    former: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    lines: tuple[PlaceLine, ...] = ()

    @property
    def title(self) -> str:
        """'TP Cần Thơ', 'tỉnh Lâm Đồng'."""
        return f"TP {self.name}" if self.kind == "city" else f"tỉnh {self.name}"


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    unit: Unit
    said: str  # the name as the data spells it ("Sóc Trăng"), for "Sóc Trăng nay thuộc …"
    former: bool  # the user named a former unit (or a town of one) merged into `unit`
    start: int  # where the name starts in the folded text
    end: int


class Gazetteer:
    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        names: list[tuple[str, Unit, str, bool]] = []
        for unit in units:
            names += [(fold_name(n), unit, unit.name, False) for n in (unit.name, *unit.aliases)]
            names += [(fold_name(n), unit, n, True) for n in unit.former]
        names.sort(key=lambda item: -len(item[0]))  # longest first: "vinh long" before "vinh"
        self._names = names
        alternatives = "|".join(re.escape(n) for n, *_ in names)
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
        self._by_folded = {n: (unit, said, former) for n, unit, said, former in reversed(names)}

    def find(self, folded: str) -> list[PlaceMatch]:
        found = []
        for match in self._pattern.finditer(folded):
            unit, said, former = self._by_folded[match.group(0)]
            found.append(PlaceMatch(unit, said, former, match.start(), match.end()))
        return found

    def unit(self, name: str) -> Unit | None:
        """The unit a name stands for ("Sóc Trăng" → Cần Thơ), or None."""
        matches = self.find(fold_name(name))
        return matches[0].unit if matches else None


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _parse_unit(raw: dict[str, Any]) -> Unit:
    lines = tuple(
        PlaceLine(
            number=re.sub(r"[\s.\-]", "", str(line["number"])),
            name=" ".join(str(line["name"]).split()),
            sources=tuple(Source(str(s["doc"]), str(s["ref"])) for s in line["sources"]),
            verified_on=_as_date(line["verified_on"]),
            serves_former=tuple(str(f) for f in line.get("serves_former") or ()),
        )
        for line in raw.get("lines") or ()
    )
    for line in lines:
        if not line.sources:
            raise ContentError(f"places.yml: {raw['name']}: line {line.number} has no source")
    return Unit(
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        certainty=str(raw["certainty"]),
        former=tuple(str(f) for f in raw.get("former") or ()),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        lines=lines,
    )


def load_places(path: Path = PLACES_PATH) -> Gazetteer:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    try:
        units = [_parse_unit(item) for item in raw["units"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentError(f"places.yml: {exc}") from exc
    return Gazetteer(units)


@cache
def default_places() -> Gazetteer:
    return load_places()

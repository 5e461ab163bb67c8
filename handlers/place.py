"""Where the user lives: "tôi ở Cần Thơ", "nhà em ở hải dương", "giờ chuyển vào Sài Gòn rồi";
and whether a message asks for the local support lines.

The place is remembered in the conversation state by its unit's name after the 2025 merger
(Sóc Trăng → Cần Thơ), with the name the user said, so answers can say both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from content.base import Deployment
from content.places import Gazetteer, PlaceMatch, Unit

# Words that put a place name in a statement about where someone is ("ở", "tại", "vào" …).
_BEFORE_PLACE = re.compile(
    r"(?:^|\s)(?:o|tai|song o|dang o|vao|ra|ve|que|que o|den tu|tinh|thanh pho|tp|dan)\s*$"
)
_FILLER = frozenset(
    [
        "toi",
        "minh",
        "em",
        "e",
        "tui",
        "chi",
        "anh",
        "co",
        "bac",
        "ba",
        "ong",
        "chau",
        "con",
        "nha",
        "gia",
        "dinh",
        "o",
        "song",
        "dang",
        "tai",
        "gio",
        "roi",
        "a",
        "nhe",
        "nha",
        "nhen",
        "ne",
        "vao",
        "ra",
        "ve",
        "chuyen",
        "nay",
        "thi",
        "la",
        "que",
        "ma",
        "ah",
        "vay",
        "do",
        "day",
        "hien",
        "tinh",
        "thanh",
        "pho",
        "tp",
        "moi",
        "vua",
        "da",
        "duoc",
        "dan",
        "ben",
        "khu",
        "vuc",
        "hien",
        "nay",
        "oi",
        "ad",
        "ok",
        "oke",
        "vang",
        "da",
    ]
)
# "số tổng đài địa phương", "sdt hỗ trợ ở địa phương", "có số riêng của thành phố không".
_LINE = re.compile(
    r"\b(?:sdt|so dien thoai|dien thoai|tong dai|duong day(?: nong)?|hotline"
    r"|so (?:ho tro|goi|lien he|dia phuong|rieng|nao|may|cua (?:tinh|thanh pho|tp)))\b"
    # "có số ở địa phương không": "số" after a word that asks for one, not "em sợ ở đây"
    r"|(?:^|\b(?:co|xin|cho|cac|nhung|mot|biet|hoi|tim|la|con))\s+so\b"
    r"(?=.*\b(?:dia phuong|rieng|o day)\b)"
)
_LOCAL = re.compile(
    r"\b(?:dia phuong|rieng|o day|cua tinh|cua thanh pho|cua tp|tinh minh|tinh toi|tinh em"
    r"|thanh pho (?:minh|toi|em)|khu vuc|noi (?:toi|em|minh|tui) (?:o|song)"
    r"|(?:o|tai) (?:cho|cho nay|cho nha|que|xa|phuong|huyen|quan) (?:minh|toi|em|tui|tao)"
    r"|gan (?:day|nha|minh|toi|em))\b"
)


@dataclass(frozen=True, slots=True)
class PlaceStatement:
    match: PlaceMatch
    only_place: bool  # nothing else in the message: acknowledge it and ask what they need


def said_place(folded: str, places: Gazetteer) -> PlaceStatement | None:
    """The place the user says they are in, if they say one (the last one named wins:
    "chuyển từ Hải Phòng vào Sài Gòn" is Sài Gòn)."""
    matches = places.find(folded)
    if not matches:
        return None
    stated = [m for m in matches if _BEFORE_PLACE.search(folded[: m.start])]
    rest = folded
    for m in reversed(matches):
        rest = rest[: m.start] + " " + rest[m.end :]
    only_place = all(word in _FILLER for word in rest.split())
    if not stated and not only_place:
        return None
    return PlaceStatement(stated[-1] if stated else matches[-1], only_place)


def asks_local_line(folded: str, places: Gazetteer) -> bool:
    """A question about the support lines where the user is, not the national ones."""
    line = _LINE.search(folded)
    if line is None:
        return False
    if _LOCAL.search(folded):
        return True
    # "số hỗ trợ ở Cần Thơ", "tổng đài Đà Nẵng": a place named after the line asked for
    return any(m.start >= line.start() for m in places.find(folded))


def place_asked_about(folded: str, places: Gazetteer) -> PlaceMatch | None:
    """The place a question about lines names after the line ("số tổng đài Hải Phòng")."""
    line = _LINE.search(folded)
    if line is None:
        return None
    after = [m for m in places.find(folded) if m.start >= line.start()]
    return after[0] if after else None


def deployment_for(
    unit_name: str | None, said: str | None, home: Deployment, places: Gazetteer
) -> Deployment:
    """The deployment as this user should see it: the deployment's own line only where it
    belongs; elsewhere the lines the data verifies for their place, or none."""
    if not unit_name:
        return home
    unit = places.unit(unit_name)
    home_unit = places.unit(home.province)
    if unit is None:
        return home
    former = said if said and said != unit.name else None
    if unit is home_unit and home.local_line:
        return _with_former_note(home, unit, former, home.local_line)
    line = unit.lines[0] if unit.lines else None
    if line is None:
        return replace(
            home, province=unit.title, local_line=None, local_line_name="",
            local_line_sources=(), note="",
        )  # fmt: skip
    local = replace(  # the deployment's own terms (retention, who reads) stay
        home,
        province=unit.title,
        local_line=line.number,
        local_line_name=line.name,
        local_line_sources=line.sources,
        note="",
    )
    return _with_former_note(local, unit, former, line.number)


def _with_former_note(
    deployment: Deployment, unit: Unit, former: str | None, number: str
) -> Deployment:
    line = next((line for line in unit.lines if line.number == number), None)
    if former is None or (line is not None and former in line.serves_former):
        return deployment
    note = (
        f"{former} nay thuộc {unit.title}; chưa rõ đường dây này có phục vụ khu vực "
        f"{former} cũ sau khi sáp nhập, nếu chưa liên lạc được hãy gọi **111**."
    )
    return replace(deployment, note=note)


def place_note(unit: Unit, said: str) -> str:
    """ "Sóc Trăng nay thuộc TP Cần Thơ (từ 1/7/2025)." when the user named a former unit."""
    if said == unit.name:
        return ""
    return f"{said} nay thuộc {unit.title} (từ 1/7/2025, theo Nghị quyết 202/2025/QH15)."

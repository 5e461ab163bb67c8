"""The dangers safety tells apart and the lines each one calls for (a contract: values are
stored in logs and training labels, so never rename one). Small on purpose: `handlers.topics`
and the channels import it without loading the safety engine.

The first line of a danger is the first line its reply names and its first call button:
fire 114; a body in danger 115; an attack or abduction now 113; abuse, sexual abuse,
sextortion, grooming and suicidal thoughts 111. Every urgent reply shows 111.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

NATIONAL_LINE = "111"
HOTLINE = NATIONAL_LINE


class Danger(StrEnum):
    FIRE = "fire"  # fire or smoke with someone in it
    DROWNING = "drowning"  # someone in the water now / just pulled out
    SERIOUS_INJURY = "serious_injury"  # not breathing, unconscious, seizure, heavy bleeding
    POISONING = "poisoning"  # swallowed poison, chemicals, medicine by accident
    SUICIDE_ATTEMPT = "suicide_attempt"  # attempt made or in progress
    SUICIDE_SELF_HARM = "suicide_self_harm"  # suicidal thoughts, farewells, self-harm urge
    VIOLENCE = "violence"  # an attack in progress / being beaten right now
    ABUSE = "abuse"  # ongoing physical/emotional abuse, not an attack this minute
    SEXUAL_ASSAULT = "sexual_assault"
    ABDUCTION_MISSING = "abduction_missing"  # abduction in progress or a child missing now
    SEXTORTION = "sextortion"  # threat to share intimate images, demands for nudes/money
    GROOMING = "grooming"  # an adult arranging a secret meeting, secrecy, gifts for photos
    NEGLECT = "neglect"  # locked in, left alone without food, abandoned now
    RUNAWAY = "runaway"  # running away / leaving home tonight
    UNSPECIFIED = "unspecified"  # a bare plea for help


# The lines of each danger, in order: the first is the first call button.
LINES: dict[Danger, tuple[str, ...]] = {
    Danger.FIRE: ("114", "115", "111"),
    Danger.DROWNING: ("115", "114", "111"),
    Danger.SERIOUS_INJURY: ("115", "111"),
    Danger.POISONING: ("115", "111"),
    Danger.SUICIDE_ATTEMPT: ("115", "113", "111"),
    Danger.SUICIDE_SELF_HARM: ("111", "115"),
    Danger.VIOLENCE: ("113", "111"),
    Danger.ABUSE: ("111", "113"),
    Danger.SEXUAL_ASSAULT: ("111", "113"),
    Danger.ABDUCTION_MISSING: ("113", "111"),
    Danger.SEXTORTION: ("111", "113"),
    Danger.GROOMING: ("111", "113"),
    Danger.NEGLECT: ("111", "113"),
    Danger.RUNAWAY: ("111",),
    Danger.UNSPECIFIED: ("111", "113", "115"),
}

# When several dangers are found, the most pressing comes first (its lines lead). An attack or
# abduction in progress leads over the injuries it caused ("đang đánh em chảy máu": 113 first,
# 115 among the lines).
PRIORITY: tuple[Danger, ...] = (
    Danger.SUICIDE_ATTEMPT,
    Danger.FIRE,
    Danger.DROWNING,
    Danger.VIOLENCE,
    Danger.ABDUCTION_MISSING,
    Danger.POISONING,
    Danger.SERIOUS_INJURY,
    Danger.SEXUAL_ASSAULT,
    Danger.SUICIDE_SELF_HARM,
    Danger.SEXTORTION,
    Danger.GROOMING,
    Danger.NEGLECT,
    Danger.ABUSE,
    Danger.RUNAWAY,
    Danger.UNSPECIFIED,
)

LINE_LABELS: dict[str, str] = {
    "111": "Tổng đài quốc gia bảo vệ trẻ em (miễn phí, 24/7)",
    "112": "Tìm kiếm, cứu nạn",
    "113": "Công an",
    "114": "Cứu hỏa, cứu nạn cứu hộ",
    "115": "Cấp cứu y tế",
}


def lines_for(dangers: Iterable[Danger]) -> tuple[str, ...]:
    """The lines of several dangers, the first danger's first; never a repeat; 111 always."""
    lines: list[str] = []
    for danger in dangers:
        for line in LINES[danger]:
            if line not in lines:
                lines.append(line)
    if NATIONAL_LINE not in lines:
        lines.append(NATIONAL_LINE)
    return tuple(lines)


def most_pressing_first(dangers: Iterable[Danger]) -> tuple[Danger, ...]:
    found = set(dangers)
    return tuple(d for d in PRIORITY if d in found)

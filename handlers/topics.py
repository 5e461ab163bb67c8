"""The topic each danger belongs to; the intent names themselves are `nlu.intents`
(re-exported here for the core's readers)."""

from __future__ import annotations

from handlers.safety.dangers import LINE_LABELS, Danger
from nlu.intents import (
    ALL_INTENTS,
    CONVERSATIONAL_INTENTS,
    HARM_INTENTS,
    LABELS,
    TOPICAL_INTENTS,
)

__all__ = [
    "ALL_INTENTS",
    "CONVERSATIONAL_INTENTS",
    "HARM_INTENTS",
    "INTENT_FOR_DANGER",
    "LABELS",
    "LINE_LABELS",
    "TOPICAL_INTENTS",
]

# The topic a danger belongs to, when the classifier has nothing better.
INTENT_FOR_DANGER: dict[Danger, str] = {
    Danger.FIRE: "accident_prevention",
    Danger.DROWNING: "accident_prevention",
    Danger.SERIOUS_INJURY: "accident_prevention",
    Danger.POISONING: "accident_prevention",
    Danger.SUICIDE_ATTEMPT: "mental_health",
    Danger.SUICIDE_SELF_HARM: "mental_health",
    Danger.VIOLENCE: "report_abuse",
    Danger.ABUSE: "report_abuse",
    Danger.SEXUAL_ASSAULT: "report_abuse",
    Danger.ABDUCTION_MISSING: "report_abuse",
    Danger.SEXTORTION: "online_safety",
    Danger.GROOMING: "online_safety",
    Danger.NEGLECT: "report_abuse",
    Danger.RUNAWAY: "report_abuse",
    Danger.UNSPECIFIED: "hotline_info",
}

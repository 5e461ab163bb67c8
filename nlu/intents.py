"""Intent names: the NLU's contract (the Rasa project, the embedded engine, the content
base and the staff desk all read them) and how each is shown to people.

They live at the bottom layer so that `content/` and `handlers/` both read them without
`content/` importing the core (issue #19).
"""

from __future__ import annotations

__all__ = [
    "ALL_INTENTS",
    "CONVERSATIONAL_INTENTS",
    "HARM_INTENTS",
    "LABELS",
    "TOPICAL_INTENTS",
]

TOPICAL_INTENTS: tuple[str, ...] = (
    "report_abuse",
    "abuse_prevention",
    "school_violence",
    "accident_prevention",
    "social_assistance",
    "online_safety",
    "child_labour",
    "mental_health",
    "child_rights",
    "hotline_info",
    "education_support",
    "directive_info",
)
CONVERSATIONAL_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "help",
    "bot_challenge",
    "human_handoff",
    "out_of_scope",
)
ALL_INTENTS = TOPICAL_INTENTS + CONVERSATIONAL_INTENTS

# Answers about harm to a child always show 111.
HARM_INTENTS = frozenset(
    {
        "report_abuse",
        "abuse_prevention",
        "school_violence",
        "online_safety",
        "child_labour",
        "mental_health",
    }
)

LABELS: dict[str, str] = {
    "report_abuse": "Báo tin trẻ bị xâm hại",
    "abuse_prevention": "Phòng ngừa xâm hại",
    "school_violence": "Bạo lực học đường",
    "accident_prevention": "Phòng tránh tai nạn, thương tích",
    "social_assistance": "Trợ cấp xã hội cho trẻ em",
    "online_safety": "An toàn trên mạng",
    "child_labour": "Lao động trẻ em",
    "mental_health": "Sức khỏe tinh thần",
    "child_rights": "Quyền trẻ em",
    "hotline_info": "Các số điện thoại hỗ trợ",
    "education_support": "Hỗ trợ học tập",
    "directive_info": "Các văn bản chỉ đạo",
    "human_handoff": "Nói chuyện với người tư vấn",
    "help": "Mình giúp được gì?",
}

"""Intent names (a contract other tools read) and how they are shown to people."""

from __future__ import annotations

from handlers.triage import Danger

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

# The topic a danger belongs to, when the classifier has nothing better.
INTENT_FOR_DANGER: dict[Danger, str] = {
    Danger.VIOLENCE: "report_abuse",
    Danger.SEXUAL_ASSAULT: "report_abuse",
    Danger.ABDUCTION: "report_abuse",
    Danger.SUICIDE: "mental_health",
    Danger.INJURY: "accident_prevention",
    Danger.POISONING: "accident_prevention",
    Danger.DROWNING: "accident_prevention",
    Danger.FIRE: "accident_prevention",
    Danger.UNSPECIFIED: "hotline_info",
}

LINE_LABELS: dict[str, str] = {
    "111": "Tổng đài quốc gia bảo vệ trẻ em (miễn phí, 24/7)",
    "112": "Tìm kiếm, cứu nạn",
    "113": "Công an",
    "114": "Cứu hỏa, cứu nạn cứu hộ",
    "115": "Cấp cứu y tế",
}

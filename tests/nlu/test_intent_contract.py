"""The intent names are a contract: every one has training data, an answer and a route."""

from __future__ import annotations

import pytest

from content.base import default_content
from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant
from handlers.topics import ALL_INTENTS, CONVERSATIONAL_INTENTS, TOPICAL_INTENTS
from nlu.rasa_data import domain_intents, load_dir

CONTRACT = {
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
    "greet",
    "goodbye",
    "thanks",
    "help",
    "bot_challenge",
    "human_handoff",
    "out_of_scope",
}


def test_domain_lists_the_contract_intents() -> None:
    assert set(domain_intents()) >= CONTRACT
    assert set(ALL_INTENTS) >= CONTRACT


def test_every_domain_intent_has_training_data() -> None:
    counts: dict[str, int] = {}
    for example in load_dir():
        counts[example.intent] = counts.get(example.intent, 0) + 1
    for intent in domain_intents():
        assert counts.get(intent, 0) > 0, intent


@pytest.mark.parametrize("intent", TOPICAL_INTENTS + CONVERSATIONAL_INTENTS)
def test_every_intent_has_an_answer_for_every_audience(intent: str) -> None:
    base = default_content()
    for audience in (Audience.PARENT, Audience.STUDENT, Audience.TEACHER, Audience.ANY):
        assert base.main_answer(intent, audience) is not None, (intent, audience)


@pytest.mark.parametrize("intent", TOPICAL_INTENTS)
def test_every_topical_intent_routes_to_a_cited_answer(assistant: Assistant, intent: str) -> None:
    reply = assistant.handle(IncomingMessage(f"@intent:{intent}", user="r", channel="test"))
    assert reply.intent == intent
    assert reply.answer_id
    assert reply.sources

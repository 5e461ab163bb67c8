from __future__ import annotations

from handlers.models import IncomingMessage
from handlers.pipeline import Assistant


def test_urgent_child_message_opens_with_111(assistant: Assistant) -> None:
    reply = assistant.handle(IncomingMessage("e bi bo danh", user="u1"))
    assert reply.urgent
    assert "**111**" in reply.text.splitlines()[0]
    assert reply.hotlines[:2] == ["111", "113"]


def test_prevention_question_is_not_escalated(assistant: Assistant) -> None:
    reply = assistant.handle(IncomingMessage("làm sao phòng tránh đuối nước"))
    assert not reply.urgent

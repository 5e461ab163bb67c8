from __future__ import annotations

from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from handlers.safety import LINES, Danger


def test_urgent_child_message_opens_with_its_line_and_shows_111(assistant: Assistant) -> None:
    reply = assistant.handle(IncomingMessage("e bi bo danh", user="u1"))
    assert reply.urgent
    assert set(reply.danger) & {"abuse", "violence"}
    first = LINES[Danger(reply.danger[0])][0]  # 111 for abuse, 113 for an attack now
    assert f"**{first}**" in reply.text.splitlines()[0]
    assert set(reply.hotlines[:2]) == {"111", "113"}


def test_prevention_question_is_not_escalated(assistant: Assistant) -> None:
    reply = assistant.handle(IncomingMessage("làm sao phòng tránh đuối nước"))
    assert not reply.urgent

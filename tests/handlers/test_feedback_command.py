"""'That's not what I asked' (#16): the answers' feedback button and its words are one
command of the core, thanked with a notice, and the logged row reaches the review queue."""

from __future__ import annotations

import sqlite3

import pytest

from bot.settings import Settings
from handlers.commands import command_for
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from handlers.requestlog import FEEDBACK_WRONG


@pytest.mark.parametrize(
    "text", ["Không đúng ý mình", "ko phai cai em hoi", "not what I asked", "@cmd:not_what_i_asked"]
)
def test_the_feedback_is_thanked_and_logged_for_review(
    assistant: Assistant, settings: Settings, text: str
) -> None:
    asked = assistant.handle(IncomingMessage("trợ cấp cho trẻ mồ côi bao nhiêu", user="u1"))
    assert asked.kind == "answer"
    reply = assistant.handle(IncomingMessage(text, user="u1"))
    assert (reply.kind, reply.answer_id) == ("notice", "core.not_what_i_asked")
    assert "111" in reply.hotlines
    assert assistant.request_log is not None and assistant.request_log.flush()
    with sqlite3.connect(settings.db_path) as conn:
        [(feedback,)] = conn.execute("SELECT feedback FROM requests ORDER BY id DESC LIMIT 1")
    assert feedback == FEEDBACK_WRONG


def test_a_longer_message_that_says_wrong_is_a_question_not_the_command() -> None:
    assert command_for("Không đúng ý mình") == "not_what_i_asked"
    assert command_for("sai rồi thì làm sao để sửa bài cho đúng hả cô") is None

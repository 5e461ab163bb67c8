"""The core conversation: roles, state, buttons, clarify, commands, bad input."""

from __future__ import annotations

import pytest

from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant


def say(bot: Assistant, text: str, user: str | None = "u1", channel: str = "test") -> dict:  # type: ignore[type-arg]
    return bot.handle(IncomingMessage(text, user=user, channel=channel)).to_json()


def test_teacher_role_carries_to_the_next_question(assistant: Assistant) -> None:
    first = say(assistant, "tôi là giáo viên")
    assert first["audience"] == "teacher"
    assert not first["urgent"]
    second = say(assistant, "báo cáo thế nào")
    assert second["audience"] == "teacher"
    assert second["intent"] == "report_abuse"
    assert second["sources"], "a topical answer cites its source"


def test_roles_are_per_user(assistant: Assistant) -> None:
    say(assistant, "tôi là giáo viên", user="teacher")
    other = say(assistant, "báo tin xâm hại trẻ em ở đâu", user="someone-else")
    assert other["audience"] != "teacher"


def test_role_detected_from_the_text(assistant: Assistant) -> None:
    reply = say(assistant, "con tôi năm nay 8 tuổi, làm sao dạy cháu tự bảo vệ bản thân", user="p")
    assert reply["audience"] == "parent"


def test_role_button_sets_the_role(assistant: Assistant) -> None:
    reply = say(assistant, "@role:student", user="s")
    assert reply["audience"] == "student"
    assert assistant.state.get(assistant.user_key("test", "s")).role is Audience.STUDENT


def test_numbered_choice_presses_a_button(assistant: Assistant) -> None:
    greet = say(assistant, "xin chào", user="n")
    assert greet["buttons"], "the greeting offers role buttons"
    picked = say(assistant, "3", user="n")  # third button: teacher
    assert picked["audience"] == "teacher"


def test_topic_answer_cites_and_harm_topics_show_111(assistant: Assistant) -> None:
    reply = say(assistant, "@intent:school_violence", user="b")
    assert reply["intent"] == "school_violence"
    assert reply["sources"] and all(s["doc"] and s["ref"] for s in reply["sources"])
    assert "111" in reply["hotlines"]
    assert "Nguồn:" in reply["text"]


def test_low_confidence_asks_back_with_topics_and_111(assistant: Assistant) -> None:
    assistant.confidence_threshold = 0.999  # force the clarify path on any message
    reply = say(assistant, "cho hỏi cái này với", user="c")
    assert reply["kind"] == "clarify"
    assert "📞 Gọi 111" in reply["buttons"]
    assert len(reply["buttons"]) >= 2


def test_out_of_scope_says_what_the_assistant_does(assistant: Assistant) -> None:
    reply = say(assistant, "giá vàng hôm nay bao nhiêu", user="o")
    assert reply["intent"] == "out_of_scope"
    assert "111" in reply["text"]
    assert not reply["urgent"]


def test_urgent_overrides_everything_and_opens_with_111(assistant: Assistant) -> None:
    say(assistant, "tôi là giáo viên", user="x")
    reply = say(assistant, "em muốn chết, không muốn sống nữa", user="x")
    assert reply["urgent"]
    first_lines = "\n".join(reply["text"].splitlines()[:3])
    assert "111" in first_lines and "115" in first_lines
    assert reply["hotlines"][0] == "111"


def test_urgent_even_from_a_button_like_text(assistant: Assistant) -> None:
    reply = say(assistant, "@intent:greet cứu em với bố đang đánh em", user="y")
    assert reply["urgent"]


def test_erase_forgets_state(assistant: Assistant) -> None:
    say(assistant, "tôi là giáo viên", user="e")
    reply = assistant.command("erase", IncomingMessage("", user="e", channel="test"))
    assert reply.text.strip()
    assert assistant.state.get(assistant.user_key("test", "e")).role is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "\x00\x01\x02",
        "a" * 200_000,
        "ư" * 50_000,
        "@",
        "@@@:::",
        "@answer:nope",
    ],
)
def test_bad_input_gets_a_clear_answer(assistant: Assistant, text: str) -> None:
    reply = say(assistant, text, user="bad")
    assert reply["text"].strip()
    assert isinstance(reply["confidence"], float)


def test_raw_user_id_is_never_the_state_key(assistant: Assistant) -> None:
    say(assistant, "xin chào", user="telegram-user-123456")
    key = assistant.user_key("test", "telegram-user-123456")
    assert key and "123456" not in key
    assert key != assistant.user_key("zalo", "telegram-user-123456")


def test_audience_chosen_by_a_channel_sticks_even_on_a_button(assistant: Assistant) -> None:
    chosen = IncomingMessage(
        "@intent:report_abuse", user="w", channel="test", audience=Audience.TEACHER
    )
    assert assistant.handle(chosen).audience is Audience.TEACHER
    later = assistant.handle(IncomingMessage("@intent:school_violence", user="w", channel="test"))
    assert later.audience is Audience.TEACHER


@pytest.mark.parametrize("payload", ["@cmd:help", "@answer:core.help", "@intent:help", "@tel:111"])
def test_button_payloads_are_not_triaged_as_words(assistant: Assistant, payload: str) -> None:
    reply = say(assistant, payload, user="btn")
    assert not reply["urgent"], payload


def test_a_payload_followed_by_words_is_still_triaged(assistant: Assistant) -> None:
    assert say(assistant, "@cmd:help cứu em với, có người đang đánh em", user="btn2")["urgent"]

"""The Telegram channel: real `Update` objects through the real Application, with the Bot
talking HTTP to a loopback fake of the Bot API (tests/fake_telegram.py). No network."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from telegram import Update
from telegram.ext import AIORateLimiter

from bot.settings import Settings
from bot.telegram.app import CHANNEL_KEY, TelegramApp, build_application, register_commands
from bot.telegram.render import visible_text
from bot.telegram.texts import COMMAND_MENU
from handlers.models import Button, IncomingMessage, Reply
from handlers.pipeline import Assistant
from tests.fake_telegram import (
    ATTACHMENTS,
    BOT_USERNAME,
    GROUP_ID,
    TOKEN,
    USER_ID,
    FakeTelegram,
    added_to_group_update,
    callback_update,
    message_update,
)
from tests.helpers import rows_holding, wait_until
from tests.servers import serve

OTHER_USER = 5550002


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"{fake.url}/bot",
            "rate_limit_per_minute": 5,
        }
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(
    tg_settings: Settings, assistant: Assistant, clock: Clock
) -> AsyncIterator[TelegramApp]:
    application = build_application(tg_settings, assistant, clock=clock)
    async with application:
        yield application


async def feed(app: TelegramApp, data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(data, app.bot))


def texts_sent(fake: FakeTelegram, chat_id: int = USER_ID) -> list[str]:
    return [visible_text(c["text"]) for c in fake.sent(chat_id)]


def payloads(call: Any) -> list[str]:
    return [b["callback_data"] for b in call.buttons]


# ---------------------------------------------------------------------------- plumbing
async def test_bot_api_calls_go_to_base_url_plus_token(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("xin chào"))
    # base_url http://127.0.0.1:PORT/bot + token 123:ABC → /bot123:ABC/<method>
    assert fake.calls_to("getMe")[0].path == "/bot123:ABC/getMe"
    assert fake.sent()[0].path == "/bot123:ABC/sendMessage"
    assert app.bot.base_url == f"{fake.url}/bot123:ABC"
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)  # outgoing calls are paced


async def test_commands_are_registered_with_vietnamese_descriptions(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await register_commands(app)
    registered = {c["command"]: c["description"] for c in fake.commands}
    assert set(registered) == {"start", "help", "vaitro", "khancap", "baomat", "xoa", "nguoi"}
    assert registered == COMMAND_MENU
    assert "Xóa" in registered["xoa"] and "khẩn cấp" in registered["khancap"]


# ---------------------------------------------------------------------------- commands
async def test_start_shows_privacy_note_and_role_buttons(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("/start"))
    [call] = fake.sent()
    assert call["parse_mode"] == "HTML"
    text = visible_text(call["text"])
    assert "Quyền riêng tư" in text and "/xoa" in text and "111" in text
    assert "ngày" in text and "chỉ cán bộ của Trung tâm" in text  # how long, who reads (#17)
    assert "<b>111</b>" in call["text"]  # **bold** rendered as HTML
    assert payloads(call) == ["@role:parent", "@role:student", "@role:teacher"]


async def test_start_with_a_deep_link_payload(app: TelegramApp, fake: FakeTelegram) -> None:
    await feed(app, message_update("/start hocsinh"))
    greeting, role_ack = fake.sent()
    assert "Quyền riêng tư" in greeting["text"]
    assert role_ack["text"].startswith("Chào em")
    fake.clear()
    await feed(app, message_update("/start some-campaign_42"))  # unknown payload: just /start
    assert len(fake.sent()) == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/help", "Bạn có thể hỏi mình về"),
        ("/vaitro", "Bạn là ai?"),
        ("/khancap", "113"),
        ("/baomat", "Mình không bao giờ lưu"),
        (f"/help@{BOT_USERNAME}", "Bạn có thể hỏi mình về"),
        ("/lenhla", "Bạn có thể hỏi mình về"),  # unknown command: the help menu
    ],
)
async def test_commands_answer_from_the_core(
    app: TelegramApp, fake: FakeTelegram, command: str, expected: str
) -> None:
    await feed(app, message_update(command))
    [call] = fake.sent()
    assert expected in visible_text(call["text"])


# ---------------------------------------------------------------------------- answers
async def test_a_question_gets_a_cited_answer_with_buttons_while_typing(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("con tôi bị bạn đánh ở trường, tôi phải báo ai?"))
    [call] = fake.sent()
    assert "Nguồn" in visible_text(call["text"])
    assert call.buttons and all(1 <= len(p.encode()) <= 64 for p in payloads(call))
    methods = [c.method for c in fake.calls if c.method in {"sendChatAction", "sendMessage"}]
    assert methods[0] == "sendChatAction" and methods[-1] == "sendMessage"
    assert fake.calls_to("sendChatAction")[0]["action"] == "typing"


async def test_no_diacritics_and_teen_spelling_are_answered(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("e bi ban lop bat nat hoai, ko bik lm j"))
    [call] = fake.sent()
    assert call.buttons
    assert "111" in visible_text(call["text"]) or "Nguồn" in visible_text(call["text"])


async def test_a_button_press_answers_the_callback_and_the_payload(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("/start"))
    teacher = payloads(fake.sent()[0])[2]
    fake.clear()
    press = callback_update(teacher)
    await feed(app, press)
    [answered] = fake.calls_to("answerCallbackQuery")
    assert answered["callback_query_id"] == press["callback_query"]["id"]
    [ack] = fake.sent()
    assert "thầy/cô" in ack["text"]
    next_topic = payloads(ack)[0]
    fake.clear()
    await feed(app, callback_update(next_topic))
    [answer] = fake.sent()
    assert "Nguồn" in visible_text(answer["text"])
    # the role chosen by the first press shapes the next answer
    assert channel_of_state(app).role is not None


def channel_of_state(app: TelegramApp) -> Any:
    """The core's conversation state for the test user."""
    assistant = app.bot_data[CHANNEL_KEY].assistant
    return assistant.state.get(assistant.user_key("telegram", str(USER_ID)))


async def test_an_urgent_message_leads_with_the_line_that_fits(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("cứu em với, bố em đang đánh em chảy máu"))
    first = fake.sent()[0]
    assert first_number(visible_text(first["text"])) == "113"  # an attack now: the police
    assert "113" in first.buttons[0]["text"]
    assert "111" in visible_text(first["text"])


def first_number(text: str) -> str:
    """The first phone number a reader meets (the urgent text opens with the line that fits)."""
    match = re.search(r"\d{3,}", text)
    assert match is not None
    return match.group()


async def test_call_buttons_show_the_number_and_answer_with_the_lines(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("/khancap"))
    [call] = fake.sent()
    calls = [b for b in call.buttons if b["callback_data"].startswith("@tel:")]
    assert calls and all(b["callback_data"][5:] in b["text"] for b in calls)
    assert all("url" not in b for b in call.buttons)  # Telegram refuses tel: URLs
    fake.clear()
    await feed(app, callback_update(calls[0]["callback_data"]))
    assert "113" in visible_text(fake.sent()[0]["text"])


async def test_an_edited_message_is_answered_as_new(app: TelegramApp, fake: FakeTelegram) -> None:
    await feed(app, message_update("xin chào", edited=True))
    assert len(fake.sent()) == 1


@dataclass
class SlowOnCue:
    """The real core, taking a second over the message "chậm"."""

    inner: Assistant

    def handle(self, message: IncomingMessage) -> Reply:
        if message.text == "chậm":
            time.sleep(1.0)
        return self.inner.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_chats_are_answered_side_by_side_and_each_in_order(
    app: TelegramApp, fake: FakeTelegram, assistant: Assistant
) -> None:
    app.bot_data[CHANNEL_KEY].assistant = SlowOnCue(assistant)
    await app.start()
    try:
        for data in (
            message_update("chậm"),
            message_update("xin chào"),
            message_update("xin chào", user_id=OTHER_USER),
        ):
            await app.update_queue.put(Update.de_json(data, app.bot))
        await app.update_queue.join()  # as the server's shutdown does: answer all accepted
    finally:
        await app.stop()
    assert fake.sent()[0]["chat_id"] == OTHER_USER  # not held up by another chat's slow answer
    mine = texts_sent(fake)
    assert len(mine) == 2 and not mine[0].startswith("Chào") and mine[1].startswith("Chào")


# ---------------------------------------------------------------------------- long replies
@dataclass
class LongReplies:
    """The real core, with its replies made very long (no answer in the base is)."""

    inner: Assistant
    heard: list[str]

    def handle(self, message: IncomingMessage) -> Reply:
        self.heard.append(message.text)
        reply = self.inner.handle(message)
        story = "\n".join(f"• Dòng **{i}** có <thẻ> & ký tự đặc biệt 😀 " * 3 for i in range(120))
        word = "x" * 5000  # one "word" longer than a message
        return replace(
            reply,
            text=f"{reply.text}\n\n{story}\n{word}",
            buttons=[*reply.buttons, Button("Chi tiết", "@answer:" + "a" * 80)],
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_long_replies_are_split_under_the_limit_with_buttons_last(
    app: TelegramApp, fake: FakeTelegram, assistant: Assistant
) -> None:
    long_core = LongReplies(assistant, [])
    app.bot_data[CHANNEL_KEY].assistant = long_core
    await feed(app, message_update("trẻ bị bạo lực học đường"))
    calls = fake.sent()
    assert len(calls) >= 4  # the fake refuses >4096 characters or broken HTML with a 400
    assert all(len(visible_text(c["text"])) <= 4096 for c in calls)
    assert all(c.get("reply_markup") is None for c in calls[:-1]) and calls[-1].buttons
    shown = "".join(visible_text(c["text"]) for c in calls)
    assert shown.count("<thẻ> & ký tự") == 360 and shown.count("x") >= 5000
    # a payload over 64 bytes travels as a short id and comes back whole
    long_data = calls[-1].buttons[-1]["callback_data"]
    assert long_data.startswith("#") and len(long_data.encode()) <= 64
    await feed(app, callback_update(long_data))
    assert long_core.heard[-1] == "@answer:" + "a" * 80


# ---------------------------------------------------------------------------- /xoa
async def test_erase_deletes_tracked_messages_forgets_and_confirms_in_one_line(
    app: TelegramApp, fake: FakeTelegram, assistant: Assistant
) -> None:
    erased_keys: list[str] = []

    def record_erase(key: str) -> int:
        erased_keys.append(key)
        return 0

    assistant.erase_hooks.append(record_erase)
    first = message_update("tôi là giáo viên", message_id=41)
    second = message_update("học sinh bị xâm hại thì báo ai", message_id=42)
    await feed(app, first)
    await feed(app, second)
    bot_ids = {m["message_id"] for m in fake.delivered}
    assert len(bot_ids) == 2 and channel_of_state(app).role is not None
    fake.clear()

    await feed(app, message_update("/xoa", message_id=43))

    deleted = [i for c in fake.calls_to("deleteMessages") for i in c["message_ids"]]
    assert set(deleted) == {41, 42, 43} | bot_ids
    assert all(c["chat_id"] == USER_ID for c in fake.calls_to("deleteMessages"))
    [confirmation] = fake.sent()
    assert visible_text(confirmation["text"]) == "Đã xóa."
    assert "reply_parameters" not in confirmation.params
    assert erased_keys == [assistant.user_key("telegram", str(USER_ID))]
    assert channel_of_state(app).role is None
    # nothing left to delete: a second /xoa deletes only itself
    fake.clear()
    await feed(app, message_update("/xoa", message_id=44))
    deleted_again = [i for c in fake.calls_to("deleteMessages") for i in c["message_ids"]]
    assert 44 in deleted_again and 41 not in deleted_again


async def test_erase_falls_back_to_one_by_one_deletes(app: TelegramApp, fake: FakeTelegram) -> None:
    await feed(app, message_update("xin chào", message_id=61))
    fake.fail_next("deleteMessages", 404, "Not Found: method not found")
    fake.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")
    await feed(app, message_update("/xoa", message_id=62))
    singles = sorted(c["message_id"] for c in fake.calls_to("deleteMessage"))
    assert 61 in singles and 62 in singles
    assert visible_text(fake.sent()[-1]["text"]) == "Đã xóa."


async def test_erase_removes_the_users_logged_rows(
    app: TelegramApp, fake: FakeTelegram, assistant: Assistant, tg_settings: Settings
) -> None:
    pytest.importorskip("handlers.requestlog", reason="the request log lands in issue #6")
    key = assistant.user_key("telegram", str(USER_ID))
    assert key is not None
    await feed(app, message_update("con tôi bị bắt nạt ở trường"))
    await feed(app, message_update("em bị bạn đánh", user_id=OTHER_USER))
    wait_until(lambda: rows_holding(tg_settings.db_path, key) > 0)  # the writer may lag
    await feed(app, message_update("/xoa"))
    wait_until(lambda: rows_holding(tg_settings.db_path, key) == 0)
    other = assistant.user_key("telegram", str(OTHER_USER))
    assert other is not None and rows_holding(tg_settings.db_path, other) > 0


# ---------------------------------------------------------------------------- not text
@pytest.mark.parametrize("kind", sorted(ATTACHMENTS))
async def test_non_text_messages_get_a_clear_answer(
    app: TelegramApp, fake: FakeTelegram, kind: str
) -> None:
    await feed(app, message_update(**ATTACHMENTS[kind]))
    [call] = fake.sent()
    text = visible_text(call["text"])
    assert "chỉ đọc được tin nhắn chữ" in text and "111" in text
    assert any(b["callback_data"] == "@tel:111" for b in call.buttons)


async def test_a_caption_is_read_and_the_reply_says_only_words_were_read(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    photo = ATTACHMENTS["photo"]
    await feed(app, message_update(caption="cứu em, bố em đang đánh em", **photo))
    [call] = fake.sent()
    text = visible_text(call["text"])
    assert first_number(text) == "113" and "chỉ đọc được phần chữ" in text  # an attack now
    assert "111" in text


# ---------------------------------------------------------------------------- groups
async def test_in_a_group_the_bot_answers_only_when_addressed(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, message_update("bạo lực học đường là gì", chat_id=GROUP_ID))
    await feed(app, message_update("/help@another_bot", chat_id=GROUP_ID))
    await feed(app, message_update(**ATTACHMENTS["sticker"], chat_id=GROUP_ID))
    assert fake.sent(GROUP_ID) == [] and fake.calls_to("sendChatAction") == []

    mention = message_update(
        f"@{BOT_USERNAME} trẻ bị bạo lực học đường thì báo ai?",
        chat_id=GROUP_ID,
        mention=f"@{BOT_USERNAME}",
    )
    await feed(app, mention)
    [answer] = fake.sent(GROUP_ID)
    assert answer["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    assert "Nguồn" in visible_text(answer["text"])

    await feed(app, message_update("còn báo công an thì sao", chat_id=GROUP_ID, reply_to_bot=True))
    await feed(app, message_update(f"/khancap@{BOT_USERNAME}", chat_id=GROUP_ID))
    assert len(fake.sent(GROUP_ID)) == 3


async def test_added_to_a_group_the_bot_says_how_it_behaves(
    app: TelegramApp, fake: FakeTelegram
) -> None:
    await feed(app, added_to_group_update())
    [intro] = fake.sent(GROUP_ID)
    text = visible_text(intro["text"])
    assert f"@{BOT_USERNAME}" in text and f"t.me/{BOT_USERNAME}" in text and "111" in text


# ---------------------------------------------------------------------------- floods
async def test_a_flooding_user_is_told_once_and_others_are_not_slowed(
    app: TelegramApp, fake: FakeTelegram, clock: Clock
) -> None:
    for _ in range(8):  # the limit in these settings is 5 a minute
        await feed(app, message_update("xin chào"))
        clock.now += 1
    mine = texts_sent(fake)
    assert len(mine) == 6
    assert "nhắn nhanh quá" in mine[5] and "111" in mine[5]

    await feed(app, message_update("xin chào", user_id=OTHER_USER))
    assert len(texts_sent(fake, OTHER_USER)) == 1

    await feed(app, message_update("cứu em, bố em đang đánh em"))  # danger is always heard
    assert first_number(texts_sent(fake)[-1]) == "113"  # an attack now: the police first
    assert "111" in texts_sent(fake)[-1]

    await feed(app, message_update("/xoa"))  # a quick erase always goes through
    assert texts_sent(fake)[-1] == "Đã xóa."

    clock.now += 120
    await feed(app, message_update("cảm ơn"))
    assert len(texts_sent(fake)) == 9


# ---------------------------------------------------------------------------- failures
async def test_a_failed_send_is_logged_without_content_and_answered_with_111(
    app: TelegramApp, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_story = "chú hàng xóm sờ vào người con gái tôi"
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    await feed(app, message_update(secret_story))
    apology = fake.sent()[-1]
    assert "trục trặc" in visible_text(apology["text"]) and "111" in apology["text"]
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert secret_story not in logged and str(USER_ID) not in logged


async def test_refused_html_is_resent_as_plain_text(app: TelegramApp, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported tag")
    await feed(app, message_update("/khancap"))
    refused, plain = fake.sent()
    assert refused["parse_mode"] == "HTML" and "parse_mode" not in plain.params
    assert "<b>" not in plain["text"] and "111" in plain["text"]


async def test_info_logs_carry_no_ids_or_text(
    app: TelegramApp, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    story = "em bị bạn cùng lớp đánh hoài"
    await feed(app, message_update(story))
    await feed(app, callback_update("@intent:school_violence"))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert story not in logged and str(USER_ID) not in logged and TOKEN not in logged
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING

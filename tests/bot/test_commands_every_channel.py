"""One command table (handlers/commands.py, issue #19) drives every channel: the slash
command, the words typed as the whole message, and the erase button are the same erase on
the web chat (/api/chat over loopback), Telegram (real Update objects, the fake Bot API) and
Zalo (signed webhooks, the fake OA API). Each channel only translates to the table."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Update

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.app import TelegramApp, build_application
from bot.telegram.render import visible_text
from bot.zalo.render import plain_text
from handlers.commands import (
    CORE_COMMANDS,
    ERASE_PAYLOAD,
    KEYWORDS,
    SLASH_COMMANDS,
    START_ROLES,
    command_for,
    command_for_payload,
    command_for_slash,
    role_for_start,
)
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from tests import fake_telegram
from tests.bot.zalo.test_zalo_webhook import post_event, replies_to, zalo_settings
from tests.fake_telegram import FakeTelegram, callback_update, message_update
from tests.fake_zalo import FakeZalo
from tests.servers import serve

ERASE_SPELLINGS = ("/xoa", "xóa", "Xoá!", "XÓA DỮ LIỆU", ERASE_PAYLOAD)


class Erasures:
    """An erase hook that counts the erasures it is asked for."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.failing = False

    def __call__(self, key: str) -> int:
        if self.failing:
            raise OSError("disk full")
        self.keys.append(key)
        return 0


@pytest.fixture
def erasures(assistant: Assistant) -> Erasures:
    hook = Erasures()
    assistant.erase_hooks.append(hook)
    return hook


# ---------------------------------------------------------------------------- the table
def test_every_way_in_names_a_command_of_the_core() -> None:
    named = set(SLASH_COMMANDS.values()) | set(KEYWORDS.values())
    assert named <= CORE_COMMANDS
    assert set(START_ROLES.values()) == {"parent", "student", "teacher"}


@pytest.mark.parametrize("text", ERASE_SPELLINGS[:-1])
def test_typed_and_slash_forms_of_erase_are_one_command(text: str) -> None:
    assert command_for(text) == "erase"


def test_the_same_command_by_slash_payload_and_words() -> None:
    assert command_for_slash("/xoa") == command_for_payload(ERASE_PAYLOAD) == "erase"
    assert command_for_slash("/vaitro@childsafe_bot") == command_for("Đổi vai trò") == "role"
    assert command_for_slash("/nguoi") == command_for("người") == "handoff"
    assert command_for_slash("/whatever") == "help"  # an unknown command shows help
    assert command_for("Bắt đầu!") == "start"  # an exclamation mark is no plea
    assert command_for("help") is None  # the bare word may be a plea: the core answers it
    assert command_for("xóa ảnh đi") is None  # a question, not a command
    assert command_for_payload("@intent:help") is None
    assert role_for_start(" HocSinh ") == "student"


@pytest.mark.parametrize("text", ERASE_SPELLINGS)
def test_the_core_erases_for_every_spelling(
    assistant: Assistant, erasures: Erasures, text: str
) -> None:
    reply = assistant.handle(IncomingMessage(text, user="lan", channel="api"))
    assert reply.kind == "erase" and reply.ok
    assert erasures.keys == [assistant.user_key("api", "lan")]


# ---------------------------------------------------------------------------- web chat
def test_web_chat_erases_by_words_slash_and_button(
    settings: Settings, assistant: Assistant, erasures: Erasures
) -> None:
    with serve(create_app(settings, assistant)) as base:
        for n, text in enumerate(ERASE_SPELLINGS):
            session = f"web-{n}"
            response = httpx.post(
                f"{base}/api/chat", json={"text": text, "session": session}, timeout=10
            )
            assert response.status_code == 200, text
            assert response.json()["kind"] == "erase", text
            assert erasures.keys[-1] == assistant.user_key("web", session)
        start = httpx.post(f"{base}/api/chat", json={"text": "Bắt đầu!"}, timeout=10).json()
    assert len(erasures.keys) == len(ERASE_SPELLINGS)
    assert start["kind"] == "command"


# ---------------------------------------------------------------------------- Telegram
@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
async def tg_app(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram
) -> AsyncIterator[TelegramApp]:
    tg_settings = settings.model_copy(
        update={
            "telegram_token": fake_telegram.TOKEN,
            "telegram_api_base_url": f"{fake_tg.url}/bot",
        }
    )
    application = build_application(tg_settings, assistant)
    async with application:
        yield application


@pytest.mark.parametrize(
    "update",
    [
        message_update("/xoa"),
        message_update("xóa"),
        message_update("Xóa dữ liệu!"),
        callback_update(ERASE_PAYLOAD),
    ],
    ids=["slash", "word", "words", "button"],
)
async def test_telegram_erases_by_slash_words_and_button(
    tg_app: TelegramApp,
    fake_tg: FakeTelegram,
    assistant: Assistant,
    erasures: Erasures,
    update: dict[str, object],
) -> None:
    await tg_app.process_update(Update.de_json(message_update("xin chào"), tg_app.bot))
    fake_tg.clear()
    await tg_app.process_update(Update.de_json(update, tg_app.bot))
    assert erasures.keys == [assistant.user_key("telegram", str(fake_telegram.USER_ID))]
    assert fake_tg.calls_to("deleteMessages") or fake_tg.calls_to("deleteMessage")
    assert [visible_text(c["text"]) for c in fake_tg.sent()] == ["Đã xóa."]


async def test_telegram_reads_typed_words_as_the_slash_commands(
    tg_app: TelegramApp, fake_tg: FakeTelegram
) -> None:
    for typed, slash in (("khẩn cấp", "/khancap"), ("Bắt đầu!", "/start"), ("vai trò", "/vaitro")):
        seen: list[list[str]] = []
        for text in (slash, typed):
            fake_tg.clear()
            await tg_app.process_update(Update.de_json(message_update(text), tg_app.bot))
            seen.append([visible_text(c["text"]) for c in fake_tg.sent()])
        assert seen[0] and seen[0] == seen[1], typed


# ---------------------------------------------------------------------------- Zalo
@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def test_zalo_erases_by_words_slash_and_button(
    settings: Settings, assistant: Assistant, fake_zalo: FakeZalo, erasures: Erasures
) -> None:
    z_settings = zalo_settings(settings, fake_zalo)
    key = assistant.user_key("zalo", user := "zalo-user-1")
    with serve(create_app(z_settings, assistant)) as base:
        for text in ("/xoa", "xóa", "Xóa dữ liệu!"):
            erasures.keys.clear()
            payload = fake_zalo.incoming("user_send_text", user, text=text)
            assert post_event(base, payload).status_code == 200
            [answer] = replies_to(fake_zalo, payload)
            assert "Zalo không cho phép mình xóa" in answer.text, text
            assert erasures.keys == [key], text
        # a failed erase offers "Thử xóa lại"; the button's payload erases once it can
        erasures.failing = True
        failed = fake_zalo.incoming("user_send_text", user, text="xoa")
        assert post_event(base, failed).status_code == 200
        [not_erased] = replies_to(fake_zalo, failed)
        [retry] = [b for b in not_erased.buttons if "xóa lại" in b["title"]]
        erasures.failing = False
        erasures.keys.clear()
        tap = fake_zalo.incoming("user_send_text", user, text=retry["payload"])
        assert post_event(base, tap).status_code == 200
        [answer] = replies_to(fake_zalo, tap)
    assert "Zalo không cho phép mình xóa" in plain_text(answer.text)
    assert erasures.keys == [key]


# ---------------------------------------------------------------------------- admission
# One admission policy (handlers/admission.py): over the flood limit a sender is told once and
# then held back; danger now, erase and a request for a person always pass, on every channel.
FLOOD = ("xin chào", "cảm ơn", "học phí", "hỏi chút", "alo")
DANGER = "cứu em, bố em đang đánh em"


def test_web_chat_admission(settings: Settings, assistant: Assistant, erasures: Erasures) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 2})
    with serve(create_app(limited, assistant)) as base:

        def chat(text: str) -> httpx.Response:
            body = {"text": text, "session": "flooder"}
            return httpx.post(f"{base}/api/chat", json=body, timeout=10)

        statuses = [chat(text).status_code for text in FLOOD]
        assert statuses[:2] == [200, 200] and set(statuses[2:]) == {429}
        danger = chat(DANGER)
        erase = chat("xóa")
    assert danger.status_code == 200 and danger.json()["kind"] == "urgent"
    assert erase.status_code == 200 and erase.json()["kind"] == "erase"
    assert erasures.keys == [assistant.user_key("web", "flooder")]


async def test_telegram_admission(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram, erasures: Erasures
) -> None:
    limited = settings.model_copy(
        update={
            "telegram_token": fake_telegram.TOKEN,
            "telegram_api_base_url": f"{fake_tg.url}/bot",
            "rate_limit_per_minute": 2,
        }
    )
    application = build_application(limited, assistant, clock=lambda: 1000.0)
    async with application:
        for text in FLOOD:
            await application.process_update(Update.de_json(message_update(text), application.bot))
        sent = [visible_text(c["text"]) for c in fake_tg.sent()]
        assert len(sent) == 3 and "nhắn nhanh quá" in sent[2]  # told once, then quiet
        fake_tg.clear()
        await application.process_update(Update.de_json(message_update(DANGER), application.bot))
        assert "113" in visible_text(fake_tg.sent()[0]["text"])
        await application.process_update(
            Update.de_json(callback_update(ERASE_PAYLOAD), application.bot)
        )
    assert erasures.keys == [assistant.user_key("telegram", str(fake_telegram.USER_ID))]


def test_zalo_admission(
    settings: Settings, assistant: Assistant, fake_zalo: FakeZalo, erasures: Erasures
) -> None:
    z_settings = zalo_settings(settings, fake_zalo, rate_limit_per_minute=2)
    with serve(create_app(z_settings, assistant)) as base:
        for text in FLOOD:
            assert (
                post_event(base, fake_zalo.incoming("user_send_text", text=text)).status_code == 200
            )
        danger = fake_zalo.incoming("user_send_text", text=DANGER)
        assert post_event(base, danger).status_code == 200
        [urgent] = replies_to(fake_zalo, danger)
        erase = fake_zalo.incoming("user_send_text", text="/xoa")
        assert post_event(base, erase).status_code == 200
        [erased] = replies_to(fake_zalo, erase)
        texts = [s.text for s in fake_zalo.sent]
    assert sum("nhắn nhanh quá" in t for t in texts) == 1  # told once, then quiet
    assert len(texts) == 2 + 1 + 2  # two answers, one notice, danger and erase
    assert "113" in urgent.text and "Zalo không cho phép mình xóa" in erased.text
    assert len(erasures.keys) == 1

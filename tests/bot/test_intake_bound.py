"""The intake is bounded (#18): past `CHILDSAFE_INBOX_MAX_PENDING` updates accepted and not yet
answered, the Telegram and Zalo webhooks answer 503 with `Retry-After` before storing anything,
so the platform sends the update again; every update acknowledged with 200 is answered, and a
refused one is answered once it is sent again. Through the real app on loopback, the real
durable inbox and the loopback fakes of both platforms."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.zalo.webhook import WEBHOOK_PATH as ZALO_PATH
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.shared import state_db_path
from tests.fake_telegram import TOKEN, USER_ID, FakeTelegram, message_update
from tests.fake_zalo import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    REFRESH_TOKEN,
    FakeZalo,
    signed,
)
from tests.helpers import wait_until
from tests.servers import serve

SECRET = "s3cret-Token_1"
BOUND = 3


@dataclass
class GatedCore:
    """The real core, held at a gate: what is accepted piles up unanswered."""

    inner: Assistant
    gate: threading.Event

    def handle(self, message: IncomingMessage) -> Reply:
        assert self.gate.wait(30)
        return self.inner.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def open_rows(db_path: Path) -> int:
    with sqlite3.connect(state_db_path(db_path)) as db:
        return int(db.execute("SELECT count(*) FROM inbox WHERE done IS NULL").fetchone()[0])


def stored_keys(db_path: Path) -> set[str]:
    with sqlite3.connect(state_db_path(db_path)) as db:
        return {str(key) for (key,) in db.execute("SELECT key FROM inbox").fetchall()}


def test_telegram_past_the_bound_is_refused_with_retry_after_and_nothing_acknowledged_is_lost(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram
) -> None:
    bounded = settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"{fake_tg.url}/bot",
            "telegram_webhook_url": "https://bot.example.org",
            "telegram_webhook_secret": SECRET,
            "inbox_max_pending": BOUND,
        }
    )
    gate = threading.Event()
    chats = [USER_ID + n for n in range(BOUND + 2)]
    updates = [message_update("xin chào", user_id=chat) for chat in chats]

    def post(update: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{base}{WEBHOOK_PATH}",
            content=json.dumps(update, ensure_ascii=False),
            headers={"content-type": "application/json", SECRET_HEADER: SECRET},
            timeout=15,
        )

    with serve(create_app(bounded, GatedCore(assistant, gate))) as base:  # type: ignore[arg-type]
        fake_tg.wait_for("setWebhook")
        answers = [post(update) for update in updates]
        assert [a.status_code for a in answers] == [200] * BOUND + [503, 503]
        for refused in answers[BOUND:]:
            assert int(refused.headers["retry-after"]) > 0
        # refused before storing: only the acknowledged updates are in the inbox
        assert stored_keys(settings.db_path) == {str(u["update_id"]) for u in updates[:BOUND]}
        assert open_rows(settings.db_path) == BOUND
        gate.set()
        for chat in chats[:BOUND]:  # every acknowledged update is answered
            fake_tg.wait_for("sendMessage", lambda c, chat=chat: c["chat_id"] == chat)
        wait_until(lambda: open_rows(settings.db_path) == 0)
        assert all(not fake_tg.sent(chat) for chat in chats[BOUND:])  # refused: not answered
        # Telegram sends the refused updates again: now there is room, they are answered
        assert [post(update).status_code for update in updates[BOUND:]] == [200, 200]
        for chat in chats[BOUND:]:
            fake_tg.wait_for("sendMessage", lambda c, chat=chat: c["chat_id"] == chat)
        wait_until(lambda: open_rows(settings.db_path) == 0)
    counts = [len(fake_tg.sent(chat)) for chat in chats]
    assert counts == [counts[0]] * len(chats) and counts[0] >= 1  # each answered once, alike


def test_zalo_past_the_bound_is_refused_with_retry_after_and_nothing_acknowledged_is_lost(
    settings: Settings, assistant: Assistant, fake_zalo: FakeZalo
) -> None:
    bounded = settings.model_copy(
        update={
            "zalo_app_id": APP_ID,
            "zalo_app_secret": APP_SECRET,
            "zalo_oa_secret_key": OA_SECRET_KEY,
            "zalo_access_token": ACCESS_TOKEN,
            "zalo_refresh_token": REFRESH_TOKEN,
            "zalo_api_base_url": fake_zalo.url,
            "zalo_oauth_base_url": fake_zalo.url,
            "inbox_max_pending": BOUND,
        }
    )
    gate = threading.Event()
    users = [f"61424948230000009{n:02d}" for n in range(BOUND + 2)]
    events = [fake_zalo.incoming("user_send_text", user, text="xin chào") for user in users]
    ids = [str(e["message"]["msg_id"]) for e in events]

    def post(payload: dict[str, Any]) -> httpx.Response:
        body, headers = signed(payload)
        return httpx.post(f"{base}{ZALO_PATH}", content=body, headers=headers, timeout=15)

    def answered(msg_id: str) -> int:
        return len([s for s in fake_zalo.sent if s.recipient.get("message_id") == msg_id])

    with serve(create_app(bounded, GatedCore(assistant, gate))) as base:  # type: ignore[arg-type]
        answers = [post(payload) for payload in events]
        assert [a.status_code for a in answers] == [200] * BOUND + [503, 503]
        for refused in answers[BOUND:]:
            assert int(refused.headers["retry-after"]) > 0
        assert {k.split(":", 1)[1] for k in stored_keys(settings.db_path)} == set(ids[:BOUND])
        gate.set()
        wait_until(lambda: all(answered(i) for i in ids[:BOUND]))  # every acknowledged one
        wait_until(lambda: open_rows(settings.db_path) == 0)
        assert not any(answered(i) for i in ids[BOUND:])
        assert [post(payload).status_code for payload in events[BOUND:]] == [200, 200]
        wait_until(lambda: all(answered(i) for i in ids))
        wait_until(lambda: open_rows(settings.db_path) == 0)
    counts = [answered(i) for i in ids]
    assert counts == [counts[0]] * len(ids) and counts[0] >= 1  # each answered once, alike

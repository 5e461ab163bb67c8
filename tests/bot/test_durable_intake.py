"""Durable intake (#14): a Telegram or Zalo update is on disk before the platform has its 200;
everything acknowledged is answered, after a kill -9 too; every update is answered once
however often it is delivered, to however many processes; the inbox keeps no text once an
update is answered, is bounded, and closes very old updates unanswered."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.zalo.webhook import WEBHOOK_PATH as ZALO_PATH
from handlers.inbox import Inbox, Verdict
from handlers.pipeline import Assistant
from handlers.shared import state_db_path
from tests.fake_telegram import GROUP_ID, TOKEN, USER_ID, FakeTelegram, message_update
from tests.fake_zalo import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    REFRESH_TOKEN,
    FakeZalo,
    signed,
)
from tests.fake_zalo import USER_ID as ZALO_USER
from tests.helpers import wait_until
from tests.processes import Server, running, server_env
from tests.servers import serve

SECRET = "s3cret-Token_1"
URGENT = "em muốn tự tử"


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


def tg_settings(settings: Settings, fake: FakeTelegram, **updates: Any) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_api_base_url": f"{fake.url}/bot",
            "telegram_webhook_url": "https://bot.example.org",
            "telegram_webhook_secret": SECRET,
            **updates,
        }
    )


def post_update(base: str, update: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{base}{WEBHOOK_PATH}",
        content=json.dumps(update, ensure_ascii=False),
        headers={"content-type": "application/json", SECRET_HEADER: SECRET},
        timeout=15,
    )


def post_zalo(base: str, payload: dict[str, Any]) -> httpx.Response:
    body, headers = signed(payload)
    return httpx.post(f"{base}{ZALO_PATH}", content=body, headers=headers, timeout=15)


def open_rows(db_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(state_db_path(db_path)) as db:
        return db.execute("SELECT channel, key, body FROM inbox WHERE done IS NULL").fetchall()


def bodies_kept(db_path: Path) -> int:
    with sqlite3.connect(state_db_path(db_path)) as db:
        return int(db.execute("SELECT count(*) FROM inbox WHERE body IS NOT NULL").fetchone()[0])


# ---------------------------------------------------------------------------- in process
def test_the_same_telegram_update_three_times_is_answered_once(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram
) -> None:
    update = message_update("trẻ bị bạo lực học đường thì báo ai")
    with serve(create_app(tg_settings(settings, fake_tg), assistant)) as base:
        fake_tg.wait_for("setWebhook")
        statuses = [post_update(base, update).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]  # each delivery acknowledged: no resend storm
        fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID)
        other = message_update("xin chào", user_id=USER_ID + 1)
        assert post_update(base, other).status_code == 200
        fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID + 1)
        wait_until(lambda: not open_rows(settings.db_path))
    assert len(fake_tg.sent(USER_ID)) == 1
    assert bodies_kept(settings.db_path) == 0  # answered: no text left in the inbox


def test_a_full_inbox_answers_503_so_telegram_sends_it_again(
    settings: Settings, assistant: Assistant, fake_tg: FakeTelegram
) -> None:
    full = tg_settings(settings, fake_tg, inbox_max_pending=0)
    with serve(create_app(full, assistant)) as base:
        fake_tg.wait_for("setWebhook")
        assert post_update(base, message_update("xin chào")).status_code == 503
    assert fake_tg.sent() == []


def test_the_inbox_is_bounded_forgets_text_and_closes_very_old_updates(tmp_path: Path) -> None:
    now = [1_000_000.0]
    path = state_db_path(tmp_path / "childsafe.db")
    first = Inbox(path, max_pending=2, max_age=3600, clock=lambda: now[0], lease=30)
    assert first.accept("telegram", "1", '{"update_id": 1}') is Verdict.NEW
    assert first.accept("telegram", "1", '{"update_id": 1}') is Verdict.DUPLICATE
    assert first.accept("telegram", "2", '{"update_id": 2}') is Verdict.NEW
    assert first.accept("telegram", "3", '{"update_id": 3}') is Verdict.FULL
    first.done("telegram", "1")
    assert first.accept("telegram", "3", '{"update_id": 3}') is Verdict.NEW
    assert first.accept("telegram", "1", '{"update_id": 1}') is Verdict.DUPLICATE  # still known

    # the owner stops renewing; another process takes over after the lease
    second = Inbox(path, max_pending=2, max_age=3600, clock=lambda: now[0], lease=30)
    assert second.reclaim("telegram") == []  # the lease still runs
    now[0] += 31
    assert sorted(i.key for i in second.reclaim("telegram")) == ["2", "3"]
    # a day later, nobody has answered them: closed unanswered, the text gone
    third = Inbox(path, max_pending=2, max_age=3600, clock=lambda: now[0], lease=30)
    now[0] += 7200
    assert third.reclaim("telegram") == []
    assert third.dropped_old == 2 and third.open_count() == 0
    assert bodies_kept(tmp_path / "childsafe.db") == 0


@pytest.mark.slow
def test_rows_of_a_dead_process_on_this_machine_are_taken_at_once(tmp_path: Path) -> None:
    path = state_db_path(tmp_path / "childsafe.db")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    dead = Inbox(path)
    dead.owner = f"{dead.host}|{int(gone.stdout)}|killed"
    assert dead.accept("zalo", "user_send_text:m1", "{}") is Verdict.NEW
    alive = Inbox(path)
    assert [i.key for i in alive.reclaim("zalo")] == ["user_send_text:m1"]


# ---------------------------------------------------------------------------- kill -9
def serve_env(tmp_path: Path, fake_tg: FakeTelegram, fake_zalo: FakeZalo) -> dict[str, str]:
    return server_env(
        tmp_path / "childsafe.db",
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"{fake_tg.url}/bot",
        TELEGRAM_WEBHOOK_URL="https://bot.example.org",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        ZALO_APP_ID=APP_ID,
        ZALO_APP_SECRET=APP_SECRET,
        ZALO_OA_SECRET_KEY=OA_SECRET_KEY,
        ZALO_ACCESS_TOKEN=ACCESS_TOKEN,
        ZALO_REFRESH_TOKEN=REFRESH_TOKEN,
        ZALO_API_BASE_URL=fake_zalo.url,
        ZALO_OAUTH_BASE_URL=fake_zalo.url,
        CHILDSAFE_RATE_LIMIT_PER_MINUTE="10000",
    )


def quoted(fake: FakeTelegram) -> set[int]:
    """The messages the bot answered in the group (each answer quotes its message)."""
    return {
        c["reply_parameters"]["message_id"]
        for c in fake.sent(GROUP_ID)
        if isinstance(c.get("reply_parameters"), dict)
    }


@pytest.mark.slow
def test_everything_acknowledged_is_answered_after_a_kill_9(
    tmp_path: Path, fake_tg: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    env = serve_env(tmp_path, fake_tg, fake_zalo)
    # One group chat and one Zalo user: each answers in order, one at a time, and every
    # answer takes 0.4 s to reach the platform, so most are still unanswered at the kill.
    fake_tg.send_delay = fake_zalo.send_delay = 0.4
    tg_ids = list(range(900, 915))
    zalo_events = [
        fake_zalo.incoming("user_send_text", ZALO_USER, text=f"{URGENT} {n}") for n in range(15)
    ]
    first = Server(env, tmp_path)
    try:
        first.wait_ready()
        fake_tg.wait_for("setWebhook", timeout=30)
        for message_id in tg_ids:
            update = message_update(
                URGENT, chat_id=GROUP_ID, message_id=message_id, reply_to_bot=True
            )
            assert post_update(first.url, update).status_code == 200
        for payload in zalo_events:
            assert post_zalo(first.url, payload).status_code == 200
    finally:
        first.kill()  # SIGKILL: no draining, no clean-up
    answered_before = len(quoted(fake_tg)), len(fake_zalo.sent)
    assert answered_before[0] < len(tg_ids) and answered_before[1] < len(zalo_events)
    assert open_rows(tmp_path / "childsafe.db")  # acknowledged, unanswered, on disk

    with running(env, tmp_path):
        wait_until(lambda: quoted(fake_tg) >= set(tg_ids), timeout=120)
        wanted = {p["message"]["msg_id"] for p in zalo_events}
        wait_until(
            lambda: {s.recipient.get("message_id") for s in fake_zalo.sent} >= wanted,
            timeout=120,
        )
        wait_until(lambda: not open_rows(tmp_path / "childsafe.db"), timeout=30)
    assert quoted(fake_tg) == set(tg_ids)
    assert all("111" in c["text"] for c in fake_tg.sent(GROUP_ID))
    assert bodies_kept(tmp_path / "childsafe.db") == 0


@pytest.mark.slow
def test_one_update_sent_to_two_processes_is_answered_once(
    tmp_path: Path, fake_tg: FakeTelegram, fake_zalo: FakeZalo
) -> None:
    env = serve_env(tmp_path, fake_tg, fake_zalo)
    with running(env, tmp_path) as one, running(env, tmp_path) as two:
        fake_tg.wait_for("setWebhook", count=2, timeout=30)
        payload = fake_zalo.incoming("user_send_text", ZALO_USER, text="con tôi bị bắt nạt")
        update = message_update("con tôi bị bắt nạt", user_id=USER_ID)
        for server in (one, two, one):
            assert post_zalo(server.url, payload).status_code == 200
            assert post_update(server.url, update).status_code == 200
        fake_zalo.wait_for_sent(1, lambda s: s.user_id == ZALO_USER)
        fake_tg.wait_for("sendMessage", lambda c: c["chat_id"] == USER_ID)
        time.sleep(2.0)  # time enough for a second answer, were there one
    assert len([s for s in fake_zalo.sent if s.user_id == ZALO_USER]) == 1
    assert len(fake_tg.sent(USER_ID)) == 1

"""Erase tells the truth (#14): it reports what it erased, says it failed when the database
is locked or full, and leaves the erased words nowhere: not in the table, not in the search
index, not in freed pages. Real SQLite files; the web route over real HTTP; Telegram and
Zalo through their fakes."""

from __future__ import annotations

import resource
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.app import TelegramApp, build_application
from bot.telegram.render import visible_text
from bot.wiring import build_assistant
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from handlers.requestlog import RequestLog
from tests.fake_telegram import TOKEN, FakeTelegram, message_update
from tests.servers import serve

MARKER = "quyxzetrombolia"  # one unique word, to look for in the database's bytes
FAILED = "Chưa xóa được"


def db_bytes(db_path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


@pytest.fixture
def quick_assistant(settings: Settings) -> Iterator[Assistant]:
    """An assistant whose request log gives up on a lock after 0.2 s (5 s in production)."""
    bot = build_assistant(settings, with_logging=False)
    request_log = RequestLog.open(settings.db_path, busy_timeout=0.2)
    request_log.attach_to(bot)
    yield bot
    bot.close()


def say(assistant: Assistant, text: str, user: str = "lan", channel: str = "api") -> Any:
    return assistant.handle(IncomingMessage(text, user=user, channel=channel))


def flushed(assistant: Assistant) -> RequestLog:
    request_log = assistant.request_log
    assert request_log is not None and request_log.flush(10)
    return request_log


# ---------------------------------------------------------------------------- the words go
def test_erase_removes_the_words_from_table_index_and_file(
    assistant: Assistant, settings: Settings
) -> None:
    for n in range(60):  # committed in many batches: the index holds many segments
        say(assistant, f"con tôi bị đánh lần {n}", user="other")
        if n % 10 == 0:
            say(assistant, f"em tên {MARKER} bị bắt nạt lần {n}")
            flushed(assistant)
    flushed(assistant)
    with sqlite3.connect(settings.db_path) as db:
        hits = db.execute(
            "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH ?", (MARKER,)
        ).fetchone()[0]
    assert hits == 6
    db_file_before = db_bytes(settings.db_path)
    assert MARKER.encode() in db_file_before  # the test can see the word when it is there

    result = assistant.erase("api", "lan")
    assert result.ok and result.rows == 6
    assistant.close()

    with sqlite3.connect(settings.db_path) as db:
        assert (
            db.execute(
                "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH ?", (MARKER,)
            ).fetchone()[0]
            == 0
        )
        assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 60  # "other" stays
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert MARKER.encode() not in db_bytes(settings.db_path)


# ---------------------------------------------------------------------------- locked, full
def test_erase_with_the_database_locked_says_it_failed_and_erases_later(
    quick_assistant: Assistant, settings: Settings
) -> None:
    say(quick_assistant, f"em tên {MARKER}")
    flushed(quick_assistant)
    blocker = sqlite3.connect(settings.db_path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        reply = say(quick_assistant, "/xoa".replace("/xoa", "@cmd:erase"))
        assert reply.kind == "erase" and not reply.ok
        assert FAILED in reply.text and "Đã xóa" not in reply.text and "111" in reply.text
        assert any(b.payload == "@cmd:erase" for b in reply.buttons)  # try again
    finally:
        blocker.rollback()
        blocker.close()
    again = say(quick_assistant, "@cmd:erase")
    assert again.kind == "erase" and again.ok and again.text.startswith("Đã xóa")
    quick_assistant.close()
    assert MARKER.encode() not in db_bytes(settings.db_path)


def test_erase_on_a_full_disk_says_it_failed(
    quick_assistant: Assistant, settings: Settings
) -> None:
    for n in range(40):
        say(quick_assistant, f"em tên {MARKER} lần {n}, bạn em bị bắt nạt ở trường {n}")
    request_log = flushed(quick_assistant)
    request_log._run_job(lambda db: db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    # A full disk: this process may write no byte beyond the first 4 KiB of any file, so
    # SQLite cannot append the erase to its WAL (the kernel answers EFBIG, as a full disk
    # answers ENOSPC; SQLite reports either as an I/O or "disk is full" error).
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        reply = say(quick_assistant, "@cmd:erase")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert reply.kind == "erase" and not reply.ok
    assert FAILED in reply.text and "Đã xóa" not in reply.text
    with sqlite3.connect(settings.db_path) as db:  # nothing half-done: every row still there
        assert (
            db.execute("SELECT count(*) FROM requests WHERE user_hash IS NOT NULL").fetchone()[0]
            == 40
        )
    again = say(quick_assistant, "@cmd:erase")  # space again: the erase goes through
    assert again.ok and again.text.startswith("Đã xóa")


def test_api_erase_with_the_database_locked_is_503_and_not_erased(
    quick_assistant: Assistant, settings: Settings
) -> None:
    with serve(create_app(settings, quick_assistant)) as base:
        session = "s" * 32
        chat = httpx.post(f"{base}/api/chat", json={"text": "xin chào", "session": session})
        assert chat.status_code == 200
        flushed(quick_assistant)
        blocker = sqlite3.connect(settings.db_path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            response = httpx.post(f"{base}/api/erase", json={"session": session}, timeout=20)
        finally:
            blocker.rollback()
            blocker.close()
        assert response.status_code == 503
        assert response.json()["ok"] is False and response.json()["erased"] == 0
        # the chat's own erase command tells the same truth
        blocker = sqlite3.connect(settings.db_path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            typed = httpx.post(
                f"{base}/api/chat", json={"text": "@cmd:erase", "session": session}, timeout=20
            ).json()
        finally:
            blocker.rollback()
            blocker.close()
        assert typed["kind"] == "erase" and typed["ok"] is False and FAILED in typed["text"]
        ok = httpx.post(f"{base}/api/erase", json={"session": session}, timeout=20)
        assert ok.status_code == 200 and ok.json() == {"erased": 1, "ok": True}


# ---------------------------------------------------------------------------- channels
@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


async def test_telegram_xoa_on_a_locked_database_deletes_nothing_and_says_so(
    quick_assistant: Assistant, settings: Settings, fake_telegram: FakeTelegram
) -> None:
    tg = settings.model_copy(
        update={"telegram_token": TOKEN, "telegram_api_base_url": f"{fake_telegram.url}/bot"}
    )
    application: TelegramApp = build_application(tg, quick_assistant)
    async with application:
        await application.process_update(
            Update.de_json(message_update("con tôi bị bắt nạt", message_id=41), application.bot)
        )
        flushed(quick_assistant)
        fake_telegram.clear()
        blocker = sqlite3.connect(settings.db_path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            await application.process_update(
                Update.de_json(message_update("/xoa", message_id=42), application.bot)
            )
        finally:
            blocker.rollback()
            blocker.close()
    [sent] = fake_telegram.sent()
    assert FAILED in visible_text(sent["text"]) and "Đã xóa" not in visible_text(sent["text"])
    assert not fake_telegram.calls_to("deleteMessages")
    assert not fake_telegram.calls_to("deleteMessage")

"""Logged before acknowledged (#14): `/api/chat` answers only once the exchange's log row is
committed, so a server killed with SIGKILL in the middle of a burst has a row for every
request it answered."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from handlers.identity import user_key
from handlers.pipeline import Assistant
from tests.processes import Server, server_env
from tests.servers import serve

TEXTS = ["con tôi bị bạn đánh ở trường", "em muốn tự tử", "xin chào", "báo cáo ở đâu"]


def test_a_chat_reply_waits_for_its_row(assistant: Assistant, settings: Settings) -> None:
    request_log = assistant.request_log
    assert request_log is not None
    with (
        serve(create_app(settings, assistant)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        for n in range(5):
            session = f"s{n:031d}"
            assert client.post(
                "/api/chat", json={"text": "xin chào", "session": session}
            ).is_success
            stats = request_log.stats()
            assert stats.written == n + 1 and stats.queued == 0  # committed before the reply
            with sqlite3.connect(settings.db_path) as db:
                key = user_key(b"test-secret-0123456789abcdef-0123456789", "web", session)
                assert db.execute(
                    "SELECT count(*) FROM requests WHERE user_hash = ?", (key,)
                ).fetchone() == (1,)


@pytest.mark.slow
def test_no_acknowledged_chat_is_lost_to_a_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "childsafe.db"
    server = Server(server_env(db, CHILDSAFE_RATE_LIMIT_PER_MINUTE="0"), tmp_path)
    answered: list[str] = []
    lock = threading.Lock()
    try:
        server.wait_ready()

        def chat(n: int) -> None:
            session = f"k{n:031d}"
            try:
                response = httpx.post(
                    f"{server.url}/api/chat",
                    json={"text": TEXTS[n % len(TEXTS)], "session": session},
                    timeout=30,
                )
            except httpx.HTTPError:
                return  # killed before it answered: not acknowledged
            if response.status_code == 200:
                with lock:
                    answered.append(session)

        with ThreadPoolExecutor(32) as pool:
            futures = [pool.submit(chat, n) for n in range(600)]
            deadline = time.monotonic() + 60
            while len(answered) < 40 and time.monotonic() < deadline:
                time.sleep(0.01)
            # Another writer holds the log's lock: rows wait in the writer's queue. A server
            # that answered before committing would keep answering now, rows unwritten.
            blocker = sqlite3.connect(db, timeout=10)
            blocker.execute("BEGIN IMMEDIATE")
            time.sleep(1.0)  # less than COMMIT_WAIT_SECONDS: a reply would still be waiting
            server.kill()  # SIGKILL while rows wait
            blocker.rollback()
            blocker.close()
            for future in futures:
                future.result()
    finally:
        server.kill()
    assert 40 <= len(answered) < 600, "the kill must land in the middle of the burst"
    with sqlite3.connect(db) as conn:
        logged = {row[0] for row in conn.execute("SELECT user_hash FROM requests")}
    lost = [
        s
        for s in answered
        if user_key(b"test-secret-0123456789abcdef-0123456789", "web", s) not in logged
    ]
    assert lost == [], f"{len(lost)} of {len(answered)} acknowledged requests have no row"

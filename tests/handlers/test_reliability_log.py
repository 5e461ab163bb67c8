"""The request log under stress, end to end (#8): over real HTTP on loopback to the whole app,
a locked or unwritable database never costs anyone their reply and the loss is shown on
the staff desk; a thousand messages from a hundred people at once are all logged, each
person's in order; a writer killed with SIGKILL leaves an intact file holding every row it
acknowledged. (tests/handlers/test_requestlog.py covers the log's own API in process.)"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from bot.wiring import build_assistant
from handlers.pipeline import Assistant
from handlers.requestlog import COMMIT_WAIT_SECONDS, COUNTER_FAILED, RequestLog
from tests.conftest import MODEL_CACHE
from tests.servers import serve

ROOT = Path(__file__).resolve().parents[2]
STAFF, PASSWORD = "lan", "bàn-làm-việc-2026!"
MESSAGES = (
    "con tôi bị bạn đánh ở trường phải làm sao",
    "học phí có được miễn cho con hộ nghèo không",
    "em muốn chết",
    "xin chào",
    "e bị bắt nạt ở trg, k bik nói vs ai",
)


def desk_settings(tmp: Path) -> Settings:
    return Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        CHILDSAFE_STAFF_COOKIE_SECURE=False,
    )


def with_log(settings: Settings, log_path: Path, busy_timeout: float) -> Assistant:
    """The real assistant logging as bot.wiring wires it, to `log_path`, with a short busy
    timeout so a locked file fails in seconds rather than minutes."""
    assistant = build_assistant(settings, with_logging=False)
    request_log = RequestLog.open(log_path, busy_timeout=busy_timeout, retry_delays=(0.05,))
    request_log.attach_to(assistant)
    return assistant


def chat(client: httpx.Client, text: str, session: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    response = client.post("/api/chat", json={"text": text, "session": session})
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    return response.json(), elapsed


def failed_writes_shown(url: str) -> int | None:
    """The overview's count of messages the log lost, as a staff member sees it."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post(
            "/staff/login",
            data={"username": STAFF, "password": PASSWORD, "next": "/staff"},
            headers={"Origin": url},
        )
        assert login.status_code == 303
        page = client.get("/staff").text
    match = re.search(r'role="alert">\s*<strong>([\d.,]+) tin nhắn không ghi được', page)
    return int(re.sub(r"\D", "", match.group(1))) if match else None


def rows(db_path: Path, sql: str = "SELECT COUNT(*) FROM requests") -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


# ---------------------------------------------------------------------------- locked, unwritable
@pytest.mark.slow  # trains a model or serves for seconds
def test_a_locked_database_answers_counts_shows_the_loss_and_recovers(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path)
    AuthStore(settings.db_path).add_user(STAFF, PASSWORD, "admin")
    assistant = with_log(settings, settings.db_path, busy_timeout=1.0)
    request_log = assistant.request_log
    assert request_log is not None
    try:
        with (
            serve(create_app(settings, assistant)) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            chat(client, "xin chào", "before")
            assert request_log.flush(30)
            locker = sqlite3.connect(settings.db_path, isolation_level=None)
            locker.execute("BEGIN EXCLUSIVE")  # another program holds the file
            try:
                for n, text in enumerate(MESSAGES):
                    reply, seconds = chat(client, text, f"locked-{n}")
                    # a reply waits for its row only while the log writes (#14): here the
                    # first write fails after the 1 s busy timeout, and nobody waits again
                    limit = 1.0 + COMMIT_WAIT_SECONDS if n == 0 else 1.0
                    assert reply["text"] and seconds < limit
                    if text == "em muốn chết":
                        assert reply["urgent"] and reply["hotlines"][0] == "111"
                assert request_log.flush(60)
                assert request_log.stats().failed == len(MESSAGES)
            finally:
                locker.execute("ROLLBACK")
                locker.close()
            assert failed_writes_shown(url) == len(MESSAGES)
            chat(client, "cảm ơn", "after")
            assert request_log.flush(30)
    finally:
        assistant.close()
    assert rows(settings.db_path) == [(2,)]  # before and after; the lost ones are counted
    counters = dict(rows(settings.db_path, "SELECT name, value FROM counters"))
    assert counters[COUNTER_FAILED] == len(MESSAGES)


def test_an_unwritable_database_answers_and_the_desk_says_so(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path)
    AuthStore(settings.db_path).add_user(STAFF, PASSWORD, "admin")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # the log's directory is a file: nothing can be created there
    assistant = with_log(settings, blocker / "log.db", busy_timeout=0.2)
    request_log = assistant.request_log
    assert request_log is not None
    try:
        with serve(create_app(settings, assistant)) as url:
            with httpx.Client(base_url=url, timeout=30) as client:
                for n, text in enumerate(MESSAGES):
                    reply, _ = chat(client, text, f"s{n}")
                    assert reply["text"]
            assert request_log.flush(60)
            assert request_log.stats().failed == len(MESSAGES)
            assert failed_writes_shown(url) == len(MESSAGES)
    finally:
        assistant.close()


# ---------------------------------------------------------------------------- many at once
MARKS = "abcdefghij"  # "lượt a" .. "lượt j": words the redactor leaves alone
QUESTIONS = (
    "học phí có được miễn không",
    "con tôi bị bạn đánh ở trường",
    "số tổng đài bảo vệ trẻ em",
    "cảm ơn nhé",
    "tre bi bat nat thi bao ai",
)


async def _one_person(client: httpx.AsyncClient, person: int) -> list[int]:
    statuses = []
    for k, mark in enumerate(MARKS):
        text = f"lượt {mark}: {QUESTIONS[(person + k) % len(QUESTIONS)]}"
        response = await client.post("/api/chat", json={"text": text, "session": f"p{person}"})
        statuses.append(response.status_code)
    return statuses


async def _hundred_people(url: str) -> list[int]:
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        results = await asyncio.gather(*(_one_person(client, p) for p in range(100)))
    return [status for statuses in results for status in statuses]


@pytest.mark.slow  # trains a model or serves for seconds
def test_a_thousand_messages_from_a_hundred_people_at_once(
    settings: Settings, assistant: Assistant
) -> None:
    with serve(create_app(settings, assistant)) as url:
        statuses = asyncio.run(_hundred_people(url))
    assert statuses == [200] * 1000
    request_log = assistant.request_log
    assert request_log is not None and request_log.flush(60)
    assert request_log.stats().failed == 0

    with contextlib.closing(sqlite3.connect(settings.db_path)) as conn:
        stored = conn.execute(
            "SELECT user_hash, text, ts FROM requests WHERE channel = 'web' ORDER BY id"
        ).fetchall()
    assert len(stored) == 1000
    by_person: dict[str, list[tuple[str, str]]] = {}
    for user_hash, text, ts in stored:
        by_person.setdefault(user_hash, []).append((text, ts))
    assert len(by_person) == 100
    for person in range(100):
        key = assistant.user_key("web", f"p{person}")
        assert key is not None
        logged = by_person[key]
        assert [t.split(":")[0] for t, _ in logged] == [f"lượt {m}" for m in MARKS]
        assert [ts for _, ts in logged] == sorted(ts for _, ts in logged)


# ---------------------------------------------------------------------------- SIGKILL
WRITER = """
import itertools, sys
from pathlib import Path
from typing import Any
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Exchange
from handlers.requestlog import RequestLog

start = int(sys.argv[2])
log = RequestLog.open(Path(sys.argv[1]), batch_size=50)
for n in itertools.count(start):
    message = IncomingMessage(f"tin nhắn thử {n % 97}", user=f"u{n % 13}", channel="web")
    reply = Reply(text="ok", intent="greet", confidence=1.0)
    log.record_exchange(Exchange(message, f"key-{n % 13}", reply, float(n)))  # n: latency_ms
    if n % 20 == 0 and log.flush(30) and log.stats().failed == 0:
        print(f"ACK {n}", flush=True)  # every row up to n is committed
"""


def _run_and_kill(db_path: Path, start: int, acks_wanted: int) -> int:
    """Start the writer, wait for some acknowledgements, SIGKILL it while it keeps writing.
    Returns the last acknowledged number."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    acked, seen = start - 1, 0
    deadline = time.monotonic() + 120
    try:
        while seen < acks_wanted and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("ACK "):
                acked, seen = int(line.split()[1]), seen + 1
        time.sleep(0.01 * (start % 7))  # somewhere inside the next batch
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert seen == acks_wanted, "the writer did not get going"
    return acked


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(3))
def test_a_writer_killed_mid_run_loses_nothing_it_acknowledged(tmp_path: Path, round_: int) -> None:
    db_path = tmp_path / "killed.db"
    acknowledged: list[range] = []
    for kill in range(3):  # the same file, killed three times
        start = kill * 1_000_000 + 1
        last = _run_and_kill(db_path, start, acks_wanted=5 + 7 * round_ + kill)
        acknowledged.append(range(start, last + 1))

        with contextlib.closing(sqlite3.connect(db_path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            present = {int(v) for (v,) in conn.execute("SELECT latency_ms FROM requests")}
            (count,) = conn.execute("SELECT COUNT(*) FROM requests").fetchone()
        assert count == len(present), "no row written twice"
        for span in acknowledged:
            missing = set(span) - present
            assert not missing, f"{len(missing)} acknowledged rows lost"

    reopened = RequestLog.open(db_path)  # and the file takes writes again
    try:
        assert reopened.flush(10)
    finally:
        reopened.close()

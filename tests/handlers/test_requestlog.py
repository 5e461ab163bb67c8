"""The anonymized request log (#6): hashing, redaction before storage, erase, retention,
concurrency, failures that cost no reply, and `ask` logging like every other channel."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import cli
from bot.settings import Settings
from bot.staff.cli import parse_age
from bot.wiring import build_assistant
from handlers import logquery
from handlers.identity import user_key
from handlers.models import Audience, IncomingMessage, Reply
from handlers.pipeline import Assistant, Exchange
from handlers.requestlog import (
    COUNTER_FAILED,
    MAX_STORED_CHARS,
    TRUNCATION_MARK,
    RequestLog,
    fold_for_search,
    timestamp,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL_CACHE = ROOT / ".cache" / "nlu-tests"
RAW_USER = "tg-user-918273645"


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def exchange(text: str, user: str | None = "u1", channel: str = "web", **reply: object) -> Exchange:
    fields: dict[str, object] = {"text": "ok", "intent": "report_abuse", "confidence": 0.9}
    fields.update(reply)
    return Exchange(
        IncomingMessage(text, user=user, channel=channel),
        f"hash-{user}" if user else None,
        Reply(**fields),  # type: ignore[arg-type]
        12.5,
    )


def db_bytes(db_path: Path) -> bytes:
    """Every byte SQLite keeps for this database: the file, its WAL and shared memory."""
    data = b""
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def rows(db_path: Path, where: str = "1", params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"SELECT * FROM requests WHERE {where} ORDER BY id", params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "log.db"


@pytest.fixture
def request_log(log_path: Path) -> Iterator[RequestLog]:
    opened = RequestLog.open(log_path)
    yield opened
    opened.close()


# ---------------------------------------------------------------------------- privacy


def test_raw_user_id_is_never_stored_only_its_hmac(
    assistant: Assistant, settings: Settings
) -> None:
    for text in ("xin chào", "con tôi bị bạn đánh ở trường", "báo cáo thế nào"):
        assistant.handle(IncomingMessage(text, user=RAW_USER, channel="telegram"))
    assistant.close()

    stored = rows(settings.db_path)
    assert len(stored) == 3
    expected = user_key(b"test-secret-0123456789abcdef-0123456789", "telegram", RAW_USER)
    assert expected is not None and expected == assistant.user_key("telegram", RAW_USER)
    assert {r["user_hash"] for r in stored} == {expected}
    assert RAW_USER.encode() not in db_bytes(settings.db_path)
    assert b"918273645" not in db_bytes(settings.db_path)


def test_the_same_user_on_another_channel_is_another_hash(assistant: Assistant) -> None:
    assert assistant.user_key("zalo", RAW_USER) != assistant.user_key("telegram", RAW_USER)


def test_personal_data_is_redacted_before_storage(assistant: Assistant, settings: Settings) -> None:
    text = (
        "Tôi là Nguyễn Thị Hoa, sđt 0912 345 678, email hoa.nguyen@gmail.com, CCCD 001184012345, "
        "con tôi bị cô giáo Lan đánh, nhà ở số 12 ngõ 34 phố Khâm Thiên"
    )
    assistant.handle(IncomingMessage(text, user="u-privacy", channel="web"))
    assistant.close()

    (row,) = rows(settings.db_path)
    for placeholder in ("<TÊN>", "<SĐT>", "<EMAIL>", "<CCCD>", "<ĐỊA_CHỈ>"):
        assert placeholder in row["text"]
    raw = db_bytes(settings.db_path)
    for secret in (
        "Nguyễn Thị Hoa",
        "0912 345 678",
        "hoa.nguyen",
        "001184012345",
        "Khâm Thiên",
        "Lan",
    ):
        assert secret.encode() not in raw, secret
    assert row["text_folded"] == fold_for_search(row["text"])


def test_a_long_message_is_stored_cut_and_still_redacted(
    request_log: RequestLog, log_path: Path
) -> None:
    filler = "em bị bắt nạt mỗi ngày. " * 200  # 4,800 characters
    text = filler[: MAX_STORED_CHARS - 8] + " số em 0912 345 678 " + filler
    request_log.record_exchange(exchange(text))
    assert request_log.flush()
    (row,) = rows(log_path)
    assert row["text"].endswith(TRUNCATION_MARK)
    assert len(row["text"]) <= MAX_STORED_CHARS + len(TRUNCATION_MARK)
    assert "0912" not in row["text"] and "345 678" not in row["text"]


def test_odd_messages_never_raise_and_are_logged(request_log: RequestLog, log_path: Path) -> None:
    for text in ("", "😭" * 50, "\x00\x01", "\ud800 lone surrogate", "@cmd:help"):
        request_log.record_exchange(exchange(text))
    request_log.record_exchange(exchange(None))  # type: ignore[arg-type]
    assert request_log.flush()
    assert request_log.stats().written == 6
    assert len(rows(log_path)) == 6


# ---------------------------------------------------------------------------- erase and retention


def test_erase_removes_that_users_rows_and_nobody_elses(
    assistant: Assistant, settings: Settings
) -> None:
    for n in range(3):
        assistant.handle(IncomingMessage(f"em hỏi lần {n}", user="alice", channel="telegram"))
        assistant.handle(IncomingMessage(f"em hỏi lần {n}", user="bob", channel="telegram"))
    alice = assistant.user_key("telegram", "alice")
    assert alice is not None

    result = assistant.erase("telegram", "alice")
    assert result.ok and result.rows == 3  # queued rows are written, then erased
    assistant.close()

    assert rows(settings.db_path, "user_hash = ?", (alice,)) == []
    assert (
        len(rows(settings.db_path, "user_hash = ?", (assistant.user_key("telegram", "bob"),))) == 3
    )
    assert alice.encode() not in db_bytes(settings.db_path)  # overwritten, not left in free pages


def test_xoa_erases_and_its_own_row_carries_no_hash(
    assistant: Assistant, settings: Settings
) -> None:
    assistant.handle(IncomingMessage("con tôi bị đánh", user="carol", channel="zalo"))
    assistant.handle(IncomingMessage("@cmd:erase", user="carol", channel="zalo"))
    assistant.close()

    stored = rows(settings.db_path)
    assert [(r["answer_id"], r["kind"]) for r in stored] == [("cmd.erase", "erase")]
    assert stored[0]["user_hash"] is None


def test_erase_reaches_rows_still_in_the_queue(request_log: RequestLog, log_path: Path) -> None:
    for n in range(500):
        request_log.record_exchange(exchange(f"tin {n}", user="dave" if n % 2 else "erin"))
    assert request_log.erase_user("hash-dave") == 250  # no flush before it
    assert request_log.flush()
    assert len(rows(log_path)) == 250
    assert rows(log_path, "user_hash = 'hash-dave'") == []


def test_purge_deletes_only_rows_older_than_the_limit(log_path: Path) -> None:
    clock = FakeClock(dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC))
    request_log = RequestLog.open(log_path, clock=clock)
    try:
        for age_days in (200, 120, 91, 89, 30, 0):
            clock.now = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC) - dt.timedelta(days=age_days)
            request_log.record_exchange(exchange(f"{age_days} ngày trước"))
        clock.now = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
        assert request_log.purge_older_than(90) == 3
        assert [r["text"] for r in rows(log_path)] == [
            "89 ngày trước",
            "30 ngày trước",
            "0 ngày trước",
        ]
        assert request_log.purge_older_than(90) == 0
    finally:
        request_log.close()


def test_purge_command(log_path: Path) -> None:
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=100))
    request_log = RequestLog.open(log_path, clock=clock)
    request_log.record_exchange(exchange("cũ"))
    clock.now = dt.datetime.now(dt.UTC)
    request_log.record_exchange(exchange("mới"))
    request_log.close()

    result = CliRunner().invoke(cli, ["purge", "--older-than", "12w", "--db", str(log_path)])
    assert result.exit_code == 0, result.output
    assert "purged 1 row(s)" in result.output
    assert [r["text"] for r in rows(log_path)] == ["mới"]
    bad = CliRunner().invoke(cli, ["purge", "--older-than", "soon", "--db", str(log_path)])
    assert bad.exit_code != 0 and "90d" in bad.output


@pytest.mark.parametrize(
    ("value", "days"), [("90d", 90), ("90", 90), ("2w", 14), ("36h", 1.5), (" 7D ", 7)]
)
def test_parse_age(value: str, days: float) -> None:
    assert parse_age(value) == days


async def test_automatic_purge_runs_at_startup(settings: Settings) -> None:
    assistant = build_assistant(settings)
    request_log = assistant.request_log
    assert request_log is not None
    request_log.record_exchange(exchange("mới"))
    assert request_log.flush()
    old = timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.retention_days + 5))
    with sqlite3.connect(settings.db_path) as conn:
        conn.execute("UPDATE requests SET ts = ? WHERE text = 'mới'", (old,))
    request_log.record_exchange(exchange("hôm nay"))

    app = create_app(settings, assistant)
    (retention,) = [f for f in app.state.features if f.name == "retention"]
    purger = retention.on_startup[0].__self__
    async with app.router.lifespan_context(app):  # start-up and shut-down, as uvicorn runs them
        for _ in range(200):
            if purger.runs:
                break
            await asyncio.sleep(0.05)
        assert purger.runs >= 1
    assert [r["text"] for r in rows(settings.db_path)] == ["hôm nay"]


def test_automatic_purge_can_be_turned_off(settings: Settings, assistant: Assistant) -> None:
    from bot import retention

    off = settings.model_copy(update={"purge_interval_hours": 0})
    assert retention.feature(off, assistant) is None
    assert retention.feature(settings, assistant) is not None
    bare = build_assistant(settings, with_logging=False)
    assert retention.feature(settings, bare) is None


# ---------------------------------------------------------------------------- many at once


def test_a_thousand_messages_from_fifty_threads(assistant: Assistant, settings: Settings) -> None:
    per_user = 20
    barrier = threading.Barrier(50)

    def user(n: int) -> None:
        barrier.wait()
        for k in range(per_user):
            assistant.handle(IncomingMessage(f"em hỏi lần {k}", user=f"user-{n}", channel="web"))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    request_log = assistant.request_log
    assert request_log is not None and request_log.flush(30)
    assert request_log.stats().written == 1000 and request_log.stats().failed == 0

    stored = rows(settings.db_path)
    assert len(stored) == 1000
    for n in range(50):
        key = assistant.user_key("web", f"user-{n}")
        texts = [r["text"] for r in stored if r["user_hash"] == key]
        assert texts == [f"em hỏi lần {k}" for k in range(per_user)]


def test_close_loses_nothing_accepted(log_path: Path) -> None:
    request_log = RequestLog.open(log_path, batch_size=7)
    for n in range(2000):
        request_log.record_exchange(exchange(f"tin {n}", user=f"u{n % 13}"))
    request_log.close()  # no flush
    assert len(rows(log_path)) == 2000
    assert request_log.stats().written == 2000


# ---------------------------------------------------------------------------- failures


def test_an_unwritable_database_still_answers_and_counts(
    tmp_path: Path, settings: Settings
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    broken = settings.model_copy(update={"db_path": blocker / "childsafe.db"})
    assistant = build_assistant(broken)
    try:
        replies = [
            assistant.handle(IncomingMessage(t, user="u1")) for t in ("xin chào", "e bi bo danh")
        ]
        assert replies[1].urgent and "111" in replies[1].text
        erased = assistant.erase("api", "u1")
        assert not erased.ok and erased.rows == 0  # never reported as erased
        request_log = assistant.request_log
        assert request_log is not None and request_log.flush(10)
        stats = request_log.stats()
        assert (stats.accepted, stats.written, stats.failed) == (2, 0, 2)
    finally:
        assistant.close()


def test_a_locked_database_still_answers_counts_and_recovers(settings: Settings) -> None:
    assistant = build_assistant(settings, with_logging=False)
    request_log = RequestLog.open(settings.db_path, busy_timeout=0.05, retry_delays=(0.01,))
    assistant.log_hooks.append(request_log.record_exchange)
    assert request_log.flush()  # the writer has created the schema

    locker = sqlite3.connect(settings.db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        reply = assistant.handle(IncomingMessage("con tôi bị đánh", user="u1"))
        assert reply.text
        assert request_log.flush(10)
        assert request_log.stats().failed == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    assistant.handle(IncomingMessage("cảm ơn", user="u1"))
    assert request_log.flush(10)
    request_log.close()
    assert request_log.stats().written == 1
    with sqlite3.connect(settings.db_path) as conn:
        stored = dict(conn.execute("SELECT name, value FROM counters").fetchall())
    assert stored[COUNTER_FAILED] == 1  # persisted once the database took writes again


def test_a_full_queue_drops_and_counts(log_path: Path) -> None:
    request_log = RequestLog(log_path, max_queue=2)  # writer not started: nothing drains
    for n in range(5):
        request_log.record_exchange(exchange(f"tin {n}"))
    assert request_log.stats().failed == 3
    assert request_log.stats().queued == 2


def test_after_close_rows_are_refused_not_raised(request_log: RequestLog) -> None:
    request_log.close()
    request_log.record_exchange(exchange("muộn"))
    assert request_log.stats().failed == 1


# ---------------------------------------------------------------------------- schema


def test_an_older_table_gains_the_missing_columns(log_path: Path) -> None:
    old = sqlite_utils.Database(log_path)
    old.table("requests").insert(
        {"id": 1, "ts": "2026-01-01T00:00:00.000+00:00", "text": "cũ"}, pk="id"
    )
    old.conn.close()
    request_log = RequestLog.open(log_path)
    request_log.record_exchange(exchange("mới"))
    request_log.close()
    columns = set(sqlite_utils.Database(log_path).table("requests").columns_dict)
    assert {"text_folded", "label", "labelled_by", "labelled_at", "user_hash", "urgent"} <= columns
    assert [r["text"] for r in rows(log_path)] == ["cũ", "mới"]


def test_wal_mode_and_indexes(request_log: RequestLog, log_path: Path) -> None:
    request_log.record_exchange(exchange("xin chào"))
    assert request_log.flush()
    db = sqlite_utils.Database(log_path)
    assert db.journal_mode == "wal"
    indexed = {tuple(i.columns) for i in db.table("requests").indexes}
    for column in ("day", "intent", "channel", "urgent", "user_hash"):
        assert (column,) in indexed


# ---------------------------------------------------------------------------- queries


def test_search_ignores_diacritics_and_d(request_log: RequestLog, log_path: Path) -> None:
    for text in ("Em bị bố ĐÁNH", "con bi danh o truong", "hỏi về trợ cấp"):
        request_log.record_exchange(exchange(text))
    assert request_log.flush()
    conn = logquery.connect_readonly(log_path)
    try:
        for query in ("danh", "đánh", "ĐÁNH", "Đanh"):
            found = logquery.search(conn, logquery.Filters(text=query))
            assert sorted(r.text for r in found) == ["Em bị bố ĐÁNH", "con bi danh o truong"], query
        assert logquery.count(conn, logquery.Filters(text="tro cap")) == 1
        assert not hasattr(found[0], "user_hash")
    finally:
        conn.close()


def test_labels_and_review_queue(request_log: RequestLog, log_path: Path) -> None:
    request_log.record_exchange(
        exchange("???", intent="out_of_scope", confidence=0.2, kind="clarify")
    )
    request_log.record_exchange(exchange("hơi lạ", intent="mental_health", confidence=0.5))
    request_log.record_exchange(exchange("rõ ràng", intent="report_abuse", confidence=0.95))
    request_log.record_exchange(exchange("/start", intent="help", confidence=0.1, kind="command"))
    assert request_log.flush()
    conn = logquery.connect_readonly(log_path)
    try:
        queue = logquery.review_queue(conn)
        assert [r.text for r in queue] == ["hơi lạ", "???"]
        assert request_log.set_label(queue[0].id, "online_safety", "staff1")
        assert not request_log.set_label(999, "online_safety", "staff1")
        assert [r.text for r in logquery.review_queue(conn)] == ["???"]
        labelled = logquery.get(conn, queue[0].id)
        assert labelled is not None and labelled.label == "online_safety"
        assert labelled.labelled_by == "staff1" and labelled.labelled_at
    finally:
        conn.close()


def test_readonly_connection_cannot_write(request_log: RequestLog, log_path: Path) -> None:
    request_log.record_exchange(exchange("xin chào"))
    assert request_log.flush()
    conn = logquery.connect_readonly(log_path)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM requests")
    conn.close()
    with pytest.raises(logquery.LogUnavailable):
        logquery.connect_readonly(log_path.parent / "missing.db")


# ---------------------------------------------------------------------------- ask --db


@pytest.mark.slow
def test_ask_logs_like_every_other_channel(tmp_path: Path) -> None:
    db = tmp_path / "ask.db"
    env = {
        **os.environ,
        "CHILDSAFE_SECRET": "test-secret-0123456789abcdef-0123456789",
        "CHILDSAFE_MODEL_DIR": str(MODEL_CACHE),
        "CHILDSAFE_DB": str(tmp_path / "unused.db"),
    }
    command = [str(Path(sys.executable).parent / "childsafe")]
    one = subprocess.run(
        [*command, "ask", "--db", str(db), "--user", "U-777", "con tôi bị đánh, gọi 0912 345 678"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    assert '"urgent": true' in one.stdout
    lines = (
        '{"text": "tôi là giáo viên", "user": "T-1"}\n{"text": "báo cáo thế nào", "user": "T-1"}\n'
    )
    subprocess.run(
        [*command, "ask", "--jsonl", "--db", str(db), "--channel", "cli"],
        input=lines, capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip

    stored = rows(db)
    assert len(stored) == 3
    assert [r["channel"] for r in stored] == ["cli", "cli", "cli"]
    assert stored[0]["user_hash"] == user_key(
        b"test-secret-0123456789abcdef-0123456789", "cli", "U-777"
    )
    assert stored[0]["text"] == "con tôi bị đánh, gọi <SĐT>" and stored[0]["urgent"] == 1
    assert (
        stored[1]["user_hash"]
        == stored[2]["user_hash"]
        == user_key(b"test-secret-0123456789abcdef-0123456789", "cli", "T-1")
    )
    assert stored[1]["role"] == Audience.TEACHER.value
    assert b"U-777" not in db_bytes(db) and b"0912 345 678" not in db_bytes(db)
    assert not (tmp_path / "unused.db").exists()

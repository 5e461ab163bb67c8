"""Personal data everywhere else it could stay (#17): the staff audit log, failed logins, file
modes, the secret, the status page, and `childsafe privacy-check`.

Real parts: the real app over HTTP on loopback with a log written by the real assistant
(tests/bot/staff/test_staff_routes.py's desk), real SQLite files, the real CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import cli
from bot.retention import Purger
from bot.settings import MissingSecretError, Settings
from bot.staff.auth import AuthStore, auth_store
from bot.wiring import build_assistant
from handlers.handoff.store import SqliteHandoffStore
from handlers.identity import MIN_SECRET_CHARS, load_or_create_secret
from handlers.requestlog import RequestLog, timestamp
from handlers.shared import connect_state_db
from tests.bot.staff.test_staff_routes import (
    ADMIN,
    MODEL_CACHE,
    PASSWORD,
    FakeClock,
    desk_settings,
    login,
    seed_log,
    seeded_assistant,
)
from tests.servers import serve

SECRET = "test-secret-0123456789abcdef-0123456789"


class Site:
    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings
        self.db_path = settings.db_path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings = desk_settings(tmp_path_factory.mktemp("privacy"))
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    auth_store(settings).add_user(ADMIN, PASSWORD, "admin")
    with serve(create_app(settings, assistant)) as url:
        yield Site(url, settings)


def rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


# ---------------------------------------------------------------- the audit log


@pytest.mark.parametrize(
    ("query", "raw"),
    [
        ("mẹ em số 09l2 345 678", "345 678"),
        ("không chín một hai ba bốn năm sáu bảy tám", "chín một hai"),
        ("email lan.anh[at]gmail[dot]com", "lan.anh"),
        ("thằng tuấn lớp 7 đánh em", "tuấn"),
        ("cccd 0\u200b01\u200b184\u200b012345", "012345"),
        ("sinh ngày 12/03/2011", "12/03/2011"),
    ],
)
def test_staff_searches_are_redacted_before_they_are_audited(
    site: Site, query: str, raw: str
) -> None:
    with contextlib.closing(login(site.url)) as admin:
        assert admin.get("/staff/search", params={"q": query}).status_code == 200
    details = [
        str(d)
        for (d,) in rows(site.db_path, "SELECT detail FROM staff_audit WHERE action = 'search'")
    ]
    assert details and all(raw not in d for d in details), details
    assert raw.encode() not in file_bytes(site.db_path)


def test_the_audit_log_is_purged_after_its_own_retention(tmp_path: Path) -> None:
    clock = FakeClock()
    store = AuthStore(tmp_path / "a.db", clock=clock, name_key=b"k" * 32)
    clock.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store.audit("lan", "search", detail="q=<SĐT>")
    clock.now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    store.audit("lan", "search", detail="q=danh")
    assert store.purge_audit_older_than(100) == 1
    assert [e.detail for e in store.audit_entries()] == ["q=danh"]


async def test_the_purge_runs_the_audit_retention_with_the_rest(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path, CHILDSAFE_AUDIT_RETENTION_DAYS=30)
    assert settings.audit_retention_days == 30
    store = auth_store(settings)
    store.audit("lan", "search", detail="q=cũ")
    old = timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
    with sqlite3.connect(settings.db_path) as conn:
        conn.execute("UPDATE staff_audit SET ts = ?", (old,))
    store.audit("lan", "search", detail="q=mới")
    request_log = RequestLog.open(settings.db_path)
    purger = Purger(request_log, 90, 3600, audit=store, audit_days=30)
    await purger.start()
    for _ in range(200):
        if purger.runs:
            break
        await asyncio.sleep(0.05)
    await purger.stop()
    request_log.close()
    assert purger.audit_removed == 1
    assert [e.detail for e in store.audit_entries()] == ["q=mới"]


def test_childsafe_purge_purges_the_audit_log_too(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    RequestLog.open(db).close()
    store = AuthStore(db, name_key=b"k" * 32)
    store.audit("lan", "search", detail="q=cũ")
    old = timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE staff_audit SET ts = ?", (old,))
    result = CliRunner().invoke(cli, ["purge", "--db", str(db)], env={"CHILDSAFE_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    assert "1 audit" in result.output
    assert rows(db, "SELECT COUNT(*) FROM staff_audit") == [(0,)]


# ---------------------------------------------------------------- failed logins


def test_a_failed_login_keeps_a_keyed_hash_of_the_name_never_the_text(site: Site) -> None:
    typed = "Mat-khau-Bi-Mat-2026!"  # a password typed into the name field
    with httpx.Client(base_url=site.url, timeout=30) as client:
        client.post(
            "/staff/login",
            data={"username": typed, "password": "wrong-password-123", "next": "/staff"},
            headers={"Origin": site.url},
        )
    stored = [str(n) for (n,) in rows(site.db_path, "SELECT username FROM staff_login_failures")]
    name = typed.strip().lower()
    expected = "hmac:" + hmac.new(SECRET.encode(), name.encode(), hashlib.sha256).hexdigest()[:32]
    assert expected in stored
    assert all(typed.lower() not in s and typed not in s for s in stored)
    data = file_bytes(site.db_path)
    assert typed.encode() not in data and name.encode() not in data


def test_the_hash_is_keyed(tmp_path: Path) -> None:
    one = AuthStore(tmp_path / "one.db", name_key=b"a" * 32)
    two = AuthStore(tmp_path / "two.db", name_key=b"b" * 32)
    assert one.attempt_key("lan") != two.attempt_key("lan")
    assert one.attempt_key("lan") == AuthStore(tmp_path / "one.db", name_key=b"a" * 32).attempt_key(
        "lan"
    )


def test_lockout_still_counts_hashed_names(tmp_path: Path) -> None:
    store = AuthStore(tmp_path / "l.db", name_key=b"k" * 32)
    store.add_user("lan", PASSWORD)
    for _ in range(store.policy.max_failures):
        assert not store.login("lan", "wrong-password-123", "10.0.0.1").ok
    assert store.login("lan", PASSWORD, "10.0.0.2").locked_until is not None
    assert store.unlock("lan") == store.policy.max_failures
    assert store.login("lan", PASSWORD, "10.0.0.2").ok


# ---------------------------------------------------------------- file modes


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # what most systems give a service: new files 0644
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_databases_and_the_secret_file_are_created_owner_only(tmp_path: Path) -> None:
    log_db = tmp_path / "data" / "childsafe.db"
    request_log = RequestLog.open(log_db)
    AuthStore(log_db, name_key=b"k" * 32).audit("lan", "x")
    state = connect_state_db(tmp_path / "data" / "childsafe-state.db")
    state.execute("CREATE TABLE IF NOT EXISTS t (x)")
    state.execute("INSERT INTO t VALUES (1)")
    load_or_create_secret(None, log_db)
    SqliteHandoffStore(tmp_path / "cases" / "cases.db")
    try:
        made = [
            log_db,
            log_db.with_name("childsafe.db-wal"),
            log_db.with_name("childsafe.db-shm"),
            tmp_path / "data" / "childsafe-state.db",
            tmp_path / "data" / "childsafe-state.db-wal",
            tmp_path / "data" / ".childsafe-secret",
            tmp_path / "cases" / "cases.db",
        ]
        for path in made:
            assert path.exists(), path
            assert mode(path) == 0o600, (path, oct(mode(path)))
    finally:
        state.close()
        request_log.close()


@pytest.mark.usefixtures("open_umask")
def test_a_world_readable_database_from_before_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    sqlite3.connect(db).close()
    db.chmod(0o644)
    RequestLog.open(db).close()
    assert mode(db) == 0o600


# ---------------------------------------------------------------- the secret


@pytest.mark.parametrize("secret", ["x", "test-secret", "s" * (MIN_SECRET_CHARS - 1)])
def test_a_short_secret_fails_start_up_saying_so(tmp_path: Path, secret: str) -> None:
    settings = Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp_path / "s.db",
        CHILDSAFE_SECRET=secret,
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
    )
    with pytest.raises(MissingSecretError) as caught:
        create_app(settings)
    message = str(caught.value)
    assert "CHILDSAFE_SECRET" in message and str(MIN_SECRET_CHARS) in message
    assert len(secret) < 5 or secret not in message  # never echoed


def test_a_secret_of_32_characters_starts(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp_path / "s.db",
        CHILDSAFE_SECRET="s" * MIN_SECRET_CHARS,
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
    )
    build_assistant(settings, with_logging=False).close()


# ---------------------------------------------------------------- the status page


def test_status_tells_anyone_only_that_the_service_is_up(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=30) as anon:
        page = anon.get("/status")
    assert page.status_code == 200 and "Đang chạy" in page.text
    for detail in ("webhooks", "tài khoản", "/api/chat", "NLU", "/staff", "retention"):
        assert detail not in page.text, detail


def test_staff_read_the_details_at_staff_status(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=30) as anon:
        assert anon.get("/staff/status").status_code == 303  # to the login page
    with contextlib.closing(login(site.url)) as admin:
        page = admin.get("/staff/status")
    assert page.status_code == 200
    assert "tài khoản" in page.text and "/api/chat" in page.text


# ---------------------------------------------------------------- privacy-check


def check(db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["privacy-check", str(db)])
    return result.exit_code, result.output


def copy_db(source: Path, target: Path) -> Path:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def test_privacy_check_finds_nothing_in_a_log_the_assistant_wrote(site: Site) -> None:
    code, out = check(site.db_path)
    assert code == 0, out
    assert "no personal data found" in out


def test_privacy_check_finds_nothing_in_the_state_the_assistant_kept(site: Site) -> None:
    state = site.db_path.with_name("childsafe-state.db")  # conversations, the inbox
    assert state.exists()
    code, out = check(state)
    assert code == 0, out


def test_privacy_check_finds_a_phone_in_the_text_and_the_index(site: Site, tmp_path: Path) -> None:
    db = copy_db(site.db_path, tmp_path / "leaky.db")
    with sqlite3.connect(db) as conn:
        (row_id,) = conn.execute("SELECT MAX(id) FROM requests").fetchone()
        conn.execute(
            "UPDATE requests SET text = ?, text_folded = ? WHERE id = ?",
            ("số mẹ em 0912345678", "so me em 0912345678", row_id),
        )
    code, out = check(db)
    assert code == 1, out
    assert "requests.text" in out and "(index term)" in out
    assert "0912345678" not in out  # the report never repeats the datum
    assert "09…78" in out


def test_privacy_check_reads_every_table(site: Site, tmp_path: Path) -> None:
    db = copy_db(site.db_path, tmp_path / "other.db")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT, raw BLOB)")
        conn.execute(
            "INSERT INTO notes VALUES (?, ?)",
            ("gửi cho ngoc.anh2011@gmail.com", b"\x00\x01 0987654321 \xff"),
        )
    code, out = check(db)
    assert code == 1
    assert "notes.body" in out and "notes.raw" in out and "EMAIL" in out


def test_privacy_check_refuses_what_is_no_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    code, out = check(bad)
    assert code != 0 and "not a readable SQLite database" in out

"""Staff accounts (#6): argon2 hashing, sessions and their expiry, CSRF tokens, lockout and its
end, the audit log, and `childsafe staff ...` fed through standard input and the environment.
Real SQLite files; time moves with a fake clock instead of sleeping."""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.staff.auth import (
    CLI_ACTOR,
    MIN_PASSWORD_CHARS,
    AuthError,
    AuthStore,
    LockoutPolicy,
    csrf_matches,
    token_hash,
)

PASSWORD = "hoa-sen-nở-giữa-hồ-2026"
CHILDSAFE = Path(sys.executable).parent / "childsafe"
START = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
IP = "203.0.113.7"


class FakeClock:
    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class CountingHasher(PasswordHasher):
    """argon2 with test-sized costs, counting the hashes it checks."""

    def __init__(self, time_cost: int = 1, memory_cost: int = 1024) -> None:
        super().__init__(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "childsafe.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock, hasher: CountingHasher) -> AuthStore:
    auth = AuthStore(db_path, session_hours=8, clock=clock, hasher=hasher)
    auth.add_user("lan", PASSWORD, "admin")
    return auth


def rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def actions(store: AuthStore) -> list[tuple[str | None, str, int | None, str | None]]:
    """The audit log, oldest first."""
    return [(e.username, e.action, e.target_id, e.detail) for e in reversed(store.audit_entries())]


# ---------------------------------------------------------------- passwords


def test_passwords_are_stored_as_argon2id_hashes_only(db_path: Path) -> None:
    store = AuthStore(db_path)  # argon2-cffi's default parameters, as in production
    store.add_user("Lan", PASSWORD, "viewer")
    [(name, stored, role)] = rows(db_path, "SELECT username, password_hash, role FROM staff_users")
    assert (name, role) == ("lan", "viewer")  # names are compared lowercase
    assert isinstance(stored, str) and stored.startswith("$argon2id$")
    assert PASSWORD.encode() not in db_path.read_bytes()
    assert store.login("LAN ", PASSWORD, IP).ok
    assert not store.login("lan", PASSWORD + "x", IP).ok


@pytest.mark.parametrize(
    "password",
    ["", "ngắn", "a" * (MIN_PASSWORD_CHARS - 1), " " * 20, "lan.nguyen-xyz"],
    ids=["empty", "short", "one-short", "blank", "same-as-name"],
)
def test_weak_passwords_are_refused_naming_the_rule(store: AuthStore, password: str) -> None:
    with pytest.raises(AuthError, match=f"ít nhất {MIN_PASSWORD_CHARS} ký tự"):
        store.add_user("lan.nguyen-xyz", password)
    assert store.get_user("lan.nguyen-xyz") is None


@pytest.mark.parametrize("name", ["", "a", "nguyễn", "lan lan", "-lan", "x" * 33, "lan/../x"])
def test_bad_user_names_are_refused(store: AuthStore, name: str) -> None:
    with pytest.raises(AuthError, match="2-32"):
        store.add_user(name, PASSWORD)


def test_roles_and_duplicates(store: AuthStore) -> None:
    with pytest.raises(AuthError, match="viewer, counsellor, admin"):
        store.add_user("minh", PASSWORD, "superuser")
    with pytest.raises(AuthError, match="already exists"):
        store.add_user("LAN", PASSWORD, "viewer")
    store.add_user("minh", PASSWORD)
    assert [(u.username, u.role, u.is_admin) for u in store.users()] == [
        ("lan", "admin", True),
        ("minh", "viewer", False),
    ]


def test_an_outdated_hash_is_upgraded_at_login(db_path: Path, clock: FakeClock) -> None:
    weak = CountingHasher(time_cost=1, memory_cost=1024)
    AuthStore(db_path, clock=clock, hasher=weak).add_user("lan", PASSWORD)
    [(old,)] = rows(db_path, "SELECT password_hash FROM staff_users")
    stronger = CountingHasher(time_cost=2, memory_cost=2048)
    assert stronger.check_needs_rehash(str(old))
    assert AuthStore(db_path, clock=clock, hasher=stronger).login("lan", PASSWORD, IP).ok
    [(new,)] = rows(db_path, "SELECT password_hash FROM staff_users")
    assert new != old and not stronger.check_needs_rehash(str(new))
    assert AuthStore(db_path, clock=clock, hasher=stronger).login("lan", PASSWORD, IP).ok


# ---------------------------------------------------------------- sessions


def test_a_session_lasts_its_hours_then_ends(store: AuthStore, clock: FakeClock) -> None:
    result = store.login("lan", PASSWORD, IP)
    assert result.ok and result.token and result.session
    assert result.session.expires_at == START + dt.timedelta(hours=8)
    clock.advance(hours=7, minutes=59)
    session = store.session(result.token)
    assert session is not None and session.username == "lan" and session.user.is_admin
    clock.advance(minutes=1)
    assert store.session(result.token) is None
    assert rows(store.db_path, "SELECT COUNT(*) FROM staff_sessions") == [(0,)]


def test_session_tokens_are_random_and_stored_only_hashed(store: AuthStore) -> None:
    first = store.login("lan", PASSWORD, IP)
    second = store.login("lan", PASSWORD, IP)
    assert first.token and second.token and first.token != second.token
    assert len(first.token) >= 43  # 32 random bytes, base64url
    stored = {r[0] for r in rows(store.db_path, "SELECT token_hash FROM staff_sessions")}
    assert stored == {token_hash(first.token), token_hash(second.token)}
    raw = store.db_path.read_bytes() + store.db_path.with_name("childsafe.db-wal").read_bytes()
    assert first.token.encode() not in raw and second.token.encode() not in raw


def test_unknown_or_forged_tokens_name_no_session(store: AuthStore) -> None:
    store.login("lan", PASSWORD, IP)
    for token in (None, "", "x", "A" * 43, "A" * 5000):
        assert store.session(token) is None


def test_logout_ends_only_that_session(store: AuthStore) -> None:
    first = store.login("lan", PASSWORD, IP)
    second = store.login("lan", PASSWORD, IP)
    assert store.logout(first.token) == "lan"
    assert store.session(first.token) is None
    assert store.session(second.token) is not None
    assert store.logout(first.token) is None  # twice: nothing left to end


def test_removing_a_user_or_changing_the_password_ends_their_sessions(store: AuthStore) -> None:
    store.add_user("minh", PASSWORD)
    lan = store.login("lan", PASSWORD, IP)
    minh = store.login("minh", PASSWORD, IP)
    store.set_password("lan", "một-mật-khẩu-mới-dài")
    assert store.session(lan.token) is None
    assert not store.login("lan", PASSWORD, IP).ok
    assert store.login("lan", "một-mật-khẩu-mới-dài", IP).ok
    assert store.remove_user("minh")
    assert store.session(minh.token) is None
    assert not store.remove_user("minh")
    with pytest.raises(AuthError):
        store.set_password("minh", "một-mật-khẩu-mới-dài")


def test_a_role_change_takes_effect_in_live_sessions(store: AuthStore) -> None:
    result = store.login("lan", PASSWORD, IP)
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE staff_users SET role = 'viewer' WHERE username = 'lan'")
    session = store.session(result.token)
    assert session is not None and not session.user.is_admin


# ---------------------------------------------------------------- CSRF


def test_csrf_tokens_belong_to_one_session(store: AuthStore) -> None:
    first = store.login("lan", PASSWORD, IP).session
    second = store.login("lan", PASSWORD, IP).session
    assert first and second and first.csrf_token != second.csrf_token
    assert csrf_matches(first, first.csrf_token)
    for wrong in (None, "", second.csrf_token, first.csrf_token + "x", first.csrf_token[:-1]):
        assert not csrf_matches(first, wrong)


# ---------------------------------------------------------------- lockout


def fail(store: AuthStore, times: int, name: str = "lan", ip: str = IP) -> None:
    for _ in range(times):
        assert not store.login(name, "sai-mật-khẩu-rồi", ip).ok


def test_five_failures_lock_the_name_for_fifteen_minutes(
    store: AuthStore, clock: FakeClock
) -> None:
    fail(store, 4)
    assert store.login("lan", "sai-mật-khẩu-rồi", IP).locked_until == START + dt.timedelta(
        minutes=15
    )
    refused = store.login("lan", PASSWORD, IP)  # the right password changes nothing now
    assert not refused.ok and refused.locked_until is not None
    assert not store.login("lan", PASSWORD, "198.51.100.1").ok  # from anywhere
    clock.advance(minutes=14, seconds=59)
    assert not store.login("lan", PASSWORD, IP).ok
    clock.advance(seconds=1)
    assert store.login("lan", PASSWORD, IP).ok


def test_attempts_while_locked_do_not_extend_the_lock(store: AuthStore, clock: FakeClock) -> None:
    fail(store, 5)
    for _ in range(3):
        clock.advance(minutes=4)
        fail(store, 2)
    clock.advance(minutes=3)  # 15 minutes after the fifth failure
    assert store.login("lan", PASSWORD, IP).ok


def test_failures_spread_wider_than_the_window_do_not_lock(
    store: AuthStore, clock: FakeClock
) -> None:
    for _ in range(8):
        fail(store, 1)
        clock.advance(minutes=4)  # never five within fifteen minutes
    assert store.login("lan", PASSWORD, IP).ok


def test_a_successful_login_clears_the_names_failures(store: AuthStore) -> None:
    fail(store, 4)
    assert store.login("lan", PASSWORD, IP).ok
    fail(store, 4)
    assert store.login("lan", PASSWORD, IP).ok


def test_unknown_names_lock_the_same_way_and_cost_a_hash_check(
    store: AuthStore, hasher: CountingHasher
) -> None:
    before = hasher.verified
    first = store.login("khong-co-ai", PASSWORD, IP)
    assert hasher.verified == before + 1  # checked against a dummy hash, like a known name
    assert first == store.login("lan", "sai-mật-khẩu-rồi", IP)  # nothing tells them apart
    fail(store, 4, name="khong-co-ai")
    unknown = store.login("khong-co-ai", PASSWORD, IP)
    fail(store, 4)
    known = store.login("lan", PASSWORD, IP)
    assert unknown.locked_until is not None and known.locked_until is not None
    assert not unknown.ok and not known.ok


def test_one_address_trying_many_names_is_locked_out(db_path: Path, clock: FakeClock) -> None:
    policy = LockoutPolicy(max_failures=5, max_ip_failures=6)
    store = AuthStore(db_path, clock=clock, hasher=CountingHasher(), policy=policy)
    store.add_user("lan", PASSWORD)
    for n in range(6):
        fail(store, 1, name=f"thu-{n}")
    assert not store.login("lan", PASSWORD, IP).ok
    assert store.login("lan", PASSWORD, "198.51.100.1").ok  # another address is not locked
    clock.advance(minutes=15)
    assert store.login("lan", PASSWORD, IP).ok


def test_unlock_ends_a_names_lock(store: AuthStore) -> None:
    fail(store, 5)
    assert store.unlock("LAN") == 5
    assert store.login("lan", PASSWORD, IP).ok


def test_old_failures_and_expired_sessions_are_cleaned_up(
    store: AuthStore, clock: FakeClock
) -> None:
    stale = store.login("lan", PASSWORD, IP)
    fail(store, 3, name="ai-do")
    clock.advance(hours=9)
    assert store.login("lan", PASSWORD, IP).ok
    assert rows(store.db_path, "SELECT COUNT(*) FROM staff_login_failures") == [(0,)]
    hashes = [r[0] for r in rows(store.db_path, "SELECT token_hash FROM staff_sessions")]
    assert stale.token and token_hash(stale.token) not in hashes and len(hashes) == 1


# ---------------------------------------------------------------- audit


def test_the_audit_log_records_who_did_what_and_when(store: AuthStore, clock: FakeClock) -> None:
    store.login("lan", "sai-mật-khẩu-rồi", IP)
    store.login("ai-do-khong-co", PASSWORD, IP)
    result = store.login("lan", PASSWORD, IP)
    clock.advance(minutes=2)
    store.audit("lan", "label", 42, "school_violence")
    store.logout(result.token)
    assert actions(store) == [
        (CLI_ACTOR, "staff_add", None, "lan (admin)"),
        ("lan", "login_failed", None, None),
        (None, "login_failed", None, None),  # a name that is no user is not kept
        ("lan", "login", None, None),
        ("lan", "label", 42, "school_violence"),
        ("lan", "logout", None, None),
    ]
    label = store.audit_entries(limit=2)[1]
    assert label.ts == "2026-03-02T01:32:00.000+00:00"
    assert store.audit_count() == 6
    assert [e.action for e in store.audit_entries(limit=2, offset=4)] == [
        "login_failed",
        "staff_add",
    ]


def test_locked_attempts_are_audited(store: AuthStore) -> None:
    fail(store, 5)
    store.login("lan", PASSWORD, IP)
    assert actions(store)[-1] == ("lan", "login_locked", None, None)


# ---------------------------------------------------------------- the CLI


def invoke(
    db_path: Path, args: list[str], stdin: str | None = None, password: str | None = None
) -> Result:
    env = {"CHILDSAFE_STAFF_PASSWORD": password}  # None: unset
    return CliRunner().invoke(cli, ["staff", *args, "--db", str(db_path)], input=stdin, env=env)


def test_staff_add_reads_the_password_from_standard_input(db_path: Path) -> None:
    result = invoke(db_path, ["add", "Lan", "--role", "admin"], stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "added staff user 'lan' (admin)" in result.output
    assert PASSWORD not in result.output
    store = AuthStore(db_path)
    assert store.login("lan", PASSWORD, IP).ok
    assert store.get_user("lan") is not None
    assert actions(store)[0] == (CLI_ACTOR, "staff_add", None, "lan (admin)")


def test_staff_add_reads_the_password_from_the_environment(db_path: Path) -> None:
    result = invoke(db_path, ["add", "minh"], stdin="", password=PASSWORD)
    assert result.exit_code == 0, result.output
    user = AuthStore(db_path).get_user("minh")
    assert user is not None and user.role == "viewer"  # the default role
    assert AuthStore(db_path).login("minh", PASSWORD, IP).ok


def test_staff_add_refuses_a_short_password_and_says_the_rule(db_path: Path) -> None:
    result = invoke(db_path, ["add", "lan"], stdin="ngan\n")
    assert result.exit_code == 1
    assert f"at least {MIN_PASSWORD_CHARS} characters" in result.output
    assert "ngan" not in result.output
    result = invoke(db_path, ["add", "lan"], stdin="")  # nothing at all
    assert result.exit_code == 1
    assert AuthStore(db_path).users() == []


def test_staff_add_refuses_a_bad_role_and_a_taken_name(db_path: Path) -> None:
    assert invoke(db_path, ["add", "lan", "--role", "root"], stdin=PASSWORD).exit_code == 2
    assert invoke(db_path, ["add", "lan"], stdin=PASSWORD).exit_code == 0
    taken = invoke(db_path, ["add", "LAN"], stdin=PASSWORD)
    assert taken.exit_code == 1 and "already exists" in taken.output


def test_staff_list_passwd_unlock_remove(db_path: Path) -> None:
    assert "no staff users yet" in invoke(db_path, ["list"]).output
    invoke(db_path, ["add", "lan", "--role", "admin"], password=PASSWORD)
    invoke(db_path, ["add", "minh"], password=PASSWORD)
    listing = invoke(db_path, ["list"]).output.splitlines()
    assert [line.split()[:2] for line in listing] == [["lan", "admin"], ["minh", "viewer"]]
    assert "never" in listing[0]

    new = "một-mật-khẩu-mới-dài"
    assert invoke(db_path, ["passwd", "lan"], stdin=new + "\n").exit_code == 0
    store = AuthStore(db_path, hasher=CountingHasher())
    assert not store.login("lan", PASSWORD, IP).ok
    fail(store, 4)
    assert not store.login("lan", new, IP).ok  # locked
    unlocked = invoke(db_path, ["unlock", "lan"])
    assert unlocked.exit_code == 0 and "5 failed login(s)" in unlocked.output
    assert store.login("lan", new, IP).ok

    assert invoke(db_path, ["passwd", "khong-co"], password=new).exit_code == 1
    assert invoke(db_path, ["remove", "minh"]).exit_code == 0
    assert invoke(db_path, ["remove", "minh"]).exit_code == 1
    assert [u.username for u in store.users()] == ["lan"]
    assert [a[1] for a in actions(store) if a[0] == CLI_ACTOR] == [
        "staff_add", "staff_add", "staff_passwd", "staff_unlock", "staff_remove",
    ]  # fmt: skip


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 120.0) -> None:
    """Read a terminal's output into `seen` until `wanted` shows up (or the program ends)."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"no {wanted!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the program closed the terminal
            return
        if not chunk:
            return
        seen += chunk


@pytest.mark.slow
def test_staff_add_on_a_terminal_asks_twice_and_echoes_nothing(db_path: Path) -> None:
    # A real pseudo-terminal as the command's controlling terminal, as when a person types.
    env = {k: v for k, v in os.environ.items() if k != "CHILDSAFE_STAFF_PASSWORD"}
    args = [str(CHILDSAFE), "staff", "add", "tuan", "--role", "admin", "--db", str(db_path)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        try:
            os.execve(args[0], args, env)
        finally:
            os._exit(127)
    seen = bytearray()
    try:
        read_until(fd, b"password: ", seen)
        assert f"ít nhất {MIN_PASSWORD_CHARS} ký tự".encode() in seen  # the rule comes first
        os.write(fd, PASSWORD.encode() + b"\n")
        read_until(fd, b"confirmation: ", seen)
        os.write(fd, PASSWORD.encode() + b"\n")
        read_until(fd, b"\x00never", seen)  # everything, to the end
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, bytes(seen)
    assert b"added staff user 'tuan' (admin)" in seen
    assert PASSWORD.encode() not in seen  # typed twice, shown never
    assert AuthStore(db_path, hasher=CountingHasher()).login("tuan", PASSWORD, IP).ok

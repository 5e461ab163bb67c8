"""Staff accounts, sessions, CSRF tokens, login lockout and the audit log of the staff desk.

Everything lives in the request log's SQLite file, in tables of its own:

- `staff_users`: name, argon2id hash (argon2-cffi's defaults, rehashed on login when they
  change), role (`viewer` reads and exports; `admin` also labels and reads the audit log);
- `staff_sessions`: the SHA-256 of each session token (the token itself only ever exists in
  the browser's cookie), its CSRF token and its expiry;
- `staff_login_failures`: failed attempts by a keyed hash (HMAC-SHA256 with the app secret)
  of the name typed, never the text (#17), and by client address, kept just long
  enough to decide lockouts;
- `staff_audit`: who did what, to which logged message, when.

Lockout: MAX_FAILURES failures for one user name within WINDOW lock that name for LOCK;
MAX_IP_FAILURES failures from one address do the same to the address. The name need not
exist, so a lock reveals nothing about which names do; a locked attempt is refused without
checking the password and without extending the lock. Unknown names are checked against a
dummy hash, so they take as long as known ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.settings import Settings
from handlers.identity import load_or_create_secret
from handlers.private_files import private_file
from handlers.requestlog import Clock, timestamp, utc_now

Role = Literal["viewer", "counsellor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "counsellor", "admin")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a cap keeps a login form cheap to check
MAX_USERNAME_CHARS = 32
_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
PASSWORD_RULE = (
    f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự và khác tên đăng nhập / "
    f"the password needs at least {MIN_PASSWORD_CHARS} characters and must differ from the name"
)
USERNAME_RULE = (
    "Tên đăng nhập: 2–32 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang / "
    "user names are 2-32 characters: a-z, 0-9, '.', '_', '-', starting with a letter or digit"
)
CLI_ACTOR = "(dòng lệnh)"  # who the audit log names for changes made with `childsafe staff`

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff_users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'counsellor', 'admin')),
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE TABLE IF NOT EXISTS staff_sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_sessions_username ON staff_sessions (username);
CREATE TABLE IF NOT EXISTS staff_login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_login_failures_username ON staff_login_failures (username, at);
CREATE INDEX IF NOT EXISTS staff_login_failures_ip ON staff_login_failures (ip, at);
CREATE TABLE IF NOT EXISTS staff_audit (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    target_id INTEGER,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS staff_audit_ts ON staff_audit (ts);
"""


def _allow_counsellor_role(conn: sqlite3.Connection) -> None:
    """Databases made before the `counsellor` role (#15) have a CHECK that refuses it:
    rebuild the table once, keeping every row."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'staff_users'"
    ).fetchone()
    if row is None or "'counsellor'" in row[0]:
        return
    conn.execute("ALTER TABLE staff_users RENAME TO staff_users_old")
    conn.executescript(SCHEMA.split(";")[0] + ";")
    conn.execute("INSERT INTO staff_users SELECT * FROM staff_users_old")
    conn.execute("DROP TABLE staff_users_old")


class AuthError(ValueError):
    """A user name, password or role that breaks a rule; the message says which rule."""


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5  # per user name
    max_ip_failures: int = 30  # per client address (several staff may share one office NAT)
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class StaffUser:
    username: str
    role: Role
    created_at: str
    last_login_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_counsel(self) -> bool:
        """Counsellors take handoffs; admins can do everything a counsellor can."""
        return self.role in ("counsellor", "admin")


@dataclass(frozen=True, slots=True)
class Session:
    user: StaffUser
    csrf_token: str
    expires_at: dt.datetime

    @property
    def username(self) -> str:
        return self.user.username


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None  # the session token for the cookie, on success
    session: Session | None = None
    locked_until: dt.datetime | None = None  # set when the attempt was refused by a lock

    @property
    def ok(self) -> bool:
        return self.token is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: str
    username: str | None
    action: str
    target_id: int | None
    detail: str | None


def normalise_username(value: str) -> str:
    """How a typed name is compared: trimmed, lowercase, cut (lockout keys stay short)."""
    return value.strip().lower()[: MAX_USERNAME_CHARS * 2]


def check_username(value: str) -> str:
    name = normalise_username(value)
    if not _USERNAME_RE.fullmatch(name):
        raise AuthError(USERNAME_RULE)
    return name


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_CHARS or len(password) > MAX_PASSWORD_CHARS:
        raise AuthError(PASSWORD_RULE if len(password) < MIN_PASSWORD_CHARS else _too_long())
    if username and password.strip().lower() == username.lower():
        raise AuthError(PASSWORD_RULE)
    if not password.strip():
        raise AuthError(PASSWORD_RULE)


def _too_long() -> str:
    return f"Mật khẩu dài quá {MAX_PASSWORD_CHARS} ký tự / longer than {MAX_PASSWORD_CHARS}"


def check_role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise AuthError(f"vai trò / role must be one of: {', '.join(ROLES)}")


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_matches(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(
        session.csrf_token.encode(), str(submitted).encode()
    )


def _parse(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts)


class AuthStore:
    """Staff users, sessions, lockout and audit over one SQLite file. Thread-safe: every
    call opens its own short connection (call it from a worker thread in async code)."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        session_hours: float = 8.0,
        policy: LockoutPolicy | None = None,
        clock: Clock = utc_now,
        hasher: PasswordHasher | None = None,
        name_key: bytes | None = None,
    ) -> None:
        """`name_key`: the key failed logins hash the attempted name with (the app secret);
        by default the key file kept beside the database."""
        self.db_path = Path(db_path)
        self.session_lifetime = dt.timedelta(hours=session_hours)
        self.policy = policy or LockoutPolicy()
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        private_file(self.db_path)
        self._name_key = name_key or load_or_create_secret(None, self.db_path)
        self._create_schema()

    def _create_schema(self, attempts: int = 50) -> None:
        # At start-up the request log's writer may be creating its own tables in the same new
        # file; switching the journal mode then fails at once with "locked" instead of
        # waiting for the busy timeout, so try again for a few seconds.
        for attempt in range(attempts):
            try:
                with self._connect() as conn:
                    conn.execute("PRAGMA journal_mode = WAL")  # the log's mode: readers never wait
                    conn.executescript(SCHEMA)
                    _allow_counsellor_role(conn)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.1)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=5.0)
        conn.row_factory = sqlite3.Row
        try:
            with conn:  # one transaction: committed on success, rolled back on error
                yield conn
        finally:
            conn.close()

    # ------------------------------------------------------------------ users
    def add_user(self, username: str, password: str, role: str = "viewer") -> StaffUser:
        name = check_username(username)
        checked_role = check_role(role)
        check_password(password, name)
        now = timestamp(self._clock())
        password_hash = self._hasher.hash(password)
        with self._connect() as conn:
            try:
                conn.execute(
                    "INSERT INTO staff_users (username, password_hash, role, created_at, "
                    "password_changed_at) VALUES (?, ?, ?, ?, ?)",
                    (name, password_hash, checked_role, now, now),
                )
            except sqlite3.IntegrityError as exc:
                raise AuthError(f"{name!r} đã có / already exists") from exc
            self._audit(conn, CLI_ACTOR, "staff_add", detail=f"{name} ({checked_role})")
        return StaffUser(name, checked_role, now)

    def set_password(self, username: str, password: str) -> None:
        """New password; every session of that user ends."""
        name = normalise_username(username)
        check_password(password, name)
        password_hash = self._hasher.hash(password)
        with self._connect() as conn:
            changed = conn.execute(
                "UPDATE staff_users SET password_hash = ?, password_changed_at = ? "
                "WHERE username = ?",
                (password_hash, timestamp(self._clock()), name),
            ).rowcount
            if not changed:
                raise AuthError(f"không có / no such user: {name!r}")
            conn.execute("DELETE FROM staff_sessions WHERE username = ?", (name,))
            self._audit(conn, CLI_ACTOR, "staff_passwd", detail=name)

    def remove_user(self, username: str) -> bool:
        name = normalise_username(username)
        with self._connect() as conn:
            removed = conn.execute("DELETE FROM staff_users WHERE username = ?", (name,)).rowcount
            conn.execute("DELETE FROM staff_sessions WHERE username = ?", (name,))
            if removed:
                self._audit(conn, CLI_ACTOR, "staff_remove", detail=name)
        return bool(removed)

    def unlock(self, username: str) -> int:
        """Forget a name's failed logins (ends its lock). Returns failures forgotten."""
        name = normalise_username(username)
        with self._connect() as conn:
            count = conn.execute(
                "DELETE FROM staff_login_failures WHERE username = ?", (self.attempt_key(name),)
            ).rowcount
            self._audit(conn, CLI_ACTOR, "staff_unlock", detail=name)
        return int(count)

    def users(self) -> list[StaffUser]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT username, role, created_at, last_login_at FROM staff_users "
                "ORDER BY username"
            ).fetchall()
        return [
            StaffUser(r["username"], r["role"], r["created_at"], r["last_login_at"]) for r in rows
        ]

    def get_user(self, username: str) -> StaffUser | None:
        name = normalise_username(username)
        return next((u for u in self.users() if u.username == name), None)

    # ------------------------------------------------------------------ login
    def login(self, username: str, password: str, ip: str) -> LoginResult:
        """Check a login. On success, a new session (and its token for the cookie)."""
        dummy = self._dummy()
        name = normalise_username(username)
        ip = (ip or "?")[:64]
        password = password[:MAX_PASSWORD_CHARS]
        now = self._clock()
        with self._connect() as conn:
            locked = self._locked_until(conn, self.attempt_key(name), ip, now)
            record = conn.execute(
                "SELECT username, role, password_hash, created_at, last_login_at "
                "FROM staff_users WHERE username = ?",
                (name,),
            ).fetchone()
            known = name if record else None
            if locked is not None:
                self._audit(conn, known, "login_locked")
                return LoginResult(locked_until=locked)
        if not self._verify(record["password_hash"] if record else dummy, password) or not record:
            with self._connect() as conn:
                conn.execute(
                    "INSERT INTO staff_login_failures (username, ip, at) VALUES (?, ?, ?)",
                    (self.attempt_key(name), ip, timestamp(now)),
                )
                self._audit(conn, known, "login_failed")
                locked = self._locked_until(conn, self.attempt_key(name), ip, now)
            return LoginResult(locked_until=locked)
        new_hash = None
        if self._hasher.check_needs_rehash(record["password_hash"]):
            new_hash = self._hasher.hash(password)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + self.session_lifetime
        user = StaffUser(record["username"], record["role"], record["created_at"], timestamp(now))
        with self._connect() as conn:
            self._forget_expired(conn, now)
            conn.execute(
                "DELETE FROM staff_login_failures WHERE username = ?", (self.attempt_key(name),)
            )
            conn.execute(
                "INSERT INTO staff_sessions (token_hash, username, csrf_token, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), user.username, csrf, timestamp(now), timestamp(expires)),
            )
            conn.execute(
                "UPDATE staff_users SET last_login_at = ?, password_hash = "
                "COALESCE(?, password_hash) WHERE username = ?",
                (timestamp(now), new_hash, user.username),
            )
            self._audit(conn, user.username, "login")
        return LoginResult(token=token, session=Session(user, csrf, expires))

    def attempt_key(self, name: str) -> str:
        """What a failed login keeps of the name typed: a keyed hash, never the text (a
        password typed into the name field must not be stored)."""
        raw = name.encode("utf-8", "surrogatepass")
        return "hmac:" + hmac.new(self._name_key, raw, hashlib.sha256).hexdigest()[:32]

    def purge_audit_older_than(self, days: float) -> int:
        """Delete audit entries older than `days` days (CHILDSAFE_AUDIT_RETENTION_DAYS)."""
        cutoff = timestamp(self._clock() - dt.timedelta(days=days))
        with self._connect() as conn:
            return int(conn.execute("DELETE FROM staff_audit WHERE ts < ?", (cutoff,)).rowcount)

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _locked_until(
        self, conn: sqlite3.Connection, name: str, ip: str, now: dt.datetime
    ) -> dt.datetime | None:
        policy = self.policy
        ends = [
            self._lock_end(conn, "username", name, policy.max_failures, now),
            self._lock_end(conn, "ip", ip, policy.max_ip_failures, now),
        ]
        latest = max((end for end in ends if end is not None), default=None)
        return latest if latest is not None and latest > now else None

    def _lock_end(
        self, conn: sqlite3.Connection, column: str, value: str, limit: int, now: dt.datetime
    ) -> dt.datetime | None:
        """When the lock set off by the latest run of `limit` failures within the window ends."""
        policy = self.policy
        horizon = timestamp(now - policy.window - policy.lock)
        times = [
            _parse(row[0])
            for row in conn.execute(
                f"SELECT at FROM staff_login_failures WHERE {column} = ? AND at > ? ORDER BY at",
                (value, horizon),
            )
        ]
        end = None
        for i in range(limit - 1, len(times)):
            if times[i] - times[i - limit + 1] <= policy.window:
                end = times[i] + policy.lock
        return end

    def _forget_expired(self, conn: sqlite3.Connection, now: dt.datetime) -> None:
        conn.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", (timestamp(now),))
        horizon = now - self.policy.window - self.policy.lock
        conn.execute("DELETE FROM staff_login_failures WHERE at <= ?", (timestamp(horizon),))

    # ------------------------------------------------------------------ sessions
    def session(self, token: str | None) -> Session | None:
        """The live session a cookie's token names (its user still existing), or None."""
        if not token or len(token) > 256:
            return None
        now = self._clock()
        with self._connect() as conn:
            row = conn.execute(
                "SELECT s.csrf_token, s.expires_at, u.username, u.role, u.created_at, "
                "u.last_login_at FROM staff_sessions s JOIN staff_users u "
                "ON u.username = s.username WHERE s.token_hash = ?",
                (token_hash(token),),
            ).fetchone()
            if row is None:
                return None
            expires = _parse(row["expires_at"])
            if expires <= now:
                conn.execute(
                    "DELETE FROM staff_sessions WHERE token_hash = ?", (token_hash(token),)
                )
                return None
        user = StaffUser(row["username"], row["role"], row["created_at"], row["last_login_at"])
        return Session(user, row["csrf_token"], expires)

    def logout(self, token: str | None) -> str | None:
        """End the session a token names. Returns whose it was."""
        if not token:
            return None
        with self._connect() as conn:
            row = conn.execute(
                "DELETE FROM staff_sessions WHERE token_hash = ? RETURNING username",
                (token_hash(token),),
            ).fetchone()
            if row is not None:
                self._audit(conn, row["username"], "logout")
        return row["username"] if row else None

    # ------------------------------------------------------------------ audit
    def audit(
        self,
        username: str | None,
        action: str,
        target_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        with self._connect() as conn:
            self._audit(conn, username, action, target_id, detail)

    def _audit(
        self,
        conn: sqlite3.Connection,
        username: str | None,
        action: str,
        target_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO staff_audit (ts, username, action, target_id, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                timestamp(self._clock()),
                username,
                action,
                target_id,
                (detail or None) and detail[:500],
            ),
        )

    def audit_entries(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, ts, username, action, target_id, detail FROM staff_audit "
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                (max(0, limit), max(0, offset)),
            ).fetchall()
        return [AuditEntry(*tuple(r)) for r in rows]

    def audit_count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM staff_audit").fetchone()[0])


def auth_store(settings: Settings) -> AuthStore:
    """The deployment's store: its database, session length and secret (failed logins are
    hashed with CHILDSAFE_SECRET, or the key kept beside the database)."""
    return AuthStore(
        settings.db_path,
        session_hours=settings.staff_session_hours,
        name_key=load_or_create_secret(settings.secret, settings.db_path),
    )

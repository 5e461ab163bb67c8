"""State that every worker process (and every replica) must see alike, behind one interface.

What lives here: conversation state (`handlers.state`), rate-limit buckets
(`handlers.ratelimit`), platform update de-duplication, cross-process locks (the Zalo token
refresh) and, later, handoff state. Values are JSON objects under a `space` and a `key`;
every value has a time to live, so nothing here grows without bound.

Three stores, one interface (`SharedState`):
- `SQLiteShared` (the default): a small SQLite file beside the request log
  (`<db>-state.db`, WAL), shared by every worker process on one machine.
- `RedisShared` (when `CHILDSAFE_REDIS_URL` is set): shared by several machines behind a load
  balancer.
- `MemoryShared`: in-process, for tests and one-process tools. It cannot be shared, so a
  server using it holds an exclusive lock on the database (`claim_single_process`) and a
  second process on the same database refuses to start, saying why.

`update()` is the one read-modify-write primitive: the change function sees the current
value (or None) and returns the new value (or None to delete it) and a result; stores run it
atomically (SQLite: one `BEGIN IMMEDIATE` transaction; Redis: WATCH/MULTI, retried).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from handlers.private_files import private_file

log = logging.getLogger(__name__)

T = TypeVar("T")
Record = dict[str, Any]
Change = Callable[[Record | None], tuple[Record | None, T]]

STATE_FILE_SUFFIX = "-state.db"


class SharedStateError(RuntimeError):
    """The shared store cannot be used as configured (the message says why)."""


class SharedState(ABC):
    """Keyed JSON records with a time to live, atomic updates, add-once keys and locks."""

    name = "?"
    shareable = True  # False: only this process sees it

    @abstractmethod
    def get(self, space: str, key: str) -> Record | None: ...

    @abstractmethod
    def put(self, space: str, key: str, value: Record, ttl: float) -> None: ...

    @abstractmethod
    def delete(self, space: str, key: str) -> bool: ...

    @abstractmethod
    def update(self, space: str, key: str, change: Change[T], ttl: float) -> T: ...

    def add_once(self, space: str, key: str, ttl: float) -> bool:
        """Remember `key` for `ttl` seconds; False if it was already remembered."""

        def mark(old: Record | None) -> tuple[Record | None, bool]:
            return {"at": time.time()}, old is None

        return self.update(space, key, mark, ttl)

    @abstractmethod
    @contextlib.contextmanager
    def lock(self, name: str, ttl: float = 60.0, wait: float = 30.0) -> Iterator[bool]:
        """Hold `name` across processes for at most `ttl` seconds (a crashed holder's lock
        expires). Yields True once held, False if `wait` seconds passed without it."""
        yield False

    def close(self) -> None:  # noqa: B027 (most stores hold something to release)
        """Release connections."""


# ---------------------------------------------------------------------------- in memory
class MemoryShared(SharedState):
    name = "memory"
    shareable = False

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._records: dict[tuple[str, str], tuple[float, Record]] = {}
        self._guard = threading.RLock()
        self._locks: dict[str, threading.Lock] = {}
        self._writes = 0

    def get(self, space: str, key: str) -> Record | None:
        with self._guard:
            found = self._records.get((space, key))
            if found is None or found[0] <= self.clock():
                return None
            return _loads(json.dumps(found[1]))  # a copy, as the other stores give

    def put(self, space: str, key: str, value: Record, ttl: float) -> None:
        data = json.loads(json.dumps(value))
        with self._guard:
            self._records[(space, key)] = (self.clock() + ttl, data)
            self._writes += 1
            if self._writes % 1000 == 0:
                self._expire()

    def delete(self, space: str, key: str) -> bool:
        with self._guard:
            return self._records.pop((space, key), None) is not None

    def update(self, space: str, key: str, change: Change[T], ttl: float) -> T:
        with self._guard:
            new, result = change(self.get(space, key))
            if new is None:
                self.delete(space, key)
            else:
                self.put(space, key, new, ttl)
            return result

    @contextlib.contextmanager
    def lock(self, name: str, ttl: float = 60.0, wait: float = 30.0) -> Iterator[bool]:
        with self._guard:
            held = self._locks.setdefault(name, threading.Lock())
        got = held.acquire(timeout=wait)
        try:
            yield got
        finally:
            if got:
                held.release()

    def _expire(self) -> None:
        now = self.clock()
        for item in [k for k, (at, _) in self._records.items() if at <= now]:
            del self._records[item]

    def __len__(self) -> int:
        return len(self._records)


# ---------------------------------------------------------------------------- SQLite
_SCHEMA = """
CREATE TABLE IF NOT EXISTS shared (
    space TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (space, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shared_expires ON shared (expires);
CREATE TABLE IF NOT EXISTS locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
"""


def state_db_path(db_path: Path) -> Path:
    """The shared-state file beside the request log: `data/childsafe.db` →
    `data/childsafe-state.db`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + STATE_FILE_SUFFIX)


def connect_state_db(path: Path, busy_timeout: float = 10.0) -> sqlite3.Connection:
    """A connection with the state file's settings: WAL (readers never block the writer),
    `synchronous=NORMAL` (a killed process loses nothing committed; a power cut may lose the
    last commits), `secure_delete` (what is deleted is overwritten), autocommit."""
    private_file(path)  # conversation state and the inbox: owner only (#17)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA secure_delete = ON")
    return conn


class SQLiteShared(SharedState):
    """One SQLite file for every process on a machine; a connection per thread."""

    name = "sqlite"

    def __init__(self, path: Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._writes = 0
        self._schema_ready = False
        with contextlib.suppress(sqlite3.Error, OSError):  # unwritable now: each use retries
            self._conn()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_state_db(self.path, self.busy_timeout)
            if not self._schema_ready:
                try:
                    conn.executescript(_SCHEMA)
                except sqlite3.Error:
                    conn.close()
                    raise
                self._schema_ready = True
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def get(self, space: str, key: str) -> Record | None:
        row = (
            self._conn()
            .execute(
                "SELECT value FROM shared WHERE space = ? AND key = ? AND expires > ?",
                (space, key, time.time()),
            )
            .fetchone()
        )
        return _loads(row[0]) if row else None

    def put(self, space: str, key: str, value: Record, ttl: float) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO shared (space, key, value, expires) VALUES (?, ?, ?, ?)",
            (space, key, json.dumps(value, ensure_ascii=False), time.time() + ttl),
        )
        self._wrote()

    def delete(self, space: str, key: str) -> bool:
        cursor = self._conn().execute(
            "DELETE FROM shared WHERE space = ? AND key = ?", (space, key)
        )
        return bool(cursor.rowcount)

    def update(self, space: str, key: str, change: Change[T], ttl: float) -> T:
        conn = self._conn()
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT value FROM shared WHERE space = ? AND key = ? AND expires > ?",
                (space, key, now),
            ).fetchone()
            new, result = change(_loads(row[0]) if row else None)
            if new is None:
                conn.execute("DELETE FROM shared WHERE space = ? AND key = ?", (space, key))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO shared (space, key, value, expires) "
                    "VALUES (?, ?, ?, ?)",
                    (space, key, json.dumps(new, ensure_ascii=False), now + ttl),
                )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._wrote()
        return result

    @contextlib.contextmanager
    def lock(self, name: str, ttl: float = 60.0, wait: float = 30.0) -> Iterator[bool]:
        token = f"{self.owner}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + wait
        got = False
        while True:
            now = time.time()
            cursor = self._conn().execute(
                "INSERT INTO locks (name, owner, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
                "expires = excluded.expires WHERE locks.expires <= ?",
                (name, token, now + ttl, now),
            )
            if cursor.rowcount:
                got = True
                break
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        try:
            yield got
        finally:
            if got:
                self._conn().execute(
                    "DELETE FROM locks WHERE name = ? AND owner = ?", (name, token)
                )

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % 1000 == 0:
            with contextlib.suppress(sqlite3.Error):
                self._conn().execute("DELETE FROM shared WHERE expires <= ?", (time.time(),))

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


# ---------------------------------------------------------------------------- Redis
class RedisShared(SharedState):
    """Redis (any recent version) at `url`; keys are `<prefix>:<space>:<key>`."""

    name = "redis"

    def __init__(self, url: str, prefix: str = "childsafe") -> None:
        import redis  # only deployments that configure Redis need the client

        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._watch_error = redis.WatchError
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise SharedStateError(
                f"CHILDSAFE_REDIS_URL is set but Redis does not answer ({type(exc).__name__}: "
                f"{exc}); start Redis or unset CHILDSAFE_REDIS_URL"
            ) from exc

    def _key(self, space: str, key: str) -> str:
        return f"{self.prefix}:{space}:{key}"

    def get(self, space: str, key: str) -> Record | None:
        raw = self.client.get(self._key(space, key))
        return _loads(raw) if raw is not None else None

    def put(self, space: str, key: str, value: Record, ttl: float) -> None:
        self.client.set(self._key(space, key), json.dumps(value, ensure_ascii=False), px=_ms(ttl))

    def delete(self, space: str, key: str) -> bool:
        return bool(self.client.delete(self._key(space, key)))

    def add_once(self, space: str, key: str, ttl: float) -> bool:
        return bool(self.client.set(self._key(space, key), "1", nx=True, px=_ms(ttl)))

    def update(self, space: str, key: str, change: Change[T], ttl: float) -> T:
        name = self._key(space, key)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)  # type: ignore[no-untyped-call]
                    raw = pipe.get(name)
                    new, result = change(_loads(raw) if raw is not None else None)
                    pipe.multi()
                    if new is None:
                        pipe.delete(name)
                    else:
                        pipe.set(name, json.dumps(new, ensure_ascii=False), px=_ms(ttl))
                    pipe.execute()
                    return result
                except self._watch_error:
                    continue  # another process changed it in between: read it again

    @contextlib.contextmanager
    def lock(self, name: str, ttl: float = 60.0, wait: float = 30.0) -> Iterator[bool]:
        held = self.client.lock(
            self._key("lock", name), timeout=ttl, blocking_timeout=wait, thread_local=False
        )
        got = bool(held.acquire())
        try:
            yield got
        finally:
            if got:
                with contextlib.suppress(Exception):  # expired meanwhile: nothing to release
                    held.release()

    def close(self) -> None:
        self.client.close()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _loads(raw: str | bytes) -> Record | None:
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


# ---------------------------------------------------------------------------- choosing
def open_shared(db_path: Path, redis_url: str | None, kind: str = "sqlite") -> SharedState:
    """The store a deployment's settings ask for: Redis when a URL is given, else SQLite
    beside the database (or memory, for one process only)."""
    if redis_url:
        return RedisShared(redis_url)
    if kind == "memory":
        return MemoryShared()
    return SQLiteShared(state_db_path(db_path))


_single_process_locks: list[int] = []


def claim_single_process(db_path: Path) -> None:
    """For a store only this process sees: hold an exclusive lock beside the database, so a
    second server on the same database refuses to start instead of acting as a second,
    forgetful assistant."""
    lock_path = Path(db_path).with_name(Path(db_path).name + ".single-process.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SharedStateError(
            f"another childsafe process already serves {db_path} with in-process state "
            "(CHILDSAFE_SHARED_STATE=memory): two processes would act as two assistants "
            "(lost conversations, doubled rate limits). Use the default "
            "CHILDSAFE_SHARED_STATE=sqlite, or CHILDSAFE_REDIS_URL, to run several."
        ) from None
    _single_process_locks.append(fd)  # held until the process exits

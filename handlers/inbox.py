"""The durable inbox: a platform update is committed here before the platform gets its 200.

Telegram and Zalo send an update again only while they get no 2xx; after a 200 the update
is ours to answer. So a webhook commits the update to the `inbox` table (in the shared-state
file, `<db>-state.db`) and only then answers 200; the channel answers from its queue and
marks the row done. A process killed in between leaves the row open: at start-up, and every
few seconds while running, each process takes over the open rows of processes that are gone
(on this machine: their pid is dead; anywhere: their lease ran out) and answers them.

- **Once per platform id.** The row's key is the platform's own id (Telegram `update_id`,
  Zalo `event_name:msg_id`), unique per channel: a second delivery, to this or another
  worker, is acknowledged and not answered again. With Redis configured, the key is also
  claimed there first, so replicas on several machines answer it once too. The keys are kept
  `DEDUPE_SECONDS` (25 h: longer than the platforms resend), then deleted.
- **A processing window of text, no more.** An answered row loses its body at once (set to
  NULL; `secure_delete` overwrites it); only the key and times stay for de-duplication.
- **Bounded.** At most `max_pending` open rows (all processes together): beyond that
  `accept()` says FULL and the webhook answers 503, so the platform sends it again later
  instead of the backlog growing without end.
- **Very old updates.** A row still open after `max_age` seconds (the server was down that
  long) is closed unanswered, counted and logged: an answer a day late to a conversation
  that moved on does more harm than good, and Zalo's reply window closes after 48 h.
- **At least once, not exactly once.** A process killed after sending an answer and before
  marking its row done answers that update again after the restart (a duplicate reply,
  never a lost one).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handlers.shared import SharedState, connect_state_db

log = logging.getLogger(__name__)

DEDUPE_SECONDS = 25 * 3600  # Telegram keeps an update 24 h; Zalo resends for about 12 h
LEASE_SECONDS = 30.0  # a running process renews its rows' lease every LEASE_SECONDS / 3
MAX_PENDING = 1000
MAX_AGE_SECONDS = 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT,
    received REAL NOT NULL,
    owner TEXT NOT NULL,
    lease REAL NOT NULL,
    done REAL,
    UNIQUE (channel, key)
);
CREATE INDEX IF NOT EXISTS inbox_open ON inbox (channel, received) WHERE done IS NULL;
CREATE INDEX IF NOT EXISTS inbox_done ON inbox (done) WHERE done IS NOT NULL;
"""


class Verdict(enum.Enum):
    NEW = "new"  # committed: answer 200, then answer the update
    DUPLICATE = "duplicate"  # seen before: answer 200, nothing else
    FULL = "full"  # too many open: answer 503, the platform sends it again


@dataclass(frozen=True, slots=True)
class Item:
    channel: str
    key: str
    body: str
    received: float


class Inbox:
    """See the module docstring. Thread-safe (a connection per thread)."""

    def __init__(
        self,
        path: Path,
        *,
        max_pending: int = MAX_PENDING,
        max_age: float = MAX_AGE_SECONDS,
        shared: SharedState | None = None,
        lease: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = Path(path)
        self.max_pending = max_pending
        self.max_age = max_age
        self.lease = lease
        self.clock = clock
        self.busy_timeout = busy_timeout
        # Only a store other machines see needs asking first; SQLite's is this very file.
        self.shared = shared if shared is not None and shared.name == "redis" else None
        self.host = socket.gethostname()
        self.owner = f"{self.host}|{os.getpid()}|{uuid.uuid4().hex[:12]}"
        self.dropped_old = 0
        self._local = threading.local()
        self._schema_ready = False
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_state_db(self.path, self.busy_timeout)
            if not self._schema_ready:
                conn.executescript(_SCHEMA)
                self._schema_ready = True
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    # ------------------------------------------------------------------ intake
    def accept(self, channel: str, key: str, body: str) -> Verdict:
        """Commit one update (raises sqlite3.Error if it cannot: answer 5xx then)."""
        if self.shared is not None and not self.shared.add_once(
            "inbox", f"{channel}:{key}", DEDUPE_SECONDS
        ):
            return Verdict.DUPLICATE
        try:
            verdict = self._insert(channel, key, body)
        except BaseException:
            self._release_shared(channel, key)
            raise
        if verdict is Verdict.FULL:
            self._release_shared(channel, key)
        return verdict

    def _insert(self, channel: str, key: str, body: str) -> Verdict:
        conn = self._conn()
        now = self.clock()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute(
                "SELECT 1 FROM inbox WHERE channel = ? AND key = ?", (channel, key)
            ).fetchone():
                conn.execute("ROLLBACK")
                return Verdict.DUPLICATE
            (open_rows,) = conn.execute("SELECT count(*) FROM inbox WHERE done IS NULL").fetchone()
            if open_rows >= self.max_pending:
                conn.execute("ROLLBACK")
                return Verdict.FULL
            conn.execute(
                "INSERT INTO inbox (channel, key, body, received, owner, lease) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (channel, key, body, now, self.owner, now + self.lease),
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return Verdict.NEW

    def _release_shared(self, channel: str, key: str) -> None:
        if self.shared is not None:
            with contextlib.suppress(Exception):
                self.shared.delete("inbox", f"{channel}:{key}")

    def done(self, channel: str, key: str) -> None:
        """Answered: forget the body at once; the key stays for de-duplication."""
        self._conn().execute(
            "UPDATE inbox SET body = NULL, done = ? WHERE channel = ? AND key = ?",
            (self.clock(), channel, key),
        )

    # ------------------------------------------------------------------ recovery
    def reclaim(self, channel: str) -> list[Item]:
        """Take over this channel's open rows whose owner is gone (dead on this machine, or
        its lease ran out), oldest first; close those older than `max_age` unanswered."""
        conn = self._conn()
        now = self.clock()
        dead = [o for o in self._open_owners(channel) if self._is_dead(o)]
        self._drop_old(channel, now)
        marks = ",".join("?" * len(dead)) or "NULL"
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                f"UPDATE inbox SET owner = ?, lease = ? WHERE channel = ? AND done IS NULL "
                f"AND owner != ? AND (lease < ? OR owner IN ({marks})) "
                "RETURNING key, body, received",
                (self.owner, now + self.lease, channel, self.owner, now, *dead),
            ).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        items = [Item(channel, k, b, r) for k, b, r in rows if b is not None]
        items.sort(key=lambda item: item.received)
        if items:
            log.warning(
                "inbox: %d %s update(s) accepted earlier are answered now", len(items), channel
            )
        return items

    def _open_owners(self, channel: str) -> list[str]:
        return [
            owner
            for (owner,) in self._conn().execute(
                "SELECT DISTINCT owner FROM inbox "
                "WHERE channel = ? AND done IS NULL AND owner != ?",
                (channel, self.owner),
            )
        ]

    def _is_dead(self, owner: str) -> bool:
        host, _, rest = owner.partition("|")
        pid_text = rest.partition("|")[0]
        if host != self.host or not pid_text.isdigit():
            return False  # another machine: its lease tells
        pid = int(pid_text)
        if pid == os.getpid():
            return False  # an earlier inbox of this very process (tests): its lease tells
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _drop_old(self, channel: str, now: float) -> None:
        cursor = self._conn().execute(
            "UPDATE inbox SET body = NULL, done = ? WHERE channel = ? AND done IS NULL "
            "AND received < ?",
            (now, channel, now - self.max_age),
        )
        if cursor.rowcount:
            self.dropped_old += cursor.rowcount
            log.error(
                "inbox: %d %s update(s) older than %.0f h closed unanswered (policy: "
                "CHILDSAFE_INBOX_MAX_AGE)",
                cursor.rowcount,
                channel,
                self.max_age / 3600,
            )

    def heartbeat(self) -> None:
        """Renew the lease of this process's open rows; forget keys past the dedupe window."""
        now = self.clock()
        conn = self._conn()
        conn.execute(
            "UPDATE inbox SET lease = ? WHERE owner = ? AND done IS NULL",
            (now + self.lease, self.owner),
        )
        conn.execute(
            "DELETE FROM inbox WHERE done IS NOT NULL AND done < ?", (now - DEDUPE_SECONDS,)
        )

    # ------------------------------------------------------------------ looking
    def open_count(self, channel: str | None = None) -> int:
        sql = "SELECT count(*) FROM inbox WHERE done IS NULL"
        params: tuple[str, ...] = ()
        if channel is not None:
            sql += " AND channel = ?"
            params = (channel,)
        (count,) = self._conn().execute(sql, params).fetchone()
        return int(count)

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

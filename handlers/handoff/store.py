"""Where handoff cases live: a small interface, and its SQLite implementation.

The SQLite store keeps its tables in the app's database file (`CHILDSAFE_DB`), so every
worker process on one machine sees the same queue. Each call opens its own short
connection and runs in one transaction; state changes are conditional updates
(`... WHERE state = 'waiting'`), so two counsellors claiming at once cannot both win.
Text columns holding what a person wrote, and the reply address, are ciphertext: the store
never sees plain text (`HandoffService` encrypts before and decrypts after).

A store for several machines (Redis) implements the same `HandoffStore` protocol.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from handlers.private_files import private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff_cases (
    id INTEGER PRIMARY KEY,
    user_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'closed')),
    urgent INTEGER NOT NULL DEFAULT 0,
    alert INTEGER NOT NULL DEFAULT 0,
    opened_at REAL NOT NULL,
    claimed_at REAL,
    closed_at REAL,
    last_activity REAL NOT NULL,
    last_user_at REAL,
    replies_since_user INTEGER NOT NULL DEFAULT 0,
    counsellor TEXT,
    outcome TEXT,
    address BLOB
);
CREATE INDEX IF NOT EXISTS handoff_cases_user ON handoff_cases (user_key, state);
CREATE INDEX IF NOT EXISTS handoff_cases_state ON handoff_cases (state, closed_at);
CREATE TABLE IF NOT EXISTS handoff_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL,
    sender TEXT NOT NULL CHECK (sender IN ('user', 'counsellor', 'system')),
    author TEXT,
    body BLOB NOT NULL,
    at REAL NOT NULL,
    delivery TEXT NOT NULL DEFAULT 'none',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL
);
CREATE INDEX IF NOT EXISTS handoff_messages_case ON handoff_messages (case_id, seq);
CREATE INDEX IF NOT EXISTS handoff_messages_delivery ON handoff_messages (delivery, next_try);
CREATE TABLE IF NOT EXISTS handoff_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    author TEXT NOT NULL,
    body BLOB NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS handoff_duty (
    username TEXT PRIMARY KEY,
    available INTEGER NOT NULL,
    changed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS handoff_alerts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    channel TEXT NOT NULL,
    case_id INTEGER,
    dangers TEXT NOT NULL,
    notified INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS handoff_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO handoff_version (id, version) VALUES (1, 0);
"""

OPEN_STATES = ("waiting", "active")
# Pending deliveries a courier took but did not confirm are retried after this long.
DELIVERY_LEASE_SECONDS = 30.0
MAX_DELIVERY_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    user_key: str
    channel: str
    state: str
    urgent: bool
    alert: bool
    opened_at: float
    claimed_at: float | None
    closed_at: float | None
    last_activity: float
    last_user_at: float | None
    replies_since_user: int
    counsellor: str | None
    outcome: str | None
    address: bytes | None


@dataclass(frozen=True, slots=True)
class MessageRow:
    seq: int
    case_id: int
    sender: str
    author: str | None
    body: bytes
    at: float
    delivery: str


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    case_id: int
    author: str
    body: bytes
    at: float


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    at: float
    channel: str
    case_id: int | None
    dangers: str


@dataclass(frozen=True, slots=True)
class Delivery:
    seq: int
    case_id: int
    channel: str
    address: bytes | None
    body: bytes
    attempts: int


class HandoffStore(Protocol):
    """What the handoff needs from storage. Blobs are ciphertext; times are Unix seconds."""

    def open_case(self, user_key: str) -> CaseRow | None: ...
    def create_case(
        self, user_key: str, channel: str, address: bytes, urgent: bool, now: float
    ) -> CaseRow: ...
    def get_case(self, case_id: int) -> CaseRow | None: ...
    def cases(self, states: tuple[str, ...]) -> list[CaseRow]: ...
    def claim(self, case_id: int, username: str, now: float, force: bool) -> CaseRow | None: ...
    def transfer(self, case_id: int, holder: str | None, to: str, now: float) -> bool: ...
    def close(self, case_id: int, outcome: str, now: float) -> CaseRow | None: ...
    def add_message(
        self, case_id: int, sender: str, body: bytes, now: float, author: str | None, push: bool
    ) -> int: ...
    def messages(self, case_id: int) -> list[MessageRow]: ...
    def user_updates(self, user_key: str, after: int) -> list[MessageRow]: ...
    def add_note(self, case_id: int, author: str, body: bytes, now: float) -> int: ...
    def notes(self, case_id: int) -> list[NoteRow]: ...
    def mark_user_message(self, case_id: int, urgent: bool, now: float) -> None: ...
    def set_address(self, case_id: int, address: bytes) -> None: ...
    def clear_alert(self, case_id: int) -> None: ...
    def set_duty(self, username: str, available: bool, now: float) -> None: ...
    def on_duty(self, since: float) -> list[str]: ...
    def add_alert(self, channel: str, case_id: int | None, dangers: str, now: float) -> int: ...
    def alerts(self, since: float) -> list[AlertRow]: ...
    def take_unnotified_alerts(self) -> list[AlertRow]: ...
    def take_deliveries(self, channel: str, now: float, limit: int) -> list[Delivery]: ...
    def finish_delivery(self, seq: int, ok: bool, now: float, retry_in: float) -> None: ...
    def drop_addresses(self, closed_before: float) -> int: ...
    def stale_cases(self, idle_before: float) -> list[CaseRow]: ...
    def erase_user(self, user_key: str) -> int: ...
    def purge(self, closed_before: float) -> int: ...
    def version(self) -> int: ...


class SqliteHandoffStore:
    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        private_file(self.db_path)  # case records: owner only (#17)
        for attempt in range(50):  # the request log may be creating the same new file
            try:
                with self._connect() as conn:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.executescript(SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=10.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA secure_delete = ON")  # erased case rows leave no bytes behind
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE handoff_version SET version = version + 1 WHERE id = 1")

    @staticmethod
    def _case(row: sqlite3.Row | None) -> CaseRow | None:
        if row is None:
            return None
        return CaseRow(
            id=row["id"],
            user_key=row["user_key"],
            channel=row["channel"],
            state=row["state"],
            urgent=bool(row["urgent"]),
            alert=bool(row["alert"]),
            opened_at=row["opened_at"],
            claimed_at=row["claimed_at"],
            closed_at=row["closed_at"],
            last_activity=row["last_activity"],
            last_user_at=row["last_user_at"],
            replies_since_user=row["replies_since_user"],
            counsellor=row["counsellor"],
            outcome=row["outcome"],
            address=row["address"],
        )

    # ------------------------------------------------------------------ cases
    def open_case(self, user_key: str) -> CaseRow | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM handoff_cases WHERE user_key = ? AND state IN ('waiting', 'active') "
                "ORDER BY id DESC LIMIT 1",
                (user_key,),
            ).fetchone()
        return self._case(row)

    def create_case(
        self, user_key: str, channel: str, address: bytes, urgent: bool, now: float
    ) -> CaseRow:
        with self._connect() as conn:
            existing = conn.execute(
                "SELECT * FROM handoff_cases WHERE user_key = ? AND state IN ('waiting', 'active') "
                "ORDER BY id DESC LIMIT 1",
                (user_key,),
            ).fetchone()
            if existing is not None:
                case = self._case(existing)
                assert case is not None
                return case
            row = conn.execute(
                "INSERT INTO handoff_cases (user_key, channel, state, urgent, opened_at, "
                "last_activity, last_user_at, replies_since_user, address) "
                "VALUES (?, ?, 'waiting', ?, ?, ?, ?, 1, ?) RETURNING *",
                (user_key, channel, int(urgent), now, now, now, address),
            ).fetchone()
            self._bump(conn)
        case = self._case(row)
        assert case is not None
        return case

    def get_case(self, case_id: int) -> CaseRow | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM handoff_cases WHERE id = ?", (case_id,)).fetchone()
        return self._case(row)

    def cases(self, states: tuple[str, ...]) -> list[CaseRow]:
        marks = ",".join("?" for _ in states)
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT * FROM handoff_cases WHERE state IN ({marks}) "
                "ORDER BY urgent DESC, opened_at ASC, id ASC",
                states,
            ).fetchall()
        return [c for c in map(self._case, rows) if c is not None]

    def claim(self, case_id: int, username: str, now: float, force: bool) -> CaseRow | None:
        condition = "state IN ('waiting', 'active')" if force else "state = 'waiting'"
        with self._connect() as conn:
            row = conn.execute(
                f"UPDATE handoff_cases SET state = 'active', counsellor = ?, "
                f"claimed_at = COALESCE(claimed_at, ?), last_activity = ? "
                f"WHERE id = ? AND {condition} RETURNING *",
                (username, now, now, case_id),
            ).fetchone()
            if row is not None:
                self._bump(conn)
        return self._case(row)

    def transfer(self, case_id: int, holder: str | None, to: str, now: float) -> bool:
        with self._connect() as conn:
            changed = conn.execute(
                "UPDATE handoff_cases SET counsellor = ?, last_activity = ? "
                "WHERE id = ? AND state = 'active' AND (? IS NULL OR counsellor = ?)",
                (to, now, case_id, holder, holder),
            ).rowcount
            if changed:
                self._bump(conn)
        return bool(changed)

    def close(self, case_id: int, outcome: str, now: float) -> CaseRow | None:
        with self._connect() as conn:
            row = conn.execute(
                "UPDATE handoff_cases SET state = 'closed', outcome = ?, closed_at = ?, "
                "last_activity = ?, alert = 0, "
                "address = CASE WHEN channel = 'web' THEN NULL ELSE address END "
                "WHERE id = ? AND state IN ('waiting', 'active') RETURNING *",
                (outcome, now, now, case_id),
            ).fetchone()
            if row is not None:
                self._bump(conn)
        return self._case(row)

    # ------------------------------------------------------------------ messages and notes
    def add_message(
        self, case_id: int, sender: str, body: bytes, now: float, author: str | None, push: bool
    ) -> int:
        with self._connect() as conn:
            seq = conn.execute(
                "INSERT INTO handoff_messages (case_id, sender, author, body, at, delivery, "
                "next_try) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                (case_id, sender, author, body, now, "pending" if push else "none", now),
            ).fetchone()[0]
            conn.execute("UPDATE handoff_cases SET last_activity = ? WHERE id = ?", (now, case_id))
            self._bump(conn)
        return int(seq)

    @staticmethod
    def _message(row: sqlite3.Row) -> MessageRow:
        return MessageRow(
            row["seq"],
            row["case_id"],
            row["sender"],
            row["author"],
            row["body"],
            row["at"],
            row["delivery"],
        )

    def messages(self, case_id: int) -> list[MessageRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM handoff_messages WHERE case_id = ? ORDER BY seq", (case_id,)
            ).fetchall()
        return [self._message(r) for r in rows]

    def user_updates(self, user_key: str, after: int) -> list[MessageRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT m.* FROM handoff_messages m JOIN handoff_cases c ON c.id = m.case_id "
                "WHERE c.user_key = ? AND m.seq > ? AND m.sender IN ('counsellor', 'system') "
                "ORDER BY m.seq LIMIT 200",
                (user_key, after),
            ).fetchall()
        return [self._message(r) for r in rows]

    def add_note(self, case_id: int, author: str, body: bytes, now: float) -> int:
        with self._connect() as conn:
            note_id = conn.execute(
                "INSERT INTO handoff_notes (case_id, author, body, at) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                (case_id, author, body, now),
            ).fetchone()[0]
            self._bump(conn)
        return int(note_id)

    def notes(self, case_id: int) -> list[NoteRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM handoff_notes WHERE case_id = ? ORDER BY id", (case_id,)
            ).fetchall()
        return [NoteRow(r["id"], r["case_id"], r["author"], r["body"], r["at"]) for r in rows]

    def mark_user_message(self, case_id: int, urgent: bool, now: float) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE handoff_cases SET last_user_at = ?, last_activity = ?, "
                "replies_since_user = 0, urgent = MAX(urgent, ?), alert = MAX(alert, ?) "
                "WHERE id = ?",
                (now, now, int(urgent), int(urgent), case_id),
            )
            self._bump(conn)

    def set_address(self, case_id: int, address: bytes) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE handoff_cases SET address = ? WHERE id = ? AND state != 'closed'",
                (address, case_id),
            )

    def clear_alert(self, case_id: int) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE handoff_cases SET alert = 0 WHERE id = ?", (case_id,))
            self._bump(conn)

    # ------------------------------------------------------------------ duty and alerts
    def set_duty(self, username: str, available: bool, now: float) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO handoff_duty (username, available, changed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET available = excluded.available, "
                "changed_at = excluded.changed_at",
                (username, int(available), now),
            )
            self._bump(conn)

    def on_duty(self, since: float) -> list[str]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT username FROM handoff_duty WHERE available = 1 AND changed_at >= ? "
                "ORDER BY username",
                (since,),
            ).fetchall()
        return [r[0] for r in rows]

    def add_alert(self, channel: str, case_id: int | None, dangers: str, now: float) -> int:
        with self._connect() as conn:
            alert_id = conn.execute(
                "INSERT INTO handoff_alerts (at, channel, case_id, dangers) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                (now, channel, case_id, dangers),
            ).fetchone()[0]
            self._bump(conn)
        return int(alert_id)

    def alerts(self, since: float) -> list[AlertRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, at, channel, case_id, dangers FROM handoff_alerts WHERE at >= ? "
                "ORDER BY id DESC LIMIT 50",
                (since,),
            ).fetchall()
        return [AlertRow(*tuple(r)) for r in rows]

    def take_unnotified_alerts(self) -> list[AlertRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "UPDATE handoff_alerts SET notified = 1 WHERE notified = 0 "
                "RETURNING id, at, channel, case_id, dangers"
            ).fetchall()
        return [AlertRow(*tuple(r)) for r in rows]

    # ------------------------------------------------------------------ deliveries
    def take_deliveries(self, channel: str, now: float, limit: int) -> list[Delivery]:
        """Lease up to `limit` messages due for `channel`; unconfirmed ones come back later."""
        with self._connect() as conn:
            rows = conn.execute(
                "UPDATE handoff_messages SET delivery = 'sending', next_try = ?, "
                "attempts = attempts + 1 WHERE seq IN ("
                " SELECT m.seq FROM handoff_messages m JOIN handoff_cases c ON c.id = m.case_id"
                " WHERE c.channel = ? AND m.delivery IN ('pending', 'sending')"
                " AND m.next_try <= ? ORDER BY m.seq LIMIT ?) "
                "RETURNING seq, case_id, body, attempts",
                (now + DELIVERY_LEASE_SECONDS, channel, now, limit),
            ).fetchall()
            deliveries = []
            for row in sorted(rows, key=lambda r: r["seq"]):
                address = conn.execute(
                    "SELECT address FROM handoff_cases WHERE id = ?", (row["case_id"],)
                ).fetchone()
                deliveries.append(
                    Delivery(
                        row["seq"],
                        row["case_id"],
                        channel,
                        address[0] if address else None,
                        row["body"],
                        row["attempts"],
                    )
                )
        return deliveries

    def finish_delivery(self, seq: int, ok: bool, now: float, retry_in: float) -> None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT m.attempts, m.case_id, c.channel FROM handoff_messages m "
                "JOIN handoff_cases c ON c.id = m.case_id WHERE m.seq = ?",
                (seq,),
            ).fetchone()
            if row is None:
                return
            if ok:
                conn.execute("UPDATE handoff_messages SET delivery = 'sent' WHERE seq = ?", (seq,))
                conn.execute(
                    "UPDATE handoff_cases SET replies_since_user = replies_since_user + 1 "
                    "WHERE id = ?",
                    (row["case_id"],),
                )
            elif row["attempts"] >= MAX_DELIVERY_ATTEMPTS:
                conn.execute(
                    "UPDATE handoff_messages SET delivery = 'failed' WHERE seq = ?", (seq,)
                )
            else:
                conn.execute(
                    "UPDATE handoff_messages SET delivery = 'pending', next_try = ? WHERE seq = ?",
                    (now + retry_in, seq),
                )
            # A closed case keeps its address only until its last message is out.
            conn.execute(
                "UPDATE handoff_cases SET address = NULL WHERE id = ? AND state = 'closed' "
                "AND NOT EXISTS (SELECT 1 FROM handoff_messages WHERE case_id = ? "
                "AND delivery IN ('pending', 'sending'))",
                (row["case_id"], row["case_id"]),
            )
            self._bump(conn)

    # ------------------------------------------------------------------ housekeeping
    def drop_addresses(self, closed_before: float) -> int:
        """Addresses of cases closed before the time, even if a last message never went."""
        with self._connect() as conn:
            return int(
                conn.execute(
                    "UPDATE handoff_cases SET address = NULL WHERE state = 'closed' "
                    "AND address IS NOT NULL AND closed_at < ?",
                    (closed_before,),
                ).rowcount
            )

    def stale_cases(self, idle_before: float) -> list[CaseRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM handoff_cases WHERE state IN ('waiting', 'active') "
                "AND last_activity < ?",
                (idle_before,),
            ).fetchall()
        return [c for c in map(self._case, rows) if c is not None]

    def erase_user(self, user_key: str) -> int:
        with self._connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM handoff_cases WHERE user_key = ?", (user_key,)
                ).fetchall()
            ]
            erased = self._delete_cases(conn, ids)
            if ids:
                self._bump(conn)
        return erased

    def purge(self, closed_before: float) -> int:
        with self._connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM handoff_cases WHERE state = 'closed' AND closed_at < ?",
                    (closed_before,),
                ).fetchall()
            ]
            return self._delete_cases(conn, ids)

    @staticmethod
    def _delete_cases(conn: sqlite3.Connection, ids: list[int]) -> int:
        erased = 0
        for case_id in ids:
            erased += conn.execute(
                "DELETE FROM handoff_messages WHERE case_id = ?", (case_id,)
            ).rowcount
            erased += conn.execute(
                "DELETE FROM handoff_notes WHERE case_id = ?", (case_id,)
            ).rowcount
            conn.execute("UPDATE handoff_alerts SET case_id = NULL WHERE case_id = ?", (case_id,))
            erased += conn.execute("DELETE FROM handoff_cases WHERE id = ?", (case_id,)).rowcount
        return erased

    def version(self) -> int:
        with self._connect() as conn:
            return int(
                conn.execute("SELECT version FROM handoff_version WHERE id = 1").fetchone()[0]
            )

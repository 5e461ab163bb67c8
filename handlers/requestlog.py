"""The anonymized request log: one row per handled message, from every channel.

`RequestLog.record_exchange` is the pipeline's log hook. It builds the row and hands it to a
single background writer thread; it never blocks and never raises. The writer redacts each
row's text (once, before the transaction that stores it: the raw text waits in memory only
until then and is never written) and batches rows into one transaction each, so redaction is
off the reply's path (#18) while `commit_mine` still acknowledges only committed, redacted
rows. A failed batch is retried twice (not redacted again); what still fails is
counted (in memory, and in the `counters` table once the database takes writes again).
A failed write never costs anyone their reply.

Stored per message (table `requests`): time (`ts`, UTC; `day`, Vietnam's date), channel,
`user_hash` (the pipeline's HMAC of channel and user id, never the id), role, the redacted
text (`text`, at most MAX_STORED_CHARS characters) and its folded twin (`text_folded`, for
search that ignores diacritics and đ), intent, confidence, urgent, danger, answer id,
engine, kind, latency, and the staff review fields `label`, `labelled_by`, `labelled_at`.

Erasing, purging and labelling run on the writer thread too, after every row accepted
before them, so `/xoa` also removes rows still waiting in the queue.

SQLite settings: WAL, so readers (the staff desk, Datasette, `childsafe report`) never
block the writer; `synchronous=NORMAL`, which in WAL mode syncs at checkpoints rather than
on every commit: a crash of the process loses nothing committed, a power cut may lose the
last few batches but never corrupts the file, and log rows are not worth an fsync each;
`secure_delete`, so erased and purged rows are overwritten, not left in free pages.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import logging
import queue
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import sqlite_utils

from handlers.private_files import private_file
from handlers.redact import FAILED_PLACEHOLDER, redact
from nlu.text import Reading, fold

if TYPE_CHECKING:
    from handlers.models import Exchange

log = logging.getLogger(__name__)

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # no daylight saving
REDACT_WINDOW = 4000  # characters of a message that are read and redacted
MAX_STORED_CHARS = 2000  # longer redacted texts are stored cut, ending in TRUNCATION_MARK
TRUNCATION_MARK = " […]"
ERASE_KIND = "erase"  # the reply to /xoa: its own row is kept without the hash

COLUMNS: dict[str, type] = {
    "id": int,
    "ts": str,
    "day": str,
    "channel": str,
    "user_hash": str,
    "role": str,
    "text": str,
    "text_folded": str,
    "intent": str,
    "confidence": float,
    "urgent": int,
    "danger": str,
    "answer_id": str,
    "engine": str,
    "kind": str,
    "latency_ms": float,
    "label": str,
    "labelled_by": str,
    "labelled_at": str,
    # issue #16: the reply the user saw (redacted like the message), the lines it offered,
    # and whether this message says the previous answer missed ("wrong") or asks for a
    # person ("person"); a label's danger (should have been urgent) and note (for editors).
    "reply_text": str,
    "reply_lines": str,
    "feedback": str,
    "label_danger": str,
    "label_note": str,
}
LABEL_COLUMNS = {"id", "label", "labelled_by", "labelled_at", "label_danger", "label_note"}
ROW_COLUMNS = [c for c in COLUMNS if c not in LABEL_COLUMNS]
INDEXES: tuple[tuple[str, ...], ...] = (
    ("day",),
    ("ts",),
    ("intent",),
    ("channel",),
    ("urgent",),
    ("user_hash",),
    ("label",),
    ("kind",),
    ("feedback",),
)
# What the user sends to say "that's not what I asked": the answers' feedback button's payload
# (FEEDBACK_PAYLOAD) or its text equivalent, read folded (no diacritics, lower case).
FEEDBACK_PAYLOAD = "@cmd:not_what_i_asked"
FEEDBACK_WRONG = "wrong"
FEEDBACK_PERSON = "person"
HANDOFF_ASKED_KINDS = ("handoff_queued", "handoff_unavailable", "handoff_forwarded")
_NOT_WHAT_I_ASKED = re.compile(
    r"^(?:khong|ko|k|hong|kh|chang) (?:phai|dung) (?:(?:la )?(?:cai|dieu|cau|y|chuyen) )?"
    r"(?:minh|toi|em|con|tui|to|tao|chau) (?:muon |dang |can )?hoi\b"
    r"|^(?:khong|ko|k|kh|hong|chua) dung (?:y|cau hoi|cai) (?:cua )?"
    r"(?:minh|toi|em|con|tui|to|chau)\b"
    r"|^(?:sai roi|sai bet|tra loi sai|tra loi khong dung|sai)(?: (?:roi|a|nha|nhe|ma|do|kia))*$"
    r"|^(?:that s |thats |this is |it s |its )?not what i (?:asked|meant)\b|^wrong answer\b"
)
FEEDBACK_MAX_WORDS = 10  # a longer message says more than "not what I asked"
# The review queue's "low confidence and fallbacks" (handlers.logquery), also the WHERE of a
# partial index, so counting it reads only the rows it holds.
REVIEW_SQL = (
    "(label IS NULL AND kind NOT IN ('command', 'notice') "
    "AND (kind IN ('clarify', 'fallback') OR intent = 'out_of_scope' OR confidence < 0.6))"
)
REVIEW_INDEX = "idx_requests_review"
# The daily rollup the overview and `childsafe report` read (one row per day, intent,
# channel), kept by triggers on insert and delete, so the figures of a year are a few
# thousand rows away whatever the size of the log.
ROLLUP_TABLE = "daily_figures"
FTS_TABLE = "requests_fts"
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
COMMIT_WAIT_SECONDS = 2.0  # the longest a /api/chat reply waits for its row's commit
COUNTER_FAILED = "failed_writes"
COUNTER_DROPPED = "dropped"

_INSERT = (
    f"INSERT INTO requests ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' * len(ROW_COLUMNS))})"
)
_BUMP_COUNTER = (
    "INSERT INTO counters (name, value) VALUES (?, ?) "
    "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value"
)

T = TypeVar("T")
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    """The one `ts` format, so timestamps compare as strings."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def local_day(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).date().isoformat()


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create what is missing; add columns a newer version introduced. Never drops anything."""
    table = db.table("requests")
    if not table.exists():
        table.create(COLUMNS, pk="id")
    else:
        present = set(table.columns_dict)
        for name, kind in COLUMNS.items():
            if name not in present:
                table.add_column(name, kind)
    for columns in INDEXES:
        table.create_index(columns, if_not_exists=True)
    db.conn.execute(f"CREATE INDEX IF NOT EXISTS {REVIEW_INDEX} ON requests(id) WHERE {REVIEW_SQL}")
    if FTS_TABLE not in db.table_names():
        table.enable_fts(
            ["text_folded"], fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZER
        )
    db.table("counters").create({"name": str, "value": int}, pk="name", if_not_exists=True)
    _ensure_rollup(db)


def _ensure_rollup(db: sqlite_utils.Database) -> None:
    """The daily rollup and its triggers; filled from the rows once, when it is new.
    Its figures follow handlers.logquery's definitions (fallback, low confidence)."""
    if ROLLUP_TABLE in db.table_names():
        return

    def terms(row: str) -> tuple[str, str, str, str]:
        return (
            f"COALESCE({row}.urgent, 0)",
            f"COALESCE({row}.kind IN ('clarify', 'fallback') OR {row}.intent = 'out_of_scope', 0)",
            f"COALESCE({row}.confidence < 0.6 AND {row}.kind NOT IN ('command', 'notice'), 0)",
            f"COALESCE({row}.day, '?'), COALESCE({row}.intent, '?'), COALESCE({row}.channel, '?')",
        )

    r_urgent, r_fallback, r_low, r_key = terms("r")
    new_urgent, new_fallback, new_low, new_key = terms("NEW")
    old_urgent, old_fallback, old_low, old_key = terms("OLD")
    with db.conn as conn:
        conn.execute(
            f"""CREATE TABLE {ROLLUP_TABLE} (
                day TEXT NOT NULL, intent TEXT NOT NULL, channel TEXT NOT NULL,
                n INTEGER NOT NULL, urgent INTEGER NOT NULL,
                fallback INTEGER NOT NULL, low INTEGER NOT NULL,
                PRIMARY KEY (day, intent, channel)) WITHOUT ROWID"""
        )
        conn.execute(
            f"""INSERT INTO {ROLLUP_TABLE} (day, intent, channel, n, urgent, fallback, low)
                SELECT {r_key}, COUNT(*), SUM({r_urgent}), SUM({r_fallback}), SUM({r_low})
                FROM requests AS r GROUP BY 1, 2, 3"""
        )
        conn.execute(
            f"""CREATE TRIGGER {ROLLUP_TABLE}_insert AFTER INSERT ON requests BEGIN
                INSERT INTO {ROLLUP_TABLE} (day, intent, channel, n, urgent, fallback, low)
                VALUES ({new_key}, 1, {new_urgent}, {new_fallback}, {new_low})
                ON CONFLICT (day, intent, channel) DO UPDATE SET n = n + 1,
                    urgent = urgent + excluded.urgent, fallback = fallback + excluded.fallback,
                    low = low + excluded.low;
            END"""
        )
        conn.execute(
            f"""CREATE TRIGGER {ROLLUP_TABLE}_delete AFTER DELETE ON requests BEGIN
                UPDATE {ROLLUP_TABLE} SET n = n - 1, urgent = urgent - {old_urgent},
                    fallback = fallback - {old_fallback}, low = low - {old_low}
                WHERE (day, intent, channel) = ({old_key});
            END"""
        )


def connect(db_path: Path, busy_timeout: float = 5.0) -> sqlite_utils.Database:
    """A writing connection with the log's settings (see the module docstring)."""
    private_file(db_path)  # personal data, even redacted: owner only (#17)
    conn = sqlite3.connect(db_path, timeout=busy_timeout)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA secure_delete = ON")
    ensure_schema(db)
    return db


def fold_for_search(text: str) -> str:
    return " ".join(fold(text).split())


@dataclass(frozen=True, slots=True)
class LogStats:
    accepted: int  # rows handed to the log since it opened
    written: int  # rows committed
    failed: int  # rows lost: writes that failed after retries, or refused (queue full, closed)
    queued: int  # rows waiting for the writer


_TEXT_AT = ROW_COLUMNS.index("text")
_FOLDED_AT = ROW_COLUMNS.index("text_folded")
_FEEDBACK_AT = ROW_COLUMNS.index("feedback")
_REPLY_TEXT_AT = ROW_COLUMNS.index("reply_text")
_KIND_AT = ROW_COLUMNS.index("kind")


class _Row:
    """One row to store. `raw` is (message text, reply text) until the writer has redacted
    them into `values` (text, folded text, feedback, reply text); then None. `reading` is
    the message's reading, made by the core (#18): redaction reads from it, not again."""

    __slots__ = ("raw", "reading", "seq", "values")

    def __init__(
        self,
        seq: int,
        values: tuple[Any, ...],
        raw: tuple[str, str] | None = None,
        reading: Reading | None = None,
    ) -> None:
        self.seq = seq
        self.values = values
        self.raw = raw
        self.reading = reading

    def redact(self) -> None:
        if self.raw is None:
            return
        text, reply_text = self.raw
        values = list(self.values)
        try:
            reading = self.reading
            stored = _stored_text(text) if reading is None else _stored_text(text, reading)
            folded = fold_for_search(stored)
            values[_TEXT_AT], values[_FOLDED_AT] = stored, folded
            values[_FEEDBACK_AT] = feedback_of(stored, values[_KIND_AT], folded)
            values[_REPLY_TEXT_AT] = _stored_reply(reply_text) if reply_text else ""
        except Exception:  # fail closed: nothing of the raw text is stored
            log.exception("request log: redaction failed; the text is withheld")
            values[_TEXT_AT] = values[_FOLDED_AT] = FAILED_PLACEHOLDER
            values[_REPLY_TEXT_AT] = FAILED_PLACEHOLDER
        self.values, self.raw, self.reading = tuple(values), None, None


class _Job:
    __slots__ = ("action", "future")

    def __init__(self, action: Callable[[sqlite_utils.Database], Any]) -> None:
        self.action = action
        self.future: Future[Any] = Future()


_STOP = object()


class LogTarget(Protocol):
    """What the log is attached to (the core's Assistant), as far as the log needs it."""

    request_log: RequestLog | None
    log_hooks: list[Callable[[Exchange], None]]
    erase_hooks: list[Callable[[str], int]]
    closers: list[Callable[[], None]]


class RequestLog:
    """See the module docstring. Open with `RequestLog.open(path)`; `close()` when done."""

    def __init__(
        self,
        db_path: Path,
        *,
        clock: Clock = utc_now,
        batch_size: int = 200,
        max_queue: int = 10_000,
        busy_timeout: float = 5.0,
        retry_delays: Iterable[float] = (0.05, 0.5),
        job_timeout: float = 60.0,
        linger: float = 0.02,
    ) -> None:
        self.db_path = Path(db_path)
        self._clock = clock
        self._batch_size = batch_size
        self._busy_timeout = busy_timeout
        self._retry_delays = tuple(retry_delays)
        self._job_timeout = job_timeout
        self._linger = linger
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queue)
        self._lock = threading.Lock()
        self._progress = threading.Condition(self._lock)
        self._accepted = 0
        self._written = 0
        self._failed = 0
        self._done = 0  # rows taken off the queue: written or failed
        self._unsaved_counters: dict[str, int] = {}
        self._closed = False
        self._failing = False  # the last write attempt failed: nobody waits for the disk
        self._db: sqlite_utils.Database | None = None
        self._thread = threading.Thread(target=self._run, name="request-log-writer", daemon=True)
        self._mine = threading.local()  # the seq of the row this thread queued last

    @classmethod
    def open(cls, db_path: Path | str, **options: Any) -> RequestLog:
        request_log = cls(Path(db_path), **options)
        request_log._thread.start()
        atexit.register(request_log.close)
        return request_log

    # ------------------------------------------------------------------ the hook
    def attach_to(self, assistant: LogTarget) -> None:
        """Wire this log into an assistant: every exchange logged, an erase erases here too,
        closing flushes, and `assistant.request_log` hands it to whoever needs it (#19)."""
        assistant.request_log = self
        assistant.log_hooks.append(self.record_exchange)
        assistant.erase_hooks.append(self.erase_user)
        assistant.closers.append(self.close)

    def record_exchange(self, exchange: Exchange) -> None:
        """Redact and queue one exchange. Never blocks, never raises."""
        self._mine.seq = None
        try:
            values = self._row_values(exchange)
        except Exception:
            log.exception("request log: could not build a row")
            self._count_refused()
            return
        message, reply = exchange.message, exchange.reply
        text = message.text if isinstance(message.text, str) else ""
        shared = exchange.reading
        reading = shared.made if shared is not None and shared.of(text) else None
        self._enqueue(values, (text, reply.text if isinstance(reply.text, str) else ""), reading)

    def _row_values(self, exchange: Exchange) -> tuple[Any, ...]:
        """The row; its texts and feedback are filled in by the writer (`_Row.redact`)."""
        message, reply = exchange.message, exchange.reply
        stored = None
        moment = self._clock()
        user_hash = None if reply.kind == ERASE_KIND else exchange.user_key
        row = {
            "ts": timestamp(moment),
            "day": local_day(moment),
            "channel": str(message.channel)[:32],
            "user_hash": user_hash,
            "role": reply.audience.value,
            "text": stored,
            "text_folded": stored,
            "intent": reply.intent,
            "confidence": round(float(reply.confidence), 4),
            "urgent": int(bool(reply.urgent)),
            "danger": ",".join(reply.danger) or None,
            "answer_id": reply.answer_id,
            "engine": reply.engine,
            "kind": reply.kind,
            "latency_ms": round(float(exchange.latency_ms), 1),
            "reply_text": stored,
            "reply_lines": ",".join(str(line) for line in reply.hotlines) or None,
            "feedback": None,
        }
        return tuple(row[c] for c in ROW_COLUMNS)

    def _enqueue(
        self, values: tuple[Any, ...], raw: tuple[str, str], reading: Reading | None = None
    ) -> None:
        with self._lock:
            if self._closed:
                self._refuse_locked()
                return
            self._accepted += 1
            row = _Row(self._accepted, values, raw, reading)
            try:
                self._queue.put_nowait(row)
            except queue.Full:
                self._accepted -= 1
                self._refuse_locked()
                log.warning("request log: queue full, a row was dropped")
                return
        self._mine.seq = row.seq

    def _count_refused(self) -> None:
        with self._lock:
            self._refuse_locked()

    def _refuse_locked(self) -> None:
        self._failed += 1
        self._unsaved_counters[COUNTER_DROPPED] = self._unsaved_counters.get(COUNTER_DROPPED, 0) + 1

    # ------------------------------------------------------------------ public API
    def stats(self) -> LogStats:
        with self._lock:
            return LogStats(self._accepted, self._written, self._failed, self._queue.qsize())

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until every row accepted so far is committed or counted as failed.
        True when all of them were handled in time (check `stats().failed` for losses)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._progress:
            target = self._accepted
            while self._done < target:
                if not self._thread.is_alive():
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._progress.wait(0.2 if remaining is None else min(remaining, 0.2))
            return True

    def commit_mine(self, timeout: float = COMMIT_WAIT_SECONDS) -> bool:
        """Wait until the row this thread queued last is committed (or counted as failed):
        what `/api/chat` does before it answers, so no acknowledged exchange is lost to a
        crash. The writer's batches make this a group commit: many requests share one
        transaction. A reply never waits on a failing log: while writes fail (a locked or
        full disk) or past `timeout`, it returns False at once and the reply goes out (a
        child's answer never waits on a disk; the row is written or counted as failed)."""
        seq: int | None = getattr(self._mine, "seq", None)
        self._mine.seq = None
        if seq is None:
            return True
        deadline = time.monotonic() + timeout
        with self._progress:
            while self._done < seq:
                if self._failing:
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    return False
                self._progress.wait(min(remaining, 0.2))
        return True

    def erase_user(self, user_hash: str) -> int:
        """Delete every row of one user, including rows still queued, from the table and the
        search index. Returns rows erased; raises (sqlite3.Error) when the database is
        locked, full or unwritable, so the caller never reports an erase that did not happen."""
        if not user_hash:
            return 0

        def erase(db: sqlite_utils.Database) -> int:
            with db.conn:
                count = db.conn.execute(
                    "DELETE FROM requests WHERE user_hash = ?", (user_hash,)
                ).rowcount
                if count:
                    # FTS5 only marks deleted entries; 'optimize' rewrites the index without
                    # them, and secure_delete zeroes the pages the old segments leave free.
                    db.conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            if count:
                _checkpoint(db)
            return int(count)

        return self._run_job(erase)

    def purge_older_than(self, days: float) -> int:
        """Delete rows older than `days` days. Returns rows deleted."""
        cutoff = timestamp(self._clock() - dt.timedelta(days=days))

        def purge(db: sqlite_utils.Database) -> int:
            with db.conn:
                count = db.conn.execute("DELETE FROM requests WHERE ts < ?", (cutoff,)).rowcount
                if count:  # merge the search index so it keeps nothing of the deleted rows
                    db.conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            if count:
                _checkpoint(db)
            return int(count)

        return self._run_job(purge)

    def set_label(
        self,
        row_id: int,
        label: str | None,
        staff: str,
        *,
        danger: str | None = None,
        note: str | None = None,
    ) -> bool:
        """Record a staff member's label for one message (None clears it): an intent, or a
        mistake (handlers.logquery.MISTAKE_LABELS) with its danger or note. False if no row."""
        labelled_at = timestamp(self._clock()) if label else None
        labelled_by = staff if label else None
        danger = danger if label else None
        note = note if label else None

        def update(db: sqlite_utils.Database) -> bool:
            with db.conn:
                cursor = db.conn.execute(
                    "UPDATE requests SET label = ?, labelled_by = ?, labelled_at = ?, "
                    "label_danger = ?, label_note = ? WHERE id = ?",
                    (label, labelled_by, labelled_at, danger, note, row_id),
                )
            return bool(cursor.rowcount)

        return self._run_job(update)

    def close(self, timeout: float = 30.0) -> None:
        """Write everything accepted, then stop the writer. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("request log: writer still busy after %.0f s at close", timeout)

    # ------------------------------------------------------------------ the writer
    def _run_job(self, action: Callable[[sqlite_utils.Database], T]) -> T:
        if self._closed or not self._thread.is_alive():
            db = connect(self.db_path, self._busy_timeout)  # no writer: do it here
            try:
                return action(db)
            finally:
                db.conn.close()
        job = _Job(action)
        self._queue.put(job)
        result: T = job.future.result(timeout=self._job_timeout)
        return result

    def _run(self) -> None:
        with contextlib.suppress(Exception):
            self._connection()  # create the schema early, so readers find the tables
        while True:
            batch = [self._queue.get()]
            if self._linger > 0 and self._queue.qsize() < self._batch_size:
                # Let the rows of a busy moment gather: one transaction and one wake-up
                # of this thread for many rows, not one per row (a commit costs more than
                # the row, and every wake-up takes the GIL from a thread answering someone).
                time.sleep(self._linger)
            while len(batch) < self._batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if self._process(batch):
                break
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._save_counters(self._db)
                self._db.conn.close()

    def _process(self, batch: list[object]) -> bool:
        """Write rows in order, running jobs where they stand. True at the stop signal."""
        rows: list[_Row] = []
        for item in batch:
            if isinstance(item, _Row):
                rows.append(item)
                continue
            if rows:
                self._write(rows)
                rows = []
            if item is _STOP:
                return True
            if isinstance(item, _Job):
                self._run_one(item)
        if rows:
            self._write(rows)
        return False

    def _run_one(self, job: _Job) -> None:
        try:
            job.future.set_result(job.action(self._connection()))
        except Exception as exc:
            self._db = None
            job.future.set_exception(exc)

    def _connection(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = connect(self.db_path, self._busy_timeout)
        return self._db

    def _write(self, rows: list[_Row]) -> None:
        for row in rows:
            row.redact()
        error: Exception | None = None
        for delay in (0.0, *self._retry_delays):
            if delay:
                time.sleep(delay)
            try:
                db = self._connection()
                with db.conn:
                    db.conn.executemany(_INSERT, [row.values for row in rows])
                    self._save_counters(db, commit=False)
            except Exception as exc:  # the writer must outlive any one batch
                error = exc
                self._drop_connection()
                with self._progress:
                    self._failing = True
                    self._progress.notify_all()
                continue
            self._finish(rows, written=True)
            return
        log.warning("request log: %d row(s) not written: %r", len(rows), error)
        self._finish(rows, written=False)

    def _finish(self, rows: list[_Row], written: bool) -> None:
        with self._progress:
            if written:
                self._failing = False
                self._written += len(rows)
            else:
                self._failed += len(rows)
                count = self._unsaved_counters.get(COUNTER_FAILED, 0) + len(rows)
                self._unsaved_counters[COUNTER_FAILED] = count
            self._done = rows[-1].seq
            self._progress.notify_all()

    def _save_counters(self, db: sqlite_utils.Database, commit: bool = True) -> None:
        """Add the failures not yet stored to `counters` (inside the caller's transaction)."""
        with self._lock:
            pending = dict(self._unsaved_counters)
            self._unsaved_counters.clear()
        if not pending:
            return
        try:
            db.conn.executemany(_BUMP_COUNTER, list(pending.items()))
            if commit:
                db.conn.commit()
        except sqlite3.Error:
            with self._lock:
                for name, value in pending.items():
                    self._unsaved_counters[name] = self._unsaved_counters.get(name, 0) + value
            raise

    def _drop_connection(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.conn.close()
        self._db = None


def _checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL into the database and empty it, so erased rows leave no copy behind."""
    with contextlib.suppress(sqlite3.Error):
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _stored_text(text: str, reading: Reading | None = None) -> str:
    """The redacted text as stored: read up to REDACT_WINDOW, keep up to MAX_STORED_CHARS.
    Redacting more than is kept means an identifier across the cut is still whole.
    `reading`: the core's reading of `text`, used when it reads exactly the window."""
    clean = text[:REDACT_WINDOW].encode("utf-8", "replace").decode("utf-8")
    redacted = (redact(clean) if reading is None else redact(clean, reading)).text
    if len(text) <= REDACT_WINDOW and len(redacted) <= MAX_STORED_CHARS:
        return redacted
    kept = redacted[:MAX_STORED_CHARS]
    opening = kept.rfind("<")
    if opening > kept.rfind(">"):
        kept = kept[:opening]  # never keep half a placeholder
    return kept.rstrip() + TRUNCATION_MARK


# The assistant's replies repeat (the same answers, again and again): each distinct reply text
# is redacted once and its stored form kept, keyed by a digest (no raw text held), bounded.
REPLIES_KEPT = 512
_replies: OrderedDict[bytes, str] = OrderedDict()
_replies_lock = threading.Lock()


def _stored_reply(text: str) -> str:
    """`_stored_text` of a reply, from the kept ones when this text was stored before."""
    key = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()
    with _replies_lock:
        stored = _replies.get(key)
        if stored is not None:
            _replies.move_to_end(key)
            return stored
    stored = _stored_text(text)
    with _replies_lock:
        _replies[key] = stored
        while len(_replies) > REPLIES_KEPT:
            _replies.popitem(last=False)
    return stored


def feedback_of(stored_text: str, reply_kind: str | None, folded: str | None = None) -> str | None:
    """What a message says about the answer before it: FEEDBACK_WRONG for "that's not what
    I asked" (the feedback button's payload or its words), FEEDBACK_PERSON when it asked
    for a person (the reply was a handoff), else None. `folded`: `fold_for_search` of the
    stored text, when the caller has it already."""
    if folded is None:
        folded = fold_for_search(stored_text)
    words = re.findall(r"\w+", folded)
    said = " ".join(words)
    if stored_text.strip() == FEEDBACK_PAYLOAD or (
        len(words) <= FEEDBACK_MAX_WORDS and _NOT_WHAT_I_ASKED.search(said)
    ):
        return FEEDBACK_WRONG
    if reply_kind in HANDOFF_ASKED_KINDS:
        return FEEDBACK_PERSON
    return None

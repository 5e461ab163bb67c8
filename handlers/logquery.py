"""Reading the request log: the figures of `childsafe report`, the staff desk's list, review
queue and exports. Every query takes a read-only connection (`connect_readonly`), so
nothing here can change the log; writes (labels) go through `RequestLog.set_label`.

Definitions used everywhere (and in datasette/metadata.yml):
- fallback: the assistant did not answer the question: it asked back (`kind` clarify),
  failed (`kind` fallback) or took it as out of scope (`intent` out_of_scope);
- low confidence: an answered message whose intent confidence is under LOW_CONFIDENCE;
- review queue: unlabelled messages that are fallbacks or low confidence (commands, button
  presses and role notices excluded), newest first; staff set the right intent there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

import yaml

from handlers.redact import PLACEHOLDERS
from handlers.requestlog import (
    COUNTER_DROPPED,
    COUNTER_FAILED,
    FEEDBACK_PERSON,
    FEEDBACK_WRONG,
    FTS_TABLE,
    REVIEW_INDEX,
    REVIEW_SQL,
    ROLLUP_TABLE,
    VIETNAM,
    connect,
)
from handlers.safety import Danger
from handlers.topics import ALL_INTENTS, LABELS
from nlu.text import fold

LOW_CONFIDENCE = 0.6
NOT_QUESTIONS = ("command", "notice")  # kinds that are not someone asking something
FALLBACK_SQL = "(kind IN ('clarify', 'fallback') OR intent = 'out_of_scope')"
LOW_CONFIDENCE_SQL = f"(confidence < {LOW_CONFIDENCE} AND kind NOT IN ('command', 'notice'))"

# What a placeholder becomes in training data, so examples read like real messages
# ("cô giáo <TÊN> đánh con tôi" -> "cô giáo An đánh con tôi").
NEUTRAL_WORDS = {
    "SĐT": "số này",
    "CCCD": "số căn cước",
    "CMND": "số chứng minh",
    "EMAIL": "email này",
    "STK": "số tài khoản này",
    "THẺ": "số thẻ này",
    "BIỂN_SỐ": "biển số này",
    "ĐỊA_CHỈ": "trong xóm",
    "TÊN": "An",
    "TRƯỜNG": "gần nhà",
    "MXH": "trang này",
}


SKIP_LABEL = "skip"  # staff's "bỏ qua": leaves the review queue, never becomes training data


class LogUnavailable(RuntimeError):
    """The log database does not exist yet or cannot be read."""


def connect_readonly(db_path: Path | str, *, any_thread: bool = False) -> sqlite3.Connection:
    """A read-only connection (`mode=ro`): safe beside the writer, never creates the file.
    `any_thread`: for a streamed export, whose pages may be read on different threads (one
    at a time). A log written by an older version is brought up to the current schema
    first (columns, indexes and the daily rollup added; nothing dropped or changed)."""
    path = Path(db_path)
    if not path.exists():
        raise LogUnavailable(f"no request log at {path}")
    _upgrade_if_old(path)
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=5.0,
            check_same_thread=not any_thread,
        )
        conn.execute("SELECT 1 FROM requests LIMIT 1")
    except sqlite3.Error as exc:
        raise LogUnavailable(f"cannot read the request log at {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    return conn


def _upgrade_if_old(path: Path) -> None:
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            names = {
                str(name)
                for (name,) in probe.execute(
                    "SELECT name FROM sqlite_master WHERE name IN (?, ?, 'requests')",
                    (ROLLUP_TABLE, REVIEW_INDEX),
                )
            }
        finally:
            probe.close()
    except sqlite3.Error:
        return  # reported by the caller
    if "requests" in names and not {ROLLUP_TABLE, REVIEW_INDEX} <= names:
        try:
            connect(path).conn.close()
        except sqlite3.Error as exc:
            raise LogUnavailable(f"cannot upgrade the request log at {path}: {exc}") from exc


def today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def intent_choices() -> list[tuple[str, str]]:
    """(intent, Vietnamese label) for every intent staff may set as a label."""
    return [(intent, LABELS.get(intent, intent)) for intent in ALL_INTENTS]


# ---------------------------------------------------------------------------- the list


@dataclass(frozen=True, slots=True)
class Filters:
    """What the staff list, the CSV export and the review queue filter on. All optional."""

    since: dt.date | None = None  # Vietnam dates, inclusive
    until: dt.date | None = None
    intent: str | None = None
    channel: str | None = None
    urgent: bool | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    text: str | None = None  # searched without diacritics: "danh" finds "đánh"
    labelled: bool | None = None
    review: bool = False  # only the review queue

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.since:
            clauses.append("day >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append("day <= ?")
            params.append(self.until.isoformat())
        for column, value in (("intent", self.intent), ("channel", self.channel)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.urgent is not None:
            clauses.append("urgent = ?")
            params.append(int(self.urgent))
        if self.min_confidence is not None:
            clauses.append("confidence >= ?")
            params.append(self.min_confidence)
        if self.max_confidence is not None:
            clauses.append("confidence <= ?")
            params.append(self.max_confidence)
        if self.labelled is not None:
            clauses.append("label IS NOT NULL" if self.labelled else "label IS NULL")
        if self.review:
            clauses.append(REVIEW_SQL)
        if self.text and (terms := search_terms(self.text)):
            clauses.append(f"id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
            params.append(" ".join(f'"{t}"*' for t in terms))
        return (" AND ".join(clauses) or "1"), params


def search_terms(text: str) -> list[str]:
    """The words of a search, folded like `text_folded` (đ→d, no diacritics, lowercase)."""
    return re.findall(r"\w+", fold(text))[:12]


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    ts: str
    day: str
    channel: str
    role: str | None
    text: str
    intent: str | None
    confidence: float | None
    urgent: bool
    danger: str | None
    answer_id: str | None
    engine: str | None
    kind: str | None
    latency_ms: float | None
    label: str | None
    labelled_by: str | None
    labelled_at: str | None
    reply_text: str | None = None  # the reply the user saw, redacted like the message
    reply_lines: str | None = None  # the hotlines it offered, comma-separated
    feedback: str | None = None  # "wrong" (not what I asked) or "person" (asked for one)
    label_danger: str | None = None
    label_note: str | None = None

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.reply_lines or "").split(",") if line]

    @property
    def fallback(self) -> bool:
        return self.kind in ("clarify", "fallback") or self.intent == "out_of_scope"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ROW_FIELDS = [f.name for f in fields(LogRow)]  # user_hash is never read out


def _row(record: sqlite3.Row) -> LogRow:
    values = {name: record[name] for name in ROW_FIELDS}
    values["urgent"] = bool(values["urgent"])
    return LogRow(**values)


def search(
    conn: sqlite3.Connection, filters: Filters | None = None, limit: int = 50, offset: int = 0
) -> list[LogRow]:
    """Messages matching `filters`, newest first."""
    where, params = (filters or Filters()).where()
    sql = (
        f"SELECT {', '.join(ROW_FIELDS)} FROM requests WHERE {where} "
        "ORDER BY id DESC LIMIT ? OFFSET ?"
    )
    return [_row(r) for r in conn.execute(sql, [*params, max(0, limit), max(0, offset)])]


def count(conn: sqlite3.Connection, filters: Filters | None = None) -> int:
    where, params = (filters or Filters()).where()
    return int(conn.execute(f"SELECT COUNT(*) FROM requests WHERE {where}", params).fetchone()[0])


def get(conn: sqlite3.Connection, row_id: int) -> LogRow | None:
    record = conn.execute(
        f"SELECT {', '.join(ROW_FIELDS)} FROM requests WHERE id = ?", (row_id,)
    ).fetchone()
    return _row(record) if record else None


def review_queue(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[LogRow]:
    return search(conn, Filters(review=True), limit, offset)


def iter_rows(
    conn: sqlite3.Connection, filters: Filters | None = None, page: int = 1000
) -> Iterator[LogRow]:
    """Every matching row, newest first, read a page at a time by keyset (`id < last`), so
    each page costs the same however deep the export is: time linear, memory one page."""
    where, params = (filters or Filters()).where()
    sql = (
        f"SELECT {', '.join(ROW_FIELDS)} FROM requests WHERE id < ? AND ({where}) "
        "ORDER BY id DESC LIMIT ?"
    )
    last = 2**63 - 1
    while True:
        batch = conn.execute(sql, [last, *params, max(1, page)]).fetchall()
        if not batch:
            return
        for record in batch:
            yield _row(record)
        last = int(batch[-1]["id"])
        del batch


CSV_COLUMNS = [
    "id", "ts", "day", "channel", "role", "intent", "confidence", "urgent", "danger",
    "kind", "answer_id", "engine", "latency_ms", "label", "labelled_by", "text",
    "reply_text", "reply_lines", "feedback", "label_danger", "label_note",
]  # fmt: skip


def csv_chunks(rows: Iterable[LogRow], rows_per_chunk: int = 500) -> Iterator[str]:
    """The CSV of `rows` as text chunks of a few hundred rows: what a streaming response
    sends, so an export never holds more than one chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    pending = 0
    for row in rows:
        values = row.as_dict()
        writer.writerow(["" if values[c] is None else _csv_safe(values[c]) for c in CSV_COLUMNS])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def write_csv(rows: Iterable[LogRow], stream: TextIO) -> int:
    """Write rows as CSV (UTF-8 text; add a BOM yourself for Excel). Returns rows written."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for row in rows:
        values = row.as_dict()
        writer.writerow(["" if values[c] is None else _csv_safe(values[c]) for c in CSV_COLUMNS])
        written += 1
    return written


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


# ---------------------------------------------------------------------------- the figures


@dataclass(slots=True)
class DayFigures:
    day: str
    total: int = 0
    urgent: int = 0
    fallback: int = 0
    by_intent: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Summary:
    since: str
    until: str
    total: int = 0
    urgent: int = 0
    fallback: int = 0
    low_confidence: int = 0
    review_queue: int = 0  # the whole queue, whatever the dates
    failed_writes: int = 0  # since the log was created
    dropped: int = 0
    by_intent: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    days: list[DayFigures] = field(default_factory=list)

    @property
    def fallback_rate(self) -> float:
        return self.fallback / self.total if self.total else 0.0

    def top_intents(self, n: int = 10) -> list[tuple[str, int]]:
        return Counter(self.by_intent).most_common(n)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "total": self.total,
            "urgent": self.urgent,
            "fallback": self.fallback,
            "fallback_rate": round(self.fallback_rate, 4),
            "low_confidence": self.low_confidence,
            "review_queue": self.review_queue,
            "failed_writes": self.failed_writes,
            "dropped": self.dropped,
            "top_intents": [
                {"intent": i, "label": LABELS.get(i, i), "count": c} for i, c in self.top_intents()
            ],
            "by_intent": dict(sorted(self.by_intent.items())),
            "by_channel": dict(sorted(self.by_channel.items())),
            "days": [asdict(d) for d in self.days],
        }


def summary(conn: sqlite3.Connection, since: dt.date, until: dt.date) -> Summary:
    """The report's figures for Vietnam dates `since`..`until` inclusive."""
    result = Summary(since.isoformat(), until.isoformat())
    days: dict[str, DayFigures] = {}
    params = (result.since, result.until)
    per_day = conn.execute(
        f"""SELECT day, intent, channel, n, urgent, fallback, low FROM {ROLLUP_TABLE}
            WHERE day BETWEEN ? AND ? AND n > 0 ORDER BY day""",
        params,
    )
    by_intent: defaultdict[str, int] = defaultdict(int)
    by_channel: defaultdict[str, int] = defaultdict(int)
    for record in per_day:
        figures = days.setdefault(record["day"], DayFigures(record["day"]))
        n = int(record["n"])
        intent = record["intent"] or "?"
        channel = record["channel"] or "?"
        figures.total += n
        figures.urgent += int(record["urgent"] or 0)
        figures.fallback += int(record["fallback"] or 0)
        figures.by_intent[intent] = figures.by_intent.get(intent, 0) + n
        figures.by_channel[channel] = figures.by_channel.get(channel, 0) + n
        by_intent[intent] += n
        by_channel[channel] += n
        result.low_confidence += int(record["low"] or 0)
    result.days = [days[d] for d in sorted(days)]
    result.total = sum(d.total for d in result.days)
    result.urgent = sum(d.urgent for d in result.days)
    result.fallback = sum(d.fallback for d in result.days)
    result.by_intent = dict(by_intent)
    result.by_channel = dict(by_channel)
    result.review_queue = int(
        conn.execute(
            f"SELECT COUNT(*) FROM requests INDEXED BY {REVIEW_INDEX} WHERE {REVIEW_SQL}"
        ).fetchone()[0]
    )
    counters = dict(conn.execute("SELECT name, value FROM counters").fetchall())
    result.failed_writes = int(counters.get(COUNTER_FAILED, 0))
    result.dropped = int(counters.get(COUNTER_DROPPED, 0))
    return result


# ---------------------------------------------------------------------------- training data

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_TYPE_OF = {placeholder: name for name, placeholder in PLACEHOLDERS.items()}


def naturalise(text: str) -> str:
    """Placeholders replaced by neutral words, so a training example reads like a message."""
    return _PLACEHOLDER_RE.sub(lambda m: NEUTRAL_WORDS[_TYPE_OF[m.group()]], text)


@dataclass(slots=True)
class TrainingExport:
    yaml_text: str
    examples: int
    intents: int
    unknown_labels: dict[str, int]  # labels that are no intent of the model: left out


def export_training(conn: sqlite3.Connection) -> TrainingExport:
    """Staff-labelled messages as Rasa NLU training data (YAML, format 3.1), by intent."""
    grouped: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    unknown: Counter[str] = Counter()
    for label, text in conn.execute(
        "SELECT label, text FROM requests WHERE label IS NOT NULL AND label != ? "
        "ORDER BY label, id",
        (SKIP_LABEL,),
    ):
        if label not in ALL_INTENTS:
            unknown[label] += 1
            continue
        # one line each, and no [..](..) that Rasa would read as an entity annotation
        example = " ".join(naturalise(text or "").split()).replace("[", "(").replace("]", ")")
        key = (label, fold(example))
        if not example or key in seen:
            continue
        seen.add(key)
        grouped[label].append(example)
    nlu = [
        {"intent": intent, "examples": "".join(f"- {e}\n" for e in examples)}
        for intent, examples in sorted(grouped.items())
    ]
    header = (
        "# Staff-labelled messages from the request log (childsafe export-training).\n"
        "# Redacted: placeholders such as <TÊN> were replaced by neutral words.\n"
    )
    body = yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=_LiteralDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return TrainingExport(
        header + body, sum(len(v) for v in grouped.values()), len(grouped), dict(unknown)
    )


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, the way Rasa's own files look."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def csv_text(rows: Iterable[LogRow]) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- review (#16)

# Labels that name a mistake (besides an intent, which says "the right topic is ..."):
# stored in `label`; `label_danger` and `label_note` carry what each one needs.
FALSE_ALARM = "false_alarm"
SHOULD_BE_URGENT = "should_be_urgent"  # with label_danger
WRONG_AUDIENCE = "wrong_audience"  # label_note: who was asking
ANSWER_WRONG = "answer_wrong"  # label_note: what is wrong, for the content editor
NOT_COVERED = "not_covered"  # label_note: the topic we do not cover
FINE = "fine"
MISTAKE_LABELS: dict[str, str] = {
    FINE: "Đúng rồi",
    FALSE_ALARM: "Báo động nhầm (không khẩn cấp)",
    SHOULD_BE_URGENT: "Lẽ ra phải khẩn cấp",
    WRONG_AUDIENCE: "Sai đối tượng (phụ huynh / học sinh / giáo viên)",
    ANSWER_WRONG: "Câu trả lời sai hoặc đã cũ",
    NOT_COVERED: "Chủ đề chưa có (cần thêm)",
    SKIP_LABEL: "Bỏ qua (không dùng để huấn luyện)",
}
NOTE_LABELS = (WRONG_AUDIENCE, ANSWER_WRONG, NOT_COVERED)
MAX_NOTE_CHARS = 500
DANGERS: tuple[str, ...] = tuple(d.value for d in Danger)


def label_problem(label: str, danger: str | None, note: str | None) -> str | None:
    """Why a label cannot be saved as given (Vietnamese, for the form), or None."""
    if label not in MISTAKE_LABELS and label not in ALL_INTENTS:
        return "Hãy chọn một nhãn trong danh sách."
    if label == SHOULD_BE_URGENT and danger not in DANGERS:
        return "“Lẽ ra phải khẩn cấp”: hãy chọn mối nguy."
    if label in (ANSWER_WRONG, NOT_COVERED) and not (note or "").strip():
        return "Hãy ghi chú: sai ở đâu, hoặc chủ đề nào còn thiếu."
    return None


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    description: str


SECTIONS: tuple[Section, ...] = (
    Section("urgent", "Trả lời khẩn cấp", "Mọi tin trợ lý coi là nguy hiểm ngay: có đúng không?"),
    Section("safety_check", "Đã hỏi “Bạn có đang an toàn không?”", "Trợ lý chưa chắc nên hỏi lại."),
    Section(
        "complaint",
        "Người dùng nói “không đúng ý mình” hoặc xin gặp người",
        "Câu trả lời ngay trước lời phàn nàn hoặc lời xin gặp tư vấn viên.",
    ),
    Section("low", "Độ tin cậy thấp và không trả lời được", "Hỏi lại, ngoài phạm vi, dưới 0,6."),
    Section(
        "sample", "Mẫu ngẫu nhiên câu trả lời tự tin", "Kiểm tra cả những câu trợ lý chắc chắn."
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
_HASH_SPACE = 1 << 32


def sample_sql(rate: float) -> tuple[str, list[Any]]:
    """A deterministic sample of about `rate` of the rows, by a hash of the row id (a
    multiplicative hash, so neighbouring ids scatter): the same rows on every page view."""
    cut = int(max(0.0, min(1.0, rate)) * _HASH_SPACE)
    return "((id * 2654435761) % 4294967296) < ?", [cut]


def section_where(key: str, sample_rate: float) -> tuple[str, list[Any]]:
    """The WHERE of one queue section over `requests` (the complaint section excepted)."""
    if key == "urgent":
        return "label IS NULL AND (kind = 'urgent' OR urgent = 1)", []
    if key == "safety_check":
        return "label IS NULL AND kind = 'safety_check'", []
    if key == "low":
        return f"{REVIEW_SQL} AND kind NOT IN ('urgent', 'safety_check') AND urgent = 0", []
    if key == "sample":
        sample, params = sample_sql(sample_rate)
        return (
            f"label IS NULL AND kind = 'answer' AND confidence >= {LOW_CONFIDENCE} "
            f"AND urgent = 0 AND {sample}",
            params,
        )
    raise ValueError(f"no queue section {key!r}")


_COMPLAINED = f"""
    FROM requests AS f JOIN requests AS r ON r.id = (
        SELECT p.id FROM requests AS p
        WHERE p.user_hash = f.user_hash AND p.id < f.id ORDER BY p.id DESC LIMIT 1)
    WHERE f.feedback IS NOT NULL AND f.user_hash IS NOT NULL AND r.label IS NULL
      AND ((f.feedback = '{FEEDBACK_WRONG}' AND r.kind NOT IN ('command', 'notice'))
           OR (f.feedback = '{FEEDBACK_PERSON}' AND r.kind = 'answer'))"""


def section_rows(
    conn: sqlite3.Connection, key: str, sample_rate: float, limit: int = 50, offset: int = 0
) -> list[LogRow]:
    """One section of the review queue, newest first."""
    if key == "complaint":
        columns = ", ".join(f"r.{name}" for name in ROW_FIELDS)
        sql = (
            f"SELECT {columns} {_COMPLAINED} GROUP BY r.id ORDER BY MAX(f.id) DESC LIMIT ? OFFSET ?"
        )
        return [_row(r) for r in conn.execute(sql, (max(0, limit), max(0, offset)))]
    where, params = section_where(key, sample_rate)
    sql = (
        f"SELECT {', '.join(ROW_FIELDS)} FROM requests{_indexed(key)} WHERE {where} "
        "ORDER BY id DESC LIMIT ? OFFSET ?"
    )
    return [_row(r) for r in conn.execute(sql, [*params, max(0, limit), max(0, offset)])]


def section_count(conn: sqlite3.Connection, key: str, sample_rate: float) -> int:
    if key == "complaint":
        sql = f"SELECT COUNT(DISTINCT r.id) {_COMPLAINED}"
        return int(conn.execute(sql).fetchone()[0])
    where, params = section_where(key, sample_rate)
    sql = f"SELECT COUNT(*) FROM requests{_indexed(key)} WHERE {where}"
    return int(conn.execute(sql, params).fetchone()[0])


def _indexed(key: str) -> str:
    """The low-confidence section reads its partial index (the planner, without statistics,
    would pick a wider one)."""
    return f" INDEXED BY {REVIEW_INDEX}" if key == "low" else ""


def conversation(
    conn: sqlite3.Connection, row_id: int, since_ts: str | None = None, limit: int = 200
) -> list[LogRow]:
    """The turns of the pseudonymous conversation `row_id` belongs to (same hashed user
    key), oldest first, no older than `since_ts` (the retention window). The hash itself is
    never read out. A row without a user key (an erase) is its own conversation."""
    record = conn.execute("SELECT user_hash FROM requests WHERE id = ?", (row_id,)).fetchone()
    if record is None:
        return []
    if record["user_hash"] is None:
        found = get(conn, row_id)
        return [found] if found else []
    sql = (
        f"SELECT {', '.join(ROW_FIELDS)} FROM ("
        f"SELECT * FROM requests WHERE user_hash = ? AND ts >= ? ORDER BY id DESC LIMIT ?"
        ") ORDER BY id"
    )
    rows = conn.execute(sql, (record["user_hash"], since_ts or "", max(1, limit)))
    return [_row(r) for r in rows]


# ---------------------------------------------------------------------------- content feedback


@dataclass(slots=True)
class AnswerComplaints:
    answer_id: str
    count: int
    notes: list[tuple[int, str, str | None]]  # (row id, note, labelled_at), newest first


def content_feedback(conn: sqlite3.Connection, per_answer: int = 20) -> list[AnswerComplaints]:
    """ "Answer wrong or outdated" labels grouped by answer id, most complained-of first."""
    grouped: dict[str, AnswerComplaints] = {}
    for record in conn.execute(
        "SELECT id, COALESCE(answer_id, '?') AS answer_id, label_note, labelled_at "
        "FROM requests WHERE label = ? ORDER BY id DESC",
        (ANSWER_WRONG,),
    ):
        entry = grouped.setdefault(
            record["answer_id"], AnswerComplaints(record["answer_id"], 0, [])
        )
        entry.count += 1
        if len(entry.notes) < per_answer:
            entry.notes.append((record["id"], record["label_note"] or "", record["labelled_at"]))
    return sorted(grouped.values(), key=lambda e: (-e.count, e.answer_id))


# ---------------------------------------------------------------------------- safety training


@dataclass(slots=True)
class SafetyExport:
    yaml_text: str
    urgent: int
    not_urgent: int


def safety_cases(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Reviewed messages as safety training entries `{text, urgent, danger}` (the format of
    handlers/safety/data/train.yml): a false alarm is a harmless case (danger: what it was
    taken for), "should have been urgent" an urgent one with the danger staff chose, and an
    urgent reply staff marked fine an urgent one with the danger it was answered for."""
    seen: set[str] = set()
    for record in conn.execute(
        "SELECT id, text, label, label_danger, danger, urgent FROM requests "
        "WHERE label IN (?, ?, ?) ORDER BY id",
        (FALSE_ALARM, SHOULD_BE_URGENT, FINE),
    ):
        label = record["label"]
        first_danger = (record["danger"] or "").split(",")[0] or None
        if label == FINE and not record["urgent"]:
            continue
        text = " ".join(naturalise(record["text"] or "").split())
        if not text or fold(text) in seen:
            continue
        seen.add(fold(text))
        if label == FALSE_ALARM:
            yield {"text": text, "urgent": False, "danger": first_danger}
        elif label == SHOULD_BE_URGENT:
            yield {"text": text, "urgent": True, "danger": record["label_danger"]}
        else:
            yield {"text": text, "urgent": True, "danger": first_danger}


def export_safety(conn: sqlite3.Connection) -> SafetyExport:
    lines = [
        "# Staff-reviewed messages from the request log (childsafe export-training --safety).",
        "# Format of handlers/safety/data/train.yml: {text, urgent, danger}. Redacted:",
        "# placeholders such as <TÊN> were replaced by neutral words. Read each case before",
        "# adding it to the training data; never add one to the blind test corpus.",
    ]
    urgent = not_urgent = 0
    for case in safety_cases(conn):
        danger = case["danger"] if case["danger"] in DANGERS else None
        text = json.dumps(case["text"], ensure_ascii=False)
        tail = f", danger: {danger}" if danger else ""
        lines.append(f"- {{text: {text}, urgent: {'true' if case['urgent'] else 'false'}{tail}}}")
        if case["urgent"]:
            urgent += 1
        else:
            not_urgent += 1
    if not urgent + not_urgent:
        lines.append("[]")
    return SafetyExport("\n".join(lines) + "\n", urgent, not_urgent)

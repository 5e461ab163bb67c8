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
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

import yaml

from handlers.redact import PLACEHOLDERS
from handlers.requestlog import COUNTER_DROPPED, COUNTER_FAILED, FTS_TABLE, VIETNAM
from handlers.topics import ALL_INTENTS, LABELS
from nlu.text import fold

LOW_CONFIDENCE = 0.6
NOT_QUESTIONS = ("command", "notice")  # kinds that are not someone asking something
FALLBACK_SQL = "(kind IN ('clarify', 'fallback') OR intent = 'out_of_scope')"
LOW_CONFIDENCE_SQL = f"(confidence < {LOW_CONFIDENCE} AND kind NOT IN ('command', 'notice'))"
REVIEW_SQL = (
    f"(label IS NULL AND kind NOT IN ('command', 'notice') "
    f"AND ({FALLBACK_SQL} OR confidence < {LOW_CONFIDENCE}))"
)

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


def connect_readonly(db_path: Path | str) -> sqlite3.Connection:
    """A read-only connection (`mode=ro`): safe beside the writer, never creates the file."""
    path = Path(db_path)
    if not path.exists():
        raise LogUnavailable(f"no request log at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        conn.execute("SELECT 1 FROM requests LIMIT 1")
    except sqlite3.Error as exc:
        raise LogUnavailable(f"cannot read the request log at {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    return conn


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
    """Every matching row, newest first, read a page at a time (for exports)."""
    offset = 0
    while batch := search(conn, filters, page, offset):
        yield from batch
        offset += len(batch)


CSV_COLUMNS = [
    "id", "ts", "day", "channel", "role", "intent", "confidence", "urgent", "danger",
    "kind", "answer_id", "engine", "latency_ms", "label", "labelled_by", "text",
]  # fmt: skip


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
        f"""SELECT day, intent, channel, COUNT(*) AS n, SUM(urgent) AS urgent,
                   SUM({FALLBACK_SQL}) AS fallback, SUM({LOW_CONFIDENCE_SQL}) AS low
            FROM requests WHERE day BETWEEN ? AND ?
            GROUP BY day, intent, channel ORDER BY day""",
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
    result.review_queue = count(conn, Filters(review=True))
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

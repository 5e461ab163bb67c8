"""Look through a database for anything that still looks like personal data (#17):
`childsafe privacy-check DB`, for deployments to run after an upgrade.

Every table is read, the full-text index's own tables and its vocabulary included: text
values go through the redactor (a span it would redact is a finding), binary values and FTS
terms are searched for long digit runs and email addresses. What is reported never repeats
the datum: only where it is, its kind and a masked hint ("09…78").
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from handlers.redact import find_spans

# Values that are keys, hashes and tokens, not text someone wrote: a long unbroken run of
# token characters ("3f2a…", "hmac:…", "$argon2id$…", a session's CSRF token).
_TOKEN_LIKE_RE = re.compile(r"[A-Za-z0-9_\-$=+/.:,]{16,}")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?")
# Unix times with a fraction ("urgent_at": 1796634981.0594206 in a conversation's JSON)
_EPOCH_RE = re.compile(r"(?<![\d.])1\d{9}\.\d+(?![\d.])")
# Hashes inside a value: a long hex word, or the conversation state's fingerprint of a question
# (space-separated 8-digit hex words)
_HEX_RE = re.compile(r"\b[0-9a-f]{16,}\b|\b[0-9a-f]{8}(?: [0-9a-f]{8}){2,}\b")
_BYTES_DIGITS_RE = re.compile(rb"(?<!\d)(?:\+?84|0)\d{8,10}(?!\d)|(?<!\d)0\d{11}(?!\d)")
_BYTES_EMAIL_RE = re.compile(rb"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_TERM_RE = re.compile(r"(?:\+?84|0)\d{8,10}|0\d{11}|\d{9,19}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Finding:
    table: str
    column: str
    rowid: int | None
    kind: str
    hint: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" + (f" rowid={self.rowid}" if self.rowid else "")
        return f"{where}: {self.kind} {self.hint}"


@dataclass(slots=True)
class ScanReport:
    tables: int = 0
    values: int = 0
    findings: list[Finding] | None = None

    @property
    def clean(self) -> bool:
        return not self.findings


def mask(value: str) -> str:
    """A hint of a datum that does not repeat it: first two and last two characters."""
    value = value.strip()
    if len(value) <= 4:
        return "…"
    return f"{value[:2]}…{value[-2:]}"


def scan_database(path: Path) -> ScanReport:
    """Read every table of the SQLite file at `path` (read-only) and report what looks like
    personal data. Raises sqlite3.Error if it is no readable database."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    conn.text_factory = bytes  # read every value as written, even invalid UTF-8
    report = ScanReport(findings=[])
    try:
        tables = [
            (name.decode(), (sql or b"").decode())
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for name, sql in tables:
            report.tables += 1
            for finding, counted in _scan_table(conn, name, sql):
                report.values += counted
                if finding is not None:
                    report.findings.append(finding)  # type: ignore[union-attr]
        for name, sql in tables:
            if "using fts5" in sql.lower():
                report.findings += _scan_fts_vocabulary(conn, name)  # type: ignore[operator]
    finally:
        conn.close()
    return report


def _scan_table(
    conn: sqlite3.Connection, table: str, sql: str
) -> Iterator[tuple[Finding | None, int]]:
    quoted = '"' + table.replace('"', '""') + '"'
    virtual = sql.lower().startswith("create virtual table")
    try:
        cursor = conn.execute(f"SELECT {'' if virtual else 'rowid, '}* FROM {quoted}")
    except sqlite3.Error:
        cursor = conn.execute(f"SELECT * FROM {quoted}")
        virtual = True
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        rowid = None if virtual else row[0]
        values = row if virtual else row[1:]
        names = columns if virtual else columns[1:]
        for column, value in zip(names, values, strict=True):
            if isinstance(value, bytes):
                found = _scan_value(value)
                yield (
                    (Finding(table, column, rowid, found[0], found[1]) if found else None),
                    1,
                )


def _scan_value(raw: bytes) -> tuple[str, str] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _scan_bytes(raw)
    if not text.strip() or _TOKEN_LIKE_RE.fullmatch(text) or _TIMESTAMP_RE.fullmatch(text):
        return None
    if "\x00" in text or (not text.isprintable() and "\n" not in text):
        found = _scan_bytes(raw)
        if found:
            return found
    text = _HEX_RE.sub("<hash>", _EPOCH_RE.sub("<time>", text))
    for span in find_spans(text):
        return span.type, mask(text[span.start : span.end])
    return None


def _scan_bytes(raw: bytes) -> tuple[str, str] | None:
    for pattern, kind in ((_BYTES_EMAIL_RE, "EMAIL"), (_BYTES_DIGITS_RE, "SỐ")):
        m = pattern.search(raw)
        if m:
            return kind, mask(m.group().decode("latin-1"))
    return None


def _scan_fts_vocabulary(conn: sqlite3.Connection, fts_table: str) -> list[Finding]:
    """The terms an FTS5 index holds (its `_data` table stores them compressed, so they are
    read through an fts5vocab table in the connection's temporary schema)."""
    vocab = f"temp.privacy_vocab_{abs(hash(fts_table))}"
    findings = []
    try:
        conn.execute(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(main, '{fts_table}', 'row')")
        for (term,) in conn.execute(f"SELECT term FROM {vocab}"):
            word = term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)
            if _TERM_RE.fullmatch(word):
                kind = "EMAIL" if "@" in word else "SỐ"
                findings.append(Finding(fts_table, "(index term)", None, kind, mask(word)))
        conn.execute(f"DROP TABLE {vocab}")
    except sqlite3.Error:
        pass  # no fts5vocab in this SQLite: the shadow tables were still read above
    return findings

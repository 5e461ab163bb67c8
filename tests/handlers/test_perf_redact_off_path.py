"""Redaction runs once per message on the request log's writer thread, off the reply's path
(#18), and still before the commit that `commit_mine` (the acknowledgement) waits for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from handlers import requestlog
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Exchange
from handlers.redact import FAILED_PLACEHOLDER, RedactionResult
from handlers.requestlog import RequestLog

PHONE_TEXT = "số của em là 0912 345 678, mẹ em đánh em"


def _exchange(text: str) -> Exchange:
    reply = Reply(text="ok", intent="report_abuse", confidence=0.9)
    return Exchange(IncomingMessage(text, user="u1", channel="web"), "hash-u1", reply, 1.0)


def _stored(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT text, text_folded FROM requests ORDER BY id").fetchall()
    finally:
        conn.close()


def _reply_texts(path: Path) -> list[tuple[str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT reply_text FROM requests").fetchall()
    finally:
        conn.close()


def test_redaction_runs_once_on_the_writer_before_the_acknowledged_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    real = requestlog.redact

    def spy(text: str) -> RedactionResult:
        calls.append((threading.current_thread().name, text))
        return real(text)

    monkeypatch.setattr(requestlog, "redact", spy)
    log = RequestLog.open(tmp_path / "log.db")
    try:
        log.record_exchange(_exchange(PHONE_TEXT))
        assert log.commit_mine()  # what /api/chat waits for before it answers
        ((text, folded),) = _stored(tmp_path / "log.db")  # committed, already redacted
    finally:
        log.close()
    assert "0912" not in text and "345 678" not in text
    assert "<" in text and folded == requestlog.fold_for_search(text)
    # the message once (the reply's text is stored redacted too), never on the caller's thread
    assert [text for _, text in calls].count(PHONE_TEXT) == 1
    assert {thread for thread, _ in calls} == {"request-log-writer"}


def test_a_failed_redaction_on_the_writer_withholds_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(requestlog, "_stored_text", broken)
    log = RequestLog.open(tmp_path / "log.db")
    try:
        log.record_exchange(_exchange(PHONE_TEXT))
        assert log.commit_mine()
    finally:
        log.close()
    assert _stored(tmp_path / "log.db") == [(FAILED_PLACEHOLDER, FAILED_PLACEHOLDER)]
    assert "0912" not in str(_reply_texts(tmp_path / "log.db"))

"""Small helpers shared by test modules."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path


def rows_holding(db_path: Path, value: str) -> int:
    """Rows, in any table and column of the SQLite file, that hold `value` exactly."""
    with sqlite3.connect(db_path) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        found = 0
        for table in tables:
            columns = [r[1] for r in db.execute(f'pragma table_info("{table}")')]
            for column in columns:
                query = f'select count(*) from "{table}" where "{column}" = ?'
                found += db.execute(query, (value,)).fetchone()[0]
        return int(found)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)

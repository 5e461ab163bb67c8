"""The staff desk over a large request log (#16): the overview's and `childsafe report`'s
figures, the review queue's section counts and the streamed CSV export, on a generated log of
a million rows (`python -m bench --only staff-log [--rows N]`).

The log is generated straight into SQLite through the log's own schema (triggers included:
the search index and the daily rollup are kept as in production), spread over 120 days with
a realistic mix of channels, intents, kinds and confidences. Aims (issue #16): the overview
and the report answer in under 0.5 s at a million rows; the export's time grows linearly with
its rows and its memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner

AIM_SECONDS = 0.5
DAYS = 120
INTENTS = (
    "report_abuse", "school_violence", "accident_prevention", "social_assistance",
    "online_safety", "child_labour", "mental_health", "children_rights", "education_support",
    "hotline_info", "greet", "thanks", "out_of_scope",
)  # fmt: skip
CHANNELS = ("web", "telegram", "zalo")
KINDS = (("answer", 0.78), ("clarify", 0.08), ("fallback", 0.04), ("smalltalk", 0.05),
         ("urgent", 0.02), ("safety_check", 0.02), ("command", 0.01))  # fmt: skip
TEXTS = (
    "con bị bạn đánh ở trường phải làm sao",
    "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng",
    "có người lạ nhắn tin đòi con em gửi ảnh nhạy cảm",
    "e bi bat nat o trg k bik noi vs ai",
    "học phí có được miễn cho con hộ nghèo không",
)
REPLY = (
    "Em không có lỗi. Hãy kể ngay với người lớn em tin: bố mẹ, thầy cô. "
    "Gọi 111 (miễn phí, 24/7) để được tư vấn. Nguồn: Luật Trẻ em 2016, Điều 4."
)

Progress = Callable[[str], None]


def generate(path: Path, rows: int, seed: int = 16) -> float:
    """Write `rows` generated rows to a new log at `path`; returns seconds taken."""
    from handlers.requestlog import RequestLog, fold_for_search

    started = time.perf_counter()
    RequestLog.open(path).close()  # the schema, indexes, triggers
    import sqlite3

    rng = random.Random(seed)
    today = dt.datetime.now(dt.UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    kinds, weights = zip(*KINDS, strict=True)
    folded = {t: fold_for_search(t) for t in TEXTS}

    def rows_of(n: int, offset: int) -> Iterator[tuple[Any, ...]]:
        for i in range(offset, offset + n):
            moment = today - dt.timedelta(seconds=(rows - i) * DAYS * 86400 / rows)
            kind = rng.choices(kinds, weights)[0]
            text = TEXTS[i % len(TEXTS)]
            urgent = int(kind == "urgent")
            yield (
                moment.isoformat(timespec="milliseconds"),
                (moment + dt.timedelta(hours=7)).date().isoformat(),
                CHANNELS[i % 3],
                f"user-{rng.randrange(rows // 4 + 1)}",
                text,
                folded[text],
                "report_abuse" if urgent else rng.choice(INTENTS),
                round(rng.betavariate(5, 1.5), 4),
                urgent,
                kind,
                REPLY,
                "111" if urgent else None,
            )

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    sql = (
        "INSERT INTO requests (ts, day, channel, user_hash, text, text_folded, intent, "
        "confidence, urgent, kind, reply_text, reply_lines) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    batch = 50_000
    for offset in range(0, rows, batch):
        with conn:
            conn.executemany(sql, rows_of(min(batch, rows - offset), offset))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def timed(action: Callable[[], object], repeat: int = 5) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}


def measure(path: Path, rows: int, progress: Progress) -> dict[str, Any]:
    from bot.staff.cli import report
    from handlers import logquery

    results: dict[str, Any] = {"rows": rows}
    today = logquery.today()
    conn = logquery.connect_readonly(path)
    overview: dict[str, Any] = {}
    for days in (7, 30, 90, 366):
        since = today - dt.timedelta(days=days - 1)
        progress(f"staff-log: overview of {days} days")
        overview[f"{days}d"] = timed(functools.partial(logquery.summary, conn, since, today))
    results["overview"] = overview
    runner = CliRunner()
    report_figures: dict[str, Any] = {}
    for days in (7, 30):
        first = (today - dt.timedelta(days=days - 1)).isoformat()
        args: list[str] = ["--since", first, "--db", str(path)]
        progress(f"staff-log: childsafe report, {days} days")

        def run_report(a: list[str] = args) -> None:
            outcome = runner.invoke(report, a, env={"CHILDSAFE_SECRET": "b" * 40})
            if outcome.exit_code != 0:
                raise RuntimeError(outcome.output)

        report_figures[f"{days}d"] = timed(run_report, 3)
    results["report"] = report_figures
    progress("staff-log: review queue section counts")
    results["review_counts"] = {
        key: timed(functools.partial(logquery.section_count, conn, key, 0.02), 3)
        for key in logquery.SECTION_KEYS
    }
    exports: dict[str, Any] = {}
    for days in (7, 30, DAYS):
        filters = logquery.Filters(since=today - dt.timedelta(days=days - 1), until=today)
        progress(f"staff-log: CSV export of {days} days")
        tracemalloc.start()
        started = time.perf_counter()
        sent = 0
        for chunk in logquery.csv_chunks(logquery.iter_rows(conn, filters)):
            sent += len(chunk)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        count = logquery.count(conn, filters)
        exports[f"{days}d"] = {
            "rows": count,
            "seconds_traced": round(seconds, 3),
            "rows_per_second_traced": round(count / seconds) if seconds else None,
            "peak_python_mb": round(peak / 2**20, 2),
            "bytes": sent,
        }
    results["export_csv"] = exports
    conn.close()
    worst_overview = max(v["max_s"] for v in overview.values())
    worst_report = max(v["max_s"] for v in report_figures.values())
    peaks = [e["peak_python_mb"] for e in exports.values()]
    results["aims"] = {
        "overview_worst_s": worst_overview,
        "overview_under_0_5s": worst_overview < AIM_SECONDS,
        "report_worst_s": worst_report,
        "report_under_0_5s": worst_report < AIM_SECONDS,
        "export_memory_flat": max(peaks) < 2 * min(peaks) + 1,
    }
    return results


def run(rows: int, progress: Progress, keep: Path | None = None) -> dict[str, Any]:
    """Generate a log of `rows` rows (or reuse `keep` if it exists) and measure it."""
    with tempfile.TemporaryDirectory(prefix="childsafe-bench-staff-") as tmp:
        path = keep or Path(tmp) / "log.db"
        generated = None
        if not path.exists():
            progress(f"staff-log: generating {rows:,} rows")
            generated = round(generate(path, rows), 1)
        results = measure(path, rows, progress)
        results["generate_s"] = generated
        return results

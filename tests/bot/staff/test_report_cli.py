"""Staff commands over the request log (#6): report, export-training, eval-redaction, and the
Datasette metadata's canned queries run against a log built by RequestLog."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from handlers import logquery
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Exchange
from handlers.requestlog import RequestLog
from nlu.rasa_data import load_file

ROOT = Path(__file__).resolve().parents[3]
METADATA = ROOT / "datasette" / "metadata.yml"


@dataclass(frozen=True)
class Sent:
    when: dt.datetime  # UTC
    channel: str
    text: str
    intent: str
    confidence: float = 0.9
    kind: str = "answer"
    urgent: bool = False

    @property
    def day(self) -> str:
        return (self.when + dt.timedelta(hours=7)).date().isoformat()

    @property
    def fallback(self) -> bool:
        return self.kind in ("clarify", "fallback") or self.intent == "out_of_scope"

    @property
    def low(self) -> bool:
        return self.confidence < 0.6 and self.kind not in ("command", "notice")


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 30, tzinfo=dt.UTC)


SENT = [
    Sent(at(9, 10), "web", "ngoài khoảng ngày", "report_abuse"),  # 9/11 in Vietnam: excluded
    Sent(at(10, 2), "telegram", "e bi bo danh", "report_abuse", 1.0, "urgent", True),
    Sent(at(10, 3), "web", "con tôi tên là Lan bị bắt nạt", "school_violence", 0.82),
    Sent(at(10, 4), "zalo", "???", "out_of_scope", 0.2, "clarify"),
    Sent(at(10, 18), "zalo", "trợ cấp cho trẻ mồ côi", "social_assistance", 0.55),  # 11/11 VN
    Sent(at(11, 1), "web", "/start", "help", 1.0, "command"),
    Sent(at(11, 2), "cli", "muốn chết", "mental_health", 0.95, "urgent", True),
    Sent(at(11, 5), "telegram", "hỏi linh tinh", "greet", 0.3, "clarify"),
    Sent(at(12, 1), "telegram", "số em 0912 345 678, tk fb bị hack", "online_safety", 0.58),
    Sent(at(12, 2), "web", "xin lỗi lỗi hệ thống", "out_of_scope", 0.0, "fallback"),
    Sent(at(12, 3), "zalo", "học bổng cho con", "education_support", 0.91),
]
SINCE, UNTIL = "2026-11-10", "2026-11-12"


class FakeClock:
    def __init__(self) -> None:
        self.now = at(1, 0)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def log_db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "childsafe.db"
    clock = FakeClock()
    request_log = RequestLog.open(path, clock=clock)
    for n, sent in enumerate(SENT):
        clock.now = sent.when
        reply = Reply(
            text="…",
            intent=sent.intent,
            confidence=sent.confidence,
            urgent=sent.urgent,
            kind=sent.kind,
            danger=["violence"] if sent.urgent else [],
        )
        message = IncomingMessage(sent.text, user=f"u{n % 3}", channel=sent.channel)
        request_log.record_exchange(Exchange(message, f"hash-{n % 3}", reply, 10.0))
    request_log.record_exchange(None)  # type: ignore[arg-type]  # counted, not raised
    request_log.close()
    yield path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------------------- report


def test_report_json_matches_the_inserted_messages(log_db: Path) -> None:
    code, out, _ = run("report", "--since", SINCE, "--until", UNTIL, "--json", "--db", str(log_db))
    assert code == 0, out
    data = json.loads(out)
    inside = [s for s in SENT if SINCE <= s.day <= UNTIL]
    assert len(inside) == len(SENT) - 1

    assert data["total"] == len(inside)
    assert data["urgent"] == sum(s.urgent for s in inside) == 2
    assert data["fallback"] == sum(s.fallback for s in inside) == 3
    assert data["fallback_rate"] == round(3 / len(inside), 4)
    assert data["low_confidence"] == sum(s.low for s in inside) == 5
    review = [s for s in SENT if s.kind not in ("command", "notice") and (s.fallback or s.low)]
    assert data["review_queue"] == len(review) == 5
    assert data["failed_writes"] == 0 and data["dropped"] == 1
    assert data["by_channel"] == dict(Counter(s.channel for s in inside))
    assert data["by_intent"] == dict(Counter(s.intent for s in inside))
    assert [d["day"] for d in data["days"]] == ["2026-11-10", "2026-11-11", "2026-11-12"]
    for day in data["days"]:
        sent = [s for s in inside if s.day == day["day"]]
        assert day["total"] == len(sent)
        assert day["urgent"] == sum(s.urgent for s in sent)
        assert day["fallback"] == sum(s.fallback for s in sent)
        assert day["by_intent"] == dict(Counter(s.intent for s in sent))
        assert day["by_channel"] == dict(Counter(s.channel for s in sent))
    top = data["top_intents"][0]
    assert (top["intent"], top["count"]) == ("out_of_scope", 2)


def test_report_text_shows_the_same_figures(log_db: Path) -> None:
    code, out, _ = run("report", "--since", SINCE, "--until", UNTIL, "--db", str(log_db))
    assert code == 0, out
    assert "Tin nhắn: 10" in out and "khẩn cấp: 2" in out and "(30.0%)" in out
    assert "Chờ rà soát: 5" in out
    assert "2026-11-11" in out and "mental_health 1" in out


def test_report_defaults_to_the_last_week(log_db: Path) -> None:
    code, out, _ = run("report", "--json", "--db", str(log_db))
    assert code == 0
    data = json.loads(out)
    assert dt.date.fromisoformat(data["until"]) - dt.date.fromisoformat(
        data["since"]
    ) == dt.timedelta(days=6)


def test_report_refuses_bad_input(log_db: Path, tmp_path: Path) -> None:
    code, out, err = run("report", "--since", UNTIL, "--until", SINCE, "--db", str(log_db))
    assert code == 2 and "--since is after --until" in out + err
    code, out, err = run("report", "--db", str(tmp_path / "nowhere.db"))
    assert code == 1 and "no request log" in out + err
    assert not (tmp_path / "nowhere.db").exists()


# ---------------------------------------------------------------------------- export-training


def test_export_training_writes_labelled_messages_as_rasa_data(
    log_db: Path, tmp_path: Path
) -> None:
    request_log = RequestLog.open(log_db)
    conn = logquery.connect_readonly(log_db)
    by_text = {row.text: row.id for row in logquery.search(conn, limit=100)}
    conn.close()
    request_log.set_label(by_text["con tôi tên là <TÊN> bị bắt nạt"], "school_violence", "staff")
    request_log.set_label(by_text["hỏi linh tinh"], "greet", "staff")
    request_log.set_label(by_text["số em <SĐT>, tk fb bị hack"], "online_safety", "staff")
    request_log.set_label(by_text["???"], "not_an_intent", "staff")
    request_log.close()

    out = tmp_path / "export" / "from_staff.yml"
    code, _, err = run("export-training", "--out", str(out), "--db", str(log_db))
    assert code == 0
    assert "3 example(s) for 3 intent(s)" in err and "'not_an_intent'" in err

    assert yaml.safe_load(out.read_text(encoding="utf-8"))["version"] == "3.1"
    examples = {(e.intent, e.text) for e in load_file(out)}  # the project's Rasa data loader
    assert examples == {
        ("school_violence", "con tôi tên là An bị bắt nạt"),
        ("greet", "hỏi linh tinh"),
        ("online_safety", "số em số này, tk fb bị hack"),
    }
    data_lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    assert not any("<" in line for line in data_lines)  # no placeholder left in the data


def test_export_training_to_stdout_with_nothing_labelled(log_db: Path) -> None:
    code, out, err = run("export-training", "--db", str(log_db))
    assert code == 0
    assert yaml.safe_load(out)["nlu"] == []
    assert "0 example(s)" in err


# ---------------------------------------------------------------------------- eval-redaction


def test_eval_redaction_reports_the_heldout_split_by_default() -> None:
    code, out, _ = run("eval-redaction", "--json")
    data = json.loads(out)
    assert data["split"] == "heldout"
    assert data["corpus"].endswith("redaction_heldout.yml")
    assert data["messages"] >= 100
    assert code == (0 if data["targets_met"] else 1), data["targets_missed"]
    for kind in ("SĐT", "EMAIL", "TÊN", "NGÀY_SINH"):
        assert {"recall", "precision", "gold"} <= set(data["types"][kind])


def test_eval_redaction_dev_split_meets_its_targets() -> None:
    code, out, _ = run("eval-redaction", "--split", "dev", "--json")
    data = json.loads(out)
    assert data["split"] == "dev" and data["corpus"].endswith("redaction_corpus.yml")
    assert code == 0 and data["targets_met"] is True, data["targets_missed"]
    for kind in ("SĐT", "CCCD", "CMND", "EMAIL"):
        assert data["types"][kind]["recall"] == 1.0
    assert data["protected"]["redacted"] == 0


@pytest.mark.parametrize(("split", "kind", "more_than"), [("dev5", "MXH", 0), ("dev6", "TÊN", 100)])
def test_eval_redaction_reads_the_blind_written_dev_splits(
    split: str, kind: str, more_than: int
) -> None:
    code, out, _ = run("eval-redaction", "--split", split, "--json")
    data = json.loads(out)
    assert data["split"] == split and data["corpus"].endswith(f"redaction_{split}.yml")
    assert data["messages"] >= 200
    assert code == (0 if data["targets_met"] else 1)
    assert data["types"][kind]["gold"] > more_than


@pytest.mark.parametrize("split", ["heldout", "dev", "dev5", "dev6"])
def test_eval_redaction_prints_every_split_as_text(split: str) -> None:
    code, out, _ = run("eval-redaction", "--split", split)
    assert code in (0, 1), out  # a traceback exits 1 too: the title line says it printed
    assert "messages" in out and "protected numbers redacted" in out


def test_eval_redaction_fails_when_a_phone_is_missed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.yml"
    corpus.write_text(
        yaml.safe_dump(
            {
                "messages": [
                    {
                        "text": "số em là không chín một hai ba",
                        "pii": [["SĐT", "không chín một hai ba"]],
                    },
                    {"text": "gọi 111 nhé", "keep": ["111"]},
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    code, out, _ = run("eval-redaction", "--corpus", str(corpus), "-v")
    assert code == 1
    assert "targets missed: SĐT" in out and "miss  SĐT" in out


# ---------------------------------------------------------------------------- Datasette


def test_datasette_metadata_requires_login_and_exposes_canned_queries_only() -> None:
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    assert meta["allow"] == {"id": "staff"}
    assert meta["allow_sql"] is False
    assert meta["plugins"]["datasette-auth-passwords"]["staff_password_hash"] == {
        "$env": "STAFF_PASSWORD_HASH"
    }
    database = meta["databases"]["childsafe"]
    assert database["allow"] is False  # no table can be browsed
    assert set(database["queries"]) == {
        "messages_per_day", "urgent_per_day", "intents_per_channel", "review_queue", "search",
    }  # fmt: skip
    for name, query in database["queries"].items():
        assert query["allow"] == {"id": "staff"}, name
        assert "user_hash" not in query["sql"], name
        assert f"/childsafe/{name}" in meta["description_html"]


def _canned(name: str) -> str:
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return str(meta["databases"]["childsafe"]["queries"][name]["sql"])


@pytest.mark.parametrize(
    "params",
    [{"since": "", "until": "", "q": ""}, {"since": SINCE, "until": UNTIL, "q": "bắt nạt"}],
)
def test_every_canned_query_runs_on_a_real_log(log_db: Path, params: dict[str, str]) -> None:
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    conn = sqlite3.connect(f"{log_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for query in meta["databases"]["childsafe"]["queries"].values():
            names = set(re.findall(r"(?<!:):(\w+)", query["sql"]))
            conn.execute(query["sql"], {n: params[n] for n in names}).fetchall()
    finally:
        conn.close()


def test_canned_queries_agree_with_the_report(log_db: Path) -> None:
    conn = logquery.connect_readonly(log_db)
    try:
        per_day = conn.execute(
            _canned("messages_per_day"), {"since": SINCE, "until": UNTIL}
        ).fetchall()
        figures = logquery.summary(conn, dt.date(2026, 11, 10), dt.date(2026, 11, 12))
        assert {r["day"]: (r["messages"], r["urgent"], r["fallback"]) for r in per_day} == {
            d.day: (d.total, d.urgent, d.fallback) for d in figures.days
        }
        review = [r["id"] for r in conn.execute(_canned("review_queue"))]
        assert review == [r.id for r in logquery.review_queue(conn)]
        for query in ("Bắt NẠT", "bat nat", "ĐÁNH", "danh"):
            found = [r["text"] for r in conn.execute(_canned("search"), {"q": query})]
            expected = [r.text for r in logquery.search(conn, logquery.Filters(text=query))]
            assert found == expected and found, query
    finally:
        conn.close()


def test_skipped_messages_are_left_out_of_training_quietly(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    log = RequestLog.open(db)
    log.close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO requests (ts, day, channel, text, text_folded, label) VALUES "
            "('2026-11-01T00:00:00Z', '2026-11-01', 'web', 'xin chào', 'xin chao', 'greet'), "
            "('2026-11-01T00:00:01Z', '2026-11-01', 'web', 'asdf', 'asdf', ?)",
            (logquery.SKIP_LABEL,),
        )
    with sqlite3.connect(db) as conn:
        result = logquery.export_training(conn)
    assert result.examples == 1
    assert not result.unknown_labels

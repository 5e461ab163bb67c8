"""The staff desk's learning loop (#16) over real HTTP on loopback and a real SQLite log written
by the real assistant: the reply each message got (redacted, with its kind and lines), the
conversation view, the review queue's sections, labels that name the mistake (audited), the
exports they feed (Rasa NLU YAML, the safety layer's training format), the content-feedback
page, the schema migration of an old log, the daily rollup, and the streamed CSV export's
memory on a large generated log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape

from bot.app import create_app
from bot.cli import cli
from bot.staff.auth import AuthStore
from handlers import logquery
from handlers.models import IncomingMessage, Reply
from handlers.requestlog import (
    FEEDBACK_PERSON,
    FEEDBACK_WRONG,
    ROLLUP_TABLE,
    RequestLog,
    _stored_text,
    feedback_of,
    utc_now,
)
from handlers.safety.model import load_examples
from tests.bot.staff.test_staff_routes import (
    ADMIN,
    PASSWORD,
    VIEWER,
    Desk,
    csrf_token,
    desk_settings,
    login,
    query,
    seed_log,
    seeded_assistant,
    shown_ids,
)
from tests.servers import serve

GRANDMA = "grandma-1"
KID = "kid-1"
PARENT = "parent-1"
SECRETS = ("0912", "345 678", "Nguyễn Thị Mai", "ngõ 34", "Huế")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = desk_settings(tmp_path_factory.mktemp("review"), CHILDSAFE_REVIEW_SAMPLE_RATE=0.5)
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    clock.now = utc_now()
    for user, text in (
        (GRANDMA, "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng"),
        (GRANDMA, "không phải cái mình hỏi"),
        (KID, "em muốn chết"),
        (PARENT, "học phí có được miễn cho con hộ nghèo không"),
        (PARENT, "@cmd:handoff"),
        (PARENT, "em tên là Nguyễn Thị Mai, nhà ở số 12 ngõ 34 phố Huế, sđt 0912 345 678"),
    ):
        clock.now += dt.timedelta(seconds=30)
        assistant.handle(IncomingMessage(text, user=user, channel="web"))
    assert request_log.flush(30)
    auth = AuthStore(settings.db_path)
    auth.add_user(ADMIN, PASSWORD, "admin")
    auth.add_user(VIEWER, PASSWORD, "viewer")
    with serve(create_app(settings, assistant)) as url:
        yield Desk(url, settings.db_path, assistant, request_log)


@pytest.fixture
def admin(desk: Desk) -> Iterator[httpx.Client]:
    client = login(desk.url, ADMIN)
    yield client
    client.close()


def rows_of(db_path: Path, text: str) -> list[int]:
    return [
        int(str(r[0])) for r in query(db_path, "SELECT id FROM requests WHERE text = ?", (text,))
    ]


# ---------------------------------------------------------------- the reply


def test_each_message_keeps_the_reply_it_got(desk: Desk) -> None:
    request_log = desk.request_log
    replies: list[Reply] = []
    for text in ("em muốn chết", "trẻ mồ côi được trợ cấp bao nhiêu", "asdkjh qwe"):
        replies.append(desk.assistant.handle(IncomingMessage(text, user="probe", channel="web")))
    assert request_log.flush(30)
    stored = query(
        desk.db_path,
        "SELECT reply_text, kind, reply_lines FROM requests ORDER BY id DESC LIMIT 3",
    )[::-1]
    for reply, (text, kind, lines) in zip(replies, stored, strict=True):
        assert text == _stored_text(reply.text) and text
        assert kind == reply.kind
        assert (lines or "") == ",".join(reply.hotlines)
    _, urgent_kind, urgent_lines = stored[0]
    assert urgent_kind == "urgent" and "111" in str(urgent_lines).split(",")


def test_no_personal_data_in_any_stored_reply(desk: Desk) -> None:
    texts = [str(t) for (t,) in query(desk.db_path, "SELECT reply_text FROM requests")]
    assert all(texts)  # every row has one
    for secret in SECRETS:
        assert not any(secret in t for t in texts)


def test_the_desk_shows_the_reply(desk: Desk, admin: httpx.Client) -> None:
    [row_id] = rows_of(desk.db_path, "em muốn chết")[-1:]
    page = admin.get("/staff/search", params={"q": "muon chet"}).text
    assert row_id in shown_ids(page)
    [(reply_text,)] = query(desk.db_path, "SELECT reply_text FROM requests WHERE id = ?", (row_id,))
    first_line = str(reply_text).splitlines()[0]
    assert str(escape(first_line)) in page
    assert 'class="tag tag-line">111<' in page and "Khẩn cấp" in page


# ---------------------------------------------------------------- conversation view


def test_the_conversation_view_shows_one_conversation_in_order(
    desk: Desk, admin: httpx.Client
) -> None:
    asked = rows_of(desk.db_path, "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng")
    complaint = rows_of(desk.db_path, "không phải cái mình hỏi")
    own = [
        int(str(i))
        for (i,) in query(
            desk.db_path,
            "SELECT id FROM requests WHERE user_hash = "
            "(SELECT user_hash FROM requests WHERE id = ?) ORDER BY id",
            (complaint[0],),
        )
    ]
    assert len(own) == 2  # the question, the complaint
    # a turn older than the retention window (not purged yet) is not shown
    old = (utc_now() - dt.timedelta(days=400)).isoformat(timespec="milliseconds")
    write = sqlite3.connect(desk.db_path)
    with write:
        write.execute(
            "INSERT INTO requests (ts, day, channel, user_hash, text, intent, kind) "
            "SELECT ?, '2025-01-01', 'web', user_hash, 'xin chào', 'greet', 'answer' "
            "FROM requests WHERE id = ?",
            (old, complaint[0]),
        )
    write.close()
    response = admin.get(f"/staff/conversation/{complaint[0]}")
    assert response.status_code == 200
    shown = [int(i) for i in re.findall(r'<li class="turn[^"]*" id="msg-(\d+)"', response.text)]
    assert shown == [asked[-1], complaint[0]]  # in order; older than retention left out
    assert "không phải cái mình hỏi" in response.text
    [(user_hash,)] = query(
        desk.db_path, "SELECT user_hash FROM requests WHERE id = ?", (asked[-1],)
    )
    assert str(user_hash)[:12] not in response.text
    audit = query(
        desk.db_path,
        "SELECT action FROM staff_audit WHERE target_id = ? AND action = 'conversation'",
        (complaint[0],),
    )
    assert audit
    assert admin.get("/staff/conversation/99999999").status_code == 404


# ---------------------------------------------------------------- review sections


def test_complaints_and_asking_for_a_person_reach_the_queue(
    desk: Desk, admin: httpx.Client
) -> None:
    asked = rows_of(desk.db_path, "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng")[-1]
    [(feedback,)] = query(
        desk.db_path, "SELECT feedback FROM requests WHERE text = 'không phải cái mình hỏi'"
    )
    assert feedback == FEEDBACK_WRONG
    page = admin.get("/staff/review", params={"section": "complaint"}).text
    assert asked in shown_ids(page)
    handoff = query(desk.db_path, "SELECT feedback, kind FROM requests WHERE text = '@cmd:handoff'")
    assert handoff and handoff[0][0] == (
        FEEDBACK_PERSON if str(handoff[0][1]).startswith("handoff_") else None
    )
    everything = admin.get("/staff/review").text
    for section in logquery.SECTIONS:
        assert f'id="section-{section.key}"' in everything


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Không đúng ý mình", FEEDBACK_WRONG),
        ("sai rồi", FEEDBACK_WRONG),
        ("ko phai cai minh hoi", FEEDBACK_WRONG),
        ("that's not what I asked", FEEDBACK_WRONG),
        ("@cmd:not_what_i_asked", FEEDBACK_WRONG),
        ("không phải con tôi bị đánh", None),
        ("sai rồi thì làm sao để sửa bài cho đúng hả cô", None),
        ("không phải em muốn chết đâu", None),
        ("con bị đánh", None),
    ],
)
def test_the_words_for_not_what_i_asked(text: str, expected: str | None) -> None:
    assert feedback_of(text, "answer") == expected


def test_the_sample_is_stable_and_near_its_rate() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO requests (id) VALUES (?)", ((i,) for i in range(1, 50_001)))
    where, params = logquery.sample_sql(0.02)
    picked = [r[0] for r in conn.execute(f"SELECT id FROM requests WHERE {where}", params)]
    again = [r[0] for r in conn.execute(f"SELECT id FROM requests WHERE {where}", params)]
    assert picked == again
    assert 0.015 < len(picked) / 50_000 < 0.025
    assert len({i // 1000 for i in picked}) > 40  # spread over the log, not one stretch


# ---------------------------------------------------------------- labels and exports


def post_label(desk: Desk, client: httpx.Client, row_id: int, **data: str) -> httpx.Response:
    token = csrf_token(client.get("/staff/review").text)
    return client.post(
        f"/staff/review/{row_id}",
        data={"csrf_token": token, "page": "1", **data},
        headers={"Origin": desk.url},
    )


def test_labels_name_the_mistake_and_feed_training(
    desk: Desk, admin: httpx.Client, tmp_path: Path
) -> None:
    urgent = [
        int(str(i))
        for (i,) in query(desk.db_path, "SELECT id FROM requests WHERE kind = 'urgent' ORDER BY id")
    ]
    answers = [
        int(str(i))
        for (i,) in query(
            desk.db_path,
            "SELECT id FROM requests WHERE kind = 'answer' AND answer_id IS NOT NULL ORDER BY id",
        )
    ]
    assert len(urgent) >= 2 and len(answers) >= 6
    # what is missing is refused, and nothing is saved
    assert post_label(desk, admin, answers[0], label="should_be_urgent").status_code == 400
    assert post_label(desk, admin, answers[0], label="answer_wrong").status_code == 400
    assert post_label(desk, admin, answers[0], label="made_up").status_code == 400
    cases = {
        urgent[0]: {"label": "false_alarm"},
        urgent[1]: {"label": "fine"},
        answers[0]: {"label": "should_be_urgent", "danger": "abuse"},
        answers[1]: {"label": "answer_wrong", "note": "mức trợ cấp đã đổi, gọi 0912 345 678"},
        answers[2]: {"label": "not_covered", "note": "học bổng"},
        answers[3]: {"label": "wrong_audience", "note": "giáo viên hỏi"},
        answers[4]: {"label": "fine"},
        answers[5]: {"label": "school_violence"},
    }
    for row_id, data in cases.items():
        response = post_label(desk, admin, row_id, **data)
        assert response.status_code == 303, response.text
    stored = {
        int(str(r[0])): r[1:]
        for r in query(
            desk.db_path,
            "SELECT id, label, label_danger, label_note, labelled_by FROM requests "
            "WHERE label IS NOT NULL",
        )
    }
    for row_id, data in cases.items():
        label, danger, note, by = stored[row_id]
        assert label == data["label"] and by == ADMIN
        assert danger == data.get("danger")
        if data["label"] in logquery.NOTE_LABELS:
            assert note
        else:
            assert note is None
    assert "0912" not in str(stored[answers[1]][2])  # notes are redacted too
    audited = query(
        desk.db_path, "SELECT target_id, detail FROM staff_audit WHERE action = 'label'"
    )
    for row_id, data in cases.items():
        assert any(t == row_id and str(d).startswith(data["label"]) for t, d in audited)

    # the safety layer's training format, from the desk and from the command line
    safety = admin.get("/staff/export/safety.yml")
    assert safety.status_code == 200
    path = tmp_path / "safety.yml"
    path.write_bytes(safety.content)
    examples = load_examples(path)
    by_urgency = {(e.urgent, str(e.danger) if e.danger else None) for e in examples}
    assert (True, "abuse") in by_urgency  # should have been urgent
    assert any(not e.urgent for e in examples)  # the false alarm
    assert sum(e.urgent for e in examples) == 2  # + the urgent reply marked fine
    assert len(examples) == 3
    result = CliRunner().invoke(
        cli,
        ["export-training", "--safety", "--db", str(desk.db_path)],
        env={"CHILDSAFE_SECRET": "x" * 40},
    )
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout) == yaml.safe_load(safety.text)

    # topic labels still become Rasa NLU YAML; mistakes never do
    nlu = yaml.safe_load(admin.get("/staff/export/training.yml").text)
    intents = {entry["intent"] for entry in nlu["nlu"]}
    assert "school_violence" in intents
    assert not intents & set(logquery.MISTAKE_LABELS)

    # the content page lists the complaint under its answer id
    [(answer_id,)] = query(
        desk.db_path, "SELECT answer_id FROM requests WHERE id = ?", (answers[1],)
    )
    content = admin.get("/staff/content").text
    assert f'data-answer="{answer_id}"' in content and "mức trợ cấp đã đổi" in content
    assert "0912" not in content


# ---------------------------------------------------------------- schema, rollup, streaming


OLD_COLUMNS = (
    "id INTEGER PRIMARY KEY, ts TEXT, day TEXT, channel TEXT, user_hash TEXT, role TEXT, "
    "text TEXT, text_folded TEXT, intent TEXT, confidence FLOAT, urgent INTEGER, danger TEXT, "
    "answer_id TEXT, engine TEXT, kind TEXT, latency_ms FLOAT, label TEXT, labelled_by TEXT, "
    "labelled_at TEXT"
)


def test_an_old_log_gains_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE requests ({OLD_COLUMNS})")
    conn.execute(
        "INSERT INTO requests (ts, day, channel, text, intent, confidence, urgent, kind) "
        "VALUES ('2026-01-02T03:04:05.000+00:00', '2026-01-02', 'web', 'xin chào', 'greet', "
        "0.9, 0, 'answer')"
    )
    conn.commit()
    conn.close()
    untouched = tmp_path / "old-read-first.db"
    untouched.write_bytes(path.read_bytes())
    for _ in range(2):  # idempotent
        request_log = RequestLog.open(path)
        request_log.close()
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(requests)")}
    assert {"reply_text", "reply_lines", "feedback", "label_danger", "label_note"} <= columns
    read = logquery.connect_readonly(path)
    figures = logquery.summary(read, dt.date(2026, 1, 1), dt.date(2026, 1, 3))
    assert figures.total == 1 and figures.by_intent == {"greet": 1}
    [row] = logquery.search(read)
    assert row.text == "xin chào" and row.reply_text is None
    # `childsafe report` / the desk reading an old log before any writer opened it
    first_read = logquery.connect_readonly(untouched)
    assert logquery.summary(first_read, dt.date(2026, 1, 1), dt.date(2026, 1, 3)).total == 1
    first_read.close()
    read.close()


def direct_figures(db_path: Path) -> list[tuple[object, ...]]:
    return query(
        db_path,
        "SELECT day, COALESCE(intent, '?'), COALESCE(channel, '?'), COUNT(*), SUM(urgent), "
        f"SUM({logquery.FALLBACK_SQL}), SUM({logquery.LOW_CONFIDENCE_SQL}) FROM requests "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )


def rollup(db_path: Path) -> list[tuple[object, ...]]:
    return query(
        db_path,
        f"SELECT day, intent, channel, n, urgent, fallback, low FROM {ROLLUP_TABLE} "
        "WHERE n > 0 ORDER BY 1, 2, 3",
    )


def test_the_rollup_follows_inserts_and_erases(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path)
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    assert rollup(settings.db_path) == direct_figures(settings.db_path)
    [(user_hash,)] = query(settings.db_path, "SELECT user_hash FROM requests WHERE id = 3")
    assert request_log.erase_user(str(user_hash)) >= 1
    assert request_log.purge_older_than(1.5) >= 1  # the oldest day goes
    assert rollup(settings.db_path) == direct_figures(settings.db_path)
    request_log.close()


def test_the_csv_export_streams_with_the_replies(desk: Desk, admin: httpx.Client) -> None:
    with admin.stream("GET", "/staff/export/messages.csv") as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # sent as it is read
        body = b"".join(response.iter_bytes())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == len(query(desk.db_path, "SELECT id FROM requests"))
    assert {"reply_text", "reply_lines", "feedback", "label_danger", "label_note"} <= set(rows[0])
    assert any(r["reply_lines"] and "111" in r["reply_lines"] for r in rows)


LARGE = 100_000
MEMORY_BOUND = 8 * 1024 * 1024  # bytes; the export holds one page and one chunk


@pytest.fixture(scope="module")
def large_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated log of LARGE rows with realistic text and reply lengths."""
    path = tmp_path_factory.mktemp("large") / "log.db"
    request_log = RequestLog.open(path)
    request_log.close()
    conn = sqlite3.connect(path)
    text = "con bị bạn đánh ở trường phải làm sao, cô giáo <TÊN> không nói gì"
    reply = "Em ơi, em không có lỗi. Hãy kể với người lớn em tin. Gọi 111 (miễn phí, 24/7). " * 3
    with conn:
        conn.executemany(
            "INSERT INTO requests (ts, day, channel, user_hash, role, text, text_folded, intent, "
            "confidence, urgent, kind, reply_text, reply_lines) "
            "VALUES (?, ?, 'web', ?, 'student', ?, ?, 'school_violence', 0.8, 0, 'answer', ?, "
            "'111')",
            (
                (f"2026-01-{1 + i % 28:02d}T00:00:00.000+00:00", f"2026-01-{1 + i % 28:02d}",
                 f"h{i % 5000}", text, "con bi ban danh", reply)
                for i in range(LARGE)
            ),
        )  # fmt: skip
    conn.close()
    return path


def peak_memory(run: object) -> int:
    tracemalloc.start()
    try:
        assert callable(run)
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_the_export_streams_in_flat_memory(large_log: Path) -> None:
    conn = logquery.connect_readonly(large_log)
    sent = 0

    def streamed() -> None:
        nonlocal sent
        for chunk in logquery.csv_chunks(logquery.iter_rows(conn)):
            sent += len(chunk)

    streamed_peak = peak_memory(streamed)
    assert sent > LARGE * 200  # the whole log went out
    assert streamed_peak < MEMORY_BOUND, streamed_peak

    def built() -> None:  # what the export did before: the whole file in memory
        logquery.csv_text(list(logquery.iter_rows(conn)))

    assert peak_memory(built) > MEMORY_BOUND  # so the bound tells the two apart
    conn.close()

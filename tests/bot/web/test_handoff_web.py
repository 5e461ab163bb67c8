"""The counsellor handoff (#15) on the web chat, over real HTTP on loopback: a user asks for a
person, a counsellor on duty claims the chat through the staff JSON API and replies, the
reply reaches the user's updates, the user's next message reaches the counsellor with no bot
answer, and after close the assistant answers again. Also: outside hours, the queue order,
erase during a handoff, the alert, and nothing readable in the database file."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from bot.wiring import build_assistant
from handlers.pipeline import Assistant
from tests.servers import serve

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
COUNSELLOR = "lan"
OTHER = "minh"
VIEWER = "xem"
CASE_KEY = Fernet.generate_key().decode()


@dataclass
class Desk:
    url: str
    settings: Settings
    assistant: Assistant


def handoff_settings(tmp: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "CHILDSAFE_DB": tmp / "childsafe.db",
        "CHILDSAFE_SECRET": "test-secret-0123456789abcdef-0123456789",
        "CHILDSAFE_MODEL_DIR": Path(__file__).resolve().parents[3] / ".cache" / "nlu-tests",
        "CHILDSAFE_STAFF_COOKIE_SECURE": False,
        "CHILDSAFE_HANDOFF": True,
        "CHILDSAFE_HANDOFF_HOURS": "always",
        "CHILDSAFE_CASE_KEY": CASE_KEY,
        "CHILDSAFE_RATE_LIMIT_PER_MINUTE": 0,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = handoff_settings(tmp_path_factory.mktemp("handoff"))
    auth = AuthStore(settings.db_path)
    auth.add_user(COUNSELLOR, PASSWORD, "counsellor")
    auth.add_user(OTHER, PASSWORD, "counsellor")
    auth.add_user(VIEWER, PASSWORD, "viewer")
    assistant = build_assistant(settings)
    with serve(create_app(settings, assistant)) as url:
        yield Desk(url, settings, assistant)
    assistant.close()


class Staff:
    """A logged-in staff member speaking the JSON API, CSRF token and Origin included."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)
        response = self.http.post(
            "/staff/login",
            data={"username": name, "password": PASSWORD, "next": "/staff"},
            headers={"Origin": url},
        )
        assert response.status_code == 303, response.text
        session = self.http.get("/staff/api/session").json()
        assert session["user"] == name
        self.csrf = session["csrf"]

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        response = self.http.post(
            path, json=body or {}, headers={"X-CSRF-Token": self.csrf, "Origin": self.url}
        )
        assert response.status_code == status, response.text
        return response.json()

    def case(self, case_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.get(f"/staff/api/handoffs/{case_id}")
        return found


@pytest.fixture
def lan(desk: Desk) -> Iterator[Staff]:
    staff = Staff(desk.url, COUNSELLOR)
    staff.post("/staff/api/duty", {"available": True})
    yield staff
    staff.post("/staff/api/duty", {"available": False})
    staff.http.close()


def chat(url: str, session: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{url}/api/chat", json={"text": text, "session": session}, timeout=30)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def updates(url: str, session: str, after: int = 0, wait: float = 0) -> dict[str, Any]:
    response = httpx.get(
        f"{url}/api/chat/updates",
        params={"session": session, "after": after, "wait": wait},
        timeout=40,
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    found: dict[str, Any] = response.json()
    return found


def new_session() -> str:
    return f"{time.time_ns():032x}"[-32:]


def db_bytes(path: Path) -> bytes:
    """Every byte SQLite holds for the app: the file and its write-ahead log."""
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


# ---------------------------------------------------------------- the whole story


def test_web_user_reaches_a_counsellor_and_the_assistant_stays_silent(
    desk: Desk, lan: Staff
) -> None:
    session = new_session()
    before = chat(desk.url, session, "chào bạn, em muốn hỏi về bạo lực học đường TRUOC-MARKER")
    assert before["kind"] != "handoff_forwarded"

    queued = chat(desk.url, session, "cho em nói chuyện với người thật được không")
    assert queued["kind"] == "handoff_queued", queued
    assert "vị trí số **1**" in queued["text"]
    assert "Trung tâm Công tác xã hội Hải Phòng" in queued["text"]
    assert "mã hóa" in queued["text"]  # what is kept, before anything is passed on
    assert "Hủy" in queued["buttons"]
    assert "111" in queued["hotlines"]

    marker = f"SAU-MARKER-{session[-6:]}"
    forwarded = chat(desk.url, session, f"em bị bạn cùng lớp bắt nạt {marker}")
    assert forwarded["kind"] == "handoff_forwarded"
    assert forwarded["text"] == ""  # no bot answer while a person holds the chat

    queue = lan.get("/staff/api/handoffs")["handoffs"]
    mine = [h for h in queue if h["state"] == "waiting" and h["channel"] == "web"]
    assert mine, queue
    case_id = mine[-1]["id"]
    assert set(mine[-1]) >= {"id", "state", "channel", "urgent", "waiting_s"}
    detail = lan.case(case_id)
    texts = [m["text"] for m in detail["messages"] if m["from"] == "user"]
    assert any(marker in t for t in texts)
    assert not any("TRUOC-MARKER" in t for t in texts)  # the earlier chat stays private
    assert all(set(m) >= {"from", "text", "at"} for m in detail["messages"])

    lan.post(f"/staff/api/handoffs/{case_id}/claim")
    lan.post(f"/staff/api/handoffs/{case_id}/messages", {"text": "Chào em, anh Lan đây."}, 201)
    got = updates(desk.url, session, wait=5)
    assert got["open"] is True
    assert [m["from"] for m in got["messages"]] == ["system", "counsellor"]
    assert got["messages"][-1]["text"] == "Chào em, anh Lan đây."
    last = got["messages"][-1]["seq"]
    assert updates(desk.url, session, after=last)["messages"] == []

    reply = chat(desk.url, session, "dạ em chào anh, em sợ lắm")
    assert reply["kind"] == "handoff_forwarded" and reply["text"] == ""
    assert lan.case(case_id)["messages"][-1] == {
        **lan.case(case_id)["messages"][-1],
        "from": "user",
        "text": "dạ em chào anh, em sợ lắm",
    }

    closed = lan.post(f"/staff/api/handoffs/{case_id}/close", {"outcome": "advice_given"})
    assert closed["state"] == "closed"
    final = updates(desk.url, session, after=last)
    assert final["open"] is False
    assert final["messages"][-1]["from"] == "system"
    assert "kết thúc" in final["messages"][-1]["text"]

    after = chat(desk.url, session, "bạo lực học đường thì báo ai")
    assert after["kind"] not in {"handoff_forwarded", "handoff_queued"}
    assert after["text"]

    raw = db_bytes(desk.settings.db_path)
    assert marker.encode() not in raw  # the transcript is ciphertext at rest
    assert "Chào em, anh Lan đây".encode() not in raw


def test_a_long_poll_returns_as_soon_as_the_counsellor_writes(desk: Desk, lan: Staff) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    case_id = lan.get("/staff/api/handoffs")["handoffs"][-1]["id"]
    lan.post(f"/staff/api/handoffs/{case_id}/claim")
    first = updates(desk.url, session)["messages"]
    import threading

    def reply_soon() -> None:
        time.sleep(1.0)
        lan.post(f"/staff/api/handoffs/{case_id}/messages", {"text": "Em còn đó không?"}, 201)

    thread = threading.Thread(target=reply_soon)
    thread.start()
    started = time.monotonic()
    got = updates(desk.url, session, after=first[-1]["seq"], wait=20)
    thread.join()
    assert [m["text"] for m in got["messages"]] == ["Em còn đó không?"]
    assert time.monotonic() - started < 15
    lan.post(f"/staff/api/handoffs/{case_id}/close", {"outcome": "no_reply"})


def test_cancel_ends_the_wait_and_the_assistant_answers_again(desk: Desk, lan: Staff) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    cancelled = chat(desk.url, session, "@cmd:handoff_cancel")
    assert "hủy" in cancelled["text"].lower()
    assert chat(desk.url, session, "bạo lực học đường là gì")["kind"] != "handoff_forwarded"


def test_nobody_on_duty_gets_an_honest_answer_with_111(desk: Desk) -> None:
    session = new_session()
    reply = chat(desk.url, session, "@cmd:handoff")
    assert reply["kind"] == "handoff_unavailable"
    assert "111" in reply["hotlines"]
    assert "24/7" in reply["text"]
    assert chat(desk.url, session, "bạo lực học đường là gì")["kind"] != "handoff_forwarded"


def test_outside_hours_says_when_someone_will_be_there(tmp_path: Path) -> None:
    settings = handoff_settings(tmp_path, CHILDSAFE_HANDOFF_HOURS="never")
    assistant = build_assistant(settings)
    try:
        assert assistant.handoff is not None
        assistant.handoff.set_duty(COUNSELLOR, True)  # on duty, but outside the hours
        with serve(create_app(settings, assistant)) as url:
            reply = chat(url, new_session(), "cho em gặp tư vấn viên")
    finally:
        assistant.close()
    assert reply["kind"] == "handoff_unavailable", reply
    assert "111" in reply["hotlines"]


def test_urgent_messages_go_first_and_raise_the_alert(desk: Desk, lan: Staff) -> None:
    calm, scared = new_session(), new_session()
    assert chat(desk.url, calm, "@cmd:handoff")["kind"] == "handoff_queued"
    assert chat(desk.url, scared, "@cmd:handoff")["kind"] == "handoff_queued"
    urgent = chat(desk.url, scared, "bố em đang đánh em, em sợ lắm cứu em")
    assert urgent["kind"] == "urgent"  # nobody has claimed yet: the lines still come
    assert "111" in urgent["hotlines"]
    queue = lan.get("/staff/api/handoffs")["handoffs"]
    waiting = [h for h in queue if h["state"] == "waiting"]
    assert waiting[0]["urgent"] is True and waiting[0]["alert"] is True
    scared_id = waiting[0]["id"]

    lan.post(f"/staff/api/handoffs/{scared_id}/claim")
    danger = chat(desk.url, scared, "nó lại đến, nó cầm dao, em sợ chết mất")
    assert danger["kind"] == "handoff_forwarded"  # a person holds the chat: silence
    assert lan.case(scared_id)["alert"] is True
    lan.post(f"/staff/api/handoffs/{scared_id}/alert/ack")
    assert lan.case(scared_id)["alert"] is False
    for case in lan.get("/staff/api/handoffs")["handoffs"]:
        if case["state"] == "waiting":
            lan.post(f"/staff/api/handoffs/{case['id']}/claim")
        lan.post(f"/staff/api/handoffs/{case['id']}/close", {"outcome": "referred_111"})


def test_erase_during_a_handoff_deletes_the_case(desk: Desk, lan: Staff) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    chat(desk.url, session, "tin nhắn cần xóa ERASE-ME")
    case_id = lan.get("/staff/api/handoffs")["handoffs"][-1]["id"]
    erased = httpx.post(f"{desk.url}/api/erase", json={"session": session}, timeout=30)
    assert erased.status_code == 200
    assert erased.json()["erased"] >= 2  # at least the case and its message
    response = lan.http.get(f"/staff/api/handoffs/{case_id}")
    assert response.status_code == 404
    with sqlite3.connect(desk.settings.db_path) as conn:
        left = conn.execute(
            "SELECT COUNT(*) FROM handoff_messages WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
    assert left == 0
    assert chat(desk.url, session, "bạo lực học đường là gì")["kind"] != "handoff_forwarded"


def test_typed_erase_during_a_handoff_erases_instead_of_reaching_the_counsellor(
    desk: Desk, lan: Staff
) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    chat(desk.url, session, "tin nhắn cần xóa TYPED-ERASE-ME")
    case_id = lan.get("/staff/api/handoffs")["handoffs"][-1]["id"]
    reply = chat(desk.url, session, "Xóa!")
    assert reply["kind"] == "erase" and reply["ok"] is True
    assert lan.http.get(f"/staff/api/handoffs/{case_id}").status_code == 404
    with sqlite3.connect(desk.settings.db_path) as conn:
        left = conn.execute(
            "SELECT COUNT(*) FROM handoff_messages WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
    assert left == 0


def test_the_reply_address_is_not_readable_and_goes_at_close(desk: Desk, lan: Staff) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    assert session.encode() not in db_bytes(desk.settings.db_path)
    case_id = lan.get("/staff/api/handoffs")["handoffs"][-1]["id"]
    lan.post(f"/staff/api/handoffs/{case_id}/claim")
    lan.post(f"/staff/api/handoffs/{case_id}/close", {"outcome": "no_reply"})
    with sqlite3.connect(desk.settings.db_path) as conn:
        address = conn.execute(
            "SELECT address FROM handoff_cases WHERE id = ?", (case_id,)
        ).fetchone()[0]
    assert address is None


# ---------------------------------------------------------------- the API's guards


def test_the_staff_api_needs_a_counsellor_csrf_and_this_origin(desk: Desk, lan: Staff) -> None:
    anonymous = httpx.get(f"{desk.url}/staff/api/handoffs", timeout=30)
    assert anonymous.status_code == 401
    viewer = Staff(desk.url, VIEWER)
    assert viewer.http.get("/staff/api/handoffs").status_code == 403
    viewer.http.close()
    no_token = lan.http.post(
        "/staff/api/duty", json={"available": True}, headers={"Origin": desk.url}
    )
    assert no_token.status_code == 403
    foreign = lan.http.post(
        "/staff/api/duty",
        json={"available": True},
        headers={"Origin": "https://evil.example", "X-CSRF-Token": lan.csrf},
    )
    assert foreign.status_code == 403


def test_a_held_case_is_not_anyone_elses(desk: Desk, lan: Staff) -> None:
    session = new_session()
    assert chat(desk.url, session, "@cmd:handoff")["kind"] == "handoff_queued"
    case_id = lan.get("/staff/api/handoffs")["handoffs"][-1]["id"]
    lan.post(f"/staff/api/handoffs/{case_id}/claim")
    minh = Staff(desk.url, OTHER)
    minh.post(f"/staff/api/handoffs/{case_id}/claim", status=409)
    minh.post(f"/staff/api/handoffs/{case_id}/messages", {"text": "xin chào"}, status=403)
    lan.post(f"/staff/api/handoffs/{case_id}/notes", {"text": "Em học lớp 7, gọi 0912345678"}, 201)
    notes = lan.case(case_id)["notes"]
    assert "0912345678" not in notes[-1]["text"]  # notes hold no personal data
    lan.post(f"/staff/api/handoffs/{case_id}/transfer", {"to": OTHER})
    minh.post(f"/staff/api/handoffs/{case_id}/messages", {"text": "Chị Minh đây"}, 201)
    minh.post(f"/staff/api/handoffs/{case_id}/close", {"outcome": "nonsense"}, status=422)
    minh.post(f"/staff/api/handoffs/{case_id}/close", {"outcome": "advice_given"})
    minh.http.close()
    reads = AuthStore(desk.settings.db_path).audit_entries(500)
    assert any(e.action == "case_read" and e.target_id == case_id for e in reads)


def test_with_redis_the_queue_lives_there_encrypted(tmp_path: Path, redis_url: str) -> None:
    """Several machines: cases in Redis (a real redis-server), still ciphertext."""
    import redis

    settings = handoff_settings(tmp_path, CHILDSAFE_REDIS_URL=redis_url)
    auth = AuthStore(settings.db_path)
    auth.add_user(COUNSELLOR, PASSWORD, "counsellor")
    assistant = build_assistant(settings)
    marker = f"REDIS-MARKER-{time.time_ns()}"
    try:
        with serve(create_app(settings, assistant)) as url:
            lan = Staff(url, COUNSELLOR)
            lan.post("/staff/api/duty", {"available": True})
            session = new_session()
            assert chat(url, session, "@cmd:handoff")["kind"] == "handoff_queued"
            assert chat(url, session, f"em cần giúp {marker}")["kind"] == "handoff_forwarded"
            [case] = lan.get("/staff/api/handoffs")["handoffs"]
            lan.post(f"/staff/api/handoffs/{case['id']}/claim")
            lan.post(f"/staff/api/handoffs/{case['id']}/messages", {"text": "Chào em"}, 201)
            assert updates(url, session)["messages"][-1]["text"] == "Chào em"
            client = redis.Redis.from_url(redis_url)
            values = b""
            for key in client.scan_iter("childsafe:handoff:*"):
                if client.type(key) == b"hash":
                    values += b"".join(client.hgetall(key).values())
            assert values  # the case is there ...
            assert marker.encode() not in values and session.encode() not in values  # ... sealed
            lan.post(f"/staff/api/handoffs/{case['id']}/close", {"outcome": "advice_given"})
            assert chat(url, session, "bạo lực học đường là gì")["kind"] != "handoff_forwarded"
            lan.http.close()
            client.close()
    finally:
        assistant.close()
    with sqlite3.connect(settings.db_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "handoff_cases" not in tables  # nothing of the handoff in the local file

"""The counsellor handoff (#15) on Zalo, inside `childsafe serve` over real HTTP on loopback:
signed webhook events in, the fake OA API (tests/fake_zalo.py) out, the counsellor on the
staff JSON API of the same app. `nguoi` queues the user; the counsellor's reply goes out as a
reply to the user's latest message (inside the free reply window, which the desk shows); the
user's next message reaches the counsellor with no bot answer; after close the assistant
answers again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from bot.zalo.render import plain_text
from tests.bot.web.test_handoff_web import COUNSELLOR, PASSWORD, Staff, db_bytes, handoff_settings
from tests.bot.zalo.test_zalo_webhook import msg_id, post_event, zalo_settings
from tests.fake_zalo import USER_ID, FakeZalo
from tests.servers import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


@pytest.fixture
def hz(tmp_path: Path, fake: FakeZalo) -> Settings:
    return zalo_settings(handoff_settings(tmp_path), fake)


@pytest.fixture
def served(hz: Settings) -> Iterator[tuple[str, Staff]]:
    AuthStore(hz.db_path).add_user(COUNSELLOR, PASSWORD, "counsellor")
    with serve(create_app(hz)) as url:
        staff = Staff(url, COUNSELLOR)
        staff.post("/staff/api/duty", {"available": True})
        yield url, staff
        staff.http.close()


def texts_to(fake: FakeZalo) -> list[str]:
    return [plain_text(s.text) for s in fake.sent_to(USER_ID)]


def write(url: str, fake: FakeZalo, text: str) -> str:
    payload = fake.incoming("user_send_text", USER_ID, text=text)
    response = post_event(url, payload)
    assert response.status_code == 200, response.text
    return msg_id(payload)


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_zalo_user_reaches_a_counsellor_and_back(
    served: tuple[str, Staff], fake: FakeZalo, hz: Settings
) -> None:
    url, desk = served
    asked = write(url, fake, "nguoi")
    [queued] = fake.wait_for_sent(1, lambda s: s.recipient.get("message_id") == asked)
    assert "vị trí số 1" in plain_text(queued.text)

    marker = "ZL-MARKER-3301"
    latest = write(url, fake, f"em muốn kể chuyện ở nhà {marker}")
    wait_for(lambda: bool(desk.get("/staff/api/handoffs")["handoffs"]))
    [case] = desk.get("/staff/api/handoffs")["handoffs"]
    wait_for(lambda: any(m["from"] == "user" for m in desk.case(case["id"])["messages"]))
    time.sleep(0.5)
    assert len(fake.sent_to(USER_ID)) == 1  # no bot answer to the forwarded message

    case = desk.case(case["id"])
    assert case["channel"] == "zalo"
    assert 0 < case["reply_window_s"] <= 48 * 3600  # the desk shows the window's time left
    assert case["replies_left"] == 8
    desk.post(f"/staff/api/handoffs/{case['id']}/claim")
    desk.post(f"/staff/api/handoffs/{case['id']}/messages", {"text": "Chào em, chị đây."}, 201)
    [hello] = fake.wait_for_sent(1, lambda s: plain_text(s.text) == "Chào em, chị đây.")
    assert hello.recipient == {"message_id": latest}  # a reply: inside the free window
    wait_for(lambda: desk.case(case["id"])["replies_left"] == 6)  # claim notice + this one

    before = len(fake.sent_to(USER_ID))
    write(url, fake, "dạ em chào chị")
    wait_for(lambda: desk.case(case["id"])["messages"][-1]["text"] == "dạ em chào chị")
    assert desk.case(case["id"])["replies_left"] == 8  # the user wrote: the window starts again
    time.sleep(0.3)
    assert len(fake.sent_to(USER_ID)) == before

    desk.post(f"/staff/api/handoffs/{case['id']}/close", {"outcome": "advice_given"})
    fake.wait_for_sent(1, lambda s: "kết thúc" in plain_text(s.text))
    again = write(url, fake, "bạo lực học đường là gì")
    fake.wait_for_sent(1, lambda s: s.recipient.get("message_id") == again)
    raw = db_bytes(hz.db_path)
    assert marker.encode() not in raw and USER_ID.encode() not in raw


def test_the_desk_refuses_when_the_free_replies_are_used(
    served: tuple[str, Staff], fake: FakeZalo
) -> None:
    url, desk = served
    write(url, fake, "gặp tư vấn viên")
    wait_for(lambda: bool(desk.get("/staff/api/handoffs")["handoffs"]))
    [case] = desk.get("/staff/api/handoffs")["handoffs"]
    desk.post(f"/staff/api/handoffs/{case['id']}/claim")
    # 8 free replies to the user's message: the queued notice and the claim notice took two
    wait_for(lambda: desk.case(case["id"])["replies_left"] == 6)
    for n in range(6):
        desk.post(f"/staff/api/handoffs/{case['id']}/messages", {"text": f"tin {n}"}, 201)
        wait_for(lambda n=n: desk.case(case["id"])["replies_left"] == 5 - n)
    refused = desk.http.post(
        f"/staff/api/handoffs/{case['id']}/messages",
        json={"text": "tin thứ chín"},
        headers={"X-CSRF-Token": desk.csrf, "Origin": desk.url},
    )
    assert refused.status_code == 409
    assert "Zalo" in refused.json()["error"]
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200

"""The handoff's parts on their own (#15): duty hours, the case key, the staff role upgrade."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.settings import MissingSecretError, Settings
from bot.staff.auth import AuthStore
from bot.wiring import build_handoff
from handlers.handoff import (
    CaseCipher,
    CaseKeyError,
    DutyHours,
    HandoffConfig,
    HandoffError,
    HandoffService,
    HoursError,
    Opened,
    SqliteHandoffStore,
    Unavailable,
)
from handlers.handoff.redis_store import RedisHandoffStore
from handlers.handoff.store import HandoffStore
from handlers.models import HANDOFF_BUTTON, IncomingMessage
from handlers.pipeline import Assistant

VN = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Vietnam in the week of Monday 7 December 2026 (day 0 = Monday)."""
    return dt.datetime(2026, 12, 7 + day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(0, 7, 29), False),
        (at(0, 7, 30), True),
        (at(4, 16, 59), True),
        (at(4, 17, 0), False),
        (at(5, 9, 0), True),
        (at(5, 11, 30), False),
        (at(6, 9, 0), False),
    ],
)
def test_duty_hours_follow_the_deployment_clock(moment: dt.datetime, expected: bool) -> None:
    hours = DutyHours.parse("mon-fri 07:30-17:00; sat 07:30-11:30")
    assert hours.is_open(moment) is expected
    assert hours.is_open(moment.astimezone(dt.UTC)) is expected  # the zone, not the server's


def test_next_opening_is_said_in_vietnamese() -> None:
    hours = DutyHours.parse("mon-fri 07:30-17:00; sat 07:30-11:30")
    assert hours.describe_next(at(5, 12)) == "Thứ Hai lúc 07:30"  # Saturday noon
    assert hours.describe_next(at(0, 6)) == "hôm nay lúc 07:30"
    assert hours.describe_next(at(1, 18)) == "ngày mai (Thứ Tư) lúc 07:30"
    split = DutyHours.parse("mon,wed 08:00-11:30,13:30-17:00")
    assert split.describe_next(at(0, 12)) == "hôm nay lúc 13:30"


def test_always_and_never() -> None:
    assert DutyHours.parse("always").is_open(at(6, 3))
    never = DutyHours.parse("never")
    assert not never.is_open(at(0, 9))
    assert never.next_open(at(0, 9)) is None


@pytest.mark.parametrize(
    "spec",
    ["mon-fri", "fri-mon 07:00-09:00", "mon 17:00-07:00", "funday 07:00-09:00", "mon 25:00-26:00"],
)
def test_unreadable_hours_are_refused(spec: str) -> None:
    with pytest.raises(HoursError):
        DutyHours.parse(spec)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(HoursError, match="time zone"):
        DutyHours.parse("always", "Mars/Olympus")


def test_case_cipher_round_trips_and_rotates() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = CaseCipher(old).seal("em bị đánh")
    # the whole text, not a two-letter piece: base64 holds "em" by chance about once in 40 runs
    assert "em bị đánh".encode() not in sealed  # its UTF-8 bytes never occur in base64
    assert CaseCipher(f"{new},{old}").open(sealed) == "em bị đánh"
    assert CaseCipher(new).open(sealed) is None  # an unknown key reads nothing


@pytest.mark.parametrize(
    "key", [None, "", "not-a-key", "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE="]
)
def test_missing_or_weak_case_keys_fail_naming_the_variable(key: str | None) -> None:
    with pytest.raises(CaseKeyError, match="CHILDSAFE_CASE_KEY"):
        CaseCipher(key)


def test_start_up_with_the_handoff_on_needs_the_key(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, CHILDSAFE_DB=tmp_path / "c.db", CHILDSAFE_HANDOFF=True)
    with pytest.raises(MissingSecretError, match="CHILDSAFE_CASE_KEY"):
        build_handoff(settings)
    bad_hours = settings.model_copy(
        update={"case_key": Fernet.generate_key().decode(), "handoff_hours": "soon"}
    )
    with pytest.raises(MissingSecretError, match="CHILDSAFE_HANDOFF_HOURS"):
        build_handoff(bad_hours)


def test_an_older_staff_table_learns_the_counsellor_role(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE staff_users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
            "role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')), created_at TEXT NOT NULL, "
            "password_changed_at TEXT NOT NULL, last_login_at TEXT)"
        )
        conn.execute("INSERT INTO staff_users VALUES ('an', 'h', 'admin', 't', 't', NULL)")
    store = AuthStore(db)
    store.add_user("lan", "correct horse battery staple", "counsellor")
    roles = {u.username: u.role for u in store.users()}
    assert roles == {"an": "admin", "lan": "counsellor"}
    assert [u.can_counsel for u in store.users()] == [True, True]


# ---------------------------------------------------------------- the service on its own


class Clock:
    def __init__(self) -> None:
        self.now = 1_765_000_000.0  # a Monday in Vietnam's working hours does not matter here

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HandoffStore]:
    """The same tests on both stores: SQLite (one machine) and a real redis-server."""
    if request.param == "sqlite":
        yield SqliteHandoffStore(tmp_path / "cases.db")
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test-handoff-{uuid.uuid4().hex}"
    yield RedisHandoffStore(url, prefix=prefix)
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def service(store: HandoffStore, clock: Clock, hours: str = "always") -> HandoffService:
    config = HandoffConfig(DutyHours.parse(hours), "Trung tâm thử", retention_days=30)
    return HandoffService(store, CaseCipher(Fernet.generate_key().decode()), config, clock=clock)


def test_idle_cases_expire_and_old_ones_are_purged(store: HandoffStore) -> None:
    clock = Clock()
    desk = service(store, clock)
    desk.set_duty("lan", True)
    opened = desk.request("user-a", "telegram", "5550001")
    assert isinstance(opened, Opened) and opened.position == 1
    clock.now += 25 * 3600  # nobody claimed it for longer than the expiry (24 h)
    assert desk.housekeeping()["closed"] == 1
    [row] = desk.store.cases(("closed",))
    assert row.outcome == "expired"
    assert desk.open_case("user-a") is None
    lines = desk.case(row.id).messages
    assert "111" in lines[-1].text  # the user is told, with 111
    clock.now += 31 * 86400  # past the retention
    assert desk.housekeeping()["purged"] >= 2
    assert desk.store.get_case(row.id) is None


def test_the_queue_is_urgent_first_then_longest_waiting(store: HandoffStore) -> None:
    clock = Clock()
    desk = service(store, clock)
    desk.set_duty("lan", True)
    desk.request("first", "web", "s1")
    clock.now += 60
    desk.request("second", "web", "s2")
    clock.now += 60
    desk.request("urgent", "zalo", "z1", urgent=True)
    order = [view.row.user_key for view in desk.queue()]
    assert order == ["urgent", "first", "second"]
    waiting = {view.row.user_key: view.summary()["waiting_s"] for view in desk.queue()}
    assert waiting == {"urgent": 0, "first": 120, "second": 60}


def test_a_duty_mark_lapses_after_a_shift(store: HandoffStore) -> None:
    clock = Clock()
    desk = service(store, clock)
    desk.set_duty("lan", True)
    assert desk.available()
    clock.now += 13 * 3600
    assert not desk.available()
    outcome = desk.request("late", "web", "s")
    assert isinstance(outcome, Unavailable)


def test_two_claims_at_once_have_one_winner(store: HandoffStore) -> None:
    clock = Clock()
    desk = service(store, clock)
    desk.set_duty("lan", True)
    opened = desk.request("u", "web", "s")
    assert isinstance(opened, Opened)
    desk.claim(opened.case_id, "lan")
    with pytest.raises(HandoffError) as refused:
        desk.claim(opened.case_id, "minh")
    assert refused.value.status == 409


def test_urgent_and_clarify_replies_offer_a_counsellor(assistant: Assistant) -> None:
    urgent = assistant.handle(IncomingMessage("bố em đang đánh em, cứu em", "u1", "web"))
    assert urgent.kind == "urgent"
    assert HANDOFF_BUTTON in urgent.buttons
    unclear = assistant.handle(IncomingMessage("ờ thì cái đó", "u2", "web"))
    assert unclear.kind == "clarify"
    assert HANDOFF_BUTTON in unclear.buttons
    # without the handoff switched on, the button still leads to a person: 111
    reply = assistant.handle(IncomingMessage("@cmd:handoff", "u3", "web"))
    assert "111" in reply.hotlines


def test_a_whole_case_runs_the_same_on_both_stores(store: HandoffStore) -> None:
    clock = Clock()
    desk = service(store, clock)
    desk.set_duty("lan", True)
    opened = desk.request("user-z", "zalo", "u-1")
    assert isinstance(opened, Opened)
    desk.set_reply_token("user-z", "msg-42")
    case = desk.open_case("user-z")
    assert case is not None
    desk.forward(case, "em cần giúp", ["abuse"], urgent=True)
    assert desk.case(case.id).row.alert
    desk.claim(case.id, "lan")
    desk.send(case.id, "lan", "chị nghe đây")
    sent = desk.take_deliveries("zalo")
    assert [(a, t) for _, a, t in sent] == [
        ({"to": "u-1", "reply_to": "msg-42"}, desk.case(case.id).messages[1].text),
        ({"to": "u-1", "reply_to": "msg-42"}, "chị nghe đây"),
    ]
    assert desk.take_deliveries("zalo") == []  # leased: nobody else takes them meanwhile
    for lease, _, _ in sent:
        desk.delivered(lease.seq, ok=True)
    assert desk.case(case.id).summary()["replies_left"] == 6
    desk.note(case.id, "lan", "gọi lại số 0912345678 nhé")
    assert "0912345678" not in desk.case(case.id).notes[0].text
    lines, is_open = desk.updates("user-z", 0)
    assert [line.sender for line in lines] == ["system", "counsellor"] and is_open
    desk.close(case.id, "lan", "advice_given")
    [(closing, _, text)] = desk.take_deliveries("zalo")
    desk.delivered(closing.seq, ok=True)
    assert "kết thúc" in text
    assert desk.store.get_case(case.id).address is None  # type: ignore[union-attr]
    assert desk.erase_user("user-z") >= 5
    assert desk.store.get_case(case.id) is None
    assert desk.updates("user-z", 0) == ([], False)


def test_many_counsellors_claiming_at_once_make_one_holder(store: HandoffStore) -> None:
    desk = service(store, Clock())
    desk.set_duty("lan", True)
    opened = desk.request("race", "web", "s")
    assert isinstance(opened, Opened)
    winners: list[str] = []

    def claim(name: str) -> None:
        try:
            desk.claim(opened.case_id, name)
            winners.append(name)
        except HandoffError:
            pass

    threads = [threading.Thread(target=claim, args=(f"c{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert desk.case(opened.case_id).row.counsellor == winners[0]

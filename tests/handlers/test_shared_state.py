"""The shared-state interface (#14) against each store: in memory, a real SQLite file, and a
real `redis-server` started by the suite. The same tests run on all three, so a store that
loses an update, a lock or an expiry fails here."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers.models import Audience
from handlers.ratelimit import RateLimiter, Verdict
from handlers.shared import (
    MemoryShared,
    RedisShared,
    SharedState,
    SharedStateError,
    SQLiteShared,
    claim_single_process,
    state_db_path,
)
from handlers.state import ConversationState, StateStore, state_from_json, state_to_json


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedState]:
    made: SharedState
    if request.param == "memory":
        made = MemoryShared()
    elif request.param == "sqlite":
        made = SQLiteShared(state_db_path(tmp_path / "childsafe.db"))
    else:
        url = request.getfixturevalue("redis_url")
        made = RedisShared(url, prefix=f"test-{time.time_ns()}")
    yield made
    made.close()


def test_records_round_trip_expire_and_delete(store: SharedState) -> None:
    assert store.get("s", "k") is None
    store.put("s", "k", {"a": 1, "b": ["x", None], "c": "tiếng Việt"}, ttl=30)
    assert store.get("s", "k") == {"a": 1, "b": ["x", None], "c": "tiếng Việt"}
    assert store.get("other", "k") is None  # spaces are apart
    store.put("s", "short", {"a": 1}, ttl=0.2)
    time.sleep(0.35)
    assert store.get("s", "short") is None
    assert store.delete("s", "k") is True
    assert store.delete("s", "k") is False
    assert store.get("s", "k") is None


def test_add_once_answers_true_only_the_first_time(store: SharedState) -> None:
    assert store.add_once("seen", "update:1", ttl=30) is True
    assert store.add_once("seen", "update:1", ttl=30) is False
    assert store.add_once("seen", "update:2", ttl=30) is True


def test_updates_from_many_threads_lose_nothing(store: SharedState) -> None:
    def bump(old: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
        value = (old or {}).get("n", 0) + 1
        return {"n": value}, value

    def worker() -> None:
        for _ in range(50):
            store.update("count", "k", bump, ttl=60)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("count", "k") == {"n": 300}


def test_a_lock_is_held_by_one_at_a_time_and_expires(store: SharedState) -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def worker() -> None:
        nonlocal inside, most
        with store.lock("refresh", ttl=10, wait=10) as got:
            assert got
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    with store.lock("held", ttl=30, wait=1) as first:
        assert first
        waited = time.monotonic()
        with store.lock("held", ttl=30, wait=0.3) as second:
            assert not second  # held elsewhere: not taken
        assert time.monotonic() - waited >= 0.15
    if store.shareable:  # a holder that died (never released) loses the lock after its ttl
        abandoned = store.lock("crashed", ttl=0.3, wait=1)
        assert abandoned.__enter__()
        with store.lock("crashed", ttl=5, wait=3) as taken:
            assert taken


def test_conversation_state_round_trips_through_the_store(store: SharedState) -> None:
    states = StateStore(ttl_seconds=60, shared=store)
    state = states.get("user")
    state.role = Audience.TEACHER
    state.last_intent = "report_abuse"
    state.pending_options = ["@intent:report_abuse", "@tel:111"]
    states.save("user", state)
    again = states.get("user")
    assert again.role is Audience.TEACHER
    assert (again.last_intent, again.pending_options) == (
        "report_abuse",
        ["@intent:report_abuse", "@tel:111"],
    )
    assert states.forget("user") and states.get("user").role is None


def test_a_shared_rate_limit_holds_for_every_limiter_on_the_store(store: SharedState) -> None:
    clock = [1000.0]
    first = RateLimiter(3, shared=store, clock=lambda: clock[0])
    second = RateLimiter(3, shared=store, clock=lambda: clock[0])  # another process's
    verdicts = [(first if n % 2 else second).check("lan") for n in range(5)]
    assert verdicts == [Verdict.PASS] * 3 + [Verdict.NOTIFY, Verdict.DROP]
    assert first.check("someone-else") is Verdict.PASS
    clock[0] += 20.0  # one token back every 20 s at 3 a minute
    assert second.check("lan") is Verdict.PASS


def test_state_json_tolerates_unknown_and_bad_fields() -> None:
    data = state_to_json(ConversationState(role=Audience.PARENT, pending_options=["@tel:111"]))
    assert data["role"] == "parent"
    data["from_a_newer_version"] = {"x": 1}
    data["role"] = "not-a-role"
    state = state_from_json(data)
    assert state.role is None and state.pending_options == ["@tel:111"]


@pytest.mark.slow
def test_a_memory_store_claims_the_database_for_one_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "childsafe.db"
    claim_single_process(db)
    code = (
        "import sys; from pathlib import Path; from handlers.shared import claim_single_process\n"
        f"claim_single_process(Path({str(db)!r}))"
    )
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert second.returncode != 0
    assert "another childsafe process already serves" in second.stderr
    assert "CHILDSAFE_SHARED_STATE" in second.stderr


def test_redis_that_does_not_answer_fails_loudly() -> None:
    with pytest.raises(SharedStateError, match="CHILDSAFE_REDIS_URL"):
        RedisShared("redis://127.0.0.1:1/0")


def test_the_channels_memories_are_shared_between_processes(store: SharedState) -> None:
    # (The flood limit every channel uses is RateLimiter, shared as tested above.)
    from bot.telegram.guards import MessageLog
    from bot.telegram.render import CallbackTable
    from bot.zalo.channel import ButtonMemory

    logs = [MessageLog(shared=store) for _ in range(2)]
    logs[0].add("chat", 41)
    logs[1].add("chat", 42)
    assert logs[1].take_deletable("chat") == [41, 42]  # both workers' messages
    assert logs[0].take_deletable("chat") == []

    tables = [CallbackTable(shared=store) for _ in range(2)]
    long_payload = "@answer:" + "a" * 80
    short = tables[0].data_for(long_payload)
    assert short != long_payload and tables[1].payload_for(short) == long_payload

    memories = [ButtonMemory(ttl=60, shared=store) for _ in range(2)]
    memories[0].remember("lan", {"Tôi là phụ huynh": "@role:parent"})
    assert memories[1].payload_for("lan", "Tôi là phụ huynh") == "@role:parent"
    memories[1].forget("lan")
    assert memories[0].payload_for("lan", "Tôi là phụ huynh") is None


def test_a_zalo_token_pair_saved_on_one_machine_is_read_on_another(
    tmp_path: Path, redis_url: str
) -> None:
    from bot.zalo.tokens import TokenSet, TokenStore

    shared = RedisShared(redis_url, prefix=f"test-{time.time_ns()}")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    here = TokenStore(tmp_path / "a" / "zalo-tokens.json", "app-1", shared=shared)
    there = TokenStore(tmp_path / "b" / "zalo-tokens.json", "app-1", shared=shared)
    assert there.read() is None
    here.save(TokenSet("access-2", "refresh-2", expires_at=9e9, obtained_at=time.time()), "seed")
    stored = there.read()
    assert stored is not None and stored[0].refresh_token == "refresh-2"
    assert not (tmp_path / "b" / "zalo-tokens.json").exists()  # from Redis, not a file
    shared.close()

"""Several processes act as one assistant (#14): two servers on one database (or two workers
of `childsafe serve --workers 2`) keep one conversation whose turns alternate between them,
hold one rate limit per session, and erase everywhere; a configuration that cannot share
refuses to start a second process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import running, server_env

pytestmark = pytest.mark.slow


def say(base: str, text: str, session: str) -> dict[str, Any]:
    # a new connection each time: with several workers, any of them may take it
    response = httpx.post(f"{base}/api/chat", json={"text": text, "session": session}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def payloads(reply: dict[str, Any]) -> list[str]:
    return [a["payload"] for a in reply["actions"]]


def check_conversation(one: str, two: str, session: str) -> None:
    """A conversation alternating between `one` and `two` keeps audience, topic and the
    numbered choices the other one offered."""
    said = say(one, "tôi là giáo viên", session)
    assert said["audience"] == "teacher"
    asked = say(two, "học sinh bị bạo lực học đường thì làm gì", session)
    assert asked["audience"] == "teacher"  # the role said to the other process
    topic = asked["intent"]
    follow = say(one, "thủ tục thế nào", session)  # alone it is out of scope; here, the topic
    assert follow["intent"] == topic and follow["audience"] == "teacher"
    offered = payloads(follow)
    assert len(offered) >= 2, follow
    picked = say(two, "2", session)  # the second button of the other process's menu
    expected = say(one, offered[1], f"{session}-probe")
    assert (picked["intent"], picked["answer_id"]) == (expected["intent"], expected["answer_id"])


def test_two_servers_on_one_database_act_as_one_assistant(tmp_path: Path) -> None:
    env = server_env(tmp_path / "childsafe.db", CHILDSAFE_RATE_LIMIT_PER_MINUTE="4")
    with running(env, tmp_path) as one, running(env, tmp_path) as two:
        check_conversation(one.url, two.url, "c" * 32)

        # one session's limit holds across both: 4 a minute in all, not 4 each
        servers = [one.url, two.url]
        statuses = [
            httpx.post(
                f"{servers[n % 2]}/api/chat",
                json={"text": f"xin chào {n}", "session": "r" * 32},
                timeout=30,
            ).status_code
            for n in range(6)
        ]
        assert statuses == [200, 200, 200, 200, 429, 429]

        # erased on one: gone for the other too
        session = "e" * 32
        assert say(one.url, "tôi là giáo viên", session)["audience"] == "teacher"
        erased = httpx.post(f"{two.url}/api/erase", json={"session": session}, timeout=30)
        assert erased.status_code == 200 and erased.json()["ok"] is True
        after = say(one.url, "con bị bắt nạt thì sao", session)
        assert after["audience"] != "teacher"


def test_two_replicas_sharing_redis_act_as_one_assistant(tmp_path: Path, redis_url: str) -> None:
    """Two "machines": each its own database and inbox, the state in one Redis."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    common = {"CHILDSAFE_REDIS_URL": redis_url, "CHILDSAFE_RATE_LIMIT_PER_MINUTE": "6"}
    env_a = server_env(tmp_path / "a" / "childsafe.db", **common)
    env_b = server_env(tmp_path / "b" / "childsafe.db", **common)
    with running(env_a, tmp_path / "a") as one, running(env_b, tmp_path / "b") as two:
        check_conversation(one.url, two.url, "redis" + "c" * 27)
        statuses = [
            httpx.post(
                f"{(one.url, two.url)[n % 2]}/api/chat",
                json={"text": f"xin chào {n}", "session": "redis" + "r" * 27},
                timeout=30,
            ).status_code
            for n in range(8)
        ]
        assert statuses == [200] * 6 + [429, 429]  # 6 a minute in all, not 6 each


def test_serve_with_two_workers_holds_a_conversation(tmp_path: Path) -> None:
    env = server_env(tmp_path / "childsafe.db")
    with running(env, tmp_path, "--workers", "2") as server:
        seen = {httpx.get(f"{server.url}/healthz", timeout=10).json()["worker"] for _ in range(40)}
        assert len(seen) == 2, "both workers answer"
        for n in range(3):
            check_conversation(server.url, server.url, f"w{n}" + "x" * 30)


def test_in_process_state_refuses_a_second_process_and_several_workers(tmp_path: Path) -> None:
    env = server_env(tmp_path / "childsafe.db", CHILDSAFE_SHARED_STATE="memory")
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--workers", "2", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "CHILDSAFE_SHARED_STATE=memory" in refused.stderr
    with running(env, tmp_path):
        second = subprocess.run(
            [sys.executable, "-m", "bot", "serve", "--port", "1"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode != 0
    assert "another childsafe process already serves" in second.stderr

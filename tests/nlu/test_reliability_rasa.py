"""Rasa down or slow, end to end (#8): `CHILDSAFE_NLU=rasa` behind the real app over HTTP on
loopback, with Rasa's address answering nothing (a socket that accepts and stays silent),
answering too slowly, refusing connections, or failing. Many people write at once; every
message is answered within 1 s by the fallback, urgent ones with 111 first, and every
message is in the request log, each person's in order. (The Rasa client's own contract,
breaker and timeouts are in tests/nlu/test_rasa_client.py.)"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.wiring import build_assistant
from nlu.fallback import CircuitState
from nlu.rasa_client import FALLBACK_ENGINE_NAME, RasaEngine
from tests.conftest import MODEL_CACHE
from tests.nlu.test_rasa_client import TOKEN, FakeRasa
from tests.servers import free_port, serve

PEOPLE = 12
CONVERSATION = (
    "trẻ bị bạo lực học đường thì báo ai",
    "cứu em với, bố em đang đánh em",
    "hoc phi co duoc mien khong",
    "trợ cấp cho trẻ mồ côi",  # "cảm ơn" is a short turn now (#13): no NLU to fall back from
)


class SilentServer:
    """Accepts connections and never says a word: the worst kind of down."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                self._held.append(connection)

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()


@contextlib.contextmanager
def rasa_at(mode: str) -> Iterator[str]:
    """A Rasa URL that misbehaves as `mode` says."""
    if mode == "silent":
        server = SilentServer()
        try:
            yield server.url
        finally:
            server.close()
    elif mode == "refused":
        yield f"http://127.0.0.1:{free_port()}"  # nothing listens there
    else:
        fake = FakeRasa()
        fake.mode = mode  # slow (answers after 3 s) | error (HTTP 500) | garbage
        with serve(fake.app()) as url:
            try:
                yield url
            finally:
                fake.release.set()


async def _person(
    client: httpx.AsyncClient, person: int
) -> list[tuple[int, dict[str, Any], float]]:
    results = []
    for text in CONVERSATION:
        started = time.monotonic()
        response = await client.post("/api/chat", json={"text": text, "session": f"p{person}"})
        elapsed = time.monotonic() - started
        results.append((response.status_code, response.json(), elapsed))
    return results


async def _everyone(url: str) -> list[list[tuple[int, dict[str, Any], float]]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return list(await asyncio.gather(*(_person(client, p) for p in range(PEOPLE))))


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
@pytest.mark.parametrize("mode", ["silent", "slow", "refused", "error"])
def test_every_message_is_answered_within_a_second_and_logged(
    settings: Settings, mode: str
) -> None:
    with rasa_at(mode) as rasa_url:
        rasa_settings = settings.model_copy(
            update={
                "nlu_engine": "rasa",
                "rasa_url": rasa_url,
                "rasa_token": TOKEN,
                "rasa_timeout_seconds": 0.5,
                "model_dir": MODEL_CACHE,
            }
        )
        assistant = build_assistant(rasa_settings)
        try:
            assert isinstance(assistant.engine, RasaEngine)
            with serve(create_app(rasa_settings, assistant)) as url:
                conversations = asyncio.run(_everyone(url))
            request_log = assistant.request_log
            assert request_log is not None and request_log.flush(60)
            assert request_log.stats().failed == 0
            breaker = assistant.engine.state
        finally:
            assistant.close()

    for person, results in enumerate(conversations):
        for (status, reply, seconds), text in zip(results, CONVERSATION, strict=True):
            assert status == 200, (person, text)
            assert seconds < 1.0, f"{text!r} took {seconds:.2f} s"
            assert reply["text"] and reply["engine"] == FALLBACK_ENGINE_NAME
            if text.startswith("cứu em"):
                assert reply["urgent"] and reply["hotlines"][0] == "113"  # an attack now
                assert "111" in reply["hotlines"]
    assert breaker is CircuitState.OPEN  # it stopped asking a server that does not answer

    with contextlib.closing(sqlite3.connect(settings.db_path)) as conn:
        logged = conn.execute("SELECT user_hash, text, engine FROM requests ORDER BY id").fetchall()
    assert len(logged) == PEOPLE * len(CONVERSATION)  # nothing lost
    assert {engine for _, _, engine in logged} == {FALLBACK_ENGINE_NAME}
    for person in range(PEOPLE):
        key = assistant.user_key("web", f"p{person}")
        assert [t for h, t, _ in logged if h == key] == list(CONVERSATION)

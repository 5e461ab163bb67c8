"""The benchmark's Rasa side (#18, bench/rasa.py) against a real Rasa 3.6 server: it trains the
project's model, starts `rasa run` with a generated token, and reads Rasa's own start-up,
memory and CPU per parse; the Rasa path through `Assistant.handle()` counts Rasa's CPU beside
ours. Whether the figures are good is `make bench`'s business: here only that they are read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import rasa
from bench.corpus import message_set
from bench.latency import measure_handle
from bot.settings import Settings

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.skipif(
        rasa.why_not() is not None, reason=".venv-rasa is absent: `make rasa` builds it"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[rasa.RasaServer, float]]:
    work = tmp_path_factory.mktemp("bench-rasa")
    trained = rasa.train(lambda line: None, out=work / "models", data=work / "data")
    assert Path(trained["model"]).exists() and trained["seconds"] > 0
    with rasa.RasaServer(Path(trained["model"]), work) as running:
        yield running, running.wait_ready()


def test_rasa_alone_start_memory_and_cpu_per_parse_are_read(
    server: tuple[rasa.RasaServer, float],
) -> None:
    running, start_seconds = server
    assert start_seconds > 0
    assert len(running.token) >= 32  # generated, not asked of the user
    memory = running.memory()
    assert memory is not None and memory["rss_mb"] > 0 and memory["processes"] >= 1
    texts = [m.text for m in message_set(40)]
    parsed = rasa.measure_parses(running, texts, warm_up=5)
    assert parsed["parses"] == 40 and parsed["latency_ms"]["count"] == 40
    assert parsed["cpu_ms_per_parse"] is not None and parsed["cpu_ms_per_parse"] > 0
    assert parsed["intents_seen"] >= 2


def test_the_rasa_path_counts_rasas_cpu_beside_ours(
    server: tuple[rasa.RasaServer, float], settings: Settings
) -> None:
    running, _ = server
    rasa_settings = settings.model_copy(
        update={"rasa_url": running.url, "rasa_token": running.token, "rasa_timeout_seconds": 10}
    )
    messages = message_set(240)  # the first 200 warm up, then all are measured
    result = measure_handle(rasa_settings, messages, "rasa", running.cpu_seconds)
    assert result["engine"] == "rasa" and result["log"]["rows_written"] == len(messages)
    assert result["answered_by"].get("rasa", 0) > 0
    assert result["peer_cpu_ms_per_message"] is not None
    assert result["peer_cpu_ms_per_message"] > 0  # Rasa worked, and it was counted

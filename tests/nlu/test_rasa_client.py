"""The Rasa client and its fallback, without Rasa: httpx.MockTransport and a loopback fake.

The fake server implements the documented `/model/parse` contract (token in the query
string, 401 without it, the JSON shape recorded from a real Rasa 3.6.21 server) and can be
made slow, failing, incoherent or dead. The real server is exercised in
tests/nlu/test_rasa_integration.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.settings import MissingSecretError, Settings
from bot.wiring import build_assistant, build_engine
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from nlu.embedded import EmbeddedEngine
from nlu.engine import NLUResult
from nlu.export_folded import export
from nlu.fallback import CircuitBreaker, CircuitState
from nlu.rasa_client import (
    FALLBACK_ENGINE_NAME,
    RasaEngine,
    RasaError,
    check_url,
    result_from_parse,
)
from nlu.rasa_data import DATA_DIR, data_files, load_dir, load_file
from nlu.text import read
from tests.bot.test_cli import run_cli
from tests.conftest import MODEL_CACHE
from tests.servers import free_port, serve

TOKEN = "s3cret-token"

# A real answer from `rasa run --enable-api` (3.6.21, LogisticRegressionClassifier), trimmed.
REAL_PARSE = {
    "text": "con toi bi danh o truong",
    "intent": {"name": "school_violence", "confidence": 0.8927406524885693},
    "entities": [],
    "text_tokens": [[0, 3], [4, 7], [8, 10], [11, 15], [16, 17], [18, 24]],
    "intent_ranking": [
        {"name": "school_violence", "confidence": 0.8927406524885693},
        {"name": "report_abuse", "confidence": 0.03853101147910847},
        {"name": "out_of_scope", "confidence": 0.03727286901649826},
        {"name": "online_safety", "confidence": 0.008122544788669944},
        {"name": "hotline_info", "confidence": 0.008110942109445303},
        {"name": "education_support", "confidence": 0.0051862490885366385},
    ],
}


def state_of(engine: object) -> CircuitState:
    assert isinstance(engine, RasaEngine)
    return engine.state  # read afresh each time (no narrowing across calls)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def embedded() -> EmbeddedEngine:
    engine = EmbeddedEngine(MODEL_CACHE)
    _ = engine.model
    return engine


def make_engine(
    embedded: EmbeddedEngine,
    handler: Any,
    clock: FakeClock | None = None,
    timeout: float = 0.8,
) -> RasaEngine:
    breaker = CircuitBreaker(
        "Rasa (test)", failure_threshold=3, reset_after=10.0, clock=clock or FakeClock()
    )
    return RasaEngine(
        "http://rasa.test:5005",
        TOKEN,
        fallback=embedded,
        timeout=timeout,
        breaker=breaker,
        transport=httpx.MockTransport(handler),
    )


# ---------------------------------------------------------------------- the parse contract
def test_a_real_parse_result_becomes_an_nlu_result() -> None:
    result = result_from_parse(REAL_PARSE)
    assert result.intent == "school_violence"
    assert result.confidence == pytest.approx(0.8927, abs=1e-4)
    assert result.engine == "rasa"
    assert [r.intent for r in result.ranking][:3] == [
        "school_violence",
        "report_abuse",
        "out_of_scope",
    ]
    assert len(result.ranking) == 5


def test_nlu_fallback_becomes_low_confidence_with_rasas_best_guess() -> None:
    # FallbackClassifier fired on ambiguity: two intents 0.50 / 0.46, threshold 0.3.
    payload = {
        "text": "bao ve con",
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "abuse_prevention", "confidence": 0.50},
            {"name": "report_abuse", "confidence": 0.46},
        ],
    }
    result = result_from_parse(payload)
    assert result.intent == "abuse_prevention"
    assert result.confidence == pytest.approx(0.3)  # below the assistant's 0.45: it asks back
    assert [r.intent for r in result.ranking] == ["abuse_prevention", "report_abuse"]


def test_nlu_fallback_without_a_ranking_is_out_of_scope_at_zero() -> None:
    result = result_from_parse({"intent": {"name": "nlu_fallback", "confidence": 0.3}})
    assert (result.intent, result.confidence) == ("out_of_scope", 0.0)


def test_an_empty_parse_is_out_of_scope_at_zero() -> None:
    result = result_from_parse({"text": "", "intent": {"name": None, "confidence": 0.0}})
    assert (result.intent, result.confidence) == ("out_of_scope", 0.0)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "school_violence",
        {},
        {"intent": "school_violence"},
        {"intent": {"name": 7, "confidence": 0.9}},
        {"intent": {"name": "greet"}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": {"name": "greet", "confidence": 1.7}},
        {"intent": {"name": "greet", "confidence": float("nan")}},
        {"intent": {"name": "greet", "confidence": True}},
    ],
)
def test_malformed_parse_results_are_errors(payload: Any) -> None:
    with pytest.raises(RasaError):
        result_from_parse(payload)


def test_ranking_entries_that_are_not_intents_are_skipped() -> None:
    payload = {
        "intent": {"name": "greet", "confidence": 0.9},
        "intent_ranking": [
            None,
            {"name": ""},
            {"confidence": 0.1},
            {"name": "thanks", "confidence": 0.05},
        ],
    }
    result = result_from_parse(payload)
    assert [r.intent for r in result.ranking] == ["greet", "thanks"]


@pytest.mark.parametrize("url", ["", "rasa:5005", "ftp://rasa:5005", "http://", "localhost"])
def test_a_malformed_rasa_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="RASA_URL"):
        check_url(url)


# ---------------------------------------------------------------------- MockTransport
def test_the_request_carries_the_token_and_the_folded_text(embedded: EmbeddedEngine) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=REAL_PARSE)

    engine = make_engine(embedded, handler)
    try:
        result = engine.parse("con toi bi danh o truong")
    finally:
        engine.close()
    assert result.engine == "rasa" and result.intent == "school_violence"
    [request] = seen
    assert request.method == "POST"
    assert request.url.path == "/model/parse"
    assert request.url.params["token"] == TOKEN
    assert json.loads(request.content) == {"text": "con toi bi danh o truong"}


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (401, b'{"status":"failure","reason":"NotAuthenticated"}', "refused the token"),
        (500, b'{"error":"boom"}', "HTTP 500"),
        (200, b"<html>not json</html>", "not JSON"),
        (200, b'{"unexpected": true}', "no intent"),
        (404, b"", "HTTP 404"),
    ],
)
def test_errors_fall_back_to_the_embedded_engine(
    embedded: EmbeddedEngine, status: int, body: bytes, why: str
) -> None:
    engine = make_engine(embedded, lambda request: httpx.Response(status, content=body))
    try:
        with pytest.raises(RasaError, match=why):
            engine.parse_strict("xin chao")
        result = engine.parse("xin chao")
    finally:
        engine.close()
    assert result.engine == FALLBACK_ENGINE_NAME
    assert result == embedded_result(embedded, "xin chao")


def embedded_result(embedded: EmbeddedEngine, text: str) -> NLUResult:
    r = embedded.parse(text)
    return NLUResult(r.intent, r.confidence, r.ranking, FALLBACK_ENGINE_NAME)


def test_a_connection_error_falls_back(embedded: EmbeddedEngine) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    engine = make_engine(embedded, refuse)
    try:
        with pytest.raises(RasaError, match="unreachable"):
            engine.parse_strict("xin chao")
        assert engine.parse("xin chao").engine == FALLBACK_ENGINE_NAME
    finally:
        engine.close()


def test_a_slow_server_costs_at_most_the_timeout(embedded: EmbeddedEngine) -> None:
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        release.wait(5)
        return httpx.Response(200, json=REAL_PARSE)

    engine = make_engine(embedded, slow, timeout=0.2)
    try:
        started = time.perf_counter()
        result = engine.parse("con toi bi danh o truong")
        waited = time.perf_counter() - started
    finally:
        release.set()
        engine.close()
    assert result.engine == FALLBACK_ENGINE_NAME
    assert waited < 1.0  # the server would have taken 5 s


def test_the_circuit_opens_after_three_failures_and_recovers(embedded: EmbeddedEngine) -> None:
    clock = FakeClock()
    calls: list[str] = []
    healthy = False

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content)["text"])
        if not healthy:
            return httpx.Response(503, text="loading")
        return httpx.Response(200, json=REAL_PARSE)

    engine = make_engine(embedded, handler, clock=clock)
    try:
        for _ in range(3):
            assert engine.parse("xin chao").engine == FALLBACK_ENGINE_NAME
        assert state_of(engine) is CircuitState.OPEN
        assert len(calls) == 3
        for _ in range(20):  # open: the dead server is left alone
            assert engine.parse("xin chao").engine == FALLBACK_ENGINE_NAME
        assert len(calls) == 3

        clock.now += 10.0  # cool-down over: one probe, still failing, opens again
        assert state_of(engine) is CircuitState.HALF_OPEN
        assert engine.parse("xin chao").engine == FALLBACK_ENGINE_NAME
        assert len(calls) == 4
        assert state_of(engine) is CircuitState.OPEN
        engine.parse("xin chao")
        assert len(calls) == 4

        healthy = True  # the server is back; the next probe closes the circuit
        clock.now += 10.0
        assert engine.parse("con toi bi danh o truong").engine == "rasa"
        assert state_of(engine) is CircuitState.CLOSED
        assert engine.parse("xin chao").engine == "rasa"
        assert len(calls) == 6
    finally:
        engine.close()


def test_one_success_resets_the_failure_count(embedded: EmbeddedEngine) -> None:
    answers = iter([500, 500, 200, 500, 500, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json=REAL_PARSE if status == 200 else {})

    engine = make_engine(embedded, handler)
    try:
        engines = [engine.parse("xin chao").engine for _ in range(6)]
    finally:
        engine.close()
    assert engines == ["embedded-fallback"] * 2 + ["rasa"] + ["embedded-fallback"] * 2 + ["rasa"]
    assert state_of(engine) is CircuitState.CLOSED


def test_only_one_probe_goes_out_while_half_open() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("x", failure_threshold=1, reset_after=5.0, clock=clock)
    breaker.record_failure()
    assert not breaker.allow()
    clock.now += 5.0
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # everyone else waits for its verdict
    breaker.record_success()
    assert breaker.allow() and breaker.state is CircuitState.CLOSED


def test_a_probe_that_never_reports_does_not_wedge_the_breaker() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("x", failure_threshold=1, reset_after=5.0, clock=clock)
    breaker.record_failure()
    clock.now += 5.0
    assert breaker.allow()
    clock.now += 5.0
    assert breaker.allow()


def test_the_token_never_reaches_the_logs(
    embedded: EmbeddedEngine, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(embedded, lambda request: httpx.Response(401, json={}))
    caplog.set_level(logging.DEBUG)
    try:
        for _ in range(4):
            engine.parse("xin chao")
    finally:
        engine.close()
    assert "circuit open" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(engine)


# ---------------------------------------------------------------------- loopback fake Rasa
class FakeRasa:
    """The documented `/model/parse` contract, answering one chosen intent for any text."""

    def __init__(self, intent: str = "child_labour") -> None:
        self.intent = intent
        self.mode = "ok"  # ok | slow | error | garbage
        self.texts: list[str] = []
        self.release = asyncio.Event()

    def app(self) -> Starlette:
        async def root(request: Request) -> Response:
            return Response("Hello from Rasa: 3.6.21", media_type="text/plain")

        async def parse(request: Request) -> Response:
            if request.query_params.get("token") != TOKEN:
                return JSONResponse({"status": "failure", "reason": "NotAuthenticated"}, 401)
            body = await request.json()
            self.texts.append(body["text"])
            if self.mode == "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.release.wait(), 3)
            if self.mode == "error":
                return JSONResponse({"version": "3.6.21", "status": "failure"}, 500)
            if self.mode == "garbage":
                return Response(b"\x00\xffnot json", media_type="application/json")
            ranking = [
                {"name": self.intent, "confidence": 0.97},
                {"name": "out_of_scope", "confidence": 0.03},
            ]
            return JSONResponse(
                {
                    "text": body["text"],
                    "intent": ranking[0],
                    "entities": [],
                    "intent_ranking": ranking,
                }
            )

        return Starlette(routes=[Route("/", root), Route("/model/parse", parse, methods=["POST"])])


@pytest.fixture
def fake_rasa() -> Iterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    with serve(fake.app()) as url:
        yield fake, url


def rasa_settings(tmp_path: Path, url: str, token: str | None = TOKEN) -> Settings:
    return Settings(
        CHILDSAFE_DB=tmp_path / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        CHILDSAFE_NLU="rasa",
        RASA_URL=url,
        RASA_TOKEN=token,
        RASA_TIMEOUT_SECONDS=0.3,
    )


@pytest.fixture
def rasa_assistant(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> Iterator[Assistant]:
    assistant = build_assistant(rasa_settings(tmp_path, fake_rasa[1]))
    yield assistant
    assistant.close()


def timed(assistant: Assistant, text: str, user: str = "u1") -> tuple[Any, float]:
    started = time.perf_counter()
    reply = assistant.handle(IncomingMessage(text, user=user))
    return reply, time.perf_counter() - started


def test_the_assistant_parses_through_rasa(
    rasa_assistant: Assistant, fake_rasa: tuple[FakeRasa, str]
) -> None:
    fake, _ = fake_rasa
    assert isinstance(rasa_assistant.engine, RasaEngine)
    reply = rasa_assistant.handle(IncomingMessage("Xin chào, EM MUỐN HỎI!!!", user="u1"))
    # the fake answers child_labour for anything: this reply can only have come from it
    assert (reply.intent, reply.engine) == ("child_labour", "rasa")
    assert fake.texts == ["xin chao em muon hoi"]  # folded exactly as for the embedded engine


@pytest.mark.parametrize("mode", ["slow", "error", "garbage"])
def test_every_message_is_answered_by_the_fallback_in_time(
    rasa_assistant: Assistant, fake_rasa: tuple[FakeRasa, str], mode: str
) -> None:
    fake, _ = fake_rasa
    fake.mode = mode
    try:
        for text in (
            "con tôi bị bạn đánh ở trường",
            "số điện thoại tổng đài 111",
            "trợ cấp cho trẻ mồ côi",
        ):
            reply, seconds = timed(rasa_assistant, text)
            assert reply.engine == FALLBACK_ENGINE_NAME
            assert reply.intent != "child_labour"
            assert reply.text
            assert seconds < 1.0
    finally:
        fake.release.set()


def test_killing_rasa_mid_conversation_costs_the_user_nothing(tmp_path: Path) -> None:
    fake = FakeRasa(intent="school_violence")
    port = free_port()
    with serve(fake.app(), port=port) as url:
        assistant = build_assistant(rasa_settings(tmp_path, url))
        first = assistant.handle(IncomingMessage("con tôi bị bạn bắt nạt ở lớp", user="p1"))
        assert (first.engine, first.intent) == ("rasa", "school_violence")
    try:  # the server is gone; its pooled keep-alive connection is dead
        for text in (
            "thế tôi báo cho ai",
            "con tôi bị bạn đánh ở trường",
            "trợ cấp cho trẻ mồ côi",
        ):
            reply, seconds = timed(assistant, text, user="p1")
            assert reply.engine == FALLBACK_ENGINE_NAME
            assert reply.text and seconds < 1.0
        assert isinstance(assistant.engine, RasaEngine)
        assert state_of(assistant.engine) is CircuitState.OPEN
        # danger now: triage answers first, whatever the NLU is doing
        urgent = assistant.handle(IncomingMessage("cứu em với, bố đang đánh em", user="p2"))
        assert urgent.urgent and urgent.hotlines[:1] == ["113"] and "111" in urgent.hotlines

        # Rasa comes back on the same address; after the cool-down a probe finds it
        assistant.engine.breaker.reset_after = 0.0
        with serve(fake.app(), port=port):
            reply = assistant.handle(IncomingMessage("con tôi bị bạn đánh ở trường", user="p1"))
            assert reply.engine == "rasa"
            assert state_of(assistant.engine) is CircuitState.CLOSED
    finally:
        assistant.close()


def test_a_wrong_token_falls_back_and_says_why(
    tmp_path: Path, fake_rasa: tuple[FakeRasa, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, url = fake_rasa
    assistant = build_assistant(rasa_settings(tmp_path, url, token="wrong-token"))
    caplog.set_level(logging.WARNING)
    try:
        for _ in range(3):
            assert assistant.handle(IncomingMessage("xin chào")).engine == FALLBACK_ENGINE_NAME
    finally:
        assistant.close()
    assert "RASA_TOKEN" in caplog.text and "wrong-token" not in caplog.text


# ---------------------------------------------------------------------- start-up
def test_rasa_without_a_token_fails_at_start_up_naming_it(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretError, match="RASA_TOKEN"):
        build_engine(rasa_settings(tmp_path, "http://127.0.0.1:9", token=None))


def test_rasa_with_a_malformed_url_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RASA_URL"):
        build_engine(rasa_settings(tmp_path, "rasa:5005"))


@pytest.mark.slow
def test_ask_with_rasa_and_no_token_exits_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_TOKEN", "")  # the environment wins over any .env file
    result = run_cli(["ask", "--engine", "rasa", "xin chào"], tmp_path=tmp_path)
    assert result.returncode != 0
    assert "RASA_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ask_through_a_fake_rasa_server(
    tmp_path: Path, fake_rasa: tuple[FakeRasa, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = fake_rasa
    monkeypatch.setenv("RASA_URL", url)
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    result = run_cli(["ask", "--engine", "rasa", "xin chào bạn"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["engine"], body["intent"]) == ("rasa", "child_labour")
    assert fake.texts == ["xin chao ban"]


SMALL_TEST_SET = (
    'version: "3.1"\nnlu:\n- intent: child_labour\n  examples: |\n'
    "    - bắt trẻ em đi làm thuê có bị phạt không\n"
    "- intent: greet\n  examples: |\n    - xin chào bạn\n    - chao ad\n"
)


@pytest.mark.slow
def test_eval_both_measures_each_engine_on_the_same_examples(
    tmp_path: Path, fake_rasa: tuple[FakeRasa, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = fake_rasa
    test_set = tmp_path / "t.yml"
    test_set.write_text(SMALL_TEST_SET, encoding="utf-8")
    monkeypatch.setenv("RASA_URL", url)
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    args = ["eval", "--engine", "both", "--test-set", str(test_set), "--folds", "0"]
    result = run_cli([*args, "--json"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    embedded, rasa = report["engines"]["embedded"], report["engines"]["rasa"]
    assert embedded["n"] == rasa["n"] == 3
    # the fake says child_labour for everything: one right out of three
    assert rasa["accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert fake.texts[1:] == ["bat tre em di lam thue co bi phat khong", "xin chao ban", "chao ad"]
    assert {"p50", "p99"} <= rasa["latency_ms"].keys()
    assert "urgent_recall" in report

    table = run_cli(args)
    assert table.returncode == 0, table.stderr
    header = next(
        line for line in table.stdout.splitlines() if "embedded" in line and "rasa" in line
    )
    assert header.split() == ["embedded", "rasa"]
    for label in ("accuracy", "macro-F1", "urgent recall", "p50 latency", "p99 latency"):
        assert label in table.stdout


@pytest.mark.slow
def test_eval_of_rasa_fails_when_rasa_cannot_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_set = tmp_path / "t.yml"
    test_set.write_text(SMALL_TEST_SET, encoding="utf-8")
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    result = run_cli(["eval", "--engine", "rasa", "--test-set", str(test_set), "--folds", "0"])
    assert result.returncode == 1
    assert "rasa cannot answer" in result.stderr  # not a quiet measurement of the fallback


# ---------------------------------------------------------------------- folded training data
def test_rasa_trains_on_exactly_the_folded_text_the_embedded_engine_sees(tmp_path: Path) -> None:
    report = export(DATA_DIR, tmp_path / "out")
    exported = {(e.text, e.intent) for e in load_dir(tmp_path / "out")}
    expected = {(read(e.text).folded, e.intent) for e in load_dir(DATA_DIR)}
    assert exported == {pair for pair in expected if pair[0]}
    assert report.examples == len(exported)
    assert [p.name for p in report.files] == [p.name for p in data_files(DATA_DIR)]


def test_the_exporter_folds_dedupes_and_reports_conflicts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.yml").write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: report_abuse\n  examples: |\n"
        "    - Con tôi bị ĐÁNH ở [Hà Nội](city)!!!\n"
        "    - con toi bi danh o ha noi\n"
        "    - 😭😭\n"
        "- intent: school_violence\n  examples: |\n"
        "    - con tôi bị đánh ở Hà Nội\n"
        "- regex: phone\n  examples: |\n    - \\d{10}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.yml").write_text("nlu: []\n", encoding="utf-8")
    report = export(data, out)
    assert sorted(p.name for p in out.glob("*.yml")) == ["a.yml"]
    examples = load_file(out / "a.yml")
    assert ("con toi bi danh o ha noi", "report_abuse") in {(e.text, e.intent) for e in examples}
    assert sum(e.intent == "report_abuse" and "ha noi" in e.text for e in examples) == 1
    assert report.conflicts == {"con toi bi danh o ha noi": {"report_abuse", "school_violence"}}
    written = (out / "a.yml").read_text(encoding="utf-8")
    assert "- regex: phone" in written and "\\d{10}" in written  # regexes pass untouched


@pytest.mark.slow
def test_the_exporter_runs_as_a_module(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "nlu.export_folded", str(tmp_path / "rasa-data")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert "folded examples" in result.stdout
    assert sorted(p.name for p in (tmp_path / "rasa-data").glob("*.yml")) == [
        p.name for p in data_files(DATA_DIR)
    ]

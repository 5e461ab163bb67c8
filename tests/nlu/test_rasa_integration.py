"""Against a real Rasa 3.6.21 server that this test run trains and starts (from .venv-rasa).

The session trains an NLU model on the folded `nlu/data` with `nlu/config.yml` (DIET, if
chosen, gets few epochs here), serves it with `rasa run --enable-api` and a token on a free
loopback port, and talks to it through `RasaEngine` and the real `Assistant`. Then Rasa
is frozen (SIGSTOP) and killed (SIGKILL) mid-conversation: the user must not notice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.models import IncomingMessage
from handlers.pipeline import DIALOGUE_ENGINE, Assistant
from nlu.embedded import EmbeddedEngine
from nlu.export_folded import export
from nlu.fallback import CircuitBreaker, CircuitState
from nlu.rasa_client import FALLBACK_ENGINE_NAME, RasaEngine
from nlu.text import read
from tests.conftest import MODEL_CACHE
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# Begins with "-" on purpose: argparse would read "--auth-token -x" as a missing value
TOKEN = "-integration-token-7"
TEST_EPOCHS = 20  # DIET only: enough to classify clear messages, fast enough for CI

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(
        not RASA.exists(),
        reason=".venv-rasa is absent: run `make rasa` to run the Rasa integration tests",
    ),
]


def rasa_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",  # no network
        RASA_CACHE_DIRECTORY=str(cache),
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def config_for_tests(source: Path, target: Path) -> Path:
    """The project's pipeline, with DIET's epochs cut down for the test run."""
    config: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        if component.get("name") == "DIETClassifier":
            component["epochs"] = min(int(component.get("epochs", 300)), TEST_EPOCHS)
    target.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


class RasaServer:
    """`rasa run --enable-api` as a child process we can freeze, kill and start again."""

    def __init__(self, model_dir: Path, workdir: Path, cache: Path) -> None:
        self.model_dir = model_dir
        self.workdir = workdir
        self.cache = cache
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "rasa-run.log"

    def start(self, wait: float = 180.0) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(RASA),
                    "run",
                    "--enable-api",
                    "-m",
                    str(self.model_dir),
                    f"--auth-token={TOKEN}",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                cwd=self.workdir,
                env=rasa_env(self.cache),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa run exited: {self.log.read_text()[-3000:]}")
            try:
                status = httpx.get(f"{self.url}/status", params={"token": TOKEN}, timeout=2)
                if status.status_code == 200 and status.json().get("model_file"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"rasa run not ready in {wait} s: {self.log.read_text()[-3000:]}")

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def rasa_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("rasa")
    export(ROOT / "nlu" / "data", work / "data")
    config = config_for_tests(ROOT / "nlu" / "config.yml", work / "config.yml")
    models = work / "models"
    trained = subprocess.run(
        [
            str(RASA),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(work / "data"),
            "--out",
            str(models),
            "--fixed-model-name",
            "test-nlu",
        ],
        cwd=work,
        env=rasa_env(ROOT / "build" / "rasa-cache"),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    assert (models / "test-nlu.tar.gz").exists()
    return models


@pytest.fixture(scope="session")
def rasa_server(rasa_model: Path) -> Iterator[RasaServer]:
    server = RasaServer(rasa_model, rasa_model.parent, ROOT / "build" / "rasa-cache")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def embedded() -> EmbeddedEngine:
    engine = EmbeddedEngine(MODEL_CACHE)
    _ = engine.model
    return engine


@pytest.fixture
def engine(rasa_server: RasaServer, embedded: EmbeddedEngine) -> Iterator[RasaEngine]:
    rasa = RasaEngine(rasa_server.url, TOKEN, fallback=embedded, timeout=0.8)
    yield rasa
    rasa.close()


def state_of(assistant: Assistant) -> CircuitState:
    assert isinstance(assistant.engine, RasaEngine)
    return assistant.engine.state


def folded(text: str) -> str:
    return read(text).folded


def test_rasa_data_validate_passes_on_nlu(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--data",
            str(ROOT / "nlu" / "data"),
            "--domain",
            str(ROOT / "nlu" / "domain.yml"),
            "--config",
            str(ROOT / "nlu" / "config.yml"),
        ],
        cwd=tmp_path,
        env=rasa_env(tmp_path / "cache"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


# ---------------------------------------------------------------------- the HTTP contract
def test_the_server_speaks_the_documented_contract(rasa_server: RasaServer) -> None:
    assert httpx.get(f"{rasa_server.url}/").text.startswith("Hello from Rasa: 3.6.21")
    no_token = httpx.post(f"{rasa_server.url}/model/parse", json={"text": "xin chao"})
    assert no_token.status_code == 401
    parsed = httpx.post(
        f"{rasa_server.url}/model/parse", params={"token": TOKEN}, json={"text": "xin chao"}
    ).json()
    assert {"text", "intent", "entities", "intent_ranking"} <= parsed.keys()
    assert {"name", "confidence"} <= parsed["intent"].keys()


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Xin chào", "greet"),
        ("cảm ơn bạn nhiều nha", "thanks"),
        ("con tôi bị các bạn trong lớp bắt nạt, đánh hội đồng", "school_violence"),
        ("số điện thoại tổng đài bảo vệ trẻ em là gì", "hotline_info"),
    ],
)
def test_clear_messages_are_classified_by_rasa(engine: RasaEngine, text: str, intent: str) -> None:
    result = engine.parse(folded(text))
    assert result.engine == "rasa"
    assert result.intent == intent
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.ranking) >= 3
    assert sum(r.confidence for r in result.ranking) <= 1.0 + 1e-6


def test_accents_and_no_accents_reach_rasa_as_the_same_text(engine: RasaEngine) -> None:
    accented = engine.parse_strict(folded("Con tôi bị đánh ở trường"))
    plain = engine.parse_strict(folded("con toi bi danh o truong"))
    assert accented == plain


def test_the_assistant_answers_through_rasa(rasa_server: RasaServer, tmp_path: Path) -> None:
    assistant = build_assistant(rasa_settings(tmp_path, rasa_server.url))
    try:
        reply = assistant.handle(IncomingMessage("Xin chào", user="a1"))
        assert (reply.engine, reply.intent) == ("rasa", "greet")
        urgent = assistant.handle(IncomingMessage("cứu em với, bố đang đánh em", user="a1"))
        assert urgent.urgent and urgent.hotlines[:1] == ["113"] and "111" in urgent.hotlines
    finally:
        assistant.close()


def rasa_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        CHILDSAFE_DB=tmp_path / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        CHILDSAFE_NLU="rasa",
        RASA_URL=url,
        RASA_TOKEN=TOKEN,
    )


# ---------------------------------------------------------------------- Rasa in trouble
CONVERSATION = (
    "con tôi bị bạn bắt nạt ở trường",
    "thế tôi báo cho ai",
    "số điện thoại tổng đài là gì",
    "làm sao để con tự tin hơn",
    "cảm ơn",
)


def talk(assistant: Assistant, user: str) -> list[tuple[str, float, bool]]:
    out = []
    for text in CONVERSATION:
        started = time.perf_counter()
        reply = assistant.handle(IncomingMessage(text, user=user))
        out.append((reply.engine, time.perf_counter() - started, bool(reply.text)))
    return out


def needed_the_nlu_and_fell_back(turns: list[tuple[str, float, bool]]) -> bool:
    """Every turn that needed the NLU was answered by the embedded fallback; turns read
    without the NLU ("cảm ơn", a short follow-up) are the dialogue's own."""
    names = [name for name, _, _ in turns]
    used_nlu = [n for n in names if n != DIALOGUE_ENGINE]
    return len(used_nlu) >= 3 and all(n == FALLBACK_ENGINE_NAME for n in used_nlu)


def test_a_frozen_rasa_is_waited_for_at_most_the_timeout(
    rasa_server: RasaServer, tmp_path: Path
) -> None:
    assistant = build_assistant(rasa_settings(tmp_path, rasa_server.url))
    try:
        assert assistant.handle(IncomingMessage("xin chào", user="f1")).engine == "rasa"
        rasa_server.freeze()  # the socket accepts, nobody answers
        try:
            turns = talk(assistant, "f1")
            assert needed_the_nlu_and_fell_back(turns)
            assert all(answered and seconds < 1.0 for _, seconds, answered in turns)
        finally:
            rasa_server.thaw()
        assert isinstance(assistant.engine, RasaEngine)
        assistant.engine.breaker.reset_after = 0.0
        assert assistant.handle(IncomingMessage("xin chào", user="f1")).engine == "rasa"
    finally:
        assistant.close()


def test_killing_rasa_mid_conversation_costs_the_user_nothing(
    rasa_server: RasaServer, embedded: EmbeddedEngine, tmp_path: Path
) -> None:
    assistant = build_assistant(rasa_settings(tmp_path, rasa_server.url))
    assert isinstance(assistant.engine, RasaEngine)
    assistant.engine.breaker = CircuitBreaker("Rasa (test)", failure_threshold=3, reset_after=0.5)
    try:
        first = assistant.handle(IncomingMessage("con tôi bị bạn đánh ở trường", user="k1"))
        assert first.engine == "rasa" and first.intent == "school_violence"

        rasa_server.kill()
        after = talk(assistant, "k1")
        assert needed_the_nlu_and_fell_back(after)
        assert all(answered and seconds < 1.0 for _, seconds, answered in after)
        assert state_of(assistant) is CircuitState.OPEN
        urgent = assistant.handle(IncomingMessage("cứu em với, bố đang đánh em", user="k2"))
        assert urgent.urgent and urgent.hotlines[:1] == ["113"] and "111" in urgent.hotlines

        rasa_server.start()  # same port; recovery needs nobody
        time.sleep(0.6)
        back = assistant.handle(IncomingMessage("con tôi bị bạn đánh ở trường", user="k1"))
        assert back.engine == "rasa"
        assert state_of(assistant) is CircuitState.CLOSED
    finally:
        assistant.close()


# ---------------------------------------------------------------------- the CLI, for real
def test_ask_and_eval_both_through_the_real_server(
    rasa_server: RasaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.bot.test_cli import run_cli

    monkeypatch.setenv("RASA_URL", rasa_server.url)
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    asked = run_cli(["ask", "--engine", "rasa", "Xin chào"], tmp_path=tmp_path)
    assert asked.returncode == 0, asked.stderr
    reply = json.loads(asked.stdout)
    assert (reply["engine"], reply["intent"]) == ("rasa", "greet")

    # the held-out questions, through the real Rasa server and through the embedded engine
    evaluated = run_cli(["eval", "--engine", "both", "--folds", "0", "--json"])
    assert evaluated.returncode == 0, evaluated.stderr
    engines = json.loads(evaluated.stdout)["engines"]
    assert set(engines) == {"embedded", "rasa"}
    assert engines["rasa"]["n"] == engines["embedded"]["n"] >= 100
    assert engines["rasa"]["accuracy"] >= 0.85  # a sanity bar; the README has the figures

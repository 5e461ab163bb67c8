"""The Rasa NLU engine: `POST {RASA_URL}/model/parse?token=...`, with the embedded engine behind it.

`parse(folded_text)` never raises and never takes much longer than `timeout` seconds:
the HTTP call runs on a small worker pool and the caller waits for it at most `timeout`.
When Rasa is slow, down, refuses the token or answers something that is not a parse
result, the embedded engine answers instead and the result says `engine="embedded-fallback"`.
A circuit breaker (`nlu.fallback`) stops sending requests to a server that keeps failing,
and lets one probe through after a cool-down, so recovery needs nobody.

Rasa's `nlu_fallback` (FallbackClassifier: top intent below its threshold, or two intents
too close) is mapped to *low confidence*, not to another engine's answer: the result keeps
Rasa's best real intent and ranking, with the confidence capped at the fallback's, so the
assistant's own threshold makes it ask back with the likely topics as buttons. The
assistant thus treats "Rasa is unsure" the same way as "the embedded engine is unsure".

Safety triage runs before any NLU engine and reads the message itself; it never waits
for Rasa.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from nlu.engine import NLUEngine, NLUResult, Ranked
from nlu.fallback import CircuitBreaker, CircuitState

if TYPE_CHECKING:
    from nlu.embedded import EmbeddedEngine

log = logging.getLogger(__name__)

NLU_FALLBACK_INTENT = "nlu_fallback"
NO_INTENT = "out_of_scope"  # what an empty parse (no intent at all) means to the assistant
FALLBACK_ENGINE_NAME = "embedded-fallback"
RANKING_KEEP = 5


class RasaError(RuntimeError):
    """Rasa did not give a usable parse result (unreachable, slow, refused, malformed)."""


class _RedactToken(logging.Filter):
    """httpx logs request URLs at INFO; Rasa's token travels in the query string."""

    _TOKEN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg = self._TOKEN.sub(r"\1***", message)
            record.args = ()
        return True


_REDACTOR = _RedactToken()


def _install_redactor() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def check_url(url: str) -> str:
    """`RASA_URL` must be an http(s) URL with a host; fail at start-up, not per message."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"RASA_URL must look like http://host:5005, got {url!r}")
    return url.strip().rstrip("/")


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RasaError("confidence is not a number")
    number = float(value)
    if not math.isfinite(number) or not -1e-6 <= number <= 1 + 1e-6:
        raise RasaError("confidence is outside 0..1")
    return min(1.0, max(0.0, number))


def result_from_parse(payload: Any, engine: str = "rasa") -> NLUResult:
    """Turn Rasa's `/model/parse` JSON into an NLUResult, or raise RasaError."""
    if not isinstance(payload, Mapping):
        raise RasaError("the parse result is not a JSON object")
    intent = payload.get("intent")
    if not isinstance(intent, Mapping):
        raise RasaError("the parse result has no intent object")
    name = intent.get("name")
    if name is None:  # Rasa's answer for text with nothing to classify
        return NLUResult(NO_INTENT, 0.0, (), engine)
    if not isinstance(name, str) or not name:
        raise RasaError("the intent name is not a string")
    top = Ranked(name, _confidence(intent.get("confidence")))
    ranking: list[Ranked] = []
    raw_ranking = payload.get("intent_ranking")
    if isinstance(raw_ranking, list):
        for item in raw_ranking:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"]:
                ranking.append(Ranked(item["name"], _confidence(item.get("confidence"))))
    if not any(r.intent == top.intent for r in ranking):
        ranking.insert(0, top)
    if top.intent != NLU_FALLBACK_INTENT:
        return NLUResult(top.intent, top.confidence, tuple(ranking[:RANKING_KEEP]), engine)
    real = sorted(
        (r for r in ranking if r.intent != NLU_FALLBACK_INTENT), key=lambda r: -r.confidence
    )
    if not real:
        return NLUResult(NO_INTENT, 0.0, (), engine)
    capped = min(real[0].confidence, top.confidence)
    return NLUResult(real[0].intent, capped, tuple(real[:RANKING_KEEP]), engine)


class RasaEngine:
    """An NLUEngine backed by a Rasa server, answering from `fallback` when Rasa cannot."""

    name = "rasa"

    def __init__(
        self,
        url: str,
        token: str,
        fallback: NLUEngine,
        timeout: float = 0.8,
        connect_timeout: float | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.BaseTransport | None = None,
        workers: int = 8,
    ) -> None:
        if timeout <= 0:
            raise ValueError("RASA_TIMEOUT_SECONDS must be positive")
        self.url = check_url(url)
        self._token = token
        self.fallback = fallback
        self.timeout = timeout
        connect = min(connect_timeout if connect_timeout is not None else 0.25, timeout)
        self.breaker = breaker or CircuitBreaker(f"Rasa at {self.url}")
        _install_redactor()
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout, connect=connect, pool=connect),
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,  # a proxy between the assistant and its Rasa is never wanted
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rasa-nlu")
        self._closed = False
        self._stats_lock = threading.Lock()
        self.remote_answers = 0
        self.fallback_answers = 0

    def __repr__(self) -> str:  # never shows the token
        return f"RasaEngine(url={self.url!r}, timeout={self.timeout}, state={self.state.value})"

    @property
    def state(self) -> CircuitState:
        return self.breaker.state

    # ------------------------------------------------------------------ strict call
    def parse_strict(self, folded_text: str) -> NLUResult:
        """Ask Rasa only; raise RasaError if it cannot answer (evaluation uses this)."""
        try:
            response = self._client.post(
                "/model/parse", params={"token": self._token}, json={"text": folded_text}
            )
        except httpx.TimeoutException as exc:
            raise RasaError(f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RasaError(f"unreachable ({type(exc).__name__}: {exc})") from exc
        if response.status_code in (401, 403):
            raise RasaError(f"refused the token (HTTP {response.status_code}); check RASA_TOKEN")
        if response.status_code != 200:
            raise RasaError(f"answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise RasaError("answered something that is not JSON") from exc
        return result_from_parse(payload, self.name)

    # ------------------------------------------------------------------ the NLUEngine call
    def parse(self, folded_text: str) -> NLUResult:
        if not self._closed and self.breaker.allow():
            future: Future[NLUResult] = self._pool.submit(self.parse_strict, folded_text)
            try:
                result = future.result(timeout=self.timeout)
            except FutureTimeout:
                future.cancel()
                self.breaker.record_failure(f"no answer within {self.timeout:.2f} s")
            except RasaError as exc:
                self.breaker.record_failure(str(exc))
            except Exception as exc:  # a bug here must not cost the user the reply
                log.exception("unexpected error asking Rasa")
                self.breaker.record_failure(type(exc).__name__)
            else:
                self.breaker.record_success()
                with self._stats_lock:
                    self.remote_answers += 1
                return result
        return self._fall_back(folded_text)

    def _fall_back(self, folded_text: str) -> NLUResult:
        with self._stats_lock:
            self.fallback_answers += 1
        result = self.fallback.parse(folded_text)
        return NLUResult(result.intent, result.confidence, result.ranking, FALLBACK_ENGINE_NAME)

    # ------------------------------------------------------------------ lifecycle
    def ready(self) -> bool:
        """Is the server up with a model loaded? (`GET /status`; for start-up messages.)"""
        try:
            response = self._client.get("/status", params={"token": self._token})
            body = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            return False
        return isinstance(body, dict) and bool(body.get("model_file"))

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()


def start_engine(*, url: str, token: str, timeout: float, embedded: EmbeddedEngine) -> RasaEngine:
    """`CHILDSAFE_NLU=rasa`: fail at start-up with a malformed RASA_URL. The values come
    from the caller (bot.wiring reads the settings); this layer never imports them."""
    engine = RasaEngine(url=url, token=token, fallback=embedded, timeout=timeout)
    # Load (or train) the fallback model now, so that the first message after a Rasa
    # outage is not also the one that waits for the embedded model.
    _ = embedded.model
    if not engine.ready():
        log.warning("Rasa at %s is not ready; the embedded engine answers until it is", engine.url)
    return engine


def wait_until_ready(engine: RasaEngine, seconds: float, interval: float = 0.5) -> bool:
    """Poll `/status` until the server has a model, or give up after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if engine.ready():
            return True
        time.sleep(interval)
    return engine.ready()

"""A messaging platform on loopback, for the webhook benchmarks (#18): `python -m bench.platforms
telegram|zalo PORT`, in its own process.

It serves the platform's API with the test suite's fakes (tests/fake_telegram.py,
tests/fake_zalo.py: the documented contracts the channels are tested against, strict about
what a reply may contain), and is also the load generator: `POST /bench/run` sends updates to
the server's webhook as the platform would and waits for each reply to come back through the
API, so the time measured is from update in to reply out. (The fakes live in tests/ because the
suite uses them; the benchmark reuses them rather than keeping a looser copy of the contract.)

Which reply answers which update:
- Zalo replies by `recipient.message_id`: the first reply to an event's `msg_id` is its answer.
- Telegram replies in a private chat name only the chat. Each simulated person waits for the
  answer before writing again, and every text answer starts with "typing…" (sendChatAction);
  so the first sendMessage after a chat action answers that chat's oldest waiting update, and
  the further parts of a long answer (sent before the next "typing…") are not counted again.

Modes: `closed` (`concurrency` people, each writes, waits for the answer, writes again, until
`duration` seconds or `max_updates`) and `burst` (`count` updates from as many people at
once, as fast as `concurrency` connections allow; then every refused one is sent again after
its `Retry-After`, as the platform does, until all are taken; every accepted one must be
answered). Prints nothing; `/bench/run` answers one JSON object.
"""

from __future__ import annotations

import asyncio
import collections
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from bench.measure import summary_ms
from tests.fake_telegram import FakeTelegram, message_update
from tests.fake_zalo import FakeZalo, signed

REPLY_TIMEOUT = 60.0  # an update still unanswered after this long counts as unanswered
REQUEST_TIMEOUT = 30.0
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_PATH = "/webhooks/telegram"
ZALO_PATH = "/webhooks/zalo"
FIRST_CHAT = 20_000_000


@dataclass
class Replies:
    """Waiters for answers, resolved by what the platform's API receives."""

    waiting: dict[str, collections.deque[asyncio.Future[float]]] = field(
        default_factory=lambda: collections.defaultdict(collections.deque)
    )
    typing: set[str] = field(default_factory=set)  # Telegram chats whose "typing…" came last
    answered: int = 0
    extra_parts: int = 0  # further messages of an answer already counted
    unmatched: int = 0  # a first part with nobody waiting (a mismatch, should stay 0)

    def expect(self, key: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[key].append(future)
        return future

    def reply(self, key: str) -> None:
        queue = self.waiting.get(key)
        while queue:
            future = queue.popleft()
            if not future.done():
                future.set_result(time.perf_counter())
                self.answered += 1
                return
        self.unmatched += 1

    # Telegram: an answer starts with "typing…", then one or more messages
    def chat_action(self, chat: str) -> None:
        self.typing.add(chat)

    def chat_message(self, chat: str) -> None:
        if chat in self.typing:
            self.typing.discard(chat)
            self.reply(chat)
        else:
            self.extra_parts += 1


class BenchTelegram(FakeTelegram):
    def __init__(self, replies: Replies) -> None:
        super().__init__()
        self.replies = replies

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        result = super()._api_sendChatAction(params)
        self.replies.chat_action(str(params.get("chat_id")))
        return result

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = super()._api_sendMessage(params)
        self.replies.chat_message(str(params.get("chat_id")))
        return result


class BenchZalo(FakeZalo):
    def __init__(self, replies: Replies) -> None:
        super().__init__()
        self.replies = replies
        self._answered_ids: set[str] = set()
        self.app = Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self._counted_send, methods=["POST"]),
                Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
            ]
        )

    async def _counted_send(self, request: Request) -> JSONResponse:
        response = await self._send(request)
        try:
            body = json.loads(await request.body())
            answer = json.loads(bytes(response.body))
        except ValueError:
            return response
        msg_id = str((body.get("recipient") or {}).get("message_id") or "")
        if answer.get("error") == 0 and msg_id:
            if msg_id in self._answered_ids:
                self.replies.extra_parts += 1
            else:
                self._answered_ids.add(msg_id)
                self.replies.reply(msg_id)
        return response


@dataclass(frozen=True, slots=True)
class Built:
    path: str
    body: bytes
    headers: dict[str, str]
    key: str

    async def post(self, client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(self.path, content=self.body, headers=self.headers)


class Platform:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.replies = Replies()
        self.fake: BenchTelegram | BenchZalo = (
            BenchTelegram(self.replies) if kind == "telegram" else BenchZalo(self.replies)
        )
        self.app = Starlette(
            routes=[
                Route("/bench/run", self.run_endpoint, methods=["POST"]),
                Route("/bench/stats", self.stats_endpoint, methods=["GET"]),
                Mount("/", app=self.fake.app),
            ]
        )

    async def stats_endpoint(self, request: Request) -> JSONResponse:
        if isinstance(self.fake, BenchTelegram):
            calls = collections.Counter(c.method for c in self.fake.calls)
        else:
            calls = collections.Counter({"send": len(self.fake.sent)})
        return JSONResponse(dict(calls))

    async def run_endpoint(self, request: Request) -> Response:
        config = json.loads(await request.body())
        mode = config.get("mode", "closed")
        result = await (self.closed(config) if mode == "closed" else self.burst(config))
        return JSONResponse(result)

    # ------------------------------------------------------------------ one update
    def build(self, config: dict[str, Any], n: int, text: str) -> Built:
        """Person `n`'s update with `text`, as the platform would POST it (kept, so that a
        resend is the same update), and the key its reply is known by."""
        if isinstance(self.fake, BenchZalo):
            user = f"7{FIRST_CHAT + n:018d}"
            payload = self.fake.incoming("user_send_text", user, text=text)
            body, headers = signed(payload)
            return Built(ZALO_PATH, body, headers, str(payload["message"]["msg_id"]))
        chat = FIRST_CHAT + n
        update = message_update(text, user_id=chat)
        headers = {
            "content-type": "application/json",
            TELEGRAM_SECRET_HEADER: str(config.get("secret", "")),
        }
        body = json.dumps(update, ensure_ascii=False).encode()
        return Built(TELEGRAM_PATH, body, headers, str(chat))

    # ------------------------------------------------------------------ closed loop
    async def closed(self, config: dict[str, Any]) -> dict[str, Any]:
        url: str = config["url"]
        concurrency = int(config["concurrency"])
        duration = float(config["duration"])
        max_updates = int(config["max_updates"])
        warm_up = int(config.get("warm_up", 0))
        texts = [t for t in config["texts"] if t.strip()]  # platforms deliver no empty text
        statuses: collections.Counter[str] = collections.Counter()
        errors: collections.Counter[str] = collections.Counter()
        latencies: list[float] = []
        unanswered = 0
        taken = 0
        answered_before = self.replies.answered
        extra_before = self.replies.extra_parts

        async def one(client: httpx.AsyncClient, person: int, record: bool) -> None:
            nonlocal taken, unanswered
            text = texts[taken % len(texts)]
            taken += 1
            built = self.build(config, person, text)
            # waiting before posting: the answer may come back before the 200 does
            waiter = self.replies.expect(built.key)
            started = time.perf_counter()
            try:
                response = await built.post(client)
            except httpx.HTTPError as exc:
                waiter.cancel()
                if record:
                    errors[type(exc).__name__] += 1
                return
            if record:
                statuses[str(response.status_code)] += 1
            if response.status_code != 200:
                waiter.cancel()
                return
            try:
                replied = await asyncio.wait_for(waiter, REPLY_TIMEOUT)
            except TimeoutError:
                if record:
                    unanswered += 1
                return
            if record:
                latencies.append((replied - started) * 1000)

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT)
            for _ in range(concurrency)
        ]
        first_person = int(config.get("first_person", 0))
        try:
            await asyncio.gather(
                *(one(clients[n % concurrency], first_person + n, False) for n in range(warm_up))
            )
            answered_before = self.replies.answered
            extra_before = self.replies.extra_parts
            deadline = time.monotonic() + duration
            done = 0

            async def person(index: int) -> None:
                nonlocal done
                while time.monotonic() < deadline and done < max_updates:
                    done += 1
                    await one(clients[index], first_person + index, True)

            started = time.perf_counter()
            cpu_started = time.process_time()
            await asyncio.gather(*(person(i) for i in range(concurrency)))
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        finally:
            for client in clients:
                await client.aclose()
        sent = sum(statuses.values())
        return {
            "mode": "closed",
            "concurrency": concurrency,
            "updates": sent,
            "statuses": dict(sorted(statuses.items())),
            "errors": dict(errors),
            "answered": len(latencies),
            "unanswered_within_s": {str(REPLY_TIMEOUT): unanswered},
            "seconds": round(seconds, 3),
            "replies_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "update_to_reply_ms": summary_ms(latencies),
            "answers_counted": self.replies.answered - answered_before,
            "further_parts": self.replies.extra_parts - extra_before,
            "unmatched_replies": self.replies.unmatched,
            "platform_cpu_ms_per_update": round(cpu / sent * 1000, 3) if sent else None,
        }

    # ------------------------------------------------------------------ past the bound
    async def burst(self, config: dict[str, Any]) -> dict[str, Any]:
        url: str = config["url"]
        count = int(config["count"])
        concurrency = int(config["concurrency"])
        texts = [t for t in config["texts"] if t.strip()]
        first_person = int(config.get("first_person", 100_000))
        # the longest wait honoured before resending (a test's shortcut; None: Retry-After)
        cap = config.get("retry_after_cap")
        built = {
            n: self.build(config, first_person + n, texts[n % len(texts)]) for n in range(count)
        }
        first_statuses: collections.Counter[str] = collections.Counter()
        retry_after: collections.Counter[str] = collections.Counter()
        deliveries = 0
        rounds = 0
        waiters: dict[int, asyncio.Future[float]] = {}
        sent_at: dict[int, float] = {}
        accepted_first: list[int] = []
        pending = list(range(count))
        queue: asyncio.Queue[int] = asyncio.Queue()
        started = time.perf_counter()

        async def deliver(client: httpx.AsyncClient, n: int, first: bool) -> float | None:
            """Posts update n; the seconds to wait before sending it again, or None if taken."""
            nonlocal deliveries
            deliveries += 1
            waiter = self.replies.expect(built[n].key)  # before posting: see `closed`
            began = time.perf_counter()
            try:
                response = await built[n].post(client)
            except httpx.HTTPError:
                waiter.cancel()
                return 1
            if first:
                first_statuses[str(response.status_code)] += 1
            if response.status_code == 200:
                if n in waiters:  # taken before (a resend after a lost 200): one answer
                    waiter.cancel()
                else:  # the delivery that was taken: the clock starts here
                    sent_at[n] = began
                    waiters[n] = waiter
                if first:
                    accepted_first.append(n)
                return None
            waiter.cancel()
            header = response.headers.get("retry-after")
            retry_after["with Retry-After" if header else "without Retry-After"] += 1
            try:
                return max(0.0, float(header)) if header else 1.0
            except ValueError:
                return 1.0

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT)
            for _ in range(concurrency)
        ]

        async def worker(
            client: httpx.AsyncClient, first: bool, refused: list[tuple[int, float]]
        ) -> None:
            while not queue.empty():
                n = queue.get_nowait()
                wait = await deliver(client, n, first)
                if wait is not None:
                    refused.append((n, wait))

        send_seconds = 0.0
        try:
            while pending and rounds < 50:
                first = rounds == 0
                for n in pending:
                    queue.put_nowait(n)
                refused: list[tuple[int, float]] = []
                await asyncio.gather(*(worker(c, first, refused) for c in clients))
                if first:
                    send_seconds = time.perf_counter() - started
                rounds += 1
                pending = sorted(n for n, _ in refused)
                if pending:  # the platform resends after Retry-After
                    wait = max(w for _, w in refused)
                    await asyncio.sleep(wait if cap is None else min(wait, float(cap)))
        finally:
            for client in clients:
                await client.aclose()

        async def settled(n: int) -> float | None:
            try:
                return await asyncio.wait_for(waiters[n], REPLY_TIMEOUT * 3)
            except TimeoutError:
                return None

        answered_at = dict(
            zip(waiters, await asyncio.gather(*(settled(n) for n in waiters)), strict=True)
        )
        done = [t for t in answered_at.values() if t is not None]
        acknowledged_first = [n for n in accepted_first if answered_at.get(n) is not None]
        return {
            "mode": "burst",
            "updates": count,
            "concurrency": concurrency,
            "first_delivery": dict(sorted(first_statuses.items())),
            "first_delivery_seconds": round(send_seconds, 3),
            "refusals": dict(retry_after),
            "deliveries": deliveries,
            "resend_rounds": rounds - 1,
            "taken_in_the_end": len(waiters),
            "answered": len(done),
            "accepted_first_time_answered": f"{len(acknowledged_first)}/{len(accepted_first)}",
            "acknowledged_not_answered": len(waiters) - len(done),
            "seconds_to_answer_all": round(max(done) - started, 3) if done else None,
            "update_to_reply_ms": summary_ms(
                [(at - sent_at[n]) * 1000 for n, at in answered_at.items() if at is not None]
            ),
        }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("telegram", "zalo"):
        print("usage: python -m bench.platforms telegram|zalo PORT", file=sys.stderr)
        return 2
    platform = Platform(argv[0])
    uvicorn.run(platform.app, host="127.0.0.1", port=int(argv[1]), log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

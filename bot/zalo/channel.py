"""The Zalo channel over the core: verified events in, `Assistant` replies out through the OA API.

The webhook (`bot.zalo.webhook`) only verifies and calls `accept()`, which checks freshness,
commits the event to the durable inbox (`handlers.inbox`: keyed by `event_name:msg_id`, so a
resent event, to this or any other worker, is answered once) and puts it on a bounded queue;
Zalo has its 200 once the event is on disk. A worker marks the inbox row answered; what a
killed process acknowledged and never answered is answered after a restart (or by another
worker, once that process's lease runs out). Workers take
events off the queue: one person's events are answered in the order they came (a second
event waits behind the first), different people's side by side. `stop()` stops accepting
(Zalo resends what gets 503), then answers everything already accepted before returning.

What gets an answer:
- `user_send_text` (and `anonymous_send_text`): a keyword ("xóa", "khẩn cấp"...) is the
  core's command; the title of a button the bot sent is that button's payload; anything
  else goes to `Assistant.handle`.
- `follow`: the welcome (`/start`).
- images, stickers, files, voice, video, locations, links, business cards: a short answer
  that the bot reads only text, with 111 and a call button (an image's caption is answered).
- Everything else (`unfollow`, `user_seen_message`, the OA's own `oa_send_*` echoes,
  `user_click_button`, ...): acknowledged and counted, nothing sent.

Replies go out as replies to the user's message (`recipient.message_id`), which is what keeps
them inside Zalo's free reply window: up to 8 replies within 48 h of the user's last message,
the count starting again with each new message; a message sent by `user_id` alone counts as
proactive (quota or paid). So every part of an answer is sent by `message_id`, up to
`REPLIES_PER_MESSAGE` = 8 parts (answers are one or two parts); only a part beyond that, or a
message with no user message to answer (the welcome after `follow`), goes by `user_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import sqlite3
import time
import unicodedata
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import intake
from bot.courier import Courier
from bot.zalo import texts
from bot.zalo.client import SendResult, ZaloClient
from bot.zalo.render import render
from bot.zalo.signature import signed_field
from handlers.admission import always_admitted
from handlers.commands import command_for, command_for_payload
from handlers.inbox import Inbox, Item
from handlers.inbox import Verdict as Intake
from handlers.models import APOLOGY_TEXT, CALL_111, IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.ratelimit import SLOW_DOWN_TEXT, RateLimiter, Verdict
from handlers.reading import MessageReading
from handlers.shared import Record, SharedState

log = logging.getLogger(__name__)

CHANNEL = "zalo"

TEXT_EVENTS = frozenset({"user_send_text", "anonymous_send_text"})
FOLLOW_EVENT = "follow"
REPLIES_PER_MESSAGE = 8

# Freshness: Zalo resends an event it got no 200 for (for up to 12 h, by one account), so an
# event may legitimately be hours old; older than a day it is a replay or too late to answer
# (replies close after 48 h). Up to 10 minutes ahead is clock skew. A signed event outside the
# window gets 200 (an error would only make Zalo resend it) and is dropped, counted as stale.
MAX_EVENT_AGE_SECONDS = 24 * 3600
MAX_CLOCK_SKEW_SECONDS = 600
DEDUPE_TTL_SECONDS = MAX_EVENT_AGE_SECONDS + MAX_CLOCK_SKEW_SECONDS
DEDUPE_MAX_ENTRIES = 50_000

BUTTON_SPACE = "zalo-buttons"
QUEUE_SIZE = 1000
WORKERS = 8
DRAIN_TIMEOUT_SECONDS = 120.0
KEEPER_IDLE_SECONDS = 6 * 3600.0
KEEPER_RETRY_SECONDS = (60.0, 300.0, 900.0, 3600.0)

# Counter names that mean something went wrong (the shutdown summary is then a warning).
TROUBLE = ("not_delivered", "failed", "error:", "gave_up", "http:", "queue_full", "stale")

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Event:
    """The part of a webhook event the channel acts on (ids stay strings: 64-bit numbers)."""

    name: str
    user: str
    msg_id: str | None = None
    text: str | None = None
    inbox_key: str | None = None  # its row in the durable inbox, marked done once answered


def parse_event(payload: dict[str, Any]) -> Event | None:
    """The event to act on, or None for one that is only acknowledged."""
    name = payload.get("event_name")
    if not isinstance(name, str):
        return None
    if name == FOLLOW_EVENT:
        user = _id(payload.get("follower")) or _id(payload.get("sender"))
        return Event(name, user) if user else None
    if name not in TEXT_EVENTS and name not in texts.MEDIA_NAMES:
        return None
    user = _id(payload.get("sender"))
    message = payload.get("message")
    if not user or not isinstance(message, dict):
        return None
    msg_id = message.get("msg_id")
    text = message.get("text")
    return Event(
        name,
        user,
        msg_id=str(msg_id) if isinstance(msg_id, str | int) and str(msg_id) else None,
        text=text if isinstance(text, str) else None,
    )


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        raw = value.get("id")
        if isinstance(raw, str) and raw.strip():
            return raw.strip()
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)
    return None


def event_time(payload: dict[str, Any]) -> float | None:
    """The event's `timestamp` in epoch seconds (Zalo sends milliseconds as a string)."""
    raw = signed_field(payload.get("timestamp"))
    if raw is None or not raw.isdigit():
        return None
    value = int(raw)
    return value / 1000 if value >= 100_000_000_000 else float(value)  # ms, or plain seconds


class SeenEvents:
    """Event keys (Zalo's `msg_id`) seen recently: bounded in count and in time."""

    def __init__(
        self,
        ttl: float = DEDUPE_TTL_SECONDS,
        max_entries: int = DEDUPE_MAX_ENTRIES,
        clock: Clock = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def add(self, key: str) -> bool:
        """Remember `key`; False if it was already there (a resent event)."""
        now = self.clock()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at < self.ttl and len(self._seen) < self.max_entries:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    def discard(self, key: str) -> None:
        self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)


class ButtonMemory:
    """For each user (hashed key), what tapping each of the bot's recent buttons sends back
    (the button's title) and the core payload it stands for. In the shared store when given
    (every worker knows every worker's buttons), else in memory; bounded either way."""

    def __init__(
        self,
        ttl: float,
        per_user: int = 24,
        max_users: int = 20_000,
        clock: Clock = time.monotonic,
        shared: SharedState | None = None,
    ) -> None:
        self.shared = shared
        self.ttl = ttl
        self.per_user = per_user
        self.max_users = max_users
        self.clock = clock
        self._users: OrderedDict[str, tuple[float, OrderedDict[str, str]]] = OrderedDict()

    def remember(self, user_key: str, queries: dict[str, str]) -> None:
        if not queries:
            return
        if self.shared is not None:

            def merge(old: Record | None) -> tuple[Record, None]:
                known = {str(k): str(v) for k, v in ((old or {}).get("known") or {}).items()}
                for text, payload in queries.items():
                    known.pop(text, None)
                    known[text] = payload
                return {"known": dict(list(known.items())[-self.per_user :])}, None

            try:
                self.shared.update(BUTTON_SPACE, user_key, merge, self.ttl)
            except Exception:
                log.exception("zalo: could not remember the buttons sent")
            return
        _, known = self._users.pop(user_key, (0.0, OrderedDict()))
        for text, payload in queries.items():
            known.pop(text, None)
            known[text] = payload
        while len(known) > self.per_user:
            known.popitem(last=False)
        self._users[user_key] = (self.clock(), known)
        while len(self._users) > self.max_users:
            self._users.popitem(last=False)

    def payload_for(self, user_key: str, text: str) -> str | None:
        if self.shared is not None:
            try:
                record = self.shared.get(BUTTON_SPACE, user_key) or {}
            except Exception:
                log.exception("zalo: could not read the buttons sent")
                return None
            found = (record.get("known") or {}).get(unicodedata.normalize("NFC", text).strip())
            return found if isinstance(found, str) else None
        entry = self._users.get(user_key)
        if entry is None:
            return None
        at, known = entry
        if self.clock() - at > self.ttl:
            del self._users[user_key]
            return None
        return known.get(unicodedata.normalize("NFC", text).strip())

    def forget(self, user_key: str) -> None:
        if self.shared is not None:
            with contextlib.suppress(Exception):
                self.shared.delete(BUTTON_SPACE, user_key)
        self._users.pop(user_key, None)

    def __len__(self) -> int:
        return len(self._users)


class ZaloChannel:
    def __init__(
        self,
        assistant: Assistant,
        client: ZaloClient,
        *,
        queue_size: int = QUEUE_SIZE,
        workers: int = WORKERS,
        clock: Clock = time.time,
        button_ttl: float = 6 * 3600,
        drain_timeout: float = DRAIN_TIMEOUT_SECONDS,
        keep_tokens_fresh: bool = True,
        limiter: RateLimiter | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.assistant = assistant
        self.client = client
        self.limiter = limiter if limiter is not None else RateLimiter(0)  # off unless given
        self.clock = clock
        self.seen = SeenEvents()  # without an inbox (tests, tools): this process only
        self.inbox = inbox
        self.buttons = ButtonMemory(ttl=button_ttl, shared=assistant.state.shared)
        self.accepting = False
        self.drain_timeout = drain_timeout
        self.keep_tokens_fresh = keep_tokens_fresh
        self._queue_size = queue_size
        self._worker_count = workers
        self._queue: asyncio.Queue[Event] | None = None
        self._lanes: dict[str, deque[Event]] = {}
        self._pending = 0  # accepted and not yet answered: queued, waiting in a lane, or in hand
        self._tasks: list[asyncio.Task[None]] = []
        self._counters: Counter[str] = Counter()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._queue = asyncio.Queue()  # bounded by `_pending` (intake) and the inbox (recovery)
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"zalo-worker-{n}")
            for n in range(self._worker_count)
        ]
        if self.inbox is not None:  # what a killed process acknowledged and never answered
            await intake.recover(self.inbox, CHANNEL, self._enqueue_item)
            self._tasks.append(
                asyncio.create_task(
                    intake.keep(self.inbox, CHANNEL, self._enqueue_item), name="zalo-inbox"
                )
            )
        if self.keep_tokens_fresh:
            self._tasks.append(asyncio.create_task(self._token_keeper(), name="zalo-tokens"))
        if self.assistant.handoff is not None:
            courier = Courier(self.assistant.handoff, CHANNEL, self.send_for_counsellor)
            self._tasks.append(asyncio.create_task(courier.run(), name="zalo-courier"))
        self.accepting = True
        log.info("zalo: channel running")

    async def stop(self) -> None:
        """Stop accepting, answer everything already accepted, then release the client."""
        self.accepting = False
        if self._queue is not None:
            try:
                await asyncio.wait_for(self._queue.join(), self.drain_timeout)
            except TimeoutError:
                log.error(
                    "zalo: %d accepted events still unanswered after %.0f s; stopping anyway",
                    self._pending,
                    self.drain_timeout,
                )
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.client.aclose()
        stats = self.stats()
        troubled = any(any(mark in name for mark in TROUBLE) for name in stats)
        log.log(logging.WARNING if troubled else logging.INFO, "zalo: stopped; %s", stats)

    def stats(self) -> dict[str, int]:
        """The channel's counters plus the API client's (prefixed "api.")."""
        merged = dict(self._counters)
        merged.update({f"api.{name}": value for name, value in self.client.stats().items()})
        return dict(sorted(merged.items()))

    # ------------------------------------------------------------------ intake
    def accept(self, payload: dict[str, Any], body: bytes) -> int:
        """Take a verified event; the HTTP status to answer Zalo with."""
        if not self.accepting or self._queue is None:
            return 503  # starting or stopping: Zalo sends it again
        name = payload.get("event_name")
        name_key = name if isinstance(name, str) and re.fullmatch(r"[a-z_]{1,40}", name) else "?"
        at = event_time(payload)
        now = self.clock()
        if at is None or now - at > MAX_EVENT_AGE_SECONDS or at - now > MAX_CLOCK_SKEW_SECONDS:
            self._counters["stale"] += 1
            log.warning("zalo: event outside the time window dropped (%s)", name_key)
            return 200
        event = parse_event(payload)
        if event is None:
            self._counters[f"ignored:{name_key}"] += 1
            return 200
        key = event.msg_id or "body:" + hashlib.sha256(body).hexdigest()
        event_key = f"{event.name}:{key}"
        if self._pending >= self._queue_size:  # the queue and the lanes together
            self._counters["queue_full"] += 1
            log.warning("zalo: queue full; event refused with 503 (Zalo will resend it)")
            return 503
        if self.inbox is None:
            if not self.seen.add(event_key):
                self._counters["duplicate"] += 1
                return 200
        else:
            try:
                verdict = self.inbox.accept(CHANNEL, event_key, body.decode("utf-8", "replace"))
            except sqlite3.Error as exc:  # not on disk: Zalo must send it again
                self._counters["inbox_error"] += 1
                log.error("zalo: could not commit an event to the inbox: %s", exc)
                return 503
            if verdict is Intake.DUPLICATE:
                self._counters["duplicate"] += 1
                return 200
            if verdict is Intake.FULL:
                self._counters["queue_full"] += 1
                log.warning("zalo: inbox full; event refused with 503 (Zalo will resend it)")
                return 503
            event = dataclasses.replace(event, inbox_key=event_key)
        self._queue.put_nowait(event)  # never full: _pending bounds it
        self._pending += 1
        self._counters["accepted"] += 1
        return 200

    async def _enqueue_item(self, item: Item) -> None:
        """An event from the inbox (accepted earlier, perhaps by a process now gone)."""
        assert self._queue is not None
        try:
            payload = json.loads(item.body)
        except ValueError:
            payload = None
        event = parse_event(payload) if isinstance(payload, dict) else None
        if event is None:
            assert self.inbox is not None
            self.inbox.done(CHANNEL, item.key)
            return
        self._queue.put_nowait(dataclasses.replace(event, inbox_key=item.key))
        self._pending += 1
        self._counters["recovered"] += 1

    async def _worker(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            event = await queue.get()
            lane = self._lanes.get(event.user)
            if lane is not None:  # this person's earlier event is being answered: wait behind it
                lane.append(event)
                continue
            lane = self._lanes[event.user] = deque([event])
            try:
                while lane:
                    current = lane.popleft()
                    try:
                        await self.process(current)
                    finally:
                        self._pending -= 1
                        queue.task_done()
                        self._answered(current)
            finally:
                del self._lanes[event.user]

    def _answered(self, event: Event) -> None:
        if self.inbox is not None and event.inbox_key is not None:
            try:
                self.inbox.done(CHANNEL, event.inbox_key)
            except sqlite3.Error as exc:  # answered anyway; a restart may answer it again
                log.warning("zalo: could not mark an event answered: %s", exc)

    # ------------------------------------------------------------------ answering
    async def process(self, event: Event) -> None:
        try:
            if event.name == FOLLOW_EVENT:
                await self._on_follow(event)
            elif event.name in TEXT_EVENTS:
                await self._on_text(event, event.text or "")
            elif event.name in texts.CAPTIONED and (event.text or "").strip():
                await self._on_text(event, event.text or "", note=texts.CAPTION_NOTE)
            else:
                await self._on_media(event)
        except Exception as exc:  # never leave a person without an answer
            self._counters["failed"] += 1
            log.error("zalo: handling %s failed: %s", event.name, type(exc).__name__, exc_info=exc)
            with contextlib.suppress(Exception):
                await self.send(event, APOLOGY_TEXT, [CALL_111])

    async def _on_text(self, event: Event, text: str, note: str = "") -> None:
        key = self.assistant.user_key(CHANNEL, event.user) or ""
        command = command_for(text)
        payload = None if command else self.buttons.payload_for(key, text)
        if command is None:
            command = command_for_payload(payload)
        reading = MessageReading(payload or text)  # read once: admission or the core (#18)
        message = IncomingMessage(reading.text, user=event.user, channel=CHANNEL, reading=reading)
        if await self._held_back(event, key, reading):
            return
        if command is not None:
            reply = await asyncio.to_thread(self.assistant.command, command, message)
        else:
            reply = await asyncio.to_thread(self.assistant.handle, message)
        if self.assistant.handoff is not None and event.msg_id:
            # a counsellor's replies quote the user's latest message: inside the free window
            await asyncio.to_thread(self.assistant.handoff.set_reply_token, key, event.msg_id)
        if reply.kind == "erase" and reply.ok:  # a failed erase keeps the core's "not erased"
            self.buttons.forget(key)
            reply.text = texts.ERASED
        if note:
            reply.text = f"{reply.text}\n\n{note}"
        await self.deliver(event, reply)

    async def _held_back(self, event: Event, key: str, reading: MessageReading) -> bool:
        """Over the user's rate limit: told once, then quiet (`handlers.admission`: danger,
        erase and a request for a person always pass)."""
        verdict = self.limiter.check(key)
        if verdict is Verdict.PASS or await asyncio.to_thread(always_admitted, reading):
            return False
        self._counters["rate_limited"] += 1
        if verdict is Verdict.NOTIFY:
            await self.send(event, SLOW_DOWN_TEXT, [CALL_111])
        return True

    async def _on_follow(self, event: Event) -> None:
        message = IncomingMessage(text="", user=event.user, channel=CHANNEL)
        reply = await asyncio.to_thread(self.assistant.command, "start", message)
        await self.deliver(event, reply)

    async def _on_media(self, event: Event) -> None:
        self._counters[f"media:{event.name}"] += 1
        await self.send(event, texts.media_notice(event.name), [CALL_111])

    async def deliver(self, event: Event, reply: Reply) -> None:
        log.debug("zalo: reply kind=%s intent=%s", reply.kind, reply.intent)
        if reply.kind == "handoff_forwarded":
            return  # passed to the counsellor: the assistant says nothing
        await self.send(event, reply.text, reply.buttons)

    async def send_for_counsellor(self, address: dict[str, str], text: str) -> bool:
        """A counsellor's message (#15), as a reply to the user's latest message so it counts
        against the free reply window (the desk shows what is left of it)."""
        reply_to = address.get("reply_to")
        recipient = {"message_id": reply_to} if reply_to else {"user_id": address["to"]}
        for message in render(text, []).messages:
            result = await self.client.send_message(recipient, message)
            if not result.ok:
                self._note_failure(result)
                return False
        self._counters["counsellor_sent"] += 1
        return True

    async def send(self, event: Event, text: str, buttons: list[Any]) -> bool:
        """Send text (core markup) and buttons as one or more messages; True if all went."""
        rendered = render(text, buttons)
        key = self.assistant.user_key(CHANNEL, event.user) or ""
        self.buttons.remember(key, rendered.queries)
        for index, message in enumerate(rendered.messages):
            result = await self.client.send_message(self._recipient(event, index), message)
            if not result.ok:
                self._note_failure(result)
                return False  # the parts after a refused one would be refused too
        self._counters["replied"] += 1
        return True

    @staticmethod
    def _recipient(event: Event, index: int) -> dict[str, str]:
        if event.msg_id and index < REPLIES_PER_MESSAGE:
            return {"message_id": event.msg_id}
        return {"user_id": event.user}

    def _note_failure(self, result: SendResult) -> None:
        self._counters[f"not_delivered:{result.reason}"] += 1

    # ------------------------------------------------------------------ tokens
    async def _token_keeper(self) -> None:
        """Refresh shortly before expiry even when nobody writes, so the single-use refresh
        token (valid about 3 months) never ages out on a quiet OA. A pair from the
        environment has no known expiry: it is refreshed once at start-up to learn it."""
        failures = 0
        while True:
            due = self.client.refresh_due_in()
            if due is not None and due > 0:
                await asyncio.sleep(min(due, KEEPER_IDLE_SECONDS))
                continue
            if await self.client.refresh(stale_access=self.client.tokens.access_token):
                failures = 0
                if self.client.refresh_due_in() is None:  # Zalo gave no expiry: look later
                    await asyncio.sleep(KEEPER_IDLE_SECONDS)
                continue
            await asyncio.sleep(KEEPER_RETRY_SECONDS[min(failures, len(KEEPER_RETRY_SECONDS) - 1)])
            failures += 1

"""The shapes every channel speaks: one message in, one reply out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from content.audience import Audience as Audience  # re-exported: channels speak it to the core

if TYPE_CHECKING:
    from handlers.reading import MessageReading


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message as a channel hands it to the core. `user` is the raw platform id:
    it is hashed before anything is stored and never leaves the core. `reading`: the text's
    `handlers.reading.MessageReading` when the channel has one (the admission policy read
    it): the core reuses it, so the text is read and triaged once (#18, #19)."""

    text: str
    user: str | None = None
    channel: str = "api"
    audience: Audience | None = None
    reading: MessageReading | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str
    phone: str | None = None  # set for a tap-to-call button


# The tap-to-call button for the national hotline, shown wherever help is offered.
CALL_111 = Button("📞 Gọi 111", "@tel:111", phone="111")
# The one apology (issue #19): what the core answers when it fails, and what a channel sends
# when the core could not be reached at all. Every channel shows this text, never its own.
APOLOGY_TEXT = (
    "Xin lỗi, mình đang gặp trục trặc và chưa trả lời được. "
    "Nếu cần giúp ngay, hãy gọi **111** (miễn phí, 24/7)."
)
# Asks for a person (issue #15): offered on urgent and clarify replies and after two misses.
HANDOFF_BUTTON = Button("💬 Nói chuyện với tư vấn viên", "@cmd:handoff")
# Withdraws a waiting request for a person (shown with the "queued" notice).
CANCEL_HANDOFF_BUTTON = Button("Hủy", "@cmd:handoff_cancel")


@dataclass(frozen=True, slots=True)
class SourceRef:
    doc: str
    ref: str
    title: str = ""
    url: str | None = None  # where the document can be read (web chat links it)


@dataclass(frozen=True, slots=True)
class EraseResult:
    """What an erase did: `ok` only when every store confirmed it (rows gone, state gone).
    `rows` counts the logged rows deleted; `error` says what failed (never user data)."""

    ok: bool
    rows: int = 0
    error: str | None = None


@dataclass(slots=True)
class Reply:
    text: str
    intent: str
    confidence: float
    urgent: bool = False
    answer_id: str | None = None
    sources: list[SourceRef] = field(default_factory=list)
    hotlines: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    engine: str = "embedded"
    audience: Audience = Audience.ANY
    danger: list[str] = field(default_factory=list)
    # answer | clarify | urgent | safety_check | fallback | command | notice | smalltalk |
    # erase | handoff_queued | handoff_unavailable | handoff_forwarded
    kind: str = "answer"
    ok: bool = True  # False when what the reply reports did not work (a failed erase)

    def to_json(self) -> dict[str, Any]:
        """The `childsafe ask` / `POST /api/chat` contract."""
        return {
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "urgent": self.urgent,
            "text": self.text,
            "answer_id": self.answer_id,
            "sources": [
                {"doc": s.doc, "ref": s.ref, "title": s.title, "url": s.url} for s in self.sources
            ],
            "hotlines": list(self.hotlines),
            "buttons": [b.label for b in self.buttons],
            "actions": [asdict(b) for b in self.buttons],
            "engine": self.engine,
            "audience": self.audience.value,
            "danger": list(self.danger),
            "kind": self.kind,
            "ok": self.ok,
        }


@dataclass(slots=True)
class Exchange:
    """Everything the log needs about one message and its reply (raw text: redact first).
    `reading`: the message's reading, made once by the core (#18), for the log's redaction."""

    message: IncomingMessage
    user_key: str | None
    reply: Reply
    latency_ms: float
    reading: MessageReading | None = None

"""The handoff: a person asks for a counsellor, a counsellor on duty takes the chat over.

A case goes waiting → active (claimed) → closed. While a case is open for a user, the core
does not answer them: it forwards what they write to the case (safety triage still reads
every message and raises an alert) and stays silent. The queue is ordered by severity
(urgent first), then by waiting time.

Reply addresses, transcripts and notes are encrypted (`CaseCipher`) before they reach the
store. Staff notes are redacted like the analytics log, so they hold no personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.handoff import texts
from handlers.handoff.crypto import CaseCipher
from handlers.handoff.hours import DutyHours
from handlers.handoff.store import OPEN_STATES, CaseRow, Delivery, HandoffStore

OUTCOMES: dict[str, str] = {
    "advice_given": "Đã tư vấn",
    "referred_111": "Chuyển Tổng đài 111",
    "referred_police": "Chuyển công an",
    "referred_medical": "Chuyển cơ sở y tế",
    "referred_social_work": "Chuyển cán bộ xã hội / trường",
    "no_reply": "Người dùng không trả lời",
    "not_a_case": "Không phải ca cần hỗ trợ",
}
# Outcomes the system sets, never a counsellor.
SYSTEM_OUTCOMES = ("cancelled_by_user", "erased_by_user", "expired")
ZALO_WINDOW_SECONDS = 48 * 3600  # free replies within 48 h of the user's last message
ZALO_FREE_REPLIES = 8  # ... at most 8 of them per user message
DUTY_SHIFT_SECONDS = 12 * 3600  # an "on duty" mark lapses after one long shift
PUSH_CHANNELS = frozenset({"telegram", "zalo"})  # the web chat pulls its updates

Clock = Callable[[], float]


class HandoffError(Exception):
    """A desk action that cannot be done; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    hours: DutyHours
    centre: str
    retention_days: int = 180
    expiry_hours: float = 24.0


@dataclass(frozen=True, slots=True)
class Opened:
    case_id: int
    position: int  # 1 = next; 0 = a counsellor already holds the chat
    new: bool


@dataclass(frozen=True, slots=True)
class Unavailable:
    next_open: str | None
    scheduled: bool


@dataclass(frozen=True, slots=True)
class ChatLine:
    seq: int
    sender: str
    text: str
    at: float
    author: str | None = None
    delivery: str = "none"


@dataclass(frozen=True, slots=True)
class CaseView:
    row: CaseRow
    now: float
    messages: list[ChatLine] = field(default_factory=list)
    notes: list[ChatLine] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        row = self.row
        # waiting: since the request; active: since the user's last unanswered message
        since = row.opened_at if row.state == "waiting" else (row.last_user_at or row.opened_at)
        summary: dict[str, object] = {
            "id": row.id,
            "state": row.state,
            "channel": row.channel,
            "urgent": row.urgent,
            "waiting_s": 0 if row.state == "closed" else int(max(0.0, self.now - since)),
            "counsellor": row.counsellor,
            "alert": row.alert,
            "opened_at": _iso(row.opened_at),
            "outcome": row.outcome,
        }
        if row.channel == "zalo" and row.state != "closed":
            summary["reply_window_s"] = zalo_window_left(row, self.now)
            summary["replies_left"] = max(0, ZALO_FREE_REPLIES - row.replies_since_user)
        return summary

    def detail(self) -> dict[str, object]:
        return {
            **self.summary(),
            "messages": [
                {"from": m.sender, "text": m.text, "at": _iso(m.at), "delivery": m.delivery}
                for m in self.messages
            ],
            "notes": [{"by": n.author, "text": n.text, "at": _iso(n.at)} for n in self.notes],
        }


def _redact_personal_data(text: str) -> str:
    """Notes hold no personal data: redacted like the analytics log."""
    from handlers.redact import redact  # the redactor's tables load on first use

    return redact(text).text


def zalo_window_left(row: CaseRow, now: float) -> int:
    if row.last_user_at is None:
        return 0
    return int(max(0.0, row.last_user_at + ZALO_WINDOW_SECONDS - now))


def _iso(at: float | None) -> str | None:
    if at is None:
        return None
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="seconds")


class HandoffService:
    def __init__(
        self,
        store: HandoffStore,
        cipher: CaseCipher,
        config: HandoffConfig,
        *,
        clock: Clock = time.time,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.cipher = cipher
        self.config = config
        self.clock = clock
        self._redact = redact or _redact_personal_data

    # ------------------------------------------------------------------ availability
    def on_duty(self) -> list[str]:
        return self.store.on_duty(self.clock() - DUTY_SHIFT_SECONDS)

    def hours_open(self) -> bool:
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        return self.config.hours.is_open(now)

    def available(self) -> bool:
        return self.hours_open() and bool(self.on_duty())

    # ------------------------------------------------------------------ the user's side
    def open_case(self, user_key: str) -> CaseRow | None:
        return self.store.open_case(user_key)

    def request(
        self, user_key: str, channel: str, address: str, urgent: bool = False
    ) -> Opened | Unavailable:
        existing = self.store.open_case(user_key)
        if existing is not None:
            return Opened(existing.id, self.position(existing), new=False)
        if not self.available():
            now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
            hours = self.config.hours
            scheduled = hours.always or bool(hours.windows)
            upcoming = hours.describe_next(now) if not self.hours_open() else None
            return Unavailable(upcoming, scheduled)
        address_blob = self.cipher.seal(json.dumps({"to": address}))
        case = self.store.create_case(user_key, channel, address_blob, urgent, self.clock())
        if urgent:
            self.store.add_alert(channel, case.id, "", self.clock())
        return Opened(case.id, self.position(case), new=True)

    def position(self, case: CaseRow) -> int:
        if case.state != "waiting":
            return 0
        queue = [c.id for c in self.store.cases(("waiting",))]
        return queue.index(case.id) + 1 if case.id in queue else 1

    def forward(self, case: CaseRow, text: str, dangers: list[str], urgent: bool) -> None:
        """What the user wrote, into the case; danger raises the counsellor's alert."""
        now = self.clock()
        # the window and the alert first: once the message shows, the case already says so
        self.store.mark_user_message(case.id, urgent, now)
        self.store.add_message(case.id, "user", self.cipher.seal(text), now, None, push=False)
        if urgent:
            self.store.add_alert(case.channel, case.id, ",".join(dangers), now)

    def set_reply_token(self, user_key: str, token: str | None) -> None:
        """The platform's id of the user's latest message (Zalo replies quote it)."""
        case = self.store.open_case(user_key)
        if case is None:
            return
        current = json.loads(self.cipher.open(case.address) or "{}")
        current["reply_to"] = token
        self.store.set_address(case.id, self.cipher.seal(json.dumps(current)))

    def cancel(self, user_key: str) -> bool:
        case = self.store.open_case(user_key)
        if case is None:
            return False
        return self.store.close(case.id, "cancelled_by_user", self.clock()) is not None

    def erase_user(self, user_key: str | None) -> int:
        """/xoa: the case ends and its transcript, notes and reply address are deleted."""
        if not user_key:
            return 0
        return self.store.erase_user(user_key)

    def updates(self, user_key: str, after: int) -> tuple[list[ChatLine], bool]:
        lines = [
            ChatLine(m.seq, m.sender, self.cipher.open(m.body) or "", m.at)
            for m in self.store.user_updates(user_key, max(0, after))
        ]
        return lines, self.store.open_case(user_key) is not None

    def record_alert(self, channel: str, dangers: list[str], case_id: int | None = None) -> None:
        self.store.add_alert(channel, case_id, ",".join(dangers), self.clock())

    # ------------------------------------------------------------------ the desk's side
    def queue(self, include_closed: bool = False) -> list[CaseView]:
        states = (*OPEN_STATES, "closed") if include_closed else OPEN_STATES
        now = self.clock()
        return [CaseView(row, now) for row in self.store.cases(states)]

    def case(self, case_id: int) -> CaseView:
        row = self._get(case_id)
        messages = [
            ChatLine(
                m.seq,
                m.sender,
                self.cipher.open(m.body) or "(không giải mã được)",
                m.at,
                m.author,
                m.delivery,
            )
            for m in self.store.messages(case_id)
        ]
        notes = [
            ChatLine(n.id, "note", self.cipher.open(n.body) or "", n.at, n.author)
            for n in self.store.notes(case_id)
        ]
        return CaseView(row, self.clock(), messages, notes)

    def claim(self, case_id: int, username: str, force: bool = False) -> CaseRow:
        row = self._get(case_id)
        if row.state == "closed":
            raise HandoffError(409, "case is closed")
        if row.state == "active" and row.counsellor == username:
            return row
        if row.state == "active" and not force:
            raise HandoffError(409, f"case is held by {row.counsellor}")
        claimed = self.store.claim(case_id, username, self.clock(), force)
        if claimed is None:
            raise HandoffError(409, "someone else claimed it first")
        if row.state == "waiting":
            self._to_user(claimed, texts.CLAIMED, None)
        return claimed

    def send(self, case_id: int, username: str, text: str, admin: bool = False) -> int:
        text = text.strip()
        if not text:
            raise HandoffError(422, '"text" must not be empty')
        row = self._held(case_id, username, admin)
        if row.channel == "zalo":
            if zalo_window_left(row, self.clock()) <= 0:
                raise HandoffError(409, "Zalo reply window closed (48 h after the user's message)")
            if row.replies_since_user >= ZALO_FREE_REPLIES:
                raise HandoffError(409, "Zalo free replies used up until the user writes again")
        return self._to_user(row, text, username)

    def note(self, case_id: int, username: str, text: str) -> int:
        text = self._redact(text.strip())
        if not text:
            raise HandoffError(422, '"text" must not be empty')
        self._get(case_id)
        return self.store.add_note(case_id, username, self.cipher.seal(text), self.clock())

    def transfer(self, case_id: int, username: str, to: str, admin: bool = False) -> None:
        row = self._held(case_id, username, admin)
        if to == row.counsellor:
            return
        if not self.store.transfer(case_id, None if admin else username, to, self.clock()):
            raise HandoffError(409, "the case changed meanwhile; reload")
        self._to_user(row, texts.TRANSFERRED, None)

    def close(self, case_id: int, username: str, outcome: str, admin: bool = False) -> CaseRow:
        if outcome not in OUTCOMES:
            raise HandoffError(422, f'"outcome" must be one of: {", ".join(OUTCOMES)}')
        row = self._get(case_id)
        if row.state == "active":
            self._held(case_id, username, admin)
        closed = self._close(row, outcome, texts.CLOSED)
        if closed is None:
            raise HandoffError(409, "case is already closed")
        return closed

    def acknowledge_alert(self, case_id: int) -> None:
        self._get(case_id)
        self.store.clear_alert(case_id)

    def set_duty(self, username: str, available: bool) -> None:
        self.store.set_duty(username, available, self.clock())

    def is_on_duty(self, username: str) -> bool:
        return username in self.on_duty()

    # ------------------------------------------------------------------ channels' side
    def take_deliveries(
        self, channel: str, limit: int = 20
    ) -> list[tuple[Delivery, dict[str, str], str]]:
        """Messages for `channel` to send now: (the lease, the decrypted address, the text)."""
        taken = []
        for delivery in self.store.take_deliveries(channel, self.clock(), limit):
            address = json.loads(self.cipher.open(delivery.address) or "{}")
            text = self.cipher.open(delivery.body) or ""
            taken.append((delivery, address, text))
        return taken

    def delivered(self, seq: int, ok: bool, retry_in: float = 5.0) -> None:
        self.store.finish_delivery(seq, ok, self.clock(), retry_in)

    # ------------------------------------------------------------------ housekeeping
    def housekeeping(self) -> dict[str, int]:
        """Close idle cases, drop reply addresses left behind, purge old case records."""
        now = self.clock()
        closed = 0
        for row in self.store.stale_cases(now - self.config.expiry_hours * 3600):
            outcome = "expired" if row.state == "waiting" else "no_reply"
            if self._close(row, outcome, texts.EXPIRED if row.state == "waiting" else texts.CLOSED):
                closed += 1
        dropped = self.store.drop_addresses(now - 3600)
        purged = self.store.purge(now - self.config.retention_days * 86400)
        return {"closed": closed, "addresses_dropped": dropped, "purged": purged}

    def version(self) -> int:
        return self.store.version()

    # ------------------------------------------------------------------ helpers
    def _get(self, case_id: int) -> CaseRow:
        row = self.store.get_case(case_id)
        if row is None:
            raise HandoffError(404, "no such case (it may have been erased by the user)")
        return row

    def _held(self, case_id: int, username: str, admin: bool) -> CaseRow:
        row = self._get(case_id)
        if row.state != "active":
            raise HandoffError(409, f"case is {row.state}: claim it first")
        if row.counsellor != username and not admin:
            raise HandoffError(403, f"case is held by {row.counsellor}")
        return row

    def _to_user(self, row: CaseRow, text: str, author: str | None) -> int:
        sender = "counsellor" if author else "system"
        push = row.channel in PUSH_CHANNELS
        return self.store.add_message(
            row.id, sender, self.cipher.seal(text), self.clock(), author, push
        )

    def _close(self, row: CaseRow, outcome: str, notice: str) -> CaseRow | None:
        # The notice goes into the case before it closes, so a courier still has the address.
        self._to_user(row, notice, None)
        return self.store.close(row.id, outcome, self.clock())

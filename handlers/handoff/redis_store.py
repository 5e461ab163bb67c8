"""The handoff's store in Redis, for deployments on several machines (`CHILDSAFE_REDIS_URL`).

The same `HandoffStore` interface as the SQLite store, over plain Redis types under
`childsafe:handoff:`: a hash per case, message and note, sets of cases by state and by user,
a set of messages waiting for a courier, a counter for every change (the inbox's live
stream). Handoff traffic moves at the speed of people typing, so every change takes one
short Redis lock (`redis-py`'s `Lock`): conditional updates stay as simple, and as safe
against two counsellors claiming at once, as the SQLite store's. Blobs are ciphertext, as in
SQLite. Deleting a case deletes its keys at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from handlers.handoff.store import (
    DELIVERY_LEASE_SECONDS,
    MAX_DELIVERY_ATTEMPTS,
    AlertRow,
    CaseRow,
    Delivery,
    MessageRow,
    NoteRow,
)

PREFIX = "childsafe:handoff"
LOCK_TIMEOUT_SECONDS = 10.0
ALERTS_KEPT = 1000


def _s(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _f(value: Any) -> float | None:
    return None if value in (None, b"") else float(value)


class RedisHandoffStore:
    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        import redis  # only deployments that configure Redis need the client

        # typed loosely: redis-py's stubs type every reply as a union of sync and async results
        self.client: Any = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self.client.ping()

    # ------------------------------------------------------------------ plumbing
    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *(str(p) for p in parts)])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.client.lock(
            self._k("lock"), timeout=LOCK_TIMEOUT_SECONDS, blocking_timeout=LOCK_TIMEOUT_SECONDS
        )
        if not lock.acquire():
            raise TimeoutError("the handoff store is busy (Redis lock)")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                lock.release()

    def _bump(self) -> None:
        self.client.incr(self._k("version"))

    def _case(self, case_id: int | bytes | str) -> CaseRow | None:
        raw = self.client.hgetall(self._k("case", _s(case_id)))
        if not raw:
            return None
        get: dict[str | None, Any] = {_s(k): v for k, v in raw.items()}
        return CaseRow(
            id=int(get["id"]),
            user_key=_s(get["user_key"]) or "",
            channel=_s(get["channel"]) or "",
            state=_s(get["state"]) or "",
            urgent=get.get("urgent") == b"1",
            alert=get.get("alert") == b"1",
            opened_at=float(get["opened_at"]),
            claimed_at=_f(get.get("claimed_at")),
            closed_at=_f(get.get("closed_at")),
            last_activity=float(get["last_activity"]),
            last_user_at=_f(get.get("last_user_at")),
            replies_since_user=int(get.get("replies_since_user", 0)),
            counsellor=_s(get.get("counsellor")),
            outcome=_s(get.get("outcome")),
            address=get.get("address"),
        )

    def _set(self, case_id: int, **fields: Any) -> None:
        values = {k: v for k, v in fields.items() if v is not None}
        if values:
            self.client.hset(self._k("case", case_id), mapping=values)
        gone = [k for k, v in fields.items() if v is None]
        if gone:
            self.client.hdel(self._k("case", case_id), *gone)

    def _move(self, case_id: int, old: str, new: str) -> None:
        self.client.smove(self._k("state", old), self._k("state", new), case_id)

    def _open_of(self, user_key: str) -> CaseRow | None:
        ids = sorted(
            (int(i) for i in self.client.smembers(self._k("user", user_key))), reverse=True
        )
        for case_id in ids:
            case = self._case(case_id)
            if case is not None and case.state in ("waiting", "active"):
                return case
        return None

    # ------------------------------------------------------------------ cases
    def open_case(self, user_key: str) -> CaseRow | None:
        return self._open_of(user_key)

    def create_case(
        self, user_key: str, channel: str, address: bytes, urgent: bool, now: float
    ) -> CaseRow:
        with self._locked():
            existing = self._open_of(user_key)
            if existing is not None:
                return existing
            case_id = int(self.client.incr(self._k("next", "case")))
            self._set(
                case_id, id=case_id, user_key=user_key, channel=channel, state="waiting",
                urgent=int(urgent), alert=0, opened_at=now, last_activity=now,
                last_user_at=now, replies_since_user=1, address=address,
            )  # fmt: skip
            self.client.sadd(self._k("state", "waiting"), case_id)
            self.client.sadd(self._k("user", user_key), case_id)
            self._bump()
        case = self._case(case_id)
        assert case is not None
        return case

    def get_case(self, case_id: int) -> CaseRow | None:
        return self._case(case_id)

    def cases(self, states: tuple[str, ...]) -> list[CaseRow]:
        ids = set()
        for state in states:
            ids |= {int(i) for i in self.client.smembers(self._k("state", state))}
        rows = [c for c in (self._case(i) for i in ids) if c is not None and c.state in states]
        return sorted(rows, key=lambda c: (not c.urgent, c.opened_at, c.id))

    def claim(self, case_id: int, username: str, now: float, force: bool) -> CaseRow | None:
        with self._locked():
            case = self._case(case_id)
            allowed = ("waiting", "active") if force else ("waiting",)
            if case is None or case.state not in allowed:
                return None
            self._set(
                case_id, state="active", counsellor=username,
                claimed_at=case.claimed_at or now, last_activity=now,
            )  # fmt: skip
            self._move(case_id, case.state, "active")
            self._bump()
        return self._case(case_id)

    def transfer(self, case_id: int, holder: str | None, to: str, now: float) -> bool:
        with self._locked():
            case = self._case(case_id)
            if case is None or case.state != "active":
                return False
            if holder is not None and case.counsellor != holder:
                return False
            self._set(case_id, counsellor=to, last_activity=now)
            self._bump()
        return True

    def close(self, case_id: int, outcome: str, now: float) -> CaseRow | None:
        with self._locked():
            case = self._case(case_id)
            if case is None or case.state not in ("waiting", "active"):
                return None
            self._set(
                case_id, state="closed", outcome=outcome, closed_at=now, last_activity=now,
                alert=0, address=None if case.channel == "web" else case.address,
            )  # fmt: skip
            self._move(case_id, case.state, "closed")
            self._bump()
        return self._case(case_id)

    # ------------------------------------------------------------------ messages and notes
    def add_message(
        self, case_id: int, sender: str, body: bytes, now: float, author: str | None, push: bool
    ) -> int:
        seq = int(self.client.incr(self._k("next", "msg")))
        fields: dict[str, Any] = {
            "seq": seq, "case_id": case_id, "sender": sender, "body": body, "at": now,
            "delivery": "pending" if push else "none", "attempts": 0, "next_try": now,
        }  # fmt: skip
        if author:
            fields["author"] = author
        pipe = self.client.pipeline()
        pipe.hset(self._k("msg", seq), mapping=fields)
        pipe.rpush(self._k("msgs", case_id), seq)
        if push:
            pipe.sadd(self._k("pending"), seq)
        pipe.hset(self._k("case", case_id), "last_activity", now)
        pipe.incr(self._k("version"))
        pipe.execute()
        return seq

    def _message(self, seq: Any) -> MessageRow | None:
        raw = self.client.hgetall(self._k("msg", _s(seq)))
        if not raw:
            return None
        get: dict[str | None, Any] = {_s(k): v for k, v in raw.items()}
        return MessageRow(
            int(get["seq"]), int(get["case_id"]), _s(get["sender"]) or "",
            _s(get.get("author")), bytes(get["body"]), float(get["at"]),
            _s(get["delivery"]) or "none",
        )  # fmt: skip

    def messages(self, case_id: int) -> list[MessageRow]:
        seqs = self.client.lrange(self._k("msgs", case_id), 0, -1)
        return [m for m in (self._message(s) for s in seqs) if m is not None]

    def user_updates(self, user_key: str, after: int) -> list[MessageRow]:
        found: list[MessageRow] = []
        for case_id in self.client.smembers(self._k("user", user_key)):
            for seq in self.client.lrange(self._k("msgs", _s(case_id)), 0, -1):
                if int(seq) > after:
                    message = self._message(seq)
                    if message is not None and message.sender in ("counsellor", "system"):
                        found.append(message)
        return sorted(found, key=lambda m: m.seq)[:200]

    def add_note(self, case_id: int, author: str, body: bytes, now: float) -> int:
        note_id = int(self.client.incr(self._k("next", "note")))
        pipe = self.client.pipeline()
        pipe.hset(
            self._k("note", note_id),
            mapping={"id": note_id, "case_id": case_id, "author": author, "body": body, "at": now},
        )
        pipe.rpush(self._k("notes", case_id), note_id)
        pipe.incr(self._k("version"))
        pipe.execute()
        return note_id

    def notes(self, case_id: int) -> list[NoteRow]:
        rows = []
        for note_id in self.client.lrange(self._k("notes", case_id), 0, -1):
            note = self.client.hgetall(self._k("note", _s(note_id)))
            raw: dict[str | None, Any] = {_s(k): v for k, v in note.items()}
            if raw:
                rows.append(
                    NoteRow(
                        int(raw["id"]),
                        int(raw["case_id"]),
                        _s(raw["author"]) or "",
                        bytes(raw["body"]),
                        float(raw["at"]),
                    )
                )
        return rows

    def mark_user_message(self, case_id: int, urgent: bool, now: float) -> None:
        fields: dict[str, Any] = {"last_user_at": now, "last_activity": now}
        fields["replies_since_user"] = 0
        if urgent:
            fields.update(urgent=1, alert=1)
        self.client.hset(self._k("case", case_id), mapping=fields)
        self._bump()

    def set_address(self, case_id: int, address: bytes) -> None:
        with self._locked():
            case = self._case(case_id)
            if case is not None and case.state != "closed":
                self._set(case_id, address=address)

    def clear_alert(self, case_id: int) -> None:
        self.client.hset(self._k("case", case_id), "alert", 0)
        self._bump()

    # ------------------------------------------------------------------ duty and alerts
    def set_duty(self, username: str, available: bool, now: float) -> None:
        self.client.hset(self._k("duty"), username, f"{int(available)}|{now}")
        self._bump()

    def on_duty(self, since: float) -> list[str]:
        names = []
        for name, value in self.client.hgetall(self._k("duty")).items():
            available, _, changed = (_s(value) or "").partition("|")
            if available == "1" and float(changed) >= since:
                names.append(_s(name) or "")
        return sorted(names)

    def add_alert(self, channel: str, case_id: int | None, dangers: str, now: float) -> int:
        alert_id = int(self.client.incr(self._k("next", "alert")))
        fields: dict[str, Any] = {"id": alert_id, "at": now, "channel": channel, "dangers": dangers}
        if case_id is not None:
            fields["case_id"] = case_id
        pipe = self.client.pipeline()
        pipe.hset(self._k("alert", alert_id), mapping=fields)
        pipe.lpush(self._k("alerts"), alert_id)
        pipe.sadd(self._k("alerts", "new"), alert_id)
        pipe.incr(self._k("version"))
        pipe.execute()
        for old in self.client.lrange(self._k("alerts"), ALERTS_KEPT, -1):
            self.client.delete(self._k("alert", _s(old)))
        self.client.ltrim(self._k("alerts"), 0, ALERTS_KEPT - 1)
        return alert_id

    def _alert(self, alert_id: Any) -> AlertRow | None:
        found = self.client.hgetall(self._k("alert", _s(alert_id)))
        raw: dict[str | None, Any] = {_s(k): v for k, v in found.items()}
        if not raw:
            return None
        case = raw.get("case_id")
        return AlertRow(
            int(raw["id"]), float(raw["at"]), _s(raw["channel"]) or "",
            int(case) if case is not None else None, _s(raw["dangers"]) or "",
        )  # fmt: skip

    def alerts(self, since: float) -> list[AlertRow]:
        rows = [self._alert(i) for i in self.client.lrange(self._k("alerts"), 0, 49)]
        return [a for a in rows if a is not None and a.at >= since]

    def take_unnotified_alerts(self) -> list[AlertRow]:
        taken = self.client.spop(self._k("alerts", "new"), 1000) or []
        rows = [self._alert(i) for i in taken]
        return sorted((a for a in rows if a is not None), key=lambda a: a.id)

    # ------------------------------------------------------------------ deliveries
    def take_deliveries(self, channel: str, now: float, limit: int) -> list[Delivery]:
        taken: list[Delivery] = []
        with self._locked():
            for seq in sorted(int(s) for s in self.client.smembers(self._k("pending"))):
                if len(taken) >= limit:
                    break
                key = self._k("msg", seq)
                raw: dict[str | None, Any] = {_s(k): v for k, v in self.client.hgetall(key).items()}
                if not raw:
                    self.client.srem(self._k("pending"), seq)
                    continue
                case = self._case(int(raw["case_id"]))
                if case is None or case.channel != channel or float(raw["next_try"]) > now:
                    continue
                attempts = int(raw["attempts"]) + 1
                self.client.hset(
                    key,
                    mapping={
                        "delivery": "sending",
                        "attempts": attempts,
                        "next_try": now + DELIVERY_LEASE_SECONDS,
                    },
                )
                taken.append(
                    Delivery(seq, case.id, channel, case.address, bytes(raw["body"]), attempts)
                )
        return taken

    def finish_delivery(self, seq: int, ok: bool, now: float, retry_in: float) -> None:
        with self._locked():
            message = self._message(seq)
            if message is None:
                return
            key = self._k("msg", seq)
            attempts = int(self.client.hget(key, "attempts") or 0)
            if ok:
                self.client.hset(key, "delivery", "sent")
                self.client.srem(self._k("pending"), seq)
                self.client.hincrby(self._k("case", message.case_id), "replies_since_user", 1)
            elif attempts >= MAX_DELIVERY_ATTEMPTS:
                self.client.hset(key, "delivery", "failed")
                self.client.srem(self._k("pending"), seq)
            else:
                self.client.hset(key, mapping={"delivery": "pending", "next_try": now + retry_in})
            case = self._case(message.case_id)
            if case is not None and case.state == "closed":
                outstanding = any(
                    m.delivery in ("pending", "sending") for m in self.messages(case.id)
                )
                if not outstanding:
                    self._set(case.id, address=None)
            self._bump()

    # ------------------------------------------------------------------ housekeeping
    def drop_addresses(self, closed_before: float) -> int:
        dropped = 0
        with self._locked():
            for case in self.cases(("closed",)):
                if case.address is not None and (case.closed_at or 0) < closed_before:
                    self._set(case.id, address=None)
                    dropped += 1
        return dropped

    def stale_cases(self, idle_before: float) -> list[CaseRow]:
        return [c for c in self.cases(("waiting", "active")) if c.last_activity < idle_before]

    def erase_user(self, user_key: str) -> int:
        with self._locked():
            ids = [int(i) for i in self.client.smembers(self._k("user", user_key))]
            erased = self._delete_cases(ids)
            self.client.delete(self._k("user", user_key))
            if ids:
                self._bump()
        return erased

    def purge(self, closed_before: float) -> int:
        with self._locked():
            old = [c for c in self.cases(("closed",)) if (c.closed_at or 0) < closed_before]
            for case in old:
                self.client.srem(self._k("user", case.user_key), case.id)
            return self._delete_cases([c.id for c in old])

    def _delete_cases(self, ids: list[int]) -> int:
        erased = 0
        for case_id in ids:
            seqs = self.client.lrange(self._k("msgs", case_id), 0, -1)
            notes = self.client.lrange(self._k("notes", case_id), 0, -1)
            for seq in seqs:
                erased += int(self.client.delete(self._k("msg", _s(seq))))
                self.client.srem(self._k("pending"), seq)
            for note in notes:
                erased += int(self.client.delete(self._k("note", _s(note))))
            self.client.delete(self._k("msgs", case_id), self._k("notes", case_id))
            for state in ("waiting", "active", "closed"):
                self.client.srem(self._k("state", state), case_id)
            erased += int(self.client.delete(self._k("case", case_id)))
        return erased

    def version(self) -> int:
        return int(self.client.get(self._k("version")) or 0)

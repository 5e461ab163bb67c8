"""The core: `Assistant.handle(IncomingMessage) -> Reply`. Every channel calls this.

Order matters: read (nlu.text) → safety triage (never skipped, never dependent on the NLU)
→ commands and buttons → audience → intent → answer. Logging happens last and can
never cost the user the reply.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from content.base import Answer, ContentBase, Deployment, cite, render_text, source_url
from content.bubble import source_line, source_list
from content.places import Gazetteer, default_places
from handlers import dialogue
from handlers.audience import detect_audience, strip_role_statement
from handlers.commands import ERASE_PAYLOAD, command_for
from handlers.followup import for_audience
from handlers.handoff import HandoffService, Opened
from handlers.handoff import texts as handoff_texts
from handlers.handoff.store import CaseRow
from handlers.models import (
    APOLOGY_TEXT,
    CALL_111,
    CANCEL_HANDOFF_BUTTON,
    HANDOFF_BUTTON,
    Audience,
    Button,
    EraseResult,
    Exchange,
    IncomingMessage,
    Reply,
    SourceRef,
)
from handlers.place import deployment_for
from handlers.reading import MessageReading, reading_of
from handlers.safety import Assessment, Danger
from handlers.safety.person import Voice, cannot_call, check_answer, voice_for
from handlers.safety.replies import compose_check, compose_urgent, line_reminder
from handlers.state import ConversationState, StateStore
from handlers.topics import (
    HARM_INTENTS,
    INTENT_FOR_DANGER,
    LABELS,
    LINE_LABELS,
    TOPICAL_INTENTS,
)
from nlu.engine import NLUEngine, NLUResult
from nlu.text import Reading

if TYPE_CHECKING:
    from handlers.requestlog import RequestLog

log = logging.getLogger(__name__)

# Longer messages are read up to here; triage reads all that is read (MAX_READ_CHARS).
MAX_INPUT_CHARS = 8000
PAYLOAD_PREFIX = "@"
DIALOGUE_ENGINE = "dialogue"  # Reply.engine of turns read without the NLU (ok, cảm ơn, Xem thêm)
# A button press exactly as we issued it: our own token, not the user's words, so it is not
# triaged ("@cmd:help" is no cry for help). Anything with free text after it is triaged.
_PAYLOAD_RE = re.compile(r"@(intent|answer|role|cmd|tel|safety):[\w.+-]{1,64}")
ROLE_LABELS = {
    Audience.PARENT: "Tôi là phụ huynh",
    Audience.STUDENT: "Em là học sinh",
    Audience.TEACHER: "Tôi là giáo viên",
}

EraseHook = Callable[[str], int]  # rows erased for a user key; raises when it cannot erase

ERASE_FAILED_TEXT = (
    "Chưa xóa được dữ liệu của bạn: hệ thống đang bận nên việc xóa không thành công. "
    "Bạn thử lại sau ít phút nhé (gõ lại /xoa hoặc “xóa”).\n"
    "Nếu cần giúp ngay, gọi **111** (miễn phí, 24/7)."
)
LogHook = Callable[[Exchange], None]


@dataclass(slots=True)
class Assistant:
    engine: NLUEngine
    content: ContentBase
    deployment: Deployment
    user_key: Callable[[str, str | None], str | None]
    state: StateStore = field(default_factory=StateStore)
    confidence_threshold: float = 0.45
    log_hooks: list[LogHook] = field(default_factory=list)
    erase_hooks: list[EraseHook] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)
    handoff: HandoffService | None = None  # set when CHILDSAFE_HANDOFF is on (issue #15)
    # The anonymized request log, when logging is on: handed to whoever needs it (the staff
    # desk, retention, the app's logged-before-ack path), set by bot.wiring (issue #19).
    request_log: RequestLog | None = None
    places: Gazetteer = field(default_factory=default_places)

    # ------------------------------------------------------------------ entry point
    def handle(self, message: IncomingMessage) -> Reply:
        started = time.perf_counter()
        # read once, triaged at most once: the channel's reading when it has one (#18, #19)
        read_once = reading_of(message.text, message.reading)
        key = self.user_key(message.channel, message.user)
        state = self._load_state(key)
        forwarded = False
        try:
            held = self._held_by_handoff(message, read_once, key, state)
            if held is not None:
                reply, forwarded = held
            else:
                reply = self._handle(message, read_once, state)
        except Exception:  # a reply must always go out; the 111 line is the safe answer
            log.exception("handle() failed")
            reply = self._apology()
        if reply.kind != "erase":  # an erase leaves nothing to save
            self._save_state(key, state)
        latency = (time.perf_counter() - started) * 1000
        # What a user writes to a counsellor belongs to the case record, not the analytics log.
        logged = replace(message, text="", reading=None) if forwarded else message
        shared = None if forwarded else read_once
        for hook in self.log_hooks:
            try:
                hook(Exchange(logged, key, reply, latency, shared))
            except Exception:
                log.exception("log hook failed")
        return reply

    def close(self) -> None:
        """Flush and release what the hooks hold (the request log's writer)."""
        for closer in self.closers:
            try:
                closer()
            except Exception:
                log.exception("closing failed")

    def erase(self, channel: str, user: str | None) -> EraseResult:
        """Forget a user's conversation state and erase their logged rows.

        `ok` only if every store confirmed: a store that is locked, full or unwritable
        makes the whole erase a failure the user is told about (and may retry: erasing
        twice is harmless)."""
        key = self.user_key(channel, user)
        if key is None:
            return EraseResult(ok=True)
        errors: list[str] = []
        try:
            self.state.forget(key)
        except Exception as exc:
            log.exception("erase: forgetting the conversation state failed")
            errors.append(f"state: {type(exc).__name__}")
        erased = 0
        for hook in self.erase_hooks:
            try:
                erased += hook(key)
            except Exception as exc:
                log.exception("erase hook failed")
                errors.append(f"log: {type(exc).__name__}: {exc}"[:200])
        return EraseResult(ok=not errors, rows=erased, error="; ".join(errors) or None)

    # ------------------------------------------------------------------ the steps
    def _load_state(self, key: str | None) -> ConversationState:
        """The conversation so far; a fresh one if the shared store cannot be read (the
        reply still goes out, without context)."""
        try:
            return self.state.get(key)
        except Exception:
            log.exception("conversation state could not be read")
            return ConversationState()

    def _save_state(self, key: str | None, state: ConversationState) -> None:
        try:
            self.state.save(key, state)
        except Exception:
            log.exception("conversation state could not be saved")

    def _handle(
        self, message: IncomingMessage, read_once: MessageReading, state: ConversationState
    ) -> Reply:
        asked, state.asked = state.asked, None  # a question is answered on the next turn only
        state.turn += 1
        reply = self._respond(message, read_once, state, asked)
        dialogue.remember(reply, state)
        return reply

    def _respond(
        self,
        message: IncomingMessage,
        read_once: MessageReading,
        state: ConversationState,
        asked: str | None,
    ) -> Reply:
        text = read_once.text
        norm = read_once.reading
        if _PAYLOAD_RE.fullmatch(norm.canonical):
            return self._payload(norm.canonical[1:], message, state)
        danger = read_once.assessment  # made once: the admission policy's, when it triaged
        if norm.canonical.startswith(PAYLOAD_PREFIX) and not danger.urgent:
            return self._payload(norm.canonical[1:], message, state)
        if (named := command_for(text, norm)) is not None:  # "/xoa", "xóa", "bắt đầu" (#19)
            return self.command(named, message, state)
        if norm.is_empty and not danger.urgent:
            return self._answer_reply(self._required("core.empty"), "out_of_scope", 1.0, state)
        if asked == "safe":  # "Bạn có đang an toàn không?" answered (a button's title too)
            in_danger = check_answer(norm.folded)
            if in_danger or (in_danger is False and not danger.urgent):
                return self._safety_answer(in_danger, message, state)
        picked = self._numbered_choice(norm, state)
        if picked is not None and not danger.urgent:
            return self._payload(picked, message, state)

        folded = norm.folded[:MAX_INPUT_CHARS]
        guess = detect_audience(folded)
        audience = dialogue.update_audience(state, guess, message.audience)
        place = dialogue.update_place(state, folded, self.places)

        if not danger.urgent:
            if guess.explicit and len(strip_role_statement(folded).split()) < 3:
                return self._role_ack(audience, state)
            if place is not None and place.only_place:
                return self._place_ack(state, audience)
            short = dialogue.read_short(folded)
            if short is not None:
                return self._short_turn(short, asked, message, state, audience)

        nlu = self.engine.parse(folded)
        nlu = self._with_context(nlu, state)
        voice = voice_for(audience, folded)
        if danger.urgent:
            if self.handoff is not None:  # counsellors on duty see it; no text, no id
                self.handoff.record_alert(message.channel, [d.value for d in danger.dangers])
            return self._urgent(
                danger.dangers, danger.lines, voice, audience, state, nlu, cannot_call(folded)
            )
        if cannot_call(folded):
            return self._cannot_call(voice, audience, state)
        if danger.level == "check" and asked != "safe" and self._asks_if_safe(voice, nlu):
            return self._safety_check(danger, nlu, voice, audience, norm, state)
        reply = self._understood(nlu, folded, audience, norm, state, message)
        if danger.level == "check":  # not asked twice in a row, but the line stays in view
            self._add_line(reply, danger.dangers, voice, state)
        return reply

    def _understood(
        self,
        nlu: NLUResult,
        folded: str,
        audience: Audience,
        norm: Reading,
        state: ConversationState,
        message: IncomingMessage,
    ) -> Reply:
        """A question: local lines, a follow-up on the topic under way, or a new subject."""
        confident = nlu.confidence >= self.confidence_threshold
        if confident and nlu.intent in ("thanks", "goodbye"):
            short = dialogue.Short.THANKS if nlu.intent == "thanks" else dialogue.Short.BYE
            return self._short_turn(short, None, IncomingMessage(""), state, audience)
        if dialogue.asks_local_line(folded, self.places):
            local = self._required("hotline_info.local")
            # "số tổng đài Hải Phòng": the lines of the place asked about, wherever they live
            named = dialogue.place_asked_about(folded, self.places)
            where = None
            if named is not None:
                where = deployment_for(named.unit.name, named.said, self.deployment, self.places)
            return self._free_text_answer(local, 1.0, folded, audience, state, where=where)
        previous = self.content.get(state.last_answer_id or "")
        if previous is not None and previous.sources and dialogue.asks_for_sources(folded):
            return self._sources_of(previous, folded, state, audience)
        resolved = dialogue.resolve(
            self.content,
            folded,
            state.last_intent,
            nlu.intent,
            nlu.confidence,
            self.confidence_threshold,
            audience,
        )
        if resolved is not None:
            if dialogue.answered_just_now(state, resolved.answer.id):
                return self._answered_above(resolved.answer, folded, state, audience)
            confidence = max(nlu.confidence, self.confidence_threshold)
            reply = self._free_text_answer(resolved.answer, confidence, folded, audience, state)
            reply.engine = nlu.engine
            return reply
        if not confident:
            return self._clarify(nlu, state, audience)
        if nlu.intent == "human_handoff" and self.handoff is not None:
            return self.request_handoff(message, state)
        picked = self.select_answer(nlu.intent, audience, folded)
        if nlu.intent in TOPICAL_INTENTS and dialogue.is_framed(folded):
            carried = dialogue.carry_facet(self.content, nlu.intent, previous, audience)
            if carried is not None and not self._names_a_sub_answer(nlu.intent, audience, folded):
                picked = carried
        chosen = picked or self._required("core.fallback")
        reply = self._free_text_answer(chosen, nlu.confidence, folded, audience, state, nlu.intent)
        reply.engine = nlu.engine
        self._count_miss(state, reply, picked is None)
        return reply

    def _names_a_sub_answer(self, intent: str, audience: Audience, folded: str) -> bool:
        return dialogue.keyword_choice(self.content, intent, audience, folded) is not None

    def _free_text_answer(
        self,
        answer: Answer,
        confidence: float,
        folded: str,
        audience: Audience,
        state: ConversationState,
        intent: str | None = None,
        where: Deployment | None = None,
    ) -> Reply:
        """An answer to a typed question; the same question again gets a pointer to the answer
        above (a long text sent twice helps no one), its next steps and a person."""
        previous = self.content.get(state.last_answer_id or "")
        if previous is not None and previous.topical and dialogue.is_repeat(state, folded):
            return self._repeat(previous, state, audience)
        dialogue.note_question(state, folded)
        return self._answer_reply(
            answer, intent or answer.intent, confidence, state, audience, where=where
        )

    def _with_context(self, nlu: NLUResult, state: ConversationState) -> NLUResult:
        """A short follow-up ("báo cáo thế nào") leans on the topic already under way."""
        if nlu.confidence >= self.confidence_threshold or not state.last_intent:
            return nlu
        for ranked in nlu.ranking[:3]:
            if ranked.intent == state.last_intent and ranked.confidence >= 0.15:
                return NLUResult(ranked.intent, self.confidence_threshold, nlu.ranking, nlu.engine)
        return nlu

    def _topic_reply(
        self,
        intent: str,
        confidence: float,
        audience: Audience,
        folded: str,
        state: ConversationState,
        engine: str,
        message: IncomingMessage | None = None,
    ) -> Reply:
        if intent == "human_handoff" and self.handoff is not None and message is not None:
            return self.request_handoff(message, state)
        answer = self.select_answer(intent, audience, folded)
        missed = answer is None
        if answer is None:
            answer = self._required("core.fallback")
        reply = self._answer_reply(answer, intent, confidence, state, audience=audience)
        reply.engine = engine
        self._count_miss(state, reply, missed)
        return reply

    def select_answer(self, intent: str, audience: Audience, folded: str) -> Answer | None:
        """The sub-answer whose keywords the message names best, else the intent's main one.

        Every matching keyword counts, so content authors weight a specific sub-answer by
        listing nested variants ("tram cam khong", "bi tram cam khong"); ties go to the answer
        for this audience, then to the one listed first.
        """
        best: tuple[int, int, Answer] | None = None
        padded = f" {folded} "
        for answer in self.content.for_intent(intent):
            if not answer.keywords or not answer.serves(audience):
                continue
            hits = sum(1 for k in answer.keywords if f" {k} " in padded)
            if hits:
                exact = int(audience in answer.audiences)
                if best is None or (hits, exact) > (best[0], best[1]):
                    best = (hits, exact, answer)
        if best:
            return best[2]
        fallback_audience = Audience.PARENT if audience is Audience.ANY else audience
        return self.content.main_answer(intent, audience) or self.content.main_answer(
            intent, fallback_audience
        )

    # ------------------------------------------------------------------ reply builders
    def _render(
        self,
        answer: Answer,
        state: ConversationState | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[str, list[SourceRef]]:
        body = self._body(answer, state, extra)
        sources = self._source_refs(answer)
        if sources:
            body += "\n\n" + source_line(answer.sources, self.content.documents)
        return body, sources

    def _source_refs(self, answer: Answer) -> list[SourceRef]:
        docs = self.content.documents
        return [SourceRef(s.doc, s.ref, cite(s, docs), source_url(s, docs)) for s in answer.sources]

    def _body(
        self,
        answer: Answer,
        state: ConversationState | None,
        extra: dict[str, str] | None = None,
        where: Deployment | None = None,
    ) -> str:
        """The answer's text with the placeholders filled for this user's place (or `where`,
        the place a question asks about)."""
        deployment = where or self.deployment
        if state is not None and where is None:
            deployment = deployment_for(
                state.province, state.place_said, self.deployment, self.places
            )
        return render_text(answer.text, deployment, self.content.documents, extra=extra)

    def _buttons(self, answer: Answer) -> list[Button]:
        buttons = []
        for b in answer.buttons:
            if b.goto.startswith("tel:"):
                number = b.goto[4:]
                buttons.append(Button(b.label, f"@tel:{number}", phone=number))
            elif b.goto.startswith(("intent:", "cmd:", "role:")):
                buttons.append(Button(b.label, f"@{b.goto}"))
            else:
                buttons.append(Button(b.label, f"@answer:{b.goto}"))
        return buttons

    def _answer_reply(
        self,
        answer: Answer,
        intent: str,
        confidence: float,
        state: ConversationState,
        audience: Audience = Audience.ANY,
        kind: str = "answer",
        extra: dict[str, str] | None = None,
        where: Deployment | None = None,
    ) -> Reply:
        body = self._body(answer, state, extra, where)
        sources = self._source_refs(answer)
        footer = source_line(answer.sources, self.content.documents)
        body, rest = dialogue.fit_bubble(body, footer)
        state.more = {"text": rest, "answer_id": answer.id, "intent": intent} if rest else {}
        text = f"{body}\n\n{footer}" if footer else body
        if intent in HARM_INTENTS and "111" not in text:
            text += "\n\n☎️ Cần giúp ngay: gọi **111** (miễn phí, 24/7)."
        buttons = self._buttons(answer)
        if rest:
            buttons.insert(0, dialogue.MORE_BUTTON)  # right under the text it continues
        if intent in TOPICAL_INTENTS:
            state.last_intent = intent
        state.last_answer_id = answer.id
        state.pending_options = [b.payload for b in buttons]
        return Reply(
            text=text,
            intent=intent,
            confidence=confidence,
            answer_id=answer.id,
            sources=sources,
            hotlines=self.hotlines_in(text),
            buttons=buttons,
            audience=audience,
            kind=kind,
        )

    def _urgent(
        self,
        dangers: tuple[Danger, ...],
        lines: tuple[str, ...],
        voice: Voice,
        audience: Audience,
        state: ConversationState,
        nlu: NLUResult | None = None,
        cannot_call: bool = False,
    ) -> Reply:
        """The help that fits the danger (its line first) and the person (handlers.safety)."""
        dangers = dangers or (Danger.UNSPECIFIED,)
        composed = compose_urgent(
            self.content,
            lambda answer: self._body(answer, state),
            dangers,
            lines,
            voice,
            cannot_call,
            self.known_lines(),
        )
        buttons = composed.buttons
        topical = (
            nlu is not None
            and nlu.intent in TOPICAL_INTENTS
            and nlu.confidence >= self.confidence_threshold
        )
        intent = nlu.intent if nlu is not None and topical else INTENT_FOR_DANGER[dangers[0]]
        state.last_intent = intent
        state.urgent_at = time.time()
        state.safety_dangers = [d.value for d in dangers]
        state.safety_voice = voice.value
        follow = Button(f"ℹ️ {LABELS.get(intent, intent)}", f"@intent:{intent}")
        if all(b.payload != follow.payload for b in buttons):
            buttons.append(follow)
        if all(b.payload != HANDOFF_BUTTON.payload for b in buttons):
            # right after the call buttons, so a channel that shows few buttons keeps it
            calls = sum(1 for b in buttons if b.phone)
            buttons.insert(calls, HANDOFF_BUTTON)
        state.pending_options = [b.payload for b in buttons]
        return Reply(
            text=composed.text,
            intent=intent,
            confidence=max(nlu.confidence, 0.0) if nlu is not None and topical else 1.0,
            urgent=True,
            answer_id=composed.answer_id,
            sources=composed.sources,
            hotlines=self.hotlines_in(composed.text),
            buttons=buttons,
            engine=nlu.engine if nlu is not None else "button",
            audience=audience,
            danger=[d.value for d in dangers],
            kind="urgent",
        )

    def _asks_if_safe(self, voice: Voice, nlu: NLUResult) -> bool:
        """Whether a "check" assessment asks "Bạn có đang an toàn không?". Not for an adult
        asking about a child, nor for a question plainly about a topic that is no harm (an
        allowance, school fees): those get their answer with the line in view."""
        if voice is Voice.ADULT:
            return False
        confident = nlu.confidence >= self.confidence_threshold
        return not (confident and nlu.intent in TOPICAL_INTENTS and nlu.intent not in HARM_INTENTS)

    def _safety_check(
        self,
        danger: Assessment,
        nlu: NLUResult,
        voice: Voice,
        audience: Audience,
        norm: Reading,
        state: ConversationState,
    ) -> Reply:
        """The honest middle: "Bạn có đang an toàn không?", two answers, the line in view."""
        dangers = danger.dangers or (Danger.UNSPECIFIED,)
        composed = compose_check(
            self.content, lambda answer: self._body(answer, state), dangers, voice
        )
        topical = nlu.intent in TOPICAL_INTENTS and nlu.confidence >= self.confidence_threshold
        intent = nlu.intent if topical else INTENT_FOR_DANGER[dangers[0]]
        topic = self.select_answer(intent, audience, norm.folded[:MAX_INPUT_CHARS])
        state.safety_dangers = [d.value for d in dangers]
        state.safety_voice = voice.value
        state.safety_topic = topic.id if topic else None
        state.pending_options = [b.payload for b in composed.buttons]
        return Reply(
            text=composed.text,
            intent=intent,
            confidence=nlu.confidence,
            answer_id=composed.answer_id,
            hotlines=self.hotlines_in(composed.text),
            buttons=composed.buttons,
            engine=nlu.engine,
            audience=audience,
            danger=[d.value for d in dangers],
            kind="safety_check",
        )

    def _safety_answer(
        self, in_danger: bool, message: IncomingMessage, state: ConversationState
    ) -> Reply:
        """The answer to the safety check: in danger → the urgent reply; else the topic."""
        audience = message.audience or state.role or Audience.ANY
        known = {d.value for d in Danger}
        dangers = tuple(Danger(d) for d in state.safety_dangers if d in known)
        voice = Voice(state.safety_voice) if state.safety_voice in set(Voice) else None
        voice = voice or voice_for(audience, "")
        if in_danger:
            return self._urgent(dangers, (), voice, audience, state)
        topic = self.content.get(state.safety_topic) if state.safety_topic else None
        if topic is None:
            return self._answer_reply(self._required("core.help"), "help", 1.0, state)
        reply = self._answer_reply(topic, topic.intent, 1.0, state, audience=audience)
        return reply

    def _cannot_call(self, voice: Voice, audience: Audience, state: ConversationState) -> Reply:
        """Afraid to call, cannot call or talk: 111's other channels, and keep writing here.
        Right after an urgent reply or check, it is the urgent reply again, with them first."""
        known = {d.value for d in Danger}
        dangers = tuple(Danger(d) for d in state.safety_dangers if d in known)
        if dangers and dialogue.in_crisis(state):  # an urgent reply or check a few turns ago
            return self._urgent(dangers, (), voice, audience, state, cannot_call=True)
        answer = self.content.get(f"urgent.cannot_call.{voice.value}")
        answer = answer or self._required("urgent.cannot_call")
        return self._answer_reply(answer, "hotline_info", 1.0, state, audience=audience)

    def _add_line(
        self, reply: Reply, dangers: tuple[Danger, ...], voice: Voice, state: ConversationState
    ) -> None:
        text, buttons = line_reminder(dangers, voice)
        reply.text += "\n\n" + text
        have = {b.payload for b in reply.buttons}
        reply.buttons = [b for b in buttons if b.payload not in have] + reply.buttons
        reply.hotlines = self.hotlines_in(reply.text)
        state.pending_options = [b.payload for b in reply.buttons]

    def _clarify(self, nlu: NLUResult, state: ConversationState, audience: Audience) -> Reply:
        options = [r.intent for r in nlu.ranking if r.intent in LABELS][:3]
        if not options:
            options = ["report_abuse", "mental_health", "hotline_info"]
        answer = self._required("core.clarify")
        text, _ = self._render(answer)
        buttons = [Button(LABELS[i], f"@intent:{i}") for i in options]
        buttons.append(CALL_111)
        buttons.append(HANDOFF_BUTTON)
        state.pending_options = [b.payload for b in buttons]
        state.misses += 1
        return Reply(
            text=text,
            intent=nlu.intent,
            confidence=nlu.confidence,
            answer_id=answer.id,
            hotlines=self.hotlines_in(text),
            buttons=buttons,
            engine=nlu.engine,
            audience=audience,
            kind="clarify",
        )

    def _role_ack(self, audience: Audience, state: ConversationState) -> Reply:
        answer = self.content.get(f"role.{audience.value}") or self._required("core.help")
        reply = self._answer_reply(answer, "help", 1.0, state, audience=audience, kind="notice")
        return reply

    def _place_ack(self, state: ConversationState, audience: Audience) -> Reply:
        extra = dialogue.place_values(state, self.places)
        answer = self._required("place.noted")
        reply = self._answer_reply(
            answer, "hotline_info", 1.0, state, audience=audience, kind="notice", extra=extra
        )
        reply.engine = DIALOGUE_ENGINE
        return reply

    def _answered_above(
        self, answer: Answer, folded: str, state: ConversationState, audience: Audience
    ) -> Reply:
        """A follow-up the answer just sent already answers ("thủ tục thế nào" right after
        the procedure): the part of it not yet shown, else a pointer to it."""
        dialogue.note_question(state, folded)
        if state.more.get("answer_id") == answer.id and state.more.get("text"):
            return self._more(state, audience)
        return self._repeat(answer, state, audience)

    def _sources_of(
        self, answer: Answer, folded: str, state: ConversationState, audience: Audience
    ) -> Reply:
        """ "cơ sở pháp lý là gì", "điều mấy" right after an answer: its sources in full."""
        dialogue.note_question(state, folded)
        docs = self.content.documents
        listing = self._required_for("core.sources", audience)
        extra = {"answer_title": answer.title, "source_list": source_list(answer.sources, docs)}
        text = self._body(listing, state, extra)
        kept = [b for b in self._buttons(answer) if not b.phone][:2]
        buttons = [*kept, CALL_111]
        reply = self._dialogue_reply(listing, text, buttons, state, audience, kind="answer")
        reply.sources = self._source_refs(answer)
        reply.intent = answer.intent
        return reply

    def _repeat(self, answer: Answer, state: ConversationState, audience: Audience) -> Reply:
        """The same answer again: a pointer to it, its next steps and the offer of a person."""
        pointer = self._required_for("smalltalk.repeat", audience)
        text = self._body(pointer, state, {"answer_title": answer.title})
        buttons = [b for b in self._buttons(answer) if not b.phone][:2]
        buttons += [HANDOFF_BUTTON, CALL_111]
        reply = self._dialogue_reply(answer, text, buttons, state, audience, kind="notice")
        state.asked = "person"
        return reply

    def _short_turn(
        self,
        short: dialogue.Short,
        asked: str | None,
        message: IncomingMessage,
        state: ConversationState,
        audience: Audience,
    ) -> Reply:
        """ "ok", "cảm ơn", "xem thêm", "có", "không": a short reply, never the long one again."""
        if short is dialogue.Short.MORE:
            return self._more(state, audience)
        if asked == "person" and short is dialogue.Short.YES:
            return self._payload("intent:human_handoff", message, state)
        if asked == "more" and short is dialogue.Short.YES:
            return self._small("smalltalk.yes_more", state, audience)
        in_crisis = dialogue.in_crisis(state)
        if short is dialogue.Short.BYE or (short is dialogue.Short.NO and not in_crisis):
            return self._small(
                "smalltalk.bye_after_crisis" if in_crisis else "smalltalk.no_more", state, audience
            )
        if in_crisis:
            # said once: a short word after it, the lines still in view
            said = "smalltalk.still_here" if asked == "after_crisis" else "smalltalk.after_crisis"
            reply = self._small(said, state, audience, lines=state.crisis)
            state.asked = "after_crisis"
            return reply
        if short is dialogue.Short.THANKS:
            reply = self._small("smalltalk.thanks", state, audience)
            state.asked = "more"
            return reply
        reply = self._small("smalltalk.ack", state, audience)
        reply.buttons = dialogue.offered_again(state)
        state.pending_options = [b.payload for b in reply.buttons]
        return reply

    def _small(
        self,
        answer_id: str,
        state: ConversationState,
        audience: Audience,
        lines: list[str] | None = None,
    ) -> Reply:
        answer = self._required_for(answer_id, audience)
        text = self._body(answer, state)
        buttons = self._buttons(answer)
        calls = [n for n in (lines or []) if n in LINE_LABELS]
        if calls:
            text += "\n" + "\n".join(f"• **{n}** – {LINE_LABELS[n]}" for n in calls if n != "111")
            buttons = [Button(f"📞 Gọi {n}", f"@tel:{n}", phone=n) for n in calls[:3]]
        return self._dialogue_reply(
            answer, text.rstrip(), buttons, state, audience, kind="smalltalk"
        )

    def _dialogue_reply(
        self,
        answer: Answer,
        text: str,
        buttons: list[Button],
        state: ConversationState,
        audience: Audience,
        kind: str,
    ) -> Reply:
        """A turn read without the NLU (a repeat, small talk): its buttons become the choices."""
        state.pending_options = [b.payload for b in buttons]
        return Reply(
            text=text,
            intent=answer.intent,
            confidence=1.0,
            answer_id=answer.id,
            hotlines=self.hotlines_in(text),
            buttons=buttons,
            engine=DIALOGUE_ENGINE,
            audience=audience,
            kind=kind,
        )

    def _more(self, state: ConversationState, audience: Audience) -> Reply:
        """The rest of a long reply ("Xem thêm"), itself cut again if it is still long."""
        more = state.more
        if not more.get("text"):
            return self._small("smalltalk.no_more_text", state, audience)
        answer = self.content.get(more.get("answer_id", ""))
        body, rest = dialogue.fit_bubble(more["text"], "")
        state.more = {**more, "text": rest} if rest else {}
        buttons = self._buttons(answer) if answer is not None else []
        if rest:
            buttons.insert(0, dialogue.MORE_BUTTON)
        state.pending_options = [b.payload for b in buttons]
        return Reply(
            text=body,
            intent=more.get("intent", "help"),
            confidence=1.0,
            answer_id=more.get("answer_id"),
            hotlines=self.hotlines_in(body),
            buttons=buttons,
            engine=DIALOGUE_ENGINE,
            audience=audience,
            kind="answer",
        )

    def _apology(self) -> Reply:
        return Reply(
            text=APOLOGY_TEXT,
            intent="out_of_scope",
            confidence=0.0,
            hotlines=["111"],
            buttons=[CALL_111],
            kind="fallback",
        )

    # ------------------------------------------------------------------ buttons, commands
    def _numbered_choice(self, norm: Reading, state: ConversationState) -> str | None:
        """ "2" after a reply with buttons picks the second button (console, Zalo, SMS-style)."""
        choice = re.fullmatch(r"(?:so |chon |cau |cai |muc |nut )?(\d{1,2})", norm.folded)
        if state.pending_options and choice:
            index = int(choice.group(1)) - 1
            if 0 <= index < len(state.pending_options):
                return state.pending_options[index].lstrip(PAYLOAD_PREFIX)
        return None

    def _payload(self, payload: str, message: IncomingMessage, state: ConversationState) -> Reply:
        kind, _, value = payload.partition(":")
        if message.audience:
            state.role, state.role_explicit = message.audience, True
        audience = message.audience or state.role or Audience.ANY
        if kind == "answer" and (answer := self.content.get(value)):
            return self._answer_reply(answer, answer.intent, 1.0, state, audience=audience)
        if kind == "intent" and value in LABELS:
            if value == "human_handoff" and self.handoff is not None:
                return self.request_handoff(message, state)
            if value in TOPICAL_INTENTS:
                return self._topic_reply(value, 1.0, audience, "", state, "button")
            answer = self.content.main_answer(value, audience) or self._required("core.help")
            return self._answer_reply(answer, value, 1.0, state, audience=audience)
        if kind == "role" and value in {a.value for a in ROLE_LABELS}:
            state.role, state.role_explicit = Audience(value), True
            return self._role_ack(state.role, state)
        if kind == "tel" and value:
            answer = self._required("cmd.emergency")
            return self._answer_reply(answer, "hotline_info", 1.0, state, kind="command")
        if kind == "cmd" and value == "more":
            return self._more(state, audience)
        if kind == "cmd":
            return self.command(value, message, state)
        if kind == "safety":
            return self._safety_answer(value == "danger", message, state)
        return self._answer_reply(self._required("core.help"), "help", 1.0, state)

    def command(
        self, name: str, message: IncomingMessage, state: ConversationState | None = None
    ) -> Reply:
        """Channel-independent commands: start, help, role, emergency, privacy, erase, handoff,
        and "not what I asked" (the answers' feedback)."""
        if name == "erase":
            return self.erase_reply(self.erase(message.channel, message.user))
        if state is None:  # called by a channel directly: load, answer, save
            key = self.user_key(message.channel, message.user)
            loaded = self._load_state(key)
            reply = self.command(name, message, loaded)
            self._save_state(key, loaded)
            return reply
        if name == "handoff":
            if self.handoff is not None:
                return self.request_handoff(message, state)
            answer = self._required("human_handoff.main")
            return self._answer_reply(answer, "human_handoff", 1.0, state, kind="command")
        if name == "handoff_cancel":
            return self.cancel_handoff(message)
        if name == "not_what_i_asked":  # the request log marks it for the review queue (#16)
            answer = self._required("core.not_what_i_asked")
            reply = self._answer_reply(answer, "help", 1.0, state, kind="notice")
            if self.handoff is not None:
                reply.buttons.append(HANDOFF_BUTTON)
                state.pending_options.append(HANDOFF_BUTTON.payload)
            return reply
        answer_id = {
            "start": "cmd.start",
            "help": "core.help",
            "role": "cmd.role",
            "emergency": "cmd.emergency",
            "privacy": "cmd.privacy",
        }.get(name, "core.help")
        intent = "hotline_info" if name == "emergency" else "help"
        return self._answer_reply(self._required(answer_id), intent, 1.0, state, kind="command")

    def erase_reply(self, result: EraseResult) -> Reply:
        """The one answer to an erase, for every channel: "đã xóa" only if it worked."""
        if result.ok:
            answer = self._required("cmd.erase")
            reply = self._answer_reply(answer, "help", 1.0, ConversationState(), kind="erase")
            return reply
        return Reply(
            text=ERASE_FAILED_TEXT,
            intent="help",
            confidence=1.0,
            answer_id="cmd.erase_failed",
            hotlines=["111"],
            buttons=[Button("🗑 Thử xóa lại", ERASE_PAYLOAD), CALL_111],
            kind="erase",
            ok=False,
        )

    # ------------------------------------------------------------------ handoff (#15)
    def _count_miss(self, state: ConversationState, reply: Reply, missed: bool) -> None:
        """Two misses in a row (clarify, fallback) offer a counsellor; an answer resets."""
        if not missed:
            state.misses = 0
            return
        state.misses += 1
        if state.misses >= 2 and HANDOFF_BUTTON not in reply.buttons:
            reply.buttons.append(HANDOFF_BUTTON)
            state.pending_options.append(HANDOFF_BUTTON.payload)

    def request_handoff(self, message: IncomingMessage, state: ConversationState) -> Reply:
        """Queue the user for a counsellor on duty, or say honestly when one will be there."""
        key = self.user_key(message.channel, message.user)
        if self.handoff is None or key is None or not message.user:
            answer = self._required("human_handoff.main")
            return self._answer_reply(answer, "human_handoff", 1.0, state, kind="command")
        urgent = state.urgent_at is not None and time.time() - state.urgent_at < 3600
        outcome = self.handoff.request(key, message.channel, message.user, urgent=urgent)
        config = self.handoff.config
        state.pending_options = []
        if isinstance(outcome, Opened):
            if outcome.new:
                text = handoff_texts.queued(config.centre, outcome.position, config.retention_days)
            elif outcome.position:
                text = handoff_texts.already_queued(outcome.position)
            else:
                text = handoff_texts.ALREADY_ACTIVE
            buttons = [CANCEL_HANDOFF_BUTTON, CALL_111] if outcome.position else [CALL_111]
            state.pending_options = [b.payload for b in buttons]
            return self._handoff_reply(text, "handoff_queued", buttons)
        text = handoff_texts.unavailable(config.centre, outcome.next_open, outcome.scheduled)
        return self._handoff_reply(text, "handoff_unavailable", [CALL_111])

    def cancel_handoff(self, message: IncomingMessage) -> Reply:
        key = self.user_key(message.channel, message.user)
        cancelled = self.handoff is not None and key is not None and self.handoff.cancel(key)
        text = handoff_texts.CANCELLED if cancelled else handoff_texts.NOTHING_TO_CANCEL
        return self._handoff_reply(text, "notice", [])

    def _handoff_reply(self, text: str, kind: str, buttons: list[Button]) -> Reply:
        return Reply(
            text=text,
            intent="human_handoff",
            confidence=1.0,
            hotlines=self.hotlines_in(text),
            buttons=buttons,
            kind=kind,
        )

    def _held_by_handoff(
        self,
        message: IncomingMessage,
        read_once: MessageReading,
        key: str | None,
        state: ConversationState,
    ) -> tuple[Reply, bool] | None:
        """The reply while a case is open for this user (and whether the text was forwarded
        to the counsellor), or None when no case is open."""
        if self.handoff is None or key is None:
            return None
        case = self.handoff.open_case(key)
        if case is None:
            return None
        return self._during_handoff(message, case, read_once, state)

    def _during_handoff(
        self,
        message: IncomingMessage,
        case: CaseRow,
        read_once: MessageReading,
        state: ConversationState,
    ) -> tuple[Reply, bool]:
        """While a case is open the assistant does not answer: what the user writes goes to
        the counsellor. Only cancel, erase (button or typed) and a repeated request are handled
        here; urgent danger while nobody has claimed the case yet still gets the emergency lines."""
        assert self.handoff is not None
        norm = read_once.reading
        text = norm.canonical
        # Erasing is never held back: typed "xóa" or "/xoa" ends the case and erases, as the
        # erase button does, rather than reaching the counsellor as a message.
        if command_for(read_once.text, norm) == "erase":
            return self.command("erase", message, state), False
        if _PAYLOAD_RE.fullmatch(text):
            kind, _, value = text[1:].partition(":")
            if kind == "cmd" and value in ("handoff_cancel", "erase", "handoff"):
                return self.command(value, message, state), False
            if kind == "intent" and value == "human_handoff":
                return self.command("handoff", message, state), False
            if kind == "tel":  # a call button: the line's answer, as always
                return self._payload(text[1:], message, state), False
            text = f"[{LABELS.get(value, value)}]"  # another button: its label reaches them
        danger = read_once.assessment
        self.handoff.forward(
            case, text[:MAX_INPUT_CHARS], [d.value for d in danger.dangers], danger.urgent
        )
        if danger.urgent and case.state == "waiting":
            nlu = self.engine.parse(norm.folded[:MAX_INPUT_CHARS])
            audience = message.audience or state.role or Audience.ANY
            folded = norm.folded[:MAX_INPUT_CHARS]
            voice = voice_for(audience, folded)
            reply = self._urgent(
                danger.dangers, danger.lines, voice, audience, state, nlu, cannot_call(folded)
            )
            reply.buttons = [b for b in reply.buttons if b != HANDOFF_BUTTON]
            return reply, True
        silent = Reply(
            text="",
            intent="human_handoff",
            confidence=1.0,
            urgent=danger.urgent,
            danger=[d.value for d in danger.dangers],
            kind="handoff_forwarded",
        )
        return silent, True

    # ------------------------------------------------------------------ helpers
    def _required_for(self, answer_id: str, audience: Audience) -> Answer:
        """The answer in the words for this audience: a student's "_student" text says "em"."""
        return for_audience(self.content, answer_id, audience) or self._required(answer_id)

    def _required(self, answer_id: str) -> Answer:
        answer = self.content.get(answer_id)
        if answer is None:
            raise LookupError(f"content is missing the required answer {answer_id!r}")
        return answer

    def known_lines(self) -> list[str]:
        lines = ["111", "112", "113", "114", "115"]
        if self.deployment.local_line:
            lines.append(self.deployment.local_line)
        return lines

    def hotlines_in(self, text: str) -> list[str]:
        """The lines a reply shows, in the order it shows them."""
        positions = []
        for number in self.known_lines():
            if match := re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text):
                positions.append((match.start(), number))
        return [number for _, number in sorted(positions)]

"""How a conversation is carried from turn to turn (docs/conversation.md).

The pipeline asks this module, in order: who is writing (audience), where they are (place),
whether the turn is a short one (ok, cảm ơn, có/không, xem thêm), and whether a question
follows up on the topic under way (handlers.followup). It records after every reply what the
reply offered, asked and warned about. Safety is assessed before any of this and never
depends on it.
"""

from __future__ import annotations

import hashlib

from content.bubble import BUBBLE_CHARS, split_essentials
from content.places import Gazetteer
from handlers.audience import AudienceGuess
from handlers.followup import (
    Resolution,
    asks_for_sources,
    carry_facet,
    is_framed,
    keyword_choice,
    resolve,
)
from handlers.models import Audience, Button, Reply
from handlers.place import (
    PlaceStatement,
    asks_local_line,
    place_asked_about,
    place_note,
    said_place,
)
from handlers.smalltalk import Short, read_short
from handlers.state import ConversationState
from handlers.topics import TOPICAL_INTENTS

__all__ = [
    "MORE_BUTTON",
    "Resolution",
    "Short",
    "asks_for_sources",
    "asks_local_line",
    "carry_facet",
    "fit_bubble",
    "in_crisis",
    "is_framed",
    "is_repeat",
    "keyword_choice",
    "note_question",
    "offered_again",
    "place_asked_about",
    "place_values",
    "read_short",
    "remember",
    "resolve",
    "update_audience",
    "update_place",
]

MORE_BUTTON = Button("📖 Xem thêm", "@cmd:more")
CRISIS_TURNS = 8  # after a danger, this many turns keep the lines in view in short replies
_FRONT_RESERVE = 50  # room kept for the "111" line a harm answer gets
_SLACK = 100  # "about 800": a reply up to 900 characters is not cut
_MIN_REST = 150  # never cut off less than this


# ---------------------------------------------------------------------------- audience
def update_audience(
    state: ConversationState, guess: AudienceGuess, chosen: Audience | None
) -> Audience:
    """The audience of this message. A statement ("tôi là giáo viên") or a channel's choice
    wins and persists; a cue ("con tôi …") counts unless the user has said who they are."""
    if chosen is not None:
        state.role, state.role_explicit = chosen, True
        return chosen
    if guess.audience is not None and guess.explicit:
        state.role, state.role_explicit = guess.audience, True
        return guess.audience
    if guess.audience is not None and not state.role_explicit:
        # A cue fills an empty role; an adult's cue ("con tôi …") also corrects a child's
        # guessed one, but a child's cue never turns an adult into the child they write about.
        if state.role in (None, Audience.ANY) or (
            state.role is Audience.STUDENT and guess.audience is not Audience.STUDENT
        ):
            state.role = guess.audience
        return state.role or guess.audience
    return state.role or Audience.ANY


# ---------------------------------------------------------------------------- place
def update_place(state: ConversationState, folded: str, places: Gazetteer) -> PlaceStatement | None:
    statement = said_place(folded, places)
    if statement is not None:
        state.province = statement.match.unit.name
        state.place_said = statement.match.said
    return statement


def place_values(state: ConversationState, places: Gazetteer) -> dict[str, str]:
    unit = places.unit(state.province or "")
    if unit is None:
        return {"place": state.province or "", "place_note": ""}
    return {"place": unit.title, "place_note": place_note(unit, state.place_said or unit.name)}


# ---------------------------------------------------------------------------- repeats
REPEAT_SIMILARITY = 0.75  # share of words two questions have in common to count as one


def _word_keys(folded: str) -> list[str]:
    """The question's words as short hashes: enough to compare two questions, not to read
    them back (the state is stored; the words are not)."""
    return sorted({hashlib.sha256(w.encode()).hexdigest()[:8] for w in folded.split()})


def is_repeat(state: ConversationState, folded: str) -> bool:
    """The question just asked, asked again (the same words, or nearly)."""
    if not state.last_question or not state.last_answer_id:
        return False
    if state.question_turn != state.turn - 1:  # something else came between the two
        return False
    before = set(state.last_question.split())
    now = set(_word_keys(folded))
    if not before or not now:
        return False
    return len(before & now) / len(before | now) >= REPEAT_SIMILARITY


def answered_just_now(state: ConversationState, answer_id: str) -> bool:
    """The answer sent for the question before, chosen again: a follow-up it has already
    answered ("thủ tục thế nào" right after the procedure)."""
    return state.last_answer_id == answer_id and state.question_turn == state.turn - 1


def note_question(state: ConversationState, folded: str) -> None:
    state.last_question = " ".join(_word_keys(folded))
    state.question_turn = state.turn


# ---------------------------------------------------------------------------- after a reply
def remember(reply: Reply, state: ConversationState) -> None:
    """What the reply offered and warned about, for the next turn."""
    if reply.kind in ("urgent", "safety_check"):
        state.crisis = list(reply.hotlines) or ["111"]
        if "111" not in state.crisis:
            state.crisis.append("111")
        state.crisis_turn = state.turn
    if reply.kind == "safety_check":
        state.asked = "safe"
        if reply.intent in TOPICAL_INTENTS:  # what they asked about stays the topic under way
            state.last_intent = reply.intent
    if reply.kind != "smalltalk":
        state.offered = [[b.label, b.payload, b.phone or ""] for b in reply.buttons]


def in_crisis(state: ConversationState) -> bool:
    return bool(state.crisis) and state.turn - state.crisis_turn <= CRISIS_TURNS


def offered_again(state: ConversationState) -> list[Button]:
    """The buttons of the last real answer, offered again after an "ok" (the next step)."""
    buttons = []
    for item in state.offered:
        label, payload, *rest = item
        if payload == MORE_BUTTON.payload:
            continue
        buttons.append(Button(label, payload, phone=(rest[0] if rest and rest[0] else None)))
    return buttons[:4]


# ---------------------------------------------------------------------------- bubbles
def fit_bubble(body: str, footer: str) -> tuple[str, str]:
    """Lead with the essentials when body and sources together pass about BUBBLE_CHARS.

    A reply just over the mark is sent whole (a "Xem thêm" that opens two lines helps no one);
    the first part of a cut one stays within BUBBLE_CHARS."""
    if len(body) + len(footer) + 2 <= BUBBLE_CHARS + _SLACK:
        return body, ""
    room = BUBBLE_CHARS - len(footer) - _FRONT_RESERVE
    head, rest = split_essentials(body, max(room, BUBBLE_CHARS // 2))
    if len(rest) < _MIN_REST:
        return body, ""
    return head, rest

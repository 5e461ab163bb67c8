"""Property-based tests (hypothesis) across the core (#8): normalisation, redaction, the stored
log text, triage through `Assistant.handle()`, and the rate limiter's safety exemption.

The per-module "never raises" properties live beside each module
(tests/nlu/text/test_text_reader.py, tests/handlers/test_redact.py,
tests/handlers/safety/test_triage.py, which also has "a danger sentence anywhere escalates"
for triage itself). Here: what must hold end to end, for any string: the core
answers for real (never its apology for an internal error), its reply serialises, and a
known danger phrase escalates (111 always shown) whatever surrounds it, whoever sends it, on
any channel, mid-conversation, and however fast its sender has been typing.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.admission import held_back
from handlers.models import Audience, IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.ratelimit import RateLimiter, Verdict
from handlers.redact import PLACEHOLDERS, redact
from handlers.requestlog import MAX_STORED_CHARS, TRUNCATION_MARK, _stored_text
from handlers.safety import LINES, Danger
from nlu.text import fold, read
from nlu.text.syllables import SYLLABLES
from tests.conftest import MODEL_CACHE
from tests.handlers.safety.test_triage import DANGER_PHRASES

FOLDED_ALPHABET = re.compile(r"[a-z0-9' ]*")
PLACEHOLDER_SPLIT = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
# Any Unicode, lone surrogates included (JSON can carry "\ud800"), and text shaped like chat.
ANY_TEXT = st.one_of(
    st.text(max_size=600),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=200),
    st.lists(
        st.sampled_from(
            [
                "em",
                "con",
                "tôi",
                "bị",
                "đánh",
                "ko",
                "dc",
                "bik",
                "j",
                "vs",
                "trg",
                "cô",
                "thầy",
                "bố",
                "mẹ",
                "111",
                "@cmd:help",
                "@intent:report_abuse",
                "2",
                "😭",
                "🙏",
                "hoc",
                "phi",
                "xin",
                "chao",
                "đuối",
                "nước",
                "???",
                "..",
            ]
        ),
        max_size=60,
    ).map(" ".join),
)
VIETNAMESE_WORD = st.text(st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=7)
_ACCENTED_FORMS = {
    letter: [v for v in VIETNAMESE_LETTERS if fold(v) == letter]
    for letter in set(fold(VIETNAMESE_LETTERS))
}
# A real syllable, with any accents on its letters ("người", "nguoi", "ngưỏi").
SYLLABLE_WORD = st.sampled_from(sorted(SYLLABLES)).flatmap(
    lambda s: st.tuples(*(st.sampled_from(_ACCENTED_FORMS[c]) for c in s)).map("".join)
)
CHANNELS = st.sampled_from(["web", "telegram", "zalo", "api", "cli"])
AUDIENCES = st.sampled_from([None, *Audience])
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def core() -> Iterator[Assistant]:
    """One real assistant for the module (hypothesis reruns a test many times), logging to
    a real SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(
            Settings(
                _env_file=None,
                CHILDSAFE_DB=Path(tmp) / "properties.db",
                CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
                CHILDSAFE_MODEL_DIR=MODEL_CACHE,
            )
        )
        yield assistant
        assistant.close()


def answered_for_real(reply: Reply) -> None:
    """What every reply must be: the core's own answer, in a shape every channel can send."""
    assert reply.kind != "fallback", "handle() fell back to its apology: something raised"
    assert reply.text.strip()
    json.dumps(reply.to_json(), ensure_ascii=False).encode("utf-8")
    assert all(b.payload.startswith("@") for b in reply.buttons)
    if reply.urgent:
        first = LINES[Danger(reply.danger[0])][0]  # the primary danger's first line leads
        assert reply.hotlines[0] == first and "111" in reply.hotlines
        assert reply.text.startswith(f"🆘 Gọi ngay **{first}**")


# ---------------------------------------------------------------------------- normalisation
@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_folding_is_idempotent_and_plain(text: str) -> None:
    folded = read(text).folded
    assert FOLDED_ALPHABET.fullmatch(folded)
    assert read(folded).folded == folded
    assert read(text).tokens == tuple(folded.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(SYLLABLE_WORD, min_size=1, max_size=30).map(" ".join))
def test_case_and_diacritics_never_change_the_folded_text(text: str) -> None:
    """Words typed apart read the same with or without their accents. (Words run together
    are the exception by design: "anhấy" is split where its accents say, "anh ấy".)"""
    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFD", text.replace("đ", "d"))
        if unicodedata.category(ch) != "Mn"
    )
    variants = (
        text,
        text.upper(),
        text.title(),
        plain,
        plain.upper(),
        unicodedata.normalize("NFD", text),
    )
    assert len({read(v).folded for v in variants}) == 1
    assert fold(text) == fold(text.upper())


# ---------------------------------------------------------------------------- redaction
@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_redaction_only_ever_removes(text: str) -> None:
    """Outside its placeholders, the redacted text is pieces of the message, in order:
    redaction hides, it never invents or reorders."""
    result = redact(text).text
    # a lone surrogate half can be neither read nor stored: redaction drops it (a removal)
    source = re.sub("[\ud800-\udfff]", "", unicodedata.normalize("NFC", text))
    position = 0
    for piece in PLACEHOLDER_SPLIT.split(result):
        found = source.find(piece, position)
        assert found >= 0, (piece, source)
        position = found + len(piece)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT, st.integers(min_value=0, max_value=6000))
def test_the_stored_text_is_bounded_and_always_storable(text: str, padding: int) -> None:
    stored = _stored_text(text + " ." * (padding // 2))
    stored.encode("utf-8")  # SQLite takes it: no lone surrogate survives
    assert len(stored) <= MAX_STORED_CHARS + len(TRUNCATION_MARK)


# ---------------------------------------------------------------------------- handle()
@SLOW
@given(ANY_TEXT, CHANNELS, AUDIENCES, st.text(max_size=40))
def test_handle_answers_any_string_for_real(
    core: Assistant, text: str, channel: str, audience: Audience | None, user: str
) -> None:
    reply = core.handle(
        IncomingMessage(text, user=user or None, channel=channel, audience=audience)
    )
    answered_for_real(reply)


@SLOW
@given(st.lists(ANY_TEXT, min_size=2, max_size=8), st.integers(0, 10**6))
def test_a_whole_conversation_of_anything_is_answered(
    core: Assistant, texts: list[str], person: int
) -> None:
    for text in texts:
        answered_for_real(core.handle(IncomingMessage(text, user=f"conv-{person}", channel="web")))


@SLOW
@given(
    st.lists(VIETNAMESE_WORD, max_size=25).map(" ".join),
    st.lists(VIETNAMESE_WORD, max_size=25).map(" ".join),
    st.sampled_from(DANGER_PHRASES),
    st.sampled_from(["", "tôi là giáo viên", "xin chào", "học phí", "2", "@cmd:help"]),
    CHANNELS,
    AUDIENCES,
    st.integers(0, 10**6),
)
def test_a_danger_phrase_anywhere_escalates_through_handle(
    core: Assistant,
    before: str,
    after: str,
    phrase: str,
    earlier: str,
    channel: str,
    audience: Audience | None,
    person: int,
) -> None:
    user = f"danger-{person}"
    if earlier:
        core.handle(IncomingMessage(earlier, user=user, channel=channel))
    text = f"{before}. {phrase}. {after}"
    reply = core.handle(IncomingMessage(text, user=user, channel=channel, audience=audience))
    assert reply.urgent, text
    answered_for_real(reply)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(VIETNAMESE_WORD, max_size=20).map(" ".join),
    st.sampled_from(DANGER_PHRASES),
    st.integers(1, 60),
)
def test_a_danger_phrase_is_never_held_back_by_the_rate_limit(
    before: str, phrase: str, per_minute: int
) -> None:
    limiter = RateLimiter(per_minute, clock=lambda: 0.0)
    for _ in range(per_minute + 3):  # the sender is well over the limit
        limiter.check("typist")
    assert held_back(limiter, "typist", f"{before}. {phrase}") is Verdict.PASS


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT, st.integers(1, 5))
def test_the_limiter_never_raises_and_holds_back_only_over_the_limit(
    text: str, per_minute: int
) -> None:
    limiter = RateLimiter(per_minute, clock=lambda: 0.0)
    verdicts = [held_back(limiter, "k", text) for _ in range(per_minute)]
    assert verdicts == [Verdict.PASS] * per_minute
    held_back(limiter, "k", text)  # over: whatever triage says, it must not raise


def test_every_message_of_the_properties_was_logged(
    core: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Runs after the properties above: the log kept up and lost nothing."""
    caplog.set_level(logging.ERROR)
    request_log = core.request_log
    assert request_log is not None and request_log.flush(60)
    stats = request_log.stats()
    if not stats.accepted:
        pytest.skip("run with the properties above")
    assert stats.failed == 0 and stats.written == stats.accepted
    assert not [r for r in caplog.records if "handle() failed" in r.getMessage()]

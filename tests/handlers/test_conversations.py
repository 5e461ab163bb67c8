"""Multi-turn conversations as data (nlu/tests/conversations/*.yml), run through the real
`Assistant`: each conversation is one user talking, step by step, and every step checks what
the assistant said back. The format is described in docs/conversation.md."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant

CONVERSATIONS_DIR = Path(__file__).resolve().parents[2] / "nlu" / "tests" / "conversations"
MODEL_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "nlu-tests"

EXPECTATION_KEYS = {
    "intent",
    "answer",
    "answer_not",
    "kind",
    "kind_not",
    "audience",
    "audience_not",
    "urgent",
    "lines",
    "lines_absent",
    "contains",
    "contains_any",
    "not_contains",
    "buttons",
    "max_chars",
    "contains_once",
    "sources_once",
}
STEP_KEYS = EXPECTATION_KEYS | {"user", "button", "note"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def load_conversations(
    directory: Path = CONVERSATIONS_DIR,
) -> list[tuple[str, list[dict[str, Any]]]]:
    found: list[tuple[str, list[dict[str, Any]]]] = []
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in raw.get("conversations", []):
            name = f"{path.stem}: {item['conversation']}"
            steps = item.get("steps") or []
            for step in steps:
                unknown = set(step) - STEP_KEYS
                assert not unknown, f"{name}: unknown keys {sorted(unknown)}"
                assert ("user" in step) != ("button" in step), f"{name}: user xor button"
            found.append((name, steps))
    return found


CONVERSATIONS = load_conversations()


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("conversations")
    settings = Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
    )
    assistant = build_assistant(settings, with_logging=False)
    yield assistant
    assistant.close()


def _press(previous: Reply | None, label: str) -> str:
    assert previous is not None, f"no reply to press {label!r} on"
    wanted = label.casefold()
    for button in previous.buttons:
        if wanted in button.label.casefold():
            return button.payload
    labels = [b.label for b in previous.buttons]
    raise AssertionError(f"no button {label!r} in the last reply; it offered {labels}")


def check(reply: Reply, step: dict[str, Any], where: str) -> None:
    text = reply.text
    folded = text.casefold()
    about = f"{reply.kind}, {reply.answer_id}, {reply.intent}, {reply.audience.value}"
    shown = f"{where}\n--- reply ({about}):\n{text}\n---"
    if "intent" in step:
        assert reply.intent in _as_list(step["intent"]), f"intent {reply.intent!r}; {shown}"
    if "answer" in step:
        assert reply.answer_id in _as_list(step["answer"]), f"answer {reply.answer_id!r}; {shown}"
    if "answer_not" in step:
        assert reply.answer_id not in _as_list(step["answer_not"]), shown
    if "kind" in step:
        assert reply.kind in _as_list(step["kind"]), f"kind {reply.kind!r}; {shown}"
    if "kind_not" in step:
        assert reply.kind not in _as_list(step["kind_not"]), f"kind {reply.kind!r}; {shown}"
    if "audience" in step:
        assert reply.audience.value in _as_list(step["audience"]), f"audience; {shown}"
    if "audience_not" in step:
        assert reply.audience.value not in _as_list(step["audience_not"]), f"audience; {shown}"
    if "urgent" in step:
        assert reply.urgent is bool(step["urgent"]), f"urgent {reply.urgent}; {shown}"
    for line in _as_list(step.get("lines")):
        assert line in reply.hotlines, f"line {line} missing (has {reply.hotlines}); {shown}"
    for line in _as_list(step.get("lines_absent")):
        assert line not in text, f"line {line} shown; {shown}"
    for part in _as_list(step.get("contains")):
        assert part.casefold() in folded, f"missing {part!r}; {shown}"
    if "contains_any" in step:
        parts = _as_list(step["contains_any"])
        assert any(p.casefold() in folded for p in parts), f"none of {parts}; {shown}"
    for part in _as_list(step.get("not_contains")):
        assert part.casefold() not in folded, f"should not say {part!r}; {shown}"
    for part in _as_list(step.get("contains_once")):
        count = folded.count(part.casefold())
        assert count == 1, f"{part!r} appears {count} times; {shown}"
    if step.get("sources_once"):
        cited = [line for line in text.splitlines() if line.startswith("📚 Nguồn:")]
        assert len(cited) == 1, f"one source line; {shown}"
        labels = [part.split(" (")[0].strip(" .") for part in cited[0][9:].split(";")]
        assert len(labels) == len(set(labels)), f"a document named twice; {shown}"
    for label in _as_list(step.get("buttons")):
        labels = [b.label.casefold() for b in reply.buttons]
        assert any(label.casefold() in b for b in labels), f"no button {label!r}; {shown}"
    if "max_chars" in step:
        assert len(text) <= int(step["max_chars"]), f"{len(text)} chars; {shown}"


def _ascii_id(name: str) -> str:
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9:,]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")


# Conversations the assistant does not get right yet, with the reason. Strict: one that starts
# passing fails the run until it is taken off this list.
NOT_YET_PASSING: dict[str, str] = {}


def _params() -> list[object]:
    params = []
    for name, steps in CONVERSATIONS:
        case_id = _ascii_id(name)
        reason = NOT_YET_PASSING.get(case_id)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(steps, id=case_id, marks=marks))
    return params


@pytest.mark.parametrize("steps", _params())
def test_conversation(
    bot: Assistant, steps: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    user = f"conv-{request.node.callspec.id}"
    previous: Reply | None = None
    for number, step in enumerate(steps, start=1):
        said = _press(previous, str(step["button"])) if "button" in step else str(step["user"])
        reply = bot.handle(IncomingMessage(said, user=user, channel="test"))
        check(reply, step, f"step {number}: {said!r}")
        previous = reply


def test_there_are_enough_conversations() -> None:
    assert len(CONVERSATIONS) >= 60
    assert all(len(steps) >= 2 for _, steps in CONVERSATIONS)

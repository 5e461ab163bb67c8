"""The command lookup reads the message's shared reading (#18): a short message that names a
command ("xóa", "/batdau", "giúp đỡ") is not folded a second time by `keyword_key`, and the
command found from the reading is the one found by folding the text, on the benchmark's
messages, every keyword and their written variants."""

from __future__ import annotations

import pytest

from bench.corpus import message_set
from handlers import commands as commands_module
from handlers.admission import always_admitted
from handlers.commands import KEYWORDS, command_for
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from handlers.reading import MessageReading
from nlu.text import read

VARIANTS = ("Xóa", "XÓA!!", "  xoá ...", "/xoa", "Bắt Đầu.", "Trợ giúp?", "ｘｏａ", "xo\u200ba")


def _texts() -> list[str]:
    texts = [m.text for m in message_set(1500)] + list(VARIANTS)
    for key in KEYWORDS:
        texts += [key, f"/{key}", f"{key.upper()}!", f"  {key} ..."]
    return texts


def test_the_reading_names_the_command_folding_the_text_names() -> None:
    texts = _texts()
    named = 0
    for text in texts:
        expected = command_for(text)
        assert command_for(text, read(text)) == expected, text
        named += expected is not None
    assert named > len(KEYWORDS)


@pytest.fixture
def no_second_fold(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    folded: list[str] = []
    real = commands_module.keyword_key

    def counting(text: str) -> str:
        folded.append(text)
        return real(text)

    monkeypatch.setattr(commands_module, "keyword_key", counting)
    return folded


@pytest.mark.parametrize("text", ["xóa", "Giúp đỡ", "/batdau", "xin chào"])
def test_the_core_looks_commands_up_from_the_shared_reading(
    assistant: Assistant, no_second_fold: list[str], text: str
) -> None:
    assistant.handle(IncomingMessage(text, user="commands-reading", channel="web"))
    assert no_second_fold == []


def test_admission_looks_commands_up_from_the_shared_reading(no_second_fold: list[str]) -> None:
    message = MessageReading("/xoa")
    assert always_admitted(message)
    assert message.made is not None  # the reading the core will reuse
    assert not always_admitted(MessageReading("xin chào bạn"))
    assert no_second_fold == []

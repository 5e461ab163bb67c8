"""A core Reply as Zalo messages: plain parts of at most 2,000 characters, buttons as a template."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.wiring import build_assistant
from bot.zalo.render import (
    MAX_BUTTONS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    button_template,
    plain_text,
    render,
    split_text,
    utf16_len,
)
from content.base import default_content
from handlers.models import Button
from handlers.pipeline import Assistant
from tests.conftest import MODEL_CACHE
from tests.fake_zalo import check_attachment, check_body


def words(text: str) -> list[str]:
    return text.split()


def test_bold_is_stripped_and_bullets_kept() -> None:
    shown = plain_text("🆘 **Gọi ngay:**\n• **111** – Tổng đài\nchữ * sao **lẻ")
    assert shown == "🆘 Gọi ngay:\n• 111 – Tổng đài\nchữ * sao lẻ"


def test_short_text_is_one_message() -> None:
    rendered = render("Xin chào **bạn**", [])
    assert rendered.messages == [{"text": "Xin chào bạn"}]
    assert rendered.queries == {}


def test_long_text_is_split_on_line_boundaries() -> None:
    lines = [
        f"• Dòng số {n}: trẻ em có quyền được bảo vệ khỏi mọi hình thức bạo lực."
        for n in range(120)
    ]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_len(p) <= MAX_TEXT_CHARS for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines  # every line whole, in order


def test_a_paragraph_is_carried_rather_than_cut() -> None:
    first = "\n".join(["a" * 90] * 15)  # ~1,400 characters
    second = "\n".join(["b" * 90] * 8)  # ~730: does not fit after the first
    parts = split_text(first + "\n\n" + second)
    assert parts == [first, second]


def test_an_overlong_line_is_cut_between_words_and_a_huge_word_anywhere() -> None:
    line = " ".join(["bảo-vệ-trẻ-em"] * 400)  # one line of ~5,600 characters
    parts = split_text(line)
    assert all(utf16_len(p) <= MAX_TEXT_CHARS for p in parts)
    assert words(" ".join(parts)) == words(line)
    blob = "x" * 4500
    assert "".join(split_text(blob)) == blob
    emoji = "😀" * 1500  # 3,000 UTF-16 units
    parts = split_text(emoji)
    assert all(utf16_len(p) <= MAX_TEXT_CHARS for p in parts) and "".join(parts) == emoji


def test_empty_text_still_sends_something() -> None:
    assert render("", []).messages == [{"text": "…"}]
    assert render("\n\n", []).messages[0]["text"].strip()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("abc xyz đêm ở ÁẢ\t😀•*")) | st.just("\n"),
            max_size=700,
        ),
        max_size=8,
    )
)
def test_splitting_keeps_every_word_and_the_limit(chunks: list[str]) -> None:
    text = "\n".join(chunks)
    parts = split_text(text, limit=300)
    assert all(0 < utf16_len(p) <= 300 for p in parts)
    assert words(" ".join(parts)) == words(text.strip("\n"))


def test_buttons_become_a_template_under_the_last_part() -> None:
    buttons = [
        Button("📞 Gọi 111", "@tel:111", phone="111"),
        Button("ℹ️ Báo tin xâm hại", "@intent:report_abuse"),
        Button("Tôi là phụ huynh", "@role:parent"),
    ]
    rendered = render("Chữ\n" * 1500, buttons)
    assert len(rendered.messages) >= 2
    assert all("attachment" not in m for m in rendered.messages[:-1])
    attachment = rendered.messages[-1]["attachment"]
    assert attachment["type"] == "template"
    assert attachment["payload"]["buttons"] == [
        {"title": "📞 Gọi 111", "type": "oa.open.phone", "payload": {"phone_code": "111"}},
        {"title": "ℹ️ Báo tin xâm hại", "type": "oa.query.show", "payload": "ℹ️ Báo tin xâm hại"},
        {"title": "Tôi là phụ huynh", "type": "oa.query.show", "payload": "Tôi là phụ huynh"},
    ]
    # a tap sends the title back; the channel maps it to the core's payload
    assert rendered.queries == {
        "ℹ️ Báo tin xâm hại": "@intent:report_abuse",
        "Tôi là phụ huynh": "@role:parent",
    }
    for message in rendered.messages:
        assert check_body({"recipient": {"user_id": "1"}, "message": message}) is None


def test_buttons_are_capped_and_titles_shortened() -> None:
    buttons = [Button(f"Chủ đề {n} " + "rất dài " * 20, f"@intent:t{n}") for n in range(8)]
    template = render("x", buttons).messages[-1]["attachment"]
    shown = template["payload"]["buttons"]
    assert len(shown) == MAX_BUTTONS
    assert all(len(b["title"]) <= MAX_TITLE_CHARS and b["title"].endswith("…") for b in shown)
    assert check_attachment(template) is None


def test_call_button_number_from_payload_or_phone() -> None:
    [button] = render("x", [Button("Gọi tổng đài", "@tel:1800 6605")]).messages[-1]["attachment"][
        "payload"
    ]["buttons"]
    assert button == {
        "title": "Gọi tổng đài",
        "type": "oa.open.phone",
        "payload": {"phone_code": "18006605"},
    }
    odd = render("x", [Button("Gọi", "@tel:không-phải-số")]).messages[-1]["attachment"]
    assert odd["payload"]["buttons"][0]["type"] == "oa.query.show"


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    db = tmp_path_factory.mktemp("zalo-render") / "childsafe.db"
    settings = Settings(
        _env_file=None,
        CHILDSAFE_DB=db,
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
    )
    assistant = build_assistant(settings, with_logging=False)
    yield assistant
    assistant.close()


@pytest.mark.parametrize("answer_id", sorted(default_content().answers))
def test_every_answer_renders_within_zalos_limits(core: Assistant, answer_id: str) -> None:
    answer = core.content.answers[answer_id]
    text, _ = core._render(answer)  # what the core sends for this answer, buttons included
    buttons = core._buttons(answer)
    rendered = render(text, buttons)
    for message in rendered.messages:
        assert "**" not in message["text"]
        assert check_body({"recipient": {"user_id": "1"}, "message": message}) is None
        assert not re.search(r"\{[a-z_]+\}", message["text"])  # no placeholder left
    shown = [
        b
        for m in rendered.messages
        for b in m.get("attachment", {}).get("payload", {}).get("buttons", [])
    ]
    assert len(shown) == min(len(buttons), MAX_BUTTONS)


def test_xem_them_is_never_the_button_cut_off() -> None:
    buttons = [Button(f"Chủ đề {i}", f"@answer:x{i}") for i in range(6)]
    buttons.append(Button("📖 Xem thêm", "@cmd:more"))  # wherever the core puts it
    template, queries = button_template(buttons)
    assert template is not None
    titles = [b["title"] for b in template["payload"]["buttons"]]
    assert len(titles) == 5 and titles[-1] == "📖 Xem thêm"
    assert queries["📖 Xem thêm"] == "@cmd:more"

"""Rendering for Telegram (HTML, splitting, keyboards) and the channel's bounded memories."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.app import api_urls
from bot.telegram.guards import DELETE_WINDOW_SECONDS, MessageLog
from bot.telegram.render import (
    MAX_MESSAGE_CHARS,
    CallbackTable,
    keyboard,
    split_html,
    to_html,
    utf16_len,
    visible_text,
)
from handlers.models import Button
from tests.fake_telegram import parse_html


class Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_markup_becomes_safe_html() -> None:
    html = to_html("Gọi **111** <ngay> & đừng chờ\n• bước một")
    assert html == "Gọi <b>111</b> &lt;ngay&gt; &amp; đừng chờ\n• bước một"
    assert parse_html(html) == "Gọi 111 <ngay> & đừng chờ\n• bước một"


def test_a_short_reply_is_one_message() -> None:
    assert split_html("Chào bạn") == ["Chào bạn"]


def test_splits_fall_on_line_and_paragraph_boundaries() -> None:
    paragraph = "\n".join(f"• dòng {i} của đoạn" for i in range(10))
    source = "\n\n".join([paragraph] * 30)
    chunks = split_html(source, limit=500)
    assert all(utf16_len(c) <= 500 for c in chunks)
    assert all(c.startswith("• dòng 0") for c in chunks)  # whole paragraphs travel together
    assert "\n".join(chunks).replace("\n\n", "\n") == source.replace("\n\n", "\n")


def test_a_cut_inside_bold_closes_and_reopens_the_tag() -> None:
    chunks = split_html(to_html("**" + "rất quan trọng " * 40 + "**"), limit=100)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.startswith("<b>") and chunk.endswith("</b>")
        parse_html(chunk)


def test_emoji_count_as_two_units() -> None:
    chunks = split_html("😀" * 3000, limit=MAX_MESSAGE_CHARS)
    assert [utf16_len(c) for c in chunks] == [4096, 1904]


def test_entities_are_never_cut() -> None:
    chunks = split_html(to_html("&" * 50), limit=22)
    assert all(parse_html(c) for c in chunks)
    assert "".join(visible_text(c) for c in chunks) == "&" * 50


pieces = st.sampled_from([*"aăâđêôơư bcdxyz<>&*😀•\n", "**", "đồng ", "  ", "&amp;"])
lines = st.lists(pieces, max_size=200).map("".join)


@settings(max_examples=200, deadline=None)
@given(markup=lines, limit=st.integers(min_value=16, max_value=300))
def test_any_text_splits_into_valid_messages_that_keep_every_word(markup: str, limit: int) -> None:
    expected = parse_html(to_html(markup))
    chunks = split_html(to_html(markup), limit=limit)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        assert parse_html(chunk).strip()  # balanced tags, escaped text, not empty
    joined = "".join(parse_html(c) for c in chunks)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", expected)


# ---------------------------------------------------------------------------- keyboards
def test_keyboard_rows_and_call_buttons() -> None:
    table = CallbackTable()
    markup = keyboard(
        [
            Button("Báo tin trẻ bị xâm hại", "@intent:report_abuse"),
            Button("📞 Gọi 111", "@tel:111", phone="111"),
            Button("📞 Gọi 113", "@tel:113", phone="113"),
            Button("Cấp cứu", "@tel:115", phone="115"),
        ],
        table,
    )
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Báo tin trẻ bị xâm hại", "@intent:report_abuse")],
        [("📞 Gọi 111", "@tel:111"), ("📞 Gọi 113", "@tel:113"), ("Cấp cứu: 115", "@tel:115")],
    ]
    assert keyboard([], table) is None


def test_long_payloads_travel_as_short_ids() -> None:
    table = CallbackTable(max_entries=2)
    long_payload = "@answer:" + "rất-dài-" * 10
    data = table.data_for(long_payload)
    assert data.startswith("#") and len(data.encode()) <= 64
    assert table.payload_for(data) == long_payload
    assert table.data_for("@cmd:help") == "@cmd:help"
    assert table.data_for("#forged") != "#forged"  # a payload that looks like an id is mapped
    table.data_for("@answer:" + "b" * 70)
    table.data_for("@answer:" + "c" * 70)
    assert table.payload_for(data) is None  # bounded: the oldest is forgotten
    assert table.payload_for("@role:parent") == "@role:parent"


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://local/custom/bot{token}", "http://local/custom/file/bot{token}"),
    ],
)
def test_file_url_follows_the_api_url(base: str, expected: str) -> None:
    assert api_urls(base) == (base, expected)


# ---------------------------------------------------------------------------- memories
def test_message_log_returns_only_ids_still_deletable() -> None:
    clock = Clock(1_000_000.0)
    log = MessageLog(per_conversation=4, clock=clock)
    log.add("conv", 1)
    clock.now += DELETE_WINDOW_SECONDS + 1
    for message_id in (2, 3, 3, 4):
        log.add("conv", message_id)
    log.add("other", 9)
    assert log.take_deletable("conv") == [2, 3, 4]
    assert log.take_deletable("conv") == []  # taken: forgotten
    assert log.take_deletable("other") == [9]


def test_message_log_is_bounded() -> None:
    log = MessageLog(per_conversation=3, max_conversations=10)
    for n in range(50):
        for m in range(5):
            log.add(f"c{n}", m)
    assert len(log) == 10
    assert log.take_deletable("c49") == [2, 3, 4]

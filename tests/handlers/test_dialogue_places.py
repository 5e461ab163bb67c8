"""The pieces a conversation is carried with (#13): places, short turns, follow-up reading,
compact sources and bubble-sized replies. Whole conversations are in test_conversations.py."""

from __future__ import annotations

import pytest

from content.base import Deployment, Source, default_content
from content.bubble import BUBBLE_CHARS, compact_refs, source_line
from content.places import default_places, fold_name
from handlers import dialogue
from handlers.followup import aspect_of, is_elliptical
from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant
from handlers.place import asks_local_line, deployment_for, said_place
from handlers.smalltalk import Short, read_short
from nlu.text import read

PLACES = default_places()
HOME = Deployment(province="Hải Phòng", local_line="18006605", local_line_name="Tổng đài HP")

# Legal-facts addendum A6: the 11 unchanged units and the 52 former ones merged into 23.
UNCHANGED = ["Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
             "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng"]  # fmt: skip
MERGED = {
    "Tuyên Quang": ["Tuyên Quang", "Hà Giang"],
    "Lào Cai": ["Lào Cai", "Yên Bái"],
    "Thái Nguyên": ["Thái Nguyên", "Bắc Kạn"],
    "Phú Thọ": ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"],
    "Bắc Ninh": ["Bắc Ninh", "Bắc Giang"],
    "Hưng Yên": ["Hưng Yên", "Thái Bình"],
    "Hải Phòng": ["Hải Phòng", "Hải Dương"],
    "Ninh Bình": ["Ninh Bình", "Hà Nam", "Nam Định"],
    "Quảng Trị": ["Quảng Trị", "Quảng Bình"],
    "Đà Nẵng": ["Đà Nẵng", "Quảng Nam"],
    "Quảng Ngãi": ["Quảng Ngãi", "Kon Tum"],
    "Gia Lai": ["Gia Lai", "Bình Định"],
    "Khánh Hòa": ["Khánh Hòa", "Ninh Thuận"],
    "Lâm Đồng": ["Lâm Đồng", "Đắk Nông", "Bình Thuận"],
    "Đắk Lắk": ["Đắk Lắk", "Phú Yên"],
    "Hồ Chí Minh": ["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"],
    "Đồng Nai": ["Đồng Nai", "Bình Phước"],
    "Tây Ninh": ["Tây Ninh", "Long An"],
    "Cần Thơ": ["Cần Thơ", "Sóc Trăng", "Hậu Giang"],
    "Vĩnh Long": ["Vĩnh Long", "Bến Tre", "Trà Vinh"],
    "Đồng Tháp": ["Đồng Tháp", "Tiền Giang"],
    "Cà Mau": ["Cà Mau", "Bạc Liêu"],
    "An Giang": ["An Giang", "Kiên Giang"],
}


def folded(text: str) -> str:
    return read(text).folded


# ---------------------------------------------------------------------------- places
def test_34_units_and_every_former_name_with_and_without_diacritics() -> None:
    assert len(PLACES.units) == 34
    assert len(UNCHANGED) + len(MERGED) == 34
    assert sum(len(old) for old in MERGED.values()) == 52
    for name in UNCHANGED:
        for spelling in (name, fold_name(name)):
            unit = PLACES.unit(spelling)
            assert unit is not None and unit.name == name, spelling
    for new, olds in MERGED.items():
        for old in olds:
            for spelling in (old, fold_name(old), old.upper()):
                unit = PLACES.unit(spelling)
                assert unit is not None and unit.name == new, (spelling, new)


def test_every_unit_carries_the_reference_sheets_certainty_and_only_sourced_lines() -> None:
    for unit in PLACES.units:
        assert unit.certainty in {"V", "S"}
        for line in unit.lines:
            assert line.sources and line.verified_on
    assert PLACES.unit("Quảng Ngãi").certainty == "V"  # type: ignore[union-attr]
    lines = {(u.name, line.number) for u in PLACES.units for line in u.lines}
    assert lines == {("Hải Phòng", "18006605")}, "only the directives' line is verified"


@pytest.mark.parametrize(
    ("text", "unit", "said"),
    [
        ("tôi ở Cần Thơ", "Cần Thơ", "Cần Thơ"),
        ("e o ha noi", "Hà Nội", "Hà Nội"),
        ("nhà tôi ở Hải Dương", "Hải Phòng", "Hải Dương"),
        ("chị ở Sóc Trăng nha", "Cần Thơ", "Sóc Trăng"),
        ("à giờ nhà tôi chuyển vào Sài Gòn rồi", "Hồ Chí Minh", "Hồ Chí Minh"),
        ("tui song o vinh long", "Vĩnh Long", "Vĩnh Long"),
        ("Đà Nẵng", "Đà Nẵng", "Đà Nẵng"),
        ("chuyển từ Hải Phòng vào Cần Thơ rồi", "Cần Thơ", "Cần Thơ"),
    ],
)
def test_a_place_statement_is_read(text: str, unit: str, said: str) -> None:
    statement = said_place(folded(text), PLACES)
    assert statement is not None
    assert (statement.match.unit.name, statement.match.said) == (unit, said)


@pytest.mark.parametrize(
    "text",
    ["kế hoạch 276 của Cần Thơ nói gì", "trợ cấp cho trẻ mồ côi", "hòa bình cho trẻ em"],
)
def test_a_place_named_in_passing_is_not_where_the_user_lives(text: str) -> None:
    assert said_place(folded(text), PLACES) is None


def test_the_deployments_line_is_never_local_elsewhere() -> None:
    for unit in PLACES.units:
        shown = deployment_for(unit.name, unit.name, HOME, PLACES)
        sentence = shown.placeholders({})["local_line_sentence"]
        if unit.name == "Hải Phòng":
            assert "18006605" in sentence
        else:
            assert shown.local_line is None and "18006605" not in str(shown.placeholders({}))
            status = shown.placeholders({})["local_line_status"]
            assert "111" in status and "UBND" in status and "công an" in status
    former = deployment_for("Hải Phòng", "Hải Dương", HOME, PLACES)
    assert "chưa rõ" in former.placeholders({})["local_line_sentence"]
    assert deployment_for(None, None, HOME, PLACES) is HOME


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("số điện thoại ở địa phương", True),
        ("có số ở địa phương không", True),
        ("số hỗ trợ ở Cần Thơ là gì", True),
        ("số tổng đài bảo vệ trẻ em là số mấy", False),
        ("em sợ ở đây lắm", False),
        ("số tiền trợ cấp của tỉnh", False),
    ],
)
def test_a_question_about_local_lines(text: str, local: bool) -> None:
    assert asks_local_line(folded(text), PLACES) is local


# ---------------------------------------------------------------------------- short turns
@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("ok", Short.YES),  # a yes to a question asked, an acknowledgement otherwise
        ("oke", Short.YES),
        ("okela", Short.ACK),
        ("dạ vâng", Short.YES),
        ("ờ", Short.ACK),
        ("hiểu rồi", Short.ACK),
        ("cảm ơn", Short.THANKS),
        ("hihi thank ad", Short.THANKS),
        ("không", Short.NO),
        ("xem thêm", Short.MORE),
        ("thêm", Short.MORE),
        ("thôi em đi đây", Short.BYE),
        ("ok nhưng báo tin ở đâu", None),
        ("cảm ơn, mà con tôi bị đánh", None),
    ],
)
def test_short_turns(text: str, short: Short | None) -> None:
    assert read_short(folded(text)) is short


def test_follow_up_reading() -> None:
    assert aspect_of(folded("mất bao lâu")) == "duration"
    assert aspect_of(folded("ai duyệt")) == "approver"
    assert aspect_of(folded("hồ sơ gồm những gì")) == "documents"
    assert is_elliptical(folded("thủ tục thế nào"))
    assert not is_elliptical(folded("còn nếu con bị bạn đánh ở trường thì sao"))


# ---------------------------------------------------------------------------- bubbles
def test_the_source_line_names_each_document_once_with_its_articles() -> None:
    docs = default_content().documents
    line = source_line(
        [
            Source("LTE-2016", "Điều 4"),
            Source("ND-56-2017", "Điều 23"),
            Source("LTE-2016", "Điều 6"),
        ],
        docs,
    )
    assert line == "📚 Nguồn: Luật Trẻ em 2016 (Điều 4, 6); NĐ 56/2017 (Điều 23)."
    assert compact_refs(["Điều 5 khoản 1", "Điều 6"]) == "Điều 5 khoản 1, Điều 6"


def test_a_long_reply_leads_with_its_essentials() -> None:
    body = "**Tiêu đề**\n" + "\n".join(f"• Ý thứ {i}: " + "chữ " * 30 for i in range(12))
    head, rest = dialogue.fit_bubble(body, "📚 Nguồn: NĐ 56/2017 (Điều 23).")
    assert head.startswith("**Tiêu đề**") and rest
    assert len(head) <= BUBBLE_CHARS
    assert head + "\n" + rest == body
    assert dialogue.fit_bubble("ngắn", "") == ("ngắn", "")


def test_xem_them_sends_the_rest_and_typing_it_works_too(assistant: Assistant) -> None:
    first = assistant.handle(
        IncomingMessage("@intent:school_violence", user="more", audience=Audience.TEACHER)
    )
    assert dialogue.MORE_BUTTON in first.buttons and len(first.text) <= BUBBLE_CHARS + 100
    rest = assistant.handle(IncomingMessage(dialogue.MORE_BUTTON.payload, user="more"))
    assert rest.answer_id == first.answer_id and rest.text not in first.text
    assert "📚 Nguồn" not in rest.text, "sources are shown once"
    again = assistant.handle(
        IncomingMessage("@intent:school_violence", user="typed", audience=Audience.TEACHER)
    )
    assert dialogue.MORE_BUTTON in again.buttons
    typed = assistant.handle(IncomingMessage("xem thêm", user="typed"))
    assert (typed.kind, typed.answer_id, typed.text) == ("answer", again.answer_id, rest.text)


def test_not_safe_after_the_safety_question_is_danger_now(assistant: Assistant) -> None:
    key = assistant.user_key("test", "check")
    state = assistant.state.get(key)
    state.asked = "safe"
    assistant.state.save(key, state)
    reply = assistant.handle(IncomingMessage("không", user="check", channel="test"))
    assert reply.urgent and reply.kind == "urgent" and reply.hotlines[0] == "111"
    state = assistant.state.get(key)
    state.asked = "safe"
    assistant.state.save(key, state)
    fine = assistant.handle(IncomingMessage("em ổn", user="check", channel="test"))
    assert not fine.urgent and "111" in fine.hotlines


@pytest.mark.parametrize("audience", [Audience.PARENT, Audience.STUDENT, Audience.TEACHER, None])
def test_every_answers_first_text_fits_one_phone_screen(
    assistant: Assistant, audience: Audience | None
) -> None:
    """Whatever answer is pressed, the first text is at most about 800 characters (the cut
    leaves room for the citation and the 111 line) and what was cut is one "Xem thêm" away."""
    limit = BUBBLE_CHARS + 100
    for answer in default_content().answers.values():
        if answer.id.startswith("urgent."):
            continue  # the urgent replies are composed by the safety layer
        user = f"screen-{audience}-{answer.id}"
        message = IncomingMessage(f"@answer:{answer.id}", user=user, audience=audience)
        first = assistant.handle(message)
        assert len(first.text) <= limit, (answer.id, len(first.text))
        if dialogue.MORE_BUTTON in first.buttons:
            rest = assistant.handle(IncomingMessage(dialogue.MORE_BUTTON.payload, user=user))
            assert rest.text and rest.answer_id == answer.id


def test_lines_of_a_place_asked_about_do_not_move_the_user(assistant: Assistant) -> None:
    def say(text: str) -> str:
        return assistant.handle(IncomingMessage(text, user="asks-about", channel="test")).text

    say("tôi ở Cần Thơ")
    asked = say("số tổng đài Hải Phòng là số nào")
    assert "18006605" in asked and "Ở Hải Phòng" in asked  # named with its place, not "local"
    own = say("còn số ở địa phương mình")
    assert "18006605" not in own and "Cần Thơ" in own


def test_a_repeat_is_the_same_question_twice_in_a_row(assistant: Assistant) -> None:
    def say(text: str) -> tuple[str, str | None]:
        reply = assistant.handle(IncomingMessage(text, user="repeat", channel="test"))
        return reply.kind, reply.answer_id

    question = "trẻ dưới 15 tuổi được làm việc mấy tiếng một ngày"
    kind, answer_id = say(question)
    assert kind == "answer"
    assert say(question) == ("notice", answer_id)  # a pointer to the answer above
    say("@answer:child_labour.chores")  # something else in between
    assert say(question)[0] == "answer"  # asked again later: answered again

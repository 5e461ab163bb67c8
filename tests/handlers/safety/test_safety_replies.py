"""The help that fits the danger and the person (#12, points 5–7), through the real Assistant.

Which danger a message shows is detection's job (tests of `handlers.safety` detection);
here most tests fix the assessment (`handlers.reading.assess`) and check what the
assistant then says, so every danger is covered whatever detection reads today. A few
messages go through the real detection end to end.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from handlers import reading as reading_module
from handlers.models import Audience, IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.safety import LINES, Danger

# The first line of each danger, written out here (not read from LINES) so that a wrong
# table fails: fire 114; body 115; attack or abduction now 113; the rest 111.
FIRST_LINE = {
    Danger.FIRE: "114",
    Danger.DROWNING: "115",
    Danger.SERIOUS_INJURY: "115",
    Danger.POISONING: "115",
    Danger.SUICIDE_ATTEMPT: "115",
    Danger.SUICIDE_SELF_HARM: "111",
    Danger.VIOLENCE: "113",
    Danger.ABUSE: "111",
    Danger.SEXUAL_ASSAULT: "111",
    Danger.ABDUCTION_MISSING: "113",
    Danger.SEXTORTION: "111",
    Danger.GROOMING: "111",
    Danger.NEGLECT: "111",
    Danger.RUNAWAY: "111",
    Danger.UNSPECIFIED: "111",
}
# "bạn" as a pronoun (not "bạn bè", "một bạn", "các bạn": a classmate).
YOU_AS_BAN = re.compile(r"(?<!một )(?<!các )(?<!Một )\b[Bb]ạn\b(?! bè)")


@dataclass(frozen=True)
class Fixed:
    """An assessment as detection hands it over (level, dangers, lines, confidence)."""

    level: str
    dangers: tuple[Danger, ...] = ()
    lines: tuple[str, ...] = ()
    confidence: float = 1.0

    @property
    def urgent(self) -> bool:
        return self.level == "urgent"


class Detection:
    """Stands in for detection: the next messages read as `level` for `dangers`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = reading_module.assess
        self.next: Fixed | None = None
        # the one place a message is assessed (handlers.reading.MessageReading, #18)
        monkeypatch.setattr(reading_module, "assess", self)

    def __call__(self, message: Any) -> Any:
        return self.next if self.next is not None else self.real(message)

    def reads(self, level: str, *dangers: Danger) -> None:
        lines = tuple(dict.fromkeys(line for d in dangers for line in LINES[d]))
        self.next = Fixed(level, tuple(dangers), lines)

    def real_from_now(self) -> None:
        self.next = None


@pytest.fixture
def detection(monkeypatch: pytest.MonkeyPatch) -> Detection:
    return Detection(monkeypatch)


def say(bot: Assistant, text: str, user: str = "u", audience: Audience | None = None) -> Reply:
    return bot.handle(IncomingMessage(text, user=user, channel="test", audience=audience))


def phones(reply: Reply) -> list[str]:
    return [b.phone for b in reply.buttons if b.phone]


def assert_calls_every_line_it_names(reply: Reply) -> None:
    assert "111" in reply.hotlines, reply.text
    for line in reply.hotlines:
        assert line in phones(reply), (line, reply.buttons)


# --------------------------------------------------------------------------- the danger
@pytest.mark.parametrize("danger", list(Danger))
def test_the_first_line_and_first_button_fit_the_danger(
    assistant: Assistant, detection: Detection, danger: Danger
) -> None:
    detection.reads("urgent", danger)
    reply = say(assistant, "giúp với", user=f"d-{danger.value}")
    first = FIRST_LINE[danger]
    assert reply.kind == "urgent" and reply.urgent
    assert reply.danger == [danger.value]
    assert reply.text.splitlines()[0].startswith(f"🆘 Gọi ngay **{first}**"), reply.text
    assert reply.hotlines[0] == first
    assert reply.buttons[0].phone == first and reply.buttons[0].payload == f"@tel:{first}"
    assert_calls_every_line_it_names(reply)
    assert reply.answer_id and reply.answer_id.startswith(f"urgent.{danger.value}")
    assert reply.sources, "urgent steps cite where a law or rule applies"


@pytest.mark.parametrize("voice", [None, Audience.STUDENT, Audience.PARENT])
def test_every_urgent_reply_shows_111_and_a_button_per_line(
    assistant: Assistant, detection: Detection, voice: Audience | None
) -> None:
    for danger in Danger:
        detection.reads("urgent", danger)
        reply = say(assistant, "cứu", user=f"all-{voice}-{danger.value}", audience=voice)
        assert_calls_every_line_it_names(reply)


def test_several_dangers_lead_with_the_primary_and_keep_the_others_lines(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("urgent", Danger.FIRE, Danger.SERIOUS_INJURY)
    reply = say(assistant, "cứu", user="two")
    assert reply.hotlines[0] == "114" and {"115", "111"} <= set(reply.hotlines)
    assert reply.danger == ["fire", "serious_injury"]


@pytest.mark.parametrize(
    ("text", "first", "steps"),
    [
        ("nhà em đang cháy, khói đầy phòng", "114", "urgent.fire"),
        ("cứu với, có người đang đánh em", "113", "urgent.violence"),
        ("em muốn chết, không muốn sống nữa", "111", "urgent.suicide_self_harm"),
        ("em vừa uống hết vỉ thuốc ngủ", "115", "urgent.suicide_attempt"),
        ("bé nhà tôi uống nhầm thuốc tẩy", "115", "urgent.poisoning"),
        ("có người đang kéo em lên xe", "113", "urgent.abduction_missing"),
        ("nó dọa tung ảnh nóng của em nếu em không gửi thêm", "111", "urgent.sextortion"),
        (
            "có người trên mạng hẹn gặp em tối nay, bảo em đừng nói với bố mẹ",
            "111",
            "urgent.grooming",
        ),
    ],
)
def test_real_messages_lead_with_their_line(
    assistant: Assistant, text: str, first: str, steps: str
) -> None:
    """End to end through the real detection: the line and the steps that fit."""
    reply = say(assistant, text, user="real")
    assert reply.kind == "urgent"
    assert reply.hotlines[0] == first and reply.buttons[0].phone == first
    assert reply.answer_id is not None and reply.answer_id.startswith(steps), reply.answer_id
    assert_calls_every_line_it_names(reply)
    assert "chưa tắm" not in reply.text or steps == "urgent.sexual_assault"


@pytest.mark.parametrize("voice", [None, Audience.STUDENT, Audience.PARENT])
def test_sextortion_gets_its_own_advice_not_the_physical_assault_one(
    assistant: Assistant, detection: Detection, voice: Audience | None
) -> None:
    detection.reads("urgent", Danger.SEXTORTION)
    reply = say(assistant, "nó dọa tung ảnh", user=f"sx-{voice}", audience=voice)
    text = reply.text.lower()
    assert "không gửi thêm" in text
    assert "không chuyển tiền" in text
    assert "giữ bằng chứng" in text and "chụp màn hình" in text and "tài khoản" in text
    assert "báo cáo" in text
    assert "lỗi" in text  # not your / the child's fault
    assert "chưa tắm" not in text and "giặt" not in text
    assert reply.hotlines[0] == "111"


def test_sexual_assault_keeps_evidence_advice_secondary(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("urgent", Danger.SEXUAL_ASSAULT)
    text = say(assistant, "cứu", user="sa").text
    assert "chưa tắm" in text
    assert text.index("chưa tắm") > text.index("Gọi **111**"), "first the people to call"


@pytest.mark.parametrize(
    ("danger", "musts"),
    [
        (Danger.GROOMING, ["đừng đi gặp", "người lớn", "giữ lại tin nhắn"]),
        (Danger.SUICIDE_ATTEMPT, ["gọi **115** ngay", "tránh xa mép", "đừng ở một mình"]),
        (Danger.FIRE, ["cúi thấp", "đừng quay lại"]),
        (Danger.DROWNING, ["không nhảy xuống", "thứ nổi được", "không dốc ngược"]),
        (Danger.POISONING, ["không tự gây nôn", "trừ khi nhân viên y tế", "vỏ chai"]),
        (Danger.SERIOUS_INJURY, ["ở lại bên cạnh", "không cho bất cứ thứ gì vào miệng"]),
        (Danger.VIOLENCE, ["chỗ an toàn", "**113**", "**111**"]),
        (Danger.ABDUCTION_MISSING, ["gọi **113** ngay", "**111**"]),
        (Danger.RUNAWAY, ["**111**", "người lớn"]),
    ],
)
def test_advice_fits_the_danger(
    assistant: Assistant, detection: Detection, danger: Danger, musts: list[str]
) -> None:
    detection.reads("urgent", danger)
    text = say(assistant, "cứu", user=f"adv-{danger.value}").text.lower()
    for must in musts:
        assert must.lower() in text, (danger, must)


def test_the_first_screen_says_what_to_do(assistant: Assistant, detection: Detection) -> None:
    for danger in Danger:
        for voice in (None, Audience.STUDENT, Audience.TEACHER):
            detection.reads("urgent", danger)
            reply = say(assistant, "cứu", user=f"len-{danger}-{voice}", audience=voice)
            assert len(reply.text) < 1100, (danger, voice, len(reply.text))


# --------------------------------------------------------------------------- the person
@pytest.mark.parametrize(
    "afraid",
    [
        "em sợ gọi lắm",
        "ko dám gọi đâu",
        "ko gọi đc",
        "em không nói được",
        "I can't talk",
        "ko tiện gọi",
        "em sợ bố nghe thấy",
        "đt em bị mẹ thu rồi",
    ],
)
def test_afraid_to_call_after_an_urgent_reply_gets_other_channels(
    assistant: Assistant, detection: Detection, afraid: str
) -> None:
    detection.reads("urgent", Danger.ABUSE)
    say(assistant, "bố em đánh em", user="afraid", audience=Audience.STUDENT)
    detection.real_from_now()
    reply = say(assistant, afraid, user="afraid")
    assert reply.kind == "urgent" and reply.danger == ["abuse"]
    assert "Zalo 111" in reply.text and "tongdai111.vn" in reply.text
    assert "nhắn tiếp ở đây" in reply.text
    assert reply.hotlines[0] == "111" and reply.buttons[0].phone == "111"
    assert reply.text.index("Zalo 111") < reply.text.index("Mình tin em"), "other ways first"


def test_afraid_to_call_in_the_same_message(assistant: Assistant, detection: Detection) -> None:
    detection.reads("urgent", Danger.VIOLENCE)
    reply = say(assistant, "bố đang đánh em, em không dám gọi", user="same")
    assert reply.hotlines[0] == "113"
    assert "Zalo 111" in reply.text and "nhắn tiếp ở đây" in reply.text


def test_afraid_to_call_without_a_danger_is_an_answer_not_an_alarm(
    assistant: Assistant,
) -> None:
    reply = say(assistant, "em không dám gọi điện", user="plain")
    assert not reply.urgent and reply.kind == "answer"
    assert "Zalo 111" in reply.text and "nhắn tiếp ở đây" in reply.text
    assert "111" in phones(reply)


def test_a_plain_urgent_reply_does_not_talk_about_other_channels(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("urgent", Danger.ABUSE)
    assert "Zalo 111" not in say(assistant, "bố em đánh em", user="noz").text


@pytest.mark.parametrize(
    "text",
    [
        "bố em đánh em suốt mấy năm nay rồi",
        "dượng hay đánh em, em sợ về nhà lắm",
    ],
)
def test_a_child_disclosing_abuse_is_believed_not_blamed_and_told_who_to_tell(
    assistant: Assistant, detection: Detection, text: str
) -> None:
    detection.reads("urgent", Danger.ABUSE)
    reply = say(assistant, text, user="kid")
    assert "Mình tin em" in reply.text
    assert "không phải lỗi của em" in reply.text
    assert "người lớn em tin" in reply.text and "thầy cô" in reply.text
    assert reply.hotlines[0] == "111"
    assert not YOU_AS_BAN.search(reply.text), reply.text


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        ("con tôi bị bố dượng đánh suốt, tôi phải làm sao", Danger.ABUSE),
        ("học sinh của tôi kể bị chú ruột xâm hại", Danger.SEXUAL_ASSAULT),
        ("cháu hàng xóm bị nhốt trong nhà mấy ngày không ai cho ăn", Danger.NEGLECT),
        ("con gái tôi bị một người trên mạng dọa tung ảnh", Danger.SEXTORTION),
        ("con tôi nói muốn chết", Danger.SUICIDE_SELF_HARM),
        ("thằng nhỏ nhà tui bị tụi lớp trên đánh hoài", Danger.ABUSE),
    ],
)
def test_an_adult_reporting_gets_what_to_do_not_the_victims_text(
    assistant: Assistant, detection: Detection, text: str, danger: Danger
) -> None:
    detection.reads("urgent", danger)
    reply = say(assistant, text, user="adult")
    assert reply.answer_id == f"urgent.{danger.value}.adult"
    for victim_words in ("Mình tin bạn", "lỗi của bạn", "lỗi của em", "Mình tin em"):
        assert victim_words not in reply.text
    assert "trẻ" in reply.text and "111" in reply.hotlines
    assert reply.hotlines[0] == FIRST_LINE[danger]


def test_a_teacher_writing_about_a_student_gets_the_adult_steps(
    assistant: Assistant, detection: Detection
) -> None:
    say(assistant, "tôi là giáo viên", user="t")
    detection.reads("urgent", Danger.ABUSE)
    reply = say(assistant, "một em học sinh lớp tôi bị bố đánh bầm tím", user="t")
    assert reply.answer_id == "urgent.abuse.adult"
    assert "báo ngay" in reply.text


@pytest.mark.parametrize("danger", list(Danger))
def test_a_student_is_em_throughout(
    assistant: Assistant, detection: Detection, danger: Danger
) -> None:
    detection.reads("urgent", danger)
    reply = say(assistant, "cứu", user=f"st-{danger.value}", audience=Audience.STUDENT)
    assert not YOU_AS_BAN.search(reply.text), (danger, reply.text)
    # every danger, body dangers included, has steps spoken to the child
    assert reply.answer_id == f"urgent.{danger.value}.student"
    assert re.search(r"\b[Ee]m\b", reply.text)


# --------------------------------------------------------------------------- the check
def test_check_asks_if_safe_with_two_answers_and_the_line_in_view(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("check", Danger.GROOMING)
    reply = say(assistant, "có anh trên mạng rủ đi gặp riêng", user="c1")
    assert reply.kind == "safety_check" and not reply.urgent
    assert reply.text.startswith("Bạn có đang an toàn không?")
    payloads = [b.payload for b in reply.buttons]
    assert payloads[:2] == ["@safety:danger", "@safety:info"]
    assert "111" in phones(reply) and "111" in reply.hotlines
    assert reply.danger == ["grooming"]


def test_check_shows_the_dangers_own_line_first(assistant: Assistant, detection: Detection) -> None:
    detection.reads("check", Danger.FIRE)
    reply = say(assistant, "hình như có mùi khét", user="c-fire")
    assert reply.kind == "safety_check"
    assert phones(reply) == ["114", "111"] and reply.hotlines[:2] == ["114", "111"]


def test_check_speaks_to_a_student_as_em(assistant: Assistant, detection: Detection) -> None:
    detection.reads("check", Danger.GROOMING)
    reply = say(assistant, "có anh rủ em đi gặp", user="c-st", audience=Audience.STUDENT)
    assert reply.text.startswith("Em có đang an toàn không?")
    assert not YOU_AS_BAN.search(reply.text)
    assert reply.buttons[0].label.startswith("🆘 Em")


@pytest.mark.parametrize(
    "answer",
    ["@safety:danger", "1", "không", "ko an toàn", "cứu em", "🆘 Đang gặp nguy hiểm", "help"],
)
def test_in_danger_leads_straight_to_the_urgent_reply_for_the_assessed_danger(
    assistant: Assistant, detection: Detection, answer: str
) -> None:
    detection.reads("check", Danger.GROOMING)
    say(assistant, "có anh trên mạng rủ đi gặp riêng tối nay", user="c2")
    detection.real_from_now()
    reply = say(assistant, answer, user="c2")
    assert reply.kind == "urgent" and reply.urgent
    assert reply.danger == ["grooming"], "the dangers assessed at the check, not a bare plea"
    assert reply.answer_id is not None and reply.answer_id.startswith("urgent.grooming")
    assert reply.hotlines[0] == "111"


@pytest.mark.parametrize(
    "answer", ["@safety:info", "2", "có ạ", "em chỉ hỏi thôi", "Chỉ hỏi thông tin", "an toàn"]
)
def test_just_asking_answers_the_topic(
    assistant: Assistant, detection: Detection, answer: str
) -> None:
    detection.reads("check", Danger.GROOMING)
    check = say(assistant, "làm sao biết người lạ trên mạng dụ dỗ trẻ", user="c3")
    assert check.kind == "safety_check"
    detection.real_from_now()
    reply = say(assistant, answer, user="c3")
    assert reply.kind == "answer" and not reply.urgent
    assert reply.intent == check.intent
    assert reply.answer_id and not reply.answer_id.startswith("urgent.")
    assert reply.sources


def test_the_check_is_not_asked_twice_in_a_row(assistant: Assistant, detection: Detection) -> None:
    detection.reads("check", Danger.SUICIDE_SELF_HARM)
    first = say(assistant, "dạo này mệt mỏi chán hết mọi thứ", user="c4")
    assert first.kind == "safety_check"
    second = say(assistant, "chẳng muốn làm gì nữa", user="c4")
    assert second.kind != "safety_check"
    assert "111" in second.hotlines and "111" in phones(second), "the line stays in view"
    third = say(assistant, "mệt lắm", user="c4")
    assert third.kind == "safety_check", "asked again once something else came between"


def test_check_state_is_plain_json(assistant: Assistant, detection: Detection) -> None:
    detection.reads("check", Danger.GROOMING, Danger.SEXTORTION)
    say(assistant, "có người đòi ảnh", user="c5")
    state = assistant.state.get(assistant.user_key("test", "c5"))
    fields = asdict(state)
    fields["role"] = state.role.value if state.role else None
    json.loads(json.dumps(fields))
    assert state.asked == "safe" and state.safety_dangers == ["grooming", "sextortion"]
    assert all(isinstance(d, str) for d in state.safety_dangers)


def test_an_adult_asking_about_a_child_gets_the_answer_with_the_line_not_the_check(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("check", Danger.GROOMING)
    reply = say(assistant, "có người lạ làm quen con tôi trên mạng rồi hẹn gặp", user="c-ad")
    assert reply.kind == "answer" and not reply.urgent
    assert "an toàn không?" not in reply.text
    assert "111" in reply.hotlines and "111" in phones(reply)


def test_a_question_plainly_about_a_harmless_topic_is_not_asked_if_safe(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("check", Danger.ABDUCTION_MISSING)
    reply = say(assistant, "cháu mồ côi cha, mẹ đang chấp hành án tù thì có được trợ cấp không")
    assert reply.kind == "answer" and reply.intent == "social_assistance"
    assert "113" in phones(reply) and "111" in phones(reply)  # the line stays in view


def test_afraid_to_call_long_after_a_danger_is_an_answer_again(
    assistant: Assistant, detection: Detection
) -> None:
    detection.reads("urgent", Danger.ABUSE)
    say(assistant, "bố em đánh em", user="later")
    detection.real_from_now()
    for _ in range(10):  # ten turns about something else
        say(assistant, "học phí có được miễn không", user="later")
    reply = say(assistant, "em không dám gọi điện", user="later")
    assert reply.kind == "answer" and not reply.urgent
    assert "Zalo 111" in reply.text


def test_a_real_disclosure_and_a_real_report_end_to_end(assistant: Assistant) -> None:
    """Through the real detection: a child's disclosure and a parent's report of the same."""
    child = say(assistant, "bố em đánh em suốt mấy năm nay rồi", user="e2e-child")
    assert child.kind == "urgent" and child.hotlines[0] == "111"
    assert "Mình tin em" in child.text and "không phải lỗi của em" in child.text
    parent = say(assistant, "con tôi bị bố dượng đánh suốt, tôi phải làm sao", user="e2e-parent")
    assert parent.kind == "urgent" and parent.hotlines[0] == "111"
    assert parent.answer_id is not None and parent.answer_id.endswith(".adult")
    assert "Mình tin" not in parent.text and "báo ngay" in parent.text


@pytest.mark.parametrize(
    "text", ["điện thoại bị cô giáo thu có lấy lại được không", "gọi 111 có mất tiền không"]
)
def test_a_question_about_phones_or_calling_is_not_read_as_afraid_to_call(
    assistant: Assistant, text: str
) -> None:
    reply = say(assistant, text, user="phones")
    assert "Không gọi được cũng không sao" not in reply.text

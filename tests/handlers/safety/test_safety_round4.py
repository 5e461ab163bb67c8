"""Round 4 of the safety forms (#12, helper safety2): each class of misfire found by the lead
or by the round-4 dev set (tests/handlers/safety/data/dev_round4.yml), pinned with variants in
other words, and its counterpart that must stay as it is. Every case here fails when the rule,
the gate cue or the engine step that fixes its class is taken away."""

from __future__ import annotations

import pytest

from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant
from handlers.safety import Danger, assess
from nlu.text import read

URGENT_FIRST: list[tuple[str, Danger]] = [
    # a school incident happening NOW, with the question frame, stays urgent (113)
    ("con tôi đang bị bạn đánh ở cổng trường, báo ai bây giờ", Danger.VIOLENCE),
    # a child hurt at home asks who to tell: a family member doing it is never just a question
    ("em bị bố đánh thì báo ai", Danger.ABUSE),
    # a parent tells what the child told at home: sexual abuse, 111 first
    ("con đi học về kể bị thầy sờ vào người", Danger.SEXUAL_ASSAULT),
    ("cháu tôi đi học về mách bị chú bảo vệ sờ khắp người", Danger.SEXUAL_ASSAULT),
    # a bite with signs, told now, stays an injury
    ("bé bị rắn cắn, chân sưng tím", Danger.SERIOUS_INJURY),
    # the writer has left home and says where they are: running away (111), not missing (113)
    ("con đang ở bến xe, con bỏ nhà ra đi rồi", Danger.RUNAWAY),
    ("mk đang ở ga rồi, trốn nhà đi luôn", Danger.RUNAWAY),
    # possessive pills (the rule, not only the model)
    ("I took all of grandpa's heart pills", Danger.SUICIDE_ATTEMPT),
    ("i just swallowed my mom's sleeping pills", Danger.SUICIDE_ATTEMPT),
    ("took all of grandma's sleeping pills", Danger.SUICIDE_ATTEMPT),
    # a rope tied to the ceiling; on a roof with the jump in mind: an attempt (115)
    ("tui buộc dây vô xà nhà rồi", Danger.SUICIDE_ATTEMPT),
    ("em đang ngồi trên lan can tầng 5, chắc nhảy xuống thôi", Danger.SUICIDE_ATTEMPT),
    # going away "to lift the burden": an indirect farewell
    ("chắc em chết quách cho nhẹ nợ", Danger.SUICIDE_SELF_HARM),
    ("tự tử thôi, mệt quá rồi", Danger.SUICIDE_SELF_HARM),
    # English: fell in the water and not moving; touched by a step-relative; a friend attacked
    ("my little brother fell into the pond and he's not breathing", Danger.DROWNING),
    ("my step brother keeps touching me when mom is out", Danger.SEXUAL_ASSAULT),
    ("they are punching my cousin outside the mall", Danger.VIOLENCE),
    # a comparison is an image, but not when the child says what they feel, or it happens now
    ("em cảm giác như muốn chết", Danger.SUICIDE_SELF_HARM),
    ("mẹ đang đánh em như đánh con vật", Danger.VIOLENCE),
    ("em khóc cả đêm, muốn chết", Danger.SUICIDE_SELF_HARM),
    # someone following the writer now (113 first, not the bare plea)
    ("có ông nào cứ đi theo em từ trường về, em sợ", Danger.ABDUCTION_MISSING),
    # a bare danger word and a plea (114, not the plea's 111)
    ("cháy rồi, cứu với", Danger.FIRE),
    # the disguise hid the danger behind a plea: the folded text names it
    ("th4ng be d u o i n u o c roi, cuu", Danger.DROWNING),
]

NOT_URGENT: list[str] = [
    # the question frame about a school incident, no one in danger now
    "con tôi bị bạn đánh ở trường thì báo ai",
    "học sinh bị bạn bắt nạt thì báo cho ai ạ",
    "con bị bạn tát thì phụ huynh làm gì",
    # a general question about a bite or a sting
    "con rắn cắn thì sao",
    "bị con rết cắn thì có sao không",
    # over and done
    "năm ngoái bạn tui bị dụ qua zalo rồi, giờ ổn rồi",
    "hồi lớp 4 em bị bạn đánh, giờ tụi em chơi thân lắm",
    "hôm thứ ba con bị bạn xô ngã, nhà trường đã xử lý rồi",
    "bữa trước thằng nhỏ uống nhầm nước rửa chén, bác sĩ khám bảo không sao",
    # a hypothetical about later, news, a play, an idiom, a word collision
    "nhỡ sau này em bị lạc thì em gọi ai",
    "nghe nói trong xóm có đứa nhỏ bị bắt cóc hả ad",
    "lớp em diễn tiểu phẩm về một bé bị lạc",
    "ra đường nắng cháy da",
    "cô chủ nhiệm bảo chuyển qua zalo cho tiện trao đổi",
    # crying as an expression, a comparison
    "xem tập cuối khóc muốn chết luôn",
    "thằng nhỏ la như bị ai đánh, hóa ra bị muỗi chích",
    "nhức răng như bị xe cán",
    # a disguise over a past or a prevention question
    "h0i l0p 4 e bi ban danh, gio on roi",
    "c.a.c.h p.h.o.n.g t.r.a.n.h b.a.t c.o.c",
    # English
    "i took the dog's pills to the vet",
    "my homeroom teacher gave us a test",
    "từ từ thôi em ơi",
]


@pytest.mark.parametrize(("text", "danger"), URGENT_FIRST)
def test_urgent_with_the_danger_that_fits(text: str, danger: Danger) -> None:
    result = assess(read(text))
    assert result.urgent, (text, result)
    assert result.primary is danger, (text, result)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent(text: str) -> None:
    result = assess(read(text))
    assert not result.urgent, (text, result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "năm ngoái bạn tui bị dụ qua zalo rồi, giờ ổn rồi",
        "hồi lớp 4 em bị bạn đánh, giờ tụi em chơi thân lắm",
    ],
)
def test_over_and_resolved_is_not_even_a_check(text: str) -> None:
    assert assess(read(text)).level == "none"


def test_a_parent_reporting_a_disclosure_gets_the_adult_steps_111_first(
    assistant: Assistant,
) -> None:
    reply = assistant.handle(
        IncomingMessage(
            "con đi học về kể bị thầy sờ vào người",
            user="r4",
            channel="test",
            audience=Audience.PARENT,
        )
    )
    assert reply.kind == "urgent"
    assert reply.hotlines[0] == "111" and reply.buttons[0].phone == "111"
    assert reply.answer_id == "urgent.sexual_assault.adult", reply.answer_id


def test_english_words_in_an_english_message_stay_whole() -> None:
    """'homeroom' is not run-together Vietnamese ("ho me ro om") in an English message; a
    run-together Vietnamese phrase is still split."""
    assert "homeroom" in read("my homeroom teacher is nice").tokens
    assert "headteacher" in read("our headteacher called my mom").tokens
    assert read("emmuonchetdi").folded == "em muon chet di"

"""Forms the safety layer misread on training-side data (#12, #13), pinned: abuse told as
history, questions of meaning, idioms, a blade in the writer's own hand, a plea with someone in
the water, habitual beatings, a child who has left home, a search in the water, follow-ups
naming the next topic ("còn điện giật"), and questions about the service's own channels ("có
nhắn tin qua zalo được không"), each beside the real danger its words resemble, which must stay
urgent with the line that fits.

The examples are written for these tests (Northern, Central and Southern speech, no
diacritics, teen code, English); none is in the training corpus (checked)."""

from __future__ import annotations

import pytest

from handlers.safety import LINES, Danger, assess
from handlers.safety import model as model_module
from handlers.safety import rules as rules_module
from handlers.safety.gate import Gate
from handlers.safety.reading import read_for_safety
from nlu.text import read

TRAINED = {read_for_safety(e.text).sense for e in model_module.load_examples()}


def _unseen(text: str) -> None:
    assert read_for_safety(text).sense not in TRAINED, "a test example must not be trained on"


# ----------------------------------------------------------------------------- not urgent

HARMLESS: list[tuple[str, str]] = [
    # abuse told as history: a date back, and it has ended
    ("hồi lớp 2 tui bị ông thầy đánh, giờ tui học đại học rồi", "past"),
    ("cach day may nam anh ho em bi bao hanh, gio anh ay o voi ong ba noi roi", "past"),
    ("6 năm trước chị họ mình bị chồng bạo hành, giờ chị ấy ly hôn rồi", "past"),
    ("years ago my aunt was abused, she moved away and is fine now", "past"),
    # questions of meaning
    ("tự sát và tự hại có gì khác nhau", "general"),
    ("sextortion nghĩa là gì vậy ad", "general"),
    ("what does grooming mean online", "general"),
    ("bạo hành tinh thần là như thế nào", "general"),
    ("khi bị bạn đánh thì em nên làm gì", "general"),
    # idioms
    ("we are drowning in assignments this month", "idiom"),
    ("đội bóng trường tui bị đánh tơi tả trong trận chung kết", "idiom"),
    ("mệt muốn chết vì ôn thi", "idiom"),
    ("my mom is gonna kill me when she sees my grades", "idiom"),
    # a follow-up naming the next topic, after an accident-prevention answer
    ("thế còn hóc dị vật", "prevention"),
    ("vậy còn bỏng nước sôi thì sao", "prevention"),
    ("còn ngộ độc thuốc", "prevention"),
    # the service's own channels
    ("có nhắn qua zalo cho tổng đài được không", "help_question"),
    ("chat với tư vấn viên qua messenger được không ạ", "help_question"),
    ("tôi muốn nhắn tin qua zalo với chuyên viên", "help_question"),
]


@pytest.mark.parametrize(("text", "kind"), HARMLESS)
def test_a_harmless_form_raises_no_alarm(text: str, kind: str) -> None:
    _unseen(text)
    result = assess(read(text))
    assert not result.urgent, (kind, text, result)


@pytest.mark.parametrize(
    "text",
    [
        "còn điện giật",  # #13: after an accident-prevention answer
        "có nhắn tin qua zalo được không ad",  # #13: asking whether 111 takes Zalo messages
        "thế còn đuối nước thì sao",
        "can i message you on zalo",
    ],
)
def test_a_follow_up_or_a_channel_question_is_not_even_a_check(text: str) -> None:
    """These are answered, not asked "Bạn có đang an toàn không?"."""
    assert assess(read(text)).level == "none"


# ----------------------------------------------------------------------------- urgent

URGENT: list[tuple[str, set[Danger]]] = [
    # abuse still going on: urgent, 111 first
    ("chú em vẫn đánh em hoài, tối qua cũng bị", {Danger.ABUSE}),
    ("ba vẫn còn đánh con mỗi khi về nhà", {Danger.ABUSE}),
    # "sau khi", "từ khi" (after, since) tell what happened; only "khi" alone is a condition
    ("từ khi bị dượng đánh em sợ về nhà lắm", {Danger.ABUSE}),
    # a blade in the writer's own hand with a wish to cut: an attempt under way (115), not 113
    ("e cầm dao rồi, e muốn rạch tay lắm", {Danger.SUICIDE_ATTEMPT, Danger.SUICIDE_SELF_HARM}),
    ("mình đang cầm con dao lam, muốn cắt cổ tay", {Danger.SUICIDE_ATTEMPT}),
    ("i have a blade pressed to my wrist right now", {Danger.SUICIDE_ATTEMPT}),
    ("em đang cầm kéo, em muốn cắt tay", {Danger.SUICIDE_ATTEMPT}),
    # the knife in someone else's hand stays an attack (113 first)
    ("bố đang cầm dao đuổi em, em muốn chết", {Danger.VIOLENCE}),
    ("he said he's gonna kill me", {Danger.VIOLENCE}),
    ("he's gonna kill me if i tell anyone", {Danger.VIOLENCE}),  # a threat, not an idiom
    # a plea with someone in the water: drowning (115), not a bare plea
    ("cứu với, thằng bé bị nước cuốn ra giữa sông", {Danger.DROWNING}),
    ("ai cuu voi ban toi dang bi song cuon", {Danger.DROWNING}),
    # beatings as a habit: abuse (111); an attack now: violence (113)
    ("mẹ kế hay lấy thước quất em mỗi lần em làm vỡ đồ", {Danger.ABUSE}),
    ("my stepdad hits me every time he drinks", {Danger.ABUSE}),
    ("ba đang lấy roi quất em, cứu em", {Danger.VIOLENCE}),
    # "vừa kể", "vừa nói": the telling is recent, not the beating (abuse, 111 first)
    ("bạn thân em vừa kể với em là bị bố đánh hoài, em phải làm sao", {Danger.ABUSE}),
    ("thằng bé hàng xóm vừa tâm sự là bị ông nội đánh bằng gậy", {Danger.ABUSE}),
    ("mẹ nó vừa đập nó túi bụi, tui nghe tiếng la", {Danger.VIOLENCE}),
    # spaced letters with odd breaks: the letters run together, then split into words
    ("cu u t o i v o i", {Danger.UNSPECIFIED}),
    ("ch a y nh a r o i", {Danger.FIRE}),
    ("tr o n g nh a c o ch a y", {Danger.FIRE}),
    ("pls help me, he is outside my door", {Danger.UNSPECIFIED, Danger.VIOLENCE}),
    # "without me they would be happier", told the other way round
    ("thiếu tui chắc ba má sống thoải mái hơn", {Danger.SUICIDE_SELF_HARM}),
    # a child who has left home: runaway (111), not abduction
    ("mình vừa trốn nhà, đang ở bến xe một mình", {Danger.RUNAWAY}),
    ("tui bo nha di roi, gio dang o ga xe lua", {Danger.RUNAWAY}),
    # searched for in the water and not found: drowning (115), not missing
    ("bạn tôi lặn xuống ao mãi không thấy lên, tìm mà chưa thấy", {Danger.DROWNING}),
    # the follow-up's words with someone hurt now
    ("còn thằng bé bị điện giật, giờ không thở", {Danger.SERIOUS_INJURY}),
    # grooming still recognised when a private app comes with an adult, secrecy or a meeting
    (
        "có ông chú quen qua game bắt em chuyển qua zalo rồi dặn không được kể bố mẹ",
        {Danger.GROOMING},
    ),
    (
        "anh kia nhắn tin qua zalo được mấy hôm, giờ hẹn em tối nay ra gặp riêng",
        {Danger.GROOMING},
    ),
    ("a man i met online wants me to switch to telegram and not tell my mom", {Danger.GROOMING}),
]


@pytest.mark.parametrize(("text", "first"), URGENT)
def test_the_danger_is_recognised_with_the_line_that_fits(text: str, first: set[Danger]) -> None:
    _unseen(text)
    result = assess(read(text))
    assert result.urgent, (text, result)
    assert result.primary in first, (text, result)
    assert result.lines[0] == LINES[result.primary][0]
    assert "111" in result.lines


def test_a_death_in_the_family_is_no_alarm_but_wanting_to_follow_is() -> None:
    """The grandmother raising a child whose father drowned is never alarmed, not even
    asked whether she is safe; a child who wants to follow a parent who died is urgent."""
    told = assess(read("bố nó mất vì đuối nước, mẹ đi lấy chồng, tôi nuôi cháu"))
    assert told.level == "none", told
    follow = assess(read("mẹ em mất vì tự tử, em cũng muốn đi theo mẹ"))
    assert follow.urgent and follow.primary is Danger.SUICIDE_SELF_HARM, follow
    assert follow.lines[0] == "111"
    # a death told with a time before its cause; "mất ngủ vì" is a lost sleep, not a death
    assert assess(read("ông ngoại nó mất hồi nó lên 5 do điện giật, tôi nuôi nó")).level == "none"
    assert assess(read("dạo này em mất ngủ vì cứ nghĩ đến tự tử")).urgent


def test_the_blade_is_115_first_and_the_attack_113_first() -> None:
    own = assess(read("em đang cầm dao, em muốn rạch tay cho chảy máu"))
    theirs = assess(read("bố đang cầm dao dọa chém em"))
    assert own.lines[0] == "115" and Danger.VIOLENCE not in own.dangers
    assert theirs.lines[0] == "113" and theirs.primary is Danger.VIOLENCE


# ----------------------------------------------------------------------------- the mechanisms


def _find(text: str) -> rules_module.RuleFindings:
    return rules_module.find(read_for_safety(read(text).canonical))


def test_channel_signs_count_only_with_someone_else_in_the_message() -> None:
    asked = _find("có nhắn tin qua zalo được không")
    assert Danger.GROOMING not in asked.urgent and Danger.GROOMING not in asked.check
    told = _find("có người nhắn tin qua zalo bảo em chuyển qua zalo được không")
    assert Danger.GROOMING in told.urgent or Danger.GROOMING in told.check
    # not a question: the same signs are still read
    moved = _find("anh ấy nhắn tin qua zalo rủ em chuyển qua telegram")
    assert Danger.GROOMING in moved.urgent or Danger.GROOMING in moved.check


def test_the_what_about_opener_needs_the_accent_or_a_particle() -> None:
    def opens(text: str) -> bool:
        reading = read_for_safety(read(text).canonical)
        return Gate(f" {reading.sense} ", reading.lower).what_about

    assert opens("còn điện giật")
    assert opens("thế con dien giat thi sao")
    assert opens("dạ, còn đuối nước")
    # bare "con" without accents may be a child: "con dien giat" is read as a case
    assert not opens("con dien giat")
    assert not opens("con bị điện giật")
    assert assess(read("con bi dien giat")).urgent
    # "còn" as "still": the state goes on ("còn chảy máu" after an urgent reply)
    assert not opens("còn chảy máu")
    assert not opens("thế còn co giật không")
    assert assess(read("còn chảy máu")).urgent
    assert assess(read("vẫn còn co giật")).urgent


def test_a_child_gone_in_the_water_is_drowning_first_and_keeps_the_police() -> None:
    result = assess(read("thằng út đi bơi ngoài đập với bạn, giờ mất tích rồi"))
    assert result.primary is Danger.DROWNING and result.lines[0] == "115"
    assert "113" in result.lines and "111" in result.lines

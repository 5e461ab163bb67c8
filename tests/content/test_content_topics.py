"""The answers people most need say the right thing, with the right source, and every
sub-answer of the non-harm topics is reachable by what people type and by follow-up buttons.

All through the real Assistant: normalisation, triage, the embedded NLU and the content.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from content.base import Answer, default_content
from handlers.models import Audience, IncomingMessage, Reply
from handlers.pipeline import Assistant
from nlu.text import fold

BASE = default_content()
INTENTS = (
    "accident_prevention",
    "social_assistance",
    "child_rights",
    "education_support",
    "hotline_info",
    "directive_info",
)
_users = itertools.count()


def ask(assistant: Assistant, text: str, audience: Audience | None = None) -> Reply:
    """A message from a new person (no conversation behind it)."""
    return assistant.handle(IncomingMessage(text, user=f"u{next(_users)}", audience=audience))


def cites(reply: Reply, doc: str, ref_part: str = "") -> bool:
    return any(s.doc == doc and ref_part in s.ref for s in reply.sources)


def both_spellings(message: str) -> list[str]:
    """As typed with diacritics, and as typed on a phone without them."""
    return [message, fold(message)]


# ---------------------------------------------------------------------- what people most need


@pytest.mark.parametrize(
    "message",
    [
        *both_spellings("trẻ mồ côi dưới 4 tuổi được trợ cấp bao nhiêu"),
        "dạ cho em hỏi bé 2 tuổi mồ côi mẹ, bố bỏ đi thì mỗi tháng được bao nhiêu tiền hỗ trợ ạ",
        "chau toi mo coi ca cha lan me, moi 3 tuoi, dc nhan bao nhieu tien 1 thang",
    ],
)
def test_allowance_for_an_orphan_under_4_states_coefficient_and_amount(
    assistant: Assistant, message: str
) -> None:
    reply = ask(assistant, message)
    assert reply.intent == "social_assistance" and not reply.urgent
    assert reply.answer_id == "social_assistance.amount"
    assert "2,5" in reply.text and "1.250.000 đồng" in reply.text
    assert "500.000 đồng" in reply.text
    assert cites(reply, "ND-20-2021", "Điều 6") and cites(reply, "ND-76-2024")


@pytest.mark.parametrize(
    "message",
    [
        *both_spellings("hồ sơ xin trợ cấp xã hội cho cháu nộp ở đâu"),
        "làm hồ sơ trợ cấp cho con nít mồ côi cần giấy tờ gì",
        "ai ký quyết định trợ cấp xã hội hàng tháng bây giờ",
    ],
)
def test_application_answer_says_commune_level_and_cites_decree_147(
    assistant: Assistant, message: str
) -> None:
    reply = ask(assistant, message)
    assert reply.answer_id == "social_assistance.apply"
    assert "cấp xã" in reply.text and "01/7/2025" in reply.text
    assert cites(reply, "ND-147-2025", "Điều 5 khoản 1") and cites(reply, "ND-20-2021", "Điều 7")


def test_how_long_answer_states_ten_working_days(assistant: Assistant) -> None:
    for message in both_spellings("bao lâu thì có quyết định hưởng trợ cấp xã hội"):
        reply = ask(assistant, message)
        assert reply.answer_id == "social_assistance.timeline"
        assert "10 ngày làm việc" in reply.text and cites(reply, "ND-147-2025")


@pytest.mark.parametrize(
    "message",
    [*both_spellings("tổng đài 111 có mất phí không"), "gọi 111 ban đêm có ai nghe máy không"],
)
def test_hotline_answer_names_111_free_and_24_7(assistant: Assistant, message: str) -> None:
    reply = ask(assistant, message)
    assert reply.answer_id == "hotline_info.national_111"
    assert reply.hotlines[0] == "111"
    assert "Miễn phí" in reply.text and "24/7" in reply.text
    assert "24 giờ trong ngày, tất cả các ngày" in reply.text
    assert cites(reply, "ND-56-2017", "Điều 23")


def test_emergency_numbers_are_cited_to_circular_22(assistant: Assistant) -> None:
    reply = ask(assistant, "số cấp cứu là số mấy")
    assert reply.answer_id == "hotline_info.emergency"
    assert {"113", "114", "115", "112"} <= set(reply.hotlines)
    assert cites(reply, "TT-22-2014-BTTTT", "Điều 13")


@pytest.mark.parametrize(
    ("message", "answer_id", "doc"),
    [
        ("chỉ thị 28 nói gì", "directive_info.ct28", "CT-28-CTTW"),
        ("kế hoạch 276 của thành ủy cần thơ", "directive_info.kh276", "KH-276-KHTU-CT"),
        ("kế hoạch 1583 giao nhiệm vụ gì", "directive_info.kh1583", "KH-1583-UBND"),
        (
            "công văn của sở giáo dục hải phòng về chỉ thị 28",
            "directive_info.sgddt_hp",
            "CV-SGDDT-HP-2024",
        ),
        ("công văn 363 của phòng giáo dục an lão", "directive_info.cv363", "CV-363-PGDDT-AL"),
        ("kế hoạch 2542 nói gì", "directive_info.kh2542", "KH-2542-SGDDT"),
    ],
)
def test_each_directive_has_its_own_answer_citing_itself(
    assistant: Assistant, message: str, answer_id: str, doc: str
) -> None:
    for typed in both_spellings(message):
        reply = ask(assistant, typed)
        assert reply.answer_id == answer_id, typed
        assert cites(reply, doc)


def test_accident_answers_put_115_first_and_never_invent_deadlines(assistant: Assistant) -> None:
    reply = ask(assistant, "cách sơ cứu trẻ trong lúc chờ xe cấp cứu")
    assert reply.answer_id == "accident_prevention.first_aid"
    assert reply.hotlines[0] == "115" and any(b.phone == "115" for b in reply.buttons)
    home = ask(assistant, "ngôi nhà an toàn gồm những tiêu chí gì")
    assert home.answer_id == "accident_prevention.safe_home"
    assert "23 trên 33 tiêu chí" in home.text and "15 tiêu chí bắt buộc" in home.text
    assert cites(home, "QD-548-LDTBXH")


# ---------------------------------------------------------------------- typed reachability

TYPED: dict[str, tuple[str, ...]] = {
    "accident_prevention.drowning": ("phòng tránh đuối nước cho trẻ",),
    "accident_prevention.burns": ("cách sơ cứu khi bé bị bỏng",),
    "accident_prevention.falls": ("phòng tránh té ngã cho trẻ nhỏ ở nhà",),
    "accident_prevention.poisoning": ("cách phòng ngộ độc cho trẻ ở nhà",),
    "accident_prevention.electricity": ("làm sao phòng tránh điện giật cho trẻ nhỏ",),
    "accident_prevention.traffic": ("an toàn giao thông cho học sinh, đội mũ bảo hiểm",),
    "accident_prevention.choking": ("bé bị hóc dị vật phải sơ cứu thế nào",),
    "accident_prevention.safe_home": ("ngôi nhà an toàn gồm những tiêu chí gì",),
    "accident_prevention.programmes": ("mục tiêu chương trình phòng chống tai nạn thương tích",),
    "accident_prevention.first_aid": ("cách sơ cứu trẻ trong lúc chờ xe cấp cứu",),
    "accident_prevention.febrile_seizure": ("bé bị sốt co giật thì nên làm gì",),
    "social_assistance.eligibility": (
        "ai được hưởng trợ cấp xã hội hằng tháng",
        "trẻ mồ côi có được hưởng trợ cấp không",
    ),
    "social_assistance.amount": (
        "hệ số trợ cấp cho trẻ từ 4 đến dưới 16 tuổi là bao nhiêu",
        "tro cap cho be mo coi 5 tuoi dc bao nhieu 1 thang",
    ),
    "social_assistance.apply": ("hồ sơ xin trợ cấp xã hội cho cháu nộp ở đâu",),
    "social_assistance.timeline": (
        "bị từ chối trợ cấp thì khiếu nại ở đâu",
        "bao lâu thì có quyết định hưởng trợ cấp xã hội",
    ),
    "social_assistance.disability": (
        "trợ cấp cho trẻ khuyết tật nặng",
        "con tôi bị khuyết tật nặng, có được hưởng trợ cấp không",
    ),
    "social_assistance.care": (
        "trẻ mồ côi không có ai nuôi, đưa vào trung tâm bảo trợ được không",
    ),
    "child_rights.age": ("trẻ em là người dưới bao nhiêu tuổi",),
    "child_rights.prohibited": ("các hành vi bị nghiêm cấm đối với trẻ em",),
    "child_rights.special": ("luật trẻ em quy định trẻ có hoàn cảnh đặc biệt là ai",),
    "child_rights.protection_levels": ("ba cấp độ bảo vệ trẻ em theo luật trẻ em",),
    "child_rights.participation": ("bổn phận của trẻ em",),
    "child_rights.un_convention": (
        "việt nam có tham gia công ước liên hợp quốc về quyền trẻ em không",
    ),
    "education_support.fees": ("miễn học phí cho trẻ mồ côi",),
    "education_support.disability": ("con khuyết tật có được học hòa nhập không",),
    "education_support.dropout": ("con không muốn đi học nữa",),
    "education_support.counselling": ("trường có tư vấn tâm lý học đường không, hỗ trợ học tập",),
    "education_support.preschool": ("mẫu giáo có được hỗ trợ ăn trưa không",),
    "education_support.studying_after_16": ("sinh viên mồ côi học đại học được hỗ trợ gì",),
    "hotline_info.national_111": ("tổng đài 111 có mất phí không",),
    "hotline_info.channels": ("111 có nhắn tin zalo được không", "tổng đài 111 có zalo không"),
    "hotline_info.emergency": ("số cấp cứu là số mấy",),
    "hotline_info.local": ("đường dây nóng hỗ trợ trẻ em của tỉnh",),
    "directive_info.ct28": ("chỉ thị 28 nói gì",),
    "directive_info.kh276": (
        "kế hoạch 276 của thành ủy cần thơ",
        "kế hoạch của cần thơ về chỉ thị 28",
    ),
    "directive_info.kh1583": ("kế hoạch 1583 giao nhiệm vụ gì",),
    "directive_info.sgddt_hp": ("công văn của sở giáo dục hải phòng về chỉ thị 28",),
    "directive_info.cv363": ("công văn 363 của phòng giáo dục an lão",),
    "directive_info.kh2542": ("kế hoạch 2542 nói gì",),
}


def _sub_answers() -> list[Answer]:
    return [a for i in INTENTS for a in BASE.for_intent(i) if not a.main and a.keywords]


def test_every_sub_answer_has_a_typed_message_here() -> None:
    assert sorted(TYPED) == sorted(a.id for a in _sub_answers())


@pytest.mark.parametrize(
    ("answer_id", "message"), [(a, m) for a, messages in sorted(TYPED.items()) for m in messages]
)
def test_sub_answer_reachable_by_typing(assistant: Assistant, answer_id: str, message: str) -> None:
    for typed in both_spellings(message):
        reply = ask(assistant, typed)
        assert reply.answer_id == answer_id, (typed, reply.intent, reply.answer_id)
        assert reply.sources and not reply.urgent


# ---------------------------------------------------------------------- buttons


@pytest.mark.parametrize("answer_id", sorted(a.id for a in _sub_answers()))
def test_sub_answer_reachable_by_button_payload(assistant: Assistant, answer_id: str) -> None:
    reply = ask(assistant, f"@answer:{answer_id}")
    assert reply.answer_id == answer_id and reply.intent == BASE.answers[answer_id].intent


@pytest.mark.parametrize("answer_id", sorted(a.id for a in _sub_answers()))
def test_sub_answer_reachable_as_a_follow_up_button(assistant: Assistant, answer_id: str) -> None:
    """Some answer of the topic offers it; pressing that button ("2" on Zalo) opens it."""
    parents = [
        (a, [b.goto for b in a.buttons].index(answer_id))
        for a in BASE.for_intent(BASE.answers[answer_id].intent)
        if answer_id in [b.goto for b in a.buttons]
    ]
    assert parents, f"no answer of the topic has a button to {answer_id}"
    parent, _ = parents[0]
    user = f"u{next(_users)}"
    first = assistant.handle(IncomingMessage(f"@answer:{parent.id}", user=user))
    payloads = [b.payload for b in first.buttons]  # a long answer's "Xem thêm" comes first
    index = payloads.index(f"@answer:{answer_id}")
    picked = assistant.handle(IncomingMessage(str(index + 1), user=user))
    assert picked.answer_id == answer_id


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize("audience", list(Audience))
def test_each_audience_gets_its_own_main_answer(
    assistant: Assistant, intent: str, audience: Audience
) -> None:
    reply = ask(assistant, f"@intent:{intent}", audience=audience)
    answer = BASE.answers[reply.answer_id or ""]
    assert answer.main and answer.intent == intent
    assert audience in answer.audiences, (intent, audience, answer.id)
    if audience is Audience.STUDENT:
        assert re.search(r"\b[Ee]m\b", reply.text), answer.id  # spoken to as "em"
    if audience is Audience.TEACHER:
        assert re.search(r"Điều \d|mục [0-9IV]|Nghị định|Quyết định|Kế hoạch", reply.text)


# ---------------------------------------------------------------------- facts stay consistent


def _texts(intents: tuple[str, ...] = INTENTS) -> list[Answer]:
    return [a for i in intents for a in BASE.for_intent(i)]


def test_amounts_always_come_with_their_coefficient_and_decree() -> None:
    for answer in _texts():
        docs = {s.doc for s in answer.sources}
        if "1.250.000" in answer.text:
            assert "2,5" in answer.text and {"ND-20-2021", "ND-76-2024"} <= docs, answer.id
        if "750.000" in answer.text:
            assert "1,5" in answer.text or "4 đến dưới 16" in answer.text, answer.id
            assert "ND-76-2024" in docs, answer.id


def test_the_commune_chairman_decides_and_the_decree_says_so() -> None:
    for answer in BASE.answers.values():
        if re.search(
            r"Chủ tịch (UBND|Ủy ban nhân dân) cấp xã (xem xét và )?quyết định", answer.text
        ):
            assert "ND-147-2025" in {s.doc for s in answer.sources}, answer.id
        assert not re.search(r"cấp huyện (xem xét và )?quyết định", answer.text), answer.id


def test_hotline_facts_carry_their_sources() -> None:
    for answer in _texts():
        docs = {s.doc for s in answer.sources}
        if "**111**" in answer.text and "miễn phí" in answer.text.lower():
            assert "ND-56-2017" in docs, answer.id
        if re.search(r"\b11[2-5]\b", answer.text):
            assert "TT-22-2014-BTTTT" in docs, answer.id


def test_answers_are_verified_and_cite_an_article_or_section() -> None:
    for answer in _texts():
        assert answer.verified_on >= dt.date(2026, 11, 22), answer.id  # the reference sheet's date
        assert answer.sources, answer.id
        assert all(s.ref.strip() for s in answer.sources), answer.id

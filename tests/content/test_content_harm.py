"""The harm topics say the right thing, to the right person, and every sub-answer can be reached.

Harm topics: report_abuse, abuse_prevention, school_violence, online_safety, child_labour,
mental_health. Everything goes through the real pipeline and the real content: button payloads
(`@answer:<id>`, `@intent:<name>`), typed messages through `nlu.text.read` and
`Assistant.select_answer` (the step that picks a sub-answer once the intent is known), and a few
whole conversations through `Assistant.handle`.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_assistant
from content.base import Answer, default_content, render_text
from handlers.dialogue import MORE_BUTTON
from handlers.models import Audience, IncomingMessage, Reply
from handlers.pipeline import Assistant
from nlu.text import fold, read

HARM_INTENTS = (
    "report_abuse",
    "abuse_prevention",
    "school_violence",
    "online_safety",
    "child_labour",
    "mental_health",
)
HARM_ANSWERS = sorted(
    (a for a in default_content().answers.values() if a.intent in HARM_INTENTS),
    key=lambda a: a.id,
)
# urgent.* answers belong to the safety triage, not to these topics' answer files
TOPIC_ANSWERS = [a for a in HARM_ANSWERS if not a.id.startswith("urgent.")]
SUB_ANSWERS = [a for a in TOPIC_ANSWERS if not a.main]
STUDENT_ANSWERS = [a for a in TOPIC_ANSWERS if a.audiences == (Audience.STUDENT,)]


def send(bot: Assistant, payload: str, audience: Audience | None = None, user: str = "u") -> Reply:
    return bot.handle(IncomingMessage(payload, user=user, channel="test", audience=audience))


def press(bot: Assistant, payload: str, audience: Audience | None = None, user: str = "u") -> Reply:
    return whole(bot, send(bot, payload, audience, user), user)


def show(bot: Assistant, answer_id: str, audience: Audience | None = None) -> Reply:
    reply = press(bot, f"@answer:{answer_id}", audience)
    assert reply.answer_id == answer_id
    return reply


def whole(bot: Assistant, reply: Reply, user: str = "u") -> Reply:
    """The whole answer as the user reads it: a long one comes in parts ("Xem thêm", #13),
    joined here in order, the citation line last."""
    text, first = reply.text, reply
    while any(b.payload == MORE_BUTTON.payload for b in reply.buttons):
        reply = send(bot, MORE_BUTTON.payload, user=user)
        head, sep, footer = text.partition("\n\n📚 Nguồn:")
        text = f"{head}\n{reply.text}{sep}{footer}"
    buttons = [b for b in first.buttons if b.payload != MORE_BUTTON.payload]
    return dataclasses.replace(first, text=text, hotlines=bot.hotlines_in(text), buttons=buttons)


def cited(reply: Reply, doc: str, ref: str) -> bool:
    return any(s.doc == doc and s.ref == ref for s in reply.sources)


def body(reply: Reply) -> str:
    """The answer text without the citation line the pipeline appends."""
    return reply.text.split("\n\n📚 Nguồn:")[0]


# ------------------------------------------------------------------ what people most need to hear


@pytest.mark.parametrize(
    "answer_id",
    ["report_abuse.parent", "report_abuse.any", "report_abuse.teacher", "report_abuse.where"],
)
def test_reporting_answer_names_111_the_police_and_the_commune(
    assistant: Assistant, answer_id: str
) -> None:
    reply = show(assistant, answer_id)
    text = body(reply)
    assert "**111**" in text
    assert "công an" in text.lower()
    assert "Ủy ban nhân dân" in text and ("xã" in text or "cấp xã" in text)
    assert cited(reply, "ND-56-2017", "Điều 25 khoản 1")
    assert reply.hotlines[0] == "111", "111 is the first line a reporting answer shows"


def test_student_reporting_answer_is_warm_and_gives_a_next_step(assistant: Assistant) -> None:
    reply = press(assistant, "@intent:report_abuse", Audience.STUDENT)
    assert reply.answer_id == "report_abuse.student"
    text = body(reply)
    assert "Em không có lỗi" in text
    assert "**111**" in text and "**113**" in text
    assert "người lớn em tin" in text


@pytest.mark.parametrize("answer_id", ["report_abuse.after_report", "report_abuse.teacher"])
def test_after_report_states_12_hours_and_5_working_days_with_their_articles(
    assistant: Assistant, answer_id: str
) -> None:
    reply = show(assistant, answer_id)
    text = body(reply)
    assert "**12 giờ**" in text
    assert "**5 ngày làm việc**" in text
    assert cited(reply, "ND-56-2017", "Điều 26 khoản 3")
    assert cited(reply, "ND-56-2017", "Điều 28 khoản 1")
    citation = reply.text.split("📚 Nguồn:")[1]  # the citation line: each document once (#13)
    assert "NĐ 56/2017 (" in citation and "Điều 26 khoản 3" in citation
    assert "24 giờ" not in text, "no 24-hour rule is verified (legal-facts §2)"


def test_after_report_answer_walks_through_every_step(assistant: Assistant) -> None:
    reply = show(assistant, "report_abuse.after_report")
    text = body(reply)
    for step in ("(Điều 26)", "(Điều 27)", "(Điều 28 khoản 1)", "(Điều 30)"):
        assert step in text
    assert "tạm thời cách ly" in text
    assert "Chủ tịch Ủy ban nhân dân xã" in text


def test_parents_hear_the_deadlines_in_the_first_answer(assistant: Assistant) -> None:
    reply = press(assistant, "@intent:report_abuse", Audience.PARENT)
    assert reply.answer_id == "report_abuse.parent"
    assert "**12 giờ**" in reply.text and "**5 ngày làm việc**" in reply.text


def test_reporter_confidentiality_is_not_promised_without_a_source(assistant: Assistant) -> None:
    for answer_id in ("report_abuse.confidential", "report_abuse.confidential_student"):
        text = body(show(assistant, answer_id)).lower()
        assert "111" in text
        assert "tuyệt đối" not in text and "cam kết" not in text
    general = body(show(assistant, "report_abuse.confidential"))
    assert "chưa thấy điều khoản" in general and "không hứa" in general
    assert "hỏi thẳng" in general


def test_teacher_is_told_the_school_must_report_and_what_to_do_in_school(
    assistant: Assistant,
) -> None:
    for answer_id in ("report_abuse.teacher", "report_abuse.school_duty"):
        reply = show(assistant, answer_id)
        text = body(reply)
        assert "cơ sở giáo dục" in text
        assert "Nghị định 56/2017, Điều 25 khoản 1" in text
        assert "Nghị định 80/2017, Điều 6 khoản 3" in text
        assert cited(reply, "ND-80-2017", "Điều 6 khoản 3")


@pytest.mark.parametrize(
    "answer_id", ["report_abuse.physical_punishment", "report_abuse.physical_punishment_student"]
)
def test_physical_punishment_by_parents_counts_as_violence(
    assistant: Assistant, answer_id: str
) -> None:
    reply = show(assistant, answer_id)
    assert cited(reply, "LTE-2016", "Điều 4 khoản 6")
    assert cited(reply, "LTE-2016", "Điều 6 khoản 3")
    text = body(reply)
    assert "bạo lực" in text and ("cha mẹ" in text or "bố mẹ" in text)


def test_teacher_school_violence_answer_cites_decree_80(assistant: Assistant) -> None:
    reply = press(assistant, "@intent:school_violence", Audience.TEACHER)
    assert reply.answer_id == "school_violence.teacher"
    text = body(reply)
    assert "Nghị định 80/2017/NĐ-CP" in text
    for ref in ("Điều 2 khoản 5", "Điều 6 khoản 2", "Điều 6 khoản 3"):
        assert ref in text
        assert cited(reply, "ND-80-2017", ref)
    assert "thông báo kịp thời cho gia đình" in text


def test_school_steps_cover_support_and_intervention(assistant: Assistant) -> None:
    text = body(show(assistant, "school_violence.school_steps"))
    assert "khoản 2" in text and "khoản 3" in text
    assert "công an" in text and "Ủy ban nhân dân xã, phường" in text
    assert "**111**" in text, "a family whose school does nothing still has somewhere to go"


def test_what_counts_quotes_the_definition(assistant: Assistant) -> None:
    reply = show(assistant, "school_violence.what_counts")
    assert cited(reply, "ND-80-2017", "Điều 2 khoản 5")
    for act in ("đánh đập", "lăng mạ", "cô lập, xua đuổi"):
        assert act in reply.text


@pytest.mark.parametrize(
    "answer_id", ["online_safety.sextortion", "online_safety.sextortion_student"]
)
def test_sextortion_advice_dont_pay_dont_send_keep_evidence_report(
    assistant: Assistant, answer_id: str
) -> None:
    text = body(show(assistant, answer_id)).lower()
    assert "chuyển tiền" in text and "gửi thêm" in text
    assert "chụp màn hình" in text or "bằng chứng" in text
    assert "đừng xóa" in text
    assert "111" in text
    assert "không có lỗi" in text


def test_childrens_images_answer_cites_privacy_rules(assistant: Assistant) -> None:
    reply = show(assistant, "online_safety.images_privacy")
    assert cited(reply, "ND-56-2017", "Chương IV")
    # Luật Bảo vệ dữ liệu cá nhân 2025, Điều 24: consent of a child from 7 to publish private life
    assert cited(reply, "LBVDLCN-2025", "Điều 24 khoản 2")
    assert "từ đủ 7 tuổi" in reply.text and "theo thông tin báo chí" in reply.text.lower()
    assert not any(s.doc == "LANM-2018" for s in reply.sources), "replaced on 01/7/2026"
    assert "hình ảnh" in reply.text


def test_child_labour_ages_and_allowed_work(assistant: Assistant) -> None:
    for audience in (Audience.PARENT, Audience.STUDENT, Audience.TEACHER, None):
        reply = press(assistant, "@intent:child_labour", audience, user=f"cl-{audience}")
        text = body(reply)
        assert cited(reply, "BLLD-2019", "Điều 143")
        assert "13" in text and "15" in text and "công việc nhẹ" in text
        assert "111" in text


def test_under_15_hours_appear_only_where_flagged_as_secondary(assistant: Assistant) -> None:
    text = body(show(assistant, "child_labour.hours"))
    assert "**4 giờ một ngày**" in text and "**20 giờ một tuần**" in text
    assert "Các bản hướng dẫn" in text and "chưa đối chiếu" in text
    for answer in TOPIC_ANSWERS:
        if "20 giờ" in answer.text:
            assert answer.id == "child_labour.hours"


def test_household_chores_cite_circular_09_2020(assistant: Assistant) -> None:
    reply = show(assistant, "child_labour.chores")
    assert any(s.doc == "TT-09-2020" for s in reply.sources)
    assert "Thông tư 09/2020" in reply.text


def test_exploitation_is_reported_to_111_police_commune(assistant: Assistant) -> None:
    reply = show(assistant, "child_labour.report_exploitation")
    text = body(reply)
    assert "**111**" in text and "công an" in text and "Ủy ban nhân dân xã, phường" in text
    assert cited(reply, "ND-56-2017", "Điều 25 khoản 1")


@pytest.mark.parametrize(
    "answer_id",
    ["mental_health.school_counselling", "mental_health.school_counselling_student",
     "mental_health.teacher"],
)  # fmt: skip
def test_school_counselling_follows_circular_18_2025(assistant: Assistant, answer_id: str) -> None:
    reply = show(assistant, answer_id)
    docs = {s.doc for s in reply.sources}
    assert "TT-31-2017-BGDDT" not in docs, "Thông tư 31/2017 was replaced on 31/10/2025"
    if "Thông tư" in reply.text:  # the student answer names no circular
        assert "TT-18-2025-BGDDT" in docs
        # TT 18/2025 is known from the press [S]
        assert "theo thông tin báo chí" in reply.text.lower()


def test_counselling_answer_names_the_change_date(assistant: Assistant) -> None:
    text = body(show(assistant, "mental_health.school_counselling"))
    assert "31/10/2025" in text and "Thông tư 18/2025/TT-BGDĐT" in text


@pytest.mark.parametrize("answer_id", ["mental_health.crisis", "mental_health.crisis_student"])
def test_crisis_answer_calls_111_and_115_for_injury(assistant: Assistant, answer_id: str) -> None:
    reply = show(assistant, answer_id)
    assert reply.hotlines[:2] == ["111", "115"]
    assert {b.phone for b in reply.buttons} >= {"111", "115"}


# ------------------------------------------------------------------ every harm answer


@pytest.mark.parametrize("answer", HARM_ANSWERS, ids=lambda a: a.id)
def test_every_harm_answer_shows_111_in_its_own_text(assistant: Assistant, answer: Answer) -> None:
    rendered = render_text(answer.text, assistant.deployment)
    assert re.search(r"(?<!\d)111(?!\d)", rendered), "not relying on the pipeline's 111 footer"
    reply = show(assistant, answer.id)
    assert "111" in reply.hotlines


@pytest.mark.parametrize("answer", TOPIC_ANSWERS, ids=lambda a: a.id)
def test_111_comes_before_113_and_115(assistant: Assistant, answer: Answer) -> None:
    assert show(assistant, answer.id).hotlines[0] == "111", "safety first: 111, then 113/115"


@pytest.mark.parametrize("answer", TOPIC_ANSWERS, ids=lambda a: a.id)
def test_every_harm_answer_cites_an_article_or_section(answer: Answer) -> None:
    documents = default_content().documents
    assert answer.sources
    assert all(s.doc in documents for s in answer.sources)
    assert any(re.search(r"Điều \d|Chương|mục|khoản", s.ref) for s in answer.sources)
    assert all(";" not in s.ref for s in answer.sources), "one article or section per source"
    assert answer.verified_on.isoformat() in ("2026-11-22", "2026-12-07")


@pytest.mark.parametrize("answer", STUDENT_ANSWERS, ids=lambda a: a.id)
def test_student_answers_address_em(answer: Answer) -> None:
    assert re.search(r"\b[Ee]m\b", answer.text)
    assert "anh/chị" not in answer.text.lower()


@pytest.mark.parametrize(
    "intent", ["report_abuse", "abuse_prevention", "school_violence", "online_safety",
               "child_labour"],
)  # fmt: skip
def test_student_main_answers_say_it_is_not_their_fault(assistant: Assistant, intent: str) -> None:
    reply = press(assistant, f"@intent:{intent}", Audience.STUDENT)
    assert reply.answer_id == f"{intent}.student"
    assert "không có lỗi" in reply.text


@pytest.mark.parametrize("answer", TOPIC_ANSWERS, ids=lambda a: a.id)
def test_answers_for_unknown_readers_do_not_assume_a_parent(answer: Answer) -> None:
    if answer.audiences == (Audience.ANY,) and answer.main:
        assert "anh/chị" not in answer.text.lower()


# ------------------------------------------------------------------ routing: audiences


@pytest.mark.parametrize("intent", HARM_INTENTS)
@pytest.mark.parametrize("audience", [Audience.PARENT, Audience.STUDENT, Audience.TEACHER])
def test_each_audience_gets_its_own_main_answer(
    assistant: Assistant, intent: str, audience: Audience
) -> None:
    reply = press(assistant, f"@intent:{intent}", audience, user=f"{intent}-{audience}")
    assert reply.answer_id == f"{intent}.{audience.value}"
    assert reply.audience is audience


@pytest.mark.parametrize("intent", HARM_INTENTS)
def test_an_unknown_reader_gets_the_neutral_answer(assistant: Assistant, intent: str) -> None:
    reply = press(assistant, f"@intent:{intent}", user=f"anon-{intent}")
    assert reply.answer_id == f"{intent}.any"
    text = body(reply)
    assert re.search(r"\b[Bb]ạn (làm|có thể|thấy|hoặc)\b", text), "the neutral answer says 'bạn'"
    assert "anh/chị" not in text.lower()


# ------------------------------------------------------------------ routing: typed messages

# One message per sub-answer, as people write it, with the audience it comes from. Each is also
# tried without diacritics. Every keyword-selected answer of these topics must be listed here.
TYPED: list[tuple[str, Audience, str]] = [
    ("report_abuse.where", Audience.ANY,
     "Tôi muốn tố giác hàng xóm bạo hành con, phải gọi cho ai?"),
    ("mental_health.telling_an_adult_student", Audience.STUDENT,
     "Em buồn lắm, em có nên kể với bố mẹ không?"),
    ("report_abuse.after_report", Audience.PARENT, "Báo xong thì sao, bao lâu thì được xử lý?"),
    ("report_abuse.after_report_student", Audience.STUDENT, "Em báo rồi thì sao ạ?"),
    ("report_abuse.confidential", Audience.PARENT,
     "Người báo tin có được giữ bí mật danh tính không?"),
    ("report_abuse.confidential_student", Audience.STUDENT,
     "Em sợ bố mẹ biết em đã kể, có ai biết không?"),
    ("report_abuse.school_duty", Audience.PARENT,
     "Giáo viên có phải báo khi phát hiện học sinh bị bạo hành không?"),
    ("report_abuse.teacher", Audience.TEACHER,
     "Giáo viên có phải báo khi phát hiện học sinh bị bạo hành không?"),
    ("report_abuse.physical_punishment", Audience.PARENT,
     "Đánh con để dạy dỗ có vi phạm pháp luật không?"),
    ("report_abuse.physical_punishment_student", Audience.STUDENT,
     "Bố mẹ đánh em như vậy có đúng không?"),
    ("abuse_prevention.skills_by_age", Audience.PARENT,
     "Dạy con 5 tuổi kỹ năng tự bảo vệ thế nào?"),
    ("abuse_prevention.student", Audience.STUDENT, "Làm sao để tự bảo vệ bản thân?"),
    ("abuse_prevention.warning_signs", Audience.PARENT, "Dấu hiệu nhận biết trẻ bị xâm hại là gì?"),
    ("abuse_prevention.talk_with_child", Audience.PARENT,
     "Làm sao mở lời nói chuyện với con về vùng riêng tư?"),
    ("abuse_prevention.three_levels", Audience.TEACHER, "Ba cấp độ bảo vệ trẻ em gồm những gì?"),
    ("abuse_prevention.secrets_student", Audience.STUDENT,
     "Chú dặn em giữ bí mật, không được kể với ai"),
    ("school_violence.what_counts", Audience.ANY,
     "Trêu chọc bạn có bị coi là bạo lực học đường không?"),
    ("school_violence.school_steps", Audience.PARENT,
     "Nhà trường phải xử lý thế nào khi con tôi bị bạn đánh?"),
    ("school_violence.teacher", Audience.TEACHER, "Quy trình xử lý bạo lực học đường"),
    ("school_violence.child_is_aggressor", Audience.PARENT,
     "Con tôi hay bắt nạt bạn ở lớp, phải làm sao?"),
    ("school_violence.clip_online", Audience.ANY, "Con bị bạn quay clip đánh rồi đăng lên mạng"),
    ("school_violence.teacher_hits", Audience.PARENT, "Cô giáo đánh con tôi bằng thước"),
    ("school_violence.teacher_hits_student", Audience.STUDENT, "Cô giáo đánh em bằng thước"),
    ("school_violence.witness_student", Audience.STUDENT,
     "Em thấy bạn bị bắt nạt mà không dám nói"),
    ("online_safety.sextortion", Audience.PARENT,
     "Có kẻ dọa tung ảnh nóng của con gái tôi nếu không chuyển tiền"),
    ("online_safety.sextortion_student", Audience.STUDENT, "Có người dọa tung ảnh của em"),
    ("online_safety.grooming", Audience.PARENT, "Có người lạ làm quen con trên mạng rồi hẹn gặp"),
    ("online_safety.grooming_student", Audience.STUDENT, "Anh quen trên mạng rủ em đi gặp"),
    ("online_safety.cyberbullying", Audience.PARENT,
     "Con bị bạn bè bắt nạt trên mạng, ghép ảnh chế"),
    ("online_safety.cyberbullying_student", Audience.STUDENT, "Em bị chửi trên mạng suốt"),
    ("online_safety.scams", Audience.ANY, "Bị lừa đảo mất tiền nạp game"),
    ("online_safety.harmful_content", Audience.PARENT, "Con tôi nghiện game, làm sao kiểm soát?"),
    ("online_safety.images_privacy", Audience.PARENT,
     "Đăng ảnh con lên Facebook có cần xin phép không?"),
    ("child_labour.hours", Audience.ANY, "Trẻ 14 tuổi làm thêm được bao nhiêu giờ một ngày?"),
    ("child_labour.chores", Audience.PARENT,
     "Cho con phụ giúp gia đình làm ruộng có phải lao động trẻ em không?"),
    ("child_labour.report_exploitation", Audience.ANY,
     "Thấy trẻ bị ép đi bán vé số cả ngày, báo ở đâu?"),
    ("child_labour.student", Audience.STUDENT, "Em 14 tuổi có được đi làm thêm không?"),
    ("mental_health.signs", Audience.PARENT, "Dấu hiệu trầm cảm ở trẻ là gì?"),
    ("mental_health.signs_student", Audience.STUDENT, "Em có bị trầm cảm không?"),
    ("mental_health.student", Audience.STUDENT, "Em buồn và cô đơn lắm"),
    ("mental_health.school_counselling", Audience.PARENT, "Trường có phòng tư vấn tâm lý không?"),
    ("mental_health.school_counselling_student", Audience.STUDENT,
     "Trường có phòng tư vấn tâm lý không?"),
    ("mental_health.talk_with_child", Audience.PARENT,
     "Con không chịu nói chuyện, làm sao để con mở lòng?"),
    ("mental_health.crisis", Audience.PARENT, "Con nói muốn chết, tôi phải làm gì ngay?"),
    ("mental_health.crisis_student", Audience.STUDENT, "Em thấy quá sức, tuyệt vọng lắm"),
    # a teacher asking what to do gets the teacher's answer over a general one on the same topic
    ("abuse_prevention.teacher", Audience.TEACHER,
     "Thấy dấu hiệu học sinh bị xâm hại, thầy cô cần làm gì?"),
    ("online_safety.teacher", Audience.TEACHER,
     "Học sinh bị bắt nạt trên mạng, giáo viên cần làm gì?"),
    ("child_labour.teacher", Audience.TEACHER,
     "Học sinh bỏ học đi làm thuê, nhà trường phải làm gì?"),
    ("mental_health.teacher", Audience.TEACHER,
     "Học sinh có biểu hiện trầm cảm thì giáo viên làm gì?"),
]  # fmt: skip

# How teenagers and people in a hurry type the same questions.
TEEN: list[tuple[str, Audience, str]] = [
    ("report_abuse.after_report_student", Audience.STUDENT, "e bao r thi sao"),
    ("report_abuse.confidential_student", Audience.STUDENT, "bo me e co biet k"),
    ("report_abuse.physical_punishment_student", Audience.STUDENT, "bme danh e co dung k"),
    ("report_abuse.where", Audience.ANY, "bao o dau z"),
    ("report_abuse.confidential", Audience.ANY, "bao cong an co bi lo danh tinh ko"),
    ("online_safety.sextortion_student", Audience.STUDENT, "co ng doa tung anh e, e lo gui anh r"),
    ("online_safety.scams", Audience.STUDENT, "e bi lua mat acc, no doi ma otp"),
    ("school_violence.witness_student", Audience.STUDENT, "ban e bi tay chay, e giup ban ntn"),
    ("mental_health.crisis_student", Audience.STUDENT, "e het chiu noi r, tuyet vong lam"),
    ("child_labour.hours", Audience.ANY, "15t lam dc may gio"),
    ("report_abuse.confidential", Audience.ANY, "neu toi bao thi co ai biet toi la nguoi bao ko"),
    # money demanded on the way to school is not sextortion: no sub-answer, the main one
    ("online_safety.student", Audience.STUDENT, "thang lop tren hay chan duong doi tien em"),
    # "ở trường phải làm sao" asks what to do, not what the school must do
    ("school_violence.student", Audience.STUDENT, "bi ban danh o truong phai lam sao"),
    ("online_safety.sextortion_student", Audience.STUDENT, "e bi ny cu dang anh len mang"),
]


@pytest.mark.parametrize("answer_id, audience, text", TYPED + TEEN, ids=lambda v: str(v)[:40])
def test_typed_message_reaches_its_sub_answer(
    assistant: Assistant, answer_id: str, audience: Audience, text: str
) -> None:
    intent = answer_id.split(".")[0]
    for variant in (text, fold(text)):  # with and without diacritics
        chosen = assistant.select_answer(intent, audience, read(variant).folded)
        assert chosen is not None
        assert chosen.id == answer_id, f"{variant!r} picked {chosen.id}"


def test_every_keyword_answer_has_a_typed_example() -> None:
    listed = {answer_id for answer_id, _, _ in TYPED}
    with_keywords = {a.id for a in TOPIC_ANSWERS if a.keywords}
    assert with_keywords <= listed, f"add a TYPED example for {sorted(with_keywords - listed)}"


def test_keywords_never_pull_a_student_into_an_adults_answer(assistant: Assistant) -> None:
    """A student typing an adult's keywords gets the student version when one exists."""
    for answer_id, audience, text in TYPED:
        if audience is not Audience.STUDENT:
            continue
        chosen = assistant.select_answer(answer_id.split(".")[0], audience, read(text).folded)
        assert chosen is not None and Audience.STUDENT in chosen.audiences


@pytest.mark.parametrize(
    "audience, setup, message, answer_id",
    [
        (Audience.PARENT, "@intent:online_safety",
         # (a meeting arranged would be grooming now, an urgent reply: #12)
         "có người lạ làm quen con tôi trên mạng, tôi phải làm gì", "online_safety.grooming"),
        (Audience.PARENT, "@intent:child_labour", "dưới 15 tuổi làm mấy giờ", "child_labour.hours"),
        (Audience.STUDENT, "@intent:school_violence", "em thấy bạn bị cả lớp tẩy chay",
         "school_violence.witness_student"),
        (Audience.TEACHER, "@intent:abuse_prevention", "dấu hiệu trẻ bị xâm hại",
         "abuse_prevention.warning_signs"),
    ],
)  # fmt: skip
def test_a_conversation_reaches_sub_answers_through_the_classifier(
    assistant: Assistant, audience: Audience, setup: str, message: str, answer_id: str
) -> None:
    user = f"conv-{answer_id}"
    press(assistant, f"@role:{audience.value}", user=user)
    press(assistant, setup, user=user)
    reply = assistant.handle(IncomingMessage(message, user=user, channel="test"))
    assert not reply.urgent
    assert reply.answer_id == answer_id
    assert reply.audience is audience, "the role chosen earlier carries over"


# ------------------------------------------------------------------ routing: buttons


def test_every_sub_answer_is_a_button_away_from_its_topic() -> None:
    targets = {b.goto for a in TOPIC_ANSWERS for b in a.buttons}
    for answer in SUB_ANSWERS:
        assert answer.id in targets, f"no button leads to {answer.id}"


@pytest.mark.parametrize("answer", TOPIC_ANSWERS, ids=lambda a: a.id)
def test_every_button_of_a_harm_answer_works(assistant: Assistant, answer: Answer) -> None:
    reply = show(assistant, answer.id)
    assert [b.label for b in reply.buttons] == [b.label for b in answer.buttons]
    for button, spec in zip(reply.buttons, answer.buttons, strict=True):
        pressed = press(assistant, button.payload, user=f"btn-{answer.id}")
        assert pressed.kind != "fallback"
        if spec.goto.startswith("tel:"):
            assert button.phone == spec.goto[4:]
        elif ":" not in spec.goto:
            assert pressed.answer_id == spec.goto


@pytest.mark.parametrize("intent", HARM_INTENTS)
def test_a_students_buttons_lead_to_answers_for_students(intent: str) -> None:
    content = default_content()
    main = content.main_answer(intent, Audience.STUDENT)
    assert main is not None
    for button in main.buttons:
        if ":" in button.goto:
            continue
        target = content.get(button.goto)
        assert target is not None and target.serves(Audience.STUDENT)
        assert Audience.PARENT not in target.audiences and Audience.TEACHER not in target.audiences


def test_a_number_presses_the_button(assistant: Assistant) -> None:
    first = press(assistant, "@intent:report_abuse", Audience.PARENT, user="num")
    assert first.buttons[0].payload == "@answer:report_abuse.after_report"
    second = assistant.handle(IncomingMessage("1", user="num", channel="test"))
    assert second.answer_id == "report_abuse.after_report"


# ------------------------------------------------------------------ deployments


def test_hai_phong_shows_its_local_line_and_elsewhere_shows_only_111(tmp_path: Path) -> None:
    model_cache = Path(__file__).resolve().parents[2] / ".cache" / "nlu-tests"
    hai_phong = build_assistant(
        Settings(
            CHILDSAFE_DB=tmp_path / "hp.db",
            CHILDSAFE_SECRET="s" * 32,
            CHILDSAFE_MODEL_DIR=model_cache,
        )
    )
    elsewhere = build_assistant(
        Settings(
            CHILDSAFE_DB=tmp_path / "dn.db",
            CHILDSAFE_SECRET="s" * 32,
            CHILDSAFE_MODEL_DIR=model_cache,
            CHILDSAFE_PROVINCE="Đà Nẵng",
            CHILDSAFE_LOCAL_LINE="",
        )
    )
    try:
        for answer_id in ("report_abuse.parent", "report_abuse.where", "school_violence.parent",
                          "child_labour.report_exploitation"):  # fmt: skip
            here = show(hai_phong, answer_id)
            there = show(elsewhere, answer_id)
            assert "18006605" in here.text and "Hải Phòng" in here.text
            assert "18006605" not in there.text and "Hải Phòng" not in there.text
            assert there.hotlines[0] == "111"
            assert "\n\n\n" not in there.text and "{" not in there.text
    finally:
        hai_phong.close()
        elsewhere.close()

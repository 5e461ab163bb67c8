"""Questions people ask inside a topic reach that topic, and the sub-answer they ask about.

Every message here was written for this test and is checked to be absent from the NLU
training data after folding, so the test measures the classifier on wording it has not
seen, end to end through the real Assistant (normalisation, triage, embedded NLU,
keyword-selected sub-answers). When a message names a sub-answer's keywords, the reply
must be that sub-answer; otherwise reaching the intent is what is asked of the classifier.

Safety triage runs first and is tested on its own (tests/handlers/safety/test_triage.py). Should it
escalate one of these questions, the reply opens with the emergency lines instead of the
sub-answer; the routing is then checked on what the topic would answer, so this test keeps
measuring the classifier and the keyword choice, not triage.

A failing message here is a gap in the training data: widen the data (more varied
examples for that sub-answer), never copy the message into it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import NamedTuple

import pytest

from content.base import Answer, default_content
from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant
from handlers.topics import TOPICAL_INTENTS
from nlu.rasa_data import load_dir
from nlu.text import fold, read

CONTENT = default_content()
_users = itertools.count()


class Case(NamedTuple):
    text: str
    answer_id: str
    audience: Audience | None = None


S, T = Audience.STUDENT, Audience.TEACHER

CASES: tuple[Case, ...] = (
    # report_abuse
    Case("nếu phát hiện bé hàng xóm bị ngược đãi thì tôi phải báo cho ai", "report_abuse.where"),
    Case("muon to giac vu dam o tre con trong xom thi lien he o dau", "report_abuse.where"),
    Case("vay gio bao o dau ha", "report_abuse.where"),
    Case("tố giác rồi thì cơ quan chức năng giải quyết như thế nào", "report_abuse.after_report"),
    Case("bao cong an xong thi mat bao lau moi xu ly", "report_abuse.after_report"),
    Case("em bao roi thi sau do se the nao a", "report_abuse.after_report_student", S),
    Case("người đi báo tin có bị trả thù không", "report_abuse.confidential"),
    Case("to cao xong toi co bi lo danh tinh khong", "report_abuse.confidential"),
    Case("e so bo me biet e la nguoi bao", "report_abuse.confidential_student", S),
    Case(
        "giáo viên thấy học sinh bị bố đánh bầm tím thì có phải báo không",
        "report_abuse.teacher",
        T,
    ),
    # "nhà trường phải làm" marks a teacher: the teacher's version of the school's duty
    Case("nhà trường phải làm gì khi biết học sinh bị người thân xâm hại", "report_abuse.teacher"),
    Case(
        "trường có phải báo công an khi con tôi kể bị bố dượng xâm hại không",
        "report_abuse.school_duty",
    ),
    Case("đánh đòn con để dạy có phải là bạo lực không", "report_abuse.physical_punishment"),
    Case(
        "bo me danh e vi e cai lai, vay co dung ko", "report_abuse.physical_punishment_student", S
    ),
    Case(
        "e ke voi co giao roi, bay gio nguoi ta se lam gi tiep",
        "report_abuse.after_report_student",
        S,
    ),
    Case("em sợ người đó biết em đã kể rồi đánh em", "report_abuse.confidential_student", S),
    Case(
        "nha truong co phai bao khi phat hien hoc sinh bi bao hanh o nha khong",
        "report_abuse.school_duty",
    ),
    Case("cha mẹ đánh đòn con có vi phạm pháp luật không", "report_abuse.physical_punishment"),
    Case(
        "bố mẹ em bảo có quyền đánh em, có đúng không ạ",
        "report_abuse.physical_punishment_student",
        S,
    ),
    # abuse_prevention
    Case(
        "dạy trẻ mẫu giáo kỹ năng tự bảo vệ thế nào cho phù hợp lứa tuổi",
        "abuse_prevention.skills_by_age",
    ),
    Case("ky nang tu bao ve cho hoc sinh cap 1 gom gi", "abuse_prevention.skills_by_age"),
    Case(
        "dấu hiệu nào cho thấy con có thể đang bị ai đó lạm dụng", "abuse_prevention.warning_signs"
    ),
    Case("lam sao biet be nha minh bi xam hai", "abuse_prevention.warning_signs"),
    Case(
        "nói chuyện với con về vùng riêng tư sao cho con hiểu", "abuse_prevention.talk_with_child"
    ),
    Case(
        "có chú bắt em giữ bí mật không được kể với mẹ, em có phải giữ không",
        "abuse_prevention.secrets_student",
        S,
    ),
    Case("bi mat xau la gi a", "abuse_prevention.secrets_student", S),
    Case(
        "cach noi chuyen voi con gai ve viec khong ai duoc cham vao vung rieng tu",
        "abuse_prevention.talk_with_child",
    ),
    Case("ky nang tu bao ve cho tre mau giao 4 tuoi", "abuse_prevention.skills_by_age"),
    # school_violence
    Case(
        "đặt biệt danh chế giễu bạn có được coi là bạo lực học đường không",
        "school_violence.what_counts",
    ),
    Case("che cuoi ban thi co tinh la bat nat khong", "school_violence.what_counts"),
    Case(
        "học sinh bị đánh trong lớp thì nhà trường phải xử lý thế nào",
        "school_violence.school_steps",
    ),
    Case("con tôi hay đánh bạn cùng lớp, bố mẹ phải làm sao", "school_violence.child_is_aggressor"),
    Case(
        "con toi bi may dua cung lop danh roi quay clip dang len facebook",
        "school_violence.clip_online",
    ),
    Case("cô giáo phạt con tôi quỳ ngoài hành lang cả tiết", "school_violence.teacher_hits"),
    Case("thầy giáo chửi em trước cả lớp, em buồn lắm", "school_violence.teacher_hits_student", S),
    Case(
        "e thay ban bi danh o truong, e nen lam gi de giup ban",
        "school_violence.witness_student",
        S,
    ),
    Case("anh lớp 9 chặn em ở nhà xe bắt đưa tiền", "school_violence.student", S),
    Case("truong phai lam gi khi co vu bat nat trong lop", "school_violence.school_steps"),
    Case(
        "cô giáo báo con tôi hay bắt nạt bạn, tôi nên nói gì với con",
        "school_violence.child_is_aggressor",
    ),
    Case(
        "clip con bị đánh hội đồng ở trường đang lan truyền trên tiktok",
        "school_violence.clip_online",
    ),
    Case(
        "thay giao danh con toi chay mau mui vi noi chuyen trong gio",
        "school_violence.teacher_hits",
    ),
    Case("co chu nhiem mang e truoc lop la do ngu", "school_violence.teacher_hits_student", S),
    Case(
        "mình thấy bạn trong lớp bị tẩy chay, mình giúp bạn bằng cách nào",
        "school_violence.witness_student",
        S,
    ),
    Case("tụi lớp trên bắt em nộp tiền mới cho đi qua cổng", "school_violence.student", S),
    # accident_prevention
    Case("nhà gần sông làm sao phòng đuối nước cho con nhỏ", "accident_prevention.drowning"),
    Case("be bi bong nuoc soi o chan thi so cuu the nao", "accident_prevention.burns"),
    Case("cửa sổ chung cư không có song, sợ con bị ngã", "accident_prevention.falls"),
    Case("con uống nhầm nước tẩy rửa, phòng ngộ độc thế nào", "accident_prevention.poisoning"),
    Case("ổ cắm thấp làm sao phòng điện giật cho bé", "accident_prevention.electricity"),
    Case("tre may tuoi thi can doi mu bao hiem khi di xe may", "accident_prevention.traffic"),
    Case("bé bị hóc thạch thì xử lý ra sao", "accident_prevention.choking"),
    Case("tieu chi ngoi nha an toan cho tre la gi", "accident_prevention.safe_home"),
    Case("chương trình bơi an toàn cho trẻ em đặt mục tiêu gì", "accident_prevention.programmes"),
    Case("đợi xe cấp cứu đến thì nên sơ cứu cho trẻ ra sao", "accident_prevention.first_aid"),
    Case("day con hoc boi tu may tuoi de tranh duoi nuoc", "accident_prevention.drowning"),
    Case("con bị bỏng dầu ăn thì xử lý bỏng thế nào", "accident_prevention.burns"),
    Case("be hay leo cau thang, lam sao tranh bi nga", "accident_prevention.falls"),
    Case("thuoc diet chuot de o dau de tre khong an nham", "accident_prevention.poisoning"),
    Case(
        "dây điện hở trong nhà có nguy hiểm cho trẻ không, sợ bị điện giật",
        "accident_prevention.electricity",
    ),
    Case("dạy học sinh tiểu học qua đường an toàn", "accident_prevention.traffic"),
    Case("tre bi hoc xuong ca thi lam sao", "accident_prevention.choking"),
    Case("nhà tôi muốn đạt tiêu chí ngôi nhà an toàn thì cần gì", "accident_prevention.safe_home"),
    Case(
        "quyết định 1248 đặt chỉ tiêu gì về tai nạn thương tích trẻ em",
        "accident_prevention.programmes",
    ),
    Case("so cuu tre bat tinh trong luc cho cap cuu", "accident_prevention.first_aid"),
    # social_assistance
    Case("con bị tự kỷ nặng có được trợ cấp hằng tháng không", "social_assistance.disability"),
    Case(
        "be bi bo roi khong ai nhan nuoi thi co so bao tro co nhan khong", "social_assistance.care"
    ),
    Case("trẻ mồ côi 7 tuổi được bao nhiêu tiền mỗi tháng", "social_assistance.amount"),
    Case("thu tuc xin tro cap cho chau mo coi nop o dau", "social_assistance.apply"),
    Case("đợi quyết định trợ cấp mất mấy ngày làm việc", "social_assistance.timeline"),
    Case(
        "cháu mồ côi cha, mẹ đang chấp hành án tù, có thuộc diện trợ cấp không",
        "social_assistance.eligibility",
    ),
    Case("trẻ khuyết tật đặc biệt nặng được trợ cấp những gì", "social_assistance.disability"),
    Case(
        "tre mo coi khong ai nuoi co duoc dua vao trung tam bao tro xa hoi khong",
        "social_assistance.care",
    ),
    Case("mức trợ cấp cho trẻ mồ côi dưới 4 tuổi là bao nhiêu", "social_assistance.amount"),
    Case("ho so xin tro cap gom nhung giay to gi", "social_assistance.apply"),
    Case("tiền trợ cấp được tính từ tháng nào", "social_assistance.timeline"),
    Case(
        "mẹ mất, bố mất tích thì con có được hưởng trợ cấp không", "social_assistance.eligibility"
    ),
    # online_safety
    Case(
        "có người dọa tung ảnh nhạy cảm của con gái tôi nếu không đưa tiền",
        "online_safety.sextortion",
    ),
    Case("ny cu doa phat tan anh cua e", "online_safety.sextortion_student", S),
    Case("người lạ trên mạng làm quen con tôi rồi đòi gặp", "online_safety.grooming"),
    Case("anh quen tren mang ru e ra gap o cong vien", "online_safety.grooming_student", S),
    Case("con bị bạn bè ghép ảnh chế giễu trên mạng", "online_safety.cyberbullying"),
    Case(
        "e bi nguoi ta binh luan chui tren mang, e phai lam sao",
        "online_safety.cyberbullying_student",
        S,
    ),
    Case("con bị lừa chuyển khoản mua đồ trong game", "online_safety.scams"),
    Case("làm sao chặn nội dung độc hại trên điện thoại của con", "online_safety.harmful_content"),
    Case("đăng ảnh con lên mạng có cần hỏi ý kiến con không", "online_safety.images_privacy"),
    Case("con gai toi bi doa tung anh nong len mang", "online_safety.sextortion"),
    Case("em lỡ gửi ảnh riêng tư, giờ bị dọa tung lên mạng", "online_safety.sextortion_student", S),
    Case("con tôi hay được một người lạ nhắn tin khen ngợi, tặng quà", "online_safety.grooming"),
    Case("co nguoi quen tren game xin anh cua e", "online_safety.grooming_student", S),
    Case("con bị bắt nạt trên mạng, bị cả nhóm chửi", "online_safety.cyberbullying"),
    Case("tụi nó lập nick ảo bóc phốt em trên mạng", "online_safety.cyberbullying_student", S),
    Case("bi lua dao chuyen tien khi mua do tren mang", "online_safety.scams"),
    Case("con nghien tiktok, lam sao gioi han thoi gian dung", "online_safety.harmful_content"),
    Case("trường đăng ảnh con tôi lên mạng mà không xin phép", "online_safety.images_privacy"),
    # child_labour
    Case("trẻ 14 tuổi làm thêm được mấy giờ một ngày", "child_labour.hours"),
    Case("cho con phu ban hang cho bo me co phai lao dong tre em khong", "child_labour.chores"),
    Case("thấy chủ quán ép đứa nhỏ làm quá sức thì báo ở đâu", "child_labour.report_exploitation"),
    Case("em 14 tuổi đi làm thêm có được không", "child_labour.student", S),
    Case("học sinh 13 tuổi có được làm ca đêm không", "child_labour.hours"),
    Case("be giup viec nha moi ngay co tinh la lao dong tre em khong", "child_labour.chores"),
    Case("to giac co so boc lot tre em o dau", "child_labour.report_exploitation"),
    Case("e 15 tuoi di lam them part time duoc ko", "child_labour.student", S),
    # mental_health
    Case(
        "con gái tôi dạo này thu mình, ít nói, có phải dấu hiệu trầm cảm không",
        "mental_health.signs",
    ),
    Case("sao e hay khoc va mat ngu, co phai e bi tram cam ko", "mental_health.signs_student", S),
    Case("trường có phòng tư vấn tâm lý cho học sinh không", "mental_health.school_counselling"),
    Case("e muon gap co tu van tam ly o truong", "mental_health.school_counselling_student", S),
    Case(
        "làm sao nói chuyện với con khi con buồn mà không chịu tâm sự",
        "mental_health.talk_with_child",
    ),
    Case("con toi noi muon chet, toi phai lam gi", "mental_health.crisis"),
    Case("dấu hiệu trẻ bị rối loạn lo âu là gì", "mental_health.signs"),
    Case(
        "em mat ngu, bo an, hay khoc, lam sao biet em co on khong", "mental_health.signs_student", S
    ),
    Case("truong co chuyen vien tam ly ho tro hoc sinh khong", "mental_health.school_counselling"),
    Case(
        "em muốn đến phòng tư vấn của trường nhưng sợ bạn bè biết",
        "mental_health.school_counselling_student",
        S,
    ),
    Case(
        "cach noi chuyen voi con tuoi teen khi con khong chia se", "mental_health.talk_with_child"
    ),
    Case("học sinh nói muốn tự tử, thầy cô cần làm gì ngay", "mental_health.crisis"),
    # child_rights
    Case("người 17 tuổi có còn được gọi là trẻ em không", "child_rights.age"),
    Case("ep tre em tao hon co bi nghiem cam khong", "child_rights.prohibited"),
    Case("trẻ em có hoàn cảnh đặc biệt gồm những ai theo luật", "child_rights.special"),
    Case("cac cap do bao ve tre em la gi", "child_rights.protection_levels"),
    Case("trẻ em có được bày tỏ ý kiến về chuyện của mình không", "child_rights.participation"),
    Case(
        "cong uoc ve quyen tre em cua lien hop quoc gom nhung quyen gi",
        "child_rights.un_convention",
    ),
    Case("tre em la nguoi duoi 16 tuoi dung khong", "child_rights.age"),
    Case("luật trẻ em nghiêm cấm những hành vi nào", "child_rights.prohibited"),
    Case("tre khuyet tat co phai la tre co hoan canh dac biet khong", "child_rights.special"),
    Case("cấp độ can thiệp trong bảo vệ trẻ em là gì", "child_rights.protection_levels"),
    Case(
        "tre em co quyen tham gia vao cac quyet dinh cua gia dinh khong",
        "child_rights.participation",
    ),
    Case("Việt Nam phê chuẩn công ước quyền trẻ em năm nào", "child_rights.un_convention"),
    # hotline_info
    Case("có thể liên hệ tổng đài 111 qua zalo không", "hotline_info.channels"),
    Case("goi 111 co mien phi khong", "hotline_info.national_111"),
    Case("gọi cứu hỏa số mấy", "hotline_info.emergency"),
    Case("hai phong co duong day nong nao cho tre em", "hotline_info.local"),
    Case("111 co nhan tin qua facebook duoc khong", "hotline_info.channels"),
    Case("tổng đài 111 có làm việc ban đêm không", "hotline_info.national_111"),
    Case("muốn gọi công an thì bấm số nào", "hotline_info.emergency"),
    Case("tổng đài 18006605 là của tỉnh nào", "hotline_info.local"),
    # education_support
    Case("con nhà nghèo có được miễn giảm học phí không", "education_support.fees"),
    Case(
        "tre khuyet tat co duoc hoc hoa nhap o truong thuong khong", "education_support.disability"
    ),
    Case("con muốn bỏ học giữa chừng, làm sao giữ con đi học", "education_support.dropout"),
    Case("trẻ mầm non có được hỗ trợ tiền ăn trưa không", "education_support.preschool"),
    Case("thủ tục miễn học phí cho con hộ nghèo", "education_support.fees"),
    Case("con bi tu ky co duoc hoc hoa nhap khong", "education_support.disability"),
    Case("hoc sinh bo hoc thi lam sao de di hoc lai", "education_support.dropout"),
    Case("phổ cập mẫu giáo 5 tuổi có bắt buộc không", "education_support.preschool"),
    # directive_info
    Case("chi thi 28 cua bo chinh tri yeu cau nhung gi", "directive_info.ct28"),
    Case("kế hoạch 276 của cần thơ giao những nhiệm vụ gì", "directive_info.kh276"),
    Case("ke hoach 1583 phan cong cho so nao", "directive_info.kh1583"),
    Case("công văn 363 phòng giáo dục an lão nói gì", "directive_info.cv363"),
    Case("ke hoach 2542 gom nhung nhom nhiem vu gi", "directive_info.kh2542"),
    Case("chỉ thị 28-CT/TW ban hành ngày nào", "directive_info.ct28"),
    Case("ke hoach 276 cua thanh uy can tho co may nhom viec", "directive_info.kh276"),
    Case("kế hoạch 1583 của ubnd tỉnh có gì", "directive_info.kh1583"),
    Case("cong van 363 gui cho truong nao", "directive_info.cv363"),
    Case("kế hoạch 2542 thực hiện khuyến nghị gì", "directive_info.kh2542"),
    Case("công văn sở gd hải phòng hướng dẫn những gì", "directive_info.sgddt_hp"),
    Case("so gddt hai phong yeu cau truong lam gi ve tre em", "directive_info.sgddt_hp"),
)


def _answer(answer_id: str) -> Answer:
    answer = CONTENT.get(answer_id)
    assert answer is not None, f"no answer {answer_id}"
    return answer


def _names_keywords(case: Case) -> bool:
    padded = f" {read(case.text).folded} "
    return any(f" {k} " in padded for k in _answer(case.answer_id).keywords)


def _ids(case: Case) -> str:
    return f"{case.answer_id}:{fold(case.text)[:40]}"


# ---------------------------------------------------------------------- the cases themselves
def test_every_case_is_unseen_by_the_training_data() -> None:
    taught = {read(e.text).folded for e in load_dir()}
    seen = [c.text for c in CASES if read(c.text).folded in taught]
    assert not seen, f"these are training examples, not fresh questions: {seen}"


def test_no_case_is_written_twice() -> None:
    repeats = Counter(read(c.text).folded for c in CASES)
    assert [t for t, n in repeats.items() if n > 1] == []


def test_every_topical_intent_has_cases_across_its_sub_answers() -> None:
    by_intent: dict[str, set[str]] = {}
    for case in CASES:
        by_intent.setdefault(_answer(case.answer_id).intent, set()).add(case.answer_id)
    assert set(by_intent) == set(TOPICAL_INTENTS)
    for intent, answers in by_intent.items():
        subs = {a.id for a in CONTENT.for_intent(intent) if a.keywords and not a.main}
        # a sample, but a real one: at least half of the topic's keyword sub-answers
        assert len(answers & subs) * 2 >= len(subs), (intent, sorted(subs - answers))


def test_each_sampled_sub_answer_is_asked_two_or_three_ways() -> None:
    per_answer = Counter(c.answer_id for c in CASES)
    assert {a: n for a, n in per_answer.items() if not 2 <= n <= 3} == {}


def test_most_cases_name_their_sub_answer() -> None:
    # Otherwise the test would only check intents and say little about sub-answers.
    named = sum(_names_keywords(c) for c in CASES)
    assert named >= 0.8 * len(CASES), f"only {named} of {len(CASES)} name their sub-answer"


# ---------------------------------------------------------------------- through the assistant
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_fresh_question_reaches_its_intent_and_sub_answer(assistant: Assistant, case: Case) -> None:
    answer = _answer(case.answer_id)
    user = f"route-{next(_users)}"
    reply = assistant.handle(IncomingMessage(case.text, user=user, audience=case.audience))
    if reply.kind == "safety_check":  # "Bạn có đang an toàn không?": "just asking" answers
        reply = assistant.handle(IncomingMessage("@safety:info", user=user))
    folded = read(case.text).folded
    ranking = assistant.engine.parse(folded).ranking
    assert reply.kind in {"answer", "urgent"}, f"{case.text!r} was asked back: {ranking}"
    assert reply.intent == answer.intent, f"{case.text!r}: {ranking}"
    if not _names_keywords(case):
        return
    if reply.urgent:  # emergency lines first; the topic's own answer is one tap away
        chosen = assistant.select_answer(reply.intent, reply.audience, folded)
        assert chosen is not None and chosen.id == case.answer_id, (case.text, chosen)
    else:
        assert reply.answer_id == case.answer_id, f"{case.text!r} got {reply.answer_id}"

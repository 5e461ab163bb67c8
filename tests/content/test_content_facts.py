"""The answer base's second edition (#21): the corrected facts, their certainty, the amounts,
ages and deadlines as data with validity periods, replaced documents, current structures,
first aid as the legal sheet records it, and the review record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.wiring import deployment_from
from content.base import (
    Answer,
    ContentBase,
    Fact,
    Source,
    default_content,
    load_documents,
    markup_to_plain,
    render_text,
)
from content.review import REVIEW_PATH, load_review, render_table, review_problems
from content.validate import (
    CERTAINTY_MARKERS,
    former_bodies_as_current,
    stated_facts,
    unmatched_numbers,
    validate,
)
from handlers.models import Audience, IncomingMessage
from handlers.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 7)
BASE = default_content()
HOME = deployment_from(Settings(CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789"))
ELSEWHERE = deployment_from(
    Settings(CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789", CHILDSAFE_PROVINCE="Huế")
)
FIRST_AID = (
    "accident_prevention.drowning",
    "accident_prevention.burns",
    "accident_prevention.poisoning",
    "accident_prevention.choking",
    "accident_prevention.first_aid",
    "accident_prevention.febrile_seizure",
    "accident_prevention.electricity",
    "accident_prevention.falls",
)


def shown(answer_id: str, deployment: Any = HOME) -> str:
    return markup_to_plain(render_text(BASE.answers[answer_id].text, deployment, BASE.documents))


def cited(answer_id: str) -> set[tuple[str, str]]:
    return {(s.doc, s.ref) for s in BASE.answers[answer_id].sources}


def errors_for(text: str, *sources: Source, today: dt.date = TODAY) -> list[str]:
    """Validate one answer with `text` and `sources` (everything else valid)."""
    answer = Answer(
        id="hotline_info.main",
        intent="hotline_info",
        audiences=(Audience.ANY,),
        title="Tổng đài 111",
        text=text,
        sources=sources or (Source("ND-56-2017", "Điều 23"),),
        buttons=(),
        verified_on=TODAY,
        main=True,
        path="test.yml",
    )
    base = ContentBase(answers={answer.id: answer}, documents=BASE.documents, facts=BASE.facts)
    return validate(base, HOME, today=today, intents=("hotline_info",), review=None).errors


# ---------------------------------------------------------------------- the fixed citations


def test_support_measures_are_cited_to_luat_tre_em_dieu_50() -> None:
    text = shown("report_abuse.after_report")
    measures = next(line for line in text.splitlines() if "trị liệu tâm lý" in line)
    assert "(Luật Trẻ em, Điều 50 khoản 2)" in measures and "Điều 28" not in measures
    assert ("LTE-2016", "Điều 50 khoản 2") in cited("report_abuse.after_report")


@pytest.mark.parametrize(
    "answer_id", ["report_abuse.parent", "report_abuse.any", "report_abuse.where"]
)
def test_the_local_line_is_not_one_of_the_places_to_report(answer_id: str) -> None:
    lines = shown(answer_id).splitlines()
    line = next(i for i, text in enumerate(lines) if "18006605" in text)
    assert not lines[line].startswith("•")  # not a bullet of the Điều 25 list
    assert lines[line - 1].startswith("• ") and "Ủy ban nhân dân xã, phường" in lines[line - 1]
    assert "không thay cho việc báo tin" in lines[line]
    assert all("18006605" not in text for text in lines[:line])
    assert "18006605" not in shown(answer_id, ELSEWHERE)


def test_111_channels_are_press_reports_not_articles() -> None:
    for answer_id in ("hotline_info.channels", "hotline_info.national_111"):
        text = shown(answer_id).lower()
        assert "zalo" in text and "theo thông tin báo chí" in text
        assert ("BAO-TONGDAI-111", "các kênh tiếp nhận") in cited("hotline_info.channels")
    assert not any(
        doc == "ND-56-2017" and "22" in ref for doc, ref in cited("hotline_info.channels")
    )


def test_five_working_days_are_for_drafting_the_plan_not_approving_it() -> None:
    for answer_id in ("report_abuse.teacher", "report_abuse.after_report", "report_abuse.parent"):
        text = shown(answer_id)
        for sentence in re.split(r"(?<=[.;])\s", text):
            if "5 ngày làm việc" in sentence:
                assert "soạn" in sentence, (answer_id, sentence)
                assert not re.search(r"phê duyệt trong|duyệt trong \*?\*?5", sentence)
    assert "không nêu thời hạn phê duyệt" in shown("report_abuse.teacher")


# ---------------------------------------------------------------------- money and its period


@pytest.mark.parametrize(
    "answer_id",
    [a.id for a in BASE.answers.values() if "500.000 đồng" in a.text or "{current:" in a.text],
)
def test_the_standard_level_carries_its_period_and_the_2026_caveat(answer_id: str) -> None:
    text = shown(answer_id)
    assert "mức hiện hành theo Nghị định 76/2024/NĐ-CP (từ 01/7/2024)" in text
    assert "điều chỉnh" in text and ("UBND xã" in text or "UBND cấp xã" in text)
    assert "540.000" not in text and "335/2026" not in text  # [3P]


@pytest.mark.parametrize("answer_id", ["social_assistance.main.parent", "social_assistance.main"])
def test_the_amount_and_its_caveat_share_the_first_screen(
    assistant: Assistant, answer_id: str
) -> None:
    reply = assistant.handle(IncomingMessage(f"@answer:{answer_id}", user="sa"))
    first_screen = reply.text.split("\n\n📚")[0]
    line = next(x for x in first_screen.splitlines() if "500.000 đồng/tháng" in x)
    assert "mức hiện hành theo Nghị định 76/2024/NĐ-CP (từ 01/7/2024)" in line
    assert "có thể được điều chỉnh" in line


def test_an_amount_without_its_current_phrase_fails_and_with_it_passes() -> None:
    bare = errors_for("Mức chuẩn **500.000 đồng/tháng**.", Source("ND-76-2024", "mức chuẩn"))
    assert any("without 'mức hiện hành theo Nghị định 76/2024/NĐ-CP" in e for e in bare)
    placed = errors_for(
        "Mức chuẩn **500.000 đồng/tháng**, {current:sa.standard}.", Source("ND-76-2024", "x")
    )
    assert placed == []
    assert "{fact:" not in render_text("{fact:sa.standard}", HOME)
    assert render_text("{fact:sa.standard}", HOME) == "500.000 đồng/tháng"


def test_a_number_that_is_not_a_fact_fails() -> None:
    assert any("'900.000 đồng'" in e for e in errors_for("Trợ cấp 900.000 đồng, mức hiện hành."))
    assert any("'24 giờ'" in e for e in errors_for("Báo trong vòng 24 giờ."))  # [U] in the sheet
    assert any("'14 tuổi'" in e for e in errors_for("Trẻ 14 tuổi được làm thêm."))
    loose = unmatched_numbers("dưới 16 tuổi, 12 giờ, 5 ngày làm việc, 7 ngày", BASE.facts)
    assert loose == [("deadline", "7 ngày")]


def test_a_fact_whose_period_has_ended_fails_validate() -> None:
    """Nghị định 147/2025 (the commune decides on allowances) runs to 01/3/2027."""
    assert BASE.facts["sa.commune_decides"].valid_until == dt.date(2027, 3, 1)
    assert validate(BASE, HOME, today=dt.date(2027, 3, 1)).ok
    after = validate(BASE, HOME, today=dt.date(2027, 3, 2))
    ended = [e for e in after.errors if "whose period ended on 2027-03-01" in e]
    assert any("social_assistance.apply" in e and "sa.commune_decides" in e for e in ended)


def test_a_fact_not_yet_in_force_fails_validate() -> None:
    """The child-seat rule applies from 01/7/2026 (Luật 118/2025)."""
    before = validate(BASE, HOME, today=dt.date(2026, 6, 30), max_age_days=9999)
    assert any("traffic.child_seat, which applies only from 2026-07-01" in e for e in before.errors)


def test_a_fake_fact_with_an_ended_period_fails() -> None:
    old = Fact(
        id="old.level",
        kind="amount",
        value="360.000 đồng/tháng",
        phrases=("360.000 đồng/tháng",),
        certainty="V",
        sources=(Source("ND-20-2021", "Điều 4"),),
        valid_from=dt.date(2021, 7, 1),
        valid_until=dt.date(2024, 6, 30),
    )
    facts = {**BASE.facts, old.id: old}
    answer = dataclasses.replace(
        BASE.answers["social_assistance.amount"],
        text="Mức cũ: 360.000 đồng/tháng, {current:old.level}.",
        sources=(Source("ND-20-2021", "Điều 4"),),
    )
    base = ContentBase(answers={answer.id: answer}, documents=BASE.documents, facts=facts)
    errors = validate(base, HOME, today=TODAY, intents=(), review=None).errors
    assert any("old.level, whose period ended on 2024-06-30" in e for e in errors)


# ---------------------------------------------------------------------- certainty


def test_citing_a_third_party_document_fails() -> None:
    assert load_documents()["ND-335-2026"].certainty == "3P"
    errors = errors_for("Gọi **111**.", Source("ND-335-2026", "Điều 1"))
    assert any("ND-335-2026, which the registry marks 3P" in e for e in errors)


def test_a_press_only_document_needs_plain_words() -> None:
    source = Source("TT-18-2025-BGDDT", "toàn văn")
    assert any(
        "known only from press summaries" in e for e in errors_for("Theo Thông tư 18.", source)
    )
    for marker in CERTAINTY_MARKERS:
        assert errors_for(f"Theo Thông tư 18 ({marker}).", source) == []


def test_a_press_only_fact_needs_plain_words() -> None:
    source = Source("BAO-TONGDAI-111", "các kênh")
    assert any("hotline.111_channels [S]" in e for e in errors_for("Nhắn Zalo 111.", source))
    assert errors_for("Theo thông tin báo chí, có Zalo 111.", source) == []


def test_every_s_fact_or_document_in_the_shipped_answers_is_marked() -> None:
    for answer in BASE.answers.values():
        text = shown(answer.id).lower()
        certainties = {BASE.documents[s.doc].certainty for s in answer.sources}
        certainties |= {f.certainty for f, _, _ in stated_facts(text, BASE.facts)}
        assert not certainties & {"3P", "U"}, answer.id
        if "S" in certainties:
            assert any(m in text for m in CERTAINTY_MARKERS), answer.id


# ---------------------------------------------------------------------- replaced documents


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("TT-31-2017-BGDDT", "TT-18-2025-BGDDT"),
        ("TT-33-2018-BGDDT", "TT-18-2025-BGDDT"),
        ("ND-144-2013", "ND-130-2021"),
        ("ND-136-2013", "ND-20-2021"),
        ("LANM-2018", "LANM-2025"),
    ],
)
def test_replaced_documents_name_their_replacement_and_cannot_be_cited(old: str, new: str) -> None:
    documents = load_documents()
    assert documents[old].status == "replaced" and documents[old].replaced_by == new
    assert old in documents[new].replaces
    errors = errors_for("Gọi **111** (theo thông tin báo chí).", Source(old, "Điều 1"))
    assert any(f"cites {old}, replaced by {new}" in e for e in errors)


def test_no_answer_cites_the_cybersecurity_law_of_2018() -> None:
    assert not [a.id for a in BASE.answers.values() if any(s.doc == "LANM-2018" for s in a.sources)]


# ---------------------------------------------------------------------- structures of 2025


@pytest.mark.parametrize(
    "text",
    [
        "Nộp hồ sơ tại Phòng LĐ-TB&XH.",
        "Chủ tịch UBND cấp huyện quyết định.",
        "Bộ Lao động - Thương binh và Xã hội quản lý tổng đài 111.",
        "Liên hệ Phòng GD&ĐT để được hướng dẫn.",
    ],
)
def test_former_bodies_named_as_current_fail(text: str) -> None:
    assert former_bodies_as_current(text)
    assert any("as if current" in e for e in errors_for(text))


def test_former_bodies_named_as_history_pass() -> None:
    assert former_bodies_as_current("Trước đây hồ sơ nộp ở cấp huyện; nay không còn.") == []
    assert former_bodies_as_current("Công văn của Phòng GD&ĐT (2024) gửi các trường.") == []


def test_the_teacher_chain_has_no_district_level_now() -> None:
    text = shown("directive_info.main.teacher")
    chain = next(line for line in text.splitlines() if "→" in line)
    assert "Phòng GD&ĐT" not in chain
    assert "Từ 01/7/2025 không còn cấp huyện" in text


def test_the_directives_provinces_are_shown_merged() -> None:
    text = shown("directive_info.main")
    assert "Hải Dương cũ" in text and "Sóc Trăng, Hậu Giang cũ" in text
    assert ("NQ-202-2025", "sắp xếp đơn vị hành chính cấp tỉnh") in cited("directive_info.main")


def test_free_tuition_in_public_schools_from_2025_2026() -> None:
    text = shown("education_support.fees")
    assert "miễn học phí" in text and "2025–2026" in text and "công lập" in text
    assert "theo thông tin báo chí" in text.lower()
    assert any(doc == "NQ-217-2025" for doc, _ in cited("education_support.fees"))


def test_child_car_seat_rule_of_the_2024_road_law() -> None:
    text = shown("accident_prevention.traffic")
    assert "dưới 10 tuổi và cao dưới 1,35 mét" in text and "từ 01/7/2026" in text
    assert "kinh doanh vận tải hành khách" in text
    docs = {doc for doc, _ in cited("accident_prevention.traffic")}
    assert {"LTTATGTDB-2024", "LUAT-118-2025"} <= docs


# ---------------------------------------------------------------------- first aid


@pytest.mark.parametrize("answer_id", FIRST_AID)
def test_first_aid_says_call_115_first(answer_id: str) -> None:
    assert "gọi 115 trước tiên" in shown(answer_id).lower()


def test_no_answer_suggests_inducing_vomiting() -> None:
    for answer in BASE.answers.values():
        for match in re.finditer(r"[^.;\n]*gây nôn[^.;\n]*", shown(answer.id)):
            sentence = match.group(0)
            assert "không tự gây nôn" in sentence.lower(), (answer.id, sentence)
            assert "nếu" not in sentence, (answer.id, sentence)  # no exceptions that allow it
    assert "Không tự gây nôn cho trẻ tại nhà" in shown("accident_prevention.poisoning")


def test_choking_first_aid_is_split_by_age() -> None:
    text = shown("accident_prevention.choking")
    infant = next(line for line in text.splitlines() if line.startswith("• Trẻ dưới 1 tuổi"))
    assert "vỗ mạnh 5 lần vào lưng" in infant and "ấn 5 lần vào giữa ngực" in infant
    assert "dưới 2 tuổi" in infant  # some Vietnamese hospitals use under 2
    older = next(line for line in text.splitlines() if line.startswith("• Trẻ lớn hơn"))
    assert "ép mạnh vào bụng" in older and "Heimlich" in older
    assert "còn bế được" not in text


@pytest.mark.parametrize(
    "answer_id",
    ["accident_prevention.choking", "accident_prevention.drowning", "accident_prevention.burns"],
)
def test_first_aid_leads_on_the_first_screen(assistant: Assistant, answer_id: str) -> None:
    """A long answer is cut after its essentials ("Xem thêm"): what to do comes first."""
    reply = assistant.handle(IncomingMessage(f"@answer:{answer_id}", user="fa"))
    first_screen = markup_to_plain(reply.text.split("\n\n📚")[0])
    assert "gọi 115 trước tiên" in first_screen.lower()
    if answer_id.endswith("choking"):
        assert "Trẻ dưới 1 tuổi" in first_screen and "Trẻ lớn hơn" in first_screen
    if answer_id.endswith("drowning"):
        assert "Không dốc ngược trẻ" in first_screen


def test_drowning_warns_against_holding_the_child_upside_down() -> None:
    text = shown("accident_prevention.drowning")
    assert "Không dốc ngược trẻ" in text
    assert "ép tim, thổi ngạt" in text and "cơ sở y tế" in text


def test_febrile_seizure_has_its_own_answer(assistant: Assistant) -> None:
    text = shown("accident_prevention.febrile_seizure")
    assert "Không cho bất cứ thứ gì vào miệng trẻ" in text
    assert "quá 5 phút" in text and "lần co giật đầu tiên" in text
    assert "chảy máu" not in text.lower()  # not injury first aid
    reply = assistant.handle(IncomingMessage("bé bị sốt co giật thì nên làm gì", user="fs"))
    assert reply.answer_id == "accident_prevention.febrile_seizure"
    assert "115" in reply.hotlines


# ---------------------------------------------------------------------- ages 16 and 17


@pytest.mark.parametrize(
    "message",
    ["em 17 tuổi có phải là trẻ em không", "mình 16 tuổi rồi thì luật trẻ em có bảo vệ không"],
)
def test_a_16_or_17_year_old_is_a_protected_minor_with_a_hotline(
    assistant: Assistant, message: str
) -> None:
    reply = assistant.handle(IncomingMessage(message, user="teen"))
    assert reply.answer_id == "child_rights.age"
    assert "111" in reply.hotlines and any(b.phone == "111" for b in reply.buttons)
    assert "người chưa thành niên" in reply.text and "**111**" in reply.text  # on the first screen
    assert "Nghị định 80/2017" in shown("child_rights.age")
    docs = {s.doc for s in reply.sources}
    assert {"LTE-2016", "BLDS-2015", "BLLD-2019", "ND-80-2017"} <= docs
    assert "không còn thuộc phạm vi Luật Trẻ em" not in reply.text


# ---------------------------------------------------------------------- the review record


def test_the_review_record_lists_every_answer_with_its_date() -> None:
    rows = load_review()
    # Topical answers must be in the record; urgent and conversation answers (urgent.yml,
    # core.yml, written by other work) should be too, and `validate` warns when they are not.
    others = {"urgent.yml", "core.yml"}
    topical = {a.id for a in BASE.answers.values() if a.path not in others}
    problems = review_problems(BASE, rows)
    assert [p for p in problems if any(f" {i} " in f"{p} " for i in topical)] == []
    for row in rows:
        assert row.checked_by and not re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", row.checked_by)
    changed = {r.answer: r for r in rows}["report_abuse.after_report"]
    assert "Điều 50 khoản 2" in changed.changed
    assert "Open questions for a legal reviewer" in REVIEW_PATH.read_text(encoding="utf-8")


def test_the_review_record_is_checked_against_the_answers() -> None:
    rows = [r for r in load_review() if r.answer != "child_rights.age"]
    assert "REVIEW.md: no row for child_rights.age" in review_problems(BASE, rows)
    moved = [
        dataclasses.replace(r, on="2020-01-01") if r.answer == "child_rights.age" else r
        for r in load_review()
    ]
    assert any("child_rights.age checked on 2020-01-01" in p for p in review_problems(BASE, moved))
    assert "answer" in render_table(rows[:2]).splitlines()[0]


@pytest.mark.slow
def test_childsafe_validate_report_prints_the_record_as_a_table() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate", "--report"],
        capture_output=True,
        text=True,
        env={**os.environ, "CHILDSAFE_SECRET": "cli-test-secret-0123456789abcdef-012345"},
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "answer",
        "checked",
        "by",
        "on",
        "what",
        "changed",
        "open",
        "questions",
    ]
    row = next(line for line in lines if line.startswith("report_abuse.after_report "))
    assert "content editor (legal sheet)" in row and "2026-12-07" in row
    assert lines[-1].endswith(": ok")

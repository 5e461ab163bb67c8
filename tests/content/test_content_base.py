"""The answer base as a whole: clean Vietnamese, valid markup for Telegram and Zalo, bubble size,
`validate` and its failure modes, `sources`, and the deployment's local line.

Checks run over every answer file, the harm topics included, rendered for the shipped
deployment (Hải Phòng) and for deployments elsewhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.wiring import build_assistant, deployment_from
from content.base import (
    BUBBLE_LIMIT,
    Answer,
    AnswerButton,
    ContentBase,
    Deployment,
    Source,
    default_content,
    load_documents,
    markup_to_html,
    markup_to_plain,
    parse_source_list,
    render_text,
)
from content.validate import (
    ZALO_TEXT_LIMIT,
    language_problems,
    markup_problems,
    shown_text,
    validate,
)
from handlers.models import Audience, IncomingMessage
from nlu.text import fold

ROOT = Path(__file__).resolve().parents[2]
MODEL_CACHE = ROOT / ".cache" / "nlu-tests"
HOME_LINE = "18006605"
TODAY = dt.date(2026, 12, 7)

BASE = default_content()
ANSWER_IDS = sorted(BASE.answers)


def _settings(**env: Any) -> Settings:
    return Settings(
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        **env,
    )


HOME = deployment_from(_settings())
DEPLOYMENTS = {
    "hai-phong": HOME,
    "da-nang-no-line": deployment_from(_settings(CHILDSAFE_PROVINCE="Đà Nẵng")),
    "da-nang-own-line": deployment_from(
        _settings(CHILDSAFE_PROVINCE="Đà Nẵng", CHILDSAFE_LOCAL_LINE="0236 3 123 456")
    ),
    "hai-phong-no-line": deployment_from(_settings(CHILDSAFE_LOCAL_LINE="")),
}


# ---------------------------------------------------------------------- language


@pytest.mark.parametrize("answer_id", ANSWER_IDS)
@pytest.mark.parametrize("where", sorted(DEPLOYMENTS))
def test_answer_text_is_clean_vietnamese(answer_id: str, where: str) -> None:
    answer = BASE.answers[answer_id]
    shown = shown_text(answer, DEPLOYMENTS[where], BASE.documents)
    for text in (shown, answer.title, *(b.label for b in answer.buttons)):
        assert language_problems(text) == [], f"{answer.path}:{answer_id}: {text[:80]!r}"


@pytest.mark.parametrize(
    "ocr",
    [
        "Chi thi s6 28-CT/TW ngay 25/12/2023",
        "tuyén truyén vé bao vé tré em",
        "chu truong, duong 16i ctia Pang",
        "Nghi dinh s0 56/2017 cta Chinh phu",
        "tre em khong duoc lam viec nang",
        "quyen cua nguoi duoi 16 tuoi",
        "Mức trợ cấp 1.250.000đ mỗi tháng",
        "Gọi 111 | miễn phí",
        "Thue hién Cong vin sb 2896/SGDDT-VP",
        "hoat dong van hod, nghé¢ thuat",
    ],
)
def test_language_check_catches_ocr_debris_and_lost_diacritics(ocr: str) -> None:
    assert language_problems(ocr), ocr


def test_language_check_catches_decomposed_and_foreign_letters() -> None:
    import unicodedata

    assert language_problems(unicodedata.normalize("NFD", "Trẻ em là người dưới 16 tuổi."))
    assert language_problems("Trë em")


@pytest.mark.parametrize("answer_id", [a for a in ANSWER_IDS if BASE.answers[a].topical])
def test_every_answer_without_its_diacritics_is_caught(answer_id: str) -> None:
    """The accent heuristic has teeth on the real text, not only on hand-picked samples."""
    text = render_text(BASE.answers[answer_id].text, HOME, BASE.documents)
    assert language_problems(fold(text)), answer_id


@pytest.mark.parametrize(
    "clean",
    [
        "Trẻ em là người dưới 16 tuổi (Luật Trẻ em 2016, Điều 1).",
        "Hệ số 2,5: 1.250.000 đồng/tháng; gọi 111 (24/7), website tongdai111.vn.",
        "Nghị quyết 121/2020/QH14; Quyết định 27/QĐ-TTg; Chỉ thị 28-CT/TW, mục II.2.",
        "Zalo, App, Fanpage: cho trẻ đi học, bảo vệ trẻ em, gia đình và xã hội.",
    ],
)
def test_language_check_accepts_clean_text(clean: str) -> None:
    assert language_problems(clean) == []


# ---------------------------------------------------------------------- markup


class _TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode: only the tags we emit, properly nested."""

    ALLOWED = frozenset({"b"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED or attrs:
            self.problems.append(f"tag <{tag}> not allowed")
        if tag in self.stack:
            self.problems.append(f"<{tag}> nested in itself")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes nothing")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("answer_id", ANSWER_IDS)
def test_answer_renders_to_valid_telegram_html(answer_id: str) -> None:
    shown = shown_text(BASE.answers[answer_id], HOME, BASE.documents)
    rendered = markup_to_html(shown)
    parser = _TelegramHTML()
    parser.feed(rendered)
    parser.close()
    assert parser.problems == [] and parser.stack == [], (answer_id, parser.problems)
    assert "**" not in rendered
    # what the reader sees is the text itself: nothing lost or double-escaped
    assert "".join(parser.text) == markup_to_plain(shown)
    assert len(rendered) <= 4096  # Telegram's message limit, with the tags


@pytest.mark.parametrize("answer_id", ANSWER_IDS)
@pytest.mark.parametrize("where", sorted(DEPLOYMENTS))
def test_answer_fits_a_bubble_and_zalo(answer_id: str, where: str) -> None:
    answer = BASE.answers[answer_id]
    shown = shown_text(answer, DEPLOYMENTS[where], BASE.documents)
    assert len(shown) <= BUBBLE_LIMIT, (answer_id, len(shown))
    plain = markup_to_plain(shown)
    assert "**" not in plain and len(plain) <= ZALO_TEXT_LIMIT
    assert markup_problems(render_text(answer.text, DEPLOYMENTS[where], BASE.documents)) == []


def test_markup_helpers_escape_and_strip() -> None:
    assert markup_to_html("**GD&ĐT** <b> a") == "<b>GD&amp;ĐT</b> &lt;b&gt; a"
    assert markup_to_plain("• **111** – miễn phí") == "• 111 – miễn phí"
    assert markup_problems("**mở mà không đóng")
    assert markup_problems("- gạch đầu dòng kiểu Markdown")
    assert markup_problems("*nghiêng*")
    assert markup_problems("[liên kết](https://example.org)")
    assert markup_problems("chữ • giữa dòng")
    assert markup_problems("• **đúng** và • sai") != []
    assert markup_problems("• **đúng**\nDòng thường.") == []


# ---------------------------------------------------------------------- validate


@pytest.mark.parametrize("where", sorted(DEPLOYMENTS))
def test_shipped_content_validates_everywhere(where: str) -> None:
    report = validate(BASE, DEPLOYMENTS[where], today=TODAY)
    assert report.ok, "\n".join(report.errors)


def _small_base(**changes: object) -> ContentBase:
    """One intent, one main answer for everyone: valid unless `changes` break it."""
    answer = Answer(
        id="hotline_info.main",
        intent="hotline_info",
        audiences=(Audience.ANY,),
        title="Tổng đài 111",
        text="Gọi **111**: miễn phí, 24/7.\n{local_line_sentence}",
        sources=(Source("ND-56-2017", "Điều 23"),),
        buttons=(AnswerButton("📞 Gọi 111", "tel:111"),),
        verified_on=TODAY,
        main=True,
        path="test.yml",
    )
    answer = dataclasses.replace(answer, **changes)  # type: ignore[arg-type]
    return ContentBase(answers={answer.id: answer}, documents=load_documents())


def _check(base: ContentBase, deployment: Deployment = HOME, max_age_days: int = 365) -> list[str]:
    report = validate(
        base, deployment, today=TODAY, max_age_days=max_age_days, intents=("hotline_info",)
    )
    return report.errors


def test_small_base_is_valid() -> None:
    assert _check(_small_base()) == []


def test_validate_fails_on_an_answer_older_than_the_review_age() -> None:
    stale = _small_base(verified_on=TODAY - dt.timedelta(days=400))
    errors = _check(stale, max_age_days=365)
    assert len(errors) == 1 and "400 days old (max 365)" in errors[0]
    assert _check(stale, max_age_days=400) == []


def test_validate_fails_on_a_source_missing_from_the_registry() -> None:
    errors = _check(_small_base(sources=(Source("ND-999-2099", "Điều 1"),)))
    assert errors == ["test.yml:hotline_info.main: source 'ND-999-2099' is not in the registry"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"sources": ()}, "must cite at least one source"),
        ({"sources": (Source("ND-56-2017", " "),)}, "no article or section"),
        ({"verified_on": TODAY + dt.timedelta(days=1)}, "in the future"),
        ({"text": "Gọi 1800 6605 nhé."}, "hard-coded line"),
        ({"text": "Gọi **113** hoặc 117."}, "not a configured hotline"),
        ({"text": "Gọi **111 ngay."}, "unbalanced **"),
        ({"text": "Gọi 111. {tinh_thanh}"}, "unknown placeholder"),
        ({"text": "Goi 111, tre em khong duoc bo roi."}, "without diacritics"),
        ({"text": "x" * (BUBBLE_LIMIT + 1)}, "characters shown"),
        ({"buttons": (AnswerButton("Gọi", "tel:0987654321"),)}, "unconfigured line"),
        ({"buttons": (AnswerButton("Xem", "hotline_info.nope"),)}, "unknown answer"),
        ({"buttons": (AnswerButton("Xem", "intent:nope"),)}, "unknown intent"),
        ({"main": False, "keywords": ("Tổng đài",)}, "not folded"),
        ({"main": False}, "no main answer"),
    ],
)
def test_validate_fails_on_each_kind_of_defect(changes: dict[str, object], expected: str) -> None:
    errors = _check(_small_base(**changes))
    assert any(expected in e for e in errors), errors


def test_validate_fails_on_an_unreachable_sub_answer() -> None:
    base = _small_base()
    orphan = dataclasses.replace(base.answers["hotline_info.main"], id="hotline_info.x", main=False)
    base = ContentBase(answers={**base.answers, orphan.id: orphan}, documents=base.documents)
    assert any("unreachable" in e for e in _check(base))
    reachable = dataclasses.replace(orphan, keywords=("so khac",))
    base = ContentBase(answers={**base.answers, orphan.id: reachable}, documents=base.documents)
    assert _check(base) == []


def test_validate_fails_when_the_local_line_cites_an_unknown_document() -> None:
    deployment = dataclasses.replace(HOME, local_line_sources=(Source("CV-NOPE", "mục 1"),))
    assert any("CV-NOPE" in e for e in _check(_small_base(), deployment))


def test_validate_wants_the_local_line_through_placeholders() -> None:
    shown_home = _small_base(text="Gọi **111** hoặc {local_line}.")
    assert _check(shown_home) == []
    elsewhere = DEPLOYMENTS["da-nang-no-line"]
    assert _check(shown_home, elsewhere) == []  # the placeholder renders empty, nothing to flag
    assert any("hard-coded" in e for e in _check(_small_base(text=f"Gọi {HOME_LINE}.")))


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CHILDSAFE_SECRET": "cli-test-secret-0123456789abcdef-012345", **env},
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.slow
def test_childsafe_validate_uses_the_configured_review_age() -> None:
    # 60 days on: still inside every fact's validity period (Nghị định 147/2025 runs to 01/3/2027)
    later = (TODAY + dt.timedelta(days=60)).isoformat()
    stale = _run(["validate", "--today", later], CHILDSAFE_REVIEW_MAX_AGE_DAYS="30")
    assert stale.returncode == 1
    assert "days old (max 30)" in stale.stderr
    relaxed = _run(["validate", "--today", later], CHILDSAFE_REVIEW_MAX_AGE_DAYS="500")
    assert relaxed.returncode == 0, relaxed.stderr
    assert relaxed.stdout.strip().endswith(": ok")


@pytest.mark.slow
def test_childsafe_sources_lists_the_registry() -> None:
    documents = load_documents()
    table = _run(["sources"])
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert len(lines) == len(documents) + 1  # a header, then one line per document
    for doc, line in zip(documents.values(), lines[1:], strict=True):
        assert line.startswith(doc.id) and doc.short in line and doc.status in line
    as_json = _run(["sources", "--json"])
    payload = json.loads(as_json.stdout)
    assert [d["id"] for d in payload] == list(documents)
    by_id = {d["id"]: d for d in payload}
    assert by_id["ND-20-2021"]["short"] == "Nghị định 20/2021/NĐ-CP"
    assert "social_assistance.amount" in by_id["ND-20-2021"]["cited_by"]
    for entry in payload:
        assert {"number", "title", "issuer", "date", "status"} <= entry.keys()


def test_registry_holds_the_five_directives_under_their_numbers() -> None:
    documents = load_documents()
    expected = {
        "CV-363-PGDDT-AL": ("363/PGDĐT", "000_e3c04144172aacfe.txt"),
        "CV-SGDDT-HP-2024": ("2024", "001_ab959c91e8b72801.txt"),
        "KH-1583-UBND": ("1583/KH-UBND", "002_df5205fc7c6409dc.txt"),
        "KH-276-KHTU-CT": ("276-KH/TU", "003_30f67795354a978a.txt"),
        "KH-2542-SGDDT": ("2542/KH-SGDĐT", "004_010b186e4dee9bc2.txt"),
    }
    for doc_id, (number, file) in expected.items():
        assert number in documents[doc_id].number and documents[doc_id].file == file


def test_no_answer_cites_a_replaced_document() -> None:
    documents = load_documents()
    for answer in BASE.answers.values():
        for source in answer.sources:
            assert documents[source.doc].status != "replaced", (answer.id, source.doc)


@pytest.mark.parametrize(
    "unverified",
    ["540.000", "335/2026", "18001567", "306/QĐ-BYT", "91/2025", "trong vòng 24 giờ"],
)
def test_no_answer_states_an_unverified_fact(unverified: str) -> None:
    for answer in BASE.answers.values():
        assert unverified not in answer.text, answer.id


# ---------------------------------------------------------------------- deployment


def test_home_deployment_cites_the_local_line_from_the_directives() -> None:
    sentence = HOME.placeholders()["local_line_sentence"]
    assert f"**{HOME_LINE}**" in sentence and sentence.startswith("Ở Hải Phòng:")
    assert "(theo Công văn 363/PGDĐT" in sentence
    assert "mục 1" in sentence and "Sở GD&ĐT Hải Phòng" in sentence
    assert [s.doc for s in HOME.local_line_sources] == ["CV-363-PGDDT-AL", "CV-SGDDT-HP-2024"]


@pytest.mark.parametrize("where", ["da-nang-no-line", "da-nang-own-line", "hai-phong-no-line"])
def test_no_answer_shows_the_hai_phong_line_elsewhere(where: str) -> None:
    deployment = DEPLOYMENTS[where]
    for answer in BASE.answers.values():
        shown = shown_text(answer, deployment, BASE.documents)
        assert HOME_LINE not in re.sub(r"[\s.]", "", shown), answer.id
        assert "Quỹ Bảo trợ trẻ em Hải Phòng (theo" not in shown, answer.id


def test_a_deployment_elsewhere_shows_its_own_line_with_its_own_sources() -> None:
    deployment = deployment_from(
        _settings(
            CHILDSAFE_PROVINCE="Cần Thơ",
            CHILDSAFE_LOCAL_LINE="0292.3.123.456",
            CHILDSAFE_LOCAL_LINE_NAME="Đường dây tư vấn trẻ em Cần Thơ",
            CHILDSAFE_LOCAL_LINE_SOURCES="KH-276-KHTU-CT:II",
        )
    )
    assert deployment.local_line == "02923123456"
    sentence = deployment.placeholders()["local_line_sentence"]
    assert sentence == (
        "Ở Cần Thơ: **02923123456** – Đường dây tư vấn trẻ em Cần Thơ "
        "(theo Kế hoạch 276-KH/TU, mục II)."
    )
    assert validate(BASE, deployment, today=TODAY).ok


def test_the_hai_phong_defaults_never_follow_a_new_line_or_province() -> None:
    own = DEPLOYMENTS["da-nang-own-line"]
    assert own.local_line == "02363123456"
    assert "Hải Phòng" not in own.local_line_name and own.local_line_sources == ()
    assert DEPLOYMENTS["da-nang-no-line"].local_line is None
    assert (
        DEPLOYMENTS["da-nang-no-line"]
        .placeholders()["local_line_status"]
        .startswith("Mình chưa có số đường dây riêng nào đã được kiểm chứng của Đà Nẵng")
    )
    spelled_otherwise = deployment_from(_settings(CHILDSAFE_PROVINCE="TP. Hai Phong"))
    assert spelled_otherwise.local_line == HOME_LINE


def test_parse_source_list() -> None:
    assert parse_source_list("A:1; B:Điều 5 ;;C:3.3; D") == (
        Source("A", "mục 1"),
        Source("B", "Điều 5"),
        Source("C", "mục 3.3"),
        Source("D", ""),
    )


@pytest.mark.parametrize(
    ("message", "about_lines"),
    [
        ("số tổng đài hỗ trợ trẻ em của tỉnh là gì", True),
        ("@answer:hotline_info.local", True),
        ("@intent:hotline_info", True),
        ("/khancap", True),
        ("@answer:social_assistance.timeline", False),
        ("@intent:social_assistance", False),
    ],
)
def test_the_assistant_elsewhere_shows_111_and_never_the_hai_phong_line(
    tmp_path: Path, message: str, about_lines: bool
) -> None:
    settings = _settings(CHILDSAFE_PROVINCE="Đà Nẵng", CHILDSAFE_DB=tmp_path / "x.db")
    assistant = build_assistant(settings, with_logging=False)
    try:
        if message.startswith("/"):
            reply = assistant.command("emergency", IncomingMessage(message, user="u"))
        else:
            reply = assistant.handle(IncomingMessage(message, user="u"))
    finally:
        assistant.close()
    if about_lines:
        assert "111" in reply.hotlines
    assert HOME_LINE not in reply.text and HOME_LINE not in reply.hotlines
    assert all(HOME_LINE not in (b.phone or "") for b in reply.buttons)


def test_the_assistant_at_home_shows_the_local_line_and_its_citation(tmp_path: Path) -> None:
    assistant = build_assistant(_settings(CHILDSAFE_DB=tmp_path / "x.db"), with_logging=False)
    try:
        reply = assistant.handle(IncomingMessage("@answer:hotline_info.local", user="u"))
    finally:
        assistant.close()
    assert reply.hotlines == [HOME_LINE, "111"]
    assert "(theo Công văn 363/PGDĐT" in reply.text
    assert markup_to_html(reply.text).count("<b>") >= 2

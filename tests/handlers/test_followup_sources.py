"""A follow-up asking for the legal basis ("cơ sở pháp lý là gì", "căn cứ vào đâu", "điều
mấy", "which law") gets the sources of the answer just given, in full (#13)."""

from __future__ import annotations

import pytest

from content.base import Source, default_content
from content.bubble import source_list
from handlers.followup import asks_for_sources, aspect_of
from nlu.text import read


def folded(text: str) -> str:
    return read(text).folded


@pytest.mark.parametrize(
    "text",
    [
        "cơ sở pháp lý là gì",
        "căn cứ vào đâu",
        "can cu phap ly o dau ad",
        "điều mấy",
        "theo luật nào vậy",
        "quy định ở văn bản nào",
        "nguồn ở đâu",
        "which law says that",
        "what is the legal basis",
        "sources?",
    ],
)
def test_a_short_question_about_the_legal_basis_asks_for_the_sources(text: str) -> None:
    assert aspect_of(folded(text)) == "sources"
    assert asks_for_sources(folded(text))


@pytest.mark.parametrize(
    "text",
    [
        "con bé rất cần cù",  # diligent: "can cu" with nothing after it
        "điều kiện được trợ cấp là gì",
        "luật trẻ em quy định trẻ em là người dưới bao nhiêu tuổi theo điều nào vậy ạ",
        "mất bao lâu",
    ],
)
def test_other_questions_do_not(text: str) -> None:
    assert not asks_for_sources(folded(text))


def test_the_list_names_each_document_in_full_with_its_articles_and_caveats() -> None:
    docs = default_content().documents
    listing = source_list(
        [
            Source("ND-20-2021", "Điều 6"),
            Source("LTE-2016", "Điều 4"),
            Source("LTE-2016", "Điều 6"),
        ],
        docs,
    )
    lines = listing.splitlines()
    assert lines[0] == "• **NĐ 20/2021**: Điều 6"
    assert "số 20/2021/NĐ-CP, Chính phủ (đã được sửa đổi một phần)." in lines[1]
    assert lines[2].strip().startswith("https://")
    assert "• **Luật Trẻ em 2016**: Điều 4, 6" in lines
    assert "  Luật Trẻ em, số 102/2016/QH13, Quốc hội." in lines


def test_a_document_known_only_from_the_press_says_so_and_a_relative_link_stays_out() -> None:
    docs = default_content().documents
    press = next(d for d in docs.values() if d.certainty == "S")
    local = next(d for d in docs.values() if d.url.startswith("/"))
    listing = source_list([Source(press.id, ""), Source(local.id, "")], docs)
    assert "theo thông tin báo chí, chưa đối chiếu được văn bản gốc" in listing
    assert local.url not in listing

"""English follow-ups name the aspect they ask about and are read as elliptical (#13); the
English function words never eat a Vietnamese content word (mẹ, số, tố cáo, an toàn)."""

from __future__ import annotations

import pytest

from handlers.followup import aspect_of, is_elliptical, subject_words
from nlu.text import read


def folded(text: str) -> str:
    return read(text).folded


ASKED = [
    ("how long does it take", "duration"),
    ("how many days", "duration"),
    ("where do i apply", "where"),
    ("should i call the police", "where"),
    ("who do i report it to", "where"),
    ("what documents do i need", "documents"),
    ("what papers do we need", "documents"),
    ("who decides", "approver"),
    ("who approves it", "approver"),
    ("what should i do", "procedure"),
    ("what are the steps", "procedure"),
    ("how much per month", "amount"),
    ("what happens after i report", "after"),
    ("will they know it was me", "secrecy"),
    ("what are the warning signs", "signs"),
    ("how do i talk to her", "talk"),
    ("is it free", "cost"),
    ("how much does it cost", "cost"),
    ("what should the school do", "school"),
    ("who is eligible", "eligibility"),
    ("what counts as bullying", "definition"),
]


@pytest.mark.parametrize(("text", "aspect"), ASKED, ids=[t for t, _ in ASKED])
def test_an_english_follow_up_names_its_aspect(text: str, aspect: str) -> None:
    assert aspect_of(folded(text)) == aspect


@pytest.mark.parametrize(
    "text",
    ["how long", "where do i apply pls", "and what documents", "should i call the police"],
)
def test_a_short_english_follow_up_is_elliptical(text: str) -> None:
    assert is_elliptical(folded(text))


@pytest.mark.parametrize(
    "text",
    [
        "my son is being bullied at school what can i do",
        "can a 15 year old work part time at a cafe",
        "how do i protect my kids from online predators",
    ],
)
def test_an_english_question_with_its_own_subject_is_not_elliptical(text: str) -> None:
    assert not is_elliptical(folded(text))


@pytest.mark.parametrize(
    ("text", "kept"),
    [("thế còn mẹ kế thì sao", "me"), ("còn số của công an thì sao", "so"), ("tố cáo", "to")],
)
def test_english_function_words_leave_vietnamese_words_alone(text: str, kept: str) -> None:
    assert kept in subject_words(folded(text)).split()

"""Who is writing (handlers/audience.py): English and mixed cues, kinship carers (#13)."""

from __future__ import annotations

import pytest

from handlers.audience import about_a_child, detect_audience, strip_role_statement
from handlers.models import Audience
from nlu.text import read


def _guess(text: str) -> tuple[Audience | None, bool]:
    guess = detect_audience(read(text).folded)
    return guess.audience, guess.explicit


STATED = [
    ("I'm a teacher", Audience.TEACHER),
    ("i’m a class teacher", Audience.TEACHER),
    ("im the principal of a primary school", Audience.TEACHER),
    ("I teach grade 5 in Hue", Audience.TEACHER),
    ("I'm a mom", Audience.PARENT),
    ("im a single dad", Audience.PARENT),
    ("i am her legal guardian", Audience.PARENT),
    ("I'm his grandmother", Audience.PARENT),
    ("I'm raising two grandkids", Audience.PARENT),
    ("im 14", Audience.STUDENT),
    ("I’m 9 years old", Audience.STUDENT),
    ("im in grade 8", Audience.STUDENT),
    ("i'm in 10th grade", Audience.STUDENT),
    ("I'm a student", Audience.STUDENT),
    # kinship carers in Vietnamese: a grandparent raising a grandchild is the carer
    ("bà hỏi chút, cháu bà bố mẹ nó mất cả rồi, bà nuôi nó", Audience.PARENT),
    ("ong ba nuoi chau tu nho", Audience.PARENT),
    ("tôi đang nuôi cháu ngoại", Audience.PARENT),
]


@pytest.mark.parametrize(("text", "audience"), STATED, ids=[t for t, _ in STATED])
def test_a_statement_says_who_is_writing(text: str, audience: Audience) -> None:
    assert _guess(text) == (audience, True)


CUES = [
    ("my son is being bullied at school, what can i do", Audience.PARENT),
    ("my daughter seems depressed", Audience.PARENT),
    ("my kid's teacher slapped him", Audience.PARENT),
    ("I am raising my grandson, his parents died", Audience.PARENT),
    ("our grandkids live with us since the accident", Audience.PARENT),
    ("ad oi con em bi ban cung lop bully", Audience.PARENT),
    ("chau toi mo coi ca bo lan me, ong ba nuoi, co tro cap ko", Audience.PARENT),
    ("bà hỏi chút, thằng cháu bà bị bạn đánh", Audience.PARENT),
    ("one of my students told me her stepdad hits her", Audience.TEACHER),
    ("a pupil in my class has bruises", Audience.TEACHER),
    ("my dad hits me when he is drunk", Audience.STUDENT),
    ("some girls in my class keep calling me fat", Audience.STUDENT),
    ("my classmates ignore me", Audience.STUDENT),
    ("im being bullied", Audience.STUDENT),
]


@pytest.mark.parametrize(("text", "audience"), CUES, ids=[t for t, _ in CUES])
def test_a_cue_guesses_who_is_writing(text: str, audience: Audience) -> None:
    assert _guess(text)[0] is audience


NOBODY = [
    "he is 12",  # about someone, says nothing of the writer
    "she's 9",
    "i'm 35",  # an adult's age is no school age
    "im 15 minutes late",
    "should i call the police",
    "chau ba tuoi roi",  # "cháu ba tuổi": three years old, no grandmother speaking
    "how long does it take",
]


@pytest.mark.parametrize("text", NOBODY)
def test_no_cue_no_guess(text: str) -> None:
    assert _guess(text) == (None, False)


def test_a_student_addressing_grandma_is_not_a_grandparent() -> None:
    assert _guess("chau ba oi")[0] is not Audience.PARENT


@pytest.mark.parametrize(
    "text",
    [
        "my son is being bullied",
        "one of my students is hurt",
        "the kid next door is screaming every night",
        "my neighbour's daughter is locked outside",
    ],
)
def test_english_words_about_a_child_are_a_report_not_a_self_statement(text: str) -> None:
    assert about_a_child(read(text).folded)


@pytest.mark.parametrize("text", ["my dad hits me", "im 14 and scared", "they hit me"])
def test_english_words_about_oneself_are_not_about_a_child(text: str) -> None:
    assert not about_a_child(read(text).folded)


def test_an_english_role_statement_alone_leaves_nothing_to_answer() -> None:
    assert strip_role_statement(read("I'm a teacher").folded) == ""
    assert strip_role_statement(read("im 14").folded) == ""


@pytest.mark.parametrize(
    "text", ["I am a teacher at a primary school", "im 14, in grade 8", "im a dad from da nang"]
)
def test_an_english_role_with_where_or_which_grade_asks_nothing(text: str) -> None:
    assert len(strip_role_statement(read(text).folded).split()) < 3


def test_an_english_role_with_a_subject_still_asks_it() -> None:
    assert len(strip_role_statement(read("I'm a teacher, bullying in school").folded).split()) >= 3

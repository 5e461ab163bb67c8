"""English situations the rules read on their own, without leaning on the learned model
(#12): possessives before the pills, a friend as the victim, a child not found, a vehicle,
"can't do this anymore", the dose that kills; and the everyday English that must stay calm."""

from __future__ import annotations

import pytest

from handlers.safety import Danger, assess


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        ("my little brother swallowed my mom's sleeping pills", Danger.POISONING),
        ("she took all of her antidepressants an hour ago", Danger.SUICIDE_ATTEMPT),
        ("my cousin went under the water at the lake and hasn't come up", Danger.DROWNING),
        ("we still can't find our daughter, she left school at 4", Danger.ABDUCTION_MISSING),
        ("a guy is trying to pull my sister into his car", Danger.ABDUCTION_MISSING),
        ("im done, i honestly can't take this anymore", Danger.SUICIDE_SELF_HARM),
        ("how many paracetamol does it take to die", Danger.SUICIDE_SELF_HARM),
        ("i already wrote my goodbye letter", Danger.SUICIDE_SELF_HARM),
        ("my stepdad keeps hitting my little sister", Danger.ABUSE),
        ("a coach touched my son and told him to keep it secret", Danger.SEXUAL_ASSAULT),
        ("they are punching my classmate behind the canteen", Danger.VIOLENCE),
        ("help me plz", Danger.UNSPECIFIED),
        ("one of my students has bruises on her arms and said her dad did it", Danger.ABUSE),
        ("a girl in my class has burns on her hands and told me her stepmom did it", Danger.ABUSE),
        ("the boy next door gets beaten by his father almost every night", Danger.ABUSE),
        ("my pupil told me her uncle hurts her when her parents are away", Danger.ABUSE),
    ],
)
def test_the_rules_alone_escalate_it(text: str, danger: Danger) -> None:
    found = assess(text, use_model=False)
    assert found.urgent, (text, found)
    assert danger in found.dangers, (text, found.dangers)
    assert "111" in found.lines


@pytest.mark.parametrize(
    "text",
    [
        "i cant do this homework anymore",
        "i can't find my phone charger",
        "how do swimmers stay under the water so long",
        "how many pills of vitamin c can a kid take a day",
        "my mom's boyfriend is really nice to me",
        "her dad beat her when she was little, now she is 30 and fine",
        "students with bruises who say their parents did it, how should teachers respond",
        "in the film, his father beats him",
    ],
)
def test_everyday_english_stays_calm(text: str) -> None:
    assert not assess(text).urgent, text

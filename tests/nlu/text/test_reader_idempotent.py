"""Folding is idempotent even where the message's language decides how a word is read: the
folded text, read again, tips the same way (found by the property test on "L0U0:IPSUM")."""

from __future__ import annotations

import pytest

from nlu.text import read


@pytest.mark.parametrize(
    "text",
    ["L0U0:IPSUM", "h0m3r00m", "my homeroom teacher hits me", "c0 gi40 ch0 nhi3m", "IPSUM l0r3m"],
)
def test_the_folded_text_reads_as_itself(text: str) -> None:
    folded = read(text).folded
    assert read(folded).folded == folded

"""A text whose every character is its own canonical form (most Vietnamese messages: NFC,
no invisible characters, no look-alike letters) is made canonical by its whitespace alone,
decided per distinct character (#18). It must give exactly what the cluster-by-cluster loop
gives, text and offsets, on the corpora and on texts made to fall off the fast path."""

from __future__ import annotations

import random

import pytest

from bench.corpus import message_set
from bench.lengths import texts_of_length
from handlers.safety.model import load_examples
from nlu.text import canonical

AWKWARD = (
    "a\u00a0b",  # no-break space: NFKC makes it a space
    "x\u2028y  z\n\n w",  # a line separator: a line break
    "e\u0301m bi\u0323",  # combining marks
    "ｆｕｌｌ ｗｉｄｔｈ",
    "Тôi bị đánh",  # Cyrillic look-alike
    "a\u200bb c\u2060d",  # invisible characters
    "\x85x\x1fy\x0bz",  # control whitespace
    "ﬁnal ǅ ㎏",  # compatibility characters
    "  \n lead  trail \n ",
    "",
    "😭😭 cứu 🆘",
    "\u0301 a stray mark first",
)


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
def test_the_fast_path_gives_what_the_cluster_loop_gives() -> None:
    texts = [e.text for e in load_examples()] + [m.text for m in message_set(3000)]
    texts += texts_of_length(4000, 5) + list(AWKWARD)
    rng = random.Random(18)
    for _ in range(300):  # the awkward characters put into ordinary messages
        text = rng.choice(texts)
        at = rng.randrange(len(text) + 1)
        texts.append(text[:at] + rng.choice(AWKWARD) + text[at:])
    fast = 0
    for text in texts:
        assert canonical.canonicalise(text) == canonical._canonicalise_clusters(text), text
        fast += not text.isascii() and all(map(canonical._stays, set(text)))
    assert fast > 2000  # the fast path is taken by most Vietnamese messages


@pytest.mark.parametrize(
    "text",
    ["a\u00a0b", "e\u0301m", "ｆｕｌｌ", "Тôi", "a\u200bb", "ﬁnal", "ǅ", "\u0301 a", "x\x00y"],
)
def test_characters_that_change_leave_the_fast_path(text: str) -> None:
    assert not all(map(canonical._stays, set(text)))
    assert canonical.canonicalise(text) == canonical._canonicalise_clusters(text)

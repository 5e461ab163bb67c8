"""The reader asks wordfreq's small English list, not its default large one (#18: about 28 MB
resident and a fifth of a second at the first message): at the reader's two thresholds the
answers are the same for every word of the large list common enough to matter, and for every
word of the safety corpus and the benchmark's messages."""

from __future__ import annotations

import re

import pytest
import wordfreq

from bench.corpus import message_set
from handlers.safety.model import load_examples
from nlu.text import reader

THRESHOLDS = (reader._FOREIGN_ZIPF, reader._COMMON_ENGLISH_ZIPF)


def _agree(word: str) -> bool:
    return all(
        (wordfreq.zipf_frequency(word, "en", "large") >= t)
        == (wordfreq.zipf_frequency(word, "en", reader._ENGLISH_LIST) >= t)
        for t in THRESHOLDS
    )


def test_the_reader_uses_the_small_list_and_it_is_smaller() -> None:
    assert reader._ENGLISH_LIST == "small"
    small = wordfreq.get_frequency_dict("en", "small")
    large = wordfreq.get_frequency_dict("en", "large")
    assert len(small) * 5 < len(large)
    assert min(THRESHOLDS) > wordfreq.freq_to_zipf(min(small.values()))  # above its cut


def test_every_common_word_of_the_large_list_reads_the_same() -> None:
    large = wordfreq.get_frequency_dict("en", "large")
    floor = 10 ** (min(THRESHOLDS) - 0.5 - 9)  # a margin below the lower threshold
    words = [w for w, f in large.items() if f >= floor]
    assert len(words) > 20_000
    assert [w for w in words if not _agree(w)] == []


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
def test_every_word_of_the_corpora_reads_the_same() -> None:
    texts = [e.text for e in load_examples()] + [m.text for m in message_set(3000)]
    words = {w for t in texts for w in re.findall(r"\w+", reader.fold(t)) if len(w) >= 3}
    assert len(words) > 1500
    assert [w for w in sorted(words) if not _agree(w)] == []

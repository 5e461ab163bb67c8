"""A triggered safety pattern is searched only in the windows where a match can be (#18):
before each occurrence of one of its required words, as far back as its widest match, each
search bounded past what the engine can look at. That must find exactly what a scan of the
whole text finds, match for match and in the same order: checked here for every pattern of
every danger file (kinds, signs, checks) on long messages made of the training corpus, where
the windows are many and far apart, and on short ones (which the rules scan whole, being
short: here they are searched in windows too)."""

from __future__ import annotations

import random

import pytest

from handlers.safety import rules as rules_module
from handlers.safety.model import load_examples
from handlers.safety.patterns import Pattern
from handlers.safety.reading import read_for_safety
from nlu.text import read


def _every_pattern() -> list[Pattern]:
    rules = rules_module.compiled()
    patterns = [p for _, _, p in rules.order]
    patterns += [p for ps in rules.checks.values() for p in ps]
    patterns += [p for signs in rules.signs.values() for ps in signs.groups.values() for p in ps]
    return patterns


def _texts(count: int, per_text: int, seed: int) -> list[str]:
    examples = [e.text for e in load_examples()]
    rng = random.Random(seed)
    return [
        f" {read_for_safety(read(' '.join(rng.sample(examples, per_text))).canonical).sense} "
        for _ in range(count)
    ]


@pytest.fixture
def windows_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules_module, "_SHORT", 0)


@pytest.mark.usefixtures("windows_always")
@pytest.mark.parametrize(("count", "per_text"), [(12, 40), (60, 1)], ids=["long", "short"])
def test_searching_the_windows_finds_what_scanning_the_whole_text_finds(
    count: int, per_text: int
) -> None:
    patterns = _every_pattern()
    windowed = 0
    for text in _texts(count, per_text, seed=count):
        for pattern in patterns:
            whole = [m.span() for m in pattern.regex.finditer(text)]
            found = [m.span() for m in rules_module._matches(pattern, text)]
            assert found == whole, (pattern.regex.pattern[:80], text[:80])
            windowed += rules_module._windows(pattern, text)[1] is not None
    assert windowed > count * len(patterns) // 4  # most patterns do run in windows


def test_a_pattern_without_bounds_scans_the_whole_text() -> None:
    unbounded = Pattern(rules_module.re.compile(r" (?:chet) .*"), frozenset({"chet"}))
    anchored = Pattern(rules_module.re.compile(r" chet$"), frozenset({"chet"}))
    for pattern in (unbounded, anchored):
        assert rules_module._windows(pattern, " em muon chet | chet ")[1] is None


@pytest.mark.usefixtures("windows_always")
@pytest.mark.parametrize(
    "regex",
    [r" chet(?= roi\b)", r"(?<=muon) chet\b", r" (?:\w+ )?chet\b(?! nhe)", r" chet(?=,)"],
)
def test_lookarounds_at_the_edge_of_a_window_see_what_they_would_see(regex: str) -> None:
    pattern = Pattern(rules_module.re.compile(regex), frozenset({"chet"}))
    for text in (" em muon chet roi ", " muon chet nhe ", " chet , chet roi ", " em chet,"):
        assert rules_module._windows(pattern, text)[1] is not None
        found = [m.span() for m in rules_module._matches(pattern, text)]
        assert found == [m.span() for m in pattern.regex.finditer(text)], (regex, text)

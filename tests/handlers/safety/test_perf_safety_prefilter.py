"""The safety rules try a pattern only when one of its trigger words is in the message (#18):
`rules._candidates` picks the patterns from an index of required words, and signs, checks and
cues skip a pattern whose words are absent. Here that shortcut is checked against the long
way, every pattern tried on the whole text, over the whole safety corpus (training, blind and
the older held-out set): the findings must be identical, message by message. The mechanism is
built from whatever patterns are in the data files, and so is this check."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from handlers.safety import patterns as patterns_module
from handlers.safety import rules as rules_module
from handlers.safety.evaluate import load_blind, load_triage_cases
from handlers.safety.model import load_examples
from handlers.safety.reading import read_for_safety
from nlu.text import read


def _ungated(pattern: patterns_module.Pattern) -> patterns_module.Pattern:
    return dataclasses.replace(pattern, required=None)


def _ungated_cue(cue: patterns_module.Cue) -> patterns_module.Cue:
    copy = object.__new__(patterns_module.Cue)
    copy._whole = cue._whole
    copy._parts = tuple(_ungated(p) for p in cue._parts)
    return copy


def _ungated_signs(signs: Any) -> Any:
    """A danger's sign groups with every pattern ungated (whatever else the entry holds)."""
    if dataclasses.is_dataclass(signs) and not isinstance(signs, type):
        groups = {n: tuple(_ungated(p) for p in ps) for n, ps in signs.groups.items()}  # type: ignore[attr-defined]
        return dataclasses.replace(signs, groups=groups)
    groups, *rest = signs
    return ({n: tuple(_ungated(p) for p in ps) for n, ps in groups.items()}, *rest)


def _every_pattern_tried() -> rules_module._Compiled:
    """The rules as compiled, with no pattern gated on a word: each one runs on every text."""
    rules = rules_module.compiled()
    return dataclasses.replace(
        rules,
        order=tuple((kind, danger, _ungated(p)) for kind, danger, p in rules.order),
        always=frozenset(range(len(rules.order))),
        opened_by={},
        checks={d: tuple(_ungated(p) for p in ps) for d, ps in rules.checks.items()},
        signs={d: _ungated_signs(signs) for d, signs in rules.signs.items()},
        farewell=_ungated_cue(rules.farewell),
        final=_ungated_cue(rules.final),
        plea=_ungated_cue(rules.plea),
        homework=_ungated_cue(rules.homework),
    )


def _corpus() -> list[str]:
    texts = [e.text for e in load_examples()]
    texts += [c.text for c in load_blind()] + [c.text for c in load_triage_cases()]
    return texts


def _findings(text: str) -> tuple[dict[str, str], dict[str, str]]:
    found = rules_module.find(read_for_safety(read(text).canonical))
    return (
        {str(d): r for d, r in found.urgent.items()},
        {str(d): r for d, r in found.check.items()},
    )


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
def test_trying_patterns_by_trigger_word_finds_what_trying_every_pattern_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _corpus()
    assert len(texts) > 2000
    rules = rules_module.compiled()
    assert len(rules.always) < len(rules.order) // 2  # most patterns are gated on a word
    fast = [_findings(t) for t in texts]
    slow_rules = _every_pattern_tried()
    monkeypatch.setattr(rules_module, "compiled", lambda: slow_rules)
    slow = [_findings(t) for t in texts]
    differ = [(t, f, s) for t, f, s in zip(texts, fast, slow, strict=True) if f != s]
    assert not differ, differ[:5]
    assert sum(1 for urgent, _ in fast if urgent) > 500  # the corpus does fire the rules

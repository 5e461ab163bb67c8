"""The safety rules compile their regexes on first use (#18): building the rules parses each
pattern once (its first-letter guard and its required words from the same parse) and
compiles none; a message compiles only the patterns its words open. The required words are
those of the reference analysis (each run of literal items expanded from scratch), for every
pattern of every data file and gate cue, so the word index opens exactly what it did."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers.safety import engine as engine_module
from handlers.safety import patterns as patterns_module
from handlers.safety import rules as rules_module
from nlu.text import read


def _reference_required_words(pattern: str, common: frozenset[str]) -> frozenset[str] | None:
    """`required_words` as it was before #18: `_expand(items[i : j + 1])` for every j."""
    try:
        items = list(patterns_module._sre_parser.parse(pattern).data)
    except Exception:
        return None
    candidates: list[frozenset[str]] = []
    i = 0
    while i < len(items):
        expansions: set[str] = set()
        j = i
        while j < len(items) and (grown := patterns_module._expand(items[i : j + 1])) is not None:
            expansions = grown
            j += 1
        if j == i:
            i += 1
            continue
        left = patterns_module._space_before(items, i)
        right = patterns_module._space_after(items, j)
        per_expansion = [set(patterns_module._whole_words(e, left, right)) for e in expansions]
        if all(per_expansion):
            rank: Any = lambda w: (w in common, -len(w), w)  # noqa: E731
            if shared := set.intersection(*per_expansion):
                candidates.append(frozenset({min(shared, key=rank)}))
            candidates.append(frozenset(min(words, key=rank) for words in per_expansion))
        i = j
    if not candidates:
        return None
    return min(candidates, key=lambda words: (len(words & common), len(words)))


def _every_source() -> list[str]:
    files = patterns_module.danger_files().values()
    groups = [g for f in files for g in (*f.kinds.values(), *f.cues.values(), *f.signs.values())]
    groups += list(patterns_module.gate_parts().values())
    return [regex for group in groups for regex in group]


def test_required_words_and_guards_are_those_of_the_reference_analysis() -> None:
    sources = _every_source()
    assert len(sources) > 500
    compared = 0
    for source in sources:
        try:
            spaced = patterns_module.leading_space(source)
        except ValueError:
            continue  # not a word pattern (accented cries, channel cues): never gated
        (pattern,) = patterns_module.compile_patterns(source)
        expected = _reference_required_words(spaced, patterns_module.COMMON_WORDS)
        assert pattern.required == expected, source[:80]
        assert patterns_module.required_words(spaced, patterns_module.COMMON_WORDS) == expected
        assert pattern.source == patterns_module._first_letter_guard(spaced)
        compared += 1
    assert compared > 500


@pytest.fixture
def fresh_rules() -> Iterator[rules_module._Compiled]:
    rules_module.compiled.cache_clear()
    yield rules_module.compiled()
    rules_module.compiled.cache_clear()


def _all_patterns(rules: rules_module._Compiled) -> list[patterns_module.Pattern]:
    patterns = [p for _, _, p in rules.order]
    patterns += [p for ps in rules.checks.values() for p in ps]
    patterns += [p for signs in rules.signs.values() for ps in signs.groups.values() for p in ps]
    return patterns


def test_building_the_rules_compiles_no_pattern(fresh_rules: rules_module._Compiled) -> None:
    patterns = _all_patterns(fresh_rules)
    assert len(patterns) > 300
    assert not any(p.compiled for p in patterns)


def test_a_message_compiles_only_the_patterns_its_words_open(
    fresh_rules: rules_module._Compiled,
) -> None:
    patterns = _all_patterns(fresh_rules)
    engine_module.assess(read("chào bạn, cho mình hỏi học phí năm nay"), use_model=False)
    opened = [p for p in patterns if p.compiled]
    assert len(opened) < len(patterns) // 10
    verdict = engine_module.assess(read("cứu em với, bố em đang đánh em"), use_model=False)
    assert verdict.urgent
    assert len([p for p in patterns if p.compiled]) > len(opened)


def test_a_pattern_compiles_once_and_is_the_regex_it_would_have_been() -> None:
    (pattern,) = patterns_module.compile_patterns(r"\b(?:chay|boc chay)\b")
    assert not pattern.compiled
    regex = pattern.regex
    assert pattern.compiled and pattern.regex is regex
    assert regex.pattern == patterns_module._first_letter_guard(" (?:chay|boc chay)\\b")
    given = patterns_module.Pattern(re.compile(r" chay\b", re.IGNORECASE), None)
    assert given.compiled and given.regex.flags & re.IGNORECASE


@pytest.fixture
def analysis_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty model directory and no analysis in memory; the rules rebuilt after."""
    monkeypatch.setenv("CHILDSAFE_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(patterns_module, "_analysis", None)
    monkeypatch.setattr(patterns_module, "_analysis_used", set())
    monkeypatch.setattr(patterns_module, "_analysis_new", False)
    rules_module.compiled.cache_clear()
    yield tmp_path
    rules_module.compiled.cache_clear()


def _shape(rules: rules_module._Compiled) -> list[tuple[str, str, str, frozenset[str] | None]]:
    return [(kind, danger.value, p.source, p.required) for kind, danger, p in rules.order] + [
        ("sign", danger.value, p.source, p.required)
        for danger, signs in rules.signs.items()
        for ps in signs.groups.values()
        for p in ps
    ]


def test_the_analysis_kept_on_disk_builds_the_same_rules_without_parsing(
    analysis_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _shape(rules_module.compiled())
    path = patterns_module.analysis_path()
    assert path.parent == analysis_dir and path.exists()
    # a new process: nothing in memory, the file on disk
    monkeypatch.setattr(patterns_module, "_analysis", None)
    rules_module.compiled.cache_clear()
    parsed: list[str] = []
    real = patterns_module._analyse
    monkeypatch.setattr(
        patterns_module, "_analyse", lambda spaced: parsed.append(spaced) or real(spaced)
    )
    assert _shape(rules_module.compiled()) == first
    assert parsed == []


def test_the_reaches_kept_on_disk_are_those_of_parsing_each_regex(
    analysis_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How far each pattern's match reaches (where the rules search a long text) is kept
    with the analysis: read back, it is what parsing the regex gives, and nothing is parsed."""
    patterns = _all_patterns(rules_module.compiled())
    expected = {p.text: rules_module._reach_of(p.text, re.UNICODE) for p in patterns}
    assert sum(reach is not None for reach in expected.values()) > len(expected) // 2
    monkeypatch.setattr(patterns_module, "_analysis", None)
    monkeypatch.setattr(patterns_module, "_reaches", {})
    rules_module.compiled.cache_clear()
    rules_module._reach.cache_clear()
    parsed: list[str] = []
    real = rules_module._reach_of

    def counting(pattern: str, flags: int) -> object:
        parsed.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(rules_module, "_reach_of", counting)
    patterns = _all_patterns(rules_module.compiled())
    for pattern in patterns:
        assert rules_module._reach(pattern.regex) == expected[pattern.text], pattern.text
    assert parsed == []
    rules_module._reach.cache_clear()


def test_an_unreadable_analysis_is_made_again(
    analysis_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _shape(rules_module.compiled())
    path = patterns_module.analysis_path()
    for broken in ("{not json", '{"key": "old", "patterns": {}}', '{"patterns": {" a": 1}}'):
        path.write_text(broken, encoding="utf-8")
        monkeypatch.setattr(patterns_module, "_analysis", None)
        rules_module.compiled.cache_clear()
        assert _shape(rules_module.compiled()) == expected
        assert patterns_module._ANALYSIS_KEY in path.read_text(encoding="utf-8")  # rewritten


def test_regexes_checked_at_an_earlier_start_are_not_compiled_again(
    analysis_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patterns_module.danger_files.cache_clear()
    monkeypatch.setattr(patterns_module, "_valid", None)
    monkeypatch.setattr(patterns_module, "_valid_used", set())
    try:
        files = patterns_module.danger_files()
        rules_module.compiled()  # keeps the analysis and the checked regexes
        regexes = {
            r
            for f in files.values()
            for g in (*f.kinds.values(), *f.cues.values(), *f.signs.values())
            for r in g
        }
        assert regexes <= patterns_module.valid_regexes()
        # the next start: the same files are not compiled to be checked
        monkeypatch.setattr(patterns_module, "_analysis", None)
        monkeypatch.setattr(patterns_module, "_valid", None)
        patterns_module.danger_files.cache_clear()
        compiled: list[str] = []
        real = patterns_module.re.compile

        def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
            compiled.append(pattern)
            return real(pattern, flags)

        monkeypatch.setattr(patterns_module.re, "compile", counting)
        assert patterns_module.danger_files() == files
        assert not regexes & set(compiled)
    finally:
        patterns_module.danger_files.cache_clear()


def test_libyaml_reads_the_start_up_data_as_the_python_loader_does() -> None:
    """The safety data, the reader's lexicon and the places are read with libyaml (#18)."""
    import yaml

    from content.places import PLACES_PATH
    from nlu.text.lexicon import LEXICON_PATH

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        pytest.skip("PyYAML without libyaml: the Python loader is used")
    paths = [LEXICON_PATH, PLACES_PATH, *patterns_module.DATA_DIR.glob("*.yml")]
    paths += list(patterns_module.PATTERN_DIR.glob("*.yml"))
    assert len(paths) > 15
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=loader) == yaml.safe_load(text), path.name

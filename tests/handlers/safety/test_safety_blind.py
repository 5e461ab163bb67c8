"""The safety layer measured on the blind triage corpora (nlu/tests/triage_blind.yml and
nlu/tests/triage_blind3.yml, never trained on): the Done-when bars of issue #12, a floor under
today's figures, and the report itself (aggregates only, never a message)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from handlers.safety import model as model_module
from handlers.safety.evaluate import (
    BAR_FALSE_ALARMS,
    BAR_FIRST_LINE,
    BAR_OBFUSCATED_RECALL,
    BAR_URGENT_RECALL,
    BLIND_SET,
    BLIND_SET_V3,
    BLIND_SET_V4,
    BLIND_SET_V5,
    DEV_SET_V5,
    BlindReport,
    evaluate_blind,
    load_blind,
)

pytestmark = pytest.mark.skipif(not BLIND_SET.exists(), reason="no blind triage corpus")


@pytest.fixture(scope="module")
def report() -> BlindReport:
    return evaluate_blind(load_blind())


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="issue #12's bars are not met yet (docs/safety.md, Figures); remove this mark "
    "when they are: a strict xfail fails as soon as they pass",
)
def test_the_done_when_bars(report: BlindReport) -> None:
    assert report.urgent_recall.value >= BAR_URGENT_RECALL, str(report.urgent_recall)
    assert report.false_alarms.value <= BAR_FALSE_ALARMS, str(report.false_alarms)
    assert report.obfuscated_recall.value >= BAR_OBFUSCATED_RECALL, str(report.obfuscated_recall)
    assert report.first_line_fits.value >= BAR_FIRST_LINE, str(report.first_line_fits)
    assert report.bars_met


def test_the_figures_do_not_fall_back(report: BlindReport) -> None:
    """A floor a little under the figures measured at the last landing of #12 (recall 93.5%,
    obfuscated 95.7%, English 87.5%, first line 87.7%, false alarms 5.6%): a change that loses
    ground fails here."""
    assert report.n_urgent >= 200 and report.n_harmless >= 150
    assert report.urgent_recall.value >= 0.91, str(report.urgent_recall)
    assert report.obfuscated_recall.value >= 0.92, str(report.obfuscated_recall)
    assert report.false_alarms.value <= 0.07, str(report.false_alarms)
    assert report.english_recall.value >= 0.84, str(report.english_recall)
    assert report.first_line_fits.value >= 0.85, str(report.first_line_fits)
    assert report.recall_by_danger, "recall per danger"
    assert set(report.false_alarms_by_kind) >= {"past", "idiom", "bereavement", "collision"}


@pytest.fixture(scope="module")
def report_v3() -> BlindReport:
    return evaluate_blind(load_blind(BLIND_SET_V3))


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="blind set v3 (2026-12-07): recall 95.2%, false alarms 7.4%, obfuscated 93.0%, "
    "first line 92.7% (docs/safety.md)",
)
def test_the_done_when_bars_on_the_second_blind_set(report_v3: BlindReport) -> None:
    assert report_v3.bars_met, "\n".join(report_v3.lines())


def test_the_second_blind_set_does_not_fall_back(report_v3: BlindReport) -> None:
    """A floor a little under its measurement with no blind message in training (recall
    95.2%, obfuscated 93.0%, first line 92.7%, false alarms 7.4%)."""
    assert report_v3.n_urgent >= 100 and report_v3.n_harmless >= 100
    assert report_v3.urgent_recall.value >= 0.93, str(report_v3.urgent_recall)
    assert report_v3.obfuscated_recall.value >= 0.90, str(report_v3.obfuscated_recall)
    assert report_v3.false_alarms.value <= 0.09, str(report_v3.false_alarms)
    assert report_v3.first_line_fits.value >= 0.90, str(report_v3.first_line_fits)


@pytest.fixture(scope="module")
def report_v4() -> BlindReport:
    return evaluate_blind(load_blind(BLIND_SET_V4))


def test_the_fourth_set_now_a_dev_set_meets_the_bars(report_v4: BlindReport) -> None:
    """Blind set v4 was measured once (2026-12-07 18:35 UTC: recall 85.2%, false alarms 7.4%,
    obfuscated 88.1%, English 95.5%, first line 74.1%) and then became a DEV set: round 6
    (safety4, safety5) read its misses and wrote training and rules for their situations in
    other words (none of its messages is in training: see below). Tuned on, it holds every
    bar; it is no longer evidence of generalisation (blind set v5 is)."""
    assert report_v4.n_urgent >= 130 and report_v4.n_harmless >= 100
    assert report_v4.bars_met, "\n".join(report_v4.lines())


@pytest.fixture(scope="module")
def report_v5() -> BlindReport:
    return evaluate_blind(load_blind(BLIND_SET_V5))


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="blind set v5 (2026-12-07 21:15 UTC, written blind by triblind5, held back by the "
    "lead, measured once): recall 97.5%, false alarms 4.2%, obfuscated 100%, English 100%, "
    "first line 90.8% (docs/safety.md)",
)
def test_the_done_when_bars_on_the_fifth_blind_set(report_v5: BlindReport) -> None:
    assert report_v5.bars_met, "\n".join(report_v5.lines())


def test_the_fifth_blind_set_does_not_fall_back(report_v5: BlindReport) -> None:
    """A floor a little under its one measurement (recall 97.5%, obfuscated 100%, English
    100%, first line 90.8%, false alarms 4.2%); its dev twin (triage_dev5, same writer) was
    94.1% / 95.2% / 100% / 82.4% / 0% on the code before round 6."""
    assert report_v5.n_urgent >= 110 and report_v5.n_harmless >= 130
    assert report_v5.urgent_recall.value >= 0.95, str(report_v5.urgent_recall)
    assert report_v5.false_alarms.value <= 0.06, str(report_v5.false_alarms)
    assert report_v5.english_recall.value >= 0.96, str(report_v5.english_recall)
    assert report_v5.first_line_fits.value >= 0.88, str(report_v5.first_line_fits)


def test_disguised_urgent_messages_of_the_fifth_blind_set_meet_their_bar(
    report_v5: BlindReport,
) -> None:
    """The one Done-when bar v5 met at its measurement: obfuscated urgent messages escalate
    (48 of 48, bar 98%)."""
    assert report_v5.obfuscated_recall.value >= BAR_OBFUSCATED_RECALL, str(
        report_v5.obfuscated_recall
    )


def test_no_blind_message_is_in_the_training_corpus() -> None:
    trained = {e.text.casefold() for e in model_module.load_examples()}
    for path in (BLIND_SET, BLIND_SET_V3, BLIND_SET_V4, BLIND_SET_V5, DEV_SET_V5):
        shared = len(trained & {case.text.casefold() for case in load_blind(path)})
        assert shared == 0, (
            f"{shared} training entries are blind messages of {path.name}"
        )  # never print them


def test_the_report_holds_aggregates_only(
    report: BlindReport, report_v3: BlindReport, report_v5: BlindReport
) -> None:
    for path, measured in (
        (BLIND_SET, report),
        (BLIND_SET_V3, report_v3),
        (BLIND_SET_V5, report_v5),
    ):
        shown = "\n".join(measured.lines()) + repr(measured.as_dict())
        for case in load_blind(path):
            assert case.text not in shown


def _tiny_corpus(path: Path) -> None:
    cases = [
        {"text": "em muốn tự tử", "urgent": True, "danger": "suicide_self_harm",
         "first_line": "111", "style": "plain", "kind": None, "lang": "vi"},
        {"text": "e m m u o n c h e t", "urgent": True, "danger": "suicide_self_harm",
         "first_line": "111", "style": "spaced", "kind": None, "lang": "vi"},
        {"text": "my house is on fire", "urgent": True, "danger": "fire",
         "first_line": "114", "style": "plain", "kind": None, "lang": "en"},
        {"text": "nóng chết đi được", "urgent": False, "danger": None,
         "first_line": None, "style": "plain", "kind": "idiom", "lang": "vi"},
        {"text": "bố mẹ cháu mất cả rồi, cháu có được trợ cấp không", "urgent": False,
         "danger": None, "first_line": None, "style": "plain", "kind": "bereavement",
         "lang": "vi"},
    ]  # fmt: skip
    path.write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")


def test_eval_triage_prints_the_figures_and_exits_1_below_a_bar(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.yml"
    _tiny_corpus(corpus)
    runner = CliRunner()
    shown = runner.invoke(cli, ["eval", "--triage", "--corpus", str(corpus)])
    assert shown.exit_code == 0, shown.output
    for heading in (
        "urgent recall",
        "recall per danger",
        "false alarms per kind",
        "recall per obfuscation style",
        "English",
        "first line fits",
        '"check" asked',
    ):
        assert heading in shown.output
    assert "nóng chết" not in shown.output  # never a message
    report = evaluate_blind(load_blind(corpus))
    assert report.recall_by_danger["fire"].total == 1
    assert report.false_alarms_by_kind["idiom"].total == 1
    barred = runner.invoke(cli, ["eval", "--triage", "--bars", "--corpus", str(corpus)])
    assert barred.exit_code == (0 if report.bars_met else 1)
    as_json = runner.invoke(cli, ["eval", "--triage", "--json", "--corpus", str(corpus)])
    assert '"urgent_recall"' in as_json.output

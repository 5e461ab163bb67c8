"""The guard behind `make test-fast` (tests/slowguard.py): an unmarked test that starts a
process fails; a marked one, or one that starts none, passes."""

from __future__ import annotations

import pytest

PROBE = """
import subprocess, sys
import pytest

def test_unmarked_and_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)

@pytest.mark.slow
def test_marked_and_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)

def test_starts_nothing():
    assert True
"""


@pytest.mark.slow  # the probe's own tests start processes
def test_an_unmarked_test_that_starts_a_process_fails(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "markers =\n    slow: starts processes\n"
    )
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess("-p", "tests.slowguard", "-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*_ test_unmarked_and_starts_a_process _*", "this test started a process*mark it*slow*"]
    )

"""A test that starts a process while it runs says so with `@pytest.mark.slow` (or `rasa`,
`browser`), so that `make test-fast` stays fast: an unmarked test that starts one fails,
naming the command. Processes that fixtures start (the session's `redis-server`) are the
fixture's business and not counted."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Generator
from typing import Any

import pytest

MARKS = ("slow", "rasa", "browser")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    if any(item.get_closest_marker(mark) for mark in MARKS):
        return (yield)
    started: list[str] = []
    original = subprocess.Popen.__init__

    @functools.wraps(original)
    def spy(self: subprocess.Popen[Any], args: Any, *rest: Any, **options: Any) -> None:
        started.append(args if isinstance(args, str) else " ".join(map(str, args)))
        original(self, args, *rest, **options)

    subprocess.Popen.__init__ = spy  # type: ignore[method-assign]
    try:
        result = yield
    finally:
        subprocess.Popen.__init__ = original  # type: ignore[method-assign]
    if started:
        pytest.fail(
            f"this test started a process ({started[0][:120]}): mark it @pytest.mark.slow "
            "so that `make test-fast` leaves it out",
            pytrace=False,
        )
    return result

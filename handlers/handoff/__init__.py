"""Live handoff from the assistant to a counsellor on duty (issue #15).

- `hours`: when counsellors are on duty (`CHILDSAFE_HANDOFF_HOURS`).
- `crypto`: case records encrypted at rest (`CHILDSAFE_CASE_KEY`).
- `store`: the `HandoffStore` interface and its SQLite implementation.
- `service`: the state machine, the queue, the desk's actions, deliveries, housekeeping.
"""

from handlers.handoff.crypto import CaseCipher, CaseKeyError
from handlers.handoff.hours import DutyHours, HoursError
from handlers.handoff.service import (
    OUTCOMES,
    CaseView,
    HandoffConfig,
    HandoffError,
    HandoffService,
    Opened,
    Unavailable,
)
from handlers.handoff.store import HandoffStore, SqliteHandoffStore

__all__ = [
    "OUTCOMES",
    "CaseCipher",
    "CaseKeyError",
    "CaseView",
    "DutyHours",
    "HandoffConfig",
    "HandoffError",
    "HandoffService",
    "HandoffStore",
    "HoursError",
    "Opened",
    "SqliteHandoffStore",
    "Unavailable",
]

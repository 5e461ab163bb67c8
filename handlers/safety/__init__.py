"""Safety: what danger a message shows (detection) and the help that fits it (replies).

    from handlers.safety import assess, Danger
    a = assess(reading)          # an nlu.text.Reading (or a plain string)
    a.level                      # "urgent" | "check" | "none"
    a.dangers, a.lines           # most pressing first; the first line fits dangers[0]

Patterns per danger, the gate's cues and the word tables are data under `data/`; see
docs/safety.md for how the layer decides and how to add a danger or a phrase.
"""

from handlers.safety.dangers import (
    LINE_LABELS,
    LINES,
    NATIONAL_LINE,
    PRIORITY,
    Danger,
    lines_for,
    most_pressing_first,
)
from handlers.safety.engine import (
    CHECK_THRESHOLD,
    NONE,
    URGENT_THRESHOLD,
    Assessment,
    Level,
    assess,
    model_score,
    prepare_for_model,
    safety_model,
)

__all__ = [
    "CHECK_THRESHOLD",
    "LINES",
    "LINE_LABELS",
    "NATIONAL_LINE",
    "NONE",
    "PRIORITY",
    "URGENT_THRESHOLD",
    "Assessment",
    "Danger",
    "Level",
    "assess",
    "lines_for",
    "model_score",
    "most_pressing_first",
    "prepare_for_model",
    "safety_model",
]

"""Safety: what danger a message shows (detection) and the help that fits it (replies)."""

from handlers.safety.dangers import LINE_LABELS, LINES, NATIONAL_LINE, Danger, lines_for

__all__ = ["LINES", "LINE_LABELS", "NATIONAL_LINE", "Danger", "lines_for"]

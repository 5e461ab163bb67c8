"""Who an answer is written for. Answers are chosen by it, so it lives with the content;
the core re-exports it in `handlers.models` for the channels (issue #19: content imports
nothing above it)."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    PARENT = "parent"
    STUDENT = "student"
    TEACHER = "teacher"
    ANY = "any"

"""One message's text, read once (#18, #19) and shared by everything that reads that message.

A channel makes a `MessageReading` of the text it is about to hand the core and passes the
same object to the admission policy (`handlers.admission`) and to `Assistant.handle()`; the
core hands it on to the request log, whose writer redacts from it. So:

- the canonical reading (`nlu.text.read`) is made once, on first use, and only once;
- the safety assessment likewise: a message the admission policy triaged (a sender over the
  flood limit) is not triaged again by the pipeline, which reuses that assessment.

Nothing is read when the object is made, so a channel may make one on its event loop and
let a worker thread do the reading. One message is read by one thread at a time (admission,
then the core, then the log writer, each after the other), so no lock is needed.
"""

from __future__ import annotations

from handlers.safety import Assessment, assess
from nlu.text import Reading, read

# A longer message is read up to here (the pipeline's NLU and routing read up to
# MAX_INPUT_CHARS of it; safety reads all of what is read).
MAX_READ_CHARS = 32_000


class MessageReading:
    """The text as given (`text`), its `reading` and its safety `assessment`, each made on
    first use and kept."""

    __slots__ = ("_assessment", "_reading", "text")

    def __init__(self, text: object) -> None:
        self.text = text if isinstance(text, str) else ""
        self._reading: Reading | None = None
        self._assessment: Assessment | None = None

    @property
    def reading(self) -> Reading:
        if self._reading is None:
            self._reading = read(self.text[:MAX_READ_CHARS])
        return self._reading

    @property
    def assessment(self) -> Assessment:
        """The safety triage of the reading (never raises: `assess` reads a failure as none)."""
        if self._assessment is None:
            self._assessment = assess(self.reading)
        return self._assessment

    @property
    def made(self) -> Reading | None:
        """The reading if it has been made, else None (for who must not cause one)."""
        return self._reading

    def of(self, text: object) -> bool:
        """Is this the reading of `text`? (A channel may hand the core another text.)"""
        return isinstance(text, str) and (text is self.text or text == self.text)


def reading_of(text: object, given: MessageReading | None = None) -> MessageReading:
    """`given` when it reads `text`, else a new reading of `text`."""
    if given is not None and given.of(text):
        return given
    return MessageReading(text)

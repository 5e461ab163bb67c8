"""The message-handling layer: normalisation, safety triage, routing, logging."""

from handlers.models import Audience, Button, IncomingMessage, Reply, SourceRef

__all__ = ["Audience", "Button", "IncomingMessage", "Reply", "SourceRef"]

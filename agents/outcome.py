"""What the pipeline decides for one input record: exactly one :class:`Output`.

``role`` names the output topic (``enriched``, ``duplicates`` or ``dlq``; the
topic names themselves come from settings). ``verdict`` and ``reason`` are the
bounded labels the metrics count by (``new``/``version``/``duplicate``/
``dead_letter``/``held``; a duplicate reason or an error code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agents.model import Origin

Role = Literal["enriched", "duplicates", "dlq"]
VerdictLabel = Literal["new", "version", "duplicate", "dead_letter", "held"]

HEADER_SCHEMA = "wirestream-schema"
HEADER_REPLAY_ID = "wirestream-replay-id"
HEADER_REPROCESS = "wirestream-reprocess"
HEADER_RETRIES = "wirestream-retries"


@dataclass(frozen=True)
class Output:
    """One message to publish, with the labels it is counted under."""

    role: Role
    key: str | None
    value: dict[str, Any]
    verdict: VerdictLabel
    reason: str | None = None
    headers: tuple[tuple[str, bytes], ...] = field(default=())
    release_at: str | None = None
    """Set on ``held`` outputs: publish to ``role`` at this ISO time (embargo)."""
    origin: Origin | None = field(default=None, compare=False, repr=False)
    """The input record this output answers (for a dead letter should publishing fail)."""

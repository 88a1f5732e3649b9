"""What the pipeline decides for one input record: exactly one :class:`Output`.

``role`` names the output topic (``enriched``, ``duplicates`` or ``dlq``; the
topic names themselves come from settings). ``verdict`` and ``reason`` are the
bounded labels the metrics count by (``new``/``version``/``duplicate``/
``dead_letter``/``held``; a duplicate reason or an error code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agents.model import Origin, find_header

Role = Literal["enriched", "duplicates", "dlq"]
VerdictLabel = Literal["new", "version", "duplicate", "dead_letter", "held"]

HEADER_CONTENT_TYPE = "content-type"
"""Every published value is UTF-8 JSON: ``application/json``."""
CONTENT_TYPE_JSON = "application/json"
HEADER_SCHEMA = "wirestream-schema"
"""The schema name and version of the value (``enriched.v1``, ``duplicate.v1``, ``deadletter.v1``)."""
HEADER_SCHEMA_ID = "wirestream-schema-id"
"""The ``$id`` URI of that JSON Schema (``https://wirestream.dev/schemas/enriched.v1.json``)."""
HEADER_TRACE_ID = "wirestream-trace-id"
"""32 lowercase hex digits naming the input record every output answers: taken from the input's own
``wirestream-trace-id`` or W3C ``traceparent`` header, else derived from its topic/partition/offset
(or its bytes), so a redelivery, or the same archived record processed offline, carries the same id."""
HEADER_TRACEPARENT = "traceparent"
"""W3C Trace Context header read on input (``00-<trace id>-<parent id>-<flags>``)."""
HEADER_REPLAY_ID = "wirestream-replay-id"
HEADER_REPROCESS = "wirestream-reprocess"
HEADER_RETRIES = "wirestream-retries"


header = find_header
"""The last header called ``name`` (case-insensitive), decoded leniently (see :func:`agents.model.find_header`)."""


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

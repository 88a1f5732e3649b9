"""The one root exception of the pipeline and its stable error codes.

Tree::

    WirestreamError            root; every error carries a stable ``code`` and a ``stage``
    ├── InputError             the payload cannot be read (stage ``ingest``)
    ├── CleanError             nothing usable is left after cleaning (stage ``clean``)
    └── StageFailure           a stage raised unexpectedly (wrapped by the pipeline)

Codes are part of the dead-letter contract (``schemas/deadletter.v1.json``):
never rename one; add new ones.
"""

from __future__ import annotations

from typing import Literal

Stage = Literal["ingest", "clean", "dedupe", "enrich", "publish", "pipeline", "archive"]

ERROR_CODES: dict[str, str] = {
    "payload_too_large": "the record value exceeds WIRESTREAM_MAX_PAYLOAD_BYTES",
    "empty_payload": "the record value is empty",
    "not_utf8": "the payload is neither valid UTF-8 text nor a known binary form",
    "invalid_json": "the payload looks like JSON but does not parse",
    "too_deep": "the JSON nests deeper than the parser allows",
    "unknown_shape": "JSON that is neither ninjs nor a generic feed object",
    "invalid_field": "a known field has the wrong type or an absurd value",
    "field_too_long": "a text field exceeds WIRESTREAM_MAX_FIELD_CHARS",
    "no_body": "the item carries no body text, HTML or page",
    "empty_body": "nothing of the story is left after cleaning",
    "archive_line": "an archive line could not be read as a Kafka record",
    "timeout": "processing the record exceeded WIRESTREAM_RECORD_BUDGET_S",
    "retries_exhausted": "a re-driven dead letter failed again past the retry limit",
    "internal": "a stage raised an unexpected exception (a bug: see the message)",
    "invalid_xml": "the payload looks like XML but does not parse (the message gives line and column)",
    "xml_forbidden": "the XML carries a DOCTYPE or entity declarations, which are never processed",
    "too_many_items": "one record carries more stories than the ingest cap (100 text items)",
}


class WirestreamError(Exception):
    """Root of the pipeline's errors; ``code`` is stable, ``message`` is for people."""

    stage: Stage = "pipeline"

    def __init__(self, code: str, message: str, *, stage: Stage | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        if stage is not None:
            self.stage = stage


class InputError(WirestreamError):
    """The raw payload cannot be read into a wire item."""

    stage: Stage = "ingest"


class CleanError(WirestreamError):
    """Cleaning left nothing of the story."""

    stage: Stage = "clean"


class StageFailure(WirestreamError):
    """A stage raised something unexpected; the pipeline wraps it so it becomes data."""

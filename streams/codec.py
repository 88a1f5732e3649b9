"""Bytes on the wire, configured in one place.

Published messages (the contract in ``schemas/``) are plain JSON objects encoded
with orjson: no Faust ``__faust`` metadata block ever reaches downstream
consumers, because every topic is declared with raw bytes and encoded here.
Internal hops carry the stage dataclasses, encoded with msgspec straight from and
into the typed values (no raw dicts travel past the decoder).
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

from agents.model import Ingested, Prepared

_ingested_decoder = msgspec.json.Decoder(Ingested)
_prepared_decoder = msgspec.json.Decoder(Prepared)
_encoder = msgspec.json.Encoder()


def encode_message(value: dict[str, Any]) -> bytes:
    """A published message as compact UTF-8 JSON."""
    return orjson.dumps(value)


def decode_message(data: bytes) -> Any:
    """A published message back into Python values (consumers, tests, replay)."""
    return orjson.loads(data)


def encode_internal(value: Ingested | Prepared) -> bytes:
    """A stage value for an internal topic."""
    return _encoder.encode(value)


def decode_ingested(data: bytes) -> Ingested:
    """Hop 1 -> hop 2 value."""
    return _ingested_decoder.decode(data)


def decode_prepared(data: bytes) -> Prepared:
    """Hop 2 -> hop 3 value."""
    return _prepared_decoder.decode(data)

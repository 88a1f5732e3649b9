"""Bytes on the wire, configured in one place.

Published messages (the contract in ``schemas/``) are plain JSON objects encoded
with orjson: no Faust ``__faust`` metadata block ever reaches downstream
consumers, because every topic is declared with raw bytes and encoded here.
Internal hops carry the stage dataclasses, encoded with msgspec straight from and
into the typed values (no raw dicts travel past the decoder).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgspec
import orjson

from agents.model import Ingested, Prepared
from agents.publish import REMOVED_TEXT_CHARS

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
    """A stage value for an internal topic (a :class:`Prepared` slimmed by :func:`for_decide`)."""
    return _encoder.encode(for_decide(value) if isinstance(value, Prepared) else value)


def for_decide(prepared: Prepared) -> Prepared:
    """``prepared`` without what hop 3 (dedupe + publish) never reads.

    The item's body (text or HTML) was turned into ``paragraphs`` by hop 2, and the original
    bytes travel in ``origin`` (dead letters need them), so the body would cross the broker a
    third time: for an HTML page, hundreds of KB. Removed blocks are published cut to
    :data:`REMOVED_TEXT_CHARS` characters, so longer text is cut here already.
    """
    article = prepared.article
    item = article.item
    slim_item = item if item.body_text is None and item.body_html is None else replace(
        item, body_text=None, body_html=None)
    removed = article.removed
    if any(len(r.text) > REMOVED_TEXT_CHARS for r in removed):
        removed = tuple(r if len(r.text) <= REMOVED_TEXT_CHARS else replace(r, text=r.text[:REMOVED_TEXT_CHARS])
                        for r in removed)
    if slim_item is item and removed is article.removed:
        return prepared
    return replace(prepared, article=replace(article, item=slim_item, removed=removed))


def decode_ingested(data: bytes) -> Ingested:
    """Hop 1 -> hop 2 value."""
    return _ingested_decoder.decode(data)


def decode_prepared(data: bytes) -> Prepared:
    """Hop 2 -> hop 3 value."""
    return _prepared_decoder.decode(data)

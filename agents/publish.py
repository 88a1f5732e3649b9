"""Publish stage: turn stage results into the messages of the published contract.

Input: a :class:`Prepared` article and its :class:`Verdict`, or an error and the
record's :class:`Origin`. Outcomes: an :class:`Output` whose value matches
``schemas/enriched.v1``, ``duplicate.v1`` or ``deadletter.v1``. Side effects: none.

The enriched message is an IPTC ninjs 2.2 object (``version`` is a string, as
ninjs has it); entity offsets, scores and the cleaning report live in the
``wirestream`` extension object, since ninjs' own entity objects allow no extra
properties.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from agents.errors import WirestreamError
from agents.model import Entity, Mention, Origin, Place, Prepared, Verdict
from agents.outcome import HEADER_REPLAY_ID, HEADER_RETRIES, HEADER_SCHEMA, Output, VerdictLabel

ENRICHED_SCHEMA_URI = "https://wirestream.dev/schemas/enriched.v1.json"
_GEONAMES = "http://sws.geonames.org/{}/"
_MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/{}"
_MAX_ERROR_MESSAGE = 2000
REMOVED_TEXT_CHARS = 300
"""Removed blocks are published cut to this many characters (the worker's hop 3 gets them cut already)."""


def _mentions(mentions: tuple[Mention, ...]) -> list[dict[str, Any]]:
    return [{"start": m.start, "end": m.end, "text": m.text} for m in mentions]


def _entity(entity: Entity) -> dict[str, Any]:
    return {"name": entity.name, "role": entity.role, "uri": entity.uri, "mentions": _mentions(entity.mentions),
            "count": len(entity.mentions), "relevance": round(min(max(entity.relevance, 0.0), 1.0), 4)}


def _place(place: Place, subject: bool = True) -> dict[str, Any]:
    return {"subject": subject, "name": place.name, "country_code": place.country_code, "geonames_id": place.geonames_id,
            "lat": place.lat, "lon": place.lon, "feature": place.feature,
            "relevance": round(min(max(place.relevance, 0.0), 1.0), 4), "mentions": _mentions(place.mentions)}


def _ninjs_place(place: Place) -> dict[str, Any]:
    out: dict[str, Any] = {"name": place.name, "rel": "subject"}
    if place.geonames_id is not None:
        out["uri"] = _GEONAMES.format(place.geonames_id)
    if place.lat is not None and place.lon is not None:
        out["geojson"] = {"type": "Point", "coordinates": [place.lon, place.lat]}
    return out


def source_of(origin: Origin, prepared: Prepared | None = None) -> dict[str, Any]:
    """The ``source`` block shared by enriched and duplicate messages."""
    item = prepared.article.item if prepared else None
    return {
        "name": item.source if item else "unknown",
        "format": item.format if item else "text",
        "url": item.url if item else None,
        "topic": origin.topic,
        "partition": origin.partition,
        "offset": origin.offset,
        "timestamp_ms": origin.timestamp_ms,
        "key": _key_text(origin.key),
        "replay_id": origin.header(HEADER_REPLAY_ID),
    }


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    return key.decode("utf-8", "replace")


def enriched(prepared: Prepared, verdict: Verdict, now_iso: str) -> Output:
    """The enriched-topic message for a new story or a new version of one."""
    art, enr = prepared.article, prepared.enrichment
    item = art.item
    body = art.body
    versioncreated = art.versioncreated or item.versioncreated or now_iso
    is_first = verdict.kind == "new" or (verdict.kind == "held" and verdict.version == 1)
    msg: dict[str, Any] = {
        "uri": verdict.uri,
        "version": str(verdict.version),
        "type": "text",
        "standard": {"name": "ninjs", "version": "2.2", "schema": ENRICHED_SCHEMA_URI},
        "firstcreated": art.firstcreated or item.firstcreated or versioncreated,
        "versioncreated": versioncreated,
        "pubstatus": verdict.pubstatus,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": art.headline}],
        "bodies": [{"role": "main", "contenttype": "text/plain", "value": body,
                    "charcount": len(body), "wordcount": enr.word_count}],
        "people": [{"name": p.name, "rel": "subject"} for p in enr.people],
        "organisations": [{"name": o.name, "rel": "subject"} for o in enr.organisations],
        "places": [_ninjs_place(p) for p in enr.places],
        "subjects": [{"name": s.name, "uri": _MEDTOP.format(s.code.split(":", 1)[1]), "literal": s.code,
                      "creator": "wirestream", "relevance": round(s.relevance * 100)} for s in enr.subjects],
        "keywords": list(enr.keywords),
        "altids": [{"role": "fingerprint", "value": verdict.fingerprint}],
    }
    language = item.language or enr.language
    if language:
        msg["language"] = language
    if art.byline:
        msg["by"] = ", ".join(art.byline)
    located = art.dateline.city or item.located
    if located:
        msg["located"] = located
    agency = art.dateline.agency or item.agency
    if agency:
        msg["infosources"] = [{"name": agency, "role": "originator"}]
    if item.url:
        msg["altids"].append({"role": "url", "value": item.url})
    if item.uri and item.uri != verdict.uri:
        msg["altids"].append({"role": "feed-uri", "value": item.uri})
    if item.embargoed:
        msg["embargoed"] = item.embargoed
    if art.pictures:
        msg["associations"] = [_picture(i, pic.caption, pic.credit, pic.file_photo, verdict.uri)
                               for i, pic in enumerate(art.pictures, 1)]
    msg["wirestream"] = {
        "schema": "wirestream.enriched.v1",
        "verdict": "new" if is_first else "version",
        "version_kind": verdict.version_kind,
        "changes": None if verdict.changes is None else {
            "paragraphs_added": verdict.changes.paragraphs_added,
            "paragraphs_removed": verdict.changes.paragraphs_removed,
            "paragraphs_changed": verdict.changes.paragraphs_changed,
            "headline_changed": verdict.changes.headline_changed,
        },
        "source": source_of(prepared.origin, prepared),
        "fingerprint": verdict.fingerprint,
        "dateline": {"city": art.dateline.city, "agency": art.dateline.agency, "raw": art.dateline.raw},
        "contributors": list(art.contributors),
        "credit": art.credit,
        "cleaning": {"removed": [{"rule": r.rule, "text": r.text[:REMOVED_TEXT_CHARS]} for r in art.removed],
                     "learned_blocks": art.learned_blocks},
        "entities": {"people": [_entity(p) for p in enr.people],
                     "organisations": [_entity(o) for o in enr.organisations],
                     "places": [_place(p) for p in enr.places]
                     + [_place(p, subject=False) for p in enr.mentioned_places]},
        "located": _place(enr.located) if enr.located else None,
        "primary_country": enr.primary_country,
        "subjects": [{"code": s.code, "name": s.name, "relevance": round(min(max(s.relevance, 0.0), 1.0), 4)}
                     for s in enr.subjects],
        "quotes": [{"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end} for q in enr.quotes],
        "word_count": enr.word_count,
        "reading_time_s": enr.reading_time_s,
        "language_detected": enr.language,
        "engine": enr.engine,
        "embargo": {"until": item.embargoed, "held": verdict.kind == "held"} if item.embargoed else None,
        "processed_at": now_iso,
    }
    label: VerdictLabel = "held" if verdict.kind == "held" else ("new" if is_first else "version")
    return Output(role="enriched", key=verdict.uri, value=msg, verdict=label,
                  reason=verdict.version_kind, headers=_headers("enriched.v1", prepared.origin),
                  release_at=verdict.release_at if verdict.kind == "held" else None, origin=prepared.origin)


def _picture(index: int, caption: str, credit: str | None, file_photo: bool, story_uri: str) -> dict[str, Any]:
    digest = hashlib.blake2b(caption.encode(), digest_size=8).hexdigest()
    pic: dict[str, Any] = {"name": f"picture{index}", "uri": f"{story_uri}#picture-{digest}", "type": "picture",
                           "descriptions": [{"role": "caption", "contenttype": "text/plain", "value": caption}]}
    if credit:
        pic["copyrightholder"] = credit
        pic["by"] = credit
    if file_photo:
        pic["genres"] = [{"name": "File photo", "uri": "wirestream:genre:file-photo"}]
    return pic


def duplicate(prepared: Prepared, verdict: Verdict, now_iso: str) -> Output:
    """The duplicates-topic notice for an input that adds nothing to a known version."""
    if verdict.duplicate_of is None:
        raise ValueError("a duplicate verdict must name the version it duplicates")
    of_uri, of_version = verdict.duplicate_of
    item = prepared.article.item
    reason = verdict.reason or "exact"
    msg: dict[str, Any] = {
        "schema": "wirestream.duplicate.v1",
        "uri": of_uri,
        "duplicate_of": {"uri": of_uri, "version": str(of_version)},
        "reason": reason,
        "similarity": round(min(max(verdict.similarity if verdict.similarity is not None else 1.0, 0.0), 1.0), 4),
        "headline": prepared.article.headline,
        "source": source_of(prepared.origin, prepared),
        "feed_uri": item.uri,
        "feed_version": str(item.version) if item.version is not None else None,
        "fingerprint": verdict.fingerprint,
        "processed_at": now_iso,
    }
    return Output(role="duplicates", key=of_uri, value=msg, verdict="duplicate", reason=reason,
                  headers=_headers("duplicate.v1", prepared.origin), origin=prepared.origin)


def dead_letter(origin: Origin, error: WirestreamError, now_iso: str) -> Output:
    """The dead-letter message: error, source coordinates and the original payload."""
    try:
        payload = {"encoding": "utf-8", "value": origin.value.decode("utf-8"), "bytes": len(origin.value)}
    except UnicodeDecodeError:
        payload = {"encoding": "base64", "value": base64.b64encode(origin.value).decode("ascii"),
                   "bytes": len(origin.value)}
    source: dict[str, Any] = {"topic": origin.topic, "partition": origin.partition, "offset": origin.offset,
                              "timestamp_ms": origin.timestamp_ms, "key": None}
    if origin.key is not None:
        try:
            source["key"] = origin.key.decode("utf-8")
        except UnicodeDecodeError:
            source["key_b64"] = base64.b64encode(origin.key).decode("ascii")
    retries = _retries(origin)
    msg = {
        "schema": "wirestream.deadletter.v1",
        "error": {"code": error.code, "message": error.message[:_MAX_ERROR_MESSAGE], "stage": error.stage},
        "source": source,
        "headers": {name: value.decode("utf-8", "replace") for name, value in origin.headers},
        "payload": payload,
        "retries": retries,
        "failed_at": now_iso,
    }
    return Output(role="dlq", key=source["key"], value=msg, verdict="dead_letter", reason=error.code,
                  headers=((HEADER_SCHEMA, b"deadletter.v1"),), origin=origin)


def _retries(origin: Origin) -> int:
    raw = origin.header(HEADER_RETRIES)
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 0


def _headers(schema: str, origin: Origin) -> tuple[tuple[str, bytes], ...]:
    headers = [(HEADER_SCHEMA, schema.encode())]
    replay = origin.header(HEADER_REPLAY_ID)
    if replay:
        headers.append((HEADER_REPLAY_ID, replay.encode()))
    return tuple(headers)

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
import re
from typing import Any

from agents.errors import WirestreamError
from agents.model import Entity, FeedSubject, Mention, Origin, Place, Prepared, Subject, Verdict
from agents.outcome import (
    CONTENT_TYPE_JSON,
    HEADER_CONTENT_TYPE,
    HEADER_REPLAY_ID,
    HEADER_RETRIES,
    HEADER_SCHEMA,
    HEADER_SCHEMA_ID,
    HEADER_TRACE_ID,
    HEADER_TRACEPARENT,
    Output,
    VerdictLabel,
    header,
)
from schemas import BASE_URI

SCHEMA_BASE_URI = BASE_URI
ENRICHED_SCHEMA_URI = SCHEMA_BASE_URI + "enriched.v1.json"
FEED_CREATOR = "feed"
"""ninjs ``subjects[].creator`` of a subject the feed assigned (the pipeline's own say ``wirestream``)."""
PIPELINE_CREATOR = "wirestream"
_TRACE_ID = re.compile(r"[0-9a-f]{32}")
# W3C Trace Context: version-traceid-parentid-flags, lowercase hex only (uppercase is invalid there).
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
_NULL_TRACE = "0" * 32
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
    return {"subject": subject, "name": place.name, "country_code": place.country_code,
            "geonames_id": place.geonames_id,
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
        "replay_id": header(origin.headers, HEADER_REPLAY_ID),
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
        "subjects": subjects(enr.subjects, item.subjects),
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
        "lineage": lineage(verdict, "new" if is_first else "version"),
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
        "keywords": list(enr.keywords),
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
        "lineage": lineage(verdict, "duplicate"),
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
                  headers=_headers("deadletter.v1", origin), origin=origin)


def _retries(origin: Origin) -> int:
    raw = header(origin.headers, HEADER_RETRIES)
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 0


def _headers(schema: str, origin: Origin) -> tuple[tuple[str, bytes], ...]:
    headers = [
        (HEADER_CONTENT_TYPE, CONTENT_TYPE_JSON.encode()),
        (HEADER_SCHEMA, schema.encode()),
        (HEADER_SCHEMA_ID, f"{SCHEMA_BASE_URI}{schema}.json".encode()),
        (HEADER_TRACE_ID, trace_id(origin).encode()),
    ]
    replay = header(origin.headers, HEADER_REPLAY_ID)
    if replay:
        headers.append((HEADER_REPLAY_ID, replay.encode()))
    return tuple(headers)


def trace_id(origin: Origin) -> str:
    """The trace id of every output answering ``origin``: 32 lowercase hex digits.

    The input's own ``wirestream-trace-id`` header wins, then the trace-id part of a
    W3C ``traceparent``; otherwise it is derived from the record's coordinates
    (topic, partition, offset), or from its bytes when it has none, so a redelivered
    record, or an archived one processed offline, gets the same id.

    >>> trace_id(Origin(b"x", headers=(("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),)))
    '4bf92f3577b34da6a3ce929d0e0e4736'
    >>> trace_id(Origin(b"x", topic="wire.raw", partition=0, offset=7)) == trace_id(
    ...     Origin(b"other bytes", topic="wire.raw", partition=0, offset=7))
    True
    """
    given = header(origin.headers, HEADER_TRACE_ID)
    if given is not None:
        given = given.strip().lower()
        if _TRACE_ID.fullmatch(given) and given != _NULL_TRACE:
            return given
    parent = header(origin.headers, HEADER_TRACEPARENT)
    if parent is not None:
        m = _TRACEPARENT.fullmatch(parent.strip())
        if m is not None and m.group(1) != "ff" and m.group(2) != _NULL_TRACE and m.group(3) != "0" * 16:
            return m.group(2)
    if origin.topic is not None and origin.partition is not None and origin.offset is not None:
        seed = f"wirestream-trace:{origin.topic}\x00{origin.partition}\x00{origin.offset}".encode()
    else:
        seed = b"wirestream-trace-value:" + origin.value
    return hashlib.blake2b(seed, digest_size=16).hexdigest()


def lineage(verdict: Verdict, label: str) -> dict[str, Any]:
    """The ``lineage`` object: what this version replaces and why the verdict was reached."""
    supersedes = None
    if verdict.supersedes is not None:
        supersedes = {"uri": verdict.supersedes[0], "version": str(verdict.supersedes[1])}
    rules: list[dict[str, Any]] = []
    for hit in verdict.rules:
        rule: dict[str, Any] = {"rule": hit.rule}
        if hit.uri is not None:
            rule["uri"] = hit.uri
        for name, value in hit.figures:
            # Counts and epoch seconds read as integers; estimates keep their fraction.
            value = round(float(value), 4)
            rule[name] = int(value) if value.is_integer() else value
        rules.append(rule)
    return {"supersedes": supersedes, "verdict": label, "rules": rules, "notice": verdict.notice,
            "out_of_order": verdict.out_of_order}


def _subject_keys(uri: str | None, code: str | None) -> set[str]:
    keys = set()
    if uri:
        keys.add(uri.strip().lower().split("://", 1)[-1].rstrip("/"))
    if code:
        keys.add(code.strip().lower())
    return keys


def subjects(found: tuple[Subject, ...], feed: tuple[FeedSubject, ...]) -> list[dict[str, Any]]:
    """The ninjs ``subjects``: the pipeline's Media Topics, then the feed's own subjects not already among them.

    ``creator`` tells them apart (``wirestream`` or ``feed``); a feed subject whose uri or
    code the pipeline also assigned is left out (the pipeline's entry carries a relevance).
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for s in found:
        uri = _MEDTOP.format(s.code.split(":", 1)[1])
        out.append({"name": s.name, "uri": uri, "literal": s.code, "creator": PIPELINE_CREATOR,
                    "relevance": round(min(max(s.relevance, 0.0), 1.0) * 100)})
        seen |= _subject_keys(uri, s.code)
    for fs in feed:
        keys = _subject_keys(fs.uri, fs.code)
        if not keys and not fs.name:
            continue
        if keys & seen or (not keys and any(o.get("name") == fs.name for o in out)):
            continue
        seen |= keys
        entry: dict[str, Any] = {"creator": FEED_CREATOR}
        if fs.name:
            entry["name"] = fs.name
        if fs.uri:
            entry["uri"] = fs.uri
        if fs.code:
            entry["literal"] = fs.code
        out.append(entry)
    return out

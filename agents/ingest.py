"""Ingest stage: one raw Kafka record -> normalised :class:`WireItem` values.

Input: :class:`RawRecord` (bytes as they arrived, with headers). Accepted forms
(``schemas/raw-input.v1.json``): an IPTC ninjs 1.x/2.x/3.x object
(``agents/ingest_ninjs.py``), a generic feed object, a NewsML-G2, NewsML 1.x or
NITF 3.x document (``agents/ingest_xml.py`` and the modules it dispatches to), or
scraped page text / HTML, chosen by the ``content-type`` header, else sniffed from
the first bytes.

Outcomes: :func:`ingest_all` returns one item per story (a NewsML-G2
``newsMessage`` may carry several, numbered by ``part``); :func:`ingest` returns the
first. Rejections raise :class:`InputError` with a stable code
(``payload_too_large``, ``empty_payload``, ``not_utf8`` (neither UTF-8 nor a declared charset:
``agents/ingest_charset.py``), ``invalid_json``,
``invalid_xml``, ``xml_forbidden``, ``too_deep``, ``unknown_shape``,
``invalid_field``, ``field_too_long``, ``no_body``, ``too_many_items``).
Side effects: none.

Dates that do not parse, or lie outside 1900-2200, are dropped (set to None)
rather than rejected: a wire story with a garbled timestamp is still news. (A
creation time far after the record's Kafka timestamp is not judged here: replayed
and test records carry timestamps unrelated to their content.)
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import orjson

from agents import ingest_newsml, ingest_newsml1, ingest_nitf, ingest_xml
from agents.errors import InputError
from agents.ingest_charset import decode_payload
from agents.ingest_fields import (
    IngestLimits,
    clean_str,
    host,
    iso_time,
    language_code,
    source_from_headers,
    split_byline,
)
from agents.ingest_ninjs import MARKERS, from_ninjs, str_field
from agents.model import InputFormat, RawRecord, WireItem

__all__ = ["IngestLimits", "ingest", "ingest_all"]

_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|div|p|section|main|title|meta)\b", re.I)
_GENERIC_BODIES = ("body", "html", "text")
_BOM = "\ufeff"


def ingest(record: RawRecord, limits: IngestLimits) -> WireItem:
    """Parse one raw record into a wire item, or raise :class:`InputError`.

    A record carrying several stories (a NewsML-G2 ``newsMessage``) gives its first
    story here (``part`` 1); :func:`ingest_all` gives them all.

    >>> item = ingest(RawRecord(b'{"id": 7, "title": "Hi", "body": "Text.", "source": "ex"}'), IngestLimits())
    >>> (item.format, item.source, item.headline, item.body_text)
    ('generic', 'ex', 'Hi', 'Text.')
    """
    return ingest_all(record, limits)[0]


def ingest_all(record: RawRecord, limits: IngestLimits) -> tuple[WireItem, ...]:
    """Parse one raw record into its stories: one item per text item, at least one.

    Single-story records give a 1-tuple whose item has ``part`` None; a NewsML-G2
    ``newsMessage`` (or NewsML 1.x document) with n > 1 text items gives n items with
    ``part`` 1..n in delivery order, and more than ``ingest_xml.MAX_STORIES`` is
    rejected (``too_many_items``).

    Args:
        record: the raw record.
        limits: payload and field bounds.

    Returns:
        The wire items, in order.

    Raises:
        InputError: the record cannot be read (stable ``code``, see the module docstring).

    >>> g2 = (b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
    ...       b'<newsItem guid="urn:a"><contentSet><inlineData>One.</inlineData></contentSet></newsItem>'
    ...       b'<newsItem guid="urn:b"><contentSet><inlineData>Two.</inlineData></contentSet></newsItem>'
    ...       b'</itemSet></newsMessage>')
    >>> [(i.uri, i.part, i.body_text) for i in ingest_all(RawRecord(g2), IngestLimits())]
    [('urn:a', 1, 'One.'), ('urn:b', 2, 'Two.')]
    """
    value = record.value
    if len(value) > limits.max_payload_bytes:
        raise InputError("payload_too_large", f"{len(value)} bytes > limit {limits.max_payload_bytes}")
    if not value.strip():
        raise InputError("empty_payload", "the record value is empty or blank")
    kind = _content_kind(record)
    if kind == "xml":
        # XML is parsed from bytes: its declaration may name another encoding than UTF-8.
        return _from_xml(record, limits)
    # UTF-8, else the charset the header or an HTML <meta> declares (ingest_charset).
    text = decode_payload(value, record.header("content-type"), kind).removeprefix(_BOM)
    if kind == "json":
        return (_from_json(text, record, limits),)
    fmt: InputFormat = "html" if kind == "html" else "text"
    # HTML pages are mostly markup (real news pages reach 1 MB with scripts): only the payload
    # limit applies to them; the field limit bounds text.
    if fmt == "text" and len(text) > limits.max_field_chars:
        raise InputError("field_too_long", f"page of {len(text)} chars > limit {limits.max_field_chars}")
    source = source_from_headers(record)
    url = record.header("url") or record.header("x-url")
    return (WireItem(
        format=fmt,
        source=source,
        body_text=text if fmt == "text" else None,
        body_html=text if fmt == "html" else None,
        url=url,
        language=clean_str(record.header("content-language")),
        received_ms=record.timestamp_ms,
    ),)


def _content_kind(record: RawRecord) -> str:
    ctype = (record.header("content-type") or "").lower()
    if "json" in ctype:
        return "json"
    if "html" in ctype:  # application/xhtml+xml pages are pages
        return "html"
    if "xml" in ctype:
        return "xml"
    if ctype.startswith("text/"):
        return "text"
    head = record.value[:2048].lstrip()
    if head[:1] in (b"{", b"["):
        return "json"
    sniffed = ingest_xml.sniff(record.value[:2048])
    if sniffed is not None:
        return sniffed
    if _HTML_SNIFF.search(head):
        return "html"
    return "text"


def _from_xml(record: RawRecord, limits: IngestLimits) -> tuple[WireItem, ...]:
    root = ingest_xml.parse(record.value)
    name, ns = ingest_xml.local(root), ingest_xml.namespace(root)
    # Without a namespace a newsItem is still taken for NewsML-G2 (some feeds drop the declaration);
    # in a foreign namespace it is someone else's vocabulary.
    if name in ingest_newsml.ROOTS and ns in (ingest_newsml.NAR, ""):
        items = ingest_newsml.items(root, record, limits)
    elif name == "NewsML":
        items = ingest_newsml1.items(root, record, limits)
    elif name == "nitf":
        items = (ingest_nitf.item(root, record, limits),)
    else:
        raise InputError("unknown_shape", f"XML root <{name}>{f' in namespace {ns}' if ns else ''} is not "
                                          "NewsML-G2 (newsItem, newsMessage, packageItem), NewsML 1.x or NITF")
    if len(items) > 1:
        return tuple(replace(item, part=n) for n, item in enumerate(items, 1))
    return items


def _from_json(text: str, record: RawRecord, limits: IngestLimits) -> WireItem:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc).lower() or "depth" in str(exc).lower():
            raise InputError("too_deep", "JSON nests deeper than 1024 levels") from None
        raise InputError("invalid_json", f"JSON does not parse: {str(exc)[:200]}") from None
    if not isinstance(obj, dict):
        raise InputError("unknown_shape", f"JSON top level is {type(obj).__name__}, expected an object")
    if isinstance(obj.get("uri"), str) and any(k in obj for k in MARKERS):
        return from_ninjs(obj, record, limits)
    if "id" in obj and any(k in obj for k in _GENERIC_BODIES):
        return _from_generic(obj, record, limits)
    keys = ", ".join(sorted(map(str, obj))[:8])
    raise InputError("unknown_shape", f"JSON object is neither ninjs (uri + headline/body) nor generic "
                                      f"(id + body/html/text); keys: {keys}")


def _from_generic(obj: dict[str, Any], record: RawRecord, limits: IngestLimits) -> WireItem:
    html = str_field(obj, "html", limits)
    text = str_field(obj, "body", limits) or str_field(obj, "text", limits)
    if not (html or text):
        raise InputError("no_body", "generic item has an empty body/html/text")
    url = str_field(obj, "url", limits)
    source = str_field(obj, "source", limits) or host(url) or source_from_headers(record)
    author = obj.get("author")
    if isinstance(author, list):
        byline = tuple(a.strip() for a in author if isinstance(a, str) and a.strip())
    elif isinstance(author, str):
        byline = tuple(split_byline(author))
    else:
        byline = ()
    raw_id = obj.get("id")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise InputError("invalid_field", f"generic 'id' must be a string or integer, got {type(raw_id).__name__}")
    published = iso_time(obj.get("published"))
    return WireItem(
        format="generic",
        source=source,
        body_text=None if html and not text else text,
        body_html=html if not text else None,
        uri=None,
        url=url,
        headline=str_field(obj, "title", limits) or str_field(obj, "headline", limits),
        byline=byline,
        language=language_code(obj.get("language")),
        firstcreated=published,
        versioncreated=iso_time(obj.get("updated")) or published,
        agency=str_field(obj, "agency", limits),
        received_ms=record.timestamp_ms,
    )

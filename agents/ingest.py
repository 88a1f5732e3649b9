"""Ingest stage: one raw Kafka record -> one normalised :class:`WireItem`.

Input: :class:`RawRecord` (bytes as they arrived, with headers). Accepted forms
(``schemas/raw-input.v1.json``): an IPTC ninjs 1.x/2.x object, a generic feed
object, or scraped page text / HTML, chosen by the ``content-type`` header, else
sniffed from the first bytes.

Outcomes: a :class:`WireItem`, or :class:`InputError` with a stable code
(``payload_too_large``, ``empty_payload``, ``not_utf8``, ``invalid_json``,
``too_deep``, ``unknown_shape``, ``invalid_field``, ``field_too_long``,
``no_body``). Side effects: none.

Dates that do not parse, or lie outside 1900-2200, are dropped (set to None)
rather than rejected: a wire story with a garbled timestamp is still news.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from agents.errors import InputError
from agents.model import InputFormat, PubStatus, RawRecord, WireItem

_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|div|p|section|main|title|meta)\b", re.I)
_NINJS_MARKERS = ("headline", "headlines", "body_text", "body_html", "bodies", "versioncreated", "pubstatus")
_GENERIC_BODIES = ("body", "html", "text")
_URN_AUTHORITY = re.compile(r"^urn:[a-z0-9-]+:([a-z0-9.-]+)[:/]", re.I)
_PUBSTATUS: dict[str, PubStatus] = {"usable": "usable", "withheld": "withheld", "canceled": "canceled",
                                    "cancelled": "canceled"}
_MIN_YEAR, _MAX_YEAR = 1900, 2200
_ISO_Z = re.compile(r"Z$", re.I)
_BOM = "\ufeff"


@dataclass(frozen=True)
class IngestLimits:
    """Bounds applied to every payload (from Settings)."""

    max_payload_bytes: int = 2 * 1024 * 1024
    max_field_chars: int = 500_000


def ingest(record: RawRecord, limits: IngestLimits) -> WireItem:
    """Parse one raw record into a wire item, or raise :class:`InputError`.

    >>> item = ingest(RawRecord(b'{"id": 7, "title": "Hi", "body": "Text.", "source": "ex"}'), IngestLimits())
    >>> (item.format, item.source, item.headline, item.body_text)
    ('generic', 'ex', 'Hi', 'Text.')
    """
    value = record.value
    if len(value) > limits.max_payload_bytes:
        raise InputError("payload_too_large", f"{len(value)} bytes > limit {limits.max_payload_bytes}")
    if not value.strip():
        raise InputError("empty_payload", "the record value is empty or blank")
    kind = _content_kind(record)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not_utf8", f"payload is not valid UTF-8 (byte {exc.start})") from None
    text = text.removeprefix(_BOM)
    if kind == "json":
        return _from_json(text, record, limits)
    fmt: InputFormat = "html" if kind == "html" else "text"
    # HTML pages are mostly markup (real news pages reach 1 MB with scripts): only the payload
    # limit applies to them; the field limit bounds text.
    if fmt == "text" and len(text) > limits.max_field_chars:
        raise InputError("field_too_long", f"page of {len(text)} chars > limit {limits.max_field_chars}")
    source = _source_from_headers(record)
    url = record.header("url") or record.header("x-url")
    return WireItem(
        format=fmt,
        source=source,
        body_text=text if fmt == "text" else None,
        body_html=text if fmt == "html" else None,
        url=url,
        language=_clean_str(record.header("content-language")),
        received_ms=record.timestamp_ms,
    )


def _content_kind(record: RawRecord) -> str:
    ctype = (record.header("content-type") or "").lower()
    if "json" in ctype:
        return "json"
    if "html" in ctype:
        return "html"
    if ctype.startswith("text/"):
        return "text"
    head = record.value[:2048].lstrip()
    if head[:1] in (b"{", b"["):
        return "json"
    if _HTML_SNIFF.search(head):
        return "html"
    return "text"


def _from_json(text: str, record: RawRecord, limits: IngestLimits) -> WireItem:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc).lower() or "depth" in str(exc).lower():
            raise InputError("too_deep", "JSON nests deeper than 1024 levels") from None
        raise InputError("invalid_json", f"JSON does not parse: {str(exc)[:200]}") from None
    if not isinstance(obj, dict):
        raise InputError("unknown_shape", f"JSON top level is {type(obj).__name__}, expected an object")
    if isinstance(obj.get("uri"), str) and any(k in obj for k in _NINJS_MARKERS):
        return _from_ninjs(obj, record, limits)
    if "id" in obj and any(k in obj for k in _GENERIC_BODIES):
        return _from_generic(obj, record, limits)
    keys = ", ".join(sorted(map(str, obj))[:8])
    raise InputError("unknown_shape", f"JSON object is neither ninjs (uri + headline/body) nor generic "
                                      f"(id + body/html/text); keys: {keys}")


def _from_ninjs(obj: dict[str, Any], record: RawRecord, limits: IngestLimits) -> WireItem:
    text_body, html_body = _ninjs_bodies(obj, limits)
    if not (text_body or html_body):
        raise InputError("no_body", "ninjs item has no body_text, body_html or bodies")
    uri = _str_field(obj, "uri", limits)
    headline = _str_field(obj, "headline", limits) or _first_value(obj.get("headlines"), "headlines", limits)
    by = obj.get("by")
    byline = tuple(_split_byline(by)) if isinstance(by, str) else ()
    signals = tuple(s for s in (_str_field(obj, "ednote", limits), _str_field(obj, "slugline", limits)) if s)
    source = _ninjs_source(obj, uri or "")
    return WireItem(
        format="ninjs",
        source=source,
        body_text=text_body,
        body_html=html_body,
        uri=uri,
        version=_version(obj.get("version")),
        url=_link(obj),
        headline=headline,
        byline=byline,
        located=_str_field(obj, "located", limits),
        language=_lang(obj.get("language")),
        pubstatus=_PUBSTATUS.get(str(obj.get("pubstatus", "usable")).lower(), "usable"),
        firstcreated=_iso(obj.get("firstcreated")),
        versioncreated=_iso(obj.get("versioncreated")),
        embargoed=_iso(obj.get("embargoed")),
        agency=_agency(obj),
        signals=signals,
        received_ms=record.timestamp_ms,
    )


def _from_generic(obj: dict[str, Any], record: RawRecord, limits: IngestLimits) -> WireItem:
    html = _str_field(obj, "html", limits)
    text = _str_field(obj, "body", limits) or _str_field(obj, "text", limits)
    if not (html or text):
        raise InputError("no_body", "generic item has an empty body/html/text")
    url = _str_field(obj, "url", limits)
    source = _str_field(obj, "source", limits) or _host(url) or _source_from_headers(record)
    author = obj.get("author")
    if isinstance(author, list):
        byline = tuple(a.strip() for a in author if isinstance(a, str) and a.strip())
    elif isinstance(author, str):
        byline = tuple(_split_byline(author))
    else:
        byline = ()
    raw_id = obj.get("id")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise InputError("invalid_field", f"generic 'id' must be a string or integer, got {type(raw_id).__name__}")
    return WireItem(
        format="generic",
        source=source,
        body_text=None if html and not text else text,
        body_html=html if not text else None,
        uri=None,
        url=url,
        headline=_str_field(obj, "title", limits),
        byline=byline,
        language=_lang(obj.get("language")),
        firstcreated=_iso(obj.get("published")),
        versioncreated=_iso(obj.get("updated")) or _iso(obj.get("published")),
        agency=_str_field(obj, "agency", limits),
        received_ms=record.timestamp_ms,
    )


def _ninjs_bodies(obj: dict[str, Any], limits: IngestLimits) -> tuple[str | None, str | None]:
    text = _str_field(obj, "body_text", limits)
    html = _str_field(obj, "body_html", limits)
    bodies = obj.get("bodies")
    if bodies is not None and not isinstance(bodies, list):
        raise InputError("invalid_field", "ninjs 'bodies' must be an array")
    for body in bodies or ():
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise InputError("invalid_field", "each ninjs body must be an object with a string 'value'")
        ctype = str(body.get("contenttype") or body.get("role") or "").lower()
        _check_len("bodies.value", body["value"], limits, markup="html" in ctype)
        if "html" in ctype:
            html = html or body["value"]
        else:
            text = text or body["value"]
    return (text or None), (html or None)


def _first_value(seq: Any, name: str, limits: IngestLimits) -> str | None:
    if seq is None:
        return None
    if not isinstance(seq, list):
        raise InputError("invalid_field", f"ninjs '{name}' must be an array")
    for entry in seq:
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            _check_len(name, entry["value"], limits)
            return _clean_str(entry["value"])
    return None


_MARKUP_FIELDS = frozenset({"html", "body_html"})


def _str_field(obj: dict[str, Any], name: str, limits: IngestLimits) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("invalid_field", f"field '{name}' must be a string, got {type(value).__name__}")
    _check_len(name, value, limits, markup=name in _MARKUP_FIELDS)
    return _clean_str(value)


def _check_len(name: str, value: str, limits: IngestLimits, *, markup: bool = False) -> None:
    limit = limits.max_payload_bytes if markup else limits.max_field_chars
    if len(value) > limit:
        raise InputError("field_too_long", f"field '{name}' has {len(value)} chars > limit {limit}")


def _clean_str(value: str | None) -> str | None:
    if value is None:
        return None
    # NUL and other C0 controls break downstream consumers and logs; keep \t \n \r.
    value = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r") if _has_control(value) else value
    value = value.strip()
    return value or None


def _has_control(value: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value)


def _split_byline(by: str) -> list[str]:
    by = re.sub(r"^\s*(?:by|von|par|por)\s+", "", by.strip(), flags=re.I)
    parts = re.split(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b)\s*", by)
    return [p for p in (x.strip() for x in parts) if p and len(p) <= 80]


def _version(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 1_000_000 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 1_000_000 else None
    return None


def _lang(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _iso(value: Any) -> str | None:
    """ISO 8601 with timezone, or None for anything unparseable or absurd."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(_ISO_Z.sub("+00:00", value.strip()))
    except ValueError:
        return None
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is None:
        # A wire timestamp without an offset is UTC by ninjs convention.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _link(obj: dict[str, Any]) -> str | None:
    for alt in obj.get("altids") or ():
        if isinstance(alt, dict) and str(alt.get("role", "")).lower() in {"url", "canonical", "link"}:
            value = alt.get("value")
            if isinstance(value, str):
                return value
    return None


def _agency(obj: dict[str, Any]) -> str | None:
    for src in obj.get("infosources") or ():
        if isinstance(src, dict) and isinstance(src.get("name"), str):
            return _clean_str(src["name"])
    holder = obj.get("copyrightholder")
    return _clean_str(holder) if isinstance(holder, str) else None


def _ninjs_source(obj: dict[str, Any], uri: str) -> str:
    agency = _agency(obj)
    if agency:
        return _slug(agency)
    match = _URN_AUTHORITY.match(uri)
    if match:
        return _slug(match.group(1))
    return _host(uri) or "unknown"


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _source_from_headers(record: RawRecord) -> str:
    for name in ("source", "x-source"):
        value = record.header(name)
        if value and value.strip():
            return _slug(value)
    return _host(record.header("url") or record.header("x-url")) or "unknown"


def _slug(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip().lower()
    value = re.sub(r"[^\w.-]+", "-", value)[:100].strip("-")
    return value or "unknown"

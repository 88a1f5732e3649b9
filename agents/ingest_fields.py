"""Field readers shared by every ingest parser (JSON, XML): bounds, strings, dates, names.

Pure functions over already-parsed values; the parsers in ``agents/ingest*.py``
call them so that a headline, a date or a language code means the same thing
whatever the wire format. Side effects: none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from agents.errors import InputError
from agents.model import FeedSubject, PubStatus, RawRecord

PUBSTATUS: dict[str, PubStatus] = {"usable": "usable", "withheld": "withheld", "canceled": "canceled",
                                   "cancelled": "canceled"}
MAX_SUBJECTS = 200
"""Feed subjects kept per item: a real item carries a few dozen; the cap bounds a hostile one."""

_URN_AUTHORITY = re.compile(r"^urn:[a-z0-9-]+:([a-z0-9.-]+)[:/]", re.I)
_MIN_YEAR, _MAX_YEAR = 1900, 2200
EPOCH_MS_FROM = 100_000_000_000
"""Epoch values from here on are milliseconds (as seconds this is the year 5138; as ms, 1973)."""
_MONTH_WORD = re.compile(r"[A-Za-z]{3}")
"""Cheap pre-check: an RFC 822 date names its month (or weekday) in its first 16 characters."""
_EPOCH_DIGITS = re.compile(r"-?\d{9,13}(?:\.\d{1,6})?")
_ISO_Z = re.compile(r"Z$", re.I)
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por)\s+", re.I)
_BYLINE_SEP = re.compile(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b)\s*")
_LANG = re.compile(r"[a-z]{2,3}")
_SLUG_JUNK = re.compile(r"[^\w.-]+")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class IngestLimits:
    """Bounds applied to every payload (from Settings)."""

    max_payload_bytes: int = 2 * 1024 * 1024
    max_field_chars: int = 500_000


def check_len(name: str, value: str, limits: IngestLimits, *, markup: bool = False) -> None:
    """Raise ``field_too_long`` when a text field (or, with ``markup``, an HTML field) is over its limit."""
    limit = limits.max_payload_bytes if markup else limits.max_field_chars
    if len(value) > limit:
        raise InputError("field_too_long", f"field '{name}' has {len(value)} chars > limit {limit}")


def clean_str(value: str | None) -> str | None:
    """Strip C0 controls (keeping tab and newlines) and surrounding space; '' becomes None."""
    if value is None:
        return None
    # NUL and other C0 controls break downstream consumers and logs; keep \t \n \r.
    value = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r") if _has_control(value) else value
    value = value.strip()
    return value or None


def one_line(value: str | None, limits: IngestLimits, name: str) -> str | None:
    """A metadata line read from markup: bounded, cleaned, inner white space collapsed."""
    if value is None:
        return None
    check_len(name, value, limits)
    cleaned = clean_str(value)
    return _SPACE.sub(" ", cleaned) if cleaned else None


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def split_byline(by: str) -> list[str]:
    """``By Anna Muster and Ben Beispiel`` -> the names."""
    by = _BYLINE_PREFIX.sub("", by.strip())
    parts = _BYLINE_SEP.split(by)
    return [p for p in (x.strip() for x in parts) if p and len(p) <= 80]


def version_number(value: Any) -> int | None:
    """A positive version number from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 1_000_000 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 1_000_000 else None
    return None


def language_code(value: Any) -> str | None:
    """The primary subtag of a language tag (``de-DE`` -> ``de``), or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if _LANG.fullmatch(code) else None


def iso_time(value: Any) -> str | None:
    """ISO 8601 with timezone, or None for anything unparseable or absurd.

    Read too: basic-format stamps (``20130605T210000+0000``, NewsML 1.x and NITF), RFC 822
    dates (``Tue, 03 Mar 2026 10:00:00 GMT``, RSS and mail headers) and Unix epochs in
    seconds or milliseconds, as a number or a digit string (JSON feeds; a value of
    ``EPOCH_MS_FROM`` or more is milliseconds).

    >>> iso_time("20130605T210000+0000"), iso_time(1741000000000)
    ('2013-06-05T21:00:00+00:00', '2025-03-03T11:06:40+00:00')
    >>> iso_time("Tue, 03 Mar 2026 10:00:00 +0100")
    '2026-03-03T10:00:00+01:00'
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch_time(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    stamp = value.strip()
    if _EPOCH_DIGITS.fullmatch(stamp):
        return _epoch_time(float(stamp))
    try:
        parsed = datetime.fromisoformat(_ISO_Z.sub("+00:00", stamp))
    except ValueError:
        if _MONTH_WORD.search(stamp, 0, 16) is None:
            return None
        try:
            # RFC 822 / 2822 ("Tue, 03 Mar 2026 10:00:00 GMT"); "-0000" (zone unknown) parses naive: UTC below.
            parsed = parsedate_to_datetime(stamp)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is None:
        # A wire timestamp without an offset is UTC by ninjs convention.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _epoch_time(value: float) -> str | None:
    """A Unix epoch (seconds, or milliseconds from ``EPOCH_MS_FROM``) as ISO 8601 UTC, None out of range."""
    seconds = value / 1000 if abs(value) >= EPOCH_MS_FROM else value
    try:
        parsed = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return parsed.isoformat() if _MIN_YEAR <= parsed.year <= _MAX_YEAR else None


def pubstatus_of(value: Any) -> PubStatus:
    """``usable`` / ``withheld`` / ``canceled`` from a status word or qcode (``stat:canceled``)."""
    if not isinstance(value, str):
        return "usable"
    word = value.strip().lower().rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return PUBSTATUS.get(word, "usable")


def subject(name: str | None, uri: str | None, code: str | None) -> FeedSubject | None:
    """A feed subject from whatever the feed gave, or None when it gave nothing usable."""
    name, uri, code = (v[:300] if v else None for v in (name, uri, code))
    if not (name or uri or code):
        return None
    return FeedSubject(name=name, uri=uri, code=code)


def host(url: str | None) -> str | None:
    """The host of a URL without ``www.``, or None."""
    if not url:
        return None
    try:
        hostname = urlsplit(url).hostname
    except ValueError:
        return None
    if not hostname:
        return None
    return hostname.removeprefix("www.")


def source_from_headers(record: RawRecord) -> str:
    """The record's source from its ``source`` header or URL header, else ``unknown``."""
    for name in ("source", "x-source"):
        value = record.header(name)
        if value and value.strip():
            return slug(value)
    return host(record.header("url") or record.header("x-url")) or "unknown"


def source_of(agency: str | None, uri: str | None) -> str:
    """An item's source: its agency, else the authority of a ``urn:`` uri, else the uri's host."""
    if agency:
        return slug(agency)
    match = _URN_AUTHORITY.match(uri or "")
    if match:
        return slug(match.group(1))
    return host(uri) or "unknown"


def slug(value: str) -> str:
    """A short lower-case identifier for a source name."""
    value = unicodedata.normalize("NFKC", value).strip().lower()
    value = _SLUG_JUNK.sub("-", value)[:100].strip("-")
    return value or "unknown"

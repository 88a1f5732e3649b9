"""Ingest: every raw form parses into a WireItem, and bad input gets a stable error code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.errors import InputError
from agents.ingest import IngestLimits, ingest
from agents.model import RawRecord

NINJS_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "specs" / "ninjs" / "examples"
LIMITS = IngestLimits(max_payload_bytes=10_000, max_field_chars=5_000)


def rec(value: bytes | str, **headers: str) -> RawRecord:
    data = value.encode() if isinstance(value, str) else value
    return RawRecord(value=data, headers=tuple((k.replace("_", "-"), v.encode()) for k, v in headers.items()))


def test_ninjs_2_item_maps_fields() -> None:
    """ninjs 2.x: uri, version, headlines, bodies (text and html), by, located, pubstatus, times."""
    item = ingest(rec(json.dumps({
        "uri": "urn:newsml:dpa.com:1", "version": "3", "pubstatus": "canceled",
        "versioncreated": "2026-02-25T10:00:00Z", "embargoed": "2026-02-26T00:00:00+01:00",
        "headlines": [{"value": "Headline"}], "bodies": [{"contenttype": "text/html", "value": "<p>Hi</p>"}],
        "by": "Von Anna Muster und Ben Beispiel", "located": "Berlin", "language": "de-DE",
    })), LIMITS)
    assert (item.format, item.uri, item.version, item.pubstatus) == ("ninjs", "urn:newsml:dpa.com:1", 3, "canceled")
    assert item.headline == "Headline" and item.body_html == "<p>Hi</p>" and item.body_text is None
    assert item.byline == ("Anna Muster", "Ben Beispiel")
    assert item.versioncreated == "2026-02-25T10:00:00+00:00"
    assert item.embargoed == "2026-02-26T00:00:00+01:00"
    assert (item.located, item.language, item.source) == ("Berlin", "de", "dpa.com")


def test_ninjs_1_singular_fields() -> None:
    """ninjs 1.x: singular headline and body_text."""
    item = ingest(rec('{"uri": "u:1", "headline": "H", "body_text": "Body."}'), LIMITS)
    assert (item.headline, item.body_text, item.version) == ("H", "Body.", None)


@pytest.mark.parametrize("path", sorted(NINJS_EXAMPLES.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_provider_examples_are_accepted_or_rejected_with_a_code(path: Path) -> None:
    """Real providers' ninjs examples either parse or fail with a stable code (pictures have no body)."""
    try:
        item = ingest(rec(path.read_bytes()), IngestLimits())
    except InputError as exc:
        assert exc.code in {"no_body", "unknown_shape"}, f"{path.name}: {exc.code} {exc.message}"
    else:
        assert item.body_text or item.body_html


def test_generic_object() -> None:
    """Generic feed objects: id, url, source, title, html, published, author list."""
    item = ingest(rec(json.dumps({"id": 5, "url": "https://www.example.org/a", "title": "T", "html": "<p>x</p>",
                                  "published": "2026-01-02T03:04:05", "author": ["A B", "C D"]})), LIMITS)
    assert (item.format, item.source, item.body_html, item.byline) == ("generic", "example.org", "<p>x</p>",
                                                                       ("A B", "C D"))
    assert item.firstcreated == "2026-01-02T03:04:05+00:00"


@pytest.mark.parametrize(("value", "headers", "fmt"), [
    ("Plain page text\n\nSecond paragraph.", {}, "text"),
    ("<!doctype html><html><body><p>x</p></body></html>", {}, "html"),
    ("<p>not sniffed as html</p>", {"content_type": "text/plain"}, "text"),
    ("just words", {"content_type": "text/html"}, "html"),
])
def test_pages_by_header_or_sniffing(value: str, headers: dict[str, str], fmt: str) -> None:
    """Page text vs HTML is decided by content-type, else sniffed."""
    assert ingest(rec(value, **headers), LIMITS).format == fmt


@pytest.mark.parametrize(("value", "code"), [
    (b"", "empty_payload"),
    (b"   \n ", "empty_payload"),
    (b"x" * 10_001, "payload_too_large"),
    (b"\xff\xfe bad", "not_utf8"),
    (b'{"a": ', "invalid_json"),
    (b"[" * 2000 + b"]" * 2000, "too_deep"),
    (b"[1, 2]", "unknown_shape"),
    (b'{"foo": 1}', "unknown_shape"),
    (b'{"uri": "u", "headline": "only"}', "no_body"),
    (b'{"uri": "u", "headline": 5, "body_text": "b"}', "invalid_field"),
    (b'{"uri": "u", "bodies": "nope", "headline": "h"}', "invalid_field"),
    (b'{"id": {"x": 1}, "body": "b"}', "invalid_field"),
    (('{"id": 1, "body": "' + "y" * 6000 + '"}').encode(), "field_too_long"),
])
def test_bad_input_gets_stable_codes(value: bytes, code: str) -> None:
    """Each kind of bad payload is rejected with its documented error code."""
    with pytest.raises(InputError) as err:
        ingest(RawRecord(value=value), LIMITS)
    assert err.value.code == code, f"expected {code}, got {err.value.code}: {err.value.message}"


@pytest.mark.parametrize(
    "date", ["not a date", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "2026-13-45", "x" * 100]
)
def test_unparseable_or_absurd_dates_are_dropped(date: str) -> None:
    """A garbled timestamp does not reject the story; the field is left empty."""
    item = ingest(rec(json.dumps({"uri": "u", "headline": "h", "body_text": "b", "versioncreated": date})), LIMITS)
    assert item.versioncreated is None


def test_control_characters_are_stripped_from_fields() -> None:
    """NUL and other C0 controls never reach metadata fields."""
    item = ingest(rec(json.dumps({"uri": "u", "headline": "Hea\u0000d\u0007line", "body_text": "b"})), LIMITS)
    assert item.headline == "Headline"


def test_large_html_pages_are_limited_by_payload_size_not_field_length() -> None:
    """A 6,000-char HTML page passes a 5,000-char field limit (markup is not text); plain text does not."""
    page = "<html><body><script>" + "x" * 6000 + "</script><p>Story.</p></body></html>"
    assert ingest(rec(page, content_type="text/html"), LIMITS).format == "html"
    with pytest.raises(InputError) as err:
        ingest(rec("y " * 3000, content_type="text/plain"), LIMITS)
    assert err.value.code == "field_too_long"
    body = json.dumps({"uri": "u", "headline": "h", "body_html": page})
    assert ingest(rec(body), LIMITS).body_html == page

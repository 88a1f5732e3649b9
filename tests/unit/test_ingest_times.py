"""Unit tests of timestamp reading (agents/ingest_fields.iso_time, plausible_time) and generic JSON fields."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.ingest import IngestLimits, ingest
from agents.ingest_fields import iso_time
from agents.model import RawRecord

MAR3 = 1772532000  # 2026-03-03T10:00:00Z


@pytest.mark.parametrize(("value", "want"), [
    ("Tue, 03 Mar 2026 10:00:00 GMT", "2026-03-03T10:00:00+00:00"),
    ("Tue, 3 Mar 2026 10:00:00 +0100", "2026-03-03T10:00:00+01:00"),
    ("03 Mar 2026 10:00:00 -0500", "2026-03-03T10:00:00-05:00"),
    ("Tue, 03 Mar 2026 10:00:00 -0000", "2026-03-03T10:00:00+00:00"),
    ("Tue, 03 Mar 2026 10:00 EST", "2026-03-03T10:00:00-05:00"),
    (MAR3, "2026-03-03T10:00:00+00:00"),
    (MAR3 * 1000, "2026-03-03T10:00:00+00:00"),
    (MAR3 + 0.5, "2026-03-03T10:00:00.500000+00:00"),
    (str(MAR3), "2026-03-03T10:00:00+00:00"),
    (str(MAR3 * 1000), "2026-03-03T10:00:00+00:00"),
    (f" {MAR3} ", "2026-03-03T10:00:00+00:00"),
    ("2026-03-03T10:00:00Z", "2026-03-03T10:00:00+00:00"),
])
def test_iso_time_reads_rfc822_and_epochs(value: object, want: str) -> None:
    """RFC 822 dates and epoch seconds/milliseconds (numbers or digit strings) become ISO 8601."""
    assert iso_time(value) == want, value


@pytest.mark.parametrize("value", [
    True, None, "", "Tuesday", "Tue, 99 Foo 2026 10:00:00 GMT", "12345", 10**30, float("nan"), float("inf"),
    "9999-12-31T23:59:59Z", -10**12 * 100, "03/03/2026 10:00", "Mon, 1 Jan 1800 00:00:00 GMT",
])
def test_iso_time_drops_garbage(value: object) -> None:
    """Unparseable, absurd or out-of-range values give None."""
    assert iso_time(value) is None, value


@given(st.one_of(st.text(max_size=70), st.integers(), st.floats(allow_nan=True)))
def test_iso_time_never_raises(value: object) -> None:
    """Any value gives an ISO string with an offset or None, never an exception."""
    got = iso_time(value)
    assert got is None or ("+" in got[10:] or "-" in got[10:]), got


def parse(obj: dict[str, object], ts_ms: int | None = MAR3 * 1000):
    return ingest(RawRecord(value=json.dumps(obj).encode(), timestamp_ms=ts_ms), IngestLimits())


def test_generic_headline_key_and_rfc822_dates() -> None:
    """A generic object's 'headline' is its headline when it has no 'title'; RFC 822/epoch dates are read."""
    item = parse({"id": 7, "headline": "Senate approves bill", "body": "The Senate voted.",
                  "published": "Tue, 03 Mar 2026 10:00:00 GMT", "updated": MAR3 * 1000 + 60_000})
    assert item.headline == "Senate approves bill"
    assert (item.firstcreated, item.versioncreated) == ("2026-03-03T10:00:00+00:00", "2026-03-03T10:01:00+00:00")
    assert parse({"id": 7, "title": "Title wins", "headline": "h", "body": "x"}).headline == "Title wins"

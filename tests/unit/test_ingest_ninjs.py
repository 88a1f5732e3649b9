"""ninjs 1.x, 2.x and 3.x items map onto the same wire item fields (subjects, ednote, credit, camelCase names)."""

from __future__ import annotations

import json

import pytest

from agents.errors import InputError
from agents.ingest import IngestLimits, ingest, ingest_all
from agents.model import FeedSubject, RawRecord, WireItem

LIMITS = IngestLimits(max_payload_bytes=10_000, max_field_chars=5_000)


def parse(obj: dict[str, object]) -> WireItem:
    return ingest(RawRecord(value=json.dumps(obj).encode()), LIMITS)


def test_ninjs_3_camel_case_item() -> None:
    """ninjs 3.x: versionCreated, firstCreated, pubStatus, edNote, copyrightNotice, infoSources, altIds, contentType."""
    item = parse({
        "uri": "urn:newsml:example.com:20261128:k1", "version": "4", "pubStatus": "canceled",
        "versionCreated": "2026-11-28T11:00:00+01:00", "firstCreated": "2026-11-28T08:00:00Z",
        "embargoed": "2026-11-28T12:00:00Z", "edNote": "KILL - the story was sent in error",
        "copyrightNotice": "(c) Example Press", "infoSources": [{"name": "Example Press", "role": "originator"}],
        "altIds": [{"role": "url", "value": "https://example.com/story/k1"}],
        "headlines": [{"role": "main", "value": "Withdrawn"}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": "<p>Story withdrawn.</p>"}],
        "subjects": [{"name": "economy", "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000",
                      "literal": "medtop:04000000", "rel": "about"}],
    })
    assert (item.version, item.pubstatus, item.headline) == (4, "canceled", "Withdrawn")
    assert item.versioncreated == "2026-11-28T11:00:00+01:00"
    assert item.firstcreated == "2026-11-28T08:00:00+00:00"
    assert item.ednote == "KILL - the story was sent in error"
    assert item.ednote in item.signals
    assert (item.credit, item.agency, item.source) == (
        "(c) Example Press", "Example Press", "example-press")
    assert item.url == "https://example.com/story/k1"
    assert item.body_html == "<p>Story withdrawn.</p>" and item.body_text is None
    assert item.subjects == (FeedSubject(
        name="economy", uri="http://cv.iptc.org/newscodes/mediatopic/04000000", code="medtop:04000000"),)


def test_ninjs_1_singular_names() -> None:
    """ninjs 1.x: body_xhtml, byline, subject with scheme + code, description_text ignored when a body exists."""
    item = parse({
        "uri": "http://example.com/1", "headline": "H", "body_xhtml": "<p>Body.</p>", "byline": "By A One and B Two",
        "description_text": "Summary.", "copyrightnotice": "Copyright Example",
        "subject": [{"name": "Italy", "scheme": "http://cvx.iptc.org/iso3166-1a2/", "code": "it"}, "junk", {}],
    })
    assert (item.body_html, item.body_text, item.byline) == ("<p>Body.</p>", None,
                                                             ("A One", "B Two"))
    assert item.subjects == (FeedSubject(
        name="Italy", uri="http://cvx.iptc.org/iso3166-1a2/it", code="it"),)
    assert item.credit == "Copyright Example"


def test_ninjs_2_ednote_and_subjects() -> None:
    """ninjs 2.x: ednote goes to ednote and signals (as before); subjects keep name, uri and literal."""
    item = parse({"uri": "u", "headline": "h", "body_text": "b", "ednote": "Corrects spelling",
                  "subjects": [{"name": "Sport", "literal": "15000000"}]})
    assert item.ednote == "Corrects spelling" and item.signals == ("Corrects spelling",)
    assert item.subjects == (FeedSubject(name="Sport", code="15000000"),)


def test_description_is_the_body_of_a_text_item_without_one() -> None:
    """A text item with only a description takes it as body; a picture with one still has no body."""
    item = parse({"uri": "u", "type": "text", "headline": "h", "descriptions": [{"value": "The lead."}]})
    assert item.body_text == "The lead."
    with pytest.raises(InputError) as err:
        parse({"uri": "u", "type": "picture", "headline": "h", "descriptions": [{"value": "Caption."}]})
    assert err.value.code == "no_body"


def test_json_records_are_single_story() -> None:
    """ingest_all on a JSON record gives a 1-tuple whose item has no part."""
    (item,) = ingest_all(RawRecord(value=b'{"uri": "u", "headline": "h", "body_text": "b"}'), LIMITS)
    assert item.part is None and item.format == "ninjs"


@pytest.mark.parametrize("name", ["embargoedUntil", "embargoed"])
def test_ninjs_embargo_under_either_name(name: str) -> None:
    """ninjs 3.x names the embargo 'embargoedUntil' (2.x 'embargoed'); both are read."""
    item = parse({"uri": "urn:e1", "versionCreated": "2026-11-28T08:00:00Z", name: "2099-01-01T00:00:00Z",
                  "bodies": [{"contentType": "text/plain", "value": "The Senate voted."}]})
    assert item.embargoed == "2099-01-01T00:00:00+00:00", item.embargoed


@pytest.mark.parametrize(("headlines", "want"), [
    ([{"role": "short", "value": "Senate OKs"}, {"role": "main", "value": "Senate approves measure"}],
     "Senate approves measure"),
    ([{"role": "sub", "value": "After a long debate"}, {"role": "default", "value": "Senate approves"}],
     "Senate approves"),
    ([{"role": "short", "value": "Senate OKs"}, {"value": "Senate approves bill"}], "Senate approves bill"),
    ([{"role": "short", "value": "Senate OKs"}, {"role": "seo", "value": "Senate vote 2026"}], "Senate OKs"),
    ([{"value": "First"}, {"value": "Second"}], "First"),
])
def test_ninjs_main_headline_wins(headlines: list[dict[str, str]], want: str) -> None:
    """The headline with role main/default is picked, then one without a role, then the first."""
    item = parse({"uri": "urn:h1", "headlines": headlines,
                  "bodies": [{"contentType": "text/plain", "value": "The Senate voted."}]})
    assert item.headline == want, item.headline


def test_ninjs_main_body_wins_over_summary() -> None:
    """A body with role main is the story even when a summary body is listed first."""
    item = parse({"uri": "urn:b1", "headlines": [{"value": "Senate approves"}],
                  "bodies": [{"role": "summary", "contentType": "text/plain", "value": "Short."},
                             {"role": "main", "contentType": "text/plain", "value": "The Senate voted on Tuesday."}]})
    assert item.body_text == "The Senate voted on Tuesday.", item.body_text

"""NITF media captions (agents/ingest_nitf.py): a <media-caption> is a picture, never story text or a dateline."""

from __future__ import annotations

import pytest

from agents.clean import clean
from agents.ingest import IngestLimits, ingest
from agents.model import Picture, RawRecord
from streams.settings import CleanSettings

LIMITS = IngestLimits(max_payload_bytes=200_000, max_field_chars=50_000)


def nitf(media: str, ns: str = "") -> bytes:
    """A NITF story with one media element between its paragraphs."""
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        f'<nitf{xmlns}><head><docdata><doc-id id-string="x-1"/></docdata></head><body><body.head><hedline>'
        "<hl1>Water company secures loan</hl1></hedline></body.head><body.content>"
        "<p>LONDON (AP) \u2014 Britain's biggest water company said Tuesday it had secured an emergency loan.</p>"
        f"{media}<p>The company serves about 16 million customers in London and southern England.</p>"
        "</body.content></body></nitf>"
    ).encode()


@pytest.mark.parametrize(("media", "picture"), [
    ('<media media-type="image"><media-reference source="a.jpg"/><media-caption>FILE - A sign is seen in London, '
     "Jan. 5, 2024. (AP Photo/Kirsty Wigglesworth, File)</media-caption></media>",
     Picture("FILE - A sign is seen in London, Jan. 5, 2024", "AP Photo/Kirsty Wigglesworth, File", True)),
    ('<media media-type="image"><media-reference source="a.jpg"/><media-caption>A sign is seen in London.'
     "</media-caption><media-producer>AP Photo/Jane Doe</media-producer></media>",
     Picture("A sign is seen in London", "AP Photo/Jane Doe", False)),
    ('<media media-type="photo"><media-caption>Pumps at a treatment works near Reading</media-caption></media>',
     Picture("Pumps at a treatment works near Reading", None, False)),
])
@pytest.mark.parametrize("ns", ["", "http://iptc.org/std/NITF/2006-10-18/"])
def test_media_caption_becomes_a_picture(media: str, picture: Picture, ns: str) -> None:
    """The caption (with its producer as credit) leaves the body as a picture; the dateline stays the story's."""
    item = ingest(RawRecord(value=nitf(media, ns)), LIMITS)
    art = clean(item, settings=CleanSettings())
    assert art.pictures == (picture,), art.pictures
    assert len(art.paragraphs) == 2 and not any("sign is seen" in p or "Pumps" in p for p in art.paragraphs)
    assert (art.dateline.city, art.dateline.agency) == ("London", "AP"), art.dateline
    assert any(r.rule == "picture" for r in art.removed), art.removed

"""The NewsML originals in shared/specs/ninjs/examples/newsml-g2 agree with their ninjs conversions, field by field.

The originals are NewsML 1.2 documents (Business Wire), despite the folder name. Compared with
each conversion beside them (``examples/{1.4,2.1,3.0}/businesswire-newsml-<id>.json``):
headline, body text (markup stripped, white space collapsed), versioncreated and
firstcreated as instants, version, pubstatus, language and subject names. Two known
differences are asserted as such rather than hidden:

* ``uri``: the conversions use the story's web page
  (``http://www.businesswire.com/news/home/<id>/<lang>``), which the XML does not carry;
  the parser uses the NewsML identifier without its revision part, so that every
  revision of a story shares one uri. Both name the same NewsItemId.
* body: the conversions keep only the lead paragraph; the parser keeps the whole body,
  which starts with exactly that paragraph.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agents.ingest import IngestLimits, ingest, ingest_all
from agents.model import RawRecord, WireItem

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "specs" / "ninjs" / "examples"
ORIGINALS = sorted((EXAMPLES / "newsml-g2").glob("*.xml"))
CONVERSIONS = sorted(EXAMPLES.glob("*/businesswire-newsml-*.json"))
_TAG = re.compile(r"<[^>]{0,2000}>")


def normalised(markup: str | None) -> str:
    """Text a reader sees: tags stripped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", markup or "")).split())


def instant(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def original_of(conversion: Path) -> Path:
    return EXAMPLES / "newsml-g2" / (conversion.stem + ".xml")


def conversion_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of a ninjs conversion, whatever its generation (1.x, 2.x, 3.x names)."""
    headline = obj.get("headline") or next(h["value"] for h in obj["headlines"] if h.get("role") == "main")
    body = obj.get("body_xhtml") or obj.get("body_html") or obj["bodies"][0]["value"]
    subjects = obj.get("subjects") or obj.get("subject") or []
    return {
        "headline": headline,
        "body": normalised(body),
        "version": int(obj["version"]),
        "versioncreated": instant(obj.get("versioncreated") or obj.get("versionCreated")),
        "firstcreated": instant(obj.get("firstcreated") or obj.get("firstCreated")),
        "pubstatus": obj.get("pubstatus") or obj.get("pubStatus") or "usable",
        "language": obj["language"],
        "subjects": [s["name"] for s in subjects],
    }


@pytest.mark.parametrize("path", ORIGINALS, ids=lambda p: p.stem)
def test_every_original_parses(path: Path) -> None:
    """Each XML original gives one story with uri, version, headline, dates, language and a body."""
    (item,) = ingest_all(RawRecord(value=path.read_bytes()), IngestLimits())
    news_item_id = path.stem.rsplit("-", 1)[-1]
    assert item.format == "newsml" and item.uri == f"urn:newsml:businesswire.com:20010714:{news_item_id}"
    assert item.version == 1 and item.pubstatus == "usable" and item.part is None
    assert item.headline and item.language in {"en", "zh"} and item.agency == "Business Wire"
    assert item.versioncreated and item.firstcreated and item.credit == "Copyright Business Wire 2013"
    assert len(normalised(item.body_html)) > 200, item.body_html
    assert item.subjects and all(s.name for s in item.subjects)


def test_conversions_exist_for_the_comparison() -> None:
    """The comparison below is not vacuous: at least two originals have conversions (four files)."""
    assert len(ORIGINALS) >= 4 and len(CONVERSIONS) >= 4, (ORIGINALS, CONVERSIONS)
    assert all(original_of(c).exists() for c in CONVERSIONS)


@pytest.mark.parametrize("conversion", CONVERSIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_original_agrees_with_its_ninjs_conversion(conversion: Path) -> None:
    """Headline, body text, dates, version, pubstatus, language and subjects agree with the ninjs conversion."""
    expected = conversion_fields(json.loads(conversion.read_bytes()))
    item = ingest(RawRecord(value=original_of(conversion).read_bytes()), IngestLimits())
    assert item.headline == expected["headline"]
    assert item.version == expected["version"]
    assert instant(item.versioncreated) == expected["versioncreated"], item.versioncreated
    if expected["firstcreated"] is not None:
        assert instant(item.firstcreated) == expected["firstcreated"]
    assert item.pubstatus == expected["pubstatus"]
    assert item.language == expected["language"]
    assert [s.name for s in item.subjects] == expected["subjects"]
    body = normalised(item.body_html)
    # The conversions carry the lead paragraph only; ours is the whole body, starting with it.
    assert body.startswith(expected["body"]), f"\nours:   {body[:300]}\ntheirs: {expected['body'][:300]}"
    assert len(body) > len(expected["body"])
    news_item_id = conversion.stem.rsplit("-", 1)[-1]
    obj = json.loads(conversion.read_bytes())
    assert news_item_id in obj["uri"] and news_item_id in (item.uri or "")


@pytest.mark.parametrize("conversion", CONVERSIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_conversion_itself_parses_to_the_same_fields(conversion: Path) -> None:
    """The ninjs conversions (1.4, 2.1 and 3.0 generations) parse and give the original's fields."""
    converted = ingest(RawRecord(value=conversion.read_bytes()), IngestLimits())
    original = ingest(RawRecord(value=original_of(conversion).read_bytes()), IngestLimits())
    assert converted.format == "ninjs"
    compared = ("headline", "version", "versioncreated", "pubstatus", "language")
    assert [getattr(converted, f) for f in compared] == [getattr(original, f) for f in compared]
    assert [s.name for s in converted.subjects] == [s.name for s in original.subjects]
    assert normalised(original.body_html).startswith(normalised(converted.body_html))


TEXT_EXAMPLES = sorted(p for p in EXAMPLES.glob("[0-9]*/*.json")
                       if p.name not in {"ap_image.json", "extension-schema.json"})


@pytest.mark.parametrize("path", TEXT_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ninjs_text_example_parses(path: Path) -> None:
    """All text items of the three ninjs generations parse, with a headline, a version time and a body."""
    item = ingest(RawRecord(value=path.read_bytes()), IngestLimits())
    assert item.format == "ninjs" and item.headline and item.versioncreated, item
    assert item.body_text or item.body_html


def test_ninjs_3_ntb_item_reads_camel_case_fields() -> None:
    """ninjs 3.0 (NTB): firstCreated, versionCreated, pubStatus, edNote, subjects; its description is the body."""
    item = ingest(RawRecord(value=(EXAMPLES / "3.0" / "ntb_text.json").read_bytes()), IngestLimits())
    assert (item.version, item.pubstatus, item.language) == (6, "usable", "nb")
    assert (item.firstcreated, item.versioncreated) == ("2019-08-09T09:30:04+00:00", "2019-08-09T09:46:53+00:00")
    assert item.ednote == "Noe utvidet." and "Noe utvidet." in item.signals
    assert [(s.name, s.code) for s in item.subjects][:2] == [("Innenriks", "Innenriks"), ("Teknologi", "13010000")]
    assert item.body_text is not None and item.body_text.startswith("IT-giganten Google har kjøpt en tomt")


def test_ninjs_generations_of_one_item_agree() -> None:
    """dpa's item in ninjs 2.1 and 3.0 maps to the same wire item (camelCase names read)."""
    two, three = (ingest(RawRecord(value=(EXAMPLES / g / "dpa_text.json").read_bytes()), IngestLimits())
                  for g in ("2.1", "3.0"))
    assert two == three, [(f, getattr(two, f), getattr(three, f)) for f in WireItem.__dataclass_fields__
                          if getattr(two, f) != getattr(three, f)]
    assert two.credit == "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten" and two.agency == "dpa"

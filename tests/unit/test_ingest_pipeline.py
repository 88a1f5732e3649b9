"""XML wire items end to end: Pipeline.run enriches the originals and dead-letters hostile XML with its code."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from agents.model import RawRecord
from agents.pipeline import Pipeline
from streams import process
from streams.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "specs" / "ninjs" / "examples"
ORIGINALS = sorted((EXAMPLES / "newsml-g2").glob("*.xml"))
_base: list[Pipeline] = []


def pipeline() -> Pipeline:
    """A fresh pipeline over dict stores, sharing one loaded enricher across tests."""
    if not _base:
        _base.append(Pipeline(Settings(), boilerplate_store={}, story_store={}, clock=lambda: 1_764_324_000.0))
    return Pipeline(Settings(), boilerplate_store={}, story_store={}, clock=lambda: 1_764_324_000.0,
                    enricher=_base[0].enricher)


def record(value: bytes) -> RawRecord:
    return RawRecord(value=value, key=b"k", topic="wire.raw", partition=0, offset=7, timestamp_ms=1_764_324_000_000)


@pytest.mark.parametrize("path", ORIGINALS, ids=lambda p: p.stem)
def test_original_is_enriched_and_valid(path: Path) -> None:
    """Each NewsML original goes through every stage to one enriched output (the pipeline validates it)."""
    output = pipeline().run(record(path.read_bytes()))
    assert output.role == "enriched", f"{path.name}: {output.role} {output.value.get('error')}"
    value = output.value
    assert value["uri"].startswith("urn:newsml:businesswire.com:"), value["uri"]
    assert value["headlines"][0]["value"] and value["bodies"][0]["value"], value
    assert value["language"] in {"en", "zh"}


def assert_dead_letter(value: bytes, code: str) -> None:
    output = pipeline().run(record(value))
    assert output.role == "dlq", output.role
    error = output.value["error"]
    assert (error["code"], error["stage"]) == (code, "ingest"), error


@pytest.mark.parametrize(("value", "code"), [
    (b"<nitf>" * 10_000 + b"</nitf>" * 10_000, "too_deep"),
    (b"<nitf>" + b" " * (50 * 1024 * 1024) + b"</nitf>", "payload_too_large"),
], ids=["10000-deep", "50MB"])
def test_deep_or_huge_xml_becomes_a_dead_letter(value: bytes, code: str) -> None:
    """10,000-deep nesting and a 50 MB document are dead letters with their ingest codes."""
    assert_dead_letter(value, code)


@pytest.mark.parametrize(("value", "code"), [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><nitf>&b;</nitf>',
     "xml_forbidden"),
    (b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]><nitf>&x;</nitf>',
     "xml_forbidden"),
    (b'<?xml version="1.0"?>\n<nitf><body><body.content><p>cut', "invalid_xml"),
], ids=["entity-bomb", "external-entity", "truncated"])
def test_hostile_xml_becomes_a_dead_letter_with_its_code(value: bytes, code: str) -> None:
    """Entity declarations and malformed XML are dead letters with the new XML codes."""
    assert_dead_letter(value, code)


def test_process_reads_an_xml_file_as_one_record(tmp_path: Path) -> None:
    """`wirestream process story.xml` treats the file as one XML record, even when a comment opens it."""
    path = tmp_path / "story.xml"
    path.write_bytes(b"<!-- delivered by the agency -->\n" + ORIGINALS[0].read_bytes())
    (entry,) = list(process.read_inputs([str(path)]))
    assert isinstance(entry, RawRecord) and entry.key == b"story"
    assert entry.header("content-type") == "application/xml"
    out = io.BytesIO()
    counts = process.run([str(path)], Settings(), out)
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 1 and lines[0]["topic"] == "wire.enriched", (counts, lines[0]["value"].get("error"))


def test_process_answers_every_story_of_a_news_message(tmp_path: Path) -> None:
    """A NewsML-G2 newsMessage with two text items (and a picture) gives two enriched stories, in order."""
    from tests.unit.test_ingest_xml import g2_item, g2_message

    picture = g2_item("urn:x:pic", item_class="ninat:picture", body='<remoteContent href="http://x/y.jpg"/>',
                      root=False)
    second = ("<inlineData>LYON (Example) - The city opened its new tram line on Friday, five months ahead "
              "of schedule, the operator said.</inlineData>")
    path = tmp_path / "message.xml"
    path.write_text(g2_message(g2_item("urn:x:a", headline="First story", root=False), picture,
                               g2_item("urn:x:b", headline="Second story", root=False, body=second)))
    out = io.BytesIO()
    process.run([str(path)], Settings(), out)
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["topic"], line["key"]) for line in lines] == [("wire.enriched", "urn:x:a"),
                                                                ("wire.enriched", "urn:x:b")], lines
    assert [line["value"]["headlines"][0]["value"] for line in lines] == ["First story", "Second story"]

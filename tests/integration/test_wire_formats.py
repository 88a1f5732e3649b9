"""Agency formats through the real broker: NewsML-G2 (item and multi-story message), NewsML 1.x, NITF and
ninjs 3.x come out as schema-valid ninjs stories; malformed and hostile XML come out as dead letters."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest

import schemas
from streams.settings import Settings
from tests.integration.test_spine import SCHEMA_OF, origin_of, role_of
from tests.support import WorkerProcess, consume, create_topics, output_topics, produce
from tests.unit.test_ingest_xml import NITF, g2_item, g2_message

pytestmark = pytest.mark.integration

NEWSML1 = Path(__file__).resolve().parents[3] / "shared" / "specs" / "ninjs" / "examples" / "newsml-g2"
XML = [("content-type", b"application/xml")]


def test_agency_formats_become_stories_and_bad_xml_dead_letters(settings: Settings, tmp_path: Path) -> None:
    """Each story of each record is answered once on the right topic; XML errors carry their codes."""
    second = ("<inlineData>LYON (Example) - The city opened its new tram line on Friday, five months ahead "
              "of schedule, the operator said.</inlineData>")
    ninjs3 = {"uri": "urn:test:ninjs3", "version": "1", "versionCreated": "2026-11-28T10:00:00Z",
              "pubStatus": "usable", "headlines": [{"value": "Ferry service resumes"}],
              "bodies": [{"contentType": "text/plain", "value": "OSLO (Test) - Ferries to the islands ran again "
                                                                  "on Saturday after the storm, the operator said."}]}
    records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]] = [
        (b"g2", g2_item("urn:test:g2-bridge").encode(), XML),
        (b"g2-message", g2_message(g2_item("urn:test:g2-a", headline="First story", root=False),
                                   g2_item("urn:test:g2-b", headline="Tram line opens", root=False,
                                           body=second)).encode(), []),  # sniffed, no content type
        # The fixture's date.release (an embargo until noon today) would hold the story back.
        (b"nitf", NITF.replace('<date.release norm="20261128T120000+0100"/>', "").encode(), XML),
        (b"newsml1", sorted(NEWSML1.glob("*.xml"))[0].read_bytes(), []),
        (b"ninjs3", json.dumps(ninjs3).encode(), [("content-type", b"application/json")]),
        (b"truncated", b'<?xml version="1.0"?>\n<nitf><body><body.content><p>cut', XML),
        (b"entities", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><nitf>&b;</nitf>',
         XML),
    ]
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        sent = asyncio.run(produce(settings, settings.topics.raw, records))
        expected_outputs = sent + 1  # the message carries two stories
        got = asyncio.run(consume(settings, output_topics(settings), expect=expected_outputs))
        assert len(got) == expected_outputs, f"expected {expected_outputs} outputs, got {len(got)}\n" \
                                             f"{worker.log_tail()}"
        for record in got:
            found = schemas.problems(SCHEMA_OF[role_of(record, settings)], record.json())
            assert not found, f"{record.topic} message breaks its schema: {found}"
        answers = Counter(origin_of(r, settings) for r in got)
        assert sorted(answers.values()) == [1] * (sent - 1) + [2], f"answers per input: {answers}"
        enriched = {r.key.decode(): r.json() for r in got if r.topic == settings.topics.enriched and r.key}
        formats = Counter(v["wirestream"]["source"]["format"] for v in enriched.values())
        assert formats == Counter({"newsml-g2": 3, "nitf": 1, "newsml": 1, "ninjs": 1}), formats
        assert {"urn:test:g2-bridge", "urn:test:g2-a", "urn:test:g2-b", "urn:test:ninjs3"} <= set(enriched)
        assert enriched["urn:test:g2-b"]["headlines"][0]["value"] == "Tram line opens"
        errors = sorted(r.json()["error"]["code"] for r in got if r.topic == settings.topics.dlq)
        assert errors == ["invalid_xml", "xml_forbidden"], errors
    finally:
        worker.stop()

"""The spine on a real broker: every raw record comes back on exactly one output topic, schema-valid."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

import schemas
from streams.archive import read_paths
from streams.process import offline_pipeline
from streams.settings import Settings
from tests.support import Consumed, WorkerProcess, consume, create_topics, output_topics, produce

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seeds" / "000_7199b5f1edf378b1.txt"
HTML = b"""<!doctype html><html><head><title>Harbour bridge reopens after repairs</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Harbour bridge reopens after repairs</h1>
<p>SYDNEY (Wirestream Test) - The city's harbour bridge reopened to traffic on Friday after eight weeks of repairs
to its deck, the state transport minister said.</p><p>Engineers replaced 1,200 square metres of concrete and
repainted the arches, at a cost of 40 million Australian dollars.</p></article>
<footer>&copy; 2026 Test Herald. All rights reserved.</footer></body></html>"""


def feed(n_copies: int = 1) -> list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]:
    """Valid ninjs, generic JSON, page text, HTML, and malformed records (key, value, headers)."""
    records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]] = []
    for i in range(n_copies):
        records += [
            (f"ninjs-{i}".encode(), json.dumps({
                "uri": f"urn:test:story-{i}", "version": "1", "headlines": [{"value": f"Port strike day {i}"}],
                "bodies": [{"value": f"ROTTERDAM (Test) - Dock workers struck for the {i}th day on Monday, "
                                     "the union said.\n\nShips waited at anchor in the North Sea."}]}).encode(), []),
            (f"generic-{i}".encode(), json.dumps({
                "id": f"g-{i}", "source": "example.org", "title": f"Rates held, meeting {i}",
                "body": f"FRANKFURT (Test) - The central bank held rates at meeting number {i}.\n\n"
                        "Its president said inflation was on track."}).encode(), []),
            (b"seed", SEED.read_bytes(), [("content-type", b"text/plain"), ("source", b"markets.example")]),
            (b"html", HTML, [("content-type", b"text/html"), ("source", b"herald.example")]),
            (b"bad-json", b'{"uri": "x", "headlines": [', []),
            (b"binary", b"\xff\x00\xfe garbage", []),
            (b"empty", b"", []),
            (None, b'{"neither": "ninjs nor generic"}', []),
        ]
    return records


SCHEMA_OF = {"enriched": "enriched.v1", "duplicates": "duplicate.v1", "dlq": "deadletter.v1"}


def origin_of(record: Consumed, settings: Settings) -> tuple[int, int]:
    """(partition, offset) of the raw record an output answers."""
    value = record.json()
    src = value["wirestream"]["source"] if record.topic == settings.topics.enriched else value["source"]
    assert src["topic"] == settings.topics.raw, f"output names source topic {src['topic']}"
    return src["partition"], src["offset"]


def role_of(record: Consumed, settings: Settings) -> str:
    t = settings.topics
    return {t.enriched: "enriched", t.duplicates: "duplicates", t.dlq: "dlq"}[record.topic]


def assert_accounted(settings: Settings, sent: int, got: list[Consumed]) -> Counter[tuple[int, int]]:
    """Each input offset is answered by exactly one output, and every output is schema-valid."""
    for record in got:
        found = schemas.problems(SCHEMA_OF[role_of(record, settings)], record.json())
        assert not found, f"{record.topic} message breaks its schema: {found}"
    answered = Counter(origin_of(r, settings) for r in got)
    repeated = {k: v for k, v in answered.items() if v > 1}
    assert not repeated, f"inputs answered more than once: {repeated}"
    assert len(answered) == sent, f"{sent} inputs, {len(answered)} answered"
    return answered


def test_every_record_lands_on_exactly_one_output_topic(settings: Settings, tmp_path: Path) -> None:
    """ninjs, generic, text, HTML and malformed input: one schema-valid output each, keyed by story id."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        records = feed(2)
        sent = asyncio.run(produce(settings, settings.topics.raw, records))
        got = asyncio.run(consume(settings, output_topics(settings), expect=sent))
        assert len(got) == sent, f"sent {sent}, got {len(got)}\n{worker.log_tail()}"
        assert_accounted(settings, sent, got)
        by_topic = Counter(role_of(r, settings) for r in got)
        assert by_topic["dlq"] == 8, by_topic  # 4 malformed records x 2 copies
        assert by_topic["duplicates"] >= 2, by_topic  # the second seed and HTML copies
        for record in got:
            if record.topic == settings.topics.enriched:
                assert record.key == record.json()["uri"].encode(), "enriched records are keyed by story uri"
                assert dict(record.headers).get("wirestream-schema") == b"enriched.v1"
        codes = sorted(r.json()["error"]["code"] for r in got if r.topic == settings.topics.dlq)
        assert codes == sorted(["invalid_json", "not_utf8", "empty_payload", "unknown_shape"] * 2)
    finally:
        worker.stop()


def test_restarted_worker_loses_nothing(settings: Settings, tmp_path: Path) -> None:
    """A worker stopped mid-feed and restarted accounts for every input record."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        first = feed(5)
        asyncio.run(produce(settings, settings.topics.raw, first))
        worker.stop()
        second = feed(5)
        asyncio.run(produce(settings, settings.topics.raw, second))
        worker.start().wait_ready()
        sent = len(first) + len(second)
        got = asyncio.run(consume(settings, output_topics(settings), expect=sent))
        answered = {origin_of(r, settings) for r in got}
        assert len(answered) == sent, f"{sent} inputs, {len(answered)} answered\n{worker.log_tail()}"
        for record in got:
            found = schemas.problems(SCHEMA_OF[role_of(record, settings)], record.json())
            assert not found, found
    finally:
        worker.stop()


def test_worker_verdicts_match_offline_process(settings: Settings, tmp_path: Path) -> None:
    """Offline parity: on one input partition, the worker gives the same verdicts as `process`."""
    settings = replace(settings, partitions=1)
    create_topics(settings)
    entries = [e for e in read_paths([str(REPO / "deploy" / "demo" / "sample-feed.jsonl")])]
    pipeline = offline_pipeline(settings)
    offline = []
    for entry in entries:
        out = pipeline.run(entry)
        offline.append((out.role, out.verdict, out.reason))
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        records = [(e.key, e.value, list(e.headers)) for e in entries]
        sent = asyncio.run(produce(settings, settings.topics.raw, records))
        got = asyncio.run(consume(settings, output_topics(settings), expect=sent))
        assert len(got) == sent, worker.log_tail()
        by_offset = sorted(got, key=lambda r: origin_of(r, settings)[1])
        online = []
        for record in by_offset:
            value = record.json()
            role = role_of(record, settings)
            if role == "enriched":
                online.append((role, value["wirestream"]["verdict"], value["wirestream"]["version_kind"]))
            elif role == "duplicates":
                online.append((role, "duplicate", value["reason"]))
            else:
                online.append((role, "dead_letter", value["error"]["code"]))
        assert online == offline
    finally:
        worker.stop()

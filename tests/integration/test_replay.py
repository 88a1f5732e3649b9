"""The replay tool on a real broker: archives round-trip, dead letters re-drive and stop, reprocessing versions."""

from __future__ import annotations

import asyncio
import gzip
import io
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from agents.model import RawRecord
from agents.outcome import HEADER_REPLAY_ID, HEADER_RETRIES
from streams.archive import read_paths
from streams.replay import Console, dump_main, main
from streams.settings import Settings, to_env
from streams.topics import ensure_topics
from tests.support import WorkerProcess, consume, create_topics, produce

pytestmark = pytest.mark.integration


def run(entry, argv: list[str], settings: Settings) -> tuple[int, str]:
    """Run a tool entry point in-process with the test's settings; returns (exit code, stderr)."""
    err = io.StringIO()
    code = entry(argv, env=to_env(settings), console=Console(io.BytesIO(), err, tty=False))
    return code, err.getvalue()


def archive(path: Path) -> list[RawRecord]:
    entries = list(read_paths([str(path)]))
    assert all(isinstance(e, RawRecord) for e in entries), f"unreadable lines in {path}"
    return entries  # type: ignore[return-value]


def by_partition(records: list[RawRecord]) -> dict[int | None, list[tuple]]:
    """Per partition, in order: key, headers without the replay id, value, timestamp."""
    out: dict[int | None, list[tuple]] = defaultdict(list)
    for r in records:
        headers = tuple(h for h in r.headers if h[0] != HEADER_REPLAY_ID)
        out[r.partition].append((r.key, headers, r.value, r.timestamp_ms))
    return dict(out)


async def produce_partitioned(settings: Settings, topic: str, records: list[RawRecord]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for r in records:
            await producer.send(topic, value=r.value, key=r.key, headers=list(r.headers), partition=r.partition,
                                timestamp_ms=r.timestamp_ms)
        await producer.flush()
    finally:
        await producer.stop()


def test_dump_replay_dump_is_identical(settings: Settings, tmp_path: Path) -> None:
    """Dump a time range, replay it (from the archive and from the topic) into fresh topics, dump again: same."""
    src, dst, dst2 = f"{settings.app_id}.src", f"{settings.app_id}.dst", f"{settings.app_id}.dst2"
    asyncio.run(ensure_topics(settings, extra={src: 3, dst: 3, dst2: 3}))
    base = int(time.time() * 1000) - 120_000
    records = [RawRecord(value=(orjson.dumps({"n": i}) if i % 4 else b"\xff\x00binary-" + bytes([i])),
                         key=None if i % 5 == 0 else f"k{i % 7}".encode(),
                         headers=(("source", b"test"), ("n", str(i).encode())) if i % 3 else (),
                         partition=i % 3, timestamp_ms=base + i * 1000) for i in range(60)]
    asyncio.run(produce_partitioned(settings, src, records))
    lo, hi = base + 10_000, base + 50_000  # records 10..49
    iso = lambda ms: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"  # noqa: E731

    first = tmp_path / "first.jsonl.gz"
    code, err = run(dump_main, ["--topic", src, "--from-time", iso(lo), "--to-time", iso(hi), "-o", str(first)],
                    settings)
    assert code == 0, err
    dumped = archive(first)
    assert sorted(r.timestamp_ms for r in dumped) == [base + i * 1000 for i in range(10, 50)], "time range bounds"
    assert by_partition(dumped) == by_partition(records[10:50]), "dump keeps keys, headers, values, order"

    code, err = run(main, [str(first), "--topic", dst, "--replay-id", "rt-1", "--timestamps", "original"], settings)
    assert code == 0 and "sent 40" in err, err
    code, err = run(main, ["--from-topic", src, "--from-time", iso(lo), "--to-time", iso(hi), "--topic", dst2,
                           "--replay-id", "rt-2", "--timestamps", "original"], settings)
    assert code == 0 and "sent 40" in err, err

    for topic, replay_id in ((dst, "rt-1"), (dst2, "rt-2")):
        again = tmp_path / f"{topic}.jsonl"
        code, err = run(dump_main, ["--topic", topic, "-o", str(again)], settings)
        assert code == 0, err
        replayed = archive(again)
        assert by_partition(replayed) == by_partition(dumped), f"{topic}: record for record identical"
        assert {r.header(HEADER_REPLAY_ID) for r in replayed} == {replay_id}, "every record names its replay"
    assert gzip.open(first).read(2) == b"{\"", "a .gz output is gzipped"


def test_dump_of_a_live_topic_ends(settings: Settings, tmp_path: Path) -> None:
    """A dump stops at the end offsets it saw at start while a producer keeps writing."""
    topic = f"{settings.app_id}.live"
    asyncio.run(ensure_topics(settings, extra={topic: 1}))
    asyncio.run(produce(settings, topic, [(None, b"before", [])] * 20))

    async def scenario() -> tuple[int, str]:
        stop = asyncio.Event()

        async def keep_writing() -> None:
            producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=0)
            await producer.start()
            try:
                while not stop.is_set():
                    await producer.send_and_wait(topic, b"during")
                    await asyncio.sleep(0.005)
            finally:
                await producer.stop()

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(1.0)
        try:
            return await asyncio.to_thread(run, dump_main, ["--topic", topic, "-o", str(tmp_path / "live.jsonl")],
                                           settings)
        finally:
            stop.set()
            await writer

    code, err = asyncio.run(scenario())
    assert code == 0, err
    assert len(archive(tmp_path / "live.jsonl")) >= 20


def story(i: int, extra: str = "") -> bytes:
    return orjson.dumps({
        "id": f"story-{i}", "source": "replay.example", "title": f"Harbour authority sets tariff plan {i}",
        "body": f"ROTTERDAM (Test) - The harbour authority on Monday set out tariff plan number {i} for the "
                f"next five years, its chairman said.{extra}\n\nShipping lines had asked for the plan since "
                "the spring, when volumes through the port fell for a third quarter in a row.\n\n"
                f"The plan will be put to the city council in {['May', 'June', 'July'][i % 3]}."})


def test_dead_letters_redrive_after_a_fix_and_stop_at_max_retries(settings: Settings, tmp_path: Path) -> None:
    """Too-large records dead-lettered by a strict worker go through once re-driven to a normal one;
    a record that keeps failing comes back with retries+1 each round and stops at --max-retries."""
    strict = replace(settings, max_payload_bytes=300)
    create_topics(settings)
    good = [(f"s{i}".encode(), story(i), [("source", b"replay.example")]) for i in range(3)]
    assert all(len(v) > 300 for _, v, _ in good)
    bad = (b"bad", b'{"uri": "x", "headlines": [', [("source", b"broken.example")])
    worker = WorkerProcess(strict, tmp_path / "strict.log").start()
    try:
        worker.wait_ready()
        asyncio.run(produce(settings, settings.topics.raw, [*good, bad]))
        dlq = asyncio.run(consume(settings, [settings.topics.dlq], expect=4))
        codes = sorted(r.json()["error"]["code"] for r in dlq)
        assert codes == ["invalid_json"] + ["payload_too_large"] * 3, f"{codes}\n{worker.log_tail()}"
    finally:
        worker.stop()

    worker = WorkerProcess(settings, tmp_path / "normal.log").start()  # the rule is fixed: normal limit
    try:
        worker.wait_ready()
        redrive = ["--dlq", "--max-retries", "2", "--replay-id", "redrive-1"]
        code, err = run(main, redrive, settings)
        assert code == 0 and "read 4  sent 4" in err, err
        enriched = asyncio.run(consume(settings, [settings.topics.enriched], expect=3))
        keys = sorted(r.json()["wirestream"]["source"]["key"] for r in enriched)
        assert keys == ["s0", "s1", "s2"], f"fixed records went through: {keys}\n{worker.log_tail()}"
        dlq = asyncio.run(consume(settings, [settings.topics.dlq], expect=5))
        assert sorted(r.json()["retries"] for r in dlq) == [0, 0, 0, 0, 1], \
            f"the still-bad record is back with retries=1: {[r.json()['retries'] for r in dlq]}"
        again = next(r for r in dlq if r.json()["retries"] == 1)
        assert again.key == b"bad" and dict(again.headers).get("wirestream-schema") == b"deadletter.v1"

        code, err = run(main, redrive, settings)
        assert code == 0 and "read 1  sent 1" in err, f"only the new dead letter is re-driven:\n{err}"
        dlq = asyncio.run(consume(settings, [settings.topics.dlq], expect=6))
        assert sorted(r.json()["retries"] for r in dlq) == [0, 0, 0, 0, 1, 2], [r.json()["retries"] for r in dlq]
        last = max(dlq, key=lambda r: r.json()["retries"])
        assert last.json()["headers"].get(HEADER_RETRIES) == "2"

        code, err = run(main, redrive, settings)
        assert code == 1, f"an exhausted dead letter makes the run partial:\n{err}"
        assert "read 1  sent 0" in err and "exhausted 1" in err and "exhausted after 2 retries" in err, err
        dlq = asyncio.run(consume(settings, [settings.topics.dlq], expect=7, timeout_s=4))
        assert len(dlq) == 6, "an exhausted record is not sent again"
        enriched = asyncio.run(consume(settings, [settings.topics.enriched], expect=4, timeout_s=4))
        assert len(enriched) == 3, "nothing new was enriched"
    finally:
        worker.stop()


def test_replaying_processed_range_gives_duplicates_unless_reprocess(settings: Settings, tmp_path: Path) -> None:
    """A replay of processed records yields only duplicate notices; with --reprocess, new versions."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        asyncio.run(produce(settings, settings.topics.raw,
                            [(f"s{i}".encode(), story(i), [("source", b"replay.example")]) for i in range(3)]))
        first = asyncio.run(consume(settings, [settings.topics.enriched], expect=3))
        assert len(first) == 3, worker.log_tail()
        uris = sorted(r.json()["uri"] for r in first)
        saved = tmp_path / "raw.jsonl"
        code, err = run(dump_main, ["--topic", settings.topics.raw, "-o", str(saved)], settings)
        assert code == 0, err

        code, err = run(main, [str(saved), "--replay-id", "again"], settings)
        assert code == 0 and "sent 3" in err, err
        dups = asyncio.run(consume(settings, [settings.topics.duplicates], expect=3))
        assert len(dups) == 3, worker.log_tail()
        assert sorted(r.json()["duplicate_of"]["uri"] for r in dups) == uris
        assert {r.json()["source"]["replay_id"] for r in dups} == {"again"}
        enriched = asyncio.run(consume(settings, [settings.topics.enriched], expect=4, timeout_s=3))
        assert len(enriched) == 3, "a plain replay publishes no new story or version"

        code, err = run(main, [str(saved), "--replay-id", "upgrade", "--reprocess"], settings)
        assert code == 0 and "[reprocess]" in err, err
        enriched = asyncio.run(consume(settings, [settings.topics.enriched], expect=6))
        versions = [r.json() for r in enriched if r.json()["wirestream"]["source"]["replay_id"] == "upgrade"]
        assert sorted(v["uri"] for v in versions) == uris, "each story is published again under its uri"
        assert {v["version"] for v in versions} == {"2"} and {v["wirestream"]["verdict"] for v in versions} == \
            {"version"}, [(v["version"], v["wirestream"]["verdict"]) for v in versions]
        dups = asyncio.run(consume(settings, [settings.topics.duplicates], expect=4, timeout_s=3))
        assert len(dups) == 3, "reprocessing makes versions, not duplicates"
    finally:
        worker.stop()

"""Delivery guarantees on a real worker.

at_least_once: a committed input offset always has its downstream records already in
Kafka (Faust flushes the producer before committing); checked by sampling the
group's committed offsets while a feed is being processed.

exactly_once: read_committed consumers see each output exactly once, and embargo
ticks (sent from a timer, outside any event) still release held items.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams import codec
from streams.kafka_config import client_kwargs
from streams.settings import Settings
from streams.topics import TopicPlan
from tests.integration.test_faults import Origin, collect, feed, origin_of, records, story
from tests.support import WorkerProcess, create_topics, output_topics, unique_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def _committed(settings: Settings) -> dict[tuple[str, int], int]:
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.app_id)
        return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
    finally:
        await admin.close()


async def _read_all(settings: Settings, topics: list[str]) -> dict[str, list[tuple[int, int, bytes | None, bytes]]]:
    """Everything currently in ``topics`` (read_uncommitted): topic -> [(partition, offset, key, value)]."""
    consumer = AIOKafkaConsumer(**client_kwargs(settings), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        layout = TopicPlan.from_settings(settings).layout()
        tps = [TopicPartition(t, p) for t in topics for p in range(layout[t])]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        out: dict[str, list[tuple[int, int, bytes | None, bytes]]] = {t: [] for t in topics}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any([await consumer.position(tp) < ends[tp] for tp in tps]):
            for tp, messages in (await consumer.getmany(timeout_ms=300)).items():
                out[tp.topic].extend((tp.partition, m.offset, m.key, m.value) for m in messages)
        return out
    finally:
        await consumer.stop()


def test_at_least_once_commits_only_after_downstream_records_are_acked(bootstrap: str, tmp_path: Path) -> None:
    """Whenever an input offset is committed, the records it produced downstream are already in Kafka."""
    settings = unique_settings(bootstrap, tmp_path / "data")
    plan = TopicPlan.from_settings(settings)
    create_topics(settings)
    inputs = feed(settings, records(range(5000, 5150)))
    worker = WorkerProcess(settings, tmp_path / "w.log").start()
    samples = 0
    try:
        worker.wait_ready()
        deadline = time.monotonic() + 120
        done = False
        while not done and time.monotonic() < deadline:
            # Committed offsets first, then the downstream topics: anything committed must already be there.
            committed = asyncio.run(_committed(settings))
            seen = asyncio.run(_read_all(settings, [plan.bysource, plan.dedupe, *output_topics(settings)]))
            raw_done = {(o.partition, o.offset) for o in
                        (codec.decode_ingested(v).origin for _, _, _, v in seen[plan.bysource])}
            answered = {o for t in output_topics(settings) for p, off, k, v in seen[t]
                        if (o := _origin(v)) is not None}
            for (topic, partition), offset in committed.items():
                if topic == settings.topics.raw:
                    missing = [(partition, n) for n in range(offset)
                               if (partition, n) not in raw_done and (partition, n) not in answered]
                    assert not missing, f"raw offsets committed before their hop-1 output was acked: {missing[:5]}"
                    samples += 1
                elif topic == plan.dedupe:
                    hop3 = {off: v for p, off, k, v in seen[plan.dedupe] if k != b"__wirestream_tick__"}
                    pending = [off for off in range(offset) if off in hop3
                               and _prepared_origin(hop3[off]) not in answered]
                    assert not pending, f"dedupe offsets committed before their outputs were acked: {pending[:5]}"
                    samples += 1
            done = set(inputs) <= answered and bool(committed)
            time.sleep(0.5)
    finally:
        worker.stop()
    assert samples >= 2, "no committed offsets were observed while the feed was processed"
    assert done, f"feed not fully answered in time:\n{worker.log_tail()}"


def _origin(value: bytes) -> Origin | None:
    from tests.support import Consumed

    return origin_of(Consumed("", 0, 0, None, value, ()))


def _prepared_origin(value: bytes) -> Origin:
    o = codec.decode_prepared(value).origin
    return (o.partition or 0, o.offset or 0)


def _ninjs(uri: str, n: int, embargo_in_s: float | None = None) -> bytes:
    s = story(n)
    body = {"uri": uri, "version": "1", "headline": s["title"], "body_text": s["body"]}
    if embargo_in_s is not None:
        body["embargoed"] = (datetime.now(UTC) + timedelta(seconds=embargo_in_s)).isoformat()
    return orjson.dumps(body)


def test_exactly_once_feed_is_seen_once_under_read_committed(bootstrap: str, tmp_path: Path) -> None:
    """In exactly_once mode every input yields one committed output; an embargoed item is released by the tick."""
    settings = unique_settings(bootstrap, tmp_path / "data", processing_guarantee="exactly_once")
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "w.log").start()
    try:
        worker.wait_ready()
        batch = records(range(6000, 6080))
        batch += [(f"copy{n}".encode(), orjson.dumps({**story(n), "id": f"copy-{n}"}), []) for n in range(6000, 6010)]
        batch += [(b"emb", _ninjs("urn:test:eos-embargo", 6100, embargo_in_s=8), [])]
        inputs = feed(settings, batch)
        got = collect(settings, inputs, isolation="read_committed", timeout_s=120)
    finally:
        worker.stop()
    by_origin: dict[Origin, list[str]] = {}
    for c in got:
        by_origin.setdefault(origin_of(c), []).append(c.topic)  # type: ignore[arg-type]
    lost = [o for o in inputs if o not in by_origin]
    twice = {o: t for o, t in by_origin.items() if len(t) > 1}
    assert not lost, f"{len(lost)} inputs without a committed output (embargo tick stuck?): {lost[:5]}\n" \
                     f"{worker.log_tail()}"
    assert not twice, f"outputs seen twice under read_committed: {list(twice.items())[:5]}"
    # Originals and copies arrive on different partitions, so either may reach dedupe first.
    pairs = [sorted((by_origin[inputs[i]][0], by_origin[inputs[80 + i]][0])) for i in range(10)]
    assert all(p == sorted([settings.topics.enriched, settings.topics.duplicates]) for p in pairs), \
        f"each story and its copy: one enriched, one duplicate notice: {pairs}"
    assert by_origin[inputs[-1]] == [settings.topics.enriched], "the embargoed item is released to enriched"

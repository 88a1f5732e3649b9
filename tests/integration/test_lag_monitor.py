"""streams/lag.py against the real broker: lag is end offset minus the group's committed offset."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from prometheus_client import CollectorRegistry

from streams.lag import LagMonitor
from streams.metrics import Metrics
from streams.settings import Settings
from tests.support import create_topics, produce

pytestmark = pytest.mark.integration


async def _commit(settings: Settings, tp: TopicPartition, offset: int) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=settings.app_id,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(offset, "")})
    finally:
        await consumer.stop()


async def test_lag_gauges_follow_produced_and_committed_offsets(settings: Settings) -> None:
    """10 records on partition 0, 4 committed by the app's group: lag 6 there, 0 elsewhere; gauges agree."""
    await asyncio.to_thread(create_topics, settings)
    raw = settings.topics.raw
    await produce(settings, raw, [(b"k", b"v%d" % i, []) for i in range(10)])
    metrics = Metrics.create(CollectorRegistry())
    monitor = LagMonitor(settings, metrics)
    try:
        first = await monitor.refresh()
        by_tp = {(p.topic, p.partition): p for p in first.partitions}
        loaded = [p for p in first.partitions if p.topic == raw and p.end == 10]
        assert len(loaded) == 1, f"all 10 records share a key, so one partition: {first.partitions}"
        partition = loaded[0].partition
        assert loaded[0].lag == 10 and loaded[0].committed in (None, -1), "nothing committed yet: all is lag"
        assert len(by_tp) == 2 * settings.partitions + 1, "raw, bysource and the single dedupe partition"

        await _commit(settings, TopicPartition(raw, partition), 4)
        second = await monitor.refresh()
        row = next(p for p in second.partitions if (p.topic, p.partition) == (raw, partition))
        assert (row.end, row.committed, row.lag) == (10, 4, 6)
        gauge = metrics.registry.get_sample_value(
            "wirestream_consumer_lag_records", {"topic": raw, "role": "input", "partition": str(partition)})
        assert gauge == 6
        assert metrics.registry.get_sample_value("wirestream_consumer_lag_refreshes_total") == 2
        assert monitor.fresh()
    finally:
        await monitor.close()


async def test_unreachable_broker_counts_refresh_errors(settings: Settings) -> None:
    """When the broker cannot be reached the run loop counts an error instead of crashing, and is not fresh."""
    from dataclasses import replace

    from streams.localbroker import free_port

    dead = replace(settings, kafka_bootstrap=f"127.0.0.1:{free_port()}")
    metrics = Metrics.create(CollectorRegistry())
    monitor = LagMonitor(dead, metrics)
    task = asyncio.create_task(monitor.run(interval_s=0.2))
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if (metrics.registry.get_sample_value("wirestream_consumer_lag_refresh_errors_total") or 0) >= 1:
                break
        assert (metrics.registry.get_sample_value("wirestream_consumer_lag_refresh_errors_total") or 0) >= 1
        assert not monitor.fresh() and not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

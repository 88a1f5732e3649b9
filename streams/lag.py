"""Consumer lag, computed by the worker itself: log end offset minus committed offset.

The usual exporters are not available here (and Debian's burrow predates Kafka 4),
so the worker asks the broker directly every few seconds, for the topics its
consumer group reads: the raw input and the two internal topics. It reports the
whole group's lag (every partition, whichever worker owns it), so several
workers export the same numbers and dashboards aggregate with ``max``.

Side effects: sets ``wirestream_consumer_lag_records`` and
``wirestream_topic_end_offset`` per topic-partition, counts refreshes and their
failures, and keeps the last :class:`LagSnapshot` for the status page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from streams.kafka_config import client_kwargs
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import TopicPlan

log = logging.getLogger(__name__)

REFRESH_EVERY_S = 5.0
_REQUEST_TIMEOUT_MS = 10_000
_COORDINATOR_ATTEMPTS = 4


def partition_lag(end: int, committed: int | None, start: int) -> int:
    """Records not yet consumed in one partition.

    With no committed offset the group starts from the earliest retained record
    (Faust's default), so everything retained is lag.

    >>> partition_lag(120, 100, 0), partition_lag(120, None, 20), partition_lag(5, 9, 0)
    (20, 100, 0)
    """
    base = committed if committed is not None and committed >= 0 else start
    return max(end - base, 0)


@dataclass(frozen=True)
class PartitionLag:
    """One topic-partition's offsets and lag."""

    topic: str
    partition: int
    end: int
    committed: int | None
    lag: int


@dataclass(frozen=True)
class LagSnapshot:
    """The lag of every consumed topic-partition at one moment."""

    at: float
    partitions: tuple[PartitionLag, ...] = field(default=())

    def total(self, topic: str | None = None) -> int:
        """Summed lag, over one topic or all."""
        return sum(p.lag for p in self.partitions if topic is None or p.topic == topic)


def snapshot_of(at: float, layout: Mapping[str, int], end: Mapping[TopicPartition, int],
                start: Mapping[TopicPartition, int], committed: Mapping[TopicPartition, int | None]) -> LagSnapshot:
    """Combine the three offset maps into a snapshot (pure; partitions missing from ``end`` are skipped).

    >>> tp = TopicPartition("raw", 0)
    >>> snapshot_of(1.0, {"raw": 1}, {tp: 10}, {tp: 0}, {tp: 4}).partitions[0].lag
    6
    """
    rows = []
    for topic, count in layout.items():
        for partition in range(count):
            tp = TopicPartition(topic, partition)
            if tp not in end:
                continue
            done = committed.get(tp)
            rows.append(PartitionLag(topic, partition, end[tp], done, partition_lag(end[tp], done, start.get(tp, 0))))
    return LagSnapshot(at, tuple(rows))


class LagMonitor:
    """Refreshes the lag gauges of one worker from the broker."""

    def __init__(self, settings: Settings, metrics: Metrics, *, clock: Callable[[], float] = time.time) -> None:
        plan = TopicPlan.from_settings(settings)
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        # The topics this app's consumer group reads (outputs are read by others).
        self.layout = {plan.raw: plan.partitions, plan.bysource: plan.partitions, plan.dedupe: 1}
        # A bounded label naming each topic's place in the topology, so alert rules need no topic names.
        self.roles = {plan.raw: "input", plan.bysource: "bysource", plan.dedupe: "dedupe"}
        self.group_id = settings.app_id
        self.latest: LagSnapshot | None = None
        self.last_success: float | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            kwargs = client_kwargs(self.settings)
            admin = AIOKafkaAdminClient(request_timeout_ms=_REQUEST_TIMEOUT_MS, **kwargs)
            # group_id=None: reading offsets must never join (and rebalance) the worker's group.
            consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False,
                                        request_timeout_ms=_REQUEST_TIMEOUT_MS, **kwargs)
            await admin.start()
            try:
                await consumer.start()
            except BaseException:
                await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def refresh(self) -> LagSnapshot:
        """Ask the broker for end, start and committed offsets; update the gauges."""
        admin, consumer = await self._clients()
        tps = [TopicPartition(t, p) for t, n in self.layout.items() for p in range(n)]
        known = []
        for tp in tps:
            # Topics are created at start-up; until the metadata shows them there is nothing to measure.
            parts = consumer.partitions_for_topic(tp.topic)
            if parts is None:
                await consumer._client.force_metadata_update()  # the public API has no refresh
                parts = consumer.partitions_for_topic(tp.topic)
            if parts and tp.partition in parts:
                known.append(tp)
        end = await consumer.end_offsets(known) if known else {}
        start = await consumer.beginning_offsets(known) if known else {}
        raw = await self._group_offsets(admin, known) if known else {}
        committed = {tp: (meta.offset if meta is not None else None) for tp, meta in raw.items()}
        snap = snapshot_of(self.clock(), self.layout, end, start, committed)
        for row in snap.partitions:
            role = self.roles.get(row.topic, "other")
            self.metrics.consumer_lag.labels(row.topic, role, str(row.partition)).set(row.lag)
            self.metrics.topic_end_offset.labels(row.topic, role, str(row.partition)).set(row.end)
        self.metrics.lag_refreshes.inc()
        self.metrics.lag_refreshed_at.set(snap.at)
        self.latest = snap
        self.last_success = snap.at
        return snap

    async def _group_offsets(self, admin: AIOKafkaAdminClient, tps: list[TopicPartition]) -> dict[Any, Any]:
        # On a fresh cluster the offsets topic and its coordinator appear only when the first
        # group joins: the broker says "coordinator not available" (retriable) for a moment.
        for attempt in range(_COORDINATOR_ATTEMPTS):
            try:
                return await admin.list_consumer_group_offsets(self.group_id, partitions=tps)  # type: ignore[no-any-return]
            except KafkaError as exc:
                if not exc.retriable or attempt == _COORDINATOR_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def fresh(self, max_age_s: float = 3 * REFRESH_EVERY_S) -> bool:
        """Whether the broker answered a refresh recently (a readiness condition)."""
        return self.last_success is not None and self.clock() - self.last_success <= max_age_s

    async def run(self, interval_s: float = REFRESH_EVERY_S, also: Callable[[], Any] | None = None) -> None:
        """Refresh forever (until cancelled); ``also`` runs after each attempt (other gauges)."""
        try:
            while True:
                try:
                    await asyncio.wait_for(self.refresh(), timeout=interval_s * 3)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a monitoring hiccup must not stop the worker
                    self.metrics.lag_refresh_errors.inc()
                    log.warning("consumer lag refresh failed: %r", exc)
                    await self.close()  # reconnect from scratch next time
                if also is not None:
                    try:
                        also()
                    except Exception as exc:  # same: gauges are best effort
                        log.warning("gauge refresh failed: %r", exc)
                await asyncio.sleep(interval_s)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop the clients (idempotent)."""
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()

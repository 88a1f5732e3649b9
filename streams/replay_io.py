"""Kafka I/O of the replay tool: resolve a topic range, read it to its captured end, send with a bounded window.

Reading never joins a consumer group (``group_id=None``) except for ``--dlq``,
which stores its progress in its own group by manual assignment (no rebalance,
no member of any live group). Ranges stop at the end offsets captured when the
range is resolved, so reading a live topic always ends.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from agents.model import RawRecord
from streams.kafka_config import client_kwargs
from streams.replay_core import Tally
from streams.replay_options import TopicRange
from streams.settings import Settings

MAX_IN_FLIGHT = 5000
"""Sends awaited at once at most: bounds memory on big archives without stalling the producer's batching."""
MAX_FETCH_BYTES = 16 * 1024 * 1024


class RangeError(RuntimeError):
    """The topic range cannot be read (missing topic or partition)."""


@dataclass
class Bounds:
    """Start and (exclusive) stop offsets per partition, and where reading has got to."""

    start: dict[int, int]
    stop: dict[int, int]
    next: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.next = {p: self.start[p] for p in self.start} | self.next

    @property
    def total(self) -> int:
        """Records in the range (an upper bound: compaction and transaction markers leave gaps)."""
        return sum(max(self.stop[p] - self.start[p], 0) for p in self.start)

    def remaining(self) -> dict[int, int]:
        """Partitions not read to their stop offset, with their next offset."""
        return {p: self.next[p] for p in sorted(self.start) if self.next[p] < self.stop[p]}

    def resume_spec(self) -> str:
        """``--from-offset`` value that resumes this range (every partition, ``P:N``)."""
        return ",".join(f"{p}:{self.next[p]}" for p in sorted(self.start))


def consumer_for(settings: Settings, bootstrap: str, group: str | None = None) -> AIOKafkaConsumer:
    """A consumer that reads committed data and commits nothing by itself."""
    kwargs = client_kwargs(settings) | {"bootstrap_servers": bootstrap}
    return AIOKafkaConsumer(group_id=group, enable_auto_commit=False, auto_offset_reset="earliest",
                            isolation_level="read_committed", fetch_max_bytes=MAX_FETCH_BYTES,
                            max_partition_fetch_bytes=MAX_FETCH_BYTES, **kwargs)


def producer_for(settings: Settings, bootstrap: str) -> AIOKafkaProducer:
    """An idempotent producer: retries can neither duplicate nor reorder records within a partition."""
    kwargs = client_kwargs(settings) | {"bootstrap_servers": bootstrap}
    return AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=10, max_batch_size=512 * 1024,
                            max_request_size=16 * 1024 * 1024, **kwargs)


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[int]:
    """The topic's partitions, or :class:`RangeError` if it does not exist."""
    parts = consumer.partitions_for_topic(topic)
    if not parts:
        # The consumer caches metadata only for assigned topics; aiokafka has no public call that returns the
        # partitions of another topic, so ask the client for a fresh cluster view (aiokafka is pinned <0.15).
        cluster = await consumer._client.fetch_all_metadata()
        parts = cluster.partitions_for_topic(topic)
    if not parts:
        raise RangeError(f"topic {topic!r} does not exist (or is not visible to these credentials)")
    return sorted(parts)


async def resolve(consumer: AIOKafkaConsumer, rng: TopicRange, *, committed_start: bool = False) -> Bounds:
    """Turn a :class:`TopicRange` into offsets, capturing the end offsets now.

    Args:
        consumer: a started consumer (not yet assigned).
        rng: the requested range.
        committed_start: start where the consumer's group committed (``--dlq``), when no start is given.
    """
    existing = await partitions_of(consumer, rng.topic)
    wanted = list(rng.partitions) if rng.partitions is not None else existing
    missing = sorted(set(wanted) - set(existing))
    if missing:
        raise RangeError(f"topic {rng.topic!r} has no partition(s) {missing} (it has {existing})")
    tps = [TopicPartition(rng.topic, p) for p in wanted]
    first = await consumer.beginning_offsets(tps)
    end = await consumer.end_offsets(tps)
    start = {tp.partition: first[tp] for tp in tps}
    stop = {tp.partition: end[tp] for tp in tps}
    if rng.from_offsets is not None:
        for tp in tps:
            given = rng.from_offsets.for_partition(tp.partition)
            if given is not None:
                start[tp.partition] = max(given, first[tp])  # below log start: retention removed them
    elif rng.from_time_ms is not None:
        found = await consumer.offsets_for_times({tp: rng.from_time_ms for tp in tps})
        for tp in tps:
            hit = found.get(tp)
            start[tp.partition] = hit.offset if hit is not None else end[tp]
    elif committed_start:
        for tp in tps:
            done = await consumer.committed(tp)
            if done is not None:
                start[tp.partition] = max(done, first[tp])
    if rng.to_offsets is not None:
        for tp in tps:
            given = rng.to_offsets.for_partition(tp.partition)
            if given is not None:
                stop[tp.partition] = min(given, end[tp])
    elif rng.to_time_ms is not None:
        found = await consumer.offsets_for_times({tp: rng.to_time_ms for tp in tps})
        for tp in tps:
            hit = found.get(tp)
            stop[tp.partition] = min(hit.offset, end[tp]) if hit is not None else end[tp]
    for p in start:
        start[p] = min(start[p], stop[p])
    return Bounds(start=start, stop=stop)


def _raw(topic: str, message: Any) -> RawRecord:
    return RawRecord(value=message.value if message.value is not None else b"", key=message.key,
                     headers=tuple(message.headers or ()), topic=topic, partition=message.partition,
                     offset=message.offset, timestamp_ms=message.timestamp)


async def read_range(consumer: AIOKafkaConsumer, topic: str, bounds: Bounds, stop: asyncio.Event,
                     idle_timeout_s: float = 30.0, tally: Tally | None = None) -> AsyncIterator[RawRecord]:
    """Yield the range's records in per-partition order; ``bounds.next`` follows what was yielded.

    Ends when every partition reached its stop offset, when ``stop`` is set, or
    after ``idle_timeout_s`` without progress (set as ``tally.fatal``: the records
    may have been deleted by retention meanwhile).
    """
    active = {p for p in bounds.start if bounds.start[p] < bounds.stop[p]}
    if not active:
        return
    tps = {p: TopicPartition(topic, p) for p in active}
    consumer.assign(list(tps.values()))
    for p, tp in tps.items():
        consumer.seek(tp, bounds.start[p])
    last_progress = time.monotonic()
    while active and not stop.is_set():
        batch = await consumer.getmany(*[tps[p] for p in active], timeout_ms=500, max_records=2000)
        got_any = False
        for tp, messages in batch.items():
            limit = bounds.stop[tp.partition]
            for message in messages:
                if message.offset >= limit:
                    break
                got_any = True
                # Advanced before the yield: the caller handles every record it pulls before it stops.
                bounds.next[tp.partition] = message.offset + 1
                yield _raw(topic, message)
                if stop.is_set():
                    return
        # Transaction markers and compaction leave gaps: the position, not the last record, says we are done.
        for p in list(active):
            position = await consumer.position(tps[p])
            bounds.next[p] = min(max(bounds.next[p], position), bounds.stop[p])
            if bounds.next[p] >= bounds.stop[p]:
                active.discard(p)
                consumer.pause(tps[p])
        if got_any:
            last_progress = time.monotonic()
        elif active and time.monotonic() - last_progress > idle_timeout_s:
            if tally is not None:
                tally.problem(f"gave up after {idle_timeout_s:.0f}s without records; short of the end: "
                              + ", ".join(f"{p}@{bounds.next[p]}<{bounds.stop[p]}" for p in sorted(active)))
                tally.fatal = "idle timeout"
            return


class Sender:
    """Sends records with at most :data:`MAX_IN_FLIGHT` unacknowledged, counting outcomes into a tally."""

    def __init__(self, producer: AIOKafkaProducer, topic: str, tally: Tally,
                 on_sent: Callable[[RawRecord], None] | None = None) -> None:
        self.producer, self.topic, self.tally = producer, topic, tally
        self.on_sent = on_sent
        self.window: deque[tuple[asyncio.Future[Any], RawRecord, int | None]] = deque()
        self.failed_at: dict[int, int] = {}
        """Per source partition, the lowest source offset whose send failed (``--dlq`` commits stop there)."""

    async def send(self, record: RawRecord, partition: int | None, headers: list[tuple[str, bytes]],
                   origin: RawRecord | None = None, span_ms: int | None = None) -> None:
        """Queue one record (waits only when the window is full).

        Args:
            record: what to send (value, key, timestamp).
            partition: target partition, or None to partition by key.
            headers: the headers to send.
            origin: the record it came from (named in failure reports), default ``record``.
            span_ms: the time it counts for in the summary's time span (its archived timestamp).
        """
        try:
            future = await self.producer.send(self.topic, value=record.value, key=record.key, partition=partition,
                                              timestamp_ms=record.timestamp_ms, headers=headers)
        except (KafkaError, ValueError, TypeError, AssertionError) as exc:
            self._failed(origin or record, exc)
            return
        self.window.append((future, origin or record, span_ms))
        while len(self.window) > MAX_IN_FLIGHT:
            await self._settle_one()

    async def _settle_one(self) -> None:
        future, record, timestamp_ms = self.window.popleft()
        try:
            await future
        except (TimeoutError, KafkaError) as exc:
            self._failed(record, exc)
        else:
            self.tally.sent += 1
            self.tally.covered(timestamp_ms)
            if self.on_sent is not None:
                self.on_sent(record)

    def _failed(self, record: RawRecord, exc: BaseException) -> None:
        where = f"{record.topic}[{record.partition}]@{record.offset}" if record.offset is not None else "record"
        self.tally.fail(f"send failed for {where}: {type(exc).__name__}: {str(exc)[:200]}")
        if record.partition is not None and record.offset is not None:
            prev = self.failed_at.get(record.partition)
            self.failed_at[record.partition] = record.offset if prev is None else min(prev, record.offset)

    async def flush(self) -> None:
        """Wait for every record in flight."""
        while self.window:
            await self._settle_one()

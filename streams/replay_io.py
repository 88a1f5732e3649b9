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
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

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


async def target_partitions(producer: AIOKafkaProducer, topic: str) -> list[int]:
    """The target topic's partitions, or :class:`RangeError` at once if it does not exist.

    (``producer.partitions_for`` would wait ``request_timeout_ms`` for a missing topic,
    logging all the while; the broker may not auto-create topics.)
    """
    cluster = await producer.client.fetch_all_metadata()
    parts = cluster.partitions_for_topic(topic)
    if not parts:
        raise RangeError(f"target topic {topic!r} does not exist (create it first, e.g. by starting the worker)")
    await producer.partitions_for(topic)  # the producer's own metadata, used when sending
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
                     idle_timeout_s: float = 30.0, tally: Tally | None = None) -> AsyncGenerator[RawRecord, None]:
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

    def __init__(self, producer: AIOKafkaProducer, topic: str, tally: Tally) -> None:
        self.producer, self.topic, self.tally = producer, topic, tally
        self.window: deque[tuple[asyncio.Future[Any], RawRecord, int | None]] = deque()
        self.failed_at: dict[int, int] = {}
        """Per source partition, the lowest source offset whose send failed (``--dlq`` commits stop there)."""

    async def send(self, record: RawRecord, partition: int | None, headers: list[tuple[str, bytes]], *,
                   timestamp_ms: int | None = None, origin: RawRecord | None = None) -> None:
        """Queue one record (waits only when the window is full).

        Args:
            record: what to send (value and key); its timestamp is what the summary's time span counts.
            partition: target partition, or None to partition by key.
            headers: the headers to send.
            timestamp_ms: the record timestamp to send (None: the producer's now).
            origin: the record it came from (named in failure reports), default ``record``.
        """
        try:
            future = await self.producer.send(self.topic, value=record.value, key=record.key, partition=partition,
                                              timestamp_ms=timestamp_ms, headers=headers)
        except (KafkaError, ValueError, TypeError, AssertionError) as exc:
            self._failed(origin or record, exc)
            return
        self.window.append((future, origin or record, record.timestamp_ms))
        if len(self.window) > MAX_IN_FLIGHT:
            await self._settle(MAX_IN_FLIGHT // 2)

    async def _settle(self, keep: int) -> None:
        """Account for the oldest sends until ``keep`` are left in flight (acked ones need no await)."""
        while len(self.window) > keep:
            future, record, timestamp_ms = self.window[0]
            if not future.done():
                await asyncio.wait([future])
            self.window.popleft()
            exc = future.exception() if not future.cancelled() else asyncio.CancelledError()
            if exc is not None:
                self._failed(record, exc)
            else:
                self.tally.sent += 1
                self.tally.covered(timestamp_ms)

    def _failed(self, record: RawRecord, exc: BaseException) -> None:
        where = f"{record.topic}[{record.partition}]@{record.offset}" if record.offset is not None else "record"
        self.tally.fail(f"send failed for {where}: {type(exc).__name__}: {str(exc)[:200]}")
        if record.partition is not None and record.offset is not None:
            prev = self.failed_at.get(record.partition)
            self.failed_at[record.partition] = record.offset if prev is None else min(prev, record.offset)

    async def flush(self) -> None:
        """Wait for every record in flight."""
        await self._settle(0)


@dataclass
class _Batch:
    """One open per-partition batch and what the summary needs to know about its records."""

    builder: Any
    opened: float
    count: int = 0
    first_ts: int | None = None
    last_ts: int | None = None
    first_origin: RawRecord | None = None
    failed_from: dict[int, int] = field(default_factory=dict)
    """Per source partition, the lowest source offset in this batch (``--dlq`` commits stop there on failure)."""

    def add(self, record: RawRecord, origin: RawRecord) -> None:
        self.count += 1
        ts = record.timestamp_ms
        if ts is not None:
            self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
            self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
        if self.first_origin is None:
            self.first_origin = origin
        if origin.partition is not None and origin.offset is not None:
            known = self.failed_from.get(origin.partition)
            if known is None or origin.offset < known:
                self.failed_from[origin.partition] = origin.offset


class BatchSender(Sender):
    """Fills one batch per target partition and hands whole batches to the producer (unpaced replays).

    ``producer.send`` costs tens of microseconds a record (a future, partition
    lookups, accumulator bookkeeping); appending to a :meth:`create_batch` builder
    is the record encoding alone. Per-partition order holds: batches of a partition
    are queued in order and the producer is idempotent. Records wait at most
    ``max_age_s`` in an open batch, as with ``linger_ms``. A failed batch fails
    every record in it.
    """

    CHECK_EVERY = 256

    def __init__(self, producer: AIOKafkaProducer, topic: str, tally: Tally, partitions: list[int],
                 max_age_s: float = 0.05, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(producer, topic, tally)
        self.partitions = sorted(partitions)
        self.max_age_s, self.clock = max_age_s, clock
        self.open: dict[int, _Batch] = {}
        self.shipped: deque[tuple[asyncio.Future[Any], _Batch]] = deque()
        self.max_record_bytes = 16 * 1024 * 1024
        self._since_check = 0

    def _partition_for(self, key: bytes | None) -> int:
        # The Java client's and aiokafka's default: murmur2 of the key; keyless records anywhere.
        return DefaultPartitioner()(key, self.partitions, self.partitions)  # type: ignore[no-any-return]

    async def send(self, record: RawRecord, partition: int | None, headers: list[tuple[str, bytes]], *,
                   timestamp_ms: int | None = None, origin: RawRecord | None = None) -> None:
        """Append one record to its partition's batch (ships the batch when full)."""
        source = origin or record
        if len(record.value) + len(record.key or b"") > self.max_record_bytes:
            self._failed(source, ValueError(f"record of {len(record.value)} bytes exceeds the request size limit"))
            return
        target = partition if partition is not None else self._partition_for(record.key)
        batch = self.open.get(target)
        if batch is None:
            batch = self.open[target] = _Batch(self.producer.create_batch(), self.clock())
        if batch.builder.append(timestamp=timestamp_ms, key=record.key, value=record.value,
                                headers=headers) is None:
            await self._ship(target)
            batch = self.open[target] = _Batch(self.producer.create_batch(), self.clock())
            # An empty batch always takes one record, however large (the broker judges its size).
            batch.builder.append(timestamp=timestamp_ms, key=record.key, value=record.value, headers=headers)
        batch.add(record, source)
        self._since_check += 1
        if self._since_check >= self.CHECK_EVERY:
            self._since_check = 0
            now = self.clock()
            for p in [p for p, b in self.open.items() if now - b.opened >= self.max_age_s]:
                await self._ship(p)

    async def _ship(self, partition: int) -> None:
        batch = self.open.pop(partition)
        if not batch.count:
            return
        batch.builder.close()
        try:
            future = await self.producer.send_batch(batch.builder, self.topic, partition=partition)
        except (KafkaError, ValueError, AssertionError) as exc:
            self._batch_failed(batch, exc)
            return
        self.shipped.append((future, batch))
        # The producer queues one batch per partition; a few per partition in flight keeps it busy.
        while len(self.shipped) > 4 * max(len(self.partitions), 1):
            await self._settle_batch()

    async def _settle_batch(self) -> None:
        future, batch = self.shipped.popleft()
        if not future.done():
            await asyncio.wait([future])
        exc = future.exception() if not future.cancelled() else asyncio.CancelledError()
        if exc is not None:
            self._batch_failed(batch, exc)
            return
        self.tally.sent += batch.count
        self.tally.covered(batch.first_ts)
        self.tally.covered(batch.last_ts)

    def _batch_failed(self, batch: _Batch, exc: BaseException) -> None:
        assert batch.first_origin is not None
        self._failed(batch.first_origin, exc)
        self.tally.failed += batch.count - 1
        for p, offset in batch.failed_from.items():
            prev = self.failed_at.get(p)
            self.failed_at[p] = offset if prev is None else min(prev, offset)

    async def flush(self) -> None:
        """Ship every open batch and wait for every batch in flight."""
        for p in list(self.open):
            await self._ship(p)
        while self.shipped:
            await self._settle_batch()

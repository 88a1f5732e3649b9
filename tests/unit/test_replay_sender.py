"""The batch sender without a broker: per-partition order, partitioning, batch failures, age-based shipping."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import KafkaTimeoutError
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatch

from agents.model import RawRecord
from streams.replay_core import Tally
from streams.replay_io import BatchSender


class FakeProducer:
    """Collects shipped batches; fails the partitions it is told to."""

    def __init__(self, batch_size: int = 1024, fail: frozenset[int] = frozenset()) -> None:
        self.batch_size, self.fail = batch_size, fail
        self.shipped: list[tuple[int, list[tuple[bytes | None, bytes]]]] = []

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_size, 0)

    async def send_batch(self, batch: BatchBuilder, topic: str, *, partition: int) -> asyncio.Future[Any]:
        data = batch._builder.build()
        self.shipped.append((partition, [(r.key, r.value) for r in DefaultRecordBatch(bytes(data))]))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if partition in self.fail:
            future.set_exception(KafkaTimeoutError())
        else:
            future.set_result(None)
        return future


def rec(i: int, partition: int | None = None, key: bool = True, offset: int | None = None) -> RawRecord:
    return RawRecord(value=f"value-{i}".encode() * 8, key=f"key-{i % 5}".encode() if key else None,
                     partition=partition, offset=offset, timestamp_ms=1000 + i)


def send_all(sender: BatchSender, records: list[RawRecord], partitions: list[int | None]) -> None:
    async def go() -> None:
        for r, p in zip(records, partitions, strict=True):
            await sender.send(r, p, [("h", b"v")], timestamp_ms=r.timestamp_ms, origin=r)
        await sender.flush()

    asyncio.run(go())


def test_per_partition_order_and_counts() -> None:
    """Records given a partition arrive there in input order, across several full batches."""
    producer, tally = FakeProducer(batch_size=300), Tally()
    sender = BatchSender(producer, "t", tally, [0, 1, 2])  # type: ignore[arg-type]
    records = [rec(i) for i in range(60)]
    send_all(sender, records, [i % 3 for i in range(60)])
    for p in range(3):
        got = [v for part, batch in producer.shipped if part == p for _, v in batch]
        assert got == [r.value for i, r in enumerate(records) if i % 3 == p], f"partition {p} out of order"
    assert len(producer.shipped) > 3, "small batches: several per partition"
    assert (tally.sent, tally.failed, tally.first_ts, tally.last_ts) == (60, 0, 1000, 1059)


def test_key_partitioning_is_stable() -> None:
    """Without a partition, one key always lands on the same partition (murmur2, like the Java client)."""
    producer = FakeProducer()
    sender = BatchSender(producer, "t", Tally(), [0, 1, 2, 3])  # type: ignore[arg-type]
    send_all(sender, [rec(i) for i in range(40)], [None] * 40)
    where: dict[bytes | None, set[int]] = {}
    for part, batch in producer.shipped:
        for key, _ in batch:
            where.setdefault(key, set()).add(part)
    assert all(len(parts) == 1 for parts in where.values()), where


def test_failed_batch_fails_all_its_records_and_marks_commit_stop() -> None:
    """A failed batch counts each of its records as failed and notes the lowest source offset per partition."""
    producer, tally = FakeProducer(fail=frozenset({1})), Tally()
    sender = BatchSender(producer, "t", tally, [0, 1])  # type: ignore[arg-type]
    records = [rec(i, offset=100 + i, partition=i % 2) for i in range(10)]
    send_all(sender, records, [i % 2 for i in range(10)])
    assert (tally.sent, tally.failed) == (5, 5), tally
    assert sender.failed_at == {1: 101}, sender.failed_at
    assert tally.problems and "KafkaTimeoutError" in tally.problems[0]


def test_old_open_batches_are_shipped_without_waiting_for_the_end() -> None:
    """A batch open longer than max_age_s is shipped at the next check, so slow partitions do not linger."""
    now = [0.0]
    producer = FakeProducer(batch_size=1 << 20)
    sender = BatchSender(producer, "t", Tally(), [0, 1], max_age_s=0.05, clock=lambda: now[0])  # type: ignore[arg-type]

    async def go() -> None:
        await sender.send(rec(0), 1, [], timestamp_ms=None)
        now[0] = 1.0
        for i in range(BatchSender.CHECK_EVERY):
            await sender.send(rec(i), 0, [], timestamp_ms=None)
        shipped = [p for p, _ in producer.shipped]
        assert shipped == [1], f"only the old partition-1 batch is shipped at the check: {shipped}"
        await sender.flush()

    asyncio.run(go())

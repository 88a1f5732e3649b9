"""Exactly-once commits (streams/eos.py): a transaction commits the offsets of exactly the events it holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

from streams.eos import Transactions


class TP(NamedTuple):
    topic: str
    partition: int


@dataclass
class Message:
    topic: str
    partition: int
    offset: int

    @property
    def tp(self) -> TP:
        return TP(self.topic, self.partition)


@dataclass
class Event:
    message: Message


@dataclass
class FakeProducer:
    tids: set[str]
    commits: list[tuple[str, dict[TP, int], bool]] = field(default_factory=list)

    @property
    def _transaction_producers(self) -> dict[str, object]:
        return {tid: object() for tid in self.tids}

    async def commit_transactions(self, by_tid: dict[str, dict[TP, int]], group_id: str,
                                  start_new_transaction: bool = True) -> None:
        for tid, offsets in by_tid.items():
            self.commits.append((tid, dict(offsets), start_new_transaction))


class FakeConsumer:
    def __init__(self) -> None:
        self.transactions = SimpleNamespace(commit=None)


class FakeApp:
    """The parts of a Faust app that Transactions touches."""

    def __init__(self, *, in_transaction: bool = True) -> None:
        self.in_transaction = in_transaction
        self.conf = SimpleNamespace(id="app", broker_commit_interval=2.8,
                                    processing_guarantee="exactly_once" if in_transaction else "at_least_once")
        self.assignor = SimpleNamespace(group_for_topic=lambda topic: 0)
        self.producer = FakeProducer({"app-0-0", "app-0-1"})
        self.consumer = FakeConsumer()
        self.delivered: list[Message] = []
        self.timers: list[Callable[[], Any]] = []
        self.revoke_handlers: list[Callable[..., Any]] = []
        self.crashed: list[BaseException] = []

        async def on_message(message: Message) -> None:
            self.delivered.append(message)

        self.topics = SimpleNamespace(on_message=on_message)
        self.on_partitions_revoked = SimpleNamespace(connect=self.revoke_handlers.append)

    def timer(self, interval: float) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        def register(fun: Callable[[], Any]) -> Callable[[], Any]:
            self.timers.append(fun)
            return fun
        return register

    async def crash(self, exc: BaseException) -> None:
        self.crashed.append(exc)


class FakeStream:
    """Yields the queued messages as events, after delivering each through the app's on_message hook."""

    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue()

    async def events(self) -> AsyncIterator[Event]:
        while (message := await self.queue.get()) is not None:
            yield Event(message)


async def deliver(app: FakeApp, stream: FakeStream, *offsets: int, yield_: bool = True, partition: int = 0) -> None:
    """The consumer hands records to the conductor; the stream yields them unless Faust skips them."""
    for offset in offsets:
        message = Message("raw", partition, offset)
        await app.topics.on_message(message)
        if yield_:
            stream.queue.put_nowait(message)


def build(*, in_transaction: bool = True) -> tuple[FakeApp, Transactions, FakeStream]:
    app = FakeApp(in_transaction=in_transaction)
    txns = Transactions(app, idle_timeout_s=2.0)
    txns.register(["raw"])
    return app, txns, FakeStream(app)


async def test_commit_waits_for_the_event_in_flight_and_covers_only_finished_ones() -> None:
    """A commit during an event waits until its sends are done, then commits the offset after it."""
    app, txns, stream = build()
    it = txns.events(stream)
    await deliver(app, stream, 0, 1)
    first = await it.__anext__()
    assert first.message.offset == 0
    second = await it.__anext__()  # event 0 finished; event 1 is now in flight
    assert second.message.offset == 1
    commit = asyncio.create_task(txns.commit())
    await asyncio.sleep(0.05)
    assert not commit.done(), "the commit must wait while event 1 is being processed"
    stream.queue.put_nowait(None)
    for _ in [x async for x in it]:
        pass  # event 1 finishes when the agent asks for the next one
    assert await commit is True
    assert app.producer.commits == [("app-0-0", {TP("raw", 0): 2}, True)], app.producer.commits


async def test_commit_before_any_finished_event_commits_nothing() -> None:
    """With the only event still in flight there is nothing to commit."""
    app, txns, stream = build()
    it = txns.events(stream)
    await deliver(app, stream, 0)
    await it.__anext__()
    assert await txns.commit() is False
    assert app.producer.commits == []


async def test_a_record_faust_dropped_is_processed_before_the_next_one() -> None:
    """A delivered record the stream never yielded is handed to the agent before the record after it."""
    app, txns, stream = build()
    it = txns.events(stream)
    await deliver(app, stream, 0)
    await deliver(app, stream, 1, yield_=False)  # Faust's iterator dropped offset 1
    await deliver(app, stream, 2)
    stream.queue.put_nowait(None)
    got = [event.message.offset async for event in it]
    assert got == [0, 1, 2], got
    await txns.commit()
    assert app.producer.commits == [("app-0-0", {TP("raw", 0): 3}, True)], app.producer.commits


async def test_records_read_again_after_a_seek_are_not_processed_twice() -> None:
    """Offsets below the last finished one (a re-read after a seek to the committed offset) are dropped."""
    app, txns, stream = build()
    it = txns.events(stream)
    await deliver(app, stream, 0, 1, 2)
    got = [(await it.__anext__()).message.offset for _ in range(3)]
    await deliver(app, stream, 1, 2, 3)  # Faust sought back to 1 while 0..2 are done
    stream.queue.put_nowait(None)
    got += [event.message.offset async for event in it]
    assert got == [0, 1, 2, 3], got


async def test_revoke_commits_and_ends_transactions() -> None:
    """On partitions revoked, finished work is committed and the transactions ended (no new one begun)."""
    app, txns, stream = build()
    it = txns.events(stream)
    await deliver(app, stream, 0)
    await deliver(app, stream, 5, partition=1)
    stream.queue.put_nowait(None)
    assert [event.message.offset async for event in it] == [0, 5]
    await app.revoke_handlers[0](app, {TP("raw", 0)})
    assert sorted(app.producer.commits) == [("app-0-0", {TP("raw", 0): 1}, False),
                                            ("app-0-1", {TP("raw", 1): 6}, False)], app.producer.commits


async def test_at_least_once_passes_events_through_untouched() -> None:
    """Outside exactly_once the wrapper yields every event and never commits."""
    app, txns, stream = build(in_transaction=False)
    await deliver(app, stream, 0, 2, 1)
    stream.queue.put_nowait(None)
    assert [event.message.offset async for event in txns.events(stream)] == [0, 2, 1]
    assert await txns.commit() is False
    assert app.consumer.transactions.commit is None, "Faust's own commit stays in place"


def test_at_least_once_installs_no_per_record_hooks() -> None:
    """Outside exactly_once nothing wraps the consumer's delivery, the stream or the table changelog."""
    app = FakeApp(in_transaction=False)
    deliver_before = app.topics.on_message
    txns = Transactions(app)
    txns.register(["raw"])
    table = SimpleNamespace(send_changelog=lambda partition, *args: None, changelog_topic_name="t-changelog")
    send_before = table.send_changelog
    txns.track_table(table)
    stream = FakeStream(app)
    assert app.topics.on_message is deliver_before, "the delivery hook must not be installed"
    assert app.timers == [] and app.revoke_handlers == [], (app.timers, app.revoke_handlers)
    assert table.send_changelog is send_before, "the changelog sender must not be wrapped"
    assert txns.events(stream).__class__.__name__ == "async_generator"
    assert txns.events(stream).ag_code is stream.events().ag_code, "events() must be the stream's own iterator"


def test_exactly_once_is_recognised_before_the_worker_runs() -> None:
    """``configured`` follows the app's setting (Faust's in_transaction is False until a worker runs)."""
    app = FakeApp(in_transaction=True)
    app.in_transaction = False  # as a real app reports it at build time
    txns = Transactions(app)
    assert txns.configured is True
    txns.register(["raw"])
    assert app.timers, "the exactly_once commit timer must be registered at build time"


async def test_commit_covers_partitions_of_the_same_id_that_finished_while_it_waited() -> None:
    """Two agents share a transactional id: the commit includes the offsets the other one finished meanwhile."""
    app, txns, raw = build()
    txns.register(["bysource"])
    bysource = FakeStream(app)
    first, second = txns.events(raw), txns.events(bysource)
    await deliver(app, raw, 0, 1)
    await app.topics.on_message(Message("bysource", 0, 7))
    bysource.queue.put_nowait(Message("bysource", 0, 7))
    await first.__anext__()
    await first.__anext__()  # raw 0 finished, raw 1 in flight
    await second.__anext__()  # bysource 7 in flight, never finished before the commit starts
    commit = asyncio.create_task(txns.commit())
    await asyncio.sleep(0.05)
    raw.queue.put_nowait(None)
    bysource.queue.put_nowait(None)
    assert [e async for e in first] == [] and [e async for e in second] == []
    await commit
    assert app.producer.commits == [("app-0-0", {TP("raw", 0): 2, TP("bysource", 0): 8}, True)], app.producer.commits

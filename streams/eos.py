"""Exactly-once commits for the Faust worker: each transaction holds exactly the events whose offsets it commits.

Input: the events the three agents consume (through :meth:`Transactions.events`) and the
table changelog writes they cause. Outcome: in ``exactly_once`` mode, every transaction of a
source partition group (Faust's transactional id ``<app>-<group>-<partition>``) is committed
with ``send_offsets_to_transaction`` offsets that cover every event whose outputs and state
writes it contains, and no event whose outputs it lacks. Side effects: replaces the offset
commit of Faust's TransactionManager, adds a commit timer and a partitions-revoked handler.

Why Faust's own commit is not used (faust-streaming 0.15.3, measured with
tests/integration/test_faults.py, SIGKILL mid-feed): Faust's commit timer runs beside the
agents and commits "the highest run of acked offsets" into whatever the transaction holds
at that moment, so

- an event still being processed has its outputs in the transaction but not its offset:
  after a crash it is processed again and its output appears twice under read_committed
  (seen: dedupe offset 4 published by the killed worker, committed, and again by its successor);
- under read_committed the input topics have gaps (transaction markers); Faust's gap
  bookkeeping (``Consumer._add_gap``) counts the message *after* a gap as acked as soon as it is
  fetched, so an offset can be committed past an event that has produced nothing yet: lost;
- duplicated entries in the acked list stall the commit, so the committed offset lags far
  behind the outputs already committed (re-processed as duplicates after a crash), and a
  stalled transaction holds back the last stable offset of every output partition it touched;
- the (Cython) stream iterator drops records it was handed while flow control is paused or
  from an older generation, neither processing nor acking them, and counts on a later seek to
  the committed offset to bring them back; a commit past them loses them (seen: raw offset 48
  never processed, 49 and later committed).

Here the agents iterate through :meth:`Transactions.events`, which records, per transactional
id, which events are in flight and the offset after the last finished one; a commit closes the
gate for new events of that id, waits for the in-flight ones to finish (their sends and
changelog writes handed to the transactional producer), then commits those offsets with the
transaction. Records the stream dropped are handed to the agent before the next record of
their partition; records read again below the finished offset (after a seek back) are skipped.
The transactional ids, producers and fencing stay Faust's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# A commit waits this long for in-flight events of one transactional id; past it the id is left
# for the next commit (an agent stuck longer than this is a fault the transaction timeout handles).
IDLE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class _Redelivered:
    """A record Faust's stream dropped, handed to the agent by :meth:`Transactions.events`."""

    message: Any


class Transactions:
    """Per-transactional-id bookkeeping of finished events and the commits that cover them."""

    def __init__(self, app: Any, *, idle_timeout_s: float = IDLE_TIMEOUT_S) -> None:
        self.app = app
        self.idle_timeout_s = idle_timeout_s
        self._done: dict[Any, int] = {}
        self._delivered: dict[Any, dict[int, Any]] = {}
        self._topics: set[str] = set()
        self._committed: dict[Any, int] = {}
        self._active: Counter[str] = Counter()
        self._open: dict[str, asyncio.Event] = {}
        self._idle: dict[str, asyncio.Event] = {}
        self._changelog: defaultdict[str, set[asyncio.Future[Any]]] = defaultdict(set)
        self._commit_lock: asyncio.Lock | None = None
        self._installed = False
        self.commits = 0

    @property
    def enabled(self) -> bool:
        """True in a worker running ``processing_guarantee=exactly_once``."""
        return bool(self.app.in_transaction)

    @property
    def configured(self) -> bool:
        """True when the app is configured for ``exactly_once``.

        Known when the app is built, unlike :attr:`enabled`, which Faust answers True only once a
        worker runs the app: the hooks are installed (or, in at_least_once, left out) at build time.
        """
        guarantee = self.app.conf.processing_guarantee
        return str(getattr(guarantee, "value", guarantee)) == "exactly_once"

    def transactional_id(self, topic: str, partition: int) -> str:
        """Faust's transactional id for a topic partition (copartitioned topics share one)."""
        return f"{self.app.conf.id}-{self.app.assignor.group_for_topic(topic)}-{partition}"

    def register(self, source_topics: Iterable[str]) -> None:
        """Add the commit timer, the revoke handler and the delivery hook (once, at build time, before start).

        Args:
            source_topics: the topics the agents consume through :meth:`events`.
        """
        app = self.app
        if not self.configured:
            # at_least_once: Faust's own commit stays, and every record goes straight from the
            # consumer to the streams (no hook, no timer: nothing per record on this path).
            return
        self._topics.update(source_topics)
        deliver = app.topics.on_message

        async def on_message(message: Any) -> None:
            # Every record the consumer hands to the streams, in offset order per partition.
            if message.topic in self._topics and self.enabled:
                self._on_delivered(message)
            await deliver(message)

        # The consumer takes this callback when it is created, at worker start.
        app.topics.on_message = on_message

        @app.timer(interval=app.conf.broker_commit_interval)  # type: ignore[untyped-decorator]
        async def commit_transactions() -> None:
            if self.enabled and self._installed:
                await self.commit()

        async def on_revoked(sender: Any, revoked: Any, **kwargs: Any) -> None:
            # Faust seeks the partitions it keeps back to their committed offsets after a
            # rebalance, so everything processed so far must be committed (and the
            # transactions ended) now, or it would be processed again into the same transaction.
            if self.enabled and self._installed:
                await self.commit(start_new_transaction=False)

        app.on_partitions_revoked.connect(on_revoked)

    def track_table(self, table: Any) -> None:
        """Count a table's changelog writes as part of the event that made them (exactly_once only)."""
        if not self.configured:
            return
        send_changelog = table.send_changelog

        def tracked(partition: int | None, *args: Any, **kwargs: Any) -> Any:
            fut = send_changelog(partition, *args, **kwargs)
            if self.enabled and partition is not None:
                pending = self._changelog[self.transactional_id(table.changelog_topic_name, partition)]
                pending.add(fut)
                fut.add_done_callback(pending.discard)
            return fut

        table.send_changelog = tracked

    def _install(self) -> None:
        if self._installed or not self.enabled:
            return
        # Faust's commit timer and its wait-empty/revoke path call the TransactionManager with
        # offsets from its acked-run bookkeeping; ours are the ones that match the transaction.
        self.app.consumer.transactions.commit = self._faust_commit
        self._commit_lock = asyncio.Lock()
        self._installed = True

    async def _faust_commit(self, offsets: Any, start_new_transaction: bool = True) -> bool:
        return await self.commit(start_new_transaction=start_new_transaction)

    def _gate(self, tid: str) -> asyncio.Event:
        gate = self._open.get(tid)
        if gate is None:
            gate = self._open[tid] = asyncio.Event()
            gate.set()
        return gate

    def _idle_event(self, tid: str) -> asyncio.Event:
        idle = self._idle.get(tid)
        if idle is None:
            idle = self._idle[tid] = asyncio.Event()
            idle.set()
        return idle

    def _on_delivered(self, message: Any) -> None:
        tp = message.tp
        delivered = self._delivered.get(tp)
        if delivered is None:
            delivered = self._delivered[tp] = {}
        # A seek back (Faust re-reads from the committed offset after pausing its flow)
        # delivers offsets again: forget the later ones, they come again in order.
        while delivered and next(reversed(delivered)) >= message.offset:
            delivered.popitem()
        delivered[message.offset] = message

    def _admit(self, message: Any) -> list[Any]:
        """The records to process now for ``message``: none if it is a re-read, else any skipped ones, then it."""
        tp, offset = message.tp, message.offset
        done = self._done.get(tp, -1)
        delivered = self._delivered.get(tp, {})
        for stale in _below(delivered, done):
            del delivered[stale]
        if offset < done:
            return []  # processed already (committed, or in the open transaction): a re-read
        # Faust's stream iterator drops records it was handed while its flow control is paused
        # or that come from an older generation (it counts on a later seek to the committed
        # offset to bring them back, which a commit past them would defeat). Records of this
        # partition delivered before this one and never processed were dropped so: process
        # them first, in order, so that no offset is committed past a record never processed.
        skipped = [delivered[o] for o in _below(delivered, offset)]
        if skipped:
            log.warning("exactly_once: %s:%s offsets %s were dropped by the stream; processing them first",
                        tp.topic, tp.partition, [m.offset for m in skipped])
        return [*skipped, message]

    def _finished(self, tp: Any, offset: int) -> None:
        self._done[tp] = offset + 1
        delivered = self._delivered.get(tp)
        if delivered:
            for o in _below(delivered, offset + 1):
                del delivered[o]

    def events(self, stream: Any) -> AsyncIterator[Any]:
        """``stream.events()``, with each event's transaction membership recorded (exactly_once only).

        In at_least_once this is ``stream.events()`` itself: no extra generator step per event.
        """
        self._install()
        if not self.enabled:
            return stream.events()  # type: ignore[no-any-return]
        return self._tracked_events(stream)

    async def _tracked_events(self, stream: Any) -> AsyncIterator[Any]:
        async for event in stream.events():
            for message in self._admit(event.message):
                tid = self.transactional_id(message.topic, message.partition)
                # A commit of this id is waiting for in-flight events: start after it, in the next transaction.
                await self._gate(tid).wait()
                self._active[tid] += 1
                self._idle_event(tid).clear()
                try:
                    # A dropped record goes to the agent as an event of its own; the agents read only
                    # ``event.message``, and Faust's current event (same partition) picks the same producer.
                    yield event if message is event.message else _Redelivered(message)
                    # The agent asked for the next event: this one's sends are with the producer.
                    # Its table writes go out through Faust's buffer; wait until they are too.
                    pending = list(self._changelog.get(tid, ()))
                    if pending:
                        _, late = await asyncio.wait(pending, timeout=self.idle_timeout_s)
                        if late:
                            # A write Faust never handed to the producer: this event cannot be
                            # committed; crash so the transaction is aborted and the event redone.
                            log.error("exactly_once: table writes of %s not sent after %.0fs", tid,
                                      self.idle_timeout_s)
                            await self.app.crash(TimeoutError(f"changelog writes of {tid} not sent"))
                            return
                        for fut in pending:
                            fut.result()  # a failed write fails the event (the commit would fail anyway)
                    self._finished(message.tp, message.offset)
                finally:
                    self._active[tid] -= 1
                    if self._active[tid] <= 0:
                        self._active[tid] = 0
                        self._idle_event(tid).set()

    async def commit(self, start_new_transaction: bool = True) -> bool:
        """Commit every transaction with progress, with the offsets after its finished events."""
        if self._commit_lock is None:
            return False
        from aiokafka.errors import ProducerFenced

        producer = self.app.producer
        did = False
        async with self._commit_lock:
            by_tid: defaultdict[str, list[Any]] = defaultdict(list)
            for tp in self._done:
                by_tid[self.transactional_id(tp.topic, tp.partition)].append(tp)
            for tid, tps in by_tid.items():
                if tid not in producer._transaction_producers:
                    # Revoked: the next owner's producer fences ours and aborts what it held.
                    continue
                if not any(self._done[tp] > self._committed.get(tp, -1) for tp in tps):
                    continue
                gate = self._gate(tid)
                gate.clear()
                try:
                    try:
                        await asyncio.wait_for(self._idle_event(tid).wait(), self.idle_timeout_s)
                    except TimeoutError:
                        log.warning("exactly_once: events of %s still in flight after %.0fs; commit deferred",
                                    tid, self.idle_timeout_s)
                        continue
                    # Events of this id that started on another partition while we waited are in
                    # the transaction too: take the finished offsets of every partition of the id now.
                    offsets = {tp: done for tp, done in self._done.items()
                               if self.transactional_id(tp.topic, tp.partition) == tid}
                    await producer.commit_transactions({tid: offsets}, self.app.conf.id,
                                                       start_new_transaction=start_new_transaction)
                    self._committed.update(offsets)
                    self.commits += 1
                    did = True
                except ProducerFenced as exc:
                    log.warning("exactly_once: producer %s fenced: %s", tid, exc)
                    await self.app.crash(exc)
                    return False
                finally:
                    gate.set()
            if not start_new_transaction:
                # Partitions are about to be reassigned and re-sought to the committed offsets.
                self._done.clear()
                self._committed.clear()
                self._delivered.clear()
        return did


def _below(delivered: dict[int, Any], offset: int) -> list[int]:
    """The delivered offsets under ``offset`` (keys are kept ascending: stop at the first one above)."""
    out = []
    for o in delivered:
        if o >= offset:
            break
        out.append(o)
    return out

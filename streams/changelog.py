"""Table changelog writes handed to the Kafka client by the agent that made them (at_least_once).

Input: the Faust tables an agent writes (``track``) and that agent's calls to :meth:`flush`.
Outcome: every table write becomes the same changelog record Faust would send (Faust builds
it: same key and value bytes, same partition, same callback that records the persisted
offset), sent in the order the writes were made, before :meth:`flush` returns. Side effects:
replaces each tracked table's ``send_changelog``; crashes the app if a write cannot be handed
to the client (as Faust's own sender task would).

Why not Faust's path: Faust puts each write into its producer buffer, and a background task
sends them one per event-loop pass. Hop 3 writes ~6 dedup-state keys per article and must hand
them to the client before the article's output, so it waited for ~6 passes of the loop per
article, each of which also runs a slice of hop 2 (milliseconds of cleaning and enrichment):
at a steady 60 articles/s hop 3 fell behind by seconds while the process used less than half a
core (measured, ``streams/bench/e2e.py`` latency area). Sent inline, a write costs one call.

Delivery is unchanged: the writes reach the client before the agent asks for its next event,
so before Faust can count the event as processed; Faust's offset commit still waits for
``producer.flush()``, which waits for them to be acknowledged.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class InlineChangelog:
    """Changelog writes of the tracked tables, queued as they happen and sent by :meth:`flush`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._pending: list[Any] = []

    @property
    def pending(self) -> int:
        """Writes made and not yet handed to the client."""
        return len(self._pending)

    def track(self, table: Any) -> None:
        """Queue ``table``'s changelog writes here instead of in Faust's producer buffer."""
        topic = table.changelog_topic
        pending = self._pending

        def send_changelog(partition: int | None, key: Any, value: Any, key_serializer: Any = None,
                           value_serializer: Any = None) -> Any:
            # Faust's own Collection.send_changelog, but for where the message goes: the same
            # FutureMessage (serialised key and value, final partition, persisted-offset callback).
            fut = topic.as_future_message(
                key=key, value=value, partition=partition,
                key_serializer=table.key_serializer if key_serializer is None else key_serializer,
                value_serializer=table.value_serializer if value_serializer is None else value_serializer,
                callback=table._on_changelog_sent, eager_partitioning=True)
            pending.append(fut)
            return fut

        table.send_changelog = send_changelog

    async def flush(self) -> None:
        """Hand every queued write to the Kafka client, in the order the writes were made."""
        pending = self._pending
        while pending:
            batch = pending[:]
            del pending[:]
            for fut in batch:
                try:
                    await fut.message.channel.publish_message(fut, wait=False)
                except BaseException as exc:
                    # A state write that never reached the client: the event must not count as
                    # processed. Crash, so the worker restarts from the last committed offset.
                    log.error("changelog write to %s not sent: %r", fut.message.channel.get_topic_name(), exc)
                    await self.app.crash(exc)
                    raise

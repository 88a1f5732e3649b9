"""A current-story view of the wire, built from ``wire.stories`` alone.

``wire.stories`` is compacted and keyed by story uri, and the last record of a uri is
always that story's latest version, so reading it from the beginning bootstraps the
current state of every story and reading on keeps it current. A kill is the story with
``pubstatus`` ``canceled``, never a deletion: keep it, it tells you to take the story down.

Run it (needs only aiokafka)::

    python deploy/examples/current_stories.py 127.0.0.1:9092 wire.stories

tests/integration/test_stories.py imports this file, so the example is tested.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer

Story = dict[str, Any]


def apply(view: dict[str, Story], key: bytes | None, value: bytes | None) -> Story | None:
    """Fold one record into ``view`` (the later record of a uri wins); returns the story."""
    if key is None or value is None:
        return None  # wirestream never sends these (kills are versions, not tombstones)
    story: Story = json.loads(value)
    view[key.decode()] = story
    return story


def consumer_for(bootstrap: str, topic: str = "wire.stories", **client: Any) -> AIOKafkaConsumer:
    """A consumer of every partition of ``topic``, with no group, that sees committed records only."""
    # read_committed: in exactly_once mode, records of aborted transactions are never seen;
    # in at_least_once mode it changes nothing.
    return AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                            auto_offset_reset="earliest", isolation_level="read_committed", **client)


async def catch_up(consumer: AIOKafkaConsumer, view: dict[str, Story]) -> int:
    """Read from the beginning to the end as of now into ``view``; returns the records read."""
    partitions = sorted(consumer.assignment())  # without a group: all partitions, once started
    await consumer.seek_to_beginning(*partitions)
    end = await consumer.end_offsets(partitions)
    read = 0
    while any([await consumer.position(tp) < end[tp] for tp in partitions]):
        for messages in (await consumer.getmany(timeout_ms=1000)).values():
            for message in messages:
                apply(view, message.key, message.value)
                read += 1
    return read


async def read_current(bootstrap: str, topic: str = "wire.stories", **client: Any) -> dict[str, Story]:
    """Every story's latest version, as of now: uri -> enriched message."""
    consumer = consumer_for(bootstrap, topic, **client)
    await consumer.start()
    try:
        view: dict[str, Story] = {}
        await catch_up(consumer, view)
        return view
    finally:
        await consumer.stop()


async def follow(bootstrap: str, topic: str = "wire.stories") -> None:
    """Bootstrap the view, then keep it current, printing each change."""
    consumer = consumer_for(bootstrap, topic)
    await consumer.start()
    try:
        view: dict[str, Story] = {}
        read = await catch_up(consumer, view)
        killed = sum(1 for story in view.values() if story["pubstatus"] == "canceled")
        print(f"{len(view)} stories ({killed} killed) from {read} records")
        async for message in consumer:
            story = apply(view, message.key, message.value)
            if story is not None:
                print(f"{story['uri']} v{story['version']} {story['pubstatus']}: {story['headlines'][0]['value']}")
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(follow(*(sys.argv[1:3] or ["127.0.0.1:9092"])))

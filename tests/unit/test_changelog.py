"""streams/changelog.py: table writes are built by Faust, queued in order and sent by the agent's flush."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from streams.changelog import InlineChangelog


@dataclass
class FakeTopic:
    """A changelog topic: builds messages as Faust's as_future_message does and records what is published."""

    name: str
    published: list[tuple[str, Any, Any, int | None]] = field(default_factory=list)
    fail_on: Any = None
    built: list[dict[str, Any]] = field(default_factory=list)

    def get_topic_name(self) -> str:
        return self.name

    def as_future_message(self, **kwargs: Any) -> Any:
        self.built.append(kwargs)
        message = SimpleNamespace(channel=self, key=kwargs["key"], value=kwargs["value"],
                                  partition=kwargs["partition"], callback=kwargs["callback"])
        return SimpleNamespace(message=message)

    async def publish_message(self, fut: Any, wait: bool = False) -> None:
        await asyncio.sleep(0)  # a real send may yield to the loop
        if fut.message.key == self.fail_on:
            raise RuntimeError("client closed")
        self.published.append((self.name, fut.message.key, fut.message.value, fut.message.partition))


class FakeTable:
    def __init__(self, name: str, *, fail_on: Any = None) -> None:
        self.changelog_topic = FakeTopic(f"{name}-changelog", fail_on=fail_on)
        self.key_serializer = "raw-key"
        self.value_serializer = "raw-value"
        self.sent_offsets: list[Any] = []

    def _on_changelog_sent(self, fut: Any) -> None:
        self.sent_offsets.append(fut)


class FakeApp:
    def __init__(self) -> None:
        self.crashed: list[BaseException] = []

    async def crash(self, exc: BaseException) -> None:
        self.crashed.append(exc)


def test_writes_are_sent_in_the_order_made_and_only_on_flush() -> None:
    """Writes wait in the queue until flush, then go out in write order across tables."""
    app, stories, embargo = FakeApp(), FakeTable("stories"), FakeTable("embargo")
    changelog = InlineChangelog(app)
    changelog.track(stories)
    changelog.track(embargo)
    stories.send_changelog(0, "a", b"1")
    embargo.send_changelog(0, "held", b"x")
    stories.send_changelog(0, "a", b"2")
    assert changelog.pending == 3 and stories.changelog_topic.published == [], "nothing is sent before flush"
    asyncio.run(changelog.flush())
    sent = stories.changelog_topic.published + embargo.changelog_topic.published
    assert [(k, v) for _, k, v, _ in stories.changelog_topic.published] == [("a", b"1"), ("a", b"2")], sent
    assert embargo.changelog_topic.published == [("embargo-changelog", "held", b"x", 0)], sent
    assert changelog.pending == 0


def test_messages_are_built_as_faust_builds_them() -> None:
    """Table serializers, the explicit partition, eager partitioning and the persisted-offset callback."""
    table = FakeTable("stories")
    changelog = InlineChangelog(FakeApp())
    changelog.track(table)
    fut = table.send_changelog(3, "k", None, value_serializer="raw")
    built = table.changelog_topic.built[0]
    assert fut.message.partition == 3, "Table.on_key_set reads the partition from the returned message"
    assert built["key_serializer"] == "raw-key" and built["value_serializer"] == "raw", built
    assert built["eager_partitioning"] is True and built["callback"] == table._on_changelog_sent, built


def test_writes_made_during_a_flush_are_sent_by_it() -> None:
    """Another agent's writes queued while a flush awaits the client go out before that flush returns."""
    app, stories, boilerplate = FakeApp(), FakeTable("stories"), FakeTable("boilerplate")
    changelog = InlineChangelog(app)
    changelog.track(stories)
    changelog.track(boilerplate)

    async def scenario() -> None:
        stories.send_changelog(0, "s1", b"1")
        flushing = asyncio.create_task(changelog.flush())
        await asyncio.sleep(0)  # the flush is now awaiting the client
        boilerplate.send_changelog(2, "src", b"j")
        await flushing

    asyncio.run(scenario())
    assert boilerplate.changelog_topic.published == [("boilerplate-changelog", "src", b"j", 2)]
    assert changelog.pending == 0


def test_a_write_that_cannot_be_sent_crashes_the_app() -> None:
    """A state write the client refused must not let the event count as processed: the app crashes."""
    app, stories = FakeApp(), FakeTable("stories", fail_on="bad")
    changelog = InlineChangelog(app)
    changelog.track(stories)
    stories.send_changelog(0, "bad", b"1")
    with pytest.raises(RuntimeError, match="client closed"):
        asyncio.run(changelog.flush())
    assert len(app.crashed) == 1 and isinstance(app.crashed[0], RuntimeError), app.crashed

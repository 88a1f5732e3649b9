"""Dedup across partitions and workers: 2 worker processes, 4 input partitions, a SIGKILL and a restart."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.settings import Settings
from tests.support import WorkerProcess, create_topics, output_topics

pytestmark = pytest.mark.integration

PARAS = [
    "OSLO (Test Wire) - Norway's wealth fund, the world's largest, posted a record first-half gain of 1.5 trillion "
    "crowns on Wednesday, driven by a rally in technology shares, the central bank said.",
    "The fund, which invests the country's oil and gas revenue abroad, returned 8.6% in the period.",
    "Chief executive Nicolai Tangen warned that markets were unusually concentrated in a few large companies.",
]
UPDATE = ["The fund's value stood at 19.7 trillion crowns at the end of June, equal to about 3.6 million crowns "
          "for every Norwegian citizen."]
REPORT = ("LONDON (Test Wire) - Britain's FTSE 100 index closed {dir} {pct}% at {level} on {day}, with miners {mv} "
          "and banks {bv}.\n\nTrading volume was {vol} million shares.")


def ninjs(version: int, paras: list[str], pubstatus: str = "usable",
          headline: str = "Norway fund posts record gain") -> bytes:
    return json.dumps({"uri": "urn:test:norway-fund", "version": str(version), "pubstatus": pubstatus,
                       "headlines": [{"value": headline}], "bodies": [{"value": "\n\n".join(paras)}]}).encode()


def page(source: str, paras: list[str]) -> tuple[bytes, list[tuple[str, bytes]]]:
    text = ("Subscribe now and save 50%\n\nNorway fund posts record gain\n\n" + "\n\n".join(paras)
            + "\n\nShare this article\n\n(c) 2026 " + source + ". All rights reserved.")
    return text.encode(), [("content-type", b"text/plain"), ("source", source.encode())]


def report(**kw: str) -> bytes:
    return json.dumps({"id": f"ftse-{kw['day']}", "source": "markets.example", "title": "FTSE 100 closes",
                       "body": REPORT.format(**kw)}).encode()


class Feed:
    """Produce one record at a time to a chosen partition and read the output it caused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
        self.consumer = AIOKafkaConsumer(*output_topics(settings), bootstrap_servers=settings.kafka_bootstrap,
                                         group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)

    async def __aenter__(self) -> Feed:
        await self.producer.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()
        await self.consumer.stop()

    async def send(self, value: bytes, partition: int, headers: list[tuple[str, bytes]] | None = None,
                   timeout_s: float = 90.0) -> tuple[str, dict[str, Any]]:
        await self.producer.send_and_wait(self.settings.topics.raw, value=value, partition=partition,
                                          headers=headers or [])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=500)
            for tp, messages in batch.items():
                for m in messages:
                    return tp.topic, json.loads(m.value)
        raise AssertionError(f"no output within {timeout_s}s for a record on partition {partition}")


def verdict(settings: Settings, topic: str, value: dict[str, Any]) -> tuple[str, ...]:
    t = settings.topics
    if topic == t.enriched:
        return ("enriched", value["wirestream"]["verdict"], value["version"], value["pubstatus"])
    if topic == t.duplicates:
        return ("duplicate", value["reason"], value["duplicate_of"]["version"])
    return ("dlq", value["error"]["code"])


def test_two_workers_four_partitions_with_kill_and_restart(settings: Settings, tmp_path: Path) -> None:
    """Copies on other partitions meet the same state; a SIGKILLed worker's state is recovered."""
    create_topics(settings)
    w1 = WorkerProcess(settings, tmp_path / "w1.log")
    from dataclasses import replace

    from streams.localbroker import free_port

    s2 = replace(settings, data_dir=tmp_path / "data2", web_port=free_port())
    w2 = WorkerProcess(s2, tmp_path / "w2.log")
    try:
        w1.start()
        w2.start()
        w1.wait_ready()
        w2.wait_ready()
        time.sleep(3)  # let the group settle with both members before feeding

        async def scenario() -> list[tuple[str, ...]]:
            got = []
            async with Feed(settings) as feed:
                steps: list[tuple[bytes, int, list[tuple[str, bytes]] | None]] = [
                    (ninjs(1, PARAS), 0, None),                                   # new
                    (ninjs(1, PARAS), 1, None),                                   # exact resend, other partition
                    (*page("mirror.example", PARAS)[:1], 2, page("mirror.example", PARAS)[1]),  # syndicated copy
                    (ninjs(2, PARAS + UPDATE), 3, None),                          # update -> v2
                    (report(dir="up", pct="0.6", level="8,210.4", day="Monday", mv="up", bv="flat", vol="610"),
                     1, None),
                    (report(dir="down", pct="1.1", level="8,120.2", day="Tuesday", mv="down", bv="up", vol="702"),
                     2, None),
                    (ninjs(3, ["This story has been withdrawn."], "canceled", "KILL - Norway fund"), 0, None),  # kill
                ]
                for value, partition, headers in steps:
                    got.append(verdict(settings, *await feed.send(value, partition, headers)))
            return got

        first = asyncio.run(scenario.__call__())
        assert first == [
            ("enriched", "new", "1", "usable"),
            ("duplicate", first[1][1], "1"),
            ("duplicate", first[2][1], "1"),
            ("enriched", "version", "2", "usable"),
            ("enriched", "new", "1", "usable"),
            ("enriched", "new", "1", "usable"),
            ("enriched", "version", "3", "canceled"),
        ], first
        assert first[1][1] in {"exact", "resend"} and first[2][1] in {"syndicated", "near", "exact"}, first

        w1.kill()  # SIGKILL: no clean shutdown, state only in changelogs
        w1.start()
        w1.wait_ready()
        time.sleep(3)

        async def after_restart() -> list[tuple[str, ...]]:
            async with Feed(settings) as feed:
                # Skip what the first phase produced: read to the end first.
                while await feed.consumer.getmany(timeout_ms=1000):
                    pass
                out = []
                for partition in range(4):
                    value, headers = page(f"copy{partition}.example", PARAS + UPDATE)
                    out.append(verdict(settings, *await feed.send(value, partition, headers)))
                out.append(verdict(settings, *await feed.send(
                    report(dir="up", pct="0.6", level="8,210.4", day="Monday", mv="up", bv="flat", vol="610"), 3)))
                return out

        second = asyncio.run(after_restart())
        assert all(v[0] == "duplicate" for v in second), (
            f"copies sent after the restart were not all caught: {second}\nw1:\n{w1.log_tail()}\nw2:\n{w2.log_tail()}")
    finally:
        w1.stop()
        w2.stop()

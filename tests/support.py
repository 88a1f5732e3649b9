"""Test helpers shared by the integration and e2e tiers: real broker I/O and real worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.localbroker import free_port
from streams.settings import Settings, TopicSettings, to_env
from streams.topics import TopicPlan, ensure_topics

REPO = Path(__file__).resolve().parents[1]


def unique_settings(bootstrap: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings with a unique app id and topic names, so tests never see each other's records."""
    tag = uuid.uuid4().hex[:8]
    topics = TopicSettings(raw=f"t{tag}.raw", enriched=f"t{tag}.enriched", duplicates=f"t{tag}.duplicates",
                           dlq=f"t{tag}.dlq", stories=f"t{tag}.stories")
    base = Settings(kafka_bootstrap=bootstrap, app_id=f"ws-test-{tag}", topics=topics, data_dir=data_dir,
                    web_port=free_port(), partitions=4)
    return replace(base, **overrides)


@dataclass(frozen=True)
class Consumed:
    """One record read back from an output topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def json(self) -> Any:
        """The value decoded as JSON."""
        return orjson.loads(self.value)


Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


async def produce(settings: Settings, topic: str, records: Iterable[Record]) -> int:
    """Send (key, value, headers) records and wait for every ack; returns the count."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=5,
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k, headers=h) for k, v, h in records]
        await asyncio.gather(*futures)
        return len(futures)
    finally:
        await producer.stop()


async def consume(settings: Settings, topics: list[str], expect: int, timeout_s: float = 90.0,
                  isolation: str = "read_uncommitted") -> list[Consumed]:
    """Read from the start of ``topics`` until ``expect`` records arrived or the timeout passed."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                isolation_level=isolation, fetch_max_bytes=16 * 1024 * 1024,
                                max_partition_fetch_bytes=16 * 1024 * 1024)
    await consumer.start()
    got: list[Consumed] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(got) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, messages in batch.items():
                for m in messages:
                    got.append(Consumed(tp.topic, tp.partition, m.offset, m.key, m.value, tuple(m.headers or ())))
        # A short grace read catches records beyond the expected count (duplicates).
        extra_deadline = time.monotonic() + 1.5
        while time.monotonic() < extra_deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for tp, messages in batch.items():
                for m in messages:
                    got.append(Consumed(tp.topic, tp.partition, m.offset, m.key, m.value, tuple(m.headers or ())))
        return got
    finally:
        await consumer.stop()


def output_topics(settings: Settings) -> list[str]:
    """The three output topics."""
    t = settings.topics
    return [t.enriched, t.duplicates, t.dlq]


def create_topics(settings: Settings) -> None:
    """Create the pipeline's topics before producing (workers would create them too)."""
    asyncio.run(ensure_topics(settings))


class WorkerProcess:
    """A real ``wirestream worker`` process configured by ``settings``."""

    def __init__(self, settings: Settings, log_path: Path, extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
        env.update(to_env(settings))
        env.update(extra_env or {})
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        """Start the process (returns at once; use :meth:`wait_ready`)."""
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "streams", "worker", "--loglevel", "WARNING"],
                                     env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        return self

    @property
    def base_url(self) -> str:
        """The worker's web server."""
        return f"http://127.0.0.1:{self.settings.web_port}"

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """GET a path on the worker's web server: (status, body)."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Block until ``/readyz`` answers 200, or fail with the worker's log."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.get("/readyz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"worker not ready after {timeout_s}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 80) -> str:
        """The end of the worker's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 60.0) -> int | None:
        """SIGTERM and wait (SIGKILL after the timeout)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL (fault injection)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def plan_of(settings: Settings) -> TopicPlan:
    """The topic plan of settings."""
    return TopicPlan.from_settings(settings)

"""Replay throughput: ``wirestream replay`` of a Reuters archive vs a bare aiokafka producer loop.

The Reuters-21578 corpus is converted to the archive format (generic feed JSON, key
``reuters-<id>``, the story's 1987 date as record timestamp) in a temporary folder,
gzipped as operators keep archives. Then, on one broker (``WIRESTREAM_KAFKA_BOOTSTRAP``
or a local one), each into its own fresh 4-partition topic:

- baseline: a bare loop ``await producer.send(...)`` over the same records already in
  memory (no file, no parsing), with the replay tool's producer configuration
  (acks=all, idempotent, linger 10 ms, 512 KiB batches), waiting for every ack;
- replay: ``streams.replay.main([archive, --topic T])`` in-process: read and parse the
  gzipped archive, add the replay-id header, choose partitions, pace (none), send
  with a bounded in-flight window, wait for every ack, print the summary.

Both times include producer start-up; each side runs three times, alternating which
goes first, and the best run counts. Target: replay >= 50% of the bare loop's rate
(wall time). Process CPU time is reported too: on a machine shared with other jobs it
is the steadier figure. A paced run (``--rate``) checks the achieved rate against the
asked one.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from agents.model import RawRecord
from streams.archive import to_line
from streams.bench import harness
from streams.replay import Console, main
from streams.settings import Settings, to_env
from streams.topics import ensure_topics

TARGET_RATIO = 0.5
PARTITIONS = 4


def reuters_archive(n: int | None, path: Path) -> list[RawRecord]:
    """Write ``n`` Reuters stories (all when None) as a gzipped archive; returns the records written."""
    import gzip

    docs = harness.reuters_docs()
    count = len(docs) if n is None else min(n, len(docs))
    records = []
    for record, doc in zip(harness.reuters_records(count, "generic"), docs, strict=False):
        ts = None
        if doc.get("date"):
            ts = int(datetime.fromisoformat(doc["date"]).replace(tzinfo=UTC).timestamp() * 1000)
        records.append(RawRecord(value=record.value, key=record.key, headers=record.headers, timestamp_ms=ts))
    with gzip.open(path, "wb", compresslevel=6) as out:
        for record in records:
            out.write(to_line(record))
    return records


def _producer(bootstrap: str) -> AIOKafkaProducer:
    # The replay tool's producer configuration (streams.replay_io.producer_for), so the loop is what differs.
    return AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10,
                            max_batch_size=512 * 1024, max_request_size=16 * 1024 * 1024)


async def bare_loop(bootstrap: str, topic: str, records: list[RawRecord]) -> float:
    """Seconds for a bare producer loop to send ``records`` and get every ack (start-up included)."""
    started = time.perf_counter()
    producer = _producer(bootstrap)
    await producer.start()
    try:
        pending = []
        for rec in records:
            pending.append(await producer.send(topic, value=rec.value, key=rec.key, headers=list(rec.headers)))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


def replay_tool(settings: Settings, archive: Path, topic: str, extra: list[str] | None = None) -> tuple[float, int,
                                                                                                       str]:
    """Seconds for ``wirestream replay`` to send the archive; (seconds, exit code, summary)."""
    err = io.StringIO()
    started = time.perf_counter()
    code = main([str(archive), "--topic", topic, "--progress", "off", *(extra or [])], env=to_env(settings),
                console=Console(io.BytesIO(), err, tty=False))
    return time.perf_counter() - started, code, err.getvalue()


async def warm_up(bootstrap: str, topics: list[str]) -> None:
    """One record to every partition, so leader elections of the new topics do not land in either timing."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(t, b"warm-up", partition=p) for t in topics
                               for p in range(PARTITIONS)])
    finally:
        await producer.stop()


async def topic_size(bootstrap: str, topic: str) -> int:
    """Records in a topic (sum of end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return sum((await consumer.end_offsets(tps)).values())
    finally:
        await consumer.stop()


def _timed(fn: Any) -> tuple[float, float, Any]:
    """(wall seconds, process CPU seconds, result) of ``fn()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run(quick: bool = False) -> dict[str, Any]:
    """Measure replay vs the bare loop (best of three, alternating order); print a table; return the figures."""
    n = 3000 if quick else None
    rounds = 3
    bootstrap = harness.bootstrap()
    with tempfile.TemporaryDirectory(prefix="ws-bench-replay-") as tmp:
        archive = Path(tmp) / "reuters.jsonl.gz"
        records = reuters_archive(n, archive)
        tag = uuid.uuid4().hex[:8]
        settings = harness.bench_settings(bootstrap, Path(tmp) / "data", tag=tag, partitions=PARTITIONS)
        topics = {f"bench{tag}.{name}{i}": PARTITIONS for name in ("bare", "replay") for i in range(rounds)}
        topics[f"bench{tag}.paced"] = PARTITIONS
        asyncio.run(ensure_topics(settings, extra=topics))
        asyncio.run(warm_up(bootstrap, list(topics)))
        bare: list[tuple[float, float]] = []
        replay: list[tuple[float, float]] = []
        for i in range(rounds):
            # Alternate which goes first: a busy shared machine should not favour one side.
            order = ("bare", "replay") if i % 2 == 0 else ("replay", "bare")
            for side in order:
                if side == "bare":
                    wall, cpu, _ = _timed(lambda i=i: asyncio.run(bare_loop(bootstrap, f"bench{tag}.bare{i}",
                                                                            records)))
                    bare.append((wall, cpu))
                else:
                    wall, cpu, (_, code, summary) = _timed(lambda i=i: replay_tool(settings, archive,
                                                                                   f"bench{tag}.replay{i}"))
                    if code != 0:
                        raise RuntimeError(f"replay failed (exit {code}):\n{summary}")
                    replay.append((wall, cpu))
        landed = asyncio.run(topic_size(bootstrap, f"bench{tag}.replay0")) - PARTITIONS
        asked = 2000.0
        paced_n = 1000 if quick else 4000
        took, _, _ = replay_tool(settings, archive, f"bench{tag}.paced", ["--rate", str(asked), "--limit",
                                                                          str(paced_n)])
    count = len(records)
    bare_rate, replay_rate = count / min(w for w, _ in bare), count / min(w for w, _ in replay)
    bare_cpu_rate, replay_cpu_rate = count / min(c for _, c in bare), count / min(c for _, c in replay)
    paced_rate = paced_n / took
    ratio = replay_rate / bare_rate
    note = f"{count} records, best of {rounds}"
    figures = [
        harness.figure("replay reuters archive (.jsonl.gz), wall", replay_rate, "records/s", baseline=bare_rate,
                       baseline_name="bare aiokafka send loop", target=f">= {TARGET_RATIO:.0%} of baseline",
                       met=ratio >= TARGET_RATIO, note=note),
        harness.figure("replay reuters archive (.jsonl.gz), cpu", replay_cpu_rate, "records/cpu-s",
                       baseline=bare_cpu_rate, baseline_name="bare aiokafka send loop",
                       note=note + "; process CPU time, steadier than wall time on a shared machine"),
        harness.figure(f"replay --rate {asked:.0f}", paced_rate, "records/s", baseline=asked,
                       baseline_name="asked rate", note=f"{paced_n} records, start-up included"),
    ]
    harness.print_table("replay" + (" (quick)" if quick else ""), figures)
    print(f"   records {count}, landed {landed}; bare wall/cpu {[(round(w, 2), round(c, 2)) for w, c in bare]} s, "
          f"replay {[(round(w, 2), round(c, 2)) for w, c in replay]} s")
    return {"records": count, "landed": landed, "bare_s": bare, "replay_s": replay, "bare_rate": bare_rate,
            "replay_rate": replay_rate, "ratio": ratio, "bare_cpu_rate": bare_cpu_rate,
            "replay_cpu_rate": replay_cpu_rate, "paced_rate": paced_rate, "paced_asked": asked, "figures": figures}


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)

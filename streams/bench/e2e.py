"""Through the real broker: throughput (1 and 2 workers), latency at a fixed load, worker memory.

Every figure has a same-run baseline from :mod:`streams.bench.passthrough`, a Faust agent
that only decodes, re-encodes and forwards (same broker, input topic, partitions, Faust).

- ``run`` (area ``e2e``): N Reuters stories (generic JSON, dealt to 16 feed names: see
  ``SOURCES``) are produced to the raw topic BEFORE any worker starts; then, one after the
  other and each as its own consumer group, the passthrough worker, one pipeline worker and
  two pipeline workers read all of them.
  Throughput is outputs / (last output's broker timestamp - first output's), so worker
  start-up and the pipeline's fill time are excluded for every contender alike; outputs per
  worker CPU-second (``/proc/<pid>/stat``) is the same figure freed from other processes' load.
- ``run_latency`` (area ``latency``): with a worker ready, records are produced at fixed
  rates (200/s for 60 s and 20/s for 30 s; quick: 20/s for 10 s), each stamped with its
  send time; latency is the output record's timestamp minus the source timestamp the output
  message carries (``wirestream.source.timestamp_ms``).
- ``run_memory`` (area ``memory``): worker RSS once ready, then sampled while it processes
  100,000 articles (quick: 2,000); dedup state bytes per article from the first 20,000 of
  them through ``Deduper.stats``.

The dedupe hop (hop 3) has ONE partition by design (every copy of a story must meet the
same state), so a second worker only shares hops 1 and 2; the scale figure says so.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from agents.model import RawRecord
from streams.bench import harness
from streams.localbroker import free_port
from streams.settings import Settings, TopicSettings
from streams.topics import ensure_topics

PASSTHROUGH = ("streams.bench.passthrough",)
# Hop 2 is keyed by source: a one-source feed would put every article on one partition of it.
# An aggregator sees many feeds; the throughput feed deals the stories to this many names.
SOURCES = 16
WORKER = ("streams", "worker")


class Run:
    """One benchmark run's scratch folder, base settings and (pre-created) raw topic."""

    def __init__(self, name: str) -> None:
        self.tag = uuid.uuid4().hex[:8]
        self.dir = Path(tempfile.mkdtemp(prefix=f"wsbench-{name}-"))
        self.bootstrap = harness.bootstrap()
        self.base = harness.bench_settings(self.bootstrap, self.dir / "data", self.tag)

    def variant(self, name: str, *, passthrough: bool = False) -> Settings:
        """Settings for one contender: own consumer group, own output topics, same raw topic."""
        t = self.base.topics
        prefix = f"bench{self.tag}.{name}"
        topics = TopicSettings(raw=t.raw, enriched=f"{prefix}.enriched", duplicates=f"{prefix}.duplicates",
                               dlq=f"{prefix}.dlq")
        return replace(self.base, app_id=f"wsbench-{self.tag}-{name}", topics=topics,
                       data_dir=self.dir / name, web_port=free_port(),
                       store="memory" if passthrough else self.base.store)

    def worker(self, settings: Settings, name: str, module: Sequence[str] = WORKER) -> harness.Worker:
        """A worker process for ``settings`` with its own data folder, web port and log."""
        own = replace(settings, data_dir=self.dir / name, web_port=free_port())
        return harness.Worker(own, self.dir / f"{name}.log", module=module)

    def cleanup(self) -> None:
        """Remove the scratch folder (logs included)."""
        shutil.rmtree(self.dir, ignore_errors=True)


def outputs_of(settings: Settings, passthrough: bool) -> list[str]:
    """The topics a contender writes to."""
    t = settings.topics
    return [t.enriched] if passthrough else [t.enriched, t.duplicates, t.dlq]


def throughput(received: Sequence[harness.Received]) -> float | None:
    """Inputs answered per second, between the first and the last first answer's broker timestamps.

    Redelivered copies (at-least-once, after a rebalance) are outputs but not throughput.
    """
    received = harness.answered(received)
    if len(received) < 2:
        return None
    stamps = [r.timestamp_ms for r in received]
    span_ms = max(stamps) - min(stamps)
    return (len(received) - 1) / (span_ms / 1000) if span_ms > 0 else None


def drain(settings: Settings, workers: list[harness.Worker], expect: int, passthrough: bool,
          timeout_s: float, on_progress: Callable[[int], None] | None = None) -> list[harness.Received]:
    """Start ``workers``, collect ``expect`` outputs (or time out), stop them."""
    with harness.Workers(workers):
        got = asyncio.run(harness.consume_until(settings.kafka_bootstrap, outputs_of(settings, passthrough),
                                                expect, timeout_s=timeout_s, on_progress=on_progress,
                                                grace_s=3.0))
        for w in workers:
            assert w.proc is not None
            if w.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {w.proc.returncode}:\n{w.log_tail()}")
    return got


def roles(received: Sequence[harness.Received], settings: Settings) -> dict[str, int]:
    """Outputs per role."""
    by_topic = {settings.topics.enriched: "enriched", settings.topics.duplicates: "duplicates",
                settings.topics.dlq: "dlq"}
    out: dict[str, int] = {}
    for r in received:
        role = by_topic.get(r.topic, r.topic)
        if role == "dlq":
            # Dead letters by error code: a "timeout" here means the record budget was blown.
            role = f"dlq:{(harness.decode(r.value).get('error') or {}).get('code')}"
        out[role] = out.get(role, 0) + 1
    return out


def cpu_rate(samples: Sequence[tuple[int, float, float]]) -> float | None:
    """Outputs per worker CPU-second, from the first sample with outputs to the last.

    What the workers achieve per core actually spent, whatever else the machine is running.
    """
    busy = [s for s in samples if s[0] > 0]
    if len(busy) < 2 or busy[-1][2] <= busy[0][2]:
        return None
    return (busy[-1][0] - busy[0][0]) / (busy[-1][2] - busy[0][2])


def run(quick: bool = False) -> dict[str, Any]:
    """Area ``e2e``: throughput of the passthrough agent, 1 worker and 2 workers over the same feed."""
    n = 2000 if quick else 20_000
    timeout_s = 300.0 if quick else 1800.0
    bench = Run("e2e")
    try:
        records = harness.reuters_records(n, "generic", sources=SOURCES)
        asyncio.run(ensure_topics(bench.base))
        produce_s = asyncio.run(harness.produce_all(bench.bootstrap, bench.base.topics.raw, records))
        results: dict[str, Any] = {"articles": n, "partitions": bench.base.partitions,
                                   "producer_articles_per_s": n / produce_s, "contenders": {}}
        contenders = (("passthrough", 1, True), ("worker1", 1, False), ("workers2", 2, False))
        for name, count, is_pass in contenders:
            settings = bench.variant(name, passthrough=is_pass)
            asyncio.run(ensure_topics(settings))
            workers = [bench.worker(settings, f"{name}-{i}", PASSTHROUGH if is_pass else WORKER)
                       for i in range(count)]
            samples: list[tuple[int, float, float]] = []  # (outputs, RSS MiB, CPU s) summed over workers

            def sample(count: int, ws: list[harness.Worker] = workers, into: list = samples) -> None:  # type: ignore[type-arg]
                into.append((count, sum(harness.rss_mb(w.pid) or 0.0 for w in ws),
                             sum(harness.cpu_seconds(w.pid) or 0.0 for w in ws)))

            started = time.perf_counter()
            got = drain(settings, workers, n, is_pass, timeout_s, on_progress=sample)
            results["contenders"][name] = {
                "workers": count, "outputs": len(got), "inputs_answered": len(harness.answered(got)),
                "complete": len(harness.answered(got)) >= n,
                # More outputs than inputs: records processed twice (at-least-once redelivery on rebalance).
                "extra_outputs": max(len(got) - n, 0),
                "articles_per_s": throughput(got), "wall_s_including_startup": time.perf_counter() - started,
                "roles": roles(got, settings), "peak_rss_mb": max(r for _, r, _ in samples) if samples else None,
                "articles_per_cpu_s": cpu_rate(samples),
            }
        c = results["contenders"]
        base_rate, one, two = (c[k]["articles_per_s"] for k in ("passthrough", "worker1", "workers2"))
        ratio1 = one / base_rate if one and base_rate else None
        ratio2 = two / one if one and two else None
        cpu_pass, cpu_one = c["passthrough"]["articles_per_cpu_s"], c["worker1"]["articles_per_cpu_s"]
        results["figures"] = [
            harness.figure("passthrough agent", base_rate, "articles/s", baseline=results["producer_articles_per_s"],
                           baseline_name="bare aiokafka producer"),
            harness.figure("1 worker", one, "articles/s", baseline=base_rate, baseline_name="passthrough agent",
                           target=">= 0.5x passthrough", met=None if ratio1 is None else ratio1 >= 0.5),
            harness.figure("2 workers", two, "articles/s", baseline=one, baseline_name="1 worker",
                           target=">= 1.7x 1 worker", met=None if ratio2 is None else ratio2 >= 1.7,
                           note="hop 3 (dedupe) is one partition by design: a 2nd worker shares hops 1-2 only; "
                                f"{harness.machine()['nproc']} cores shared with the broker; feed of {SOURCES} sources "
                                "(hop 2 is keyed by source)"),
            harness.figure("1 worker per CPU-second", cpu_one, "articles/cpu-s", baseline=cpu_pass,
                           baseline_name="passthrough agent", note="worker process CPU time only (not the broker)"),
            harness.figure("1 worker peak RSS", c["worker1"]["peak_rss_mb"], "MiB",
                           baseline=c["passthrough"]["peak_rss_mb"], baseline_name="passthrough agent",
                           higher_is_better=False),
        ]
        harness.print_table(f"end to end, {n:,} articles, {bench.base.partitions} partitions", results["figures"])
        for name, got_c in c.items():
            print(f"   {name}: {got_c['inputs_answered']} inputs answered by {got_c['outputs']} outputs "
                  f"{got_c['roles']}")
        return results
    finally:
        bench.cleanup()


def latencies(received: Sequence[harness.Received], since_ms: int) -> list[float]:
    """Output timestamp - source timestamp (ms) for outputs of records sent at or after ``since_ms``."""
    out = []
    for r in received:
        src = harness.source_timestamp_ms(r.value)
        if src is not None and src >= since_ms:
            out.append(float(r.timestamp_ms - src))
    return out


def _paced_run(bench: Run, name: str, records: list[RawRecord], rate: float, warmup: int,
               passthrough: bool) -> dict[str, Any]:
    settings = bench.variant(name, passthrough=passthrough)
    settings = replace(settings, topics=replace(settings.topics, raw=f"bench{bench.tag}.{name}.raw"))
    asyncio.run(ensure_topics(settings))
    worker = bench.worker(settings, name, PASSTHROUGH if passthrough else WORKER)
    with harness.Workers([worker]):
        worker.wait_ready()

        async def feed_and_read() -> tuple[float, int, dict[bytes | None, int], list[harness.Received]]:
            await harness.produce_paced(settings.kafka_bootstrap, settings.topics.raw, records[:warmup], rate)
            measured_from = int(time.time() * 1000)
            achieved, sent = await harness.produce_paced(settings.kafka_bootstrap, settings.topics.raw,
                                                         records[warmup:], rate)
            # A saturated worker drains its backlog after the feed stops; wait for it (bounded).
            got = await harness.consume_until(settings.kafka_bootstrap, outputs_of(settings, passthrough),
                                              len(records), timeout_s=60.0 + len(records) / 20, idle_s=30.0)
            return achieved, measured_from, sent, got

        achieved, since, sent, got = asyncio.run(feed_and_read())
    if passthrough:
        measured = latencies_passthrough(got, sent)
        enriched = measured
    else:
        measured = latencies(got, since)
        enriched = latencies([r for r in got if r.topic == settings.topics.enriched], since)
    return {"offered_per_s": rate, "achieved_per_s": achieved, "sent": len(records) - warmup,
            "outputs_measured": len(measured), "enriched_measured": len(enriched),
            "p50_ms": harness.percentile(enriched, 50) if enriched else None,
            "p99_ms": harness.percentile(enriched, 99) if enriched else None,
            "max_ms": max(enriched) if enriched else None,
            "all_outputs_p99_ms": harness.percentile(measured, 99) if measured else None}


def latencies_passthrough(received: Sequence[harness.Received], sent: dict[bytes | None, int]) -> list[float]:
    """Latencies of passthrough outputs (ms), matched to their inputs by key.

    The passthrough's output carries no source timestamp but keeps the key unchanged: latency is
    the output record's timestamp minus the input's send timestamp.
    """
    return [float(r.timestamp_ms - sent[r.key]) for r in received if r.key in sent]


def run_latency(quick: bool = False) -> dict[str, Any]:
    """Area ``latency``: p50/p99/max produce -> wire.enriched at fixed offered loads, vs the passthrough.

    Full runs measure the issue's 200 articles/s for 60 s and a light 20 articles/s for 30 s (what
    latency is when the worker is not saturated); quick runs only 20 articles/s for 10 s.
    """
    loads = [(20.0, 10)] if quick else [(200.0, 60), (20.0, 30)]
    bench = Run("latency")
    try:
        results: dict[str, Any] = {"loads": {}, "figures": []}
        for rate, seconds in loads:
            warmup = int(rate * 2)
            n = warmup + int(rate * seconds)
            records = harness.reuters_records(n, "generic", sources=SOURCES)
            tag = f"{rate:.0f}"
            p = _paced_run(bench, f"pass{tag}", records, rate, warmup, passthrough=True)
            w = _paced_run(bench, f"worker{tag}", records, rate, warmup, passthrough=False)
            results["loads"][tag] = {"rate_per_s": rate, "seconds": seconds, "warmup_records": warmup,
                                     "passthrough": p, "worker": w}
            load = f"at {rate:.0f}/s for {seconds} s"
            results["figures"] += [
                harness.figure(f"latency p50 {load}", w["p50_ms"], "ms", baseline=p["p50_ms"],
                               baseline_name="passthrough agent", higher_is_better=False),
                harness.figure(f"latency p99 {load}", w["p99_ms"], "ms", baseline=p["p99_ms"],
                               baseline_name="passthrough agent", higher_is_better=False,
                               target="<= 50 ms at 200/s" if rate == 200 else None,
                               met=None if w["p99_ms"] is None or rate != 200 else w["p99_ms"] <= 50),
                harness.figure(f"latency max {load}", w["max_ms"], "ms", baseline=p["max_ms"],
                               baseline_name="passthrough agent", higher_is_better=False),
                harness.figure(f"delivered {load}", w["outputs_measured"], "outputs", baseline=w["sent"],
                               baseline_name="sent",
                               note="all outputs (enriched, duplicates, dead letters) of measured records"),
            ]
        harness.print_table("latency, produce -> publication", results["figures"])
        return results
    finally:
        bench.cleanup()


MEMORY_CHECKPOINTS = (10_000, 25_000, 50_000, 100_000)


def run_memory(quick: bool = False) -> dict[str, Any]:
    """Area ``memory``: worker RSS after start-up and after 100k articles (quick: 2,000); dedup state bytes.

    The feed is produced before the worker starts reading it; beyond the corpus's 19,779
    stories it continues with new stories stitched from corpus lines (``distinct=True``), so
    per-story state grows as on a long-running feed. Takes several minutes: kept out of
    ``--quick`` (which measures 2,000 articles and reports no 100k figure).
    """
    n = 2000 if quick else 100_000
    bench = Run("memory")
    try:
        records = harness.reuters_records(n, "generic", sources=SOURCES, distinct=True)
        settings = bench.variant("mem")
        asyncio.run(ensure_topics(settings))
        worker = bench.worker(settings, "mem")
        samples: list[tuple[int, float]] = []
        with harness.Workers([worker]):
            worker.wait_ready()
            time.sleep(2.0)
            rss_start = harness.rss_mb(worker.pid)

            def sample(count: int) -> None:
                rss = harness.rss_mb(worker.pid)
                if rss is not None:
                    samples.append((count, rss))

            async def feed_and_read() -> list[harness.Received]:
                await harness.produce_all(settings.kafka_bootstrap, settings.topics.raw, records)
                return await harness.consume_until(settings.kafka_bootstrap, outputs_of(settings, False), n,
                                                   timeout_s=3600.0, on_progress=sample)

            started = time.perf_counter()
            got = asyncio.run(feed_and_read())
            wall_s = time.perf_counter() - started
            time.sleep(1.0)
            rss_end = harness.rss_mb(worker.pid)
            cpu_s = harness.cpu_seconds(worker.pid)
        # The first sample at or past each checkpoint (RSS is sampled about once a second).
        at = {c: next((r for k, r in samples if k >= c), None) for c in MEMORY_CHECKPOINTS if c <= n}
        state = _offline_state_bytes(records[:20_000])
        slope = _slope(samples)
        results: dict[str, Any] = {
            "articles": n, "outputs": len(got), "roles": roles(got, settings), "wall_s": wall_s,
            "worker_cpu_s": cpu_s, "rss_start_mb": rss_start, "rss_after_mb": rss_end,
            "rss_peak_mb": max((r for _, r in samples), default=None), "rss_at_mb": at,
            "rss_samples": samples[:: max(1, len(samples) // 50)],
            "rss_mb_per_10k_articles": slope * 10_000 if slope is not None else None,
            "dedup_state": state,
        }
        complete = len(got) >= n
        results["figures"] = [
            harness.figure("worker RSS after start-up", rss_start, "MiB", higher_is_better=False),
            harness.figure(f"worker RSS after {n:,} articles", rss_end, "MiB", baseline=rss_start,
                           baseline_name="RSS after start-up", higher_is_better=False,
                           target="<= 500 MB (476.8 MiB) at 100k",
                           met=None if rss_end is None or n < 100_000 or not complete else rss_end * 1.048576 <= 500,
                           note=None if complete else f"only {len(got):,} outputs of {n:,} arrived"),
            *(harness.figure(f"worker RSS at {c:,} articles", r, "MiB", baseline=rss_start,
                             baseline_name="RSS after start-up", higher_is_better=False)
              for c, r in at.items() if c < n),
            harness.figure("RSS growth, second half of the run", results["rss_mb_per_10k_articles"],
                           "MiB/10k articles", higher_is_better=False),
            harness.figure("dedup state", state["bytes_per_article"], "bytes/article", baseline=state["raw_bytes"],
                           baseline_name="raw record bytes/article", higher_is_better=False, target="<= 400",
                           met=state["bytes_per_article"] <= 400,
                           note=f"offline pipeline over the first {state['articles']:,} articles"),
        ]
        harness.print_table(f"memory, {n:,} articles", results["figures"])
        print(f"   {len(got)} outputs {results['roles']}")
        return results
    finally:
        bench.cleanup()


def _offline_state_bytes(records: Sequence[RawRecord]) -> dict[str, Any]:
    from streams.process import offline_pipeline

    pipeline = offline_pipeline(Settings())
    for rec in records:
        pipeline.run(rec)
    stats = pipeline.deduper.stats()
    return {"articles": len(records), "stories": stats.stories, "keys": stats.keys,
            "approx_bytes": stats.approx_bytes, "bytes_per_article": stats.approx_bytes / len(records),
            "bytes_per_story": stats.bytes_per_story,
            "raw_bytes": sum(len(r.value) for r in records) / len(records)}


def _slope(samples: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares MiB per article over the second half of the samples (past the warm-up growth)."""
    tail = [s for s in samples[len(samples) // 2:] if s[0] > 0]
    if len(tail) < 3:
        return None
    xs, ys = [float(c) for c, _ in tail], [r for _, r in tail]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else None

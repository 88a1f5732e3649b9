"""The whole streaming topology in one file: ``build_app(settings)``.

::

    wire.raw (N partitions)            raw bytes: ninjs / generic JSON / page text / HTML
      │  hop 1  agent "ingest"      -> Pipeline.ingest        (stateless)
      ├──────────────────────────────► wire.dlq                (deadletter.v1)
      ▼
    <app>-bysource (N, key=source)     Ingested (msgspec JSON)
      │  hop 2  agent "prepare"     -> Pipeline.prepare: clean + enrich
      │         table "boilerplate" (key=source, learned per-source chrome)
      ├──────────────────────────────► wire.dlq
      ▼
    <app>-dedupe (1 partition)         Prepared (msgspec JSON) + embargo ticks
      │  hop 3  agent "decide"      -> Pipeline.decide: dedupe + publish
      │         table "stories" (dedup state), table "embargo" (held items)
      ├──────────────────────────────► wire.enriched           (enriched.v1, key=uri)
      │                                  + wire.stories          (the same record; compacted latest-story view)
      ├──────────────────────────────► wire.duplicates         (duplicate.v1, key=uri)
      └──────────────────────────────► wire.dlq                (deadletter.v1)

Why three hops: learned boilerplate must be co-partitioned with its source (hop 2
is keyed by source), and every copy of a story must meet the same dedup state
whatever input partition it arrived on, so hop 3 has one partition. The
expensive stages (clean, enrich) scale with the input partitions; dedupe costs
microseconds per article, so one partition is not the bottleneck.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import faust
import orjson
from faust.sensors import Monitor

from agents.model import RawRecord
from agents.outcome import Output
from agents.pipeline import Pipeline
from streams import codec
from streams.changelog import InlineChangelog
from streams.eos import Transactions
from streams.kafka_config import faust_credentials
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import TopicPlan

log = logging.getLogger(__name__)

TICK_KEY = b"__wirestream_tick__"
# A worker sends several records per article (three hops, table changelogs); with no linger each
# went out as its own produce request, and py-spy put the socket writes at ~21% of the worker's
# CPU. 1 ms gathers what one event loop pass produces into fewer requests (measured: +6-12%
# articles per CPU-second; p99 at 20 articles/s stays ~25 ms). Ordering is unchanged: hop 3
# still hands its state to the client before its output.
PRODUCER_LINGER_S = 0.001
# The Kafka client appends to one open batch per partition and sends one request per broker at a
# time; when the open batch is full, send() WAITS until the batch in flight is acknowledged. At
# Faust's default 16 KB, two or three enriched messages (5-10 KB each) fill a batch, so hop 3
# stalled for a broker round trip every few articles. 512 KB stays well under the broker's
# default 1 MB message.max.bytes; the batch is still sent after the linger, so light load is
# unaffected, and under load more records travel per request.
PRODUCER_MAX_BATCH_BYTES = 512 * 1024
EXPIRE_EVERY_S = 60.0
Observer = Callable[[Output, str], None]


@dataclass
class Runtime:
    """What the web views and tests need to see of a built app."""

    app: faust.App
    settings: Settings
    plan: TopicPlan
    metrics: Metrics
    pipeline: Pipeline
    tables: dict[str, Any]
    observers: list[Observer] = field(default_factory=list)
    processed: int = 0


class LeanMonitor(Monitor):
    """Faust's main sensor, keeping only what Faust itself reads while the worker runs.

    The default monitor updates counters, per-stream and per-table statistics and latency
    deques on every record, event, table access and send: several dict updates per record
    that only Faust's own web statistics pages read (ours are in ``streams/metrics.py``).
    Faust's stalled-stream check reads ``stream_inbound_time``, so that one is still kept.
    """

    def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
        """Nothing per record."""

    def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> None:
        """Only the time the stream last took an event (Faust logs streams idle for too long)."""
        self.stream_inbound_time[tp] = time.monotonic()

    def on_stream_event_out(self, tp: Any, offset: int, stream: Any, event: Any, state: Any = None) -> None:
        """Nothing per event."""

    def on_message_out(self, tp: Any, offset: int, message: Any) -> None:
        """Nothing per record."""

    def on_table_get(self, table: Any, key: Any) -> None:
        """Nothing per table read."""

    def on_table_set(self, table: Any, key: Any, value: Any) -> None:
        """Nothing per table write."""

    def on_table_del(self, table: Any, key: Any) -> None:
        """Nothing per table delete."""

    def on_send_initiated(self, producer: Any, topic: str, message: Any, keysize: int, valsize: int) -> None:
        """Nothing per send."""

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        """Nothing per send."""


def _faust_headers(headers: Any) -> tuple[tuple[str, bytes], ...]:
    if not headers:
        return ()
    items = headers.items() if hasattr(headers, "items") else headers
    out = []
    for name, value in items:
        out.append((str(name), value if isinstance(value, bytes) else str(value).encode()))
    return tuple(out)


def _record_of(message: Any) -> RawRecord:
    ts = message.timestamp
    return RawRecord(
        value=message.value if isinstance(message.value, bytes) else bytes(message.value or b""),
        key=message.key,
        headers=_faust_headers(message.headers),
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        timestamp_ms=int(ts * 1000) if ts else None,
    )


def build_app(settings: Settings, metrics: Metrics, *, pipeline_factory: Callable[..., Pipeline] = Pipeline) -> Runtime:
    """Create the Faust app, its topics and tables, and register the three agents."""
    plan = TopicPlan.from_settings(settings)
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=faust_credentials(settings),
        store="rocksdb://" if settings.store == "rocksdb" else "memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_allow_declare=True,
        topic_disable_leader=True,
        processing_guarantee=settings.processing_guarantee,
        # Faust waits 60 s by default before a killed worker's partitions move; a wire desk wants
        # failover in seconds. Rebalance timeout follows, so a join never waits for the dead member longer.
        broker_session_timeout=settings.session_timeout_s,
        broker_rebalance_timeout=settings.session_timeout_s,
        producer_acks=-1,
        producer_linger=PRODUCER_LINGER_S,
        producer_max_batch_size=PRODUCER_MAX_BATCH_BYTES,
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        # Faust's own sensors would add unbounded per-topic/partition series; ours are in streams/metrics.py.
        web_enabled=True,
        Monitor=LeanMonitor,
    )

    def topic(name: str, partitions: int) -> Any:
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw", partitions=partitions)

    raw = topic(plan.raw, plan.partitions)
    bysource = topic(plan.bysource, plan.partitions)
    dedupe = topic(plan.dedupe, 1)
    outputs = {role: topic(plan.output_topic(role), plan.partitions) for role in ("enriched", "duplicates", "dlq")}
    latest = topic(plan.stories, plan.partitions)

    def table(name: str, partitions: int) -> Any:
        # App-level raw serializers; key_type=str makes Faust decode keys back to str on recovery.
        return app.Table(name, default=None, partitions=partitions, key_type=str, value_type=bytes)

    boilerplate = table("boilerplate", plan.partitions)
    stories = table("stories", 1)
    embargo = table("embargo", 1)
    # exactly_once: commits cover exactly the events whose outputs and table writes they hold (streams/eos.py).
    txns = Transactions(app)
    txns.register([plan.raw, plan.bysource, plan.dedupe])
    # at_least_once: table writes are sent by the agent that made them (streams/changelog.py).
    changelog = InlineChangelog(app)
    for tracked in (boilerplate, stories, embargo):
        txns.track_table(tracked)
        if not txns.configured:
            changelog.track(tracked)
    pipeline = pipeline_factory(settings, boilerplate_store=boilerplate, story_store=stories)
    runtime = Runtime(app, settings, plan, metrics, pipeline,
                      {"boilerplate": boilerplate, "stories": stories, "embargo": embargo})

    # Decided once: Faust answers app.in_transaction only once a worker runs the app, and this is
    # the per-record path.
    exactly_once = txns.configured
    delivery_failed = {name: _delivery_counter(metrics, name)
                       for name in (plan.bysource, plan.dedupe, plan.stories, *(plan.output_topic(r) for r in outputs))}

    async def send(channel: Any, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | None = None,
                   ) -> None:
        event = faust.current_event() if exactly_once else None
        if event is not None:
            # exactly_once: Faust's TransactionManager picks the transactional producer by the
            # *destination* partition, and sends to topics its consumer has no metadata for
            # (every output topic) go out outside any transaction. Send through the transaction
            # of the *source* partition instead, so the output commits atomically with the
            # source offset (streams/eos.py commits that offset in the same transaction).
            tp = event.message.tp
            tid = txns.transactional_id(tp.topic, tp.partition)
            await app.producer.send(channel.get_topic_name(), key, value, None, None, headers, transactional_id=tid)
        elif exactly_once:
            await channel.send(key=key, value=value, headers=headers)
        else:
            # at_least_once: straight to the Kafka client, as Faust's topic.send would end up doing,
            # without its per-record future, callback and sensor calls. Delivery is unchanged: the
            # offset commit waits for app.producer.flush(), which waits for this record's ack.
            if changelog.pending:
                await changelog.flush()  # the state an output depends on goes first
            name = channel.get_topic_name()
            # Faust types the result as an Awaitable; it is the Kafka client's delivery future.
            fut = cast("asyncio.Future[Any]", await app.producer.send(name, key, value, None, None, headers))
            fut.add_done_callback(delivery_failed[name])

    # Metric children bound once (``labels()`` takes a lock and a dict lookup per call).
    consumed = {name: metrics.records_consumed.labels(name) for name in (plan.raw, plan.bysource, plan.dedupe)}
    stage = {name: metrics.stage_seconds.labels(name) for name in ("ingest", "clean", "enrich", "dedupe")}
    stories_produced = metrics.records_produced.labels(plan.stories)
    latency = {plan.output_topic(r): metrics.end_to_end_seconds.labels(plan.output_topic(r)) for r in outputs}

    async def publish(output: Output) -> None:
        name = plan.output_topic(output.role)
        key = output.key.encode() if output.key is not None else None
        value = codec.encode_message(output.value)
        # Counts errors, and retries the retriable ones (wirestream_producer_retries_total).
        await metrics.send_retrying(name, lambda: send(outputs[output.role], key, value, list(output.headers)))
        if output.role == "enriched":
            # The latest-story view: the same record again, through the same send (in exactly_once,
            # the same transaction). Hop 3 is one partition publishing in order and versions only
            # increase per uri, so the last record per key, which compaction keeps, is the latest
            # version. A derived view, not an outcome: counted as produced, never as a verdict.
            await metrics.send_retrying(plan.stories, lambda: send(latest, key, value, list(output.headers)))
            stories_produced.inc()
        metrics.count_output(output, name)
        source_ms = _source_ms(output)
        if source_ms:
            latency[name].observe(max(time.time() - source_ms / 1000, 0.0))
        runtime.processed += 1
        for observe in runtime.observers:
            observe(output, name)

    # hop 1: wire.raw -> ingest -> <app>-bysource | wire.dlq
    @app.agent(raw, name="ingest")
    async def ingest_agent(stream: Any) -> None:
        async for event in txns.events(stream):
            consumed[plan.raw].inc()
            steps = pipeline.ingest_all(_record_of(event.message))
            stage["ingest"].observe(pipeline.timings.ingest)
            if isinstance(steps, Output):
                await publish(steps)
                continue
            for step in steps:  # one per story: a NewsML-G2 message may carry several
                await send(bysource, step.item.source.encode(), codec.encode_internal(step))

    # hop 2: <app>-bysource -> clean + enrich -> <app>-dedupe | wire.dlq
    @app.agent(bysource, name="prepare")
    async def prepare_agent(stream: Any) -> None:
        async for event in txns.events(stream):
            consumed[plan.bysource].inc()
            step = pipeline.prepare(codec.decode_ingested(event.message.value))
            stage["clean"].observe(pipeline.timings.clean)
            stage["enrich"].observe(pipeline.timings.enrich)
            if isinstance(step, Output):
                await publish(step)
            else:
                await send(dedupe, b"dedupe", codec.encode_internal(step))
            await changelog.flush()  # no-op unless the record wrote state and sent nothing

    last_expire = [time.monotonic()]

    # hop 3: <app>-dedupe -> dedupe + publish -> wire.enriched | wire.duplicates | wire.dlq
    @app.agent(dedupe, name="decide")
    async def decide_agent(stream: Any) -> None:
        async for event in txns.events(stream):
            try:
                await decide_one(event)
            finally:
                # Table writes with no output after them (held items, expiry): to the client
                # before the agent asks for the next event, i.e. before Faust may commit this one.
                await changelog.flush()

    async def decide_one(event: Any) -> None:
        if event.message.key == TICK_KEY:
            await _release_due(runtime, publish)
            if time.monotonic() - last_expire[0] > EXPIRE_EVERY_S:
                last_expire[0] = time.monotonic()
                pipeline.deduper.expire()
            _update_state_gauges(runtime)
            return
        consumed[plan.dedupe].inc()
        prepared = codec.decode_prepared(event.message.value)
        output = pipeline.decide(prepared)
        stage["dedupe"].observe(pipeline.timings.dedupe)
        # Hand the dedup state to the Kafka client before the output, else a crash in between
        # delivers the output without the state, and re-processing the input publishes it a
        # second time as new. exactly_once: Faust buffers table writes and sends them later.
        if exactly_once:
            await app.producer.buffer.flush()
        else:
            await changelog.flush()
        if output.verdict == "held" and output.release_at:
            embargo[output.key or ""] = orjson.dumps(
                {"release_at": output.release_at, "release_epoch": _epoch(output.release_at),
                 "output": _output_to_json(output)})
            metrics.embargo_held.set(len(embargo))
            return
        if output.role == "enriched" and output.key in embargo:
            # A newer version or a kill arrived before the embargo lifted: the held
            # item is superseded and reported as a duplicate, so it is still accounted for.
            await _supersede(runtime, output.key or "", output, publish)
        await publish(output)

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]  # Faust's timer decorator is untyped
    async def tick() -> None:
        # Timers run outside any partition's event; ticks make releases and expiry
        # happen inside the decide agent, where table writes belong to partition 0.
        if len(embargo) or time.monotonic() - last_expire[0] > EXPIRE_EVERY_S:
            if app.in_transaction:
                # A tick sent inside hop 3's transaction would stay invisible to hop 3's
                # read_committed consumer until that transaction commits, which only happens
                # when hop 3 consumes something: on a quiet feed, embargoes would never lift.
                # Ticks are idempotent triggers, so they go out on the plain producer.
                await app.producer.send(plan.dedupe, TICK_KEY, b"", 0, None, None)
            else:
                await dedupe.send(key=TICK_KEY, value=b"")

    return runtime


def _delivery_counter(metrics: Metrics, topic: str) -> Callable[[Any], None]:
    """A done-callback counting a record the Kafka client failed to deliver (as Faust's sensor does for its sends)."""
    failed = metrics.producer_errors.labels(topic)

    def done(fut: Any) -> None:
        if not fut.cancelled() and fut.exception() is not None:  # also marks the exception as retrieved
            failed.inc()

    return done


def _source_ms(output: Output) -> int | None:
    value = output.value
    src = value.get("source") or (value.get("wirestream") or {}).get("source") or {}
    ts = src.get("timestamp_ms") if isinstance(src, dict) else None
    return ts if isinstance(ts, int) else None


def _epoch(iso: str) -> float:
    # Embargo times carry their own offsets; compare instants, never strings.
    return datetime.fromisoformat(iso).timestamp()


def _output_to_json(output: Output) -> dict[str, Any]:
    return {"role": output.role, "key": output.key, "value": output.value, "verdict": output.verdict,
            "reason": output.reason, "headers": [[k, v.decode("utf-8", "replace")] for k, v in output.headers]}


def _output_from_json(data: dict[str, Any]) -> Output:
    value = data["value"]
    if "wirestream" in value and isinstance(value["wirestream"].get("embargo"), dict):
        value["wirestream"]["embargo"]["held"] = False
    verdict = "new" if value.get("wirestream", {}).get("verdict") == "new" else "version"
    return Output(role=data["role"], key=data["key"], value=value, verdict=verdict,  # type: ignore[arg-type]
                  reason=data.get("reason"), headers=tuple((k, v.encode()) for k, v in data["headers"]))


async def _release_due(runtime: Runtime, publish: Callable[[Output], Any]) -> None:
    embargo = runtime.tables["embargo"]
    now = runtime.pipeline.clock()
    due = [key for key, raw in list(embargo.items()) if raw and orjson.loads(raw)["release_epoch"] <= now]
    for key in due:
        held = orjson.loads(embargo[key])
        del embargo[key]
        await publish(_output_from_json(held["output"]))
    runtime.metrics.embargo_held.set(len(embargo))


async def _supersede(runtime: Runtime, key: str, newer: Output, publish: Callable[[Output], Any]) -> None:
    embargo = runtime.tables["embargo"]
    held = orjson.loads(embargo[key])
    del embargo[key]
    value = held["output"]["value"]
    notice = {
        "schema": "wirestream.duplicate.v1",
        "uri": key,
        "duplicate_of": {"uri": key, "version": newer.value.get("version", "1")},
        "reason": "superseded",
        "similarity": 0.0,
        "headline": value["headlines"][0]["value"],
        "source": value["wirestream"]["source"],
        "feed_uri": None,
        "feed_version": value.get("version"),
        "fingerprint": value["wirestream"]["fingerprint"],
        "processed_at": runtime.pipeline.now_iso(),
    }
    await publish(Output(role="duplicates", key=key, value=notice, verdict="duplicate", reason="superseded"))
    runtime.metrics.embargo_held.set(len(embargo))


def _update_state_gauges(runtime: Runtime) -> None:
    stats = runtime.pipeline.deduper.stats()
    runtime.metrics.state_entries.labels("stories").set(getattr(stats, "keys", 0))
    runtime.metrics.state_bytes.labels("stories").set(getattr(stats, "approx_bytes", 0))
    runtime.metrics.learned_blocks.set(runtime.pipeline.learned.count())


"""Every Prometheus metric of the worker, declared once from an injected registry.

Names follow Prometheus conventions (``wirestream_`` prefix, ``_total`` counters,
seconds and bytes). Labels are bounded: ``topic`` (configured topic names),
``role`` (input/bysource/dedupe), ``stage``, ``verdict`` (new/version/duplicate/dead_letter/held), ``reason``
(duplicate reasons, version kinds and error codes: fixed vocabularies, and any
value outside ``[a-z0-9_]`` is counted as ``other``), ``partition`` (the
configured partition count), ``table``. No story ids, URLs or headlines are ever
labels; ``tests/integration/test_metrics_cardinality.py`` checks that after a
feed of 1,000 articles. Pure stages never touch metrics; the agents count what
the stages return, and ``streams/lag.py`` / ``streams/web.py`` refresh the gauges.

>>> from prometheus_client import CollectorRegistry
>>> m = Metrics.create(CollectorRegistry(), version="1.0")
>>> bounded_label("near_duplicate"), bounded_label("https://example.com/story?id=1")
('near_duplicate', 'other')
"""

from __future__ import annotations

import asyncio
import platform
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from agents.outcome import Output

# Stage costs run from ~10 µs (dedupe) to ~100 ms (a large HTML page).
_STAGE_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
# End-to-end latency includes Kafka hops and batching: milliseconds to minutes.
_E2E_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
# Reasons and codes come from fixed vocabularies in agents/; this guard keeps a
# future bug (an exception text, a URL) from ever becoming a label value.
_LABEL_OK = re.compile(r"[a-z][a-z0-9_]{0,39}")
SEND_ATTEMPTS = 3
SEND_BACKOFF_S = 0.2
T = TypeVar("T")


def bounded_label(value: str | None, default: str = "none") -> str:
    """``value`` if it looks like a vocabulary word, ``other`` if not, ``default`` when absent."""
    if not value:
        return default
    return value if _LABEL_OK.fullmatch(value) else "other"


@dataclass(frozen=True)
class Metrics:
    """The worker's metrics; build with :meth:`create`."""

    registry: CollectorRegistry
    records_consumed: Counter
    records_produced: Counter
    verdicts: Counter
    dead_letters: Counter
    stage_seconds: Histogram
    end_to_end_seconds: Histogram
    consumer_lag: Gauge
    topic_end_offset: Gauge
    lag_refreshes: Counter
    lag_refresh_errors: Counter
    lag_refreshed_at: Gauge
    state_entries: Gauge
    state_bytes: Gauge
    dedup_stories: Gauge
    learned_blocks: Gauge
    learned_sources: Gauge
    embargo_held: Gauge
    producer_errors: Counter
    producer_retries: Counter
    ready: Gauge
    build: Info

    @classmethod
    def create(cls, registry: CollectorRegistry, version: str = "0") -> Metrics:
        """Declare every metric on ``registry`` (a fresh one per test)."""
        build = Info("wirestream_build", "Build information.", registry=registry)
        build.info({"version": version, "python": platform.python_version(), "faust": _faust_version()})
        return cls(
            registry=registry,
            records_consumed=Counter("wirestream_records_consumed_total", "Records consumed, per topic.",
                                     ["topic"], registry=registry),
            records_produced=Counter("wirestream_records_produced_total", "Records produced, per topic.",
                                     ["topic"], registry=registry),
            verdicts=Counter("wirestream_verdicts_total",
                             "Pipeline outcomes: verdict and its reason (duplicate reason, error code, version kind).",
                             ["verdict", "reason"], registry=registry),
            dead_letters=Counter("wirestream_dead_letters_total", "Dead letters by failing stage and error code.",
                                 ["stage", "code"], registry=registry),
            stage_seconds=Histogram("wirestream_stage_duration_seconds", "Time spent in each pipeline stage.",
                                    ["stage"], buckets=_STAGE_BUCKETS, registry=registry),
            end_to_end_seconds=Histogram("wirestream_end_to_end_latency_seconds",
                                         "From the input record's timestamp to publication.",
                                         ["topic"], buckets=_E2E_BUCKETS, registry=registry),
            consumer_lag=Gauge("wirestream_consumer_lag_records",
                               "Log end offset minus committed offset of the worker's consumer group, "
                               "per consumed topic-partition (role: input, bysource or dedupe).",
                               ["topic", "role", "partition"], registry=registry),
            topic_end_offset=Gauge("wirestream_topic_end_offset",
                                   "Log end offset of each consumed topic-partition (grows while input arrives).",
                                   ["topic", "role", "partition"], registry=registry),
            lag_refreshes=Counter("wirestream_consumer_lag_refreshes_total",
                                  "Successful consumer-lag refreshes.", registry=registry),
            lag_refresh_errors=Counter("wirestream_consumer_lag_refresh_errors_total",
                                       "Consumer-lag refreshes that failed (broker unreachable, timeout).",
                                       registry=registry),
            lag_refreshed_at=Gauge("wirestream_consumer_lag_refreshed_timestamp_seconds",
                                   "Unix time of the last successful consumer-lag refresh.", registry=registry),
            state_entries=Gauge("wirestream_state_entries", "Entries in each state table (this worker's partitions).",
                                ["table"], registry=registry),
            state_bytes=Gauge("wirestream_state_bytes", "Approximate bytes of each state table (keys + values).",
                              ["table"], registry=registry),
            dedup_stories=Gauge("wirestream_dedup_stories", "Stories indexed by the deduplicator.",
                                registry=registry),
            learned_blocks=Gauge("wirestream_learned_boilerplate_blocks",
                                 "Blocks learned as per-source boilerplate.", registry=registry),
            learned_sources=Gauge("wirestream_learned_boilerplate_sources",
                                  "Sources with learned boilerplate state.", registry=registry),
            embargo_held=Gauge("wirestream_embargo_held", "Embargoed items held until release.", registry=registry),
            producer_errors=Counter("wirestream_producer_errors_total", "Failed sends to Kafka, per topic.",
                                    ["topic"], registry=registry),
            producer_retries=Counter("wirestream_producer_retries_total",
                                     "Sends to Kafka retried after a failure, per topic.",
                                     ["topic"], registry=registry),
            ready=Gauge("wirestream_ready", "1 while /readyz holds (partitions assigned, state recovered, "
                                            "broker answering), else 0.", registry=registry),
            build=build,
        )

    def count_output(self, output: Output, topic: str) -> None:
        """Count one published output under its verdict and reason (and stage, for dead letters)."""
        self.records_produced.labels(topic).inc()
        self.verdicts.labels(output.verdict, bounded_label(output.reason)).inc()
        if output.verdict == "dead_letter":
            error = output.value.get("error") if isinstance(output.value, dict) else None
            stage = error.get("stage") if isinstance(error, dict) else None
            self.dead_letters.labels(bounded_label(stage, "unknown"), bounded_label(output.reason, "unknown")).inc()

    async def send_retrying(self, topic: str, send: Callable[[], Awaitable[T]], *, attempts: int = SEND_ATTEMPTS,
                            backoff_s: float = SEND_BACKOFF_S) -> T:
        """Await ``send()``, counting each failure and retrying retriable Kafka errors with backoff.

        A send that raised was never appended to the producer's buffer, so trying
        again cannot duplicate it. Non-retriable errors (fenced producer, record too
        large) are raised at once.
        """
        for attempt in range(1, attempts + 1):
            try:
                return await send()
            except Exception as exc:
                self.producer_errors.labels(topic).inc()
                if attempt >= attempts or not _retriable(exc):
                    raise
                self.producer_retries.labels(topic).inc()
                await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def producer_sensor(self) -> Any:
        """A Faust sensor counting sends that failed after Faust handed them to the client.

        ``publish()`` in the topology sees errors raised by ``send()`` itself; a
        record that fails later, at delivery, only reaches Faust's sensors.
        """
        from faust.sensors import Sensor

        errors = self.producer_errors

        class _ProducerErrors(Sensor):
            def on_send_initiated(self, producer: Any, topic: str, message: Any, keysize: int,
                                  valsize: int) -> Any:
                return topic

            def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
                errors.labels(str(state) if state else "unknown").inc()

        return _ProducerErrors()


def _retriable(exc: BaseException) -> bool:
    """Kafka errors flag themselves ``retriable``; Faust wraps them, so look at the cause too."""
    seen: BaseException | None = exc
    for _ in range(3):
        if seen is None:
            return False
        if getattr(seen, "retriable", False):
            return True
        seen = seen.__cause__
    return False


def _faust_version() -> str:
    try:
        from importlib import metadata

        return metadata.version("faust-streaming")
    except Exception:  # build info must never stop the worker
        return "unknown"

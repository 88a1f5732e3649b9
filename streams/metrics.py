"""Every Prometheus metric of the worker, declared once from an injected registry.

Names follow Prometheus conventions (``wirestream_`` prefix, ``_total`` counters,
seconds and bytes). Labels are bounded: ``topic`` (configured topic names),
``stage``, ``verdict`` (new/version/duplicate/dead_letter/held), ``reason``
(duplicate reasons and error codes: fixed vocabularies), ``partition`` (the
configured partition count). No story ids, URLs or headlines are ever labels.
Pure stages never touch metrics; the agents count what the stages return.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from agents.outcome import Output

# Stage costs run from ~10 µs (dedupe) to ~100 ms (a large HTML page).
_STAGE_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
# End-to-end latency includes Kafka hops and batching: milliseconds to minutes.
_E2E_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class Metrics:
    """The worker's metrics; build with :meth:`create`."""

    registry: CollectorRegistry
    records_consumed: Counter
    records_produced: Counter
    verdicts: Counter
    stage_seconds: Histogram
    end_to_end_seconds: Histogram
    consumer_lag: Gauge
    state_entries: Gauge
    state_bytes: Gauge
    learned_blocks: Gauge
    embargo_held: Gauge
    producer_errors: Counter
    build: Info

    @classmethod
    def create(cls, registry: CollectorRegistry, version: str = "0") -> Metrics:
        """Declare every metric on ``registry`` (a fresh one per test)."""
        build = Info("wirestream_build", "Build information.", registry=registry)
        build.info({"version": version})
        return cls(
            registry=registry,
            records_consumed=Counter("wirestream_records_consumed_total", "Records consumed, per topic.",
                                     ["topic"], registry=registry),
            records_produced=Counter("wirestream_records_produced_total", "Records produced, per topic.",
                                     ["topic"], registry=registry),
            verdicts=Counter("wirestream_verdicts_total",
                             "Pipeline outcomes: verdict and its reason (duplicate reason, error code, version kind).",
                             ["verdict", "reason"], registry=registry),
            stage_seconds=Histogram("wirestream_stage_duration_seconds", "Time spent in each pipeline stage.",
                                    ["stage"], buckets=_STAGE_BUCKETS, registry=registry),
            end_to_end_seconds=Histogram("wirestream_end_to_end_latency_seconds",
                                         "From the input record's timestamp to publication.",
                                         ["topic"], buckets=_E2E_BUCKETS, registry=registry),
            consumer_lag=Gauge("wirestream_consumer_lag_records",
                               "Log end offset minus committed offset, per topic-partition.",
                               ["topic", "partition"], registry=registry),
            state_entries=Gauge("wirestream_state_entries", "Entries in each state table (this worker's partitions).",
                                ["table"], registry=registry),
            state_bytes=Gauge("wirestream_state_bytes", "Approximate bytes of each state table (keys + values).",
                              ["table"], registry=registry),
            learned_blocks=Gauge("wirestream_learned_boilerplate_blocks",
                                 "Blocks learned as per-source boilerplate.", registry=registry),
            embargo_held=Gauge("wirestream_embargo_held", "Embargoed items held until release.", registry=registry),
            producer_errors=Counter("wirestream_producer_errors_total", "Failed sends to Kafka, per topic.",
                                    ["topic"], registry=registry),
            build=build,
        )

    def count_output(self, output: Output, topic: str) -> None:
        """Count one published output under its verdict and reason."""
        self.records_produced.labels(topic).inc()
        self.verdicts.labels(output.verdict, output.reason or "none").inc()

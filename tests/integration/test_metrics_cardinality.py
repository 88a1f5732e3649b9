"""Metric label cardinality after a feed of 1,000 varied articles (offline: Pipeline + Metrics, no Kafka).

The feed is counted exactly as the worker's agents count it (consumed, stage
timings, outputs, end-to-end latency) on a fresh registry, and the status board
observes every output. No label may carry a story id, URL or headline, and the
number of series must not grow with the feed.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from prometheus_client import CollectorRegistry

from agents.errors import ERROR_CODES
from agents.model import RawRecord
from agents.outcome import Output
from agents.pipeline import Pipeline
from streams.metrics import Metrics
from streams.settings import Settings
from streams.status import RECENT_STORIES, StatusBoard
from streams.topics import TopicPlan
from tests.integration.ops_feed import feed

FEED = 1000


def _count(metrics: Metrics, board: StatusBoard, plan: TopicPlan, pipeline: Pipeline, n: int, value: bytes,
           key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
    """What the three agents in streams/topology.py do for one record, in-process."""
    now_ms = int(time.time() * 1000)
    record = RawRecord(value=value, key=key, headers=tuple(headers), topic=plan.raw, partition=n % plan.partitions,
                       offset=n, timestamp_ms=now_ms)
    metrics.records_consumed.labels(plan.raw).inc()
    step: Any = pipeline.ingest(record)
    metrics.stage_seconds.labels("ingest").observe(pipeline.timings.ingest)
    if not isinstance(step, Output):
        metrics.records_consumed.labels(plan.bysource).inc()
        step = pipeline.prepare(step)
        metrics.stage_seconds.labels("clean").observe(pipeline.timings.clean)
        metrics.stage_seconds.labels("enrich").observe(pipeline.timings.enrich)
    if not isinstance(step, Output):
        metrics.records_consumed.labels(plan.dedupe).inc()
        step = pipeline.decide(step)
        metrics.stage_seconds.labels("dedupe").observe(pipeline.timings.dedupe)
    topic = plan.output_topic(step.role)
    metrics.count_output(step, topic)
    metrics.end_to_end_seconds.labels(topic).observe(max(time.time() - now_ms / 1000, 0.0))
    board.observe(step, topic)


def _series(registry: CollectorRegistry) -> dict[str, set[tuple[tuple[str, str], ...]]]:
    out: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    for family in registry.collect():
        for sample in family.samples:
            out.setdefault(family.name, set()).add(tuple(sorted(sample.labels.items())))
    return out


def test_labels_stay_bounded_after_1000_articles() -> None:
    """After 1,000 articles no label holds an id, URL or headline, and series counts do not grow with the feed."""
    settings = Settings()
    plan = TopicPlan.from_settings(settings)
    registry = CollectorRegistry()
    metrics = Metrics.create(registry, version="test")
    board = StatusBoard(metrics)
    pipeline = Pipeline(settings, boilerplate_store={}, story_store={})
    records, fresh = feed(FEED, seed=1000)
    assert len(records) == FEED
    after_200: dict[str, int] = {}
    for n, (key, value, headers) in enumerate(records):
        _count(metrics, board, plan, pipeline, n, value, key, headers)
        if n == 199:
            after_200 = {name: len(s) for name, s in _series(registry).items()}

    # Everything that must never become a label value.
    forbidden: set[str] = set()
    for art in fresh:
        forbidden |= {str(art["id"]), str(art["url"]), str(art["title"])}
    for _, value, _ in records:
        try:
            art = orjson.loads(value)
        except orjson.JSONDecodeError:
            continue
        if isinstance(art, dict):
            forbidden |= {str(v) for k, v in art.items() if k in {"id", "url", "title"}}

    series = _series(registry)
    allowed_topics = set(plan.layout())
    offenders = []
    for name, label_sets in series.items():
        for labels in label_sets:
            for label, value in labels:
                if label == "topic":
                    if value not in allowed_topics:
                        offenders.append(f"{name}{{{label}={value!r}}}: not a configured topic")
                    continue
                if value in forbidden or "://" in value or " " in value or len(value) > 40:
                    offenders.append(f"{name}{{{label}={value!r}}}")
    assert not offenders, "unbounded label values:\n" + "\n".join(sorted(offenders)[:20])

    verdicts = series["wirestream_verdicts"]  # family name: without the _total suffix
    reasons = {dict(labels)["reason"] for labels in verdicts}
    assert len(verdicts) <= 5 * 8 + len(ERROR_CODES), f"{len(verdicts)} verdict series: {sorted(reasons)}"
    counted = sum(registry.get_sample_value("wirestream_verdicts_total", dict(labels)) or 0 for labels in verdicts)
    assert counted == FEED, f"every article is counted once: {counted} != {FEED}"
    assert {"new", "duplicate", "dead_letter"} <= {dict(labels)["verdict"] for labels in verdicts}, \
        "the feed exercises new stories, duplicates and dead letters"

    total = sum(len(s) for s in series.values())
    grown = {name: (after_200.get(name, 0), len(s)) for name, s in series.items()
             if len(s) > after_200.get(name, 0) + 6}
    print(f"\n{total} series after {FEED} articles; per family: "
          + ", ".join(f"{name}={len(s)}" for name, s in sorted(series.items())))
    assert total < 400, f"{total} series for one worker"
    assert not grown, f"series that kept growing with the feed (after 200, after {FEED}): {grown}"
    assert len(board.recent) <= RECENT_STORIES and len(board.dead_letters) <= len(ERROR_CODES) * 7

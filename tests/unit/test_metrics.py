"""streams/metrics.py: names, bounded labels, output counting, send retries, the producer-error sensor."""

from __future__ import annotations

import re

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest

from agents.outcome import Output
from streams.metrics import Metrics, bounded_label


@pytest.fixture
def metrics() -> Metrics:
    return Metrics.create(CollectorRegistry(), version="1.2.3")


def test_every_name_follows_prometheus_conventions(metrics: Metrics) -> None:
    """wirestream_ prefix; counters end in _total; units are seconds, bytes or plain counts, never ms."""
    text = generate_latest(metrics.registry).decode()
    families = re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M)
    assert len(families) >= 20, families
    for name, kind in families:
        assert name.startswith("wirestream_"), name
        assert "_ms" not in name and "milli" not in name, f"{name}: units are seconds"
        if kind == "counter":
            assert f"{name}_total" in text or name.endswith("_total"), name


def test_build_info_carries_versions(metrics: Metrics) -> None:
    """Build info exports the package version (and Python / Faust versions) as one series."""
    value = metrics.registry.get_sample_value("wirestream_build_info", {
        "version": "1.2.3", "python": next(s.labels["python"] for f in metrics.registry.collect()
                                           if f.name == "wirestream_build" for s in f.samples),
        "faust": next(s.labels["faust"] for f in metrics.registry.collect()
                      if f.name == "wirestream_build" for s in f.samples)})
    assert value == 1.0


def test_two_registries_do_not_collide() -> None:
    """Metrics come from the injected registry only (tests build many)."""
    a, b = Metrics.create(CollectorRegistry()), Metrics.create(CollectorRegistry())
    a.records_consumed.labels("wire.raw").inc()
    assert b.registry.get_sample_value("wirestream_records_consumed_total", {"topic": "wire.raw"}) is None


@given(st.text(max_size=80))
def test_bounded_label_never_passes_free_text(value: str) -> None:
    """Any string becomes a lower-case vocabulary word of at most 40 chars, 'other' or 'none'."""
    out = bounded_label(value)
    assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", out), out
    assert out in {value, "other", "none"}


@pytest.mark.parametrize("value,expected", [
    ("near_duplicate", "near_duplicate"), ("invalid_json", "invalid_json"), (None, "none"), ("", "none"),
    ("https://example.com/a", "other"), ("Council approves budget", "other"), ("x" * 41, "other"),
])
def test_bounded_label_table(value: str | None, expected: str) -> None:
    """Vocabulary words pass; URLs, headlines and long strings are 'other'."""
    assert bounded_label(value) == expected


def test_count_output_counts_verdict_reason_and_dead_letter_stage(metrics: Metrics) -> None:
    """A dead letter is counted under its verdict, code, and (stage, code); a headline-like reason is not a label."""
    dead = Output("dlq", None, {"error": {"code": "invalid_json", "stage": "ingest"}}, "dead_letter", "invalid_json")
    metrics.count_output(dead, "wire.dlq")
    metrics.count_output(Output("enriched", "u", {}, "new"), "wire.enriched")
    metrics.count_output(Output("duplicates", "u", {}, "duplicate", "Some Headline: with words"), "wire.duplicates")
    get = metrics.registry.get_sample_value
    assert get("wirestream_verdicts_total", {"verdict": "dead_letter", "reason": "invalid_json"}) == 1
    assert get("wirestream_dead_letters_total", {"stage": "ingest", "code": "invalid_json"}) == 1
    assert get("wirestream_verdicts_total", {"verdict": "new", "reason": "none"}) == 1
    assert get("wirestream_verdicts_total", {"verdict": "duplicate", "reason": "other"}) == 1
    assert get("wirestream_records_produced_total", {"topic": "wire.dlq"}) == 1


class _Retriable(KafkaConnectionError):
    pass


async def test_send_retrying_retries_retriable_errors(metrics: Metrics) -> None:
    """A retriable failure is retried with backoff and counted as an error and a retry; success returns."""
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _Retriable()
        return "sent"

    assert await metrics.send_retrying("wire.enriched", flaky, backoff_s=0.0) == "sent"
    get = metrics.registry.get_sample_value
    assert len(calls) == 3
    assert get("wirestream_producer_errors_total", {"topic": "wire.enriched"}) == 2
    assert get("wirestream_producer_retries_total", {"topic": "wire.enriched"}) == 2


async def test_send_retrying_gives_up_and_skips_non_retriable(metrics: Metrics) -> None:
    """Non-retriable errors raise at once; retriable ones raise after the last attempt."""
    async def too_large() -> None:
        raise MessageSizeTooLargeError()

    with pytest.raises(MessageSizeTooLargeError):
        await metrics.send_retrying("wire.dlq", too_large, backoff_s=0.0)
    get = metrics.registry.get_sample_value
    assert get("wirestream_producer_errors_total", {"topic": "wire.dlq"}) == 1
    assert get("wirestream_producer_retries_total", {"topic": "wire.dlq"}) in (None, 0.0)

    async def always_timeout() -> None:
        raise RuntimeError("wrapped") from _Retriable()  # Faust wraps client errors: the cause decides

    with pytest.raises(RuntimeError):
        await metrics.send_retrying("wire.raw", always_timeout, attempts=3, backoff_s=0.0)
    assert get("wirestream_producer_errors_total", {"topic": "wire.raw"}) == 3
    assert get("wirestream_producer_retries_total", {"topic": "wire.raw"}) == 2


def test_producer_sensor_counts_delivery_errors_by_topic(metrics: Metrics) -> None:
    """Faust's send-error hook increments producer errors for the topic the send was initiated on."""
    sensor = metrics.producer_sensor()
    state = sensor.on_send_initiated(None, "wire.enriched", None, 3, 10)
    sensor.on_send_error(None, RuntimeError("broker gone"), state)
    assert metrics.registry.get_sample_value("wirestream_producer_errors_total", {"topic": "wire.enriched"}) == 1


"""streams/topology.py per-record paths: the lean Faust monitor and the delivery-failure counter."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry

from streams.metrics import Metrics
from streams.settings import Settings
from streams.topology import LeanMonitor, _delivery_counter, build_app


@pytest.fixture
def metrics() -> Metrics:
    return Metrics.create(CollectorRegistry(), version="0")


def test_delivery_counter_counts_only_failed_sends(metrics: Metrics) -> None:
    """A record the client failed to deliver is counted under its topic; delivered and cancelled ones are not."""

    async def scenario() -> None:
        done = _delivery_counter(metrics, "wire.enriched")
        loop = asyncio.get_running_loop()
        ok, failed, cancelled = loop.create_future(), loop.create_future(), loop.create_future()
        for fut in (ok, failed, cancelled):
            fut.add_done_callback(done)
        ok.set_result(None)
        failed.set_exception(RuntimeError("broker gone"))
        cancelled.cancel()
        await asyncio.sleep(0)

    asyncio.run(scenario())
    value = metrics.registry.get_sample_value("wirestream_producer_errors_total", {"topic": "wire.enriched"})
    assert value == 1, f"one failed delivery expected, counted {value}"


def test_lean_monitor_keeps_only_the_stream_inbound_time() -> None:
    """Per-record hooks do nothing but remember when a stream last took an event (Faust's stall check)."""
    monitor = LeanMonitor()
    tp = ("raw", 0)
    message = SimpleNamespace()
    monitor.on_message_in(tp, 1, message)
    state = monitor.on_stream_event_in(tp, 1, object(), object())
    monitor.on_stream_event_out(tp, 1, object(), object(), state)
    monitor.on_message_out(tp, 1, message)
    monitor.on_send_initiated(None, "raw", message, 1, 1)
    assert tp in monitor.stream_inbound_time, "Faust's stalled-stream check reads stream_inbound_time"
    assert monitor.messages_received_total == 0 and monitor.events_total == 0 and monitor.messages_sent == 0
    assert not hasattr(message, "time_in"), "no per-record attribute writes"


def test_the_worker_app_uses_the_lean_monitor(metrics: Metrics, tmp_path: object) -> None:
    """build_app configures Faust with LeanMonitor, so Faust's default per-record statistics are off."""
    runtime = build_app(Settings(data_dir=tmp_path, store="memory"), metrics)  # type: ignore[arg-type]
    assert isinstance(runtime.app.monitor, LeanMonitor), type(runtime.app.monitor)

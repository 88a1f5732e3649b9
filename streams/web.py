"""The worker's HTTP endpoints on Faust's web server, and the background refresh behind them.

- ``/metrics``: Prometheus text format (``streams/metrics.py``).
- ``/healthz``: 200 while the process runs and its event loop answers.
- ``/readyz``: 200 once partitions are assigned, tables recovered and the broker
  answered recently (the lag monitor's last refresh); 503 with the failing
  conditions otherwise.
- ``/`` and ``/status.json``, ``/status.js``: the status page (``streams/status.py``).

:func:`register_web` also subscribes the status board to published outputs and
starts the lag monitor (``streams/lag.py``) as an app task that refreshes the
lag, state and readiness gauges every few seconds.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.lag import LagMonitor
from streams.status import PAGE_JS, SECURITY_HEADERS, StatusBoard, json_bytes, render_page
from streams.topology import Runtime


def readiness(runtime: Runtime, monitor: LagMonitor | None = None) -> dict[str, Any]:
    """What ``/readyz`` reports: each condition and whether all hold."""
    app = runtime.app
    try:
        assigned = len(app.assignor.assigned_actives())
    except Exception:  # before the first rebalance the assignor has nothing to say
        assigned = 0
    try:
        recovered = bool(app.tables.recovery.completed.is_set())  # type: ignore[attr-defined]
    except Exception:  # tables not set up yet
        recovered = False
    producer = app.producer
    producer_ok = bool(producer is not None and producer.started and not producer.should_stop)
    # A started producer says nothing about the broker now: the lag monitor's last
    # successful round trip does.
    broker_ok = producer_ok and (monitor.fresh() if monitor is not None else True)
    return {"ready": assigned > 0 and recovered and broker_ok, "assigned_partitions": assigned,
            "state_recovered": recovered, "broker_reachable": broker_ok}


def refresh_state_gauges(runtime: Runtime) -> None:
    """State sizes for the metrics and the status page (cheap: the deduper keeps counts incrementally)."""
    metrics, tables, pipeline = runtime.metrics, runtime.tables, runtime.pipeline
    stats = pipeline.deduper.stats()
    metrics.state_entries.labels("stories").set(stats.keys)
    metrics.state_bytes.labels("stories").set(stats.approx_bytes)
    metrics.dedup_stories.set(stats.stories)
    metrics.state_entries.labels("boilerplate").set(len(tables["boilerplate"]))
    metrics.learned_sources.set(len(pipeline.learned.sources()))  # keys are snapshots + journal slots
    metrics.learned_blocks.set(pipeline.learned.count())
    metrics.state_entries.labels("embargo").set(len(tables["embargo"]))
    metrics.embargo_held.set(len(tables["embargo"]))


def register_web(runtime: Runtime) -> StatusBoard:
    """Add the endpoints, the status board observer and the gauge refresh task to the runtime's app."""
    app = runtime.app
    registry = runtime.metrics.registry
    monitor = LagMonitor(runtime.settings, runtime.metrics)
    version = next((s.labels.get("version", "0") for f in registry.collect() if f.name == "wirestream_build"
                    for s in f.samples), "0")

    def refresh_gauges() -> None:
        runtime.metrics.ready.set(1 if readiness(runtime, monitor)["ready"] else 0)
        refresh_state_gauges(runtime)

    board = StatusBoard(runtime.metrics, app_id=runtime.settings.app_id, version=version,
                        lag=lambda: monitor.latest, readiness=lambda: readiness(runtime, monitor),
                        refresh=refresh_gauges)
    runtime.observers.append(board.observe)
    app.sensors.add(runtime.metrics.producer_sensor())

    @app.task  # type: ignore[untyped-decorator]
    async def lag_monitor() -> None:
        await monitor.run(also=refresh_gauges)

    @app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def health_view(web: Any, request: Any) -> Any:
        return web.json({"status": "ok", "processed": runtime.processed})

    @app.page("/readyz")
    async def ready_view(web: Any, request: Any) -> Any:
        state = readiness(runtime, monitor)
        return web.json(state, status=200 if state["ready"] else 503)

    @app.page("/")
    async def status_page(web: Any, request: Any) -> Any:
        return web.html(render_page(board.snapshot()), headers=dict(SECURITY_HEADERS))

    @app.page("/status.json")
    async def status_json(web: Any, request: Any) -> Any:
        return web.bytes(json_bytes(board.snapshot()), content_type="application/json",
                         headers=dict(SECURITY_HEADERS))

    @app.page("/status.js")
    async def status_js(web: Any, request: Any) -> Any:
        return web.bytes(PAGE_JS.encode(), content_type="text/javascript", headers=dict(SECURITY_HEADERS))

    return board

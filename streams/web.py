"""The worker's HTTP endpoints on Faust's web server: ``/metrics``, ``/healthz``, ``/readyz``.

``/healthz`` answers while the process runs; ``/readyz`` only once the worker has
partitions assigned, its tables recovered and the broker answers.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.topology import Runtime


def readiness(runtime: Runtime) -> dict[str, Any]:
    """What ``/readyz`` reports: each condition and whether all hold."""
    app = runtime.app
    assigned = len(app.assignor.assigned_actives()) if app.assignor is not None else 0
    recovered = bool(app.tables.recovery.completed.is_set()) if app.tables is not None else False
    producer = app.producer
    broker_ok = bool(producer is not None and producer.started and not producer.should_stop)
    return {"ready": assigned > 0 and recovered and broker_ok, "assigned_partitions": assigned,
            "state_recovered": recovered, "broker_reachable": broker_ok}


def register_web(runtime: Runtime) -> None:
    """Add the endpoints to the runtime's Faust app."""
    app = runtime.app
    registry = runtime.metrics.registry

    @app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def health_view(web: Any, request: Any) -> Any:
        return web.json({"status": "ok", "processed": runtime.processed})

    @app.page("/readyz")
    async def ready_view(web: Any, request: Any) -> Any:
        state = readiness(runtime)
        return web.json(state, status=200 if state["ready"] else 503)

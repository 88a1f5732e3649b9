"""``wirestream worker``: create the topics, build the app, run the Faust worker until SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from importlib import metadata

from prometheus_client import CollectorRegistry

from streams.kafka_config import KafkaUnavailable, check_connection, idempotent_producers
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import ensure_topics
from streams.topology import Runtime, build_app
from streams.web import register_web


def package_version() -> str:
    """The installed wirestream version (for build info)."""
    try:
        return metadata.version("wirestream")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build_runtime(settings: Settings) -> Runtime:
    """The app with its endpoints, on a fresh metrics registry."""
    metrics = Metrics.create(CollectorRegistry(), version=package_version())
    runtime = build_app(settings, metrics)
    register_web(runtime)
    return runtime


def run_worker(settings: Settings, loglevel: str = "WARNING") -> None:
    """Block running the worker (returns after SIGTERM / SIGINT)."""
    import faust

    logging.basicConfig(level=getattr(logging, loglevel.upper(), logging.WARNING))
    try:
        asyncio.run(check_connection(settings))
    except KafkaUnavailable as exc:
        print(f"wirestream worker: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None
    asyncio.run(ensure_topics(settings))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    idempotent_producers()
    runtime = build_runtime(settings)

    @runtime.app.task  # type: ignore[untyped-decorator]  # Faust's decorators are untyped
    async def freeze_startup_heap() -> None:
        # Everything built so far (stage data, compiled rules, Faust, aiokafka: hundreds of
        # thousands of objects) lives as long as the process. Left to the collector, every
        # full collection walks all of it again: a ~80 ms pause in the middle of the stream
        # (measured), which every record then waiting sees as latency. Frozen, it is never walked.
        gc.collect()
        gc.freeze()

    worker = faust.Worker(runtime.app, loglevel=loglevel, quiet=True)
    # Faust's terminal spinner sets the root logger to DEBUG (to spin on every record): every
    # aiokafka/faust debug call per message would then build a LogRecord. No spinner, no cost.
    worker.spinner = None
    worker.execute_from_commandline()

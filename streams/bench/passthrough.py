"""The end-to-end baseline: a Faust agent that decodes, re-encodes and forwards each record.

Same Faust version, same broker, same input topic and partition count, same producer
settings (``acks=-1``, 1 ms linger, 512 KB batches, raw serializers) as the real worker, and nothing else: the cost
of moving a record through Faust and Kafka, against which the pipeline's throughput
and latency are compared in the same run.

Configured like the worker, from ``WIRESTREAM_*`` variables: it reads
``WIRESTREAM_TOPICS_RAW`` and writes ``WIRESTREAM_TOPICS_ENRICHED``, as consumer group
``WIRESTREAM_APP_ID``. Run as ``python -m streams.bench.passthrough``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import orjson

from streams.settings import Settings


def build_app(settings: Settings) -> Any:
    """The passthrough app: one agent, raw -> enriched, plus a ``/readyz`` page."""
    import faust

    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_allow_declare=True,
        topic_disable_leader=True,
        processing_guarantee=settings.processing_guarantee,
        producer_acks=-1,
        producer_linger=0.001,  # as the worker (streams.topology.PRODUCER_LINGER_S)
        producer_max_batch_size=512 * 1024,  # as the worker (streams.topology.PRODUCER_MAX_BATCH_BYTES)
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        web_enabled=True,
    )
    raw = app.topic(settings.topics.raw, key_type=bytes, value_type=bytes, key_serializer="raw",
                    value_serializer="raw", partitions=settings.partitions)
    out = app.topic(settings.topics.enriched, key_type=bytes, value_type=bytes, key_serializer="raw",
                    value_serializer="raw", partitions=settings.partitions)

    @app.agent(raw, name="passthrough")
    async def passthrough(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            await out.send(key=message.key, value=orjson.dumps(orjson.loads(message.value)))

    @app.page("/readyz")
    async def ready(web: Any, request: Any) -> Any:
        assigned = len(app.assignor.assigned_actives()) if app.assignor is not None else 0
        return web.json({"ready": assigned > 0}, status=200 if assigned else 503)

    return app


def main() -> None:
    """Run the passthrough worker until SIGTERM."""
    import faust

    settings = Settings.from_env(os.environ)
    logging.basicConfig(level=logging.WARNING)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    worker = faust.Worker(build_app(settings), loglevel="WARNING", quiet=True)
    worker.spinner = None  # as the real worker (streams/worker.py): no DEBUG-level root logger
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()

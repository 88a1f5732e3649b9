"""``wirestream process``: the pipeline over archives and files, offline, with in-memory state.

Runs the very same stage code as the worker (``Pipeline.run``), in input order,
and writes one JSON line per input record to stdout::

    {"topic": <output topic>, "key": <str|null>, "value": {...}}

An archive line that cannot be read at all is itself a dead letter, so there is
always exactly one output line per input line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import IO

import orjson

from agents.model import Origin, RawRecord
from agents.outcome import Output
from agents.pipeline import Pipeline
from streams.archive import BadLine, read_paths
from streams.settings import Settings
from streams.topics import TopicPlan


def offline_pipeline(settings: Settings) -> Pipeline:
    """A pipeline whose state lives in plain dicts (one process, one run)."""
    return Pipeline(settings, boilerplate_store={}, story_store={})


def process_entries(pipeline: Pipeline, entries: Iterable[RawRecord | BadLine]) -> Iterator[Output]:
    """One output per entry, in order."""
    for entry in entries:
        if isinstance(entry, BadLine):
            yield pipeline.reject(Origin(entry.raw), "archive_line",
                                  f"{entry.source}:{entry.line_no}: {entry.message}")
        else:
            yield pipeline.run(entry)


def output_line(output: Output, plan: TopicPlan) -> bytes:
    """The JSON line ``process`` prints for one output."""
    return orjson.dumps({"topic": plan.output_topic(output.role), "key": output.key, "value": output.value}) + b"\n"


def run(paths: list[str], settings: Settings, out: IO[bytes] | None = None) -> dict[str, int]:
    """Process ``paths`` and write output lines; returns counts per output topic."""
    sink = out if out is not None else sys.stdout.buffer
    plan = TopicPlan.from_settings(settings)
    pipeline = offline_pipeline(settings)
    counts: dict[str, int] = {}
    for output in process_entries(pipeline, read_paths(paths)):
        sink.write(output_line(output, plan))
        topic = plan.output_topic(output.role)
        counts[topic] = counts.get(topic, 0) + 1
    sink.flush()
    return counts

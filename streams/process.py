"""``wirestream process``: the pipeline over archives and files, offline, with in-memory state.

Runs the very same stage code as the worker (``Pipeline.run``), in input order,
and writes one JSON line per input record to stdout::

    {"topic": <output topic>, "key": <str|null>, "value": {...}}

An archive line that cannot be read at all is itself a dead letter, so there is
always exactly one output line per input line. A single ``.xml`` file (a NewsML-G2,
NewsML 1.x or NITF document) is one record with an XML content type, as a ``.txt``,
``.html`` or ``.json`` file is one record of its type.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from agents.model import Origin, RawRecord
from agents.outcome import Output
from agents.pipeline import Pipeline
from streams.archive import ArchiveEntry, BadLine, read_paths
from streams.settings import Settings
from streams.topics import TopicPlan


def offline_pipeline(settings: Settings) -> Pipeline:
    """A pipeline whose state lives in plain dicts (one process, one run)."""
    return Pipeline(settings, boilerplate_store={}, story_store={})


def process_entries(pipeline: Pipeline, entries: Iterable[RawRecord | BadLine]) -> Iterator[Output]:
    """One output per story of each entry (one per entry but for multi-story XML), in order."""
    for entry in entries:
        if isinstance(entry, BadLine):
            yield pipeline.reject(Origin(entry.raw), "archive_line",
                                  f"{entry.source}:{entry.line_no}: {entry.message}")
        else:
            yield from pipeline.run_all(entry)


def read_inputs(paths: Iterable[str]) -> Iterator[ArchiveEntry]:
    """The records of every path, as :func:`streams.archive.read_paths` reads them, except XML files.

    A ``.xml`` file is one record declared ``application/xml``, so a document opening with a
    comment is still parsed as XML rather than sniffed as text.
    """
    for path in paths:
        p = Path(path)
        if path != "-" and p.suffix.lower() == ".xml" and p.is_file():
            yield RawRecord(value=p.read_bytes(), key=p.stem.encode(), headers=(("content-type", b"application/xml"),))
        else:
            yield from read_paths([path])


def output_line(output: Output, plan: TopicPlan) -> bytes:
    """The JSON line ``process`` prints for one output."""
    return orjson.dumps({"topic": plan.output_topic(output.role), "key": output.key, "value": output.value}) + b"\n"


def run(paths: list[str], settings: Settings, out: IO[bytes] | None = None) -> dict[str, int]:
    """Process ``paths`` and write output lines; returns counts per output topic."""
    sink = out if out is not None else sys.stdout.buffer
    plan = TopicPlan.from_settings(settings)
    pipeline = offline_pipeline(settings)
    counts: dict[str, int] = {}
    for output in process_entries(pipeline, read_inputs(paths)):
        sink.write(output_line(output, plan))
        topic = plan.output_topic(output.role)
        counts[topic] = counts.get(topic, 0) + 1
    sink.flush()
    return counts

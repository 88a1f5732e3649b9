"""Atheris fuzz target for the parsing and cleaning code: raw bytes -> Pipeline.run.

Run by hand (libFuzzer flags pass through)::

    .venv/bin/python tests/fuzz/fuzz_pipeline.py -max_total_time=300 corpus_dir/

A finding is any exception out of ``Pipeline.run`` (it must never raise), an output
that breaks its JSON Schema, or an ``internal`` dead letter (a stage raised: a bug).
``tests/fuzz/test_fuzz.py`` runs it for a bounded time in CI.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["agents"]):
    from agents.model import RawRecord
    from agents.pipeline import Pipeline

import schemas
from streams.settings import Settings

_SCHEMA_OF = {"enriched": "enriched.v1", "duplicates": "duplicate.v1", "dlq": "deadletter.v1"}
_CONTENT_TYPES = [b"", b"application/json", b"text/html", b"text/plain", b"application/octet-stream"]
_BASE = Pipeline(Settings(), boilerplate_store={}, story_store={})


class Finding(Exception):
    """An invariant of the pipeline broke on this input."""


def test_one_input(data: bytes) -> None:
    """One fuzz case: the first byte picks a content-type header, the rest is the record value."""
    fdp = atheris.FuzzedDataProvider(data)
    ctype = _CONTENT_TYPES[fdp.ConsumeIntInRange(0, len(_CONTENT_TYPES) - 1)]
    value = fdp.ConsumeBytes(fdp.remaining_bytes())
    headers = (("content-type", ctype),) if ctype else ()
    # Fresh state per case keeps findings reproducible from the single input.
    pipeline = Pipeline(Settings(), boilerplate_store={}, story_store={}, enricher=_BASE.enricher)
    output = pipeline.run(RawRecord(value=value, headers=headers, topic="wire.raw", partition=0, offset=0))
    problems = schemas.problems(_SCHEMA_OF[output.role], output.value)
    if problems:
        raise Finding(f"{output.role} output breaks its schema: {problems[:3]}")
    if output.role == "dlq" and output.value["error"]["code"] == "internal":
        raise Finding(f"internal error: {output.value['error']['message']}")


def main(argv: list[str]) -> None:
    """Hand argv to libFuzzer and run until it stops."""
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)

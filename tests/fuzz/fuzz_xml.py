"""Atheris fuzz target for the XML ingest path: raw bytes declared ``application/xml`` -> ``ingest_all``.

Run by hand (libFuzzer flags pass through)::

    .venv/bin/python tests/fuzz/fuzz_xml.py -max_total_time=300 corpus_dir/

A finding is any exception other than :class:`InputError` (a parser bug, a
RecursionError, an lxml error escaping as itself), or an accepted record whose
items break the ingest contract (no body, a part numbering other than 1..n).
``tests/fuzz/test_fuzz_xml.py`` runs it for a bounded time in CI.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["agents"]):
    from agents.errors import InputError
    from agents.ingest import IngestLimits, ingest_all
    from agents.model import RawRecord

_LIMITS = IngestLimits(max_payload_bytes=65_536, max_field_chars=20_000)
_HEADERS = (("content-type", b"application/xml"),)


class Finding(Exception):
    """An invariant of the XML ingest path broke on this input."""


def test_one_input(data: bytes) -> None:
    """One fuzz case: the bytes are the record value, declared XML."""
    try:
        items = ingest_all(RawRecord(value=data, headers=_HEADERS), _LIMITS)
    except InputError:
        return
    if not items:
        raise Finding("ingest_all accepted the record but returned no item")
    for n, item in enumerate(items, 1):
        if not (item.body_text or item.body_html):
            raise Finding(f"item {n} has no body")
        if item.part != (n if len(items) > 1 else None):
            raise Finding(f"item {n} of {len(items)} has part {item.part}")


def main(argv: list[str]) -> None:
    """Hand argv to libFuzzer and run until it stops."""
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)

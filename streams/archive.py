"""The archive format shared by ``process``, ``dump`` and ``replay`` (``schemas/archive-record.v1.json``).

An archive is JSON Lines (optionally gzipped), one Kafka record per line::

    {"topic"?, "partition"?, "offset"?, "timestamp"? (epoch ms), "key": str|null,
     "headers"?: {name: str}, "value": object|str}     # or "value_b64" for non-UTF-8 bytes

A single ``.txt`` / ``.html`` / ``.json`` file is read as one record whose value is
the file's bytes. A line that cannot be read as a record is yielded as a
:class:`BadLine` (the caller dead-letters it): never a crash.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from agents.model import RawRecord

ARCHIVE_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".gz")
_CONTENT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html", ".json": "application/json",
                  ".xml": "application/xml"}
MAX_LINE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class BadLine:
    """An archive line that is not a readable record."""

    source: str
    line_no: int
    raw: bytes
    message: str


ArchiveEntry = RawRecord | BadLine


def read_paths(paths: Iterable[str]) -> Iterator[ArchiveEntry]:
    """Every record of every path, in order (``-`` reads standard input as an archive)."""
    for path in paths:
        if path == "-":
            yield from read_lines(sys.stdin.buffer, "<stdin>")
            continue
        p = Path(path)
        name = p.name.lower()
        if name.endswith(ARCHIVE_SUFFIXES):
            with open_archive(p) as handle:
                yield from read_lines(handle, str(p))
        else:
            suffix = p.suffix.lower()
            headers: tuple[tuple[str, bytes], ...] = ()
            if suffix in _CONTENT_TYPES:
                headers = (("content-type", _CONTENT_TYPES[suffix].encode()),)
            yield RawRecord(value=p.read_bytes(), key=p.stem.encode(), headers=headers)


def open_archive(path: Path) -> IO[bytes]:
    """A binary handle on an archive, transparently gunzipped (by magic bytes, not name)."""
    handle = path.open("rb")
    magic = handle.peek(2)[:2] if isinstance(handle, io.BufferedReader) else b""
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    return handle


def read_lines(handle: IO[bytes], source: str) -> Iterator[ArchiveEntry]:
    """Parse archive lines from a binary handle."""
    for line_no, line in enumerate(handle, 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            yield BadLine(source, line_no, line[:MAX_LINE_BYTES], f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        yield parse_line(line, source, line_no)


def parse_line(line: bytes, source: str = "<line>", line_no: int = 0) -> ArchiveEntry:
    """One archive line -> a raw record, or a :class:`BadLine` saying why not."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return BadLine(source, line_no, line, f"not JSON: {str(exc)[:200]}")
    if not isinstance(obj, dict):
        return BadLine(source, line_no, line, "archive line is not a JSON object")
    try:
        return _record(obj)
    except (ValueError, TypeError, binascii.Error) as exc:
        return BadLine(source, line_no, line, str(exc)[:300])


def _record(obj: dict[str, Any]) -> RawRecord:
    if "value_b64" in obj:
        if not isinstance(obj["value_b64"], str):
            raise ValueError("'value_b64' must be a base64 string")
        value = base64.b64decode(obj["value_b64"], validate=True)
    elif "value" in obj:
        raw = obj["value"]
        value = raw.encode("utf-8") if isinstance(raw, str) else orjson.dumps(raw)
    else:
        raise ValueError("archive line has neither 'value' nor 'value_b64'")
    key = obj.get("key")
    if key is not None and not isinstance(key, str):
        raise ValueError("'key' must be a string or null")
    headers_obj = obj.get("headers") or {}
    if not isinstance(headers_obj, dict) or not all(isinstance(v, str) for v in headers_obj.values()):
        raise ValueError("'headers' must map names to strings")
    return RawRecord(
        value=value,
        key=key.encode("utf-8") if key is not None else None,
        headers=tuple((str(k), v.encode("utf-8")) for k, v in headers_obj.items()),
        topic=_opt(obj, "topic", str),
        partition=_opt(obj, "partition", int),
        offset=_opt(obj, "offset", int),
        timestamp_ms=_opt(obj, "timestamp", int),
    )


def _opt(obj: dict[str, Any], name: str, kind: type) -> Any:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"'{name}' must be {kind.__name__}")
    return value


def to_line(record: RawRecord) -> bytes:
    """A raw record as one archive line (value kept as JSON object or text where it is one)."""
    out: dict[str, Any] = {}
    if record.topic is not None:
        out["topic"] = record.topic
    if record.partition is not None:
        out["partition"] = record.partition
    if record.offset is not None:
        out["offset"] = record.offset
    if record.timestamp_ms is not None:
        out["timestamp"] = record.timestamp_ms
    out["key"] = None if record.key is None else record.key.decode("utf-8", "surrogateescape")
    if record.headers:
        out["headers"] = {name: value.decode("utf-8", "replace") for name, value in record.headers}
    try:
        text = record.value.decode("utf-8")
    except UnicodeDecodeError:
        out["value_b64"] = base64.b64encode(record.value).decode("ascii")
    else:
        out["value"] = text
        # Keep JSON payloads as objects so archives stay greppable; only when they
        # round-trip to the very same bytes, so replay re-sends identical values.
        if text[:1] == "{":
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                parsed = None
            if parsed is not None and orjson.dumps(parsed) == record.value:
                out["value"] = parsed
    return orjson.dumps(out) + b"\n"

"""The Kafka-free parts of the replay tool: filters, pacing, headers, dead-letter extraction, tallies.

Everything here is synchronous and takes its clock as an argument, so the unit
tests drive it with a fake clock; ``streams/replay_io.py`` does the Kafka I/O.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from agents.errors import WirestreamError
from agents.ingest import IngestLimits, ingest
from agents.model import Origin, RawRecord
from agents.outcome import HEADER_REPLAY_ID, HEADER_REPROCESS, HEADER_RETRIES, HEADER_TRACE_ID
from agents.publish import trace_id
from streams.replay_options import Pacing, RecordFilter

# Source filtering parses payloads with the ingest stage itself (so `--source` means exactly what the
# pipeline will call the source), but must not reject what the pipeline's own limits would let through.
_FILTER_LIMITS = IngestLimits(max_payload_bytes=1 << 62, max_field_chars=1 << 62)
T = TypeVar("T")
_OWN_HEADERS = frozenset(h.lower() for h in (HEADER_REPLAY_ID, HEADER_REPROCESS, HEADER_RETRIES))


# --- selection ---------------------------------------------------------------------------------------------------


def source_of(record: RawRecord) -> str | None:
    """The source name the ingest stage gives this record (None if ingest rejects it)."""
    try:
        return ingest(record, _FILTER_LIMITS).source
    except WirestreamError:
        return None


def skip_reason(record: RawRecord, rules: RecordFilter) -> str | None:
    """Why ``record`` is filtered out (``time`` or ``source``), or None when it is selected.

    >>> skip_reason(RawRecord(b"x", timestamp_ms=5), RecordFilter(since_ms=10))
    'time'
    >>> skip_reason(RawRecord(b'{"id": 1, "body": "b", "source": "ap"}'), RecordFilter(sources=("ap",))) is None
    True
    """
    if rules.since_ms is not None or rules.until_ms is not None:
        ts = record.timestamp_ms
        if ts is None:
            return "time"
        if rules.since_ms is not None and ts < rules.since_ms:
            return "time"
        if rules.until_ms is not None and ts >= rules.until_ms:
            return "time"
    if rules.sources and source_of(record) not in rules.sources:
        return "source"
    return None


# --- headers and partitions --------------------------------------------------------------------------------------


def outgoing_headers(headers: tuple[tuple[str, bytes], ...], replay_id: str, *, reprocess: bool,
                     retries: int | None = None) -> list[tuple[str, bytes]]:
    """The record's headers with this run's replay id (and reprocess flag, and retry count) in place of old ones.

    Old replay/reprocess/retries headers are dropped so a replay of a replay carries this
    run's id, and a replay without ``--reprocess`` of records that once had it is plain.

    >>> outgoing_headers((("a", b"1"), ("wirestream-replay-id", b"old")), "new", reprocess=True)
    [('a', b'1'), ('wirestream-replay-id', b'new'), ('wirestream-reprocess', b'1')]
    """
    out = [(name, value) for name, value in headers if name.lower() not in _OWN_HEADERS]
    out.append((HEADER_REPLAY_ID, replay_id.encode("utf-8")))
    if reprocess:
        out.append((HEADER_REPROCESS, b"1"))
    if retries is not None:
        out.append((HEADER_RETRIES, str(retries).encode("ascii")))
    return out


def target_partition(record: RawRecord, partitions: int, *, keep: bool = True) -> int | None:
    """The original partition when the target has it (keeps per-partition order); else None (by key).

    >>> target_partition(RawRecord(b"", partition=2), 4), target_partition(RawRecord(b"", partition=5), 4)
    (2, None)
    """
    if keep and record.partition is not None and 0 <= record.partition < partitions:
        return record.partition
    return None


# --- pacing ------------------------------------------------------------------------------------------------------


@dataclass
class Pacer:
    """When to send each record: as fast as possible, ``rate`` per second, or original pace divided by ``speed``.

    Call :meth:`delay` with the wall clock (seconds) before each send; it returns
    how long to wait. The schedule is absolute (start + n/rate), so time spent
    sending is not added on top of the pauses and the long-run rate is exact.
    """

    pacing: Pacing
    _start: float | None = None
    _first_ts: int | None = None
    _count: int = 0

    def delay(self, now: float, timestamp_ms: int | None = None) -> float:
        """Seconds to wait before sending the next record (0.0: send now)."""
        if self._start is None:
            self._start = now
        index = self._count
        self._count += 1
        if self.pacing.rate:
            due = self._start + index / self.pacing.rate
        elif self.pacing.speed:
            if timestamp_ms is None:
                return 0.0
            if self._first_ts is None:
                self._first_ts = timestamp_ms
            # Records earlier than the first (interleaved partitions) are simply due now.
            due = self._start + max(timestamp_ms - self._first_ts, 0) / 1000.0 / self.pacing.speed
        else:
            return 0.0
        return max(due - now, 0.0)

    def reset(self, now: float) -> None:
        """Restart the schedule (after a pause the sender did not choose, e.g. a broker outage)."""
        self._start, self._first_ts, self._count = now, None, 0


# --- dead letters ------------------------------------------------------------------------------------------------


class DeadLetterError(ValueError):
    """A dead-letter record whose original payload cannot be recovered."""


@dataclass(frozen=True)
class Redrive:
    """What to send back for one dead letter, and how many times it was re-driven before."""

    record: RawRecord
    retries: int
    code: str


def redrive_of(value: bytes) -> Redrive:
    """Recover the original record from a ``deadletter.v1`` message (payload, key, headers, timestamp).

    The returned record has no partition: re-driven records are partitioned by key
    (their original partitions say nothing about order across retries).

    >>> r = redrive_of(b'{"payload": {"encoding": "base64", "value": "aGk=", "bytes": 2}, "retries": 1,'
    ...                b' "source": {"key": "k", "timestamp_ms": 7}, "headers": {"h": "v"}, "error": {"code": "x"}}')
    >>> (r.record.value, r.record.key, r.record.headers, r.record.timestamp_ms, r.retries)
    (b'hi', b'k', (('h', b'v'),), 7, 1)
    """
    try:
        msg = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise DeadLetterError(f"dead letter is not JSON: {str(exc)[:200]}") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("payload"), dict):
        raise DeadLetterError("dead letter has no 'payload' object")
    payload = msg["payload"]
    encoding, text = payload.get("encoding"), payload.get("value")
    if not isinstance(text, str):
        raise DeadLetterError("dead letter payload has no string 'value'")
    if encoding == "utf-8":
        data = text.encode("utf-8")
    elif encoding == "base64":
        try:
            data = base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise DeadLetterError(f"dead letter payload is not base64: {exc}") from None
    else:
        raise DeadLetterError(f"unknown payload encoding {encoding!r}")
    source = _obj(msg, "source")
    key: bytes | None = None
    if isinstance(source.get("key_b64"), str):
        try:
            key = base64.b64decode(source["key_b64"], validate=True)
        except binascii.Error as exc:
            raise DeadLetterError(f"dead letter key is not base64: {exc}") from None
    elif isinstance(source.get("key"), str):
        key = source["key"].encode("utf-8")
    headers_obj = _obj(msg, "headers")
    headers = tuple((str(k), v.encode("utf-8")) for k, v in headers_obj.items() if isinstance(v, str))
    retries = msg.get("retries", 0)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise DeadLetterError(f"dead letter 'retries' is not a count: {retries!r}")
    ts = source.get("timestamp_ms")
    code = _obj(msg, "error").get("code")
    if not any(name.lower() == HEADER_TRACE_ID for name, _ in headers):
        # Re-driven records are partitioned anew, so the trace id their dead letter carried
        # (derived from the original coordinates) travels as a header instead.
        original = Origin(data, key, headers, _opt(source.get("topic"), str), _opt(source.get("partition"), int),
                          _opt(source.get("offset"), int))
        headers += ((HEADER_TRACE_ID, trace_id(original).encode("ascii")),)
    record = RawRecord(value=data, key=key, headers=headers,
                       timestamp_ms=ts if isinstance(ts, int) and not isinstance(ts, bool) else None)
    return Redrive(record=record, retries=retries, code=code if isinstance(code, str) else "unknown")


def _opt(value: Any, kind: type[T]) -> T | None:
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _obj(msg: dict[str, Any], name: str) -> dict[str, Any]:
    value = msg.get(name)
    return value if isinstance(value, dict) else {}


# --- tallies and exit codes --------------------------------------------------------------------------------------

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass
class Tally:
    """What a run did, for the summary and the exit code."""

    read: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    exhausted: int = 0
    skipped_by: dict[str, int] = field(default_factory=dict)
    first_ts: int | None = None
    last_ts: int | None = None
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0
    """Problems beyond the first :attr:`MAX_PROBLEMS` (counted, not kept)."""
    interrupted: bool = False
    fatal: str | None = None

    MAX_PROBLEMS = 20

    def skip(self, reason: str) -> None:
        """Count a record filtered out."""
        self.skipped += 1
        self.skipped_by[reason] = self.skipped_by.get(reason, 0) + 1

    def fail(self, problem: str) -> None:
        """Count a record that could not be read or sent (the first few are listed)."""
        self.failed += 1
        self.problem(problem)

    def problem(self, text: str) -> None:
        """Remember a line for the summary (bounded)."""
        if len(self.problems) < self.MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.unlisted += 1

    def covered(self, timestamp_ms: int | None) -> None:
        """Widen the time span covered by the records sent."""
        if timestamp_ms is None:
            return
        self.first_ts = timestamp_ms if self.first_ts is None else min(self.first_ts, timestamp_ms)
        self.last_ts = timestamp_ms if self.last_ts is None else max(self.last_ts, timestamp_ms)

    def exit_code(self) -> int:
        """0 all good; 1 partial (some failed or exhausted); 2 nothing worked; 130 interrupted."""
        if self.fatal is not None:
            return EXIT_FAILED
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.failed and not self.sent:
            return EXIT_FAILED
        if self.failed or self.exhausted:
            return EXIT_PARTIAL
        return EXIT_OK


# --- progress bar ------------------------------------------------------------------------------------------------


def _clock_text(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def progress_line(done: int, total: int | None, elapsed_s: float, width: int = 24) -> str:
    """One progress-bar line: bar (when the total is known), count, rate and ETA.

    >>> progress_line(50, 100, 10.0)
    '[############------------]  50% 50/100  5.0 rec/s  ETA 0:00:10'
    >>> progress_line(7, None, 2.0)
    '7 records  3.5 rec/s'
    """
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    if not total:
        return f"{done:,} records  {rate:,.1f} rec/s"
    frac = min(done / total, 1.0)
    filled = int(frac * width)
    eta = (total - done) / rate if rate > 0 else 0.0
    return (f"[{'#' * filled}{'-' * (width - filled)}] {frac * 100:3.0f}% {done:,}/{total:,}  {rate:,.1f} rec/s  "
            f"ETA {_clock_text(eta)}")


class ProgressBar:
    """A one-line progress bar on a terminal, redrawn at most every ``interval`` seconds; silent when disabled.

    Hand-written rather than tqdm/rich: it is forty lines, must stay quiet when
    stderr is not a terminal, and must share the injected clock with the pacer;
    neither library is a dependency of the project today.
    """

    def __init__(self, write: Callable[[str], object] | None, clock: Callable[[], float], total: int | None = None,
                 interval: float = 0.2) -> None:
        self.write, self.clock, self.total, self.interval = write, clock, total, interval
        self.started = clock()
        self._last = float("-inf")
        self._shown = False

    def update(self, done: int, force: bool = False) -> None:
        """Redraw if enough time passed (or ``force``)."""
        if self.write is None:
            return
        now = self.clock()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        self._shown = True
        self.write("\r" + progress_line(done, self.total, now - self.started) + "\x1b[K")

    def close(self, done: int) -> None:
        """Draw the final state and end the line."""
        if self.write is None:
            return
        self.update(done, force=True)
        if self._shown:
            self.write("\n")

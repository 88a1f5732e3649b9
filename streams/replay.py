"""``wirestream dump`` and ``wirestream replay``: archive, replay and reprocess history safely.

Replay tool
===========

Operators reprocess history: re-run last week's feed after a cleaning fix,
re-inject an archive after an outage, re-drive the dead-letter topic after a bug,
feed a new consumer the stories since Monday. ``dump`` and ``replay`` do this
without ``kafka-consumer-groups --reset-offsets``: they never move the offsets of
the live worker's consumer group.

Archive format: JSON Lines of Kafka records, gzipped when the name ends in
``.gz`` (``schemas/archive-record.v1.json``, ``streams/archive.py``)::

    {"topic": "wire.raw", "partition": 0, "offset": 41, "timestamp": 1764201600000,
     "key": "urn:ap:1", "headers": {"source": "ap"}, "value": {...} | "text"}   # or "value_b64"

``wirestream process ARCHIVE`` runs the same stage code offline over an archive.

Dump a topic range::

    wirestream dump --topic wire.raw --from-time 2026-11-23T00:00Z --to-time 2026-11-24T00:00Z -o mon.jsonl.gz
    wirestream dump --topic wire.raw --partitions 0,1 --from-offset 0:120,1:98 --to-offset 0:500,1:480 -o x.jsonl

Start and stop by offset (``N`` for all partitions, or ``P:N,...``) or by time
(``offsets_for_times``: the first record whose timestamp is >= the time). Stop
bounds are exclusive. Keys, headers, timestamps, partitions and offsets are kept.
The dump reads with no consumer group, at ``read_committed`` isolation, and stops
at the end offsets it saw at start: it ends even on a live topic.

Replay an archive (default target ``wire.raw``)::

    wirestream replay mon.jsonl.gz                      # as fast as possible
    wirestream replay mon.jsonl.gz --rate 200           # 200 records/s
    wirestream replay mon.jsonl.gz --speed 60           # the original gaps between timestamps, 60x faster
    wirestream replay mon.jsonl.gz --source reuters --since 2026-11-23T09:00Z --until 2026-11-23T12:00Z
    wirestream replay mon.jsonl.gz --limit 100 --dry-run > preview.jsonl

Keys and headers are kept. Records are sent with the producer's current time as
their timestamp: Kafka's time-based retention deletes records by timestamp, so a
record sent with an archived timestamp older than the target topic's
``retention.ms`` is deleted almost at once, possibly before the worker reads it.
``--timestamps original`` sends the archived timestamps anyway (for topics with
long retention, or to reproduce exactly what the pipeline saw: it uses the record
timestamp as a fallback story time). ``--speed`` and ``--since/--until`` always
use the archived timestamps. Each record goes to its original partition when
the target topic has that partition (so each source partition keeps its order),
else it is partitioned by key (records of one key keep their order); the producer
is idempotent, so retries cannot reorder or duplicate them. Unpaced runs send
whole per-partition batches (``create_batch``), paced runs record by record. The
target topic must exist (the worker creates the pipeline's topics). Every record gets a
``wirestream-replay-id`` header (``--replay-id``, default ``replay-<time>-<random>``);
the pipeline copies it into ``source.replay_id`` of what it publishes, so the
outputs of a replay can be told apart. ``--source`` keeps the records whose source
name, as the ingest stage reads it, is one of the names given; ``--since/--until``
filter on record timestamps. ``--dry-run`` sends nothing and prints, as archive
lines, exactly what would be sent.

Replay a topic range back into the pipeline::

    wirestream replay --from-topic wire.raw --from-time 2026-11-23T00:00Z --to-time 2026-11-24T00:00Z

Same range options as ``dump``; reads with no consumer group, so the worker's
offsets are untouched. Replaying ``wire.raw`` into itself is safe: the range ends
at the end offsets captured at start.

Re-drive dead letters::

    wirestream replay --dlq                       # dead letters that arrived since the last --dlq run
    wirestream replay --dlq --from-offset 0       # all of them again

Each ``deadletter.v1`` message carries the original payload (UTF-8 text or
base64), key and headers; they are sent back to the raw topic with the header
``wirestream-retries`` set to the dead letter's ``retries`` + 1. The pipeline copies
that header into ``retries`` when the record fails again, so the counter climbs on
each round. A dead letter whose ``retries`` already equals ``--max-retries``
(``WIRESTREAM_MAX_REDRIVE_RETRIES``, default 3) is not sent: it is counted as
*exhausted*, listed in the summary, and makes the exit code 1. It is not
republished to the dead-letter topic (say with code ``retries_exhausted``): the
dead letter already there is the record of its last failure, and republishing it
would add one more copy on every later run. Progress is remembered in the tool's
own consumer group (``--group``, default ``<app id>-redrive``, offsets committed by
manual assignment, never the worker's group), so each run re-drives only what
arrived since the previous run, and a record that fails again is picked up by the
next run with its counter increased. ``--no-commit`` leaves the group untouched.

Reprocessing semantics
----------------------

By default replayed records go through the pipeline like any other: deduplication
sees a story it already processed and publishes a duplicate notice on
``wire.duplicates`` (its ``source.replay_id`` names the replay), not a new story.
Replaying a range that was already processed therefore yields only duplicates, and
is safe to repeat.

``--reprocess`` adds the header ``wirestream-reprocess: 1``. Every replayed record
is cleaned and enriched by the code running now either way; with the header, the
dedupe stage publishes a story it has already seen on ``wire.enriched`` as a new
version of that story (same ``uri``, ``version`` + 1, ``wirestream.verdict``
``version``) instead of a duplicate notice. Use it after an enrichment or
cleaning upgrade; consumers replace the stories they hold by ``uri``. A replay
without ``--reprocess`` strips that header from archived records, so only an
explicit ``--reprocess`` reprocesses.

Operator comfort
----------------

A progress bar with rate and ETA is drawn on stderr when it is a terminal
(``--progress on|off`` forces it). The run ends with a summary: records read,
sent, skipped (by filter), failed (unreadable archive lines, unrecoverable dead
letters, send errors), exhausted dead letters, and the time span of the records
sent. Ctrl-C stops reading, waits for the records in flight, prints the summary
and the command that resumes the run (``--skip N`` for archives, ``--from-offset``
for topic ranges; ``--dlq`` resumes from its group); a second Ctrl-C aborts at
once. Exit codes: 0 every selected record sent; 1 partial (some failed, or dead
letters exhausted, or a dump gave up waiting); 2 nothing could be sent, or a
usage or configuration error; 130 interrupted.

Every option has an environment variable, shown in ``--help``: options that are
settings use the setting's variable (``WIRESTREAM_KAFKA_BOOTSTRAP``,
``WIRESTREAM_TOPICS_RAW``, ``WIRESTREAM_TOPICS_DLQ``,
``WIRESTREAM_MAX_REDRIVE_RETRIES``), the others ``WIRESTREAM_REPLAY_*`` /
``WIRESTREAM_DUMP_*``.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import os
import shlex
import signal
import sys
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from contextlib import aclosing, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from agents.model import RawRecord
from streams.archive import ARCHIVE_SUFFIXES, BadLine, open_archive, read_paths, to_line
from streams.replay_core import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    DeadLetterError,
    Pacer,
    ProgressBar,
    Tally,
    outgoing_headers,
    redrive_of,
    skip_reason,
    target_partition,
)
from streams.replay_io import (
    BatchSender,
    Bounds,
    RangeError,
    Sender,
    consumer_for,
    producer_for,
    read_range,
    resolve,
    target_partitions,
)
from streams.replay_options import (
    DumpOptions,
    ReplayOptions,
    UsageError,
    format_time_ms,
    parse_dump_args,
    parse_replay_args,
    settings_env,
)
from streams.settings import Settings, SettingsError

Clock = Callable[[], float]


@dataclass
class Console:
    """Where a run writes: stdout for data (dry-run lines, ``-o -``), stderr for people."""

    out: IO[bytes]
    err: IO[str]
    tty: bool

    @classmethod
    def system(cls) -> Console:
        """The process's own streams."""
        return cls(out=sys.stdout.buffer, err=sys.stderr, tty=sys.stderr.isatty())

    def say(self, text: str) -> None:
        """A line for the operator."""
        self.err.write(text + "\n")
        self.err.flush()

    def bar_writer(self, mode: str) -> Callable[[str], object] | None:
        """The progress bar's writer, or None when it should stay quiet."""
        if mode == "off" or (mode == "auto" and not self.tty):
            return None

        def write(text: str) -> None:
            self.err.write(text)
            self.err.flush()

        return write


# --- entry points ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None,
         console: Console | None = None) -> int:
    """``wirestream replay``: returns the exit code (0 ok, 1 partial, 2 failure/usage, 130 interrupted)."""
    return _entry("replay", parse_replay_args, run_replay, argv, env, console)


def dump_main(argv: list[str] | None = None, env: Mapping[str, str] | None = None,
              console: Console | None = None) -> int:
    """``wirestream dump``: returns the exit code (0 ok, 1 gave up early, 2 failure/usage, 130 interrupted)."""
    return _entry("dump", parse_dump_args, run_dump, argv, env, console)


def _entry(command: str, parse: Callable[..., Any], run: Callable[..., Any], argv: list[str] | None,
           env: Mapping[str, str] | None, console: Console | None) -> int:
    # The one place the tools read os.environ: settings and options are parsed once, here.
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if env is None else env)
    con = console or Console.system()
    try:
        settings = Settings.from_env(settings_env(environ))
        options = parse(args, environ, settings)
    except (UsageError, SettingsError) as exc:
        con.say(f"wirestream {command}: {exc} (see --help)")
        return EXIT_FAILED
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return _run_async(run(options, settings, con, args), con)


def _run_async(coro: Any, con: Console) -> int:
    try:
        return int(asyncio.run(coro))
    except KeyboardInterrupt:
        con.say("\naborted: records in flight may or may not have been written")
        return EXIT_INTERRUPTED


class _Interrupts:
    """First Ctrl-C sets ``stop`` (finish cleanly); the second cancels the run."""

    def __init__(self, con: Console) -> None:
        self.stop = asyncio.Event()
        self.con = con
        self._task: asyncio.Task[Any] | None = None
        self._installed = False

    def __enter__(self) -> _Interrupts:
        self._task = asyncio.current_task()
        with suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def _on_sigint(self) -> None:
        if self.stop.is_set():
            if self._task is not None:
                self._task.cancel()
            return
        self.stop.set()
        self.con.say("\nstopping: waiting for records in flight (Ctrl-C again to abort)")

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake up at once on Ctrl-C."""
    with suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def resume_command(prog: str, argv: list[str], drop: Iterable[str], add: list[str]) -> str:
    """The command line that resumes a run: ``argv`` without the ``drop`` flags (and their values), plus ``add``.

    >>> resume_command("wirestream replay", ["a.jsonl", "--skip", "5", "--rate=3"], ["--skip"], ["--skip", "9"])
    'wirestream replay a.jsonl --rate=3 --skip 9'
    """
    dropped = set(drop)
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        name = arg.split("=", 1)[0]
        if name in dropped:
            if "=" not in arg:
                next(it, None)
            continue
        out.append(arg)
    return " ".join([prog, *(shlex.quote(a) for a in out + add)])


# --- replay ------------------------------------------------------------------------------------------------------


async def run_replay(opts: ReplayOptions, settings: Settings, con: Console, argv: list[str],
                     clock: Clock = time.monotonic) -> int:
    """Run one replay; prints progress and the summary, returns the exit code."""
    tally = Tally()
    started = clock()
    with _Interrupts(con) as interrupts:
        try:
            resume = await _replay(opts, settings, con, tally, interrupts.stop, clock)
        except (RangeError, KafkaError, OSError) as exc:
            tally.fatal = f"{type(exc).__name__}: {exc}"
            resume = None
        tally.interrupted = interrupts.stop.is_set()
    _summary(con, opts, tally, clock() - started, resume, argv)
    return tally.exit_code()


@dataclass
class _Position:
    """Where a run got to, for the resume hint."""

    entries: int = 0
    bounds: Bounds | None = None
    limited: bool = False
    exhausted: bool = False
    """True when the source ran out (nothing left to resume)."""


async def _replay(opts: ReplayOptions, settings: Settings, con: Console, tally: Tally, stop: asyncio.Event,
                  clock: Clock) -> str | None:
    position = _Position()
    producer = None if opts.dry_run else producer_for(settings, opts.bootstrap)
    consumer = None
    try:
        partitions = 0
        sender: Sender | None = None
        if producer is not None:
            await producer.start()
            found = await target_partitions(producer, opts.target_topic)
            partitions = len(found)
            paced = opts.pacing.rate is not None or opts.pacing.speed is not None
            # Paced runs send record by record (each on time); unpaced runs fill whole batches.
            sender = Sender(producer, opts.target_topic, tally) if paced else BatchSender(
                producer, opts.target_topic, tally, found)
        total: int | None = None
        if opts.mode == "archive":
            items: AsyncGenerator[RawRecord | BadLine, None] = _archive_items(opts, position)
            if con.bar_writer(opts.progress) is not None:
                total = _count_lines(opts.archives)
                total = None if total is None else max(total - opts.skip, 0)
        else:
            assert opts.source_range is not None
            group = opts.group if opts.mode == "dlq" else None
            consumer = consumer_for(settings, opts.bootstrap, group)
            await consumer.start()
            bounds = await resolve(consumer, opts.source_range, committed_start=opts.mode == "dlq")
            position.bounds = bounds
            total = bounds.total
            items = read_range(consumer, opts.source_range.topic, bounds, stop, tally=tally)
        if opts.limit is not None and total is not None:
            total = min(total, opts.limit)
        bar = ProgressBar(con.bar_writer(opts.progress), clock, total)
        run = _Run(opts, con, tally, stop, clock, bar, position, sender, partitions)
        try:
            async with aclosing(items):
                await _pump(run, items)
        finally:
            if sender is not None:
                await sender.flush()
            bar.close(tally.read)
        if opts.mode == "dlq" and consumer is not None and position.bounds is not None:
            note = await _commit_dlq(consumer, opts, position.bounds, sender)
            if note:
                tally.problem(note)
        return _resume_hint(opts, position)
    finally:
        if consumer is not None:
            await consumer.stop()
        if producer is not None:
            await producer.stop()


async def _archive_items(opts: ReplayOptions, position: _Position) -> AsyncGenerator[RawRecord | BadLine, None]:
    """Archive entries after ``--skip``; ``position.entries`` counts the entries pulled (skipped ones included).

    Read in the event loop's thread: a reader thread measured no faster (JSON parsing
    holds the GIL) and slower on a busy machine (GIL hand-offs).
    """
    position.entries = opts.skip
    for entry in itertools.islice(read_paths(opts.archives), opts.skip, None):
        position.entries += 1
        if position.entries % 512 == 0:
            await asyncio.sleep(0)  # let the producer's sender task and signal handlers run
        yield entry


def _count_lines(paths: Iterable[str]) -> int | None:
    """Roughly how many records the archives hold (newlines), for the progress bar; None if unknowable."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        p = Path(path)
        if not p.name.lower().endswith(ARCHIVE_SUFFIXES):
            total += 1  # a single-record file
            continue
        try:
            with open_archive(p) as handle:
                while chunk := handle.read(1 << 20):
                    total += chunk.count(b"\n")
        except OSError:
            return None
    return total


@dataclass
class _Run:
    """What the send loop works with."""

    opts: ReplayOptions
    con: Console
    tally: Tally
    stop: asyncio.Event
    clock: Clock
    bar: ProgressBar
    position: _Position
    sender: Sender | None
    """None on a dry run."""
    partitions: int
    """Partitions of the target topic (0 on a dry run)."""


async def _pump(run: _Run, items: AsyncGenerator[RawRecord | BadLine, None]) -> None:
    """The loop: every pulled item is handled completely before the loop may stop (resume points stay exact)."""
    opts, tally, sender, position = run.opts, run.tally, run.sender, run.position
    pacer = Pacer(opts.pacing)
    paced = opts.pacing.rate is not None or opts.pacing.speed is not None
    keep_time = opts.timestamps == "original"
    selected = 0
    async for item in items:
        tally.read += 1
        outgoing = _prepare(item, opts, tally)
        if outgoing is not None:
            record, headers, origin = outgoing
            selected += 1
            if paced:
                wait = pacer.delay(run.clock(), record.timestamp_ms)
                if wait > 0:
                    await _wait(run.stop, wait)
            partition = target_partition(record, run.partitions) if opts.mode != "dlq" else None
            timestamp_ms = record.timestamp_ms if keep_time else None
            if sender is None:
                _dry_run_line(run.con, opts, record, headers, partition, timestamp_ms)
                tally.sent += 1
                tally.covered(record.timestamp_ms)
            else:
                await sender.send(record, partition, headers, timestamp_ms=timestamp_ms, origin=origin)
        run.bar.update(tally.read)
        if opts.limit is not None and selected >= opts.limit:
            position.limited = True
            break
        if run.stop.is_set():
            break
    else:
        position.exhausted = True


def _prepare(item: RawRecord | BadLine, opts: ReplayOptions, tally: Tally
             ) -> tuple[RawRecord, list[tuple[str, bytes]], RawRecord] | None:
    """The record to send, its headers and the record it came from; None if skipped or failed (tallied)."""
    if isinstance(item, BadLine):
        tally.fail(f"{item.source}:{item.line_no}: unreadable archive line: {item.message}")
        return None
    retries: int | None = None
    record = item
    if opts.mode == "dlq":
        try:
            redrive = redrive_of(item.value)
        except DeadLetterError as exc:
            tally.fail(f"{item.topic}[{item.partition}]@{item.offset}: {exc}")
            return None
        if redrive.retries >= opts.max_retries:
            tally.exhausted += 1
            key = redrive.record.key.decode("utf-8", "replace") if redrive.record.key is not None else None
            tally.problem(f"exhausted after {redrive.retries} retries: dead letter {item.topic}[{item.partition}]"
                          f"@{item.offset} key={key!r} error={redrive.code}")
            return None
        record, retries = redrive.record, redrive.retries + 1
    reason = skip_reason(record, opts.filter) if opts.filter.active else None
    if reason is not None:
        tally.skip(reason)
        return None
    headers = outgoing_headers(record.headers, opts.replay_id, reprocess=opts.reprocess, retries=retries)
    return record, headers, item


def _dry_run_line(con: Console, opts: ReplayOptions, record: RawRecord, headers: list[tuple[str, bytes]],
                  partition: int | None, timestamp_ms: int | None) -> None:
    shown = replace(record, topic=opts.target_topic, partition=partition, offset=None, headers=tuple(headers),
                    timestamp_ms=timestamp_ms)
    con.out.write(to_line(shown))


async def _commit_dlq(consumer: Any, opts: ReplayOptions, bounds: Bounds, sender: Sender | None) -> str | None:
    """Save re-drive progress in the tool's group, stopping at the first failed send of each partition."""
    if opts.dry_run or not opts.commit or sender is None:
        return None
    assert opts.source_range is not None
    offsets = {}
    for p, nxt in bounds.next.items():
        if nxt == bounds.start[p]:
            continue  # nothing read there: nothing to save (and the partition was never assigned)
        failed = sender.failed_at.get(p)
        offsets[TopicPartition(opts.source_range.topic, p)] = min(nxt, failed) if failed is not None else nxt
    if not offsets:
        return None
    try:
        await consumer.commit(offsets)
    except KafkaError as exc:
        return f"could not save progress in group {opts.group!r}: {exc} (the next run re-drives these again)"
    return None


def _resume_hint(opts: ReplayOptions, position: _Position) -> str | None:
    if opts.mode == "archive":
        # After a limit or Ctrl-C; a complete run needs no hint.
        return None if position.exhausted else f"--skip {position.entries}"
    bounds = position.bounds
    if bounds is None or not bounds.remaining():
        return None
    if opts.mode == "dlq" and opts.commit and not opts.dry_run:
        return "(progress saved in group; run the same command again)"
    return f"--from-offset {bounds.resume_spec()}"


def _summary(con: Console, opts: ReplayOptions, tally: Tally, elapsed: float, resume: str | None,
             argv: list[str]) -> None:
    range_topic = opts.source_range.topic if opts.source_range else ""
    source = {"archive": ", ".join(opts.archives), "topic": f"topic {range_topic}",
              "dlq": f"dead letters of {range_topic}"}[opts.mode]
    target = "(dry run)" if opts.dry_run else opts.target_topic
    con.say(f"replay {opts.replay_id}: {source} -> {target}{' [reprocess]' if opts.reprocess else ''}")
    by = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.skipped_by.items()))
    line = (f"  read {tally.read:,}  sent {tally.sent:,}  skipped {tally.skipped:,}{f' ({by})' if by else ''}  "
            f"failed {tally.failed:,}")
    if opts.mode == "dlq":
        line += f"  exhausted {tally.exhausted:,} (max retries {opts.max_retries})"
    con.say(line)
    con.say(f"  time span covered: {format_time_ms(tally.first_ts)} .. {format_time_ms(tally.last_ts)}")
    rate = tally.sent / elapsed if elapsed > 0 else 0.0
    con.say(f"  elapsed {elapsed:,.1f} s ({rate:,.0f} records/s)")
    for problem in tally.problems:
        con.say(f"  ! {problem}")
    if tally.unlisted:
        con.say(f"  ! ... and {tally.unlisted:,} more")
    if tally.fatal:
        con.say(f"  failed: {tally.fatal}")
    if resume:
        if resume.startswith("--"):
            flag, value = resume.split(" ", 1)
            drop = ["--skip"] if flag == "--skip" else ["--from-offset", "--from-time"]
            drop.append("--replay-id")
            cmd = resume_command("wirestream replay", argv, drop, [flag, value, "--replay-id", opts.replay_id])
            con.say(f"  {'stopped' if tally.interrupted else 'stopped at --limit'}; resume with:\n    {cmd}")
        else:
            con.say(f"  resume: {resume}")
    con.say(f"  exit {tally.exit_code()}")


# --- dump --------------------------------------------------------------------------------------------------------


async def run_dump(opts: DumpOptions, settings: Settings, con: Console, argv: list[str],
                   clock: Clock = time.monotonic) -> int:
    """Dump one topic range to an archive; prints progress and the summary, returns the exit code."""
    tally = Tally()
    started = clock()
    bounds: Bounds | None = None
    with _Interrupts(con) as interrupts:
        try:
            bounds = await _dump(opts, settings, con, tally, interrupts.stop, clock)
        except (RangeError, KafkaError, OSError) as exc:
            tally.fatal = f"{type(exc).__name__}: {exc}"
        tally.interrupted = interrupts.stop.is_set()
    rng = opts.source_range
    con.say(f"dump {rng.topic} -> {opts.output}")
    con.say(f"  written {tally.sent:,} records  time span covered: {format_time_ms(tally.first_ts)} .. "
            f"{format_time_ms(tally.last_ts)}  elapsed {clock() - started:,.1f} s")
    for problem in tally.problems:
        con.say(f"  ! {problem}")
    if tally.unlisted:
        con.say(f"  ! ... and {tally.unlisted:,} more")
    if tally.fatal:
        con.say(f"  failed: {tally.fatal}")
    if bounds is not None and bounds.remaining() and (tally.interrupted or tally.fatal):
        cmd = resume_command("wirestream dump", argv, ["--from-offset", "--from-time", "-o", "--output"],
                             ["--from-offset", bounds.resume_spec(), "-o", "NEXT_PART.jsonl.gz"])
        con.say(f"  stopped early; the rest of the range:\n    {cmd}")
    code = tally.exit_code()
    if tally.fatal == "idle timeout":
        code = 1
    con.say(f"  exit {code}")
    return code


async def _dump(opts: DumpOptions, settings: Settings, con: Console, tally: Tally, stop: asyncio.Event,
                clock: Clock) -> Bounds:
    consumer = consumer_for(settings, opts.bootstrap, None)
    await consumer.start()
    try:
        bounds = await resolve(consumer, opts.source_range)
        bar = ProgressBar(con.bar_writer(opts.progress), clock, bounds.total)
        sink, closer = _open_output(opts.output, con)
        try:
            async for record in read_range(consumer, opts.source_range.topic, bounds, stop,
                                           idle_timeout_s=opts.idle_timeout_s, tally=tally):
                sink.write(to_line(record))
                tally.read += 1
                tally.sent += 1
                tally.covered(record.timestamp_ms)
                bar.update(tally.sent)
        finally:
            closer()
            bar.close(tally.sent)
        return bounds
    finally:
        await consumer.stop()


def _open_output(path: str, con: Console) -> tuple[IO[bytes], Callable[[], None]]:
    if path == "-":
        return con.out, con.out.flush
    target = Path(path)
    if target.name.lower().endswith(".gz"):
        handle: IO[bytes] = gzip.GzipFile(target, "wb", compresslevel=6)  # type: ignore[assignment]
    else:
        handle = target.open("wb")
    return handle, handle.close

"""Command-line options of ``wirestream replay`` and ``wirestream dump``, parsed once into frozen values.

Every flag has an environment variable (shown in ``--help``): flags that mirror a
setting use the setting's own variable (``WIRESTREAM_TOPICS_RAW``,
``WIRESTREAM_MAX_REDRIVE_RETRIES``, ...); tool-only flags use
``WIRESTREAM_REPLAY_*`` / ``WIRESTREAM_DUMP_*``, which :func:`settings_env` strips
before :meth:`Settings.from_env` sees the environment. A command-line flag beats
its variable, which beats the default.

Nothing here reads ``os.environ``: the environment mapping is passed in.
"""

from __future__ import annotations

import argparse
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NoReturn

from streams.settings import Settings

TOOL_ENV_PREFIXES = ("WIRESTREAM_REPLAY_", "WIRESTREAM_DUMP_")

Progress = Literal["auto", "on", "off"]
Timestamps = Literal["original", "now"]
_PARTITION_OFFSETS = re.compile(r"^\s*(\d{1,6})\s*:\s*(\d{1,19})\s*$")


class UsageError(ValueError):
    """The command line (or a tool variable) is malformed: exit code 2."""


def settings_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment without the tool-only variables (those are not settings)."""
    return {k: v for k, v in env.items() if not k.startswith(TOOL_ENV_PREFIXES)}


# --- value parsers ---------------------------------------------------------------------------------------------


def parse_time_ms(text: str) -> int:
    """An ISO 8601 time (``2026-11-27``, ``2026-11-27T10:00``, ``...Z`` / ``+01:00``) as epoch ms; naive is UTC.

    >>> parse_time_ms("1970-01-01T00:00:01Z")
    1000
    >>> parse_time_ms("1970-01-02")
    86400000
    """
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1:] in {"Z", "z"} else raw)
    except ValueError:
        raise UsageError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-27T10:00:00Z)") from None
    if parsed.tzinfo is None:
        # Operators type wall-clock times; UTC is the only unambiguous reading on a server.
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def format_time_ms(ms: int | None) -> str:
    """Epoch ms as ISO 8601 UTC (``-`` for None).

    >>> format_time_ms(1000)
    '1970-01-01T00:00:01Z'
    """
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def parse_partitions(text: str) -> tuple[int, ...]:
    """``0,1,3`` -> (0, 1, 3).

    >>> parse_partitions("2, 0,2")
    (0, 2)
    """
    try:
        parts = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        raise UsageError(f"--partitions wants comma-separated partition numbers, got {text!r}") from None
    if not parts or parts[0] < 0:
        raise UsageError(f"--partitions wants non-negative partition numbers, got {text!r}")
    return tuple(parts)


@dataclass(frozen=True)
class OffsetSpec:
    """An offset for every partition (``all``), or per partition (``0:120,1:98``)."""

    all: int | None = None
    per_partition: tuple[tuple[int, int], ...] = ()

    def for_partition(self, partition: int) -> int | None:
        """The offset given for ``partition`` (None: not given for it)."""
        for p, offset in self.per_partition:
            if p == partition:
                return offset
        return self.all

    def render(self) -> str:
        """Back to the command-line form."""
        if self.all is not None:
            return str(self.all)
        return ",".join(f"{p}:{o}" for p, o in self.per_partition)


def parse_offsets(text: str, flag: str = "--from-offset") -> OffsetSpec:
    """``N`` (every partition) or ``P:N,P:N`` (per partition).

    >>> parse_offsets("0:10,1:7").for_partition(1)
    7
    >>> parse_offsets("5").for_partition(3)
    5
    """
    raw = text.strip()
    if raw.isdigit():
        return OffsetSpec(all=int(raw))
    pairs: dict[int, int] = {}
    for part in raw.split(","):
        match = _PARTITION_OFFSETS.match(part)
        if not match:
            raise UsageError(f"{flag} wants N or PARTITION:OFFSET[,PARTITION:OFFSET...], got {text!r}")
        pairs[int(match[1])] = int(match[2])
    return OffsetSpec(per_partition=tuple(sorted(pairs.items())))


# --- option values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRange:
    """A slice of a topic: partitions and start/stop bounds (stop bounds are exclusive)."""

    topic: str
    partitions: tuple[int, ...] | None = None
    from_offsets: OffsetSpec | None = None
    to_offsets: OffsetSpec | None = None
    from_time_ms: int | None = None
    to_time_ms: int | None = None


@dataclass(frozen=True)
class Pacing:
    """How fast to send: as fast as possible (both None), a fixed rate, or original pace times ``speed``."""

    rate: float | None = None
    speed: float | None = None


@dataclass(frozen=True)
class RecordFilter:
    """Which records to send: by source name and by record time (``until`` exclusive)."""

    sources: tuple[str, ...] = ()
    since_ms: int | None = None
    until_ms: int | None = None

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.sources) or self.since_ms is not None or self.until_ms is not None


@dataclass(frozen=True)
class ReplayOptions:
    """Everything ``wirestream replay`` was asked to do."""

    mode: Literal["archive", "topic", "dlq"]
    target_topic: str
    bootstrap: str
    archives: tuple[str, ...] = ()
    source_range: TopicRange | None = None
    pacing: Pacing = Pacing()
    limit: int | None = None
    skip: int = 0
    filter: RecordFilter = RecordFilter()
    dry_run: bool = False
    replay_id: str = ""
    reprocess: bool = False
    max_retries: int = 3
    group: str = ""
    commit: bool = True
    timestamps: Timestamps = "now"
    progress: Progress = "auto"


@dataclass(frozen=True)
class DumpOptions:
    """Everything ``wirestream dump`` was asked to do."""

    source_range: TopicRange
    output: str
    bootstrap: str
    progress: Progress = "auto"
    idle_timeout_s: float = 30.0


def new_replay_id(now_ms: int | None = None) -> str:
    """A fresh replay id: ``replay-<UTC time>-<random>``, sortable and unique enough to grep for."""
    stamp = datetime.now(tz=UTC) if now_ms is None else datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    return f"replay-{stamp:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


# --- argparse plumbing -----------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of exiting (main() owns exit codes)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _env_help(text: str, var: str, default: object = None) -> str:
    shown = f"; default {default}" if default not in (None, "", False) else ""
    return f"{text} [env {var}{shown}]"


def _range_args(parser: argparse.ArgumentParser, env: Mapping[str, str], prefix: str) -> None:
    group = parser.add_argument_group("topic range (stop bounds are exclusive; default: beginning to the end "
                                      "offsets seen at start)")
    group.add_argument("--partitions", default=env.get(f"{prefix}PARTITIONS"),
                       help=_env_help("only these partitions, e.g. 0,1", f"{prefix}PARTITIONS"))
    start = group.add_mutually_exclusive_group()
    start.add_argument("--from-offset", default=env.get(f"{prefix}FROM_OFFSET"), metavar="N|P:N,...",
                       help=_env_help("start at this offset (all partitions, or per partition)",
                                      f"{prefix}FROM_OFFSET"))
    start.add_argument("--from-time", default=env.get(f"{prefix}FROM_TIME"), metavar="ISO",
                       help=_env_help("start at the first record with timestamp >= ISO (offsets_for_times)",
                                      f"{prefix}FROM_TIME"))
    stop = group.add_mutually_exclusive_group()
    stop.add_argument("--to-offset", default=env.get(f"{prefix}TO_OFFSET"), metavar="N|P:N,...",
                      help=_env_help("stop before this offset", f"{prefix}TO_OFFSET"))
    stop.add_argument("--to-time", default=env.get(f"{prefix}TO_TIME"), metavar="ISO",
                      help=_env_help("stop before the first record with timestamp >= ISO", f"{prefix}TO_TIME"))


def _topic_range(topic: str, args: argparse.Namespace) -> TopicRange:
    if args.from_offset and args.from_time:
        raise UsageError("give --from-offset or --from-time, not both")
    if args.to_offset and args.to_time:
        raise UsageError("give --to-offset or --to-time, not both")
    rng = TopicRange(
        topic=topic,
        partitions=parse_partitions(args.partitions) if args.partitions else None,
        from_offsets=parse_offsets(args.from_offset, "--from-offset") if args.from_offset else None,
        to_offsets=parse_offsets(args.to_offset, "--to-offset") if args.to_offset else None,
        from_time_ms=parse_time_ms(args.from_time) if args.from_time else None,
        to_time_ms=parse_time_ms(args.to_time) if args.to_time else None,
    )
    if rng.from_time_ms is not None and rng.to_time_ms is not None and rng.to_time_ms <= rng.from_time_ms:
        raise UsageError("--to-time must be after --from-time")
    return rng


def _progress_arg(parser: argparse.ArgumentParser, env: Mapping[str, str], prefix: str) -> None:
    parser.add_argument("--progress", choices=["auto", "on", "off"], default=env.get(f"{prefix}PROGRESS", "auto"),
                        help=_env_help("progress bar on stderr: auto = only when stderr is a terminal",
                                       f"{prefix}PROGRESS", "auto"))


def _bootstrap_arg(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap, metavar="HOST:PORT",
                        help=_env_help("Kafka bootstrap servers (security settings come from WIRESTREAM_SECURITY_*)",
                                       "WIRESTREAM_KAFKA_BOOTSTRAP", settings.kafka_bootstrap))


def _positive(text: str | None, flag: str, kind: type = float) -> float | None:
    if text is None or text == "":
        return None
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{flag} wants a number, got {text!r}") from None
    if value <= 0:
        raise UsageError(f"{flag} must be > 0, got {text!r}")
    return float(value)


def _count(text: str | None, flag: str) -> int | None:
    if text is None or text == "":
        return None
    if not str(text).isdigit():
        raise UsageError(f"{flag} wants a whole number >= 0, got {text!r}")
    return int(text)


def _choice(value: str, flag: str, allowed: tuple[str, ...]) -> str:
    # argparse checks choices on the command line only, not defaults taken from the environment.
    if value not in allowed:
        raise UsageError(f"{flag} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _flag(value: str | bool | None) -> bool:
    if isinstance(value, bool):
        return value
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


DUMP_EPILOG = """\
examples:
  wirestream dump --topic wire.raw -o raw.jsonl.gz
  wirestream dump --topic wire.raw --from-time 2026-11-23T00:00Z --to-time 2026-11-24T00:00Z -o monday.jsonl.gz
  wirestream dump --topic wire.dlq --partitions 0,1 --from-offset 0:120,1:98 -o dlq.jsonl

The dump reads with no consumer group (it never moves anyone's offsets) and stops at
the end offsets it saw at start, so it ends even on a live topic. Ctrl-C flushes the
archive and prints the --from-offset that resumes where it stopped.
exit codes: 0 done, 1 stopped early (idle timeout), 2 failure or usage error, 130 interrupted.
"""

REPLAY_EPILOG = """\
examples:
  wirestream replay monday.jsonl.gz                                # as fast as possible into wire.raw
  wirestream replay monday.jsonl.gz --speed 60                     # original pace, 60x faster
  wirestream replay feed.jsonl --rate 200 --limit 1000 --source reuters
  wirestream replay monday.jsonl.gz --reprocess                    # new versions after an enrichment upgrade
  wirestream replay a.jsonl --dry-run                              # print what would be sent
  wirestream replay --from-topic wire.raw --from-time 2026-11-23T00:00Z --to-time 2026-11-24T00:00Z
  wirestream replay --dlq                                          # re-drive dead letters into wire.raw
  wirestream replay --dlq --max-retries 5 --from-offset 0          # re-drive the whole dead-letter topic again

Sources: archives (JSON Lines of Kafka records, optionally gzipped, '-' for stdin), a
topic range (--from-topic), or the dead-letter topic (--dlq). Keys, headers and
timestamps are kept; every record gets a wirestream-replay-id header. Per-partition
order is kept: records go to their original partition when the target has it, else
they are partitioned by key.

--dlq remembers its progress in its own consumer group (--group): each run re-drives
the dead letters that arrived since the previous run. Dead letters already at
--max-retries are not sent again; they are listed in the summary and stay in the
dead-letter topic.

Ctrl-C stops reading, waits for every record in flight, and prints how to resume
(--skip for archives, --from-offset for topics; --dlq resumes by itself).
exit codes: 0 every selected record sent, 1 some records failed (or were unreadable,
or dead letters are exhausted), 2 nothing could be sent or usage error, 130 interrupted.
"""


def dump_parser(env: Mapping[str, str], settings: Settings) -> argparse.ArgumentParser:
    """The ``wirestream dump`` argument parser."""
    p = _Parser(prog="wirestream dump", description="Dump a topic range to an archive (JSON Lines, .gz to gzip).",
                epilog=DUMP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--topic", required="WIRESTREAM_DUMP_TOPIC" not in env, default=env.get("WIRESTREAM_DUMP_TOPIC"),
                   help=_env_help("topic to read", "WIRESTREAM_DUMP_TOPIC"))
    p.add_argument("-o", "--output", required="WIRESTREAM_DUMP_OUTPUT" not in env,
                   default=env.get("WIRESTREAM_DUMP_OUTPUT"), metavar="PATH",
                   help=_env_help("archive to write (.gz: gzipped; '-': stdout)", "WIRESTREAM_DUMP_OUTPUT"))
    _range_args(p, env, "WIRESTREAM_DUMP_")
    p.add_argument("--idle-timeout", default=env.get("WIRESTREAM_DUMP_IDLE_TIMEOUT", "30"), metavar="SECONDS",
                   help=_env_help("give up when no record arrives for this long (records deleted by retention)",
                                  "WIRESTREAM_DUMP_IDLE_TIMEOUT", 30))
    _progress_arg(p, env, "WIRESTREAM_DUMP_")
    _bootstrap_arg(p, settings)
    return p


def parse_dump_args(argv: list[str], env: Mapping[str, str], settings: Settings) -> DumpOptions:
    """Parse ``argv`` into :class:`DumpOptions`, or :class:`UsageError`."""
    args = dump_parser(env, settings).parse_args(argv)
    idle = _positive(args.idle_timeout, "--idle-timeout")
    return DumpOptions(source_range=_topic_range(args.topic, args), output=args.output, bootstrap=args.bootstrap,
                       progress=_choice(args.progress, "--progress", ("auto", "on", "off")),  # type: ignore[arg-type]
                       idle_timeout_s=idle if idle is not None else 30.0)


def replay_parser(env: Mapping[str, str], settings: Settings) -> argparse.ArgumentParser:
    """The ``wirestream replay`` argument parser."""
    p = _Parser(prog="wirestream replay",
                description="Replay archives, a topic range or the dead-letter topic into the pipeline.",
                epilog=REPLAY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("archives", nargs="*", metavar="ARCHIVE",
                   help="archives to replay (.jsonl[.gz], single .txt/.html/.json files, or - for stdin)")
    src = p.add_argument_group("source (default: the ARCHIVE arguments)")
    src.add_argument("--from-topic", default=env.get("WIRESTREAM_REPLAY_FROM_TOPIC"), metavar="TOPIC",
                     help=_env_help("replay this topic's range instead of archives (no consumer group is used)",
                                    "WIRESTREAM_REPLAY_FROM_TOPIC"))
    src.add_argument("--dlq", action="store_true", default=_flag(env.get("WIRESTREAM_REPLAY_DLQ")),
                     help=_env_help("re-drive dead letters: send their original payloads back with the retry "
                                    "counter increased", "WIRESTREAM_REPLAY_DLQ"))
    src.add_argument("--dlq-topic", default=settings.topics.dlq,
                     help=_env_help("dead-letter topic to read with --dlq", "WIRESTREAM_TOPICS_DLQ",
                                    settings.topics.dlq))
    src.add_argument("--max-retries", default=str(settings.max_redrive_retries), metavar="N",
                     help=_env_help("with --dlq: dead letters already re-driven N times are not sent again",
                                    "WIRESTREAM_MAX_REDRIVE_RETRIES", settings.max_redrive_retries))
    default_group = f"{settings.app_id}-redrive"
    src.add_argument("--group", default=env.get("WIRESTREAM_REPLAY_GROUP", default_group),
                     help=_env_help("with --dlq: consumer group that remembers re-drive progress (used only by "
                                    "this tool)", "WIRESTREAM_REPLAY_GROUP", default_group))
    src.add_argument("--no-commit", action="store_true", default=_flag(env.get("WIRESTREAM_REPLAY_NO_COMMIT")),
                     help=_env_help("with --dlq: do not save progress in --group", "WIRESTREAM_REPLAY_NO_COMMIT"))
    _range_args(p, env, "WIRESTREAM_REPLAY_")

    out = p.add_argument_group("target")
    out.add_argument("--topic", default=settings.topics.raw,
                     help=_env_help("topic to send to", "WIRESTREAM_TOPICS_RAW", settings.topics.raw))
    out.add_argument("--replay-id", default=env.get("WIRESTREAM_REPLAY_ID"), metavar="ID",
                     help=_env_help("value of the wirestream-replay-id header (default: replay-<time>-<random>)",
                                    "WIRESTREAM_REPLAY_ID"))
    out.add_argument("--reprocess", action="store_true", default=_flag(env.get("WIRESTREAM_REPLAY_REPROCESS")),
                     help=_env_help("mark records for reprocessing: stories already seen are enriched again and "
                                    "published as new versions instead of duplicates", "WIRESTREAM_REPLAY_REPROCESS"))
    out.add_argument("--timestamps", choices=["original", "now"],
                     default=env.get("WIRESTREAM_REPLAY_TIMESTAMPS", "now"),
                     help=_env_help("record timestamps to send: the producer's now, or the archived ones "
                                    "(beware: the broker deletes records older than the topic's retention.ms "
                                    "almost at once)", "WIRESTREAM_REPLAY_TIMESTAMPS", "now"))
    out.add_argument("--dry-run", action="store_true", default=_flag(env.get("WIRESTREAM_REPLAY_DRY_RUN")),
                     help=_env_help("send nothing: print one JSON line per record that would be sent",
                                    "WIRESTREAM_REPLAY_DRY_RUN"))

    sel = p.add_argument_group("selection and pacing")
    pace = sel.add_mutually_exclusive_group()
    pace.add_argument("--rate", default=env.get("WIRESTREAM_REPLAY_RATE"), metavar="N",
                      help=_env_help("send N records per second (default: as fast as possible)",
                                     "WIRESTREAM_REPLAY_RATE"))
    pace.add_argument("--speed", default=env.get("WIRESTREAM_REPLAY_SPEED"), metavar="F",
                      help=_env_help("keep the original gaps between record timestamps, divided by F",
                                     "WIRESTREAM_REPLAY_SPEED"))
    sel.add_argument("--limit", default=env.get("WIRESTREAM_REPLAY_LIMIT"), metavar="N",
                     help=_env_help("send at most N records", "WIRESTREAM_REPLAY_LIMIT"))
    sel.add_argument("--skip", default=env.get("WIRESTREAM_REPLAY_SKIP", "0"), metavar="N",
                     help=_env_help("skip the first N archive records (resume after Ctrl-C)", "WIRESTREAM_REPLAY_SKIP"))
    sel.add_argument("--source", action="append", default=None, metavar="NAME",
                     help=_env_help("only records whose source (as the ingest stage reads it) is NAME; repeatable",
                                    "WIRESTREAM_REPLAY_SOURCE (comma-separated)"))
    sel.add_argument("--since", default=env.get("WIRESTREAM_REPLAY_SINCE"), metavar="ISO",
                     help=_env_help("only records with timestamp >= ISO", "WIRESTREAM_REPLAY_SINCE"))
    sel.add_argument("--until", default=env.get("WIRESTREAM_REPLAY_UNTIL"), metavar="ISO",
                     help=_env_help("only records with timestamp < ISO", "WIRESTREAM_REPLAY_UNTIL"))
    _progress_arg(p, env, "WIRESTREAM_REPLAY_")
    _bootstrap_arg(p, settings)
    return p


def parse_replay_args(argv: list[str], env: Mapping[str, str], settings: Settings,
                      now_ms: int | None = None) -> ReplayOptions:
    """Parse ``argv`` into :class:`ReplayOptions`, or :class:`UsageError`."""
    args = replay_parser(env, settings).parse_args(argv)
    modes = [bool(args.archives), bool(args.from_topic), bool(args.dlq)]
    if sum(modes) != 1:
        raise UsageError("give ARCHIVE paths, or --from-topic TOPIC, or --dlq (exactly one source)")
    if args.rate and args.speed:
        raise UsageError("give --rate or --speed, not both")
    mode: Literal["archive", "topic", "dlq"] = "archive" if args.archives else ("topic" if args.from_topic else "dlq")
    has_range = any(getattr(args, n) for n in ("partitions", "from_offset", "to_offset", "from_time", "to_time"))
    if mode == "archive" and has_range:
        raise UsageError("--partitions/--from-*/--to-* select a topic range: use them with --from-topic or --dlq "
                         "(filter archives with --since/--until)")
    skip = _count(args.skip, "--skip") or 0
    if skip and mode != "archive":
        raise UsageError("--skip resumes an archive; resume a topic range with --from-offset")
    max_retries = _count(args.max_retries, "--max-retries")
    sources = tuple(args.source or [s for s in env.get("WIRESTREAM_REPLAY_SOURCE", "").split(",") if s.strip()])
    record_filter = RecordFilter(
        sources=tuple(s.strip() for s in sources),
        since_ms=parse_time_ms(args.since) if args.since else None,
        until_ms=parse_time_ms(args.until) if args.until else None,
    )
    if (record_filter.since_ms is not None and record_filter.until_ms is not None
            and record_filter.until_ms <= record_filter.since_ms):
        raise UsageError("--until must be after --since")
    source_range = None
    if mode == "topic":
        source_range = _topic_range(args.from_topic, args)
    elif mode == "dlq":
        source_range = _topic_range(args.dlq_topic, args)
    rate = _positive(args.rate, "--rate")
    speed = _positive(args.speed, "--speed")
    return ReplayOptions(
        mode=mode,
        target_topic=args.topic,
        bootstrap=args.bootstrap,
        archives=tuple(args.archives),
        source_range=source_range,
        pacing=Pacing(rate=rate, speed=speed),
        limit=_count(args.limit, "--limit"),
        skip=skip,
        filter=record_filter,
        dry_run=bool(args.dry_run),
        replay_id=args.replay_id or new_replay_id(now_ms),
        reprocess=bool(args.reprocess),
        max_retries=max_retries if max_retries is not None else settings.max_redrive_retries,
        group=args.group,
        commit=not args.no_commit,
        timestamps=_choice(args.timestamps, "--timestamps", ("original", "now")),  # type: ignore[arg-type]
        progress=_choice(args.progress, "--progress", ("auto", "on", "off")),  # type: ignore[arg-type]
    )

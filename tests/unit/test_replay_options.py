"""The replay/dump command lines parse once into frozen options, with env defaults and usage errors."""

from __future__ import annotations

import dataclasses

import pytest

from streams.replay_options import (
    OffsetSpec,
    UsageError,
    parse_dump_args,
    parse_offsets,
    parse_partitions,
    parse_replay_args,
    parse_time_ms,
    replay_parser,
    settings_env,
)
from streams.settings import Settings, TopicSettings

SETTINGS = Settings(kafka_bootstrap="broker:9092", app_id="ws", max_redrive_retries=4,
                    topics=TopicSettings(raw="in.raw", dlq="in.dlq"))


def replay(*argv: str, env: dict[str, str] | None = None):
    return parse_replay_args(list(argv), env or {}, SETTINGS, now_ms=0)


def test_archive_defaults_come_from_settings() -> None:
    """Without flags the target topic, bootstrap and retry limit are the settings' values."""
    opts = replay("a.jsonl", "b.jsonl.gz")
    assert opts.mode == "archive"
    assert opts.archives == ("a.jsonl", "b.jsonl.gz")
    assert (opts.target_topic, opts.bootstrap, opts.max_retries) == ("in.raw", "broker:9092", 4)
    assert opts.pacing.rate is None and opts.pacing.speed is None, "default pace is as fast as possible"
    assert opts.timestamps == "now"
    assert opts.replay_id.startswith("replay-19700101T000000Z-"), opts.replay_id
    assert not opts.reprocess and not opts.dry_run


def test_options_are_frozen() -> None:
    """The parsed options cannot be changed after parsing."""
    opts = replay("a.jsonl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.limit = 3  # type: ignore[misc]


def test_every_flag_parses() -> None:
    """Pacing, selection and target flags land in their typed fields."""
    opts = replay("a.jsonl", "--rate", "250", "--limit", "10", "--skip", "4", "--source", "ap", "--source", "afp",
                  "--since", "2026-11-23T00:00Z", "--until", "2026-11-24", "--dry-run", "--replay-id", "r-1",
                  "--reprocess", "--topic", "other", "--timestamps", "original", "--progress", "off")
    assert opts.pacing.rate == 250.0
    assert (opts.limit, opts.skip) == (10, 4)
    assert opts.filter.sources == ("ap", "afp")
    assert opts.filter.since_ms == parse_time_ms("2026-11-23T00:00:00+00:00")
    assert opts.filter.until_ms == parse_time_ms("2026-11-24T00:00:00Z")
    assert opts.dry_run and opts.reprocess
    assert (opts.replay_id, opts.target_topic, opts.timestamps, opts.progress) == ("r-1", "other", "original", "off")


def test_env_variables_are_defaults_and_flags_win() -> None:
    """WIRESTREAM_REPLAY_* give defaults; a command-line flag beats its variable."""
    env = {"WIRESTREAM_REPLAY_RATE": "5", "WIRESTREAM_REPLAY_SOURCE": "ap, afp", "WIRESTREAM_REPLAY_REPROCESS": "true",
           "WIRESTREAM_REPLAY_LIMIT": "7"}
    opts = replay("a.jsonl", "--limit", "3", env=env)
    assert opts.pacing.rate == 5.0
    assert opts.filter.sources == ("ap", "afp")
    assert opts.reprocess
    assert opts.limit == 3, "the flag must beat WIRESTREAM_REPLAY_LIMIT"


def test_tool_variables_are_not_settings() -> None:
    """Tool variables are stripped before Settings.from_env, which fails on unknown WIRESTREAM_ keys."""
    env = {"WIRESTREAM_REPLAY_RATE": "5", "WIRESTREAM_DUMP_TOPIC": "x", "WIRESTREAM_PARTITIONS": "2"}
    assert Settings.from_env(settings_env(env)).partitions == 2


def test_topic_range_mode() -> None:
    """--from-topic reads a topic range with per-partition offsets and time bounds."""
    opts = replay("--from-topic", "wire.raw", "--partitions", "1,0", "--from-offset", "0:5,1:9",
                  "--to-time", "2026-11-24T00:00:00Z")
    assert opts.mode == "topic"
    rng = opts.source_range
    assert rng is not None and rng.topic == "wire.raw" and rng.partitions == (0, 1)
    assert rng.from_offsets == OffsetSpec(per_partition=((0, 5), (1, 9)))
    assert rng.to_time_ms == parse_time_ms("2026-11-24")


def test_dlq_mode_defaults() -> None:
    """--dlq reads the settings' dead-letter topic, remembers progress in <app>-redrive."""
    opts = replay("--dlq", "--max-retries", "2")
    assert opts.mode == "dlq"
    assert opts.source_range is not None and opts.source_range.topic == "in.dlq"
    assert (opts.max_retries, opts.group, opts.commit) == (2, "ws-redrive", True)
    assert not replay("--dlq", "--no-commit").commit


@pytest.mark.parametrize(("argv", "fragment"), [
    ([], "exactly one source"),
    (["a.jsonl", "--dlq"], "exactly one source"),
    (["a.jsonl", "--from-offset", "3"], "--from-topic or --dlq"),
    (["--dlq", "--skip", "3"], "--from-offset"),
    (["a.jsonl", "--rate", "0"], "must be > 0"),
    (["a.jsonl", "--speed", "fast"], "wants a number"),
    (["a.jsonl", "--rate", "1", "--speed", "2"], "not allowed with"),
    (["a.jsonl", "--limit", "-1"], "whole number"),
    (["a.jsonl", "--since", "yesterday"], "ISO 8601"),
    (["a.jsonl", "--since", "2026-11-24", "--until", "2026-11-23"], "after --since"),
    (["--from-topic", "t", "--from-offset", "1:x"], "PARTITION:OFFSET"),
    (["--from-topic", "t", "--partitions", "a"], "partition numbers"),
    (["a.jsonl", "--bogus"], "unrecognized"),
])
def test_usage_errors(argv: list[str], fragment: str) -> None:
    """Malformed command lines raise UsageError (exit code 2) saying what is wrong."""
    with pytest.raises(UsageError) as err:
        replay(*argv)
    assert fragment in str(err.value), f"{argv}: {err.value}"


def test_bad_env_choice_is_a_usage_error() -> None:
    """A variable outside a flag's choices fails like the flag would (argparse does not check defaults)."""
    with pytest.raises(UsageError, match="--timestamps"):
        replay("a.jsonl", env={"WIRESTREAM_REPLAY_TIMESTAMPS": "later"})


def test_help_names_every_option_and_its_env_var() -> None:
    """--help documents every option with its environment variable, and shows examples."""
    parser = replay_parser({}, SETTINGS)
    text = parser.format_help()
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help and "[env WIRESTREAM_" in action.help, f"{action.option_strings} lacks its env var"
    assert "examples:" in text and "wirestream replay --dlq" in text


def test_dump_options() -> None:
    """dump wants a topic and an output; time and offset bounds parse like replay's."""
    opts = parse_dump_args(["--topic", "t", "-o", "x.jsonl.gz", "--from-time", "2026-11-23", "--to-offset", "9"],
                           {}, SETTINGS)
    assert opts.source_range.topic == "t" and opts.output == "x.jsonl.gz"
    assert opts.source_range.from_time_ms == parse_time_ms("2026-11-23T00:00Z")
    assert opts.source_range.to_offsets == OffsetSpec(all=9)
    with pytest.raises(UsageError):
        parse_dump_args(["--topic", "t"], {}, SETTINGS)
    env_opts = parse_dump_args([], {"WIRESTREAM_DUMP_TOPIC": "t2", "WIRESTREAM_DUMP_OUTPUT": "-"}, SETTINGS)
    assert (env_opts.source_range.topic, env_opts.output) == ("t2", "-")


def test_value_parsers() -> None:
    """Times default to UTC; offsets and partitions accept their short forms."""
    assert parse_time_ms("2026-11-23T01:00:00+01:00") == parse_time_ms("2026-11-23T00:00:00")
    assert parse_offsets("12") == OffsetSpec(all=12)
    spec = parse_offsets("3:7, 0:1")
    assert (spec.for_partition(0), spec.for_partition(3), spec.for_partition(2)) == (1, 7, None)
    assert spec.render() == "0:1,3:7"
    assert parse_partitions("3,1,3") == (1, 3)

"""Replay tool logic without Kafka: filters, pacing math, headers, dead-letter extraction, tallies, dry runs."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.errors import InputError
from agents.model import Origin, RawRecord
from agents.outcome import HEADER_REPLAY_ID, HEADER_REPROCESS, HEADER_RETRIES, HEADER_TRACE_ID
from agents.publish import dead_letter, trace_id
from streams.archive import parse_line, to_line
from streams.replay import Console, main, resume_command
from streams.replay_core import (
    DeadLetterError,
    Pacer,
    ProgressBar,
    Tally,
    outgoing_headers,
    progress_line,
    redrive_of,
    skip_reason,
    target_partition,
)
from streams.replay_options import Pacing, RecordFilter


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run_paced(pacer: Pacer, clock: FakeClock, timestamps: list[int | None], send_cost: float = 0.0) -> list[float]:
    """Drive a pacer like the replay loop does: wait what it says, then 'send'; returns the send times."""
    sent = []
    for ts in timestamps:
        clock.now += pacer.delay(clock(), ts)
        sent.append(clock.now)
        clock.now += send_cost
    return sent


# --- pacing -------------------------------------------------------------------------------------------------------


def test_fast_pacing_never_waits() -> None:
    """Without --rate or --speed every delay is zero."""
    pacer = Pacer(Pacing())
    assert [pacer.delay(t, 1000 * t) for t in range(5)] == [0.0] * 5


def test_rate_is_exact_over_time_even_when_sending_costs_time() -> None:
    """--rate 4: the n-th record goes out at start + n/4 s, send time included (absolute schedule)."""
    clock = FakeClock()
    sent = run_paced(Pacer(Pacing(rate=4)), clock, [None] * 9, send_cost=0.1)
    assert sent == pytest.approx([100 + n / 4 for n in range(9)]), sent


def test_rate_catches_up_after_a_slow_send() -> None:
    """After a send slower than the interval, overdue records go at once, then the schedule resumes."""
    clock = FakeClock()
    pacer = Pacer(Pacing(rate=10))
    sent = run_paced(pacer, clock, [None, None], send_cost=1.0)
    assert sent == pytest.approx([100.0, 101.0])
    later = run_paced(pacer, clock, [None] * 20)
    assert later[:19] == pytest.approx([102.0] * 19), "records 2..20 were due by 102.0: no waiting"
    assert later[19] == pytest.approx(102.1), "record 21 waits for its slot"


def test_speed_scales_original_gaps() -> None:
    """--speed 10: records 0 s, 5 s and 20 s apart in the archive go out 0, 0.5 and 2 s after the first."""
    clock = FakeClock()
    sent = run_paced(Pacer(Pacing(speed=10)), clock, [50_000, 55_000, 70_000])
    assert [t - sent[0] for t in sent] == pytest.approx([0.0, 0.5, 2.0])


def test_speed_sends_out_of_order_and_untimed_records_at_once() -> None:
    """A timestamp earlier than the first (interleaved partitions) or missing does not wait."""
    clock = FakeClock()
    pacer = Pacer(Pacing(speed=1))
    assert pacer.delay(clock(), 10_000) == 0.0
    assert pacer.delay(clock(), 5_000) == 0.0
    assert pacer.delay(clock(), None) == 0.0
    assert pacer.delay(clock(), 12_000) == pytest.approx(2.0)


@given(rate=st.floats(0.5, 10_000), n=st.integers(1, 200))
def test_rate_pacing_property(rate: float, n: int) -> None:
    """For any rate, n records take (n-1)/rate seconds when sending is free."""
    clock = FakeClock(0.0)
    sent = run_paced(Pacer(Pacing(rate=rate)), clock, [None] * n)
    assert sent[-1] == pytest.approx((n - 1) / rate)


# --- selection, headers, partitions -------------------------------------------------------------------------------


def generic(source: str) -> bytes:
    return orjson.dumps({"id": 1, "title": "T", "body": "Some text.", "source": source})


@pytest.mark.parametrize(("record", "rules", "expected"), [
    (RawRecord(b"x", timestamp_ms=1000), RecordFilter(since_ms=1000, until_ms=2000), None),
    (RawRecord(b"x", timestamp_ms=2000), RecordFilter(since_ms=1000, until_ms=2000), "time"),
    (RawRecord(b"x", timestamp_ms=999), RecordFilter(since_ms=1000), "time"),
    (RawRecord(b"x"), RecordFilter(until_ms=1000), "time"),
    (RawRecord(generic("ap")), RecordFilter(sources=("ap", "afp")), None),
    (RawRecord(generic("upi")), RecordFilter(sources=("ap",)), "source"),
    (RawRecord(b"plain page text", headers=(("source", b"ap"),)), RecordFilter(sources=("ap",)), None),
    (RawRecord(b"{not json"), RecordFilter(sources=("ap",)), "source"),
])
def test_skip_reason(record: RawRecord, rules: RecordFilter, expected: str | None) -> None:
    """Time bounds are [since, until); the source is what the ingest stage reads; unreadable never matches."""
    assert skip_reason(record, rules) == expected


def test_outgoing_headers_replace_old_marks() -> None:
    """An old replay id, reprocess flag and retry count are replaced, other headers kept in order."""
    old = (("source", b"ap"), (HEADER_REPLAY_ID, b"old"), (HEADER_REPROCESS, b"1"), (HEADER_RETRIES, b"1"),
           ("x", b"y"))
    assert outgoing_headers(old, "new", reprocess=False) == [("source", b"ap"), ("x", b"y"),
                                                             (HEADER_REPLAY_ID, b"new")]
    assert outgoing_headers(old, "new", reprocess=True, retries=2)[-2:] == [(HEADER_REPROCESS, b"1"),
                                                                           (HEADER_RETRIES, b"2")]


def test_target_partition() -> None:
    """The original partition when the target has it; else None (the producer partitions by key)."""
    assert target_partition(RawRecord(b"", partition=3), 4) == 3
    assert target_partition(RawRecord(b"", partition=4), 4) is None
    assert target_partition(RawRecord(b""), 4) is None


# --- dead letters -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [b'{"title": "T", "body": "caf\xc3\xa9"}', b"\xff\xfe binary \x00"])
@pytest.mark.parametrize("key", [b"urn:1", None, b"\xff\xfe"])
def test_redrive_recovers_what_dead_letter_kept(value: bytes, key: bytes | None) -> None:
    """The pipeline's own dead letter (utf-8 or base64 payload, text or binary key) gives back the original."""
    origin = Origin(value, key, (("source", b"ap"), (HEADER_RETRIES, b"2")), "wire.raw", 1, 7, 1234)
    msg = dead_letter(origin, InputError("no_body", "nothing"), "2026-11-28T00:00:00+00:00").value
    back = redrive_of(orjson.dumps(msg))
    assert (back.record.value, back.record.key, back.record.timestamp_ms) == (value, key, 1234)
    assert ("source", b"ap") in back.record.headers
    assert back.retries == 2 and back.code == "no_body"
    assert back.record.partition is None, "re-driven records are partitioned by key"


@pytest.mark.parametrize(("value", "fragment"), [
    (b"not json", "not JSON"),
    (b"[]", "payload"),
    (b'{"payload": {"encoding": "rot13", "value": "x"}}', "encoding"),
    (b'{"payload": {"encoding": "base64", "value": "!!"}}', "base64"),
    (b'{"payload": {"encoding": "utf-8", "value": "x"}, "retries": -1}', "retries"),
])
def test_unrecoverable_dead_letters(value: bytes, fragment: str) -> None:
    """A dead letter without a usable payload raises DeadLetterError saying why."""
    with pytest.raises(DeadLetterError, match=fragment):
        redrive_of(value)


# --- tallies, progress, resume ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "code"), [
    ({"sent": 3}, 0),
    ({"sent": 3, "failed": 1}, 1),
    ({"sent": 3, "exhausted": 1}, 1),
    ({"failed": 2}, 2),
    ({"sent": 1, "interrupted": True}, 130),
    ({"sent": 1, "fatal": "broker down"}, 2),
])
def test_exit_codes(changes: dict[str, object], code: int) -> None:
    """0 all sent, 1 partial, 2 nothing sent or fatal, 130 interrupted."""
    tally = Tally()
    for name, value in changes.items():
        setattr(tally, name, value)
    assert tally.exit_code() == code


def test_progress_bar_is_rate_limited_and_quiet_when_disabled() -> None:
    """The bar redraws at most every interval, and writes nothing without a writer."""
    clock, out = FakeClock(0.0), []
    bar = ProgressBar(out.append, clock, total=10, interval=1.0)
    for n in range(5):
        bar.update(n)
        clock.now += 0.3
    bar.close(10)
    assert len(out) == 4, out  # first draw, one after 1.2 s, the final draw and its newline
    assert "100% 10/10" in out[-2]
    silent = ProgressBar(None, clock)
    silent.update(3)
    silent.close(3)
    assert progress_line(0, 10, 0.0).endswith("ETA 0:00:00")


def test_resume_command_replaces_flags() -> None:
    """The resume hint drops old --skip/--replay-id (both spellings) and appends the new ones."""
    cmd = resume_command("wirestream replay", ["a b.jsonl", "--skip=3", "--replay-id", "r", "--rate", "5"],
                         ["--skip", "--replay-id"], ["--skip", "9", "--replay-id", "r"])
    assert cmd == "wirestream replay 'a b.jsonl' --rate 5 --skip 9 --replay-id r"


# --- dry run through main() (no broker) ---------------------------------------------------------------------------


def write_archive(path: Path, records: list[RawRecord], bad_line: bool = False) -> None:
    lines = [to_line(r) for r in records]
    if bad_line:
        lines.insert(1, b"{broken\n")
    path.write_bytes(b"".join(lines))


def test_dry_run_prints_what_would_be_sent(tmp_path: Path) -> None:
    """--dry-run prints archive lines with the new headers, applies filters and the limit, sends nothing."""
    archive = tmp_path / "a.jsonl"
    records = [RawRecord(generic("ap" if i % 2 else "afp"), key=f"k{i}".encode(), partition=i % 3, offset=i,
                         timestamp_ms=1_000 * i, headers=(("h", b"v"),)) for i in range(10)]
    write_archive(archive, records, bad_line=True)
    out, err = io.BytesIO(), io.StringIO()
    code = main([str(archive), "--dry-run", "--source", "ap", "--limit", "3", "--replay-id", "r1", "--reprocess",
                 "--timestamps", "original"], env={}, console=Console(out, err, tty=False))
    lines = [parse_line(line) for line in out.getvalue().splitlines()]
    assert [r.key for r in lines] == [b"k1", b"k3", b"k5"], err.getvalue()
    assert all(isinstance(r, RawRecord) and r.header(HEADER_REPLAY_ID) == "r1" and r.header(HEADER_REPROCESS) == "1"
               for r in lines)
    assert [r.timestamp_ms for r in lines] == [1000, 3000, 5000]
    text = err.getvalue()
    assert "read 7  sent 3  skipped 3 (source 3)  failed 1" in text, text
    assert "a.jsonl:2: unreadable archive line" in text
    assert "--skip 7 --replay-id r1" in text, "a limited run says how to continue"
    assert code == 1, "an unreadable line makes the run a partial failure"


def test_usage_error_exits_2(tmp_path: Path) -> None:
    """A usage error prints a message and exits with 2, before any connection."""
    err = io.StringIO()
    assert main(["--rate", "3"], env={}, console=Console(io.BytesIO(), err, tty=False)) == 2
    assert "exactly one source" in err.getvalue()
    assert main(["x.jsonl"], env={"WIRESTREAM_BOGUS": "1"}, console=Console(io.BytesIO(), err, tty=False)) == 2


def test_redriven_records_keep_their_trace_id() -> None:
    """A re-driven dead letter carries the trace id its dead letter had (replays stay byte-identical)."""
    origin = Origin(b"{}", b"k", (("source", b"ap"),), "wire.raw", 3, 41, 1234)
    letter = dead_letter(origin, InputError("no_body", "nothing"), "2026-11-28T00:00:00+00:00")
    first_trace = dict(letter.headers)[HEADER_TRACE_ID].decode()
    back = redrive_of(orjson.dumps(letter.value))
    assert trace_id(Origin.of(back.record)) == first_trace, "a re-driven record starts a new trace"
    assert outgoing_headers(back.record.headers, "run-2", reprocess=False).count(
        (HEADER_TRACE_ID, first_trace.encode())) == 1

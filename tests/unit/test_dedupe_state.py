"""Unit tests of the dedupe state encodings (agents/dedupe_state.py)."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.dedupe_state import (
    BUCKET_CAP,
    StoryRec,
    decode_exact,
    encode_exact,
    entries,
    key,
    last_ts_of,
    newest_sids,
    with_entry,
)

u16 = st.integers(0, 0xFFFF)
recs = st.builds(
    StoryRec,
    version=st.integers(1, 0xFFFF),
    feed_version=st.none() | st.integers(0, 0xFFFFFFFF),
    pubstatus=st.sampled_from(["usable", "withheld", "canceled"]),
    last_ts=st.integers(0, 0xFFFFFFFF),
    versioncreated=st.integers(0, 0xFFFFFFFF),
    n_shingles=u16,
    headline16=u16,
    source16=u16,
    facts=st.lists(u16, max_size=32).map(lambda xs: tuple(sorted(xs))),
    samples=st.lists(u16, max_size=32).map(lambda xs: b"".join(x.to_bytes(2, "little") for x in xs)),
    paras=st.lists(st.integers(0, 0xFFFFFFFF), max_size=40).map(tuple),
    uri=st.none() | st.text(max_size=80),
    names=st.lists(u16, max_size=8).map(tuple),
    content_version=st.integers(1, 0xFFFF),
)


@settings(max_examples=200, deadline=None)
@given(rec=recs)
def test_story_record_round_trips(rec):
    """Every story record decodes to itself, and last_ts reads without a full decode."""
    raw = rec.encode()
    assert StoryRec.decode(raw) == rec
    assert last_ts_of(raw) == rec.last_ts


@given(sid=st.binary(min_size=8, max_size=8), version=st.integers(1, 0xFFFF), day=u16)
def test_exact_value_round_trips(sid, version, day):
    """The x value keeps story id, version and day."""
    assert decode_exact(encode_exact(sid, version, day)) == (sid, version, day)


@given(sids=st.lists(st.binary(min_size=8, max_size=8), min_size=1, max_size=20), day=u16)
def test_bucket_keeps_newest_distinct_entries(sids, day):
    """A bucket holds at most BUCKET_CAP distinct stories, newest last, each once."""
    raw = None
    for sid in sids:
        new = with_entry(raw, sid, day, BUCKET_CAP)
        raw = new if new is not None else raw
    got = [sid for sid, _ in entries(raw)]
    expected: list[bytes] = []
    for sid in sids:
        if sid in expected:
            expected.remove(sid)
        expected.append(sid)
    assert got == expected[-BUCKET_CAP:]
    assert newest_sids(raw) == list(reversed(got))


def test_rewriting_the_newest_entry_is_a_no_op():
    """Adding the newest story again on the same day writes nothing."""
    raw = with_entry(None, b"A" * 8, 7, BUCKET_CAP)
    assert with_entry(raw, b"A" * 8, 7, BUCKET_CAP) is None


@given(kind=st.sampled_from("sxbha"), digest=st.binary(min_size=1, max_size=12))
def test_keys_are_kind_plus_urlsafe_base64(kind, digest):
    """Keys are ASCII: the kind letter and unpadded URL-safe base64 of the digest."""
    k = key(kind, digest)
    assert k == kind + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert k.isascii()


def test_began_as_kill_reads_the_flags_byte():
    """began_as_kill() is true only for an early story that is canceled or withheld."""
    from agents.dedupe_state import StoryRec, began_as_kill

    base = dict(version=1, feed_version=None, last_ts=0, versioncreated=0, n_shingles=0, headline16=0, source16=0,
                facts=(), samples=b"", paras=(), uri="urn:x")
    assert began_as_kill(StoryRec(pubstatus="canceled", early=True, **base).encode())
    assert began_as_kill(StoryRec(pubstatus="withheld", early=True, **base).encode())
    assert not began_as_kill(StoryRec(pubstatus="usable", early=True, **base).encode())
    assert not began_as_kill(StoryRec(pubstatus="canceled", early=False, **base).encode())

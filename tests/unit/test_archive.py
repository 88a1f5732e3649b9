"""The archive format round-trips records and turns unreadable lines into BadLine values."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from agents.model import RawRecord
from streams.archive import BadLine, parse_line, read_paths, to_line

records = st.builds(
    RawRecord,
    value=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    key=st.one_of(st.none(), st.text(max_size=20).map(str.encode)),
    headers=st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=20).map(str.encode)),
                     max_size=3, unique_by=lambda h: h[0]).map(tuple),
    topic=st.one_of(st.none(), st.just("wire.raw")),
    partition=st.one_of(st.none(), st.integers(0, 7)),
    offset=st.one_of(st.none(), st.integers(0, 10**9)),
    timestamp_ms=st.one_of(st.none(), st.integers(0, 2**42)),
)


@given(records)
def test_round_trip(record: RawRecord) -> None:
    """to_line then parse_line gives back the same record, bytes for bytes."""
    back = parse_line(to_line(record))
    assert back == record, f"{record!r} came back as {back!r}"


def test_json_values_stay_objects_in_the_archive() -> None:
    """A JSON payload is archived as an object (greppable) when that round-trips exactly."""
    line = to_line(RawRecord(value=b'{"a":1}', key=b"k"))
    assert b'"value":{"a":1}' in line


def test_bad_lines_are_values_not_crashes(tmp_path: Path) -> None:
    """Non-JSON, non-object and malformed lines become BadLine entries, in order."""
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b'{"key": "a", "value": "x"}\nnot json\n[1]\n{"key": 5, "value": "x"}\n{"key": null}\n'
                 b'{"key": null, "value_b64": "!!"}\n')
    entries = list(read_paths([str(path)]))
    assert isinstance(entries[0], RawRecord) and entries[0].value == b"x"
    assert [type(e).__name__ for e in entries[1:]] == ["BadLine"] * 5
    assert all(isinstance(e, BadLine) and e.line_no == i for i, e in enumerate(entries[1:], 2))


def test_single_files_are_one_record_with_a_content_type(tmp_path: Path) -> None:
    """A .html file is one record with content-type text/html."""
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>")
    (entry,) = read_paths([str(page)])
    assert isinstance(entry, RawRecord)
    assert entry.header("content-type") == "text/html" and entry.value == b"<p>x</p>"

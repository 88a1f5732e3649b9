"""`wirestream process`: the offline entry point prints one valid output line per input record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

import schemas

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seeds" / "000_7199b5f1edf378b1.txt"
FEED = REPO / "deploy" / "demo" / "sample-feed.jsonl"
SCHEMA_OF = {"wire.enriched": "enriched.v1", "wire.duplicates": "duplicate.v1", "wire.dlq": "deadletter.v1"}


def run_process(*args: str, stdin: bytes | None = None) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "streams", "process", *args], input=stdin, capture_output=True,
                          cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return [orjson.loads(line) for line in done.stdout.splitlines()]


def assert_valid(lines: list[dict]) -> None:
    for line in lines:
        found = schemas.problems(SCHEMA_OF[line["topic"]], line["value"])
        assert not found, f"{line['topic']} message breaks its schema: {found}"


def test_seed_gives_exactly_one_valid_enriched_line() -> None:
    """The acceptance command: one enriched record for the seed, valid against enriched.v1."""
    lines = run_process(str(SEED))
    assert len(lines) == 1, f"expected one line, got {len(lines)}"
    assert lines[0]["topic"] == "wire.enriched"
    assert_valid(lines)
    body = lines[0]["value"]["bodies"][0]["value"]
    assert "Risk Disclosure" not in body and "Fusion Media" not in body and "Get 40% Off" not in body
    assert body.count("FILE PHOTO") == 0, "captions are pictures, not body text"


def test_sample_feed_one_line_per_record_all_valid() -> None:
    """Every record of the sample feed yields exactly one line on one output topic, each schema-valid."""
    n_inputs = sum(1 for line in FEED.read_bytes().splitlines() if line.strip())
    lines = run_process(str(FEED))
    assert len(lines) == n_inputs
    assert_valid(lines)
    topics = {line["topic"] for line in lines}
    assert topics == {"wire.enriched", "wire.duplicates", "wire.dlq"}, topics


def test_unreadable_archive_lines_are_dead_letters_via_stdin() -> None:
    """Lines that are not records become archive_line dead letters: still one output per line."""
    stdin = b'{"key": "a", "value": {"id": 1, "title": "T", "body": "Some story text here."}}\nnot json\n\xff\xfe\n'
    lines = run_process("-", stdin=stdin)
    assert [line["topic"] for line in lines] == ["wire.enriched", "wire.dlq", "wire.dlq"]
    assert [line["value"]["error"]["code"] for line in lines[1:]] == ["archive_line", "archive_line"]
    assert lines[2]["value"]["payload"]["encoding"] == "base64"
    assert_valid(lines)

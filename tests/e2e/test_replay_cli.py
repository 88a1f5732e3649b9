"""`wirestream replay` / `wirestream dump` as operators run them: help, exit codes, progress bar, Ctrl-C and resume."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from agents.model import RawRecord
from streams.archive import read_paths, to_line
from streams.settings import Settings, to_env
from streams.topics import ensure_topics

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None,
        stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    return subprocess.run([sys.executable, "-m", "streams", *args], input=stdin, capture_output=True, cwd=REPO,
                          env={**base, **(env or {})}, timeout=120, check=False)


def records(n: int) -> list[RawRecord]:
    return [RawRecord(orjson.dumps({"id": f"r{i}", "title": f"T{i}", "body": "Text.", "source": "cli"}),
                      key=f"k{i}".encode(), timestamp_ms=1_764_000_000_000 + i) for i in range(n)]


def write_archive(path: Path, recs: list[RawRecord]) -> Path:
    path.write_bytes(b"".join(to_line(r) for r in recs))
    return path


@pytest.mark.parametrize("command", ["replay", "dump"])
def test_help_lists_every_option_with_env_var_and_examples(command: str) -> None:
    """--help exits 0, shows examples, and every --option line names its environment variable."""
    done = cli(command, "--help")
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode()
    assert "examples:" in text and "exit codes:" in text
    listing = text.split("examples:")[0].split("\n\n", 1)[1]  # the option entries, after the usage block
    entries = [re.sub(r"\s+", " ", e) for e in re.split(r"\n {2}(?=-)", listing)[1:]]
    assert len(entries) >= (15 if command == "replay" else 8), entries
    for entry in entries:
        if not entry.startswith("-h"):
            assert "[env WIRESTREAM_" in entry, f"option without its env var: {entry}"


def test_usage_error_exits_2_with_a_message() -> None:
    """A malformed command line exits 2 and says what is wrong."""
    done = cli("replay", "--rate", "fast", "x.jsonl")
    assert done.returncode == 2
    assert b"--rate wants a number" in done.stderr


def test_dry_run_from_stdin_prints_archive_lines(tmp_path: Path) -> None:
    """`replay - --dry-run` reads an archive on stdin and prints what it would send, as archive lines."""
    data = b"".join(to_line(r) for r in records(5))
    done = cli("replay", "-", "--dry-run", "--limit", "3", "--replay-id", "dry", stdin=data)
    assert done.returncode == 0, done.stderr.decode()
    out = tmp_path / "out.jsonl"
    out.write_bytes(done.stdout)
    got = list(read_paths([str(out)]))
    assert [r.key for r in got] == [b"k0", b"k1", b"k2"]  # type: ignore[union-attr]
    assert all(r.header("wirestream-replay-id") == "dry" for r in got)  # type: ignore[union-attr]
    assert b"ETA" not in done.stderr, "no progress bar when stderr is not a terminal"


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """With stderr on a terminal the run draws a bar with rate and ETA."""
    archive = write_archive(tmp_path / "a.jsonl", records(50))
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "streams", "replay", str(archive), "--dry-run"], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=secondary, env={k: v for k, v in os.environ.items()
                                                                                 if not k.startswith("WIRESTREAM_")})
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(primary)
    text = b"".join(chunks).decode(errors="replace")
    assert "100% 50/50" in text and "rec/s" in text and "ETA" in text, text


async def landed(settings: Settings, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in (0, 1)]
        return sum((await consumer.end_offsets(tps)).values())
    finally:
        await consumer.stop()


@pytest.mark.integration
def test_ctrl_c_flushes_and_resume_completes_the_replay(settings: Settings, tmp_path: Path) -> None:
    """Ctrl-C mid-replay exits 130 and prints a resume command; running it sends exactly the rest."""
    topic = f"{settings.app_id}.ctrlc"
    asyncio.run(ensure_topics(settings, extra={topic: 2}))
    total = 300
    archive = write_archive(tmp_path / "feed.jsonl", records(total))
    env = to_env(settings)
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    proc = subprocess.Popen([sys.executable, "-m", "streams", "replay", str(archive), "--topic", topic, "--rate",
                             "40", "--replay-id", "cc"], cwd=REPO, env={**base, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while asyncio.run(landed(settings, topic)) < 20 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)  # 300 records at 40/s take 7.5 s: interrupt once some have landed
    proc.send_signal(signal.SIGINT)
    _, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    assert proc.returncode == 130, err
    match = re.search(r"resume with:\n\s+(wirestream replay .+)", err)
    assert match, f"no resume command in:\n{err}"
    resume = shlex.split(match.group(1))
    assert "--skip" in resume and resume[resume.index("--replay-id") + 1] == "cc", resume
    skipped = int(resume[resume.index("--skip") + 1])
    assert 0 < skipped < total, f"stopped after {skipped} of {total}"

    done = cli("replay", *resume[2:], "--rate", "1000", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert f"read {total - skipped}  sent {total - skipped}" in done.stderr.decode(), done.stderr.decode()

    dumped = tmp_path / "dumped.jsonl"
    done = cli("dump", "--topic", topic, "-o", str(dumped), env=env)
    assert done.returncode == 0, done.stderr.decode()
    keys = sorted(r.key for r in read_paths([str(dumped)]))  # type: ignore[union-attr]
    assert keys == sorted(f"k{i}".encode() for i in range(total)), "every record exactly once across the two runs"

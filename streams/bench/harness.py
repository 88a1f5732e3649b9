"""Shared plumbing for the benchmarks: corpora, timing, broker I/O, worker processes, tables.

Nothing here measures anything by itself. The benchmark areas (``streams/bench/<area>.py``)
use it so that every figure is taken the same way: corpora read from ``../shared/corpora``
(never copied into the project), records built once before any clock starts, worker
processes started with the same settings the ``wirestream worker`` command reads.
"""

from __future__ import annotations

import asyncio
import atexit
import gzip
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from agents.model import RawRecord
from agents.outcome import HEADER_TRACE_ID
from streams.localbroker import free_port
from streams.settings import Settings, TopicSettings, to_env

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WIRESTREAM_SHARED_DIR", "") or REPO.parent / "shared")
REUTERS = SHARED / "corpora" / "reuters21578" / "reuters21578.jsonl.gz"
AEB = SHARED / "corpora" / "article-extraction-benchmark"

# ---------------------------------------------------------------------------------------------
# The run's context


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory, Python and load: what a reader needs to weigh the figures."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"nproc": os.cpu_count(), "cpu_model": model, "mem_total_mb": mem_mb,
            "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in load]}


def git_commit() -> str | None:
    """The checked-out commit (with ``+dirty`` when the tree has changes), or None outside git."""
    if shutil.which("git") is None:
        return None
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=False, timeout=10).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        return None
    return sha + ("+dirty" if dirty else "")


def now_iso() -> str:
    """Wall-clock now, UTC, seconds precision."""
    return datetime.now(tz=UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# Corpora


@cache
def reuters_docs() -> tuple[dict[str, Any], ...]:
    """Every Reuters-21578 story (19,779) with a non-empty body, in NEWID order."""
    out = []
    with gzip.open(REUTERS, "rb") as handle:
        for line in handle:
            doc = orjson.loads(line)
            if (doc.get("body") or "").strip():
                out.append(doc)
    return tuple(out)


def reuters_generic(doc: dict[str, Any], *, id_suffix: str = "", source: str = "reuters") -> bytes:
    """A Reuters story as a generic feed object (``schemas/raw-input.v1.json``)."""
    obj: dict[str, Any] = {"id": f"reuters-{doc['id']}{id_suffix}", "source": source,
                           "title": doc.get("title") or "", "body": doc["body"], "agency": "Reuters"}
    if doc.get("date"):
        obj["published"] = doc["date"] + "Z"
    if doc.get("author"):
        obj["author"] = doc["author"]
    return orjson.dumps(obj)


def reuters_records(n: int, form: str = "generic", sources: int = 1, *, distinct: bool = False) -> list[RawRecord]:
    """``n`` Reuters stories as raw records: ``generic`` JSON objects or ``text`` pages.

    Beyond the 19,779 stories the corpus wraps around with new ids: those records are
    resends of earlier stories (exact copies), as wires do send; with ``distinct`` they are
    instead new stories stitched from thirds of three stories' lines (see :func:`remix`), so
    state that grows per story (dedup) grows as it would on a long-running feed. With
    ``sources`` > 1 the stories are dealt round-robin to that many feed names (``reuters``,
    ``reuters-1``, ...), as an aggregator receiving several feeds would see them.
    """
    docs = reuters_docs()
    out = []
    for i in range(n):
        doc = docs[i % len(docs)]
        if distinct and i >= len(docs):
            doc = remix(docs, i)
        suffix = "" if i < len(docs) else f"-r{i // len(docs)}"
        key = f"reuters-{doc['id']}{suffix}".encode()
        source = "reuters" if i % sources == 0 else f"reuters-{i % sources}"
        if form == "generic":
            out.append(RawRecord(value=reuters_generic(doc, id_suffix=suffix, source=source), key=key,
                                 headers=(("content-type", b"application/json"),)))
        else:
            head = (doc.get("title") or "").strip()
            text = (head + "\n\n" if head else "") + doc["body"]
            out.append(RawRecord(value=text.encode(), key=key,
                                 headers=(("content-type", b"text/plain"), ("source", source.encode()))))
    return out


def remix(docs: Sequence[dict[str, Any]], i: int) -> dict[str, Any]:
    """A new story for feed position ``i``, stitched from three corpus stories.

    The first third of one story's lines, the middle of a second's, the end of a third's:
    each part shares well under the dedup thresholds with the story it came from.
    """
    size = len(docs)
    rnd = i // size  # each pass over the corpus stitches other triples (pass 1 must not repeat in pass 2)
    picks = [docs[(i * stride + rnd * shift) % size] for stride, shift in ((1, 4513), (7919, 2029), (104_729, 9203))]
    parts = []
    for j, doc in enumerate(picks):
        lines = doc["body"].split("\n")
        third = max(1, len(lines) // 3)
        parts.extend(lines[j * third:(j + 1) * third] if j < 2 else lines[2 * third:])
    base = picks[1]  # headline and metadata of the story giving the middle, not of the resent position
    return {**base, "body": "\n".join(parts), "title": f"{base.get('title') or ''} ({rnd})".strip()}


@dataclass(frozen=True)
class Page:
    """One article-extraction-benchmark page with its ground-truth body."""

    page_id: str
    html: bytes
    url: str
    truth: str


@cache
def aeb_pages() -> tuple[Page, ...]:
    """The 181 benchmark pages (gunzipped), sorted by id."""
    truth = orjson.loads((AEB / "ground-truth.json").read_bytes())
    pages = []
    for path in sorted((AEB / "html").glob("*.html.gz")):
        pid = path.name.split(".", 1)[0]
        gt = truth.get(pid, {})
        pages.append(Page(pid, gzip.decompress(path.read_bytes()), gt.get("url", ""), gt.get("articleBody", "")))
    return tuple(pages)


def html_records(n: int) -> list[RawRecord]:
    """``n`` benchmark pages as raw HTML records (cycling if ``n`` > 181)."""
    pages = aeb_pages()
    out = []
    for i in range(n):
        page = pages[i % len(pages)]
        headers = [("content-type", b"text/html")]
        if page.url:
            headers.append(("url", page.url.encode()))
        out.append(RawRecord(value=page.html, key=page.page_id.encode(), headers=tuple(headers)))
    return out


# ---------------------------------------------------------------------------------------------
# Timing and figures


def figure(name: str, value: float | None, unit: str, *, baseline: float | None = None,
           baseline_name: str | None = None, higher_is_better: bool = True, target: str | None = None,
           met: bool | None = None, note: str | None = None) -> dict[str, Any]:
    """One reported figure with its same-run baseline and the ratio value / baseline."""
    ratio = None
    if value is not None and baseline not in (None, 0):
        ratio = round(value / baseline, 3)
    return {"name": name, "value": _round(value), "unit": unit, "baseline_name": baseline_name,
            "baseline": _round(baseline), "ratio": ratio, "higher_is_better": higher_is_better,
            "target": target, "met": met, "note": note}


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x, 3) if abs(x) < 100 else round(x, 1)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Iterable[float]) -> float:
    """Median, 0.0 for no values."""
    vals = list(values)
    return statistics.median(vals) if vals else 0.0


class Clock:
    """Wall and process-CPU time over a block (CPU time is what one core actually spent)."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


# ---------------------------------------------------------------------------------------------
# Tables


def print_table(title: str, rows: Sequence[dict[str, Any]], out: Any = None) -> None:
    """Print figures (as built by :func:`figure`) as an aligned text table."""
    sink = out if out is not None else sys.stdout
    header = ("figure", "value", "unit", "baseline", "base value", "ratio", "target")
    lines = [header]
    for r in rows:
        lines.append((str(r["name"]), _fmt(r.get("value")), str(r.get("unit") or ""),
                      str(r.get("baseline_name") or ""), _fmt(r.get("baseline")), _fmt(r.get("ratio")),
                      _target(r)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print(f"\n== {title}", file=sink)
    for j, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[i]) if i in (0, 2, 3, 6) else cell.rjust(widths[i])
                        for i, cell in enumerate(line)).rstrip(), file=sink)
        if j == 0:
            print("  ".join("-" * w for w in widths), file=sink)
    sink.flush()


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _target(r: dict[str, Any]) -> str:
    if not r.get("target"):
        return ""
    met = r.get("met")
    return f"{r['target']} ({'met' if met else 'NOT met' if met is False else '?'})"


# ---------------------------------------------------------------------------------------------
# Broker I/O


def bench_settings(bootstrap: str, data_dir: Path, tag: str | None = None, **overrides: Any) -> Settings:
    """Settings with a unique app id and topic names, so benchmark runs never mix records."""
    tag = tag or uuid.uuid4().hex[:8]
    topics = TopicSettings(raw=f"bench{tag}.raw", enriched=f"bench{tag}.enriched",
                           duplicates=f"bench{tag}.duplicates", dlq=f"bench{tag}.dlq")
    base = Settings(kafka_bootstrap=bootstrap, app_id=f"wsbench-{tag}", topics=topics, data_dir=data_dir,
                    web_port=free_port(), partitions=4)
    return replace(base, **overrides)


async def produce_all(bootstrap: str, topic: str, records: Sequence[RawRecord]) -> float:
    """Send records as fast as the producer goes, wait for every ack; returns seconds taken."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024, max_request_size=8 * 1024 * 1024)
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for rec in records:
            pending.append(await producer.send(topic, value=rec.value, key=rec.key, headers=list(rec.headers)))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def produce_paced(bootstrap: str, topic: str, records: Sequence[RawRecord],
                        rate: float) -> tuple[float, dict[bytes | None, int]]:
    """Send records at ``rate`` per second, each stamped with its send time (ms).

    Returns the achieved rate and each record key's send timestamp.
    """
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0,
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    sent: dict[bytes | None, int] = {}
    try:
        started = time.monotonic()
        pending = []
        for i, rec in enumerate(records):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            stamp = int(time.time() * 1000)
            sent[rec.key] = stamp
            pending.append(await producer.send(topic, value=rec.value, key=rec.key, headers=list(rec.headers),
                                               timestamp_ms=stamp))
        await asyncio.gather(*pending)
        spent = time.monotonic() - started
        return (len(records) / spent if spent > 0 else 0.0), sent
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Received:
    """One output record: where, when (broker-record timestamp, ms) and its bytes."""

    topic: str
    timestamp_ms: int
    value: bytes
    key: bytes | None = None
    answers: Hashable = None
    """The input record this output answers: its ``wirestream-trace-id`` header (every worker output
    carries one), else the output's own coordinates (a passthrough forwards each input once)."""


def _received(topic: str, partition: int, m: Any) -> Received:
    trace = next((v for k, v in (m.headers or ()) if k == HEADER_TRACE_ID), None)
    return Received(topic, m.timestamp, m.value, m.key, trace or (topic, partition, m.offset))


def answered(received: Sequence[Received]) -> list[Received]:
    """The first output answering each input, in broker-timestamp order (redelivered copies left out)."""
    seen: set[Hashable] = set()
    first = []
    for r in sorted(received, key=lambda r: r.timestamp_ms):
        if r.answers not in seen:
            seen.add(r.answers)
            first.append(r)
    return first


async def consume_until(bootstrap: str, topics: list[str], expect: int, *, timeout_s: float,
                        idle_s: float = 120.0, on_progress: Callable[[int], None] | None = None,
                        grace_s: float = 0.0) -> list[Received]:
    """Read ``topics`` from the start until outputs answering ``expect`` distinct inputs arrived.

    Counting distinct inputs (not records) keeps at-least-once redeliveries, which add outputs
    for inputs already answered, from ending the read before every input is answered. Stops
    early when ``timeout_s`` passed or nothing arrived for ``idle_s``; ``on_progress(inputs)``
    is called about once a second. Then reads ``grace_s`` more seconds, to catch records beyond
    ``expect`` (redelivered duplicates).
    """
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_bytes=32 * 1024 * 1024, max_partition_fetch_bytes=16 * 1024 * 1024)
    await consumer.start()
    got: list[Received] = []
    inputs: set[Hashable] = set()
    try:
        deadline = time.monotonic() + timeout_s
        last_seen = last_progress = time.monotonic()
        while len(inputs) < expect and time.monotonic() < deadline and time.monotonic() - last_seen < idle_s:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, messages in batch.items():
                for m in messages:
                    r = _received(tp.topic, tp.partition, m)
                    got.append(r)
                    inputs.add(r.answers)
                last_seen = time.monotonic()
            if on_progress is not None and time.monotonic() - last_progress >= 1.0:
                last_progress = time.monotonic()
                on_progress(len(inputs))
        grace_end = time.monotonic() + grace_s
        while time.monotonic() < grace_end:
            batch = await consumer.getmany(timeout_ms=300, max_records=5000)
            for tp, messages in batch.items():
                got.extend(_received(tp.topic, tp.partition, m) for m in messages)
        return got
    finally:
        await consumer.stop()


def decode(value: bytes) -> dict[str, Any]:
    """An output message as a dict ({} when it is not a JSON object)."""
    try:
        msg = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}
    return msg if isinstance(msg, dict) else {}


def source_timestamp_ms(value: bytes) -> int | None:
    """The input record's timestamp that an output message carries (enriched, duplicate or dead letter)."""
    try:
        msg = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    src = (msg.get("wirestream") or {}).get("source") or msg.get("source") or {}
    ts = src.get("timestamp_ms") if isinstance(src, dict) else None
    return ts if isinstance(ts, int) else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Worker processes


class Worker:
    """A worker process (``wirestream worker`` or another module) configured by ``settings``."""

    def __init__(self, settings: Settings, log_path: Path, module: Sequence[str] = ("streams", "worker"),
                 extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.log_path = log_path
        self.module = list(module)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
        env.update(to_env(settings))
        env.update(extra_env or {})
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The worker's process id."""
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> Worker:
        """Start the process (returns at once)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", *self.module], env=self.env, cwd=REPO,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """GET a path on the worker's web server: (status, body)."""
        url = f"http://127.0.0.1:{self.settings.web_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def wait_ready(self, timeout_s: float = 180.0, path: str = "/readyz") -> float:
        """Block until ``path`` answers 200; returns seconds waited. Raises RuntimeError with the log."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.get(path, timeout=2)
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"worker not ready after {timeout_s}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the worker's log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM the worker's process group, SIGKILL after the timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


class Workers:
    """Several workers stopped together, whatever happens inside the ``with`` block."""

    def __init__(self, workers: Sequence[Worker]) -> None:
        self.workers = list(workers)

    def __enter__(self) -> list[Worker]:
        for w in self.workers:
            w.start()
        return self.workers

    def __exit__(self, *exc: object) -> None:
        for w in self.workers:
            w.stop()


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of ``size`` items."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------------------------------------
# One broker for the whole bench run


_BROKER: dict[str, Any] = {}


def bootstrap() -> str:
    """The broker the benchmarks use.

    ``WIRESTREAM_KAFKA_BOOTSTRAP`` if set, else a local broker started on first use and kept for
    the rest of the run (:func:`shutdown` stops it).
    """
    existing = os.environ.get("WIRESTREAM_KAFKA_BOOTSTRAP")
    if existing:
        return existing
    if "broker" not in _BROKER:
        from streams.localbroker import start_broker

        _BROKER["broker"] = start_broker()
        atexit.register(shutdown)
    return str(_BROKER["broker"].bootstrap)


def shutdown() -> None:
    """Stop the local broker if this run started one."""
    broker = _BROKER.pop("broker", None)
    if broker is not None:
        broker.cleanup()

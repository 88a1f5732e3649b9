"""``wirestream demo``: the main job end to end on one machine.

Starts a local KRaft broker (unless ``WIRESTREAM_KAFKA_BOOTSTRAP`` names one), starts a
real worker process, feeds the bundled sample feed to the raw topic, reads every
output back and prints a summary: records per output topic, each story's headline,
version and verdict, the dead-letter reasons, the seed article as cleaned, and
where the metrics and the status page are.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.archive import BadLine, read_paths
from streams.kafka_config import client_kwargs
from streams.localbroker import LocalBroker, free_port, start_broker
from streams.settings import Settings, SettingsError, to_env
from streams.topics import ensure_topics

SAMPLE_FEED = Path(__file__).resolve().parents[1] / "deploy" / "demo" / "sample-feed.jsonl"
READY_TIMEOUT_S = 180.0
OUTPUT_TIMEOUT_S = 180.0


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - loopback only
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, b""
    except OSError:
        return 0, b""


async def _feed(settings: Settings, feed: Path) -> int:
    producer = AIOKafkaProducer(**client_kwargs(settings), acks="all")
    await producer.start()
    count = 0
    try:
        for entry in read_paths([str(feed)]):
            if isinstance(entry, BadLine):
                value, key, headers = entry.raw, None, []
            else:
                value, key, headers = entry.value, entry.key, list(entry.headers)
            await producer.send_and_wait(settings.topics.raw, value=value, key=key, headers=headers)
            count += 1
    finally:
        await producer.stop()
    return count


async def _collect(settings: Settings, expect: int) -> list[tuple[str, dict[str, Any]]]:
    t = settings.topics
    consumer = AIOKafkaConsumer(t.enriched, t.duplicates, t.dlq, **client_kwargs(settings), group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[tuple[str, dict[str, Any], int]] = []
    try:
        deadline = time.monotonic() + OUTPUT_TIMEOUT_S
        while len(out) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, messages in batch.items():
                out.extend((tp.topic, orjson.loads(m.value), m.timestamp) for m in messages)
    finally:
        await consumer.stop()
    out.sort(key=lambda row: row[2])
    return [(topic, value) for topic, value, _ in out]


def _summary(settings: Settings, fed: int, outputs: list[tuple[str, dict[str, Any]]], base_url: str) -> str:
    t = settings.topics
    lines = ["", "=" * 78, "wirestream demo: summary", "=" * 78]
    counts = {name: sum(1 for topic, _ in outputs if topic == name) for name in (t.enriched, t.duplicates, t.dlq)}
    lines.append(f"records fed to {t.raw}: {fed}; outputs read back: {len(outputs)}"
                 + ("" if len(outputs) == fed else "   <-- MISMATCH"))
    for name, n in counts.items():
        lines.append(f"  {name:<24} {n}")
    lines += ["", "stories (in publication order):"]
    for topic, value in outputs:
        if topic == t.enriched:
            ext = value["wirestream"]
            kind = ext.get("version_kind") or ext["verdict"]
            lines.append(f"  [{ext['verdict']:<7}] v{value['version']:<2} {value['pubstatus']:<8} "
                         f"{value['headlines'][0]['value'][:70]}  ({kind}; source {ext['source']['name']})")
        elif topic == t.duplicates:
            lines.append(f"  [dup/{value['reason']:<6}] of v{value['duplicate_of']['version']:<2} "
                         f"{value['headline'][:60]}  (similarity {value['similarity']:.2f}; "
                         f"source {value['source']['name']})")
    lines += ["", "dead letters:"]
    for topic, value in outputs:
        if topic == t.dlq:
            err = value["error"]
            lines.append(f"  {err['code']:<18} stage {err['stage']:<7} key {value['source']['key']!s:<16} "
                         f"{err['message'][:60]}")
    seed = next((v for topic, v in outputs if topic == t.enriched
                 and v["wirestream"]["source"]["name"] == "markets-daily.example"
                 and "Belarus" in v["headlines"][0]["value"]), None)
    if seed is not None:
        ext = seed["wirestream"]
        lines += ["", "the seed article, cleaned:",
                  f"  headline : {seed['headlines'][0]['value']}",
                  f"  by       : {seed.get('by')}   dateline: {ext['dateline'].get('city')} "
                  f"({ext['dateline'].get('agency')})",
                  f"  published: {seed.get('firstcreated')}   updated: {seed.get('versioncreated')}"]
        for assoc in seed.get("associations", []):
            lines.append(f"  picture  : {assoc['descriptions'][0]['value']}  (credit {assoc.get('by')})")
        lines.append(f"  people   : {', '.join(p['name'] for p in seed.get('people', []))}")
        lines.append(f"  places   : {', '.join(p['name'] for p in seed.get('places', []))}")
        lines.append(f"  subjects : {', '.join(s['name'] for s in seed.get('subjects', []))}")
        lines.append(f"  removed  : {len(ext['cleaning']['removed'])} blocks of site chrome")
        body = seed["bodies"][0]["value"].split("\n\n")
        lines.append(f"  body     : {len(body)} paragraphs; first: {body[0][:90]}...")
    status, metrics = _get(base_url + "/metrics")
    lines += ["", f"metrics    : {base_url}/metrics  (HTTP {status})",
              f"status page: {base_url}/", f"health     : {base_url}/healthz, {base_url}/readyz"]
    for line in metrics.decode(errors="replace").splitlines():
        if line.startswith("wirestream_verdicts_total{"):
            lines.append("  " + line)
    return "\n".join(lines)


def run_demo(feed: str | None = None, keep_running: bool = False) -> int:
    """Run the demo; returns 0 when every fed record came back on exactly one output topic."""
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"wirestream demo: configuration error: {exc}", file=sys.stderr)
        return 2
    def _terminate(*_: object) -> None:
        raise SystemExit(143)  # run the cleanup below: the worker has its own session and would outlive us

    signal.signal(signal.SIGTERM, _terminate)
    broker: LocalBroker | None = None
    workdir = Path(tempfile.mkdtemp(prefix="wirestream-demo-"))
    if not os.environ.get("WIRESTREAM_KAFKA_BOOTSTRAP"):
        print("starting a local Kafka broker (KRaft, single node)...", flush=True)
        broker = start_broker(workdir / "kafka")
        settings = replace(settings, kafka_bootstrap=broker.bootstrap)
    if not _port_free(settings.web_port):
        settings = replace(settings, web_port=free_port())
    settings = replace(settings, data_dir=workdir / "state")
    base_url = f"http://{settings.web_host}:{settings.web_port}"
    worker: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(ensure_topics(settings))
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
        env.update(to_env(settings))
        log_path = workdir / "worker.log"
        print(f"starting the worker (log: {log_path})...", flush=True)
        with log_path.open("wb") as log:
            worker = subprocess.Popen([sys.executable, "-m", "streams", "worker"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while _get(base_url + "/readyz")[0] != 200:
            if worker.poll() is not None or time.monotonic() > deadline:
                print(f"the worker did not become ready; its log:\n{log_path.read_text(errors='replace')[-4000:]}",
                      file=sys.stderr)
                return 1
            time.sleep(0.5)
        feed_path = Path(feed) if feed else SAMPLE_FEED
        print(f"feeding {feed_path} to {settings.topics.raw}...", flush=True)
        fed = asyncio.run(_feed(settings, feed_path))
        outputs = asyncio.run(_collect(settings, fed))
        print(_summary(settings, fed, outputs, base_url), flush=True)
        if keep_running:
            print("\nbroker and worker keep running; Ctrl-C to stop.", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        return 0 if len(outputs) == fed else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        if broker is not None:
            broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)

"""Embargoes on a real worker: held until the embargo lifts, or superseded by a kill first."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from streams.settings import Settings
from tests.support import WorkerProcess, consume, create_topics, output_topics, produce

pytestmark = pytest.mark.integration


def item(uri: str, version: int, embargo_in_s: float | None, pubstatus: str = "usable", tz_hours: int = 2) -> bytes:
    texts = {
        "A": ("Carmaker unveils battery plant", "PARIS (Test) - A French carmaker will build a battery plant near "
              "Lille employing 2,000 people, its chief executive said on Tuesday.\n\nProduction starts in 2028."),
        "B": ("Wheat harvest hit by drought", "KYIV (Test) - Ukraine's wheat harvest will fall by a fifth this year "
              "after a spring drought, the agriculture ministry said.\n\nExports are expected to slow."),
    }
    headline, text = texts[uri[-1]]
    body = {"uri": uri, "version": str(version), "pubstatus": pubstatus,
            "headlines": [{"value": headline}], "bodies": [{"value": text}]}
    if embargo_in_s is not None:
        # Written in a +02:00 offset on purpose: release time is an instant, not a string.
        when = datetime.now(UTC) + timedelta(seconds=embargo_in_s)
        body["embargoed"] = when.astimezone(UTC).replace(tzinfo=None).isoformat() + "+00:00" if tz_hours == 0 else \
            (when + timedelta(hours=tz_hours)).replace(tzinfo=None).isoformat() + f"+{tz_hours:02d}:00"
    return json.dumps(body).encode()


def test_embargoed_item_is_held_then_released_and_a_kill_supersedes(settings: Settings, tmp_path: Path) -> None:
    """A: released after its embargo (not before); B: killed while held -> held copy reported superseded."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "w.log").start()
    try:
        worker.wait_ready()
        sent_at = time.time()
        asyncio.run(produce(settings, settings.topics.raw, [
            (b"a", item("urn:test:embargo-A", 1, 12), []),
            (b"b", item("urn:test:embargo-B", 1, 600), []),
        ]))
        early = asyncio.run(consume(settings, output_topics(settings), expect=1, timeout_s=6))
        assert early == [], f"nothing may be published while embargoed, got {[r.json() for r in early]}"
        asyncio.run(produce(settings, settings.topics.raw, [
            (b"b", item("urn:test:embargo-B", 2, None, pubstatus="canceled"), [])]))
        got = asyncio.run(consume(settings, output_topics(settings), expect=3, timeout_s=60))
        by_uri: dict[str, list[tuple[str, dict]]] = {}
        for record in got:
            value = record.json()
            by_uri.setdefault(value["uri"], []).append((record.topic, value))
        assert len(got) == 3, f"expected A released, B kill + B superseded; got {by_uri}\n{worker.log_tail()}"
        ((topic_a, a),) = by_uri["urn:test:embargo-A"]
        assert topic_a == settings.topics.enriched and a["wirestream"]["embargo"]["held"] is False
        released_s = datetime.fromisoformat(a["wirestream"]["processed_at"]).timestamp()
        assert a["pubstatus"] == "usable"
        kinds = sorted((topic, v.get("pubstatus") or v.get("reason")) for topic, v in by_uri["urn:test:embargo-B"])
        assert kinds == sorted([(settings.topics.enriched, "canceled"), (settings.topics.duplicates, "superseded")])
        first_output_ms = min(r.json().get("wirestream", {}).get("source", {}).get("timestamp_ms") or 0 for r in got)
        assert first_output_ms >= 0 and released_s >= sent_at
    finally:
        worker.stop()
